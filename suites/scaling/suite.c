/*
 * The scaling suite definition: checks, gates, workload defaults and the
 * suite's own scenario options.
 */
#include <stdlib.h>
#include <string.h>

#include "scaling.h"
#include "util/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "scaling.scale-out",
     .row = SC_ROW,
     .title =
         "Add a broker under load, rebalance onto it, drain and remove it: time to traffic, bytes "
         "copied, disruption",
     .fn = sc_check_scale_out,
     .source = "suites/scaling/scale-out.c",
     .pass_when = "the added broker registered, took the moved partitions and served produce "
                  "traffic within the settle timeout, and the history checker (failover's, with "
                  "the profile's allow-list) finds no anomaly beyond the allow-list",
     .fail_when =
         "the new broker did not serve produce traffic in time, or the history checker finds an "
         "anomaly the profile does not allow (lost, duplicated, reordered record)",
     .skip_when = "the target cannot add a broker, rebalance or measure storage",
     .error_when = "a control action (add_broker, rebalance, remove_broker) failed, the monitor "
                   "thread did not start, nothing was acknowledged, the workload has no consumer, "
                   "or a topic or client could not be created, a call failed outright (not a "
                   "refusal the check tests for) or the platform stopped answering"},
    {.id = "scaling.leader-move",
     .row = SC_ROW,
     .title =
         "Move partition leadership under load (metadata only): time until produce is acknowledged "
         "again, disruption",
     .fn = sc_check_leader_move,
     .source = "suites/scaling/leader-move.c",
     .pass_when =
         "metadata showed the new leaders within the settle timeout, every new leader acknowledged "
         "produce, and the history checker finds no anomaly beyond the profile's allow-list",
     .fail_when =
         "the new leaders did not appear in time, a partition acknowledged no produce after the "
         "move, or the history checker finds an anomaly the profile does not allow",
     .skip_when = "the target cannot move partition leadership (set_leader)",
     .error_when = "set_leader failed, nothing was acknowledged, the workload has no consumer, or "
                   "a topic or client could not be created, a call failed outright (not a refusal "
                   "the check tests for) or the platform stopped answering"},
};

static const kp_gate_def_t gates[] = {
    {"max_scale_out_s", "scaling.scale-out", "scale_out_s", KP_GATE_AT_MOST, "s",
     "seconds from adding the broker until the rebalance completed and it served produce traffic",
     0, 0},
    {"max_p99_during_ms", "scaling.scale-out", "p99_ack_during_ms", KP_GATE_AT_MOST, "ms",
     "highest per-second p99 produce->ack latency while scaling", 0, 0},
    {"max_lost_acked", "scaling.scale-out", "lost_acked", KP_GATE_AT_MOST, "records",
     "acknowledged records never consumed (zero loss)", 0, 1},
    {"max_leader_move_p99_ms", "scaling.leader-move", "p99_ack_during_ms", KP_GATE_AT_MOST, "ms",
     "highest per-second p99 produce->ack latency while leaders move", 0, 0},
    {"max_leader_move_lost_acked", "scaling.leader-move", "lost_acked", KP_GATE_AT_MOST, "records",
     "acknowledged records never consumed during leader moves", 0, 1},
};

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 6;
        w->message_bytes = 1024;
        w->rate = 500;
        w->duration_ns = 90 * KP_NS_PER_S;
}

static const sc_options_t default_opts = {
    .new_broker = 4,
    .new_rack = NULL,
    .move_share = 0.5,
    .warmup_ns = 10 * KP_NS_PER_S,
    .settle_ns = 60 * KP_NS_PER_S,
    .scale_in = 1,
    .copy_ratio = 0.5,
};

const sc_options_t *sc_opts(const kp_ctx_t *ctx)
{
        return ctx->scfg->options ? ctx->scfg->options : &default_opts;
}

static void opts_free(void *p)
{
        sc_options_t *o = p;

        if (!o)
                return;
        free(o->new_rack);
        free(o);
}

/* "options": {"new_broker": 4, "new_broker_rack": "zone-b", "move_share": 0.5,
 *             "warmup": "10s", "settle_timeout": "60s", "scale_in": true,
 *             "copy_ratio": 0.5} */
static int parse(kp_jv_t *jv, const cJSON *entry, kp_suite_cfg_t *cfg)
{
        const cJSON *o;
        sc_options_t *so;
        int64_t v;
        size_t m;
        int r;

        if ((r = kp_jv_object(jv, entry, "options", 0, &o)) <= 0)
                return r;
        so = malloc(sizeof(*so));
        if (!so)
                return kp_jv_fail_at(jv, "options", "out of memory");
        *so = default_opts;
        cfg->options = so;
        cfg->options_free = opts_free;
        m = kp_jv_push_key(jv, "options");
        v = so->new_broker;
        if (kp_jv_int(jv, o, "new_broker", 0, 0, 1000000, &v) < 0)
                return -1;
        so->new_broker = (int32_t)v;
        if (kp_jv_string(jv, o, "new_broker_rack", 0, &so->new_rack) < 0 ||
            kp_jv_number(jv, o, "move_share", 0, 0, 1, 1, &so->move_share) < 0 ||
            kp_jv_duration(jv, o, "warmup", 0, KP_NS_PER_S, 600 * KP_NS_PER_S, &so->warmup_ns) <
                0 ||
            kp_jv_duration(jv, o, "settle_timeout", 0, KP_NS_PER_S, 1800 * KP_NS_PER_S,
                           &so->settle_ns) < 0 ||
            kp_jv_bool(jv, o, "scale_in", 0, &so->scale_in) < 0 ||
            kp_jv_number(jv, o, "copy_ratio", 0, 0, 100, 1, &so->copy_ratio) < 0 ||
            kp_jv_no_unknown(jv, o) < 0)
                return -1;
        kp_jv_pop(jv, m);
        return 1;
}

const kp_suite_def_t kp_suite_scaling = {
    .name = "scaling",
    .title = "Scaling behaviour",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .gates = gates,
    .n_gates = sizeof(gates) / sizeof(gates[0]),
    .workload_defaults = defaults,
    .parse = parse,
};
