/*
 * revocation.integrity: Every canary acknowledged before the revocation is
 * read back intact, exactly once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revocation.h"
#include "util/digest.h"
#include "evidence/events.h"
#include "util/fsutil.h"
#include "platform/kafka.h"
#include "util/plot.h"
#include "util/signals.h"
#include "adapters/storage.h"
#include "util/timeutil.h"

void rev_check_integrity(kp_ctx_t *ctx, kp_check_t *c)
{
        rev_state_t *st = rev_state(ctx);
        rd_kafka_t *q;
        uint32_t *seen;
        int64_t low = 0, high = 0, deadline, last = -1;
        uint64_t corrupt = 0, dup = 0, lost = 0;
        kp_err_t err;
        int i;

        if (rev_precheck(ctx, c, 1) < 0)
                return;
        if (!st->canaries_ok) {
                kp_check_error(c, "not run: the canaries were not written");
                return;
        }
        seen = calloc((size_t)st->n_canaries, sizeof(*seen));
        q = rev_client(ctx, RD_KAFKA_CONSUMER, NULL, NULL, st, &err);
        if (!seen || !q) {
                kp_check_error(c, "%s", q ? "out of memory" : err.msg);
                free(seen);
                if (q)
                        rd_kafka_destroy(q);
                return;
        }
        if (kp_kafka_watermarks(q, st->topic, 0, &low, &high, 10000, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        rev_assign_canaries(q, st, st->first_offset);
        deadline = kp_mono_ns() + 60 * KP_NS_PER_S;
        while (last + 1 < high && kp_mono_ns() < deadline && !kp_stop_requested()) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(q, 100);
                int idx;
                if (!m)
                        continue;
                if (!m->err) {
                        last = m->offset;
                        if (m->len >= sizeof(REV_TOKEN_PREFIX) - 1 &&
                            memcmp(m->payload, REV_TOKEN_PREFIX, sizeof(REV_TOKEN_PREFIX) - 1) ==
                                0) {
                                idx = rev_canary_index(st, m);
                                if (idx >= 0 && m->offset == st->offsets[idx])
                                        seen[idx]++;
                                else
                                        corrupt++;
                        }
                }
                rd_kafka_message_destroy(m);
        }
        for (i = 0; i < st->n_canaries; i++) {
                if (seen[i] == 0)
                        lost++;
                else if (seen[i] > 1)
                        dup++;
        }
        kp_check_measure(c, "canaries", st->n_canaries, "records");
        kp_check_measure(c, "lost_canaries", (double)(lost + dup), "records");
        kp_check_measure(c, "missing_canaries", (double)lost, "records");
        kp_check_measure(c, "duplicate_canaries", (double)dup, "records");
        kp_check_measure(c, "corrupt_records", (double)corrupt, "records");
        if (lost || dup || corrupt)
                kp_check_fail(c,
                              "%" PRIu64 " canaries missing, %" PRIu64 " duplicated, %" PRIu64
                              " corrupt records after "
                              "revocation and restore",
                              lost, dup, corrupt);
        else
                kp_check_pass(
                    c,
                    "all %d canaries read back intact, exactly once, after revocation and restore",
                    st->n_canaries);
out:
        free(seen);
        rd_kafka_destroy_flags(q, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}
