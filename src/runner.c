#include "runner.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "events.h"
#include "fsutil.h"
#include "log.h"
#include "secret.h"
#include "signals.h"
#include "timeutil.h"

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

static void eval_gates(kp_ctx_t *ctx, kp_check_t *c, const kp_check_def_t *def)
{
        const kp_suite_def_t *s = ctx->suite;
        size_t i;

        for (i = 0; i < s->n_gates; i++) {
                const kp_gate_def_t *g = &s->gates[i];
                const kp_gate_cfg_t *gc;
                const char *op = g->op == KP_GATE_AT_MOST ? "<=" : ">=";
                kp_verdict_t v = kp_check_verdict(c);
                double threshold, observed;
                int passed;

                if (strcmp(g->check, def->id) != 0)
                        continue;
                gc = kp_suite_cfg_gate(ctx->scfg, g->name);
                if (!gc && !g->has_default)
                        continue;
                threshold = gc ? gc->threshold : g->default_threshold;
                if (v == KP_VERDICT_SKIP || v == KP_VERDICT_ERROR) {
                        kp_evidence_gate(ctx->ev, def->id, g->name, op, threshold, NAN, g->unit, 0,
                                         v == KP_VERDICT_SKIP
                                             ? "not evaluated: the check was skipped"
                                             : "not evaluated: the check ended in error");
                        continue;
                }
                if (kp_check_measurement(c, g->measurement, &observed) < 0) {
                        kp_evidence_gate(ctx->ev, def->id, g->name, op, threshold, NAN, g->unit, 0,
                                         "not evaluated: measurement missing");
                        kp_check_error(c, "gate %s: the check recorded no measurement \"%s\"",
                                       g->name, g->measurement);
                        continue;
                }
                passed = g->op == KP_GATE_AT_MOST ? observed <= threshold : observed >= threshold;
                kp_evidence_gate(ctx->ev, def->id, g->name, op, threshold, observed, g->unit,
                                 passed, NULL);
                if (!passed)
                        kp_check_fail(c, "gate %s missed: %s = %g %s, required %s %g", g->name,
                                      g->measurement, observed, g->unit, op, threshold);
        }
}

/* Runs one check and records it; returns its verdict and reason. */
static kp_verdict_t run_check(kp_ctx_t *ctx, const kp_check_def_t *def, char *reason,
                              size_t reason_size)
{
        kp_check_t *c;
        kp_event_t *e;
        kp_verdict_t v;
        int64_t t0 = kp_mono_ns();

        c = kp_evidence_check_begin(ctx->ev, def->id, def->row, ctx->suite->name, def->title);
        if (!c)
                return KP_VERDICT_ERROR;
        e = kp_event_new("check.start");
        kp_event_str(e, "check", def->id);
        kp_event_str(e, "row", def->row);
        kp_event_emit(e);
        if (kp_stop_requested()) {
                kp_check_error(c, "not run: kproof was interrupted");
        } else if (ctx->fatal) {
                kp_check_error(c, "not run: %s", ctx->fatal);
        } else {
                ctx->current = c;
                def->fn(ctx, c);
                ctx->current = NULL;
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
        kp_evidence_check_end(ctx->ev, c);
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
}

int kp_runner_run_suite(kp_ctx_t *ctx, kp_err_t *err)
{
        const kp_suite_def_t *s = ctx->suite;
        struct CMUnitTest *tests = NULL;
        slot_t *slots = NULL;
        char xml_path[4096], xml_rel[256];
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

        kp_err_clear(&serr);
        if (s->setup && s->setup(ctx, &serr) < 0) {
                char reason[1200];
                snprintf(reason, sizeof(reason), "suite setup failed: %s", serr.msg);
                kp_runner_error_all(ctx, reason);
                goto out;
        }
        kp_control_set_observer(ctx->plat->control, observe, ctx);

        /* cmocka writes its JUnit-style XML to a file of the run directory;
         * it is re-read and redacted afterwards like every other artifact. */
        snprintf(xml_rel, sizeof(xml_rel), "raw/cmocka-%s.xml", s->name);
        if (kp_ctx_path(ctx, xml_rel, xml_path, sizeof(xml_path)) == 0) {
                char dir[4096];
                kp_ctx_path(ctx, "raw", dir, sizeof(dir));
                kp_mkdir_p(dir, NULL);
                unlink(xml_path);
                setenv("CMOCKA_XML_FILE", xml_path, 1);
        }
        cmocka_set_message_output(CM_OUTPUT_XML);
        _cmocka_run_group_tests(s->name, tests, n, NULL, NULL);
        unsetenv("CMOCKA_XML_FILE");
        {
                kp_buf_t b;
                kp_buf_init(&b, 64 << 20);
                if (kp_read_file(xml_path, 64 << 20, &b, NULL) == 0)
                        kp_write_file(xml_path, kp_buf_cstr(&b), b.len, 0644, NULL);
                kp_buf_free(&b);
        }
        kp_control_set_observer(ctx->plat->control, NULL, NULL);
        if (s->teardown)
                s->teardown(ctx);
out:
        e = kp_event_new("suite.end");
        kp_event_str(e, "suite", s->name);
        kp_event_emit(e);
        free(tests);
        free(slots);
        return rc;
}
