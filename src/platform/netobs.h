/*
 * netobs: where a Kafka client's connections really go — the brokers the
 * platform advertises in Metadata (sampled repeatedly, so brokers that appear
 * later are seen), the TCP peer addresses the client connects its sockets to
 * (librdkafka's connect callback), librdkafka's per-broker statistics
 * (configured or learned, state, connects) and, on TLS targets, each broker's
 * certificate (subject, SANs, issuer) as the handshake presented it.
 *
 * One observer owns one producer client built from the platform's
 * properties. Callbacks run on librdkafka threads; the observer serialises
 * them. Free with kp_netobs_free().
 */
#ifndef KP_NETOBS_H
#define KP_NETOBS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/kvlist.h"
#include "platform/platform.h"

#define KP_NETOBS_MAX 128

typedef struct kp_netobs_broker {
        int32_t id;
        char host[256];
        int port;
        int samples;    /* metadata samples that listed it */
        int first_seen; /* index of the first sample that listed it */
} kp_netobs_broker_t;

typedef struct kp_netobs_peer {
        char addr[64]; /* numeric address the socket was connected to */
        int port;
        char broker[300]; /* librdkafka's broker name, "host:port/id" */
        int attempts;     /* connect() calls */
        int failed;       /* connect() calls that failed at once (errno) */
} kp_netobs_peer_t;

typedef struct kp_netobs_stat {
        char name[300];     /* librdkafka broker name */
        char nodename[300]; /* host:port */
        char source[16];    /* configured, learned, ... */
        char state[16];
        int32_t nodeid;
        int64_t connects; /* successful connections */
} kp_netobs_stat_t;

typedef struct kp_netobs_cert {
        char broker[300];
        char subject[512];
        char issuer[512];
        char sans[1024];
        int verified; /* builtin verification result was OK */
} kp_netobs_cert_t;

typedef struct kp_netobs kp_netobs_t;

/* A producer client with the platform's properties and overrides (may be
 * NULL), statistics every 500 ms, connect and certificate callbacks. */
kp_netobs_t *kp_netobs_new(kp_platform_t *p, const kp_kvlist_t *overrides, kp_err_t *err);
void kp_netobs_free(kp_netobs_t *o);

/* One Metadata request; merges the advertised brokers. */
int kp_netobs_sample(kp_netobs_t *o, kp_err_t *err);
/* Produces n records to every partition of topic and waits for them
 * (acknowledged or failed) within timeout_ms; returns the number acknowledged. */
int kp_netobs_produce(kp_netobs_t *o, const char *topic, int partitions, int n, int timeout_ms,
                      kp_err_t *err);
/* Serves callbacks (statistics) for ms milliseconds. */
void kp_netobs_poll(kp_netobs_t *o, int ms);

/* Snapshots; the arrays stay valid until the next call on o. */
const kp_netobs_broker_t *kp_netobs_brokers(kp_netobs_t *o, size_t *n);
const kp_netobs_peer_t *kp_netobs_peers(kp_netobs_t *o, size_t *n);
const kp_netobs_stat_t *kp_netobs_stats(kp_netobs_t *o, size_t *n);
const kp_netobs_cert_t *kp_netobs_certs(kp_netobs_t *o, size_t *n);
int kp_netobs_samples(const kp_netobs_t *o);
/* Whether the client's security.protocol uses TLS (SSL or SASL_SSL). */
int kp_netobs_tls(const kp_netobs_t *o);
/* Whether TLS certificate verification is on (callback invoked). */
int kp_netobs_tls_verify(const kp_netobs_t *o);

#endif
