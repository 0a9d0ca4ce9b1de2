/*
 * The scaling suite definition: checks, gates, workload defaults and the
 * suite's own scenario options.
 */
#include <stdlib.h>
#include <string.h>

#include "scaling.h"
#include "suites/common/suitedef.h"
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
                   "or " KP_ERROR_WHEN_CALLS},
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
     .error_when = "set_leader failed, nothing was acknowledged, the workload has no consumer, "
                   "or " KP_ERROR_WHEN_CALLS},
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

static const kp_option_def_t options[] = {
    {.name = "new_broker",
     .type = KP_OPTION_INT,
     .lo = 0,
     .hi = 1000000,
     .def = 4,
     .help = "id of the broker to add"},
    {.name = "new_broker_rack",
     .type = KP_OPTION_STRING,
     .help = "rack of the new broker (unset: the control adapter's default)"},
    {.name = "move_share",
     .type = KP_OPTION_DOUBLE,
     .dlo = 0,
     .dhi = 1,
     .positive = 1,
     .ddef = 0.5,
     .help = "share of partitions moved onto the new broker"},
    {.name = "warmup",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 600 * KP_NS_PER_S,
     .def = 10 * KP_NS_PER_S,
     .help = "load before the change (baseline window)"},
    {.name = "settle_timeout",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 1800 * KP_NS_PER_S,
     .def = 60 * KP_NS_PER_S,
     .help = "bound for the new broker to serve traffic after the rebalance"},
    {.name = "scale_in",
     .type = KP_OPTION_BOOL,
     .def = 1,
     .help = "drain and remove the broker again"},
    {.name = "copy_ratio",
     .type = KP_OPTION_DOUBLE,
     .dlo = 0,
     .dhi = 100,
     .positive = 1,
     .ddef = 0.5,
     .help = "bytes moved per retained byte at or above which scaling copies data"},
};

const sc_options_t *sc_opts(const kp_ctx_t *ctx, sc_options_t *o)
{
        const kp_options_t *v = &ctx->scfg->options;

        o->new_broker = (int32_t)kp_option_int(v, "new_broker");
        o->new_rack = kp_option_string(v, "new_broker_rack");
        o->move_share = kp_option_double(v, "move_share");
        o->warmup_ns = kp_option_duration(v, "warmup");
        o->settle_ns = kp_option_duration(v, "settle_timeout");
        o->scale_in = kp_option_bool(v, "scale_in");
        o->copy_ratio = kp_option_double(v, "copy_ratio");
        return o;
}

/* The measurements the checks record and which way is better (evidence.json
   "better"; the comparison page marks the best value). */
static const kp_measure_def_t measurements[] = {
    {"ack_errors", "records", KP_BETTER_LOWER},
    {"ack_errors_during", "records", KP_BETTER_LOWER},
    {"acked_per_s_before", "records/s", KP_BETTER_NONE},
    {"acked_per_s_during", "records/s", KP_BETTER_HIGHER},
    {"acked_per_s_min_during", "records/s", KP_BETTER_HIGHER},
    {"acked_without_offset", "records", KP_BETTER_LOWER},
    {"add_broker_s", "s", KP_BETTER_LOWER},
    {"bytes_copied", "bytes", KP_BETTER_LOWER},
    {"bytes_moved_per_retained_byte", "bytes/byte", KP_BETTER_LOWER},
    {"data_copying", "bool", KP_BETTER_NONE},
    {"drain_s", "s", KP_BETTER_LOWER},
    {"history_records_acked", "records", KP_BETTER_NONE},
    {"history_records_consumed_unique", "records", KP_BETTER_NONE},
    {"p99_ack_before_ms", "ms", KP_BETTER_NONE},
    {"p99_ack_during_ms", "ms", KP_BETTER_LOWER},
    {"partitions_moved", "partitions", KP_BETTER_NONE},
    {"rebalance_s", "s", KP_BETTER_LOWER},
    {"remove_broker_s", "s", KP_BETTER_LOWER},
    {"replication_factor", "replicas", KP_BETTER_NONE},
    {"retained_bytes_moved_partitions", "bytes", KP_BETTER_LOWER},
    {"scale_in_s", "s", KP_BETTER_LOWER},
    {"scale_out_s", "s", KP_BETTER_LOWER},
    {"storage_bytes", "bytes", KP_BETTER_NONE},
    {"throughput_dip_pct", "%", KP_BETTER_LOWER},
    {"time_to_lead_s", "s", KP_BETTER_LOWER},
    {"time_to_metadata_s", "s", KP_BETTER_LOWER},
    {"time_to_register_s", "s", KP_BETTER_LOWER},
    {"time_to_traffic_s", "s", KP_BETTER_LOWER},
    KP_WLREPORT_MEASURES,
    {"anomalies_*", "count", KP_BETTER_LOWER},
};

const kp_suite_def_t kp_suite_scaling = {
    .name = "scaling",
    .title = "Scaling behaviour",
    KP_SUITE_TABLE(checks, checks),
    KP_SUITE_TABLE(gates, gates),
    KP_SUITE_TABLE(measurements, measurements),
    .workload_defaults = defaults,
    KP_SUITE_TABLE(options, options),
};
