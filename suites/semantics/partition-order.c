/*
 * semantics.partition-order: Records are read in send order within each
 * partition.
 */
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/platform.h"
#include "engine/wlreport.h"
#include "engine/workload.h"

#define ORDER_PARTITIONS 3

#define ORDER_PER_PART 1000

typedef struct order_state {
        uint64_t expect;
        int64_t last_offset;
        const int64_t *acked_offsets; /* per seq of this partition */
        long out_of_order, offset_mismatch;
        kp_check_t *c;
        int32_t partition;
} order_state_t;

static int order_cb(void *opaque, const rd_kafka_message_t *m)
{
        order_state_t *st = opaque;
        uint64_t seq;

        if (m->len != 8) {
                st->out_of_order++;
                return 0;
        }
        seq = sem_get_be64(m->payload);
        if (seq != st->expect || m->offset <= st->last_offset) {
                if (st->out_of_order < 5)
                        kp_check_note(st->c,
                                      "partition %d: expected seq %llu, got %llu at offset %lld",
                                      st->partition, (unsigned long long)st->expect,
                                      (unsigned long long)seq, (long long)m->offset);
                st->out_of_order++;
        }
        if (seq < ORDER_PER_PART && st->acked_offsets[seq] != m->offset)
                st->offset_mismatch++;
        st->expect = seq + 1;
        st->last_offset = m->offset;
        return 0;
}

void sem_check_partition_order(kp_ctx_t *ctx, kp_check_t *c)
{
        const size_t total = ORDER_PARTITIONS * ORDER_PER_PART;
        kp_kvlist_t pextra = {0};
        rd_kafka_t *prod = NULL, *cons = NULL;
        int64_t *acked = NULL;
        char topic[256];
        long bad = 0, mism = 0, read = 0;
        kp_kc_dr_t dr;
        size_t i;
        int p;

        if (kp_kc_dr_init(&dr, total, NULL) < 0 || !(acked = malloc(total * sizeof(int64_t)))) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (sem_topic(ctx, c, "order", ORDER_PARTITIONS, NULL, topic, sizeof(topic)) < 0)
                goto out;
        kp_kvlist_set(&pextra, "enable.idempotence", "true");
        kp_kvlist_set(&pextra, "linger.ms", "5");
        prod = sem_producer(ctx, c, &pextra, &dr);
        if (!prod)
                goto out;
        for (i = 0; i < total; i++) {
                uint8_t v[8];
                int32_t part = (int32_t)(i % ORDER_PARTITIONS);
                sem_put_be64(v, i / ORDER_PARTITIONS);
                if (sem_produce(prod, c, topic, part, v, 8, 0, i) < 0)
                        goto out;
        }
        if (sem_flush(prod, c, 60000) < 0)
                goto out;
        if (dr.failed) {
                kp_check_fail(c, "%zu of %zu records failed delivery", dr.failed, total);
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        for (p = 0; p < ORDER_PARTITIONS; p++) {
                order_state_t st;
                memset(&st, 0, sizeof(st));
                st.last_offset = -1;
                st.c = c;
                st.partition = p;
                for (i = 0; i < ORDER_PER_PART; i++)
                        acked[i] = dr.offset[i * ORDER_PARTITIONS + (size_t)p];
                st.acked_offsets = acked;
                read += kp_kc_read_partition(cons, topic, p, RD_KAFKA_OFFSET_BEGINNING,
                                             ORDER_PER_PART, 15000, order_cb, &st);
                bad += st.out_of_order;
                mism += st.offset_mismatch;
        }
        kp_check_measure(c, "partitions", ORDER_PARTITIONS, "partitions");
        kp_check_measure(c, "records_sent", (double)total, "records");
        kp_check_measure(c, "records_read", (double)read, "records");
        kp_check_measure(c, "out_of_order", (double)bad, "records");
        kp_check_measure(c, "offset_mismatches", (double)mism, "records");
        if (read != (long)total)
                kp_check_fail(c, "read back %ld of %zu records", read, total);
        else if (bad)
                kp_check_fail(c, "%ld records arrived out of send order within their partition",
                              bad);
        else if (mism)
                kp_check_fail(c, "%ld records were read at offsets other than acknowledged", mism);
        else {
                kp_check_answer(c, "%zu records read in send order at their acknowledged offsets",
                                total);
                kp_check_pass(c,
                              "%zu records over %d partitions read in send order at their "
                              "acknowledged offsets",
                              total, ORDER_PARTITIONS);
        }
out:
        kp_kc_close(prod);
        kp_kc_close(cons);
        kp_kvlist_clear(&pextra);
        kp_kc_dr_release(&dr);
        free(acked);
}
