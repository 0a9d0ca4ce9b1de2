/*
 * The location suite (checklist row data-plane-location): do brokers,
 * storage, keys and network paths stay inside the boundary the target
 * declares (deployment.boundary)? Every check compares an observation with
 * a declared rule: the brokers the platform advertises and the bootstrap
 * addresses, the TCP peers the client really connected to, the brokers'
 * racks and the replicas' zones, the bucket's region, owner and encryption,
 * the KMS key's region and account and its endpoint. A check whose input the
 * target does not declare is `skip` with the reason; an observation outside
 * the boundary is `fail` naming the address and the rule.
 *
 * The checks share one observation (common.c): a client with connect and
 * statistics callbacks that samples Metadata, creates the suite's topic and
 * produces to every partition.
 */
#ifndef KP_LOCATION_SUITE_H
#define KP_LOCATION_SUITE_H

#include <stddef.h>
#include <stdint.h>

#include "platform/boundary.h"
#include "evidence/evidence.h"
#include "platform/netobs.h"
#include "evidence/runner.h"
#include "evidence/suite.h"
#include "platform/topology.h"

#define LOC_ROW "data-plane-location"

extern const kp_suite_def_t kp_suite_location;

typedef struct loc_options {
        int64_t observe_ns;        /* how long metadata is sampled after producing */
        int records_per_partition; /* records produced to each partition */
        char *const *topics;       /* existing topics whose replica placement is checked too */
        size_t n_topics;
} loc_options_t;

/* The scenario's options (suite.c), read into *o (returned). */
const loc_options_t *loc_opts(const kp_ctx_t *ctx, loc_options_t *o);

/* The shared observation, made by the first check that needs it. */
typedef struct loc_state {
        int observed;    /* 1: done (ok or not) */
        char error[512]; /* why the observation failed, "" when it worked */
        kp_netobs_t *obs;
        kp_topo_client_t *topo_cl;
        char topic[256];
        int topic_created;
        int partitions;
        int acked;
        int sent;
} loc_state_t;

/* Runs the observation once; NULL with c set to error when it failed. */
loc_state_t *loc_observe(kp_ctx_t *ctx, kp_check_t *c);

/* The start of a check that judges addresses against the declared cidrs
 * and hosts: skips c when the target declares none, else runs the
 * observation (NULL with c in error when it failed) and describes the rules
 * into rules (loc_rules_text). NULL when the check is over. */
loc_state_t *loc_observe_addresses(kp_ctx_t *ctx, kp_check_t *c, char *rules, size_t size);

/* A description of the declared address rules for reasons, e.g.
 * "cidrs 127.0.0.0/8; hosts none". */
void loc_rules_text(const kp_deployment_cfg_t *d, char *out, size_t size);

/* Resolves host into a comma-separated list of numeric addresses (unique).
 * Returns the number of addresses, or -1 with the resolver's message in out. */
int loc_resolve(const char *host, char addrs[][64], int max, char *msg, size_t msg_size);

/* Judges one host (name or address) against the boundary: 1 inside (why
 * says by which rule), 0 outside (why names the first address outside), -1
 * unresolvable (why holds the resolver's message). addrs_text gets the
 * resolved addresses. */
int loc_judge_host(const kp_deployment_cfg_t *d, const char *host, char *addrs_text,
                   size_t addrs_size, char *why, size_t why_size);

/* Counts the distinct zones of a partition's replicas in *distinct (a
 * replica whose broker has no zone, "?", counts for none) and returns how
 * many it should span: min(replicas, zones in use). */
/* 1 when s is one of v[0..n). */
int loc_in_list(char **v, size_t n, const char *s);

int loc_zone_spread(const char *const *zones, int n_replicas, int zones_in_use, int *distinct);

void loc_check_broker_endpoints(kp_ctx_t *ctx, kp_check_t *c);
void loc_check_client_paths(kp_ctx_t *ctx, kp_check_t *c);
void loc_check_zones(kp_ctx_t *ctx, kp_check_t *c);
void loc_check_kms(kp_ctx_t *ctx, kp_check_t *c);
void loc_check_storage(kp_ctx_t *ctx, kp_check_t *c);
void loc_check_platform_egress(kp_ctx_t *ctx, kp_check_t *c);

#endif
