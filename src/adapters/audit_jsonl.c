/*
 * The jsonl audit format: kproof's normalised events, one JSON object a
 * line: {"time", "principal", "action", "resource", "outcome"} plus optional
 * "source" and "detail". time is an RFC 3339 string or a number of seconds
 * since the epoch; outcome is allowed, denied or failed. principal is null
 * (or "") when the trail names no caller: the event is kept, and checks that
 * need the caller's identity say that it is missing. It is what an exec
 * source prints after translating a trail kproof has no parser for. Any
 * line that is not such an object is an error naming the line.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "adapters/audit.h"
#include "util/timeutil.h"

static int str_field(const cJSON *o, const char *key, int required, char *dst, size_t size,
                     const char **why)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        if (!v) {
                if (required) {
                        *why = "is missing";
                        return -1;
                }
                dst[0] = '\0';
                return 0;
        }
        if (!cJSON_IsString(v)) {
                *why = "is not a string";
                return -1;
        }
        kp_audit_field(dst, size, v->valuestring, strlen(v->valuestring));
        return 0;
}

/* One object into ev; -1 with the offending key and why. */
static int parse_obj(const cJSON *o, kp_audit_event_t *ev, const char **key, const char **why)
{
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time");

        memset(ev, 0, sizeof(*ev));
        *key = "time";
        if (cJSON_IsString(t)) {
                if (kp_time_parse_iso(t->valuestring, strlen(t->valuestring), &ev->time_ns) < 0) {
                        *why = "is not an RFC 3339 time";
                        return -1;
                }
        } else if (cJSON_IsNumber(t) && isfinite(t->valuedouble) && t->valuedouble >= 0) {
                ev->time_ns = (int64_t)(t->valuedouble * (double)KP_NS_PER_S);
        } else {
                *why = t ? "is not a time" : "is missing";
                return -1;
        }
        *key = "principal";
        if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "principal")))
                ev->principal[0] = '\0';
        else if (str_field(o, "principal", 1, ev->principal, sizeof(ev->principal), why) < 0)
                return -1;
        if (str_field(o, *key = "action", 1, ev->action, sizeof(ev->action), why) < 0 ||
            str_field(o, *key = "resource", 0, ev->resource, sizeof(ev->resource), why) < 0 ||
            str_field(o, *key = "outcome", 1, ev->outcome, sizeof(ev->outcome), why) < 0 ||
            str_field(o, *key = "detail", 0, ev->detail, sizeof(ev->detail), why) < 0)
                return -1;
        *key = "outcome";
        if (strcmp(ev->outcome, "allowed") != 0 && strcmp(ev->outcome, "denied") != 0 &&
            strcmp(ev->outcome, "failed") != 0) {
                *why = "is not allowed, denied or failed";
                return -1;
        }
        *key = "action";
        if (!ev->action[0]) {
                *why = "is empty";
                return -1;
        }
        return 0;
}

int kp_audit_parse_jsonl(const char *source, const char *text, size_t len, int64_t since_ns,
                         kp_audit_log_t *log, kp_err_t *err)
{
        kp_audit_lines_t lines = {text, text + len, 0};
        const char *s, *e;

        while (kp_audit_next_line(&lines, &s, &e)) {
                const char *why = NULL, *key = NULL;
                const size_t line = lines.line;
                kp_audit_event_t ev;
                cJSON *o = cJSON_ParseWithLength(s, (size_t)(e - s));
                int r;
                if (!cJSON_IsObject(o)) {
                        cJSON_Delete(o);
                        return kp_err_set(err, KP_EINFRA,
                                          "audit source %s: line %zu: expected a JSON object "
                                          "{time, principal, action, resource, outcome}",
                                          source, line);
                }
                r = parse_obj(o, &ev, &key, &why);
                cJSON_Delete(o);
                if (r < 0)
                        return kp_err_set(err, KP_EINFRA, "audit source %s: line %zu: %s %s",
                                          source, line, key, why);
                if (ev.time_ns >= since_ns && kp_audit_log_add(log, &ev) < 0)
                        return kp_err_set(err, KP_ENOMEM, "audit source %s: more than %d events",
                                          source, KP_AUDIT_MAX_EVENTS);
        }
        return 0;
}
