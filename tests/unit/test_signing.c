/*
 * Unit tests of base64, the Ed25519 keys and the DSSE bundle: encodings
 * against RFC 4648 vectors, the PAE layout of the DSSE specification, key
 * files and fingerprints, and a signed directory that verifies until a file
 * is changed, removed or added.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/report.h"
#include "util/base64.h"
#include "sign/bundle.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "sign/sign.h"

static void test_base64_vectors(void **state)
{
        static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
        static const char *const enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                          "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
        size_t i;

        (void)state;
        for (i = 0; i < 7; i++) {
                kp_buf_t b;
                kp_buf_init(&b, 1024);
                assert_int_equal(kp_base64_encode(plain[i], strlen(plain[i]), &b), 0);
                assert_string_equal(kp_buf_cstr(&b), enc[i]);
                kp_buf_reset(&b);
                assert_int_equal(kp_base64_decode(enc[i], strlen(enc[i]), &b), 0);
                assert_int_equal(b.len, strlen(plain[i]));
                assert_memory_equal(kp_buf_cstr(&b), plain[i], b.len);
                kp_buf_free(&b);
        }
}

static void test_base64_rejects(void **state)
{
        static const char *const bad[] = {"Zm9v!", "Z", "Zh==", "Zm9=", "Zg=a", "Z===", "Zg==="};
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                kp_buf_t b;
                kp_buf_init(&b, 1024);
                assert_int_equal(kp_base64_decode(bad[i], strlen(bad[i]), &b), -1);
                kp_buf_free(&b);
        }
}

/* What OpenSSL's decoder alone would let through (whitespace, '=' inside
 * the last group, padding of a whole group, bits past the last byte) is
 * rejected, and a rejected input leaves the output as it was. */
static void test_base64_rejects_lenient_forms(void **state)
{
        static const char *const bad[] = {
            " Zm9v", "Zm9v\n",      "Zm9v ",   "Zm 9v",    "\tZm9v",   "Zm9v\r\n",
            "Zg=\n", "Z=9v",        "Zm=v",    "====",     "Zm9v====", "Zm9v=",
            "Zg=",   "Zm8==",       "Zh",      "Zm9",      "Zm9vZ",    "Zm9v.",
            "Zm9v*", "Zm9\xc3\xa9", "Zm9v%3D", "Zg==Zg==", "Zm8=Zm9v", "Zm9vYg=a"};
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                kp_buf_t b;
                kp_buf_init(&b, 1024);
                assert_int_equal(kp_buf_append(&b, "keep", 4), 0);
                assert_int_equal(kp_base64_decode(bad[i], strlen(bad[i]), &b), -1);
                assert_int_equal(b.len, 4);
                assert_string_equal(kp_buf_cstr(&b), "keep");
                kp_buf_free(&b);
        }
        {
                /* a NUL inside the counted length is no base64 character */
                kp_buf_t b;
                kp_buf_init(&b, 1024);
                assert_int_equal(kp_base64_decode("Zm9v\0Zm9v", 9, &b), -1);
                assert_int_equal(kp_base64_decode("Zm9v\0", 5, &b), -1);
                assert_int_equal(b.len, 0);
                kp_buf_free(&b);
        }
}

