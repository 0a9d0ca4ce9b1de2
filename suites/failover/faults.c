/*
 * failover.faults: the workload runs with a history attached while the
 * scheduler applies and heals the faults; after the drain whatever is still
 * down is restored, a final read collects every record left on the platform,
 * the history checker judges the whole history, and the measurements,
 * anomalies, fault table and timeline plot go into the evidence.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "engine/checker.h"
#include "platform/kafka.h"
#include "platform/kclient.h"
#include "util/log.h"
#include "platform/platform.h"
#include "engine/wlreport.h"
#include "engine/record.h"
#include "dist/shard.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "engine/workload.h"

/* Reads every partition from its start to the high watermark seen when the
 * read begins, appending to the history's consumer log `log`. */
static int final_read(kp_ctx_t *ctx, const char *topic, int partitions, kp_history_t *h, int log,
                      int64_t timeout_ns, uint64_t *n_read, kp_err_t *err)
{
        const kp_suite_cfg_t *sc = ctx->scfg;
        kp_kvlist_t props = {0};
        rd_kafka_t *rk;
        rd_kafka_topic_partition_list_t *l;
        int64_t *hwm = NULL, deadline;
        char *done = NULL;
        char gid[512];
        int p, left = 0, rc = -1;

        *n_read = 0;
        kp_platform_client_props(ctx->plat, sc->client.profile, 0, &sc->client.consumer, &props);
        snprintf(gid, sizeof(gid), "kproof-final-read-%s", topic);
        kp_kvlist_set(&props, "enable.partition.eof", "true");
        rk = kp_kc_reader(&props, gid, err);
        kp_kvlist_clear(&props);
        if (!rk)
                return -1;
        hwm = calloc((size_t)partitions, sizeof(int64_t));
        done = calloc((size_t)partitions, 1);
        l = rd_kafka_topic_partition_list_new(partitions);
        if (!hwm || !done || !l) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        for (p = 0; p < partitions; p++) {
                int64_t lo;
                if (kp_kafka_watermarks(rk, topic, p, &lo, &hwm[p], 15000, err) < 0)
                        goto out;
                done[p] = hwm[p] <= lo;
                left += !done[p];
                rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
        }
        kp_history_assigned(h, log, kp_mono_ns());
        if (rd_kafka_assign(rk, l)) {
                kp_err_set(err, KP_EINFRA, "final read: cannot assign %s", topic);
                goto out;
        }
        deadline = kp_mono_ns() + timeout_ns;
        while (left > 0 && kp_mono_ns() < deadline && !kp_stop_requested()) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
                int32_t mp;
                if (!m)
                        continue;
                mp = m->partition;
                if (mp >= 0 && mp < partitions && !done[mp]) {
                        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                                if (m->offset >= hwm[mp]) {
                                        done[mp] = 1;
                                        left--;
                                }
                        } else if (!m->err) {
                                kp_rec_hdr_t hdr;
                                int64_t now = kp_mono_ns();
                                if (kp_rec_decode(m->payload, m->len, 0, &hdr) == KP_REC_OK)
                                        kp_history_consumed(h, log, hdr.producer, hdr.seq, mp,
                                                            m->offset, hdr.intended_ns, now);
                                else
                                        kp_history_foreign(h, log, mp, m->offset, now);
                                (*n_read)++;
                                if (m->offset + 1 >= hwm[mp]) {
                                        done[mp] = 1;
                                        left--;
                                }
                        }
                }
                rd_kafka_message_destroy(m);
        }
        if (left > 0) {
                kp_err_set(err, KP_EINFRA,
                           "final read: %d partition(s) not read up to their high watermark "
                           "within %lld s",
                           left, (long long)(timeout_ns / KP_NS_PER_S));
                goto out;
        }
        rc = 0;
out:
        if (l)
                rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        free(hwm);
        free(done);
        return rc;
}

/* Warms the platform up before the measured workload: one record with the
 * scenario's producer profile to a separate topic, so a fresh cluster's
 * one-time set-up (e.g. loading the coordinator partitions that hand out
 * producer ids) is not charged to the "before" phase. */
