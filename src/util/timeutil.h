/*
 * timeutil: clocks, UTC timestamps and the duration syntax of scenario files.
 *
 * Monotonic nanoseconds measure intervals (latency, time-to-effect); wall-clock
 * nanoseconds are only for timestamps shown to people and auditors.
 */
#ifndef KP_TIMEUTIL_H
#define KP_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define KP_NS_PER_MS 1000000LL
#define KP_NS_PER_S  1000000000LL

int64_t kp_mono_ns(void);
int64_t kp_wall_ns(void);

/* "2026-11-28T18:32:52.123Z" (needs 32 bytes). */
void kp_time_iso(int64_t wall_ns, char *out, size_t size);
/* "20261128T183252Z" for directory names (needs 20 bytes). */
void kp_time_compact(int64_t wall_ns, char *out, size_t size);
/* Parses a timestamp as audit trails and object stores write it: RFC 3339 /
 * ISO 8601 with 'T' or ' ', fraction after '.' or ',', and Z, +HH:MM, +HHMM
 * or no zone (local time). Returns 0 and the epoch ns, -1 when it is not one. */
int kp_time_parse_iso(const char *s, size_t len, int64_t *ns);

/* Parses "250ms", "30s", "1.5s", "2m", "1h" into nanoseconds. Returns -1
 * for anything else (no unit, unknown unit, negative, trailing text). */
int kp_duration_parse(const char *s, int64_t *ns);
/* Formats ns as the shortest exact duration string ("30s", "250ms"). */
void kp_duration_format(int64_t ns, char *out, size_t size);

/* Sleeps until the monotonic clock reaches deadline_ns (returns early when
 * the stop flag is raised). */
void kp_sleep_until(int64_t deadline_ns);
void kp_sleep_ms(int64_t ms);

#endif
