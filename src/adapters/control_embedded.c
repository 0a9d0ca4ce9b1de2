/*
 * The embedded control adapter: librdkafka's in-process mock cluster.
 *
 * It gives the quickstart and the unit tests a cluster with no services:
 * brokers can be taken down and up, partition leaders moved, latency added
 * and request errors injected. It has no replication, no admin API and no
 * transaction markers; operations it cannot express are reported as
 * unsupported with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "adapters/control.h"
#include "platform/kafka.h"
#include "util/log.h"

typedef struct embedded {
        rd_kafka_t *owner;
        rd_kafka_mock_cluster_t *mcluster;
        int brokers;
        char **racks; /* borrowed from the target */
        char bootstrap[1024];
} embedded_t;

static int emb_supports(kp_control_t *ctl, kp_ctl_op_t op, const char **reason)
{
        (void)ctl;
        switch (op) {
        case KP_CTL_KILL_BROKER:
        case KP_CTL_STOP_BROKER:
        case KP_CTL_START_BROKER:
        case KP_CTL_SET_LEADER:
        case KP_CTL_SET_RTT:
        case KP_CTL_PUSH_ERRORS:
        case KP_CTL_PENDING_ERRORS:
        case KP_CTL_CREATE_TOPIC:
        case KP_CTL_KILL_RACK:
                return 1;
        case KP_CTL_ADD_BROKER:
        case KP_CTL_REMOVE_BROKER:
                *reason = "librdkafka's mock cluster (embedded) cannot add or remove brokers";
                return 0;
        case KP_CTL_REBALANCE:
                *reason = "the embedded mock cluster has no partition reassignment";
                return 0;
        case KP_CTL_STORAGE_BYTES:
                *reason = "the embedded mock cluster keeps data in memory and reports no storage";
                return 0;
        case KP_CTL_LEADER:
        case KP_CTL_CONTROLLER:
                *reason = "the embedded mock cluster answers these through Kafka metadata only";
                return 0;
        case KP_CTL_DELETE_RECORDS:
                *reason = "the embedded mock cluster does not implement DeleteRecords";
                return 0;
        case KP_CTL_LIST_CONNECTIONS:
                *reason = "the embedded mock cluster runs inside kproof and has no connections of "
                          "its own to list";
                return 0;
        case KP_CTL_START_MIRROR:
        case KP_CTL_STOP_MIRROR:
        case KP_CTL_START_REVERSE_MIRROR:
        case KP_CTL_STOP_REVERSE_MIRROR:
        case KP_CTL_MIRROR_STATUS:
                *reason = "the embedded mock cluster has no replication tool to another platform";
                return 0;
        case KP_CTL_PAUSE_BROKER:
        case KP_CTL_RESUME_BROKER:
                *reason = "the embedded mock cluster's brokers are threads of kproof and cannot be "
                          "frozen";
                return 0;
        case KP_CTL_WIPE_BROKER:
        case KP_CTL_CORRUPT_SEGMENT:
                *reason =
                    "the embedded mock cluster keeps its logs in memory: no segment to damage";
                return 0;
        case KP_CTL_PARTITION:
        case KP_CTL_HEAL_PARTITION:
        case KP_CTL_LINK_LOSS:
        case KP_CTL_LINK_DELAY:
        case KP_CTL_HEAL_LINK:
                *reason = "the embedded mock cluster's brokers share kproof's process: no network "
                          "between them to cut";
                return 0;
        default:
                *reason = "unknown operation";
                return 0;
        }
}

static int check_broker(embedded_t *e, int32_t broker, kp_err_t *err)
{
        if (broker < 1 || broker > e->brokers)
                return kp_err_set(err, KP_EINVAL, "no broker %d in the embedded cluster (1..%d)",
                                  broker, e->brokers);
        return 0;
}

static int mock_result(rd_kafka_resp_err_t r, const char *what, kp_err_t *err)
{
        if (r)
                return kp_err_set(err, KP_EINFRA, "%s: %s", what, rd_kafka_err2str(r));
        return 0;
}

