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

static void s3_path(const kp_shardstore_t *st, const char *name, char *out, size_t size)
{
        if (*st->prefix)
                snprintf(out, size, "/%s/%s/%s", st->bucket, st->prefix, name);
        else
                snprintf(out, size, "/%s/%s", st->bucket, name);
}

static int s3_fail(kp_shardstore_t *st, const char *op, const char *name, kp_err_t *err)
{
        const kp_aws_error_t *e = kp_aws_last_error(st->aws);

        return kp_err_set(err, KP_EINFRA, "shard store %s: %s %s: HTTP %ld %s %s", st->url, op,
                          name, e->status, e->code, e->message);
}

int kp_shardstore_put(kp_shardstore_t *st, const char *name, const void *data, size_t len,
                      kp_err_t *err)
{
        kp_kvlist_t headers = {0};
        char path[2048];
        kp_aws_resp_t resp;
        int rc;

        if (!st->aws) {
                if (kp_path_join(path, sizeof(path), st->dir, name) < 0)
                        return kp_err_set(err, KP_EUSAGE, "%s: path too long", st->dir);
                return kp_write_file_raw(path, data, len, 0644, err);
        }
        s3_path(st, name, path, sizeof(path));
        /* Without a type libcurl labels the body a form, and a server may
         * parse it as one (moto then stores nothing). */
        if (kp_kvlist_set(&headers, "content-type", "application/octet-stream") < 0)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        kp_aws_resp_init(&resp);
        rc = kp_aws_call(st->aws, "PUT", path, NULL, &headers, data, len, &resp, err);
        if (rc == 0 && resp.status != 200)
                rc = s3_fail(st, "PUT", name, err);
        kp_aws_resp_release(&resp);
        kp_kvlist_clear(&headers);
        return rc;
}

int kp_shardstore_get(kp_shardstore_t *st, const char *name, kp_buf_t *out, kp_err_t *err)
{
        char path[2048];
        kp_aws_resp_t resp;
        int rc;

        if (!st->aws) {
                if (kp_path_join(path, sizeof(path), st->dir, name) < 0)
                        return kp_err_set(err, KP_EUSAGE, "%s: path too long", st->dir);
                if (!kp_path_exists(path))
                        return 1;
                return kp_read_file(path, out->limit, out, err);
        }
        s3_path(st, name, path, sizeof(path));
        kp_aws_resp_init(&resp);
        rc = kp_aws_call(st->aws, "GET", path, NULL, NULL, NULL, 0, &resp, err);
        if (rc == 0) {
                if (resp.status == 404)
                        rc = 1;
                else if (resp.status != 200)
                        rc = s3_fail(st, "GET", name, err);
                else if (kp_buf_append(out, resp.body.data, resp.body.len) < 0 ||
                         resp.body.truncated)
                        rc = kp_err_set(err, KP_ENOMEM, "shard store %s: %s too large", st->url,
                                        name);
        }
        kp_aws_resp_release(&resp);
        return rc;
}

int kp_shardstore_delete(kp_shardstore_t *st, const char *name, kp_err_t *err)
{
        char path[2048];
        kp_aws_resp_t resp;
        int rc;

        if (!st->aws) {
                if (kp_path_join(path, sizeof(path), st->dir, name) < 0)
                        return kp_err_set(err, KP_EUSAGE, "%s: path too long", st->dir);
                if (unlink(path) < 0 && errno != ENOENT)
                        return kp_err_set(err, KP_EIO, "%s: %s", path, strerror(errno));
                return 0;
        }
        s3_path(st, name, path, sizeof(path));
        kp_aws_resp_init(&resp);
        rc = kp_aws_call(st->aws, "DELETE", path, NULL, NULL, NULL, 0, &resp, err);
        if (rc == 0 && resp.status != 204 && resp.status != 200 && resp.status != 404)
                rc = s3_fail(st, "DELETE", name, err);
        kp_aws_resp_release(&resp);
        return rc;
}
