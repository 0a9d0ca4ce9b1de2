/*
 * revocation.write-effect: Revoking the key stops new writes within the time-
 * to-effect bound.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "revocation.h"
#include "util/digest.h"
#include "evidence/events.h"
#include "util/fsutil.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "util/plot.h"
#include "util/progress.h"
#include "util/signals.h"
#include "adapters/storage.h"
#include "util/timeutil.h"

#define PROBE_PREFIX "kpprobe:"

/* ------------------------------------------------------------ probes */
static void probe_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        rev_state_t *st = opaque;
        intptr_t i = (intptr_t)m->_private;
        (void)rk;

        if (!st || i < 0 || (size_t)i >= st->n_probes)
                return;
        /* A probe of the revoked window answered only after the restore was
         * pending when the key came back: it proves nothing either way. */
        if (st->probes[i].phase == 'b' && st->restored) {
                st->probes[i].late = 1;
                return;
        }
        st->probes[i].ok = m->err ? 0 : 1;
        st->probes[i].err = m->err;
        st->probes[i].done_ns = kp_mono_ns() - st->revoke_mono;
        /* the live status line: writes refused since the first refused probe */
        if (st->probes[i].phase != 'x' && m->err && !st->refused_since) {
                st->refused_since = st->revoke_mono + st->probes[i].t_ns;
                kp_progress_set_unavailable(st->refused_since, "writes refused");
        } else if (st->probes[i].phase != 'x' && !m->err && st->refused_since) {
                st->refused_since = 0;
                kp_progress_set_unavailable(0, NULL);
        }
}

static rev_probe_t *new_probe(rev_state_t *st, char kind, char phase)
{
        rev_probe_t *p;

        if (st->n_probes >= REV_MAX_PROBES)
                return NULL;
        p = &st->probes[st->n_probes++];
        memset(p, 0, sizeof(*p));
        p->kind = kind;
        p->phase = phase;
        p->ok = -1;
        p->done_ns = -1;
        p->t_ns = kp_mono_ns() - st->revoke_mono;
        return p;
}

static void count_error(rev_state_t *st, char kind, int code)
{
        char name[128], buf[32];
        const char *cur;

        snprintf(name, sizeof(name), "%s %s", kind == 'w' ? "produce probe" : "read probe",
                 rd_kafka_err2name((rd_kafka_resp_err_t)code));
        cur = kp_kvlist_get(&st->client_errors, name);

        snprintf(buf, sizeof(buf), "%lld", cur ? strtoll(cur, NULL, 10) + 1 : 1LL);
        kp_kvlist_set(&st->client_errors, name, buf);
}

