/*
 * The cost model: see costmodel.h. Assumptions per architecture are written
 * into each line's formula so a reader of the evidence sees them.
 */
#include "engine/costmodel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const kp_arch_names[KP_ARCH__COUNT] = {
    [KP_ARCH_SHARED_NOTHING] = "shared-nothing",
    [KP_ARCH_TIERED] = "tiered",
    [KP_ARCH_SHARED_STORAGE] = "shared-storage",
};

const char *const kp_cost_driver_names[KP_COST__COUNT] = {
    [KP_COST_COMPUTE] = "compute",
    [KP_COST_BLOCK] = "block_storage",
    [KP_COST_OBJECT] = "object_storage",
    [KP_COST_REQUESTS] = "object_requests",
    [KP_COST_NETWORK] = "cross_zone_network",
    [KP_COST_KMS] = "kms",
    [KP_COST_ENDPOINT] = "private_endpoint",
};

int kp_arch_from_name(const char *name)
{
        int i;

        for (i = 0; name && i < KP_ARCH__COUNT; i++)
                if (strcmp(kp_arch_names[i], name) == 0)
                        return i;
        return -1;
}

int kp_cost_instances_for(double produce_bytes_per_s, double capacity_mb_per_s, int minimum)
{
        double need;

        if (capacity_mb_per_s <= 0)
                return minimum;
        need = ceil(produce_bytes_per_s / 1e6 / capacity_mb_per_s - 1e-9);
        return need > minimum ? (int)need : minimum;
}

static double price(const kp_pricesheet_t *ps, kp_price_id_t id)
{
        return ps->prices[id].price;
}

static void line(kp_cost_line_t *l, double usd, double qty, const char *unit, const char *p0,
                 const char *p1, const char *p2)
{
        l->usd = usd;
        l->quantity = qty;
        l->unit = unit;
        l->prices[0] = p0;
        l->prices[1] = p1;
        l->prices[2] = p2;
}

static int check_inputs(const kp_cost_inputs_t *in, kp_err_t *err)
{
        if ((int)in->arch < 0 || in->arch >= KP_ARCH__COUNT)
                return kp_err_set(err, KP_EINVAL, "cost model: unknown architecture");
        if (!(in->produce_bytes_per_s >= 0) || !(in->consume_fanout >= 0) ||
            !(in->replication_factor >= 1) || !(in->compression_ratio > 0) ||
            !(in->retention_s > 0) || in->instance_count < 1 ||
            !(in->cross_zone_replication >= 0) ||
            !(in->cross_zone_produce >= 0 && in->cross_zone_produce <= 1) ||
            !(in->cross_zone_consume >= 0 && in->cross_zone_consume <= 1) ||
            !(in->kms_requests_per_s >= 0) || in->kms_keys < 0 || in->endpoint_zones < 0)
                return kp_err_set(err, KP_EINVAL,
                                  "cost model: input out of range (rate %g B/s, fanout %g, RF %g, "
                                  "compression %g, retention %g s, instances %d)",
                                  in->produce_bytes_per_s, in->consume_fanout,
                                  in->replication_factor, in->compression_ratio, in->retention_s,
                                  in->instance_count);
        if (in->arch == KP_ARCH_TIERED &&
            (!(in->segment_bytes > 0) || !(in->tiered_local_retention_s > 0)))
                return kp_err_set(err, KP_EINVAL,
                                  "cost model: tiered needs segment bytes and a local retention");
        if (in->arch == KP_ARCH_SHARED_STORAGE && !(in->flush_interval_s > 0))
                return kp_err_set(err, KP_EINVAL,
                                  "cost model: shared-storage needs a flush interval");
        return 0;
}

