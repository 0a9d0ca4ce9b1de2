/*
 * base64 over OpenSSL's EVP_EncodeBlock and EVP_DecodeBlock. The decoder of
 * OpenSSL is lenient (it skips surrounding whitespace, takes '=' anywhere in
 * the last group and ignores the bits a padded group leaves over), so the
 * input is checked here first: only the two alphabets, padding only at the
 * end and only to a whole group, and zero bits after the last byte. The
 * URL-safe characters are translated before OpenSSL sees them.
 */
#include <openssl/evp.h>

#include "util/base64.h"

/* Bytes per EVP call: a multiple of 3 (encoding) whose encoding is a
 * multiple of 4 (decoding). */
#define CHUNK_BYTES 3072
#define CHUNK_CHARS (CHUNK_BYTES / 3 * 4)

int kp_base64_encode(const void *data, size_t len, kp_buf_t *out)
{
        const unsigned char *p = data;
        unsigned char text[CHUNK_CHARS + 1];

        while (len > 0) {
                size_t n = len < CHUNK_BYTES ? len : CHUNK_BYTES;
                int w = EVP_EncodeBlock(text, p, (int)n);
                if (w < 0 || kp_buf_append(out, text, (size_t)w) < 0)
                        return -1;
                p += n;
                len -= n;
        }
        return 0;
}

/* c in the standard alphabet; the URL-safe '-' and '_' become '+' and '/'. */
static int standard_char(char c, unsigned char *std)
{
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '/')
                *std = (unsigned char)c;
        else if (c == '-')
                *std = '+';
        else if (c == '_')
                *std = '/';
        else
                return 0;
        return 1;
}

/* Decodes n characters (n a multiple of 4, at most CHUNK_CHARS, already
 * translated) into bin; the number of bytes (3 per group) or -1. */
static int decode_groups(const unsigned char *text, size_t n, unsigned char *bin)
{
        int got = EVP_DecodeBlock(bin, text, (int)n);
        return got == (int)(n / 4 * 3) ? got : -1;
}

int kp_base64_decode(const char *text, size_t len, kp_buf_t *out)
{
        unsigned char in[CHUNK_CHARS], bin[CHUNK_BYTES];
        unsigned char last[4] = {'=', '=', '=', '='}, tail[3];
        size_t pad = 0, whole, rest, i, j;

        while (len > 0 && text[len - 1] == '=' && pad < 2) {
                len--;
                pad++;
        }
        if (pad && (len + pad) % 4 != 0)
                return -1;
        rest = len % 4;
        if (rest == 1)
                return -1;
        whole = len - rest;
        for (i = 0; i < len; i++)
                if (!standard_char(text[i], &in[0]))
                        return -1;
        /* The short last group first: its bits past the last byte must be
         * zero, which OpenSSL shows as a zero in the byte the padding fills. */
        if (rest) {
                for (i = 0; i < rest; i++)
                        standard_char(text[whole + i], &last[i]);
                if (decode_groups(last, 4, tail) < 0 || tail[rest - 1] != 0)
                        return -1;
        }
        for (i = 0; i < whole; i += CHUNK_CHARS) {
                size_t n = whole - i < CHUNK_CHARS ? whole - i : CHUNK_CHARS;
                int got;
                for (j = 0; j < n; j++)
                        standard_char(text[i + j], &in[j]);
                got = decode_groups(in, n, bin);
                if (got < 0 || kp_buf_append(out, bin, (size_t)got) < 0)
                        return -1;
        }
        if (rest && kp_buf_append(out, tail, rest - 1) < 0)
                return -1;
        return 0;
}
