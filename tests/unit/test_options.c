/* Unit tests of suite options (config/options.h): the table's types,
 * ranges and defaults, unknown keys, wrong types, required options, the
 * check hook, and keys read from their old place. */
#include "kptest.h"

#include "config/options.h"
#include "util/timeutil.h"

static const char *const colours[] = {"red", "green", "blue", NULL};

static const kp_option_def_t defs[] = {
    {.name = "flag", .type = KP_OPTION_BOOL, .def = 1, .help = "a bool"},
    {.name = "count", .type = KP_OPTION_INT, .lo = 1, .hi = 10, .def = 3, .help = "an int"},
    {.name = "share",
     .type = KP_OPTION_DOUBLE,
     .dlo = 0,
     .dhi = 1,
     .positive = 1,
     .ddef = 0.5,
     .help = "a number"},
    {.name = "wait",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 60 * KP_NS_PER_S,
     .def = 5 * KP_NS_PER_S,
     .help = "a duration"},
    {.name = "label", .type = KP_OPTION_STRING, .help = "a string"},
    {.name = "file", .type = KP_OPTION_STRING, .path = 1, .help = "a path"},
    {.name = "colour", .type = KP_OPTION_ENUM, .choices = colours, .def = 1, .help = "an enum"},
    {.name = "names", .type = KP_OPTION_LIST, .lo = 1, .what = "a name", .help = "a list"},
    {.name = "picks",
     .type = KP_OPTION_LIST,
     .choices = colours,
     .what = "colour",
     .help = "a list of choices"},
};
#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

static const kp_option_def_t req_defs[] = {
    {.name = "target", .type = KP_OPTION_STRING, .required = 1, .help = "required"},
};

static int check_calls;

static int check_count_vs_share(kp_jv_t *jv, const kp_options_t *o)
{
        check_calls++;
        if (kp_option_int(o, "count") > 5 && kp_option_double(o, "share") > 0.9)
                return kp_jv_fail_at(jv, "share", "too much with count > 5");
        return 0;
}

/* Parses entry (JSON text) as $.suites[0] of conf/s.json; returns the
 * loader's result, the message in msg. */
static int parse(const char *text, const kp_option_def_t *d, size_t n, const char *legacy,
                 kp_options_t *out, char *msg, size_t size)
{
        cJSON *entry = cJSON_Parse(text);
        kp_err_t err = {0};
        kp_jv_t jv;
        size_t m;
        int rc;

        if (!entry)
                fail_msg("test JSON does not parse: %s", text);
        kp_jv_init(&jv, "conf/s.json", &err);
        kp_jv_push_key(&jv, "suites");
        kp_jv_push_index(&jv, 0);
        kp_jv_allow(&jv, entry, "suite");
        m = jv.path_len;
        rc = kp_options_parse(&jv, entry, d, n, legacy, check_count_vs_share, out);
        if (rc == 0 && err.msg[0] == '\0') {
                jv.path_len = m;
                jv.path[m] = '\0';
                rc = kp_jv_no_unknown(&jv, entry);
        }
        snprintf(msg, size, "%s", rc < 0 ? err.msg : "");
        kp_jv_release(&jv);
        cJSON_Delete(entry);
        return rc;
}

static void test_defaults(void **state)
{
        kp_options_t o;
        char msg[1024];
        size_t n = 9;

        (void)state;
        assert_int_equal(parse("{\"suite\":\"x\"}", defs, N_DEFS, NULL, &o, msg, sizeof(msg)), 0);
        assert_int_equal(kp_option_bool(&o, "flag"), 1);
        assert_int_equal(kp_option_int(&o, "count"), 3);
        assert_true(kp_option_double(&o, "share") == 0.5);
        assert_int_equal(kp_option_duration(&o, "wait"), 5 * KP_NS_PER_S);
        assert_null(kp_option_string(&o, "label"));
        assert_int_equal(kp_option_enum(&o, "colour"), 1);
        assert_null(kp_option_list(&o, "names", &n));
        assert_int_equal(n, 0);
        assert_false(kp_option_is_set(&o, "count"));
        kp_options_release(&o);

        /* Without values (no scenario entry) the getters give the defaults too. */
        o = kp_options_defaults(defs, N_DEFS);
        assert_int_equal(kp_option_int(&o, "count"), 3);
        assert_int_equal(kp_option_enum(&o, "colour"), 1);
}

