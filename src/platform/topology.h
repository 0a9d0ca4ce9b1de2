/*
 * topology: where a topic's partitions live — brokers (with their racks),
 * each partition's leader, replicas and in-sync replicas — read from Kafka
 * metadata through one long-lived client, plus the two probes the scaling
 * and cost suites need: partition watermarks and a single acknowledged
 * produce to one partition.
 *
 * Racks come from the embedded cluster's configuration or, on real
 * platforms, from each broker's read-only "broker.rack" config (admin
 * DescribeConfigs); a broker without one has rack "". The client is owned by
 * the caller: free it with kp_topo_client_free().
 */
#ifndef KP_TOPOLOGY_H
#define KP_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "platform/platform.h"

#define KP_TOPO_MAX_BROKERS  64
#define KP_TOPO_MAX_REPLICAS 16

typedef struct kp_topo_partition {
        int32_t id;
        int32_t leader; /* -1 when none */
        int32_t replicas[KP_TOPO_MAX_REPLICAS];
        int n_replicas;
        int32_t isr[KP_TOPO_MAX_REPLICAS];
        int n_isr;
} kp_topo_partition_t;

typedef struct kp_topology {
        int n_brokers;
        int32_t broker_ids[KP_TOPO_MAX_BROKERS];
        char racks[KP_TOPO_MAX_BROKERS][64]; /* "" when unknown (see kp_topo_client_racks) */
        int n_partitions;
        kp_topo_partition_t *partitions; /* owned; free with kp_topology_release */
} kp_topology_t;

typedef struct kp_topo_client kp_topo_client_t;

kp_topo_client_t *kp_topo_client_new(kp_platform_t *p, kp_err_t *err);
void kp_topo_client_free(kp_topo_client_t *cl);

/* Metadata of the cluster and of topic (NULL: brokers only). */
int kp_topo_fetch(kp_topo_client_t *cl, const char *topic, kp_topology_t *out, kp_err_t *err);
/* Fills out->racks for every broker of out; returns the number of brokers
 * whose rack is known. */
int kp_topo_client_racks(kp_topo_client_t *cl, kp_topology_t *out, kp_err_t *err);
void kp_topology_release(kp_topology_t *t);

/* Rack of a broker in t, NULL when the broker is not in t or has none. */
const char *kp_topology_rack(const kp_topology_t *t, int32_t broker);
const kp_topo_partition_t *kp_topology_partition(const kp_topology_t *t, int32_t partition);
/* Partitions led by broker. */
int kp_topology_leads(const kp_topology_t *t, int32_t broker);
int kp_topology_has_broker(const kp_topology_t *t, int32_t broker);

int kp_topo_watermarks(kp_topo_client_t *cl, const char *topic, int32_t partition, int64_t *low,
                       int64_t *high, kp_err_t *err);
/* Produces one small record to topic/partition with acks=all and waits for
 * its acknowledgement (timeout_ms); 0 when acknowledged. */
int kp_topo_probe(kp_topo_client_t *cl, const char *topic, int32_t partition, int timeout_ms,
                  kp_err_t *err);

#endif
