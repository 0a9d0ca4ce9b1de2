/*
 * Helpers shared by the semantics checks: topics unique to the run, the
 * clients of platform/kclient with the target's properties (their errors
 * recorded on the check), and the skips for targets without an admin API or
 * topic configs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "semantics.h"
#include "platform/platform.h"
#include "util/timeutil.h"

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

/* The target's client properties (default profile) plus extra; a consumer
 * gets a group.id unique to the check unless extra sets one. */
static void client_props(kp_ctx_t *ctx, kp_check_t *c, int producer, const kp_kvlist_t *extra,
                         kp_kvlist_t *props)
{
        kp_platform_client_props(ctx->plat, KP_PROFILE_DEFAULT, producer, NULL, props);
        if (!producer && !kp_kvlist_get(extra, "group.id")) {
                char gid[256];
                snprintf(gid, sizeof(gid), "kproof-%s-%s-%lld", ctx->run_id, kp_check_id(c),
                         (long long)(kp_mono_ns() % 1000000007));
                kp_kvlist_set(props, "group.id", gid);
        }
        if (!producer)
                kp_kvlist_set(props, "enable.partition.eof", "false");
        kp_kvlist_merge(props, extra);
}

rd_kafka_t *sem_producer(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra, kp_kc_dr_t *dr)
{
        kp_kvlist_t props = {0};
        rd_kafka_t *rk;
        kp_err_t err;

        client_props(ctx, c, 1, extra, &props);
        rk = kp_kc_producer(&props, dr, &err);
        kp_kvlist_clear(&props);
        if (!rk)
                kp_check_error(c, "%s", err.msg);
        return rk;
}

rd_kafka_t *sem_tracked_producer(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra,
                                 kp_kc_dr_t *dr, size_t cap)
{
        if (kp_kc_dr_init(dr, cap, NULL) < 0) {
                kp_check_error(c, "out of memory");
                return NULL;
        }
        return sem_producer(ctx, c, extra, dr);
}

int sem_writer_open(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra, size_t cap,
                    sem_writer_t *w)
{
        w->prod = sem_tracked_producer(ctx, c, extra, &w->dr, cap);
        w->adm = w->prod ? sem_admin_client(ctx, c) : NULL;
        return w->adm ? 0 : -1;
}

void sem_writer_close(sem_writer_t *w)
{
        kp_kc_close(w->prod);
        kp_kc_close(w->adm);
        kp_kc_dr_release(&w->dr);
}

rd_kafka_t *sem_consumer(kp_ctx_t *ctx, kp_check_t *c, const kp_kvlist_t *extra)
{
        kp_kvlist_t props = {0};
        rd_kafka_t *rk;
        kp_err_t err;

        client_props(ctx, c, 0, extra, &props);
        rk = kp_kc_consumer(&props, &err);
        kp_kvlist_clear(&props);
        if (!rk)
                kp_check_error(c, "%s", err.msg);
        return rk;
}

int sem_flush(rd_kafka_t *rk, kp_check_t *c, int timeout_ms)
{
        kp_err_t err;

        if (kp_kc_flush(rk, timeout_ms, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                return -1;
        }
        return 0;
}

int sem_produce(rd_kafka_t *prod, kp_check_t *c, const char *topic, int32_t partition,
                const void *value, size_t len, int64_t ts, size_t idx)
{
        kp_err_t err;

        if (kp_kc_produce(prod, topic, partition, NULL, 0, value, len, ts, idx, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                return -1;
        }
        return 0;
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

rd_kafka_t *sem_admin_client(kp_ctx_t *ctx, kp_check_t *c)
{
        kp_err_t err;
        rd_kafka_t *rk = kp_kc_admin(&ctx->plat->props, &err);

        if (!rk)
                kp_check_error(c, "%s", err.msg);
        return rk;
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

int sem_api_unsupported(kp_check_t *c, rd_kafka_resp_err_t code, const char *api,
                        const char *detail)
{
        if (!kp_kc_api_unsupported(code))
                return 0;
        kp_check_fail(c, "not supported by the platform: %s (%s)", api, detail);
        return 1;
}

int sem_topic_configs_unsupported(kp_ctx_t *ctx, kp_check_t *c)
{
        if (ctx->plat->no_topic_configs) {
                kp_check_skip(c, "%s", ctx->plat->no_topic_configs);
                return 1;
        }
        return 0;
}
