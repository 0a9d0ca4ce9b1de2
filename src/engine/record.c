#include "engine/record.h"

#include <stdlib.h>
#include <string.h>

#include "util/crc32c.h"

static void put_u16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
        put_u16(p, (uint16_t)v);
        put_u16(p + 2, (uint16_t)(v >> 16));
}

static void put_u64(uint8_t *p, uint64_t v)
{
        put_u32(p, (uint32_t)v);
        put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get_u16(const uint8_t *p)
{
        return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const uint8_t *p)
{
        return (uint32_t)get_u16(p) | ((uint32_t)get_u16(p + 2) << 16);
}

static uint64_t get_u64(const uint8_t *p)
{
        return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32);
}

static uint32_t rec_crc(const uint8_t *buf, size_t len)
{
        uint32_t crc = kp_crc32c(0, buf, 12);

        return kp_crc32c(crc, buf + 16, len - 16);
}

static void put_hdr(uint8_t *buf, const kp_rec_hdr_t *h)
{
        buf[0] = 'K';
        buf[1] = 'P';
        buf[2] = KP_REC_VERSION;
        buf[3] = 0;
        put_u32(buf + 4, h->nonce);
        put_u16(buf + 8, h->producer);
        put_u16(buf + 10, 0);
        put_u64(buf + 16, h->seq);
        put_u64(buf + 24, (uint64_t)h->intended_ns);
}

void kp_rec_encode(uint8_t *buf, size_t len, const kp_rec_hdr_t *h, const uint8_t *pattern,
                   size_t pattern_len)
{
        size_t payload = len - KP_REC_HDR_BYTES;
        size_t span = pattern_len - payload + 1;

        put_hdr(buf, h);
        /* Consecutive records take consecutive stretches of the pattern (the
         * hardware prefetcher follows; a fixed large stride made this copy
         * miss the cache on every record), shifted so values differ. */
        if (payload)
                memcpy(buf + KP_REC_HDR_BYTES, pattern + (h->seq * (payload + 13)) % span, payload);
        put_u32(buf + 12, rec_crc(buf, len));
}

int kp_rec_enc_init(kp_rec_enc_t *e, size_t len, const uint8_t *pattern, size_t pattern_len,
                    uint32_t salt)
{
        size_t payload = len - KP_REC_HDR_BYTES, span = pattern_len - payload + 1, i;

        memset(e, 0, sizeof(*e));
        e->len = len;
        e->n_slots = pattern_len / len ? pattern_len / len : 1;
        e->slots = malloc(e->n_slots * len);
        e->payload_crc = malloc(e->n_slots * sizeof(*e->payload_crc));
        if (!e->slots || !e->payload_crc) {
                kp_rec_enc_free(e);
                return -1;
        }
        kp_crc32c_shift_init(&e->shift, payload);
        for (i = 0; i < e->n_slots; i++) {
                uint8_t *v = e->slots + i * len + KP_REC_HDR_BYTES;
                memcpy(v, pattern + (i * (payload + 13) + salt) % span, payload);
                e->payload_crc[i] = kp_crc32c(0, v, payload);
        }
        return 0;
}

const uint8_t *kp_rec_enc_next(kp_rec_enc_t *e, const kp_rec_hdr_t *h)
{
        size_t slot = (size_t)(h->seq % e->n_slots);
        uint8_t *buf = e->slots + slot * e->len;
        uint32_t crc;

        put_hdr(buf, h);
        crc = kp_crc32c(kp_crc32c(0, buf, 12), buf + 16, KP_REC_HDR_BYTES - 16);
        put_u32(buf + 12, kp_crc32c_combine(&e->shift, crc, e->payload_crc[slot]));
        return buf;
}

void kp_rec_enc_free(kp_rec_enc_t *e)
{
        free(e->slots);
        free(e->payload_crc);
        e->slots = NULL;
        e->payload_crc = NULL;
}

kp_rec_status_t kp_rec_decode(const void *data, size_t len, uint32_t expect_nonce, kp_rec_hdr_t *h)
{
        const uint8_t *buf = data;

        if (!buf || len < KP_REC_HDR_BYTES || buf[0] != 'K' || buf[1] != 'P' ||
            buf[2] != KP_REC_VERSION)
                return KP_REC_FOREIGN;
        h->nonce = get_u32(buf + 4);
        if (expect_nonce && h->nonce != expect_nonce)
                return KP_REC_FOREIGN;
        h->producer = get_u16(buf + 8);
        h->seq = get_u64(buf + 16);
        h->intended_ns = (int64_t)get_u64(buf + 24);
        if (get_u32(buf + 12) != rec_crc(buf, len))
                return KP_REC_CORRUPT;
        return KP_REC_OK;
}