int kp_cost_compute(const kp_cost_inputs_t *in, const kp_pricesheet_t *ps, kp_cost_result_t *out,
                    kp_err_t *err)
{
        const kp_price_t *inst = kp_pricesheet_instance(ps, in->instance_type);
        /* bytes on the wire: produced record bytes after compression */
        double produced_gb =
            in->produce_bytes_per_s * in->compression_ratio * KP_COST_MONTH_S / KP_COST_GB;
        double consumed_gb = produced_gb * in->consume_fanout;
        double local_s, gb, qty, xz;
        kp_cost_line_t *l;
        int i;

        memset(out, 0, sizeof(*out));
        if (!inst)
                return kp_err_set(err, KP_EINVAL,
                                  "cost model: instance type \"%s\" is not on the price sheet %s",
                                  in->instance_type ? in->instance_type : "(none)", ps->path);
        if (check_inputs(in, err) < 0)
                return -1;

        l = &out->lines[KP_COST_COMPUTE];
        qty = in->instance_count * KP_COST_MONTH_H;
        line(l, qty * inst->price, qty, "instance-hours", inst->name, NULL, NULL);
        snprintf(l->formula, sizeof(l->formula), "%d instances x %.0f h x %g USD/h (%s)",
                 in->instance_count, KP_COST_MONTH_H, inst->price, inst->name);

        /* block storage: retained bytes of every replica that stay on brokers */
        l = &out->lines[KP_COST_BLOCK];
        switch (in->arch) {
        case KP_ARCH_SHARED_NOTHING:
        case KP_ARCH_TIERED:
                local_s =
                    in->arch == KP_ARCH_TIERED && in->tiered_local_retention_s < in->retention_s
                        ? in->tiered_local_retention_s
                        : in->retention_s;
                gb = in->produce_bytes_per_s * local_s * in->compression_ratio *
                     in->replication_factor / KP_COST_GB;
                line(l, gb * price(ps, KP_PRICE_BLOCK_GB_MONTH), gb, "GB-months",
                     kp_price_keys[KP_PRICE_BLOCK_GB_MONTH], NULL, NULL);
                snprintf(
                    l->formula, sizeof(l->formula),
                    "%g B/s x %g s %s x compression %g x RF %g / 2^30 = %.3f GB x %g USD/GB-month",
                    in->produce_bytes_per_s, local_s,
                    in->arch == KP_ARCH_TIERED ? "local retention" : "retention",
                    in->compression_ratio, in->replication_factor, gb,
                    price(ps, KP_PRICE_BLOCK_GB_MONTH));
                break;
        default:
                line(l, 0, 0, "GB-months", NULL, NULL, NULL);
                snprintf(l->formula, sizeof(l->formula),
                         "0: shared-storage brokers keep no retained data on block storage");
        }

        /* object storage: one copy of the retained data */
        l = &out->lines[KP_COST_OBJECT];
        if (in->arch == KP_ARCH_SHARED_NOTHING) {
                line(l, 0, 0, "GB-months", NULL, NULL, NULL);
                snprintf(l->formula, sizeof(l->formula),
                         "0: shared-nothing keeps no object storage");
        } else {
                gb = in->produce_bytes_per_s * in->retention_s * in->compression_ratio / KP_COST_GB;
                line(l, gb * price(ps, KP_PRICE_OBJECT_GB_MONTH), gb, "GB-months",
                     kp_price_keys[KP_PRICE_OBJECT_GB_MONTH], NULL, NULL);
                snprintf(
                    l->formula, sizeof(l->formula),
                    "%g B/s x %g s retention x compression %g / 2^30 = %.3f GB x %g USD/GB-month "
                    "(one copy; the object store replicates)",
                    in->produce_bytes_per_s, in->retention_s, in->compression_ratio, gb,
                    price(ps, KP_PRICE_OBJECT_GB_MONTH));
        }

        /* object requests */
        l = &out->lines[KP_COST_REQUESTS];
        if (in->arch == KP_ARCH_TIERED) {
                double puts = in->produce_bytes_per_s * KP_COST_MONTH_S * in->compression_ratio /
                              in->segment_bytes;
                line(l, puts / 1000.0 * price(ps, KP_PRICE_OBJECT_PUT_1000), puts, "requests",
                     kp_price_keys[KP_PRICE_OBJECT_PUT_1000], NULL, NULL);
                snprintf(l->formula, sizeof(l->formula),
                         "%g B/s x %.0f s x compression %g / %g B per segment = %.0f PUT x %g "
                         "USD/1000 (1 PUT per segment; consumers read the local tail, 0 GET)",
                         in->produce_bytes_per_s, KP_COST_MONTH_S, in->compression_ratio,
                         in->segment_bytes, puts, price(ps, KP_PRICE_OBJECT_PUT_1000));
        } else if (in->arch == KP_ARCH_SHARED_STORAGE) {
                double puts = in->instance_count * KP_COST_MONTH_S / in->flush_interval_s;
                double gets = puts * in->consume_fanout;
                line(l,
                     puts / 1000.0 * price(ps, KP_PRICE_OBJECT_PUT_1000) +
                         gets / 1000.0 * price(ps, KP_PRICE_OBJECT_GET_1000),
                     puts + gets, "requests", kp_price_keys[KP_PRICE_OBJECT_PUT_1000],
                     kp_price_keys[KP_PRICE_OBJECT_GET_1000], NULL);
                snprintf(l->formula, sizeof(l->formula),
                         "%d instances x %.0f s / %g s flush = %.0f PUT x %g USD/1000 + %.0f PUT x "
                         "fanout %g = %.0f GET x %g USD/1000",
                         in->instance_count, KP_COST_MONTH_S, in->flush_interval_s, puts,
                         price(ps, KP_PRICE_OBJECT_PUT_1000), puts, in->consume_fanout, gets,
                         price(ps, KP_PRICE_OBJECT_GET_1000));
        } else {
                line(l, 0, 0, "requests", NULL, NULL, NULL);
                snprintf(l->formula, sizeof(l->formula),
                         "0: shared-nothing makes no object requests");
        }

        /* cross-zone network: billed out of one zone and into the other */
        l = &out->lines[KP_COST_NETWORK];
        if (in->arch == KP_ARCH_SHARED_STORAGE) {
                line(l, 0, 0, "GB", NULL, NULL, NULL);
                snprintf(l->formula, sizeof(l->formula),
                         "0: replication goes through the in-region object store and clients use "
                         "brokers of their own zone");
        } else {
                xz = produced_gb * (in->cross_zone_replication + in->cross_zone_produce) +
                     consumed_gb * in->cross_zone_consume;
                line(l, xz * 2 * price(ps, KP_PRICE_CROSS_ZONE_GB), xz, "GB",
                     kp_price_keys[KP_PRICE_CROSS_ZONE_GB], NULL, NULL);
                snprintf(l->formula, sizeof(l->formula),
                         "(%.3f GB produced on the wire x (replication %g + produce %g) + %.3f GB "
                         "consumed x %g) "
                         "= %.3f GB x 2 directions x %g USD/GB",
                         produced_gb, in->cross_zone_replication, in->cross_zone_produce,
                         consumed_gb, in->cross_zone_consume, xz,
                         price(ps, KP_PRICE_CROSS_ZONE_GB));
        }

        l = &out->lines[KP_COST_KMS];
        qty = in->kms_requests_per_s * KP_COST_MONTH_S;
        line(l,
             in->kms_keys * price(ps, KP_PRICE_KMS_KEY_MONTH) +
                 qty / 10000.0 * price(ps, KP_PRICE_KMS_10000),
             qty, "requests", kp_price_keys[KP_PRICE_KMS_KEY_MONTH],
             kp_price_keys[KP_PRICE_KMS_10000], NULL);
        snprintf(l->formula, sizeof(l->formula),
                 "%d keys x %g USD/key-month + %g req/s x %.0f s = %.0f requests x %g USD/10000",
                 in->kms_keys, price(ps, KP_PRICE_KMS_KEY_MONTH), in->kms_requests_per_s,
                 KP_COST_MONTH_S, qty, price(ps, KP_PRICE_KMS_10000));

        l = &out->lines[KP_COST_ENDPOINT];
        if (in->endpoint_zones > 0) {
                double hours = in->endpoint_zones * KP_COST_MONTH_H;
                gb = produced_gb + consumed_gb;
                line(l,
                     hours * price(ps, KP_PRICE_ENDPOINT_HOUR) +
                         gb * price(ps, KP_PRICE_ENDPOINT_GB),
                     gb, "GB", kp_price_keys[KP_PRICE_ENDPOINT_HOUR],
                     kp_price_keys[KP_PRICE_ENDPOINT_GB], NULL);
                snprintf(
                    l->formula, sizeof(l->formula),
                    "%d zones x %.0f h x %g USD/h + (%.3f GB produced + %.3f GB consumed) x %g "
                    "USD/GB",
                    in->endpoint_zones, KP_COST_MONTH_H, price(ps, KP_PRICE_ENDPOINT_HOUR),
                    produced_gb, consumed_gb, price(ps, KP_PRICE_ENDPOINT_GB));
        } else {
                line(l, 0, 0, "GB", NULL, NULL, NULL);
                snprintf(l->formula, sizeof(l->formula), "0: no private endpoint declared");
        }

        for (i = 0; i < KP_COST__COUNT; i++)
                out->total_usd += out->lines[i].usd;
        return 0;
}
