#include "util/secret.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KP_SECRET_MAX 256
/* Forms matched per value: raw, JSON, HTML/XML, HTML of JSON, JSON of JSON,
 * URL-encoded, and the raw value with control characters as spaces. */
#define KP_SECRET_FORMS 8
/* The shortest fragment of a secret masked at a cut edge. */
#define KP_SECRET_FRAGMENT 8

typedef struct form {
        char *data;
        size_t len;
} form_t;

static pthread_mutex_t secret_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t n_values;
/* Every form of every value, longest first so a secret containing another
 * is masked whole. */
static form_t forms[KP_SECRET_MAX * KP_SECRET_FORMS];
static size_t n_forms;
/* Bytes some form starts with: every other byte is passed over at once. */
static unsigned char first_byte[256];

/* The JSON string escaping cJSON writes: \" \\ \b \f \n \r \t, \u00xx for
 * other control characters, every other byte as is. */
static void esc_json(kp_buf_t *b, const char *s, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                switch (c) {
                case '"':
                        kp_buf_puts(b, "\\\"");
                        break;
                case '\\':
                        kp_buf_puts(b, "\\\\");
                        break;
                case '\b':
                        kp_buf_puts(b, "\\b");
                        break;
                case '\f':
                        kp_buf_puts(b, "\\f");
                        break;
                case '\n':
                        kp_buf_puts(b, "\\n");
                        break;
                case '\r':
                        kp_buf_puts(b, "\\r");
                        break;
                case '\t':
                        kp_buf_puts(b, "\\t");
                        break;
                default:
                        if (c < 0x20)
                                kp_buf_printf(b, "\\u%04x", c);
                        else
                                kp_buf_putc(b, (char)c);
                }
        }
}

/* The HTML and XML escaping of the report writers (kp_report_esc): & < > "
 * ' as entities, control characters other than \n and \t as a space. */
static void esc_html(kp_buf_t *b, const char *s, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '&')
                        kp_buf_puts(b, "&amp;");
                else if (c == '<')
                        kp_buf_puts(b, "&lt;");
                else if (c == '>')
                        kp_buf_puts(b, "&gt;");
                else if (c == '"')
                        kp_buf_puts(b, "&quot;");
                else if (c == '\'')
                        kp_buf_puts(b, "&#39;");
                else if (c < 0x20 && c != '\n' && c != '\t')
                        kp_buf_putc(b, ' ');
                else
                        kp_buf_putc(b, (char)c);
        }
}

/* Percent-encoding of everything but RFC 3986 unreserved characters. */
static void esc_url(kp_buf_t *b, const char *s, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~')
                        kp_buf_putc(b, (char)c);
                else
                        kp_buf_printf(b, "%%%02X", c);
        }
}

/* Control characters as spaces (terminal-safe renderings). */
static void esc_ctl(kp_buf_t *b, const char *s, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++)
                kp_buf_putc(b, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
}

/* Adds one form unless already known. Caller holds the lock. */
static int form_add(const char *data, size_t len)
{
        size_t i;

        if (len == 0)
                return 0;
        for (i = 0; i < n_forms; i++)
                if (forms[i].len == len && memcmp(forms[i].data, data, len) == 0)
                        return 0;
        if (n_forms == sizeof(forms) / sizeof(forms[0]))
                return -1;
        forms[n_forms].data = malloc(len + 1);
        if (!forms[n_forms].data)
                return -1;
        memcpy(forms[n_forms].data, data, len);
        forms[n_forms].data[len] = '\0';
        forms[n_forms].len = len;
        first_byte[(unsigned char)data[0]] = 1;
        for (i = n_forms++; i > 0 && forms[i - 1].len < forms[i].len; i--) {
                form_t t = forms[i - 1];
                forms[i - 1] = forms[i];
                forms[i] = t;
        }
        return 0;
}

