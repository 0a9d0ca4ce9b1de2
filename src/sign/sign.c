#include "sign/sign.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "util/log.h"

#define KEY_FILE_LIMIT ((size_t)64 << 10)

struct kp_key {
        EVP_PKEY *pkey;
        int has_private;
        char fp[KP_SHA256_HEX];
        char *pub_pem;
};

/* Refuses to prompt for a passphrase: kproof keys are unencrypted files
 * protected by their mode. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
        (void)buf;
        (void)size;
        (void)rwflag;
        (void)u;
        return -1;
}

static int pem_of(EVP_PKEY *pkey, int private_part, kp_buf_t *out)
{
        BIO *bio = BIO_new(BIO_s_mem());
        char *data;
        long n;
        int ok;

        if (!bio)
                return -1;
        ok = private_part ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
                          : PEM_write_bio_PUBKEY(bio, pkey);
        n = BIO_get_mem_data(bio, &data);
        if (ok != 1 || n <= 0 || kp_buf_append(out, data, (size_t)n) < 0) {
                BIO_free(bio);
                return -1;
        }
        BIO_free(bio);
        return 0;
}

/* Fills fingerprint and public PEM; takes ownership of pkey. */
static int key_wrap(EVP_PKEY *pkey, int has_private, kp_key_t **key, const char *what,
                    kp_err_t *err)
{
        unsigned char *der = NULL;
        kp_buf_t pem;
        kp_key_t *k;
        int n;

        if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
                EVP_PKEY_free(pkey);
                return kp_err_set(err, KP_EINVAL,
                                  "%s: not an Ed25519 key (create one with 'kproof keygen')", what);
        }
        k = calloc(1, sizeof(*k));
        n = i2d_PUBKEY(pkey, &der);
        kp_buf_init(&pem, KEY_FILE_LIMIT);
        if (!k || n <= 0 || pem_of(pkey, 0, &pem) < 0) {
                OPENSSL_free(der);
                kp_buf_free(&pem);
                free(k);
                EVP_PKEY_free(pkey);
                return kp_err_set(err, KP_ENOMEM, "%s: cannot encode the public key", what);
        }
        kp_sha256_hex(der, (size_t)n, k->fp);
        OPENSSL_free(der);
        k->pkey = pkey;
        k->has_private = has_private;
        k->pub_pem = kp_buf_detach(&pem);
        *key = k;
        return 0;
}

void kp_key_free(kp_key_t *key)
{
        if (!key)
                return;
        EVP_PKEY_free(key->pkey);
        free(key->pub_pem);
        free(key);
}

const char *kp_key_fingerprint(const kp_key_t *key)
{
        return key->fp;
}

const char *kp_key_public_pem(const kp_key_t *key)
{
        return key->pub_pem;
}

int kp_key_has_private(const kp_key_t *key)
{
        return key->has_private;
}

/* Wipes and frees a buffer that held key material. */
static void key_buf_free(kp_buf_t *b)
{
        if (b->data)
                OPENSSL_cleanse(b->data, b->len);
        kp_buf_free(b);
}

/* The PEM key in b: a private key when is_private, else a public key; NULL when
 * b holds none. */
static EVP_PKEY *pem_read_key(const kp_buf_t *b, int is_private)
{
        BIO *bio = BIO_new_mem_buf(b->data ? b->data : "", (int)b->len);
        EVP_PKEY *pkey = NULL;

        if (bio)
                pkey = is_private ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
                                  : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
        BIO_free(bio);
        return pkey;
}

int kp_key_generate(const char *path, int overwrite, char fp[KP_SHA256_HEX], kp_err_t *err)
{
        char pub_path[4096];
        EVP_PKEY *pkey;
        kp_key_t *key = NULL;
        kp_buf_t priv;
        int rc = -1;

        if (snprintf(pub_path, sizeof(pub_path), "%s.pub", path) >= (int)sizeof(pub_path))
                return kp_err_set(err, KP_EUSAGE, "%s: path too long", path);
        if (!overwrite && (kp_path_exists(path) || kp_path_exists(pub_path)))
                return kp_err_set(
                    err, KP_EUSAGE,
                    "%s: a key already exists there (remove it first, or pass --force)",
                    kp_path_exists(path) ? path : pub_path);
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        if (!pkey)
                return kp_err_set(err, KP_EINFRA, "cannot generate an Ed25519 key with libcrypto");
        kp_buf_init(&priv, KEY_FILE_LIMIT);
        if (pem_of(pkey, 1, &priv) < 0) {
                EVP_PKEY_free(pkey);
                kp_err_set(err, KP_ENOMEM, "cannot encode the private key");
                goto out;
        }
        if (key_wrap(pkey, 1, &key, path, err) < 0)
                goto out;
        /* Key material is written raw: redaction must never alter it. */
        if (kp_write_file_raw(path, priv.data, priv.len, 0600, err) < 0 ||
            kp_write_file_raw(pub_path, key->pub_pem, strlen(key->pub_pem), 0644, err) < 0)
                goto out;
        if (fp)
                memcpy(fp, key->fp, KP_SHA256_HEX);
        rc = 0;
out:
        key_buf_free(&priv);
        kp_key_free(key);
        return rc;
}

static int read_key_file(const char *path, kp_buf_t *b, kp_err_t *err)
{
        kp_buf_init(b, KEY_FILE_LIMIT);
        if (kp_read_file(path, KEY_FILE_LIMIT, b, err) < 0) {
                kp_buf_free(b);
                if (err)
                        err->code = KP_EINVAL; /* a key file named by the user: bad input */
                return kp_err_prefix(err, "key");
        }
        return 0;
}

