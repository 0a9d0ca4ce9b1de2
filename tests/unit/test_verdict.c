/* Unit tests of verdict.h, kproof's verdict policy, as tables: adding a case
 * adds a line, no code. One table per rule: which verdict of a check wins,
 * the state of a row, a gate, the exit code of a run. A last table runs the
 * whole chain through evidence.c (checks of one row -> check, row and exit
 * code as evidence.json says them). */
#include "kptest.h"

#include <math.h>

#include <cjson/cJSON.h>

#include "evidence/evidence.h"
#include "sign/testresult.h"
#include "evidence/verdict.h"

/* 'p' pass, 's' skip, 'f' fail, 'e' error, 'n' none */
static kp_verdict_t of(char c)
{
        switch (c) {
        case 'p':
                return KP_VERDICT_PASS;
        case 's':
                return KP_VERDICT_SKIP;
        case 'f':
                return KP_VERDICT_FAIL;
        case 'e':
                return KP_VERDICT_ERROR;
        default:
                return KP_VERDICT_NONE;
        }
}

/* Verdicts set on one check in this order -> the verdict and reason kept
 * (the reason of the call that won, as its 1-based position). */
static const struct {
        const char *calls;
        kp_verdict_t want;
        int reason_of;
} check_cases[] = {
    {"p", KP_VERDICT_PASS, 1},
    {"pf", KP_VERDICT_FAIL, 2},
    {"fp", KP_VERDICT_FAIL, 1},
    {"ps", KP_VERDICT_SKIP, 2},
    {"sp", KP_VERDICT_SKIP, 1},
    {"fe", KP_VERDICT_ERROR, 2},
    {"ef", KP_VERDICT_ERROR, 1},
    {"ff", KP_VERDICT_FAIL, 1},
    {"pse", KP_VERDICT_ERROR, 3},
    {"sf", KP_VERDICT_FAIL, 2},
    {"pp", KP_VERDICT_PASS, 1},
    {"epfs", KP_VERDICT_ERROR, 1},
    /* a pass set before a crash or an interruption never survives the error */
    {"pe", KP_VERDICT_ERROR, 2},
};

static void test_check_verdict(void **state)
{
        static const kp_run_meta_t m = {.run_id = "r"};
        size_t i, k;

        (void)state;
        for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
                kp_evidence_t *ev = kp_evidence_new(&m);
                kp_check_t *c = kp_evidence_check_begin(ev, "x.y", "kafka-semantics", "x", "t");
                char want[16];
                for (k = 0; check_cases[i].calls[k]; k++) {
                        switch (check_cases[i].calls[k]) {
                        case 'p':
                                kp_check_pass(c, "%zu", k + 1);
                                break;
                        case 's':
                                kp_check_skip(c, "%zu", k + 1);
                                break;
                        case 'f':
                                kp_check_fail(c, "%zu", k + 1);
                                break;
                        default:
                                kp_check_error(c, "%zu", k + 1);
                        }
                }
                snprintf(want, sizeof(want), "%d", check_cases[i].reason_of);
                if (kp_check_verdict(c) != check_cases[i].want ||
                    strcmp(kp_check_reason(c), want) != 0)
                        fail_msg("calls %s: got %s (%s), want %s (%s)", check_cases[i].calls,
                                 kp_verdict_name(kp_check_verdict(c)), kp_check_reason(c),
                                 kp_verdict_name(check_cases[i].want), want);
                kp_evidence_free(ev);
        }
}

/* The verdicts of a row's checks -> the row's state. */
static const struct {
        const char *checks;
        const char *want;
} row_cases[] = {
    {"", "NOT TESTED"}, {"p", "PASS"},     {"pp", "PASS"}, {"ps", "PARTIAL"}, {"pss", "PARTIAL"},
    {"s", "SKIPPED"},   {"ss", "SKIPPED"}, {"e", "ERROR"}, {"pe", "ERROR"},   {"se", "ERROR"},
    {"pse", "ERROR"},   {"n", "ERROR"},    {"f", "FAIL"},  {"pf", "FAIL"},    {"fe", "FAIL"},
    {"sf", "FAIL"},     {"psef", "FAIL"},
};

static void test_row_state(void **state)
{
        size_t i, k;

        (void)state;
        for (i = 0; i < sizeof(row_cases) / sizeof(row_cases[0]); i++) {
                kp_tally_t t;
                const char *got;
                memset(&t, 0, sizeof(t));
                for (k = 0; row_cases[i].checks[k]; k++)
                        kp_tally_add(&t, of(row_cases[i].checks[k]));
                got = kp_row_state_name(kp_verdict_row(&t));
                if (strcmp(got, row_cases[i].want) != 0)
                        fail_msg("row of \"%s\": got %s, want %s", row_cases[i].checks, got,
                                 row_cases[i].want);
        }
}

