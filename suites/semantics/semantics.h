/*
 * The semantics suite (checklist row kafka-semantics): do producers,
 * consumers, offsets, transactions and tooling behave as Kafka clients
 * expect? Each check drives librdkafka directly because it tests client
 * behaviour itself; the throughput check uses the workload engine.
 *
 * Helpers shared by the check files are declared here (sem_*).
 */
#ifndef KP_SEMANTICS_H
#define KP_SEMANTICS_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "evidence/evidence.h"
#include "evidence/runner.h"
#include "evidence/suite.h"
#include "platform/kclient.h"

#define SEM_ROW "kafka-semantics"

extern const kp_suite_def_t kp_suite_semantics;

/* Deletes a check's topic (nothing when topic is ""); a failure is a note. */
void sem_topic_drop(kp_ctx_t *ctx, kp_check_t *c, const char *topic);
/* Creates a topic unique to this run ("kproof-<run>-<suffix>"); on failure
 * records `error` on c and returns -1. */
int sem_topic(kp_ctx_t *ctx, kp_check_t *c, const char *suffix, int partitions,
              const kp_kvlist_t *configs, char *out, size_t size);

/* Clients of platform/kclient with the target's properties (default
 * profile) plus extra; a failure is recorded as `error` on c. The producer
 * tracks deliveries into dr (may be NULL); the consumer's group.id is unique
 * unless extra sets one. Close them with kp_kc_close(). */
rd_kafka_t *sem_producer(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra, kp_kc_dr_t *dr);
/* The clients of a check that writes a topic with a tracked producer and
 * changes it with admin requests. */
typedef struct sem_writer {
        rd_kafka_t *prod, *adm;
        kp_kc_dr_t dr;
} sem_writer_t;
/* Opens w's producer (sem_tracked_producer: deliveries of records
 * 0..cap-1, props extra) and admin client; -1 with c in error when one
 * cannot be created. */
int sem_writer_open(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra, size_t cap,
                    sem_writer_t *w);
/* Closes w's clients and releases its delivery reports; a zeroed w is fine. */
void sem_writer_close(sem_writer_t *w);

/* sem_producer with its deliveries of records 0..cap-1 tracked in dr
 * (kp_kc_dr_init); NULL with c in error when either cannot be set up. */
rd_kafka_t *sem_tracked_producer(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra,
                                 kp_kc_dr_t *dr, size_t cap);
rd_kafka_t *sem_consumer(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra);
rd_kafka_t *sem_admin_client(kp_ctx_t *ctx, kp_check_t *c);

/* kp_kc_flush and kp_kc_produce (no key) recording `error` on failure. */
int sem_flush(rd_kafka_t *rk, kp_check_t *c, int timeout_ms);
int sem_produce(rd_kafka_t *prod, kp_check_t *c, const char *topic, int32_t partition,
                const void *value, size_t len, int64_t ts, size_t idx);

/* Sum of a per-broker counter (e.g. "txretries") from a statistics JSON. */
int64_t sem_stats_broker_sum(const char *stats_json, const char *field);

/* semantics.idempotence on a target that can kill and restart brokers but
 * not inject errors; 0 when the target cannot either (nothing recorded). */
int sem_idempotence_by_broker_kill(kp_ctx_t *ctx, kp_check_t *c);

