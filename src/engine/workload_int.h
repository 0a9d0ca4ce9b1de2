/*
 * workload_int.h: private to the workload engine (workload.c, wl_producer.c,
 * wl_consumer.c, wl_timeline.c). The per-thread state of producers and
 * consumers, the workload itself, the hot-path helpers every thread inlines
 * and the functions the engine's files share.
 */
#ifndef KP_WORKLOAD_INT_H
#define KP_WORKLOAD_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "engine/record.h"
#include "engine/workload.h"
#include "util/timeutil.h"

#define ERR_SLOTS      512 /* librdkafka error codes -256..255 */
#define ERR_BASE       256
#define PATTERN_BYTES  (1 << 20)
#define PENDING_MAX    (1 << 18)
#define EXAMPLES_MAX   20
#define SLOT_HIST_BITS 4
#define HIST_MAX_NS    ((uint64_t)3600 * KP_NS_PER_S)
#define CLOCK_EVERY    16
#define TXN_TIMEOUT_MS 30000

typedef struct tl_counts {
        uint64_t sent, acked, ack_errors, consumed;
} tl_counts_t;

/* Per-thread timeline: counts and a coarse latency histogram per slot. */
typedef struct thread_tl {
        tl_counts_t *counts;
        kp_hist_t *hists;
} thread_tl_t;

typedef struct pending {
        int producer;
        uint64_t seq;
        int32_t partition;
        int64_t offset;
} pending_t;

typedef struct prod {
        kp_workload_t *wl;
        int id;
        pthread_t thr;
        int started;
        rd_kafka_t *rk;
        rd_kafka_topic_t *rkt;
        kp_hist_t ack_hist;
        thread_tl_t tl;
        uint64_t errs[ERR_SLOTS];
        uint64_t produce_errors, queue_full, value_bytes;
        uint64_t txns[4];   /* ended transactions by kp_txn_outcome_t */
        int txn_fatal;      /* the transactional producer cannot go on */
        uint64_t acked_n;   /* written by this producer's thread only, read by any */
        int64_t poll_now;   /* clock read just before a non-blocking poll, else 0 */
        int64_t max_lag_ns; /* largest delay of a send behind its intended time */
        int64_t finished_ns;
        kp_rec_enc_t enc;   /* the values this producer sends */
        double interval_ns; /* its schedule: record seq is due at start + phase + seq * interval */
        int64_t phase_ns;
} prod_t;

typedef struct cons {
        kp_workload_t *wl;
        int id;
        pthread_t thr;
        int started;
        rd_kafka_t *rk;
        kp_hist_t e2e_hist;
        thread_tl_t tl;
        uint64_t errs[ERR_SLOTS];
        uint64_t consume_errors, foreign, corrupt, redeliveries, other_offset, unverified,
            backwards;
        int64_t *last_offset; /* per partition, -1 */
        int assigned;         /* partitions currently assigned */
        int joined;           /* the group has given this consumer an assignment once */
        uint64_t consumed_n;  /* written by this consumer's thread only, read by any */
        pending_t *pending;
        size_t n_pending;
        kp_workload_example_t examples[EXAMPLES_MAX];
        size_t n_examples;
        int auto_commit;
} cons_t;

struct kp_workload {
        kp_platform_t *plat;
        kp_workload_cfg_t cfg;
        char *topic;
        char *group_id;
        kp_profile_t profile;
        kp_kvlist_t producer_props, consumer_props;
        kp_ledger_t *ledger;
        kp_history_t *history; /* optional, borrowed */
        int shard, producer_base;
        int64_t start_at_ns, clock_off;
        int64_t reset_offset; /* auto.offset.reset as a logical offset, or INVALID */
        uint32_t nonce;
        uint8_t *pattern;
        int64_t start_ns;
        int64_t slot_ns;
        size_t n_slots;
        int n_prod, n_cons;
        prod_t *prods;
        cons_t *conss;
        atomic_int stop_producers; /* read by the producer and consumer threads */
        atomic_int stop_consumers;
        uint64_t records_per_producer; /* 0: until the duration ends */
        int defer_consumers;
        int consumers_started;
        int stopped;
        int64_t drain_ns;
        int drained;
        /* merged results */
        kp_hist_t ack_hist, e2e_hist;
        kp_workload_slot_t *timeline;
        kp_workload_errcount_t errors[ERR_SLOTS];
        size_t n_errors;
        kp_workload_example_t examples[EXAMPLES_MAX];
        size_t n_examples;
        kp_workload_results_t res;
};

static inline size_t slot_of(const kp_workload_t *wl, int64_t now)
{
        int64_t d = now - wl->start_ns;
        size_t s;

        if (d < 0)
                return 0;
        s = (size_t)(d / wl->slot_ns);
        return s < wl->n_slots ? s : wl->n_slots - 1;
}

static inline void count_err(uint64_t *errs, int code)
{
        int i = code + ERR_BASE;

        if (i < 0 || i >= ERR_SLOTS)
                i = ERR_SLOTS - 1;
        errs[i]++;
}

/* wl_timeline.c: per-thread timelines and their merge into the results. */
int kp_wl_tl_init(thread_tl_t *tl, size_t n);
void kp_wl_tl_release(thread_tl_t *tl, size_t n);
void kp_wl_merge_tl(kp_workload_t *wl, const thread_tl_t *tl, kp_hist_t *slot_ack,
                    kp_hist_t *slot_e2e);
void kp_wl_merge_errs(kp_workload_t *wl, const uint64_t *errs);

/* wl_producer.c: the producer thread and its delivery reports. */
void *kp_wl_producer_main(void *arg);
void kp_wl_dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);

/* wl_consumer.c: the consumer thread and its group callbacks. */
void *kp_wl_consumer_main(void *arg);
void kp_wl_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t *parts, void *opaque);
void kp_wl_verify_pending(cons_t *co);
int64_t kp_wl_reset_offset(const char *v);

#endif