static int emb_invoke(kp_control_t *ctl, const kp_ctl_req_t *req, kp_ctl_res_t *res, kp_err_t *err)
{
        embedded_t *e = ctl->impl;
        rd_kafka_resp_err_t r;
        int i, n = 0;

        (void)res;
        switch (req->op) {
        case KP_CTL_KILL_BROKER:
        case KP_CTL_STOP_BROKER:
                if (check_broker(e, req->broker, err) < 0)
                        return -1;
                return mock_result(rd_kafka_mock_broker_set_down(e->mcluster, req->broker),
                                   "broker down", err);
        case KP_CTL_START_BROKER:
                if (check_broker(e, req->broker, err) < 0)
                        return -1;
                return mock_result(rd_kafka_mock_broker_set_up(e->mcluster, req->broker),
                                   "broker up", err);
        case KP_CTL_KILL_RACK:
                for (i = 0; e->racks && i < e->brokers; i++) {
                        if (req->rack && strcmp(e->racks[i], req->rack) == 0) {
                                r = rd_kafka_mock_broker_set_down(e->mcluster, i + 1);
                                if (r)
                                        return mock_result(r, "broker down", err);
                                n++;
                        }
                }
                if (n == 0)
                        return kp_err_set(err, KP_EINVAL, "no broker in rack \"%s\"",
                                          req->rack ? req->rack : "");
                res->value = n;
                res->has_value = 1;
                return 0;
        case KP_CTL_SET_LEADER:
                if (check_broker(e, req->broker, err) < 0)
                        return -1;
                if (!req->topic || req->partition < 0)
                        return kp_err_set(err, KP_EINVAL,
                                          "set_leader needs a topic and a partition");
                return mock_result(rd_kafka_mock_partition_set_leader(e->mcluster, req->topic,
                                                                      req->partition, req->broker),
                                   "set leader", err);
        case KP_CTL_SET_RTT:
                if (check_broker(e, req->broker, err) < 0)
                        return -1;
                return mock_result(
                    rd_kafka_mock_broker_set_rtt(e->mcluster, req->broker, req->rtt_ms), "set rtt",
                    err);
        case KP_CTL_PUSH_ERRORS: {
                rd_kafka_resp_err_t errs[256];
                size_t k, cnt = req->n_errors < 256 ? req->n_errors : 256;
                int32_t b, first = req->broker, last = req->broker;
                for (k = 0; k < cnt; k++)
                        errs[k] = (rd_kafka_resp_err_t)req->errors[k];
                if (req->broker < 0 && !req->error_rtts_ms) {
                        rd_kafka_mock_push_request_errors_array(e->mcluster, req->api_key, cnt,
                                                                errs);
                        return 0;
                }
                /* Per broker: the only path that can delay a response (rtt), which is
                 * how a request that was applied but timed out on the client is made. */
                if (req->broker < 0) {
                        first = 1;
                        last = e->brokers;
                } else if (check_broker(e, req->broker, err) < 0) {
                        return -1;
                }
                for (b = first; b <= last; b++)
                        for (k = 0; k < cnt; k++) {
                                r = rd_kafka_mock_broker_push_request_error_rtts(
                                    e->mcluster, b, req->api_key, 1, errs[k],
                                    req->error_rtts_ms ? req->error_rtts_ms[k] : 0);
                                if (r)
                                        return mock_result(r, "push errors", err);
                        }
                return 0;
        }
        case KP_CTL_PENDING_ERRORS: {
                int32_t b;
                res->value = 0;
                for (b = 1; b <= e->brokers; b++) {
                        size_t cnt = 0;
                        r = rd_kafka_mock_broker_error_stack_cnt(e->mcluster, b, req->api_key,
                                                                 &cnt);
                        if (r)
                                return mock_result(r, "error stack count", err);
                        res->value += (int64_t)cnt;
                }
                res->has_value = 1;
                return 0;
        }
        case KP_CTL_CREATE_TOPIC:
                if (!req->topic || req->partitions < 1)
                        return kp_err_set(err, KP_EINVAL,
                                          "create_topic needs a topic and partitions");
                return mock_result(
                    rd_kafka_mock_topic_create(e->mcluster, req->topic, req->partitions,
                                               req->replication_factor > 0
                                                   ? (req->replication_factor < e->brokers
                                                          ? req->replication_factor
                                                          : e->brokers)
                                                   : (e->brokers < 3 ? e->brokers : 3)),
                    "create topic", err);
        default:
                return kp_err_set(err, KP_EUNSUPPORTED,
                                  "operation not supported by the embedded cluster");
        }
}

static void emb_destroy(kp_control_t *ctl)
{
        embedded_t *e = ctl->impl;

        if (!e)
                return;
        if (e->mcluster)
                rd_kafka_mock_cluster_destroy(e->mcluster);
        if (e->owner)
                rd_kafka_destroy(e->owner);
        free(e);
}

static const kp_control_ops_t emb_ops = {"embedded", emb_supports, emb_invoke, emb_destroy};

int kp_control_embedded_new(const kp_target_t *t, kp_control_t **out, const char **bootstrap,
                            kp_err_t *err)
{
        kp_control_t *ctl = calloc(1, sizeof(*ctl));
        embedded_t *e = calloc(1, sizeof(*e));
        rd_kafka_conf_t *conf;
        int i;

        if (!ctl || !e) {
                free(ctl);
                free(e);
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        }
        ctl->ops = &emb_ops;
        ctl->impl = e;
        e->brokers = t->control.brokers > 0 ? t->control.brokers : 3;
        e->racks = t->control.racks;
        conf = kp_kafka_conf_new(NULL, err);
        if (!conf)
                goto fail;
        rd_kafka_conf_set(conf, "client.id", "kproof-embedded-cluster", NULL, 0);
        e->owner = kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
        if (!e->owner)
                goto fail;
        e->mcluster = rd_kafka_mock_cluster_new(e->owner, e->brokers);
        if (!e->mcluster) {
                kp_err_set(err, KP_EINFRA, "cannot start the embedded mock cluster");
                goto fail;
        }
        for (i = 0; e->racks && i < e->brokers; i++)
                rd_kafka_mock_broker_set_rack(e->mcluster, i + 1, e->racks[i]);
        snprintf(e->bootstrap, sizeof(e->bootstrap), "%s",
                 rd_kafka_mock_cluster_bootstraps(e->mcluster));
        kp_info("embedded cluster: %d brokers at %s", e->brokers, e->bootstrap);
        *out = ctl;
        if (bootstrap)
                *bootstrap = e->bootstrap;
        return 0;
fail:
        emb_destroy(ctl);
        free(ctl);
        return -1;
}

void *kp_control_embedded_mock(kp_control_t *ctl)
{
        if (!ctl || strcmp(ctl->ops->type, "embedded") != 0)
                return NULL;
        return ((embedded_t *)ctl->impl)->mcluster;
}
