/* Unit tests of utf8: strict validation (overlong forms, surrogates, code
 * points above U+10FFFF and cut sequences are invalid) and the U+FFFD repair
 * every written JSON, HTML and XML file goes through. */
#include "kptest.h"

#include "util/utf8.h"

#define INVALID_AT(s, want) assert_int_equal(kp_utf8_invalid_at(s, sizeof(s) - 1), want)

static void test_valid(void **state)
{
        (void)state;
        INVALID_AT("", 0);
        INVALID_AT("plain ascii", 11);
        INVALID_AT("\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80", 9); /* ü € 😀 */
        INVALID_AT("\xed\x9f\xbf", 3);                         /* U+D7FF */
        INVALID_AT("\xf4\x8f\xbf\xbf", 4);                     /* U+10FFFF */
}

static void test_invalid(void **state)
{
        (void)state;
        INVALID_AT("a\xff", 1);
        INVALID_AT("ab\xc0\xaf", 2);         /* overlong "/" */
        INVALID_AT("\xe0\x80\xaf", 0);       /* overlong, 3 bytes */
        INVALID_AT("\xed\xa0\x80", 0);       /* surrogate U+D800 */
        INVALID_AT("\xf4\x90\x80\x80", 0);   /* above U+10FFFF */
        INVALID_AT("x\xc3", 1);              /* cut sequence */
        INVALID_AT("x\xe2\x82", 1);          /* cut sequence */
        INVALID_AT("\x80", 0);               /* lone continuation */
        INVALID_AT("ok\xc3\xbc\xf5\x80", 4); /* F5 never starts a sequence */
}

static void test_fix(void **state)
{
        kp_buf_t b;

        (void)state;
        kp_buf_init(&b, 0);
        assert_int_equal(kp_utf8_fix("a\xffz\xc3\xbc\xc3", 7, &b), 0);
        assert_string_equal(kp_buf_cstr(&b), "a\xef\xbf\xbdz\xc3\xbc\xef\xbf\xbd");
        assert_int_equal(kp_utf8_invalid_at(b.data, b.len), b.len);
        kp_buf_free(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_valid),
            cmocka_unit_test(test_invalid),
            cmocka_unit_test(test_fix),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