static void test_every_type(void **state)
{
        kp_options_t o;
        char msg[1024];
        char *const *l;
        size_t n;

        (void)state;
        if (parse("{\"suite\":\"x\",\"options\":{\"flag\":false,\"count\":10,"
                  "\"share\":0.75,\"wait\":\"1m\",\"label\":\"L\",\"file\":\"t.json\","
                  "\"colour\":\"blue\",\"names\":[\"a\",\"b\"],\"picks\":[]}}",
                  defs, N_DEFS, NULL, &o, msg, sizeof(msg)) < 0)
                fail_msg("%s", msg);
        assert_int_equal(kp_option_bool(&o, "flag"), 0);
        assert_int_equal(kp_option_int(&o, "count"), 10);
        assert_true(kp_option_double(&o, "share") == 0.75);
        assert_int_equal(kp_option_duration(&o, "wait"), 60 * KP_NS_PER_S);
        assert_string_equal(kp_option_string(&o, "label"), "L");
        assert_string_equal(kp_option_string(&o, "file"), "conf/t.json");
        assert_int_equal(kp_option_enum(&o, "colour"), 2);
        l = kp_option_list(&o, "names", &n);
        assert_int_equal(n, 2);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[1], "b");
        kp_option_list(&o, "picks", &n);
        assert_int_equal(n, 0);
        assert_true(kp_option_is_set(&o, "flag"));
        assert_true(kp_option_is_set(&o, "picks"));
        kp_options_release(&o);
}

static void expect_error(const char *text, const kp_option_def_t *d, size_t n, const char *legacy,
                         const char *want)
{
        kp_options_t o;
        char msg[1024];

        assert_int_equal(parse(text, d, n, legacy, &o, msg, sizeof(msg)), -1);
        assert_string_equal(msg, want);
        kp_options_release(&o);
}

static void test_ranges(void **state)
{
        (void)state;
        expect_error("{\"options\":{\"count\":0}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.count: expected an integer from 1 to 10, "
                     "got 0");
        expect_error("{\"options\":{\"count\":2.5}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.count: expected an integer from 1 to 10, "
                     "got 2.5");
        expect_error("{\"options\":{\"share\":0}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.share: expected a positive number up to 1, "
                     "got 0");
        expect_error("{\"options\":{\"wait\":\"2m\"}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.wait: expected a duration from 1s to 1m, "
                     "got \"2m\"");
        expect_error("{\"options\":{\"colour\":\"pink\"}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.colour: expected one of \"red\", "
                     "\"green\", \"blue\", got \"pink\"");
        expect_error("{\"options\":{\"names\":[]}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.names: expected at least 1 item, got 0");
        expect_error("{\"options\":{\"names\":[\"\"]}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.names[0]: expected a name, got \"\"");
        expect_error("{\"options\":{\"picks\":[\"red\",\"pink\"]}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.picks[1]: unknown colour \"pink\" "
                     "(expected red, green or blue)");
}

static void test_unknown_key_and_wrong_type(void **state)
{
        (void)state;
        expect_error("{\"options\":{\"cuont\":1}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.cuont: unknown key (expected one of: flag, "
                     "count, share, wait, label, file, colour, names, picks)");
        expect_error("{\"options\":{\"flag\":\"yes\"}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.flag: expected true or false, got \"yes\"");
        expect_error("{\"options\":{\"label\":1}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.label: expected a string, got 1");
        expect_error("{\"options\":[1]}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options: expected an object, got an array");
        /* A suite without options has no "options" key. */
        expect_error("{\"options\":{}}", NULL, 0, NULL,
                     "conf/s.json: $.suites[0].options: unknown key (expected one of: suite)");
}

