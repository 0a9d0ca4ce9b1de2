/*
 * Signed AWS API calls over libcurl: see aws.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "adapters/aws.h"
#include "adapters/s3xml.h"
#include "util/digest.h"
#include "util/log.h"
#include "util/secret.h"
#include "adapters/sigv4.h"
#include "util/signals.h"
#include "util/timeutil.h"

#define RESP_LIMIT ((size_t)64 << 20)

struct kp_aws {
        CURL *curl;
        char *origin; /* scheme://host[:port] */
        char *base;   /* path prefix of the endpoint without trailing '/' ("" for none) */
        char *host;   /* host[:port] as sent in Host */
        char *region, *service, *akid, *secret, *token;
        int64_t timeout_ns, backoff_base_ns, backoff_max_ns;
        int max_attempts;
        size_t max_body_bytes;
        kp_aws_error_t last;
};

static char *dup_or_null(const char *s)
{
        return s && *s ? strdup(s) : NULL;
}

void kp_aws_resp_init(kp_aws_resp_t *r)
{
        memset(r, 0, sizeof(*r));
        kp_buf_init(&r->body, RESP_LIMIT);
}

void kp_aws_resp_release(kp_aws_resp_t *r)
{
        kp_buf_free(&r->body);
        kp_kvlist_clear(&r->headers);
}

const kp_aws_error_t *kp_aws_last_error(const kp_aws_t *aws)
{
        return &aws->last;
}

static int curl_global(void)
{
        static int done;

        if (!done) {
                if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                        return -1;
                done = 1;
        }
        return 0;
}

int kp_aws_new(const kp_aws_cfg_t *cfg, kp_aws_t **out, kp_err_t *err)
{
        kp_aws_t *a;
        CURLU *u = NULL;
        char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
        size_t n;
        int rc = -1;

        *out = NULL;
        if (!cfg->endpoint || !cfg->region || !cfg->service || !cfg->access_key_id ||
            !cfg->secret_access_key)
                return kp_err_set(err, KP_EINVAL,
                                  "aws: endpoint, region and credentials are required");
        if (curl_global() < 0)
                return kp_err_set(err, KP_EINFRA, "aws: curl_global_init failed");
        a = calloc(1, sizeof(*a));
        if (!a)
                return kp_err_set(err, KP_ENOMEM, "aws: out of memory");
        u = curl_url();
        if (!u || curl_url_set(u, CURLUPART_URL, cfg->endpoint, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
                kp_err_set(err, KP_EINVAL, "aws: endpoint '%s' is not a URL", cfg->endpoint);
                goto out;
        }
        if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
                kp_err_set(err, KP_EINVAL, "aws: endpoint '%s' must be http or https",
                           cfg->endpoint);
                goto out;
        }
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        curl_url_get(u, CURLUPART_PATH, &path, 0);
        n = strlen(host) + (port ? strlen(port) : 0) + 2;
        a->host = malloc(n);
        a->origin = malloc(n + strlen(scheme) + 4);
        a->base = strdup(path ? path : "");
        if (!a->host || !a->origin || !a->base)
                goto oom;
        snprintf(a->host, n, "%s%s%s", host, port ? ":" : "", port ? port : "");
        snprintf(a->origin, n + strlen(scheme) + 4, "%s://%s", scheme, a->host);
        while (*a->base && a->base[strlen(a->base) - 1] == '/')
                a->base[strlen(a->base) - 1] = '\0';
        a->region = strdup(cfg->region);
        a->service = strdup(cfg->service);
        a->akid = strdup(cfg->access_key_id);
        a->secret = strdup(cfg->secret_access_key);
        a->token = dup_or_null(cfg->session_token);
        if (!a->region || !a->service || !a->akid || !a->secret)
                goto oom;
        kp_secret_add(a->secret);
        if (a->token)
                kp_secret_add(a->token);
        a->timeout_ns = cfg->timeout_ns > 0 ? cfg->timeout_ns : 10 * KP_NS_PER_S;
        a->max_body_bytes = cfg->max_body_bytes;
        a->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 4;
        a->backoff_base_ns = cfg->backoff_base_ns > 0 ? cfg->backoff_base_ns : 100 * KP_NS_PER_MS;
        a->backoff_max_ns = cfg->backoff_max_ns > 0 ? cfg->backoff_max_ns : 5 * KP_NS_PER_S;
        a->curl = curl_easy_init();
        if (!a->curl)
                goto oom;
        *out = a;
        a = NULL;
        rc = 0;
        goto out;
oom:
        kp_err_set(err, KP_ENOMEM, "aws: out of memory");
out:
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
        curl_free(path);
        curl_url_cleanup(u);
        kp_aws_free(a);
        return rc;
}

