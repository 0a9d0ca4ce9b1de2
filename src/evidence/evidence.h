/*
 * evidence: the result of a run as it is built, and its serialisation to
 * evidence.json — the single source every renderer reads.
 *
 * A run holds metadata, one record per check (verdict, reason, measurements,
 * anomalies, tables, notes, control actions, artifacts) and the gates that
 * were evaluated. Row states, the summary and the exit code are derived here
 * by the rules of verdict.h, once, so no renderer ever computes a verdict.
 * All text is redacted when written. Not thread-safe: checks record from the
 * thread running them.
 */
#ifndef KP_EVIDENCE_H
#define KP_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/control.h"
#include "util/err.h"
#include "util/kvlist.h"
#include "evidence/verdict.h"

#define KP_EVIDENCE_SCHEMA_VERSION 1

struct cJSON;

typedef struct kp_evidence kp_evidence_t;
typedef struct kp_check kp_check_t;
typedef struct kp_anomaly kp_anomaly_t;
typedef struct kp_table kp_table_t;

typedef struct kp_run_meta {
        const char *run_id;
        const char *scenario_path;
        const char *scenario_name;
        const char *scenario_sha256;
        const char *target_path;
        const char *target_name;
        const char *target_sha256;
        const char *control_type;
        const char *command_line;
        int64_t started_wall_ns;
        int allow_all_skipped; /* scenario: an all-skip run or row is acceptable */
} kp_run_meta_t;

kp_evidence_t *kp_evidence_new(const kp_run_meta_t *meta);
/* Re-opens a checkpoint written by kp_evidence_write (the supervisor, after
 * the run's process died): the run's metadata and every ended check; a check
 * that had begun but not ended is dropped. NULL with err set on failure. */
kp_evidence_t *kp_evidence_load(const char *path, kp_err_t *err);
void kp_evidence_free(kp_evidence_t *ev);

/* Client properties in effect (values of sensitive keys are masked). */
void kp_evidence_client_props(kp_evidence_t *ev, const kp_kvlist_t *props);
/* The effective client configuration of one suite's workload clients: its
 * profile and the producer and consumer properties (target properties,
 * the profile's, the scenario's overrides) as run.client_config[]; values of
 * sensitive keys are masked. One entry per call, in call order. */
void kp_evidence_suite_client(kp_evidence_t *ev, const char *suite, const char *profile,
                              const kp_kvlist_t *producer, const kp_kvlist_t *consumer);
/* A structured run-level record, e.g. "platform" (identity.h); takes
 * ownership of value (a cJSON item). */
void kp_evidence_run_json(kp_evidence_t *ev, const char *key, struct cJSON *value);
/* A free-form run-level fact, e.g. "bootstrap" or "platform". */
void kp_evidence_run_fact(kp_evidence_t *ev, const char *key, const char *value);
/* The scenario's control mapping (row or check id -> space-separated
 * control ids) as run.scenario.controls: {id: [control ids]}. */
void kp_evidence_run_controls(kp_evidence_t *ev, const kp_kvlist_t *controls);

/* Opens a check record; it stays owned by ev. */
kp_check_t *kp_evidence_check_begin(kp_evidence_t *ev, const char *id, const char *row,
                                    const char *suite, const char *title);
/* Closes it: duration, and `error` when the check set no verdict. */
void kp_evidence_check_end(kp_evidence_t *ev, kp_check_t *c);

/* The check recorded under this id (ended or not), or NULL. */
kp_check_t *kp_evidence_find_check(const kp_evidence_t *ev, const char *id);

/* Verdicts: the most severe wins (error > fail > skip > pass); the reason of
 * the winning verdict is kept (kp_verdict_replaces). */
