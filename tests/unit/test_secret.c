/* Unit tests of secret: the registry, redaction of every occurrence and the
 * sensitive-name rule for client properties and headers. */
#include "kptest.h"

#include <pthread.h>

#include "util/secret.h"

static int reset_registry(void **state)
{
        (void)state;
        kp_secret_clear();
        return 0;
}

static char *redact(const char *s)
{
        char *r = kp_redact_dup(s);

        assert_non_null(r);
        return r;
}

#define assert_redacts(in, want)                                                                   \
        do {                                                                                       \
                char *got_ = redact(in);                                                           \
                assert_string_equal(got_, want);                                                   \
                free(got_);                                                                        \
        } while (0)

static void test_registry(void **state)
{
        (void)state;
        assert_int_equal(kp_secret_count(), 0);
        assert_int_equal(kp_secret_add(""), 0);
        assert_int_equal(kp_secret_add(NULL), 0);
        assert_int_equal(kp_secret_count(), 0);
        assert_int_equal(kp_secret_add("hunter2"), 0);
        assert_int_equal(kp_secret_add("hunter2"), 0);
        assert_int_equal(kp_secret_count(), 1);
        assert_int_equal(kp_secret_add("other"), 0);
        assert_int_equal(kp_secret_count(), 2);
        kp_secret_clear();
        assert_int_equal(kp_secret_count(), 0);
        assert_redacts("hunter2", "hunter2");
}

/* The registry copies the value: the caller may overwrite its buffer. */
static void test_registry_copies(void **state)
{
        char val[16] = "s3cr3t";

        (void)state;
        assert_int_equal(kp_secret_add(val), 0);
        memset(val, 'z', sizeof(val) - 1);
        assert_redacts("pw=s3cr3t", "pw=***");
}

/* A full registry refuses more values instead of silently not masking. */
static void test_registry_full(void **state)
{
        char v[32];
        int i, failed = 0;

        (void)state;
        for (i = 0; i < 1000 && !failed; i++) {
                snprintf(v, sizeof(v), "value-%04d", i);
                if (kp_secret_add(v) < 0)
                        failed = 1;
        }
        assert_true(failed);
        assert_true(kp_secret_count() >= 64);
        /* Everything that was accepted is still masked. */
        assert_redacts("[value-0000][value-0063]", "[***][***]");
}

static void test_no_secrets_verbatim(void **state)
{
        kp_buf_t b;

        (void)state;
        kp_buf_init(&b, 0);
        assert_int_equal(kp_redact("abc\0def", 7, &b), 0);
        assert_int_equal(b.len, 7);
        assert_memory_equal(b.data, "abc\0def", 7);
        kp_buf_free(&b);
        assert_redacts("", "");
}

static void test_every_occurrence(void **state)
{
        (void)state;
        assert_int_equal(kp_secret_add("SECRET"), 0);
        assert_redacts("SECRET", "***");
        assert_redacts("xSECRET", "x***");
        assert_redacts("SECRETx", "***x");
        assert_redacts("a SECRET b SECRET c", "a *** b *** c");
        /* adjacent */
        assert_redacts("SECRETSECRETSECRET", "*********");
        /* near misses stay */
        assert_redacts("SECRE SECRETT ECRET", "SECRE ***T ECRET");
        assert_redacts("secret", "secret");
}

/* Overlapping occurrences of one value, and values contained in others: the
 * longest registered value wins at a position, and no registered value
 * survives in the output. */
static void test_overlapping(void **state)
{
        (void)state;
        assert_int_equal(kp_secret_add("aba"), 0);
        assert_redacts("ababa", "***ba");
        assert_redacts("abababa", "***b***");
        kp_secret_clear();

        assert_int_equal(kp_secret_add("pass"), 0);
        assert_int_equal(kp_secret_add("password123"), 0);
        assert_int_equal(kp_secret_add("word"), 0);
        assert_redacts("x=password123;", "x=***;");
        assert_redacts("x=password12;", "x=******12;");
        assert_redacts("passpassword123word", "*********");
        assert_redacts("swordpas", "s***pas");
}

/* Property: for random texts over a tiny alphabet and random secrets, the
 * output never contains a registered secret, and text without any secret is
 * unchanged. */
static void test_random_never_leaks(void **state)
{
        uint64_t rng = 0x9e3779b97f4a7c15ULL;
        char secrets[6][8], text[200];
        int round, i, j;

        (void)state;
        for (round = 0; round < 300; round++) {
                int n = 1 + (int)(kpt_rand(&rng) % 5);
                char *out;

                kp_secret_clear();
                for (i = 0; i < n; i++) {
                        int len = 2 + (int)(kpt_rand(&rng) % 5);
                        for (j = 0; j < len; j++)
                                secrets[i][j] = (char)('a' + kpt_rand(&rng) % 3);
                        secrets[i][len] = '\0';
                        assert_int_equal(kp_secret_add(secrets[i]), 0);
                }
                for (j = 0; j < (int)sizeof(text) - 1; j++)
                        text[j] = (char)('a' + kpt_rand(&rng) % 3);
                text[sizeof(text) - 1] = '\0';
                out = redact(text);
                for (i = 0; i < n; i++)
                        assert_not_contains(out, secrets[i]);
                free(out);
        }
}

