/*
 * Topology from Kafka metadata: see topology.h.
 */
#include "platform/topology.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "platform/kafka.h"
#include "util/timeutil.h"

struct kp_topo_client {
        kp_platform_t *plat;
        rd_kafka_t *rk;
        atomic_int probe_done;         /* set last, after probe_err */
        rd_kafka_resp_err_t probe_err; /* published by the store to probe_done */
};

static void probe_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        kp_topo_client_t *cl = opaque;
        (void)rk;

        cl->probe_err = m->err;
        cl->probe_done = 1;
}

kp_topo_client_t *kp_topo_client_new(kp_platform_t *p, kp_err_t *err)
{
        kp_topo_client_t *cl = calloc(1, sizeof(*cl));
        kp_kvlist_t props = {0}, extra = {0};
        rd_kafka_conf_t *conf;

        if (!cl) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                return NULL;
        }
        cl->plat = p;
        kp_kvlist_set(&extra, "acks", "all");
        kp_kvlist_set(&extra, "linger.ms", "0");
        kp_kvlist_set(&extra, "message.timeout.ms", "30000");
        kp_kvlist_set(&extra, "topic.metadata.refresh.interval.ms", "1000");
        kp_platform_client_props(p, KP_PROFILE_DEFAULT, 1, &extra, &props);
        kp_kvlist_clear(&extra);
        conf = kp_kafka_conf_new(&props, err);
        kp_kvlist_clear(&props);
        if (!conf) {
                free(cl);
                return NULL;
        }
        rd_kafka_conf_set_dr_msg_cb(conf, probe_dr);
        rd_kafka_conf_set_opaque(conf, cl);
        cl->rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
        if (!cl->rk) {
                free(cl);
                return NULL;
        }
        return cl;
}

void kp_topo_client_free(kp_topo_client_t *cl)
{
        if (!cl)
                return;
        if (cl->rk) {
                rd_kafka_flush(cl->rk, 5000);
                rd_kafka_destroy(cl->rk);
        }
        free(cl);
}

void kp_topology_release(kp_topology_t *t)
{
        free(t->partitions);
        memset(t, 0, sizeof(*t));
}

static int cmp_i32(const void *a, const void *b)
{
        int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
        return (x > y) - (x < y);
}

