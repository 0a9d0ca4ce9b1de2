/*
 * Helpers shared by the migration check files: the preconditions every check
 * tests (a mapped mirror, the forward mirror running), partition counts, and
 * moving a consumer group from one platform to the other with the evidence of
 * the move.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration.h"
#include "util/signals.h"
#include "util/timeutil.h"

int mig_no_mirror(kp_ctx_t *ctx, kp_check_t *c, kp_ctl_op_t op)
{
        const char *why = NULL;

        if (kp_control_supports(ctx->plat->control, op, &why)) {
                const kp_target_t *d = mig_options(ctx)->dest;
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
int mig_ensure_forward(kp_ctx_t *ctx, kp_check_t *c)
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

int mig_partitions_of(const kp_ctx_t *ctx)
{
        int p = ctx->scfg->workload.partitions;

        return p < 1 ? 1 : p > MIG_MAXP ? MIG_MAXP : p;
}

/* Phase 1 (n1 records) is consumed by `group` on `from` and committed; phase
 * 2 (n2) is written after. When h is set, `to` is read in full into its
 * consumer log 0 first (the history checker's input). Then the group's
 * offsets on `to` are awaited (stable for 3 s) and the group resumes there:
 * phase-1 records it reads again are re-reads, phase-2 records it never
 * reads are lost. */
int mig_group_move(kp_ctx_t *ctx, kp_check_t *c, kp_platform_t *from, kp_platform_t *to,
                   const char *topic, int parts, const char *group, mig_prod_t *prod, uint64_t n1,
                   uint64_t n2, kp_history_t *h, mig_move_t *mv)
{
        const mig_options_t *o = mig_options(ctx);
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

void mig_move_evidence(kp_check_t *c, const mig_move_t *mv, int parts)
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

void mig_move_text(const mig_move_t *mv, int parts, char *out, size_t size)
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
