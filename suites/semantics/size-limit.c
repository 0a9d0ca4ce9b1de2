/*
 * semantics.size-limit: A record above the topic's max.message.bytes is
 * refused (MSG_SIZE_TOO_LARGE) and not readable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/platform.h"

#define SZ_LIMIT 10240

#define SZ_BIG (4 * SZ_LIMIT)

typedef struct sz_seen {
        int records;
        int big;
        int small;
} sz_seen_t;

static int sz_cb(void *opaque, const rd_kafka_message_t *m)
{
        sz_seen_t *s = opaque;

        s->records++;
        if (m->len >= SZ_LIMIT)
                s->big++;
        else
                s->small++;
        return 0;
}

void sem_check_size_limit(kp_ctx_t *ctx, kp_check_t *c)
{
        kp_kvlist_t cfg = {0}, extra = {0};
        rd_kafka_t *prod = NULL, *cons = NULL;
        char topic[256], limit[32], *big = NULL;
        kp_kc_dr_t dr;
        sz_seen_t seen = {0, 0, 0};
        int64_t low = -1, high = -1;
        rd_kafka_resp_err_t e;

        memset(&dr, 0, sizeof(dr));
        if (sem_topic_configs_unsupported(ctx, c))
                return;
        snprintf(limit, sizeof(limit), "%d", SZ_LIMIT);
        kp_kvlist_set(&cfg, "max.message.bytes", limit);
        if (sem_topic(ctx, c, "size-limit", 1, &cfg, topic, sizeof(topic)) < 0)
                goto out;
        big = malloc(SZ_BIG);
        if (!big || kp_kc_dr_init(&dr, 2, NULL) < 0) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        memset(big, 'B', SZ_BIG);
        /* uncompressed, so the batch on the wire really exceeds the limit */
        kp_kvlist_set(&extra, "compression.codec", "none");
        kp_kvlist_set(&extra, "acks", "all");
        kp_kvlist_set(&extra, "message.timeout.ms", "30000");
        prod = sem_producer(ctx, c, &extra, &dr);
        if (!prod)
                goto out;
        e = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE(big, SZ_BIG),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_OPAQUE((void *)(uintptr_t)0), RD_KAFKA_V_END);
        if (e) {
                kp_check_error(c, "the client refused to send the %d-byte record itself: %s",
                               SZ_BIG, rd_kafka_err2str(e));
                goto out;
        }
        if (sem_flush(prod, c, 40000) < 0)
                goto out;
        e = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE("small", 5),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_OPAQUE((void *)(uintptr_t)1), RD_KAFKA_V_END);
        if (e || sem_flush(prod, c, 40000) < 0) {
                if (e)
                        kp_check_error(c, "produce of the small record: %s", rd_kafka_err2str(e));
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        rd_kafka_query_watermark_offsets(cons, topic, 0, &low, &high, 10000);
        kp_kc_read_partition(cons, topic, 0, RD_KAFKA_OFFSET_BEGINNING, 10, 3000, sz_cb, &seen);
        kp_check_measure(c, "max_message_bytes", SZ_LIMIT, "bytes");
        kp_check_measure(c, "oversized_record_bytes", SZ_BIG, "bytes");
        kp_check_measure(c, "latest_offset", (double)high, "offset");
        kp_check_measure(c, "records_readable", seen.records, "records");
        kp_check_note(c, "oversized record: %s; small record: %s", rd_kafka_err2name(dr.err[0]),
                      rd_kafka_err2name(dr.err[1]));
        if (dr.err[0] != RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
                kp_check_fail(c,
                              "the %d-byte record above max.message.bytes=%d got %s, expected "
                              "MSG_SIZE_TOO_LARGE",
                              SZ_BIG, SZ_LIMIT, rd_kafka_err2name(dr.err[0]));
        else if (dr.err[1])
                kp_check_fail(c, "a small record after it failed: %s",
                              rd_kafka_err2name(dr.err[1]));
        else if (seen.big || seen.small != 1 || high != 1)
                kp_check_fail(
                    c,
                    "the partition holds %d oversized and %d small records (latest offset "
                    "%lld); expected only the small record at offset 0",
                    seen.big, seen.small, (long long)high);
        else
                kp_check_pass(c,
                              "a %d-byte record on a topic with max.message.bytes=%d was refused "
                              "with MSG_SIZE_TOO_LARGE and nothing of it is readable; the next "
                              "small record landed at offset 0",
                              SZ_BIG, SZ_LIMIT);
out:
        kp_kc_close(prod);
        kp_kc_close(cons);
        kp_kc_dr_release(&dr);
        free(big);
        kp_kvlist_clear(&cfg);
        kp_kvlist_clear(&extra);
}
