/*
 * digest: SHA-256 of buffers and files (OpenSSL libcrypto), as lower-case hex.
 */
#ifndef KP_DIGEST_H
#define KP_DIGEST_H

#include <stddef.h>

#include "util/err.h"

#define KP_SHA256_HEX 65

void kp_sha256_hex(const void *data, size_t len, char out[KP_SHA256_HEX]);
int kp_sha256_file(const char *path, char out[KP_SHA256_HEX], kp_err_t *err);
#define KP_UUID_STR 37

/* A name-based UUID (RFC 9562 version 5: SHA-1 over namespace and name),
 * lower-case "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx": the same name in the
 * same namespace always gives the same UUID. ns is a UUID string. */
void kp_uuid_v5(const char *ns, const char *name, char out[KP_UUID_STR]);
/* Fills buf with n cryptographically random bytes. */
int kp_random_bytes(void *buf, size_t n);

#endif
