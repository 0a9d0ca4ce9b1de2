/*
 * Unit tests of the kms and storage sections of target files: values and
 * defaults, ${env:} credentials registered as secrets, and the exact error
 * (file and JSON path) for each kind of bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "util/secret.h"
#include "util/timeutil.h"

static char path[4096];

static void write_target(const char *json)
{
        const char *tmp = getenv("KPROOF_TEST_TMP");
        FILE *f;

        snprintf(path, sizeof(path), "%s/kms-target-%d.json", tmp ? tmp : "/tmp", (int)getpid());
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(json, f);
        fclose(f);
}

#define HEAD "{\"name\":\"t\",\"kafka\":{\"bootstrap.servers\":\"127.0.0.1:9092\"},"

static void test_aws_kms_full(void **state)
{
        kp_target_t *t = NULL;
        kp_err_t err;
        kp_buf_t b;
        (void)state;

        setenv("KP_UT_SECRET", "ut-secret-value-123", 1);
        write_target(HEAD
                     "\"kms\":{\"type\":\"aws-kms\",\"region\":\"eu-west-1\","
                     "\"access_key_id\":\"AKID\",\"secret_access_key\":\"${env:KP_UT_SECRET}\","
                     "\"key\":\"alias/k\"},"
                     "\"storage\":{\"type\":\"s3\",\"region\":\"eu-west-1\",\"bucket\":\"b\","
                     "\"access_key_id\":\"AKID\",\"secret_access_key\":\"${env:KP_UT_SECRET}\","
                     "\"expected_kms_key\":\"k1\"}}");
        assert_int_equal(kp_target_load(path, &t, &err), 0);
        assert_string_equal(t->kms_type, "aws-kms");
        assert_string_equal(t->kms.region, "eu-west-1");
        assert_null(t->kms.endpoint);
        assert_string_equal(t->kms.key, "alias/k");
        assert_string_equal(t->kms.secret_access_key, "ut-secret-value-123");
        assert_false(t->kms.fixture);
        assert_true(t->kms.timeout_ns == 10 * KP_NS_PER_S);
        assert_int_equal(t->kms.max_attempts, 4);
        assert_string_equal(t->storage_type, "s3");
        assert_string_equal(t->storage.bucket, "b");
        assert_string_equal(t->storage.expected_kms_key, "k1");
        assert_true(t->storage.max_scan_bytes == (int64_t)1 << 30);
        /* The credential is redacted wherever kproof writes. */
        kp_buf_init(&b, 0);
        kp_redact("key=ut-secret-value-123;", 24, &b);
        assert_string_equal(kp_buf_cstr(&b), "key=***;");
        kp_buf_free(&b);
        kp_target_free(t);
}

static void test_dir_storage(void **state)
{
        kp_target_t *t = NULL;
        kp_err_t err;
        (void)state;

        write_target(HEAD "\"storage\":{\"type\":\"dir\",\"log_dirs\":[\"a/*\",\"/b\"],"
                          "\"max_scan_bytes\":2097152}}");
        assert_int_equal(kp_target_load(path, &t, &err), 0);
        assert_string_equal(t->storage_type, "dir");
        assert_int_equal(t->storage.n_log_dirs, 2);
        assert_string_equal(t->storage.log_dirs[1], "/b");
        assert_true(t->storage.max_scan_bytes == 2097152);
        assert_string_equal(t->kms_type, "none");
        kp_target_free(t);
}

typedef struct bad {
        const char *json;
        const char *msg; /* expected after "<file>: " */
} bad_t;

static void test_errors(void **state)
{
        static const bad_t cases[] = {
            {HEAD "\"kms\":{\"type\":\"gcp-kms\"}}", "$.kms.type: expected one of"},
            {HEAD
             "\"kms\":{\"type\":\"aws-kms\",\"access_key_id\":\"AKIDTEST\",\"secret_access_key\":"
             "\"sk-test-value\","
             "\"key\":\"k\"}}",
             "$.kms.region: required field is missing"},
            {HEAD
             "\"kms\":{\"type\":\"aws-kms\",\"region\":\"EU West\",\"access_key_id\":\"AKIDTEST\","
             "\"secret_access_key\":\"sk-test-value\",\"key\":\"k\"}}",
             "$.kms.region: expected a region like \"eu-west-1\", got \"EU West\""},
            {HEAD "\"kms\":{\"type\":\"aws-kms\",\"region\":\"r\",\"endpoint\":\"ftp://x\","
                  "\"access_key_id\":\"AKIDTEST\",\"secret_access_key\":\"sk-test-value\",\"key\":"
                  "\"k\"}}",
             "$.kms.endpoint: expected an http:// or https:// URL, got \"ftp://x\""},
            {HEAD "\"kms\":{\"type\":\"aws-kms\",\"region\":\"r\",\"access_key_id\":\"AKIDTEST\","
                  "\"secret_access_key\":\"sk-test-value\"}}",
             "$.kms.key: required field is missing"},
            {HEAD "\"kms\":{\"type\":\"aws-kms\",\"region\":\"r\",\"access_key_id\":\"AKIDTEST\","
                  "\"secret_access_key\":\"\",\"key\":\"k\"}}",
             "$.kms.secret_access_key: expected a non-empty string"},
            {HEAD "\"kms\":{\"type\":\"aws-kms\",\"region\":\"r\",\"access_key_id\":\"AKIDTEST\","
                  "\"secret_access_key\":\"sk-test-value\",\"key\":\"k\",\"max_attempts\":0}}",
             "$.kms.max_attempts:"},
            {HEAD "\"kms\":{\"type\":\"none\",\"region\":\"r\"}}", "$.kms.region: unknown key"},
            {HEAD "\"storage\":{\"type\":\"dir\"}}",
             "$.storage.log_dirs: required field is missing"},
            {HEAD "\"storage\":{\"type\":\"s3\",\"region\":\"r\",\"access_key_id\":\"AKIDTEST\","
                  "\"secret_access_key\":\"sk-test-value\"}}",
             "$.storage.bucket: required field is missing"},
            {HEAD "\"storage\":{\"type\":\"s3\",\"region\":\"r\",\"bucket\":\"b\",\"access_key_"
                  "id\":\"AKIDTEST\","
                  "\"secret_access_key\":\"${env:KP_UT_NOT_SET_ANYWHERE}\"}}",
             "$.storage.secret_access_key: environment variable KP_UT_NOT_SET_ANYWHERE is not set"},
        };
        size_t i;
        (void)state;

        unsetenv("KP_UT_NOT_SET_ANYWHERE");
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                kp_target_t *t = NULL;
                kp_err_t err;
                char want[1200];
                /* Messages are redacted when made: no value from earlier cases. */
                kp_secret_clear();
                write_target(cases[i].json);
                assert_int_equal(kp_target_load(path, &t, &err), -1);
                assert_int_equal(err.code, KP_EINVAL);
                snprintf(want, sizeof(want), "%s: %s", path, cases[i].msg);
                if (strncmp(err.msg, want, strlen(want)) != 0)
                        fail_msg("case %zu: got \"%s\", want prefix \"%s\"", i, err.msg, want);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_aws_kms_full),
            cmocka_unit_test(test_dir_storage),
            cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
