#include "platform/kafka.h"
#include "platform/kclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/secret.h"
#include "util/timeutil.h"

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
        /* syslog levels: 0-3 errors, 4 warning, 5-6 notice/info, 7 debug. */
        int kl = level <= 4 ? KP_LOG_INFO : KP_LOG_DEBUG;

        /* Role warnings ("a consumer property ignored by this producer") are
         * expected: one target property list serves every client. */
        if (strcmp(fac, "CONFWARN") == 0)
                kl = KP_LOG_DEBUG;

        KP_LOG(kl, "rdkafka %s: %s: %s", rk ? rd_kafka_name(rk) : "-", fac, buf);
}

rd_kafka_conf_t *kp_kafka_conf_new(const kp_kvlist_t *props, kp_err_t *err)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        char errstr[512];
        size_t i;

        rd_kafka_conf_set_log_cb(conf, log_cb);
        rd_kafka_conf_set(conf, "client.id", "kproof", NULL, 0);
        rd_kafka_conf_set(conf, "log.connection.close", "false", NULL, 0);
        for (i = 0; props && i < props->n; i++) {
                if (rd_kafka_conf_set(conf, props->items[i].key, props->items[i].value, errstr,
                                      sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                        kp_err_set(err, KP_EINVAL, "client property \"%s\": %s",
                                   props->items[i].key, errstr);
                        rd_kafka_conf_destroy(conf);
                        return NULL;
                }
        }
        return conf;
}

rd_kafka_t *kp_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, kp_err_t *err)
{
        char errstr[512];
        rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));

        if (!rk) {
                rd_kafka_conf_destroy(conf);
                kp_err_set(err, KP_EINFRA, "cannot create Kafka %s: %s",
                           type == RD_KAFKA_PRODUCER ? "producer" : "consumer", errstr);
        }
        return rk;
}

const char *kp_profile_name(kp_profile_t p)
{
        switch (p) {
        case KP_PROFILE_SAFE:
                return "safe";
        case KP_PROFILE_RELAXED:
                return "relaxed";
        default:
                return "default";
        }
}

void kp_kafka_profile_props(kp_profile_t profile, int producer, kp_kvlist_t *out)
{
        switch (profile) {
        case KP_PROFILE_SAFE:
                if (producer) {
                        kp_kvlist_set(out, "acks", "all");
                        kp_kvlist_set(out, "enable.idempotence", "true");
                } else {
                        kp_kvlist_set(out, "isolation.level", "read_committed");
                        kp_kvlist_set(out, "enable.auto.commit", "false");
                }
                break;
        case KP_PROFILE_RELAXED:
                if (producer) {
                        kp_kvlist_set(out, "acks", "1");
                        kp_kvlist_set(out, "enable.idempotence", "false");
                } else {
                        kp_kvlist_set(out, "isolation.level", "read_uncommitted");
                }
                break;
        default:
                break;
        }
}

int kp_kafka_cluster_info(const kp_kvlist_t *props, int timeout_ms, kp_kafka_cluster_info_t *out,
                          kp_err_t *err)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t rerr;
        rd_kafka_t *rk;
        char *cid;
        int i;

        memset(out, 0, sizeof(*out));
        rk = kp_kc_admin(props, err);
        if (!rk)
                return -1;
        rerr = rd_kafka_metadata(rk, 0, NULL, &md, timeout_ms);
        if (rerr) {
                const char *bs = kp_kvlist_get(props, "bootstrap.servers");
                kp_err_set(err, KP_EINFRA,
                           "target unreachable: no metadata from %s within %d ms: %s",
                           bs ? bs : "(no bootstrap.servers)", timeout_ms, rd_kafka_err2str(rerr));
                rd_kafka_destroy(rk);
                return -1;
        }
        out->brokers = md->broker_cnt;
        for (i = 0; i < md->broker_cnt && i < 64; i++) {
                out->broker_ids[i] = md->brokers[i].id;
                snprintf(out->broker_hosts[i], sizeof(out->broker_hosts[i]), "%s:%d",
                         md->brokers[i].host, md->brokers[i].port);
        }
        rd_kafka_metadata_destroy(md);
        out->controller_id = rd_kafka_controllerid(rk, timeout_ms);
        cid = rd_kafka_clusterid(rk, timeout_ms);
        if (cid) {
                snprintf(out->cluster_id, sizeof(out->cluster_id), "%s", cid);
                rd_kafka_mem_free(rk, cid);
        }
        rd_kafka_destroy(rk);
        return 0;
}

