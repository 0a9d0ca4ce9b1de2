/*
 * semantics.delete-records: DeleteRecords moves the low watermark; a consumer
 * from the beginning starts there.
 */
#include <stdlib.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"

typedef struct first_off {
        int64_t first;
} first_off_t;

static int first_cb(void *opaque, const rd_kafka_message_t *m)
{
        first_off_t *f = opaque;

        if (f->first < 0)
                f->first = m->offset;
        return 0;
}

/* DeleteRecords before offset 6 of 10: the reported and the listed low
 * watermark are 6, the high watermark stays 10, and a consumer from the
 * beginning starts at 6 and reads the 4 remaining records. */
void sem_check_delete_records(kp_ctx_t *ctx, kp_check_t *c)
{
        enum { N = 10, BEFORE = 6 };
        rd_kafka_t *cons = NULL;
        sem_writer_t w = {0};
        rd_kafka_resp_err_t code;
        first_off_t f = {-1};
        kp_err_t err;
        char topic[256] = "";
        int64_t low = -1, wlow = -1, whigh = -1;
        long got;

        if (sem_admin_unsupported(ctx, c))
                return;
        if (sem_topic(ctx, c, "delete-records", 1, NULL, topic, sizeof(topic)) < 0)
                goto out;
        if (sem_writer_open(ctx, c, NULL, N, &w) < 0)
                goto out;
        if (sem_produce_tagged(w.prod, c, &w.dr, topic, 0, 0, N, "dr", 0) < 0)
                goto out;
        if (w.dr.failed) {
                kp_check_error(c, "%zu of %d setup records failed delivery", w.dr.failed, N);
                goto out;
        }
        if (kp_kc_delete_records(w.adm, topic, 0, BEFORE, REC_TIMEOUT_MS, &low, &code, &err) < 0) {
                if (!sem_api_unsupported(c, code, "DeleteRecords", err.msg))
                        kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        if (kp_kafka_watermarks(w.adm, topic, 0, &wlow, &whigh, 10000, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        /* stops at the 4 records expected; a wrong start shows as f.first */
        got = kp_kc_read_partition(cons, topic, 0, RD_KAFKA_OFFSET_BEGINNING, N - BEFORE, 5000,
                                   first_cb, &f);
        kp_check_measure(c, "low_watermark_reported", (double)low, "offset");
        kp_check_measure(c, "low_watermark_listed", (double)wlow, "offset");
        kp_check_measure(c, "high_watermark_listed", (double)whigh, "offset");
        kp_check_measure(c, "records_read_from_beginning", (double)got, "records");
        if (low != BEFORE || wlow != BEFORE)
                kp_check_fail(c,
                              "after DeleteRecords before offset %d the low watermark is %lld "
                              "(reported) and %lld (listed)",
                              BEFORE, (long long)low, (long long)wlow);
        else if (whigh != N)
                kp_check_fail(c, "DeleteRecords moved the high watermark to %lld (expected %d)",
                              (long long)whigh, N);
        else if (f.first != BEFORE || got != N - BEFORE)
                kp_check_fail(c,
                              "a consumer from the beginning started at offset %lld and read %ld "
                              "record(s) (expected offset %d and %d records)",
                              (long long)f.first, got, BEFORE, N - BEFORE);
        else
                kp_check_pass(c,
                              "DeleteRecords before offset %d of %d moved the low watermark to %d "
                              "(reported and listed), the high watermark stayed %d, and a "
                              "consumer from the beginning started at %d and read the %d "
                              "remaining records",
                              BEFORE, N, BEFORE, N, BEFORE, N - BEFORE);
out:
        kp_kc_close(cons);
        sem_writer_close(&w);
        sem_topic_drop(ctx, c, topic);
}
