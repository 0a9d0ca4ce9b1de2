/*
 * cost.model: measure a workload's cost drivers, price them with the
 * target's price sheet, and record every figure with its inputs and formula.
 *
 * Measured: bytes produced and consumed (workload ledger), bytes stored per
 * byte produced (storage_bytes of every broker before and after), the
 * replication factor and the racks of leaders and replicas (metadata and
 * broker configs), hence the cross-zone bytes of replication, produce and
 * consume. Declared by the target: architecture, instance type and count,
 * retention, price sheet. What cannot be measured on a target is stated in
 * the evidence with the value assumed instead.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "util/buf.h"
#include "config/pricesheet.h"
#include "util/timeutil.h"
#include "platform/topology.h"
#include "engine/wlreport.h"
#include "engine/workload.h"

/* Sum of storage_bytes over brokers; -1 when any broker failed. */
static int64_t storage_total(kp_ctx_t *ctx, const kp_topology_t *t, kp_check_t *c,
                             const char *phase)
{
        int64_t sum = 0;
        int i;

        for (i = 0; i < t->n_brokers; i++) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_STORAGE_BYTES);
                kp_ctl_res_t res;
                kp_kvlist_t labels = {0};
                char b[16];
                kp_err_t err;

                req.broker = t->broker_ids[i];
                if (kp_control_do(ctx->plat->control, &req, &res, &err) < 0 || !res.has_value) {
                        kp_check_note(c, "storage_bytes of broker %d failed: %s", req.broker,
                                      err.msg);
                        return -1;
                }
                snprintf(b, sizeof(b), "%d", req.broker);
                kp_kvlist_set(&labels, "broker", b);
                kp_kvlist_set(&labels, "phase", phase);
                kp_check_measure_ex(c, "storage_bytes", (double)res.value, "bytes", &labels, NULL);
                kp_kvlist_clear(&labels);
                sum += res.value;
        }
        return sum;
}

static void input(kp_check_t *c, const char *name, double v, const char *unit, const char *source,
                  const char *formula)
{
        kp_kvlist_t labels = {0};

        kp_kvlist_set(&labels, "input", source);
        kp_check_measure_ex(c, name, v, unit, &labels, formula);
        kp_kvlist_clear(&labels);
}

/* Cross-zone shares from rack placement: followers in another rack than
 * their leader (per partition, averaged), and the share of leaders not in
 * the clients' zone. Returns 0 when racks were known. */
