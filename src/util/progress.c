#include "util/progress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define MAX_SOURCES  16
#define TICK_NS      (250 * KP_NS_PER_MS) /* at most four redraws a second */
#define RATE_SAMPLES 5                    /* a rate is taken over the last second */
#define STALL_NS     KP_NS_PER_S          /* acks stopped this long: "no acks" */

typedef struct source {
        kp_progress_counts_fn fn;
        void *opaque;
        kp_progress_counts_t last;
} source_t;

typedef struct sample {
        int64_t t;
        uint64_t acked, consumed;
} sample_t;

/* Everything below mu is read and written under it; `on` is read without
 * it so a setter is a no-op when the line is off. */
static atomic_int on;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static pthread_t thr;
static int running, stopping;
static char suite[64], check[128], fault[160], unavail[64];
static int64_t suite_t0, check_t0, fault_t0, unavail_t0;
static source_t sources[MAX_SOURCES];
static size_t n_sources;
static uint64_t tot_acked, tot_consumed;
static sample_t samples[RATE_SAMPLES];
static size_t n_samples, next_sample;
static int64_t last_ack_ns;

int kp_progress_wanted(int quiet)
{
        const char *term = getenv("TERM");

        if (quiet || !isatty(STDERR_FILENO))
                return 0;
        return term && term[0] && strcmp(term, "dumb") != 0;
}

/* Copies src into dst, redacted (a fault may name a key, a host). */
static void copy_redacted(char *dst, size_t size, const char *src)
{
        kp_buf_t b;

        kp_buf_init(&b, 0);
        if (kp_redact_head(src, strlen(src), size - 1, 0, &b) == 0)
                snprintf(dst, size, "%s", kp_buf_cstr(&b));
        else
                dst[0] = '\0';
        kp_buf_free(&b);
}

void kp_progress_set_suite(const char *name)
{
        if (!atomic_load(&on))
                return;
        pthread_mutex_lock(&mu);
        snprintf(suite, sizeof(suite), "%s", name ? name : "");
        suite_t0 = kp_mono_ns();
        check[0] = fault[0] = unavail[0] = '\0';
        pthread_mutex_unlock(&mu);
}

void kp_progress_set_check(const char *name)
{
        if (!atomic_load(&on))
                return;
        pthread_mutex_lock(&mu);
        snprintf(check, sizeof(check), "%s", name ? name : "");
        check_t0 = kp_mono_ns();
        fault[0] = unavail[0] = '\0';
        pthread_mutex_unlock(&mu);
}

void kp_progress_set_fault(int64_t since_ns, const char *fmt, ...)
{
        char text[sizeof(fault)];
        va_list ap;

        if (!atomic_load(&on))
                return;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        pthread_mutex_lock(&mu);
        copy_redacted(fault, sizeof(fault), text);
        fault_t0 = since_ns;
        pthread_mutex_unlock(&mu);
}

void kp_progress_clear_fault(void)
{
        if (!atomic_load(&on))
                return;
        pthread_mutex_lock(&mu);
        fault[0] = '\0';
        pthread_mutex_unlock(&mu);
}

void kp_progress_set_unavailable(int64_t since_ns, const char *what)
{
        if (!atomic_load(&on))
                return;
        pthread_mutex_lock(&mu);
        copy_redacted(unavail, sizeof(unavail), what ? what : "");
        unavail_t0 = since_ns;
        pthread_mutex_unlock(&mu);
}

int kp_progress_source_add(kp_progress_counts_fn fn, void *opaque)
{
        int rc = -1;

        if (!atomic_load(&on))
                return 0;
        pthread_mutex_lock(&mu);
        if (n_sources < MAX_SOURCES) {
                source_t *s = &sources[n_sources++];
                s->fn = fn;
                s->opaque = opaque;
                memset(&s->last, 0, sizeof(s->last));
                fn(opaque, &s->last); /* counted from now */
                last_ack_ns = kp_mono_ns();
                rc = 0;
        }
        pthread_mutex_unlock(&mu);
        return rc;
}

void kp_progress_source_remove(void *opaque)
{
        size_t i = 0;

        if (!atomic_load(&on))
                return;
        pthread_mutex_lock(&mu);
        while (i < n_sources) {
                if (sources[i].opaque == opaque)
                        sources[i] = sources[--n_sources];
                else
                        i++;
        }
        pthread_mutex_unlock(&mu);
}

/* Under mu: adds what every source counted since the last sample to the
 * totals, keeps the sample for the rates; 1 when a source still produces. */
static int sample_sources(int64_t now)
{
        int producing = 0;
        size_t i;

        for (i = 0; i < n_sources; i++) {
                source_t *s = &sources[i];
                kp_progress_counts_t c = {0, 0, 0};
                s->fn(s->opaque, &c);
                if (c.acked > s->last.acked) {
                        tot_acked += c.acked - s->last.acked;
                        last_ack_ns = now;
                }
                if (c.consumed > s->last.consumed)
                        tot_consumed += c.consumed - s->last.consumed;
                s->last = c;
                producing |= c.producing;
        }
        samples[next_sample] = (sample_t){now, tot_acked, tot_consumed};
        next_sample = (next_sample + 1) % RATE_SAMPLES;
        if (n_samples < RATE_SAMPLES)
                n_samples++;
        return producing;
}