/* A gate: the check's verdict, whether the measurement exists, its value,
 * the comparison -> held, missed or not evaluated (and why). */
static const struct {
        char check;
        int has;
        double observed;
        int at_most;
        double threshold;
        kp_gate_result_t want;
        const char *why;
} gate_cases[] = {
    {'p', 1, 0, 1, 0, KP_GATE_HELD, NULL},
    {'p', 1, 1, 1, 0, KP_GATE_MISSED, NULL},
    {'p', 1, 5, 0, 5, KP_GATE_HELD, NULL},
    {'p', 1, 4.9, 0, 5, KP_GATE_MISSED, NULL},
    {'f', 1, 3, 1, 0, KP_GATE_MISSED, NULL},
    {'f', 1, 0, 1, 0, KP_GATE_HELD, NULL},
    {'s', 1, 0, 1, 0, KP_GATE_NOT_EVALUATED, "skipped"},
    {'e', 1, 0, 1, 0, KP_GATE_NOT_EVALUATED, "error"},
    {'n', 0, 0, 1, 0, KP_GATE_NOT_EVALUATED, "error"},
    {'p', 0, 0, 1, 0, KP_GATE_NOT_EVALUATED, "no such measurement"},
    {'f', 0, 0, 1, 0, KP_GATE_NOT_EVALUATED, "no such measurement"},
    {'p', 1, NAN, 1, 0, KP_GATE_NOT_EVALUATED, "no such measurement"},
};

static void test_gate(void **state)
{
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(gate_cases) / sizeof(gate_cases[0]); i++) {
                const char *why = "unset";
                kp_gate_result_t r = kp_verdict_gate(of(gate_cases[i].check), gate_cases[i].has,
                                                     gate_cases[i].observed, gate_cases[i].at_most,
                                                     gate_cases[i].threshold, &why);
                if (r != gate_cases[i].want)
                        fail_msg("gate case %zu: got %d, want %d", i, r, gate_cases[i].want);
                if (gate_cases[i].why)
                        assert_contains(why, gate_cases[i].why);
                else
                        assert_null(why);
        }
}

/* A gate not evaluated: set by the scenario or a suite default, the
 * check's verdict -> whether it keeps the run from exit 0. */
static const struct {
        int set_by_scenario;
        char check;
        int want;
} blocks_cases[] = {
    {1, 's', 1}, {1, 'e', 1}, {1, 'p', 1}, {1, 'f', 1},
    {0, 's', 0}, {0, 'e', 0}, {0, 'p', 1}, {0, 'f', 1},
};

static void test_gate_blocks(void **state)
{
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(blocks_cases) / sizeof(blocks_cases[0]); i++)
                if (kp_verdict_gate_blocks(blocks_cases[i].set_by_scenario,
                                           of(blocks_cases[i].check)) != blocks_cases[i].want)
                        fail_msg("blocks case %zu: want %d", i, blocks_cases[i].want);
}

/* A run: its check verdicts, gates missed / not evaluated, skipped rows,
 * complete, allow_all_skipped -> exit code and run verdict. */
static const struct {
        const char *checks;
        int missed, not_evaluated, rows_skipped, complete, allow_all_skipped;
        int want;
        const char *verdict; /* summary.verdict, in step with the exit code */
} exit_cases[] = {
    {"pp", 0, 0, 0, 1, 0, KP_EXIT_OK, "PASS"},
    {"ps", 0, 0, 0, 1, 0, KP_EXIT_OK, "PASS"},
    {"pf", 0, 0, 0, 1, 0, KP_EXIT_FAIL, "FAIL"},
    {"pp", 1, 0, 0, 1, 0, KP_EXIT_FAIL, "FAIL"},
    {"pe", 0, 0, 0, 1, 0, KP_EXIT_INFRA, "ERROR"},
    {"pn", 0, 0, 0, 1, 0, KP_EXIT_INFRA, "ERROR"},
    {"fe", 0, 0, 0, 1, 0, KP_EXIT_FAIL, "FAIL"}, /* a finding outranks an error */
    /* case 3: a gate that could not be evaluated is not green */
    {"pp", 0, 1, 0, 1, 0, KP_EXIT_FAIL, "NOT VERIFIED"},
    {"pe", 0, 1, 0, 1, 0, KP_EXIT_INFRA, "ERROR"}, /* unless something worse */
    /* case 4: nothing verified */
    {"ss", 0, 0, 1, 1, 0, KP_EXIT_FAIL, "NOT VERIFIED"},
    {"", 0, 0, 0, 1, 0, KP_EXIT_FAIL, "NOT VERIFIED"},
    {"ss", 0, 0, 1, 1, 1, KP_EXIT_OK, "PASS"},
    {"ps", 0, 0, 1, 1, 0, KP_EXIT_FAIL, "NOT VERIFIED"}, /* a row whose checks all skipped */
    {"ps", 0, 0, 1, 1, 1, KP_EXIT_OK, "PASS"},
    {"ss", 0, 1, 1, 1, 1, KP_EXIT_FAIL, "NOT VERIFIED"},
    /* cases 1 and 13: an incomplete run proves nothing either way */
    {"pp", 0, 0, 0, 0, 0, KP_EXIT_INFRA, "INCOMPLETE"},
    {"pf", 1, 0, 0, 0, 0, KP_EXIT_INFRA, "INCOMPLETE"},
    {"ss", 0, 0, 1, 0, 1, KP_EXIT_INFRA, "INCOMPLETE"},
};

