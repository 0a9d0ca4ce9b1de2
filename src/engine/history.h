/*
 * history: the raw, ordered record of what every client of a workload saw —
 * each produce outcome (acknowledged at partition/offset, or failed with an
 * error code) and each consumption (record, partition, offset), plus the
 * points where a consumer's assignment changed.
 *
 * The history checker (checker.h) judges it after the run; the failover
 * suite also derives unavailability windows and latency by phase from its
 * timestamps. Each client thread owns one log (producer i: log i; consumer j:
 * log producers + j) and is its only writer, so appending takes no lock and
 * allocates only once per chunk of events, never per record. Readers read
 * after the writers have stopped. A log that reaches its bound counts the
 * events it dropped; a history with drops is incomplete and the checker says
 * so instead of judging it.
 *
 * Times are kept relative to the history's creation (kp_history_origin_ns),
 * in units of 10 microseconds (about 11.9 hours of range); latencies in
 * microseconds, saturating at about 71 minutes.
 */
#ifndef KP_HISTORY_H
#define KP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define KP_HIST_TICK_NS 10000 /* time unit of kp_hev_t.t */

typedef enum kp_hev_kind {
        KP_HEV_ACK = 1,  /* produce acknowledged at partition/offset */
        KP_HEV_ACK_ERR,  /* produce failed with err (the record may still exist) */
        KP_HEV_ABORTED,  /* the record's transaction was aborted */
        KP_HEV_CONSUME,  /* the record was read at partition/offset */
        KP_HEV_FOREIGN,  /* a record not of this run (or corrupt) was read at partition/offset */
        KP_HEV_ASSIGN,   /* the consumer's assignment changed: poll order starts over */
        KP_HEV_TXN_READ, /* producer log: its open transaction read the record at
                            partition/offset (consume-transform-produce) */
        KP_HEV_TXN_END,  /* producer log: a transaction ended; rid names its first
                            record, offset holds its record count, pad its outcome
                            (kp_txn_outcome_t), lat_us how long commit/abort took */
} kp_hev_kind_t;

/* How a transaction ended, as its producer saw it. */
typedef enum kp_txn_outcome {
        KP_TXN_COMMITTED = 1, /* commit_transaction succeeded */
        KP_TXN_ABORTED,       /* abort_transaction succeeded (or was chosen) */
        KP_TXN_UNKNOWN,       /* commit failed fatally: it may or may not have committed */
} kp_txn_outcome_t;

/* One event, 32 bytes. rid packs producer (high 16 bits) and sequence
 * number (low 48 bits). */
typedef struct kp_hev {
        uint64_t rid;
        int64_t offset;    /* -1 when none */
        int32_t partition; /* -1 when none */
        int16_t err;       /* librdkafka error code for ACK_ERR */
        uint8_t kind;      /* kp_hev_kind_t */
        uint8_t pad;
        uint32_t t;      /* completion time, KP_HIST_TICK_NS units since the origin */
        uint32_t lat_us; /* completion - intended send time, microseconds */
} kp_hev_t;

_Static_assert(sizeof(kp_hev_t) == 32, "history events are 32 bytes");

#define KP_RID(producer, seq) (((uint64_t)(producer) << 48) | ((uint64_t)(seq)&0xffffffffffffULL))
#define KP_RID_PRODUCER(rid)  ((int)((rid) >> 48))
#define KP_RID_SEQ(rid)       ((rid)&0xffffffffffffULL)

typedef struct kp_history kp_history_t;

/* A history for the given clients. max_events bounds each log. */
kp_history_t *kp_history_new(int producers, int consumers, int partitions, uint64_t max_events,
                             kp_err_t *err);
void kp_history_free(kp_history_t *h);

int kp_history_producers(const kp_history_t *h);
int kp_history_consumers(const kp_history_t *h);
int kp_history_partitions(const kp_history_t *h);
int64_t kp_history_origin_ns(const kp_history_t *h);
/* Converts an event time back to the monotonic clock. */
int64_t kp_history_mono_ns(const kp_history_t *h, uint32_t t);

/* Writers (the owning thread of the log only). Times are monotonic ns. */
void kp_history_produced(kp_history_t *h, int producer, uint64_t seq, int32_t partition,
                         int64_t offset, int err, int64_t intended_ns, int64_t done_ns);
void kp_history_aborted(kp_history_t *h, int producer, uint64_t seq, int64_t done_ns);
void kp_history_consumed(kp_history_t *h, int consumer, int producer, uint64_t seq,
                         int32_t partition, int64_t offset, int64_t intended_ns, int64_t done_ns);
void kp_history_foreign(kp_history_t *h, int consumer, int32_t partition, int64_t offset,
                        int64_t done_ns);
void kp_history_assigned(kp_history_t *h, int consumer, int64_t done_ns);
/* Transactions (producer's thread). A producer's transactions are
 * consecutive sequence ranges: the one ending here holds records
 * [first_seq, first_seq + n) and the reads logged since its previous
 * transaction ended. begin_ns is when commit/abort was called. */
void kp_history_txn_read(kp_history_t *h, int producer, int rd_producer, uint64_t rd_seq,
                         int32_t partition, int64_t offset, int64_t done_ns);
void kp_history_txn_end(kp_history_t *h, int producer, uint64_t first_seq, uint32_t n,
                        kp_txn_outcome_t outcome, int64_t begin_ns, int64_t done_ns);

/* Readers, after the writers stopped. Logs are numbered 0..producers-1 for
 * producers and producers..producers+consumers-1 for consumers. */
int kp_history_logs(const kp_history_t *h);
uint64_t kp_history_count(const kp_history_t *h, int log);
/* Events [i, i + *n) of a log lie contiguously at the returned pointer
 * (*n >= 1 while i < count): iterate chunk by chunk. */
const kp_hev_t *kp_history_span(const kp_history_t *h, int log, uint64_t i, uint64_t *n);
/* Makes events[0..n) the whole of an empty log without copying them (a
 * merge of shard results, shard.h): borrowed, they must outlive every read
 * of the log; the log takes no further events. -1 when the log is not
 * empty. */
int kp_history_adopt(kp_history_t *h, int log, const kp_hev_t *events, uint64_t n);
/* Events dropped because a log was full, over all logs. */
uint64_t kp_history_dropped(const kp_history_t *h);
size_t kp_history_bytes(const kp_history_t *h);

#endif
