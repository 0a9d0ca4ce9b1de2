#include "evidence/verdict.h"

#include <string.h>

#include "util/err.h"

const char *kp_verdict_name(kp_verdict_t v)
{
        switch (v) {
        case KP_VERDICT_PASS:
                return "pass";
        case KP_VERDICT_SKIP:
                return "skip";
        case KP_VERDICT_FAIL:
                return "fail";
        case KP_VERDICT_ERROR:
                return "error";
        default:
                return "none";
        }
}

int kp_verdict_parse(const char *name, kp_verdict_t *v)
{
        static const kp_verdict_t all[] = {KP_VERDICT_PASS, KP_VERDICT_SKIP, KP_VERDICT_FAIL,
                                           KP_VERDICT_ERROR};
        size_t i;

        for (i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
                if (strcmp(name, kp_verdict_name(all[i])) == 0) {
                        *v = all[i];
                        return 0;
                }
        return -1;
}

static int severity(kp_verdict_t v)
{
        switch (v) {
        case KP_VERDICT_PASS:
                return 1;
        case KP_VERDICT_SKIP:
                return 2;
        case KP_VERDICT_FAIL:
                return 3;
        case KP_VERDICT_ERROR:
                return 4;
        default:
                return 0;
        }
}

int kp_verdict_replaces(kp_verdict_t cur, int cur_has_reason, kp_verdict_t next)
{
        if (severity(next) < severity(cur))
                return 0;
        if (severity(next) == severity(cur) && cur_has_reason)
                return 0;
        return 1;
}

void kp_tally_add(kp_tally_t *t, kp_verdict_t v)
{
        t->checks++;
        switch (v) {
        case KP_VERDICT_PASS:
                t->pass++;
                break;
        case KP_VERDICT_SKIP:
                t->skip++;
                break;
        case KP_VERDICT_FAIL:
                t->fail++;
                break;
        default:
                t->error++;
                break;
        }
}

kp_row_state_t kp_verdict_row(const kp_tally_t *t)
{
        if (t->checks == 0)
                return KP_ROW_NOT_TESTED;
        if (t->fail)
                return KP_ROW_FAIL;
        if (t->error || t->checks != t->pass + t->skip)
                return KP_ROW_ERROR;
        if (t->pass && t->skip)
                return KP_ROW_PARTIAL;
        if (t->pass)
                return KP_ROW_PASS;
        return KP_ROW_SKIPPED;
}

const char *kp_row_state_name(kp_row_state_t s)
{
        switch (s) {
        case KP_ROW_PASS:
                return "PASS";
        case KP_ROW_PARTIAL:
                return "PARTIAL";
        case KP_ROW_SKIPPED:
                return "SKIPPED";
        case KP_ROW_ERROR:
                return "ERROR";
        case KP_ROW_FAIL:
                return "FAIL";
        default:
                return "NOT TESTED";
        }
}

kp_gate_result_t kp_verdict_gate(kp_verdict_t check, int has_observed, double observed, int at_most,
                                 double threshold, const char **why)
{
        *why = NULL;
        if (check == KP_VERDICT_SKIP) {
                *why = "not evaluated: the check was skipped";
                return KP_GATE_NOT_EVALUATED;
        }
        if (check == KP_VERDICT_ERROR || check == KP_VERDICT_NONE) {
                *why = "not evaluated: the check ended in error";
                return KP_GATE_NOT_EVALUATED;
        }
        if (!has_observed || observed != observed) {
                *why = "not evaluated: the check recorded no such measurement";
                return KP_GATE_NOT_EVALUATED;
        }
        if (at_most ? observed <= threshold : observed >= threshold)
                return KP_GATE_HELD;
        return KP_GATE_MISSED;
}

int kp_verdict_gate_blocks(int set_by_scenario, kp_verdict_t check)
{
        return set_by_scenario || check == KP_VERDICT_PASS || check == KP_VERDICT_FAIL;
}

int kp_verdict_nothing_verified(const kp_run_outcome_t *o)
{
        return o->checks.pass == 0;
}

int kp_verdict_exit_code(const kp_run_outcome_t *o)
{
        if (!o->complete)
                return KP_EXIT_INFRA; /* an incomplete run proves nothing either way */
        if (o->checks.fail || o->gates_missed)
                return KP_EXIT_FAIL;
        if (o->checks.error || o->checks.checks != o->checks.pass + o->checks.skip)
                return KP_EXIT_INFRA;
        if (o->gates_not_evaluated)
                return KP_EXIT_FAIL; /* a CI gate pointed at the wrong target is not green */
        if (!o->allow_all_skipped && (kp_verdict_nothing_verified(o) || o->rows_skipped))
                return KP_EXIT_FAIL;
        return KP_EXIT_OK;
}

kp_test_result_t kp_verdict_test_result(int exit_code, const kp_tally_t *checks,
                                        int gates_not_evaluated)
{
        if (exit_code != KP_EXIT_OK)
                return KP_TEST_FAILED;
        if (checks->skip || gates_not_evaluated)
                return KP_TEST_WARNED;
        return KP_TEST_PASSED;
}

kp_test_result_t kp_verdict_test_of_check(kp_verdict_t v)
{
        switch (v) {
        case KP_VERDICT_PASS:
                return KP_TEST_PASSED;
        case KP_VERDICT_SKIP:
                return KP_TEST_WARNED;
        default:
                return KP_TEST_FAILED;
        }
}

const char *kp_test_result_name(kp_test_result_t r)
{
        switch (r) {
        case KP_TEST_PASSED:
                return "PASSED";
        case KP_TEST_WARNED:
                return "WARNED";
        default:
                return "FAILED";
        }
}

kp_run_verdict_t kp_verdict_run(const kp_run_outcome_t *o)
{
        if (!o->complete)
                return KP_RUN_INCOMPLETE;
        if (o->checks.fail || o->gates_missed)
                return KP_RUN_FAIL;
        if (o->checks.error || o->checks.checks != o->checks.pass + o->checks.skip)
                return KP_RUN_ERROR;
        if (kp_verdict_exit_code(o) != KP_EXIT_OK)
                return KP_RUN_NOT_VERIFIED;
        return KP_RUN_PASS;
}

const char *kp_run_verdict_name(kp_run_verdict_t v)
{
        switch (v) {
        case KP_RUN_PASS:
                return "PASS";
        case KP_RUN_FAIL:
                return "FAIL";
        case KP_RUN_NOT_VERIFIED:
                return "NOT VERIFIED";
        case KP_RUN_ERROR:
                return "ERROR";
        default:
                return "INCOMPLETE";
        }
}
