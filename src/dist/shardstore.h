/*
 * shardstore: where distributed-load workers put their shard results and the
 * plan, and where the coordinator (or `kproof merge`) reads them.
 *
 * A store is named by a URL: a directory path (local, or a shared volume
 * mounted by every worker) or s3://bucket/prefix, reached through kproof's
 * own SigV4 client (aws.h) with the endpoint, region and credentials of the
 * environment (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). Objects are whole blobs: put
 * replaces atomically (rename in a directory, one PUT in S3). Objects read
 * from S3 are limited to the client's response limit (64 MiB).
 */
#ifndef KP_SHARDSTORE_H
#define KP_SHARDSTORE_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

typedef struct kp_shardstore kp_shardstore_t;

int kp_shardstore_open(const char *url, kp_shardstore_t **out, kp_err_t *err);
void kp_shardstore_close(kp_shardstore_t *st);
const char *kp_shardstore_url(const kp_shardstore_t *st);

int kp_shardstore_put(kp_shardstore_t *st, const char *name, const void *data, size_t len,
                      kp_err_t *err);
/* Appends the object to out. Returns 0, 1 when there is no such object, -1
 * on an error. */
int kp_shardstore_get(kp_shardstore_t *st, const char *name, kp_buf_t *out, kp_err_t *err);
int kp_shardstore_delete(kp_shardstore_t *st, const char *name, kp_err_t *err);

#endif
