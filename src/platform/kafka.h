/*
 * kafka: the one place that configures librdkafka clients for kproof.
 *
 * It turns property lists into rd_kafka_conf_t (routing librdkafka's own log
 * lines through kproof's redacting logger), builds the client profiles the
 * scenarios name, and offers the few admin and metadata helpers suites share
 * (reachability, topic creation and deletion, waiting for leaders).
 */
#ifndef KP_KAFKA_H
#define KP_KAFKA_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config/config.h"
#include "util/err.h"
#include "util/kvlist.h"

/* A new conf holding props, with log routing and a kproof client.id.
 * Free with rd_kafka_conf_destroy() unless handed to kp_kafka_new(). */
rd_kafka_conf_t *kp_kafka_conf_new(const kp_kvlist_t *props, kp_err_t *err);
/* Creates a client; takes ownership of conf (also on failure). */
rd_kafka_t *kp_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, kp_err_t *err);

/* The properties a profile implies for a producer (producer=1) or consumer. */
void kp_kafka_profile_props(kp_profile_t profile, int producer, kp_kvlist_t *out);
const char *kp_profile_name(kp_profile_t p);

/* The librdkafka version kproof runs with, e.g. "2.8.0" (recorded in the evidence). */
const char *kp_kafka_version(void);

typedef struct kp_kafka_cluster_info {
        int brokers;
        int32_t controller_id;
        char cluster_id[128];
        int32_t broker_ids[64];
        char broker_hosts[64][128];
} kp_kafka_cluster_info_t;

/* Fetches cluster metadata within timeout_ms; an unreachable cluster is a
 * KP_EINFRA error naming the bootstrap servers. */
int kp_kafka_cluster_info(const kp_kvlist_t *props, int timeout_ms, kp_kafka_cluster_info_t *out,
                          kp_err_t *err);

/* Admin CreateTopics (rf 0 = broker default). An existing topic is an error
 * unless exist_ok. */
int kp_kafka_admin_create_topic(const kp_kvlist_t *props, const char *topic, int partitions,
                                int replication_factor, const kp_kvlist_t *configs, int exist_ok,
                                int timeout_ms, kp_err_t *err);
int kp_kafka_admin_delete_topic(const kp_kvlist_t *props, const char *topic, int timeout_ms,
                                kp_err_t *err);
/* Waits until every partition of topic has a leader in rk's metadata. */
int kp_kafka_wait_topic(rd_kafka_t *rk, const char *topic, int partitions, int timeout_ms,
                        kp_err_t *err);

/* Low/high watermarks of one partition. */
int kp_kafka_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t *low,
                        int64_t *high, int timeout_ms, kp_err_t *err);

/* Kafka error code from its name ("NOT_LEADER_FOR_PARTITION" or the
 * librdkafka enum name without RD_KAFKA_RESP_ERR_); -1 when unknown. */
int kp_kafka_err_from_name(const char *name);

#endif
