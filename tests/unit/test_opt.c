/* Unit tests of the CLI's option parser (src/cli/opt.c, part of the kproof
 * executable and compiled into this test): flags, values, repeatable
 * options, positional arguments, "--", and the usage errors. */
#include "kptest.h"

#include "cli/opt.c"

static int verbose;
static const char *target, *out;
static kp_opt_list_t suites;

static const kp_opt_t opts[] = {
    {"target", 't', KP_OPT_STRING, "FILE", "target file", &target},
    {"out", 0, KP_OPT_STRING, "DIR", "run directory", &out},
    {"suite", 's', KP_OPT_LIST, "NAME", "run only this suite", &suites},
    {"verbose", 'v', KP_OPT_FLAG, NULL, "more output", &verbose},
};

static const kp_cmd_spec_t spec = {
    "run", "SCENARIO --target FILE",      "Runs a scenario.", "Details here.",
    opts,  sizeof(opts) / sizeof(opts[0])};

static int reset(void **state)
{
        (void)state;
        verbose = 0;
        target = out = NULL;
        memset(&suites, 0, sizeof(suites));
        return 0;
}

static int parse(int argc, const char **argv, const char **pos, size_t max_pos, size_t *n_pos,
                 kp_err_t *err)
{
        return kp_opt_parse(&spec, argc, (char **)argv, pos, max_pos, n_pos, err);
}

static void test_all_forms(void **state)
{
        const char *argv[] = {"run",       "scen.json",        "--target", "t.json",  "-s",
                              "semantics", "--suite=failover", "-v",       "--out=o", NULL};
        const char *pos[4];
        size_t n_pos = 99;
        kp_err_t err;

        (void)state;
        assert_int_equal(parse(9, argv, pos, 4, &n_pos, &err), 0);
        assert_int_equal(n_pos, 1);
        assert_string_equal(pos[0], "scen.json");
        assert_string_equal(target, "t.json");
        assert_string_equal(out, "o");
        assert_int_equal(verbose, 1);
        assert_int_equal(suites.n, 2);
        assert_string_equal(suites.items[0], "semantics");
        assert_string_equal(suites.items[1], "failover");
}

static void test_positional_and_double_dash(void **state)
{
        const char *argv[] = {"run", "a", "-", "--", "-v", "--target", NULL};
        const char *pos[4];
        size_t n_pos;
        kp_err_t err;

        (void)state;
        assert_int_equal(parse(6, argv, pos, 4, &n_pos, &err), 0);
        assert_int_equal(n_pos, 4);
        assert_string_equal(pos[0], "a");
        assert_string_equal(pos[1], "-"); /* stdin-style argument */
        assert_string_equal(pos[2], "-v");
        assert_string_equal(pos[3], "--target");
        assert_int_equal(verbose, 0);
        assert_null(target);
}

static void test_usage_errors(void **state)
{
        const char *unknown[] = {"run", "--bogus", NULL};
        const char *unknown_short[] = {"run", "-x", NULL};
        const char *clustered[] = {"run", "-vt", NULL};
        const char *missing[] = {"run", "--target", NULL};
        const char *flag_value[] = {"run", "--verbose=1", NULL};
        const char *extra[] = {"run", "a", "b", NULL};
        const char *pos[1];
        size_t n_pos;
        kp_err_t err;

        (void)state;
        assert_int_equal(parse(2, unknown, pos, 1, &n_pos, &err), -1);
        assert_int_equal(err.code, KP_EUSAGE);
        assert_string_equal(err.msg, "run: unknown option '--bogus' (see kproof run --help)");
        assert_int_equal(parse(2, unknown_short, pos, 1, &n_pos, &err), -1);
        assert_string_equal(err.msg, "run: unknown option '-x' (see kproof run --help)");
        assert_int_equal(parse(2, clustered, pos, 1, &n_pos, &err), -1);
        assert_string_equal(err.msg, "run: unknown option '-vt'");
        assert_int_equal(parse(2, missing, pos, 1, &n_pos, &err), -1);
        assert_string_equal(err.msg, "run: option --target needs a value (FILE)");
        assert_int_equal(parse(2, flag_value, pos, 1, &n_pos, &err), -1);
        assert_string_equal(err.msg, "run: option --verbose takes no value");
        assert_int_equal(parse(3, extra, pos, 1, &n_pos, &err), -1);
        assert_string_equal(err.msg, "run: unexpected argument 'b'");
        assert_int_equal(err.code, KP_EUSAGE);
        assert_int_equal(kp_err_exit_code(err.code), KP_EXIT_INVALID);
}

/* A repeatable option has a fixed capacity; beyond it is a usage error. */
static void test_list_capacity(void **state)
{
        const char *argv[2 + 2 * 65];
        const char *pos[1];
        size_t n_pos;
        kp_err_t err;
        int i, argc = 1;

        (void)state;
        argv[0] = "run";
        for (i = 0; i < 65; i++) {
                argv[argc++] = "-s";
                argv[argc++] = "x";
        }
        argv[argc] = NULL;
        assert_int_equal(parse(argc - 2, argv, pos, 1, &n_pos, &err), 0);
        assert_int_equal(suites.n, 64);
        reset(NULL);
        assert_int_equal(parse(argc, argv, pos, 1, &n_pos, &err), -1);
        assert_string_equal(err.msg, "--suite given too many times");
}

static void test_help(void **state)
{
        const char *argv[] = {"run", "--target", "t", "-h", "--bogus", NULL};
        const char *pos[1];
        size_t n_pos;
        kp_err_t err;
        char *text = NULL;
        size_t len = 0;
        FILE *f;

        (void)state;
        /* --help wins over anything after it */
        assert_int_equal(parse(5, argv, pos, 1, &n_pos, &err), 1);
        f = open_memstream(&text, &len);
        assert_non_null(f);
        kp_opt_help(&spec, f);
        fclose(f);
        assert_contains(text, "usage: kproof run SCENARIO --target FILE\n");
        assert_contains(text, "Runs a scenario.");
        assert_contains(text, "-t, --target FILE");
        assert_contains(text, "    --out DIR");
        assert_contains(text, "run only this suite (repeatable)");
        assert_contains(text, "-v, --verbose ");
        assert_contains(text, "-h, --help");
        assert_contains(text, "\nDetails here.\n");
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_all_forms, reset),
            cmocka_unit_test_setup(test_positional_and_double_dash, reset),
            cmocka_unit_test_setup(test_usage_errors, reset),
            cmocka_unit_test_setup(test_list_capacity, reset),
            cmocka_unit_test_setup(test_help, reset),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
