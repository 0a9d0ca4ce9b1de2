/*
 * The cost suite definition: check, gate, workload defaults and options.
 */
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "suites/common/suitedef.h"
#include "engine/wlreport.h"
#include "util/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "cost.model",
     .row = COST_ROW,
     .title =
         "Monthly cost of the measured workload by driver, with projections over throughput and "
         "retention for every architecture",
     .fn = cost_check_model,
     .source = "suites/cost/model.c",
     .pass_when =
         "the measured workload is priced on the deployment the target declares, with a price "
         "sheet of the same provider and region (or a proxy sheet the scenario allows explicitly)",
     .fail_when = "the price sheet is of another provider or region than the deployment and the "
                  "scenario does not allow a proxy sheet (options.allow_proxy_price_sheet)",
     .skip_when =
         "the target declares no deployment (provider, region, instance type, broker count)",
     .error_when = "the price sheet cannot be read or lacks the instance type, nothing was "
                   "acknowledged, or " KP_ERROR_WHEN_CALLS},
};

static const kp_gate_def_t gates[] = {
    {"max_monthly_cost", "cost.model", "monthly_cost_usd", KP_GATE_AT_MOST, "USD",
     "monthly cost of the measured workload on the declared deployment", 0, 0},
};

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 6;
        w->message_bytes = 1024;
        w->rate = 1000;
        w->duration_ns = 15 * KP_NS_PER_S;
}

static const kp_option_def_t options[] = {
    {.name = "client_zone",
     .type = KP_OPTION_STRING,
     .help = "zone of the clients (unset: spread evenly over the deployment's zones)"},
    {.name = "instance_capacity_mb_s",
     .type = KP_OPTION_DOUBLE,
     .dlo = 0,
     .dhi = 1e6,
     .positive = 1,
     .ddef = 25,
     .help = "MB/s of produce one instance carries (projections)"},
    {.name = "tiered_local_retention",
     .type = KP_OPTION_DURATION,
     .lo = 60 * KP_NS_PER_S,
     .hi = 3650LL * 86400 * KP_NS_PER_S,
     .def = 6 * 3600 * KP_NS_PER_S,
     .help = "tiered architecture: time data stays on block storage"},
    {.name = "segment_bytes",
     .type = KP_OPTION_DOUBLE,
     .dlo = 1024,
     .dhi = 1e13,
     .ddef = 1073741824.0,
     .help = "tiered architecture: bytes per uploaded segment"},
    {.name = "flush_interval",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_MS,
     .hi = 3600 * KP_NS_PER_S,
     .def = 250 * KP_NS_PER_MS,
     .help = "shared-storage architecture: one PUT per instance per interval"},
    {.name = "private_endpoint_zones",
     .type = KP_OPTION_INT,
     .lo = 0,
     .hi = 64,
     .def = 0,
     .help = "zones with a private endpoint (0: none)"},
    {.name = "kms_keys",
     .type = KP_OPTION_INT,
     .lo = 0,
     .hi = 100000,
     .def = -1,
     .help = "KMS keys billed (unset: 1 when the target has a KMS adapter, else 0)"},
    {.name = "allow_proxy_price_sheet",
     .type = KP_OPTION_BOOL,
     .help = "a price sheet of another provider or region may stand in"},
};

const cost_options_t *cost_opts(const kp_ctx_t *ctx, cost_options_t *o)
{
        const kp_options_t *v = &ctx->scfg->options;

        o->client_zone = kp_option_string(v, "client_zone");
        o->instance_capacity = kp_option_double(v, "instance_capacity_mb_s");
        o->local_retention_ns = kp_option_duration(v, "tiered_local_retention");
        o->segment_bytes = kp_option_double(v, "segment_bytes");
        o->flush_interval_ns = kp_option_duration(v, "flush_interval");
        o->endpoint_zones = (int)kp_option_int(v, "private_endpoint_zones");
        o->kms_keys = (int)kp_option_int(v, "kms_keys");
        o->allow_proxy = kp_option_bool(v, "allow_proxy_price_sheet");
        return o;
}

/* The measurements the checks record and which way is better (evidence.json
   "better"; the comparison page marks the best value). */
static const kp_measure_def_t measurements[] = {
    {"monthly_cost_usd", "USD", KP_BETTER_LOWER},
    {"cost_*_usd_month", "USD", KP_BETTER_LOWER},
    {"proxy_price_sheet", "bool", KP_BETTER_NONE},
    {"storage_bytes", "bytes", KP_BETTER_NONE},
    {"compression_ratio", "bytes/byte", KP_BETTER_NONE},
    {"consume_fanout", "bytes/byte", KP_BETTER_NONE},
    {"cross_zone_replicas_per_byte", "copies", KP_BETTER_LOWER},
    {"cross_zone_share_consume", "share", KP_BETTER_LOWER},
    {"cross_zone_share_produce", "share", KP_BETTER_LOWER},
    {"instance_count", "instances", KP_BETTER_NONE},
    {"kms_keys", "keys", KP_BETTER_NONE},
    {"kms_requests_per_s", "requests/s", KP_BETTER_NONE},
    {"produce_bytes_per_s", "B/s", KP_BETTER_NONE},
    {"replication_factor", "replicas", KP_BETTER_NONE},
    {"retained_bytes_per_produced_byte", "bytes/byte", KP_BETTER_NONE},
    {"retention_s", "s", KP_BETTER_NONE},
    KP_WLREPORT_MEASURES,
};

const kp_suite_def_t kp_suite_cost = {
    .name = "cost",
    .title = "Cost model",
    KP_SUITE_TABLE(checks, checks),
    KP_SUITE_TABLE(gates, gates),
    KP_SUITE_TABLE(measurements, measurements),
    .workload_defaults = defaults,
    KP_SUITE_TABLE(options, options),
};
