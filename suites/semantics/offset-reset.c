/*
 * semantics.offset-reset: auto.offset.reset earliest, latest and none for a
 * group without committed offsets.
 */
#include <stdio.h>
#include <stdlib.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

#define RST_RECORDS 10

#define RST_MORE 5

/* A consumer of a fresh group assigned partition 0 at its stored offset,
 * so auto.offset.reset decides where it starts. */
static rd_kafka_t *reset_consumer(kp_ctx_t *ctx, kp_check_t *c, const char *topic,
                                  const char *reset)
{
        kp_kvlist_t extra = {0};
        rd_kafka_topic_partition_list_t *l;
        rd_kafka_t *rk;

        kp_kvlist_set(&extra, "auto.offset.reset", reset);
        kp_kvlist_set(&extra, "enable.auto.commit", "false");
        rk = sem_consumer(ctx, c, &extra);
        kp_kvlist_clear(&extra);
        if (!rk)
                return NULL;
        l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_STORED;
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        return rk;
}

typedef struct reset_seen {
        int first; /* index of the first record, -1 when none */
        int count;
        rd_kafka_resp_err_t err; /* first consumer error */
        char errstr[256];
} reset_seen_t;

/* Polls for up to ms (stopping after `want` records). */
static void reset_poll(rd_kafka_t *rk, int want, int ms, reset_seen_t *s)
{
        int64_t deadline = kp_mono_ns() + (int64_t)ms * KP_NS_PER_MS;

        while (kp_mono_ns() < deadline && (want <= 0 || s->count < want)) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                if (!m)
                        continue;
                if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        if (!s->err) {
                                s->err = m->err;
                                snprintf(s->errstr, sizeof(s->errstr), "%s",
                                         rd_kafka_message_errstr(m));
                        }
                } else if (!m->err) {
                        if (s->count++ == 0)
                                s->first = sem_value_index(m);
                }
                rd_kafka_message_destroy(m);
        }
}

void sem_check_offset_reset(kp_ctx_t *ctx, kp_check_t *c)
{
        rd_kafka_t *early = NULL, *late = NULL, *none = NULL;
        reset_seen_t se = {-1, 0, 0, ""}, sl = {-1, 0, 0, ""}, sn = {-1, 0, 0, ""};
        char topic[256];

        if (sem_topic(ctx, c, "offset-reset", 1, NULL, topic, sizeof(topic)) < 0)
                return;
        if (sem_produce_range(ctx, c, topic, 0, RST_RECORDS, 0, 0, 0) < 0)
                return;
        early = reset_consumer(ctx, c, topic, "earliest");
        late = reset_consumer(ctx, c, topic, "latest");
        /* Kafka's "none" is called "error" in librdkafka */
        none = reset_consumer(ctx, c, topic, "error");
        if (!early || !late || !none)
                goto out;
        reset_poll(early, RST_RECORDS, 15000, &se);
        /* "latest" must have settled at the end before more records come:
         * it reads nothing for a while, then exactly the new records. */
        reset_poll(late, 0, 3000, &sl);
        reset_poll(none, 0, 3000, &sn);
        if (sl.count) {
                kp_check_measure(c, "latest_records_before_new", sl.count, "records");
                kp_check_fail(c,
                              "auto.offset.reset=latest delivered %d existing record(s), from "
                              "record %d",
                              sl.count, sl.first);
                goto out;
        }
        if (sem_produce_range(ctx, c, topic, RST_RECORDS, RST_RECORDS + RST_MORE, 0, 0, 0) < 0)
                goto out;
        reset_poll(late, RST_MORE, 15000, &sl);
        reset_poll(none, 0, 1000, &sn);
        kp_check_measure(c, "earliest_first_record", se.first, "index");
        kp_check_measure(c, "earliest_records", se.count, "records");
        kp_check_measure(c, "latest_first_record", sl.first, "index");
        kp_check_measure(c, "latest_records", sl.count, "records");
        kp_check_measure(c, "none_records", sn.count, "records");
        kp_check_note(c, "auto.offset.reset=none (librdkafka: error): %s (%s)",
                      sn.err ? rd_kafka_err2name(sn.err) : "no error", sn.errstr);
        if (se.first != 0 || se.count != RST_RECORDS)
                kp_check_fail(c, "earliest: started at record %d and read %d (expected 0 and %d)",
                              se.first, se.count, RST_RECORDS);
        else if (sl.first != RST_RECORDS || sl.count != RST_MORE)
                kp_check_fail(c, "latest: started at record %d and read %d (expected %d and %d)",
                              sl.first, sl.count, RST_RECORDS, RST_MORE);
        else if (sn.count)
                kp_check_fail(c, "none: %d records delivered without a committed offset", sn.count);
        else if (sn.err != RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET)
                kp_check_fail(c, "none: expected the error _AUTO_OFFSET_RESET, got %s",
                              sn.err ? rd_kafka_err2name(sn.err) : "no error");
        else
                kp_check_pass(
                    c,
                    "without committed offsets: earliest started at offset 0 (%d records), "
                    "latest read only the %d records produced after it joined, none "
                    "read nothing and reported _AUTO_OFFSET_RESET",
                    RST_RECORDS, RST_MORE);
out:
        kp_kc_close(early);
        kp_kc_close(late);
        kp_kc_close(none);
}
