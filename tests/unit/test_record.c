/* Unit tests of record: the binary record header — round trip, corruption
 * detection, other runs' records and short buffers. */
#include "kptest.h"

#include "util/crc32c.h"
#include "engine/record.h"

static uint8_t pattern[4096];

static int make_pattern(void **state)
{
        uint64_t rng = 99;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(pattern); i++)
                pattern[i] = (uint8_t)kpt_rand(&rng);
        return 0;
}

static void encode(uint8_t *buf, size_t len, uint32_t nonce, uint16_t producer, uint64_t seq,
                   int64_t t)
{
        kp_rec_hdr_t h = {.nonce = nonce, .producer = producer, .seq = seq, .intended_ns = t};

        kp_rec_encode(buf, len, &h, pattern, sizeof(pattern));
}

static void test_round_trip(void **state)
{
        static const struct {
                uint32_t nonce;
                uint16_t producer;
                uint64_t seq;
                int64_t t;
                size_t len;
        } cases[] = {
            {1, 0, 0, 0, KP_REC_HDR_BYTES},
            {0xdeadbeef, 7, 12345, 987654321, 100},
            {0xffffffffu, 65535, UINT64_MAX, INT64_MAX, 1024},
            {42, 1, (uint64_t)1 << 40, -5, 33},
            {42, 300, 77, INT64_MIN, 4096},
        };
        uint8_t buf[4096];
        size_t i, span;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                kp_rec_hdr_t h;
                memset(&h, 0, sizeof(h));
                encode(buf, cases[i].len, cases[i].nonce, cases[i].producer, cases[i].seq,
                       cases[i].t);
                assert_int_equal(buf[0], 'K');
                assert_int_equal(buf[1], 'P');
                assert_int_equal(buf[2], KP_REC_VERSION);
                assert_int_equal(kp_rec_decode(buf, cases[i].len, cases[i].nonce, &h), KP_REC_OK);
                assert_int_equal(h.nonce, cases[i].nonce);
                assert_int_equal(h.producer, cases[i].producer);
                assert_true(h.seq == cases[i].seq);
                assert_true(h.intended_ns == cases[i].t);
                /* expect_nonce 0 accepts any run */
                assert_int_equal(kp_rec_decode(buf, cases[i].len, 0, &h), KP_REC_OK);
                /* payload comes from the pattern at the documented offset */
                /* payload: consecutive records take consecutive stretches of the pattern */
                span = sizeof(pattern) - (cases[i].len - KP_REC_HDR_BYTES) + 1;
                assert_memory_equal(
                    buf + KP_REC_HDR_BYTES,
                    pattern + (cases[i].seq * (cases[i].len - KP_REC_HDR_BYTES + 13)) % span,
                    cases[i].len - KP_REC_HDR_BYTES);
        }
}

/* The layout is fixed little endian, with the checksum over everything
 * except itself. */
static void test_layout(void **state)
{
        uint8_t buf[64];
        uint32_t crc, stored;

        (void)state;
        encode(buf, sizeof(buf), 0x04030201, 0x0605, 0x0e0d0c0b0a090807ULL, 0x161514131211100fLL);
        assert_int_equal(buf[3], 0);
        assert_int_equal(buf[4], 0x01);
        assert_int_equal(buf[7], 0x04);
        assert_int_equal(buf[8], 0x05);
        assert_int_equal(buf[9], 0x06);
        assert_int_equal(buf[10], 0);
        assert_int_equal(buf[11], 0);
        assert_int_equal(buf[16], 0x07);
        assert_int_equal(buf[23], 0x0e);
        assert_int_equal(buf[24], 0x0f);
        assert_int_equal(buf[31], 0x16);
        crc = kp_crc32c(kp_crc32c(0, buf, 12), buf + 16, sizeof(buf) - 16);
        stored = (uint32_t)buf[12] | (uint32_t)buf[13] << 8 | (uint32_t)buf[14] << 16 |
                 (uint32_t)buf[15] << 24;
        assert_int_equal(stored, crc);
}

/* Any single flipped bit is caught: in the magic or version the value is
 * not a kproof record, anywhere else the checksum fails. */
static void test_every_bit_flip_detected(void **state)
{
        uint8_t buf[200], bad[200];
        kp_rec_hdr_t h;
        size_t i;
        int bit;

        (void)state;
        encode(buf, sizeof(buf), 0x11223344, 3, 99, 123456);
        for (i = 0; i < sizeof(buf); i++) {
                for (bit = 0; bit < 8; bit++) {
                        memcpy(bad, buf, sizeof(buf));
                        bad[i] ^= (uint8_t)(1u << bit);
                        kp_rec_status_t st = kp_rec_decode(bad, sizeof(bad), 0, &h);
                        if (i < 3)
                                assert_int_equal(st, KP_REC_FOREIGN);
                        else if (st != KP_REC_CORRUPT)
                                fail_msg("bit %d of byte %zu flipped: status %d", bit, i, st);
                }
        }
        /* With the run's nonce expected, a flipped nonce is another run's. */
        memcpy(bad, buf, sizeof(buf));
        bad[5] ^= 0x10;
        assert_int_equal(kp_rec_decode(bad, sizeof(bad), 0x11223344, &h), KP_REC_FOREIGN);
        /* Truncated or extended values no longer match their checksum. */
        assert_int_equal(kp_rec_decode(buf, sizeof(buf) - 1, 0, &h), KP_REC_CORRUPT);
        assert_int_equal(kp_rec_decode(buf, KP_REC_HDR_BYTES, 0, &h), KP_REC_CORRUPT);
}

