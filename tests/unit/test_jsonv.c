/* Unit tests of jsonv: strict getters whose errors name the file and JSON
 * path, unknown and duplicate keys, ${env:NAME} expansion and its secrets,
 * and loading files with syntax errors. */
#include "kptest.h"

#include <math.h>

#include "config/jsonv.h"
#include "util/secret.h"
#include "util/timeutil.h"

static char tmpdir[1024];

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("jsonv", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        kp_secret_clear();
        return kp_rm_rf(tmpdir);
}

static cJSON *parse(const char *text)
{
        cJSON *root = cJSON_Parse(text);

        if (!root)
                fail_msg("test JSON does not parse: %s", text);
        return root;
}

/* The example of the header, walked the way the loaders walk documents. */
static void test_type_error_names_path(void **state)
{
        cJSON *root = parse("{\"suites\": [{\"workload\": {\"rate\": 10}},"
                            "{\"workload\": {\"rate\": \"fast\"}}]}");
        const cJSON *suites, *item, *wl;
        size_t mark, mark2;
        double rate = -1;
        kp_err_t err;
        kp_jv_t jv;
        int i = 0;

        (void)state;
        kp_jv_init(&jv, "scenarios/x.json", &err);
        assert_int_equal(kp_jv_array(&jv, root, "suites", 1, 1, &suites), 1);
        mark = kp_jv_push_key(&jv, "suites");
        cJSON_ArrayForEach(item, suites)
        {
                int r;
                mark2 = kp_jv_push_index(&jv, (size_t)i++);
                assert_int_equal(kp_jv_object(&jv, item, "workload", 1, &wl), 1);
                kp_jv_push_key(&jv, "workload");
                r = kp_jv_number(&jv, wl, "rate", 1, 0, INFINITY, 1, &rate);
                kp_jv_pop(&jv, mark2);
                if (r < 0)
                        break;
                assert_true(rate == 10);
        }
        kp_jv_pop(&jv, mark);
        assert_int_equal(err.code, KP_EINVAL);
        assert_string_equal(err.msg,
                            "scenarios/x.json: $.suites[1].workload.rate: expected a positive "
                            "number, got \"fast\"");
        assert_string_equal(jv.path, "$");
        assert_true(rate == 10); /* untouched on error */
        kp_jv_release(&jv);
        cJSON_Delete(root);
}