/* Every escaped form a writer can give the value. Caller holds the lock. */
static int forms_add(const char *value, size_t len)
{
        kp_buf_t json, b;
        int rc = 0;

        kp_buf_init(&json, 0);
        kp_buf_init(&b, 0);
        rc |= form_add(value, len);
        esc_json(&json, value, len);
        rc |= form_add(json.data, json.len);
        esc_html(&b, value, len);
        rc |= form_add(b.data, b.len);
        kp_buf_reset(&b);
        esc_html(&b, json.data, json.len);
        rc |= form_add(b.data, b.len);
        kp_buf_reset(&b);
        esc_json(&b, json.data, json.len);
        rc |= form_add(b.data, b.len);
        kp_buf_reset(&b);
        esc_url(&b, value, len);
        rc |= form_add(b.data, b.len);
        kp_buf_reset(&b);
        esc_ctl(&b, value, len);
        rc |= form_add(b.data, b.len);
        kp_buf_free(&json);
        kp_buf_free(&b);
        return rc ? -1 : 0;
}

int kp_secret_add(const char *value)
{
        size_t len, i;
        int rc = 0;

        if (!value || !*value)
                return 0;
        len = strlen(value);
        pthread_mutex_lock(&secret_lock);
        for (i = 0; i < n_forms; i++)
                if (forms[i].len == len && memcmp(forms[i].data, value, len) == 0)
                        goto out;
        if (n_values == KP_SECRET_MAX) {
                rc = -1;
                goto out;
        }
        n_values++;
        rc = forms_add(value, len);
out:
        pthread_mutex_unlock(&secret_lock);
        return rc;
}

size_t kp_secret_count(void)
{
        size_t n;

        pthread_mutex_lock(&secret_lock);
        n = n_values;
        pthread_mutex_unlock(&secret_lock);
        return n;
}

void kp_secret_clear(void)
{
        pthread_mutex_lock(&secret_lock);
        while (n_forms > 0) {
                n_forms--;
                free(forms[n_forms].data);
                forms[n_forms].data = NULL;
        }
        n_values = 0;
        memset(first_byte, 0, sizeof(first_byte));
        pthread_mutex_unlock(&secret_lock);
}

/* Length of the registered form starting at p, or 0. Caller holds the lock. */
static size_t secret_match(const char *p, size_t avail)
{
        size_t i;

        if (!first_byte[(unsigned char)p[0]])
                return 0;
        for (i = 0; i < n_forms; i++)
                if (forms[i].len <= avail && p[0] == forms[i].data[0] &&
                    memcmp(p, forms[i].data, forms[i].len) == 0)
                        return forms[i].len;
        return 0;
}

/* Bytes at the start of s[0..n) that end some form (a cut-off secret's last
 * part), at least KP_SECRET_FRAGMENT of them; 0 when none. Caller holds the
 * lock. */
static size_t head_fragment(const char *s, size_t n)
{
        size_t i, k, best = 0;

        for (i = 0; i < n_forms; i++)
                for (k = forms[i].len - 1; k >= KP_SECRET_FRAGMENT && k > best; k--)
                        if (k <= n && memcmp(s, forms[i].data + forms[i].len - k, k) == 0) {
                                best = k;
                                break;
                        }
        return best;
}

/* Bytes at the end of s[0..n) that start some form (a secret cut off after
 * them). Caller holds the lock. */
static size_t tail_fragment(const char *s, size_t n)
{
        size_t i, k, best = 0;

        for (i = 0; i < n_forms; i++)
                for (k = forms[i].len - 1; k >= KP_SECRET_FRAGMENT && k > best; k--)
                        if (k <= n && memcmp(s + n - k, forms[i].data, k) == 0) {
                                best = k;
                                break;
                        }
        return best;
}

/* Full matches anywhere; with cut flags, also fragments at a cut edge.
 * Caller holds the lock. */
static int redact_locked(const char *in, size_t len, int cut, kp_buf_t *out)
{
        size_t i = 0, start = 0, m, end = len;

        if (cut & KP_CUT_HEAD) {
                m = head_fragment(in, len);
                if (m) {
                        if (kp_buf_puts(out, KP_REDACTED) < 0)
                                return -1;
                        i = start = m;
                }
        }
        if (cut & KP_CUT_TAIL) {
                m = tail_fragment(in + i, len - i);
                end = len - m;
        }
        while (i < end) {
                m = secret_match(in + i, len - i);
                if (!m) {
                        i++;
                        continue;
                }
                if (kp_buf_append(out, in + start, i - start) < 0 ||
                    kp_buf_puts(out, KP_REDACTED) < 0)
                        return -1;
                i += m;
                start = i;
        }
        if (start < end && kp_buf_append(out, in + start, end - start) < 0)
                return -1;
        if (end < len && start <= end && kp_buf_puts(out, KP_REDACTED) < 0)
                return -1;
        return 0;
}

