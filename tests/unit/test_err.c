/* Unit tests of err: filling, prefixing and clearing errors, and the
 * mapping of error codes to the documented exit codes. */
#include "kptest.h"

#include "util/err.h"

static void test_set_and_prefix(void **state)
{
        kp_err_t err;

        (void)state;
        assert_int_equal(kp_err_set(&err, KP_EINVAL, "%s: $.%s: bad", "x.json", "rate"), -1);
        assert_int_equal(err.code, KP_EINVAL);
        assert_string_equal(err.msg, "x.json: $.rate: bad");
        assert_int_equal(kp_err_prefix(&err, "validate %d", 2), -1);
        assert_string_equal(err.msg, "validate 2: x.json: $.rate: bad");
        assert_int_equal(err.code, KP_EINVAL);
        kp_err_clear(&err);
        assert_int_equal(err.code, KP_OK);
        assert_string_equal(err.msg, "");
        /* a NULL error is allowed everywhere */
        assert_int_equal(kp_err_set(NULL, KP_EIO, "x"), -1);
        assert_int_equal(kp_err_prefix(NULL, "x"), -1);
        kp_err_clear(NULL);
}

/* Long messages are cut, never overflow. */
static void test_truncation(void **state)
{
        char big[3000];
        kp_err_t err;

        (void)state;
        memset(big, 'b', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        kp_err_set(&err, KP_EIO, "%s", big);
        assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
        kp_err_prefix(&err, "%s", big);
        assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
        assert_int_equal(err.msg[0], 'b');
}

static void test_exit_codes(void **state)
{
        (void)state;
        assert_int_equal(kp_err_exit_code(KP_OK), KP_EXIT_OK);
        assert_int_equal(kp_err_exit_code(KP_EUSAGE), 2);
        assert_int_equal(kp_err_exit_code(KP_EINVAL), 2);
        assert_int_equal(kp_err_exit_code(KP_EINFRA), 3);
        assert_int_equal(kp_err_exit_code(KP_EIO), 3);
        assert_int_equal(kp_err_exit_code(KP_ENOMEM), 3);
        assert_int_equal(kp_err_exit_code(KP_EINTR), 3);
        assert_int_equal(kp_err_exit_code(KP_EUNSUPPORTED), 3);
        assert_string_equal(kp_code_name(KP_EINVAL), "invalid");
        assert_string_equal(kp_code_name(KP_EINTR), "interrupted");
        assert_string_equal(kp_code_name(KP_EUNSUPPORTED), "unsupported");
        assert_string_equal(kp_code_name((kp_code_t)99), "unknown");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_set_and_prefix),
            cmocka_unit_test(test_truncation),
            cmocka_unit_test(test_exit_codes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
