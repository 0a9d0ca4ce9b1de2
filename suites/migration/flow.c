/*
 * The migration suite's building blocks: a tracked producer and readers on
 * either platform (both feeding one history), the mirror control
 * operations, and the admin look-ups (topic existence, partitions, configs,
 * committed group offsets) the checks compare across platforms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration.h"
#include "platform/kafka.h"
#include "platform/kclient.h"
#include "util/log.h"
#include "engine/record.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "engine/wlreport.h"

#define MIG_MAX_BYTES 4096

static uint8_t pattern[2 * MIG_MAX_BYTES];

int mig_mirror(kp_ctx_t *ctx, kp_ctl_op_t op, const char *topics, kp_err_t *err)
{
        mig_state_t *st = ctx->suite_state;
        kp_ctl_req_t req = kp_ctl_req(op);
        kp_ctl_res_t res;
        const char *why = NULL;

        if (!kp_control_supports(ctx->plat->control, op, &why))
                return kp_err_set(err, KP_EUNSUPPORTED, "%s: %s", kp_ctl_op_names[op], why);
        req.topic = topics;
        memset(&res, 0, sizeof(res));
        if (kp_control_do(ctx->plat->control, &req, &res, err) < 0)
                return -1;
        if (op == KP_CTL_START_MIRROR)
                st->forward = 1;
        else if (op == KP_CTL_STOP_MIRROR)
                st->forward = 0;
        else if (op == KP_CTL_START_REVERSE_MIRROR)
                st->reverse = 1;
        else if (op == KP_CTL_STOP_REVERSE_MIRROR)
                st->reverse = 0;
        return 0;
}

/* ------------------------------------------------------------ producer */

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        mig_prod_t *p = opaque;
        kp_rec_hdr_t hdr;
        int64_t now = kp_mono_ns();

        (void)rk;
        if (kp_rec_decode(m->payload, m->len, 0, &hdr) != KP_REC_OK)
                return;
        kp_history_produced(p->h, p->id, hdr.seq, m->err ? -1 : m->partition,
                            m->err ? -1 : m->offset, m->err, hdr.intended_ns, now);
        if (m->err) {
                p->failed++;
                return;
        }
        p->acked++;
        if (!p->first_ack_ns)
                p->first_ack_ns = now;
        p->last_ack_ns = now;
}

int mig_prod_open(mig_prod_t *p, kp_ctx_t *ctx, kp_platform_t *plat, kp_history_t *h, int id,
                  uint64_t first_seq, const char *txn_id, kp_err_t *err)
{
        kp_kvlist_t props = {0};
        rd_kafka_conf_t *conf;
        size_t i;

        memset(p, 0, sizeof(*p));
        p->h = h;
        p->id = id;
        p->next_seq = first_seq;
        p->message_bytes = ctx->scfg->workload.message_bytes;
        if (p->message_bytes < KP_REC_HDR_BYTES)
                p->message_bytes = KP_REC_HDR_BYTES;
        if (p->message_bytes > MIG_MAX_BYTES)
                p->message_bytes = MIG_MAX_BYTES;
        if (!pattern[0])
                for (i = 0; i < sizeof(pattern); i++)
                        pattern[i] = (uint8_t)('a' + (i * 7 + i / 26) % 26);
        kp_platform_client_props(plat, KP_PROFILE_SAFE, 1, &ctx->scfg->client.producer, &props);
        kp_kvlist_set(&props, "linger.ms", "5");
        if (txn_id) {
                kp_kvlist_set(&props, "transactional.id", txn_id);
                p->txn = 1;
        }
        conf = kp_kafka_conf_new(&props, err);
        kp_kvlist_clear(&props);
        if (!conf)
                return -1;
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        rd_kafka_conf_set_opaque(conf, p);
        p->rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
        if (!p->rk)
                return -1;
        if (p->txn) {
                rd_kafka_error_t *e = rd_kafka_init_transactions(p->rk, 30000);
                if (e) {
                        kp_err_set(err, KP_EINFRA, "init transactions: %s",
                                   rd_kafka_error_string(e));
                        rd_kafka_error_destroy(e);
                        return -1;
                }
        }
        return 0;
}

