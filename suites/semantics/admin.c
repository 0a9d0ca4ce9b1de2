/*
 * semantics.admin: Admin API: create and delete topics, describe and alter
 * configs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

/* Topic present in metadata: 1 with its partition count and the replica
 * count of partition 0, 0 when the cluster says it does not exist, -1 on a
 * metadata error. */
static int topic_in_metadata(rd_kafka_t *rk, const char *topic, int *partitions, int *replicas)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
        int rc = -1;

        if (!e && md->topic_cnt == 1) {
                const rd_kafka_metadata_topic_t *t = &md->topics[0];
                if (t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
                        rc = 0;
                } else if (!t->err) {
                        *partitions = t->partition_cnt;
                        *replicas = t->partition_cnt > 0 ? t->partitions[0].replica_cnt : 0;
                        rc = 1;
                }
        }
        if (md)
                rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
        return rc;
}

void sem_check_admin(kp_ctx_t *ctx, kp_check_t *c)
{
        rd_kafka_t *rk = NULL;
        kp_err_t err;
        char topic[256];
        int parts = 0, reps = 0, present = -1, again_refused = 0;
        int64_t t0, create_ms, delete_ms = -1, gone_ms = -1, deadline;

        if (sem_admin_unsupported(ctx, c))
                return;
        kp_ctx_topic(ctx, "admin", topic, sizeof(topic));
        rk = sem_admin_client(ctx, c);
        if (!rk)
                return;
        t0 = kp_mono_ns();
        if (kp_kafka_admin_create_topic(&ctx->plat->props, topic, 3, 0, NULL, 0, ADM_TIMEOUT_MS,
                                        &err) < 0) {
                kp_check_fail(c, "CreateTopics failed: %s", err.msg);
                goto out;
        }
        if (kp_kafka_wait_topic(rk, topic, 3, ADM_TIMEOUT_MS, &err) < 0) {
                kp_check_fail(c, "the created topic did not get leaders: %s", err.msg);
                goto out;
        }
        create_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
        present = topic_in_metadata(rk, topic, &parts, &reps);
        if (kp_kafka_admin_create_topic(&ctx->plat->props, topic, 3, 0, NULL, 0, ADM_TIMEOUT_MS,
                                        &err) < 0)
                again_refused = strstr(err.msg, "TOPIC_ALREADY_EXISTS") != NULL;
        kp_check_note(c, "second CreateTopics of %s: %s", topic,
                      again_refused ? err.msg : "accepted");
        t0 = kp_mono_ns();
        if (kp_kafka_admin_delete_topic(&ctx->plat->props, topic, ADM_TIMEOUT_MS, &err) < 0) {
                kp_check_fail(c, "DeleteTopics failed: %s", err.msg);
                goto out;
        }
        delete_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
        deadline = kp_mono_ns() + (int64_t)ADM_TIMEOUT_MS * KP_NS_PER_MS;
        while (kp_mono_ns() < deadline) {
                int p2, r2;
                if (topic_in_metadata(rk, topic, &p2, &r2) == 0) {
                        gone_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
                        break;
                }
                rd_kafka_poll(rk, 200);
        }
        kp_check_measure(c, "create_ms", (double)create_ms, "ms");
        kp_check_measure(c, "partitions", parts, "partitions");
        kp_check_measure(c, "replication_factor", reps, "replicas");
        kp_check_measure(c, "delete_ms", (double)delete_ms, "ms");
        kp_check_measure(c, "gone_from_metadata_ms", (double)gone_ms, "ms");
        if (present != 1 || parts != 3)
                kp_check_fail(c, "after CreateTopics the metadata shows %d partitions (expected 3)",
                              parts);
        else if (reps < 1)
                kp_check_fail(c, "the created topic has no replicas in metadata");
        else if (!again_refused)
                kp_check_fail(
                    c, "creating an existing topic was not refused with TOPIC_ALREADY_EXISTS");
        else if (gone_ms < 0)
                kp_check_fail(c, "the deleted topic is still in metadata after %d ms",
                              ADM_TIMEOUT_MS);
        else
                kp_check_pass(c,
                              "CreateTopics made %s with 3 partitions and replication factor %d "
                              "(%lld ms); a second create was refused with TOPIC_ALREADY_EXISTS; "
                              "DeleteTopics removed it from metadata in %lld ms",
                              topic, reps, (long long)create_ms, (long long)gone_ms);
out:
        kp_kc_close(rk);
}