static void test_redact_appends(void **state)
{
        kp_buf_t b;

        (void)state;
        assert_int_equal(kp_secret_add("tok"), 0);
        kp_buf_init(&b, 0);
        assert_int_equal(kp_buf_puts(&b, "head:"), 0);
        assert_int_equal(kp_redact("a tok b", 7, &b), 0);
        /* Only len bytes are read: the trailing "tok" lies outside. */
        assert_int_equal(kp_redact("to|tok", 2, &b), 0);
        assert_string_equal(kp_buf_cstr(&b), "head:a *** bto");
        kp_buf_free(&b);

        /* A redaction that does not fit the output's limit fails. */
        kp_buf_init(&b, 4);
        assert_int_equal(kp_redact("tok tok", 7, &b), -1);
        kp_buf_free(&b);
}

static void test_inplace(void **state)
{
        char s[64], tiny[5];

        (void)state;
        snprintf(s, sizeof(s), "%s", "no secrets yet");
        kp_redact_inplace(s, sizeof(s));
        assert_string_equal(s, "no secrets yet");

        assert_int_equal(kp_secret_add("hunter22"), 0);
        snprintf(s, sizeof(s), "%s", "pw=hunter22; again hunter22");
        kp_redact_inplace(s, sizeof(s));
        assert_string_equal(s, "pw=***; again ***");

        /* A secret shorter than the mask: the result is cut to the buffer and
         * still holds no trace of the value. */
        kp_secret_clear();
        assert_int_equal(kp_secret_add("ab"), 0);
        snprintf(tiny, sizeof(tiny), "%s", "xabx");
        kp_redact_inplace(tiny, sizeof(tiny));
        assert_string_equal(tiny, "x***");
        assert_int_equal(kp_secret_add("Q"), 0);
        snprintf(tiny, sizeof(tiny), "%s", "QQQQ");
        kp_redact_inplace(tiny, sizeof(tiny));
        assert_string_equal(tiny, "****");
        kp_redact_inplace(NULL, 10);
        kp_redact_inplace(tiny, 0);
}

static void test_sensitive_keys(void **state)
{
        static const char *const yes[] = {
            "sasl.password",
            "ssl.key.password",
            "ssl.keystore.password",
            "ssl.truststore.password",
            "ssl.key.pem",
            "sasl.oauthbearer.client.secret",
            "sasl.oauthbearer.config",
            "sasl.jaas.config",
            "client_secret",
            "my-secret-thing",
            "api_token",
            "X-Auth-Token",
            "SASL.PASSWORD",
            "aws_secret_access_key",
            "private_key",
            "credentials",
        };
        static const char *const no[] = {
            "bootstrap.servers",   "acks",
            "sasl.username",       "sasl.mechanism",
            "security.protocol",   "ssl.key.location",
            "ssl.certificate.pem", "ssl.ca.location",
            "client.id",           "",
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
                if (!kp_secret_key_is_sensitive(yes[i]))
                        fail_msg("%s should be sensitive", yes[i]);
        }
        for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
                if (kp_secret_key_is_sensitive(no[i]))
                        fail_msg("%s should not be sensitive", no[i]);
        }
}

struct adder {
        int id;
        int errors;
};

static void *add_and_redact(void *arg)
{
        struct adder *a = arg;
        char v[32], line[64], *r;
        int i;

        for (i = 0; i < 40; i++) {
                snprintf(v, sizeof(v), "thread%d-secret%02d", a->id, i);
                if (kp_secret_add(v) < 0)
                        a->errors++;
                snprintf(line, sizeof(line), "<%s>", v);
                r = kp_redact_dup(line);
                if (!r || strcmp(r, "<***>") != 0)
                        a->errors++;
                free(r);
        }
        return NULL;
}

/* Registration and redaction from several threads at once. */
static void test_threads(void **state)
{
        pthread_t th[4];
        struct adder ad[4];
        int i;

        (void)state;
        for (i = 0; i < 4; i++) {
                ad[i].id = i;
                ad[i].errors = 0;
                assert_int_equal(pthread_create(&th[i], NULL, add_and_redact, &ad[i]), 0);
        }
        for (i = 0; i < 4; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(ad[i].errors, 0);
        }
        assert_int_equal(kp_secret_count(), 160);
}

/* A secret with characters a serialiser escapes is masked in every escaped
 * form: JSON (once and twice), HTML/XML, HTML of JSON, URL-encoded. */
