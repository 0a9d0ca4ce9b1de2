/*
 * runner: runs one suite of a scenario as a cmocka group and records every
 * check in the evidence.
 *
 * For each selected check the runner opens an evidence record, ends it in
 * error without running it when a check it needs (kp_check_def_t.needs) did
 * not end in pass or fail, else runs the check body, evaluates the suite's
 * gates on the check's measurements (verdict.h: a missed gate fails the
 * check, a gate that cannot be evaluated is recorded as such), closes the
 * record, checkpoints evidence.json and reports the verdict to cmocka (skip
 * -> skip(), fail/error -> fail_msg()). Crash signals keep their default
 * action while a check runs, so a crash ends the process instead of being
 * swallowed by cmocka. A suite whose setup fails marks the run incomplete.
 * Control actions the check performs are attached to it through the control
 * observer.
 */
#ifndef KP_RUNNER_H
#define KP_RUNNER_H

#include <stddef.h>

#include "config/config.h"
#include "util/err.h"
#include "evidence/evidence.h"
#include "platform/platform.h"
#include "evidence/rundir.h"
#include "evidence/suite.h"

struct kp_ctx {
        kp_platform_t *plat;
        const kp_scenario_t *scenario;
        const kp_suite_cfg_t *scfg;
        const kp_suite_def_t *suite;
        kp_rundir_t *rd;
        kp_evidence_t *ev;
        const char *run_id;
        void *suite_state;   /* owned by the suite's setup/teardown */
        kp_check_t *current; /* the check running now */
        const char *fatal;   /* set when the platform became unusable: remaining checks error */
};

/* Runs the suite's selected checks. Returns -1 only when the runner itself
 * could not work; check failures are verdicts, not errors. */
int kp_runner_run_suite(kp_ctx_t *ctx, kp_err_t *err);

/* Records every selected check of a suite as `error` with reason and marks
 * the run incomplete (the platform was unreachable, or setup failed). */
void kp_runner_error_all(kp_ctx_t *ctx, const char *reason);

/* "kproof-<run id>-<suffix>": a topic name unique to this run. */
void kp_ctx_topic(const kp_ctx_t *ctx, const char *suffix, char *out, size_t size);
/* Path of a run-directory file (inside the work directory). */
int kp_ctx_path(const kp_ctx_t *ctx, const char *rel, char *out, size_t size);

#endif
