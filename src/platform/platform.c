#include "platform/platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/kafka.h"
#include "util/log.h"

int kp_platform_open(const kp_target_t *t, kp_platform_t **out, kp_err_t *err)
{
        kp_platform_t *p = calloc(1, sizeof(*p));
        const char *bootstrap = NULL;

        *out = NULL;
        if (!p)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        p->target = t;
        if (kp_control_new(t, &p->control, &bootstrap, err) < 0) {
                free(p);
                return -1;
        }
        if (kp_kvlist_merge(&p->props, &t->kafka) < 0 ||
            (bootstrap && kp_kvlist_set(&p->props, "bootstrap.servers", bootstrap) < 0)) {
                kp_platform_close(p);
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        }
        if (t->control.type == KP_CONTROL_EMBEDDED) {
                p->no_admin_api =
                    "librdkafka's mock cluster (embedded) implements no admin "
                    "API (CreateTopics, DeleteTopics, DescribeConfigs, DeleteRecords)";
                p->no_txn_markers = "the embedded mock cluster writes no transaction markers, so "
                                    "read_committed and abort semantics are not modelled";
                p->no_retention_beyond =
                    "the embedded mock cluster keeps about 5 MiB per partition";
                p->no_time_index = "librdkafka's mock cluster (embedded) answers ListOffsets "
                                   "only for earliest and latest, not by timestamp";
                p->no_topic_configs = "the embedded mock cluster creates topics without configs "
                                      "(no admin API) and enforces none (cleanup.policy, "
                                      "max.message.bytes)";
        }
        *out = p;
        return 0;
}

void kp_platform_close(kp_platform_t *p)
{
        if (!p)
                return;
        kp_control_destroy(p->control);
        kp_kvlist_clear(&p->props);
        free(p);
}

int kp_platform_check_reachable(kp_platform_t *p, int timeout_ms, kp_err_t *err)
{
        kp_kafka_cluster_info_t info;

        if (kp_kafka_cluster_info(&p->props, timeout_ms, &info, err) < 0)
                return -1;
        p->brokers = info.brokers;
        snprintf(p->cluster_id, sizeof(p->cluster_id), "%s", info.cluster_id);
        kp_info("platform %s reachable: %d brokers, controller %d, cluster id %s", p->target->name,
                info.brokers, info.controller_id, info.cluster_id[0] ? info.cluster_id : "-");
        return 0;
}

void kp_platform_client_props(const kp_platform_t *p, kp_profile_t profile, int producer,
                              const kp_kvlist_t *overrides, kp_kvlist_t *out)
{
        kp_kvlist_merge(out, &p->props);
        kp_kafka_profile_props(profile, producer, out);
        kp_kvlist_merge(out, overrides);
}

/* Every broker must know a new topic before it is used: brokers learn it from
 * the controller asynchronously, and a client whose metadata then comes from a
 * broker that does not know it yet takes the topic for deleted and fails what
 * it queued for it (seen on Kafka 3.9: the partition leader learned a new
 * topic 400 ms after another broker did). Each broker in rk's metadata is
 * asked through a client bootstrapped to it alone. */