void kp_aws_free(kp_aws_t *a)
{
        if (!a)
                return;
        if (a->curl)
                curl_easy_cleanup(a->curl);
        free(a->origin);
        free(a->base);
        free(a->host);
        free(a->region);
        free(a->service);
        free(a->akid);
        free(a->secret);
        free(a->token);
        free(a);
}

/* ------------------------------------------------------------ errors */

static void copy_trunc(char *dst, size_t size, const char *src, size_t len)
{
        if (len >= size)
                len = size - 1;
        memcpy(dst, src, len);
        dst[len] = '\0';
}

/* "com.amazonaws.kms#DisabledException:http://..." -> "DisabledException". */
static void normalise_code(const char *raw, char *out, size_t size)
{
        const char *s = raw, *h, *end;

        while (*s == ' ')
                s++;
        h = strrchr(s, '#');
        if (h)
                s = h + 1;
        end = strchr(s, ':');
        if (!end)
                end = s + strlen(s);
        while (end > s && end[-1] == ' ')
                end--;
        copy_trunc(out, size, s, (size_t)(end - s));
}

void kp_aws_error_parse(long status, const char *body, size_t len, const char *error_type_header,
                        kp_aws_error_t *e)
{
        cJSON *j = NULL;

        memset(e, 0, sizeof(*e));
        e->status = status;
        if (body && len) {
                const char *p = body;
                while (p < body + len && isspace((unsigned char)*p))
                        p++;
                if (p < body + len && *p == '{')
                        j = cJSON_ParseWithLength(body, len);
                if (j) {
                        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "__type");
                        const cJSON *m;
                        if (!cJSON_IsString(t))
                                t = cJSON_GetObjectItemCaseSensitive(j, "code");
                        if (!cJSON_IsString(t))
                                t = cJSON_GetObjectItemCaseSensitive(j, "Code");
                        if (cJSON_IsString(t))
                                normalise_code(t->valuestring, e->code, sizeof(e->code));
                        m = cJSON_GetObjectItemCaseSensitive(j, "message");
                        if (!cJSON_IsString(m))
                                m = cJSON_GetObjectItemCaseSensitive(j, "Message");
                        if (!cJSON_IsString(m))
                                m = cJSON_GetObjectItemCaseSensitive(j, "errorMessage");
                        if (cJSON_IsString(m))
                                copy_trunc(e->message, sizeof(e->message), m->valuestring,
                                           strlen(m->valuestring));
                        cJSON_Delete(j);
                } else if (p < body + len && *p == '<') {
                        char code[128];
                        /* from the '<': expat takes no blank before a declaration */
                        if (kp_s3xml_error(p, (size_t)(body + len - p), code, sizeof(code),
                                           e->message, sizeof(e->message)))
                                normalise_code(code, e->code, sizeof(e->code));
                } else if (!e->message[0]) {
                        /* Plain text (e.g. "not implemented"): keep its first line. */
                        size_t n = 0;
                        while (n < len && body[n] != '\n' && body[n] != '\r')
                                n++;
                        copy_trunc(e->message, sizeof(e->message), body, n);
                }
        }
        if (!e->code[0] && error_type_header && *error_type_header)
                normalise_code(error_type_header, e->code, sizeof(e->code));
        if (!e->code[0] && status >= 400)
                snprintf(e->code, sizeof(e->code), "HTTP%ld", status);
        e->throttled = kp_aws_error_is_throttling(e);
}

