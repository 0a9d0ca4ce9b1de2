/*
 * The cost suite (checklist row cost-model): what does this platform cost
 * for this workload, by driver, and why? The check measures a workload
 * (bytes produced and consumed, storage growth, replication factor, rack
 * placement of replicas and leaders), combines it with the target's
 * declared deployment and a dated price sheet through the cost model
 * (src/engine/costmodel.h), and projects the cost over throughput and retention for
 * the measured architecture and the other two.
 */
#ifndef KP_COST_SUITE_H
#define KP_COST_SUITE_H

#include "engine/costmodel.h"
#include "evidence/evidence.h"
#include "evidence/runner.h"
#include "evidence/suite.h"

#define COST_ROW "cost-model"

extern const kp_suite_def_t kp_suite_cost;

typedef struct cost_options {
        const char *client_zone;    /* zone of the clients; NULL: spread evenly over the zones */
        double instance_capacity;   /* MB/s of produce one instance carries (projections) */
        int64_t local_retention_ns; /* tiered: time on block storage */
        double segment_bytes;       /* tiered: bytes per uploaded segment */
        int64_t flush_interval_ns;  /* shared-storage: one PUT per instance per interval */
        int endpoint_zones;         /* private endpoint zones, 0: none */
        int kms_keys;               /* -1: 1 when the target has a KMS adapter, else 0 */
        int allow_proxy;            /* a price sheet of another provider/region may stand in */
} cost_options_t;

/* The scenario's options, read into *o (returned). */
const cost_options_t *cost_opts(const kp_ctx_t *ctx, cost_options_t *o);

void cost_check_model(kp_ctx_t *ctx, kp_check_t *c);

/* Writes the projection tables, data files and plots (projection.c). */
int cost_projections(kp_ctx_t *ctx, kp_check_t *c, const kp_cost_inputs_t *measured,
                     const kp_pricesheet_t *ps, double capacity, kp_err_t *err);

#endif
