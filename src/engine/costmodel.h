/*
 * costmodel: the monthly cost of a workload by driver — compute, block
 * storage, object storage, object requests, cross-zone network, KMS and
 * private endpoints — from measured inputs, declared deployment facts and a
 * dated price sheet.
 *
 * Pure arithmetic: no I/O, no clocks. Each driver line carries its value, the
 * formula with the numbers that went into it and the price entries it used,
 * so the evidence can show how every figure was reached. The same function
 * prices the measured platform and the other architectures for the
 * projections. A month is 730 hours (2,628,000 s); a GB is 2^30 bytes, as the
 * cloud bills them.
 */
#ifndef KP_COSTMODEL_H
#define KP_COSTMODEL_H

#include <stddef.h>

#include "util/err.h"
#include "config/pricesheet.h"

#define KP_COST_MONTH_S 2628000.0
#define KP_COST_MONTH_H 730.0
#define KP_COST_GB      1073741824.0

typedef enum kp_arch {
        KP_ARCH_SHARED_NOTHING = 0, /* replicated logs on broker block storage */
        KP_ARCH_TIERED,             /* recent data on block storage, the rest in object storage */
        KP_ARCH_SHARED_STORAGE,     /* stateless brokers, all data in object storage */
        KP_ARCH__COUNT
} kp_arch_t;

extern const char *const kp_arch_names[KP_ARCH__COUNT];
/* The architecture for a deployment name, -1 when unknown. */
int kp_arch_from_name(const char *name);

typedef enum kp_cost_driver {
        KP_COST_COMPUTE = 0,
        KP_COST_BLOCK,
        KP_COST_OBJECT,
        KP_COST_REQUESTS,
        KP_COST_NETWORK,
        KP_COST_KMS,
        KP_COST_ENDPOINT,
        KP_COST__COUNT
} kp_cost_driver_t;

extern const char *const kp_cost_driver_names[KP_COST__COUNT];

typedef struct kp_cost_inputs {
        kp_arch_t arch;
        /* workload (measured) */
        double produce_bytes_per_s;    /* bytes produced per second */
        double consume_fanout;         /* bytes consumed per byte produced */
        double replication_factor;     /* copies on block storage (shared-nothing, tiered) */
        double compression_ratio;      /* bytes stored per byte produced, one copy */
        double cross_zone_replication; /* follower copies in another zone per produced byte */
        double cross_zone_produce;     /* share of produced bytes sent to another zone */
        double cross_zone_consume;     /* share of consumed bytes fetched from another zone */
        double kms_requests_per_s;     /* counted by an adapter, 0 when not observed */
        int kms_keys;
        /* deployment (declared) */
        const char *instance_type;
        int instance_count;
        double retention_s;
        /* model parameters (scenario options, stated in the evidence) */
        double tiered_local_retention_s; /* tiered: time data stays on block storage */
        double segment_bytes;            /* tiered: bytes per uploaded segment (one PUT) */
        double flush_interval_s;         /* shared-storage: one PUT per instance per interval */
        int endpoint_zones;              /* private endpoint zones, 0: none */
} kp_cost_inputs_t;

typedef struct kp_cost_line {
        double usd;            /* per month */
        double quantity;       /* GB-months, requests, GB, hours, ... per month */
        const char *unit;      /* of quantity */
        char formula[512];     /* with the numbers substituted */
        const char *prices[3]; /* price names used (sheet keys or the instance type) */
} kp_cost_line_t;

typedef struct kp_cost_result {
        kp_cost_line_t lines[KP_COST__COUNT];
        double total_usd;
} kp_cost_result_t;

/* Prices the inputs with the sheet. Fails (KP_EINVAL) when the instance
 * type is not on the sheet or an input is out of range. */
int kp_cost_compute(const kp_cost_inputs_t *in, const kp_pricesheet_t *ps, kp_cost_result_t *out,
                    kp_err_t *err);

/* Instances needed for a throughput: max(minimum, ceil(MB/s / capacity)). */
int kp_cost_instances_for(double produce_bytes_per_s, double capacity_mb_per_s, int minimum);

#endif
