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

#endif
