/*
 * base64: the RFC 4648 encoding used by the DSSE envelope for its payload
 * and signatures. Encoding uses the standard alphabet with padding; decoding
 * accepts the standard and the URL-safe alphabet, with or without padding,
 * as the DSSE specification asks of verifiers, and rejects anything else
 * (whitespace included). OpenSSL's EVP block functions do the transform.
 */
#ifndef KP_BASE64_H
#define KP_BASE64_H

#include <stddef.h>

#include "util/buf.h"

/* Appends the encoding of data[0..len) to out. */
int kp_base64_encode(const void *data, size_t len, kp_buf_t *out);
/* Appends the decoded bytes of text[0..len) to out; -1 on a character
 * outside the alphabet, misplaced padding, a truncated group or nonzero bits
 * after the last byte, leaving out as it was. */
int kp_base64_decode(const char *text, size_t len, kp_buf_t *out);

#endif