static int txn_result(rd_kafka_error_t *e, const char *what, kp_err_t *err)
{
        if (!e)
                return 0;
        kp_err_set(err, KP_EINFRA, "%s: %s", what, rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return -1;
}

int mig_prod_send(mig_prod_t *p, const char *topic, uint64_t n, double rate,
                  void (*tick)(void *opaque), void *opaque, kp_err_t *err)
{
        uint8_t buf[MIG_MAX_BYTES];
        int64_t start = kp_mono_ns(), deadline;
        uint64_t i;

        if (p->txn && txn_result(rd_kafka_begin_transaction(p->rk), "begin transaction", err) < 0)
                return -1;
        for (i = 0; i < n && !kp_stop_requested(); i++) {
                int64_t due = rate > 0 ? start + (int64_t)((double)i * 1e9 / rate) : 0;
                kp_rec_hdr_t hdr;
                char key[32];
                rd_kafka_resp_err_t r;
                while (kp_mono_ns() < due) {
                        if (tick)
                                tick(opaque);
                        rd_kafka_poll(p->rk, 0);
                        if (kp_mono_ns() < due)
                                kp_sleep_ms(1);
                }
                memset(&hdr, 0, sizeof(hdr));
                hdr.producer = (uint16_t)p->id;
                hdr.seq = p->next_seq;
                hdr.intended_ns = due ? due : kp_mono_ns();
                kp_rec_encode(buf, (size_t)p->message_bytes, &hdr, pattern, sizeof(pattern));
                snprintf(key, sizeof(key), "%llu", (unsigned long long)p->next_seq);
                r = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic),
                                      RD_KAFKA_V_KEY(key, strlen(key)),
                                      RD_KAFKA_V_VALUE(buf, (size_t)p->message_bytes),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
                if (r == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        rd_kafka_poll(p->rk, 50);
                        i--;
                        continue;
                }
                if (r)
                        return kp_err_set(err, KP_EINFRA, "produce to %s: %s", topic,
                                          rd_kafka_err2str(r));
                p->next_seq++;
        }
        if (p->txn &&
            txn_result(rd_kafka_commit_transaction(p->rk, 30000), "commit transaction", err) < 0)
                return -1;
        deadline = kp_mono_ns() + 60 * KP_NS_PER_S;
        while (rd_kafka_outq_len(p->rk) > 0 && kp_mono_ns() < deadline && !kp_stop_requested()) {
                if (tick)
                        tick(opaque);
                rd_kafka_poll(p->rk, 5);
        }
        if (rd_kafka_outq_len(p->rk) > 0)
                return kp_err_set(err, KP_EINFRA,
                                  "produce to %s: %d record(s) not delivered in 60 s", topic,
                                  rd_kafka_outq_len(p->rk));
        return 0;
}

void mig_prod_close(mig_prod_t *p)
{
        if (p->rk) {
                rd_kafka_flush(p->rk, 10000);
                rd_kafka_destroy(p->rk);
        }
        p->rk = NULL;
}

/* ------------------------------------------------------------ reader */

