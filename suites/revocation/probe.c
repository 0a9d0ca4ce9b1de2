/*
 * Kafka helpers of the revocation suite: clients with the target's
 * properties, and the read probe — a fresh consumer reading old data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revocation.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/signals.h"
#include "util/timeutil.h"

/* Client-level errors (served from rd_kafka_poll/consumer_poll on the
 * suite's thread): counted by name for the evidence; transport failures
 * are the disconnects. */
static void error_cb(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
        rev_state_t *st = opaque;
        char name[128], buf[32];
        const char *cur;
        (void)rk;
        (void)reason;

        if (!st || !st->counting)
                return;
        if (e == RD_KAFKA_RESP_ERR__TRANSPORT || e == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
                st->disconnects++;
        snprintf(name, sizeof(name), "client event %s", rd_kafka_err2name((rd_kafka_resp_err_t)e));
        cur = kp_kvlist_get(&st->client_errors, name);
        snprintf(buf, sizeof(buf), "%lld", cur ? strtoll(cur, NULL, 10) + 1 : 1LL);
        kp_kvlist_set(&st->client_errors, name, buf);
}

rd_kafka_t *rev_client(kp_ctx_t *ctx, rd_kafka_type_t type, const kp_kvlist_t *extra,
                       void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                       void *opaque, kp_err_t *err)
{
        kp_kvlist_t props = {0};
        rd_kafka_conf_t *conf;

        kp_platform_client_props(ctx->plat, KP_PROFILE_DEFAULT, type == RD_KAFKA_PRODUCER, NULL,
                                 &props);
        if (type == RD_KAFKA_PRODUCER) {
                kp_kvlist_set(&props, "compression.type", "none");
                kp_kvlist_set(&props, "acks", "all");
        } else {
                char gid[256];
                snprintf(gid, sizeof(gid), "kproof-%s-revocation-%lld", ctx->run_id,
                         (long long)(kp_mono_ns() % 1000000007));
                kp_kvlist_set(&props, "group.id", gid);
                kp_kvlist_set(&props, "enable.auto.commit", "false");
                kp_kvlist_set(&props, "enable.partition.eof", "false");
                kp_kvlist_set(&props, "fetch.wait.max.ms", "100");
        }
        kp_kvlist_set(&props, "reconnect.backoff.ms", "100");
        kp_kvlist_set(&props, "reconnect.backoff.max.ms", "500");
        kp_kvlist_merge(&props, extra);
        conf = kp_kafka_conf_new(&props, err);
        kp_kvlist_clear(&props);
        if (!conf)
                return NULL;
        if (dr_cb)
                rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        rd_kafka_conf_set_error_cb(conf, error_cb);
        rd_kafka_conf_set_opaque(conf, opaque);
        return kp_kafka_new(type, conf, err);
}

void rev_assign_canaries(rd_kafka_t *rk, const rev_state_t *st, int64_t offset)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);

        rd_kafka_topic_partition_list_add(l, st->topic, 0)->offset = offset;
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
}

int rev_canary_index(const rev_state_t *st, const rd_kafka_message_t *m)
{
        const size_t plen = sizeof(REV_TOKEN_PREFIX) - 1;
        unsigned idx;

        if (m->len != REV_TOKEN_LEN || memcmp(m->payload, REV_TOKEN_PREFIX, plen) != 0 ||
            sscanf((const char *)m->payload + plen, "%8x", &idx) != 1 ||
            idx >= (unsigned)st->n_canaries ||
            memcmp(m->payload, st->tokens[idx], REV_TOKEN_LEN) != 0)
                return -1;
        return (int)idx;
}

int rev_read_probe(kp_ctx_t *ctx, rev_state_t *st, int64_t timeout_ns, int *err_code)
{
        rd_kafka_t *rk;
        int64_t deadline = kp_mono_ns() + timeout_ns;
        kp_kvlist_t extra = {0};
        kp_err_t err;
        int ok = 0;

        *err_code = RD_KAFKA_RESP_ERR__TIMED_OUT;
        /* One batch per fetch: the probe asks about the first canary's own
         * data, not about newer batches that would share the response (a
         * proxy that fails a whole fetch when one batch's data key cannot be
         * decrypted would otherwise answer for those). */
        kp_kvlist_set(&extra, "max.partition.fetch.bytes", "1");
        rk = rev_client(ctx, RD_KAFKA_CONSUMER, &extra, NULL, st, &err);
        kp_kvlist_clear(&extra);
        if (!rk) {
                *err_code = RD_KAFKA_RESP_ERR__FAIL;
                return 0;
        }
        rev_assign_canaries(rk, st, st->offsets[0]);
        while (kp_mono_ns() < deadline && !kp_stop_requested()) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                if (!m)
                        continue;
                if (m->err) {
                        *err_code = m->err;
                } else if (m->offset == st->offsets[0]) {
                        ok = m->len == REV_TOKEN_LEN &&
                             memcmp(m->payload, st->tokens[0], REV_TOKEN_LEN) == 0;
                        if (!ok)
                                *err_code = RD_KAFKA_RESP_ERR__BAD_MSG;
                        rd_kafka_message_destroy(m);
                        break;
                }
                rd_kafka_message_destroy(m);
        }
        if (ok)
                *err_code = 0;
        rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        return ok;
}
