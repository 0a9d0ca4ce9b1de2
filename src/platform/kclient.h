/*
 * kclient: the Kafka client steps suites repeat, on top of kafka.h.
 *
 * A producer whose delivery reports are tracked per record (kp_kc_dr_t),
 * produce-and-flush, reading a partition (to a count or to its high
 * watermark), subscribing and waiting for an assignment, the admin requests
 * checks make (DescribeConfigs, IncrementalAlterConfigs, CreatePartitions,
 * DeleteRecords, offsets by time, watermarks that settle after a topic is
 * created) and one cleanup for every client. Each fallible step fills a
 * kp_err_t; an admin request's Kafka error code goes to *code where the
 * caller judges it (e.g. "not supported by the platform").
 */
#ifndef KP_KCLIENT_H
#define KP_KCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "util/err.h"
#include "util/kvlist.h"

/* Delivery reports of one producer, indexed by the record index passed to
 * kp_kc_produce (indexes >= cap are not tracked). */
typedef struct kp_kc_dr {
        size_t cap;
        rd_kafka_resp_err_t *err; /* RD_KAFKA_RESP_ERR__IN_PROGRESS until reported */
        int32_t *partition;       /* -1 until reported */
        int64_t *offset;          /* -1 until reported */
        size_t delivered;         /* reports received */
        size_t failed;
        rd_kafka_resp_err_t first_err; /* of the first failed report */
        size_t first_failed;           /* its record index */
        char *stats; /* latest statistics JSON (statistics.interval.ms), malloc'ed */
} kp_kc_dr_t;

int kp_kc_dr_init(kp_kc_dr_t *dr, size_t cap, kp_err_t *err);
/* Frees the arrays; a zeroed dr is fine. */
void kp_kc_dr_release(kp_kc_dr_t *dr);

/* A client with props (kp_kafka_conf_new). A producer reports deliveries and
 * statistics into dr when dr is not NULL (dr must outlive the client). A
 * consumer gets enable.partition.eof=false unless props set it; props name
 * its group.id (librdkafka assigns partitions only in a group). An admin
 * client is a producer without tracking. */
rd_kafka_t *kp_kc_producer(const kp_kvlist_t *props, kp_kc_dr_t *dr, kp_err_t *err);
rd_kafka_t *kp_kc_consumer(const kp_kvlist_t *props, kp_err_t *err);
rd_kafka_t *kp_kc_admin(const kp_kvlist_t *props, kp_err_t *err);
/* A consumer in group `group` that starts at the earliest offset and never
 * commits: props with group.id, enable.auto.commit=false and
 * auto.offset.reset=earliest over them (kp_kc_consumer). */
rd_kafka_t *kp_kc_reader(const kp_kvlist_t *props, const char *group, kp_err_t *err);

/* Closes a consumer not closed yet (leaving its group) and destroys any
 * client; NULL is fine. */
void kp_kc_close(rd_kafka_t *rk);

/* One record to topic/partition (RD_KAFKA_PARTITION_UA to let the
 * partitioner choose), key may be NULL, ts 0 is now; idx is its index in the
 * producer's kp_kc_dr_t. A full local queue is waited out (polling). */
int kp_kc_produce(rd_kafka_t *rk, const char *topic, int32_t partition, const void *key,
                  size_t key_len, const void *value, size_t value_len, int64_t ts, size_t idx,
                  kp_err_t *err);
/* Waits for every delivery report; records still in flight after
 * timeout_ms are an error. */
int kp_kc_flush(rd_kafka_t *rk, int timeout_ms, kp_err_t *err);

/* Called for every record read; returns non-zero to stop reading. */
typedef int (*kp_kc_msg_fn)(void *opaque, const rd_kafka_message_t *m);

/* Assigns topic/partition at offset and hands up to n records to fn (which
 * may be NULL); stops after timeout_ms without a new record. Returns the
 * count read; the consumer is unassigned again. */
long kp_kc_read_partition(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t offset,
                          long n, int timeout_ms, kp_kc_msg_fn fn, void *opaque);
/* Reads topic/partition from its low watermark up to its current high
 * watermark (the records there when called): returns the count read, or -1
 * with err set when the watermarks are not known or the end was not reached
 * within timeout_ms without a new record (a transaction marker at the end
 * holds an offset no record is read at: use kp_kc_read_partition there).
 * *high gets the high watermark when not NULL. */