/* Under mu: the rates over the samples kept (about the last second). */
static int rates(double *acked, double *consumed)
{
        const sample_t *newest = &samples[(next_sample + RATE_SAMPLES - 1) % RATE_SAMPLES];
        const sample_t *oldest = &samples[(next_sample + RATE_SAMPLES - n_samples) % RATE_SAMPLES];
        double dt;

        if (n_samples < 2 || n_sources == 0)
                return 0;
        dt = (double)(newest->t - oldest->t) / 1e9;
        if (dt <= 0)
                return 0;
        *acked = (double)(newest->acked - oldest->acked) / dt;
        *consumed = (double)(newest->consumed - oldest->consumed) / dt;
        return 1;
}

/* One redraw: samples, formats and draws the line (nothing before the
 * first suite). */
static void render(void)
{
        char s[sizeof(suite)], ch[sizeof(check)], f[sizeof(fault)], u[sizeof(unavail)];
        char line[512];
        kp_progress_view_t v;
        int64_t now = kp_mono_ns();
        size_t len;
        int producing;

        memset(&v, 0, sizeof(v));
        pthread_mutex_lock(&mu);
        producing = sample_sources(now);
        memcpy(s, suite, sizeof(s));
        memcpy(ch, check, sizeof(ch));
        memcpy(f, fault, sizeof(f));
        memcpy(u, unavail, sizeof(u));
        v.suite_ns = now - suite_t0;
        v.check_ns = now - check_t0;
        v.fault_ns = now - fault_t0;
        v.unavailable_ns = now - unavail_t0;
        v.has_rates = rates(&v.acked_per_s, &v.consumed_per_s);
        if (!u[0] && producing && n_sources > 0 && now - last_ack_ns > STALL_NS) {
                snprintf(u, sizeof(u), "no acks");
                v.unavailable_ns = now - last_ack_ns;
        }
        pthread_mutex_unlock(&mu);
        if (!s[0])
                return;
        v.suite = s;
        v.check = ch;
        v.fault = f;
        v.unavailable = u;
        len = kp_progress_format(&v, kp_progress_columns(STDERR_FILENO), line, sizeof(line));
        kp_log_status(line, len);
}

static void *render_main(void *arg)
{
        int interrupted = 0;

        (void)arg;
        pthread_mutex_lock(&mu);
        while (!stopping) {
                struct timespec ts;
                int64_t deadline = kp_mono_ns() + TICK_NS;
                ts.tv_sec = (time_t)(deadline / KP_NS_PER_S);
                ts.tv_nsec = (long)(deadline % KP_NS_PER_S);
                pthread_cond_timedwait(&wake, &mu, &ts);
                if (stopping)
                        break;
                pthread_mutex_unlock(&mu);
                if (kp_stop_requested()) {
                        /* interrupted: end the line once, draw no more */
                        if (!interrupted)
                                kp_log_status_end(1);
                        interrupted = 1;
                } else {
                        render();
                }
                pthread_mutex_lock(&mu);
        }
        pthread_mutex_unlock(&mu);
        return NULL;
}

int kp_progress_start(void)
{
        pthread_condattr_t ca;
        int rc = 0;

        pthread_mutex_lock(&mu);
        if (running) {
                pthread_mutex_unlock(&mu);
                return 0;
        }
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&wake, &ca);
        pthread_condattr_destroy(&ca);
        stopping = 0;
        n_sources = n_samples = next_sample = 0;
        tot_acked = tot_consumed = 0;
        suite[0] = check[0] = fault[0] = unavail[0] = '\0';
        if (pthread_create(&thr, NULL, render_main, NULL) != 0) {
                pthread_cond_destroy(&wake);
                rc = -1;
        } else {
                running = 1;
                atomic_store(&on, 1);
        }
        pthread_mutex_unlock(&mu);
        return rc;
}

void kp_progress_stop(void)
{
        pthread_mutex_lock(&mu);
        if (!running) {
                pthread_mutex_unlock(&mu);
                return;
        }
        atomic_store(&on, 0);
        stopping = 1;
        pthread_cond_signal(&wake);
        pthread_mutex_unlock(&mu);
        pthread_join(thr, NULL);
        pthread_mutex_lock(&mu);
        running = 0;
        n_sources = 0;
        pthread_cond_destroy(&wake);
        pthread_mutex_unlock(&mu);
        /* after an interrupt the last status stays, ended with a newline */
        kp_log_status_end(kp_stop_requested());
}

void kp_progress_rate(double per_s, char *out, size_t size)
{
        if (per_s < 0)
                per_s = 0;
        if (per_s < 999.5)
                snprintf(out, size, "%.0f/s", per_s);
        else if (per_s < 999.95e3)
                snprintf(out, size, "%.1fk/s", per_s / 1e3);
        else
                snprintf(out, size, "%.2fM/s", per_s / 1e6);
}

