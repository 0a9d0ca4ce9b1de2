#include "secret.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KP_SECRET_MAX 256

static pthread_mutex_t secret_lock = PTHREAD_MUTEX_INITIALIZER;
static char *secrets[KP_SECRET_MAX];
static size_t secret_lens[KP_SECRET_MAX];
static size_t n_secrets;

int kp_secret_add(const char *value)
{
        size_t len, i;
        int rc = 0;

        if (!value || !*value)
                return 0;
        len = strlen(value);
        pthread_mutex_lock(&secret_lock);
        for (i = 0; i < n_secrets; i++)
                if (secret_lens[i] == len && memcmp(secrets[i], value, len) == 0)
                        goto out;
        if (n_secrets == KP_SECRET_MAX) {
                rc = -1;
                goto out;
        }
        secrets[n_secrets] = strdup(value);
        if (!secrets[n_secrets]) {
                rc = -1;
                goto out;
        }
        /* Keep the longest first so a secret containing another is masked whole. */
        i = n_secrets++;
        secret_lens[i] = len;
        while (i > 0 && secret_lens[i - 1] < secret_lens[i]) {
                char *s = secrets[i - 1];
                size_t l = secret_lens[i - 1];
                secrets[i - 1] = secrets[i];
                secret_lens[i - 1] = secret_lens[i];
                secrets[i] = s;
                secret_lens[i] = l;
                i--;
        }
out:
        pthread_mutex_unlock(&secret_lock);
        return rc;
}

size_t kp_secret_count(void)
{
        size_t n;

        pthread_mutex_lock(&secret_lock);
        n = n_secrets;
        pthread_mutex_unlock(&secret_lock);
        return n;
}

void kp_secret_clear(void)
{
        pthread_mutex_lock(&secret_lock);
        while (n_secrets > 0) {
                n_secrets--;
                free(secrets[n_secrets]);
                secrets[n_secrets] = NULL;
        }
        pthread_mutex_unlock(&secret_lock);
}

/* Length of the registered secret starting at p, or 0. Caller holds the lock. */
static size_t secret_match(const char *p, size_t avail)
{
        size_t i;

        for (i = 0; i < n_secrets; i++)
                if (secret_lens[i] <= avail && p[0] == secrets[i][0] &&
                    memcmp(p, secrets[i], secret_lens[i]) == 0)
                        return secret_lens[i];
        return 0;
}

int kp_redact(const char *in, size_t len, kp_buf_t *out)
{
        size_t i = 0, start = 0, m;
        int rc = 0;

        pthread_mutex_lock(&secret_lock);
        if (n_secrets == 0) {
                pthread_mutex_unlock(&secret_lock);
                return kp_buf_append(out, in, len);
        }
        while (i < len) {
                m = secret_match(in + i, len - i);
                if (!m) {
                        i++;
                        continue;
                }
                if (kp_buf_append(out, in + start, i - start) < 0 ||
                    kp_buf_puts(out, KP_REDACTED) < 0) {
                        rc = -1;
                        break;
                }
                i += m;
                start = i;
        }
        if (rc == 0 && start < len)
                rc = kp_buf_append(out, in + start, len - start);
        pthread_mutex_unlock(&secret_lock);
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

void kp_redact_inplace(char *s, size_t size)
{
        kp_buf_t b;
        size_t n;

        if (!s || size == 0 || kp_secret_count() == 0)
                return;
        kp_buf_init(&b, 0);
        if (kp_redact(s, strlen(s), &b) == 0) {
                n = b.len < size - 1 ? b.len : size - 1;
                memcpy(s, kp_buf_cstr(&b), n);
                s[n] = '\0';
        } else {
                /* Out of memory: never print an unredacted value. */
                snprintf(s, size, "%s", KP_REDACTED);
        }
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
