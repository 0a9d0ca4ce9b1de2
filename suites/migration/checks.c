/*
 * The migration checks. Each works on its own topic of this run
 * (kproof-<run>-mig-<check>) so the mirror, once started, carries every
 * check's data without one check disturbing another:
 *
 *   data          tracked records before and during mirroring; the
 *                 destination read in full; the history checker judges it
 *   offsets       a group consumes half on the source and commits; after
 *                 the switch the same group resumes on the destination
 *   topic-config  configs set on a source topic, compared on the destination
 *   cutover       producers move from source to destination
 *   rollback      the forward mirror stops, a reverse mirror carries a topic
 *                 written on the destination back, and a group moves back
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

#define MIG_MAXP 256

static int no_mirror(kp_ctx_t *ctx, kp_check_t *c, kp_ctl_op_t op)
{
        const char *why = NULL;

        if (kp_control_supports(ctx->plat->control, op, &why)) {
                const kp_target_t *d = mig_options(ctx, &(mig_options_t){0})->dest;
                if (d)
                        kp_check_note(c, "destination: target %s (%s, sha256 %s)", d->name,
                                      d->path ? d->path : "-", d->sha256);
                return 0;
        }
        kp_check_skip(c, "the target cannot run a replication tool (%s): %s", kp_ctl_op_names[op],
                      why);
        return 1;
}

/* Starts the forward mirror unless this run already did. */
static int ensure_forward(kp_ctx_t *ctx, kp_check_t *c)
{
        mig_state_t *st = ctx->suite_state;
        int64_t t0 = kp_mono_ns();
        kp_err_t err;

        if (st->forward)
                return 0;
        if (mig_mirror(ctx, KP_CTL_START_MIRROR, st->topics, &err) < 0) {
                kp_check_error(c, "the mirror could not be started: %s", err.msg);
                return -1;
        }
        kp_check_measure(c, "mirror_start_s", (double)(kp_mono_ns() - t0) / 1e9, "s");
        return 0;
}

static int partitions_of(const kp_ctx_t *ctx)
{
        int p = ctx->scfg->workload.partitions;

        return p < 1 ? 1 : p > MIG_MAXP ? MIG_MAXP : p;
}

/* ------------------------------------------------------------ data */

typedef struct data_tick {
        mig_reader_t *rd;
        mig_prod_t *prod;
        int64_t next_sample;
        double lag_sum;
        uint64_t lag_max, samples;
} data_tick_t;

/* Between sends: read the destination, and twice a second sample how many
 * acknowledged records it does not hold yet (the mirror lag in records). */
static void data_tick(void *opaque)
{
        data_tick_t *t = opaque;
        int64_t now = kp_mono_ns();

        mig_reader_poll(t->rd, 0);
        if (now >= t->next_sample) {
                uint64_t lag = t->prod->acked > t->rd->unique ? t->prod->acked - t->rd->unique : 0;
                t->lag_sum += (double)lag;
                if (lag > t->lag_max)
                        t->lag_max = lag;
                t->samples++;
                t->next_sample = now + 500 * KP_NS_PER_MS;
        }
}

