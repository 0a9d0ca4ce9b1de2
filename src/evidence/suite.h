/*
 * suite: how a suite describes itself to the core.
 *
 * A suite is a named group of checks, each mapped to one checklist row, plus
 * the gates it understands (a gate compares one measurement of one check with
 * a threshold from the scenario) and hooks to validate its own scenario keys
 * and to set up and tear down what its checks share. The core runs suites as
 * cmocka groups (runner.h) and validates scenarios against the catalog the
 * CLI hands it; the core itself names no suite.
 */
#ifndef KP_SUITE_H
#define KP_SUITE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "config/config.h"
#include "util/err.h"
#include "config/jsonv.h"

typedef struct kp_ctx kp_ctx_t;
typedef struct kp_check kp_check_t;

/* A check body: measures, records evidence and sets exactly one verdict on c
 * (kp_check_pass/fail/skip/error in evidence.h). */
typedef void (*kp_check_fn)(kp_ctx_t *ctx, kp_check_t *c);

#define KP_CHECK_MAX_NEEDS 4

/* A check as the catalog lists it. Tables use designated initializers; every
 * field but id, row, title and fn may be left out. */
typedef struct kp_check_def {
        const char *id;    /* unique across suites, e.g. "semantics.round-trip" */
        const char *row;   /* checklist row id, e.g. "kafka-semantics" */
        const char *title; /* one line for people */
        kp_check_fn fn;
        /* Check ids (same suite) whose results this check uses; when one of them
         * did not end in pass/fail the runner does not run this check: `skip` when
         * it skipped, `error` when it was not run or ended in error. */
        const char *needs[KP_CHECK_MAX_NEEDS];
        /* What makes the check pass, fail, skip and error, one sentence each
         * (shown by `kproof list` and in docs/). */
        const char *pass_when;
        const char *fail_when;
        const char *skip_when;
        const char *error_when;
        /* The file holding the check body, from the repository root, e.g.
         * "suites/semantics/round-trip.c" (shown by `kproof list`). */
        const char *source;
} kp_check_def_t;

typedef enum kp_gate_op {
        KP_GATE_AT_MOST = 0, /* observed <= threshold */
        KP_GATE_AT_LEAST,    /* observed >= threshold */
} kp_gate_op_t;

typedef struct kp_gate_def {
        const char *name;        /* scenario key under "gates" */
        const char *check;       /* check id whose measurement is compared */
        const char *measurement; /* measurement name in that check */
        kp_gate_op_t op;
        const char *unit;
        const char *description;
        double default_threshold; /* applied when the scenario sets none */
        int has_default;
} kp_gate_def_t;

typedef struct kp_suite_def {
        const char *name;
        const char *title;
        const kp_check_def_t *checks;
        size_t n_checks;
        const kp_gate_def_t *gates;
        size_t n_gates;
        /* Adjusts the core workload defaults before the scenario is read. */
        void (*workload_defaults)(kp_workload_cfg_t *w);
        /* Reads the suite's own keys of a scenario entry into cfg->options
         * (optional). Must ask for every key it accepts (kp_jv_field etc.). */
        int (*parse)(kp_jv_t *jv, const cJSON *entry, kp_suite_cfg_t *cfg);
        /* Checks the suite's entry (scn->suites[index]) against the target of
         * the run before anything starts (optional): a KP_EINVAL error naming
         * the scenario file and JSON path makes the run exit 2. */
        int (*check_target)(const kp_scenario_t *scn, size_t index, const kp_target_t *t,
                            kp_err_t *err);
        /* Shared state for the group: set ctx->suite_state (optional). A
         * failing setup makes every check of the group `error`. */
        int (*setup)(kp_ctx_t *ctx, kp_err_t *err);
        void (*teardown)(kp_ctx_t *ctx);
} kp_suite_def_t;

typedef struct kp_suite_catalog {
        const kp_suite_def_t *const *suites;
        size_t n;
} kp_suite_catalog_t;

const kp_suite_def_t *kp_suite_find(const kp_suite_catalog_t *cat, const char *name);
const kp_check_def_t *kp_suite_check(const kp_suite_def_t *s, const char *check_id);
const kp_gate_def_t *kp_suite_gate(const kp_suite_def_t *s, const char *gate_name);

#endif
