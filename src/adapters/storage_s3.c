/*
 * The s3 storage adapter: ListObjectsV2 under the bucket prefix, HeadObject
 * for the server-side encryption and its KMS key, GetObject to scan the
 * bytes for canary tokens; path-style requests signed with SigV4, listing
 * pages read by s3xml.h. See
 * storage.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/aws.h"
#include "adapters/s3xml.h"
#include "adapters/storage_impl.h"
#include "util/timeutil.h"

typedef struct s3 {
        kp_aws_t *aws;
} s3_t;

static int key_matches(const char *got, const char *want)
{
        size_t gl = strlen(got), wl = strlen(want);

        /* An ARN and a bare key id name the same key when the ARN ends in it. */
        if (strcmp(got, want) == 0)
                return 1;
        if (gl > wl && got[gl - wl - 1] == '/' && strcmp(got + gl - wl, want) == 0)
                return 1;
        if (wl > gl && want[wl - gl - 1] == '/' && strcmp(want + wl - gl, got) == 0)
                return 1;
        return 0;
}

static int s3_error(kp_aws_t *aws, const char *what, const kp_aws_resp_t *resp, kp_err_t *err)
{
        const kp_aws_error_t *e = kp_aws_last_error(aws);

        return kp_err_set(err, KP_EINFRA, "storage s3: %s: HTTP %ld %s%s%s", what, resp->status,
                          e->code, e->message[0] ? ": " : "", e->message);
}

static int scan_object(s3_t *s, const kp_storage_cfg_t *cfg, const char *key, uint64_t size,
                       kp_tokscan_t *ts, kp_storage_scan_t *res, kp_err_t *err)
{
        kp_aws_resp_t resp;
        char path[2048], where[1024];
        const char *sse, *kk;
        kp_storage_object_t *o = NULL;
        int rc = -1;

        kp_aws_resp_init(&resp);
        snprintf(path, sizeof(path), "/%s/%s", cfg->bucket, key);
        if (kp_aws_call(s->aws, "HEAD", path, NULL, NULL, NULL, 0, &resp, err) < 0)
                goto out;
        if (resp.status != 200) {
                s3_error(s->aws, "HeadObject", &resp, err);
                goto out;
        }
        res->objects++;
        sse = kp_kvlist_get(&resp.headers, "x-amz-server-side-encryption");
        kk = kp_kvlist_get(&resp.headers, "x-amz-server-side-encryption-aws-kms-key-id");
        if (res->n_object_list < KP_STORAGE_MAX_OBJECTS) {
                o = &res->object_list[res->n_object_list++];
                memset(o, 0, sizeof(*o));
                snprintf(o->key, sizeof(o->key), "%s", key);
                o->size = size;
                snprintf(o->sse, sizeof(o->sse), "%s", sse ? sse : "");
                snprintf(o->kms_key, sizeof(o->kms_key), "%s", kk ? kk : "");
                o->key_matches = -1;
        }
        if (!sse || !*sse)
                res->unencrypted++;
        else if (strcmp(sse, "aws:kms") == 0 || strcmp(sse, "aws:kms:dsse") == 0)
                res->sse_kms++;
        else
                res->sse_other++;
        if (cfg->expected_kms_key) {
                int m = kk && key_matches(kk, cfg->expected_kms_key);
                if (!m)
                        res->wrong_key++;
                if (o)
                        o->key_matches = m;
        }
        if ((int64_t)(res->bytes + size) > cfg->max_scan_bytes) {
                res->truncated = 1;
                rc = 0;
                goto out;
        }
        if (kp_aws_call(s->aws, "GET", path, NULL, NULL, NULL, 0, &resp, err) < 0)
                goto out;
        if (resp.status != 200) {
                s3_error(s->aws, "GetObject", &resp, err);
                goto out;
        }
        snprintf(where, sizeof(where), "s3://%s/%s", cfg->bucket, key);
        kp_tokscan_begin(ts, where);
        res->units++;
        res->bytes += resp.body.len;
        kp_tokscan_feed(ts, resp.body.data ? resp.body.data : "", resp.body.len, res);
        rc = 0;
out:
        kp_aws_resp_release(&resp);
        return rc;
}

