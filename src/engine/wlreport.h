/*
 * wlreport: turns a finished workload into evidence — the standard
 * measurements (records sent, acknowledged, consumed, lost; latency
 * percentiles produce->ack and produce->consume in microseconds; achieved
 * rate; errors by code), the anomalies the ledger found, and the timeline
 * (a TSV data file and an SVG plot drawn by gnuplot with optional markers
 * such as faults).
 */
#ifndef KP_WLREPORT_H
#define KP_WLREPORT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/checker.h"
#include "util/err.h"
#include "evidence/evidence.h"
#include "engine/workload.h"

/* The standard measurements kp_wlreport_record writes, as rows of a suite's
 * measurement table (kp_measure_def_t, evidence/suite.h): name, unit and
 * which way is better. A suite whose checks run a workload lists them with
 * KP_WLREPORT_MEASURES among its own rows. */
// clang-format off
#define KP_WLREPORT_MEASURES \
        {"records_sent", "records", KP_BETTER_NONE}, \
        {"records_acked", "records", KP_BETTER_NONE}, \
        {"records_ack_failed", "records", KP_BETTER_LOWER}, \
        {"records_in_doubt", "records", KP_BETTER_LOWER}, \
        {"records_consumed_unique", "records", KP_BETTER_NONE}, \
        {"lost_acked", "records", KP_BETTER_LOWER}, \
        {"redeliveries", "records", KP_BETTER_LOWER}, \
        {"read_at_other_offset", "records", KP_BETTER_LOWER}, \
        {"corrupt", "records", KP_BETTER_LOWER}, \
        {"target_rate", "records/s", KP_BETTER_NONE}, \
        {"achieved_rate", "records/s", KP_BETTER_HIGHER}, \
        {"acked_value_bytes", "bytes", KP_BETTER_NONE}, \
        {"produce_duration_s", "s", KP_BETTER_NONE}, \
        {"drain_duration_s", "s", KP_BETTER_LOWER}, \
        {"ledger_bytes", "bytes", KP_BETTER_NONE}, \
        {"ack_latency_p99_ms", "ms", KP_BETTER_LOWER}, \
        {"e2e_latency_p99_ms", "ms", KP_BETTER_LOWER}, \
        {"ack_latency_*", "us", KP_BETTER_LOWER}, \
        {"e2e_latency_*", "us", KP_BETTER_LOWER}
// clang-format on

/* Records measurements, errors and ledger anomalies on c. Returns the
 * number of acknowledged records never consumed. */
uint64_t kp_wlreport_record(kp_check_t *c, kp_workload_t *wl);

/* Records the history checker's result on c: every anomaly kind as a
 * measurement "anomalies_<kind>", and those found as anomalies with their
 * examples and whether the profile allows them. */
void kp_wlreport_anomalies(kp_check_t *c, const kp_checker_result_t *r);

typedef struct kp_plot_marker {
        int64_t at_ns; /* monotonic time */
        const char *label;
} kp_plot_marker_t;

/* Writes <dir>/<name>.tsv and <dir>/<name>.svg (per slot: sent, acked,
 * consumed and errors per second, p99 latencies in ms) and attaches both
 * to c as artifacts at <reldir>/<name>.*. */
int kp_wlreport_timeline(kp_check_t *c, kp_workload_t *wl, const char *dir, const char *reldir,
                         const char *name, const char *title, const kp_plot_marker_t *markers,
                         size_t n_markers, kp_err_t *err);

#endif
