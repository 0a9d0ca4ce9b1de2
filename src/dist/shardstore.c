#include "dist/shardstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapters/aws.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

struct kp_shardstore {
        char url[1024];
        char dir[1024]; /* directory store */
        kp_aws_t *aws;  /* s3 store */
        char bucket[256];
        char prefix[512];
};

static const char *env_or(const char *name, const char *dflt)
{
        const char *v = getenv(name);

        return v && *v ? v : dflt;
}

static int open_s3(kp_shardstore_t *st, const char *rest, kp_err_t *err)
{
        const char *slash = strchr(rest, '/');
        size_t blen = slash ? (size_t)(slash - rest) : strlen(rest);
        const char *region = env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1"));
        char endpoint[512];
        kp_aws_cfg_t ac;

        if (blen == 0 || blen >= sizeof(st->bucket))
                return kp_err_set(err, KP_EUSAGE, "%s: expected s3://bucket/prefix", st->url);
        memcpy(st->bucket, rest, blen);
        st->bucket[blen] = 0;
        snprintf(st->prefix, sizeof(st->prefix), "%s", slash ? slash + 1 : "");
        while (*st->prefix && st->prefix[strlen(st->prefix) - 1] == '/')
                st->prefix[strlen(st->prefix) - 1] = 0;
        snprintf(endpoint, sizeof(endpoint), "%s", env_or("AWS_ENDPOINT_URL", ""));
        if (!*endpoint)
                snprintf(endpoint, sizeof(endpoint), "https://s3.%s.amazonaws.com", region);
        memset(&ac, 0, sizeof(ac));
        ac.endpoint = endpoint;
        ac.region = region;
        ac.service = "s3";
        ac.access_key_id = env_or("AWS_ACCESS_KEY_ID", "");
        ac.secret_access_key = env_or("AWS_SECRET_ACCESS_KEY", "");
        ac.session_token = env_or("AWS_SESSION_TOKEN", NULL);
        ac.timeout_ns = 300 * KP_NS_PER_S;
        ac.max_body_bytes = (size_t)64 << 30; /* shard results: 64 bytes per record */
        if (!*ac.access_key_id || !*ac.secret_access_key)
                return kp_err_set(err, KP_EUSAGE,
                                  "%s: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set",
                                  st->url);
        if (kp_aws_new(&ac, &st->aws, err) < 0)
                return kp_err_prefix(err, "shard store %s", st->url);
        return 0;
}

int kp_shardstore_open(const char *url, kp_shardstore_t **out, kp_err_t *err)
{
        kp_shardstore_t *st = calloc(1, sizeof(*st));

        *out = NULL;
        if (!st)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        if (!url || !*url || strlen(url) >= sizeof(st->url)) {
                free(st);
                return kp_err_set(err, KP_EUSAGE,
                                  "shard store: expected a directory or "
                                  "s3://bucket/prefix");
        }
        snprintf(st->url, sizeof(st->url), "%s", url);
        if (strncmp(url, "s3://", 5) == 0) {
                if (open_s3(st, url + 5, err) < 0) {
                        kp_shardstore_close(st);
                        return -1;
                }
        } else {
                snprintf(st->dir, sizeof(st->dir), "%s", url);
                if (kp_mkdir_p(st->dir, err) < 0) {
                        kp_shardstore_close(st);
                        return kp_err_prefix(err, "shard store");
                }
        }
        *out = st;
        return 0;
}

void kp_shardstore_close(kp_shardstore_t *st)
{
        if (!st)
                return;
        kp_aws_free(st->aws);
        free(st);
}

const char *kp_shardstore_url(const kp_shardstore_t *st)
{
        return st->url;
}

/* Where the store keeps name: a file in its directory, or the S3 path of
 * the object. */
static int object_path(const kp_shardstore_t *st, const char *name, char *out, size_t size,
                       kp_err_t *err)
{
        if (!st->aws) {
                if (kp_path_join(out, size, st->dir, name) < 0)
                        return kp_err_set(err, KP_EUSAGE, "%s: path too long", st->dir);
        } else if (*st->prefix) {
                snprintf(out, size, "/%s/%s/%s", st->bucket, st->prefix, name);
        } else {
                snprintf(out, size, "/%s/%s", st->bucket, name);
        }
        return 0;
}

static int s3_fail(kp_shardstore_t *st, const char *op, const char *name, kp_err_t *err)
{
        const kp_aws_error_t *e = kp_aws_last_error(st->aws);

        return kp_err_set(err, KP_EINFRA, "shard store %s: %s %s: HTTP %ld %s %s", st->url, op,
                          name, e->status, e->code, e->message);
}

/* One request for the object name at path: its HTTP status, the body of a
 * 200 answer appended to out when out is not NULL; -1 with err set when no
 * answer arrived or the body did not fit. */
static long s3_request(kp_shardstore_t *st, const char *method, const char *name, const char *path,
                       const kp_kvlist_t *headers, const void *body, size_t len, kp_buf_t *out,
                       kp_err_t *err)
{
        kp_aws_resp_t resp;
        long status = -1;

        kp_aws_resp_init(&resp);
        if (kp_aws_call(st->aws, method, path, NULL, headers, body, len, &resp, err) == 0) {
                status = resp.status;
                if (status == 200 && out &&
                    (kp_buf_append(out, resp.body.data, resp.body.len) < 0 || resp.body.truncated))
                        status = kp_err_set(err, KP_ENOMEM, "shard store %s: %s too large", st->url,
                                            name);
        }
        kp_aws_resp_release(&resp);
        return status;
}

int kp_shardstore_put(kp_shardstore_t *st, const char *name, const void *data, size_t len,
                      kp_err_t *err)
{
        kp_kvlist_t headers = {0};
        char path[2048];
        long status;

        if (object_path(st, name, path, sizeof(path), err) < 0)
                return -1;
        if (!st->aws)
                return kp_write_file_raw(path, data, len, 0644, err);
        /* Without a type libcurl labels the body a form, and a server may
         * parse it as one (moto then stores nothing). */
        if (kp_kvlist_set(&headers, "content-type", "application/octet-stream") < 0)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        status = s3_request(st, "PUT", name, path, &headers, data, len, NULL, err);
        kp_kvlist_clear(&headers);
        if (status < 0)
                return -1;
        return status == 200 ? 0 : s3_fail(st, "PUT", name, err);
}

int kp_shardstore_get(kp_shardstore_t *st, const char *name, kp_buf_t *out, kp_err_t *err)
{
        char path[2048];
        long status;

        if (object_path(st, name, path, sizeof(path), err) < 0)
                return -1;
        if (!st->aws) {
                if (!kp_path_exists(path))
                        return 1;
                return kp_read_file(path, out->limit, out, err);
        }
        status = s3_request(st, "GET", name, path, NULL, NULL, 0, out, err);
        if (status < 0)
                return -1;
        if (status == 404)
                return 1;
        return status == 200 ? 0 : s3_fail(st, "GET", name, err);
}

int kp_shardstore_delete(kp_shardstore_t *st, const char *name, kp_err_t *err)
{
        char path[2048];
        long status;

        if (object_path(st, name, path, sizeof(path), err) < 0)
                return -1;
        if (!st->aws) {
                if (unlink(path) < 0 && errno != ENOENT)
                        return kp_err_set(err, KP_EIO, "%s: %s", path, strerror(errno));
                return 0;
        }
        status = s3_request(st, "DELETE", name, path, NULL, NULL, 0, NULL, err);
        if (status < 0)
                return -1;
        if (status == 200 || status == 204 || status == 404)
                return 0;
        return s3_fail(st, "DELETE", name, err);
}