int mig_reader_open(mig_reader_t *r, kp_ctx_t *ctx, kp_platform_t *plat, const char *topic,
                    int partitions, const char *group, kp_history_t *h, int log,
                    const uint64_t *n_per_producer, kp_err_t *err)
{
        kp_kvlist_t props = {0};
        char gid[512];
        int i;

        memset(r, 0, sizeof(*r));
        r->h = h;
        r->log = log;
        for (i = 0; i < 4; i++) {
                r->n_seen[i] = n_per_producer ? n_per_producer[i] : 0;
                if (r->n_seen[i] && !(r->seen[i] = calloc(r->n_seen[i], 1)))
                        return kp_err_set(err, KP_ENOMEM, "out of memory");
        }
        kp_platform_client_props(plat, KP_PROFILE_SAFE, 0, &ctx->scfg->client.consumer, &props);
        snprintf(gid, sizeof(gid), "%s", group ? group : "");
        if (!group)
                snprintf(gid, sizeof(gid), "kproof-mig-read-%s-%d", topic, log);
        kp_kvlist_set(&props, "topic.metadata.refresh.interval.ms", "1000");
        r->rk = kp_kc_reader(&props, gid, err);
        kp_kvlist_clear(&props);
        if (!r->rk)
                return -1;
        if (h)
                kp_history_assigned(h, log, kp_mono_ns());
        if (group) {
                rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
                rd_kafka_resp_err_t e;
                rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
                e = rd_kafka_subscribe(r->rk, l);
                rd_kafka_topic_partition_list_destroy(l);
                if (e)
                        return kp_err_set(err, KP_EINFRA, "subscribe %s: %s", topic,
                                          rd_kafka_err2str(e));
        } else {
                rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(partitions);
                rd_kafka_resp_err_t e;
                for (i = 0; i < partitions; i++)
                        rd_kafka_topic_partition_list_add(l, topic, i)->offset =
                            RD_KAFKA_OFFSET_BEGINNING;
                e = rd_kafka_assign(r->rk, l);
                rd_kafka_topic_partition_list_destroy(l);
                if (e)
                        return kp_err_set(err, KP_EINFRA, "assign %s: %s", topic,
                                          rd_kafka_err2str(e));
        }
        return 0;
}

int mig_reader_poll(mig_reader_t *r, int ms)
{
        int64_t end = kp_mono_ns() + (int64_t)ms * KP_NS_PER_MS;
        int n = 0;

        do {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(r->rk, ms > 50 ? 50 : ms);
                kp_rec_hdr_t hdr;
                int64_t now;
                if (!m)
                        continue;
                if (m->err) {
                        rd_kafka_message_destroy(m);
                        continue;
                }
                now = kp_mono_ns();
                if (kp_rec_decode(m->payload, m->len, 0, &hdr) == KP_REC_OK) {
                        if (r->h)
                                kp_history_consumed(r->h, r->log, hdr.producer, hdr.seq,
                                                    m->partition, m->offset, hdr.intended_ns, now);
                        if (hdr.producer < 4 && hdr.seq < r->n_seen[hdr.producer] &&
                            !r->seen[hdr.producer][hdr.seq]) {
                                r->seen[hdr.producer][hdr.seq] = 1;
                                r->unique++;
                                r->last_new_ns = now;
                                if (!r->first_read_ns)
                                        r->first_read_ns = now;
                                if (r->lag_from_ns && hdr.intended_ns >= r->lag_from_ns) {
                                        int64_t lag = now - hdr.intended_ns;
                                        r->lag_sum_ns += lag;
                                        r->lag_n++;
                                        if (lag > r->lag_max_ns)
                                                r->lag_max_ns = lag;
                                }
                        }
                } else if (r->h) {
                        kp_history_foreign(r->h, r->log, m->partition, m->offset, now);
                }
                r->reads++;
                n++;
                rd_kafka_message_destroy(m);
        } while (kp_mono_ns() < end);
        return n;
}

int mig_reader_seen(const mig_reader_t *r, int producer, uint64_t seq)
{
        return producer >= 0 && producer < 4 && seq < r->n_seen[producer] && r->seen[producer][seq];
}

int mig_reader_commit(mig_reader_t *r, kp_err_t *err)
{
        rd_kafka_resp_err_t e = rd_kafka_commit(r->rk, NULL, 0);

        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
                return kp_err_set(err, KP_EINFRA, "commit: %s", rd_kafka_err2str(e));
        return 0;
}

