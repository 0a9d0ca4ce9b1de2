/*
 * sign: Ed25519 signing keys through OpenSSL's libcrypto — the only module
 * that touches key material.
 *
 * A key is kept in PEM files: the private key as unencrypted PKCS#8 (mode
 * 0600) and the public key as SubjectPublicKeyInfo in "<file>.pub". A key's
 * fingerprint (also the DSSE keyid) is the lower-case hex SHA-256 of its
 * DER SubjectPublicKeyInfo, so anyone can recompute it with
 *   openssl pkey -pubin -in KEY.pub -outform DER | sha256sum
 * A kp_key_t is owned by whoever loaded it; free with kp_key_free().
 */
#ifndef KP_SIGN_H
#define KP_SIGN_H

#include <stddef.h>

#include "util/digest.h"
#include "util/err.h"

#define KP_SIG_BYTES 64

typedef struct kp_key kp_key_t;

/* Creates a new key pair at path and path.pub. Existing files are an error
 * unless overwrite is set. The fingerprint is written to fp when not NULL. */
int kp_key_generate(const char *path, int overwrite, char fp[KP_SHA256_HEX], kp_err_t *err);

/* Loads a private key (Ed25519 only; encrypted PEM is refused). */
int kp_key_load_private(const char *path, kp_key_t **key, kp_err_t *err);
/* Loads a public key; a private key file is accepted too (its public half
 * is used). */
int kp_key_load_public(const char *path, kp_key_t **key, kp_err_t *err);
/* Loads a public key from PEM text held in memory. */
int kp_key_from_public_pem(const char *pem, size_t len, kp_key_t **key, kp_err_t *err);
void kp_key_free(kp_key_t *key);

const char *kp_key_fingerprint(const kp_key_t *key);
/* The public key as PEM text (owned by key). */
const char *kp_key_public_pem(const kp_key_t *key);
int kp_key_has_private(const kp_key_t *key);

/* Signs msg (pure Ed25519, no pre-hash). */
int kp_key_sign(const kp_key_t *key, const void *msg, size_t len, unsigned char sig[KP_SIG_BYTES],
                kp_err_t *err);
/* 1 when sig is a valid signature of msg by key, 0 otherwise. */
int kp_key_verify(const kp_key_t *key, const void *msg, size_t len, const void *sig,
                  size_t sig_len);

/* "$XDG_CONFIG_HOME/kproof/signing-key.pem", or under "$HOME/.config". */
int kp_key_default_path(char *out, size_t size, kp_err_t *err);

/* The key a run signs with: explicit path, else $KPROOF_SIGN_KEY, else the
 * default key, created when missing (*created is then set). path_out gets
 * the file used. */
int kp_key_resolve(const char *explicit_path, kp_key_t **key, int *created, char *path_out,
                   size_t path_size, kp_err_t *err);

#endif