/* Each getter's message for a value of the wrong type or range. */
static void test_getter_messages(void **state)
{
        static const char *const modes[] = {"fixed", "poisson", NULL};
        cJSON *root = parse("{\"s\": 5, \"i\": 1.5, \"big\": 11, \"neg\": -1, \"b\": \"yes\","
                            "\"o\": [], \"a\": {}, \"few\": [1], \"d\": \"30x\", \"dr\": \"2h\","
                            "\"e\": \"burst\", \"en\": 3, \"n\": \"x\", \"z\": 0,"
                            "\"long\": \"0123456789012345678901234567890123456789012345\","
                            "\"weird key\": true, \"nul\": null}");
        const cJSON *o;
        char *s = NULL;
        int64_t i64 = 0, ns = 0;
        double d = 0;
        int b = 0, e = 0;
        kp_err_t err;
        kp_jv_t jv;

        (void)state;
        kp_jv_init(&jv, "f.json", &err);
#define EXPECT(call, text)                                                                         \
        do {                                                                                       \
                assert_int_equal((call), -1);                                                      \
                assert_string_equal(err.msg, text);                                                \
        } while (0)
        EXPECT(kp_jv_string(&jv, root, "s", 1, &s), "f.json: $.s: expected a string, got 5");
        EXPECT(kp_jv_int(&jv, root, "i", 1, 0, 100, &i64),
               "f.json: $.i: expected an integer from 0 to 100, got 1.5");
        EXPECT(kp_jv_int(&jv, root, "big", 1, 0, 10, &i64),
               "f.json: $.big: expected an integer from 0 to 10, got 11");
        EXPECT(kp_jv_int(&jv, root, "neg", 1, 0, INT64_MAX, &i64),
               "f.json: $.neg: expected an integer of at least 0, got -1");
        EXPECT(kp_jv_bool(&jv, root, "b", 1, &b),
               "f.json: $.b: expected true or false, got \"yes\"");
        EXPECT(kp_jv_object(&jv, root, "o", 1, &o),
               "f.json: $.o: expected an object, got an array");
        EXPECT(kp_jv_array(&jv, root, "a", 1, 0, &o),
               "f.json: $.a: expected an array, got an object");
        EXPECT(kp_jv_array(&jv, root, "few", 1, 2, &o),
               "f.json: $.few: expected at least 2 items, got 1");
        EXPECT(kp_jv_duration(&jv, root, "d", 1, 0, INT64_MAX, &ns),
               "f.json: $.d: expected a duration like \"30s\" (units ms, s, m, h), got \"30x\"");
        EXPECT(kp_jv_duration(&jv, root, "dr", 1, KP_NS_PER_S, 3600 * KP_NS_PER_S, &ns),
               "f.json: $.dr: expected a duration from 1s to 1h, got \"2h\"");
        EXPECT(kp_jv_enum(&jv, root, "e", 1, modes, &e),
               "f.json: $.e: expected one of \"fixed\", \"poisson\", got \"burst\"");
        EXPECT(kp_jv_enum(&jv, root, "en", 1, modes, &e),
               "f.json: $.en: expected one of \"fixed\", \"poisson\", got 3");
        EXPECT(kp_jv_number(&jv, root, "n", 1, 0, 1, 0, &d),
               "f.json: $.n: expected a number from 0 to 1, got \"x\"");
        EXPECT(kp_jv_number(&jv, root, "z", 1, 0, INFINITY, 1, &d),
               "f.json: $.z: expected a positive number, got 0");
        EXPECT(kp_jv_number(&jv, root, "big", 1, 0, 10, 1, &d),
               "f.json: $.big: expected a positive number up to 10, got 11");
        EXPECT(kp_jv_number(&jv, root, "neg", 1, 0, INFINITY, 0, &d),
               "f.json: $.neg: expected a number of at least 0, got -1");
        EXPECT(kp_jv_int(&jv, root, "long", 1, 0, 1, &i64),
               "f.json: $.long: expected an integer from 0 to 1, got "
               "\"0123456789012345678901234567890123456...\"");
        EXPECT(kp_jv_string(&jv, root, "weird key", 1, &s),
               "f.json: $[\"weird key\"]: expected a string, got true");
        EXPECT(kp_jv_string(&jv, root, "nul", 1, &s), "f.json: $.nul: expected a string, got null");
        EXPECT(kp_jv_string(&jv, root, "missing", 1, &s),
               "f.json: $.missing: required field is missing");
        EXPECT(kp_jv_is_object(&jv, cJSON_GetObjectItem(root, "o")),
               "f.json: $: expected an object, got an array");
#undef EXPECT
        /* nothing was written on failure */
        assert_null(s);
        assert_true(i64 == 0 && ns == 0 && d == 0 && b == 0 && e == 0);
        kp_jv_release(&jv);
        cJSON_Delete(root);
}

