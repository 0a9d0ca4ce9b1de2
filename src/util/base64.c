#include "util/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int kp_base64_encode(const void *data, size_t len, kp_buf_t *out)
{
        const unsigned char *p = data;
        char quad[4];
        size_t i;

        for (i = 0; i + 2 < len; i += 3) {
                quad[0] = alphabet[p[i] >> 2];
                quad[1] = alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
                quad[2] = alphabet[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
                quad[3] = alphabet[p[i + 2] & 63];
                if (kp_buf_append(out, quad, 4) < 0)
                        return -1;
        }
        if (i < len) {
                quad[0] = alphabet[p[i] >> 2];
                if (i + 1 < len) {
                        quad[1] = alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
                        quad[2] = alphabet[(p[i + 1] & 15) << 2];
                } else {
                        quad[1] = alphabet[(p[i] & 3) << 4];
                        quad[2] = '=';
                }
                quad[3] = '=';
                if (kp_buf_append(out, quad, 4) < 0)
                        return -1;
        }
        return 0;
}

static int value_of(char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+' || c == '-')
                return 62;
        if (c == '/' || c == '_')
                return 63;
        return -1;
}

int kp_base64_decode(const char *text, size_t len, kp_buf_t *out)
{
        unsigned int acc = 0;
        size_t i, n = 0, pad = 0;
        char byte;

        while (len > 0 && text[len - 1] == '=' && pad < 2) {
                len--;
                pad++;
        }
        if (pad && (len + pad) % 4 != 0)
                return -1;
        for (i = 0; i < len; i++) {
                int v = value_of(text[i]);
                if (v < 0)
                        return -1;
                acc = (acc << 6) | (unsigned int)v;
                if (++n == 4) {
                        char three[3] = {(char)(acc >> 16), (char)(acc >> 8), (char)acc};
                        if (kp_buf_append(out, three, 3) < 0)
                                return -1;
                        acc = 0;
                        n = 0;
                }
        }
        if (n == 1)
                return -1;
        if (n == 2) {
                if (acc & 15)
                        return -1;
                byte = (char)(acc >> 4);
                return kp_buf_append(out, &byte, 1);
        }
        if (n == 3) {
                char two[2] = {(char)(acc >> 10), (char)(acc >> 2)};
                if (acc & 3)
                        return -1;
                return kp_buf_append(out, two, 2);
        }
        return 0;
}
