/*
 * semantics.list-offsets: ListOffsets returns earliest and latest offsets.
 */
#include <stdlib.h>

#include "semantics.h"
#include "util/timeutil.h"

#define LO_RECORDS 50

void sem_check_list_offsets(kp_ctx_t *ctx, kp_check_t *c)
{
        rd_kafka_t *rk = NULL;
        int64_t low = -1, high = -1, before_low = -1, before_high = -1;
        char topic[256];
        rd_kafka_resp_err_t e;

        if (sem_topic(ctx, c, "list-offsets", 1, NULL, topic, sizeof(topic)) < 0)
                return;
        rk = sem_consumer(ctx, c, NULL);
        if (!rk)
                return;
        e = kp_kc_watermarks_settled(rk, topic, 0, 15000, &before_low, &before_high);
        if (e) {
                kp_check_error(c, "ListOffsets on the empty topic: %s", rd_kafka_err2str(e));
                goto out;
        }
        if (sem_produce_indexed(ctx, c, topic, LO_RECORDS, 0) < 0)
                goto out;
        e = kp_kc_watermarks_settled(rk, topic, 0, 15000, &low, &high);
        if (e) {
                kp_check_error(c, "ListOffsets: %s", rd_kafka_err2str(e));
                goto out;
        }
        kp_check_measure(c, "earliest_empty", (double)before_low, "offset");
        kp_check_measure(c, "latest_empty", (double)before_high, "offset");
        kp_check_measure(c, "records_produced", LO_RECORDS, "records");
        kp_check_measure(c, "earliest", (double)low, "offset");
        kp_check_measure(c, "latest", (double)high, "offset");
        if (before_low != 0 || before_high != 0)
                kp_check_fail(c, "empty topic: earliest %lld, latest %lld (expected 0 and 0)",
                              (long long)before_low, (long long)before_high);
        else if (low != 0 || high != LO_RECORDS)
                kp_check_fail(c, "after %d records: earliest %lld, latest %lld (expected 0 and %d)",
                              LO_RECORDS, (long long)low, (long long)high, LO_RECORDS);
        else
                kp_check_pass(c,
                              "ListOffsets: earliest 0 and latest 0 on the empty topic, earliest 0 "
                              "and latest %d after %d records",
                              LO_RECORDS, LO_RECORDS);
out:
        kp_kc_close(rk);
}
