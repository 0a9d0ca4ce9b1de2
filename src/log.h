/*
 * log: human progress and diagnostics on stderr.
 *
 * Every line passes through the secret redaction. KP_LOG checks the level
 * before it evaluates its arguments, so debug logging costs nothing when off.
 * librdkafka's own log lines are routed here by the kafka module.
 */
#ifndef KP_LOG_H
#define KP_LOG_H

typedef enum kp_log_level {
        KP_LOG_ERROR = 0,
        KP_LOG_WARN = 1,
        KP_LOG_INFO = 2,
        KP_LOG_DEBUG = 3,
} kp_log_level_t;

extern int kp_log_level;

void kp_log_set_level(int level);
void kp_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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
