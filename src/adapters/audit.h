/*
 * audit: the platform's own audit trails, read back as evidence.
 *
 * A target declares audit sources (section "audit", see README "Target
 * files"): each has a name, a kind (admin, key or storage: what it
 * records), a type (file: a path or glob pattern; exec: a shell command
 * whose stdout is the trail) and a format:
 *   - kafka-authorizer: Apache Kafka's authorizer log (kafka.authorizer.logger
 *     of the StandardAuthorizer or AclAuthorizer), one decision a line;
 *   - cloudtrail: AWS CloudTrail records ({"Records": [...]} as delivered to
 *     S3, or one record a line);
 *   - jsonl: kproof's normalised form, one event a line, for anything an
 *     exec command translates.
 * Every event is normalised to {time, principal, action, resource, outcome,
 * source} (plus a free-text detail). Actions are the names the platform
 * logs: Kafka API names for kafka-authorizer ("CreateTopics",
 * "IncrementalAlterConfigs", ...), eventName for CloudTrail. Outcome is
 * "allowed", "denied" (refused by access control) or "failed".
 *
 * The target's principals section names extra client identities (e.g.
 * "unauthorized"), each a set of client properties laid over the target's.
 *
 * kp_audit_read() reads one source from a point in time on and gives the
 * events plus their JSON lines (for raw/audit-<source>.jsonl); an unreadable
 * source is an error naming it and the file or the command (redacted).
 */
#ifndef KP_AUDIT_H
#define KP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util/buf.h"
#include "config/config.h"
#include "util/err.h"
#include "config/jsonv.h"

/* Events kept from one read at most; more is an error (bounded memory). */
#define KP_AUDIT_MAX_EVENTS 200000
/* Bytes of one file or of a command's output read at most. */
#define KP_AUDIT_MAX_BYTES ((size_t)256 << 20)

typedef struct kp_audit_event {
        int64_t time_ns; /* wall clock, Unix epoch */
        char principal[160];
        char action[64];
        char resource[256];
        char outcome[12]; /* allowed, denied, failed */
        char detail[160]; /* format-specific: operation and host, event source, ... */
} kp_audit_event_t;

typedef struct kp_audit_log {
        kp_audit_event_t *ev;
        size_t n, cap;
        size_t skipped; /* lines or records that were not audit events */
} kp_audit_log_t;

void kp_audit_log_release(kp_audit_log_t *log);
/* Appends an event (copied); -1 when the log is full or out of memory. */
int kp_audit_log_add(kp_audit_log_t *log, const kp_audit_event_t *e);

/* Target loading: reads the "audit" and "principals" sections of a target
 * (called by the target loader; errors name the file and JSON path). */
int kp_audit_cfg_parse(kp_jv_t *jv, const cJSON *root, kp_target_t *t);
void kp_audit_cfg_release(kp_target_t *t);

/* The first source of a kind, or NULL. */
const kp_audit_source_cfg_t *kp_audit_source_of_kind(const kp_target_t *t, kp_audit_kind_t kind);
/* A declared principal's client properties, or NULL. */
const kp_kvlist_t *kp_audit_principal(const kp_target_t *t, const char *name);
/* The principal an audit trail names for a client with these properties
 * ("User:<sasl.username>"), or "" when it cannot be told. */
void kp_audit_principal_of(const kp_kvlist_t *props, char *out, size_t size);

extern const char *const kp_audit_kind_names[];
extern const char *const kp_audit_format_names[];

/* Reads one source: the events with time >= since_ns (0: all) are added to
 * log and written as JSON lines to jsonl (may be NULL). */
int kp_audit_read(const kp_target_t *t, const kp_audit_source_cfg_t *src, int64_t since_ns,
                  kp_audit_log_t *log, kp_buf_t *jsonl, kp_err_t *err);

/* Parsers of one format over a text (exposed for tests). source names the
 * source in messages. Events before since_ns are dropped. A malformed
 * jsonl or cloudtrail input is an error naming the line; kafka-authorizer
 * lines that are not decisions are counted in log->skipped. */
int kp_audit_parse(kp_audit_format_t fmt, const char *source, const char *text, size_t len,
                   int64_t since_ns, kp_audit_log_t *log, kp_err_t *err);
int kp_audit_parse_kafka_authorizer(const char *source, const char *text, size_t len,
                                    int64_t since_ns, kp_audit_log_t *log, kp_err_t *err);
int kp_audit_parse_cloudtrail(const char *source, const char *text, size_t len, int64_t since_ns,
                              kp_audit_log_t *log, kp_err_t *err);
int kp_audit_parse_jsonl(const char *source, const char *text, size_t len, int64_t since_ns,
                         kp_audit_log_t *log, kp_err_t *err);

/* The lines of a text, for the parsers that take one record a line. */
typedef struct kp_audit_lines {
        const char *p, *end; /* the text not read yet */
        size_t line;         /* number of the line last returned (1-based) */
} kp_audit_lines_t;

/* The next line holding more than blanks (' ', '\t', '\r'): [*s, *e) from
 * its first non-blank byte, without its '\n'; it->line counts blank lines
 * too. 0 when no such line is left. */
int kp_audit_next_line(kp_audit_lines_t *it, const char **s, const char **e);

/* One event as a JSON line (with '\n'). */
int kp_audit_event_jsonl(const kp_audit_event_t *e, const char *source, kp_buf_t *out);

/* Copies at most n bytes of s into a fixed field, cutting at size-1. */
void kp_audit_field(char *dst, size_t size, const char *s, size_t n);

#endif
