/*
 * Helpers shared by the semantics checks: topics unique to the run,
 * producers with delivery tracking, consumers, bounded consumption, admin
 * clients, and the skips for targets without an admin API or topic configs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

int sem_dr_init(sem_dr_t *dr, size_t cap)
{
        size_t i;

        memset(dr, 0, sizeof(*dr));
        dr->cap = cap;
        dr->err = calloc(cap, sizeof(*dr->err));
        dr->partition = calloc(cap, sizeof(*dr->partition));
        dr->offset = calloc(cap, sizeof(*dr->offset));
        if (!dr->err || !dr->partition || !dr->offset) {
                sem_dr_release(dr);
                return -1;
        }
        for (i = 0; i < cap; i++) {
                dr->err[i] = RD_KAFKA_RESP_ERR__IN_PROGRESS;
                dr->offset[i] = -1;
                dr->partition[i] = -1;
        }
        return 0;
}

void sem_dr_release(sem_dr_t *dr)
{
        free(dr->stats);
        free(dr->err);
        free(dr->partition);
        free(dr->offset);
        memset(dr, 0, sizeof(*dr));
}

static void sem_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        sem_dr_t *dr = opaque;
        size_t i = (size_t)(uintptr_t)m->_private;
        (void)rk;

        if (!dr || i >= dr->cap)
                return;
        dr->err[i] = m->err;
        dr->partition[i] = m->partition;
        dr->offset[i] = m->offset;
        dr->delivered++;
        if (m->err)
                dr->failed++;
}

static int sem_stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
        sem_dr_t *dr = opaque;
        char *copy = malloc(len + 1);
        (void)rk;

        if (copy) {
                memcpy(copy, json, len);
                copy[len] = '\0';
                free(dr->stats);
                dr->stats = copy;
        }
        return 0;
}

int sem_topic(kp_ctx_t *ctx, kp_check_t *c, const char *suffix, int partitions,
              const kp_kvlist_t *configs, char *out, size_t size)
{
        kp_err_t err;

        kp_ctx_topic(ctx, suffix, out, size);
        if (kp_platform_create_topic(ctx->plat, out, partitions,
                                     ctx->scfg->workload.replication_factor, configs, &err) < 0) {
                /* Refused by the platform (e.g. a compacted topic where every
                 * topic must be tiered): an incompatibility, a finding. */
                if (err.code == KP_EUNSUPPORTED)
                        kp_check_fail(c,
                                      "not supported by the platform: the topic this check needs "
                                      "(%s)",
                                      err.msg);
                else
                        kp_check_error(c, "cannot create topic %s: %s", out, err.msg);
                return -1;
        }
        kp_check_note(c, "topic %s created with %d partition(s)", out, partitions);
        return 0;
}

static rd_kafka_t *make_client(kp_ctx_t *ctx, kp_check_t *c, rd_kafka_type_t type,
                               const kp_kvlist_t *extra, sem_dr_t *dr)
{
        kp_kvlist_t props = {0};
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        kp_err_t err;

        kp_platform_client_props(ctx->plat, KP_PROFILE_DEFAULT, type == RD_KAFKA_PRODUCER, NULL,
                                 &props);
        if (type == RD_KAFKA_CONSUMER && !kp_kvlist_get(extra, "group.id")) {
                char gid[256];
                snprintf(gid, sizeof(gid), "kproof-%s-%s-%lld", ctx->run_id, kp_check_id(c),
                         (long long)(kp_mono_ns() % 1000000007));
                kp_kvlist_set(&props, "group.id", gid);
        }
        if (type == RD_KAFKA_CONSUMER)
                kp_kvlist_set(&props, "enable.partition.eof", "false");
        kp_kvlist_merge(&props, extra);
        conf = kp_kafka_conf_new(&props, &err);
        kp_kvlist_clear(&props);
        if (!conf) {
                kp_check_error(c, "%s", err.msg);
                return NULL;
        }
        if (dr) {
                rd_kafka_conf_set_dr_msg_cb(conf, sem_dr_cb);
                rd_kafka_conf_set_stats_cb(conf, sem_stats_cb);
                rd_kafka_conf_set_opaque(conf, dr);
        }
        rk = kp_kafka_new(type, conf, &err);
        if (!rk)
                kp_check_error(c, "%s", err.msg);
        return rk;
}

rd_kafka_t *sem_producer(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra, sem_dr_t *dr)
{
        return make_client(ctx, c, RD_KAFKA_PRODUCER, extra, dr);
}

rd_kafka_t *sem_consumer(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra)
{
        return make_client(ctx, c, RD_KAFKA_CONSUMER, extra, NULL);
}

int sem_flush(rd_kafka_t *rk, kp_check_t *c, int timeout_ms)
{
        rd_kafka_resp_err_t e = rd_kafka_flush(rk, timeout_ms);

        if (e) {
                kp_check_error(c, "producer flush: %d message(s) still in flight after %d ms (%s)",
                               rd_kafka_outq_len(rk), timeout_ms, rd_kafka_err2name(e));
                return -1;
        }
        return 0;
}

