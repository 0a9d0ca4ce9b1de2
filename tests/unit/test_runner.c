/* Unit tests of the runner with a test-only suite: a check that needs
 * another is `error` with the reason when that one was not run or did not
 * end in pass or fail, and runs when it did; a gate whose measurement is
 * missing is "not evaluated" and keeps the check's own verdict and reason;
 * a suite whose setup fails leaves every check `error` and the run
 * incomplete. The runner drives cmocka itself, so each case runs it in a
 * child process that writes evidence.json, read back here. */
#include "kptest.h"

#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "evidence/evidence.h"
#include "evidence/runner.h"

static char tmpdir[1024];

static void body_pass(kp_ctx_t *ctx, kp_check_t *c)
{
        (void)ctx;
        kp_check_measure(c, "m", 1, "u");
        kp_check_pass(c, "measured m");
}

static void body_fail(kp_ctx_t *ctx, kp_check_t *c)
{
        (void)ctx;
        kp_check_fail(c, "the real reason: 3 records lost");
}

static void body_skip(kp_ctx_t *ctx, kp_check_t *c)
{
        (void)ctx;
        kp_check_skip(c, "the target has no such feature");
}

static void body_error(kp_ctx_t *ctx, kp_check_t *c)
{
        (void)ctx;
        kp_check_error(c, "the client could not be created");
}

static int ran_dependent; /* set in the child only; evidence says the rest */

static void body_dependent(kp_ctx_t *ctx, kp_check_t *c)
{
        (void)ctx;
        ran_dependent++;
        kp_check_measure(c, "window_s", 0.0, "s");
        kp_check_pass(c, "0.0 s window");
}

static const kp_check_def_t checks[] = {
    {.id = "t.pass", .row = "kafka-semantics", .title = "pass", .fn = body_pass},
    {.id = "t.fail", .row = "kafka-semantics", .title = "fail", .fn = body_fail},
    {.id = "t.skip", .row = "kafka-semantics", .title = "skip", .fn = body_skip},
    {.id = "t.error", .row = "kafka-semantics", .title = "error", .fn = body_error},
    {.id = "t.unselected", .row = "kafka-semantics", .title = "unselected", .fn = body_pass},
    {.id = "t.needs-pass",
     .row = "kafka-semantics",
     .title = "d",
     .fn = body_dependent,
     .needs = {"t.pass"}},
    {.id = "t.needs-fail",
     .row = "kafka-semantics",
     .title = "d",
     .fn = body_dependent,
     .needs = {"t.fail"}},
    {.id = "t.needs-skip",
     .row = "kafka-semantics",
     .title = "d",
     .fn = body_dependent,
     .needs = {"t.pass", "t.skip"}},
    {.id = "t.needs-error",
     .row = "kafka-semantics",
     .title = "d",
     .fn = body_dependent,
     .needs = {"t.error"}},
    {.id = "t.needs-unselected",
     .row = "kafka-semantics",
     .title = "d",
     .fn = body_dependent,
     .needs = {"t.unselected"}},
    {.id = "t.needs-later",
     .row = "kafka-semantics",
     .title = "d",
     .fn = body_dependent,
     .needs = {"t.later"}},
    {.id = "t.later", .row = "kafka-semantics", .title = "later", .fn = body_pass},
};

static const kp_gate_def_t gates[] = {
    {.name = "g_skip_set",
     .check = "t.skip",
     .measurement = "m",
     .op = KP_GATE_AT_MOST,
     .unit = "u"},
    {.name = "g_fail",
     .check = "t.fail",
     .measurement = "lost",
     .op = KP_GATE_AT_MOST,
     .unit = "records",
     .has_default = 1},
    {.name = "g_skip",
     .check = "t.skip",
     .measurement = "m",
     .op = KP_GATE_AT_MOST,
     .unit = "u",
     .has_default = 1},
    {.name = "g_pass",
     .check = "t.pass",
     .measurement = "m",
     .op = KP_GATE_AT_MOST,
     .unit = "u",
     .has_default = 1,
     .default_threshold = 5},
};

static void body_breaks_platform(kp_ctx_t *ctx, kp_check_t *c)
{
        kp_check_fail(c, "a broker could not be restarted");
        ctx->fatal = "the platform became unusable";
}

