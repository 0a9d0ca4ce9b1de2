/*
 * log: human progress and diagnostics on stderr.
 *
 * Every line passes through the secret redaction. KP_LOG checks the level
 * before it evaluates its arguments, so debug logging costs nothing when off.
 * librdkafka's own log lines are routed here by the kafka module.
 */
#ifndef KP_LOG_H
#define KP_LOG_H

#include <stddef.h>

typedef enum kp_log_level {
        KP_LOG_ERROR = 0,
        KP_LOG_WARN = 1,
        KP_LOG_INFO = 2,
        KP_LOG_DEBUG = 3,
} kp_log_level_t;

extern int kp_log_level;

void kp_log_set_level(int level);
void kp_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The live status line (progress.h) shares stderr with the log under the
 * log's lock: kp_log_status draws line in place ("\r", line, erase to end
 * of line; no newline), the next log line erases it first (ends it with a
 * newline after a stop request, so the last status stays visible). kp_log_status_end
 * ends a drawn line with a newline (keep = 1, it stays visible) or erases
 * it (keep = 0); a no-op when none is drawn. */
void kp_log_status(const char *line, size_t len);
void kp_log_status_end(int keep);

#define KP_LOG(level, ...)                                                                         \
        do {                                                                                       \
                if ((level) <= kp_log_level)                                                       \
                        kp_log_write((level), __VA_ARGS__);                                        \
        } while (0)

#define kp_error(...) KP_LOG(KP_LOG_ERROR, __VA_ARGS__)
#define kp_warn(...)  KP_LOG(KP_LOG_WARN, __VA_ARGS__)
#define kp_info(...)  KP_LOG(KP_LOG_INFO, __VA_ARGS__)
#define kp_debug(...) KP_LOG(KP_LOG_DEBUG, __VA_ARGS__)

/* For a broken invariant: logs file and line and aborts. */
#define KP_BUG(msg) kp_bug(__FILE__, __LINE__, (msg))
void kp_bug(const char *file, int line, const char *msg) __attribute__((noreturn));

#endif
