#include "util/crc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82f63b78u
/* The hardware path runs three CRCs over three adjacent blocks of STRIPE
 * bytes at once (the crc32 instruction has a latency of three cycles and a
 * throughput of one), then joins them with the zero-extension operators
 * below: feeding n zero bytes to a CRC register is linear in the register,
 * so it is four table lookups per operator. */
#define STRIPE 128
/* What is left after the STRIPE blocks (up to 383 bytes: most of a 1 KiB
 * record) goes three ways in SMALL-byte stripes too, rather than through one
 * serial chain of crc32 instructions at a third of the throughput. */
#define SMALL 32

static uint32_t table[8][256];
static uint32_t zeros_1[4][256]; /* register -> register after STRIPE zero bytes */
static uint32_t zeros_2[4][256]; /* ... after 2 * STRIPE zero bytes */
static uint32_t small_1[4][256]; /* ... after SMALL zero bytes */
static uint32_t small_2[4][256]; /* ... after 2 * SMALL zero bytes */
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static int table_ready; /* set (release) once table_init has run: skips the pthread_once call */
static int have_sse42;

static uint32_t crc_sw(uint32_t crc, const unsigned char *p, size_t len);

static void table_init(void)
{
        uint32_t i, j, c;

        for (i = 0; i < 256; i++) {
                c = i;
                for (j = 0; j < 8; j++)
                        c = (c >> 1) ^ (POLY & (0u - (c & 1u)));
                table[0][i] = c;
        }
        for (i = 0; i < 256; i++)
                for (j = 1; j < 8; j++)
                        table[j][i] = (table[j - 1][i] >> 8) ^ table[0][table[j - 1][i] & 0xff];
        {
                static const unsigned char zero[2 * STRIPE];
                for (j = 0; j < 4; j++)
                        for (i = 0; i < 256; i++) {
                                zeros_1[j][i] = crc_sw(i << (8 * j), zero, STRIPE);
                                zeros_2[j][i] = crc_sw(i << (8 * j), zero, 2 * STRIPE);
                                small_1[j][i] = crc_sw(i << (8 * j), zero, SMALL);
                                small_2[j][i] = crc_sw(i << (8 * j), zero, 2 * SMALL);
                        }
        }
#if defined(__x86_64__)
        __builtin_cpu_init();
        have_sse42 = __builtin_cpu_supports("sse4.2");
#endif
        __atomic_store_n(&table_ready, 1, __ATOMIC_RELEASE);
}

static uint32_t crc_sw(uint32_t crc, const unsigned char *p, size_t len)
{
        while (len >= 8) {
                uint64_t w;
                memcpy(&w, p, 8);
                w ^= crc;
                crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
                      table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^
                      table[2][(w >> 40) & 0xff] ^ table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
                p += 8;
                len -= 8;
        }
        while (len--)
                crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
        return crc;
}

static inline uint32_t zeros_apply(const uint32_t t[4][256], uint32_t x)
{
        return t[0][x & 0xff] ^ t[1][(x >> 8) & 0xff] ^ t[2][(x >> 16) & 0xff] ^ t[3][x >> 24];
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const unsigned char *p,
                                                         size_t len)
{
        uint64_t c = crc;

        while (len >= 3 * STRIPE) {
                uint64_t c1 = 0, c2 = 0;
                size_t i;
                for (i = 0; i < STRIPE; i += 8) {
                        uint64_t w0, w1, w2;
                        memcpy(&w0, p + i, 8);
                        memcpy(&w1, p + STRIPE + i, 8);
                        memcpy(&w2, p + 2 * STRIPE + i, 8);
                        c = __builtin_ia32_crc32di(c, w0);
                        c1 = __builtin_ia32_crc32di(c1, w1);
                        c2 = __builtin_ia32_crc32di(c2, w2);
                }
                c = zeros_apply(zeros_2, (uint32_t)c) ^ zeros_apply(zeros_1, (uint32_t)c1) ^
                    (uint32_t)c2;
                p += 3 * STRIPE;
                len -= 3 * STRIPE;
        }
        while (len >= 3 * SMALL) {
                uint64_t c1 = 0, c2 = 0;
                size_t i;
                for (i = 0; i < SMALL; i += 8) {
                        uint64_t w0, w1, w2;
                        memcpy(&w0, p + i, 8);
                        memcpy(&w1, p + SMALL + i, 8);
                        memcpy(&w2, p + 2 * SMALL + i, 8);
                        c = __builtin_ia32_crc32di(c, w0);
                        c1 = __builtin_ia32_crc32di(c1, w1);
                        c2 = __builtin_ia32_crc32di(c2, w2);
                }
                c = zeros_apply(small_2, (uint32_t)c) ^ zeros_apply(small_1, (uint32_t)c1) ^
                    (uint32_t)c2;
                p += 3 * SMALL;
                len -= 3 * SMALL;
        }
        while (len >= 8) {
                uint64_t w;
                memcpy(&w, p, 8);
                c = __builtin_ia32_crc32di(c, w);
                p += 8;
                len -= 8;
        }
        crc = (uint32_t)c;
        if (len >= 4) {
                uint32_t w;
                memcpy(&w, p, 4);
                crc = __builtin_ia32_crc32si(crc, w);
                p += 4;
                len -= 4;
        }
        while (len--)
                crc = __builtin_ia32_crc32qi(crc, *p++);
        return crc;
}
#endif

void kp_crc32c_shift_init(kp_crc32c_shift_t *s, size_t len_b)
{
        static const unsigned char zero[256];
        uint32_t basis[32];
        int b, j, i;

        pthread_once(&table_once, table_init);
        /* What len_b zero bytes do to each single-bit register; the tables
         * are XORs of those (the map is linear). */
        for (b = 0; b < 32; b++) {
                size_t left = len_b;
                uint32_t r = 1u << b;
                while (left) {
                        size_t n = left < sizeof(zero) ? left : sizeof(zero);
                        r = crc_sw(r, zero, n);
                        left -= n;
                }
                basis[b] = r;
        }
        for (j = 0; j < 4; j++)
                for (i = 0; i < 256; i++) {
                        uint32_t v = 0;
                        for (b = 0; b < 8; b++)
                                if (i & (1 << b))
                                        v ^= basis[8 * j + b];
                        s->t[j][i] = v;
                }
}

uint32_t kp_crc32c(uint32_t crc, const void *data, size_t len)
{
        if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE))
                pthread_once(&table_once, table_init);
        crc = ~crc;
#if defined(__x86_64__)
        if (have_sse42)
                return ~crc_hw(crc, data, len);
#endif
        return ~crc_sw(crc, data, len);
}
