#include "evidence/runner.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "evidence/events.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/secret.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "evidence/verdict.h"

typedef struct slot {
        kp_ctx_t *ctx;
        const kp_check_def_t *def;
} slot_t;

void kp_ctx_topic(const kp_ctx_t *ctx, const char *suffix, char *out, size_t size)
{
        snprintf(out, size, "kproof-%s-%s", ctx->run_id, suffix);
}

int kp_ctx_path(const kp_ctx_t *ctx, const char *rel, char *out, size_t size)
{
        return kp_rundir_path(ctx->rd, rel, out, size);
}

static void observe(void *opaque, const kp_ctl_req_t *req, const kp_ctl_res_t *res,
                    const kp_err_t *err)
{
        kp_ctx_t *ctx = opaque;

        if (res && ctx->current)
                kp_check_action(ctx->current, req, res, err);
}

/* Evaluates the suite's gates on a check that has its verdict (verdict.h
 * decides held, missed or not evaluated). A missed gate fails the check; a
 * gate that could not be evaluated is recorded as such and leaves the
 * check's own verdict and reason alone (the exit code counts it). */
static void eval_gates(kp_ctx_t *ctx, kp_check_t *c, const kp_check_def_t *def)
{
        const kp_suite_def_t *s = ctx->suite;
        size_t i;

        for (i = 0; i < s->n_gates; i++) {
                const kp_gate_def_t *g = &s->gates[i];
                const kp_gate_cfg_t *gc;
                const char *op = g->op == KP_GATE_AT_MOST ? "<=" : ">=", *why = NULL;
                double threshold, observed = NAN;
                kp_gate_result_t r;
                int has;

                if (strcmp(g->check, def->id) != 0)
                        continue;
                gc = kp_suite_cfg_gate(ctx->scfg, g->name);
                if (!gc && !g->has_default)
                        continue;
                threshold = gc ? gc->threshold : g->default_threshold;
                has = kp_check_measurement(c, g->measurement, &observed) == 0;
                r = kp_verdict_gate(kp_check_verdict(c), has, observed, g->op == KP_GATE_AT_MOST,
                                    threshold, &why);
                if (r == KP_GATE_NOT_EVALUATED) {
                        kp_evidence_gate_not_evaluated(
                            ctx->ev, def->id, g->name, op, threshold, g->unit, why,
                            kp_verdict_gate_blocks(gc != NULL, kp_check_verdict(c)));
                        kp_check_note(c, "gate %s (%s %s %g %s) %s", g->name, g->measurement, op,
                                      threshold, g->unit, why);
                        continue;
                }
                kp_evidence_gate(ctx->ev, def->id, g->name, op, threshold, observed, g->unit,
                                 r == KP_GATE_HELD, NULL);
                if (r == KP_GATE_MISSED)
                        kp_check_fail(c, "gate %s missed: %s = %g %s, required %s %g", g->name,
                                      g->measurement, observed, g->unit, op, threshold);
        }
}

/* The direction the suite declares for a measurement name (evidence "better"). */
static const char *declared_better(const char *name, const void *arg)
{
        const kp_measure_def_t *m = kp_suite_measure(arg, name);

        return m ? kp_better_name(m->better) : NULL;
}

/* The verdict a check gets without running when a check it needs
 * (def->needs) did not give it results: `skip` when that check was skipped
 * (what it needs does not apply to this target either), `error` when it was
 * not run or ended in error (nothing true to work from); KP_VERDICT_NONE
 * when every need ended in pass or fail. why says which and why. */
static kp_verdict_t needs_unmet(const kp_ctx_t *ctx, const kp_check_def_t *def, char *why,
                                size_t size)
{
        size_t i;

        for (i = 0; i < KP_CHECK_MAX_NEEDS && def->needs[i]; i++) {
                const char *id = def->needs[i];
                const kp_check_t *dep = kp_evidence_find_check(ctx->ev, id);
                kp_verdict_t v = dep ? kp_check_verdict(dep) : KP_VERDICT_NONE;

                if (!kp_suite_cfg_wants_check(ctx->scfg, id)) {
                        snprintf(why, size,
                                 "needs %s, which was not run (the scenario's checks list leaves "
                                 "it out)",
                                 id);
                        return KP_VERDICT_ERROR;
                }
                if (v == KP_VERDICT_NONE) {
                        snprintf(why, size, "needs %s, which was not run", id);
                        return KP_VERDICT_ERROR;
                }
                if (v != KP_VERDICT_PASS && v != KP_VERDICT_FAIL) {
                        snprintf(why, size, "needs %s, which ended in %s: %s", id,
                                 kp_verdict_name(v), kp_check_reason(dep));
                        return v == KP_VERDICT_SKIP ? KP_VERDICT_SKIP : KP_VERDICT_ERROR;
                }
        }
        return KP_VERDICT_NONE;
}