long sem_consume_partition(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t offset,
                           long n, int timeout_ms, sem_msg_fn fn, void *opaque)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        int64_t deadline;
        long got = 0;

        rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
        while (got < n && kp_mono_ns() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                int stop = 0;
                if (!m)
                        continue;
                if (!m->err) {
                        got++;
                        deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
                        if (fn)
                                stop = fn(opaque, m);
                }
                rd_kafka_message_destroy(m);
                if (stop)
                        break;
        }
        rd_kafka_assign(rk, NULL);
        return got;
}

int64_t sem_stats_broker_sum(const char *stats_json, const char *field)
{
        cJSON *root = cJSON_Parse(stats_json), *brokers, *b;
        int64_t sum = 0;

        if (!root)
                return -1;
        brokers = cJSON_GetObjectItemCaseSensitive(root, "brokers");
        cJSON_ArrayForEach(b, brokers)
        {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field);
                if (cJSON_IsNumber(v))
                        sum += (int64_t)v->valuedouble;
        }
        cJSON_Delete(root);
        return sum;
}

void sem_put_be64(uint8_t *p, uint64_t v)
{
        int i;

        for (i = 0; i < 8; i++)
                p[i] = (uint8_t)(v >> (56 - 8 * i));
}

uint64_t sem_get_be64(const uint8_t *p)
{
        uint64_t v = 0;
        int i;

        for (i = 0; i < 8; i++)
                v = (v << 8) | p[i];
        return v;
}

int sem_seqset_init(sem_seqset_t *s, uint64_t cap)
{
        memset(s, 0, sizeof(*s));
        s->seen = calloc(cap, sizeof(*s->seen));
        s->first_offset = calloc(cap, sizeof(*s->first_offset));
        s->cap = cap;
        if (!s->seen || !s->first_offset) {
                sem_seqset_release(s);
                return -1;
        }
        return 0;
}

void sem_seqset_release(sem_seqset_t *s)
{
        free(s->seen);
        free(s->first_offset);
        s->seen = NULL;
        s->first_offset = NULL;
}

int sem_seqset_cb(void *opaque, const rd_kafka_message_t *m)
{
        sem_seqset_t *s = opaque;
        uint64_t seq;

        if (m->len != 8) {
                s->foreign++;
                return 0;
        }
        seq = sem_get_be64(m->payload);
        if (seq >= s->cap) {
                s->foreign++;
                return 0;
        }
        if (s->seen[seq]++ > 0 && s->first_offset[seq] != m->offset)
                s->dup++;
        s->first_offset[seq] = m->offset;
        return 0;
}

int sem_api_unsupported(rd_kafka_resp_err_t e)
{
        return e == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ||
               e == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION;
}

rd_kafka_event_t *sem_admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t type, int timeout_ms)
{
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;

        while (kp_mono_ns() < deadline) {
                rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 200);
                if (!ev)
                        continue;
                if (rd_kafka_event_type(ev) == type)
                        return ev;
                rd_kafka_event_destroy(ev);
        }
        return NULL;
}

rd_kafka_t *sem_admin_client(kp_ctx_t *ctx, kp_check_t *c)
{
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        kp_err_t err;

        conf = kp_kafka_conf_new(&ctx->plat->props, &err);
        rk = conf ? kp_kafka_new(RD_KAFKA_PRODUCER, conf, &err) : NULL;
        if (!rk)
                kp_check_error(c, "%s", err.msg);
        return rk;
}

rd_kafka_event_t *sem_admin_result(rd_kafka_queue_t *q, rd_kafka_event_type_t type, int timeout_ms,
                                   const char *what, const char *topic, rd_kafka_resp_err_t *code,
                                   kp_err_t *err)
{
        rd_kafka_event_t *ev = sem_admin_wait(q, type, timeout_ms);

        if (!ev) {
                kp_err_set(err, KP_EINFRA, "%s %s: no answer", what, topic);
                return NULL;
        }
        if (rd_kafka_event_error(ev)) {
                if (code)
                        *code = rd_kafka_event_error(ev);
                kp_err_set(err, KP_EINFRA, "%s %s: %s", what, topic,
                           rd_kafka_event_error_string(ev));
                rd_kafka_event_destroy(ev);
                return NULL;
        }
        return ev;
}

void sem_topic_drop(kp_ctx_t *ctx, kp_check_t *c, const char *topic)
{
        kp_err_t err;

        if (topic[0] && kp_platform_delete_topic(ctx->plat, topic, &err) < 0)
                kp_check_note(c, "topic not deleted: %s", err.msg);
}

int sem_admin_unsupported(kp_ctx_t *ctx, kp_check_t *c)
{
        if (ctx->plat->no_admin_api) {
                kp_check_skip(c, "%s", ctx->plat->no_admin_api);
                return 1;
        }
        return 0;
}

int sem_topic_configs_unsupported(kp_ctx_t *ctx, kp_check_t *c)
{
        if (ctx->plat->no_topic_configs) {
                kp_check_skip(c, "%s", ctx->plat->no_topic_configs);
                return 1;
        }
        return 0;
}
