/*
 * Helpers shared by the scaling checks: the tracked workload, and the
 * client-visible behaviour in a window of its timeline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scaling.h"
#include "engine/checker.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"
#include "engine/wlreport.h"

void sc_window(kp_workload_t *wl, int64_t from_ns, int64_t to_ns, sc_window_t *w)
{
        const kp_workload_slot_t *tl;
        int64_t slot_ns, start = kp_workload_start_ns(wl);
        size_t n = 0, i, first, last;
        uint64_t acked = 0;
        double secs;

        memset(w, 0, sizeof(*w));
        tl = kp_workload_timeline(wl, &n, &slot_ns);
        if (!tl || n == 0 || slot_ns <= 0 || to_ns <= from_ns)
                return;
        first = from_ns > start ? (size_t)((from_ns - start) / slot_ns) : 0;
        last = to_ns > start ? (size_t)((to_ns - start + slot_ns - 1) / slot_ns) : 0;
        if (last > n)
                last = n;
        w->min_acked_per_s = -1;
        for (i = first; i < last; i++) {
                double per_s = (double)tl[i].acked * 1e9 / (double)slot_ns;
                double p99 = (double)tl[i].p99_ack_us / 1000.0;
                /* a slot after the last send has nothing to say about throughput */
                if (tl[i].sent == 0 && tl[i].acked == 0)
                        continue;
                if (p99 > w->p99_ack_ms)
                        w->p99_ack_ms = p99;
                if (w->min_acked_per_s < 0 || per_s < w->min_acked_per_s)
                        w->min_acked_per_s = per_s;
                acked += tl[i].acked;
                w->ack_errors += tl[i].ack_errors;
                w->slots++;
        }
        secs = (double)w->slots * (double)slot_ns / 1e9;
        w->acked_per_s = secs > 0 ? (double)acked / secs : 0;
        if (w->min_acked_per_s < 0)
                w->min_acked_per_s = 0;
}

static void measure_phase(kp_check_t *c, const char *name, double v, const char *unit,
                          const char *phase, const char *formula)
{
        kp_kvlist_t labels = {0};

        kp_kvlist_set(&labels, "phase", phase);
        kp_check_measure_ex(c, name, v, unit, &labels, formula);
        kp_kvlist_clear(&labels);
}

double sc_record_disruption(kp_check_t *c, kp_workload_t *wl, int64_t before_from,
                            int64_t before_to, int64_t during_from, int64_t during_to)
{
        sc_window_t b, d;
        double dip;
        char f[256];

        sc_window(wl, before_from, before_to, &b);
        sc_window(wl, during_from, during_to, &d);
        dip = b.acked_per_s > 0 ? 100.0 * (1.0 - d.min_acked_per_s / b.acked_per_s) : 0;
        if (dip < 0)
                dip = 0;
        kp_check_measure_ex(c, "p99_ack_before_ms", b.p99_ack_ms, "ms", NULL,
                            "highest per-slot p99 produce->ack latency before the change");
        kp_check_measure_ex(c, "p99_ack_during_ms", d.p99_ack_ms, "ms", NULL,
                            "highest per-slot p99 produce->ack latency while the change ran");
        kp_check_measure(c, "acked_per_s_before", b.acked_per_s, "records/s");
        kp_check_measure(c, "acked_per_s_during", d.acked_per_s, "records/s");
        kp_check_measure(c, "acked_per_s_min_during", d.min_acked_per_s, "records/s");
        snprintf(f, sizeof(f), "100 x (1 - lowest slot during %.1f / mean before %.1f records/s)",
                 d.min_acked_per_s, b.acked_per_s);
        kp_check_measure_ex(c, "throughput_dip_pct", dip, "%", NULL, f);
        measure_phase(c, "ack_errors", (double)b.ack_errors, "records", "before", NULL);
        measure_phase(c, "ack_errors", (double)d.ack_errors, "records", "during", NULL);
        kp_check_measure(c, "ack_errors_during", (double)d.ack_errors, "records");
        kp_check_note(c,
                      "disruption: p99 ack %.1f ms during vs %.1f ms before; throughput %.0f/s "
                      "during (lowest second %.0f/s) vs %.0f/s before; %llu delivery errors during",
                      d.p99_ack_ms, b.p99_ack_ms, d.acked_per_s, d.min_acked_per_s, b.acked_per_s,
                      (unsigned long long)d.ack_errors);
        return d.p99_ack_ms;
}