static const kp_check_def_t fatal_checks[] = {
    {.id = "t.pass", .row = "kafka-semantics", .title = "breaks", .fn = body_breaks_platform},
    {.id = "t.fail", .row = "kafka-semantics", .title = "after", .fn = body_pass},
};

static const kp_suite_def_t fatal_suite = {
    .name = "t",
    .checks = fatal_checks,
    .n_checks = 2,
};

static int setup_fails(kp_ctx_t *ctx, kp_err_t *err)
{
        (void)ctx;
        return kp_err_set(err, KP_EINFRA, "cannot create the shared topic");
}

static const kp_suite_def_t suite = {
    .name = "t",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .gates = gates,
    .n_gates = sizeof(gates) / sizeof(gates[0]),
};

static const kp_suite_def_t broken_suite = {
    .name = "t",
    .checks = checks,
    .n_checks = 3,
    .setup = setup_fails,
};

/* Runs the suite in a child; returns the evidence.json it wrote. */
static cJSON *run_in_child(const kp_suite_def_t *def, const char *name)
{
        char dir[2048], path[2100];
        kp_buf_t b;
        pid_t pid;
        int status = 0;
        cJSON *root;

        assert_int_equal(kp_path_join(dir, sizeof(dir), tmpdir, name), 0);
        assert_int_equal(kp_mkdir_p(dir, NULL), 0);
        assert_int_equal(kp_path_join(path, sizeof(path), dir, "evidence.json"), 0);
        fflush(stdout);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                static const char *sel[] = {"t.pass",        "t.fail",        "t.skip",
                                            "t.error",       "t.needs-pass",  "t.needs-fail",
                                            "t.needs-skip",  "t.needs-error", "t.needs-unselected",
                                            "t.needs-later", "t.later"};
                kp_run_meta_t m = {.run_id = "r"};
                kp_suite_cfg_t sc;
                kp_rundir_t rd;
                kp_ctx_t ctx;
                kp_gate_cfg_t gcfg = {.name = (char *)"g_skip_set", .threshold = 1};
                kp_err_t err;
                kp_evidence_t *ev = kp_evidence_new(&m);
                memset(&sc, 0, sizeof(sc));
                memset(&rd, 0, sizeof(rd));
                memset(&ctx, 0, sizeof(ctx));
                sc.suite = (char *)"t";
                sc.checks = (char **)sel;
                sc.n_checks = def == &suite ? sizeof(sel) / sizeof(sel[0]) : 3;
                if (def == &fatal_suite)
                        sc.n_checks = 2;
                sc.gates = &gcfg; /* set by the scenario: blocks even on a skipped check */
                sc.n_gates = 1;
                snprintf(rd.work_path, sizeof(rd.work_path), "%s", dir);
                ctx.scfg = &sc;
                ctx.suite = def;
                ctx.rd = &rd;
                ctx.ev = ev;
                ctx.run_id = "r";
                kp_runner_run_suite(&ctx, &err);
                kp_evidence_finish(ev, 1, NULL);
                if (kp_evidence_write(ev, path, &err) < 0)
                        _exit(2);
                _exit(ran_dependent == 2 ? 0 : 10 + ran_dependent);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (def == &suite && WEXITSTATUS(status) != 0)
                fail_msg("the dependent body ran %d times, want 2 (needs-pass, needs-fail)",
                         WEXITSTATUS(status) - 10);
        kp_buf_init(&b, 0);
        assert_int_equal(kp_read_file(path, (size_t)64 << 20, &b, NULL), 0);
        root = cJSON_Parse(kp_buf_cstr(&b));
        kp_buf_free(&b);
        assert_non_null(root);
        return root;
}

static const cJSON *find(const cJSON *arr, const char *key, const char *value)
{
        const cJSON *it;

        cJSON_ArrayForEach(it, arr)
        {
                const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, key));
                if (v && strcmp(v, value) == 0)
                        return it;
        }
        return NULL;
}

static const char *str(const cJSON *o, const char *k)
{
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));

        if (!v)
                fail_msg("missing %s", k);
        return v;
}

