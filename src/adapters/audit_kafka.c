/*
 * The kafka-authorizer audit format: the lines Apache Kafka's authorizer
 * logger (kafka.authorizer.logger) writes, one decision each. Kafka 4.1's
 * StandardAuthorizer writes (after the log layout's time and level)
 *   Principal = User:admin is Allowed operation = CREATE from host =
 *   127.0.0.1 on resource = Cluster:LITERAL:kafka-cluster for request =
 *   CreateTopics with resourceRefCount = 1 based on rule SuperUser
 * (allowed decisions at DEBUG, denied ones at INFO); the older AclAuthorizer
 * writes "Operation" with a capital O and no rule. The time is the first
 * [bracketed] field, as Kafka's own log4j configuration lays it out
 * ("[%d] %p %m (%c)%n"). Lines that are not decisions (stack traces, other
 * loggers) are counted as skipped.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "adapters/audit.h"
#include "util/timeutil.h"

/* The text between key and the next occurrence of end (or the end of the
 * line when end is NULL) inside [p, e): start and length, or -1. */
static int field(const char *p, const char *e, const char *key, const char *end, const char **v,
                 size_t *n, const char **after)
{
        size_t kl = strlen(key);
        const char *s = p, *t;

        for (; s + kl <= e; s++)
                if (strncasecmp(s, key, kl) == 0)
                        break;
        if (s + kl > e)
                return -1;
        s += kl;
        if (!end) {
                t = e;
        } else {
                size_t el = strlen(end);
                for (t = s; t + el <= e; t++)
                        if (strncmp(t, end, el) == 0)
                                break;
                if (t + el > e)
                        return -1;
        }
        *v = s;
        *n = (size_t)(t - s);
        *after = t;
        return 0;
}

static int parse_line(const char *p, const char *e, kp_audit_event_t *ev)
{
        const char *v, *a, *close, *host;
        size_t n, hn;
        char op[48];

        memset(ev, 0, sizeof(*ev));
        if (p >= e || *p != '[' || !(close = memchr(p, ']', (size_t)(e - p))))
                return -1;
        if (kp_time_parse_iso(p + 1, (size_t)(close - p - 1), &ev->time_ns) < 0)
                return -1;
        if (field(close, e, "Principal = ", " is ", &v, &n, &a) < 0)
                return -1;
        kp_audit_field(ev->principal, sizeof(ev->principal), v, n);
        a += 4;
        if (e - a >= 8 && strncmp(a, "Allowed ", 8) == 0)
                snprintf(ev->outcome, sizeof(ev->outcome), "allowed");
        else if (e - a >= 7 && strncmp(a, "Denied ", 7) == 0)
                snprintf(ev->outcome, sizeof(ev->outcome), "denied");
        else
                return -1;
        if (field(a, e, "operation = ", " from host = ", &v, &n, &a) < 0)
                return -1;
        kp_audit_field(op, sizeof(op), v, n);
        if (field(a, e, " from host = ", " on resource = ", &host, &hn, &a) < 0)
                return -1;
        if (field(a, e, " on resource = ", " for request = ", &v, &n, &a) < 0)
                return -1;
        kp_audit_field(ev->resource, sizeof(ev->resource), v, n);
        if (field(a, e, " for request = ", " ", &v, &n, &a) < 0 &&
            field(a, e, " for request = ", NULL, &v, &n, &a) < 0)
                return -1;
        kp_audit_field(ev->action, sizeof(ev->action), v, n);
        if (!ev->principal[0] || !ev->action[0] || !ev->resource[0])
                return -1;
        snprintf(ev->detail, sizeof(ev->detail), "operation=%s host=%.*s", op,
                 (int)(hn > 64 ? 64 : hn), host);
        return 0;
}

int kp_audit_parse_kafka_authorizer(const char *source, const char *text, size_t len,
                                    int64_t since_ns, kp_audit_log_t *log, kp_err_t *err)
{
        const char *p = text, *end = text + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;
                kp_audit_event_t ev;
                if (e > p && e[-1] == '\r')
                        e--;
                if (e > p) {
                        if (parse_line(p, e, &ev) < 0)
                                log->skipped++;
                        else if (ev.time_ns >= since_ns && kp_audit_log_add(log, &ev) < 0)
                                return kp_err_set(err, KP_ENOMEM,
                                                  "audit source %s: more than %d events", source,
                                                  KP_AUDIT_MAX_EVENTS);
                }
                p = nl ? nl + 1 : end;
        }
        return 0;
}
