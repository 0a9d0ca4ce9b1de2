/*
 * Record-level admin operations and broker-assigned timestamps: a topic
 * configured with LogAppendTime replaces the producer's timestamp;
 * CreatePartitions grows a topic whose new partitions a running producer
 * sees and writes; DeleteRecords moves the low watermark and a consumer
 * from the beginning starts there.
 *
 * An API the platform answers with UNSUPPORTED_VERSION (or librdkafka finds
 * no usable version of) is a finding: the check fails with "not supported by
 * the platform: <API>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

#define REC_TIMEOUT_MS 30000

/* Produces n records "<tag>-<i>" to partition p (or RD_KAFKA_PARTITION_UA
 * when p < 0) with timestamp ts (0: now) and waits for them; failed
 * deliveries are left in dr for the caller to judge. */
static int produce_tagged(rd_kafka_t *prod, kp_check_t *c, sem_dr_t *dr, const char *topic,
                          int32_t p, size_t first, size_t n, const char *tag, int64_t ts)
{
        size_t i;

        for (i = first; i < first + n; i++) {
                char v[64];
                int len = snprintf(v, sizeof(v), "%s-%zu", tag, i);
                rd_kafka_resp_err_t e = rd_kafka_producev(
                    prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(p),
                    RD_KAFKA_V_VALUE(v, (size_t)len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)i),
                    RD_KAFKA_V_END);
                if (e) {
                        kp_check_error(c, "produce to %s [%d]: %s", topic, (int)p,
                                       rd_kafka_err2str(e));
                        return -1;
                }
        }
        return sem_flush(prod, c, REC_TIMEOUT_MS);
}

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
        sem_dr_t dr = {0};
        char topic[256] = "";
        long got;

        if (ctx->plat->no_topic_configs) {
                kp_check_skip(c, "%s", ctx->plat->no_topic_configs);
                return;
        }
        kp_kvlist_set(&cfg, "message.timestamp.type", "LogAppendTime");
        if (sem_topic(ctx, c, "log-append-time", 1, &cfg, topic, sizeof(topic)) < 0)
                goto out;
        if (sem_dr_init(&dr, N) < 0) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        prod = sem_producer(ctx, c, NULL, &dr);
        if (!prod)
                goto out;
        /* a minute of slack either way for a platform whose clock is not ours */
        st.c = c;
        st.sent_ts = kp_wall_ns() / KP_NS_PER_MS - 3600000;
        st.lo = kp_wall_ns() / KP_NS_PER_MS - 60000;
        if (produce_tagged(prod, c, &dr, topic, 0, 0, N, "lat", st.sent_ts) < 0)
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
        got =
            sem_consume_partition(cons, topic, 0, RD_KAFKA_OFFSET_BEGINNING, N, 10000, ts_cb, &st);
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
        if (cons)
                rd_kafka_destroy(cons);
        if (prod)
                rd_kafka_destroy(prod);
        sem_topic_drop(ctx, c, topic);
        sem_dr_release(&dr);
        kp_kvlist_clear(&cfg);
}

/* CreatePartitions to `total`; 0 when accepted, else the error code in *code
 * and a message in err. */
static int create_partitions(rd_kafka_t *rk, const char *topic, int total,
                             rd_kafka_resp_err_t *code, kp_err_t *err)
{
        char errstr[256];
        rd_kafka_NewPartitions_t *np =
            rd_kafka_NewPartitions_new(topic, (size_t)total, errstr, sizeof(errstr));
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_topic_result_t **res;
        rd_kafka_event_t *ev = NULL;
        size_t n;
        int rc = -1;

        *code = RD_KAFKA_RESP_ERR__FAIL;
        if (!np) {
                kp_err_set(err, KP_EINFRA, "CreatePartitions %s: %s", topic, errstr);
                goto out;
        }
        rd_kafka_AdminOptions_set_request_timeout(opts, REC_TIMEOUT_MS, NULL, 0);
        rd_kafka_CreatePartitions(rk, &np, 1, opts, q);
        ev = sem_admin_result(q, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, REC_TIMEOUT_MS,
                              "CreatePartitions", topic, code, err);
        if (!ev)
                goto out;
        res =
            rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
        if (n != 1 || rd_kafka_topic_result_error(res[0])) {
                const char *es = n == 1 ? rd_kafka_topic_result_error_string(res[0]) : NULL;
                *code = n == 1 ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR__FAIL;
                kp_err_set(err, KP_EINFRA, "CreatePartitions %s: %s%s%s", topic,
                           rd_kafka_err2name(*code), es ? ": " : "", es ? es : "");
                goto out;
        }
        *code = RD_KAFKA_RESP_ERR_NO_ERROR;
        rc = 0;
out:
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        if (np)
                rd_kafka_NewPartitions_destroy(np);
        return rc;
}