static int wait_topic_on_every_broker(const kp_kvlist_t *props, rd_kafka_t *rk, const char *topic,
                                      int partitions, int timeout_ms, kp_err_t *err)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, NULL, &md, timeout_ms);
        int i, rc = 0;

        if (e)
                return kp_err_set(err, KP_EINFRA, "metadata after creating %s: %s", topic,
                                  rd_kafka_err2str(e));
        for (i = 0; i < md->broker_cnt && rc == 0; i++) {
                const rd_kafka_metadata_broker_t *b = &md->brokers[i];
                kp_kvlist_t bp = {0};
                rd_kafka_conf_t *conf;
                rd_kafka_t *one = NULL;
                char addr[300];

                snprintf(addr, sizeof(addr), strchr(b->host, ':') ? "[%s]:%d" : "%s:%d", b->host,
                         b->port);
                rc = -1;
                if (kp_kvlist_merge(&bp, props) == 0 &&
                    kp_kvlist_set(&bp, "bootstrap.servers", addr) == 0) {
                        conf = kp_kafka_conf_new(&bp, err);
                        one = conf ? kp_kafka_new(RD_KAFKA_PRODUCER, conf, err) : NULL;
                        if (one)
                                rc = kp_kafka_wait_topic(one, topic, partitions, timeout_ms, err);
                } else {
                        kp_err_set(err, KP_EINFRA, "out of memory");
                }
                if (one)
                        rd_kafka_destroy(one);
                kp_kvlist_clear(&bp);
        }
        rd_kafka_metadata_destroy(md);
        return rc;
}

static int create_topic(kp_platform_t *p, const char *topic, int partitions, int rf,
                        const kp_kvlist_t *configs, kp_err_t *err);

int kp_platform_create_topic(kp_platform_t *p, const char *topic, int partitions, int rf,
                             const kp_kvlist_t *scenario_configs, kp_err_t *err)
{
        kp_kvlist_t all = {0};
        const kp_kvlist_t *configs = scenario_configs;
        int rc;

        /* The target's topic configs (how topics are made on this platform,
         * e.g. remote.storage.enable on a tiered one), the scenario's over them. */
        if (p->target && p->target->topic_config.n) {
                if (kp_kvlist_merge(&all, &p->target->topic_config) < 0 ||
                    (scenario_configs && kp_kvlist_merge(&all, scenario_configs) < 0)) {
                        kp_kvlist_clear(&all);
                        return kp_err_set(err, KP_ENOMEM, "out of memory");
                }
                configs = &all;
        }
        rc = create_topic(p, topic, partitions, rf, configs, err);
        kp_kvlist_clear(&all);
        return rc;
}

static int create_topic(kp_platform_t *p, const char *topic, int partitions, int rf,
                        const kp_kvlist_t *configs, kp_err_t *err)
{
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        int rc;

        if (kp_control_supports(p->control, KP_CTL_CREATE_TOPIC, NULL)) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_CREATE_TOPIC);
                req.topic = topic;
                req.partitions = partitions;
                req.replication_factor = rf;
                if (kp_control_do(p->control, &req, NULL, err) < 0)
                        return -1;
        } else if (kp_kafka_admin_create_topic(&p->props, topic, partitions, rf, configs, 0, 30000,
                                               err) < 0) {
                return -1;
        }
        conf = kp_kafka_conf_new(&p->props, err);
        if (!conf)
                return -1;
        rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
        if (!rk)
                return -1;
        rc = kp_kafka_wait_topic(rk, topic, partitions, 30000, err);
        if (rc == 0 && !kp_control_supports(p->control, KP_CTL_CREATE_TOPIC, NULL))
                rc = wait_topic_on_every_broker(&p->props, rk, topic, partitions, 30000, err);
        rd_kafka_destroy(rk);
        return rc;
}

int kp_platform_delete_topic(kp_platform_t *p, const char *topic, kp_err_t *err)
{
        if (kp_control_supports(p->control, KP_CTL_CREATE_TOPIC, NULL))
                return 0; /* the embedded cluster lives only for this run */
        return kp_kafka_admin_delete_topic(&p->props, topic, 30000, err);
}

int kp_platform_reads_committed(const kp_platform_t *p, kp_profile_t profile,
                                const kp_kvlist_t *consumer_overrides)
{
        kp_kvlist_t props = {0};
        const char *iso;
        int rc;

        kp_platform_client_props(p, profile, 0, consumer_overrides, &props);
        iso = kp_kvlist_get(&props, "isolation.level");
        rc = !iso || strcmp(iso, "read_uncommitted") != 0;
        kp_kvlist_clear(&props);
        return rc;
}