/* Runs one admin request on a short-lived client and waits for its result
 * event of the given type. */
static rd_kafka_event_t *admin_wait(rd_kafka_t *rk, rd_kafka_queue_t *q, rd_kafka_event_type_t type,
                                    int timeout_ms)
{
        (void)rk;
        /* 5 s beyond the request's own timeout: the broker's answer to a
         * timed-out request still arrives. */
        return kp_kc_admin_wait(q, type, timeout_ms + 5000);
}

int kp_kafka_admin_create_topic(const kp_kvlist_t *props, const char *topic, int partitions,
                                int replication_factor, const kp_kvlist_t *configs, int exist_ok,
                                int timeout_ms, kp_err_t *err)
{
        const rd_kafka_CreateTopics_result_t *res;
        const rd_kafka_topic_result_t **tres;
        rd_kafka_AdminOptions_t *opts = NULL;
        rd_kafka_NewTopic_t *nt = NULL;
        rd_kafka_queue_t *q = NULL;
        rd_kafka_event_t *ev = NULL;
        rd_kafka_t *rk;
        char errstr[512];
        size_t n, i;
        int rc = -1;

        rk = kp_kc_admin(props, err);
        if (!rk)
                return -1;
        nt = rd_kafka_NewTopic_new(topic, partitions,
                                   replication_factor > 0 ? replication_factor : -1, errstr,
                                   sizeof(errstr));
        if (!nt) {
                kp_err_set(err, KP_EINFRA, "create topic %s: %s", topic, errstr);
                goto out;
        }
        for (i = 0; configs && i < configs->n; i++)
                rd_kafka_NewTopic_set_config(nt, configs->items[i].key, configs->items[i].value);
        q = rd_kafka_queue_new(rk);
        opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
        rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
        ev = admin_wait(rk, q, RD_KAFKA_EVENT_CREATETOPICS_RESULT, timeout_ms);
        if (!ev) {
                kp_err_set(err, KP_EINFRA, "create topic %s: no answer within %d ms", topic,
                           timeout_ms);
                goto out;
        }
        if (rd_kafka_event_error(ev)) {
                kp_err_set(err, KP_EINFRA, "create topic %s: %s", topic,
                           rd_kafka_event_error_string(ev));
                goto out;
        }
        res = rd_kafka_event_CreateTopics_result(ev);
        tres = rd_kafka_CreateTopics_result_topics(res, &n);
        for (i = 0; i < n; i++) {
                rd_kafka_resp_err_t te = rd_kafka_topic_result_error(tres[i]);
                if (te == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS && exist_ok)
                        continue;
                if (te) {
                        const char *es = rd_kafka_topic_result_error_string(tres[i]);
                        /* The broker answered and refused this topic (its configs,
                         * a policy, the request version): the platform cannot do
                         * it, which is not an infrastructure failure. */
                        int refused = te == RD_KAFKA_RESP_ERR_INVALID_CONFIG ||
                                      te == RD_KAFKA_RESP_ERR_POLICY_VIOLATION ||
                                      te == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION ||
                                      te == RD_KAFKA_RESP_ERR_INVALID_REQUEST;
                        kp_err_set(err, refused ? KP_EUNSUPPORTED : KP_EINFRA,
                                   "create topic %s: %s (%s)", topic, rd_kafka_err2name(te),
                                   es ? es : rd_kafka_err2str(te));
                        goto out;
                }
        }
        rc = 0;
out:
        if (ev)
                rd_kafka_event_destroy(ev);
        if (opts)
                rd_kafka_AdminOptions_destroy(opts);
        if (nt)
                rd_kafka_NewTopic_destroy(nt);
        if (q)
                rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
        return rc;
}

