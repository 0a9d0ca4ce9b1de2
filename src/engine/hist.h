/*
 * hist: latency histograms with fixed memory, in the log-linear bucket
 * layout of HdrHistogram: values below 2^(sub_bits+1) are exact, above that
 * every power of two is split into 2^sub_bits buckets, so the relative error
 * of a reported value is below 2^-sub_bits (sub_bits 7: < 0.8%).
 *
 * Recording is a few instructions and never allocates. A histogram is not
 * thread-safe: give each thread its own and merge them at the end.
 */
#ifndef KP_HIST_H
#define KP_HIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct kp_hist {
        int sub_bits;
        int n_buckets;
        uint64_t max_value; /* larger values are clamped to this and counted */
        uint64_t *counts;
        uint64_t total;
        uint64_t clamped;
        uint64_t min;
        uint64_t max;
        double sum;
} kp_hist_t;

int kp_hist_init(kp_hist_t *h, int sub_bits, uint64_t max_value);
void kp_hist_release(kp_hist_t *h);
void kp_hist_reset(kp_hist_t *h);
/* Adds src into dst (same sub_bits and max_value). */
int kp_hist_merge(kp_hist_t *dst, const kp_hist_t *src);
/* The value at percentile p (0 < p <= 100): the highest value equivalent to
 * the bucket holding that rank, never above the recorded maximum. 0 when
 * empty. */
uint64_t kp_hist_percentile(const kp_hist_t *h, double p);
double kp_hist_mean(const kp_hist_t *h);
size_t kp_hist_bytes(const kp_hist_t *h);

static inline int kp_hist_index(const kp_hist_t *h, uint64_t v)
{
        uint64_t s = (uint64_t)1 << h->sub_bits;
        int e;

        if (v < 2 * s)
                return (int)v;
        e = (63 - __builtin_clzll(v)) - h->sub_bits;
        return (int)(s * (uint64_t)(e + 1) + (v >> e) - s);
}

static inline void kp_hist_record(kp_hist_t *h, uint64_t v)
{
        if (v > h->max_value) {
                v = h->max_value;
                h->clamped++;
        }
        h->counts[kp_hist_index(h, v)]++;
        if (h->total == 0 || v < h->min)
                h->min = v;
        if (v > h->max)
                h->max = v;
        h->total++;
        h->sum += (double)v;
}

#endif
