#include "util/digest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

static void to_hex(const unsigned char *md, unsigned int n, char *out)
{
        static const char hex[] = "0123456789abcdef";
        unsigned int i;

        for (i = 0; i < n; i++) {
                out[2 * i] = hex[md[i] >> 4];
                out[2 * i + 1] = hex[md[i] & 15];
        }
        out[2 * n] = '\0';
}

void kp_sha256_hex(const void *data, size_t len, char out[KP_SHA256_HEX])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;

        EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
        to_hex(md, n, out);
}

int kp_sha256_file(const char *path, char out[KP_SHA256_HEX], kp_err_t *err)
{
        unsigned char md[EVP_MAX_MD_SIZE], chunk[65536];
        unsigned int n = 0;
        EVP_MD_CTX *ctx;
        size_t got;
        FILE *f;
        int rc = -1;

        f = fopen(path, "rb");
        if (!f)
                return kp_err_set(err, KP_EIO, "%s: cannot open: %s", path, strerror(errno));
        ctx = EVP_MD_CTX_new();
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
                kp_err_set(err, KP_ENOMEM, "%s: cannot start sha256", path);
                goto out;
        }
        while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
                EVP_DigestUpdate(ctx, chunk, got);
        if (ferror(f)) {
                kp_err_set(err, KP_EIO, "%s: read failed", path);
                goto out;
        }
        EVP_DigestFinal_ex(ctx, md, &n);
        to_hex(md, n, out);
        rc = 0;
out:
        EVP_MD_CTX_free(ctx);
        fclose(f);
        return rc;
}

int kp_random_bytes(void *buf, size_t n)
{
        return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

static int hex_val(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

void kp_uuid_v5(const char *ns, const char *name, char out[KP_UUID_STR])
{
        unsigned char nsb[16] = {0}, md[EVP_MAX_MD_SIZE];
        char hex[33];
        unsigned int n = 0;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        size_t i, k = 0;

        for (i = 0; ns[i] && k < 32; i++) {
                int v = hex_val(ns[i]);

                if (v < 0)
                        continue; /* the dashes */
                nsb[k / 2] = (unsigned char)(nsb[k / 2] | (k % 2 ? v : v << 4));
                k++;
        }
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
            EVP_DigestUpdate(ctx, nsb, sizeof(nsb)) != 1 ||
            EVP_DigestUpdate(ctx, name, strlen(name)) != 1 ||
            EVP_DigestFinal_ex(ctx, md, &n) != 1 || n < 16)
                memset(md, 0, sizeof(md));
        EVP_MD_CTX_free(ctx);
        md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
        md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
        to_hex(md, 16, hex);
        for (i = 0, k = 0; i < 32; i++) {
                if (i == 8 || i == 12 || i == 16 || i == 20)
                        out[k++] = '-';
                out[k++] = hex[i];
        }
        out[k] = '\0';
}