/* The topic's own error in a metadata answer, or 0 (also when it is absent). */
static rd_kafka_resp_err_t topic_err(const struct rd_kafka_metadata *md, const char *topic)
{
        int i;

        for (i = 0; topic && i < md->topic_cnt; i++)
                if (strcmp(md->topics[i].topic, topic) == 0)
                        return md->topics[i].err;
        return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* A topic just created may still be unknown to the broker that answers
 * (metadata propagates asynchronously between brokers): such answers are asked
 * again for up to TOPO_SETTLE_MS before they count as an error. */
#define TOPO_SETTLE_MS 15000
#define TOPO_RETRY_MS  200

int kp_topo_fetch(kp_topo_client_t *cl, const char *topic, kp_topology_t *out, kp_err_t *err)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e;
        int i, j, k, waited = 0;

        memset(out, 0, sizeof(*out));
        for (;;) {
                rd_kafka_topic_t *rkt = topic ? rd_kafka_topic_new(cl->rk, topic, NULL) : NULL;
                rd_kafka_resp_err_t te;
                e = rd_kafka_metadata(cl->rk, 0, rkt, &md, 10000);
                if (rkt)
                        rd_kafka_topic_destroy(rkt);
                if (e)
                        return kp_err_set(err, KP_EINFRA, "metadata%s%s: %s", topic ? " of " : "",
                                          topic ? topic : "", rd_kafka_err2str(e));
                te = topic_err(md, topic);
                if ((te != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
                     te != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) ||
                    waited >= TOPO_SETTLE_MS)
                        break;
                rd_kafka_metadata_destroy(md);
                md = NULL;
                kp_sleep_ms(TOPO_RETRY_MS);
                waited += TOPO_RETRY_MS;
        }
        for (i = 0; i < md->broker_cnt && out->n_brokers < KP_TOPO_MAX_BROKERS; i++)
                out->broker_ids[out->n_brokers++] = md->brokers[i].id;
        qsort(out->broker_ids, (size_t)out->n_brokers, sizeof(int32_t), cmp_i32);
        for (i = 0; topic && i < md->topic_cnt; i++) {
                const rd_kafka_metadata_topic_t *mt = &md->topics[i];
                if (strcmp(mt->topic, topic) != 0)
                        continue;
                if (mt->err) {
                        rd_kafka_metadata_destroy(md);
                        return kp_err_set(err, KP_EINFRA, "metadata of %s: %s", topic,
                                          rd_kafka_err2str(mt->err));
                }
                out->partitions = calloc((size_t)mt->partition_cnt + 1, sizeof(*out->partitions));
                if (!out->partitions) {
                        rd_kafka_metadata_destroy(md);
                        return kp_err_set(err, KP_ENOMEM, "out of memory");
                }
                for (j = 0; j < mt->partition_cnt; j++) {
                        const rd_kafka_metadata_partition_t *mp = &mt->partitions[j];
                        kp_topo_partition_t *tp =
                            &out->partitions[mp->id < mt->partition_cnt ? mp->id : j];
                        tp->id = mp->id;
                        tp->leader =
                            mp->err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ? -1 : mp->leader;
                        for (k = 0; k < mp->replica_cnt && k < KP_TOPO_MAX_REPLICAS; k++)
                                tp->replicas[tp->n_replicas++] = mp->replicas[k];
                        for (k = 0; k < mp->isr_cnt && k < KP_TOPO_MAX_REPLICAS; k++)
                                tp->isr[tp->n_isr++] = mp->isrs[k];
                }
                out->n_partitions = mt->partition_cnt;
        }
        rd_kafka_metadata_destroy(md);
        if (topic && !out->partitions)
                return kp_err_set(err, KP_EINFRA, "metadata: topic %s not found", topic);
        return 0;
}

static int broker_index(const kp_topology_t *t, int32_t broker)
{
        int i;

        for (i = 0; i < t->n_brokers; i++)
                if (t->broker_ids[i] == broker)
                        return i;
        return -1;
}

/* broker.rack of one broker through DescribeConfigs (Kafka accepts one
 * broker resource per request). 1 when found, 0 when the broker has none. */
static int rack_of(kp_topo_client_t *cl, int32_t broker, char *out, size_t size, kp_err_t *err)
{
        rd_kafka_ConfigResource_t *res;
        rd_kafka_queue_t *q = rd_kafka_queue_new(cl->rk);
        rd_kafka_AdminOptions_t *o;
        rd_kafka_event_t *ev = NULL;
        const rd_kafka_DescribeConfigs_result_t *r;
        const rd_kafka_ConfigResource_t **rs;
        size_t i, j, cnt;
        int found = 0;
        char id[16];

        snprintf(id, sizeof(id), "%d", broker);
        res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, id);
        o = rd_kafka_AdminOptions_new(cl->rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
        rd_kafka_AdminOptions_set_request_timeout(o, 10000, NULL, 0);
        rd_kafka_DescribeConfigs(cl->rk, &res, 1, o, q);
        ev = rd_kafka_queue_poll(q, 15000);
        if (!ev) {
                found =
                    kp_err_set(err, KP_EINFRA, "DescribeConfigs of broker %d timed out", broker);
                goto out;
        }
        if (rd_kafka_event_error(ev)) {
                found = kp_err_set(err, KP_EINFRA, "DescribeConfigs of broker %d: %s", broker,
                                   rd_kafka_event_error_string(ev));
                goto out;
        }
        r = rd_kafka_event_DescribeConfigs_result(ev);
        rs = rd_kafka_DescribeConfigs_result_resources(r, &cnt);
        for (i = 0; i < cnt; i++) {
                const rd_kafka_ConfigEntry_t **ents;
                size_t ne;
                if (rd_kafka_ConfigResource_error(rs[i])) {
                        found = kp_err_set(err, KP_EINFRA, "DescribeConfigs of broker %d: %s",
                                           broker, rd_kafka_ConfigResource_error_string(rs[i]));
                        goto out;
                }
                ents = rd_kafka_ConfigResource_configs(rs[i], &ne);
                for (j = 0; j < ne; j++) {
                        const char *v = rd_kafka_ConfigEntry_value(ents[j]);
                        if (strcmp(rd_kafka_ConfigEntry_name(ents[j]), "broker.rack") == 0 && v &&
                            *v) {
                                snprintf(out, size, "%s", v);
                                found = 1;
                        }
                }
        }
out:
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_ConfigResource_destroy(res);
        rd_kafka_queue_destroy(q);
        return found;
}

