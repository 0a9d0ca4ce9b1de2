/*
 * bundle: the signature of a run directory, following public standards so
 * an auditor needs nothing of kproof's to check it.
 *
 * statement.json is an in-toto Statement v1 whose subject lists every other
 * file of the run directory (relative path, sha256) and whose predicate
 * carries the run metadata, the checklist rows and every check's id, row and
 * verdict. evidence.dsse.json is a DSSE envelope around exactly those bytes:
 * payloadType application/vnd.in-toto+json, base64 payload, and an Ed25519
 * signature over the DSSE pre-authentication encoding
 *   "DSSEv1" SP len(type) SP type SP len(body) SP body
 * with keyid = the key's fingerprint. Its predicateType is
 * urn:kproof:evidence-bundle:v1 (before: https://kproof.dev/evidence-bundle/v1,
 * a domain kproof does not own; still accepted by verification).
 *
 * test-result.dsse.json is a second envelope of the same kind, signed by
 * the same key, around an in-toto test-result attestation
 * (https://in-toto.io/attestation/test-result/v0.1, src/sign/testresult.h) whose
 * subject is evidence.json and junit.xml. It is written first, so it is
 * itself a subject of statement.json. The three files are written last;
 * the envelopes are laid out one field per line so stock shell tools can
 * take them apart (docs/verify.md).
 */
#ifndef KP_BUNDLE_H
#define KP_BUNDLE_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"
#include "sign/sign.h"

#define KP_STATEMENT_FILE "statement.json"
#define KP_ENVELOPE_FILE  "evidence.dsse.json"
#define KP_PAYLOAD_TYPE   "application/vnd.in-toto+json"
#define KP_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define KP_PREDICATE_TYPE "urn:kproof:evidence-bundle:v1"
/* The predicateType of run directories signed before the test-result
 * attestation existed; they verify without one. */
#define KP_PREDICATE_TYPE_LEGACY "https://kproof.dev/evidence-bundle/v1"
#define KP_TESTRESULT_FILE       "test-result.dsse.json"

/* A report the run tried to render, recorded in the predicate so a missing
 * one is explained inside the signed statement. */
typedef struct kp_bundle_report {
        const char *name; /* e.g. "report.pdf" */
        int rendered;
        const char *reason; /* why not, when !rendered */
} kp_bundle_report_t;

/* Appends the DSSE pre-authentication encoding of (type, body) to out. */
int kp_dsse_pae(const char *type, const void *body, size_t len, kp_buf_t *out);

/* Writes test-result.dsse.json, then statement.json and evidence.dsse.json
 * into run_dir, replacing earlier ones. key must hold a private key. */
int kp_bundle_sign(const char *run_dir, const kp_key_t *key, const kp_bundle_report_t *reports,
                   size_t n_reports, kp_err_t *err);

/* Receives each problem found, naming the file it concerns. */
typedef void (*kp_bundle_problem_fn)(void *opaque, const char *file, const char *msg);

typedef struct kp_bundle_result {
        int problems;                   /* how many problems were reported */
        int signed_dir;                 /* an envelope was found and parsed */
        int signature_ok;               /* verified by one of the trusted keys */
        int embedded_key_ok;            /* verified by the key the statement names (not trusted) */
        char keyid[160];                /* keyid of the envelope's first signature */
        char trusted_fp[KP_SHA256_HEX]; /* the trusted key that verified */
        size_t n_subjects;
        char *predicate_json;   /* the statement's predicate, or NULL; free() it */
        char *test_result_json; /* the test-result attestation's predicate, or NULL */
} kp_bundle_result_t;

/* Checks run_dir against the trusted public keys: the envelope's signature,
 * that statement.json is the signed payload, every subject's digest, that
 * no file was added or removed, and the test-result attestation: signed by
 * the key that signed the envelope, subject exactly evidence.json and
 * junit.xml with their digests, predicate as evidence.json says (missing:
 * a problem, unless the statement has the legacy predicateType). Each problem goes to fn. Returns 0
 * when the check ran (res->problems says whether it held), -1 when run_dir
 * is not a directory. Release res with kp_bundle_result_release(). */
int kp_bundle_verify(const char *run_dir, const kp_key_t *const *trusted, size_t n_trusted,
                     kp_bundle_problem_fn fn, void *opaque, kp_bundle_result_t *res, kp_err_t *err);
void kp_bundle_result_release(kp_bundle_result_t *res);

#endif