static void test_exit_code(void **state)
{
        size_t i, k;

        (void)state;
        for (i = 0; i < sizeof(exit_cases) / sizeof(exit_cases[0]); i++) {
                kp_run_outcome_t o;
                int got;
                memset(&o, 0, sizeof(o));
                for (k = 0; exit_cases[i].checks[k]; k++)
                        kp_tally_add(&o.checks, of(exit_cases[i].checks[k]));
                o.gates_missed = exit_cases[i].missed;
                o.gates_not_evaluated = exit_cases[i].not_evaluated;
                o.rows_skipped = exit_cases[i].rows_skipped;
                o.complete = exit_cases[i].complete;
                o.allow_all_skipped = exit_cases[i].allow_all_skipped;
                got = kp_verdict_exit_code(&o);
                if (got != exit_cases[i].want)
                        fail_msg("exit case %zu (\"%s\"): got %d, want %d", i, exit_cases[i].checks,
                                 got, exit_cases[i].want);
                if (strcmp(kp_run_verdict_name(kp_verdict_run(&o)), exit_cases[i].verdict) != 0)
                        fail_msg("exit case %zu (\"%s\"): run verdict %s, want %s", i,
                                 exit_cases[i].checks, kp_run_verdict_name(kp_verdict_run(&o)),
                                 exit_cases[i].verdict);
        }
}

/* The chain through evidence.c: checks of the key-authority row (and, when
 * other is set, one passing check of another row), complete or not ->
 * the row's state and the exit code in the summary evidence.c derives. */
static const struct {
        const char *checks;
        int other_pass, complete, allow_all_skipped;
        const char *row;
        int exit_code;
} chain_cases[] = {
    {"pp", 0, 1, 0, "PASS", KP_EXIT_OK},     {"ss", 0, 1, 0, "SKIPPED", KP_EXIT_FAIL},
    {"ss", 0, 1, 1, "SKIPPED", KP_EXIT_OK},  {"ss", 1, 1, 0, "SKIPPED", KP_EXIT_FAIL},
    {"ee", 0, 1, 0, "ERROR", KP_EXIT_INFRA}, {"pe", 1, 1, 0, "ERROR", KP_EXIT_INFRA},
    {"pf", 0, 1, 0, "FAIL", KP_EXIT_FAIL},   {"ps", 0, 1, 0, "PARTIAL", KP_EXIT_OK},
    {"pp", 0, 0, 0, "PASS", KP_EXIT_INFRA},  {"", 1, 1, 0, "NOT TESTED", KP_EXIT_OK},
};