static int placement(kp_ctx_t *ctx, kp_check_t *c, kp_topology_t *t, double rf,
                     kp_cost_inputs_t *in)
{
        const cost_options_t *o = cost_opts(ctx, &(cost_options_t){0});
        const kp_deployment_cfg_t *d = &ctx->plat->target->deployment;
        /* the clients' zone: the scenario's option, else the target's client.rack */
        const char *client_zone = o->client_zone
                                      ? o->client_zone
                                      : kp_kvlist_get(&ctx->plat->target->kafka, "client.rack");
        char racks[KP_TOPO_MAX_BROKERS][64], f[512];
        int n_racks = 0, i, k, j, other = 0, away = 0;
        double repl = 0, client;

        for (i = 0; i < t->n_brokers; i++) {
                if (!t->racks[i][0])
                        continue;
                for (j = 0; j < n_racks; j++)
                        if (strcmp(racks[j], t->racks[i]) == 0)
                                break;
                if (j == n_racks)
                        snprintf(racks[n_racks++], sizeof(racks[0]), "%s", t->racks[i]);
        }
        for (i = 0; i < t->n_partitions; i++) {
                const kp_topo_partition_t *tp = &t->partitions[i];
                const char *lr = kp_topology_rack(t, tp->leader);
                if (!lr)
                        break;
                for (k = 0; k < tp->n_replicas; k++) {
                        const char *rr = kp_topology_rack(t, tp->replicas[k]);
                        if (tp->replicas[k] != tp->leader && (!rr || strcmp(rr, lr) != 0))
                                other++;
                }
                if (client_zone && strcmp(lr, client_zone) != 0)
                        away++;
        }
        if (t->n_partitions == 0 || i < t->n_partitions || n_racks == 0) {
                int zones = d->n_zones > 0 ? (int)d->n_zones : 1;
                in->cross_zone_replication =
                    zones >= rf ? rf - 1 : (rf - 1) * (zones - 1) / (zones ? zones : 1);
                in->cross_zone_produce = in->cross_zone_consume = 1.0 - 1.0 / zones;
                snprintf(
                    f, sizeof(f),
                    "racks of the leaders unknown: assumed replicas spread over the %d declared "
                    "zone(s) (followers crossing = min(RF-1, ...)) and clients spread evenly: "
                    "1 - 1/%d",
                    zones, zones);
                input(c, "cross_zone_replicas_per_byte", in->cross_zone_replication, "copies",
                      "assumed", f);
                input(c, "cross_zone_share_produce", in->cross_zone_produce, "share", "assumed", f);
                input(c, "cross_zone_share_consume", in->cross_zone_consume, "share", "assumed", f);
                return -1;
        }
        repl = (double)other / t->n_partitions;
        snprintf(f, sizeof(f),
                 "%d follower replicas in another rack than their leader / %d partitions", other,
                 t->n_partitions);
        input(c, "cross_zone_replicas_per_byte", repl, "copies", "measured", f);
        in->cross_zone_replication = repl;
        if (client_zone) {
                client = (double)away / t->n_partitions;
                snprintf(f, sizeof(f),
                         "%d of %d partition leaders outside the clients' zone %s (%s)", away,
                         t->n_partitions, client_zone,
                         o->client_zone ? "options.client_zone" : "the target's client.rack");
        } else {
                client = 1.0 - 1.0 / n_racks;
                snprintf(f, sizeof(f),
                         "clients assumed spread evenly over the %d racks of the brokers: 1 - 1/%d "
                         "(set options.client_zone to measure it against the leaders)",
                         n_racks, n_racks);
        }
        in->cross_zone_produce = in->cross_zone_consume = client;
        input(c, "cross_zone_share_produce", client, "share", client_zone ? "measured" : "assumed",
              f);
        input(c, "cross_zone_share_consume", client, "share", client_zone ? "measured" : "assumed",
              "consumers fetch from the partition leader (no follower fetching): same share as "
              "produce");
        return 0;
}

/* The breakdown: a table, one measurement per driver with its formula, and
 * the prices used with their dates and sources. */
static void record_breakdown(kp_check_t *c, const kp_cost_result_t *r, const kp_pricesheet_t *ps)
{
        static const char *const cols[] = {"driver", "monthly USD", "quantity", "formula",
                                           "prices"};
        kp_table_t *tab = kp_check_table(c, "Monthly cost by driver", cols, 5);
        int i, k;

        for (i = 0; i < KP_COST__COUNT; i++) {
                const kp_cost_line_t *l = &r->lines[i];
                char name[96], usd[32], qty[64], prices[1024];
                const char *cells[5];
                kp_buf_t b;

                kp_buf_init(&b, sizeof(prices));
                for (k = 0; k < 3 && l->prices[k]; k++) {
                        const kp_price_t *p = NULL;
                        int j;
                        for (j = 0; j < KP_PRICE__COUNT; j++)
                                if (strcmp(ps->prices[j].name, l->prices[k]) == 0)
                                        p = &ps->prices[j];
                        if (!p)
                                p = kp_pricesheet_instance(ps, l->prices[k]);
                        if (p)
                                kp_buf_printf(&b, "%s%s %g %s (%s, %s)", k ? "; " : "", p->name,
                                              p->price, p->unit, p->date, p->source);
                }
                snprintf(prices, sizeof(prices), "%s", b.len ? kp_buf_cstr(&b) : "-");
                kp_buf_free(&b);
                snprintf(name, sizeof(name), "cost_%s_usd_month", kp_cost_driver_names[i]);
                kp_check_measure_ex(c, name, l->usd, "USD", NULL, l->formula);
                snprintf(usd, sizeof(usd), "%.2f", l->usd);
                snprintf(qty, sizeof(qty), "%.3f %s", l->quantity, l->unit);
                cells[0] = kp_cost_driver_names[i];
                cells[1] = usd;
                cells[2] = qty;
                cells[3] = l->formula;
                cells[4] = prices;
                kp_table_row(tab, cells);
        }
        {
                char usd[32];
                const char *cells[5] = {"total", usd, "", "sum of the drivers", ""};
                snprintf(usd, sizeof(usd), "%.2f", r->total_usd);
                kp_table_row(tab, cells);
        }
        kp_check_measure_ex(c, "monthly_cost_usd", r->total_usd, "USD", NULL,
                            "sum of the cost_*_usd_month drivers");
}

