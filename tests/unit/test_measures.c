/*
 * Measurement declarations: every builtin suite declares each measurement
 * name once, every gate's measurement is declared with the gate's direction
 * (at most: lower is better, at least: higher), patterns cover the names
 * built at run time, and the direction is recorded into evidence.json as
 * "better" (left out for an undeclared name, never guessed).
 */
#include "kptest.h"

#include <cjson/cJSON.h>

#include "config/jsonv.h"
#include "evidence/evidence.h"
#include "evidence/suite.h"
#include "suites/registry.h"
#include "util/secret.h"

static char tmpdir[1024];

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("measures", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        kp_secret_clear();
        return kp_rm_rf(tmpdir);
}

static void test_declarations_unique(void **state)
{
        size_t i, j, k;

        (void)state;
        for (i = 0; i < kp_builtin_suites.n; i++) {
                const kp_suite_def_t *s = kp_builtin_suites.suites[i];
                if (s->n_measurements == 0)
                        fail_msg("suite %s declares no measurements", s->name);
                for (j = 0; j < s->n_measurements; j++) {
                        const kp_measure_def_t *m = &s->measurements[j];
                        assert_non_null(m->name);
                        assert_non_null(m->unit);
                        assert_true(m->name[0] != '\0');
                        assert_true(m->better == KP_BETTER_NONE || m->better == KP_BETTER_LOWER ||
                                    m->better == KP_BETTER_HIGHER);
                        for (k = j + 1; k < s->n_measurements; k++)
                                if (strcmp(m->name, s->measurements[k].name) == 0)
                                        fail_msg("suite %s declares %s twice", s->name, m->name);
                }
        }
}

static void test_gates_agree(void **state)
{
        size_t i, j;

        (void)state;
        for (i = 0; i < kp_builtin_suites.n; i++) {
                const kp_suite_def_t *s = kp_builtin_suites.suites[i];
                for (j = 0; j < s->n_gates; j++) {
                        const kp_gate_def_t *g = &s->gates[j];
                        const kp_measure_def_t *m = kp_suite_measure(s, g->measurement);
                        kp_better_t want =
                            g->op == KP_GATE_AT_MOST ? KP_BETTER_LOWER : KP_BETTER_HIGHER;
                        if (!m)
                                fail_msg("suite %s: gate %s measures %s, which is not declared",
                                         s->name, g->name, g->measurement);
                        if (m->better != want)
                                fail_msg("suite %s: gate %s wants %s %s, declared %s (%s)", s->name,
                                         g->name, g->measurement, kp_better_name(want),
                                         kp_better_name(m->better), m->name);
                }
        }
}

static void test_lookup(void **state)
{
        const kp_suite_def_t *sem = kp_suite_find(&kp_builtin_suites, "semantics");
        const kp_suite_def_t *cost = kp_suite_find(&kp_builtin_suites, "cost");
        const kp_measure_def_t *m;

        (void)state;
        assert_non_null(sem);
        assert_non_null(cost);
        m = kp_suite_measure(sem, "ack_latency_p99_us"); /* a family: ack_latency_* */
        assert_non_null(m);
        assert_int_equal(m->better, KP_BETTER_LOWER);
        m = kp_suite_measure(sem, "ack_latency_p99_ms"); /* exact before the pattern */
        assert_non_null(m);
        assert_string_equal(m->name, "ack_latency_p99_ms");
        assert_int_equal(kp_suite_measure(sem, "achieved_rate")->better, KP_BETTER_HIGHER);
        assert_int_equal(kp_suite_measure(sem, "target_rate")->better, KP_BETTER_NONE);
        assert_int_equal(kp_suite_measure(cost, "cost_storage_usd_month")->better, KP_BETTER_LOWER);
        assert_null(kp_suite_measure(sem, "no_such_measurement"));
        assert_string_equal(kp_better_name(KP_BETTER_LOWER), "lower");
        assert_string_equal(kp_better_name(KP_BETTER_HIGHER), "higher");
        assert_string_equal(kp_better_name(KP_BETTER_NONE), "none");
}

static const char *declared(const char *name, const void *arg)
{
        const kp_measure_def_t *m = kp_suite_measure(arg, name);

        return m ? kp_better_name(m->better) : NULL;
}

static const char *better_of(const cJSON *ms, const char *name)
{
        const cJSON *m;

        cJSON_ArrayForEach(m, ms)
        {
                if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "name")),
                           name) == 0)
                        return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "better"));
        }
        fail_msg("no measurement %s", name);
        return NULL;
}

static void test_recorded_in_evidence(void **state)
{
        kp_run_meta_t meta = {.run_id = "run-1",
                              .scenario_path = "s.json",
                              .scenario_name = "s",
                              .scenario_sha256 = "aa",
                              .target_path = "t.json",
                              .target_name = "t",
                              .target_sha256 = "bb",
                              .control_type = "embedded",
                              .command_line = "kproof run",
                              .started_wall_ns = 1795890772LL * 1000000000LL};
        const kp_suite_def_t *sem = kp_suite_find(&kp_builtin_suites, "semantics");
        kp_evidence_t *ev = kp_evidence_new(&meta);
        char path[2048];
        cJSON *root = NULL;
        const cJSON *ms;
        kp_check_t *c;
        kp_err_t err;

        (void)state;
        assert_non_null(ev);
        c = kp_evidence_check_begin(ev, "semantics.acks-all", "kafka-semantics", "semantics", "t");
        kp_check_measure(c, "ack_latency_p99_ms", 12, "ms");
        kp_check_measure(c, "achieved_rate", 1000, "records/s");
        kp_check_measure(c, "records_sent", 10, "records");
        kp_check_measure(c, "made_up", 1, "things");
        kp_check_pass(c, "ok");
        kp_check_mark_better(c, declared, sem);
        kp_evidence_check_end(ev, c);
        assert_int_equal(kp_path_join(path, sizeof(path), tmpdir, "evidence.json"), 0);
        assert_int_equal(kp_evidence_write(ev, path, &err), 0);
        assert_int_equal(kp_jv_load_file(path, (size_t)1 << 24, &root, &err), 0);
        ms = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "checks"), 0),
            "measurements");
        assert_string_equal(better_of(ms, "ack_latency_p99_ms"), "lower");
        assert_string_equal(better_of(ms, "achieved_rate"), "higher");
        assert_string_equal(better_of(ms, "records_sent"), "none");
        assert_null(better_of(ms, "made_up"));
        cJSON_Delete(root);
        kp_evidence_free(ev);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_declarations_unique),
            cmocka_unit_test(test_gates_agree),
            cmocka_unit_test(test_lookup),
            cmocka_unit_test(test_recorded_in_evidence),
        };

        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
