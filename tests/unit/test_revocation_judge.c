/*
 * The revocation verdicts over synthetic probe logs: an effect counts only
 * after REV_CONFIRM_PROBES consecutive failures with an error the revocation
 * explains (a timeout only while the platform answered metadata; a client
 * that could not be created never); old-data and recovery refuse to report
 * without write-effect's results; old data readable while writes fail is a
 * failure unless the scenario tolerates it.
 */
#include "kptest.h"

#include "evidence/evidence.h"
#include "util/timeutil.h"
#include "suites/revocation/revocation.h"

#define S KP_NS_PER_S

static kp_evidence_t *ev;
static rev_probe_t probes[64];
static rev_state_t st;

static int setup(void **state)
{
        kp_run_meta_t m = {.run_id = "run-1", .scenario_name = "revocation"};

        (void)state;
        ev = kp_evidence_new(&m);
        memset(&st, 0, sizeof(st));
        memset(probes, 0, sizeof(probes));
        st.probes = probes;
        st.have_key = 1;
        st.opts.max_old_data_readable_s = -1;
        st.write_effect_ns = st.read_effect_ns = -1;
        st.window_ns = 10 * S;
        return ev ? 0 : -1;
}

static int teardown(void **state)
{
        (void)state;
        kp_evidence_free(ev);
        return 0;
}

/* Appends a decided probe sent at t_s seconds after the revocation. */
static void probe(char kind, double t_s, int ok, int err, int alive)
{
        rev_probe_t *p = &probes[st.n_probes++];

        p->kind = kind;
        p->phase = 'b';
        p->t_ns = (int64_t)(t_s * (double)S);
        p->done_ns = p->t_ns + 100 * KP_NS_PER_MS;
        p->ok = ok;
        p->err = ok ? 0 : err;
        p->alive = alive;
}

static kp_check_t *check(const char *id)
{
        return kp_evidence_check_begin(ev, id, REV_ROW, "revocation", NULL);
}

static double measured(kp_check_t *c, const char *name)
{
        double v = -1;

        assert_int_equal(kp_check_measurement(c, name, &v), 0);
        return v;
}

static void writes_time_out_while_platform_answers(void **state)
{
        kp_check_t *c = check("revocation.write-effect");
        (void)state;

        probe('w', 0.0, 1, 0, 1);
        probe('w', 0.5, 0, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, 1);
        probe('w', 1.0, 0, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, 1);
        probe('w', 1.5, 0, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, 1);
        rev_judge_write_effect(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_PASS);
        assert_true(measured(c, "write_time_to_effect_s") == 0.5);
        assert_int_equal(st.write_outcome, 'p');
        /* the row's one-line answer, from the same numbers */
        assert_contains(kp_check_answer_text(c), "writes stopped 0.5 s after the key was revoked");
}

static void explicit_error_is_proof(void **state)
{
        kp_check_t *c = check("revocation.write-effect");
        (void)state;

        probe('w', 0.5, 0, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, 0);
        probe('w', 1.0, 0, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, 0);
        probe('w', 1.5, 0, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, 0);
        rev_judge_write_effect(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_PASS);
        assert_contains(kp_check_reason(c), "KAFKA_STORAGE_ERROR");
}

static void timeouts_of_a_silent_platform_are_not_proof(void **state)
{
        kp_check_t *c = check("revocation.write-effect");
        int i;
        (void)state;

        probe('w', 0.0, 1, 0, 1);
        for (i = 1; i <= 6; i++)
                probe('w', 0.5 * i, 0, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, 0);
        rev_judge_write_effect(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_ERROR);
        assert_contains(kp_check_reason(c), "not provably");
        assert_contains(kp_check_reason(c), "did not answer metadata");
        assert_int_equal(st.write_outcome, 'u');
}

static void too_few_failures_are_not_proof(void **state)
{
        kp_check_t *c = check("revocation.write-effect");
        (void)state;

        probe('w', 0.0, 1, 0, 1);
        probe('w', 0.5, 0, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, 1);
        probe('w', 1.0, 0, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, 1);
        rev_judge_write_effect(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_ERROR);
        assert_contains(kp_check_reason(c), "only 2 of them");
}

static void a_success_at_the_end_is_no_effect(void **state)
{
        kp_check_t *c = check("revocation.write-effect");
        (void)state;

        probe('w', 0.5, 0, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, 1);
        probe('w', 1.0, 1, 0, 1);
        rev_judge_write_effect(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_FAIL);
        assert_int_equal(st.write_outcome, 'f');
}