/* Valid values; absent optional keys return 0 and keep preset defaults. */
static void test_getter_values(void **state)
{
        static const char *const modes[] = {"fixed", "poisson", NULL};
        cJSON *root = parse("{\"s\": \"hello\", \"i\": 42, \"n\": 2.5, \"b\": false,"
                            "\"d\": \"250ms\", \"e\": \"poisson\", \"o\": {\"x\": 1},"
                            "\"a\": [1, 2], \"max\": 9007199254740992, \"neg\": -5}");
        const cJSON *o = NULL;
        char *s = NULL, *def = strdup("default");
        int64_t i64 = 0, ns = 0, keep = 77;
        double d = 0;
        int b = 1, e = -1;
        kp_err_t err;
        kp_jv_t jv;

        (void)state;
        kp_jv_init(&jv, "f.json", &err);
        assert_int_equal(kp_jv_string(&jv, root, "s", 1, &s), 1);
        assert_string_equal(s, "hello");
        assert_int_equal(kp_jv_string(&jv, root, "s", 1, &s), 1); /* replaces, frees the old */
        assert_int_equal(kp_jv_int(&jv, root, "i", 1, 0, 100, &i64), 1);
        assert_true(i64 == 42);
        assert_int_equal(kp_jv_int(&jv, root, "max", 1, 0, INT64_MAX, &i64), 1);
        assert_true(i64 == 9007199254740992LL);
        assert_int_equal(kp_jv_int(&jv, root, "neg", 1, INT64_MIN, 0, &i64), 1);
        assert_true(i64 == -5);
        assert_int_equal(kp_jv_number(&jv, root, "n", 1, 0, 10, 1, &d), 1);
        assert_true(d == 2.5);
        assert_int_equal(kp_jv_bool(&jv, root, "b", 1, &b), 1);
        assert_int_equal(b, 0);
        assert_int_equal(kp_jv_duration(&jv, root, "d", 1, 0, INT64_MAX, &ns), 1);
        assert_true(ns == 250 * KP_NS_PER_MS);
        assert_int_equal(kp_jv_enum(&jv, root, "e", 1, modes, &e), 1);
        assert_int_equal(e, 1);
        assert_int_equal(kp_jv_object(&jv, root, "o", 1, &o), 1);
        assert_non_null(cJSON_GetObjectItem(o, "x"));
        assert_int_equal(kp_jv_array(&jv, root, "a", 1, 2, &o), 1);
        assert_int_equal(cJSON_GetArraySize(o), 2);
        assert_int_equal(kp_jv_is_object(&jv, root), 0);

        assert_int_equal(kp_jv_string(&jv, root, "absent", 0, &def), 0);
        assert_string_equal(def, "default");
        assert_int_equal(kp_jv_int(&jv, root, "absent", 0, 0, 1, &keep), 0);
        assert_true(keep == 77);
        assert_int_equal(kp_jv_duration(&jv, root, "absent", 0, 0, 1, &keep), 0);
        assert_true(keep == 77);
        free(s);
        free(def);
        kp_jv_release(&jv);
        cJSON_Delete(root);
}

/* Integers beyond what int64 holds are rejected, never wrapped. */
static void test_int_beyond_int64(void **state)
{
        cJSON *root = parse("{\"huge\": 9223372036854775808, \"huger\": 1e19,"
                            "\"tinier\": -1e19, \"min\": -9223372036854775808}");
        int64_t v = 5;
        kp_err_t err;
        kp_jv_t jv;

        (void)state;
        kp_jv_init(&jv, "f.json", &err);
        assert_int_equal(kp_jv_int(&jv, root, "huge", 1, 0, INT64_MAX, &v), -1);
        assert_contains(err.msg, "$.huge: expected an integer of at least 0");
        assert_int_equal(kp_jv_int(&jv, root, "huger", 1, 0, INT64_MAX, &v), -1);
        assert_int_equal(kp_jv_int(&jv, root, "tinier", 1, INT64_MIN, INT64_MAX, &v), -1);
        assert_true(v == 5);
        assert_int_equal(kp_jv_int(&jv, root, "min", 1, INT64_MIN, INT64_MAX, &v), 1);
        assert_true(v == INT64_MIN);
        kp_jv_release(&jv);
        cJSON_Delete(root);
}

