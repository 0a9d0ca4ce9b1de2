/*
 * scaling.scale-out: under a tracked workload, add a broker through the
 * control adapter, reassign a share of the partitions onto it (the new
 * broker replaces each moved partition's leader, so it must copy the data
 * and then lead), measure when it leads and serves produce traffic, how many
 * bytes reached its storage and what clients felt; then drain it again and
 * remove it.
 *
 * Bytes copied are the growth of the new broker's storage (storage_bytes)
 * from right after it joined until the reassignment completed; they are
 * compared with the bytes the moved partitions held on one replica when the
 * move started (the cluster's storage before, divided by the replication
 * factor, times the moved partitions' share of the records). A ratio of at
 * least copy_ratio means scaling copies data; close to 0 means it only moved
 * metadata.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scaling.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "engine/wlreport.h"

/* Watches metadata from the add on: when the new broker registers, when it
 * first leads a partition of the topic and when a produce to that partition
 * is acknowledged while it leads. */
typedef struct monitor {
        kp_topo_client_t *cl;
        const char *topic;
        int32_t broker;
        volatile int stop;
        int64_t t_registered, t_leads, t_traffic; /* monotonic, 0: not yet */
        int32_t led_partition;
        char last_error[256];
        pthread_t thr;
        int started;
} monitor_t;

static void *monitor_main(void *arg)
{
        monitor_t *m = arg;
        kp_topology_t t;
        kp_err_t err;
        int i;

        while (!m->stop && !m->t_traffic) {
                if (kp_topo_fetch(m->cl, m->topic, &t, &err) < 0) {
                        snprintf(m->last_error, sizeof(m->last_error), "%s", err.msg);
                        kp_sleep_ms(250);
                        continue;
                }
                if (!m->t_registered && kp_topology_has_broker(&t, m->broker))
                        m->t_registered = kp_mono_ns();
                for (i = 0; i < t.n_partitions; i++) {
                        if (t.partitions[i].leader != m->broker)
                                continue;
                        if (!m->t_leads) {
                                m->t_leads = kp_mono_ns();
                                m->led_partition = t.partitions[i].id;
                        }
                        break;
                }
                kp_topology_release(&t);
                if (m->t_leads && !m->t_traffic) {
                        if (kp_topo_probe(m->cl, m->topic, m->led_partition, 5000, &err) == 0) {
                                int64_t acked = kp_mono_ns();
                                /* the ack counts when the broker still leads afterwards */
                                if (kp_topo_fetch(m->cl, m->topic, &t, &err) == 0) {
                                        const kp_topo_partition_t *tp =
                                            kp_topology_partition(&t, m->led_partition);
                                        if (tp && tp->leader == m->broker)
                                                m->t_traffic = acked;
                                        else
                                                m->t_leads = 0;
                                        kp_topology_release(&t);
                                }
                        } else {
                                snprintf(m->last_error, sizeof(m->last_error), "%s", err.msg);
                        }
                }
                if (!m->t_traffic)
                        kp_sleep_ms(200);
        }
        return NULL;
}

/* storage_bytes of each broker; -1 where it failed. Records one labelled
 * measurement per broker. Returns the sum of the known values. */
static int64_t storage(kp_ctx_t *ctx, kp_check_t *c, const int32_t *brokers, int n,
                       const char *phase, int64_t *out)
{
        int64_t sum = 0;
        int i;

        for (i = 0; i < n; i++) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_STORAGE_BYTES);
                kp_ctl_res_t res;
                kp_kvlist_t labels = {0};
                char b[16];
                kp_err_t err;

                req.broker = brokers[i];
                out[i] = -1;
                if (kp_control_do(ctx->plat->control, &req, &res, &err) < 0 || !res.has_value) {
                        kp_check_note(c, "storage_bytes of broker %d (%s) failed: %s", brokers[i],
                                      phase, err.msg);
                        continue;
                }
                out[i] = res.value;
                sum += res.value;
                snprintf(b, sizeof(b), "%d", brokers[i]);
                kp_kvlist_set(&labels, "broker", b);
                kp_kvlist_set(&labels, "phase", phase);
                kp_check_measure_ex(c, "storage_bytes", (double)res.value, "bytes", &labels, NULL);
                kp_kvlist_clear(&labels);
        }
        return sum;
}

