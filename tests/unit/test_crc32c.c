/* Unit tests of crc32c: published check values, incremental use, and the
 * SSE4.2 path against the table path against a bit-by-bit reference.
 *
 * The module's file is compiled into this test under another name so its
 * two internal paths can be called directly; kp_crc32c itself still comes
 * from the library. */
#include "kptest.h"

#define kp_crc32c kpt_crc32c_copy
#include "crc32c.c"
#undef kp_crc32c
uint32_t kp_crc32c(uint32_t crc, const void *data, size_t len);

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

/* Both implementations agree with the reference on random buffers at every
 * alignment and length (covers the 8-byte loop and the byte tail). */
static void test_paths_agree(void **state)
{
        unsigned char *buf;
        uint64_t rng = 0xdeadbeef;
        size_t i, off, len;
        int have_hw = 0;

        (void)state;
        buf = malloc(4096 + 16);
        assert_non_null(buf);
        for (i = 0; i < 4096 + 16; i++)
                buf[i] = (unsigned char)kpt_rand(&rng);
        pthread_once(&table_once, table_init);
#if defined(__x86_64__)
        have_hw = have_sse42;
#endif
        for (i = 0; i < 3000; i++) {
                uint32_t seed = (uint32_t)kpt_rand(&rng), want, sw;
                off = kpt_rand(&rng) % 16;
                len = (i < 100) ? i : kpt_rand(&rng) % 4096;
                want = crc_ref(seed, buf + off, len);
                sw = ~crc_sw(~seed, buf + off, len);
                assert_int_equal(sw, want);
#if defined(__x86_64__)
                if (have_hw)
                        assert_int_equal(~crc_hw(~seed, buf + off, len), want);
#endif
                assert_int_equal(kp_crc32c(seed, buf + off, len), want);
                assert_int_equal(kpt_crc32c_copy(seed, buf + off, len), want);
        }
        free(buf);
        if (!have_hw)
                print_message("note: no SSE4.2 on this CPU, only the table path was compared\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_known_vectors),
            cmocka_unit_test(test_incremental),
            cmocka_unit_test(test_paths_agree),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
