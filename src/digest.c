#include "digest.h"

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