int kp_redact_cut(const char *in, size_t len, int cut, kp_buf_t *out)
{
        int rc;

        pthread_mutex_lock(&secret_lock);
        if (n_forms == 0)
                rc = kp_buf_append(out, in, len);
        else
                rc = redact_locked(in, len, cut, out);
        pthread_mutex_unlock(&secret_lock);
        return rc;
}

int kp_redact(const char *in, size_t len, kp_buf_t *out)
{
        return kp_redact_cut(in, len, 0, out);
}

int kp_redact_tail(const char *in, size_t len, size_t max, int cut, kp_buf_t *out)
{
        kp_buf_t red;
        size_t skip;
        int rc;

        kp_buf_init(&red, 0);
        if (kp_redact_cut(in, len, cut, &red) < 0) {
                kp_buf_free(&red);
                return -1;
        }
        if (red.len <= max) {
                rc = kp_buf_append(out, red.data ? red.data : "", red.len);
        } else {
                skip = red.len - max;
                rc = kp_redact_cut(red.data + skip, max, KP_CUT_HEAD, out);
        }
        kp_buf_free(&red);
        return rc;
}

int kp_redact_head(const char *in, size_t len, size_t max, int cut, kp_buf_t *out)
{
        kp_buf_t red;
        int rc;

        kp_buf_init(&red, 0);
        if (kp_redact_cut(in, len, cut, &red) < 0) {
                kp_buf_free(&red);
                return -1;
        }
        if (red.len <= max)
                rc = kp_buf_append(out, red.data ? red.data : "", red.len);
        else
                rc = kp_redact_cut(red.data, max, KP_CUT_TAIL, out);
        kp_buf_free(&red);
        return rc;
}

char *kp_redact_dup(const char *s)
{
        kp_buf_t b;

        kp_buf_init(&b, 0);
        if (kp_redact(s, strlen(s), &b) < 0) {
                kp_buf_free(&b);
                return NULL;
        }
        return kp_buf_detach(&b);
}

void kp_redact_copy(char *dst, size_t size, const char *src, size_t len, int cut)
{
        kp_buf_t b;
        size_t n;

        if (!dst || size == 0)
                return;
        kp_buf_init(&b, 0);
        if (kp_redact_head(src, len, size - 1, cut, &b) == 0) {
                /* The masked edge may make the text longer than size - 1. */
                n = b.len < size - 1 ? b.len : size - 1;
                memcpy(dst, kp_buf_cstr(&b), n);
                dst[n] = '\0';
                if (b.len > size - 1 && size > sizeof(KP_REDACTED))
                        memcpy(dst + size - sizeof(KP_REDACTED), KP_REDACTED, sizeof(KP_REDACTED));
        } else {
                /* Out of memory: never print an unredacted value. */
                snprintf(dst, size, "%s", KP_REDACTED);
        }
        kp_buf_free(&b);
}

void kp_redact_inplace(char *s, size_t size)
{
        kp_buf_t b;
        size_t len;

        if (!s || size == 0 || kp_secret_count() == 0)
                return;
        len = strnlen(s, size);
        kp_buf_init(&b, 0);
        /* A full buffer was probably cut by snprintf: mask its tail edge. */
        if (kp_buf_append(&b, s, len) == 0)
                kp_redact_copy(s, size, kp_buf_cstr(&b), b.len, len + 1 >= size ? KP_CUT_TAIL : 0);
        else
                snprintf(s, size, "%s", KP_REDACTED);
        kp_buf_free(&b);
}
int kp_secret_key_is_sensitive(const char *name)
{
        static const char *const words[] = {"password",
                                            "secret",
                                            "token",
                                            "ssl.key.pem",
                                            "private",
                                            "credential",
                                            "sasl.oauthbearer.config",
                                            "sasl.jaas"};
        size_t i, n = strlen(name);

        for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                size_t w = strlen(words[i]), j;
                for (j = 0; j + w <= n; j++)
                        if (strncasecmp(name + j, words[i], w) == 0)
                                return 1;
        }
        return 0;
}