void mig_check_data(kp_ctx_t *ctx, kp_check_t *c)
{
        const mig_options_t *o = mig_options(ctx, &(mig_options_t){0});
        mig_state_t *st = ctx->suite_state;
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        int parts = partitions_of(ctx);
        char topic[512], text[1024];
        uint64_t total, before, n_seen[4] = {0};
        kp_history_t *h = NULL;
        kp_checker_result_t *res = NULL;
        mig_prod_t prod;
        mig_reader_t rd;
        data_tick_t tick;
        int64_t t, prod_end, deadline, mirror_at;
        kp_err_t err;

        memset(&prod, 0, sizeof(prod));
        memset(&rd, 0, sizeof(rd));
        if (no_mirror(ctx, c, KP_CTL_START_MIRROR))
                return;
        kp_ctx_topic(ctx, "mig-data", topic, sizeof(topic));
        total = (uint64_t)(w->rate * (double)w->duration_ns / 1e9);
        if (total < 10)
                total = 10;
        before = total / 3;
        n_seen[0] = total;
        if (kp_platform_create_topic(ctx->plat, topic, parts, w->replication_factor, NULL, &err) <
            0) {
                kp_check_error(c, "cannot create topic %s on the source: %s", topic, err.msg);
                return;
        }
        h = kp_history_new(1, 1, parts, total * 4 + 1000, &err);
        res = calloc(1, sizeof(*res));
        if (!h || !res) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (mig_prod_open(&prod, ctx, ctx->plat, h, 0, 0, NULL, &err) < 0 ||
            mig_prod_send(&prod, topic, before, w->rate, NULL, NULL, &err) < 0) {
                kp_check_error(c, "producing to the source: %s", err.msg);
                goto out;
        }
        /* the mirror starts while records already wait on the source */
        mirror_at = kp_mono_ns();
        if (ensure_forward(ctx, c) < 0)
                goto out;
        t = mig_wait_topic(ctx, st->dst, topic, parts, o->catch_up_timeout, &err);
        if (t < 0) {
                kp_check_error(c, "the mirror did not create the topic on the destination: %s",
                               err.msg);
                goto out;
        }
        kp_check_measure(c, "topic_created_s", (double)(kp_mono_ns() - mirror_at) / 1e9, "s");
        if (mig_reader_open(&rd, ctx, st->dst, topic, parts, NULL, h, 0, n_seen, &err) < 0) {
                kp_check_error(c, "reading the destination: %s", err.msg);
                goto out;
        }
        memset(&tick, 0, sizeof(tick));
        tick.rd = &rd;
        tick.prod = &prod;
        rd.lag_from_ns = kp_mono_ns();
        if (mig_prod_send(&prod, topic, total - before, w->rate, data_tick, &tick, &err) < 0) {
                kp_check_error(c, "producing to the source: %s", err.msg);
                goto out;
        }
        prod_end = kp_mono_ns();
        deadline = prod_end + o->catch_up_timeout;
        while (rd.unique < prod.acked && kp_mono_ns() < deadline && !kp_stop_requested())
                mig_reader_poll(&rd, 200);
        /* a short look for duplicates arriving after the last new record */
        mig_reader_poll(&rd, 500);
        kp_check_note(c,
                      "topic %s: %d partition(s), %llu records of %d bytes at %.0f/s, %llu written "
                      "before the mirror started",
                      topic, parts, (unsigned long long)total, prod.message_bytes, w->rate,
                      (unsigned long long)before);
        if (mig_judge(ctx, c, h, res) < 0)
                goto out;
        if (res->acked == 0) {
                kp_check_error(c, "nothing acknowledged by the source");
                goto out;
        }
        kp_check_measure(c, "records_destination", (double)rd.unique, "records");
        if (rd.unique >= prod.acked) {
                double catch_up = (double)(rd.last_new_ns - prod_end) / 1e9;
                kp_check_measure(c, "catch_up_s", catch_up < 0 ? 0 : catch_up, "s");
        } else {
                kp_check_note(c,
                              "the destination still lacked %llu record(s) %.0f s after "
                              "production ended",
                              (unsigned long long)(prod.acked - rd.unique),
                              (double)o->catch_up_timeout / 1e9);
        }
        if (tick.samples)
                kp_check_measure(c, "mirror_lag_records_avg", tick.lag_sum / (double)tick.samples,
                                 "records");
        kp_check_measure(c, "mirror_lag_records_max", (double)tick.lag_max, "records");
        if (rd.lag_n) {
                kp_check_measure(c, "mirror_lag_s_avg",
                                 (double)rd.lag_sum_ns / (double)rd.lag_n / 1e9, "s");
                kp_check_measure(c, "mirror_lag_s_max", (double)rd.lag_max_ns / 1e9, "s");
        }
        if (rd.last_new_ns > rd.first_read_ns && rd.unique > 1)
                kp_check_measure(c, "mirror_throughput",
                                 (double)rd.unique /
                                     ((double)(rd.last_new_ns - rd.first_read_ns) / 1e9),
                                 "records/s");
        if (res->not_allowed) {
                mig_anomaly_text(res, text, sizeof(text));
                kp_check_fail(c,
                              "%llu of %llu acknowledged record(s) reached the destination within "
                              "%.0f s; anomalies: %s",
                              (unsigned long long)rd.unique, (unsigned long long)res->acked,
                              (double)o->catch_up_timeout / 1e9, text);
                goto out;
        }
        kp_check_answer(c, "every acknowledged record arrived, caught up %.1f s after production",
                        (double)(rd.last_new_ns - prod_end) / 1e9);
        kp_check_pass(c,
                      "all %llu acknowledged records are on the destination once and in order; "
                      "caught up %.1f s after production ended, mirror lag at most %llu records / "
                      "%.2f s",
                      (unsigned long long)res->acked, (double)(rd.last_new_ns - prod_end) / 1e9,
                      (unsigned long long)tick.lag_max, (double)rd.lag_max_ns / 1e9);
out:
        mig_reader_close(&rd);
        mig_prod_close(&prod);
        free(res);
        kp_history_free(h);
}

