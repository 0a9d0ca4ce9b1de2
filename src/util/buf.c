#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kp_buf_init(kp_buf_t *b, size_t limit)
{
        b->data = NULL;
        b->len = 0;
        b->cap = 0;
        b->limit = limit ? limit : KP_BUF_DEFAULT_LIMIT;
        b->truncated = 0;
}

void kp_buf_free(kp_buf_t *b)
{
        if (!b)
                return;
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
}

void kp_buf_reset(kp_buf_t *b)
{
        b->len = 0;
        if (b->data)
                b->data[0] = '\0';
}

static int buf_grow(kp_buf_t *b, size_t need)
{
        size_t cap;
        char *p;

        if (need + 1 <= b->cap)
                return 0;
        if (need > b->limit)
                return -1;
        cap = b->cap ? b->cap : 256;
        while (cap < need + 1)
                cap *= 2;
        if (cap > b->limit + 1)
                cap = b->limit + 1;
        p = realloc(b->data, cap);
        if (!p)
                return -1;
        b->data = p;
        b->cap = cap;
        return 0;
}

int kp_buf_append(kp_buf_t *b, const void *data, size_t len)
{
        if (buf_grow(b, b->len + len) < 0) {
                b->truncated = 1;
                return -1;
        }
        if (len)
                memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
        return 0;
}

int kp_buf_puts(kp_buf_t *b, const char *s)
{
        return kp_buf_append(b, s, strlen(s));
}

int kp_buf_putc(kp_buf_t *b, char c)
{
        return kp_buf_append(b, &c, 1);
}

int kp_buf_vprintf(kp_buf_t *b, const char *fmt, va_list ap)
{
        va_list ap2;
        int n;

        va_copy(ap2, ap);
        n = vsnprintf(NULL, 0, fmt, ap2);
        va_end(ap2);
        if (n < 0 || buf_grow(b, b->len + (size_t)n) < 0) {
                b->truncated = 1;
                return -1;
        }
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        b->len += (size_t)n;
        return 0;
}

int kp_buf_printf(kp_buf_t *b, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = kp_buf_vprintf(b, fmt, ap);
        va_end(ap);
        return r;
}

const char *kp_buf_cstr(const kp_buf_t *b)
{
        return b->data ? b->data : "";
}

char *kp_buf_detach(kp_buf_t *b)
{
        char *p = b->data;

        if (!p)
                p = calloc(1, 1);
        b->data = NULL;
        b->len = b->cap = 0;
        return p;
}
