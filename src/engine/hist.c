#include "engine/hist.h"

#include <stdlib.h>
#include <string.h>

int kp_hist_init(kp_hist_t *h, int sub_bits, uint64_t max_value)
{
        memset(h, 0, sizeof(*h));
        if (sub_bits < 1 || sub_bits > 16 || max_value < 2)
                return -1;
        h->sub_bits = sub_bits;
        h->max_value = max_value;
        h->n_buckets = kp_hist_index(h, max_value) + 1;
        h->counts = calloc((size_t)h->n_buckets, sizeof(uint64_t));
        return h->counts ? 0 : -1;
}

void kp_hist_release(kp_hist_t *h)
{
        if (!h)
                return;
        free(h->counts);
        h->counts = NULL;
}

void kp_hist_reset(kp_hist_t *h)
{
        memset(h->counts, 0, (size_t)h->n_buckets * sizeof(uint64_t));
        h->total = h->clamped = h->min = h->max = 0;
        h->sum = 0;
}

int kp_hist_merge(kp_hist_t *dst, const kp_hist_t *src)
{
        int i;

        if (dst->sub_bits != src->sub_bits || dst->n_buckets != src->n_buckets)
                return -1;
        if (src->total == 0)
                return 0;
        for (i = 0; i < dst->n_buckets; i++)
                dst->counts[i] += src->counts[i];
        if (dst->total == 0 || src->min < dst->min)
                dst->min = src->min;
        if (src->max > dst->max)
                dst->max = src->max;
        dst->total += src->total;
        dst->clamped += src->clamped;
        dst->sum += src->sum;
        return 0;
}

/* Highest value that maps to bucket idx. */
static uint64_t bucket_high(const kp_hist_t *h, int idx)
{
        uint64_t s = (uint64_t)1 << h->sub_bits;
        uint64_t e, sub;

        if ((uint64_t)idx < 2 * s)
                return (uint64_t)idx;
        e = (uint64_t)idx / s - 1;
        sub = (uint64_t)idx % s + s;
        return ((sub + 1) << e) - 1;
}

uint64_t kp_hist_percentile(const kp_hist_t *h, double p)
{
        uint64_t rank, seen = 0, v;
        int i;

        if (h->total == 0)
                return 0;
        if (p >= 100.0)
                return h->max;
        if (p <= 0)
                return h->min;
        rank = (uint64_t)((p / 100.0) * (double)h->total + 0.999999999);
        if (rank < 1)
                rank = 1;
        for (i = 0; i < h->n_buckets; i++) {
                seen += h->counts[i];
                if (seen >= rank) {
                        v = bucket_high(h, i);
                        if (v > h->max)
                                v = h->max;
                        if (v < h->min)
                                v = h->min;
                        return v;
                }
        }
        return h->max;
}

double kp_hist_mean(const kp_hist_t *h)
{
        return h->total ? h->sum / (double)h->total : 0.0;
}

size_t kp_hist_bytes(const kp_hist_t *h)
{
        return sizeof(*h) + (size_t)h->n_buckets * sizeof(uint64_t);
}
