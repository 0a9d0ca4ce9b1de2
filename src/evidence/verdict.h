/*
 * verdict: kproof's verdict policy, in one place.
 *
 * Which verdict of a check wins when a check body, a gate or the runner set
 * several; how the verdicts of a row's checks make the row's state; when a
 * gate held, was missed or could not be evaluated; and which exit code a run
 * ends with. evidence.c only applies these rules while building the
 * document, and the renderers only show what evidence.json says, so an
 * auditor reads one module to know what a PASS means. Pure functions, no
 * state; tests/unit/test_verdict.c holds the policy as a table.
 */
#ifndef KP_VERDICT_H
#define KP_VERDICT_H

typedef enum kp_verdict {
        KP_VERDICT_NONE = 0,
        KP_VERDICT_PASS,
        KP_VERDICT_SKIP,
        KP_VERDICT_FAIL,
        KP_VERDICT_ERROR,
} kp_verdict_t;

/* "pass", "skip", "fail", "error" ("none" before a verdict is set). */
const char *kp_verdict_name(kp_verdict_t v);
/* The inverse of kp_verdict_name; 0 when name is one of them. */
int kp_verdict_parse(const char *name, kp_verdict_t *v);

/* Whether setting `next` on a check whose verdict is `cur` (with a reason
 * already, or not) replaces it: the most severe verdict wins (error > fail >
 * skip > pass) and, at equal severity, the first reason is kept. */
int kp_verdict_replaces(kp_verdict_t cur, int cur_has_reason, kp_verdict_t next);

/* Counts of check verdicts (a run's, or one row's). NONE counts as error. */
typedef struct kp_tally {
        int checks, pass, fail, skip, error;
} kp_tally_t;

void kp_tally_add(kp_tally_t *t, kp_verdict_t v);

/* The state of a checklist row, from its checks:
 *   FAIL        a check failed;
 *   ERROR       no check failed, and one ended in error (the row's answer is unknown);
 *   PARTIAL     some passed, others were skipped with a reason;
 *   PASS        every check passed;
 *   SKIPPED     the scenario covered the row but every check was skipped;
 *   NOT TESTED  the scenario ran no check of this row. */
typedef enum kp_row_state {
        KP_ROW_NOT_TESTED = 0,
        KP_ROW_PASS,
        KP_ROW_PARTIAL,
        KP_ROW_SKIPPED,
        KP_ROW_ERROR,
        KP_ROW_FAIL,
} kp_row_state_t;

kp_row_state_t kp_verdict_row(const kp_tally_t *t);
const char *kp_row_state_name(kp_row_state_t s);

typedef enum kp_gate_result {
        KP_GATE_HELD = 0,
        KP_GATE_MISSED,
        KP_GATE_NOT_EVALUATED,
} kp_gate_result_t;

/* A gate compares a check's measurement with a threshold (at_most: observed
 * <= threshold, else observed >= threshold). It is not evaluated when its
 * check was skipped or ended in error or did not record the measurement
 * (has_observed 0); *why then says which (never NULL for NOT_EVALUATED). A
 * gate that was not evaluated leaves the check's verdict and reason alone. */
kp_gate_result_t kp_verdict_gate(kp_verdict_t check, int has_observed, double observed, int at_most,
                                 double threshold, const char **why);

/* Whether a gate that was not evaluated keeps the run from exit 0: always
 * when the scenario set the gate (a CI gate pointed at the wrong target must
 * not be green), and when the check passed or failed without recording the
 * measurement (a defect). A suite's default gate on a check that was
 * skipped or ended in error does not: the check's own verdict already
 * counts. */
int kp_verdict_gate_blocks(int set_by_scenario, kp_verdict_t check);

/* What a run ended with, as far as the exit code cares. */
typedef struct kp_run_outcome {
        int complete; /* every selected check ran to a verdict */
        kp_tally_t checks;
        int gates_missed;
        int gates_not_evaluated; /* those that block (kp_verdict_gate_blocks) */
        int rows_skipped;        /* rows in state SKIPPED */
        int allow_all_skipped;   /* scenario: skipped rows and an all-skip run are acceptable */
} kp_run_outcome_t;

/* The exit code, first rule that applies:
 *   3  the run is incomplete (interrupted, crashed, a suite could not run);
 *   1  a check failed or a gate was missed;
 *   3  a check ended in error;
 *   1  a gate could not be evaluated;
 *   1  nothing was verified (no check passed) or a row's checks all
 *      skipped, unless the scenario allows it (allow_all_skipped);
 *   0  otherwise. */
int kp_verdict_exit_code(const kp_run_outcome_t *o);

/* The in-toto test-result attestation (predicate
 * https://in-toto.io/attestation/test-result/v0.1) speaks PASSED, WARNED
 * and FAILED. A run is
 *   PASSED  exit code 0, no check skipped and no gate left not evaluated;
 *   WARNED  exit code 0, but a check was skipped or a gate not evaluated
 *           (what was verified held; something was not verified);
 *   FAILED  any other exit code (1 a check failed, a gate was missed or
 *           nothing was verified; 3 an error or an incomplete run).
 * A check is listed in passedTests when it passed, warnedTests when it was
 * skipped, failedTests when it failed or ended in error (or has no verdict). */
typedef enum kp_test_result {
        KP_TEST_PASSED = 0,
        KP_TEST_WARNED,
        KP_TEST_FAILED,
} kp_test_result_t;

kp_test_result_t kp_verdict_test_result(int exit_code, const kp_tally_t *checks,
                                        int gates_not_evaluated);
kp_test_result_t kp_verdict_test_of_check(kp_verdict_t v);
/* "PASSED", "WARNED", "FAILED". */
const char *kp_test_result_name(kp_test_result_t r);

/* Whether the run verified nothing: no check passed. */
int kp_verdict_nothing_verified(const kp_run_outcome_t *o);

/* The run's verdict in one word, in step with kp_verdict_exit_code:
 *   INCOMPLETE    the run is incomplete (exit 3);
 *   FAIL          a check failed or a gate was missed (exit 1);
 *   ERROR         a check ended in error (exit 3);
 *   NOT VERIFIED  a gate could not be evaluated, or nothing / a row was not
 *                 verified and the scenario does not allow it (exit 1);
 *   PASS          otherwise (exit 0). */
typedef enum kp_run_verdict {
        KP_RUN_PASS = 0,
        KP_RUN_FAIL,
        KP_RUN_NOT_VERIFIED,
        KP_RUN_ERROR,
        KP_RUN_INCOMPLETE,
} kp_run_verdict_t;

kp_run_verdict_t kp_verdict_run(const kp_run_outcome_t *o);
const char *kp_run_verdict_name(kp_run_verdict_t v);

#endif