long kp_kc_read_to_high(rd_kafka_t *rk, const char *topic, int32_t partition, int timeout_ms,
                        kp_kc_msg_fn fn, void *opaque, int64_t *high, kp_err_t *err);

/* Polls a subscribed consumer for up to timeout_ms and hands each record
 * (not consumer errors) to fn until fn returns non-zero. Returns 1 when fn
 * stopped it, 0 at the deadline. */
int kp_kc_poll(rd_kafka_t *rk, int timeout_ms, kp_kc_msg_fn fn, void *opaque);

/* Subscribes to one topic (no wait). */
int kp_kc_subscribe(rd_kafka_t *rk, const char *topic, kp_err_t *err);
/* Subscribes and polls until the group assigned this consumer a partition;
 * records polled meanwhile go to fn (may be NULL: they are dropped). */
int kp_kc_subscribe_wait(rd_kafka_t *rk, const char *topic, int timeout_ms, kp_kc_msg_fn fn,
                         void *opaque, kp_err_t *err);

/* Admin requests. The first event of a type from q within timeout_ms. */
rd_kafka_event_t *kp_kc_admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t type, int timeout_ms);
/* The answer to an admin request, or NULL with err set ("<what> <subject>:
 * ...") and the request's error code in *code (when not NULL) if there was
 * no answer or the request failed as a whole. */
rd_kafka_event_t *kp_kc_admin_result(rd_kafka_queue_t *q, rd_kafka_event_type_t type,
                                     int timeout_ms, const char *what, const char *subject,
                                     rd_kafka_resp_err_t *code, kp_err_t *err);
/* The common end of an admin request: destroys its result event (may be
 * NULL), reply queue and options. */
void kp_kc_admin_end(rd_kafka_event_t *ev, rd_kafka_queue_t *q, rd_kafka_AdminOptions_t *opts);
/* Whether a code means the platform lacks the API (the broker's
 * UNSUPPORTED_VERSION, or no version librdkafka can use). */
int kp_kc_api_unsupported(rd_kafka_resp_err_t code);

/* DescribeConfigs of a topic: name -> value into values and name -> source
 * name into sources; the resource's error code goes to *code. */
int kp_kc_describe_topic_configs(rd_kafka_t *rk, const char *topic, int timeout_ms,
                                 kp_kvlist_t *values, kp_kvlist_t *sources,
                                 rd_kafka_resp_err_t *code, kp_err_t *err);
/* IncrementalAlterConfigs on a topic, each item of ops with operation op
 * (SET uses the value, DELETE ignores it); the error code goes to *code. */
int kp_kc_alter_topic_configs(rd_kafka_t *rk, const char *topic, const kp_kvlist_t *ops,
                              rd_kafka_AlterConfigOpType_t op, int timeout_ms,
                              rd_kafka_resp_err_t *code, kp_err_t *err);
/* CreatePartitions to `total` partitions; the error code goes to *code. */
int kp_kc_create_partitions(rd_kafka_t *rk, const char *topic, int total, int timeout_ms,
                            rd_kafka_resp_err_t *code, kp_err_t *err);
/* DeleteRecords before offset `before` of topic/partition; the new low
 * watermark the platform reports goes to *low, the error code to *code. */
int kp_kc_delete_records(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t before,
                         int timeout_ms, int64_t *low, rd_kafka_resp_err_t *code, kp_err_t *err);
/* The first offset at or after timestamp ts in topic/partition (-1 when the
 * partition holds none); the error code goes to *code. */
int kp_kc_offset_for_time(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t ts,
                          int timeout_ms, int64_t *offset, rd_kafka_resp_err_t *code,
                          kp_err_t *err);
/* Watermarks of topic/partition, asked again for up to settle_ms while the
 * answer says the topic or its leader is not known yet (a topic just
 * created); any other answer is final. Returns the last code (0 on success). */
rd_kafka_resp_err_t kp_kc_watermarks_settled(rd_kafka_t *rk, const char *topic, int32_t partition,
                                             int settle_ms, int64_t *low, int64_t *high);

#endif
