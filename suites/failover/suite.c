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
     .error_when =
         "a fault could not be applied or healed, or was applied only after production ended; "
         "nothing was acknowledged; the final read or the history checker could not complete; with "
         "distributed load (workload.workers), a worker died or never reported its shard; or a "
         "topic or client could not be created, a call failed outright (not a refusal the check "
         "tests for) or the platform stopped answering"},
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

static const fo_options_t default_options = {
    .allow_extra = 0,
    .blocked_after_ns = 0,
    .final_read = 1,
    .final_read_timeout_ns = 60 * KP_NS_PER_S,
    .healthy_timeout_ns = 180 * KP_NS_PER_S,
};

const fo_options_t *fo_options(const kp_ctx_t *ctx)
{
        return ctx->scfg && ctx->scfg->options ? ctx->scfg->options : &default_options;
}

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 3;
        w->message_bytes = 200;
        w->rate = 500;
        w->duration_ns = 30 * KP_NS_PER_S;
        w->drain_timeout_ns = 60 * KP_NS_PER_S;
}

static int parse_allow(kp_jv_t *jv, const cJSON *arr, fo_options_t *o)
{
        const cJSON *it;
        size_t i = 0;

        cJSON_ArrayForEach(it, arr)
        {
                size_t m = kp_jv_push_index(jv, i++);
                int k;
                if (!cJSON_IsString(it))
                        return kp_jv_expected(jv, NULL, it, "an anomaly name");
                k = kp_anom_from_name(it->valuestring);
                if (k < 0) {
                        char names[512];
                        size_t len = 0;
                        int a;
                        names[0] = '\0';
                        for (a = 0; a < KP_ANOM__COUNT && len < sizeof(names); a++)
                                len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
                                                        !a                       ? ""
                                                        : a + 1 < KP_ANOM__COUNT ? ", "
                                                                                 : " or ",
                                                        kp_anom_names[a]);
                        return kp_jv_fail(jv, "unknown anomaly \"%s\" (expected %s)",
                                          it->valuestring, names);
                }
                o->allow_extra |= KP_ANOM_BIT(k);
                kp_jv_pop(jv, m);
        }
        return 0;
}

static int parse(kp_jv_t *jv, const cJSON *entry, kp_suite_cfg_t *cfg)
{
        const cJSON *sub, *arr;
        fo_options_t *o;
        size_t m;
        int r;

        o = malloc(sizeof(*o));
        if (!o)
                return kp_jv_fail(jv, "out of memory");
        *o = default_options;
        cfg->options = o;
        cfg->options_free = free;
        if ((r = kp_jv_object(jv, entry, "failover", 0, &sub)) <= 0)
                return r;
        m = kp_jv_push_key(jv, "failover");
        if ((r = kp_jv_array(jv, sub, "allow", 0, 0, &arr)) < 0)
                return -1;
        if (r == 1) {
                size_t m2 = kp_jv_push_key(jv, "allow");
                if (parse_allow(jv, arr, o) < 0)
                        return -1;
                kp_jv_pop(jv, m2);
        }
        if (kp_jv_duration(jv, sub, "blocked_after", 0, KP_NS_PER_MS, 3600 * KP_NS_PER_S,
                           &o->blocked_after_ns) < 0 ||
            kp_jv_bool(jv, sub, "final_read", 0, &o->final_read) < 0 ||
            kp_jv_duration(jv, sub, "final_read_timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                           &o->final_read_timeout_ns) < 0 ||
            kp_jv_duration(jv, sub, "healthy_timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                           &o->healthy_timeout_ns) < 0 ||
            kp_jv_no_unknown(jv, sub) < 0)
                return -1;
        kp_jv_pop(jv, m);
        return 0;
}

const kp_suite_def_t kp_suite_failover = {
    .name = "failover",
    .title = "Failover under load",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .gates = gates,
    .n_gates = sizeof(gates) / sizeof(gates[0]),
    .workload_defaults = defaults,
    .parse = parse,
};