int kp_aws_error_is_throttling(const kp_aws_error_t *e)
{
        static const char *const codes[] = {"Throttling",
                                            "ThrottlingException",
                                            "ThrottledException",
                                            "RequestThrottledException",
                                            "TooManyRequestsException",
                                            "RequestLimitExceeded",
                                            "SlowDown",
                                            "RequestThrottled",
                                            "BandwidthLimitExceeded",
                                            "ProvisionedThroughputExceededException",
                                            "PriorRequestNotComplete",
                                            NULL};
        const char *c = e->code;
        size_t i;

        if (e->status == 429)
                return 1;
        if (strncmp(c, "KMS.", 4) == 0)
                c += 4;
        for (i = 0; codes[i]; i++)
                if (strcmp(c, codes[i]) == 0)
                        return 1;
        return 0;
}

int kp_aws_error_is_unsupported(const kp_aws_error_t *e)
{
        return e->status == 501 || strcmp(e->code, "UnsupportedOperationException") == 0 ||
               strcmp(e->code, "NotImplemented") == 0 ||
               strcmp(e->code, "UnknownOperationException") == 0 ||
               strcmp(e->code, "InvalidAction") == 0;
}

static int retryable(const kp_aws_error_t *e)
{
        return e->transport || e->throttled || e->status == 500 || e->status == 502 ||
               e->status == 503 || e->status == 504;
}

int64_t kp_aws_backoff_ns(int retry, int64_t base_ns, int64_t max_ns, double rnd)
{
        int64_t cap = base_ns;
        int i;

        for (i = 1; i < retry && cap < max_ns; i++)
                cap *= 2;
        if (cap > max_ns)
                cap = max_ns;
        if (rnd < 0)
                rnd = 0;
        if (rnd >= 1)
                rnd = 0.999999;
        return (int64_t)((double)cap * rnd);
}

/* ------------------------------------------------------------ transport */

static size_t on_body(char *p, size_t size, size_t n, void *opaque)
{
        kp_buf_t *b = opaque;

        return kp_buf_append(b, p, size * n) < 0 ? 0 : size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *opaque)
{
        kp_kvlist_t *h = opaque;
        size_t len = size * n, i;
        char name[128], value[1024];
        const char *colon = memchr(p, ':', len);

        if (!colon || (size_t)(colon - p) >= sizeof(name))
                return len;
        for (i = 0; p + i < colon; i++)
                name[i] = (char)tolower((unsigned char)p[i]);
        name[i] = '\0';
        colon++;
        while (colon < p + len && (*colon == ' ' || *colon == '\t'))
                colon++;
        i = (size_t)(p + len - colon);
        while (i && (colon[i - 1] == '\r' || colon[i - 1] == '\n' || colon[i - 1] == ' '))
                i--;
        copy_trunc(value, sizeof(value), colon, i);
        kp_kvlist_set(h, name, value);
        return len;
}

static double rnd01(void)
{
        uint32_t r = 0;

        kp_random_bytes(&r, sizeof(r));
        return (double)r / 4294967296.0;
}

