/*
 * aws: signed HTTP calls to AWS-style APIs (KMS JSON, S3 REST) over libcurl.
 *
 * A kp_aws_t holds one endpoint, region, service and credentials. Every call
 * is signed with SigV4 (sigv4.h), bounded by a per-attempt timeout, and
 * retried with capped exponential backoff and jitter when the service
 * throttles (HTTP 429, 503, throttling error codes) or the connection fails;
 * non-retryable errors return at once. Error bodies — JSON ("__type" with
 * "prefix#" or ":suffix", "message" or "Message") and S3 XML (<Code>,
 * <Message>) — are normalised into kp_aws_error_t. Secrets given to
 * kp_aws_new are registered for redaction. Not thread-safe: one handle per
 * thread.
 */
#ifndef KP_AWS_H
#define KP_AWS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/kvlist.h"

typedef struct kp_aws_cfg {
        const char
            *endpoint; /* "https://kms.eu-west-1.amazonaws.com" or "http://127.0.0.1:4599/" */
        const char *region;
        const char *service; /* "kms", "s3" */
        const char *access_key_id;
        const char *secret_access_key;
        const char *session_token; /* NULL or "" for long-term credentials */
        int64_t timeout_ns;        /* per attempt; 0: 10 s */
        int max_attempts;          /* 0: 4 */
        int64_t backoff_base_ns;   /* 0: 100 ms */
        int64_t backoff_max_ns;    /* 0: 5 s */
        size_t max_body_bytes;     /* largest response body; 0: 64 MiB */
} kp_aws_cfg_t;

/* A normalised AWS error. code is the bare error name
 * ("DisabledException", "NoSuchKey", "KMS.DisabledException"). */
typedef struct kp_aws_error {
        long status; /* HTTP status; 0 for a transport failure */
        char code[128];
        char message[512];
        int throttled; /* the service asked us to slow down */
        int transport; /* no HTTP answer (connect, timeout) */
} kp_aws_error_t;

typedef struct kp_aws_resp {
        long status;
        kp_buf_t body;       /* release with kp_aws_resp_release */
        kp_kvlist_t headers; /* lower-case names */
        int attempts;
        int64_t duration_ns;
} kp_aws_resp_t;

typedef struct kp_aws kp_aws_t;

int kp_aws_new(const kp_aws_cfg_t *cfg, kp_aws_t **out, kp_err_t *err);
void kp_aws_free(kp_aws_t *aws);

/* Sends one request (path decoded, e.g. "/bucket/key"; query decoded).
 * Returns 0 when an HTTP answer arrived (any status: check resp->status and
 * kp_aws_last_error); -1 with err filled when none did after all attempts. */
int kp_aws_call(kp_aws_t *aws, const char *method, const char *path, const kp_kvlist_t *query,
                const kp_kvlist_t *headers, const void *body, size_t body_len, kp_aws_resp_t *resp,
                kp_err_t *err);

/* A KMS-style JSON API call: POST / with X-Amz-Target TARGET_PREFIX.OP.
 * Returns 0 on HTTP 200; -1 otherwise, err naming op and the normalised
 * error (KP_EUNSUPPORTED for operations the service does not implement). */
int kp_aws_json(kp_aws_t *aws, const char *target, const char *json_body, kp_buf_t *out,
                kp_err_t *err);

/* The error of the last call (status 0 and empty code after a success). */
const kp_aws_error_t *kp_aws_last_error(const kp_aws_t *aws);

void kp_aws_resp_init(kp_aws_resp_t *r);
void kp_aws_resp_release(kp_aws_resp_t *r);

/* Normalises an error answer (JSON or XML body, optional x-amzn-ErrorType
 * header value). */
void kp_aws_error_parse(long status, const char *body, size_t len, const char *error_type_header,
                        kp_aws_error_t *out);
/* True for error codes and statuses that mean "retry later". */
int kp_aws_error_is_throttling(const kp_aws_error_t *e);
/* True when the service says it does not implement the operation. */
int kp_aws_error_is_unsupported(const kp_aws_error_t *e);

/* Backoff before attempt n (1-based retry number), full jitter in
 * [0, min(max, base * 2^(n-1))]; rnd in [0, 1). */
int64_t kp_aws_backoff_ns(int retry, int64_t base_ns, int64_t max_ns, double rnd);

#endif