/* ------------------------------------------------------------ group move */

typedef struct mig_move {
        int64_t src_off[MIG_MAXP], dst_off[MIG_MAXP];
        int synced;        /* every partition has a committed offset on `to` */
        int identical;     /* ... equal to the one on `from` */
        double sync_lag_s; /* commit on `from` -> final offsets on `to` */
        uint64_t reread, lost, phase2, read_all;
        int all_arrived;
} mig_move_t;

/* Phase 1 (n1 records) is consumed by `group` on `from` and committed; phase
 * 2 (n2) is written after. When h is set, `to` is read in full into its
 * consumer log 0 first (the history checker's input). Then the group's
 * offsets on `to` are awaited (stable for 3 s) and the group resumes there:
 * phase-1 records it reads again are re-reads, phase-2 records it never
 * reads are lost. */
static int group_move(kp_ctx_t *ctx, kp_check_t *c, kp_platform_t *from, kp_platform_t *to,
                      const char *topic, int parts, const char *group, mig_prod_t *prod,
                      uint64_t n1, uint64_t n2, kp_history_t *h, mig_move_t *mv)
{
        const mig_options_t *o = mig_options(ctx, &(mig_options_t){0});
        uint64_t n_seen[4] = {0}, s;
        mig_reader_t rd;
        kp_err_t err;
        int64_t deadline, t_commit, last_change = 0, t;
        int i, rc = -1;

        memset(mv, 0, sizeof(*mv));
        memset(&rd, 0, sizeof(rd));
        n_seen[prod->id] = n1 + n2;
        if (mig_prod_send(prod, topic, n1, 0, NULL, NULL, &err) < 0) {
                kp_check_error(c, "producing to %s: %s", from->target->name, err.msg);
                goto out;
        }
        if (mig_reader_open(&rd, ctx, from, topic, parts, group, NULL, 0, n_seen, &err) < 0) {
                kp_check_error(c, "group %s on %s: %s", group, from->target->name, err.msg);
                goto out;
        }
        deadline = kp_mono_ns() + 60 * KP_NS_PER_S;
        while (rd.unique < n1 && kp_mono_ns() < deadline && !kp_stop_requested())
                mig_reader_poll(&rd, 200);
        if (rd.unique < n1 || mig_reader_commit(&rd, &err) < 0) {
                kp_check_error(c, "group %s read %llu of %llu records on %s%s%s", group,
                               (unsigned long long)rd.unique, (unsigned long long)n1,
                               from->target->name, rd.unique < n1 ? "" : ": ",
                               rd.unique < n1 ? "" : err.msg);
                goto out;
        }
        mig_reader_close(&rd);
        t_commit = kp_mono_ns();
        if (mig_committed(ctx, from, group, topic, parts, mv->src_off, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        if (mig_prod_send(prod, topic, n2, 0, NULL, NULL, &err) < 0) {
                kp_check_error(c, "producing to %s: %s", from->target->name, err.msg);
                goto out;
        }
        if (mig_wait_topic(ctx, to, topic, parts, o->sync_timeout, &err) < 0) {
                kp_check_error(c, "the mirror did not create the topic: %s", err.msg);
                goto out;
        }
        if (h) {
                if (mig_reader_open(&rd, ctx, to, topic, parts, NULL, h, 0, n_seen, &err) < 0) {
                        kp_check_error(c, "reading %s: %s", to->target->name, err.msg);
                        goto out;
                }
                deadline = kp_mono_ns() + o->catch_up_timeout;
                while (rd.unique < prod->acked && kp_mono_ns() < deadline && !kp_stop_requested())
                        mig_reader_poll(&rd, 200);
                mig_reader_poll(&rd, 500);
                mv->read_all = rd.unique;
                mv->all_arrived = rd.unique >= prod->acked;
                mig_reader_close(&rd);
        }
        /* the group's progress on the destination: present and unchanged for 3 s */
        deadline = kp_mono_ns() + o->sync_timeout;
        for (i = 0; i < parts; i++)
                mv->dst_off[i] = -2;
        while (kp_mono_ns() < deadline && !kp_stop_requested()) {
                int64_t cur[MIG_MAXP];
                int all = 1, changed = 0;
                if (mig_committed(ctx, to, group, topic, parts, cur, &err) < 0) {
                        kp_check_error(c, "%s", err.msg);
                        goto out;
                }
                for (i = 0; i < parts; i++) {
                        all &= cur[i] >= 0;
                        changed |= cur[i] != mv->dst_off[i];
                        mv->dst_off[i] = cur[i];
                }
                t = kp_mono_ns();
                if (changed)
                        last_change = t;
                if (all && t - last_change >= 3 * KP_NS_PER_S) {
                        mv->synced = 1;
                        break;
                }
                kp_sleep_ms(500);
        }
        if (mv->synced)
                mv->sync_lag_s = (double)(last_change - t_commit) / 1e9;
        mv->identical = mv->synced;
        for (i = 0; i < parts; i++)
                if (mv->dst_off[i] != mv->src_off[i])
                        mv->identical = 0;
        /* the same group resumes on the destination */
        if (mig_reader_open(&rd, ctx, to, topic, parts, group, NULL, 0, n_seen, &err) < 0) {
                kp_check_error(c, "group %s on %s: %s", group, to->target->name, err.msg);
                goto out;
        }
        deadline = kp_mono_ns() + o->catch_up_timeout;
        for (;;) {
                uint64_t got = 0;
                for (s = n1; s < n1 + n2; s++)
                        got += (uint64_t)mig_reader_seen(&rd, prod->id, s);
                mv->phase2 = got;
                if (got >= n2 || kp_mono_ns() >= deadline || kp_stop_requested())
                        break;
                mig_reader_poll(&rd, 200);
        }
        mig_reader_poll(&rd, 500);
        for (s = 0; s < n1; s++)
                mv->reread += (uint64_t)mig_reader_seen(&rd, prod->id, s);
        mv->lost = n2 - mv->phase2;
        rc = 0;
out:
        mig_reader_close(&rd);
        return rc;
}

static void move_evidence(kp_check_t *c, const mig_move_t *mv, int parts)
{
        static const char *const cols[] = {"partition", "committed on source",
                                           "committed on destination"};
        kp_table_t *t = kp_check_table(c, "Committed offsets of the group", cols, 3);
        char a[32], b[32], p[16];
        const char *cells[3];
        int i;

        for (i = 0; t && i < parts; i++) {
                snprintf(p, sizeof(p), "%d", i);
                snprintf(a, sizeof(a), "%lld", (long long)mv->src_off[i]);
                if (mv->dst_off[i] >= 0)
                        snprintf(b, sizeof(b), "%lld", (long long)mv->dst_off[i]);
                else
                        snprintf(b, sizeof(b), "none");
                cells[0] = p;
                cells[1] = a;
                cells[2] = b;
                kp_table_row(t, cells);
        }
        kp_check_measure(c, "reread_records", (double)mv->reread, "records");
        kp_check_measure(c, "lost_on_resume", (double)mv->lost, "records");
        kp_check_measure(c, "offsets_synced", mv->synced, "bool");
        kp_check_measure(c, "offsets_identical", mv->identical, "bool");
        if (mv->synced)
                kp_check_measure(c, "offset_translation_lag_s", mv->sync_lag_s, "s");
}

static void move_text(const mig_move_t *mv, int parts, char *out, size_t size)
{
        int i, got = 0;

        for (i = 0; i < parts; i++)
                got += mv->dst_off[i] >= 0;
        if (!mv->synced && got == 0)
                snprintf(out, size,
                         "no committed offsets of the group reached the destination within the "
                         "sync timeout: it restarted from auto.offset.reset=earliest");
        else if (!mv->synced)
                snprintf(out, size,
                         "committed offsets of the group reached the destination for %d of %d "
                         "partition(s) within the sync timeout (the others restarted from "
                         "auto.offset.reset=earliest)",
                         got, parts);
        else if (mv->identical)
                snprintf(out, size,
                         "offsets identical (offset-preserving replication), synced %.1f s after "
                         "the commit",
                         mv->sync_lag_s);
        else
                snprintf(out, size,
                         "offsets translated (checkpoint-based), translation lag %.1f s after the "
                         "commit",
                         mv->sync_lag_s);
}

/* ------------------------------------------------------------ offsets */

void mig_check_offsets(kp_ctx_t *ctx, kp_check_t *c)
{
        const mig_options_t *o = mig_options(ctx, &(mig_options_t){0});
        mig_state_t *st = ctx->suite_state;
        int parts = partitions_of(ctx);
        char topic[512], group[512], txn[512], text[400];
        uint64_t n = (uint64_t)o->records;
        kp_history_t *h = NULL;
        mig_prod_t prod;
        mig_move_t *mv = NULL;
        kp_err_t err;

        memset(&prod, 0, sizeof(prod));
        if (no_mirror(ctx, c, KP_CTL_START_MIRROR))
                return;
        kp_ctx_topic(ctx, "mig-offsets", topic, sizeof(topic));
        kp_ctx_topic(ctx, "mig-offsets-group", group, sizeof(group));
        kp_ctx_topic(ctx, "mig-offsets-txn", txn, sizeof(txn));
        if (kp_platform_create_topic(ctx->plat, topic, parts,
                                     ctx->scfg->workload.replication_factor, NULL, &err) < 0) {
                kp_check_error(c, "cannot create topic %s on the source: %s", topic, err.msg);
                return;
        }
        if (ensure_forward(ctx, c) < 0)
                return;
        h = kp_history_new(1, 1, parts, n * 8 + 1000, &err);
        mv = calloc(1, sizeof(*mv));
        if (!h || !mv) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        /* transactional writes: the commit markers take source offsets that
         * the destination's copy does not have, as in most real topics */
        if (mig_prod_open(&prod, ctx, ctx->plat, h, 0, 0, txn, &err) < 0) {
                kp_check_error(c, "producer on the source: %s", err.msg);
                goto out;
        }
        if (group_move(ctx, c, ctx->plat, st->dst, topic, parts, group, &prod, n, n, NULL, mv) < 0)
                goto out;
        move_evidence(c, mv, parts);
        move_text(mv, parts, text, sizeof(text));
        kp_check_note(c,
                      "group %s consumed %llu records on the source and committed; %llu more were "
                      "written before it resumed on the destination",
                      group, (unsigned long long)n, (unsigned long long)n);
        if (mv->lost) {
                kp_check_fail(c,
                              "%s; the group resumed on the destination but %llu of %llu records "
                              "it had not consumed yet were never read (lost on resume)",
                              text, (unsigned long long)mv->lost, (unsigned long long)n);
                goto out;
        }
        kp_check_answer(c, "consumers resume on the destination: 0 lost, %llu re-read; %s",
                        (unsigned long long)mv->reread,
                        mv->identical ? "offsets identical" : "offsets translated");
        kp_check_pass(c,
                      "%s; the group resumed on the destination with 0 records lost and %llu "
                      "re-read",
                      text, (unsigned long long)mv->reread);
out:
        mig_prod_close(&prod);
        free(mv);
        kp_history_free(h);
}

/* ------------------------------------------------------------ topic-config */

void mig_check_topic_config(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const cols[] = {"config", "source", "destination",
                                           "set on the destination topic"};
        static const char *const dflt[][2] = {
            {"retention.ms", "86400000"}, {"cleanup.policy", "delete"},
            {"compression.type", "lz4"},  {"max.message.bytes", "2097152"},
            {"min.insync.replicas", "1"},
        };
        const mig_options_t *o = mig_options(ctx, &(mig_options_t){0});
        mig_state_t *st = ctx->suite_state;
        const kp_kvlist_t *tc = &ctx->scfg->workload.topic_config;
        kp_kvlist_t own = {0};
        char topic[512], (*sv)[256] = NULL, (*dv)[256] = NULL, diff[1024] = "";
        int *sdyn = NULL, *ddyn = NULL, parts = partitions_of(ctx), dparts, mismatched = 0;
        int64_t t0, deadline;
        size_t i, len = 0;
        kp_table_t *t;
        kp_err_t err;

        if (no_mirror(ctx, c, KP_CTL_START_MIRROR))
                return;
        if (tc->n == 0) {
                for (i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
                        kp_kvlist_set(&own, dflt[i][0], dflt[i][1]);
                tc = &own;
        }
        kp_ctx_topic(ctx, "mig-config", topic, sizeof(topic));
        sv = calloc(tc->n, sizeof(*sv));
        dv = calloc(tc->n, sizeof(*dv));
        sdyn = calloc(tc->n, sizeof(int));
        ddyn = calloc(tc->n, sizeof(int));
        if (!sv || !dv || !sdyn || !ddyn) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (kp_platform_create_topic(ctx->plat, topic, parts,
                                     ctx->scfg->workload.replication_factor, tc, &err) < 0) {
                kp_check_error(c, "cannot create topic %s on the source: %s", topic, err.msg);
                goto out;
        }
        if (ensure_forward(ctx, c) < 0)
                goto out;
        t0 = kp_mono_ns();
        if (mig_wait_topic(ctx, st->dst, topic, 1, o->sync_timeout, &err) < 0) {
                kp_check_error(c, "the mirror did not create the topic: %s", err.msg);
                goto out;
        }
        if (mig_topic_configs(ctx->plat, topic, tc, sv, sdyn, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        deadline = t0 + o->sync_timeout;
        for (;;) {
                if (mig_topic_configs(st->dst, topic, tc, dv, ddyn, &err) < 0) {
                        kp_check_error(c, "%s", err.msg);
                        goto out;
                }
                mismatched = 0;
                for (i = 0; i < tc->n; i++)
                        mismatched += strcmp(sv[i], dv[i]) != 0;
                if (!mismatched || kp_mono_ns() >= deadline || kp_stop_requested())
                        break;
                kp_sleep_ms(1000);
        }
        if (!mismatched)
                kp_check_measure(c, "config_sync_s", (double)(kp_mono_ns() - t0) / 1e9, "s");
        dparts = mig_partitions(st->dst, topic, &err);
        kp_check_measure(c, "partitions_source", parts, "partitions");
        kp_check_measure(c, "partitions_destination", dparts, "partitions");
        kp_check_measure(c, "configs_compared", (double)tc->n, "configs");
        kp_check_measure(c, "configs_mismatched", mismatched, "configs");
        t = kp_check_table(c, "Topic configs (effective values)", cols, 4);
        for (i = 0; i < tc->n; i++) {
                const char *cells[4] = {tc->items[i].key, sv[i], dv[i],
                                        ddyn[i] ? "yes" : "no (a default)"};
                if (t)
                        kp_table_row(t, cells);
                if (strcmp(sv[i], dv[i]) != 0)
                        len += (size_t)snprintf(
                            diff + len, len < sizeof(diff) ? sizeof(diff) - len : 0,
                            "%s%s: source %s, destination %s", len ? "; " : "", tc->items[i].key,
                            sv[i], dv[i][0] ? dv[i] : "(none)");
        }
        kp_check_note(c, "ACLs not compared: the fixture's source has no authorizer and the "
                         "mirror does not sync ACLs (sync.topic.acls.enabled=false)");
        if (dparts != parts) {
                kp_check_fail(c, "partition count differs: source %d, destination %d%s%s", parts,
                              dparts, mismatched ? "; " : "", diff);
                goto out;
        }
        if (mismatched) {
                kp_check_fail(c, "%d of %zu config(s) differ after %.0f s: %s", mismatched, tc->n,
                              (double)o->sync_timeout / 1e9, diff);
                goto out;
        }
        kp_check_answer(c, "partitions and %zu topic configs match on the destination", tc->n);
        kp_check_pass(c, "%d partition(s) and all %zu compared configs match on the destination",
                      parts, tc->n);
out:
        kp_kvlist_clear(&own);
        free(sv);
        free(dv);
        free(sdyn);
        free(ddyn);
}

/* ------------------------------------------------------------ cutover */

static void reader_tick(void *opaque)
{
        mig_reader_poll(opaque, 0);
}

void mig_check_cutover(kp_ctx_t *ctx, kp_check_t *c)
{
        const mig_options_t *o = mig_options(ctx, &(mig_options_t){0});
        mig_state_t *st = ctx->suite_state;
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        int parts = partitions_of(ctx);
        uint64_t n = (uint64_t)o->records, n_seen[4] = {0};
        char topic[512], text[1024];
        kp_history_t *h = NULL;
        kp_checker_result_t *res = NULL;
        mig_prod_t src, dst;
        mig_reader_t rd;
        int64_t deadline, t_switch, drain_s_ns;
        double unavail;
        kp_err_t err;

        memset(&src, 0, sizeof(src));
        memset(&dst, 0, sizeof(dst));
        memset(&rd, 0, sizeof(rd));
        if (no_mirror(ctx, c, KP_CTL_START_MIRROR))
                return;
        kp_ctx_topic(ctx, "mig-cutover", topic, sizeof(topic));
        n_seen[0] = n_seen[1] = n;
        if (kp_platform_create_topic(ctx->plat, topic, parts, w->replication_factor, NULL, &err) <
            0) {
                kp_check_error(c, "cannot create topic %s on the source: %s", topic, err.msg);
                return;
        }
        if (ensure_forward(ctx, c) < 0)
                return;
        h = kp_history_new(2, 1, parts, n * 8 + 1000, &err);
        res = calloc(1, sizeof(*res));
        if (!h || !res) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (mig_wait_topic(ctx, st->dst, topic, parts, o->sync_timeout, &err) < 0) {
                kp_check_error(c, "the mirror did not create the topic: %s", err.msg);
                goto out;
        }
        if (mig_reader_open(&rd, ctx, st->dst, topic, parts, NULL, h, 0, n_seen, &err) < 0 ||
            mig_prod_open(&src, ctx, ctx->plat, h, 0, 0, NULL, &err) < 0 ||
            mig_prod_send(&src, topic, n, w->rate, reader_tick, &rd, &err) < 0) {
                kp_check_error(c, "before the switch: %s", err.msg);
                goto out;
        }
        /* the switch: producers stop on the source, the mirror drains, they
         * start on the destination */
        t_switch = src.last_ack_ns;
        mig_prod_close(&src);
        deadline = kp_mono_ns() + o->catch_up_timeout;
        while (rd.unique < src.acked && kp_mono_ns() < deadline && !kp_stop_requested())
                mig_reader_poll(&rd, 100);
        if (rd.unique < src.acked) {
                kp_check_error(c,
                               "the mirror did not deliver the source's %llu records within %.0f "
                               "s of the switch (%llu arrived)",
                               (unsigned long long)src.acked, (double)o->catch_up_timeout / 1e9,
                               (unsigned long long)rd.unique);
                goto out;
        }
        drain_s_ns = rd.last_new_ns - t_switch;
        if (mig_prod_open(&dst, ctx, st->dst, h, 1, 0, NULL, &err) < 0 ||
            mig_prod_send(&dst, topic, n, w->rate, reader_tick, &rd, &err) < 0) {
                kp_check_error(c, "after the switch: %s", err.msg);
                goto out;
        }
        unavail = (double)(dst.first_ack_ns - t_switch) / 1e9;
        deadline = kp_mono_ns() + o->catch_up_timeout;
        while (rd.unique < src.acked + dst.acked && kp_mono_ns() < deadline && !kp_stop_requested())
                mig_reader_poll(&rd, 100);
        mig_reader_poll(&rd, 500);
        if (mig_judge(ctx, c, h, res) < 0)
                goto out;
        kp_check_measure(c, "mirror_drain_s", drain_s_ns > 0 ? (double)drain_s_ns / 1e9 : 0, "s");
        kp_check_measure(c, "unavailability_s", unavail, "s");
        kp_check_measure(c, "records_before_switch", (double)src.acked, "records");
        kp_check_measure(c, "records_after_switch", (double)dst.acked, "records");
        kp_check_note(c, "unavailability: from the source's last acknowledgement, through the "
                         "mirror's drain, to the destination's first acknowledgement");
        if (res->not_allowed) {
                mig_anomaly_text(res, text, sizeof(text));
                kp_check_fail(c, "records lost, duplicated or reordered across the switch: %s",
                              text);
                goto out;
        }
        kp_check_answer(c, "producers switched with %.2f s unavailability, nothing lost", unavail);
        kp_check_pass(c,
                      "producers switched to the destination with %.2f s of unavailability (mirror "
                      "drain %.2f s); all %llu records on the destination once and in order",
                      unavail, (double)drain_s_ns / 1e9, (unsigned long long)res->acked);
out:
        mig_reader_close(&rd);
        mig_prod_close(&src);
        mig_prod_close(&dst);
        free(res);
        kp_history_free(h);
}

/* ------------------------------------------------------------ rollback */

void mig_check_rollback(kp_ctx_t *ctx, kp_check_t *c)
{
        const mig_options_t *o = mig_options(ctx, &(mig_options_t){0});
        mig_state_t *st = ctx->suite_state;
        int parts = partitions_of(ctx);
        uint64_t n = (uint64_t)o->records;
        char topic[512], group[512], text[1024], mtext[400];
        kp_history_t *h = NULL;
        kp_checker_result_t *res = NULL;
        mig_prod_t prod;
        mig_move_t *mv = NULL;
        kp_err_t err;

        memset(&prod, 0, sizeof(prod));
        if (no_mirror(ctx, c, KP_CTL_START_REVERSE_MIRROR))
                return;
        kp_ctx_topic(ctx, "mig-rollback", topic, sizeof(topic));
        kp_ctx_topic(ctx, "mig-rollback-group", group, sizeof(group));
        /* one direction at a time: with topic names kept, both at once would loop */
        if (st->forward && mig_mirror(ctx, KP_CTL_STOP_MIRROR, st->topics, &err) < 0) {
                kp_check_error(c, "the forward mirror could not be stopped: %s", err.msg);
                return;
        }
        if (kp_platform_create_topic(st->dst, topic, parts, 0, NULL, &err) < 0) {
                kp_check_error(c, "cannot create topic %s on the destination: %s", topic, err.msg);
                return;
        }
        if (mig_mirror(ctx, KP_CTL_START_REVERSE_MIRROR, st->reverse_topics, &err) < 0) {
                kp_check_error(c, "the reverse mirror could not be started: %s", err.msg);
                return;
        }
        h = kp_history_new(1, 1, parts, n * 8 + 1000, &err);
        res = calloc(1, sizeof(*res));
        mv = calloc(1, sizeof(*mv));
        if (!h || !res || !mv) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (mig_prod_open(&prod, ctx, st->dst, h, 0, 0, NULL, &err) < 0) {
                kp_check_error(c, "producer on the destination: %s", err.msg);
                goto out;
        }
        if (group_move(ctx, c, st->dst, ctx->plat, topic, parts, group, &prod, n, n, h, mv) < 0)
                goto out;
        if (mig_judge(ctx, c, h, res) < 0)
                goto out;
        move_evidence(c, mv, parts);
        move_text(mv, parts, mtext, sizeof(mtext));
        kp_check_measure(c, "records_back_on_source", (double)mv->read_all, "records");
        if (res->not_allowed) {
                mig_anomaly_text(res, text, sizeof(text));
                kp_check_fail(c,
                              "%llu of %llu records written on the destination reached the "
                              "source; anomalies: %s",
                              (unsigned long long)mv->read_all, (unsigned long long)res->acked,
                              text);
                goto out;
        }
        if (mv->lost) {
                kp_check_fail(c,
                              "%s; the group moved back to the source but %llu of %llu "
                              "records it had not consumed were never read",
                              mtext, (unsigned long long)mv->lost, (unsigned long long)n);
                goto out;
        }
        kp_check_answer(c,
                        "rollback: every record came back, the group resumed with 0 lost and "
                        "%llu re-read",
                        (unsigned long long)mv->reread);
        kp_check_pass(c,
                      "all %llu records written on the destination came back to the source once "
                      "and in order; %s; the group resumed on the source with 0 lost and %llu "
                      "re-read",
                      (unsigned long long)res->acked, mtext, (unsigned long long)mv->reread);
out:
        mig_prod_close(&prod);
        free(mv);
        free(res);
        kp_history_free(h);
}