void kp_progress_clock(int64_t ns, char *out, size_t size)
{
        long long s = ns > 0 ? (long long)(ns / KP_NS_PER_S) : 0;

        if (s >= 3600)
                snprintf(out, size, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
        else
                snprintf(out, size, "%lld:%02lld", s / 60, s % 60);
}

int kp_progress_columns(int fd)
{
        struct winsize ws;
        const char *env = getenv("COLUMNS");

        if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return ws.ws_col;
        if (env && env[0]) {
                char *end;
                long n = strtol(env, &end, 10);
                if (*end == '\0' && n > 0 && n < 100000)
                        return (int)n;
        }
        return 80;
}

/* Appends printf output to out[*len..size) with "  " before it when the
 * line is not empty; output beyond size is dropped. */
static void part(char *out, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void part(char *out, size_t size, size_t *len, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (*len + 1 >= size)
                return;
        if (*len > 0) {
                n = snprintf(out + *len, size - *len, "  ");
                *len = (size_t)n < size - *len ? *len + (size_t)n : size - 1;
        }
        va_start(ap, fmt);
        n = vsnprintf(out + *len, size - *len, fmt, ap);
        va_end(ap);
        if (n > 0)
                *len = (size_t)n < size - *len ? *len + (size_t)n : size - 1;
}

static double secs(int64_t ns)
{
        return ns > 0 ? (double)ns / 1e9 : 0.0;
}

/* The line's text, in full (compact = 0) or compact for a narrow terminal:
 * the transient news (fault, unavailability) before the rates, shorter
 * rate labels, and no suite part when the check (named "<suite>.<name>")
 * says it. Returns its length. */
static size_t compose(const kp_progress_view_t *v, int compact, char *raw, size_t size)
{
        char a[32], b[32];
        size_t len = 0;
        int has_check = v->check && v->check[0];

        raw[0] = '\0';
        if (v->suite && v->suite[0] && !(compact && has_check)) {
                kp_progress_clock(v->suite_ns, a, sizeof(a));
                part(raw, size, &len, "[%s %s]", v->suite, a);
        }
        if (has_check) {
                kp_progress_clock(v->check_ns, a, sizeof(a));
                part(raw, size, &len, "%s %s", v->check, a);
        }
        if (v->has_rates && !compact) {
                kp_progress_rate(v->acked_per_s, a, sizeof(a));
                kp_progress_rate(v->consumed_per_s, b, sizeof(b));
                part(raw, size, &len, "acked %s  consumed %s", a, b);
        }
        if (v->fault && v->fault[0])
                part(raw, size, &len, "fault: %s (%.1f s)", v->fault, secs(v->fault_ns));
        if (v->unavailable && v->unavailable[0])
                part(raw, size, &len, "%s %.1f s", v->unavailable, secs(v->unavailable_ns));
        if (v->has_rates && compact) {
                kp_progress_rate(v->acked_per_s, a, sizeof(a));
                kp_progress_rate(v->consumed_per_s, b, sizeof(b));
                part(raw, size, &len, "ack %s  cons %s", a, b);
        }
        return len;
}

/* Terminal columns of s[0..len): one per character, one per invalid byte. */
static size_t columns_of(const char *s, size_t len)
{
        size_t i = 0, cols = 0;

        while (i < len) {
                size_t n = kp_utf8_seq((const unsigned char *)s + i, len - i);
                i += n ? n : 1;
                cols++;
        }
        return cols;
}

size_t kp_progress_format(const kp_progress_view_t *v, int width, char *out, size_t size)
{
        char raw[1024];
        size_t len, i = 0, o = 0, cols = 0, max_cols;

        if (size == 0)
                return 0;
        max_cols = width > 1 ? (size_t)width - 1 : 0;
        len = compose(v, 0, raw, sizeof(raw));
        if (columns_of(raw, len) > max_cols)
                len = compose(v, 1, raw, sizeof(raw));

        /* Copy at most width - 1 columns (one column per character; control
         * characters and invalid bytes become '?'), cutting with "~". */
        max_cols = width > 1 ? (size_t)width - 1 : 0;
        while (i < len) {
                size_t n = kp_utf8_seq((const unsigned char *)raw + i, len - i);
                int ctl = n == 0 || (n == 1 && ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f));
                size_t need = ctl ? 1 : n;
                if (cols + 1 > max_cols || o + need + 1 > size)
                        break;
                if (ctl)
                        out[o] = '?';
                else
                        memcpy(out + o, raw + i, n);
                o += need;
                i += ctl && n == 0 ? 1 : n;
                cols++;
        }
        if (i < len && max_cols > 0) {
                /* cut: the last column becomes "~" (back off to a character start) */
                if (cols == max_cols) {
                        do
                                o--;
                        while (o > 0 && ((unsigned char)out[o] & 0xc0) == 0x80);
                }
                if (o + 2 <= size)
                        out[o++] = '~';
        }
        out[o] = '\0';
        return o;
}
