/*
 * buf: a growing byte buffer with a hard size limit.
 *
 * Every buffer that grows from input has a limit ("toobig"), so a hostile or
 * broken input cannot exhaust memory. The data is always NUL-terminated so it
 * can be used as a C string. A kp_buf_t is owned by whoever declares it;
 * release the memory with kp_buf_free().
 */
#ifndef KP_BUF_H
#define KP_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/err.h"

typedef struct kp_buf {
        char *data;
        size_t len;
        size_t cap;
        size_t limit;
        int truncated; /* sticky: an append failed (limit reached or out of memory) */
} kp_buf_t;

#define KP_BUF_DEFAULT_LIMIT ((size_t)64 << 20)

void kp_buf_init(kp_buf_t *b, size_t limit);
void kp_buf_free(kp_buf_t *b);
void kp_buf_reset(kp_buf_t *b);
int kp_buf_append(kp_buf_t *b, const void *data, size_t len);
int kp_buf_puts(kp_buf_t *b, const char *s);
int kp_buf_putc(kp_buf_t *b, char c);
int kp_buf_printf(kp_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kp_buf_vprintf(kp_buf_t *b, const char *fmt, va_list ap);
/* The contents as a C string ("" for an empty buffer, never NULL). */
const char *kp_buf_cstr(const kp_buf_t *b);
/* Hands the malloc'ed string to the caller (free with free()) and resets b. */
char *kp_buf_detach(kp_buf_t *b);

#endif
