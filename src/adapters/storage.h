/*
 * storage: at-rest inspection of where a platform keeps its durable bytes.
 *
 * Adapters: `dir` scans the log segments of a topic in every broker log
 * directory the target names (directories "<topic>-<partition>"), and `s3`
 * lists the objects under a bucket prefix (ListObjectsV2), reads their
 * server-side-encryption headers (HeadObject) and scans their bodies
 * (GetObject) — all SigV4-signed through aws.h. Both look for canary tokens:
 * byte strings of equal length that share a prefix, so one pass over the
 * data finds all of them. Reads are bounded by the target's max_scan_bytes.
 */
#ifndef KP_STORAGE_H
#define KP_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/err.h"

#define KP_STORAGE_MAX_EXAMPLES 8
#define KP_STORAGE_MAX_OBJECTS  64

typedef struct kp_storage kp_storage_t;

typedef struct kp_storage_hit {
        char where[1024]; /* file path or s3://bucket/key */
        uint64_t offset;
        size_t token; /* index of the canary found */
} kp_storage_hit_t;

typedef struct kp_storage_object {
        char key[512];
        uint64_t size;
        char sse[32]; /* x-amz-server-side-encryption: "aws:kms", "AES256", "" */
        char kms_key[256];
        int key_matches; /* -1 not checked, 0 no, 1 yes */
} kp_storage_object_t;

typedef struct kp_storage_scan {
        uint64_t units;       /* files (dir) or objects (s3) read */
        uint64_t bytes;       /* bytes read */
        int truncated;        /* max_scan_bytes reached */
        uint32_t *token_hits; /* caller-owned array, one counter per token */
        uint64_t hits;        /* occurrences of any token */
        kp_storage_hit_t examples[KP_STORAGE_MAX_EXAMPLES];
        size_t n_examples;
        /* s3 only */
        uint64_t objects, sse_kms, sse_other, unencrypted, wrong_key;
        int listing_truncated;      /* ListObjectsV2 still had pages when the scan stopped */
        int64_t newest_object_unix; /* latest LastModified listed (s, UTC); 0: none */
        kp_storage_object_t object_list[KP_STORAGE_MAX_OBJECTS];
        size_t n_object_list;
        char location[1024]; /* what was scanned, for people */
} kp_storage_scan_t;

/* Creates the adapter for the target's storage section (dir or s3). */
int kp_storage_new(const kp_target_t *t, kp_storage_t **out, kp_err_t *err);
void kp_storage_free(kp_storage_t *st);

struct kp_aws;
/* A signed S3 client for the storage section's endpoint (default
 * https://s3.<region>.amazonaws.com), region and credentials; max_attempts 0
 * keeps the client's default. Free with kp_aws_free(). */
int kp_storage_s3_client(const kp_storage_cfg_t *cfg, int max_attempts, struct kp_aws **out,
                         kp_err_t *err);
const char *kp_storage_type(const kp_storage_t *st);

/* Scans the durable bytes of topic (dir) or the bucket prefix (s3) for the
 * tokens. res->token_hits must point to n_tokens zeroed counters. */
int kp_storage_scan(kp_storage_t *st, const char *topic, const char *const *tokens, size_t n_tokens,
                    kp_storage_scan_t *res, kp_err_t *err);

/* The multi-token matcher both adapters use: feeds data in chunks (any
 * size); matches spanning chunk boundaries are found. */
typedef struct kp_tokscan kp_tokscan_t;
int kp_tokscan_new(const char *const *tokens, size_t n, kp_tokscan_t **out, kp_err_t *err);
void kp_tokscan_free(kp_tokscan_t *ts);
/* Starts a new stream (file/object) named where. */
void kp_tokscan_begin(kp_tokscan_t *ts, const char *where);
void kp_tokscan_feed(kp_tokscan_t *ts, const void *data, size_t len, kp_storage_scan_t *res);

#endif
