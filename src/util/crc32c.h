/*
 * crc32c: CRC-32C (Castagnoli) of record values, with the SSE4.2 instruction
 * when the CPU has it and a table otherwise. Incremental: pass the previous
 * result as crc (start with 0).
 */
#ifndef KP_CRC32C_H
#define KP_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t kp_crc32c(uint32_t crc, const void *data, size_t len);

/* The CRC of a concatenation A || B from the CRCs of its parts, for a fixed
 * length of B: feeding bytes to a CRC register is linear in the register, so
 * kp_crc32c(crc_a, B) == shift(crc_a) ^ kp_crc32c(0, B), where shift is what
 * len(B) zero bytes do to a register — four table lookups. */
typedef struct kp_crc32c_shift {
        uint32_t t[4][256];
} kp_crc32c_shift_t;

void kp_crc32c_shift_init(kp_crc32c_shift_t *s, size_t len_b);

static inline uint32_t kp_crc32c_combine(const kp_crc32c_shift_t *s, uint32_t crc_a, uint32_t crc_b)
{
        return s->t[0][crc_a & 0xff] ^ s->t[1][(crc_a >> 8) & 0xff] ^
               s->t[2][(crc_a >> 16) & 0xff] ^ s->t[3][crc_a >> 24] ^ crc_b;
}

#endif