/* Check bodies. */
void sem_check_round_trip(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_partition_order(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_acks_all(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_idempotence(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_group_resume(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_compression_gzip(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_compression_snappy(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_compression_lz4(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_compression_zstd(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_list_offsets(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_transactions(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_admin(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_txn_fencing(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_txn_ctp(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_admin_configs(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_list_offsets_time(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_offset_reset(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_group_rebalance(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_compaction(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_size_limit(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_timestamp_log_append(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_create_partitions(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_delete_records(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_commit_metadata(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_delete_groups(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_consumer_protocol(kp_ctx_t *ctx, kp_check_t *c);
void sem_check_txn_timeout(kp_ctx_t *ctx, kp_check_t *c);

/* Records whose value is an 8-byte big-endian sequence number: which were
 * read, at which offset first, and how many were read at a second offset. */
void sem_put_be64(uint8_t *p, uint64_t v);
uint64_t sem_get_be64(const uint8_t *p);
typedef struct sem_seqset {
        uint16_t *seen;        /* reads per sequence number */
        int64_t *first_offset; /* offset of the first read */
        uint64_t cap;
        long dup, foreign;
} sem_seqset_t;
int sem_seqset_init(sem_seqset_t *s, uint64_t cap);
void sem_seqset_release(sem_seqset_t *s);
/* kp_kc_msg_fn over a sem_seqset_t. */
int sem_seqset_cb(void *opaque, const rd_kafka_message_t *m);

/* Bounds of admin, group, produce and transaction calls, in ms. */
#define ADM_TIMEOUT_MS 30000

#define GAPI_TIMEOUT_MS 30000
#define REC_TIMEOUT_MS  30000
#define TXN_TIMEOUT_MS  30000

/* What a reader saw: counts per value prefix, up to a stop value. */
typedef struct txn_seen {
        const char *stop; /* value that ends the read */
        int stopped;
        long total;
        long by_prefix[4];
        const char *prefixes[4];
        int64_t last_offset;
} txn_seen_t;

/* Skip c (1) when the target declares no admin API / no topic configs (common.c). */
int sem_admin_unsupported(kp_ctx_t *ctx, kp_check_t *c);
int sem_topic_configs_unsupported(kp_ctx_t *ctx, kp_check_t *c);

/* Fails c with "not supported by the platform: <api> (<detail>)" when code
 * says the platform lacks the API of a request that failed (common.c);
 * returns 1 when it did, 0 when the failure is another one. */
int sem_api_unsupported(kp_check_t *c, rd_kafka_resp_err_t code, const char *api,
                        const char *detail);

/* The body of the semantics.compression-<codec> checks (compression.c). */
void sem_codec_check(kp_ctx_t *ctx, kp_check_t *c, const char *codec);

/* Consumer-group helpers (groups.c). */
rd_kafka_t *sem_group_consumer(kp_ctx_t *ctx, kp_check_t *c, const char *group);
void sem_group_name(kp_ctx_t *ctx, kp_check_t *c, char *out, size_t size);
rd_kafka_resp_err_t sem_commit_offsets(rd_kafka_t *rk, const char *topic, const int64_t *offs,
                                       const char *const *meta, int n,
                                       rd_kafka_resp_err_t *part_err);
rd_kafka_resp_err_t sem_read_committed(rd_kafka_t *rk, const char *topic, int n, int64_t *offs,
                                       char **meta);

/* Producing helpers (produce.c). */
int sem_produce_indexed(kp_ctx_t *ctx, kp_check_t *c, const char *topic, int n, int64_t base_ts);
int sem_produce_range(kp_ctx_t *ctx, kp_check_t *c, const char *topic, int from, int to,
                      int partitions, int64_t ts_base, int64_t ts_step);
int sem_value_index(const rd_kafka_message_t *m);
int sem_produce_tagged(rd_kafka_t *prod, kp_check_t *c, kp_kc_dr_t *dr, const char *topic,
                       int32_t p, size_t first, size_t n, const char *tag, int64_t ts);

/* Transaction helpers (txn.c). */
int sem_txn_unsupported(kp_ctx_t *ctx, kp_check_t *c);
int sem_txn_error(kp_check_t *c, const char *what, rd_kafka_error_t *e);
rd_kafka_t *sem_txn_producer(kp_ctx_t *ctx, kp_check_t *c, const char *txn_id);
int sem_txn_send(rd_kafka_t *rk, kp_check_t *c, const char *topic, const char *prefix, int from,
                 int n);
int sem_txn_run(rd_kafka_t *rk, kp_check_t *c, const char *topic, const char *prefix, int n,
                int commit);
int sem_txn_read(kp_ctx_t *ctx, kp_check_t *c, const char *topic, const char *isolation,
                 txn_seen_t *s);

#endif
