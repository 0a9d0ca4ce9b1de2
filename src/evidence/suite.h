/*
 * suite: how a suite describes itself to the core.
 *
 * A suite is a named group of checks, each mapped to one checklist row, plus
 * the gates it understands (a gate compares one measurement of one check with
 * a threshold from the scenario), a table of its scenario options, and hooks
 * to check the entry before a run and to set up and tear down what its
 * checks share. The core runs suites as cmocka groups (runner.h) and
 * validates scenarios against the catalog the CLI hands it; the core itself
 * names no suite.
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

/* Which way a measurement is better: what the comparison page marks as the
 * best value, recorded with each measurement in evidence.json ("better"). */
typedef enum kp_better {
        KP_BETTER_NONE = 0, /* a count or setting, neither way is better */
        KP_BETTER_LOWER,
        KP_BETTER_HIGHER,
} kp_better_t;

/* A measurement the suite's checks record. name may hold fnmatch(3)
 * wildcards for a family of names built at run time ("cost_*_usd_month");
 * an exact name is preferred over a pattern. A gated measurement is declared
 * with the gate's direction (at most: lower, at least: higher). */
typedef struct kp_measure_def {
        const char *name;
        const char *unit;
        kp_better_t better;
} kp_measure_def_t;

typedef struct kp_suite_def {
        const char *name;
        const char *title;
        const kp_check_def_t *checks;
        size_t n_checks;
        const kp_gate_def_t *gates;
        size_t n_gates;
        /* Adjusts the core workload defaults before the scenario is read. */
        void (*workload_defaults)(kp_workload_cfg_t *w);
        /* Checks the suite's entry (scn->suites[index]) against the target of
         * the run before anything starts (optional): a KP_EINVAL error naming
         * the scenario file and JSON path makes the run exit 2. */
        int (*check_target)(const kp_scenario_t *scn, size_t index, const kp_target_t *t,
                            kp_err_t *err);
        /* Shared state for the group: set ctx->suite_state (optional). A
         * failing setup makes every check of the group `error`. */
        int (*setup)(kp_ctx_t *ctx, kp_err_t *err);
        void (*teardown)(kp_ctx_t *ctx);
        /* The measurements its checks record, with the direction that is better. */
        const kp_measure_def_t *measurements;
        size_t n_measurements;
        /* Scenario options: the keys of the entry's "options" object
         * (config/options.h); the loader validates them and fills defaults. */
        const kp_option_def_t *options;
        size_t n_options;
        /* Where the keys were before "options", read with a deprecation
         * warning for one release: "" for the entry itself, or the name of an
         * object of the entry (e.g. "failover"); NULL: nowhere. */
        const char *options_legacy;
        /* Checks the options as a whole after the table did (optional): jv's
         * path points at the "options" object, errors use kp_jv_fail_at. */
        int (*check_options)(kp_jv_t *jv, const kp_options_t *o);
        /* Safety check of the entry (scn->suites[index]) before anything
         * starts, for every entry the run selects (optional): e.g. a real
         * key may be revoked only with an explicit flag. An error makes the
         * run exit with its code. */
        int (*preflight)(const kp_scenario_t *scn, size_t index, const kp_target_t *t,
                         kp_err_t *err);
} kp_suite_def_t;

typedef struct kp_suite_catalog {
        const kp_suite_def_t *const *suites;
        size_t n;
} kp_suite_catalog_t;

const kp_suite_def_t *kp_suite_find(const kp_suite_catalog_t *cat, const char *name);
const kp_check_def_t *kp_suite_check(const kp_suite_def_t *s, const char *check_id);
const kp_gate_def_t *kp_suite_gate(const kp_suite_def_t *s, const char *gate_name);
/* The declaration of a measurement name (exact, else the first matching
 * pattern); NULL when the suite declares none. */
const kp_measure_def_t *kp_suite_measure(const kp_suite_def_t *s, const char *name);
/* "lower", "higher" or "none". */
const char *kp_better_name(kp_better_t b);

#endif
