/*
 * The migration suite (checklist row migration-rollback): moves data and
 * consumer progress from the target (the source) to a destination platform
 * (a second target file named by the scenario) with the platform's
 * replication tool, driven through the source's control operations
 * start_mirror / stop_mirror / start_reverse_mirror / stop_reverse_mirror /
 * mirror_status, and back again. kproof's own clients write tracked records
 * (record.h) and switch consumers and producers over; the history checker
 * (src/engine/checker.h) judges what the destination holds.
 *
 * Files: suite.c (definition, options, gates, shared state), flow.c
 * (tracked producer, reader, consumer group, mirror and admin helpers),
 * common.c (what several checks share: mirror preconditions, consumer group
 * moves), and one file per check (data.c, offsets.c, topic-config.c,
 * cutover.c, rollback.c).
 */
#ifndef KP_MIGRATION_H
#define KP_MIGRATION_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "engine/checker.h"
#include "adapters/control.h"
#include "evidence/evidence.h"
#include "engine/history.h"
#include "platform/platform.h"
#include "evidence/runner.h"
#include "evidence/suite.h"

#define MIG_ROW "migration-rollback"

extern const kp_suite_def_t kp_suite_migration;

/* Scenario keys of the migration entry. */
typedef struct mig_options {
        char *destination;        /* path of the destination target, resolved */
        kp_target_t *dest;        /* loaded with the scenario */
        int64_t catch_up_timeout; /* ns: the destination must hold every record by then */
        int64_t sync_timeout;     /* ns: consumer offsets / topic configs must arrive by then */
        int records;              /* records per phase of offsets, cutover, rollback */
} mig_options_t;

const mig_options_t *mig_options(const kp_ctx_t *ctx);

/* Shared by the checks of one run. */
typedef struct mig_state {
        kp_platform_t *dst;
        int forward, reverse;     /* mirrors this run started (and stops at the end) */
        char topics[256];         /* regex of this run's topics, given to start_mirror */
        char reverse_topics[256]; /* regex given to start_reverse_mirror */
} mig_state_t;

/* Starts the forward mirror unless it runs; records the action. Returns 0 or
 * -1 with err (KP_EUNSUPPORTED when the target has no start_mirror). */
int mig_mirror(kp_ctx_t *ctx, kp_ctl_op_t op, const char *topics, kp_err_t *err);

/* A tracked producer: records carry (id, seq, intended time); outcomes go to
 * log `id` of the history. */
typedef struct mig_prod {
        rd_kafka_t *rk;
        kp_history_t *h;
        int id;
        uint64_t next_seq;
        uint64_t acked, failed;
        int64_t first_ack_ns, last_ack_ns;
        int txn; /* transactional: mig_prod_send writes inside one committed transaction */
        int message_bytes;
} mig_prod_t;

int mig_prod_open(mig_prod_t *p, kp_ctx_t *ctx, kp_platform_t *plat, kp_history_t *h, int id,
                  uint64_t first_seq, const char *txn_id, kp_err_t *err);
/* Sends n records to topic at rate/s (0: as fast as possible), calling
 * tick(opaque) between sends, then waits for every outcome. */
int mig_prod_send(mig_prod_t *p, const char *topic, uint64_t n, double rate,
                  void (*tick)(void *opaque), void *opaque, kp_err_t *err);
void mig_prod_close(mig_prod_t *p);

/* A reader of a whole topic (assigned from the beginning, or a group member
 * resuming from its committed offsets when group is set). Reads of records
 * go to consumer log `log` of the history (when h is set), and mark seen[]
 * by rid. */
typedef struct mig_reader {
        rd_kafka_t *rk;
        kp_history_t *h;
        int log;
        uint64_t reads, unique;
        int64_t last_new_ns;
        uint8_t *seen[4]; /* per producer id (< 4): seq -> read at least once */
        uint64_t n_seen[4];
        /* first reads of records meant at or after lag_from_ns: time from the
         * intended send to the read (the mirror's end-to-end lag) */
        int64_t lag_from_ns;
        int64_t lag_sum_ns, lag_max_ns, first_read_ns;
        uint64_t lag_n;
} mig_reader_t;

