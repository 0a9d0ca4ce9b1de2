/*
 * SigV4 signing: see sigv4.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/digest.h"
#include "adapters/sigv4.h"

static const char hexdig[] = "0123456789abcdef";

static void to_hex(const unsigned char *in, size_t n, char *out)
{
        size_t i;

        for (i = 0; i < n; i++) {
                out[2 * i] = hexdig[in[i] >> 4];
                out[2 * i + 1] = hexdig[in[i] & 15];
        }
        out[2 * n] = '\0';
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
        unsigned int len = 32;

        HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

int kp_sigv4_uri_encode(kp_buf_t *out, const char *s, int keep_slash)
{
        const unsigned char *p;

        for (p = (const unsigned char *)s; *p; p++) {
                int c = *p;
                if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
                    (keep_slash && c == '/')) {
                        if (kp_buf_putc(out, (char)c) < 0)
                                return -1;
                } else if (kp_buf_printf(out, "%%%c%c", toupper(hexdig[c >> 4]),
                                         toupper(hexdig[c & 15])) < 0) {
                        return -1;
                }
        }
        return 0;
}

typedef struct pair {
        char *k, *v;
} pair_t;

static int pair_cmp(const void *a, const void *b)
{
        const pair_t *x = a, *y = b;
        int r = strcmp(x->k, y->k);

        return r ? r : strcmp(x->v, y->v);
}

int kp_sigv4_canonical_query(const kp_kvlist_t *query, kp_buf_t *out)
{
        pair_t *pairs;
        size_t i, n = query ? query->n : 0;
        int rc = -1;

        if (n == 0)
                return 0;
        pairs = calloc(n, sizeof(*pairs));
        if (!pairs)
                return -1;
        for (i = 0; i < n; i++) {
                kp_buf_t k, v;
                kp_buf_init(&k, 4096);
                kp_buf_init(&v, 1 << 16);
                if (kp_sigv4_uri_encode(&k, query->items[i].key, 0) < 0 ||
                    kp_sigv4_uri_encode(&v, query->items[i].value ? query->items[i].value : "", 0) <
                        0) {
                        kp_buf_free(&k);
                        kp_buf_free(&v);
                        goto out;
                }
                pairs[i].k = kp_buf_detach(&k);
                pairs[i].v = kp_buf_detach(&v);
                if (!pairs[i].k || !pairs[i].v)
                        goto out;
        }
        qsort(pairs, n, sizeof(*pairs), pair_cmp);
        for (i = 0; i < n; i++)
                if (kp_buf_printf(out, "%s%s=%s", i ? "&" : "", pairs[i].k, pairs[i].v) < 0)
                        goto out;
        rc = 0;
out:
        for (i = 0; i < n; i++) {
                free(pairs[i].k);
                free(pairs[i].v);
        }
        free(pairs);
        return rc;
}

typedef struct hdr {
        char *name;
        const char *value;
} hdr_t;

static int hdr_cmp(const void *a, const void *b)
{
        return strcmp(((const hdr_t *)a)->name, ((const hdr_t *)b)->name);
}

/* Header value with leading/trailing blanks removed and inner runs of
 * blanks collapsed to one space. */
static int put_trimmed(kp_buf_t *b, const char *v)
{
        int space = 0, any = 0;

        for (; *v; v++) {
                if (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') {
                        space = any;
                        continue;
                }
                if (space && kp_buf_putc(b, ' ') < 0)
                        return -1;
                if (kp_buf_putc(b, *v) < 0)
                        return -1;
                space = 0;
                any = 1;
        }
        return 0;
}

/* Canonical headers block and the signed-headers list. */
static int canonical_headers(const kp_kvlist_t *headers, kp_buf_t *block, kp_buf_t *signed_list)
{
        hdr_t *h;
        size_t i, j, n = headers ? headers->n : 0;
        int rc = -1;

        h = calloc(n ? n : 1, sizeof(*h));
        if (!h)
                return -1;
        for (i = 0; i < n; i++) {
                h[i].name = strdup(headers->items[i].key);
                h[i].value = headers->items[i].value ? headers->items[i].value : "";
                if (!h[i].name)
                        goto out;
                for (j = 0; h[i].name[j]; j++)
                        h[i].name[j] = (char)tolower((unsigned char)h[i].name[j]);
        }
        qsort(h, n, sizeof(*h), hdr_cmp);
        for (i = 0; i < n; i++) {
                if (kp_buf_printf(block, "%s:", h[i].name) < 0 ||
                    put_trimmed(block, h[i].value) < 0 || kp_buf_putc(block, '\n') < 0 ||
                    kp_buf_printf(signed_list, "%s%s", i ? ";" : "", h[i].name) < 0)
                        goto out;
        }
        rc = 0;
out:
        for (i = 0; i < n; i++)
                free(h[i].name);
        free(h);
        return rc;
}