static void warm_up(kp_ctx_t *ctx, kp_check_t *c, const char *topic)
{
        const kp_suite_cfg_t *sc = ctx->scfg;
        kp_kvlist_t props = {0};
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        char wt[600];
        int64_t t0 = kp_mono_ns();
        kp_err_t err;
        rd_kafka_resp_err_t e;

        snprintf(wt, sizeof(wt), "%s-warmup", topic);
        if (kp_platform_create_topic(ctx->plat, wt, 1, sc->workload.replication_factor, NULL,
                                     &err) < 0) {
                kp_check_note(c, "warm-up skipped: %s", err.msg);
                return;
        }
        kp_platform_client_props(ctx->plat, sc->client.profile, 1, &sc->client.producer, &props);
        conf = kp_kafka_conf_new(&props, &err);
        kp_kvlist_clear(&props);
        if (!conf || !(rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, &err))) {
                kp_check_note(c, "warm-up skipped: %s", err.msg);
                return;
        }
        e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(wt), RD_KAFKA_V_VALUE("warm-up", 7),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (!e)
                e = rd_kafka_flush(rk, 120000);
        kp_check_note(c, "warm-up: one record to %s %s after %.1f s", wt,
                      e ? rd_kafka_err2name(e) : "acknowledged", (double)(kp_mono_ns() - t0) / 1e9);
        rd_kafka_destroy(rk);
}

static rd_kafka_t *meta_client(kp_ctx_t *ctx, kp_err_t *err)
{
        kp_kvlist_t props = {0};
        rd_kafka_conf_t *conf;

        kp_platform_client_props(ctx->plat, KP_PROFILE_DEFAULT, 1, NULL, &props);
        kp_kvlist_set(&props, "client.id", "kproof-failover-control");
        conf = kp_kafka_conf_new(&props, err);
        kp_kvlist_clear(&props);
        if (!conf)
                return NULL;
        return kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
}