static void test_chain(void **state)
{
        size_t i, k;

        (void)state;
        for (i = 0; i < sizeof(chain_cases) / sizeof(chain_cases[0]); i++) {
                kp_run_meta_t m = {.run_id = "r",
                                   .allow_all_skipped = chain_cases[i].allow_all_skipped};
                kp_evidence_t *ev = kp_evidence_new(&m);
                kp_evidence_summary_t s;
                kp_tally_t t;
                char id[32];
                memset(&t, 0, sizeof(t));
                for (k = 0; chain_cases[i].checks[k]; k++) {
                        kp_check_t *c;
                        snprintf(id, sizeof(id), "revocation.c%zu", k);
                        c = kp_evidence_check_begin(ev, id, "key-authority", "revocation", id);
                        if (chain_cases[i].checks[k] == 'p')
                                kp_check_pass(c, "measured");
                        else if (chain_cases[i].checks[k] == 's')
                                kp_check_skip(c, "cannot run here");
                        else if (chain_cases[i].checks[k] == 'f')
                                kp_check_fail(c, "finding");
                        else
                                kp_check_error(c, "broken");
                        kp_evidence_check_end(ev, c);
                        kp_tally_add(&t, of(chain_cases[i].checks[k]));
                }
                if (chain_cases[i].other_pass) {
                        kp_check_t *c = kp_evidence_check_begin(
                            ev, "semantics.x", "kafka-semantics", "semantics", "x");
                        kp_check_pass(c, "measured");
                        kp_evidence_check_end(ev, c);
                }
                kp_evidence_finish(ev, chain_cases[i].complete, "interrupted");
                kp_evidence_summarize(ev, &s);
                if (strcmp(kp_row_state_name(kp_verdict_row(&t)), chain_cases[i].row) != 0 ||
                    s.exit_code != chain_cases[i].exit_code)
                        fail_msg("chain case %zu (\"%s\"): row %s exit %d, want %s exit %d", i,
                                 chain_cases[i].checks, kp_row_state_name(kp_verdict_row(&t)),
                                 s.exit_code, chain_cases[i].row, chain_cases[i].exit_code);
                assert_int_equal(kp_evidence_complete(ev), chain_cases[i].complete);
                kp_evidence_free(ev);
        }
}

/* Something that marked the run incomplete (a suite that could not run, a
 * crash) wins over a later "complete" from the caller. */
static void test_mark_incomplete(void **state)
{
        static const kp_run_meta_t m = {.run_id = "r"};
        kp_evidence_t *ev = kp_evidence_new(&m);
        kp_evidence_summary_t s;
        kp_check_t *c = kp_evidence_check_begin(ev, "a.b", "kafka-semantics", "a", "t");

        (void)state;
        kp_check_pass(c, "ok");
        kp_evidence_check_end(ev, c);
        kp_evidence_mark_incomplete(ev, "suite a could not run: setup failed");
        kp_evidence_mark_incomplete(ev, "second reason is not kept");
        kp_evidence_finish(ev, 1, NULL);
        kp_evidence_summarize(ev, &s);
        assert_int_equal(kp_evidence_complete(ev), 0);
        assert_int_equal(s.exit_code, KP_EXIT_INFRA);
        kp_evidence_free(ev);
}

/* The in-toto test-result attestation: a run's exit code, check verdicts
 * and gates not evaluated -> PASSED / WARNED / FAILED. */
static const struct {
        int exit_code;
        const char *checks;
        int not_evaluated;
        kp_test_result_t want;
} test_result_cases[] = {
    {KP_EXIT_OK, "ppp", 0, KP_TEST_PASSED},
    {KP_EXIT_OK, "pps", 0, KP_TEST_WARNED},   /* something was not verified */
    {KP_EXIT_OK, "ss", 0, KP_TEST_WARNED},    /* allow_all_skipped */
    {KP_EXIT_OK, "pp", 1, KP_TEST_WARNED},    /* a gate not evaluated that does not block */
    {KP_EXIT_FAIL, "pf", 0, KP_TEST_FAILED},  /* a finding */
    {KP_EXIT_FAIL, "pp", 0, KP_TEST_FAILED},  /* a gate missed */
    {KP_EXIT_FAIL, "ss", 0, KP_TEST_FAILED},  /* nothing verified */
    {KP_EXIT_INFRA, "pe", 0, KP_TEST_FAILED}, /* an error */
    {KP_EXIT_INFRA, "pp", 0, KP_TEST_FAILED}, /* an incomplete run */
    {-1, "pp", 0, KP_TEST_FAILED},            /* no exit code recorded */
};

static void test_test_result(void **state)
{
        size_t i, k;

        (void)state;
        for (i = 0; i < sizeof(test_result_cases) / sizeof(test_result_cases[0]); i++) {
                kp_tally_t t = {0};
                kp_test_result_t got;
                for (k = 0; test_result_cases[i].checks[k]; k++)
                        kp_tally_add(&t, of(test_result_cases[i].checks[k]));
                got = kp_verdict_test_result(test_result_cases[i].exit_code, &t,
                                             test_result_cases[i].not_evaluated);
                if (got != test_result_cases[i].want)
                        fail_msg("test-result case %zu: got %s, want %s", i,
                                 kp_test_result_name(got),
                                 kp_test_result_name(test_result_cases[i].want));
        }
        assert_int_equal(kp_verdict_test_of_check(KP_VERDICT_PASS), KP_TEST_PASSED);
        assert_int_equal(kp_verdict_test_of_check(KP_VERDICT_SKIP), KP_TEST_WARNED);
        assert_int_equal(kp_verdict_test_of_check(KP_VERDICT_FAIL), KP_TEST_FAILED);
        assert_int_equal(kp_verdict_test_of_check(KP_VERDICT_ERROR), KP_TEST_FAILED);
        assert_int_equal(kp_verdict_test_of_check(KP_VERDICT_NONE), KP_TEST_FAILED);
        assert_string_equal(kp_test_result_name(KP_TEST_PASSED), "PASSED");
        assert_string_equal(kp_test_result_name(KP_TEST_WARNED), "WARNED");
        assert_string_equal(kp_test_result_name(KP_TEST_FAILED), "FAILED");
}