void mig_reader_close(mig_reader_t *r)
{
        int i;

        if (r->rk) {
                rd_kafka_consumer_close(r->rk);
                rd_kafka_destroy(r->rk);
        }
        r->rk = NULL;
        for (i = 0; i < 4; i++) {
                free(r->seen[i]);
                r->seen[i] = NULL;
        }
}

/* ------------------------------------------------------------ admin look-ups */

static rd_kafka_t *admin_client(kp_platform_t *plat, kp_err_t *err)
{
        rd_kafka_conf_t *conf = kp_kafka_conf_new(&plat->props, err);

        if (!conf)
                return NULL;
        return kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
}

int mig_partitions(kp_platform_t *plat, const char *topic, kp_err_t *err)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *rkt;
        rd_kafka_t *rk = admin_client(plat, err);
        int n = -1;

        if (!rk)
                return -2;
        rkt = rd_kafka_topic_new(rk, topic, NULL);
        if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && md &&
            md->topic_cnt == 1 && !md->topics[0].err)
                n = md->topics[0].partition_cnt;
        if (md)
                rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(rk);
        return n;
}

int64_t mig_wait_topic(kp_ctx_t *ctx, kp_platform_t *plat, const char *topic, int partitions,
                       int64_t timeout_ns, kp_err_t *err)
{
        int64_t t0 = kp_mono_ns();

        (void)ctx;
        while (!kp_stop_requested()) {
                int n = mig_partitions(plat, topic, err);
                if (n == -2)
                        return -1;
                if (n >= partitions)
                        return kp_mono_ns() - t0;
                if (kp_mono_ns() - t0 > timeout_ns)
                        break;
                kp_sleep_ms(500);
        }
        kp_err_set(err, KP_EINFRA,
                   "topic %s did not appear on %s with %d partition(s) within %lld s", topic,
                   plat->target->name, partitions, (long long)(timeout_ns / KP_NS_PER_S));
        return -1;
}

int mig_committed(kp_ctx_t *ctx, kp_platform_t *plat, const char *group, const char *topic, int n,
                  int64_t *out, kp_err_t *err)
{
        kp_kvlist_t props = {0};
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_topic_partition_list_t *l;
        rd_kafka_resp_err_t e;
        int i;

        kp_platform_client_props(plat, KP_PROFILE_SAFE, 0, &ctx->scfg->client.consumer, &props);
        kp_kvlist_set(&props, "group.id", group);
        kp_kvlist_set(&props, "enable.auto.commit", "false");
        conf = kp_kafka_conf_new(&props, err);
        kp_kvlist_clear(&props);
        if (!conf)
                return -1;
        rk = kp_kafka_new(RD_KAFKA_CONSUMER, conf, err);
        if (!rk)
                return -1;
        l = rd_kafka_topic_partition_list_new(n);
        for (i = 0; i < n; i++)
                rd_kafka_topic_partition_list_add(l, topic, i);
        e = rd_kafka_committed(rk, l, 10000);
        for (i = 0; i < n; i++)
                out[i] = !e && l->elems[i].offset >= 0 ? l->elems[i].offset : -1;
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_destroy(rk);
        if (e)
                return kp_err_set(err, KP_EINFRA, "committed offsets of group %s on %s: %s", group,
                                  plat->target->name, rd_kafka_err2str(e));
        return 0;
}

