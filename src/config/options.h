/*
 * options: a suite's scenario options, declared by a table.
 *
 * Each suite entry of a scenario may carry one "options" object. The suite
 * describes the keys it takes with a table of kp_option_def_t (name, type,
 * range, default, help); the scenario loader validates the object against
 * that table (errors name the file and the JSON path, e.g.
 * $.suites[1].options.messages), fills in the defaults, and frees the values
 * with the scenario. `kproof list` prints the tables. Suites read the values
 * through the typed getters below; a name that is not in the table is a bug
 * (the getters stop the process).
 */
#ifndef KP_OPTIONS_H
#define KP_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config/jsonv.h"

typedef enum kp_option_type {
        KP_OPTION_BOOL = 0,
        KP_OPTION_INT,      /* integer in [lo, hi] */
        KP_OPTION_DOUBLE,   /* number in [dlo, dhi] (dlo exclusive when positive) */
        KP_OPTION_DURATION, /* "30s"-style string, ns in [lo, hi] */
        KP_OPTION_STRING,   /* any string; with path set, relative to the scenario's folder */
        KP_OPTION_ENUM,     /* one of choices; the value is its index */
        KP_OPTION_LIST,     /* array of at least lo strings, each one of choices if given */
} kp_option_type_t;

/* One option. Tables use designated initializers; name, type and help are
 * required, the rest as the type needs. */
typedef struct kp_option_def {
        const char *name;
        kp_option_type_t type;
        int64_t lo, hi;             /* int and duration (ns) range; list: least items */
        double dlo, dhi;            /* double range */
        int positive;               /* double: dlo is exclusive */
        int required;               /* the scenario must set it */
        int64_t def;                /* default of bool (0/1), int, duration (ns), enum (index) */
        double ddef;                /* default of double */
        const char *sdef;           /* default of string (NULL: unset) */
        const char *const *choices; /* enum and list: allowed names (NULL-terminated) */
        const char *what;           /* list items, for messages: "a topic name", "anomaly" */
        int path;                   /* string: a file path, resolved against the scenario */
        const char *help;           /* one line for people (kproof list) */
} kp_option_def_t;

typedef struct kp_option_val {
        int set; /* given by the scenario */
        int64_t i;
        double d;
        char *s;
        char **list;
        size_t n;
} kp_option_val_t;

/* A suite entry's option values; v == NULL means every option has its default. */
typedef struct kp_options {
        const kp_option_def_t *defs;
        size_t n;
        kp_option_val_t *v;
} kp_options_t;

/* Reads the "options" object of a suite entry (jv's path points at the
 * entry) into *out: checks each key against defs (unknown keys, types,
 * ranges, required ones), then reads the keys still found at their old
 * place, `legacy` ("" for the entry itself, or the name of an object of the
 * entry; NULL: none), each with a warning on stderr naming its old and new
 * JSON path; a key set at both places is an error. Then calls check (may be
 * NULL) with jv's path at "options". An entry of a suite without options
 * may not have "options" (unknown key). Returns 0 or -1 with jv's error set;
 * *out is set up in both cases (release it). */
int kp_options_parse(kp_jv_t *jv, const cJSON *entry, const kp_option_def_t *defs, size_t n,
                     const char *legacy, int (*check)(kp_jv_t *jv, const kp_options_t *o),
                     kp_options_t *out);
void kp_options_release(kp_options_t *o);

/* Typed getters: the scenario's value or the default. o may be NULL only
 * when defs are given through kp_options_defaults(). */
int kp_option_bool(const kp_options_t *o, const char *name);
int64_t kp_option_int(const kp_options_t *o, const char *name);
double kp_option_double(const kp_options_t *o, const char *name);
int64_t kp_option_duration(const kp_options_t *o, const char *name);
const char *kp_option_string(const kp_options_t *o, const char *name); /* NULL: unset */
int kp_option_enum(const kp_options_t *o, const char *name);
/* The list (NULL when unset: *n is then 0). */
char *const *kp_option_list(const kp_options_t *o, const char *name, size_t *n);
/* Whether the scenario set the option. */
int kp_option_is_set(const kp_options_t *o, const char *name);

/* Options with every value at its default (no allocation). */
kp_options_t kp_options_defaults(const kp_option_def_t *defs, size_t n);

/* For kproof list: the type name ("bool", "int", "number", "duration",
 * "string", "enum", "list") and the default and range as text ("" when none). */
const char *kp_option_type_name(kp_option_type_t t);
void kp_option_default_text(const kp_option_def_t *d, char *out, size_t size);
void kp_option_range_text(const kp_option_def_t *d, char *out, size_t size);

#endif
