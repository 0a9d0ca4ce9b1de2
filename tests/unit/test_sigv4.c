/*
 * Unit tests of the SigV4 signer against vectors of AWS's published
 * Signature Version 4 test suite (credentials AKIDEXAMPLE, region us-east-1,
 * service "service", 2015-08-30T12:36:00Z), the signing-key example of
 * the AWS general reference and the four examples of the S3 API reference
 * page "Signature Calculations for the Authorization Header" (GET Object, PUT
 * Object, GET Bucket Lifecycle, GET Bucket). The expected values are the
 * published ones, written here by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/digest.h"
#include "adapters/sigv4.h"

#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define AUTHZ_PREFIX                                                                               \
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "

static const kp_sigv4_creds_t creds = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                       NULL};

static void sign(const char *method, kp_kvlist_t *query, kp_kvlist_t *headers,
                 const char *payload_sha, const kp_sigv4_creds_t *c, kp_buf_t *creq, kp_buf_t *sts,
                 kp_buf_t *authz)
{
        kp_sigv4_req_t r = {
            method, "/", query, headers, payload_sha, "us-east-1", "service", "20150830T123600Z",
            0};
        kp_err_t err;

        assert_int_equal(kp_sigv4_sign(&r, c, creq, sts, authz, &err), 0);
}

static void base_headers(kp_kvlist_t *h)
{
        memset(h, 0, sizeof(*h));
        kp_kvlist_set(h, "Host", "example.amazonaws.com");
        kp_kvlist_set(h, "X-Amz-Date", "20150830T123600Z");
}

static void expect_authz(const char *method, kp_kvlist_t *query, kp_kvlist_t *headers,
                         const char *payload_sha, const kp_sigv4_creds_t *c, const char *expected)
{
        kp_buf_t authz;

        kp_buf_init(&authz, 0);
        sign(method, query, headers, payload_sha, c, NULL, NULL, &authz);
        assert_string_equal(kp_buf_cstr(&authz), expected);
        kp_buf_free(&authz);
}

static void test_get_vanilla(void **state)
{
        kp_kvlist_t h;
        (void)state;

        base_headers(&h);
        expect_authz("GET", NULL, &h, EMPTY_SHA, &creds,
                     AUTHZ_PREFIX
                     "SignedHeaders=host;x-amz-date, "
                     "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        kp_kvlist_clear(&h);
}

static void test_post_vanilla(void **state)
{
        kp_kvlist_t h;
        (void)state;

        base_headers(&h);
        expect_authz("POST", NULL, &h, EMPTY_SHA, &creds,
                     AUTHZ_PREFIX
                     "SignedHeaders=host;x-amz-date, "
                     "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
        kp_kvlist_clear(&h);
}

static void test_query_order_key_case(void **state)
{
        kp_kvlist_t h, q;
        kp_buf_t cq;
        (void)state;

        base_headers(&h);
        memset(&q, 0, sizeof(q));
        kp_kvlist_set(&q, "Param2", "value2");
        kp_kvlist_set(&q, "Param1", "value1");
        expect_authz("GET", &q, &h, EMPTY_SHA, &creds,
                     AUTHZ_PREFIX
                     "SignedHeaders=host;x-amz-date, "
                     "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
        kp_buf_init(&cq, 0);
        assert_int_equal(kp_sigv4_canonical_query(&q, &cq), 0);
        assert_string_equal(kp_buf_cstr(&cq), "Param1=value1&Param2=value2");
        kp_buf_free(&cq);
        kp_kvlist_clear(&h);
        kp_kvlist_clear(&q);
}

static void test_query_unreserved(void **state)
{
        const char *u = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        kp_kvlist_t h, q;
        (void)state;

        base_headers(&h);
        memset(&q, 0, sizeof(q));
        kp_kvlist_set(&q, u, u);
        expect_authz("GET", &q, &h, EMPTY_SHA, &creds,
                     AUTHZ_PREFIX
                     "SignedHeaders=host;x-amz-date, "
                     "Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197");
        kp_kvlist_clear(&h);
        kp_kvlist_clear(&q);
}

static void test_post_form_urlencoded(void **state)
{
        kp_kvlist_t h;
        kp_buf_t creq, sts, authz;
        char body_sha[KP_SHA256_HEX];
        (void)state;

        memset(&h, 0, sizeof(h));
        kp_kvlist_set(&h, "Content-Type", "application/x-www-form-urlencoded");
        kp_kvlist_set(&h, "Host", "example.amazonaws.com");
        kp_kvlist_set(&h, "X-Amz-Date", "20150830T123600Z");
        kp_sha256_hex("Param1=value1", 13, body_sha);
        assert_string_equal(body_sha,
                            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
        kp_buf_init(&creq, 0);
        kp_buf_init(&sts, 0);
        kp_buf_init(&authz, 0);
        sign("POST", NULL, &h, body_sha, &creds, &creq, &sts, &authz);
        assert_string_equal(kp_buf_cstr(&creq),
                            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
                            "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                            "content-type;host;x-amz-date\n"
                            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
        assert_string_equal(
            kp_buf_cstr(&sts),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
        assert_string_equal(
            kp_buf_cstr(&authz), AUTHZ_PREFIX
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
        kp_buf_free(&creq);
        kp_buf_free(&sts);
        kp_buf_free(&authz);
        kp_kvlist_clear(&h);
}

static void test_header_value_trim(void **state)
{
        kp_kvlist_t h;
        (void)state;

        memset(&h, 0, sizeof(h));
        kp_kvlist_set(&h, "Host", "example.amazonaws.com");
        kp_kvlist_set(&h, "My-Header1", " value1");
        kp_kvlist_set(&h, "My-Header2", " \"a   b   c\"");
        kp_kvlist_set(&h, "X-Amz-Date", "20150830T123600Z");
        expect_authz("GET", NULL, &h, EMPTY_SHA, &creds,
                     AUTHZ_PREFIX
                     "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
                     "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
        kp_kvlist_clear(&h);
}

static void test_sts_token_signed(void **state)
{
        const char *token =
            "AQoDYXdzEPT//////////"
            "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXm"
            "xfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/"
            "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0"
            "KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+"
            "xo0rKwT38xVqr7ZD0u0iPPkUL64lI"
            "ZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
        kp_sigv4_creds_t c = creds;
        kp_kvlist_t h;
        (void)state;

        c.session_token = token;
        base_headers(&h);
        kp_kvlist_set(&h, "X-Amz-Security-Token", token);
        expect_authz("POST", NULL, &h, EMPTY_SHA, &c,
                     AUTHZ_PREFIX
                     "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                     "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
        kp_kvlist_clear(&h);
}

/* AWS general reference, "Examples of how to derive a signing key". */
static void test_signing_key(void **state)
{
        char k[65];
        (void)state;

        kp_sigv4_signing_key_hex("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                 "us-east-1", "iam", k);
        assert_string_equal(k, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

/* S3 API reference, "Authenticating Requests: Using the Authorization
 * Header", GET Object example (single-encoded path, x-amz-content-sha256). */
static void test_s3_get_object(void **state)
{
        kp_sigv4_creds_t c = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                              NULL};
        kp_kvlist_t h;
        kp_buf_t authz;
        kp_err_t err;
        kp_sigv4_req_t r = {"GET", "/test.txt",        NULL, &h, EMPTY_SHA, "us-east-1",
                            "s3",  "20130524T000000Z", 1};
        (void)state;

        memset(&h, 0, sizeof(h));
        kp_kvlist_set(&h, "Host", "examplebucket.s3.amazonaws.com");
        kp_kvlist_set(&h, "Range", "bytes=0-9");
        kp_kvlist_set(&h, "x-amz-content-sha256", EMPTY_SHA);
        kp_kvlist_set(&h, "x-amz-date", "20130524T000000Z");
        kp_buf_init(&authz, 0);
        assert_int_equal(kp_sigv4_sign(&r, &c, NULL, NULL, &authz, &err), 0);
        assert_string_equal(
            kp_buf_cstr(&authz),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        kp_buf_free(&authz);
        kp_kvlist_clear(&h);
}

/* The other three examples of the same S3 API reference page ("Examples:
 * Signature Calculations", AKIAIOSFODNN7EXAMPLE, examplebucket,
 * 20130524T000000Z): the canonical request, the hash the string to sign
 * ends in and the signature, as the page gives them. */
static const kp_sigv4_creds_t s3_example_creds = {"AKIAIOSFODNN7EXAMPLE",
                                                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL};

static const char s3_example_prefix[] =
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,";

static void expect_s3_example(const char *method, const char *path, const kp_kvlist_t *q,
                              const kp_kvlist_t *h, const char *payload_sha, const char *want_creq,
                              const char *want_sts_hash, const char *want_tail)
{
        kp_sigv4_req_t r = {method, path, q, h, payload_sha, "us-east-1", "s3", "20130524T000000Z",
                            1};
        kp_buf_t creq, sts, authz;
        kp_err_t err;
        const char *a;
        size_t al, tl = strlen(want_tail);

        kp_buf_init(&creq, 0);
        kp_buf_init(&sts, 0);
        kp_buf_init(&authz, 0);
        assert_int_equal(kp_sigv4_sign(&r, &s3_example_creds, &creq, &sts, &authz, &err), 0);
        assert_string_equal(kp_buf_cstr(&creq), want_creq);
        assert_true(sts.len > 64);
        assert_string_equal(kp_buf_cstr(&sts) + sts.len - 64, want_sts_hash);
        a = kp_buf_cstr(&authz);
        al = strlen(a);
        assert_true(al > tl);
        assert_string_equal(a + al - tl, want_tail);
        assert_true(strncmp(a, s3_example_prefix, strlen(s3_example_prefix)) == 0);
        kp_buf_free(&creq);
        kp_buf_free(&sts);
        kp_buf_free(&authz);
}

/* PUT Object "test$file.text", body "Welcome to Amazon S3.", a Date header
 * and a storage class: '$' encoded once in the path. */
static void test_s3_put_object(void **state)
{
        const char *body_sha = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
        char got_sha[KP_SHA256_HEX];
        kp_kvlist_t h;
        (void)state;

        kp_sha256_hex("Welcome to Amazon S3.", 21, got_sha);
        assert_string_equal(got_sha, body_sha);
        memset(&h, 0, sizeof(h));
        kp_kvlist_set(&h, "Host", "examplebucket.s3.amazonaws.com");
        kp_kvlist_set(&h, "Date", "Fri, 24 May 2013 00:00:00 GMT");
        kp_kvlist_set(&h, "x-amz-date", "20130524T000000Z");
        kp_kvlist_set(&h, "x-amz-storage-class", "REDUCED_REDUNDANCY");
        kp_kvlist_set(&h, "x-amz-content-sha256", body_sha);
        expect_s3_example(
            "PUT", "/test$file.text", NULL, &h, body_sha,
            "PUT\n/test%24file.text\n\n"
            "date:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
            "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
        kp_kvlist_clear(&h);
}

static void s3_example_get_headers(kp_kvlist_t *h)
{
        memset(h, 0, sizeof(*h));
        kp_kvlist_set(h, "Host", "examplebucket.s3.amazonaws.com");
        kp_kvlist_set(h, "x-amz-date", "20130524T000000Z");
        kp_kvlist_set(h, "x-amz-content-sha256", EMPTY_SHA);
}

/* GET Bucket Lifecycle: a query parameter without a value ("?lifecycle"). */
static void test_s3_get_bucket_lifecycle(void **state)
{
        kp_kvlist_t h, q;
        (void)state;

        s3_example_get_headers(&h);
        memset(&q, 0, sizeof(q));
        kp_kvlist_set(&q, "lifecycle", "");
        expect_s3_example(
            "GET", "/", &q, &h, EMPTY_SHA,
            "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:" EMPTY_SHA "\nx-amz-date:20130524T000000Z\n\n"
            "host;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA,
            "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
        kp_kvlist_clear(&h);
        kp_kvlist_clear(&q);
}

/* GET Bucket (List Objects) "?max-keys=2&prefix=J", the parameters given
 * here in the other order: the signer sorts them. */
static void test_s3_list_objects(void **state)
{
        kp_kvlist_t h, q;
        (void)state;

        s3_example_get_headers(&h);
        memset(&q, 0, sizeof(q));
        kp_kvlist_set(&q, "prefix", "J");
        kp_kvlist_set(&q, "max-keys", "2");
        expect_s3_example(
            "GET", "/", &q, &h, EMPTY_SHA,
            "GET\n/\nmax-keys=2&prefix=J\nhost:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:" EMPTY_SHA "\nx-amz-date:20130524T000000Z\n\n"
            "host;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA,
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
        kp_kvlist_clear(&h);
        kp_kvlist_clear(&q);
}

static void test_uri_encode(void **state)
{
        kp_buf_t b;
        (void)state;

        kp_buf_init(&b, 0);
        assert_int_equal(kp_sigv4_uri_encode(&b, "a b/c~d+é", 1), 0);
        assert_string_equal(kp_buf_cstr(&b), "a%20b/c~d%2B%C3%A9");
        kp_buf_reset(&b);
        assert_int_equal(kp_sigv4_uri_encode(&b, "x/y", 0), 0);
        assert_string_equal(kp_buf_cstr(&b), "x%2Fy");
        kp_buf_free(&b);
}

static void test_amz_date(void **state)
{
        char d[17];
        (void)state;

        kp_sigv4_amz_date(1440938160LL * 1000000000LL, d);
        assert_string_equal(d, "20150830T123600Z");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_get_vanilla),
            cmocka_unit_test(test_post_vanilla),
            cmocka_unit_test(test_query_order_key_case),
            cmocka_unit_test(test_query_unreserved),
            cmocka_unit_test(test_post_form_urlencoded),
            cmocka_unit_test(test_header_value_trim),
            cmocka_unit_test(test_sts_token_signed),
            cmocka_unit_test(test_signing_key),
            cmocka_unit_test(test_s3_get_object),
            cmocka_unit_test(test_s3_put_object),
            cmocka_unit_test(test_s3_get_bucket_lifecycle),
            cmocka_unit_test(test_s3_list_objects),
            cmocka_unit_test(test_uri_encode),
            cmocka_unit_test(test_amz_date),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
