/*
 * What the observability checks share: reading an audit source until the
 * expected events appear, reporting what was found, and the few Kafka
 * operations the checks perform (as the target's principal or as a
 * declared one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observability.h"
#include "platform/kafka.h"
#include "platform/kclient.h"
#include "util/log.h"
#include "platform/platform.h"
#include "evidence/rundir.h"
#include "util/timeutil.h"

#define OBS_POLL_MS    250
#define OBS_ADMIN_MS   30000
#define OBS_PRODUCE_MS 15000

/* ------------------------------------------------------------ trails */

static int in_list(const char *const *v, size_t n, const char *s)
{
        size_t i;

        for (i = 0; i < n && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return 1;
        return 0;
}

/* 1: e is the expected event; 2: it would be, but the trail names no caller
 * (no principal) and x asks for any; 0: not it. */
static int matches(const obs_expect_t *x, const kp_audit_event_t *e, int64_t skew_ns)
{
        size_t n = sizeof(x->actions) / sizeof(x->actions[0]);
        int anon = !e->principal[0];

        if (e->time_ns < x->start_ns - skew_ns || strcmp(e->outcome, x->outcome) != 0 ||
            (x->principal[0] && strcmp(e->principal, x->principal) != 0))
                return 0;
        if (x->actions[0] && !in_list(x->actions, n, e->action))
                return 0;
        if (in_list(x->exclude, sizeof(x->exclude) / sizeof(x->exclude[0]), e->action))
                return 0;
        if (x->hint && !strstr(e->resource, x->hint) &&
            !(x->hint2 && strstr(e->resource, x->hint2)) &&
            !(x->cluster_ok && strncmp(e->resource, "Cluster:", 8) == 0))
                return 0;
        return anon ? 2 : 1;
}

int obs_trail_poll(kp_ctx_t *ctx, const kp_audit_source_cfg_t *src, obs_expect_t *x, size_t n,
                   int64_t deadline_ns, kp_err_t *err)
{
        const obs_state_t *st = ctx->suite_state;
        int64_t skew = obs_opts(ctx, &(obs_options_t){0})->clock_skew_ns;
        kp_buf_t jl;
        char rel[256];
        int rc = 0;

        kp_buf_init(&jl, KP_AUDIT_MAX_BYTES);
        for (;;) {
                kp_audit_log_t log = {0};
                int64_t now;
                size_t i, k, pending = 0;
                kp_buf_reset(&jl);
                if (kp_audit_read(ctx->plat->target, src, st->since_ns, &log, &jl, err) < 0) {
                        kp_audit_log_release(&log);
                        rc = -1;
                        break;
                }
                now = kp_wall_ns();
                for (i = 0; i < n; i++) {
                        if (!x[i].active || x[i].found)
                                continue;
                        for (k = 0; k < log.n; k++) {
                                int m = matches(&x[i], &log.ev[k], skew);
                                if (m == 2 && !x[i].anon) {
                                        x[i].anon = 1;
                                        x[i].seen_ns = now;
                                        x[i].ev = log.ev[k];
                                } else if (m == 1) {
                                        x[i].found = 1;
                                        x[i].anon = 0;
                                        x[i].seen_ns = now;
                                        x[i].ev = log.ev[k];
                                        break;
                                }
                        }
                        /* an event without caller ends the wait: the trail has
                         * shown the action, and will not add who did it */
                        if (!x[i].found && !x[i].anon)
                                pending++;
                }
                kp_audit_log_release(&log);
                if (!pending || kp_wall_ns() >= deadline_ns)
                        break;
                kp_sleep_ms(OBS_POLL_MS);
        }
        snprintf(rel, sizeof(rel), "raw/audit-%s.jsonl", src->name);
        if (rc == 0 && kp_rundir_write(ctx->rd, rel, jl.data ? jl.data : "", jl.len, err) < 0)
                rc = -1;
        kp_buf_free(&jl);
        return rc;
}

static int cmp_dbl(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

void obs_report(kp_check_t *c, const kp_audit_source_cfg_t *src, const obs_expect_t *x, size_t n,
                char *missing, size_t size)
{
        static const char *const cols[] = {"action",    "performed", "audit event",
                                           "principal", "logged at", "seen after"};
        double delays[16];
        size_t i, nd = 0, nmiss = 0, nanon = 0, len = 0, active = 0;
        kp_table_t *tb;
        char title[160], rel[256];

        missing[0] = '\0';
        snprintf(title, sizeof(title), "kproof's actions in audit source %s (%s)", src->name,
                 kp_audit_format_names[src->format]);
        tb = kp_check_table(c, title, cols, 6);
        for (i = 0; i < n; i++) {
                char when[40], logged[40], after[32], event[400];
                const char *cells[6];
                if (!x[i].active)
                        continue;
                active++;
                kp_time_iso(x[i].end_ns, when, sizeof(when));
                if (x[i].found || x[i].anon) {
                        double d = (double)(x[i].seen_ns - x[i].end_ns) / (double)KP_NS_PER_S;
                        if (d < 0)
                                d = 0;
                        if (nd < sizeof(delays) / sizeof(delays[0]))
                                delays[nd++] = d;
                        kp_time_iso(x[i].ev.time_ns, logged, sizeof(logged));
                        snprintf(after, sizeof(after), "%.2f s", d);
                        snprintf(event, sizeof(event), "%s %s on %s%s%s", x[i].ev.outcome,
                                 x[i].ev.action, x[i].ev.resource, x[i].ev.detail[0] ? " " : "",
                                 x[i].ev.detail);
                }
                if (!x[i].found) {
                        if (!x[i].anon) {
                                snprintf(logged, sizeof(logged), "-");
                                snprintf(after, sizeof(after), "not seen");
                                snprintf(event, sizeof(event), "missing");
                        }
                        nmiss++;
                        nanon += x[i].anon != 0;
                        len += (size_t)snprintf(missing + len, len < size ? size - len : 0,
                                                "%s%s%s", len ? ", " : "", x[i].label,
                                                x[i].anon ? " (logged without its caller)" : "");
                        if (len >= size)
                                len = size - 1;
                }
                cells[0] = x[i].label;
                cells[1] = when;
                cells[2] = event;
                cells[3] = x[i].found ? x[i].ev.principal : x[i].anon ? "(none logged)" : "-";
                cells[4] = logged;
                cells[5] = after;
                kp_table_row(tb, cells);
        }
        qsort(delays, nd, sizeof(delays[0]), cmp_dbl);
        kp_check_measure(c, "actions", (double)active, "actions");
        kp_check_measure(c, "actions_missing", (double)nmiss, "actions");
        kp_check_measure(c, "actions_without_principal", (double)nanon, "actions");
        if (nd) {
                kp_check_measure(c, "audit_delay_p50_s", delays[(nd - 1) / 2], "s");
                kp_check_measure(c, "audit_delay_max_s", delays[nd - 1], "s");
        }
        snprintf(rel, sizeof(rel), "raw/audit-%s.jsonl", src->name);
        kp_check_artifact(c, rel, "jsonl", "events read from the audit source, normalised");
}

int obs_topic_ready(kp_ctx_t *ctx, const char *topic, int own, kp_err_t *err)
{
        const kp_workload_cfg_t *w = &ctx->scfg->workload;

        if (own || ctx->plat->no_admin_api)
                return kp_platform_create_topic(ctx->plat, topic, 1, w->replication_factor,
                                                &w->topic_config, err);
        return kp_kafka_admin_create_topic(&ctx->plat->props, topic, 1, w->replication_factor,
                                           &w->topic_config, 1, OBS_ADMIN_MS, err);
}

void obs_props(const kp_ctx_t *ctx, const kp_kvlist_t *principal, kp_kvlist_t *out)
{
        kp_kvlist_merge(out, &ctx->plat->props);
        if (principal)
                kp_kvlist_merge(out, principal);
}

int obs_is_authz_error(int code)
{
        return code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
               code == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
               code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
               code == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
               code == RD_KAFKA_RESP_ERR_DELEGATION_TOKEN_AUTHORIZATION_FAILED;
}

/* ------------------------------------------------------------ kafka operations */

static rd_kafka_t *client(const kp_kvlist_t *props, rd_kafka_type_t type, const kp_kvlist_t *extra,
                          char *msg, size_t size)
{
        kp_kvlist_t all = {0};
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        kp_err_t err = {0};

        kp_kvlist_merge(&all, props);
        if (extra)
                kp_kvlist_merge(&all, extra);
        conf = kp_kafka_conf_new(&all, &err);
        kp_kvlist_clear(&all);
        if (!conf) {
                snprintf(msg, size, "%s", err.msg);
                return NULL;
        }
        rk = kp_kafka_new(type, conf, &err);
        if (!rk)
                snprintf(msg, size, "%s", err.msg);
        return rk;
}

static int set_code(int code, const char *what, const char *detail, char *msg, size_t size)
{
        snprintf(msg, size, "%s: %s%s%s", what, rd_kafka_err2name((rd_kafka_resp_err_t)code),
                 detail && *detail ? ": " : "", detail ? detail : "");
        return code;
}

int obs_alter_topic_config(const kp_kvlist_t *props, const char *topic, const char *key,
                           const char *value, char *msg, size_t size)
{
        rd_kafka_t *rk = client(props, RD_KAFKA_PRODUCER, NULL, msg, size);
        rd_kafka_ConfigResource_t *res;
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_queue_t *q;
        rd_kafka_event_t *ev;
        const rd_kafka_ConfigResource_t **rres;
        size_t n;
        int rc;

        if (!rk)
                return -1;
        res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
        opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
        q = rd_kafka_queue_new(rk);
        rd_kafka_ConfigResource_set_config(res, key, value);
        rd_kafka_AdminOptions_set_request_timeout(opts, OBS_ADMIN_MS, NULL, 0);
        rd_kafka_AlterConfigs(rk, &res, 1, opts, q);
        ev = kp_kc_admin_wait(q, RD_KAFKA_EVENT_ALTERCONFIGS_RESULT, OBS_ADMIN_MS);
        if (!ev) {
                snprintf(msg, size, "alter config of %s: no answer within %d ms", topic,
                         OBS_ADMIN_MS);
                rc = -1;
        } else if ((rc = rd_kafka_event_error(ev)) != 0) {
                set_code(rc, "alter config", rd_kafka_event_error_string(ev), msg, size);
        } else {
                rres = rd_kafka_AlterConfigs_result_resources(
                    rd_kafka_event_AlterConfigs_result(ev), &n);
                rc = n ? rd_kafka_ConfigResource_error(rres[0]) : -1;
                if (rc > 0)
                        set_code(rc, "alter config", rd_kafka_ConfigResource_error_string(rres[0]),
                                 msg, size);
                else if (rc < 0)
                        snprintf(msg, size, "alter config: no result for %s", topic);
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_ConfigResource_destroy(res);
        rd_kafka_destroy(rk);
        return rc;
}

int obs_acl(const kp_kvlist_t *props, int create, const char *topic, const char *principal,
            char *msg, size_t size)
{
        rd_kafka_t *rk = client(props, RD_KAFKA_PRODUCER, NULL, msg, size);
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_AclBinding_t *acl;
        rd_kafka_queue_t *q;
        rd_kafka_event_t *ev;
        const rd_kafka_error_t *e = NULL;
        char errstr[256];
        size_t n = 0;
        int rc = 0;

        if (!rk)
                return -1;
        acl = create ? rd_kafka_AclBinding_new(
                           RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                           principal, "*", RD_KAFKA_ACL_OPERATION_READ,
                           RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, errstr, sizeof(errstr))
                     : rd_kafka_AclBindingFilter_new(
                           RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                           principal, "*", RD_KAFKA_ACL_OPERATION_READ,
                           RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, errstr, sizeof(errstr));
        if (!acl) {
                snprintf(msg, size, "acl: %s", errstr);
                rd_kafka_destroy(rk);
                return -1;
        }
        opts = rd_kafka_AdminOptions_new(rk, create ? RD_KAFKA_ADMIN_OP_CREATEACLS
                                                    : RD_KAFKA_ADMIN_OP_DELETEACLS);
        q = rd_kafka_queue_new(rk);
        rd_kafka_AdminOptions_set_request_timeout(opts, OBS_ADMIN_MS, NULL, 0);
        if (create)
                rd_kafka_CreateAcls(rk, &acl, 1, opts, q);
        else
                rd_kafka_DeleteAcls(rk, &acl, 1, opts, q);
        ev = kp_kc_admin_wait(
            q, create ? RD_KAFKA_EVENT_CREATEACLS_RESULT : RD_KAFKA_EVENT_DELETEACLS_RESULT,
            OBS_ADMIN_MS);
        if (!ev) {
                snprintf(msg, size, "%s acl: no answer within %d ms", create ? "create" : "delete",
                         OBS_ADMIN_MS);
                rc = -1;
        } else if ((rc = rd_kafka_event_error(ev)) != 0) {
                set_code(rc, create ? "create acl" : "delete acl", rd_kafka_event_error_string(ev),
                         msg, size);
        } else if (create) {
                const rd_kafka_acl_result_t **r =
                    rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
                e = n ? rd_kafka_acl_result_error(r[0]) : NULL;
        } else {
                const rd_kafka_DeleteAcls_result_response_t **r =
                    rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev), &n);
                e = n ? rd_kafka_DeleteAcls_result_response_error(r[0]) : NULL;
        }
        if (e && rd_kafka_error_code(e)) {
                rc = rd_kafka_error_code(e);
                set_code(rc, create ? "create acl" : "delete acl", rd_kafka_error_string(e), msg,
                         size);
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_AclBinding_destroy(acl); /* a filter is a binding too */
        rd_kafka_destroy(rk);
        return rc;
}

int obs_create_topic(const kp_kvlist_t *props, const char *topic, char *msg, size_t size)
{
        rd_kafka_t *rk = client(props, RD_KAFKA_PRODUCER, NULL, msg, size);
        rd_kafka_NewTopic_t *nt;
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_queue_t *q;
        rd_kafka_event_t *ev;
        char errstr[256];
        int rc;

        if (!rk)
                return -1;
        nt = rd_kafka_NewTopic_new(topic, 1, -1, errstr, sizeof(errstr));
        if (!nt) {
                snprintf(msg, size, "create topic %s: %s", topic, errstr);
                rd_kafka_destroy(rk);
                return -1;
        }
        opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
        q = rd_kafka_queue_new(rk);
        rd_kafka_AdminOptions_set_operation_timeout(opts, OBS_ADMIN_MS, NULL, 0);
        rd_kafka_AdminOptions_set_request_timeout(opts, OBS_ADMIN_MS, NULL, 0);
        rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
        ev = kp_kc_admin_wait(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT, OBS_ADMIN_MS);
        if (!ev) {
                snprintf(msg, size, "create topic %s: no answer within %d ms", topic, OBS_ADMIN_MS);
                rc = -1;
        } else if ((rc = rd_kafka_event_error(ev)) != 0) {
                set_code(rc, "create topic", rd_kafka_event_error_string(ev), msg, size);
        } else {
                size_t n;
                const rd_kafka_topic_result_t **tr =
                    rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
                rc = n ? rd_kafka_topic_result_error(tr[0]) : -1;
                if (rc > 0)
                        set_code(rc, "create topic", rd_kafka_topic_result_error_string(tr[0]), msg,
                                 size);
                else if (rc < 0)
                        snprintf(msg, size, "create topic %s: no result", topic);
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_NewTopic_destroy(nt);
        rd_kafka_destroy(rk);
        return rc;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        int *res = m->_private;

        (void)rk;
        (void)opaque;
        if (res)
                *res = m->err ? (int)m->err : 0;
}

int obs_produce_one(const kp_kvlist_t *props, const char *topic, char *msg, size_t size)
{
        kp_kvlist_t extra = {0};
        kp_err_t err = {0};
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        kp_kvlist_t all = {0};
        int res = -2, rc;
        int64_t deadline;
        static const char value[] = "kproof observability probe";

        kp_kvlist_set(&extra, "message.timeout.ms", "10000");
        kp_kvlist_merge(&all, props);
        kp_kvlist_merge(&all, &extra);
        kp_kvlist_clear(&extra);
        conf = kp_kafka_conf_new(&all, &err);
        kp_kvlist_clear(&all);
        if (!conf) {
                snprintf(msg, size, "%s", err.msg);
                return -1;
        }
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, &err);
        if (!rk) {
                snprintf(msg, size, "%s", err.msg);
                return -1;
        }
        rc = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                               RD_KAFKA_V_VALUE((void *)value, sizeof(value) - 1),
                               RD_KAFKA_V_OPAQUE(&res), RD_KAFKA_V_END);
        if (rc) {
                set_code(rc, "produce", NULL, msg, size);
                rd_kafka_destroy(rk);
                return rc;
        }
        deadline = kp_mono_ns() + (int64_t)OBS_PRODUCE_MS * KP_NS_PER_MS;
        while (res == -2 && kp_mono_ns() < deadline)
                rd_kafka_poll(rk, 100);
        if (res == -2) {
                snprintf(msg, size, "produce to %s: no delivery report within %d ms", topic,
                         OBS_PRODUCE_MS);
                res = -1;
        } else if (res > 0) {
                set_code(res, "produce", NULL, msg, size);
        }
        rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(rk, 1000);
        rd_kafka_destroy(rk);
        return res;
}

int obs_consume_one(const kp_kvlist_t *props, const char *topic, const char *group, int timeout_ms,
                    char *msg, size_t size)
{
        kp_kvlist_t extra = {0};
        rd_kafka_t *rk;
        rd_kafka_topic_partition_list_t *tl;
        int64_t deadline;
        int rc = -1;
        char last[256] = "";

        kp_kvlist_set(&extra, "group.id", group);
        kp_kvlist_set(&extra, "auto.offset.reset", "earliest");
        kp_kvlist_set(&extra, "enable.auto.commit", "false");
        rk = client(props, RD_KAFKA_CONSUMER, &extra, msg, size);
        kp_kvlist_clear(&extra);
        if (!rk)
                return -1;
        rd_kafka_poll_set_consumer(rk);
        tl = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(tl, topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(rk, tl);
        rd_kafka_topic_partition_list_destroy(tl);
        deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
        while (kp_mono_ns() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
                if (!m)
                        continue;
                if (!m->err) {
                        rc = 0;
                        rd_kafka_message_destroy(m);
                        break;
                }
                if (obs_is_authz_error(m->err)) {
                        rc = m->err;
                        set_code(rc, "consume", rd_kafka_message_errstr(m), msg, size);
                        rd_kafka_message_destroy(m);
                        break;
                }
                snprintf(last, sizeof(last), "%s", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
        }
        if (rc < 0)
                snprintf(
                    msg, size, "consume from %s: neither a record nor a refusal within %d ms%s%s%s",
                    topic, timeout_ms, last[0] ? " (last error: " : "", last, last[0] ? ")" : "");
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        return rc;
}