static int64_t storage_one(kp_ctx_t *ctx, int32_t broker)
{
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_STORAGE_BYTES);
        kp_ctl_res_t res;
        kp_err_t err;

        req.broker = broker;
        if (kp_control_do(ctx->plat->control, &req, &res, &err) < 0 || !res.has_value)
                return -1;
        return res.value;
}

/* Writes a reassignment plan for the given partitions and replica lists. */
static int write_plan(kp_ctx_t *ctx, const char *rel, const char *topic, const int32_t *parts,
                      int32_t (*replicas)[KP_TOPO_MAX_REPLICAS], const int *n_replicas, int n,
                      char *abs, size_t abs_size, kp_err_t *err)
{
        kp_buf_t b;
        int i, k, rc;

        kp_buf_init(&b, 1 << 20);
        kp_buf_puts(&b, "{\"version\":1,\"partitions\":[");
        for (i = 0; i < n; i++) {
                kp_buf_printf(&b, "%s{\"topic\":\"%s\",\"partition\":%d,\"replicas\":[",
                              i ? "," : "", topic, parts[i]);
                for (k = 0; k < n_replicas[i]; k++)
                        kp_buf_printf(&b, "%s%d", k ? "," : "", replicas[i][k]);
                kp_buf_puts(&b, "]}");
        }
        kp_buf_puts(&b, "]}\n");
        rc = kp_rundir_write(ctx->rd, rel, kp_buf_cstr(&b), b.len, err);
        kp_buf_free(&b);
        if (rc == 0)
                rc = kp_ctx_path(ctx, rel, abs, abs_size);
        return rc;
}

static double secs(int64_t from, int64_t to)
{
        return from && to ? (double)(to - from) / 1e9 : NAN;
}

