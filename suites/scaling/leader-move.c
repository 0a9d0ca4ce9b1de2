/*
 * scaling.leader-move: the metadata-only change every platform can express.
 * Under a tracked workload the control adapter moves each partition's
 * leadership to another broker (set_leader); the check measures when the
 * metadata shows every new leader, when a produce to every partition is
 * acknowledged again, and what clients felt. No data moves, so no storage
 * is measured. The embedded cluster runs this check; targets without a
 * set_leader operation skip it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scaling.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "engine/wlreport.h"

static int32_t pick_leader(const kp_topology_t *t, const kp_topo_partition_t *tp)
{
        int i;

        for (i = 0; i < tp->n_replicas; i++)
                if (tp->replicas[i] != tp->leader)
                        return tp->replicas[i];
        for (i = 0; i < t->n_brokers; i++)
                if (t->broker_ids[i] != tp->leader)
                        return t->broker_ids[i];
        return -1;
}

void sc_check_leader_move(kp_ctx_t *ctx, kp_check_t *c)
{
        const sc_options_t *o = sc_opts(ctx);
        kp_control_t *ctl = ctx->plat->control;
        kp_topo_client_t *cl = NULL;
        kp_workload_t *wl = NULL;
        kp_history_t *hist = NULL;
        kp_topology_t t0 = {0}, t;
        kp_plot_marker_t markers[2];
        int32_t *want = NULL;
        int64_t t_start, t_move = 0, t_meta = 0, t_traffic = 0, deadline;
        double p99;
        const char *reason;
        char topic[256];
        int i, moved = 0, probed = 0;
        kp_err_t err;

        if (!kp_control_supports(ctl, KP_CTL_SET_LEADER, &reason)) {
                kp_check_skip(c, "the target cannot move partition leadership: set_leader: %s",
                              reason);
                return;
        }
        cl = kp_topo_client_new(ctx->plat, &err);
        if (!cl) {
                kp_check_error(c, "%s", err.msg);
                return;
        }
        wl = sc_start_workload(ctx, c, "leader-move", topic, sizeof(topic), &hist);
        if (!wl)
                goto out;
        t_start = kp_workload_start_ns(wl);
        kp_sleep_until(t_start + (o->warmup_ns < ctx->scfg->workload.duration_ns / 3
                                      ? o->warmup_ns
                                      : ctx->scfg->workload.duration_ns / 3));
        if (kp_topo_fetch(cl, topic, &t0, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto stop;
        }
        want = calloc((size_t)t0.n_partitions + 1, sizeof(*want));
        if (!want) {
                kp_check_error(c, "out of memory");
                goto stop;
        }
        t_move = kp_mono_ns();
        markers[0] = (kp_plot_marker_t){t_move, "move leaders"};
        for (i = 0; i < t0.n_partitions; i++) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_SET_LEADER);
                want[i] = pick_leader(&t0, &t0.partitions[i]);
                if (want[i] < 0)
                        continue;
                req.topic = topic;
                req.partition = t0.partitions[i].id;
                req.broker = want[i];
                if (kp_control_do(ctl, &req, NULL, &err) < 0) {
                        kp_check_error(c, "set_leader: %s", err.msg);
                        goto stop;
                }
                moved++;
        }
        /* Until metadata shows every new leader, then until each partition
         * acknowledges a produce. */
        deadline = t_move + o->settle_ns;
        while (!t_meta && kp_mono_ns() < deadline && !kp_stop_requested()) {
                int ok = 1;
                if (kp_topo_fetch(cl, topic, &t, &err) == 0) {
                        for (i = 0; i < t0.n_partitions; i++) {
                                const kp_topo_partition_t *tp =
                                    kp_topology_partition(&t, t0.partitions[i].id);
                                if (want[i] >= 0 && (!tp || tp->leader != want[i]))
                                        ok = 0;
                        }
                        kp_topology_release(&t);
                        if (ok)
                                t_meta = kp_mono_ns();
                }
                if (!t_meta)
                        kp_sleep_ms(100);
        }
        for (i = 0; t_meta && i < t0.n_partitions; i++) {
                while (kp_mono_ns() < deadline && !kp_stop_requested()) {
                        if (kp_topo_probe(cl, topic, t0.partitions[i].id, 5000, &err) == 0) {
                                probed++;
                                break;
                        }
                }
        }
        if (t_meta && probed == t0.n_partitions)
                t_traffic = kp_mono_ns();
        markers[1] = (kp_plot_marker_t){t_traffic ? t_traffic : kp_mono_ns(), "leaders serve"};

stop:
        if (!wl)
                goto out;
        sc_finish_workload(ctx, c, wl, hist, "scaling-leader-move-timeline",
                           "leader move: throughput and p99 latency", markers, t_move ? 2 : 0);
        if (kp_check_verdict(c) != KP_VERDICT_NONE)
                goto out;
        p99 = sc_record_disruption(c, wl, t_start + 2 * KP_NS_PER_S, t_move, t_move,
                                   (t_traffic ? t_traffic : t_move) + 3 * KP_NS_PER_S);
        kp_check_measure(c, "partitions_moved", moved, "partitions");
        kp_check_measure_ex(c, "time_to_metadata_s", t_meta ? (double)(t_meta - t_move) / 1e9 : NAN,
                            "s", NULL,
                            "from the first set_leader until metadata showed every new leader");
        kp_check_measure_ex(
            c, "time_to_traffic_s", t_traffic ? (double)(t_traffic - t_move) / 1e9 : NAN, "s", NULL,
            "from the first set_leader until every partition acknowledged a probe produce");
        if (!t_meta)
                kp_check_fail(c, "metadata did not show the new leaders within %.0f s",
                              (double)o->settle_ns / 1e9);
        else if (!t_traffic)
                kp_check_fail(c, "only %d of %d partitions acknowledged a produce after the move",
                              probed, t0.n_partitions);
        else
                kp_check_pass(c,
                              "metadata-only: leadership of %d partitions moved with no data "
                              "copied; every new leader served produce %.3f s after the move; p99 "
                              "ack %.1f ms during; no acknowledged record lost",
                              moved, (double)(t_traffic - t_move) / 1e9, p99);
out:
        free(want);
        kp_topology_release(&t0);
        kp_workload_free(wl);
        kp_history_free(hist);
        kp_topo_client_free(cl);
}