/* Signals of a crash. cmocka catches them around each test and longjmps out
 * of it, which would keep the verdict a check set before it crashed. While a
 * check runs they get their default action instead: the process dies, and
 * the supervisor (kproof run, see docs/ARCHITECTURE.md) records the check as
 * crashed. cmocka restores its own handlers after the test. */
static void crash_signals_default(void)
{
        static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS};
        size_t i;

        for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                signal(sigs[i], SIG_DFL);
}

static void *crash_thread(void *arg)
{
        (void)arg;
        raise(SIGSEGV);
        return NULL;
}

/* Test hook: KPROOF_TEST_CRASH=<check id>[:thread] crashes the process with
 * SIGSEGV right after that check's body set its verdict (":thread": from a
 * thread of its own, as a crash in a librdkafka thread would). Honoured only
 * on the embedded target; it can turn a run into an error, never into a
 * pass. */
static void test_crash_hook(const kp_ctx_t *ctx, const char *check_id)
{
        const char *h = getenv("KPROOF_TEST_CRASH");
        size_t n = strlen(check_id);
        pthread_t t;

        if (!h || !ctx->plat || !ctx->plat->target ||
            ctx->plat->target->control.type != KP_CONTROL_EMBEDDED)
                return;
        if (strncmp(h, check_id, n) != 0 || (h[n] != '\0' && strcmp(h + n, ":thread") != 0))
                return;
        kp_warn("KPROOF_TEST_CRASH: crashing in %s", check_id);
        if (h[n] == ':' && pthread_create(&t, NULL, crash_thread, NULL) == 0)
                pthread_join(t, NULL);
        raise(SIGSEGV);
}

/* Writes evidence.json with every check ended so far: what the supervisor
 * keeps if the process dies before the run ends. */
static void checkpoint(kp_ctx_t *ctx)
{
        char path[4096];
        kp_err_t err;

        if (!ctx->rd || kp_ctx_path(ctx, "evidence.json", path, sizeof(path)) < 0)
                return;
        kp_err_clear(&err);
        if (kp_evidence_write(ctx->ev, path, &err) < 0)
                kp_warn("evidence checkpoint: %s", err.msg);
}

/* Runs one check and records it; returns its verdict and reason. */
static kp_verdict_t run_check(kp_ctx_t *ctx, const kp_check_def_t *def, char *reason,
                              size_t reason_size)
{
        kp_check_t *c;
        kp_event_t *e;
        kp_verdict_t v;
        char why[1200];
        kp_verdict_t unmet;
        int64_t t0 = kp_mono_ns();

        c = kp_evidence_check_begin(ctx->ev, def->id, def->row, ctx->suite->name, def->title);
        if (!c)
                return KP_VERDICT_ERROR;
        e = kp_event_new("check.start");
        kp_event_str(e, "check", def->id);
        kp_event_str(e, "row", def->row);
        kp_event_str(e, "suite", ctx->suite->name);
        kp_event_str(e, "title", def->title);
        kp_event_emit(e);
        if (kp_stop_requested()) {
                kp_check_error(c, "not run: kproof was interrupted");
        } else if (ctx->fatal) {
                kp_check_error(c, "not run: %s", ctx->fatal);
                kp_evidence_mark_incomplete(ctx->ev, ctx->fatal);
        } else if ((unmet = needs_unmet(ctx, def, why, sizeof(why))) != KP_VERDICT_NONE) {
                if (unmet == KP_VERDICT_SKIP)
                        kp_check_skip(c, "%s", why);
                else
                        kp_check_error(c, "%s", why);
        } else {
                crash_signals_default();
                ctx->current = c;
                kp_progress_set_check(def->id);
                def->fn(ctx, c);
                kp_progress_set_check(NULL);
                ctx->current = NULL;
                test_crash_hook(ctx, def->id);
                if (kp_stop_requested()) {
                        /* What a cut-short check saw is kept as a note; its verdict is not
                         * trusted (a stopped consumer looks like lost data). */
                        if (kp_check_reason(c) && kp_check_reason(c)[0])
                                kp_check_note(c, "before the interruption: %s: %s",
                                              kp_verdict_name(kp_check_verdict(c)),
                                              kp_check_reason(c));
                        kp_check_error(c, "interrupted while running: the measurements cover "
                                          "only part of the workload");
                }
                eval_gates(ctx, c, def);
        }
        kp_check_mark_better(c, declared_better, ctx->suite);
        kp_evidence_check_end(ctx->ev, c);
        checkpoint(ctx);
        v = kp_check_verdict(c);
        e = kp_event_new("check.end");
        kp_event_str(e, "check", def->id);
        kp_event_str(e, "verdict", kp_verdict_name(v));
        kp_event_str(e, "reason", kp_check_reason(c));
        kp_event_emit(e);
        kp_info("[%s] %-40s %-5s (%.1f s) %s", ctx->suite->name, def->id, kp_verdict_name(v),
                (double)(kp_mono_ns() - t0) / 1e9, kp_check_reason(c));
        snprintf(reason, reason_size, "%s", kp_check_reason(c));
        return v;
}