static void test_unknown_and_duplicate_keys(void **state)
{
        cJSON *root = parse("{\"name\": \"n\", \"rate\": 5, \"bogus\": 1}");
        cJSON *dup = parse("{\"name\": \"a\", \"name\": \"b\"}");
        cJSON *nested = parse("{\"outer\": {\"inner\": 1, \"typo\": 2}}");
        const cJSON *outer;
        char *name = NULL;
        double rate;
        kp_err_t err;
        kp_jv_t jv;

        (void)state;
        kp_jv_init(&jv, "t.json", &err);
        assert_int_equal(kp_jv_string(&jv, root, "name", 1, &name), 1);
        assert_int_equal(kp_jv_number(&jv, root, "rate", 1, 0, 100, 0, &rate), 1);
        kp_jv_allow(&jv, root, "comment");
        assert_int_equal(kp_jv_no_unknown(&jv, root), -1);
        assert_string_equal(err.msg,
                            "t.json: $.bogus: unknown key (expected one of: name, rate, comment)");
        kp_jv_allow(&jv, root, "bogus");
        assert_int_equal(kp_jv_no_unknown(&jv, root), 0);
        kp_jv_release(&jv);

        kp_jv_init(&jv, "t.json", &err);
        assert_int_equal(kp_jv_string(&jv, dup, "name", 1, &name), 1);
        assert_int_equal(kp_jv_no_unknown(&jv, dup), -1);
        assert_string_equal(err.msg, "t.json: $.name: duplicate key");
        kp_jv_release(&jv);

        /* keys asked of another object do not count; the path is nested */
        kp_jv_init(&jv, "t.json", &err);
        assert_int_equal(kp_jv_object(&jv, nested, "outer", 1, &outer), 1);
        kp_jv_push_key(&jv, "outer");
        assert_non_null(kp_jv_field(&jv, outer, "inner"));
        assert_null(kp_jv_field(&jv, outer, "absent"));
        assert_int_equal(kp_jv_no_unknown(&jv, outer), -1);
        assert_string_equal(err.msg,
                            "t.json: $.outer.typo: unknown key (expected one of: inner, absent)");
        kp_jv_release(&jv);
        free(name);
        cJSON_Delete(root);
        cJSON_Delete(dup);
        cJSON_Delete(nested);
}

static void test_env_expansion(void **state)
{
        const char *secret = "env-secret-A7f9x2";
        cJSON *root =
            parse("{\"pw\": \"${env:KPT_JV_SECRET}\","
                  "\"url\": \"https://${env:KPT_JV_USER}:${env:KPT_JV_SECRET}@h/$x\","
                  "\"unset\": \"${env:KPT_JV_UNSET_VAR}\", \"empty\": \"a${env:KPT_JV_EMPTY}b\","
                  "\"props\": {\"sasl.password\": \"${env:KPT_JV_SECRET}\", \"n\": 5,"
                  "\"f\": 1.5, \"t\": true, \"o\": {}}}");
        const cJSON *props;
        char *s = strdup("previous"), *red;
        size_t before;
        kp_err_t err;
        kp_jv_t jv;

        (void)state;
        kp_secret_clear();
        setenv("KPT_JV_SECRET", secret, 1);
        setenv("KPT_JV_USER", "alice", 1);
        setenv("KPT_JV_EMPTY", "", 1);
        unsetenv("KPT_JV_UNSET_VAR");
        kp_jv_init(&jv, "target.json", &err);

        assert_int_equal(kp_jv_string(&jv, root, "pw", 1, &s), 1);
        assert_string_equal(s, secret);
        assert_int_equal(kp_secret_count(), 1);
        red = kp_redact_dup(s);
        assert_string_equal(red, "***");
        free(red);

        assert_int_equal(kp_jv_string(&jv, root, "url", 1, &s), 1);
        assert_string_equal(s, "https://alice:env-secret-A7f9x2@h/$x");
        assert_int_equal(kp_secret_count(), 2); /* alice too: read from the environment */
        red = kp_redact_dup(s);
        assert_string_equal(red, "https://***:***@h/$x");
        free(red);

        /* an empty value expands to nothing and is not a secret */
        assert_int_equal(kp_jv_string(&jv, root, "empty", 1, &s), 1);
        assert_string_equal(s, "ab");
        assert_int_equal(kp_secret_count(), 2);

        before = kp_secret_count();
        assert_int_equal(kp_jv_string(&jv, root, "unset", 1, &s), -1);
        assert_int_equal(err.code, KP_EINVAL);
        assert_string_equal(
            err.msg, "target.json: $.unset: environment variable KPT_JV_UNSET_VAR is not set");
        assert_string_equal(s, "ab"); /* untouched */
        assert_int_equal(kp_secret_count(), before);

        /* client properties: scalars become strings, strings are expanded */
        assert_int_equal(kp_jv_object(&jv, root, "props", 1, &props), 1);
        kp_jv_push_key(&jv, "props");
        assert_int_equal(kp_jv_scalar_string(&jv, props, "sasl.password", &s), 1);
        assert_string_equal(s, secret);
        assert_int_equal(kp_jv_scalar_string(&jv, props, "n", &s), 1);
        assert_string_equal(s, "5");
        assert_int_equal(kp_jv_scalar_string(&jv, props, "f", &s), 1);
        assert_string_equal(s, "1.5");
        assert_int_equal(kp_jv_scalar_string(&jv, props, "t", &s), 1);
        assert_string_equal(s, "true");
        assert_int_equal(kp_jv_scalar_string(&jv, props, "absent", &s), 0);
        assert_int_equal(kp_jv_scalar_string(&jv, props, "o", &s), -1);
        assert_string_equal(err.msg,
                            "target.json: $.props.o: expected a string, number or boolean, "
                            "got an object");
        free(s);
        kp_jv_release(&jv);
        cJSON_Delete(root);
        kp_secret_clear();
}