static void old_data_without_write_effect_is_error(void **state)
{
        kp_ctx_t ctx;
        kp_check_t *c = check("revocation.old-data"), *r = check("revocation.recovery");
        (void)state;

        memset(&ctx, 0, sizeof(ctx));
        ctx.suite_state = &st;
        probe('r', 0.5, 1, 0, 1); /* whatever is there: write-effect never ran */
        rev_check_old_data(&ctx, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_ERROR);
        assert_contains(kp_check_reason(c), "revocation.write-effect did not run");
        assert_not_contains(kp_check_reason(c), "0.0 s");
        rev_check_recovery(&ctx, r);
        assert_int_equal(kp_check_verdict(r), KP_VERDICT_ERROR);
        assert_contains(kp_check_reason(r), "revocation.write-effect did not run");
}

/* Writes proven failed at 0.5 s, reads still served at the end (cached keys). */
static void cached_reads(void)
{
        int i;

        st.write_outcome = 'p';
        st.write_effect_ns = S / 2;
        for (i = 0; i < 10; i++)
                probe('r', 0.5 + i, 1, 0, 1);
}

static void cached_keys_fail_without_tolerance(void **state)
{
        kp_check_t *c = check("revocation.old-data");
        (void)state;

        cached_reads();
        rev_judge_old_data(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_FAIL);
        assert_contains(kp_check_reason(c), "tolerates none");
        assert_true(measured(c, "old_data_readable_s") > 9.5);
}

static void cached_keys_pass_within_tolerance(void **state)
{
        kp_check_t *c = check("revocation.old-data");
        (void)state;

        cached_reads();
        st.opts.max_old_data_readable_s = 300;
        rev_judge_old_data(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_PASS);
        assert_contains(kp_check_reason(c), "within the tolerated 300.0 s");
        assert_true(measured(c, "old_data_readable_s") > 9.5);
        assert_string_equal(kp_check_answer_text(c),
                            "old data stayed readable through cached keys for the whole 10 s "
                            "window");
}

static void cached_keys_fail_beyond_tolerance(void **state)
{
        kp_check_t *c = check("revocation.old-data");
        (void)state;

        cached_reads();
        st.opts.max_old_data_readable_s = 5;
        rev_judge_old_data(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_FAIL);
        assert_contains(kp_check_reason(c), "longer than the tolerated 5.0 s");
        assert_contains(kp_check_answer_text(c), "through cached keys");
}

static void reads_stop_with_proof(void **state)
{
        kp_check_t *c = check("revocation.old-data");
        (void)state;

        st.write_outcome = 'p';
        probe('r', 0.0, 1, 0, 1);
        probe('r', 0.5, 0, RD_KAFKA_RESP_ERR__TIMED_OUT, 1);
        probe('r', 1.0, 0, RD_KAFKA_RESP_ERR__TIMED_OUT, 1);
        probe('r', 1.5, 0, RD_KAFKA_RESP_ERR__TIMED_OUT, 1);
        rev_judge_old_data(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_PASS);
        assert_true(measured(c, "read_time_to_effect_s") == 0.5);
        assert_string_equal(kp_check_answer_text(c),
                            "old data became unreadable 0.5 s after the revocation");
}

static void read_client_failures_are_not_proof(void **state)
{
        kp_check_t *c = check("revocation.old-data");
        int i;
        (void)state;

        st.write_outcome = 'p';
        for (i = 0; i < 5; i++)
                probe('r', 0.5 * i, 0, RD_KAFKA_RESP_ERR__FAIL, 1);
        rev_judge_old_data(&st, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_ERROR);
        assert_contains(kp_check_reason(c), "not provably");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(writes_time_out_while_platform_answers, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(explicit_error_is_proof, setup, teardown),
            cmocka_unit_test_setup_teardown(timeouts_of_a_silent_platform_are_not_proof, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(too_few_failures_are_not_proof, setup, teardown),
            cmocka_unit_test_setup_teardown(a_success_at_the_end_is_no_effect, setup, teardown),
            cmocka_unit_test_setup_teardown(old_data_without_write_effect_is_error, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(cached_keys_fail_without_tolerance, setup, teardown),
            cmocka_unit_test_setup_teardown(cached_keys_pass_within_tolerance, setup, teardown),
            cmocka_unit_test_setup_teardown(cached_keys_fail_beyond_tolerance, setup, teardown),
            cmocka_unit_test_setup_teardown(reads_stop_with_proof, setup, teardown),
            cmocka_unit_test_setup_teardown(read_client_failures_are_not_proof, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
