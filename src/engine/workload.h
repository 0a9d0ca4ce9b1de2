/*
 * workload: the engine that drives a platform with tracked records.
 *
 * Producers send at a fixed rate; each record's intended send time is fixed
 * by the schedule before it is sent, so a stalled client or broker shows up
 * as latency instead of silently lowering the load (no coordinated
 * omission). Every record carries producer id, sequence number and intended
 * time (record.h); delivery reports and consumptions are entered in the
 * ledger, latencies in fixed-memory histograms (produce->ack and
 * produce->consume), and counts per time slot in a timeline. Nothing is
 * allocated per record on the hot path.
 *
 * Lifecycle: kp_workload_new -> kp_workload_start -> (the caller may inject
 * faults meanwhile) -> kp_workload_wait_produced -> kp_workload_drain ->
 * kp_workload_stop -> read results -> kp_workload_free. kp_workload_run does
 * the middle steps in one call.
 */
#ifndef KP_WORKLOAD_H
#define KP_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/err.h"
#include "engine/hist.h"
#include "engine/history.h"
#include "engine/ledger.h"
#include "platform/platform.h"

typedef struct kp_workload kp_workload_t;

typedef struct kp_workload_spec {
        const kp_workload_cfg_t *cfg;
        const char *topic;
        kp_profile_t profile;
        const kp_kvlist_t *producer_overrides;
        const kp_kvlist_t *consumer_overrides;
        const char *group_id; /* NULL: kproof-<topic> */
        uint64_t max_records; /* per producer; 0: from rate and duration. When set,
                                 each producer sends exactly this many records (or
                                 fewer when the duration ends first). */
        int defer_consumers;  /* 1: kp_workload_start starts producers only; the
                                 caller starts consumers with kp_workload_start_consumers
                                 (e.g. to read a topic that is already full) */
        /* Optional, borrowed: every produce outcome and read is also appended
         * to this history (producer i -> log i, consumer j -> consumer log j),
         * for the history checker. Needs >= producers and consumers logs. */
        struct kp_history *history;
        /* Distributed load (shard.h): this workload is one shard of a larger
         * one. Its records carry producer ids producer_base + i (the ledger
         * and the history's producer logs keep the local ids 0..producers-1);
         * reads of other shards' records count in the timeline, latency and
         * history but not in this shard's ledger, and the drain ends once the
         * consumers have read nothing new for a while. */
        int shard;
        int producer_base;
        uint32_t nonce;          /* run nonce in the records; 0: random */
        int64_t start_at_ns;     /* monotonic time the schedule starts; 0: when ready */
        int64_t clock_offset_ns; /* added to intended send times written into records
                                    (wall - monotonic makes them comparable across hosts) */
} kp_workload_spec_t;

/* One time slot of the timeline (slot_ns wide, from the workload start). */
typedef struct kp_workload_slot {
        uint64_t sent;
        uint64_t acked;
        uint64_t ack_errors;
        uint64_t consumed;
        uint64_t p99_ack_us; /* produce->ack p99 of records acknowledged in the slot */
        uint64_t p99_e2e_us; /* produce->consume p99 of records consumed in the slot */
} kp_workload_slot_t;

typedef struct kp_workload_errcount {
        int code; /* librdkafka error code */
        uint64_t count;
} kp_workload_errcount_t;

typedef struct kp_workload_example {
        int kind; /* KP_LEDGER_DIFFERENT, KP_REC_CORRUPT (as -2), ... */
        int32_t partition;
        int64_t offset;
        int producer;
        uint64_t seq;
} kp_workload_example_t;

typedef struct kp_workload_results {
        kp_ledger_summary_t ledger;
        uint64_t produce_errors;   /* refused at send time (not queue-full) */
        uint64_t txn_committed;    /* transactions (cfg->txn_records > 0) committed */
        uint64_t txn_aborted;      /* ... aborted (on purpose or because they had to be) */
        uint64_t txn_unknown;      /* ... whose commit or abort failed fatally */
        uint64_t queue_full_waits; /* times a producer waited for queue space */
        uint64_t consume_errors;
        uint64_t foreign; /* records not of this run */
        uint64_t corrupt; /* checksum mismatches */
        uint64_t redeliveries;
        uint64_t other_offset;   /* consumptions at an offset other than acknowledged */
        uint64_t unverified;     /* consumed before ack, not verifiable (ring full) */
        uint64_t poll_backwards; /* a consumer saw an offset at or below its last one */
        uint64_t value_bytes;    /* bytes of record values acknowledged */
        int64_t produce_ns;      /* from start until the last producer finished */
        int64_t drain_ns;
        int drained; /* every acknowledged record was consumed */
        double target_rate;
        double achieved_rate;      /* sent records per second over produce_ns */
        const kp_hist_t *ack_hist; /* owned by the workload */
        const kp_hist_t *e2e_hist;
        const kp_workload_errcount_t *errors; /* by code, ack and consume errors together */
        size_t n_errors;
        const kp_workload_example_t *examples;
        size_t n_examples;
        int64_t max_send_lag_ns; /* largest delay of a send behind its intended time: near
                                    zero below saturation, large when the producer (or the
                                    machine it runs on) could not keep up */
} kp_workload_results_t;

kp_workload_t *kp_workload_new(kp_platform_t *p, const kp_workload_spec_t *spec, kp_err_t *err);
void kp_workload_free(kp_workload_t *wl);

/* Starts consumers (waiting for their assignment) and producers. */
int kp_workload_start(kp_workload_t *wl, kp_err_t *err);
/* Blocks until every producer has sent its share and flushed. */
void kp_workload_wait_produced(kp_workload_t *wl);
/* Waits until every acknowledged record has been consumed, or timeout.
 * Returns 1 when drained, 0 on timeout. */
int kp_workload_drain(kp_workload_t *wl, int64_t timeout_ns);
/* Stops and joins all threads (idempotent). */
void kp_workload_stop(kp_workload_t *wl);
/* start + wait_produced + drain (cfg->drain_timeout) + stop. */
int kp_workload_run(kp_workload_t *wl, kp_err_t *err);

/* Valid after kp_workload_stop. */
void kp_workload_results(kp_workload_t *wl, kp_workload_results_t *r);
const kp_workload_slot_t *kp_workload_timeline(kp_workload_t *wl, size_t *n_slots,
                                               int64_t *slot_ns);
const kp_ledger_t *kp_workload_ledger(const kp_workload_t *wl);
/* Monotonic time production started (0 before start). */
int64_t kp_workload_start_ns(const kp_workload_t *wl);
/* Records acknowledged so far (any thread, while running). */
uint64_t kp_workload_acked_now(const kp_workload_t *wl);
/* Records consumed so far, redeliveries included (any thread, while running). */
uint64_t kp_workload_consumed_now(const kp_workload_t *wl);
/* The consumer settings the engine uses unless the target, profile or
 * scenario sets them (a deeper prefetch queue, see workload.c); a benchmark
 * gives its raw consumer the same. */
void kp_workload_consumer_defaults(kp_kvlist_t *props);

/* With spec.defer_consumers: starts the consumers and waits (bounded, 20 s)
 * until the group has every partition assigned. A no-op when consumers run. */
int kp_workload_start_consumers(kp_workload_t *wl, kp_err_t *err);

#endif
