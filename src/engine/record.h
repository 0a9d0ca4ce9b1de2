/*
 * record: the binary form of every record kproof produces in a workload.
 *
 * A record value starts with a 32-byte header — magic "KP", version, run
 * nonce, producer id, sequence number, intended send time — and a CRC-32C
 * over everything else, followed by payload bytes. Consumers recognise
 * kproof's records of this run by magic and nonce, find the ledger slot
 * from (producer, seq) without any lookup structure, measure latency from
 * the intended time, and detect corruption by the checksum.
 *
 *   0  'K' 'P' version flags
 *   4  run nonce        (u32, little endian)
 *   8  producer id      (u16) reserved (u16)
 *   12 crc32c           (u32) of bytes [0,12) and [16,len)
 *   16 sequence number  (u64)
 *   24 intended send time, monotonic ns (i64)
 *   32 payload
 */
#ifndef KP_RECORD_H
#define KP_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "util/crc32c.h"

#define KP_REC_HDR_BYTES 32
#define KP_REC_VERSION   1

typedef struct kp_rec_hdr {
        uint32_t nonce;
        uint16_t producer;
        uint64_t seq;
        int64_t intended_ns;
} kp_rec_hdr_t;

typedef enum kp_rec_status {
        KP_REC_OK = 0,
        KP_REC_FOREIGN = -1, /* not a kproof record, or another run's */
        KP_REC_CORRUPT = -2, /* a kproof record whose checksum does not match */
} kp_rec_status_t;

/* Fills buf[0..len) (len >= KP_REC_HDR_BYTES) with the header and payload
 * bytes taken from pattern (pattern_len >= len) at an offset derived from seq. */
void kp_rec_encode(uint8_t *buf, size_t len, const kp_rec_hdr_t *h, const uint8_t *pattern,
                   size_t pattern_len);
/*
 * A producer's encoder: the values are laid out once in a private array of
 * slots (room for the header, then a fixed stretch of the pattern), with each
 * stretch's CRC computed once. Encoding a record writes its header into the
 * next slot and joins the header's CRC to the stretch's (kp_crc32c_combine):
 * no payload copy and no payload checksum per record. The bytes and the CRC
 * are what kp_rec_encode gives for the same stretch, and decode alike. The
 * value returned stays valid until the encoder comes back to the same slot
 * (n_slots records later): hand it on at once (librdkafka copies it with
 * RD_KAFKA_MSG_F_COPY).
 */
typedef struct kp_rec_enc {
        uint8_t *slots;        /* n_slots values of len bytes */
        uint32_t *payload_crc; /* kp_crc32c(0, payload of slot i) */
        size_t len, n_slots;
        kp_crc32c_shift_t shift; /* over len - KP_REC_HDR_BYTES zero bytes */
} kp_rec_enc_t;

/* len >= KP_REC_HDR_BYTES; pattern_len >= len. About max(pattern_len, len)
 * bytes of slots; salt shifts which stretches are taken (producers differ).
 * Returns -1 when out of memory. */
int kp_rec_enc_init(kp_rec_enc_t *e, size_t len, const uint8_t *pattern, size_t pattern_len,
                    uint32_t salt);
const uint8_t *kp_rec_enc_next(kp_rec_enc_t *e, const kp_rec_hdr_t *h);
void kp_rec_enc_free(kp_rec_enc_t *e);

/* Decodes and verifies a value. expect_nonce 0 accepts any run. */
kp_rec_status_t kp_rec_decode(const void *buf, size_t len, uint32_t expect_nonce, kp_rec_hdr_t *h);

#endif
