/* Unit tests of buf: bounded growth, the hard limit, C-string view, detach. */
#include "kptest.h"

#include "util/buf.h"

static void test_empty_is_empty_string(void **state)
{
        kp_buf_t b;
        char *s;

        (void)state;
        kp_buf_init(&b, 0);
        assert_int_equal(b.limit, KP_BUF_DEFAULT_LIMIT);
        assert_non_null(kp_buf_cstr(&b));
        assert_string_equal(kp_buf_cstr(&b), "");
        s = kp_buf_detach(&b);
        assert_non_null(s);
        assert_string_equal(s, "");
        free(s);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        kp_buf_free(&b);
        kp_buf_free(NULL);
}

static void test_append_puts_putc_printf(void **state)
{
        kp_buf_t b;

        (void)state;
        kp_buf_init(&b, 0);
        assert_int_equal(kp_buf_append(&b, "ab", 2), 0);
        assert_int_equal(kp_buf_puts(&b, "cd"), 0);
        assert_int_equal(kp_buf_putc(&b, 'e'), 0);
        assert_int_equal(kp_buf_printf(&b, "-%d-%s", 42, "x"), 0);
        assert_int_equal(kp_buf_append(&b, "", 0), 0);
        assert_string_equal(kp_buf_cstr(&b), "abcde-42-x");
        assert_int_equal(b.len, strlen("abcde-42-x"));
        kp_buf_reset(&b);
        assert_int_equal(b.len, 0);
        assert_string_equal(kp_buf_cstr(&b), "");
        assert_int_equal(kp_buf_puts(&b, "again"), 0);
        assert_string_equal(kp_buf_cstr(&b), "again");
        kp_buf_free(&b);
}

/* Binary data with NUL bytes is kept by length and still terminated. */
static void test_binary_data(void **state)
{
        static const char bin[] = {'a', '\0', 'b', '\0', 'c'};
        kp_buf_t b;

        (void)state;
        kp_buf_init(&b, 0);
        assert_int_equal(kp_buf_append(&b, bin, sizeof(bin)), 0);
        assert_int_equal(b.len, sizeof(bin));
        assert_memory_equal(b.data, bin, sizeof(bin));
        assert_int_equal(b.data[b.len], '\0');
        kp_buf_free(&b);
}

/* Growth across many reallocations keeps every byte in order. */
static void test_growth_keeps_content(void **state)
{
        kp_buf_t b;
        size_t i;

        (void)state;
        kp_buf_init(&b, 0);
        for (i = 0; i < 200000; i++)
                assert_int_equal(kp_buf_putc(&b, (char)('a' + i % 26)), 0);
        assert_int_equal(b.len, 200000);
        assert_true(b.cap >= b.len + 1);
        for (i = 0; i < 200000; i++)
                assert_int_equal(b.data[i], 'a' + i % 26);
        assert_int_equal(b.data[b.len], '\0');
        kp_buf_free(&b);
        assert_null(b.data);
}

/* The limit counts content bytes: exactly `limit` fit, one more does not,
 * and a failed append leaves the buffer as it was. Capacity never exceeds
 * limit + 1 (the terminator). */
static void test_limit_is_hard(void **state)
{
        char big[1000];
        kp_buf_t b;

        (void)state;
        memset(big, 'x', sizeof(big));
        kp_buf_init(&b, 300);
        assert_int_equal(kp_buf_append(&b, big, 299), 0);
        assert_int_equal(kp_buf_putc(&b, 'y'), 0);
        assert_int_equal(b.len, 300);
        assert_int_equal(b.truncated, 0);
        assert_true(b.cap <= 301);
        assert_int_equal(kp_buf_putc(&b, 'z'), -1);
        assert_int_equal(kp_buf_append(&b, big, 1), -1);
        assert_int_equal(kp_buf_puts(&b, "q"), -1);
        assert_int_equal(kp_buf_printf(&b, "%d", 1), -1);
        assert_int_equal(b.len, 300);
        assert_int_equal(b.truncated, 1); /* sticky: a writer can tell its output is cut */
        assert_int_equal(b.data[299], 'y');
        assert_int_equal(b.data[300], '\0');
        /* An empty append still succeeds at the limit. */
        assert_int_equal(kp_buf_append(&b, big, 0), 0);
        kp_buf_free(&b);

        /* One oversized append fails as a whole, nothing is copied. */
        kp_buf_init(&b, 100);
        assert_int_equal(kp_buf_puts(&b, "keep"), 0);
        assert_int_equal(kp_buf_append(&b, big, sizeof(big)), -1);
        assert_int_equal(b.truncated, 1);
        assert_string_equal(kp_buf_cstr(&b), "keep");
        assert_int_equal(kp_buf_printf(&b, "%s",
                                       "0123456789012345678901234567890123456789"
                                       "0123456789012345678901234567890123456789"
                                       "01234567890123456789"),
                         -1);
        assert_string_equal(kp_buf_cstr(&b), "keep");
        assert_int_equal(kp_buf_printf(&b, "%.*s", 96, big), 0);
        assert_int_equal(b.len, 100);
        kp_buf_free(&b);
}

/* printf output larger than the first allocation is written whole. */
static void test_printf_large(void **state)
{
        char big[5001];
        kp_buf_t b;

        (void)state;
        memset(big, 'm', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        kp_buf_init(&b, 0);
        assert_int_equal(kp_buf_puts(&b, "<"), 0);
        assert_int_equal(kp_buf_printf(&b, "%s>%d", big, 7), 0);
        assert_int_equal(b.len, 1 + 5000 + 2);
        assert_int_equal(b.data[0], '<');
        assert_int_equal(b.data[5000], 'm');
        assert_string_equal(b.data + 5001, ">7");
        kp_buf_free(&b);
}

static void test_detach_transfers_ownership(void **state)
{
        kp_buf_t b;
        char *s;

        (void)state;
        kp_buf_init(&b, 0);
        assert_int_equal(kp_buf_puts(&b, "owned"), 0);
        s = kp_buf_detach(&b);
        assert_string_equal(s, "owned");
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(b.cap, 0);
        /* The buffer is usable again after detach. */
        assert_int_equal(kp_buf_puts(&b, "new"), 0);
        assert_string_equal(kp_buf_cstr(&b), "new");
        assert_string_equal(s, "owned");
        free(s);
        kp_buf_free(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_empty_is_empty_string),
            cmocka_unit_test(test_append_puts_putc_printf),
            cmocka_unit_test(test_binary_data),
            cmocka_unit_test(test_growth_keeps_content),
            cmocka_unit_test(test_limit_is_hard),
            cmocka_unit_test(test_printf_large),
            cmocka_unit_test(test_detach_transfers_ownership),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
