/*
 * The cloudtrail audit format: AWS CloudTrail event records as AWS
 * documents them (eventTime, eventSource, eventName, userIdentity,
 * requestParameters, resources, errorCode). Accepted layouts: a log file as
 * CloudTrail delivers it ({"Records": [...]}), the output of `aws cloudtrail
 * lookup-events` ({"Events": [{"CloudTrailEvent": "<record as a string>"}]})
 * and one record a line. The principal is userIdentity.arn (else
 * principalId, invokedBy or type); the resource the first resources[].ARN,
 * else requestParameters.keyId or bucketName[/key]; a record with an
 * errorCode is "denied" when the code says access was refused
 * (AccessDenied..., Unauthorized...) and "failed" otherwise.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "adapters/audit.h"
#include "util/timeutil.h"

static const char *str(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void put(char *dst, size_t size, const char *s)
{
        kp_audit_field(dst, size, s, s ? strlen(s) : 0);
}

/* One record into ev; -1 with why. */
static int record(const cJSON *r, kp_audit_event_t *ev, const char **why)
{
        const cJSON *uid, *res, *req;
        const char *t, *code, *p = NULL;

        memset(ev, 0, sizeof(*ev));
        if (!cJSON_IsObject(r)) {
                *why = "is not an object";
                return -1;
        }
        t = str(r, "eventTime");
        if (!t || kp_time_parse_iso(t, strlen(t), &ev->time_ns) < 0) {
                *why = t ? "has an eventTime that is not an ISO 8601 time" : "has no eventTime";
                return -1;
        }
        if (!str(r, "eventName") || !*str(r, "eventName")) {
                *why = "has no eventName";
                return -1;
        }
        put(ev->action, sizeof(ev->action), str(r, "eventName"));
        uid = cJSON_GetObjectItemCaseSensitive(r, "userIdentity");
        if (cJSON_IsObject(uid)) {
                p = str(uid, "arn");
                if (!p || !*p)
                        p = str(uid, "principalId");
                if (!p || !*p)
                        p = str(uid, "invokedBy");
                if (!p || !*p)
                        p = str(uid, "type");
        }
        put(ev->principal, sizeof(ev->principal), p ? p : "");
        res = cJSON_GetObjectItemCaseSensitive(r, "resources");
        if (cJSON_IsArray(res) && cJSON_GetArraySize(res) > 0) {
                const cJSON *r0 = cJSON_GetArrayItem(res, 0);
                put(ev->resource, sizeof(ev->resource), str(r0, "ARN"));
        }
        req = cJSON_GetObjectItemCaseSensitive(r, "requestParameters");
        if (!ev->resource[0] && cJSON_IsObject(req)) {
                if (str(req, "keyId"))
                        put(ev->resource, sizeof(ev->resource), str(req, "keyId"));
                else if (str(req, "bucketName"))
                        snprintf(ev->resource, sizeof(ev->resource), "%s%s%s",
                                 str(req, "bucketName"), str(req, "key") ? "/" : "",
                                 str(req, "key") ? str(req, "key") : "");
        }
        code = str(r, "errorCode");
        if (!code || !*code)
                put(ev->outcome, sizeof(ev->outcome), "allowed");
        else if (strstr(code, "AccessDenied") || strstr(code, "Unauthorized") ||
                 strstr(code, "Forbidden"))
                put(ev->outcome, sizeof(ev->outcome), "denied");
        else
                put(ev->outcome, sizeof(ev->outcome), "failed");
        snprintf(ev->detail, sizeof(ev->detail), "%s%s%s",
                 str(r, "eventSource") ? str(r, "eventSource") : "",
                 code && *code ? " errorCode=" : "", code && *code ? code : "");
        return 0;
}

static int add(const char *source, const char *where, size_t i, const cJSON *r, int64_t since_ns,
               kp_audit_log_t *log, kp_err_t *err)
{
        kp_audit_event_t ev;
        const char *why = NULL;

        if (record(r, &ev, &why) < 0)
                return kp_err_set(err, KP_EINFRA, "audit source %s: %s %zu %s", source, where, i,
                                  why);
        if (ev.time_ns >= since_ns && kp_audit_log_add(log, &ev) < 0)
                return kp_err_set(err, KP_ENOMEM, "audit source %s: more than %d events", source,
                                  KP_AUDIT_MAX_EVENTS);
        return 0;
}

int kp_audit_parse_cloudtrail(const char *source, const char *text, size_t len, int64_t since_ns,
                              kp_audit_log_t *log, kp_err_t *err)
{
        const char *end = text + len, *rest = NULL, *from, *to;
        cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &rest, 0), *arr, *it;
        kp_audit_lines_t lines = {text, end, 0};
        size_t i = 0;
        int rc = 0;

        /* one document, or several (one record a line) */
        while (doc && rest && rest < end &&
               (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n'))
                rest++;
        if (doc && rest && rest < end) {
                cJSON_Delete(doc);
                doc = NULL;
        }

        if (cJSON_IsObject(doc) && (arr = cJSON_GetObjectItemCaseSensitive(doc, "Records"))) {
                if (!cJSON_IsArray(arr)) {
                        cJSON_Delete(doc);
                        return kp_err_set(err, KP_EINFRA,
                                          "audit source %s: $.Records is not an array", source);
                }
                cJSON_ArrayForEach(it, arr)
                {
                        if ((rc = add(source, "$.Records[] item", i++, it, since_ns, log, err)) < 0)
                                break;
                }
                cJSON_Delete(doc);
                return rc;
        }
        if (cJSON_IsObject(doc) && (arr = cJSON_GetObjectItemCaseSensitive(doc, "Events"))) {
                cJSON_ArrayForEach(it, arr)
                {
                        const char *s = str(it, "CloudTrailEvent");
                        cJSON *r = s ? cJSON_Parse(s) : NULL;
                        if (!r) {
                                rc = kp_err_set(err, KP_EINFRA,
                                                "audit source %s: $.Events[%zu].CloudTrailEvent is "
                                                "not a JSON record",
                                                source, i);
                        } else {
                                rc = add(source, "$.Events[] item", i, r, since_ns, log, err);
                        }
                        cJSON_Delete(r);
                        i++;
                        if (rc < 0)
                                break;
                }
                cJSON_Delete(doc);
                return rc;
        }
        if (cJSON_IsObject(doc) && cJSON_GetObjectItemCaseSensitive(doc, "eventTime")) {
                rc = add(source, "record", 1, doc, since_ns, log, err);
                cJSON_Delete(doc);
                return rc;
        }
        cJSON_Delete(doc);
        /* one record a line */
        while (rc == 0 && kp_audit_next_line(&lines, &from, &to)) {
                cJSON *r = cJSON_ParseWithLength(from, (size_t)(to - from));
                if (!cJSON_IsObject(r))
                        rc = kp_err_set(err, KP_EINFRA,
                                        "audit source %s: line %zu: expected CloudTrail records "
                                        "({\"Records\": [...]}) or one record a line",
                                        source, lines.line);
                else
                        rc = add(source, "line", lines.line, r, since_ns, log, err);
                cJSON_Delete(r);
        }
        return rc;
}