static void test_bad_substitutions(void **state)
{
        static const char *const bad[] = {"${env:}",   "${env:1ABC}", "${env:A-B}",
                                          "${env:ABC", "${HOME}",     "x${file:/etc/passwd}"};
        char *out = NULL;
        kp_err_t err;
        kp_jv_t jv;
        size_t i;

        (void)state;
        setenv("ABC", "v", 1);
        kp_jv_init(&jv, "f.json", &err);
        kp_jv_push_key(&jv, "k");
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (kp_jv_expand(&jv, NULL, bad[i], &out) != -1)
                        fail_msg("\"%s\" was accepted as \"%s\"", bad[i], out);
                assert_contains(err.msg, "f.json: $.k: ");
        }
        assert_null(out);
        assert_int_equal(kp_jv_expand(&jv, NULL, "plain $ and {} text", &out), 0);
        assert_string_equal(out, "plain $ and {} text");
        assert_int_equal(kp_jv_expand(&jv, NULL, "${env:ABC}${env:ABC}", &out), 0);
        assert_string_equal(out, "vv");
        free(out);
        kp_jv_release(&jv);
        kp_secret_clear();
}

static void test_path_bookkeeping(void **state)
{
        kp_err_t err;
        kp_jv_t jv;
        size_t m0, m1;

        (void)state;
        kp_jv_init(&jv, "p.json", &err);
        m0 = kp_jv_push_key(&jv, "a");
        m1 = kp_jv_push_index(&jv, 12);
        kp_jv_push_key(&jv, "with.dot");
        kp_jv_push_key(&jv, "_ok9");
        assert_string_equal(jv.path, "$.a[12][\"with.dot\"]._ok9");
        assert_int_equal(kp_jv_fail(&jv, "bad %d", 1), -1);
        assert_string_equal(err.msg, "p.json: $.a[12][\"with.dot\"]._ok9: bad 1");
        assert_int_equal(kp_jv_fail_at(&jv, "9lives", "x"), -1);
        assert_string_equal(err.msg, "p.json: $.a[12][\"with.dot\"]._ok9[\"9lives\"]: x");
        kp_jv_pop(&jv, m1);
        assert_string_equal(jv.path, "$.a");
        kp_jv_pop(&jv, m0);
        assert_string_equal(jv.path, "$");
        kp_jv_release(&jv);
}

