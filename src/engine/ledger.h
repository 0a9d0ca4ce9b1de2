/*
 * ledger: what happened to every record of a workload, in 12 bytes each.
 *
 * Each producer owns a dense sequence space; entry (producer, seq) holds the
 * acknowledged partition and offset (written by the producer's delivery
 * reports), a consumption count and flags (written by consumers). Entries
 * live in chunks of 65,536 allocated when a producer first reaches them
 * (one 64-bit word per record for the producer side: state, partition and
 * offset packed and published by one store; 4 bytes for the consumer side;
 * partitions up to 16,382 and offsets below 2^48 - 2 are exact), so
 * there is no allocation per record and no lookup structure. Producer-side
 * and consumer-side fields are separate and accessed atomically, so one
 * producer thread per producer id and any number of consumer threads may
 * update the ledger at once.
 *
 * The ledger also keeps, per partition, the highest offset any consumer has
 * seen, which tells an acknowledged record that was skipped (a later offset
 * was read) from one that was simply not reached.
 */
#ifndef KP_LEDGER_H
#define KP_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define KP_LEDGER_CHUNK_BITS 16
#define KP_LEDGER_CHUNK      ((uint64_t)1 << KP_LEDGER_CHUNK_BITS)

/* Producer-side states. */
enum {
        KP_LS_NONE = 0,
        KP_LS_SENT = 1,   /* handed to the client, outcome not known yet */
        KP_LS_ACKED = 2,  /* acknowledged with partition and offset */
        KP_LS_FAILED = 3, /* delivery failed (the record may still have been written) */
};

/* Consumer-side flags. */
enum {
        KP_LC_OTHER_OFFSET = 1, /* consumed at an offset other than the acknowledged one */
        KP_LC_BEFORE_ACK = 2,   /* consumed before its acknowledgement was processed */
};

/* One entry as kp_ledger_get and kp_ledger_foreach return it (a copy; the
 * ledger stores it packed). */
typedef struct kp_ledger_entry {
        int64_t offset;    /* acknowledged offset, -1 when unknown */
        int32_t partition; /* acknowledged partition, -1 when unknown */
        uint16_t consumed; /* times consumed (saturates at 65535) */
        uint8_t state;     /* KP_LS_* */
        uint8_t cflags;    /* KP_LC_* */
} kp_ledger_entry_t;

_Static_assert(sizeof(kp_ledger_entry_t) == 16, "the entry view is 16 bytes");

typedef enum kp_ledger_consume {
        KP_LEDGER_FIRST = 0, /* first consumption, matches the acknowledgement */
        KP_LEDGER_REPEAT,    /* consumed again at the same offset (redelivery) */
        KP_LEDGER_DIFFERENT, /* consumed at another offset than acknowledged */
        KP_LEDGER_PENDING,   /* acknowledgement not processed yet: verify later */
        KP_LEDGER_UNKNOWN,   /* no such record in this run */
} kp_ledger_consume_t;

typedef struct kp_ledger kp_ledger_t;

typedef struct kp_ledger_summary {
        uint64_t sent;             /* records handed to the client */
        uint64_t acked;            /* acknowledged */
        uint64_t failed;           /* delivery reported an error */
        uint64_t in_doubt;         /* sent, no delivery report */
        uint64_t consumed_unique;  /* records consumed at least once */
        uint64_t redelivered;      /* records consumed more than once */
        uint64_t other_offset;     /* records seen at an offset other than acknowledged */
        uint64_t acked_unconsumed; /* acknowledged, never consumed */
        uint64_t skipped; /* ... of those, below the highest offset read in their partition */
        uint64_t failed_but_consumed; /* delivery failed, yet the record was read */
} kp_ledger_summary_t;

/* max_per_producer bounds memory: reserve() fails beyond it. */
kp_ledger_t *kp_ledger_new(int producers, int partitions, uint64_t max_per_producer, kp_err_t *err);
void kp_ledger_free(kp_ledger_t *lg);

int kp_ledger_producers(const kp_ledger_t *lg);
int kp_ledger_partitions(const kp_ledger_t *lg);
/* Sequence numbers reserved so far by a producer (its record count). */
uint64_t kp_ledger_count(const kp_ledger_t *lg, int producer);

/* Producer thread: makes (producer, seq) addressable (seq must be the next
 * one) and marks it sent. -1 when the ledger is full. */
int kp_ledger_on_send(kp_ledger_t *lg, int producer, uint64_t seq);
void kp_ledger_on_ack(kp_ledger_t *lg, int producer, uint64_t seq, int32_t partition,
                      int64_t offset);
void kp_ledger_on_ack_error(kp_ledger_t *lg, int producer, uint64_t seq);

/* Consumer threads. */
kp_ledger_consume_t kp_ledger_on_consume(kp_ledger_t *lg, int producer, uint64_t seq,
                                         int32_t partition, int64_t offset);
/* Re-checks a consumption classified PENDING once acknowledgements are in.
 * Returns KP_LEDGER_FIRST when it matches, KP_LEDGER_DIFFERENT otherwise. */
kp_ledger_consume_t kp_ledger_verify(kp_ledger_t *lg, int producer, uint64_t seq, int32_t partition,
                                     int64_t offset);

/* A snapshot copy of one entry; 0 on success, -1 when out of range. */
int kp_ledger_get(const kp_ledger_t *lg, int producer, uint64_t seq, kp_ledger_entry_t *out);
/* Highest offset consumed in a partition, -1 when none. */
int64_t kp_ledger_max_consumed(const kp_ledger_t *lg, int32_t partition);

void kp_ledger_summarize(const kp_ledger_t *lg, kp_ledger_summary_t *s);

typedef void (*kp_ledger_visit_fn)(void *opaque, int producer, uint64_t seq,
                                   const kp_ledger_entry_t *e);
/* Visits every reserved entry in (producer, seq) order. */
void kp_ledger_foreach(const kp_ledger_t *lg, kp_ledger_visit_fn fn, void *opaque);

/* Bytes the ledger holds: entries, chunk tables and per-partition state. */
size_t kp_ledger_bytes(const kp_ledger_t *lg);

#endif
