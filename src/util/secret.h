/*
 * secret: the registry of secret values and the redaction every output uses.
 *
 * Values read through ${env:NAME} (and values of sensitive client properties
 * such as sasl.password) are registered here while files are loaded. Every
 * byte kproof writes to a file, a log line or the terminal passes through
 * kp_redact(), which replaces each registered value with "***". A value is
 * matched in every form a writer can give it — raw, JSON-escaped (also
 * twice), HTML/XML-escaped (also of its JSON form), URL-encoded and with
 * control characters as spaces — so escaping by a serialiser never hides a
 * secret from redaction. Text that was cut (a tail of command output, a
 * bounded message) is redacted before it is cut, and a piece of a secret of
 * 8 or more bytes standing at a cut edge is masked too. The registry owns
 * copies of the values; it lives for the whole process.
 */
#ifndef KP_SECRET_H
#define KP_SECRET_H

#include <stddef.h>

#include "util/buf.h"

#define KP_REDACTED "***"

/* Registers a secret value (copied). Empty values are ignored. Thread-safe. */
int kp_secret_add(const char *value);
size_t kp_secret_count(void);
/* Forgets every registered value (tests only). */
void kp_secret_clear(void);

/* Edges of a text where it was cut: a fragment of a secret there is masked. */
#define KP_CUT_HEAD 1
#define KP_CUT_TAIL 2

/* Appends in[0..len) to out with every secret (in any form) replaced by
 * "***". */
int kp_redact(const char *in, size_t len, kp_buf_t *out);
/* kp_redact, also masking a fragment of 8+ bytes of a secret at the edges
 * named by cut (KP_CUT_HEAD, KP_CUT_TAIL). */
int kp_redact_cut(const char *in, size_t len, int cut, kp_buf_t *out);
/* Redacts in (with cut as above), then keeps the last max bytes of the
 * result, masking a fragment at the new cut. */
int kp_redact_tail(const char *in, size_t len, size_t max, int cut, kp_buf_t *out);
/* The same keeping the first max bytes. */
int kp_redact_head(const char *in, size_t len, size_t max, int cut, kp_buf_t *out);
/* Redacts src[0..len) and then cuts it into dst (at most size-1 bytes and a
 * NUL), masking a fragment at the cut. */
void kp_redact_copy(char *dst, size_t size, const char *src, size_t len, int cut);
/* A malloc'ed redacted copy of s (free with free()), or NULL on OOM. */
char *kp_redact_dup(const char *s);
/* Redacts s in place when it fits (the replacement is never longer than a
 * secret of 3 or more bytes); shorter secrets are still masked. A string
 * that fills the buffer is taken as cut by snprintf: a fragment of a secret
 * at its end is masked. */
void kp_redact_inplace(char *s, size_t size);

/* True when a client property or header name holds credentials by its name
 * (password, secret, token, private key material). */
int kp_secret_key_is_sensitive(const char *name);

#endif
