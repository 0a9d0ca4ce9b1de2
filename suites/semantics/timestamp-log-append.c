/*
 * semantics.timestamp-log-append: A topic with
 * message.timestamp.type=LogAppendTime replaces the producer's timestamp.
 */
#include <stdlib.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

typedef struct ts_state {
        kp_check_t *c;
        int64_t sent_ts, lo, hi;
        long log_append, in_window, notes;
} ts_state_t;

static int ts_cb(void *opaque, const rd_kafka_message_t *m)
{
        ts_state_t *st = opaque;
        rd_kafka_timestamp_type_t type;
        int64_t ts = rd_kafka_message_timestamp(m, &type);
        int ok_type = type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME;
        int ok_time = ts >= st->lo && ts <= st->hi;

        st->log_append += ok_type;
        st->in_window += ok_time;
        if ((!ok_type || !ok_time) && st->notes++ < 3)
                kp_check_note(st->c,
                              "offset %lld: timestamp %lld of type %s (sent %lld; the append "
                              "window is %lld..%lld)",
                              (long long)m->offset, (long long)ts,
                              type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? "LogAppendTime"
                              : type == RD_KAFKA_TIMESTAMP_CREATE_TIME   ? "CreateTime"
                                                                         : "none",
                              (long long)st->sent_ts, (long long)st->lo, (long long)st->hi);
        return 0;
}

/* message.timestamp.type=LogAppendTime: the broker stamps each record with
 * its append time and consumers see that, not the producer's timestamp
 * (sent an hour old so the two cannot be confused). CreateTime being kept
 * is semantics.round-trip. */
void sem_check_timestamp_log_append(kp_ctx_t *ctx, kp_check_t *c)
{
        enum { N = 10 };
        kp_kvlist_t cfg = {0};
        rd_kafka_t *prod = NULL, *cons = NULL;
        ts_state_t st = {0};
        kp_kc_dr_t dr = {0};
        char topic[256] = "";
        long got;

        if (ctx->plat->no_topic_configs) {
                kp_check_skip(c, "%s", ctx->plat->no_topic_configs);
                return;
        }
        kp_kvlist_set(&cfg, "message.timestamp.type", "LogAppendTime");
        if (sem_topic(ctx, c, "log-append-time", 1, &cfg, topic, sizeof(topic)) < 0)
                goto out;
        prod = sem_tracked_producer(ctx, c, NULL, &dr, N);
        if (!prod)
                goto out;
        /* a minute of slack either way for a platform whose clock is not ours */
        st.c = c;
        st.sent_ts = kp_wall_ns() / KP_NS_PER_MS - 3600000;
        st.lo = kp_wall_ns() / KP_NS_PER_MS - 60000;
        if (sem_produce_tagged(prod, c, &dr, topic, 0, 0, N, "lat", st.sent_ts) < 0)
                goto out;
        st.hi = kp_wall_ns() / KP_NS_PER_MS + 60000;
        if (dr.failed) {
                kp_check_fail(c, "%zu of %d records failed delivery (first: %s)", dr.failed, N,
                              rd_kafka_err2name(dr.err[0]));
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        got = kp_kc_read_partition(cons, topic, 0, RD_KAFKA_OFFSET_BEGINNING, N, 10000, ts_cb, &st);
        kp_check_measure(c, "records_read", (double)got, "records");
        kp_check_measure(c, "log_append_time_records", (double)st.log_append, "records");
        if (got != N)
                kp_check_fail(c, "%ld of %d records read back", got, N);
        else if (st.log_append != N)
                kp_check_fail(c,
                              "%ld of %d records carry timestamp type LogAppendTime on a topic "
                              "with message.timestamp.type=LogAppendTime",
                              (long)(N - st.log_append), N);
        else if (st.in_window != N)
                kp_check_fail(c,
                              "%ld of %d records carry a timestamp outside the append window "
                              "(the producer's hour-old timestamp was kept?)",
                              (long)(N - st.in_window), N);
        else
                kp_check_pass(c,
                              "all %d records sent with an hour-old CreateTime were read back "
                              "with type LogAppendTime and a timestamp within the append window",
                              N);
out:
        kp_kc_close(cons);
        kp_kc_close(prod);
        sem_topic_drop(ctx, c, topic);
        kp_kc_dr_release(&dr);
        kp_kvlist_clear(&cfg);
}