/* CreatePartitions grows a topic from 2 to 4 partitions: metadata shows 4,
 * a producer that already wrote to the topic sees the new partitions on its
 * next metadata refresh and writes them, and the records are read back. */
void sem_check_create_partitions(kp_ctx_t *ctx, kp_check_t *c)
{
        enum { FROM = 2, TO = 4 };
        kp_kvlist_t pextra = {0};
        rd_kafka_t *adm = NULL, *prod = NULL, *cons = NULL;
        rd_kafka_resp_err_t code, e = RD_KAFKA_RESP_ERR_NO_ERROR;
        sem_dr_t dr = {0};
        kp_err_t err;
        char topic[256] = "";
        int64_t t0, grow_ms, seen_ms = -1, deadline;
        long got2, got3;
        int i;

        if (ctx->plat->no_admin_api) {
                kp_check_skip(c, "%s", ctx->plat->no_admin_api);
                return;
        }
        if (sem_topic(ctx, c, "create-partitions", FROM, NULL, topic, sizeof(topic)) < 0)
                goto out;
        if (sem_dr_init(&dr, 8) < 0) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        kp_kvlist_set(&pextra, "topic.metadata.refresh.interval.ms", "500");
        prod = sem_producer(ctx, c, &pextra, &dr);
        adm = prod ? sem_admin_client(ctx, c) : NULL;
        if (!adm)
                goto out;
        for (i = 0; i < FROM; i++)
                if (produce_tagged(prod, c, &dr, topic, i, (size_t)i, 1, "before", 0) < 0)
                        goto out;
        t0 = kp_mono_ns();
        if (create_partitions(adm, topic, TO, &code, &err) < 0) {
                if (sem_api_unsupported(code))
                        kp_check_fail(c, "not supported by the platform: CreatePartitions (%s)",
                                      err.msg);
                else
                        kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        if (kp_kafka_wait_topic(adm, topic, TO, REC_TIMEOUT_MS, &err) < 0) {
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
                    prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(TO - 1),
                    RD_KAFKA_V_VALUE(v, (size_t)len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_OPAQUE((void *)(uintptr_t)(TO - 1)), RD_KAFKA_V_END);
                if (e != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
                        break;
                rd_kafka_poll(prod, 100);
        }
        if (e) {
                kp_check_fail(c,
                              "the producer still refuses partition %d %d ms after "
                              "CreatePartitions: %s",
                              TO - 1, REC_TIMEOUT_MS, rd_kafka_err2name(e));
                goto out;
        }
        seen_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
        if (produce_tagged(prod, c, &dr, topic, TO - 2, TO - 2, 1, "after", 0) < 0)
                goto out;
        kp_check_measure(c, "create_partitions_ms", (double)grow_ms, "ms");
        kp_check_measure(c, "producer_saw_partitions_ms", (double)seen_ms, "ms");
        if (dr.failed) {
                for (i = 0; i < TO; i++)
                        if (dr.err[i])
                                break;
                kp_check_fail(c, "%zu record(s) failed delivery (partition %d: %s)", dr.failed, i,
                              rd_kafka_err2name(dr.err[i < TO ? i : 0]));
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        got2 = sem_consume_partition(cons, topic, TO - 2, RD_KAFKA_OFFSET_BEGINNING, 1, 10000, NULL,
                                     NULL);
        got3 = sem_consume_partition(cons, topic, TO - 1, RD_KAFKA_OFFSET_BEGINNING, 1, 10000, NULL,
                                     NULL);
        if (dr.partition[TO - 1] != TO - 1 || dr.partition[TO - 2] != TO - 2)
                kp_check_fail(c, "the records for the new partitions landed in %d and %d",
                              (int)dr.partition[TO - 2], (int)dr.partition[TO - 1]);
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
        if (cons)
                rd_kafka_destroy(cons);
        if (prod)
                rd_kafka_destroy(prod);
        if (adm)
                rd_kafka_destroy(adm);
        sem_topic_drop(ctx, c, topic);
        sem_dr_release(&dr);
        kp_kvlist_clear(&pextra);
}

/* DeleteRecords before `before` on partition 0; the new low watermark the
 * platform reports goes to *low. */
static int delete_records(rd_kafka_t *rk, const char *topic, int64_t before, int64_t *low,
                          rd_kafka_resp_err_t *code, kp_err_t *err)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_DeleteRecords_t *dr;
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETERECORDS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_topic_partition_list_t *res;
        rd_kafka_event_t *ev = NULL;
        int rc = -1;

        *code = RD_KAFKA_RESP_ERR__FAIL;
        rd_kafka_topic_partition_list_add(l, topic, 0)->offset = before;
        dr = rd_kafka_DeleteRecords_new(l);
        rd_kafka_AdminOptions_set_request_timeout(opts, REC_TIMEOUT_MS, NULL, 0);
        rd_kafka_AdminOptions_set_operation_timeout(opts, REC_TIMEOUT_MS, NULL, 0);
        rd_kafka_DeleteRecords(rk, &dr, 1, opts, q);
        ev = sem_admin_result(q, RD_KAFKA_EVENT_DELETERECORDS_RESULT, REC_TIMEOUT_MS,
                              "DeleteRecords", topic, code, err);
        if (!ev)
                goto out;
        res = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
        if (!res || res->cnt != 1 || res->elems[0].err) {
                *code = res && res->cnt == 1 ? res->elems[0].err : RD_KAFKA_RESP_ERR__FAIL;
                kp_err_set(err, KP_EINFRA, "DeleteRecords %s [0]: %s", topic,
                           rd_kafka_err2name(*code));
                goto out;
        }
        *low = res->elems[0].offset;
        *code = RD_KAFKA_RESP_ERR_NO_ERROR;
        rc = 0;
out:
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_DeleteRecords_destroy(dr);
        rd_kafka_topic_partition_list_destroy(l);
        return rc;
}

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
        rd_kafka_t *adm = NULL, *prod = NULL, *cons = NULL;
        rd_kafka_resp_err_t code;
        first_off_t f = {-1};
        sem_dr_t dr = {0};
        kp_err_t err;
        char topic[256] = "";
        int64_t low = -1, wlow = -1, whigh = -1;
        long got;

        if (ctx->plat->no_admin_api) {
                kp_check_skip(c, "%s", ctx->plat->no_admin_api);
                return;
        }
        if (sem_topic(ctx, c, "delete-records", 1, NULL, topic, sizeof(topic)) < 0)
                goto out;
        if (sem_dr_init(&dr, N) < 0) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        prod = sem_producer(ctx, c, NULL, &dr);
        adm = prod ? sem_admin_client(ctx, c) : NULL;
        if (!adm)
                goto out;
        if (produce_tagged(prod, c, &dr, topic, 0, 0, N, "dr", 0) < 0)
                goto out;
        if (dr.failed) {
                kp_check_error(c, "%zu of %d setup records failed delivery", dr.failed, N);
                goto out;
        }
        if (delete_records(adm, topic, BEFORE, &low, &code, &err) < 0) {
                if (sem_api_unsupported(code))
                        kp_check_fail(c, "not supported by the platform: DeleteRecords (%s)",
                                      err.msg);
                else
                        kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        if (kp_kafka_watermarks(adm, topic, 0, &wlow, &whigh, 10000, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        /* stops at the 4 records expected; a wrong start shows as f.first */
        got = sem_consume_partition(cons, topic, 0, RD_KAFKA_OFFSET_BEGINNING, N - BEFORE, 5000,
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
        if (cons)
                rd_kafka_destroy(cons);
        if (prod)
                rd_kafka_destroy(prod);
        if (adm)
                rd_kafka_destroy(adm);
        sem_topic_drop(ctx, c, topic);
        sem_dr_release(&dr);
}