static void record_faults(kp_check_t *c, const fo_sched_t *s, const fo_measure_t *m,
                          int64_t start_ns, int partitions)
{
        static const char *const cols[] = {
            "#", "fault", "applied at s", "healed at s", "max unavail s", "recovery s", "status"};
        static const char *const pcols[] = {"fault", "partition", "unavailable s"};
        kp_table_t *t = kp_check_table(c, "Faults", cols, 7);
        kp_table_t *pt = kp_check_table(c, "Unavailability by fault and partition", pcols, 3);
        size_t i;
        int p;

        for (i = 0; i < s->n_runs; i++) {
                const fo_fault_run_t *r = &s->runs[i];
                const fo_fault_measure_t *fm = &m->faults[i];
                char idx[16], at[32], healed[32], un[32], rec[32], fault[16];
                const char *row[7];
                kp_kvlist_t labels = {0};
                snprintf(idx, sizeof(idx), "%zu", i + 1);
                snprintf(fault, sizeof(fault), "%zu", i + 1);
                if (!r->applied_ns) {
                        row[0] = idx;
                        row[1] = kp_fault_action_names[r->f->action];
                        row[2] = row[3] = row[4] = row[5] = "-";
                        row[6] = "not applied";
                        kp_table_row(t, row);
                        continue;
                }
                snprintf(at, sizeof(at), "%.3f", (double)(r->applied_ns - start_ns) / 1e9);
                if (r->healed_ns)
                        snprintf(healed, sizeof(healed), "%.3f",
                                 (double)(r->healed_ns - start_ns) / 1e9);
                else
                        snprintf(healed, sizeof(healed), "-");
                snprintf(un, sizeof(un), "%.3f", fm->unavail_max_s);
                snprintf(rec, sizeof(rec), "%.1f", fm->recovery_s);
                row[0] = idx;
                row[1] = r->what;
                row[2] = at;
                row[3] = healed;
                row[4] = un;
                row[5] = rec;
                row[6] = r->failed                             ? r->error
                         : (!fm->recovered || fm->unrecovered) ? "not recovered"
                                                               : "recovered";
                kp_table_row(t, row);
                kp_kvlist_set(&labels, "fault", fault);
                kp_kvlist_set(&labels, "action", kp_fault_action_names[r->f->action]);
                kp_check_measure_ex(c, "fault_unavailability_max_s", fm->unavail_max_s, "s",
                                    &labels,
                                    "longest per-partition sum of episodes from a failed or "
                                    "blocked acknowledgement to the next success");
                kp_check_measure_ex(c, "fault_recovery_s", fm->recovery_s, "s", &labels,
                                    "from the fault until acknowledged records/s over 1 s stayed "
                                    ">= 90% of the rate before the first fault");
                if (r->healed_ns && r->healed_end_ns && !r->failed)
                        /* for wipe_broker the time to copy every replica back */
                        kp_check_measure_ex(c, "fault_heal_to_healthy_s",
                                            (double)(r->healed_end_ns - r->healed_ns) / 1e9, "s",
                                            &labels,
                                            "from the heal (restart, resume) until every partition "
                                            "of the topic had a leader and a full ISR again");
                if (r->applied_end_ns && r->f->action == KP_FAULT_CORRUPT_SEGMENT && !r->failed)
                        kp_check_measure_ex(c, "fault_apply_s",
                                            (double)(r->applied_end_ns - r->applied_ns) / 1e9, "s",
                                            &labels,
                                            "unclean stop, damage and restart until the broker "
                                            "served again");
                for (p = 0; p < partitions; p++) {
                        char part[16], v[32];
                        const char *prow[3];
                        snprintf(part, sizeof(part), "%d", p);
                        snprintf(v, sizeof(v), "%.3f", fm->unavail_s[p]);
                        kp_kvlist_set(&labels, "partition", part);
                        kp_check_measure_ex(c, "unavailability_s", fm->unavail_s[p], "s", &labels,
                                            NULL);
                        prow[0] = fault;
                        prow[1] = part;
                        prow[2] = v;
                        kp_table_row(pt, prow);
                }
                kp_kvlist_clear(&labels);
        }
}

static void record_errors(kp_check_t *c, const kp_workload_results_t *wr)
{
        static const char *const cols[] = {"error", "code", "count"};
        kp_table_t *t;
        size_t i;
        uint64_t total = 0;

        for (i = 0; i < wr->n_errors; i++)
                total += wr->errors[i].count;
        kp_check_measure(c, "client_errors", (double)total, "count");
        if (!wr->n_errors)
                return;
        t = kp_check_table(c, "Client errors by code (acknowledgements and reads)", cols, 3);
        for (i = 0; i < wr->n_errors; i++) {
                char code[16], cnt[32];
                const char *row[3];
                kp_kvlist_t labels = {0};
                snprintf(code, sizeof(code), "%d", wr->errors[i].code);
                snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)wr->errors[i].count);
                row[0] = rd_kafka_err2name((rd_kafka_resp_err_t)wr->errors[i].code);
                row[1] = code;
                row[2] = cnt;
                kp_table_row(t, row);
                kp_kvlist_set(&labels, "error", row[0]);
                kp_check_measure_ex(c, "errors", (double)wr->errors[i].count, "count", &labels,
                                    NULL);
                kp_kvlist_clear(&labels);
        }
}

