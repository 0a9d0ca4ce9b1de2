/*
 * The failover suite definition: its check, gates, workload defaults and the
 * suite's own scenario keys:
 *
 *   "failover": {
 *     "allow": ["duplicate"],        anomalies tolerated on top of the profile's list
 *     "blocked_after": "1s",         an acknowledgement slower than this is "blocked"
 *                                    (default: 10 x the median before the first fault,
 *                                    between 500 ms and 2 s)
 *     "final_read": true,            read every partition again after the drain
 *     "final_read_timeout": "60s",
 *     "healthy_timeout": "180s"      wait for leaders and full ISRs after restarts
 *   }
 */
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "suites/common/suitedef.h"
#include "engine/checker.h"
#include "util/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "failover.faults",
     .row = FO_ROW,
     .title = "Faults under continuous load: no acknowledged write lost, duplicated or reordered; "
              "unavailability and recovery measured per fault",
     .fn = fo_check_faults,
     .source = "suites/failover/faults.c",
     .pass_when = "every fault of the scenario was applied under load and healed, records were "
                  "acknowledged, the history checker finds no anomaly beyond the profile's "
                  "allow-list, and every fault recovered",
     .fail_when = "the history checker finds a lost, duplicated or reordered record not allowed by "
                  "the profile, or a fault did not recover before production ended",
     .skip_when = "the scenario lists no faults, or the target cannot apply one of them",
     .error_when = "a fault could not be applied or healed, or was applied only after production "
                   "ended; nothing was acknowledged; the final read or the history checker could "
                   "not complete; with distributed load (workload.workers), a worker died or never "
                   "reported its shard; or " KP_ERROR_WHEN_CALLS},
};

static const kp_gate_def_t gates[] = {
    {"max_lost_acked", "failover.faults", "lost_acked", KP_GATE_AT_MOST, "records",
     "acknowledged records never consumed (lost-write + unseen); with the safe profile any loss "
     "already fails the check",
     0, 0},
    {"max_unavailability_s", "failover.faults", "unavailability_max_s", KP_GATE_AT_MOST, "s",
     "longest time one partition could not be written during one fault", 0, 0},
    {"max_recovery_s", "failover.faults", "recovery_max_s", KP_GATE_AT_MOST, "s",
     "longest time from a fault until throughput was back to 90% of before", 0, 0},
    {"max_duplicates", "failover.faults", "duplicates", KP_GATE_AT_MOST, "records",
     "records found at more than one offset", 0, 0},
};

static const kp_option_def_t options[] = {
    {.name = "allow",
     .type = KP_OPTION_LIST,
     .lo = 0,
     .choices = kp_anom_names,
     .what = "anomaly",
     .help = "anomalies allowed on top of the client profile's list"},
    {.name = "blocked_after",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_MS,
     .hi = 3600 * KP_NS_PER_S,
     .help = "a write pending this long counts as blocked (unset: 10 x the median before the "
             "first fault, 0.5-2 s)"},
    {.name = "final_read",
     .type = KP_OPTION_BOOL,
     .def = 1,
     .help = "read every partition again after the drain"},
    {.name = "final_read_timeout",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 3600 * KP_NS_PER_S,
     .def = 60 * KP_NS_PER_S,
     .help = "time the final read may take"},
    {.name = "healthy_timeout",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 3600 * KP_NS_PER_S,
     .def = 180 * KP_NS_PER_S,
     .help = "wait for a healthy cluster after restarts"},
};

const fo_options_t *fo_options_of(const kp_options_t *v, fo_options_t *o)
{
        kp_options_t defaults = kp_options_defaults(options, KP_SUITE_ROWS(options));
        char *const *allow;
        size_t n, i;

        if (!v || !v->defs)
                v = &defaults;
        memset(o, 0, sizeof(*o));
        allow = kp_option_list(v, "allow", &n);
        for (i = 0; i < n; i++)
                o->allow_extra |= KP_ANOM_BIT(kp_anom_from_name(allow[i]));
        o->blocked_after_ns = kp_option_duration(v, "blocked_after");
        o->final_read = kp_option_bool(v, "final_read");
        o->final_read_timeout_ns = kp_option_duration(v, "final_read_timeout");
        o->healthy_timeout_ns = kp_option_duration(v, "healthy_timeout");
        return o;
}

const fo_options_t *fo_options(const kp_ctx_t *ctx, fo_options_t *o)
{
        return fo_options_of(ctx->scfg ? &ctx->scfg->options : NULL, o);
}

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 3;
        w->message_bytes = 200;
        w->rate = 500;
        w->duration_ns = 30 * KP_NS_PER_S;
        w->drain_timeout_ns = 60 * KP_NS_PER_S;
}

/* The measurements the checks record and which way is better (evidence.json
   "better"; the comparison page marks the best value). */
static const kp_measure_def_t measurements[] = {
    {"achieved_rate", "records/s", KP_BETTER_HIGHER},
    {"baseline_rate", "records/s", KP_BETTER_NONE},
    {"blocked_after_ms", "ms", KP_BETTER_NONE},
    {"client_errors", "count", KP_BETTER_LOWER},
    {"drained", "bool", KP_BETTER_NONE},
    {"duplicates", "records", KP_BETTER_LOWER},
    {"errors", "count", KP_BETTER_LOWER},
    {"fault_apply_s", "s", KP_BETTER_NONE},
    {"fault_heal_to_healthy_s", "s", KP_BETTER_LOWER},
    {"fault_recovery_s", "s", KP_BETTER_LOWER},
    {"fault_unavailability_max_s", "s", KP_BETTER_LOWER},
    {"final_read_records", "records", KP_BETTER_NONE},
    {"lost_acked", "records", KP_BETTER_LOWER},
    {"records_ack_failed", "records", KP_BETTER_LOWER},
    {"records_acked", "records", KP_BETTER_NONE},
    {"records_consumed_unique", "records", KP_BETTER_NONE},
    {"records_failed_but_read", "records", KP_BETTER_LOWER},
    {"records_in_doubt", "records", KP_BETTER_LOWER},
    {"records_sent", "records", KP_BETTER_NONE},
    {"recovery_max_s", "s", KP_BETTER_LOWER},
    {"target_rate", "records/s", KP_BETTER_NONE},
    {"transactions_aborted", "transactions", KP_BETTER_LOWER},
    {"transactions_committed", "transactions", KP_BETTER_NONE},
    {"transactions_unknown", "transactions", KP_BETTER_LOWER},
    {"unavailability_episodes", "count", KP_BETTER_LOWER},
    {"unavailability_max_s", "s", KP_BETTER_LOWER},
    {"unavailability_s", "s", KP_BETTER_LOWER},
    {"workers", "count", KP_BETTER_NONE},
    {"ack_latency_*_ms_*", "ms", KP_BETTER_LOWER},
    {"e2e_latency_*_ms_*", "ms", KP_BETTER_LOWER},
    {"anomalies_*", "count", KP_BETTER_LOWER},
};

const kp_suite_def_t kp_suite_failover = {
    .name = "failover",
    .title = "Failover under load",
    KP_SUITE_TABLE(checks, checks),
    KP_SUITE_TABLE(gates, gates),
    KP_SUITE_TABLE(measurements, measurements),
    .workload_defaults = defaults,
    KP_SUITE_TABLE(options, options),
    .options_legacy = "failover",
};