void kp_check_pass(kp_check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kp_check_fail(kp_check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kp_check_skip(kp_check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kp_check_error(kp_check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The check's one-line answer to its row's question, built from what it
 * measured ("writes stopped 1.2 s after the key was disabled"): set where
 * the numbers are known, shown on the report's first page for a check that
 * passed (a failed one shows its reason). The last call wins; a check
 * without one is summarised by its reason. */
void kp_check_answer(kp_check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The answer set so far ("" when none). */
const char *kp_check_answer_text(const kp_check_t *c);
kp_verdict_t kp_check_verdict(const kp_check_t *c);
const char *kp_check_reason(const kp_check_t *c);
const char *kp_check_id(const kp_check_t *c);

void kp_check_measure(kp_check_t *c, const char *name, double value, const char *unit);
/* With labels (partition, fault, phase, ...) and an optional formula text. */
void kp_check_measure_ex(kp_check_t *c, const char *name, double value, const char *unit,
                         const kp_kvlist_t *labels, const char *formula);
/* The first unlabelled measurement called name; 0 when found. */
int kp_check_measurement(const kp_check_t *c, const char *name, double *value);
/* Records which way each measurement is better ("better": "lower", "higher"
 * or "none"), as better(name, arg) answers; NULL leaves the field out. */
void kp_check_mark_better(kp_check_t *c, const char *(*better)(const char *name, const void *arg),
                          const void *arg);

void kp_check_note(kp_check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

kp_anomaly_t *kp_check_anomaly(kp_check_t *c, const char *kind, uint64_t count, int allowed,
                               const char *description);
void kp_anomaly_example(kp_anomaly_t *a, int32_t partition, int64_t offset, int producer,
                        int64_t seq, const char *detail);

kp_table_t *kp_check_table(kp_check_t *c, const char *title, const char *const *columns,
                           size_t n_columns);
void kp_table_row(kp_table_t *t, const char *const *cells);

/* A file of the run directory produced by this check (relative path). */
void kp_check_artifact(kp_check_t *c, const char *path, const char *kind, const char *title);
/* A control action performed for this check. */
void kp_check_action(kp_check_t *c, const kp_ctl_req_t *req, const kp_ctl_res_t *res,
                     const kp_err_t *err);

/* A gate: observed NAN means "not evaluated" (passed is then ignored), and
 * such a gate keeps the run from exit 0. */
void kp_evidence_gate(kp_evidence_t *ev, const char *check_id, const char *name, const char *op,
                      double threshold, double observed, const char *unit, int passed,
                      const char *note);
/* A gate that was not evaluated; blocking as kp_verdict_gate_blocks says. */
void kp_evidence_gate_not_evaluated(kp_evidence_t *ev, const char *check_id, const char *name,
                                    const char *op, double threshold, const char *unit,
                                    const char *note, int blocking);

typedef struct kp_evidence_summary {
        kp_run_verdict_t verdict; /* kp_verdict_run */
        int checks, pass, fail, skip, error;
        int gates, gates_missed, gates_not_evaluated;
        int gates_not_evaluated_blocking; /* of those, the ones that keep exit 0 away */
        int rows_skipped;                 /* rows whose checks all skipped */
        int nothing_verified;             /* no check passed */
        int exit_code;
} kp_evidence_summary_t;

/* Derives the summary and exit code from checks and gates. */
void kp_evidence_summarize(const kp_evidence_t *ev, kp_evidence_summary_t *s);

/* Marks the run incomplete whatever kp_evidence_finish is told later (a
 * suite that could not run, a crash); the first reason is kept. */
void kp_evidence_mark_incomplete(kp_evidence_t *ev, const char *reason);
/* Marks the run finished (complete = 0 for an interrupted run). The run is
 * complete only if complete is 1 and nothing marked it incomplete. */
void kp_evidence_finish(kp_evidence_t *ev, int complete, const char *incomplete_reason);
/* Whether the finished run is complete. */
int kp_evidence_complete(const kp_evidence_t *ev);
/* Writes evidence.json. */
int kp_evidence_write(kp_evidence_t *ev, const char *path, kp_err_t *err);

#endif