int mig_reader_open(mig_reader_t *r, kp_ctx_t *ctx, kp_platform_t *plat, const char *topic,
                    int partitions, const char *group, kp_history_t *h, int log,
                    const uint64_t *n_per_producer, kp_err_t *err);
/* Polls for up to ms; returns records read. */
int mig_reader_poll(mig_reader_t *r, int ms);
/* Commits the positions (group readers). */
int mig_reader_commit(mig_reader_t *r, kp_err_t *err);
void mig_reader_close(mig_reader_t *r);
int mig_reader_seen(const mig_reader_t *r, int producer, uint64_t seq);

/* Waits until topic exists with partitions on plat; returns ns waited or -1. */
int64_t mig_wait_topic(kp_ctx_t *ctx, kp_platform_t *plat, const char *topic, int partitions,
                       int64_t timeout_ns, kp_err_t *err);

/* Committed offsets of group on topic partitions [0, n) (-1: none). */
int mig_committed(kp_ctx_t *ctx, kp_platform_t *plat, const char *group, const char *topic, int n,
                  int64_t *out, kp_err_t *err);

/* Effective values of the named configs of a topic (out[i] "" when absent),
 * and whether each was set on the topic itself (dynamic[i]). */
int mig_topic_configs(kp_platform_t *plat, const char *topic, const kp_kvlist_t *names,
                      char (*out)[256], int *dynamic, kp_err_t *err);
/* Partition count of a topic (-1 when it does not exist). */
int mig_partitions(kp_platform_t *plat, const char *topic, kp_err_t *err);

/* Judges a history; records the anomaly table and the usual measurements;
 * fills res. Returns -1 (and sets an error verdict) when it cannot judge. */
int mig_judge(kp_ctx_t *ctx, kp_check_t *c, kp_history_t *h, kp_checker_result_t *res);
/* "lost-write 3, unseen 2" of the anomalies not allowed, with the first
 * unseen/lost examples. */
void mig_anomaly_text(const kp_checker_result_t *res, char *out, size_t size);

void mig_check_data(kp_ctx_t *ctx, kp_check_t *c);
void mig_check_offsets(kp_ctx_t *ctx, kp_check_t *c);
void mig_check_topic_config(kp_ctx_t *ctx, kp_check_t *c);
void mig_check_cutover(kp_ctx_t *ctx, kp_check_t *c);
void mig_check_rollback(kp_ctx_t *ctx, kp_check_t *c);

/* Shared by the check files (common.c): the mirror preconditions, partition
 * counts and moving a consumer group from one platform to the other. */
#define MIG_MAXP 256

typedef struct mig_move {
        int64_t src_off[MIG_MAXP], dst_off[MIG_MAXP];
        int synced;        /* every partition has a committed offset on `to` */
        int identical;     /* ... equal to the one on `from` */
        double sync_lag_s; /* commit on `from` -> final offsets on `to` */
        uint64_t reread, lost, phase2, read_all;
        int all_arrived;
} mig_move_t;

int mig_no_mirror(kp_ctx_t *ctx, kp_check_t *c, kp_ctl_op_t op);
int mig_ensure_forward(kp_ctx_t *ctx, kp_check_t *c);
int mig_partitions_of(const kp_ctx_t *ctx);
int mig_group_move(kp_ctx_t *ctx, kp_check_t *c, kp_platform_t *from, kp_platform_t *to,
                   const char *topic, int parts, const char *group, mig_prod_t *prod, uint64_t n1,
                   uint64_t n2, kp_history_t *h, mig_move_t *mv);
void mig_move_evidence(kp_check_t *c, const mig_move_t *mv, int parts);
void mig_move_text(const mig_move_t *mv, int parts, char *out, size_t size);

#endif