/* The predicate from an evidence.json: the spec's fields only, checks
 * sorted into the three lists in the run's order, the scenario and target
 * files as ResourceDescriptors. */
static void test_test_result_predicate(void **state)
{
        static const char ev_text[] =
            "{\"run\":{\"scenario\":{\"name\":\"s\",\"path\":\"scenarios/s.json\",\"sha256\":"
            "\"aa\"},\"target\":{\"name\":\"t\",\"sha256\":\"bb\"}},"
            "\"summary\":{\"exit_code\":3,\"gates_not_evaluated\":0},"
            "\"checks\":[{\"id\":\"a\",\"verdict\":\"error\"},{\"id\":\"b\",\"verdict\":"
            "\"pass\"},{\"id\":\"c\",\"verdict\":\"skip\"},{\"id\":\"d\",\"verdict\":"
            "\"fail\"},{\"id\":\"e\",\"verdict\":\"odd\"},{\"id\":\"f\",\"verdict\":"
            "\"pass\"}]}";
        static const char want[] =
            "{\"result\":\"FAILED\",\"configuration\":[{\"name\":\"scenarios/s.json\","
            "\"digest\":{\"sha256\":\"aa\"},\"annotations\":{\"role\":\"scenario\",\"name\":"
            "\"s\"}},{\"name\":\"t\",\"digest\":{\"sha256\":\"bb\"},\"annotations\":{"
            "\"role\":\"target\",\"name\":\"t\"}}],\"passedTests\":[\"b\",\"f\"],"
            "\"warnedTests\":[\"c\"],\"failedTests\":[\"a\",\"d\",\"e\"]}";
        cJSON *ev = cJSON_Parse(ev_text), *pred;
        char *text;

        (void)state;
        assert_non_null(ev);
        pred = kp_testresult_predicate(ev);
        text = cJSON_PrintUnformatted(pred);
        assert_string_equal(text, want);
        free(text);
        cJSON_Delete(pred);
        /* exit 0 with a skip: WARNED */
        cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, "summary"),
                                               "exit_code", cJSON_CreateNumber(0));
        pred = kp_testresult_predicate(ev);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(pred, "result")->valuestring,
                            "WARNED");
        cJSON_Delete(pred);
        cJSON_Delete(ev);
        /* no evidence at all: FAILED, nothing listed */
        pred = kp_testresult_predicate(NULL);
        text = cJSON_PrintUnformatted(pred);
        assert_string_equal(text, "{\"result\":\"FAILED\",\"configuration\":[],\"passedTests\":"
                                  "[],\"warnedTests\":[],\"failedTests\":[]}");
        free(text);
        cJSON_Delete(pred);
}

/* Verdict names round-trip (the supervisor reads them back from a
 * checkpoint). */
static void test_names(void **state)
{
        static const kp_verdict_t all[] = {KP_VERDICT_PASS, KP_VERDICT_SKIP, KP_VERDICT_FAIL,
                                           KP_VERDICT_ERROR};
        kp_verdict_t v;
        size_t i;

        (void)state;
        for (i = 0; i < 4; i++) {
                assert_int_equal(kp_verdict_parse(kp_verdict_name(all[i]), &v), 0);
                assert_int_equal(v, all[i]);
        }
        assert_int_equal(kp_verdict_parse("none", &v), -1);
        assert_int_equal(kp_verdict_parse("PASS", &v), -1);
        assert_int_equal(kp_verdict_parse(NULL, &v), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_check_verdict),
            cmocka_unit_test(test_row_state),
            cmocka_unit_test(test_gate),
            cmocka_unit_test(test_gate_blocks),
            cmocka_unit_test(test_exit_code),
            cmocka_unit_test(test_chain),
            cmocka_unit_test(test_mark_incomplete),
            cmocka_unit_test(test_names),
            cmocka_unit_test(test_test_result),
            cmocka_unit_test(test_test_result_predicate),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
