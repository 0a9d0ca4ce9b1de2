#include "engine/record.h"

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

void kp_rec_encode(uint8_t *buf, size_t len, const kp_rec_hdr_t *h, const uint8_t *pattern,
                   size_t pattern_len)
{
        size_t payload = len - KP_REC_HDR_BYTES;
        size_t span = pattern_len - payload + 1;

        buf[0] = 'K';
        buf[1] = 'P';
        buf[2] = KP_REC_VERSION;
        buf[3] = 0;
        put_u32(buf + 4, h->nonce);
        put_u16(buf + 8, h->producer);
        put_u16(buf + 10, 0);
        put_u64(buf + 16, h->seq);
        put_u64(buf + 24, (uint64_t)h->intended_ns);
        /* Consecutive records take consecutive stretches of the pattern (the
         * hardware prefetcher follows; a fixed large stride made this copy
         * miss the cache on every record), shifted so values differ. */
        if (payload)
                memcpy(buf + KP_REC_HDR_BYTES, pattern + (h->seq * (payload + 13)) % span, payload);
        put_u32(buf + 12, rec_crc(buf, len));
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