int kp_topo_client_racks(kp_topo_client_t *cl, kp_topology_t *t, kp_err_t *err)
{
        const kp_control_cfg_t *cc = &cl->plat->target->control;
        int i, known = 0;

        if (cc->type == KP_CONTROL_EMBEDDED) {
                for (i = 0; i < t->n_brokers; i++) {
                        int32_t id = t->broker_ids[i];
                        if (cc->racks && id >= 1 && (size_t)id <= cc->n_racks) {
                                snprintf(t->racks[i], sizeof(t->racks[i]), "%s", cc->racks[id - 1]);
                                known++;
                        }
                }
                return known;
        }
        for (i = 0; i < t->n_brokers; i++) {
                int r = rack_of(cl, t->broker_ids[i], t->racks[i], sizeof(t->racks[i]), err);
                if (r < 0)
                        return -1;
                known += r;
        }
        return known;
}

const char *kp_topology_rack(const kp_topology_t *t, int32_t broker)
{
        int i = broker_index(t, broker);

        return i >= 0 && t->racks[i][0] ? t->racks[i] : NULL;
}

const kp_topo_partition_t *kp_topology_partition(const kp_topology_t *t, int32_t partition)
{
        int i;

        for (i = 0; i < t->n_partitions; i++)
                if (t->partitions[i].id == partition)
                        return &t->partitions[i];
        return NULL;
}

int kp_topology_leads(const kp_topology_t *t, int32_t broker)
{
        int i, n = 0;

        for (i = 0; i < t->n_partitions; i++)
                if (t->partitions[i].leader == broker)
                        n++;
        return n;
}

int kp_topology_has_broker(const kp_topology_t *t, int32_t broker)
{
        return broker_index(t, broker) >= 0;
}

int kp_topo_watermarks(kp_topo_client_t *cl, const char *topic, int32_t partition, int64_t *low,
                       int64_t *high, kp_err_t *err)
{
        return kp_kafka_watermarks(cl->rk, topic, partition, low, high, 10000, err);
}

int kp_topo_probe(kp_topo_client_t *cl, const char *topic, int32_t partition, int timeout_ms,
                  kp_err_t *err)
{
        static const char value[] = "kproof-topology-probe";
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
        rd_kafka_resp_err_t e;

        cl->probe_done = 0;
        cl->probe_err = RD_KAFKA_RESP_ERR_NO_ERROR;
        e = rd_kafka_producev(cl->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                              RD_KAFKA_V_VALUE((void *)value, sizeof(value) - 1),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e)
                return kp_err_set(err, KP_EINFRA, "probe produce to %s[%d]: %s", topic, partition,
                                  rd_kafka_err2name(e));
        while (!cl->probe_done && kp_mono_ns() < deadline)
                rd_kafka_poll(cl->rk, 50);
        if (!cl->probe_done)
                return kp_err_set(err, KP_EINFRA,
                                  "probe produce to %s[%d]: no acknowledgement in %d ms", topic,
                                  partition, timeout_ms);
        if (cl->probe_err)
                return kp_err_set(err, KP_EINFRA, "probe produce to %s[%d]: %s", topic, partition,
                                  rd_kafka_err2name(cl->probe_err));
        return 0;
}