int kp_kafka_admin_delete_topic(const kp_kvlist_t *props, const char *topic, int timeout_ms,
                                kp_err_t *err)
{
        const rd_kafka_DeleteTopics_result_t *res;
        const rd_kafka_topic_result_t **tres;
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_DeleteTopic_t *dt;
        rd_kafka_queue_t *q;
        rd_kafka_event_t *ev;
        rd_kafka_t *rk;
        size_t n;
        int rc = -1;

        rk = kp_kc_admin(props, err);
        if (!rk)
                return -1;
        dt = rd_kafka_DeleteTopic_new(topic);
        q = rd_kafka_queue_new(rk);
        opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS);
        rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_DeleteTopics(rk, &dt, 1, opts, q);
        ev = admin_wait(rk, q, RD_KAFKA_EVENT_DELETETOPICS_RESULT, timeout_ms);
        if (!ev) {
                kp_err_set(err, KP_EINFRA, "delete topic %s: no answer within %d ms", topic,
                           timeout_ms);
        } else if (rd_kafka_event_error(ev)) {
                kp_err_set(err, KP_EINFRA, "delete topic %s: %s", topic,
                           rd_kafka_event_error_string(ev));
        } else {
                res = rd_kafka_event_DeleteTopics_result(ev);
                tres = rd_kafka_DeleteTopics_result_topics(res, &n);
                if (n == 1 && rd_kafka_topic_result_error(tres[0]))
                        kp_err_set(err, KP_EINFRA, "delete topic %s: %s", topic,
                                   rd_kafka_err2name(rd_kafka_topic_result_error(tres[0])));
                else
                        rc = 0;
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_DeleteTopic_destroy(dt);
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
        return rc;
}

int kp_kafka_wait_topic(rd_kafka_t *rk, const char *topic, int partitions, int timeout_ms,
                        kp_err_t *err)
{
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
        const char *why = "no metadata";

        while (kp_mono_ns() < deadline) {
                const struct rd_kafka_metadata *md = NULL;
                rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
                rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 2000);
                int ok = 0, i;

                rd_kafka_topic_destroy(rkt);
                if (!e && md->topic_cnt == 1) {
                        const rd_kafka_metadata_topic_t *t = &md->topics[0];
                        if (t->err) {
                                why = rd_kafka_err2name(t->err);
                        } else if (t->partition_cnt < partitions) {
                                why = "not all partitions visible";
                        } else {
                                ok = 1;
                                for (i = 0; i < t->partition_cnt; i++)
                                        if (t->partitions[i].leader < 0 || t->partitions[i].err)
                                                ok = 0;
                                if (!ok)
                                        why = "a partition has no leader";
                        }
                } else if (e) {
                        why = rd_kafka_err2name(e);
                }
                if (md)
                        rd_kafka_metadata_destroy(md);
                if (ok)
                        return 0;
                kp_sleep_ms(100);
        }
        return kp_err_set(err, KP_EINFRA, "topic %s not ready within %d ms: %s", topic, timeout_ms,
                          why);
}

int kp_kafka_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t *low,
                        int64_t *high, int timeout_ms, kp_err_t *err)
{
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(rk, topic, partition, low, high, timeout_ms);

        if (e)
                return kp_err_set(err, KP_EINFRA, "watermarks of %s[%d]: %s", topic, partition,
                                  rd_kafka_err2name(e));
        return 0;
}

int kp_kafka_err_from_name(const char *name)
{
        const struct rd_kafka_err_desc *descs;
        size_t n, i;

        rd_kafka_get_err_descs(&descs, &n);
        for (i = 0; i < n; i++) {
                if (!descs[i].name)
                        continue;
                if (strcmp(descs[i].name, name) == 0)
                        return descs[i].code;
        }
        /* Kafka's own names that librdkafka spells differently. */
        if (strcmp(name, "NOT_LEADER_OR_FOLLOWER") == 0)
                return RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;
        return -1;
}

const char *kp_kafka_version(void)
{
        return rd_kafka_version_str();
}
