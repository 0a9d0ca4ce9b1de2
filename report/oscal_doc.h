/*
 * oscal_doc: the building blocks of assessment-results.json (report_oscal.c).
 */
#ifndef KP_OSCAL_DOC_H
#define KP_OSCAL_DOC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/digest.h"

/* The namespace of kproof's name-based UUIDs (a fixed random UUID). */
#define KP_OSCAL_NS "3f0b8a52-6c1d-4e7a-9b2f-51d7c8e4a906"
/* The namespace of kproof's own property names. */
#define KP_PROP_NS       "urn:kproof:oscal"
#define KP_OSCAL_MAX_RES 512

typedef struct kp_oscal_res {
        char path[512];
        char uuid[KP_UUID_STR];
} kp_oscal_res_t;

/* The document being built: the run id and its back-matter resources. */
typedef struct kp_oscal {
        const char *run_id;
        kp_oscal_res_t res[KP_OSCAL_MAX_RES];
        size_t n_res;
        cJSON *resources;
} kp_oscal_t;

/* A version 5 UUID over the run id, kind and id (the same evidence gives the
 * same document). */
void kp_oscal_uuid(const kp_oscal_t *o, const char *kind, const char *id, char out[KP_UUID_STR]);
/* OSCAL strings, tokens and markup lines are one line without surrounding
 * white space; an empty value becomes dflt. */
void kp_oscal_line(const char *s, const char *dflt, char *out, size_t size);
void kp_oscal_add_line(cJSON *obj, const char *key, const char *s, const char *dflt);
/* A kproof property (namespace KP_PROP_NS); an empty value adds none. */
void kp_oscal_add_prop(cJSON *props, const char *name, const char *value);
/* Adds a back-matter resource for path (relative to the run directory),
 * found in dir, with its sha256; returns its UUID, or NULL when the file is
 * missing or not a plain relative path. */
const char *kp_oscal_resource(kp_oscal_t *o, const char *dir, const char *path,
                              const char *description);
void kp_oscal_evidence_ref(cJSON *arr, const char *uuid, const char *description);
/* Row verdict -> status reason token: "PASS" -> "pass", "NOT TESTED" ->
 * "not-tested". */
void kp_oscal_reason_token(const char *verdict, char *out, size_t size);

#endif
