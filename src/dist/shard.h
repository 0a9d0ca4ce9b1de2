/*
 * shard: distributed load — one workload spread over N `kproof worker`
 * processes, judged as one history (docs/distributed.md).
 *
 * This module owns the three things workers and the coordinator share:
 *
 *   - the split: which producers, consumers and share of the rate shard i
 *     of N runs, and the base that makes its producer ids globally unique;
 *   - the plan (plan.json in the shard store): topic, run nonce and the
 *     shared start time, written by the coordinator (or by worker 0 when
 *     users launch workers themselves);
 *   - the shard result (shard-NNNN.kps): a worker's history part, mergeable
 *     latency histograms, per-second timeline and run metadata, in a
 *     versioned little-endian binary form with a CRC-32C trailer;
 *
 * and the merge: shard results into one history (producer ids rebased,
 * times mapped through each worker's wall clock onto the merger's monotonic
 * clock), histograms added, timelines summed, counters added. Workers never
 * judge; the merged history goes to the same checker as a single process's.
 *
 * Ownership: a decoded kp_shard_result_t owns its blob (free with
 * kp_shard_result_free); kp_shard_merge borrows the results and appends to
 * the caller's history.
 */
#ifndef KP_SHARD_H
#define KP_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "config/config.h"
#include "util/err.h"
#include "engine/hist.h"
#include "engine/history.h"
#include "engine/workload.h"

#define KP_SHARD_MAX 256

typedef struct kp_shard_split {
        int producers, consumers;
        int producer_base, consumer_base; /* first global producer / consumer id */
        double rate;                      /* records/s of this shard */
} kp_shard_split_t;

/* Shard index of workers: producers and consumers as even as possible (the
 * first P mod N shards one more), rate in proportion to producers so every
 * producer sends at the single-process per-producer rate. */
void kp_shard_split(const kp_workload_cfg_t *w, int workers, int index, kp_shard_split_t *out);

typedef struct kp_shard_plan {
        int workers;
        char suite[64];
        char topic[256];
        int partitions;
        uint32_t nonce;
        int64_t start_wall_ns; /* CLOCK_REALTIME: the schedule's shared start */
        char bootstrap[512];   /* an embedded target's cluster, as workers reach it; "" none */
} kp_shard_plan_t;

/* plan.json text; free the buffer with kp_buf_free. */
int kp_shard_plan_encode(const kp_shard_plan_t *p, kp_buf_t *out, kp_err_t *err);
/* Parses plan.json; `where` names it in messages. */
int kp_shard_plan_decode(const char *json, size_t len, const char *where, kp_shard_plan_t *p,
                         kp_err_t *err);

/* A worker's result, as written and as read back. */
typedef struct kp_shard_result {
        int index, workers;
        int producers, consumers, partitions;
        int producer_base, consumer_base;
        int64_t origin_wall_ns; /* wall time of the history's origin */
        int64_t start_wall_ns;  /* wall time of the schedule start */
        int64_t slot_ns;
        uint64_t sent, acked, failed, in_doubt;
        uint64_t produce_errors, consume_errors, foreign, corrupt, value_bytes, dropped;
        int64_t produce_ns, drain_ns, max_send_lag_ns;
        int drained;
        double target_rate, achieved_rate;
        char host[128];
        char version[64];
        kp_workload_errcount_t *errors;
        size_t n_errors;
        kp_hist_t ack, e2e;
        kp_workload_slot_t *slots;
        size_t n_slots;
        /* History logs: producers + consumers, each count events (32 bytes,
         * kp_hev_t, little endian) at events[log] inside blob. */
        uint64_t *counts;
        kp_hev_t **events;
        uint8_t *blob;
        int merged; /* its events were rewritten for and lent to a merged history */
} kp_shard_result_t;

/* Serializes a finished shard: meta's index, workers, bases and start; the
 * workload's results and timeline (kp_workload_results/_timeline after
 * kp_workload_stop) and its history. */
int kp_shard_result_encode(const kp_shard_result_t *meta, const kp_workload_results_t *res,
                           const kp_workload_slot_t *tl, size_t n_slots, int64_t slot_ns,
                           const kp_history_t *h, kp_buf_t *out, kp_err_t *err);
/* Takes ownership of blob (malloc'ed, len bytes) on success and on failure.
 * `where` names the source in messages. */
int kp_shard_result_decode(uint8_t *blob, size_t len, const char *where, kp_shard_result_t **out,
                           kp_err_t *err);
void kp_shard_result_free(kp_shard_result_t *r);

/* What merging n shards gives besides the history. */
typedef struct kp_shard_merged {
        int producers, consumers; /* totals */
        int64_t start_ns;         /* the shared start on the merger's monotonic clock */
        kp_hist_t ack, e2e;
        kp_workload_slot_t *slots; /* summed; p99 columns: the largest shard's */
        size_t n_slots;
        int64_t slot_ns;
        kp_workload_errcount_t errors[512];
        kp_workload_results_t results; /* totals; pointers into this struct */
        uint64_t events;               /* history events merged */
} kp_shard_merged_t;

/* Totals over shards (for sizing the merged history): producers,
 * consumers, and the largest log. Checks that the shards are 0..n-1 of one
 * run of n workers (consistent split); the error names the shard. */
int kp_shard_totals(kp_shard_result_t *const *shards, int n, int *producers, int *consumers,
                    uint64_t *max_log, kp_err_t *err);

/* Merges n shards (index order) into h, which has at least the total
 * producers and consumers, their logs empty (producer log i: global
 * producer i; consumer log j: global consumer j). The shards' events are
 * not copied: they are rewritten in place and lent to h
 * (kp_history_adopt), so the shard results must outlive every use of h and
 * can be merged once. Times: an event at wall time w lands at monotonic
 * w - wall_minus_mono. Fails when a shard dropped history events (its part
 * is incomplete). Release m with kp_shard_merged_release. */
int kp_shard_merge(kp_shard_result_t *const *shards, int n, kp_history_t *h,
                   int64_t wall_minus_mono, kp_shard_merged_t *m, kp_err_t *err);
void kp_shard_merged_release(kp_shard_merged_t *m);

/* "shard-0003.kps", "shard-0003.error". */
void kp_shard_name(int index, const char *ext, char *out, size_t size);

#endif
