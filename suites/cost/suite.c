/*
 * The cost suite definition: check, gate, workload defaults and options.
 */
#include <stdlib.h>
#include <string.h>

#include "cost.h"
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
     .error_when =
         "the price sheet cannot be read or lacks the instance type, nothing was acknowledged, or "
         "a topic or client could not be created, a call failed outright (not a refusal the check "
         "tests for) or the platform stopped answering"},
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

static const cost_options_t default_opts = {
    .client_zone = NULL,
    .instance_capacity = 25,
    .local_retention_ns = 6 * 3600 * KP_NS_PER_S,
    .segment_bytes = 1073741824.0,
    .flush_interval_ns = 250 * KP_NS_PER_MS,
    .endpoint_zones = 0,
    .kms_keys = -1,
};

const cost_options_t *cost_opts(const kp_ctx_t *ctx)
{
        return ctx->scfg->options ? ctx->scfg->options : &default_opts;
}

static void opts_free(void *p)
{
        cost_options_t *o = p;

        if (!o)
                return;
        free(o->client_zone);
        free(o);
}

/* "options": {"client_zone": "zone-a", "instance_capacity_mb_s": 25,
 *             "tiered_local_retention": "6h", "segment_bytes": 1073741824,
 *             "flush_interval": "250ms", "private_endpoint_zones": 3, "kms_keys": 1} */
static int parse(kp_jv_t *jv, const cJSON *entry, kp_suite_cfg_t *cfg)
{
        const cJSON *o;
        cost_options_t *co;
        int64_t v;
        size_t m;
        int r;

        if ((r = kp_jv_object(jv, entry, "options", 0, &o)) <= 0)
                return r;
        co = malloc(sizeof(*co));
        if (!co)
                return kp_jv_fail_at(jv, "options", "out of memory");
        *co = default_opts;
        cfg->options = co;
        cfg->options_free = opts_free;
        m = kp_jv_push_key(jv, "options");
        if (kp_jv_string(jv, o, "client_zone", 0, &co->client_zone) < 0 ||
            kp_jv_number(jv, o, "instance_capacity_mb_s", 0, 0, 1e6, 1, &co->instance_capacity) <
                0 ||
            kp_jv_duration(jv, o, "tiered_local_retention", 0, 60 * KP_NS_PER_S,
                           3650LL * 86400 * KP_NS_PER_S, &co->local_retention_ns) < 0 ||
            kp_jv_number(jv, o, "segment_bytes", 0, 1024, 1e13, 0, &co->segment_bytes) < 0 ||
            kp_jv_duration(jv, o, "flush_interval", 0, KP_NS_PER_MS, 3600 * KP_NS_PER_S,
                           &co->flush_interval_ns) < 0)
                return -1;
        v = co->endpoint_zones;
        if (kp_jv_int(jv, o, "private_endpoint_zones", 0, 0, 64, &v) < 0)
                return -1;
        co->endpoint_zones = (int)v;
        v = co->kms_keys;
        if (kp_jv_int(jv, o, "kms_keys", 0, 0, 100000, &v) < 0)
                return -1;
        co->kms_keys = (int)v;
        if (kp_jv_bool(jv, o, "allow_proxy_price_sheet", 0, &co->allow_proxy) < 0 ||
            kp_jv_no_unknown(jv, o) < 0)
                return -1;
        kp_jv_pop(jv, m);
        return 1;
}

const kp_suite_def_t kp_suite_cost = {
    .name = "cost",
    .title = "Cost model",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .gates = gates,
    .n_gates = sizeof(gates) / sizeof(gates[0]),
    .workload_defaults = defaults,
    .parse = parse,
};
