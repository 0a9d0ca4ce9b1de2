/*
 * The scaling suite (checklist row scaling-behavior): does adding capacity
 * move data or only metadata, how long does it take, and what do clients
 * feel? Under a tracked workload the checks add a broker, rebalance onto it
 * and drain it again (scale-out), or move partition leadership (a
 * metadata-only change every platform can express, the embedded one too),
 * and measure time to traffic, bytes copied and client-visible disruption.
 *
 * Helpers shared by the check files are declared here (sc_*).
 */
#ifndef KP_SCALING_H
#define KP_SCALING_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/evidence.h"
#include "evidence/runner.h"
#include "evidence/suite.h"
#include "platform/topology.h"
#include "engine/wlreport.h"
#include "engine/history.h"
#include "engine/workload.h"

#define SC_ROW "scaling-behavior"

extern const kp_suite_def_t kp_suite_scaling;

typedef struct sc_options {
        int32_t new_broker;   /* id of the broker to add */
        const char *new_rack; /* its rack, NULL: the adapter's default */
        double move_share;    /* share of partitions moved onto the new broker */
        int64_t warmup_ns;    /* load before the change (baseline window) */
        int64_t settle_ns;    /* bound for the new broker to serve traffic after the rebalance */
        int scale_in;         /* drain and remove the broker again */
        double copy_ratio; /* bytes moved per retained byte at or above which scaling copies data */
} sc_options_t;

/* The options of the running scenario entry (defaults when none given),
 * read into *o (returned). */
const sc_options_t *sc_opts(const kp_ctx_t *ctx, sc_options_t *o);

/* Client-visible behaviour in a time window of a finished workload. */
typedef struct sc_window {
        double p99_ack_ms;      /* highest per-slot p99 produce->ack latency */
        double acked_per_s;     /* mean acknowledged records per second */
        double min_acked_per_s; /* lowest slot */
        uint64_t ack_errors;
        size_t slots;
} sc_window_t;

/* Analyses [from_ns, to_ns) (monotonic times) of the workload timeline. */
void sc_window(kp_workload_t *wl, int64_t from_ns, int64_t to_ns, sc_window_t *w);

/* Records "before" and "during" disruption measurements (p99, throughput
 * dip, errors) on c; returns the p99 during in ms. */
double sc_record_disruption(kp_check_t *c, kp_workload_t *wl, int64_t before_from,
                            int64_t before_to, int64_t during_from, int64_t during_to);

/* Starts the scenario's workload on a new topic with a history attached
 * (*hist, freed by the caller after the workload); records error on c. */
kp_workload_t *sc_start_workload(kp_ctx_t *ctx, kp_check_t *c, const char *suffix, char *topic,
                                 size_t topic_size, kp_history_t **hist);

/* Ends the workload, records its measurements and the timeline plot with
 * markers, and judges the history (sc_judge_history). Returns the number
 * of lost acknowledged records the ledger counted. */
uint64_t sc_finish_workload(kp_ctx_t *ctx, kp_check_t *c, kp_workload_t *wl, const kp_history_t *h,
                            const char *plot_name, const char *title,
                            const kp_plot_marker_t *markers, size_t n_markers);

/* The failover suite's history checker with the allow-list of profile:
 * error when the history is incomplete, nothing was acknowledged or nobody
 * read; fail on an anomaly the profile does not allow. Records the anomalies
 * and per-kind counts. 0 judged clean, 1 failed, -1 error. */
int sc_judge_history(kp_check_t *c, const kp_history_t *h, kp_profile_t profile, int consumers,
                     int read_committed);

/* Check bodies. */
void sc_check_scale_out(kp_ctx_t *ctx, kp_check_t *c);
void sc_check_leader_move(kp_ctx_t *ctx, kp_check_t *c);

#endif