/* cmocka test body: one kproof check. The reason is already redacted. */
static void cmocka_check(void **state)
{
        slot_t *s = *state;
        char reason[1024];
        kp_verdict_t v = run_check(s->ctx, s->def, reason, sizeof(reason));

        switch (v) {
        case KP_VERDICT_PASS:
                return;
        case KP_VERDICT_SKIP:
                skip();
                return;
        default:
                fail_msg("%s: %s", kp_verdict_name(v), reason);
        }
}

void kp_runner_error_all(kp_ctx_t *ctx, const char *reason)
{
        size_t i;

        for (i = 0; i < ctx->suite->n_checks; i++) {
                const kp_check_def_t *def = &ctx->suite->checks[i];
                kp_check_t *c;
                if (!kp_suite_cfg_wants_check(ctx->scfg, def->id))
                        continue;
                c = kp_evidence_check_begin(ctx->ev, def->id, def->row, ctx->suite->name,
                                            def->title);
                if (!c)
                        continue;
                kp_check_error(c, "%s", reason);
                kp_evidence_check_end(ctx->ev, c);
                kp_info("[%s] %-40s error %s", ctx->suite->name, def->id, reason);
        }
        /* checks that never ran leave the run incomplete */
        kp_evidence_mark_incomplete(ctx->ev, reason);
        checkpoint(ctx);
}

int kp_runner_run_suite(kp_ctx_t *ctx, kp_err_t *err)
{
        const kp_suite_def_t *s = ctx->suite;
        struct CMUnitTest *tests = NULL;
        slot_t *slots = NULL;
        char xml_path[4096] = "", xml_rel[256];
        kp_err_t serr;
        kp_event_t *e;
        size_t n = 0, i;
        int rc = 0;

        tests = calloc(s->n_checks, sizeof(*tests));
        slots = calloc(s->n_checks, sizeof(*slots));
        if (!tests || !slots) {
                free(tests);
                free(slots);
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        }
        for (i = 0; i < s->n_checks; i++) {
                if (!kp_suite_cfg_wants_check(ctx->scfg, s->checks[i].id))
                        continue;
                slots[n].ctx = ctx;
                slots[n].def = &s->checks[i];
                tests[n].name = s->checks[i].id;
                tests[n].test_func = cmocka_check;
                tests[n].initial_state = &slots[n];
                n++;
        }
        e = kp_event_new("suite.start");
        kp_event_str(e, "suite", s->name);
        kp_event_int(e, "checks", (int64_t)n);
        kp_event_emit(e);
        kp_info("suite %s: %zu check(s)", s->name, n);
        kp_progress_set_suite(s->name);

        kp_err_clear(&serr);
        if (s->setup && s->setup(ctx, &serr) < 0) {
                char reason[1200];
                snprintf(reason, sizeof(reason), "suite %s could not run: setup failed: %s",
                         s->name, serr.msg);
                kp_runner_error_all(ctx, reason);
                goto out;
        }
        if (ctx->plat && ctx->plat->control)
                kp_control_set_observer(ctx->plat->control, observe, ctx);

        /* cmocka writes its JUnit-style XML to a file of the run directory;
         * it is re-read and redacted afterwards like every other artifact. */
        snprintf(xml_rel, sizeof(xml_rel), "raw/cmocka-%s.xml", s->name);
        if (kp_ctx_path(ctx, xml_rel, xml_path, sizeof(xml_path)) == 0) {
                char dir[4096];
                if (kp_ctx_path(ctx, "raw", dir, sizeof(dir)) == 0)
                        kp_mkdir_p(dir, NULL);
                unlink(xml_path);
                setenv("CMOCKA_XML_FILE", xml_path, 1);
        } else {
                xml_path[0] = '\0';
                kp_warn("suite %s: run directory path too long; no cmocka XML", s->name);
        }
        cmocka_set_message_output(CM_OUTPUT_XML);
        _cmocka_run_group_tests(s->name, tests, n, NULL, NULL);
        unsetenv("CMOCKA_XML_FILE");
        if (xml_path[0]) {
                kp_buf_t b;
                kp_buf_init(&b, 64 << 20);
                if (kp_read_file(xml_path, 64 << 20, &b, NULL) == 0)
                        kp_write_file(xml_path, kp_buf_cstr(&b), b.len, 0644, NULL);
                kp_buf_free(&b);
        }
        if (ctx->plat && ctx->plat->control)
                kp_control_set_observer(ctx->plat->control, NULL, NULL);
        if (s->teardown)
                s->teardown(ctx);
out:
        kp_progress_set_suite(NULL);
        e = kp_event_new("suite.end");
        kp_event_str(e, "suite", s->name);
        kp_event_emit(e);
        free(tests);
        free(slots);
        return rc;
}