static void write_file(const char *name, const char *text, char *path, size_t size)
{
        kp_err_t err;

        assert_int_equal(kp_path_join(path, size, tmpdir, name), 0);
        assert_int_equal(kp_write_file_raw(path, text, strlen(text), 0644, &err), 0);
}

static void test_load_file(void **state)
{
        char path[1200], want[1400];
        cJSON *root = NULL;
        kp_err_t err;

        (void)state;
        write_file("ok.json", "{\"a\": [1, 2]}", path, sizeof(path));
        assert_int_equal(kp_jv_load_file(path, 1024, &root, &err), 0);
        assert_non_null(root);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "a")), 2);
        cJSON_Delete(root);

        write_file("bad.json", "{\n  \"a\": 1,\n  \"b\": }\n", path, sizeof(path));
        assert_int_equal(kp_jv_load_file(path, 1024, &root, &err), -1);
        assert_null(root);
        assert_int_equal(err.code, KP_EINVAL);
        snprintf(want, sizeof(want), "%s: line 3, column", path);
        assert_contains(err.msg, want);
        assert_contains(err.msg, "invalid JSON");

        /* trailing garbage after the document is an error too */
        write_file("trail.json", "{} x", path, sizeof(path));
        assert_int_equal(kp_jv_load_file(path, 1024, &root, &err), -1);

        write_file("big.json", "{\"a\": \"0123456789\"}", path, sizeof(path));
        assert_int_equal(kp_jv_load_file(path, 10, &root, &err), -1);
        assert_int_equal(err.code, KP_EINVAL);
        assert_contains(err.msg, "larger than 10 bytes");

        assert_int_equal(kp_path_join(path, sizeof(path), tmpdir, "absent.json"), 0);
        assert_int_equal(kp_jv_load_file(path, 1024, &root, &err), -1);
        assert_int_equal(err.code, KP_EINVAL);
        assert_contains(err.msg, "absent.json");
}

static void test_describe(void **state)
{
        cJSON *root = parse("[\"s\", 1e300, -0.5, false, null, [], {}]");
        char out[64];

        (void)state;
        kp_jv_describe(cJSON_GetArrayItem(root, 0), out, sizeof(out));
        assert_string_equal(out, "\"s\"");
        kp_jv_describe(cJSON_GetArrayItem(root, 1), out, sizeof(out));
        assert_string_equal(out, "1e+300");
        kp_jv_describe(cJSON_GetArrayItem(root, 2), out, sizeof(out));
        assert_string_equal(out, "-0.5");
        kp_jv_describe(cJSON_GetArrayItem(root, 3), out, sizeof(out));
        assert_string_equal(out, "false");
        kp_jv_describe(cJSON_GetArrayItem(root, 4), out, sizeof(out));
        assert_string_equal(out, "null");
        kp_jv_describe(cJSON_GetArrayItem(root, 5), out, sizeof(out));
        assert_string_equal(out, "an array");
        kp_jv_describe(cJSON_GetArrayItem(root, 6), out, sizeof(out));
        assert_string_equal(out, "an object");
        kp_jv_describe(NULL, out, sizeof(out));
        assert_string_equal(out, "nothing");
        cJSON_Delete(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_type_error_names_path),
            cmocka_unit_test(test_getter_messages),
            cmocka_unit_test(test_getter_values),
            cmocka_unit_test(test_int_beyond_int64),
            cmocka_unit_test(test_unknown_and_duplicate_keys),
            cmocka_unit_test(test_env_expansion),
            cmocka_unit_test(test_bad_substitutions),
            cmocka_unit_test(test_path_bookkeeping),
            cmocka_unit_test(test_load_file),
            cmocka_unit_test(test_describe),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