static void send_write_probe(rev_state_t *st, rd_kafka_t *p, char phase)
{
        rev_probe_t *pr = new_probe(st, 'w', phase);
        char val[64];
        rd_kafka_resp_err_t e;

        if (!pr)
                return;
        snprintf(val, sizeof(val), PROBE_PREFIX "%zu", st->n_probes - 1);
        e = rd_kafka_producev(
            p, RD_KAFKA_V_TOPIC(st->topic), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_VALUE(val, strlen(val)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE((void *)(intptr_t)(st->n_probes - 1)), RD_KAFKA_V_END);
        if (e) {
                pr->ok = 0;
                pr->err = e;
                pr->done_ns = pr->t_ns;
        }
}

static void run_read_probe(kp_ctx_t *ctx, rev_state_t *st, char phase)
{
        rev_probe_t *pr = new_probe(st, 'r', phase);
        int code = 0;

        if (!pr)
                return;
        pr->ok = rev_read_probe(ctx, st, st->opts.probe_timeout_ns, &code);
        pr->err = code;
        pr->done_ns = kp_mono_ns() - st->revoke_mono;
}

/* First success of kind sent at or after the restore, from the restore. */
static int64_t recovery_time(const rev_state_t *st, char kind)
{
        int64_t best = -1, restore = st->restore_mono - st->revoke_mono;
        size_t i;

        for (i = 0; i < st->n_probes; i++) {
                const rev_probe_t *p = &st->probes[i];
                if (p->kind != kind || p->phase != 'a' || p->ok != 1)
                        continue;
                if (best < 0 || p->done_ns - restore < best)
                        best = p->done_ns - restore;
        }
        return best;
}

static void emit_probe_events(const rev_state_t *st)
{
        size_t i;

        for (i = 0; i < st->n_probes; i++) {
                const rev_probe_t *p = &st->probes[i];
                kp_event_t *e = kp_event_new("revocation.probe");
                kp_event_str(e, "kind", p->kind == 'w' ? "produce" : "fresh-consumer-read");
                kp_event_str(e, "phase", p->phase == 'b' ? "revoked" : "restored");
                kp_event_num(e, "t_since_revoke_s", (double)p->t_ns / 1e9);
                kp_event_num(e, "done_since_revoke_s", (double)p->done_ns / 1e9);
                kp_event_str(e, "result", p->ok < 0 ? "pending" : p->ok ? "ok" : "failed");
                if (p->ok == 0)
                        kp_event_str(e, "error", rd_kafka_err2name((rd_kafka_resp_err_t)p->err));
                if (p->late)
                        kp_event_str(e, "note", "answered only after the key was restored");
                kp_event_emit(e);
        }
}

static void plot_probes(kp_ctx_t *ctx, rev_state_t *st, kp_check_t *c)
{
        kp_buf_t data, script;
        char dat[4096], svg[4096];
        kp_err_t err;
        size_t i;
        double restore = (double)(st->restore_mono - st->revoke_mono) / 1e9;

        kp_buf_init(&data, 8 << 20);
        kp_buf_init(&script, 64 << 10);
        kp_buf_puts(&data, "# t_since_revoke_s produce read (1 ok, 0 failed)\n");
        for (i = 0; i < st->n_probes; i++) {
                const rev_probe_t *p = &st->probes[i];
                if (p->ok < 0)
                        continue;
                if (p->kind == 'w')
                        kp_buf_printf(&data, "%.3f %.2f NaN\n", (double)p->t_ns / 1e9,
                                      p->ok ? 1.05 : 0.05);
                else
                        kp_buf_printf(&data, "%.3f NaN %.2f\n", (double)p->t_ns / 1e9,
                                      p->ok ? 0.95 : -0.05);
        }
        if (kp_rundir_write(ctx->rd, "revocation/probes.dat", data.data, data.len, &err) < 0 ||
            kp_ctx_path(ctx, "revocation/probes.dat", dat, sizeof(dat)) < 0 ||
            kp_ctx_path(ctx, "revocation/probes.svg", svg, sizeof(svg)) < 0) {
                kp_check_note(c, "probe timeline not drawn: %s", err.msg);
                goto out;
        }
        kp_check_artifact(c, "revocation/probes.dat", "data",
                          "Probe results (seconds since revocation)");
        kp_buf_puts(&script,
                    "set title 'Probes around the key revocation'\n"
                    "set xlabel 'seconds since the key was revoked'\n"
                    "set yrange [-0.4:1.4]\nset ytics ('failed' 0, 'ok' 1)\nset grid xtics\n"
                    "set datafile missing 'NaN'\nset key outside bottom center horizontal\n"
                    "set arrow from 0,-0.4 to 0,1.4 nohead lw 2 lc rgb '#c0392b'\n"
                    "set label 'revoke' at 0,1.3 offset 0.5,0 tc rgb '#c0392b'\n");
        if (st->restored)
                kp_buf_printf(&script,
                              "set arrow from %.3f,-0.4 to %.3f,1.4 nohead lw 2 lc rgb '#27ae60'\n"
                              "set label 'restore' at %.3f,1.3 offset 0.5,0 tc rgb '#27ae60'\n",
                              restore, restore, restore);
        kp_buf_printf(
            &script,
            "plot '%s' using 1:2 with points pt 7 ps 0.8 lc rgb '#2c3e50' title 'produce probe', "
            "'%s' using 1:3 with points pt 5 ps 0.8 lc rgb '#8e44ad' title 'fresh consumer reads "
            "old data'\n",
            dat, dat);
        if (kp_plot_svg(kp_buf_cstr(&script), svg, 900, 360, &err) < 0) {
                kp_check_note(c, "probe timeline not drawn: %s", err.msg);
                goto out;
        }
        kp_check_artifact(c, "revocation/probes.svg", "svg",
                          "Produce and read probes over time (revoke and restore marked)");
out:
        kp_buf_free(&data);
        kp_buf_free(&script);
}

/* Copies this run's lines of the undo journal into the run directory, so
 * the evidence shows the destructive action and its undo. */
static void copy_journal(kp_ctx_t *ctx, kp_check_t *c, const char *path)
{
        kp_buf_t all, mine;
        char needle[128];
        const char *line;
        kp_err_t err;

        kp_buf_init(&all, 64 << 20);
        kp_buf_init(&mine, 1 << 20);
        snprintf(needle, sizeof(needle), "\"run_id\":\"%s\"", ctx->run_id);
        if (kp_read_file(path, 64 << 20, &all, &err) == 0) {
                for (line = kp_buf_cstr(&all); *line;) {
                        const char *nl = strchr(line, '\n');
                        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
                        char *one = strndup(line, len);
                        if (one && strstr(one, needle))
                                kp_buf_append(&mine, one, len);
                        free(one);
                        line += len;
                }
                if (mine.len && kp_rundir_write(ctx->rd, "revocation/undo-journal.jsonl", mine.data,
                                                mine.len, &err) == 0)
                        kp_check_artifact(
                            c, "revocation/undo-journal.jsonl", "jsonl",
                            "Undo journal entries of this run (intent, done, undone)");
        }
        kp_buf_free(&all);
        kp_buf_free(&mine);
}

/* Probing after the revocation ends at the timeout, on a stop request, or
 * once writes (and reads) have failed for good: REV_CONFIRM_PROBES
 * consecutive failures with an error the revocation explains (judge.c, the
 * same rule the verdicts use). */
static int probing_done(const rev_state_t *st, int64_t now_rel)
{
        int64_t we, re;
        int wrun, rrun;

        if (now_rel >= st->opts.timeout_ns)
                return 1;
        wrun = rev_proven_run(st, 'w', &we);
        rrun = rev_proven_run(st, 'r', &re);
        if (wrun >= REV_CONFIRM_PROBES && rrun >= REV_CONFIRM_PROBES)
                return 1;
        return wrun >= REV_CONFIRM_PROBES && now_rel - we >= st->opts.observe_ns;
}

/* Liveness control of a probe round: the platform answers a metadata
 * request for the topic (a timed-out probe counts as proof only then). It
 * goes through a client of its own: on the probing producer's connection it
 * would queue behind the produce request the platform holds. */
static int platform_answers(rd_kafka_t *p, rd_kafka_topic_t *rkt, int64_t timeout_ns)
{
        const struct rd_kafka_metadata *md = NULL;
        int ok;

        if (!rkt)
                return 0;
        ok = rd_kafka_metadata(p, 0, rkt, &md, (int)(timeout_ns / KP_NS_PER_MS)) ==
                 RD_KAFKA_RESP_ERR_NO_ERROR &&
             md && md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR;
        if (md)
                rd_kafka_metadata_destroy(md);
        return ok;
}

static int find_grant(rev_state_t *st, kp_revoke_req_t *req, kp_kms_grant_t *g, kp_check_t *c)
{
        kp_kms_grant_t grants[128];
        size_t n = 0, i;
        kp_err_t err;

        if (kp_kms_list_grants(st->kms, st->key.key_id, grants, 128, &n, &err) < 0) {
                if (err.code == KP_EUNSUPPORTED)
                        kp_check_skip(c, "revoke-grant: the KMS does not implement grants: %s",
                                      err.msg);
                else
                        kp_check_error(c, "%s", err.msg);
                return -1;
        }
        for (i = 0; i < n; i++)
                if (strcmp(grants[i].grant_id, st->opts.grant_id) == 0) {
                        *g = grants[i];
                        req->grant_id = g->grant_id;
                        req->grantee = g->grantee;
                        req->operations = g->operations;
                        return 0;
                }
        kp_check_error(c, "grant %s not found on key %s", st->opts.grant_id, st->key.key_id);
        return -1;
}

void rev_check_write_effect(kp_ctx_t *ctx, kp_check_t *c)
{
        rev_state_t *st = rev_state(ctx);
        rd_kafka_t *p = NULL, *ctl = NULL;
        rd_kafka_topic_t *rkt = NULL;
        kp_journal_t *j = NULL;
        kp_revoke_req_t req;
        kp_kms_grant_t grant;
        kp_err_t err;
        int code = 0;
        int64_t next, now_rel;

        if (rev_precheck(ctx, c, 1) < 0)
                return;
        if (!st->canaries_ok) {
                kp_check_error(c, "not run: the canaries were not written");
                return;
        }
        if (kp_revoke_permitted(ctx->plat->target, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                return;
        }
        st->probes = calloc(REV_MAX_PROBES, sizeof(*st->probes));
        if (!st->probes) {
                kp_check_error(c, "out of memory");
                return;
        }
        {
                kp_kvlist_t extra = {0};
                char mt[32];
                snprintf(mt, sizeof(mt), "%lld",
                         (long long)(st->opts.probe_timeout_ns / KP_NS_PER_MS));
                kp_kvlist_set(&extra, "message.timeout.ms", mt);
                /* an in-flight produce times out too (default 30 s) */
                kp_kvlist_set(&extra, "request.timeout.ms", mt);
                kp_kvlist_set(&extra, "linger.ms", "0");
                kp_kvlist_set(&extra, "retry.backoff.ms", "100");
                p = rev_client(ctx, RD_KAFKA_PRODUCER, &extra, probe_dr, st, &err);
                kp_kvlist_clear(&extra);
        }
        if (!p) {
                kp_check_error(c, "%s", err.msg);
                return;
        }
        ctl = rev_client(ctx, RD_KAFKA_PRODUCER, NULL, NULL, st, &err);
        if (!ctl) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        rkt = rd_kafka_topic_new(ctl, st->topic, NULL);
        /* Baseline: both probes must succeed while the key is enabled. */
        st->revoke_mono = kp_mono_ns();
        send_write_probe(st, p, 'x');
        rd_kafka_flush(p, (int)(st->opts.probe_timeout_ns / KP_NS_PER_MS) + 1000);
        if (st->probes[0].ok != 1) {
                kp_check_error(c, "baseline produce probe failed before the revocation: %s",
                               rd_kafka_err2name((rd_kafka_resp_err_t)st->probes[0].err));
                goto out;
        }
        if (!rev_read_probe(ctx, st, 10 * KP_NS_PER_S, &code)) {
                kp_check_error(c, "baseline read probe failed before the revocation: %s",
                               rd_kafka_err2name((rd_kafka_resp_err_t)code));
                goto out;
        }
        st->n_probes = 0;

        memset(&req, 0, sizeof(req));
        req.mode = st->opts.mode;
        req.run_id = ctx->run_id;
        req.target = ctx->plat->target;
        req.key_id = st->key.key_id;
        req.deletion_days = st->opts.deletion_days;
        if (req.mode == KP_REVOKE_GRANT && find_grant(st, &req, &grant, c) < 0)
                goto out;
        if (kp_journal_open(kp_safety()->journal, &j, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        /* Where the undo lives, for `kproof recover RUN_DIR` after a crash. */
        if (kp_rundir_write(ctx->rd, "revocation/journal-path", kp_journal_file(j),
                            strlen(kp_journal_file(j)), &err) < 0)
                kp_check_note(c, "journal path not recorded in the run directory: %s", err.msg);
        kp_info("revocation: %s key %s (undo journal %s)", kp_revoke_mode_names[req.mode],
                st->key.key_id, kp_journal_file(j));
        if (kp_revoke_apply(st->kms, j, &req, &st->entry, &err) < 0) {
                kp_check_error(c, "revocation failed: %s", err.msg);
                /* The call may have reached the KMS: undo to be safe. */
                if (kp_revoke_undo(st->kms, j, &st->entry, &err) < 0)
                        kp_error("revocation: undo after a failed revocation failed: %s", err.msg);
                goto out;
        }
        st->revoked = 1;
        st->revoke_mono = kp_mono_ns();
        st->counting = 1;
        kp_progress_set_fault(st->revoke_mono, "%s %s", st->entry.action, st->key.key_id);
        kp_check_note(c, "%s of key %s journaled (%s, entry %s) and sent", st->entry.action,
                      st->key.key_id, kp_journal_file(j), st->entry.id);

        /* Probe until the effect is established or the window closes. */
        next = st->revoke_mono;
        for (;;) {
                size_t k, round = st->n_probes;
                int alive;
                send_write_probe(st, p, 'b');
                run_read_probe(ctx, st, 'b');
                alive = platform_answers(ctl, rkt, st->opts.probe_timeout_ns);
                for (k = round; k < st->n_probes; k++)
                        st->probes[k].alive = alive;
                rd_kafka_poll(p, 0);
                now_rel = kp_mono_ns() - st->revoke_mono;
                if (kp_stop_requested() || probing_done(st, now_rel))
                        break;
                next += st->opts.probe_interval_ns;
                if (next > kp_mono_ns())
                        kp_sleep_until(next);
                else
                        next = kp_mono_ns();
                rd_kafka_poll(p, 0);
        }
        /* Let the write probes of the window come to a verdict while still revoked. */
        rd_kafka_flush(p, (int)(st->opts.probe_timeout_ns / KP_NS_PER_MS) + 1000);
        st->window_ns = kp_mono_ns() - st->revoke_mono;

        /* Restore, whatever happened above (a stop request included). */
        if (kp_revoke_undo(st->kms, j, &st->entry, &err) < 0) {
                snprintf(st->fatal_buf, sizeof(st->fatal_buf),
                         "RESTORE FAILED: key %s is still revoked (%s); run 'kproof recover "
                         "--journal %s'",
                         st->key.key_id, err.msg, kp_journal_file(j));
                st->fatal = st->fatal_buf;
                kp_error("%s", st->fatal);
                kp_check_error(c, "%s", st->fatal);
                goto out;
        }
        st->restored = 1;
        st->restore_mono = kp_mono_ns();
        kp_progress_clear_fault();
        copy_journal(ctx, c, kp_journal_file(j));
        kp_check_note(c, "key %s restored (%s) %.1f s after the revocation", st->key.key_id,
                      st->entry.undo, (double)(st->restore_mono - st->revoke_mono) / 1e9);

        /* Recovery: probe until a new write and a read succeed. */
        next = st->restore_mono;
        while (!kp_stop_requested()) {
                send_write_probe(st, p, 'a');
                run_read_probe(ctx, st, 'a');
                rd_kafka_poll(p, 0);
                if (recovery_time(st, 'w') >= 0 && recovery_time(st, 'r') >= 0)
                        break;
                if (kp_mono_ns() - st->restore_mono >= st->opts.recovery_timeout_ns)
                        break;
                next += st->opts.probe_interval_ns;
                if (next > kp_mono_ns())
                        kp_sleep_until(next);
        }
        rd_kafka_flush(p, (int)(st->opts.probe_timeout_ns / KP_NS_PER_MS) + 1000);
        st->counting = 0;
        st->write_recovery_ns = recovery_time(st, 'w');
        st->read_recovery_ns = recovery_time(st, 'r');
        st->flow_done = 1;

        /* What the clients saw. */
        {
                size_t i;
                const char *cols[] = {"client error", "count"};
                kp_table_t *t;
                for (i = 0; i < st->n_probes; i++)
                        if (st->probes[i].ok == 0)
                                count_error(st, st->probes[i].kind, st->probes[i].err);
                t = kp_check_table(c, "What the clients saw during the revocation", cols, 2);
                for (i = 0; i < st->client_errors.n; i++) {
                        const char *row[] = {st->client_errors.items[i].key,
                                             st->client_errors.items[i].value};
                        kp_table_row(t, row);
                }
                {
                        char d[32];
                        const char *row[] = {"disconnects (transport errors)", d};
                        snprintf(d, sizeof(d), "%" PRIu64, st->disconnects);
                        kp_table_row(t, row);
                }
                kp_check_measure(c, "disconnects", (double)st->disconnects, "events");
                kp_check_measure(c, "probes", (double)st->n_probes, "probes");
        }
        emit_probe_events(st);
        plot_probes(ctx, st, c);

        if (kp_stop_requested()) {
                kp_check_error(c, "interrupted: the key was restored before exit");
                goto out;
        }
        rev_judge_write_effect(st, c);
out:
        if (st->revoked && !st->restored && !st->fatal) {
                /* Any early exit after the revocation still restores. */
                if (kp_revoke_undo(st->kms, j, &st->entry, &err) == 0) {
                        st->restored = 1;
                        st->restore_mono = kp_mono_ns();
                }
        }
        if (rkt)
                rd_kafka_topic_destroy(rkt);
        if (ctl)
                rd_kafka_destroy(ctl);
        if (p)
                rd_kafka_destroy(p);
        kp_journal_close(j);
        if (!st->flow_done && !st->fatal) {
                snprintf(st->fatal_buf, sizeof(st->fatal_buf),
                         "the revocation flow did not complete: %s", kp_check_reason(c));
                st->fatal = st->fatal_buf;
        }
}
