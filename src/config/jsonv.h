/*
 * jsonv: strict reading of kproof's JSON input files (scenarios, targets,
 * price sheets) with errors that name the file, the JSON path and what was
 * expected, e.g.
 *   scenarios/x.json: $.suites[1].workload.rate: expected a positive number, got "fast"
 *
 * A kp_jv_t walks one parsed document. Getters record each key they ask for,
 * so kp_jv_no_unknown() can reject keys nobody asked for and list the ones
 * that are allowed. String values go through ${env:NAME} expansion; values
 * read that way are registered as secrets. The jv borrows the document and
 * the error struct; release it with kp_jv_release().
 *
 * Getters return 1 when the key was present and valid, 0 when it was absent
 * and not required (the output is left untouched, so preset defaults stay),
 * and -1 after filling the error.
 */
#ifndef KP_JSONV_H
#define KP_JSONV_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util/err.h"

typedef struct kp_jv_ask {
        const cJSON *obj;
        const char *key;
} kp_jv_ask_t;

typedef struct kp_jv {
        const char *file;
        kp_err_t *err;
        char path[1024];
        size_t path_len;
        kp_jv_ask_t *asked;
        size_t n_asked, cap_asked;
} kp_jv_t;

/* Deepest nesting of arrays and objects an input file may have. */
#define KP_JV_MAX_DEPTH 64

/* Parses a JSON file (at most limit bytes) into *root (free with
 * cJSON_Delete). Syntax errors name the line and column; a string that is
 * not valid UTF-8 or holds \u0000, and nesting deeper than KP_JV_MAX_DEPTH,
 * are errors naming the JSON path. Only regular files are read. */
int kp_jv_load_file(const char *path, size_t limit, cJSON **root, kp_err_t *err);

void kp_jv_init(kp_jv_t *jv, const char *file, kp_err_t *err);
void kp_jv_release(kp_jv_t *jv);

/* Path bookkeeping: push returns a mark to pop back to. */
size_t kp_jv_push_key(kp_jv_t *jv, const char *key);
size_t kp_jv_push_index(kp_jv_t *jv, size_t index);
void kp_jv_pop(kp_jv_t *jv, size_t mark);

/* Fails at the current path: "file: $.path: message". Returns -1. */
int kp_jv_fail(kp_jv_t *jv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fails at path.key. */
int kp_jv_fail_at(kp_jv_t *jv, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "expected X, got Y" at path.key, describing the offending value. */
int kp_jv_expected(kp_jv_t *jv, const char *key, const cJSON *got, const char *what);

/* Describes a value for messages: "fast" (quoted), 12, true, an object. */
void kp_jv_describe(const cJSON *v, char *out, size_t size);

/* The member `key` of obj (recorded as asked), or NULL when absent. */
const cJSON *kp_jv_field(kp_jv_t *jv, const cJSON *obj, const char *key);
/* Records key as allowed without reading it. */
void kp_jv_allow(kp_jv_t *jv, const cJSON *obj, const char *key);
/* Rejects members of obj that no getter asked for, and duplicate keys. */
int kp_jv_no_unknown(kp_jv_t *jv, const cJSON *obj);

/* Accepts an optional "$schema" member of obj: a string naming the JSON
 * Schema that editors read for completion (schemas/); kproof does not read
 * the schema itself. Returns 0, or -1 when the value is not a string. */
int kp_jv_schema_ref(kp_jv_t *jv, const cJSON *obj);

/* Checks the node at the current path is an object. */
int kp_jv_is_object(kp_jv_t *jv, const cJSON *node);

int kp_jv_object(kp_jv_t *jv, const cJSON *obj, const char *key, int required, const cJSON **out);
int kp_jv_array(kp_jv_t *jv, const cJSON *obj, const char *key, int required, size_t min_items,
                const cJSON **out);
/* *out is malloc'ed (free with free()); any previous value is freed. */
int kp_jv_string(kp_jv_t *jv, const cJSON *obj, const char *key, int required, char **out);
int kp_jv_int(kp_jv_t *jv, const cJSON *obj, const char *key, int required, int64_t min,
              int64_t max, int64_t *out);
/* A number in [min, max]; with positive set, min is exclusive and the
 * message says "a positive number". */
int kp_jv_number(kp_jv_t *jv, const cJSON *obj, const char *key, int required, double min,
                 double max, int positive, double *out);
int kp_jv_bool(kp_jv_t *jv, const cJSON *obj, const char *key, int required, int *out);
int kp_jv_duration(kp_jv_t *jv, const cJSON *obj, const char *key, int required, int64_t min_ns,
                   int64_t max_ns, int64_t *out);
/* One of names[0..n) (NULL-terminated list); *out is the index. */
int kp_jv_enum(kp_jv_t *jv, const cJSON *obj, const char *key, int required,
               const char *const *names, int *out);

/* Expands ${env:NAME} in raw into a malloc'ed string, registering each value
 * read as a secret. `key` names the field for messages (may be NULL when the
 * current path already points at the value). */
int kp_jv_expand(kp_jv_t *jv, const char *key, const char *raw, char **out);

/* Reads a string, number or boolean as a string (client properties). */
int kp_jv_scalar_string(kp_jv_t *jv, const cJSON *obj, const char *key, char **out);

#endif