/* check id -> verdict and reason as the runner recorded them */
static const struct {
        const char *id, *verdict, *reason;
} want[] = {
    {"t.pass", "pass", "measured m"},
    /* the gate's missing measurement does not replace the check's own reason */
    {"t.fail", "fail", "the real reason: 3 records lost"},
    {"t.skip", "skip", "the target has no such feature"},
    {"t.error", "error", "the client could not be created"},
    {"t.needs-pass", "pass", "0.0 s window"},
    {"t.needs-fail", "pass", "0.0 s window"},
    {"t.needs-skip", "skip", "needs t.skip, which ended in skip: the target has no such feature"},
    {"t.needs-error", "error",
     "needs t.error, which ended in error: the client could not be created"},
    {"t.needs-unselected", "error",
     "needs t.unselected, which was not run (the scenario's checks list leaves it out)"},
    {"t.needs-later", "error", "needs t.later, which was not run"},
    {"t.later", "pass", "measured m"},
};

static void test_needs_and_gates(void **state)
{
        cJSON *root = run_in_child(&suite, "needs");
        const cJSON *checks_arr = cJSON_GetObjectItemCaseSensitive(root, "checks");
        const cJSON *gates_arr = cJSON_GetObjectItemCaseSensitive(root, "gates");
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        const cJSON *g;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                const cJSON *c = find(checks_arr, "id", want[i].id);
                if (!c)
                        fail_msg("%s not recorded", want[i].id);
                if (strcmp(str(c, "verdict"), want[i].verdict) != 0 ||
                    strcmp(str(c, "reason"), want[i].reason) != 0)
                        fail_msg("%s: got %s \"%s\", want %s \"%s\"", want[i].id, str(c, "verdict"),
                                 str(c, "reason"), want[i].verdict, want[i].reason);
        }
        assert_null(find(checks_arr, "id", "t.unselected"));
        g = find(gates_arr, "name", "g_fail");
        assert_non_null(g);
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(g, "passed")));
        assert_contains(str(g, "note"), "not evaluated");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "blocking")));
        g = find(gates_arr, "name", "g_skip");
        assert_non_null(g);
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(g, "passed")));
        assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(g, "blocking")));
        g = find(gates_arr, "name", "g_skip_set");
        assert_non_null(g);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "blocking")));
        g = find(gates_arr, "name", "g_pass");
        assert_non_null(g);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "passed")));
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "gates_not_evaluated")->valueint, 3);
        assert_int_equal(
            cJSON_GetObjectItemCaseSensitive(sum, "gates_not_evaluated_blocking")->valueint, 2);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(root, "run"), "complete")));
        cJSON_Delete(root);
}

static void test_setup_failure_incomplete(void **state)
{
        cJSON *root = run_in_child(&broken_suite, "setup");
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *checks_arr = cJSON_GetObjectItemCaseSensitive(root, "checks");
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        const cJSON *c;

        (void)state;
        assert_int_equal(cJSON_GetArraySize(checks_arr), 3);
        cJSON_ArrayForEach(c, checks_arr)
        {
                assert_string_equal(str(c, "verdict"), "error");
                assert_contains(str(c, "reason"), "cannot create the shared topic");
        }
        assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(run, "complete")));
        assert_contains(str(run, "incomplete_reason"), "suite t could not run");
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "exit_code")->valueint,
                         KP_EXIT_INFRA);
        cJSON_Delete(root);
}

/* A check that leaves the platform unusable: the checks after it are not
 * run, and the run is incomplete. */
static void test_fatal_incomplete(void **state)
{
        cJSON *root = run_in_child(&fatal_suite, "fatal");
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *c = find(cJSON_GetObjectItemCaseSensitive(root, "checks"), "id", "t.fail");

        (void)state;
        assert_non_null(c);
        assert_string_equal(str(c, "verdict"), "error");
        assert_string_equal(str(c, "reason"), "not run: the platform became unusable");
        assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(run, "complete")));
        cJSON_Delete(root);
}

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("runner", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        return kp_rm_rf(tmpdir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_needs_and_gates),
            cmocka_unit_test(test_setup_failure_incomplete),
            cmocka_unit_test(test_fatal_incomplete),
        };

        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