/* Inputs longer than one OpenSSL call, in both alphabets, padded or not. */
static void test_base64_long_round_trip(void **state)
{
        size_t lens[] = {3071, 3072, 3073, 3074, 9217, 20000};
        unsigned char plain[20000];
        size_t i, k;

        (void)state;
        for (i = 0; i < sizeof(plain); i++)
                plain[i] = (unsigned char)(i * 131 + (i >> 8));
        for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
                kp_buf_t enc, url, dec;
                kp_buf_init(&enc, 0);
                kp_buf_init(&url, 0);
                kp_buf_init(&dec, 0);
                assert_int_equal(kp_base64_encode(plain, lens[k], &enc), 0);
                assert_int_equal(enc.len, (lens[k] + 2) / 3 * 4);
                assert_int_equal(strlen(kp_buf_cstr(&enc)), enc.len);
                assert_int_equal(kp_base64_decode(enc.data, enc.len, &dec), 0);
                assert_int_equal(dec.len, lens[k]);
                assert_memory_equal(dec.data, plain, lens[k]);
                /* URL-safe and without padding, as DSSE allows */
                for (i = 0; i < enc.len && enc.data[i] != '='; i++) {
                        char c = enc.data[i] == '+' ? '-' : enc.data[i] == '/' ? '_' : enc.data[i];
                        assert_int_equal(kp_buf_putc(&url, c), 0);
                }
                kp_buf_reset(&dec);
                assert_int_equal(kp_base64_decode(url.data, url.len, &dec), 0);
                assert_int_equal(dec.len, lens[k]);
                assert_memory_equal(dec.data, plain, lens[k]);
                /* one bad character at the very end, after whole chunks */
                url.data[url.len - 1] = '!';
                kp_buf_reset(&dec);
                assert_int_equal(kp_base64_decode(url.data, url.len, &dec), -1);
                assert_int_equal(dec.len, 0);
                kp_buf_free(&enc);
                kp_buf_free(&url);
                kp_buf_free(&dec);
        }
}

static void test_base64_url_safe_and_unpadded(void **state)
{
        kp_buf_t b;

        (void)state;
        kp_buf_init(&b, 64);
        assert_int_equal(kp_base64_decode("-_8", 3, &b), 0); /* 0xfb 0xff */
        assert_int_equal(b.len, 2);
        assert_int_equal((unsigned char)b.data[0], 0xfb);
        assert_int_equal((unsigned char)b.data[1], 0xff);
        kp_buf_free(&b);
}