int mig_topic_configs(kp_platform_t *plat, const char *topic, const kp_kvlist_t *names,
                      char (*out)[256], int *dynamic, kp_err_t *err)
{
        rd_kafka_t *rk = admin_client(plat, err);
        rd_kafka_ConfigResource_t *res;
        rd_kafka_queue_t *q;
        rd_kafka_event_t *ev = NULL;
        const rd_kafka_ConfigResource_t **rs;
        size_t n_rs = 0, i, j, n_cfg = 0;
        const rd_kafka_ConfigEntry_t **cfg;
        int rc = -1;

        if (!rk)
                return -1;
        for (i = 0; i < names->n; i++) {
                out[i][0] = '\0';
                dynamic[i] = 0;
        }
        q = rd_kafka_queue_new(rk);
        res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
        rd_kafka_DescribeConfigs(rk, &res, 1, NULL, q);
        ev = rd_kafka_queue_poll(q, 15000);
        if (!ev || rd_kafka_event_error(ev)) {
                kp_err_set(err, KP_EINFRA, "describe configs of %s on %s: %s", topic,
                           plat->target->name, ev ? rd_kafka_event_error_string(ev) : "timed out");
                goto out;
        }
        rs = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev),
                                                       &n_rs);
        if (n_rs != 1 || rd_kafka_ConfigResource_error(rs[0])) {
                kp_err_set(err, KP_EINFRA, "describe configs of %s on %s: %s", topic,
                           plat->target->name,
                           n_rs == 1 ? rd_kafka_ConfigResource_error_string(rs[0]) : "no answer");
                goto out;
        }
        cfg = rd_kafka_ConfigResource_configs(rs[0], &n_cfg);
        for (j = 0; j < n_cfg; j++) {
                const char *name = rd_kafka_ConfigEntry_name(cfg[j]);
                const char *val = rd_kafka_ConfigEntry_value(cfg[j]);
                for (i = 0; i < names->n; i++) {
                        if (strcmp(names->items[i].key, name) != 0)
                                continue;
                        snprintf(out[i], 256, "%s", val ? val : "");
                        dynamic[i] = rd_kafka_ConfigEntry_source(cfg[j]) ==
                                     RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
                }
        }
        rc = 0;
out:
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_ConfigResource_destroy(res);
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
        return rc;
}

/* ------------------------------------------------------------ judging */

int mig_judge(kp_ctx_t *ctx, kp_check_t *c, kp_history_t *h, kp_checker_result_t *res)
{
        kp_checker_opts_t o;
        kp_err_t err;

        (void)ctx;
        memset(&o, 0, sizeof(o));
        o.allow = kp_checker_allow_for_profile(KP_PROFILE_SAFE);
        o.read_committed = 1;
        if (kp_checker_run(h, &o, res, &err) < 0) {
                kp_check_error(c, "history checker: %s", err.msg);
                return -1;
        }
        kp_wlreport_anomalies(c, res);
        kp_check_measure(c, "records_acked", (double)res->acked, "records");
        kp_check_measure(c, "records_ack_failed", (double)res->failed, "records");
        kp_check_measure(c, "records_read_unique", (double)res->consumed_unique, "records");
        kp_check_measure(c, "lost_acked",
                         (double)(res->count[KP_ANOM_LOST_WRITE] + res->count[KP_ANOM_UNSEEN]),
                         "records");
        kp_check_measure(c, "duplicates", (double)res->count[KP_ANOM_DUPLICATE], "records");
        if (!res->complete) {
                kp_check_error(c, "the history could not be judged: %s", res->incomplete_reason);
                return -1;
        }
        return 0;
}

void mig_anomaly_text(const kp_checker_result_t *res, char *out, size_t size)
{
        size_t len = 0, i;
        int k;

        out[0] = '\0';
        for (k = 0; k < KP_ANOM__COUNT; k++) {
                if (!res->count[k] || res->allowed[k])
                        continue;
                len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s %llu",
                                        len ? ", " : "", kp_anom_names[k],
                                        (unsigned long long)res->count[k]);
                for (i = 0; i < res->n_examples[k] && i < 3; i++) {
                        const kp_checker_example_t *e = &res->examples[k][i];
                        len +=
                            (size_t)snprintf(out + len, len < size ? size - len : 0,
                                             "%s producer %d seq %lld (partition %d offset %lld)",
                                             i ? "," : " e.g.", e->producer, (long long)e->seq,
                                             (int)e->partition, (long long)e->offset);
                }
                if (len >= size)
                        break;
        }
}
