/* Unit tests of crc32c: published check values, incremental use, and the
 * SSE4.2 path against the table path against a bit-by-bit reference.
 *
 * The module's file is compiled into this test under another name so its
 * two internal paths can be called directly; kp_crc32c itself still comes
 * from the library. */
#include "kptest.h"

#define kp_crc32c            kpt_crc32c_copy
#define kp_crc32c_shift_init kpt_crc32c_shift_init_copy
#include "util/crc32c.c"
#undef kp_crc32c
#undef kp_crc32c_shift_init
uint32_t kp_crc32c(uint32_t crc, const void *data, size_t len);
void kp_crc32c_shift_init(kp_crc32c_shift_t *s, size_t len_b);

/* CRC-32C one bit at a time, straight from the definition. */
static uint32_t crc_ref(uint32_t crc, const unsigned char *p, size_t len)
{
        int k;

        crc = ~crc;
        while (len--) {
                crc ^= *p++;
                for (k = 0; k < 8; k++)
                        crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
        }
        return ~crc;
}

static void test_known_vectors(void **state)
{
        unsigned char buf[32];
        int i;

        (void)state;
        assert_int_equal(kp_crc32c(0, "123456789", 9), 0xE3069283u);
        assert_int_equal(kp_crc32c(0, "", 0), 0);
        assert_int_equal(kp_crc32c(0, "a", 1), 0xC1D04330u);
        /* RFC 3720 (iSCSI) B.4 test vectors */
        memset(buf, 0, sizeof(buf));
        assert_int_equal(kp_crc32c(0, buf, 32), 0x8A9136AAu);
        memset(buf, 0xff, sizeof(buf));
        assert_int_equal(kp_crc32c(0, buf, 32), 0x62A8AB43u);
        for (i = 0; i < 32; i++)
                buf[i] = (unsigned char)i;
        assert_int_equal(kp_crc32c(0, buf, 32), 0x46DD794Eu);
        for (i = 0; i < 32; i++)
                buf[i] = (unsigned char)(31 - i);
        assert_int_equal(kp_crc32c(0, buf, 32), 0x113FDB5Cu);
        assert_int_equal(crc_ref(0, (const unsigned char *)"123456789", 9), 0xE3069283u);
}

/* Feeding a buffer in pieces gives the CRC of the whole. */
static void test_incremental(void **state)
{
        unsigned char buf[1000];
        uint64_t rng = 7;
        uint32_t whole, part;
        size_t i, cut;

        (void)state;
        for (i = 0; i < sizeof(buf); i++)
                buf[i] = (unsigned char)kpt_rand(&rng);
        whole = kp_crc32c(0, buf, sizeof(buf));
        for (cut = 0; cut <= sizeof(buf); cut += 37) {
                part = kp_crc32c(0, buf, cut);
                part = kp_crc32c(part, buf + cut, sizeof(buf) - cut);
                assert_int_equal(part, whole);
        }
        assert_int_equal(kp_crc32c(kp_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
}

/* Random buffers at every alignment and length (covers the 8-byte loop and
 * the byte tail): the dispatching function of the copy, with have_sse42
 * forced to `hw`, agrees with the reference. kp_crc32c (the library's, the
 * CPU's own path) is compared too. */
static void compare_forced(int hw)
{
        unsigned char *buf;
        uint64_t rng = 0xdeadbeef;
        size_t i, off, len;
        int saved;

        buf = malloc(4096 + 16);
        assert_non_null(buf);
        for (i = 0; i < 4096 + 16; i++)
                buf[i] = (unsigned char)kpt_rand(&rng);
        pthread_once(&table_once, table_init);
        saved = have_sse42;
        have_sse42 = hw;
        assert_int_equal(kpt_crc32c_copy(0, "123456789", 9), 0xE3069283u);
        assert_int_equal(kpt_crc32c_copy(kpt_crc32c_copy(0, "1234", 4), "56789", 5), 0xE3069283u);
        for (i = 0; i < 3000; i++) {
                uint32_t seed = (uint32_t)kpt_rand(&rng), want;
                off = kpt_rand(&rng) % 16;
                len = (i < 100) ? i : kpt_rand(&rng) % 4096;
                want = crc_ref(seed, buf + off, len);
                assert_int_equal(kpt_crc32c_copy(seed, buf + off, len), want);
                assert_int_equal(kp_crc32c(seed, buf + off, len), want);
        }
        have_sse42 = saved;
        free(buf);
}

/* The table path, forced even on a CPU with SSE4.2. */
static void test_table_path(void **state)
{
        (void)state;
        compare_forced(0);
}

/* The SSE4.2 path, forced; skipped (with the reason) on a CPU without it,
 * never passed unmeasured. */
static void test_sse42_path(void **state)
{
        (void)state;
#if defined(__x86_64__)
        __builtin_cpu_init();
        if (__builtin_cpu_supports("sse4.2")) {
                compare_forced(1);
                return;
        }
#endif
        print_message("skipped: this CPU has no SSE4.2, the instruction path cannot run here\n");
        skip();
}

/* combine(shift(len B), crc(A), crc(B)) is the CRC of A || B, for lengths of
 * B around the shift's internal chunk and the record sizes kproof uses. */
static void test_combine(void **state)
{
        static const size_t lens_b[] = {0, 1, 7, 68, 255, 256, 257, 992, 4000};
        static unsigned char a[300], b[4000];
        kp_crc32c_shift_t *sh = malloc(sizeof(*sh));
        size_t i, k;

        (void)state;
        assert_non_null(sh);
        for (i = 0; i < sizeof(a); i++)
                a[i] = (unsigned char)(i * 131u + 7u);
        for (i = 0; i < sizeof(b); i++)
                b[i] = (unsigned char)(i * 197u + (i >> 7));
        for (k = 0; k < sizeof(lens_b) / sizeof(lens_b[0]); k++) {
                size_t lb = lens_b[k], la;
                kp_crc32c_shift_init(sh, lb);
                for (la = 0; la <= sizeof(a); la += 37) {
                        uint32_t whole = kp_crc32c(kp_crc32c(0, a, la), b, lb);
                        assert_int_equal(
                            kp_crc32c_combine(sh, kp_crc32c(0, a, la), kp_crc32c(0, b, lb)), whole);
                        assert_int_equal(whole, crc_ref(crc_ref(0, a, la), b, lb));
                }
        }
        free(sh);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_known_vectors), cmocka_unit_test(test_incremental),
            cmocka_unit_test(test_table_path),    cmocka_unit_test(test_sse42_path),
            cmocka_unit_test(test_combine),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
