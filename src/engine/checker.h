/*
 * checker: judges a workload history (history.h) after the final drain and
 * reports every anomaly of the failover checklist, each with a count and the
 * first examples (partition, offset, producer, sequence):
 *
 *   lost-write           acknowledged, never consumed, though a later offset of
 *                        its partition was consumed
 *   unseen               acknowledged, never consumed, and nothing after it in
 *                        its partition was consumed either
 *   duplicate            one record at more than one offset (acknowledgement
 *                        and reads together)
 *   inconsistent-offsets two different records reported at one offset
 *   nonmonotonic-send    a later send of one producer landed at an earlier (or
 *                        the same) offset of a partition than an earlier send
 *   nonmonotonic-poll    a consumer read an offset at or below the one it read
 *                        before in that partition, without a reassignment between
 *   poll-skip            a consumer jumped over offsets known to hold records
 *                        (acknowledged or read by anyone), without a reassignment
 *   aborted-read         (G1a) a record of an aborted transaction was read
 *
 * and, for transactional histories (history.h KP_HEV_TXN_END / TXN_READ):
 *
 *   precommitted-read    a record was read before its transaction's commit
 *                        was even requested
 *   int-send-skip        one transaction's consecutive records in a partition
 *                        landed with other known records between them
 *                        (interleaving: normal in Kafka)
 *   int-nonmonotonic-send a later record of one transaction landed at an
 *                        earlier (or the same) offset of a partition
 *   int-poll-skip        one transaction's consecutive reads of a partition
 *                        jumped over known records
 *   int-nonmonotonic-poll one transaction read an offset at or below the one
 *                        it read before in that partition
 *   torn-transaction     a committed transaction partly visible: some of its
 *                        records were read, others never
 *   g0                   a write-write cycle between committed transactions
 *                        (per partition log order); normal in Kafka, which
 *                        does not order transactions across partitions
 *   g1c                  a cycle of write-write and write-read edges holding
 *                        at least one write-read edge
 *
 * Every anomaly kind is judged against an allow-list (a bit mask) that
 * follows from the client profile: an allowed anomaly is reported but does
 * not fail the check.
 *
 * The checker runs in time linear in events plus offsets: records are found
 * by (producer, sequence) in a dense table, offsets in a dense per-partition
 * table over the observed offset span (Kafka offsets are dense), and "known
 * offsets between two reads" by a rank over a bitmap. Memory: 16 bytes per
 * record plus about 8 bytes per offset. A partition whose offset span is far
 * larger than its events cannot be indexed; the result is then incomplete
 * (and so is a history that dropped events) and says why.
 *
 * Transactions add 32 bytes each plus 4 bytes per record (its transaction)
 * and, for the cycle search, a dependency graph over committed transactions:
 * write-write edges between neighbours in each partition's log, write-read
 * edges from every read inside a transaction; its strongly connected
 * components (Tarjan, iterative) are the cycles — linear in transactions
 * plus edges. Reads inside transactions feed only the transaction checks.
 */
#ifndef KP_CHECKER_H
#define KP_CHECKER_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/err.h"
#include "engine/history.h"

typedef enum kp_anom {
        KP_ANOM_LOST_WRITE = 0,
        KP_ANOM_UNSEEN,
        KP_ANOM_DUPLICATE,
        KP_ANOM_INCONSISTENT_OFFSETS,
        KP_ANOM_NONMONOTONIC_SEND,
        KP_ANOM_NONMONOTONIC_POLL,
        KP_ANOM_POLL_SKIP,
        KP_ANOM_ABORTED_READ,
        KP_ANOM_PRECOMMITTED_READ,
        KP_ANOM_INT_SEND_SKIP,
        KP_ANOM_INT_NONMONOTONIC_SEND,
        KP_ANOM_INT_POLL_SKIP,
        KP_ANOM_INT_NONMONOTONIC_POLL,
        KP_ANOM_TORN_TRANSACTION,
        KP_ANOM_G0,
        KP_ANOM_G1C,
        KP_ANOM__COUNT
} kp_anom_t;

#define KP_ANOM_BIT(k) (1u << (k))

/* "lost-write", ... NULL-terminated. */
extern const char *const kp_anom_names[];
extern const char *const kp_anom_descriptions[];
int kp_anom_from_name(const char *name);

#define KP_CHECKER_EXAMPLES 10

typedef struct kp_checker_example {
        int32_t partition;
        int64_t offset;
        int producer; /* -1 when not a record of this run */
        int64_t seq;  /* -1 likewise */
        char detail[112];
} kp_checker_example_t;

typedef struct kp_checker_opts {
        uint32_t allow;     /* KP_ANOM_BIT mask of allowed anomalies */
        int read_committed; /* consumers used isolation.level=read_committed */
} kp_checker_opts_t;

typedef struct kp_checker_result {
        uint64_t count[KP_ANOM__COUNT];
        int allowed[KP_ANOM__COUNT];
        kp_checker_example_t examples[KP_ANOM__COUNT][KP_CHECKER_EXAMPLES];
        size_t n_examples[KP_ANOM__COUNT];
        uint64_t records;         /* distinct records with any event */
        uint64_t acked;           /* acknowledged */
        uint64_t acked_no_offset; /* acknowledged without an offset (offset -1) */
        uint64_t failed;          /* delivery failed */
        uint64_t aborted;         /* in aborted transactions */
        uint64_t transactions;    /* transactions that ended (KP_HEV_TXN_END) */
        uint64_t txn_committed;
        uint64_t txn_aborted;
        uint64_t txn_unknown;     /* commit failed: outcome unknown */
        uint64_t txn_reads;       /* reads inside transactions */
        uint64_t consume_events;  /* reads of this run's records (with repeats) */
        uint64_t consumed_unique; /* distinct records read */
        uint64_t foreign_reads;   /* reads of records not of this run */
        uint64_t failed_but_read; /* delivery failed, yet the record was read */
        uint64_t offsets_indexed; /* offset slots over all partitions */
        uint64_t not_allowed;     /* anomalies (records/events) not allowed */
        size_t bytes;             /* working memory the check used */
        int complete;             /* 0: history incomplete or not indexable */
        char incomplete_reason[256];
} kp_checker_result_t;

/* The anomalies a client profile tolerates:
 *   safe     only g0 and int-send-skip (Kafka orders neither transactions
 *            across partitions nor producers within one)
 *   default  also duplicate, nonmonotonic-send, int-nonmonotonic-send
 *            (retries without idempotence)
 *   relaxed  also lost-write, unseen, inconsistent-offsets, torn-transaction
 *            (acks=1 loses acknowledged writes when a leader dies before
 *            replicating) */
uint32_t kp_checker_allow_for_profile(kp_profile_t profile);

/* Judges h. Fails only on allocation failure (KP_ENOMEM); an incomplete
 * history is a result with complete = 0. */
int kp_checker_run(const kp_history_t *h, const kp_checker_opts_t *opts, kp_checker_result_t *r,
                   kp_err_t *err);

#endif