void cost_check_model(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_target_t *tg = ctx->plat->target;
        const kp_deployment_cfg_t *d = &tg->deployment;
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        const cost_options_t *o = cost_opts(ctx, &(cost_options_t){0});
        kp_pricesheet_t *ps = NULL;
        kp_topo_client_t *cl = NULL;
        kp_workload_t *wl = NULL;
        kp_workload_results_t r;
        kp_topology_t t = {0};
        kp_workload_spec_t spec;
        kp_cost_inputs_t in;
        kp_cost_result_t res;
        char topic[256], path[4096], f[512];
        const char *reason = NULL;
        int64_t st_before = -1, st_after = -1;
        double rf = 0, secs, produced;
        kp_buf_t miss;
        kp_err_t err;
        int i, proxy;

        kp_buf_init(&miss, 1024);
        if (!d->price_sheet)
                kp_buf_puts(&miss, "price_sheet");
        if (!d->architecture)
                kp_buf_printf(&miss, "%sarchitecture", miss.len ? ", " : "");
        if (!d->instance_type)
                kp_buf_printf(&miss, "%sinstance_type", miss.len ? ", " : "");
        if (!d->instance_count)
                kp_buf_printf(&miss, "%sinstance_count", miss.len ? ", " : "");
        if (!d->retention_ns)
                kp_buf_printf(&miss, "%sretention", miss.len ? ", " : "");
        if (miss.len) {
                kp_check_skip(c, "the target %s declares no deployment %s: nothing to price",
                              tg->name, kp_buf_cstr(&miss));
                goto out;
        }
        if (kp_pricesheet_resolve(tg->path, d->price_sheet, path, sizeof(path)) < 0 ||
            kp_pricesheet_load(path, &ps, &err) < 0) {
                kp_check_error(c, "price sheet: %s", err.msg);
                goto out;
        }
        if (!kp_pricesheet_instance(ps, d->instance_type)) {
                kp_check_error(c, "instance type %s is not on the price sheet %s", d->instance_type,
                               path);
                goto out;
        }
        kp_check_note(c, "price sheet %s (%s %s, sha256 %s)", path, ps->provider, ps->region,
                      ps->sha256);
        proxy = (d->provider && strcmp(d->provider, ps->provider) != 0) ||
                (d->region && strcmp(d->region, ps->region) != 0);
        if (proxy)
                kp_check_note(c,
                              "the target declares provider %s region %s: the figures price this "
                              "workload as if it ran on %s %s (a proxy price sheet%s)",
                              d->provider ? d->provider : "-", d->region ? d->region : "-",
                              ps->provider, ps->region,
                              o->allow_proxy ? ", allowed by options.allow_proxy_price_sheet"
                                             : ", not allowed by the scenario");
        kp_check_measure(c, "proxy_price_sheet", proxy, "bool");
        cl = kp_topo_client_new(ctx->plat, &err);
        if (!cl) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }

        /* The measured workload. */
        if (w->topic)
                snprintf(topic, sizeof(topic), "%s", w->topic);
        else
                kp_ctx_topic(ctx, "cost", topic, sizeof(topic));
        if (kp_platform_create_topic(ctx->plat, topic, w->partitions, w->replication_factor,
                                     &w->topic_config, &err) < 0) {
                kp_check_error(c, "cannot create topic %s: %s", topic, err.msg);
                goto out;
        }
        if (kp_topo_fetch(cl, topic, &t, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        if (kp_control_supports(ctx->plat->control, KP_CTL_STORAGE_BYTES, &reason))
                st_before = storage_total(ctx, &t, c, "before");
        memset(&spec, 0, sizeof(spec));
        spec.cfg = w;
        spec.topic = topic;
        spec.profile = ctx->scfg->client.profile;
        spec.producer_overrides = &ctx->scfg->client.producer;
        spec.consumer_overrides = &ctx->scfg->client.consumer;
        wl = kp_workload_new(ctx->plat, &spec, &err);
        if (!wl || kp_workload_run(wl, &err) < 0) {
                kp_check_error(c, "workload: %s", err.msg);
                goto out;
        }
        kp_wlreport_record(c, wl);
        kp_workload_results(wl, &r);
        if (r.ledger.acked == 0 || r.produce_ns <= 0) {
                kp_check_error(c, "no record was acknowledged: nothing to measure");
                goto out;
        }
        if (st_before >= 0) {
                /* retention enforcement and segment rolls make disk usage step:
                 * read it after the workload drained */
                st_after = storage_total(ctx, &t, c, "after");
        }
        kp_topology_release(&t);
        if (kp_topo_fetch(cl, topic, &t, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        if (kp_topo_client_racks(cl, &t, &err) < 0)
                kp_check_note(c, "broker racks unknown: %s", err.msg);
        for (i = 0; i < t.n_partitions; i++)
                rf += t.partitions[i].n_replicas;
        rf = t.n_partitions ? rf / t.n_partitions : 1;
        if (rf < 1)
                rf = 1;

        /* Inputs, each with where it came from. */
        memset(&in, 0, sizeof(in));
        in.arch = (kp_arch_t)kp_arch_from_name(d->architecture);
        secs = (double)r.produce_ns / 1e9;
        produced = (double)r.value_bytes;
        in.produce_bytes_per_s = produced / secs;
        snprintf(f, sizeof(f), "%.0f acknowledged value bytes / %.3f s of production", produced,
                 secs);
        input(c, "produce_bytes_per_s", in.produce_bytes_per_s, "B/s", "measured", f);
        in.consume_fanout =
            (double)r.ledger.consumed_unique / (double)r.ledger.acked * (w->consumers > 0 ? 1 : 0);
        snprintf(f, sizeof(f), "%llu records consumed / %llu acknowledged (one consumer group)",
                 (unsigned long long)r.ledger.consumed_unique, (unsigned long long)r.ledger.acked);
        input(c, "consume_fanout", in.consume_fanout, "bytes/byte", "measured", f);
        in.replication_factor = rf;
        snprintf(f, sizeof(f), "mean replicas per partition of %s over %d partitions (metadata)",
                 topic, t.n_partitions);
        input(c, "replication_factor", rf, "replicas", "measured", f);
        if (st_before >= 0 && st_after >= 0 && st_after > st_before) {
                double per = (double)(st_after - st_before) / produced;
                in.compression_ratio = per / rf;
                snprintf(f, sizeof(f),
                         "storage of all brokers after %lld B - before %lld B = %lld B / %.0f B "
                         "produced = %.4f B/B (all replicas, log and index files)",
                         (long long)st_after, (long long)st_before,
                         (long long)(st_after - st_before), produced, per);
                input(c, "retained_bytes_per_produced_byte", per, "bytes/byte", "measured", f);
                snprintf(f, sizeof(f), "retained bytes per produced byte %.4f / RF %.2f", per, rf);
                input(c, "compression_ratio", in.compression_ratio, "bytes/byte", "measured", f);
        } else {
                in.compression_ratio = 1.0;
                snprintf(f, sizeof(f), "not measured (%s): assumed 1.0, records stored as produced",
                         reason ? reason : "storage_bytes gave no growth");
                input(c, "compression_ratio", 1.0, "bytes/byte", "assumed", f);
                kp_check_note(c, "stored bytes per produced byte not measured: %s",
                              reason ? reason : "storage_bytes gave no growth");
        }
        placement(ctx, c, &t, rf, &in);
        in.kms_keys = o->kms_keys >= 0 ? o->kms_keys : strcmp(tg->kms_type, "none") != 0;
        in.kms_requests_per_s = 0;
        input(c, "kms_keys", in.kms_keys, "keys", o->kms_keys >= 0 ? "declared" : "derived",
              o->kms_keys >= 0 ? "options.kms_keys"
                               : "1 when the target has a KMS adapter, else 0");
        input(c, "kms_requests_per_s", 0, "requests/s", "not observed",
              "no adapter of this target counts KMS requests: 0");
        in.instance_type = d->instance_type;
        in.instance_count = d->instance_count;
        in.retention_s = (double)d->retention_ns / 1e9;
        in.tiered_local_retention_s = (double)o->local_retention_ns / 1e9;
        in.segment_bytes = o->segment_bytes;
        in.flush_interval_s = (double)o->flush_interval_ns / 1e9;
        in.endpoint_zones = o->endpoint_zones;
        input(c, "instance_count", in.instance_count, "instances", "declared",
              "deployment.instance_count");
        input(c, "retention_s", in.retention_s, "s", "declared", "deployment.retention");
        kp_check_note(
            c,
            "declared: %s on %d x %s in %s %s, retention %.1f days; model parameters: "
            "tiered local retention %.1f h, %.0f-byte segments, shared-storage flush every "
            "%.0f ms, %d private endpoint zone(s), %.0f MB/s per instance for projections",
            d->architecture, d->instance_count, d->instance_type, ps->provider, ps->region,
            in.retention_s / 86400, in.tiered_local_retention_s / 3600, in.segment_bytes,
            in.flush_interval_s * 1000, in.endpoint_zones, o->instance_capacity);

        if (kp_cost_compute(&in, ps, &res, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        record_breakdown(c, &res, ps);
        if (cost_projections(ctx, c, &in, ps, o->instance_capacity, &err) < 0)
                kp_check_note(c, "projections not drawn: %s", err.msg);
        if (proxy && !o->allow_proxy) {
                kp_check_fail(c,
                              "priced with the %s %s price sheet although the deployment declares "
                              "provider %s region %s: set options.allow_proxy_price_sheet to "
                              "accept a proxy sheet (%.2f USD/month on the proxy sheet)",
                              ps->provider, ps->region, d->provider ? d->provider : "-",
                              d->region ? d->region : "-", res.total_usd);
                goto out;
        }
        kp_check_answer(c, "%.2f USD/month for %.1f kB/s produced and %.1f-day retention%s",
                        res.total_usd, in.produce_bytes_per_s / 1000, in.retention_s / 86400,
                        proxy ? " (on a proxy price sheet)" : "");
        kp_check_pass(c,
                      "%s%s on %d x %s (%s %s): %.2f USD/month for %.1f kB/s produced, %.1f-day "
                      "retention (compute %.2f, block %.2f, object %.2f, requests %.2f, cross-zone "
                      "%.2f, KMS %.2f, endpoint %.2f)",
                      proxy ? "proxy price sheet (allowed): " : "", d->architecture,
                      d->instance_count, d->instance_type, ps->provider, ps->region, res.total_usd,
                      in.produce_bytes_per_s / 1000, in.retention_s / 86400,
                      res.lines[KP_COST_COMPUTE].usd, res.lines[KP_COST_BLOCK].usd,
                      res.lines[KP_COST_OBJECT].usd, res.lines[KP_COST_REQUESTS].usd,
                      res.lines[KP_COST_NETWORK].usd, res.lines[KP_COST_KMS].usd,
                      res.lines[KP_COST_ENDPOINT].usd);
out:
        kp_buf_free(&miss);
        kp_topology_release(&t);
        kp_workload_free(wl);
        kp_topo_client_free(cl);
        kp_pricesheet_free(ps);
}
