#include "util/utf8.h"

size_t kp_utf8_seq(const unsigned char *s, size_t len)
{
        unsigned char c = s[0];
        size_t n, i;
        unsigned lo = 0x80, hi = 0xBF;

        if (c < 0x80)
                return 1;
        if (c >= 0xC2 && c <= 0xDF)
                n = 2;
        else if (c >= 0xE0 && c <= 0xEF)
                n = 3;
        else if (c >= 0xF0 && c <= 0xF4)
                n = 4;
        else
                return 0;
        if (len < n)
                return 0;
        /* The second byte's range rules out overlongs, surrogates and
         * code points above U+10FFFF. */
        if (c == 0xE0)
                lo = 0xA0;
        else if (c == 0xED)
                hi = 0x9F;
        else if (c == 0xF0)
                lo = 0x90;
        else if (c == 0xF4)
                hi = 0x8F;
        if (s[1] < lo || s[1] > hi)
                return 0;
        for (i = 2; i < n; i++)
                if (s[i] < 0x80 || s[i] > 0xBF)
                        return 0;
        return n;
}

size_t kp_utf8_invalid_at(const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0, n;

        while (i < len) {
                n = kp_utf8_seq(p + i, len - i);
                if (!n)
                        return i;
                i += n;
        }
        return len;
}

int kp_utf8_fix(const char *s, size_t len, kp_buf_t *out)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0, start = 0, n;

        while (i < len) {
                n = kp_utf8_seq(p + i, len - i);
                if (n) {
                        i += n;
                        continue;
                }
                if (kp_buf_append(out, s + start, i - start) < 0 ||
                    kp_buf_puts(out, "\xEF\xBF\xBD") < 0)
                        return -1;
                start = ++i;
        }
        return kp_buf_append(out, s + start, len - start);
}