static void test_required_and_check(void **state)
{
        kp_options_t o;
        char msg[1024];

        (void)state;
        expect_error("{}", req_defs, 1, NULL,
                     "conf/s.json: $.suites[0].options.target: required field is missing");
        check_calls = 0;
        expect_error("{\"options\":{\"count\":6,\"share\":0.95}}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].options.share: too much with count > 5");
        assert_int_equal(check_calls, 1);
        assert_int_equal(
            parse("{\"options\":{\"count\":6}}", defs, N_DEFS, NULL, &o, msg, sizeof(msg)), 0);
        kp_options_release(&o);
}

static void test_legacy_places(void **state)
{
        kp_options_t o;
        char msg[1024];

        (void)state;
        /* An object of the entry. */
        assert_int_equal(parse("{\"old\":{\"count\":7},\"options\":{\"flag\":false}}", defs, N_DEFS,
                               "old", &o, msg, sizeof(msg)),
                         0);
        assert_int_equal(kp_option_int(&o, "count"), 7);
        assert_int_equal(kp_option_bool(&o, "flag"), 0);
        kp_options_release(&o);
        /* The entry itself. */
        assert_int_equal(
            parse("{\"count\":8,\"wait\":\"2s\"}", defs, N_DEFS, "", &o, msg, sizeof(msg)), 0);
        assert_int_equal(kp_option_int(&o, "count"), 8);
        assert_int_equal(kp_option_duration(&o, "wait"), 2 * KP_NS_PER_S);
        kp_options_release(&o);
        /* Errors name the old place; a key at both places is an error. */
        expect_error("{\"old\":{\"count\":70}}", defs, N_DEFS, "old",
                     "conf/s.json: $.suites[0].old.count: expected an integer from 1 to 10, "
                     "got 70");
        expect_error(
            "{\"old\":{\"bogus\":1}}", defs, N_DEFS, "old",
            "conf/s.json: $.suites[0].old.bogus: unknown key (expected one of: flag, count, "
            "share, wait, label, file, colour, names, picks)");
        expect_error("{\"count\":2,\"options\":{\"count\":3}}", defs, N_DEFS, "",
                     "conf/s.json: $.suites[0].count: also set at $.suites[0].options.count: keep "
                     "that one");
        /* Without a legacy place the old keys are unknown. */
        expect_error("{\"count\":2}", defs, N_DEFS, NULL,
                     "conf/s.json: $.suites[0].count: unknown key (expected one of: suite, "
                     "options)");
}

static void test_list_texts(void **state)
{
        char out[256];

        (void)state;
        assert_string_equal(kp_option_type_name(KP_OPTION_DURATION), "duration");
        kp_option_range_text(&defs[1], out, sizeof(out));
        assert_string_equal(out, "1..10");
        kp_option_range_text(&defs[3], out, sizeof(out));
        assert_string_equal(out, "1s..1m");
        kp_option_range_text(&defs[6], out, sizeof(out));
        assert_string_equal(out, "red, green or blue");
        kp_option_default_text(&defs[3], out, sizeof(out));
        assert_string_equal(out, "5s");
        kp_option_default_text(&defs[6], out, sizeof(out));
        assert_string_equal(out, "green");
        kp_option_default_text(&defs[4], out, sizeof(out));
        assert_string_equal(out, "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_every_type),
            cmocka_unit_test(test_ranges),
            cmocka_unit_test(test_unknown_key_and_wrong_type),
            cmocka_unit_test(test_required_and_check),
            cmocka_unit_test(test_legacy_places),
            cmocka_unit_test(test_list_texts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