static void verdict(kp_check_t *c, const fo_sched_t *s, const kp_checker_result_t *r,
                    const fo_measure_t *m, kp_profile_t profile, int64_t produce_end_ns,
                    const char *final_err)
{
        char list[512] = "";
        size_t i, len = 0;
        int k;

        for (i = 0; i < s->n_runs; i++) {
                if (s->runs[i].failed) {
                        kp_check_error(c, "fault %zu (%s) could not be applied or healed: %s",
                                       i + 1, s->runs[i].what, s->runs[i].error);
                        return;
                }
                if (!s->runs[i].applied_ns) {
                        kp_check_error(c, "fault %zu (%s) was not applied (interrupted?)", i + 1,
                                       kp_fault_action_names[s->runs[i].f->action]);
                        return;
                }
                if (s->runs[i].applied_ns >= produce_end_ns) {
                        kp_check_error(c,
                                       "fault %zu (%s) was applied only after production had "
                                       "ended: its effect under load was not measured",
                                       i + 1, s->runs[i].what);
                        return;
                }
        }
        if (final_err) {
                kp_check_error(c, "%s", final_err);
                return;
        }
        if (!r->complete) {
                kp_check_error(c, "the history could not be judged: %s", r->incomplete_reason);
                return;
        }
        if (r->acked == 0) {
                kp_check_error(c,
                               "nothing acknowledged: none of the records sent was acknowledged "
                               "(%llu failed), so no write could be followed through the faults",
                               (unsigned long long)r->failed);
                return;
        }
        for (k = 0; k < KP_ANOM__COUNT; k++)
                if (r->count[k] && !r->allowed[k])
                        len += (size_t)snprintf(
                            list + len, len < sizeof(list) ? sizeof(list) - len : 0, "%s%s %llu",
                            len ? ", " : "", kp_anom_names[k], (unsigned long long)r->count[k]);
        if (r->not_allowed) {
                kp_check_fail(c, "anomalies not allowed with the %s profile: %s",
                              kp_profile_name(profile), list);
                return;
        }
        if (!m->all_recovered) {
                kp_check_fail(c, "a fault did not recover before the end of production (see the "
                                 "Faults table)");
                return;
        }
        kp_check_answer(c,
                        "%zu fault(s): no acknowledged record lost; unavailable at most %.1f s, "
                        "recovered within %.1f s",
                        s->n_runs, m->unavail_max_s, m->recovery_max_s);
        kp_check_pass(c,
                      "%zu fault(s); %llu acknowledged records, none lost, duplicated or reordered "
                      "beyond the %s profile's allowance; max unavailability %.2f s, max recovery "
                      "%.1f s",
                      s->n_runs, (unsigned long long)r->acked, kp_profile_name(profile),
                      m->unavail_max_s, m->recovery_max_s);
}

