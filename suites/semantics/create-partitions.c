/*
 * semantics.create-partitions: CreatePartitions grows a topic; a running
 * producer sees and writes the new partitions.
 */
#include <stdio.h>
#include <stdlib.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

/* CreatePartitions grows a topic from 2 to 4 partitions: metadata shows 4,
 * a producer that already wrote to the topic sees the new partitions on its
 * next metadata refresh and writes them, and the records are read back. */
void sem_check_create_partitions(kp_ctx_t *ctx, kp_check_t *c)
{
        enum { FROM = 2, TO = 4 };
        kp_kvlist_t pextra = {0};
        rd_kafka_t *cons = NULL;
        sem_writer_t w = {0};
        rd_kafka_resp_err_t code, e = RD_KAFKA_RESP_ERR_NO_ERROR;
        kp_err_t err;
        char topic[256] = "";
        int64_t t0, grow_ms, seen_ms = -1, deadline;
        long got2, got3;
        int i;

        if (sem_admin_unsupported(ctx, c))
                return;
        if (sem_topic(ctx, c, "create-partitions", FROM, NULL, topic, sizeof(topic)) < 0)
                goto out;
        kp_kvlist_set(&pextra, "topic.metadata.refresh.interval.ms", "500");
        if (sem_writer_open(ctx, c, &pextra, 8, &w) < 0)
                goto out;
        for (i = 0; i < FROM; i++)
                if (sem_produce_tagged(w.prod, c, &w.dr, topic, i, (size_t)i, 1, "before", 0) < 0)
                        goto out;
        t0 = kp_mono_ns();
        if (kp_kc_create_partitions(w.adm, topic, TO, REC_TIMEOUT_MS, &code, &err) < 0) {
                if (!sem_api_unsupported(c, code, "CreatePartitions", err.msg))
                        kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        if (kp_kafka_wait_topic(w.adm, topic, TO, REC_TIMEOUT_MS, &err) < 0) {
                kp_check_fail(c, "after CreatePartitions to %d: %s", TO, err.msg);
                goto out;
        }
        grow_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
        /* the running producer refuses a partition it has not seen in metadata
         * (_UNKNOWN_PARTITION) until its refresh shows the new count */
        deadline = kp_mono_ns() + (int64_t)REC_TIMEOUT_MS * KP_NS_PER_MS;
        while (kp_mono_ns() < deadline) {
                char v[32];
                int len = snprintf(v, sizeof(v), "after-%d", TO - 1);
                e = rd_kafka_producev(
                    w.prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(TO - 1),
                    RD_KAFKA_V_VALUE(v, (size_t)len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_OPAQUE((void *)(uintptr_t)(TO - 1)), RD_KAFKA_V_END);
                if (e != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
                        break;
                rd_kafka_poll(w.prod, 100);
        }
        if (e) {
                kp_check_fail(c,
                              "the producer still refuses partition %d %d ms after "
                              "CreatePartitions: %s",
                              TO - 1, REC_TIMEOUT_MS, rd_kafka_err2name(e));
                goto out;
        }
        seen_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
        if (sem_produce_tagged(w.prod, c, &w.dr, topic, TO - 2, TO - 2, 1, "after", 0) < 0)
                goto out;
        kp_check_measure(c, "create_partitions_ms", (double)grow_ms, "ms");
        kp_check_measure(c, "producer_saw_partitions_ms", (double)seen_ms, "ms");
        if (w.dr.failed) {
                for (i = 0; i < TO; i++)
                        if (w.dr.err[i])
                                break;
                kp_check_fail(c, "%zu record(s) failed delivery (partition %d: %s)", w.dr.failed, i,
                              rd_kafka_err2name(w.dr.err[i < TO ? i : 0]));
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        got2 = kp_kc_read_partition(cons, topic, TO - 2, RD_KAFKA_OFFSET_BEGINNING, 1, 10000, NULL,
                                    NULL);
        got3 = kp_kc_read_partition(cons, topic, TO - 1, RD_KAFKA_OFFSET_BEGINNING, 1, 10000, NULL,
                                    NULL);
        if (w.dr.partition[TO - 1] != TO - 1 || w.dr.partition[TO - 2] != TO - 2)
                kp_check_fail(c, "the records for the new partitions landed in %d and %d",
                              (int)w.dr.partition[TO - 2], (int)w.dr.partition[TO - 1]);
        else if (got2 != 1 || got3 != 1)
                kp_check_fail(c,
                              "the records written to the new partitions %d and %d were read "
                              "back %ld and %ld time(s)",
                              TO - 2, TO - 1, got2, got3);
        else
                kp_check_pass(c,
                              "CreatePartitions grew %s from %d to %d partitions (%lld ms until "
                              "every partition had a leader); the running producer wrote the new "
                              "partitions %lld ms after the request and both records were read "
                              "back",
                              topic, FROM, TO, (long long)grow_ms, (long long)seen_ms);
out:
        kp_kc_close(cons);
        sem_writer_close(&w);
        sem_topic_drop(ctx, c, topic);
        kp_kvlist_clear(&pextra);
}
