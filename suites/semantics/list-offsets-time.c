/*
 * semantics.list-offsets-time: ListOffsets by timestamp returns the first
 * offset at or after it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "semantics.h"
#include "util/timeutil.h"

#define LOT_RECORDS 50

#define LOT_STEP_MS 10

void sem_check_list_offsets_time(kp_ctx_t *ctx, kp_check_t *c)
{
        /* timestamp asked, offset expected: before the first record, exact
         * matches, between two records, after the last */
        struct {
                const char *what;
                int64_t rel_ts;
                int64_t want;
        } probes[] = {
            {"before the first record", -5000, 0},
            {"the first record's timestamp", 0, 0},
            {"record 20's timestamp", 20 * LOT_STEP_MS, 20},
            {"between records 20 and 21", 20 * LOT_STEP_MS + LOT_STEP_MS / 2, 21},
            {"the last record's timestamp", (LOT_RECORDS - 1) * LOT_STEP_MS, LOT_RECORDS - 1},
            {"after the last record", LOT_RECORDS * LOT_STEP_MS + 1000, -1},
        };
        const size_t n = sizeof(probes) / sizeof(probes[0]);
        const char *cols[] = {"timestamp", "meaning", "expected offset", "answered offset"};
        rd_kafka_t *rk = NULL;
        kp_table_t *tab;
        char topic[256];
        int64_t base, got;
        size_t i;
        int wrong = 0;

        if (ctx->plat->no_time_index) {
                kp_check_skip(c, "%s", ctx->plat->no_time_index);
                return;
        }
        if (sem_topic(ctx, c, "list-offsets-time", 1, NULL, topic, sizeof(topic)) < 0)
                return;
        /* CreateTimes an hour in the past, 10 ms apart, so that "after the
         * last record" is still in the past and no clock skew matters. */
        base = kp_wall_ns() / KP_NS_PER_MS - 3600 * 1000;
        if (sem_produce_range(ctx, c, topic, 0, LOT_RECORDS, 0, base, LOT_STEP_MS) < 0)
                return;
        rk = sem_consumer(ctx, c, NULL);
        if (!rk)
                return;
        tab = kp_check_table(c, "ListOffsets by timestamp on partition 0", cols, 4);
        for (i = 0; i < n; i++) {
                char ts[32], want[32], ans[32];
                rd_kafka_resp_err_t code;
                if (kp_kc_offset_for_time(rk, topic, 0, base + probes[i].rel_ts, 10000, &got, &code,
                                          NULL) < 0) {
                        kp_check_error(c, "ListOffsets for %s failed", probes[i].what);
                        goto out;
                }
                /* No record at or after: Kafka answers offset -1; some
                 * clients map it to the end offset. */
                if (probes[i].want == -1 && got == LOT_RECORDS)
                        got = -1;
                snprintf(ts, sizeof(ts), "%lld", (long long)(base + probes[i].rel_ts));
                snprintf(want, sizeof(want), "%lld", (long long)probes[i].want);
                snprintf(ans, sizeof(ans), "%lld", (long long)got);
                {
                        const char *row[] = {ts, probes[i].what, want, ans};
                        kp_table_row(tab, row);
                }
                if (got != probes[i].want)
                        wrong++;
        }
        kp_check_measure(c, "records", LOT_RECORDS, "records");
        kp_check_measure(c, "lookups", (double)n, "lookups");
        kp_check_measure(c, "wrong_answers", wrong, "lookups");
        if (wrong)
                kp_check_fail(c,
                              "%d of %zu timestamp lookups did not return the first offset at or "
                              "after the timestamp (see table)",
                              wrong, n);
        else
                kp_check_pass(c,
                              "%zu timestamp lookups over %d records %d ms apart each returned the "
                              "first offset at or after the timestamp (-1 after the last record)",
                              n, LOT_RECORDS, LOT_STEP_MS);
out:
        kp_kc_close(rk);
}