void fo_check_faults(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_suite_cfg_t *sc = ctx->scfg;
        const kp_workload_cfg_t *w = &sc->workload;
        const fo_options_t *opts = fo_options(ctx, &(fo_options_t){0});
        kp_workload_spec_t spec;
        kp_workload_results_t wr;
        kp_workload_t *wl = NULL;
        kp_history_t *h = NULL;
        fo_dist_t *dist = NULL;
        kp_shard_merged_t *merged = NULL;
        const kp_workload_slot_t *tl;
        size_t n_slots;
        int64_t slot_ns;
        rd_kafka_t *meta = NULL;
        fo_sched_t sched;
        fo_measure_t meas;
        kp_checker_result_t *res = NULL;
        kp_checker_opts_t copts;
        char topic[512], why[600], final_msg[1200];
        const char *final_err = NULL;
        uint64_t per_producer, max_events, n_final = 0;
        int64_t start_ns, produce_end_ns, t0;
        kp_err_t err;
        int sched_ok = 0, meas_ok = 0;

        memset(&meas, 0, sizeof(meas));
        memset(&sched, 0, sizeof(sched));
        if (fo_faults_unsupported(ctx, why, sizeof(why))) {
                kp_check_skip(c, "%s", why);
                return;
        }
        if (sc->n_faults == 0) {
                kp_check_skip(c, "the scenario lists no faults: nothing was injected, so "
                                 "behaviour under faults was not measured");
                return;
        }
        if (w->topic)
                snprintf(topic, sizeof(topic), "%s", w->topic);
        else
                kp_ctx_topic(ctx, "failover", topic, sizeof(topic));
        if (kp_platform_create_topic(ctx->plat, topic, w->partitions, w->replication_factor,
                                     &w->topic_config, &err) < 0) {
                kp_check_error(c, "cannot create topic %s: %s", topic, err.msg);
                return;
        }
        warm_up(ctx, c, topic);
        meta = meta_client(ctx, &err);
        if (!meta) {
                kp_check_error(c, "%s", err.msg);
                return;
        }
        per_producer =
            (uint64_t)(w->rate / w->producers * ((double)w->duration_ns / 1e9) * 1.05) + 1000;
        max_events = per_producer * (uint64_t)w->producers * 4 + 100000;
        h = kp_history_new(w->producers, w->consumers + 1, w->partitions, max_events, &err);
        if (!h) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        if (fo_sched_init(&sched, ctx, c, topic, w->partitions, meta) < 0) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        sched_ok = 1;
        if (w->workers > 1) {
                /* Distributed load: workers run the workload, this process
                 * applies the faults on the shared clock and judges. */
                if (fo_dist_start(ctx, topic, &dist, &start_ns, &err) < 0) {
                        kp_check_error(c, "distributed load: %s", err.msg);
                        goto out;
                }
                produce_end_ns = start_ns + w->duration_ns;
                fo_sched_run(&sched, start_ns);
                if (fo_dist_finish(dist, c, h, &merged, &err) < 0) {
                        kp_check_error(c, "distributed load: %s", err.msg);
                        goto out;
                }
        } else {
                memset(&spec, 0, sizeof(spec));
                spec.cfg = w;
                spec.topic = topic;
                spec.profile = sc->client.profile;
                spec.producer_overrides = &sc->client.producer;
                spec.consumer_overrides = &sc->client.consumer;
                spec.history = h;
                wl = kp_workload_new(ctx->plat, &spec, &err);
                if (!wl) {
                        kp_check_error(c, "%s", err.msg);
                        goto out;
                }
                if (kp_workload_start(wl, &err) < 0) {
                        kp_check_error(c, "workload: %s", err.msg);
                        goto out;
                }
                start_ns = kp_workload_start_ns(wl);
                produce_end_ns = start_ns + w->duration_ns;
                fo_sched_run(&sched, start_ns);
                kp_workload_wait_produced(wl);
                kp_workload_drain(wl, w->drain_timeout_ns);
                kp_workload_stop(wl);
        }
        fo_sched_restore(&sched);
        if (opts->final_read && !kp_stop_requested()) {
                t0 = kp_mono_ns();
                if (final_read(ctx, topic, w->partitions, h, w->consumers,
                               opts->final_read_timeout_ns, &n_final, &err) < 0) {
                        snprintf(final_msg, sizeof(final_msg), "%s", err.msg);
                        final_err = final_msg;
                }
                kp_check_note(c, "final read: %llu records in %.1f s", (unsigned long long)n_final,
                              (double)(kp_mono_ns() - t0) / 1e9);
                kp_check_measure(c, "final_read_records", (double)n_final, "records");
        } else if (!opts->final_read) {
                kp_check_note(c, "final read disabled by the scenario: only the workload's "
                                 "consumers' reads are judged");
        }

        /* The history checker. */
        res = calloc(1, sizeof(*res));
        if (!res) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        copts.allow = kp_checker_allow_for_profile(sc->client.profile) | opts->allow_extra;
        copts.read_committed = kp_platform_reads_committed(ctx->plat, ctx->scfg->client.profile,
                                                           &ctx->scfg->client.consumer);
        t0 = kp_mono_ns();
        if (kp_checker_run(h, &copts, res, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        kp_check_note(c,
                      "history checker: %llu records, %llu reads, %llu offsets indexed in %.2f s "
                      "(%.1f MiB working memory; history %.1f MiB)",
                      (unsigned long long)res->records, (unsigned long long)res->consume_events,
                      (unsigned long long)res->offsets_indexed, (double)(kp_mono_ns() - t0) / 1e9,
                      (double)res->bytes / 1048576.0, (double)kp_history_bytes(h) / 1048576.0);
        kp_wlreport_anomalies(c, res);

        /* Workload totals. */
        if (merged) {
                wr = merged->results;
                tl = merged->slots;
                n_slots = merged->n_slots;
                slot_ns = merged->slot_ns;
        } else {
                kp_workload_results(wl, &wr);
                tl = kp_workload_timeline(wl, &n_slots, &slot_ns);
        }
        kp_check_measure(c, "records_sent", (double)wr.ledger.sent, "records");
        kp_check_measure(c, "records_acked", (double)res->acked, "records");
        kp_check_measure(c, "records_ack_failed", (double)res->failed, "records");
        kp_check_measure(c, "records_in_doubt", (double)wr.ledger.in_doubt, "records");
        kp_check_measure(c, "records_consumed_unique", (double)res->consumed_unique, "records");
        kp_check_measure(c, "records_failed_but_read", (double)res->failed_but_read, "records");
        kp_check_measure(c, "lost_acked",
                         (double)(res->count[KP_ANOM_LOST_WRITE] + res->count[KP_ANOM_UNSEEN]),
                         "records");
        kp_check_measure(c, "duplicates", (double)res->count[KP_ANOM_DUPLICATE], "records");
        kp_check_measure(c, "target_rate", wr.target_rate, "records/s");
        kp_check_measure(c, "achieved_rate", wr.achieved_rate, "records/s");
        kp_check_measure(c, "drained", wr.drained, "bool");
        if (w->txn_records > 0) {
                /* from the history: what each producer saw its transactions end as */
                kp_check_measure(c, "transactions_committed", (double)res->txn_committed,
                                 "transactions");
                kp_check_measure(c, "transactions_aborted", (double)res->txn_aborted,
                                 "transactions");
                kp_check_measure(c, "transactions_unknown", (double)res->txn_unknown,
                                 "transactions");
                kp_check_note(c,
                              "transactional producers: %d records per transaction, %.0f%% "
                              "aborted on purpose",
                              w->txn_records, 100.0 * w->abort_ratio);
        }
        record_errors(c, &wr);

        /* Unavailability, recovery, latency by phase. */
        if (fo_measure(h, sched.runs, sched.n_runs, w->partitions, w->producers, start_ns,
                       produce_end_ns, opts->blocked_after_ns, &meas, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        meas_ok = 1;
        kp_check_measure(c, "blocked_after_ms", (double)meas.blocked_ns / 1e6, "ms");
        kp_check_measure(c, "baseline_rate", meas.baseline_rate, "records/s");
        kp_check_measure(c, "unavailability_max_s", meas.unavail_max_s, "s");
        kp_check_measure(c, "recovery_max_s", meas.recovery_max_s, "s");
        kp_check_measure(c, "unavailability_episodes", (double)meas.n_episodes, "count");
        record_faults(c, &sched, &meas, start_ns, w->partitions);
        fo_measure_latency(c, h, w->producers, w->consumers, &meas);
        if (fo_plot_timeline(ctx, c, tl, n_slots, slot_ns, start_ns, &sched, &meas, &err) < 0)
                kp_check_note(c, "timeline plot not drawn: %s", err.msg);
        kp_check_note(c,
                      "topic %s: %d partition(s), replication factor %d, %d-byte records at %.0f/s "
                      "for %.0f s, %d producer(s), %d consumer(s) in %d process(es), profile %s, "
                      "read_committed %s",
                      topic, w->partitions, w->replication_factor, w->message_bytes, w->rate,
                      (double)w->duration_ns / 1e9, w->producers, w->consumers, w->workers,
                      kp_profile_name(sc->client.profile), copts.read_committed ? "yes" : "no");
        verdict(c, &sched, res, &meas, sc->client.profile, produce_end_ns, final_err);
out:
        if (sched_ok) {
                fo_sched_restore(&sched);
                fo_sched_release(&sched);
        }
        if (meas_ok)
                fo_measure_release(&meas);
        free(res);
        fo_dist_free(dist);
        kp_workload_free(wl);
        kp_history_free(h);
        if (meta)
                rd_kafka_destroy(meta);
}