static int s3_scan(kp_storage_t *st, const char *topic, kp_tokscan_t *ts, kp_storage_scan_t *res,
                   kp_err_t *err)
{
        s3_t *s = st->impl;
        const kp_storage_cfg_t *cfg = st->cfg;
        char token[1024] = "", path[512];
        int pages = 0, rc = 0;
        (void)topic;

        snprintf(res->location, sizeof(res->location), "s3://%s/%s", cfg->bucket,
                 cfg->prefix ? cfg->prefix : "");
        snprintf(path, sizeof(path), "/%s", cfg->bucket);
        do {
                kp_kvlist_t q = {0};
                kp_aws_resp_t resp;
                kp_s3_listing_t page;
                size_t i;
                kp_aws_resp_init(&resp);
                memset(&page, 0, sizeof(page));
                kp_kvlist_set(&q, "list-type", "2");
                if (cfg->prefix)
                        kp_kvlist_set(&q, "prefix", cfg->prefix);
                if (token[0])
                        kp_kvlist_set(&q, "continuation-token", token);
                rc = kp_aws_call(s->aws, "GET", path, &q, NULL, NULL, 0, &resp, err);
                kp_kvlist_clear(&q);
                if (rc == 0 && resp.status != 200)
                        rc = s3_error(s->aws, "ListObjectsV2", &resp, err);
                if (rc == 0 && kp_s3xml_listing(resp.body.data ? resp.body.data : "", resp.body.len,
                                                &page, err) < 0)
                        rc = kp_err_prefix(err, "storage s3");
                kp_aws_resp_release(&resp);
                if (rc < 0) {
                        kp_s3_listing_free(&page);
                        return -1;
                }
                token[0] = '\0';
                if (page.is_truncated)
                        snprintf(token, sizeof(token), "%s", page.next_token);
                for (i = 0; i < page.n_objects; i++) {
                        const kp_s3_object_t *o = &page.objects[i];
                        const char *lm = o->last_modified; /* "2026-12-03T13:00:00.000Z" */
                        int64_t ns;
                        if (kp_time_parse_iso(lm, strlen(lm), &ns) == 0 &&
                            ns / KP_NS_PER_S > res->newest_object_unix)
                                res->newest_object_unix = ns / KP_NS_PER_S;
                        rc = scan_object(s, cfg, o->key, o->size, ts, res, err);
                        if (rc < 0 || res->truncated)
                                break;
                }
                kp_s3_listing_free(&page);
        } while (rc == 0 && token[0] && !res->truncated && ++pages < 10000);
        if (rc == 0 && token[0] && !res->truncated)
                res->listing_truncated = 1;
        return rc;
}

static void s3_destroy(kp_storage_t *st)
{
        s3_t *s = st->impl;

        if (s)
                kp_aws_free(s->aws);
        free(s);
        free(st);
}

static const kp_storage_ops_t s3_ops = {"s3", s3_scan, s3_destroy};

int kp_storage_s3_client(const kp_storage_cfg_t *cfg, int max_attempts, kp_aws_t **out,
                         kp_err_t *err)
{
        kp_aws_cfg_t ac;
        char endpoint[512];

        if (cfg->endpoint)
                snprintf(endpoint, sizeof(endpoint), "%s", cfg->endpoint);
        else
                snprintf(endpoint, sizeof(endpoint), "https://s3.%s.amazonaws.com", cfg->region);
        memset(&ac, 0, sizeof(ac));
        ac.endpoint = endpoint;
        ac.region = cfg->region;
        ac.service = "s3";
        ac.access_key_id = cfg->access_key_id;
        ac.secret_access_key = cfg->secret_access_key;
        ac.session_token = cfg->session_token;
        ac.timeout_ns = cfg->timeout_ns;
        if (max_attempts > 0)
                ac.max_attempts = max_attempts;
        return kp_aws_new(&ac, out, err);
}

int kp_storage_s3_new(const kp_storage_cfg_t *cfg, kp_storage_t **out, kp_err_t *err)
{
        kp_storage_t *st = calloc(1, sizeof(*st));
        s3_t *s = calloc(1, sizeof(*s));

        if (!st || !s) {
                free(st);
                free(s);
                return kp_err_set(err, KP_ENOMEM, "storage s3: out of memory");
        }
        if (kp_storage_s3_client(cfg, 0, &s->aws, err) < 0) {
                free(st);
                free(s);
                return kp_err_prefix(err, "storage s3");
        }
        st->ops = &s3_ops;
        st->cfg = cfg;
        st->impl = s;
        *out = st;
        return 0;
}
