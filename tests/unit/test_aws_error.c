/*
 * Unit tests of AWS error normalisation (JSON "__type" with prefixes and
 * suffixes, "message"/"Message", S3 XML, the x-amzn-ErrorType header, plain
 * text), throttling and unsupported classification, and the retry backoff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adapters/aws.h"
#include "util/timeutil.h"

static void parse(long status, const char *body, const char *hdr, kp_aws_error_t *e)
{
        kp_aws_error_parse(status, body, body ? strlen(body) : 0, hdr, e);
}

static void test_json_prefix_suffix(void **state)
{
        kp_aws_error_t e;
        (void)state;

        parse(
            400,
            "{\"__type\":\"com.amazonaws.kms#DisabledException\",\"message\":\"key is disabled\"}",
            NULL, &e);
        assert_string_equal(e.code, "DisabledException");
        assert_string_equal(e.message, "key is disabled");
        assert_false(e.throttled);

        parse(400,
              "{\"__type\":\"NotFoundException:http://internal.amazon.com/coral/"
              "com.amazon.coral.service/\","
              "\"Message\":\"Alias not found\"}",
              NULL, &e);
        assert_string_equal(e.code, "NotFoundException");
        assert_string_equal(e.message, "Alias not found");

        parse(400, "{\"__type\":\"KMSInvalidStateException\",\"message\":\"pending deletion\"}",
              NULL, &e);
        assert_string_equal(e.code, "KMSInvalidStateException");
}

static void test_throttling(void **state)
{
        kp_aws_error_t e;
        (void)state;

        parse(400,
              "{\"__type\":\"com.amazon.coral.availability#ThrottlingException\",\"message\":"
              "\"Rate exceeded\"}",
              NULL, &e);
        assert_string_equal(e.code, "ThrottlingException");
        assert_true(e.throttled);
        parse(429, "", NULL, &e);
        assert_true(e.throttled);
        assert_string_equal(e.code, "HTTP429");
        parse(503,
              "<Error><Code>SlowDown</Code><Message>Please reduce your request "
              "rate.</Message></Error>",
              NULL, &e);
        assert_string_equal(e.code, "SlowDown");
        assert_string_equal(e.message, "Please reduce your request rate.");
        assert_true(e.throttled);
}

static void test_s3_xml_and_header(void **state)
{
        kp_aws_error_t e;
        (void)state;

        parse(
            400,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>KMS.DisabledException</Code>"
            "<Message>arn:aws:kms:... is disabled.</Message><RequestId>1</RequestId></Error>",
            NULL, &e);
        assert_string_equal(e.code, "KMS.DisabledException");
        assert_string_equal(e.message, "arn:aws:kms:... is disabled.");
        parse(404, "", "NoSuchBucket:http://internal", &e);
        assert_string_equal(e.code, "NoSuchBucket");
}

static void test_unsupported(void **state)
{
        kp_aws_error_t e;
        (void)state;

        parse(501, "not implemented\nmore", NULL, &e);
        assert_true(kp_aws_error_is_unsupported(&e));
        assert_string_equal(e.message, "not implemented");
        assert_string_equal(e.code, "HTTP501");
        parse(400, "{\"__type\":\"UnsupportedOperationException\"}", NULL, &e);
        assert_true(kp_aws_error_is_unsupported(&e));
        parse(400, "{\"__type\":\"DisabledException\"}", NULL, &e);
        assert_false(kp_aws_error_is_unsupported(&e));
}

static void test_backoff(void **state)
{
        int64_t base = 100 * KP_NS_PER_MS, max = 5 * KP_NS_PER_S;
        (void)state;

        assert_int_equal(kp_aws_backoff_ns(1, base, max, 0.0), 0);
        assert_true(kp_aws_backoff_ns(1, base, max, 0.5) == 50 * KP_NS_PER_MS);
        assert_true(kp_aws_backoff_ns(3, base, max, 0.5) == 200 * KP_NS_PER_MS);
        assert_true(kp_aws_backoff_ns(30, base, max, 0.999) < max);
        assert_true(kp_aws_backoff_ns(30, base, max, 0.999) > 4 * KP_NS_PER_S);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_json_prefix_suffix),
            cmocka_unit_test(test_throttling),
            cmocka_unit_test(test_s3_xml_and_header),
            cmocka_unit_test(test_unsupported),
            cmocka_unit_test(test_backoff),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