kp_workload_t *sc_start_workload(kp_ctx_t *ctx, kp_check_t *c, const char *suffix, char *topic,
                                 size_t topic_size, kp_history_t **hist)
{
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        kp_workload_spec_t spec;
        kp_workload_t *wl;
        uint64_t per_producer, max_events;
        kp_err_t err;

        *hist = NULL;
        if (w->topic)
                snprintf(topic, topic_size, "%s-%s", w->topic, suffix);
        else
                kp_ctx_topic(ctx, suffix, topic, topic_size);
        if (kp_platform_create_topic(ctx->plat, topic, w->partitions, w->replication_factor,
                                     &w->topic_config, &err) < 0) {
                kp_check_error(c, "cannot create topic %s: %s", topic, err.msg);
                return NULL;
        }
        /* The history the failover suite's checker judges (sized as there:
         * the records of the run, their reads and the final drain). */
        per_producer =
            (uint64_t)(w->rate / w->producers * ((double)w->duration_ns / 1e9) * 1.05) + 1000;
        max_events = per_producer * (uint64_t)w->producers * 4 + 100000;
        *hist = kp_history_new(w->producers, w->consumers, w->partitions, max_events, &err);
        if (!*hist) {
                kp_check_error(c, "%s", err.msg);
                return NULL;
        }
        memset(&spec, 0, sizeof(spec));
        spec.cfg = w;
        spec.history = *hist;
        spec.topic = topic;
        spec.profile = ctx->scfg->client.profile;
        spec.producer_overrides = &ctx->scfg->client.producer;
        spec.consumer_overrides = &ctx->scfg->client.consumer;
        wl = kp_workload_new(ctx->plat, &spec, &err);
        if (!wl) {
                kp_check_error(c, "%s", err.msg);
                return NULL;
        }
        if (kp_workload_start(wl, &err) < 0) {
                kp_check_error(c, "workload: %s", err.msg);
                kp_workload_free(wl);
                return NULL;
        }
        kp_check_note(c,
                      "workload on topic %s: %d partitions, %d-byte records at %.0f records/s for "
                      "%.0f s, profile %s",
                      topic, w->partitions, w->message_bytes, w->rate, (double)w->duration_ns / 1e9,
                      ctx->scfg->client.profile == KP_PROFILE_SAFE      ? "safe"
                      : ctx->scfg->client.profile == KP_PROFILE_RELAXED ? "relaxed"
                                                                        : "default");
        return wl;
}

int sc_judge_history(kp_check_t *c, const kp_history_t *h, kp_profile_t profile, int consumers,
                     int read_committed_)
{
        kp_checker_result_t *res = calloc(1, sizeof(*res));
        kp_checker_opts_t copts;
        char list[512] = "";
        size_t len = 0;
        kp_err_t err;
        int k, rc = -1;

        if (!res) {
                kp_check_error(c, "out of memory");
                return -1;
        }
        copts.allow = kp_checker_allow_for_profile(profile);
        copts.read_committed = read_committed_;
        if (kp_checker_run(h, &copts, res, &err) < 0) {
                kp_check_error(c, "history checker: %s", err.msg);
                goto out;
        }
        kp_wlreport_anomalies(c, res);
        kp_check_measure_ex(c, "acked_without_offset", (double)res->acked_no_offset, "records",
                            NULL,
                            "acknowledged without an offset (a retry the broker answered "
                            "DUPLICATE_SEQUENCE_NUMBER): not a duplicate");
        kp_check_measure(c, "history_records_acked", (double)res->acked, "records");
        kp_check_measure(c, "history_records_consumed_unique", (double)res->consumed_unique,
                         "records");
        kp_check_note(c,
                      "history checker (allow-list of the %s profile): %llu records, %llu "
                      "acknowledged (%llu without an offset), %llu reads",
                      kp_profile_name(profile), (unsigned long long)res->records,
                      (unsigned long long)res->acked, (unsigned long long)res->acked_no_offset,
                      (unsigned long long)res->consume_events);
        rc = 0;
        if (!res->complete) {
                kp_check_error(c, "the history could not be judged: %s", res->incomplete_reason);
                rc = -1;
        } else if (res->acked == 0) {
                kp_check_error(c, "no record was acknowledged: nothing to judge");
                rc = -1;
        } else if (consumers == 0) {
                kp_check_error(c, "the workload has no consumer, so loss cannot be judged");
                rc = -1;
        } else if (res->not_allowed) {
                for (k = 0; k < KP_ANOM__COUNT; k++)
                        if (res->count[k] && !res->allowed[k])
                                len += (size_t)snprintf(
                                    list + len, len < sizeof(list) ? sizeof(list) - len : 0,
                                    "%s%s %llu", len ? ", " : "", kp_anom_names[k],
                                    (unsigned long long)res->count[k]);
                kp_check_fail(c, "history: anomalies not allowed with the %s profile: %s",
                              kp_profile_name(profile), list);
                rc = 1;
        }
out:
        free(res);
        return rc;
}

uint64_t sc_finish_workload(kp_ctx_t *ctx, kp_check_t *c, kp_workload_t *wl, const kp_history_t *h,
                            const char *plot_name, const char *title,
                            const kp_plot_marker_t *markers, size_t n_markers)
{
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        char dir[4096];
        uint64_t lost;
        kp_err_t err;

        kp_workload_wait_produced(wl);
        kp_workload_drain(wl, w->drain_timeout_ns);
        kp_workload_stop(wl);
        lost = kp_wlreport_record(c, wl);
        if (kp_ctx_path(ctx, "plots", dir, sizeof(dir)) == 0 &&
            kp_wlreport_timeline(c, wl, dir, "plots", plot_name, title, markers, n_markers, &err) <
                0)
                kp_check_note(c, "timeline plot not drawn: %s", err.msg);
        /* The verdict on the records: the failover suite's history checker
         * with the profile's allow-list (the ledger summary above cannot tell
         * a duplicate in the log from an acknowledgement without an offset). */
        sc_judge_history(c, h, ctx->scfg->client.profile, w->consumers,
                         kp_platform_reads_committed(ctx->plat, ctx->scfg->client.profile,
                                                     &ctx->scfg->client.consumer));
        return lost;
}