int kp_key_load_private(const char *path, kp_key_t **key, kp_err_t *err)
{
        struct stat st;
        EVP_PKEY *pkey;
        kp_buf_t b;

        if (read_key_file(path, &b, err) < 0)
                return -1;
        pkey = pem_read_key(&b, 1);
        key_buf_free(&b);
        if (!pkey)
                return kp_err_set(
                    err, KP_EINVAL,
                    "%s: not an unencrypted PEM private key (create one with 'kproof keygen')",
                    path);
        if (stat(path, &st) == 0 && (st.st_mode & 077))
                kp_warn("%s: the private key is readable by other users (mode %03o); chmod 600 it",
                        path, (unsigned)(st.st_mode & 0777));
        return key_wrap(pkey, 1, key, path, err);
}

int kp_key_from_public_pem(const char *pem, size_t len, kp_key_t **key, kp_err_t *err)
{
        BIO *bio = BIO_new_mem_buf(pem, (int)len);
        EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL) : NULL;

        BIO_free(bio);
        if (!pkey)
                return kp_err_set(err, KP_EINVAL, "not a PEM public key");
        return key_wrap(pkey, 0, key, "public key", err);
}

int kp_key_load_public(const char *path, kp_key_t **key, kp_err_t *err)
{
        EVP_PKEY *pkey;
        kp_buf_t b;

        if (read_key_file(path, &b, err) < 0)
                return -1;
        /* A private key file names its public key too. */
        pkey = pem_read_key(&b, 0);
        if (!pkey)
                pkey = pem_read_key(&b, 1);
        key_buf_free(&b);
        if (!pkey)
                return kp_err_set(err, KP_EINVAL, "%s: not a PEM public key", path);
        if (key_wrap(pkey, 0, key, path, err) < 0)
                return -1;
        return 0;
}

int kp_key_sign(const kp_key_t *key, const void *msg, size_t len, unsigned char sig[KP_SIG_BYTES],
                kp_err_t *err)
{
        size_t sig_len = KP_SIG_BYTES;
        EVP_MD_CTX *ctx;
        int ok;

        if (!key->has_private)
                return kp_err_set(err, KP_EUSAGE, "cannot sign with a public key");
        ctx = EVP_MD_CTX_new();
        ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
             EVP_DigestSign(ctx, sig, &sig_len, msg, len) == 1 && sig_len == KP_SIG_BYTES;
        EVP_MD_CTX_free(ctx);
        if (!ok)
                return kp_err_set(err, KP_EINFRA, "Ed25519 signing failed in libcrypto");
        return 0;
}

int kp_key_verify(const kp_key_t *key, const void *msg, size_t len, const void *sig, size_t sig_len)
{
        EVP_MD_CTX *ctx;
        int ok;

        if (sig_len != KP_SIG_BYTES)
                return 0;
        ctx = EVP_MD_CTX_new();
        ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
        EVP_MD_CTX_free(ctx);
        return ok ? 1 : 0;
}

int kp_key_default_path(char *out, size_t size, kp_err_t *err)
{
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        int n;

        if (xdg && xdg[0] == '/')
                n = snprintf(out, size, "%s/kproof/signing-key.pem", xdg);
        else if (home && home[0])
                n = snprintf(out, size, "%s/.config/kproof/signing-key.pem", home);
        else
                return kp_err_set(err, KP_EUSAGE,
                                  "no signing key: set HOME or XDG_CONFIG_HOME, pass --sign-key "
                                  "FILE or set KPROOF_SIGN_KEY");
        if (n < 0 || (size_t)n >= size)
                return kp_err_set(err, KP_EUSAGE, "the default signing key path is too long");
        return 0;
}

int kp_key_resolve(const char *explicit_path, kp_key_t **key, int *created, char *path_out,
                   size_t path_size, kp_err_t *err)
{
        const char *env = getenv("KPROOF_SIGN_KEY");
        char dir[4096], *slash;

        *created = 0;
        if (explicit_path && *explicit_path)
                snprintf(path_out, path_size, "%s", explicit_path);
        else if (env && *env)
                snprintf(path_out, path_size, "%s", env);
        else {
                if (kp_key_default_path(path_out, path_size, err) < 0)
                        return -1;
                if (!kp_path_exists(path_out)) {
                        char lock[4200];
                        int fd, rc = 0;

                        snprintf(dir, sizeof(dir), "%s", path_out);
                        slash = strrchr(dir, '/');
                        if (slash)
                                *slash = '\0';
                        if (kp_mkdir_p(dir, err) < 0)
                                return -1;
                        if (chmod(dir, 0700) < 0)
                                return kp_err_set(err, KP_EIO, "%s: chmod: %s", dir,
                                                  strerror(errno));
                        /* Runs started together create one key, not one each. */
                        snprintf(lock, sizeof(lock), "%s/.signing-key.lock", dir);
                        fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
                        if (fd < 0 || flock(fd, LOCK_EX) < 0) {
                                if (fd >= 0)
                                        close(fd);
                                return kp_err_set(err, KP_EIO, "%s: cannot lock: %s", lock,
                                                  strerror(errno));
                        }
                        if (!kp_path_exists(path_out)) {
                                rc = kp_key_generate(path_out, 0, NULL, err);
                                *created = rc == 0;
                        }
                        close(fd);
                        if (rc < 0)
                                return -1;
                }
        }
        if (kp_key_load_private(path_out, key, err) < 0)
                return -1;
        return 0;
}