void kp_sigv4_signing_key_hex(const char *secret, const char *date8, const char *region,
                              const char *service, char out[65])
{
        unsigned char k[32];
        kp_buf_t seed;

        kp_buf_init(&seed, 4096);
        kp_buf_printf(&seed, "AWS4%s", secret);
        hmac(seed.data, seed.len, date8, k);
        hmac(k, 32, region, k);
        hmac(k, 32, service, k);
        hmac(k, 32, "aws4_request", k);
        OPENSSL_cleanse(seed.data, seed.len);
        kp_buf_free(&seed);
        to_hex(k, 32, out);
        OPENSSL_cleanse(k, sizeof(k));
}

int kp_sigv4_sign(const kp_sigv4_req_t *req, const kp_sigv4_creds_t *creds, kp_buf_t *creq_out,
                  kp_buf_t *sts_out, kp_buf_t *authorization, kp_err_t *err)
{
        kp_buf_t creq, sts, hblock, signed_list, seed;
        char date8[9], hash[KP_SHA256_HEX], sig_hex[65];
        unsigned char k[32], sig[32];
        int rc = -1;

        kp_buf_init(&creq, 1 << 20);
        kp_buf_init(&sts, 8192);
        kp_buf_init(&hblock, 1 << 20);
        kp_buf_init(&signed_list, 8192);
        kp_buf_init(&seed, 4096);
        if (!req->amz_date || strlen(req->amz_date) != 16) {
                kp_err_set(err, KP_EINVAL, "sigv4: amz date must look like 20150830T123600Z");
                goto out;
        }
        memcpy(date8, req->amz_date, 8);
        date8[8] = '\0';

        /* Canonical request. */
        if (kp_buf_printf(&creq, "%s\n", req->method) < 0)
                goto oom;
        if (req->s3_path) {
                if (kp_sigv4_uri_encode(&creq, req->path, 1) < 0)
                        goto oom;
        } else {
                kp_buf_t once;
                int r;
                kp_buf_init(&once, 1 << 16);
                r = kp_sigv4_uri_encode(&once, req->path, 1);
                if (r == 0)
                        r = kp_sigv4_uri_encode(&creq, kp_buf_cstr(&once), 1);
                kp_buf_free(&once);
                if (r < 0)
                        goto oom;
        }
        if (kp_buf_putc(&creq, '\n') < 0 || kp_sigv4_canonical_query(req->query, &creq) < 0 ||
            kp_buf_putc(&creq, '\n') < 0 ||
            canonical_headers(req->headers, &hblock, &signed_list) < 0 ||
            kp_buf_printf(&creq, "%s\n%s\n%s", kp_buf_cstr(&hblock), kp_buf_cstr(&signed_list),
                          req->payload_sha256) < 0)
                goto oom;

        /* String to sign. */
        kp_sha256_hex(creq.data, creq.len, hash);
        if (kp_buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", req->amz_date,
                          date8, req->region, req->service, hash) < 0)
                goto oom;

        /* Signature. */
        if (kp_buf_printf(&seed, "AWS4%s", creds->secret_access_key) < 0)
                goto oom;
        hmac(seed.data, seed.len, date8, k);
        hmac(k, 32, req->region, k);
        hmac(k, 32, req->service, k);
        hmac(k, 32, "aws4_request", k);
        hmac(k, 32, kp_buf_cstr(&sts), sig);
        to_hex(sig, 32, sig_hex);
        OPENSSL_cleanse(k, sizeof(k));

        if (authorization &&
            kp_buf_printf(authorization,
                          "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
                          "Signature=%s",
                          creds->access_key_id, date8, req->region, req->service,
                          kp_buf_cstr(&signed_list), sig_hex) < 0)
                goto oom;
        if (creq_out && kp_buf_append(creq_out, creq.data, creq.len) < 0)
                goto oom;
        if (sts_out && kp_buf_append(sts_out, sts.data, sts.len) < 0)
                goto oom;
        rc = 0;
        goto out;
oom:
        kp_err_set(err, KP_ENOMEM, "sigv4: request too large or out of memory");
out:
        if (seed.data)
                OPENSSL_cleanse(seed.data, seed.len);
        kp_buf_free(&seed);
        kp_buf_free(&creq);
        kp_buf_free(&sts);
        kp_buf_free(&hblock);
        kp_buf_free(&signed_list);
        return rc;
}

void kp_sigv4_amz_date(long long wall_ns, char out[17])
{
        time_t t = (time_t)(wall_ns / 1000000000LL);
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}
