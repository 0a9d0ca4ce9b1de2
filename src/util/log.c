#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/secret.h"
#include "util/signals.h"

int kp_log_level = KP_LOG_INFO;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int status_drawn; /* under log_lock: a status line is on the terminal's last line */
static char
    status_last[1024]; /* under log_lock: the line drawn (an unchanged line is not redrawn) */

#define ERASE_LINE "\r\033[K"

void kp_log_set_level(int level)
{
        kp_log_level = level;
}

void kp_log_write(int level, const char *fmt, ...)
{
        static const char *const names[] = {"error", "warn", "info", "debug"};
        char stamp[32];
        struct timespec ts;
        struct tm tm;
        kp_buf_t line, out;
        va_list ap;

        /* Redact the whole message, then cut it: a cut never splits a secret. */
        kp_buf_init(&line, (size_t)1 << 20);
        va_start(ap, fmt);
        kp_buf_vprintf(&line, fmt, ap);
        va_end(ap);
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);

        kp_buf_init(&out, 0);
        if (kp_redact_head(kp_buf_cstr(&line), line.len, 2047, 0, &out) < 0) {
                kp_buf_free(&line);
                kp_buf_free(&out);
                return;
        }
        kp_buf_free(&line);
        pthread_mutex_lock(&log_lock);
        if (status_drawn) {
                /* after SIGINT/SIGTERM the last status stays (progress.h) */
                fputs(kp_stop_requested() ? "\n" : ERASE_LINE, stderr);
                status_drawn = 0;
        }
        fprintf(stderr, "%s.%03ld kproof %s: %s\n", stamp, ts.tv_nsec / 1000000L,
                names[level < 0   ? 0
                      : level > 3 ? 3
                                  : level],
                kp_buf_cstr(&out));
        fflush(stderr);
        pthread_mutex_unlock(&log_lock);
        kp_buf_free(&out);
}

void kp_log_status(const char *line, size_t len)
{
        pthread_mutex_lock(&log_lock);
        if (status_drawn && len < sizeof(status_last) && strlen(status_last) == len &&
            memcmp(status_last, line, len) == 0) {
                pthread_mutex_unlock(&log_lock);
                return;
        }
        snprintf(status_last, sizeof(status_last), "%.*s", (int)len, line);
        fputs("\r", stderr);
        fwrite(line, 1, len, stderr);
        fputs("\033[K", stderr);
        fflush(stderr);
        status_drawn = 1;
        pthread_mutex_unlock(&log_lock);
}

void kp_log_status_end(int keep)
{
        pthread_mutex_lock(&log_lock);
        if (status_drawn) {
                fputs(keep ? "\n" : ERASE_LINE, stderr);
                fflush(stderr);
                status_drawn = 0;
        }
        pthread_mutex_unlock(&log_lock);
}

void kp_bug(const char *file, int line, const char *msg)
{
        fprintf(stderr, "kproof: BUG at %s:%d: %s\n", file, line, msg);
        abort();
}
