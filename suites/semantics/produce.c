/*
 * Producing helpers shared by several semantics checks: records tagged with
 * their index, ranges of sequence-numbered records, and reading the index back
 * from a value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"

int sem_produce_indexed(kp_ctx_t *ctx, kp_check_t *c, const char *topic, int n, int64_t base_ts)
{
        return sem_produce_range(ctx, c, topic, 0, n, 0, base_ts, 10);
}

/* Produces values from..to-1 (decimal text); to partition i % partitions
 * when partitions > 0, else partition 0. ts_base > 0 gives record i the
 * CreateTime ts_base + i * ts_step. */
int sem_produce_range(kp_ctx_t *ctx, kp_check_t *c, const char *topic, int from, int to,
                      int partitions, int64_t ts_base, int64_t ts_step)
{
        rd_kafka_t *prod;
        kp_kc_dr_t dr;
        int i, rc = -1;

        prod = sem_tracked_producer(ctx, c, NULL, &dr, (size_t)to);
        if (!prod)
                goto out;
        for (i = from; i < to; i++) {
                char v[32];
                int len = snprintf(v, sizeof(v), "%d", i);
                if (sem_produce(prod, c, topic, partitions > 0 ? i % partitions : 0, v, (size_t)len,
                                ts_base > 0 ? ts_base + i * ts_step : 0, (size_t)i) < 0)
                        goto out;
        }
        if (sem_flush(prod, c, 30000) < 0)
                goto out;
        if (dr.failed) {
                kp_check_fail(c, "%zu of %d records failed delivery", dr.failed, to - from);
                goto out;
        }
        rc = 0;
out:
        kp_kc_close(prod);
        kp_kc_dr_release(&dr);
        return rc;
}

int sem_value_index(const rd_kafka_message_t *m)
{
        char v[32];
        size_t len = m->len < sizeof(v) - 1 ? m->len : sizeof(v) - 1;

        if (!m->payload)
                return -1;
        memcpy(v, m->payload, len);
        v[len] = '\0';
        return (int)strtol(v, NULL, 10);
}

/* Produces n records "<tag>-<i>" to partition p (or RD_KAFKA_PARTITION_UA
 * when p < 0) with timestamp ts (0: now) and waits for them; failed
 * deliveries are left in dr for the caller to judge. */
int sem_produce_tagged(rd_kafka_t *prod, kp_check_t *c, kp_kc_dr_t *dr, const char *topic,
                       int32_t p, size_t first, size_t n, const char *tag, int64_t ts)
{
        size_t i;

        for (i = first; i < first + n; i++) {
                char v[64];
                int len = snprintf(v, sizeof(v), "%s-%zu", tag, i);
                if (sem_produce(prod, c, topic, p, v, (size_t)len, ts, i) < 0)
                        return -1;
        }
        return sem_flush(prod, c, REC_TIMEOUT_MS);
}
