/*
 * secret: the registry of secret values and the redaction every output uses.
 *
 * Values read through ${env:NAME} (and values of sensitive client properties
 * such as sasl.password) are registered here while files are loaded. Every
 * byte kproof writes to a file, a log line or the terminal passes through
 * kp_redact(), which replaces each registered value with "***". The registry
 * owns copies of the values; it lives for the whole process.
 */
#ifndef KP_SECRET_H
#define KP_SECRET_H

#include <stddef.h>

#include "buf.h"

#define KP_REDACTED "***"

/* Registers a secret value (copied). Empty values are ignored. Thread-safe. */
int kp_secret_add(const char *value);
size_t kp_secret_count(void);
/* Forgets every registered value (tests only). */
void kp_secret_clear(void);

/* Appends in[0..len) to out with every secret replaced by "***". */
int kp_redact(const char *in, size_t len, kp_buf_t *out);
/* A malloc'ed redacted copy of s (free with free()), or NULL on OOM. */
char *kp_redact_dup(const char *s);
/* Redacts s in place when it fits (the replacement is never longer than a
 * secret of 3 or more bytes); shorter secrets are still masked. */
void kp_redact_inplace(char *s, size_t size);

/* True when a client property or header name holds credentials by its name
 * (password, secret, token, private key material). */
int kp_secret_key_is_sensitive(const char *name);

#endif