/* One attempt. Returns 0 when an HTTP answer arrived. */
static int attempt(kp_aws_t *a, const char *method, const char *path, const kp_kvlist_t *query,
                   const kp_kvlist_t *headers, const void *body, size_t body_len,
                   kp_aws_resp_t *resp, kp_err_t *err)
{
        kp_kvlist_t sh = {0};
        kp_buf_t url, authz, line, fullpath;
        struct curl_slist *list = NULL;
        char amz_date[17], sha[KP_SHA256_HEX];
        kp_sigv4_req_t sr;
        kp_sigv4_creds_t cr = {a->akid, a->secret, a->token};
        CURLcode cc;
        size_t i;
        int rc = -1;

        kp_buf_init(&url, 1 << 16);
        kp_buf_init(&authz, 4096);
        kp_buf_init(&line, 1 << 16);
        kp_buf_init(&fullpath, 1 << 16);
        kp_buf_reset(&resp->body);
        if (a->max_body_bytes)
                resp->body.limit = a->max_body_bytes;
        kp_kvlist_clear(&resp->headers);

        kp_buf_printf(&fullpath, "%s%s", a->base, path && *path ? path : "/");
        kp_sha256_hex(body ? body : "", body ? body_len : 0, sha);
        kp_sigv4_amz_date(kp_wall_ns(), amz_date);
        kp_kvlist_set(&sh, "host", a->host);
        kp_kvlist_set(&sh, "x-amz-date", amz_date);
        if (strcmp(a->service, "s3") == 0)
                kp_kvlist_set(&sh, "x-amz-content-sha256", sha);
        if (a->token)
                kp_kvlist_set(&sh, "x-amz-security-token", a->token);
        if (headers)
                kp_kvlist_merge(&sh, headers);
        memset(&sr, 0, sizeof(sr));
        sr.method = method;
        sr.path = kp_buf_cstr(&fullpath);
        sr.query = query;
        sr.headers = &sh;
        sr.payload_sha256 = sha;
        sr.region = a->region;
        sr.service = a->service;
        sr.amz_date = amz_date;
        sr.s3_path = strcmp(a->service, "s3") == 0;
        if (kp_sigv4_sign(&sr, &cr, NULL, NULL, &authz, err) < 0)
                goto out;

        kp_buf_puts(&url, a->origin);
        kp_sigv4_uri_encode(&url, kp_buf_cstr(&fullpath), 1);
        if (query && query->n) {
                kp_buf_putc(&url, '?');
                kp_sigv4_canonical_query(query, &url);
        }
        for (i = 0; i < sh.n; i++) {
                if (strcmp(sh.items[i].key, "host") == 0)
                        continue;
                kp_buf_reset(&line);
                kp_buf_printf(&line, "%s: %s", sh.items[i].key, sh.items[i].value);
                list = curl_slist_append(list, kp_buf_cstr(&line));
        }
        kp_buf_reset(&line);
        kp_buf_printf(&line, "Authorization: %s", kp_buf_cstr(&authz));
        list = curl_slist_append(list, kp_buf_cstr(&line));
        list = curl_slist_append(list, "Expect:");
        if (!list) {
                kp_err_set(err, KP_ENOMEM, "aws: out of memory");
                goto out;
        }

        curl_easy_reset(a->curl);
        curl_easy_setopt(a->curl, CURLOPT_URL, kp_buf_cstr(&url));
        curl_easy_setopt(a->curl, CURLOPT_HTTPHEADER, list);
        curl_easy_setopt(a->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(a->curl, CURLOPT_TIMEOUT_MS, (long)(a->timeout_ns / KP_NS_PER_MS));
        curl_easy_setopt(
            a->curl, CURLOPT_CONNECTTIMEOUT_MS,
            (long)(a->timeout_ns / KP_NS_PER_MS < 5000 ? a->timeout_ns / KP_NS_PER_MS : 5000));
        curl_easy_setopt(a->curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, &resp->body);
        curl_easy_setopt(a->curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(a->curl, CURLOPT_HEADERDATA, &resp->headers);
        curl_easy_setopt(a->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        if (strcmp(method, "HEAD") == 0) {
                curl_easy_setopt(a->curl, CURLOPT_NOBODY, 1L);
        } else if (strcmp(method, "GET") != 0) {
                curl_easy_setopt(a->curl, CURLOPT_CUSTOMREQUEST, method);
                curl_easy_setopt(a->curl, CURLOPT_POSTFIELDS, body ? (const char *)body : "");
                curl_easy_setopt(a->curl, CURLOPT_POSTFIELDSIZE_LARGE,
                                 (curl_off_t)(body ? body_len : 0));
        }
        cc = curl_easy_perform(a->curl);
        if (cc != CURLE_OK) {
                memset(&a->last, 0, sizeof(a->last));
                a->last.transport = 1;
                snprintf(a->last.code, sizeof(a->last.code), "%s",
                         cc == CURLE_OPERATION_TIMEDOUT ? "Timeout" : "TransportError");
                snprintf(a->last.message, sizeof(a->last.message), "%s", curl_easy_strerror(cc));
                kp_err_set(err, KP_EINFRA, "%s %s%s: %s", method, a->origin, kp_buf_cstr(&fullpath),
                           curl_easy_strerror(cc));
                goto out;
        }
        curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &resp->status);
        if (resp->status >= 300)
                kp_aws_error_parse(resp->status, resp->body.data, resp->body.len,
                                   kp_kvlist_get(&resp->headers, "x-amzn-errortype"), &a->last);
        else
                memset(&a->last, 0, sizeof(a->last));
        a->last.status = resp->status;
        rc = 0;
out:
        curl_slist_free_all(list);
        kp_kvlist_clear(&sh);
        kp_buf_free(&url);
        kp_buf_free(&authz);
        kp_buf_free(&line);
        kp_buf_free(&fullpath);
        return rc;
}

int kp_aws_call(kp_aws_t *a, const char *method, const char *path, const kp_kvlist_t *query,
                const kp_kvlist_t *headers, const void *body, size_t body_len, kp_aws_resp_t *resp,
                kp_err_t *err)
{
        int64_t t0 = kp_mono_ns();
        int n, r = -1;

        for (n = 1; n <= a->max_attempts; n++) {
                r = attempt(a, method, path, query, headers, body, body_len, resp, err);
                resp->attempts = n;
                if (r == 0 && !retryable(&a->last))
                        break;
                if (n == a->max_attempts || kp_stop_requested())
                        break;
                {
                        int64_t d =
                            kp_aws_backoff_ns(n, a->backoff_base_ns, a->backoff_max_ns, rnd01());
                        kp_debug("aws: %s %s: %s (attempt %d of %d), retrying in %lld ms", method,
                                 path, a->last.code, n, a->max_attempts,
                                 (long long)(d / KP_NS_PER_MS));
                        kp_sleep_ms(d / KP_NS_PER_MS);
                }
        }
        resp->duration_ns = kp_mono_ns() - t0;
        return r;
}

int kp_aws_json(kp_aws_t *a, const char *target, const char *json_body, kp_buf_t *out,
                kp_err_t *err)
{
        kp_kvlist_t h = {0};
        kp_aws_resp_t resp;
        const char *op = strrchr(target, '.');
        int rc = -1;

        op = op ? op + 1 : target;
        kp_aws_resp_init(&resp);
        kp_kvlist_set(&h, "content-type", "application/x-amz-json-1.1");
        kp_kvlist_set(&h, "x-amz-target", target);
        if (kp_aws_call(a, "POST", "/", NULL, &h, json_body, strlen(json_body), &resp, err) < 0) {
                kp_err_prefix(err, "%s", op);
                goto out;
        }
        if (resp.status != 200) {
                const kp_aws_error_t *e = &a->last;
                kp_err_set(err, kp_aws_error_is_unsupported(e) ? KP_EUNSUPPORTED : KP_EINFRA,
                           "%s: HTTP %ld %s%s%s%s", op, e->status, e->code,
                           e->message[0] ? ": " : "", e->message,
                           resp.attempts > 1 ? " (after retries)" : "");
                goto out;
        }
        if (out && kp_buf_append(out, resp.body.data ? resp.body.data : "", resp.body.len) < 0) {
                kp_err_set(err, KP_ENOMEM, "%s: response too large", op);
                goto out;
        }
        rc = 0;
out:
        kp_kvlist_clear(&h);
        kp_aws_resp_release(&resp);
        return rc;
}
