/*
 * CRC-32C: the hardware path's three-way striping (long inputs) and the
 * table path agree with a bit-at-a-time reference for every length from 0
 * to 3,000 bytes at several alignments, incremental use matches one call,
 * and the standard check value holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/crc32c.h"

static uint32_t reference(const unsigned char *p, size_t len)
{
        uint32_t c = 0xffffffffu;
        size_t i;
        int k;

        for (i = 0; i < len; i++) {
                c ^= p[i];
                for (k = 0; k < 8; k++)
                        c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
        }
        return ~c;
}

static void test_check_value(void **state)
{
        (void)state;
        assert_int_equal(kp_crc32c(0, "123456789", 9), 0xe3069283u);
        assert_int_equal(kp_crc32c(0, "", 0), 0);
}

static void test_all_lengths(void **state)
{
        static unsigned char buf[3000 + 16];
        uint32_t x = 12345;
        size_t len, align, i;
        (void)state;

        for (i = 0; i < sizeof(buf); i++) {
                x = x * 1103515245u + 12345u;
                buf[i] = (unsigned char)(x >> 16);
        }
        for (align = 0; align < 8; align += 3)
                for (len = 0; len <= 3000; len++)
                        assert_int_equal(kp_crc32c(0, buf + align, len),
                                         reference(buf + align, len));
}

static void test_incremental(void **state)
{
        static unsigned char buf[2048];
        size_t cut, i;
        (void)state;

        for (i = 0; i < sizeof(buf); i++)
                buf[i] = (unsigned char)(i * 31 + 7);
        for (cut = 0; cut <= sizeof(buf); cut += 97)
                assert_int_equal(kp_crc32c(kp_crc32c(0, buf, cut), buf + cut, sizeof(buf) - cut),
                                 kp_crc32c(0, buf, sizeof(buf)));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_check_value),
            cmocka_unit_test(test_all_lengths),
            cmocka_unit_test(test_incremental),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