/* The PAE example of the DSSE specification (protocol.md). */
static void test_pae(void **state)
{
        kp_buf_t b;

        (void)state;
        kp_buf_init(&b, 1024);
        assert_int_equal(kp_dsse_pae("http://example.com/HelloWorld", "hello world", 11, &b), 0);
        assert_string_equal(kp_buf_cstr(&b),
                            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
        kp_buf_free(&b);
}

static char tmpdir[256];

static int setup_tmp(void **state)
{
        const char *base = getenv("KPROOF_TEST_TMP");

        (void)state;
        snprintf(tmpdir, sizeof(tmpdir), "%s/signing.XXXXXX", base ? base : "/tmp");
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
        (void)state;
        kp_rm_rf(tmpdir);
        return 0;
}

static void test_keys(void **state)
{
        char path[512], fp[KP_SHA256_HEX];
        kp_key_t *priv = NULL, *pub = NULL, *other = NULL;
        unsigned char sig[KP_SIG_BYTES];
        struct stat st;
        kp_err_t err;

        (void)state;
        snprintf(path, sizeof(path), "%s/k.pem", tmpdir);
        assert_int_equal(kp_key_generate(path, 0, fp, &err), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(kp_key_generate(path, 0, NULL, &err), -1); /* no silent overwrite */
        assert_int_equal(kp_key_load_private(path, &priv, &err), 0);
        assert_string_equal(kp_key_fingerprint(priv), fp);
        assert_int_equal(strlen(fp), 64);
        snprintf(path + strlen(path), sizeof(path) - strlen(path), ".pub");
        assert_int_equal(kp_key_load_public(path, &pub, &err), 0);
        assert_string_equal(kp_key_fingerprint(pub), fp);
        assert_false(kp_key_has_private(pub));
        assert_int_equal(kp_key_sign(pub, "x", 1, sig, &err), -1);
        assert_int_equal(kp_key_sign(priv, "message", 7, sig, &err), 0);
        assert_int_equal(kp_key_verify(pub, "message", 7, sig, sizeof(sig)), 1);
        assert_int_equal(kp_key_verify(pub, "messagE", 7, sig, sizeof(sig)), 0);
        assert_int_equal(kp_key_verify(pub, "message", 7, sig, sizeof(sig) - 1), 0);
        sig[5] ^= 1;
        assert_int_equal(kp_key_verify(pub, "message", 7, sig, sizeof(sig)), 0);
        assert_int_equal(kp_key_from_public_pem(kp_key_public_pem(priv),
                                                strlen(kp_key_public_pem(priv)), &other, &err),
                         0);
        assert_string_equal(kp_key_fingerprint(other), fp);
        {
                kp_key_t *none = NULL;
                /* A public key file is no private key. */
                assert_int_equal(kp_key_load_private(path, &none, &err), -1);
                assert_null(none);
        }
        kp_key_free(priv);
        kp_key_free(pub);
        kp_key_free(other);
}

typedef struct seen {
        int n;
        char files[8][128];
} seen_t;

static void on_problem(void *opaque, const char *file, const char *msg)
{
        seen_t *s = opaque;

        (void)msg;
        if (s->n < 8)
                snprintf(s->files[s->n], sizeof(s->files[0]), "%s", file);
        s->n++;
}

static void write_text(const char *dir, const char *rel, const char *text)
{
        char path[512];
        kp_err_t err;

        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        assert_int_equal(kp_write_file_raw(path, text, strlen(text), 0644, &err), 0);
}

static void test_bundle_round_trip(void **state)
{
        char key_path[512], dir[512], path[600], moved[600];
        kp_key_t *key = NULL, *pub = NULL;
        const kp_key_t *trusted[1];
        kp_bundle_report_t rep = {"report.pdf", 0, "no browser in this test"};
        kp_bundle_result_t res;
        seen_t seen;
        kp_err_t err;

        (void)state;
        snprintf(key_path, sizeof(key_path), "%s/bundle.pem", tmpdir);
        assert_int_equal(kp_key_generate(key_path, 1, NULL, &err), 0);
        assert_int_equal(kp_key_load_private(key_path, &key, &err), 0);
        snprintf(key_path + strlen(key_path), sizeof(key_path) - strlen(key_path), ".pub");
        assert_int_equal(kp_key_load_public(key_path, &pub, &err), 0);
        trusted[0] = pub;
        snprintf(dir, sizeof(dir), "%s/run", tmpdir);
        snprintf(path, sizeof(path), "%s/sub", dir);
        assert_int_equal(kp_mkdir_p(path, &err), 0);
        write_text(dir, "evidence.json",
                   "{\"run\":{\"id\":\"r1\",\"scenario\":{\"name\":\"s\"}},\"rows\":[],\"checks\":"
                   "[{\"id\":\"a.b\",\"row\":\"kafka-semantics\",\"verdict\":\"pass\"}]}");
        write_text(dir, "sub/data.txt", "data");
        write_text(dir, "junit.xml", "<testsuites/>");
        assert_int_equal(kp_bundle_sign(dir, key, &rep, 1, &err), 0);

        memset(&seen, 0, sizeof(seen));
        assert_int_equal(kp_bundle_verify(dir, trusted, 1, on_problem, &seen, &res, &err), 0);
        assert_int_equal(res.problems, 0);
        assert_true(res.signature_ok);
        /* evidence.json, junit.xml, sub/data.txt and the test-result attestation */
        assert_int_equal(res.n_subjects, 4);
        /* no exit code in this evidence.json: FAILED; the check passed */
        assert_non_null(res.test_result_json);
        assert_non_null(strstr(res.test_result_json, "\"result\":\"FAILED\""));
        assert_non_null(strstr(res.test_result_json, "\"passedTests\":[\"a.b\"]"));
        assert_non_null(strstr(res.predicate_json, "\"reason\":\"no browser in this test\""));
        assert_non_null(strstr(res.predicate_json, "\"id\":\"a.b\""));
        kp_bundle_result_release(&res);

        /* Without a trusted key the envelope is intact but not trusted. */
        memset(&seen, 0, sizeof(seen));
        assert_int_equal(kp_bundle_verify(dir, NULL, 0, on_problem, &seen, &res, &err), 0);
        assert_false(res.signature_ok);
        assert_true(res.embedded_key_ok);
        assert_int_equal(res.problems, 1);
        assert_string_equal(seen.files[0], KP_ENVELOPE_FILE);
        kp_bundle_result_release(&res);

        /* A changed junit.xml is named by both statements. */
        write_text(dir, "junit.xml", "<testsuites></testsuites>");
        memset(&seen, 0, sizeof(seen));
        assert_int_equal(kp_bundle_verify(dir, trusted, 1, on_problem, &seen, &res, &err), 0);
        assert_int_equal(res.problems, 2);
        assert_string_equal(seen.files[0], "junit.xml");
        assert_string_equal(seen.files[1], "junit.xml");
        kp_bundle_result_release(&res);
        write_text(dir, "junit.xml", "<testsuites/>");

        /* Without the test-result attestation the run does not verify. */
        snprintf(path, sizeof(path), "%s/%s", dir, KP_TESTRESULT_FILE);
        snprintf(moved, sizeof(moved), "%s/tr.moved", tmpdir);
        assert_int_equal(rename(path, moved), 0);
        memset(&seen, 0, sizeof(seen));
        assert_int_equal(kp_bundle_verify(dir, trusted, 1, on_problem, &seen, &res, &err), 0);
        assert_int_equal(res.problems, 2); /* a missing subject, a missing attestation */
        assert_string_equal(seen.files[0], KP_TESTRESULT_FILE);
        assert_string_equal(seen.files[1], KP_TESTRESULT_FILE);
        assert_null(res.test_result_json);
        kp_bundle_result_release(&res);
        assert_int_equal(rename(moved, path), 0);

        /* A changed file, a removed one and an added one are each named. */
        write_text(dir, "sub/data.txt", "DATA");
        write_text(dir, "added.txt", "x");
        snprintf(path, sizeof(path), "%s/evidence.json", dir);
        unlink(path);
        memset(&seen, 0, sizeof(seen));
        assert_int_equal(kp_bundle_verify(dir, trusted, 1, on_problem, &seen, &res, &err), 0);
        assert_true(res.signature_ok);
        assert_int_equal(res.problems, 4);
        assert_string_equal(seen.files[0], "evidence.json");
        assert_string_equal(seen.files[1], "sub/data.txt");
        assert_string_equal(seen.files[2], "added.txt");
        assert_string_equal(seen.files[3], "evidence.json"); /* a test-result subject */
        kp_bundle_result_release(&res);

        assert_int_equal(kp_bundle_verify("/nonexistent/dir", trusted, 1, NULL, NULL, &res, &err),
                         -1);
        kp_key_free(key);
        kp_key_free(pub);
}

static void test_compare_direction(void **state)
{
        static const struct {
                const char *json;
                int dir;
        } cases[] = {
            {"{\"name\":\"ack_latency_p99_us\",\"unit\":\"us\",\"better\":\"lower\"}", -1},
            {"{\"name\":\"achieved_rate\",\"unit\":\"records/s\",\"better\":\"higher\"}", 1},
            {"{\"name\":\"records_sent\",\"unit\":\"records\",\"better\":\"none\"}", 0},
            /* evidence of an older kproof: never guessed from the name or unit */
            {"{\"name\":\"lost_acked\",\"unit\":\"records\"}", 0},
            {"{\"name\":\"ack_latency_p99_us\",\"unit\":\"us\",\"better\":7}", 0},
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cJSON *m = cJSON_Parse(cases[i].json);
                assert_non_null(m);
                assert_int_equal(kp_compare_direction(m), cases[i].dir);
                cJSON_Delete(m);
        }
        assert_int_equal(kp_compare_direction(NULL), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_base64_vectors),
            cmocka_unit_test(test_base64_rejects),
            cmocka_unit_test(test_base64_rejects_lenient_forms),
            cmocka_unit_test(test_base64_long_round_trip),
            cmocka_unit_test(test_base64_url_safe_and_unpadded),
            cmocka_unit_test(test_pae),
            cmocka_unit_test(test_keys),
            cmocka_unit_test(test_bundle_round_trip),
            cmocka_unit_test(test_compare_direction),
        };

        return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
