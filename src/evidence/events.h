/*
 * events: the raw timeline of a run, one JSON object per line in
 * events.jsonl — run and check boundaries, control actions, faults, probes,
 * per-second workload figures. Every line carries a UTC timestamp ("ts")
 * and milliseconds since the run started ("t_ms"), and is redacted.
 *
 * The sink is process-wide (like a logger) and thread-safe. Without an open
 * sink events are dropped, so library code can always emit.
 */
#ifndef KP_EVENTS_H
#define KP_EVENTS_H

#include <stdint.h>

#include "util/err.h"

typedef struct kp_event kp_event_t;

int kp_events_open(const char *path, int64_t run_start_mono_ns, kp_err_t *err);
/* Opens an existing timeline to add to it (the supervisor after a crash). */
int kp_events_append(const char *path, int64_t run_start_mono_ns, kp_err_t *err);
void kp_events_close(void);
/* Number of events written so far. */
uint64_t kp_events_count(void);

/* Builds one event; kp_event_emit() writes and frees it. All setters accept
 * e == NULL (out of memory) and do nothing. */
kp_event_t *kp_event_new(const char *type);
void kp_event_str(kp_event_t *e, const char *key, const char *value);
void kp_event_num(kp_event_t *e, const char *key, double value);
void kp_event_int(kp_event_t *e, const char *key, int64_t value);
void kp_event_bool(kp_event_t *e, const char *key, int value);
void kp_event_emit(kp_event_t *e);

/* Shorthand: an event with a type and a message. */
void kp_event_msg(const char *type, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
