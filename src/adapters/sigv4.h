/*
 * sigv4: AWS Signature Version 4 (HMAC-SHA256 over a canonical request),
 * computed with OpenSSL's libcrypto. Used by every AWS-speaking adapter (KMS
 * JSON API, S3 REST API).
 *
 * The signer is a pure function of its inputs — no clock, no network — so it
 * is tested against AWS's published test-suite vectors. Callers pass the
 * decoded query parameters and the headers they will send; the signer
 * returns the Authorization header value and, for callers that build the
 * URL, the canonical (sorted, percent-encoded) query string they must send.
 */
#ifndef KP_SIGV4_H
#define KP_SIGV4_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/kvlist.h"

typedef struct kp_sigv4_creds {
        const char *access_key_id;
        const char *secret_access_key;
        const char *session_token; /* NULL: long-term credentials */
} kp_sigv4_creds_t;

typedef struct kp_sigv4_req {
        const char *method;         /* "GET", "POST", ... */
        const char *path;           /* decoded path, "/" or "/bucket/key" */
        const kp_kvlist_t *query;   /* decoded query parameters (may be NULL) */
        const kp_kvlist_t *headers; /* every header that is signed, "host" included */
        const char *payload_sha256; /* hex SHA-256 of the body */
        const char *region;
        const char *service;  /* "kms", "s3" */
        const char *amz_date; /* "20150830T123600Z" */
        int s3_path;          /* S3: encode path segments once (others: twice) */
} kp_sigv4_req_t;

/* Percent-encodes s with the SigV4 rules (unreserved A-Z a-z 0-9 - _ . ~
 * kept; "/" kept when keep_slash) and appends it to out. */
int kp_sigv4_uri_encode(kp_buf_t *out, const char *s, int keep_slash);

/* The canonical query string (keys and values encoded, sorted). */
int kp_sigv4_canonical_query(const kp_kvlist_t *query, kp_buf_t *out);

/* Fills what is not NULL: the canonical request, the string to sign and
 * the Authorization header value. */
int kp_sigv4_sign(const kp_sigv4_req_t *req, const kp_sigv4_creds_t *creds, kp_buf_t *creq,
                  kp_buf_t *sts, kp_buf_t *authorization, kp_err_t *err);

/* The signing key HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region),
 * service), "aws4_request") as 64 hex characters. */
void kp_sigv4_signing_key_hex(const char *secret, const char *date8, const char *region,
                              const char *service, char out[65]);

/* "20150830T123600Z" for a wall-clock time in nanoseconds (needs 17 bytes). */
void kp_sigv4_amz_date(long long wall_ns, char out[17]);

#endif