static void test_wrong_nonce(void **state)
{
        uint8_t buf[64];
        kp_rec_hdr_t h;

        (void)state;
        encode(buf, sizeof(buf), 1000, 1, 1, 1);
        assert_int_equal(kp_rec_decode(buf, sizeof(buf), 1001, &h), KP_REC_FOREIGN);
        assert_int_equal(kp_rec_decode(buf, sizeof(buf), 1000, &h), KP_REC_OK);
}

static void test_short_and_foreign(void **state)
{
        uint8_t buf[64], junk[64];
        kp_rec_hdr_t h;
        uint64_t rng = 5;
        size_t len;
        int i;

        (void)state;
        encode(buf, sizeof(buf), 9, 9, 9, 9);
        for (len = 0; len < KP_REC_HDR_BYTES; len++)
                assert_int_equal(kp_rec_decode(buf, len, 0, &h), KP_REC_FOREIGN);
        assert_int_equal(kp_rec_decode(NULL, 64, 0, &h), KP_REC_FOREIGN);
        assert_int_equal(kp_rec_decode("hello world, this is not a record", 33, 0, &h),
                         KP_REC_FOREIGN);
        /* Another version of the format is not ours. */
        buf[2] = KP_REC_VERSION + 1;
        assert_int_equal(kp_rec_decode(buf, sizeof(buf), 0, &h), KP_REC_FOREIGN);
        /* Random values never decode as valid records. */
        for (i = 0; i < 10000; i++) {
                for (len = 0; len < sizeof(junk); len++)
                        junk[len] = (uint8_t)kpt_rand(&rng);
                if (i % 2) {
                        junk[0] = 'K';
                        junk[1] = 'P';
                        junk[2] = KP_REC_VERSION;
                }
                assert_int_not_equal(kp_rec_decode(junk, sizeof(junk), 0, &h), KP_REC_OK);
        }
}

/* Different sequence numbers give different payload slices, so a record
 * delivered with another record's value is caught by the checksum. */
static void test_payload_varies(void **state)
{
        uint8_t a[100], b[100];

        (void)state;
        encode(a, sizeof(a), 1, 1, 1, 0);
        encode(b, sizeof(b), 1, 1, 2, 0);
        assert_memory_not_equal(a + KP_REC_HDR_BYTES, b + KP_REC_HDR_BYTES,
                                sizeof(a) - KP_REC_HDR_BYTES);
        memcpy(a + KP_REC_HDR_BYTES, b + KP_REC_HDR_BYTES, sizeof(a) - KP_REC_HDR_BYTES);
        assert_int_equal(kp_rec_decode(a, sizeof(a), 1, &(kp_rec_hdr_t){0}), KP_REC_CORRUPT);
}

/* The slot encoder: every value it gives decodes with its header, carries
 * the CRC a full computation gives, is caught when any payload byte is
 * damaged, and the slots come round again after n_slots records; producers
 * with another salt get other values. Sizes from the header alone to as large
 * as the pattern (one slot). */
static void test_slot_encoder(void **state)
{
        static const size_t lens[] = {KP_REC_HDR_BYTES, 33, 100, 1024, sizeof(pattern)};
        size_t k;

        (void)state;
        for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
                size_t len = lens[k], plen = sizeof(pattern), i;
                kp_rec_enc_t e, other;
                uint8_t *copy = malloc(len);
                uint64_t seq;

                assert_non_null(copy);
                assert_int_equal(kp_rec_enc_init(&e, len, pattern, plen, 0), 0);
                assert_int_equal(kp_rec_enc_init(&other, len, pattern, plen, 4099), 0);
                assert_true(e.n_slots >= 1 && e.n_slots * len <= plen);
                for (seq = 0; seq < 3 * e.n_slots + 2; seq++) {
                        kp_rec_hdr_t h = {.nonce = 0xabcdef01u,
                                          .producer = 9,
                                          .seq = seq,
                                          .intended_ns = (int64_t)(seq * 1000 + 17)},
                                     d;
                        const uint8_t *v = kp_rec_enc_next(&e, &h);
                        uint32_t want = kp_crc32c(kp_crc32c(0, v, 12), v + 16, len - 16);

                        assert_ptr_equal(v, e.slots + (seq % e.n_slots) * len);
                        assert_int_equal(v[12] | v[13] << 8 | v[14] << 16 | (uint32_t)v[15] << 24,
                                         want);
                        assert_int_equal(kp_rec_decode(v, len, 0xabcdef01u, &d), KP_REC_OK);
                        assert_true(d.seq == seq && d.producer == 9 &&
                                    d.intended_ns == h.intended_ns);
                        if (len > KP_REC_HDR_BYTES && seq < 40) {
                                i = KP_REC_HDR_BYTES + (seq * 7) % (len - KP_REC_HDR_BYTES);
                                memcpy(copy, v, len);
                                copy[i] ^= 0x10;
                                assert_int_equal(kp_rec_decode(copy, len, 0, &d), KP_REC_CORRUPT);
                        }
                }
                if (len > KP_REC_HDR_BYTES && plen > len)
                        assert_memory_not_equal(e.slots + KP_REC_HDR_BYTES,
                                                other.slots + KP_REC_HDR_BYTES,
                                                len - KP_REC_HDR_BYTES);
                kp_rec_enc_free(&e);
                kp_rec_enc_free(&other);
                free(copy);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_round_trip),
            cmocka_unit_test(test_layout),
            cmocka_unit_test(test_every_bit_flip_detected),
            cmocka_unit_test(test_wrong_nonce),
            cmocka_unit_test(test_short_and_foreign),
            cmocka_unit_test(test_payload_varies),
            cmocka_unit_test(test_slot_encoder),
        };
        return cmocka_run_group_tests(tests, make_pattern, NULL);
}