static void test_escaped_forms(void **state)
{
        (void)state;
        assert_int_equal(kp_secret_add("DOMAIN\\us\"er<&>'\n\x01-\xc3\xa9"), 0);
        assert_redacts("{\"u\":\"DOMAIN\\\\us\\\"er<&>'\\n\\u0001-\xc3\xa9\"}", "{\"u\":\"***\"}");
        assert_redacts("<td>DOMAIN\\us&quot;er&lt;&amp;&gt;&#39;\n -\xc3\xa9</td>", "<td>***</td>");
        assert_redacts("x DOMAIN\\\\us\\&quot;er&lt;&amp;&gt;&#39;\\n\\u0001-\xc3\xa9 y",
                       "x *** y");
        assert_redacts("\"DOMAIN\\\\\\\\us\\\\\\\"er<&>'\\\\n\\\\u0001-\xc3\xa9\"", "\"***\"");
        assert_redacts("p=DOMAIN%5Cus%22er%3C%26%3E%27%0A%01-%C3%A9&", "p=***&");
        assert_int_equal(kp_secret_count(), 1);
}

/* A text cut before it reached redaction keeps a piece of a secret at the
 * cut edge: with the edge named, a piece of 8+ bytes is masked; shorter ones
 * and pieces away from an edge are left. */
static void test_cut_edges(void **state)
{
        kp_buf_t b;

        (void)state;
        assert_int_equal(kp_secret_add("0123456789abcdefXYZ"), 0);
        kp_buf_init(&b, 0);
        assert_int_equal(kp_redact_cut("head 0123456789ab", 17, KP_CUT_TAIL, &b), 0);
        assert_string_equal(kp_buf_cstr(&b), "head ***");
        kp_buf_reset(&b);
        assert_int_equal(kp_redact_cut("89abcdefXYZ tail", 16, KP_CUT_HEAD, &b), 0);
        assert_string_equal(kp_buf_cstr(&b), "*** tail");
        kp_buf_reset(&b);
        assert_int_equal(kp_redact_cut("cdefXYZ tail 0123456", 20, KP_CUT_HEAD | KP_CUT_TAIL, &b),
                         0);
        assert_string_equal(kp_buf_cstr(&b), "cdefXYZ tail 0123456");
        kp_buf_reset(&b);
        /* Not at an edge that was cut: left alone. */
        assert_int_equal(kp_redact_cut("head 0123456789ab", 17, 0, &b), 0);
        assert_string_equal(kp_buf_cstr(&b), "head 0123456789ab");
        kp_buf_free(&b);
}

/* Redaction comes before the cut: a secret straddling the place a tail or a
 * head is cut leaves no piece behind. */
static void test_redact_then_cut(void **state)
{
        char in[128], small[16];
        kp_buf_t b;
        size_t i;

        (void)state;
        assert_int_equal(kp_secret_add("SECRETVALUE-0123456789"), 0);
        snprintf(in, sizeof(in), "aaaaaaaaaa SECRETVALUE-0123456789 bbbbbbbbbb");
        kp_buf_init(&b, 0);
        for (i = 1; i < strlen(in); i++) {
                kp_buf_reset(&b);
                assert_int_equal(kp_redact_tail(in, strlen(in), i, 0, &b), 0);
                assert_null(strstr(kp_buf_cstr(&b), "VALUE-0"));
                assert_null(strstr(kp_buf_cstr(&b), "23456789"));
                kp_buf_reset(&b);
                assert_int_equal(kp_redact_head(in, strlen(in), i, 0, &b), 0);
                assert_null(strstr(kp_buf_cstr(&b), "SECRETVA"));
        }
        kp_buf_free(&b);
        /* A bounded copy of a longer text. */
        kp_redact_copy(small, sizeof(small), "xx SECRETVALUE-0123456789", 25, 0);
        assert_string_equal(small, "xx ***");
        /* A buffer filled by snprintf is taken as cut at its end. */
        snprintf(small, sizeof(small), "ab SECRETVALUE-0123456789");
        kp_redact_inplace(small, sizeof(small));
        assert_null(strstr(small, "SECRETVA"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_registry, reset_registry),
            cmocka_unit_test_setup(test_registry_copies, reset_registry),
            cmocka_unit_test_setup(test_registry_full, reset_registry),
            cmocka_unit_test_setup(test_no_secrets_verbatim, reset_registry),
            cmocka_unit_test_setup(test_every_occurrence, reset_registry),
            cmocka_unit_test_setup(test_overlapping, reset_registry),
            cmocka_unit_test_setup(test_random_never_leaks, reset_registry),
            cmocka_unit_test_setup(test_redact_appends, reset_registry),
            cmocka_unit_test_setup(test_inplace, reset_registry),
            cmocka_unit_test(test_sensitive_keys),
            cmocka_unit_test_setup(test_threads, reset_registry),
            cmocka_unit_test_setup(test_escaped_forms, reset_registry),
            cmocka_unit_test_setup(test_cut_edges, reset_registry),
            cmocka_unit_test_setup(test_redact_then_cut, reset_registry),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