void sc_check_scale_out(kp_ctx_t *ctx, kp_check_t *c)
{
        static const kp_ctl_op_t needed[] = {KP_CTL_ADD_BROKER, KP_CTL_REBALANCE,
                                             KP_CTL_STORAGE_BYTES};
        const sc_options_t *o = sc_opts(ctx);
        kp_control_t *ctl = ctx->plat->control;
        kp_topo_client_t *cl = NULL, *mcl = NULL;
        kp_workload_t *wl = NULL;
        kp_history_t *hist = NULL;
        kp_topology_t t0 = {0};
        monitor_t mon;
        kp_plot_marker_t markers[4];
        size_t n_markers = 0;
        int32_t brokers[KP_TOPO_MAX_BROKERS + 1], moved[KP_TOPO_MAX_BROKERS * 16];
        int32_t(*plan)[KP_TOPO_MAX_REPLICAS] = NULL, (*back)[KP_TOPO_MAX_REPLICAS] = NULL;
        int *n_plan = NULL, *n_back = NULL;
        int64_t before[KP_TOPO_MAX_BROKERS + 1], after[KP_TOPO_MAX_BROKERS + 1];
        int64_t t_start, t_add = 0, t_added = 0, t_reb = 0, t_drain0 = 0, t_drained = 0,
                         t_removed = 0;
        int64_t total_before = 0, new_joined = 0, new_after = 0, lo, hi, recs_all = 0,
                recs_moved = 0;
        double rf = 0, retained_moved = 0, ratio = NAN, p99_during, scale_out_s;
        char topic[256], desc[512], plan_abs[4096], back_abs[4096], rel[256];
        const char *reason;
        int n_brokers = 0, n_moved = 0, i, k, rc;
        kp_ctl_req_t req;
        kp_ctl_res_t res;
        kp_err_t err;
        kp_buf_t why;

        memset(&mon, 0, sizeof(mon));
        kp_buf_init(&why, 4096);
        for (i = 0; i < (int)(sizeof(needed) / sizeof(needed[0])); i++)
                if (!kp_control_supports(ctl, needed[i], &reason))
                        kp_buf_printf(&why, "%s%s: %s", why.len ? "; " : "",
                                      kp_ctl_op_names[needed[i]], reason);
        if (why.len) {
                kp_check_skip(c, "the target cannot add capacity and measure its storage: %s",
                              kp_buf_cstr(&why));
                goto out;
        }

        cl = kp_topo_client_new(ctx->plat, &err);
        mcl = cl ? kp_topo_client_new(ctx->plat, &err) : NULL;
        if (!cl || !mcl) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        wl = sc_start_workload(ctx, c, "scale-out", topic, sizeof(topic), &hist);
        if (!wl)
                goto out;
        t_start = kp_workload_start_ns(wl);
        kp_sleep_until(t_start + o->warmup_ns);

        /* Where the partitions are before the change. */
        if (kp_topo_fetch(cl, topic, &t0, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto stop;
        }
        if (kp_topology_has_broker(&t0, o->new_broker)) {
                kp_check_error(c, "broker %d is already in the cluster: choose options.new_broker",
                               o->new_broker);
                goto stop;
        }
        n_brokers = t0.n_brokers;
        memcpy(brokers, t0.broker_ids, sizeof(int32_t) * (size_t)n_brokers);
        for (i = 0; i < t0.n_partitions; i++)
                rf += t0.partitions[i].n_replicas;
        rf = t0.n_partitions ? rf / t0.n_partitions : 0;
        kp_check_measure(c, "replication_factor", rf, "replicas");
        storage(ctx, c, brokers, n_brokers, "before", before);

        /* Add the broker. */
        mon.cl = mcl;
        mon.topic = topic;
        mon.broker = o->new_broker;
        t_add = kp_mono_ns();
        markers[n_markers++] = (kp_plot_marker_t){t_add, "add broker"};
        if (pthread_create(&mon.thr, NULL, monitor_main, &mon) != 0) {
                kp_check_error(c, "cannot start the thread that watches the new broker: the "
                                  "scale-out could not be timed");
                goto stop;
        }
        mon.started = 1;
        req = kp_ctl_req(KP_CTL_ADD_BROKER);
        req.broker = o->new_broker;
        req.rack = o->new_rack;
        if (kp_control_do(ctl, &req, &res, &err) < 0) {
                kp_check_error(c, "add_broker: %s", err.msg);
                goto stop;
        }
        t_added = kp_mono_ns();
        new_joined = storage_one(ctx, o->new_broker);
        if (new_joined < 0) {
                kp_check_error(c, "storage_bytes of the new broker %d failed", o->new_broker);
                goto stop;
        }

        /* Reassign a share of the partitions: the new broker replaces each
         * moved partition's leader and comes first (preferred leader). */
        n_moved = (int)ceil(t0.n_partitions * o->move_share - 1e-9);
        if (n_moved < 1)
                n_moved = 1;
        if (n_moved > (int)(sizeof(moved) / sizeof(moved[0])))
                n_moved = (int)(sizeof(moved) / sizeof(moved[0]));
        plan = calloc((size_t)n_moved, sizeof(*plan));
        back = calloc((size_t)n_moved, sizeof(*back));
        n_plan = calloc((size_t)n_moved, sizeof(int));
        n_back = calloc((size_t)n_moved, sizeof(int));
        if (!plan || !back || !n_plan || !n_back) {
                kp_check_error(c, "out of memory");
                goto stop;
        }
        for (i = 0; i < n_moved; i++) {
                const kp_topo_partition_t *tp = &t0.partitions[i];
                moved[i] = tp->id;
                plan[i][n_plan[i]++] = o->new_broker;
                for (k = 0; k < tp->n_replicas; k++) {
                        back[i][n_back[i]++] = tp->replicas[k];
                        if (tp->replicas[k] != tp->leader && n_plan[i] < KP_TOPO_MAX_REPLICAS)
                                plan[i][n_plan[i]++] = tp->replicas[k];
                }
        }
        /* What the partitions hold when the move starts. */
        total_before = storage(ctx, c, brokers, n_brokers, "rebalance-start", before);
        for (i = 0; i < t0.n_partitions; i++) {
                if (kp_topo_watermarks(cl, topic, t0.partitions[i].id, &lo, &hi, &err) < 0) {
                        kp_check_note(c, "%s", err.msg);
                        continue;
                }
                recs_all += hi - lo;
                if (i < n_moved)
                        recs_moved += hi - lo;
        }
        snprintf(rel, sizeof(rel), "raw/scaling-reassign-out.json");
        if (write_plan(ctx, rel, topic, moved, plan, n_plan, n_moved, plan_abs, sizeof(plan_abs),
                       &err) < 0) {
                kp_check_error(c, "reassignment plan: %s", err.msg);
                goto stop;
        }
        kp_check_artifact(c, rel, "json", "reassignment onto the new broker");
        req = kp_ctl_req(KP_CTL_REBALANCE);
        req.file = plan_abs;
        req.topic = topic;
        if (kp_control_do(ctl, &req, &res, &err) < 0) {
                kp_check_error(c, "rebalance: %s", err.msg);
                goto stop;
        }
        t_reb = kp_mono_ns();
        markers[n_markers++] = (kp_plot_marker_t){t_reb, "rebalance done"};
        new_after = storage_one(ctx, o->new_broker);

        /* The new broker must lead and serve produce traffic. */
        while (!mon.t_traffic && kp_mono_ns() < t_reb + o->settle_ns && !kp_stop_requested())
                kp_sleep_ms(100);
        mon.stop = 1;
        if (mon.started)
                pthread_join(mon.thr, NULL);
        mon.started = 0;

        /* Measurements of the scale-out. */
        kp_check_measure_ex(c, "time_to_register_s", secs(t_add, mon.t_registered), "s", NULL,
                            "from the add_broker call until the broker is in the cluster metadata");
        kp_check_measure(c, "add_broker_s", secs(t_add, t_added), "s");
        kp_check_measure_ex(
            c, "rebalance_s", secs(t_added, t_reb), "s", NULL,
            "from the start of the rebalance until the platform reported it complete");
        kp_check_measure_ex(
            c, "time_to_lead_s", secs(t_add, mon.t_leads), "s", NULL,
            "from the add_broker call until metadata shows the broker leading a partition");
        kp_check_measure_ex(
            c, "time_to_traffic_s", secs(t_add, mon.t_traffic), "s", NULL,
            "from the add_broker call until a produce to a partition it leads was acknowledged");
        scale_out_s = secs(t_add, mon.t_traffic > t_reb ? mon.t_traffic : t_reb);
        if (mon.t_traffic)
                kp_check_measure_ex(
                    c, "scale_out_s", scale_out_s, "s", NULL,
                    "from the add_broker call until the rebalance completed and the "
                    "broker served produce traffic (the later of the two)");
        /* Retained bytes of the moved partitions: the brokers' storage per
         * replica times the moved partitions' share of the records — or, when
         * larger, their records times the record value size. The second is
         * the one that counts where older segments live in a remote tier
         * (tiered storage) and the brokers hold only the local part. */
        {
                double by_storage =
                    rf > 0 && recs_all > 0
                        ? (double)total_before / rf * (double)recs_moved / (double)recs_all
                        : 0;
                double by_records = (double)recs_moved * (double)ctx->scfg->workload.message_bytes;
                retained_moved = by_storage >= by_records ? by_storage : by_records;
                if (by_storage >= by_records)
                        snprintf(desc, sizeof(desc),
                                 "storage of the brokers when the rebalance started %lld B / RF "
                                 "%.2f x moved records %lld / all records %lld (watermarks)",
                                 (long long)total_before, rf, (long long)recs_moved,
                                 (long long)recs_all);
                else
                        snprintf(desc, sizeof(desc),
                                 "moved records %lld (watermarks, remote tier included) x record "
                                 "value %d B: more than the brokers' local storage per replica "
                                 "shows (%.0f B), so older segments are held elsewhere",
                                 (long long)recs_moved, ctx->scfg->workload.message_bytes,
                                 by_storage);
        }
        kp_check_measure_ex(c, "retained_bytes_moved_partitions", retained_moved, "bytes", NULL,
                            desc);
        snprintf(desc, sizeof(desc),
                 "storage of broker %d when the rebalance completed %lld B - right after it joined "
                 "%lld B",
                 o->new_broker, (long long)new_after, (long long)new_joined);
        kp_check_measure_ex(c, "bytes_copied", (double)(new_after - new_joined), "bytes", NULL,
                            desc);
        ratio = retained_moved > 0 ? (double)(new_after - new_joined) / retained_moved : NAN;
        snprintf(desc, sizeof(desc), "bytes_copied %lld / retained_bytes_moved_partitions %.0f",
                 (long long)(new_after - new_joined), retained_moved);
        kp_check_measure_ex(c, "bytes_moved_per_retained_byte", ratio, "bytes/byte", NULL, desc);
        kp_check_measure(c, "partitions_moved", n_moved, "partitions");
        kp_check_measure(c, "data_copying", !isnan(ratio) && ratio >= o->copy_ratio, "bool");

        /* Scale in: move the partitions back, then remove the broker. */
        if (o->scale_in && kp_control_supports(ctl, KP_CTL_REMOVE_BROKER, &reason)) {
                t_drain0 = kp_mono_ns();
                markers[n_markers++] = (kp_plot_marker_t){t_drain0, "drain"};
                snprintf(rel, sizeof(rel), "raw/scaling-reassign-back.json");
                if (write_plan(ctx, rel, topic, moved, back, n_back, n_moved, back_abs,
                               sizeof(back_abs), &err) < 0) {
                        kp_check_error(c, "drain plan: %s", err.msg);
                        goto stop;
                }
                kp_check_artifact(c, rel, "json", "reassignment back off the new broker");
                req = kp_ctl_req(KP_CTL_REBALANCE);
                req.file = back_abs;
                req.topic = topic;
                if (kp_control_do(ctl, &req, &res, &err) < 0) {
                        kp_check_error(c, "rebalance (drain): %s", err.msg);
                        goto stop;
                }
                t_drained = kp_mono_ns();
                kp_check_measure(c, "drain_s", secs(t_drain0, t_drained), "s");
                req = kp_ctl_req(KP_CTL_REMOVE_BROKER);
                req.broker = o->new_broker;
                if (kp_control_do(ctl, &req, &res, &err) < 0) {
                        kp_check_error(c, "remove_broker: %s", err.msg);
                        goto stop;
                }
                t_removed = kp_mono_ns();
                markers[n_markers++] = (kp_plot_marker_t){t_removed, "removed"};
                kp_check_measure(c, "remove_broker_s", secs(t_drained, t_removed), "s");
                kp_check_measure_ex(c, "scale_in_s", secs(t_drain0, t_removed), "s", NULL,
                                    "from the start of the drain until the broker was removed");
        } else if (o->scale_in) {
                kp_check_note(c, "scale-in not run: remove_broker: %s", reason);
        }

stop:
        if (mon.started) {
                mon.stop = 1;
                pthread_join(mon.thr, NULL);
        }
        if (!wl)
                goto out;
        if (kp_workload_start_ns(wl) + ctx->scfg->workload.duration_ns < kp_mono_ns())
                kp_check_note(c,
                              "the scaling steps outlasted the workload (%.0f s): extend "
                              "workload.duration to measure disruption throughout",
                              (double)ctx->scfg->workload.duration_ns / 1e9);
        sc_finish_workload(ctx, c, wl, hist, "scaling-scale-out-timeline",
                           "scale-out: throughput and p99 latency", markers, n_markers);
        if (kp_check_verdict(c) != KP_VERDICT_NONE)
                goto out;
        {
                int64_t during_end = (t_removed ? t_removed : t_reb) + 5 * KP_NS_PER_S;
                int64_t t_begin = kp_workload_start_ns(wl);
                p99_during = sc_record_disruption(c, wl, t_begin + 2 * KP_NS_PER_S, t_add, t_add,
                                                  during_end);
        }
        n_brokers++;
        brokers[n_brokers - 1] = o->new_broker;
        if (!t_removed)
                storage(ctx, c, brokers, n_brokers, "after", after);
        if (!mon.t_traffic) {
                kp_check_fail(c,
                              "broker %d did not serve produce traffic within %.0f s of the "
                              "rebalance (%s)",
                              o->new_broker, (double)o->settle_ns / 1e9,
                              mon.last_error[0] ? mon.last_error : "it never led a partition");
                goto out;
        }
        if (isnan(ratio)) {
                kp_check_error(c, "bytes moved per retained byte could not be computed (no "
                                  "retained data measured before the move)");
                goto out;
        }
        rc = ratio >= o->copy_ratio;
        kp_check_pass(
            c,
            "%s: %.0f bytes reached broker %d for %.0f bytes retained in the %d moved "
            "partitions (%.2f bytes/byte); it served produce %.1f s after the add, the "
            "rebalance took %.1f s; p99 ack %.1f ms during; no acknowledged record lost%s",
            rc              ? "data-copying"
            : ratio <= 0.05 ? "metadata-only"
                            : "partly data-copying",
            (double)(new_after - new_joined), o->new_broker, retained_moved, n_moved, ratio,
            secs(t_add, mon.t_traffic), secs(t_added, t_reb), p99_during,
            t_removed ? "; drained and removed again" : "");
out:
        kp_topology_release(&t0);
        kp_workload_free(wl);
        kp_history_free(hist);
        kp_topo_client_free(cl);
        kp_topo_client_free(mcl);
        free(plan);
        free(back);
        free(n_plan);
        free(n_back);
        kp_buf_free(&why);
}
