/*
 * Consumer-group helpers shared by the group checks (commit-metadata, delete-
 * groups, consumer-protocol): group names and consumers, committing and
 * reading back offsets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

rd_kafka_t *sem_group_consumer(kp_ctx_t *ctx, kp_check_t *c, const char *group)
{
        kp_kvlist_t extra = {0};
        rd_kafka_t *rk;

        kp_kvlist_set(&extra, "group.id", group);
        kp_kvlist_set(&extra, "enable.auto.commit", "false");
        rk = sem_consumer(ctx, c, &extra);
        kp_kvlist_clear(&extra);
        return rk;
}

void sem_group_name(kp_ctx_t *ctx, kp_check_t *c, char *out, size_t size)
{
        snprintf(out, size, "kproof-%s-%s", ctx->run_id, kp_check_id(c));
}

/* Commits offsets (and metadata strings, NULL for none) of partitions 0..n-1
 * synchronously with a consumer that is no member (generation -1, as a
 * simple consumer or an admin tool commits). */
rd_kafka_resp_err_t sem_commit_offsets(rd_kafka_t *rk, const char *topic, const int64_t *offs,
                                       const char *const *meta, int n,
                                       rd_kafka_resp_err_t *part_err)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
        rd_kafka_resp_err_t e;
        int i;

        for (i = 0; i < n; i++) {
                rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(l, topic, i);
                tp->offset = offs[i];
                if (meta && meta[i]) {
                        tp->metadata = strdup(meta[i]);
                        tp->metadata_size = strlen(meta[i]);
                }
        }
        e = rd_kafka_commit(rk, l, 0);
        *part_err = RD_KAFKA_RESP_ERR_NO_ERROR;
        for (i = 0; i < l->cnt; i++)
                if (l->elems[i].err && !*part_err)
                        *part_err = l->elems[i].err;
        rd_kafka_topic_partition_list_destroy(l);
        return e;
}

/* Committed offsets of partitions 0..n-1 into offs (and a copy of each
 * metadata string into meta[i], caller frees, when meta is not NULL). */
rd_kafka_resp_err_t sem_read_committed(rd_kafka_t *rk, const char *topic, int n, int64_t *offs,
                                       char **meta)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
        rd_kafka_resp_err_t e;
        int i;

        for (i = 0; i < n; i++)
                rd_kafka_topic_partition_list_add(l, topic, i);
        e = rd_kafka_committed(rk, l, 10000);
        for (i = 0; i < n && !e; i++) {
                const rd_kafka_topic_partition_t *tp =
                    rd_kafka_topic_partition_list_find(l, topic, i);
                if (!tp || tp->err) {
                        e = tp ? tp->err : RD_KAFKA_RESP_ERR__FAIL;
                        break;
                }
                offs[i] = tp->offset;
                if (meta) {
                        meta[i] = malloc(tp->metadata_size + 1);
                        if (meta[i]) {
                                if (tp->metadata_size)
                                        memcpy(meta[i], tp->metadata, tp->metadata_size);
                                meta[i][tp->metadata_size] = '\0';
                        }
                }
        }
        rd_kafka_topic_partition_list_destroy(l);
        return e;
}
