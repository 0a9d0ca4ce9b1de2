/*
 * utf8: strict UTF-8 validation (no overlong forms, no surrogates, nothing
 * above U+10FFFF) for what kproof reads, and a repair for what it writes:
 * every JSON, HTML and XML file kproof writes is valid UTF-8 even when a
 * file path or command line it records is not.
 */
#ifndef KP_UTF8_H
#define KP_UTF8_H

#include <stddef.h>

#include "util/buf.h"

/* Length of the valid UTF-8 sequence starting at s[0..len), 0 when the
 * bytes there are not one. */
size_t kp_utf8_seq(const unsigned char *s, size_t len);
/* Offset of the first byte of s[0..len) that is not valid UTF-8, or len. */
size_t kp_utf8_invalid_at(const char *s, size_t len);
/* Appends s[0..len) to out with each invalid byte replaced by U+FFFD. */
int kp_utf8_fix(const char *s, size_t len, kp_buf_t *out);

#endif
