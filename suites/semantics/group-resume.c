/*
 * semantics.group-resume: Consumer group: a new member resumes exactly after
 * the committed offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/platform.h"

#define GRP_RECORDS 300

#define GRP_FIRST 120

/* Records polled by poll_records: up to n into idx/offs. */
typedef struct grp_poll {
        int n, got;
        int *idx;
        int64_t *offs;
} grp_poll_t;

static int take_record(void *opaque, const rd_kafka_message_t *m)
{
        grp_poll_t *p = opaque;
        char v[32];
        size_t len = m->len < sizeof(v) - 1 ? m->len : sizeof(v) - 1;

        memcpy(v, m->payload, len);
        v[len] = '\0';
        p->idx[p->got] = (int)strtol(v, NULL, 10);
        p->offs[p->got] = m->offset;
        /* The first member must stop exactly at n: do not prefetch into the
         * position by consuming further. */
        return ++p->got >= p->n;
}

/* Polls a subscribed consumer for up to n records into idx/offsets. */
static int poll_records(rd_kafka_t *rk, int n, int *idx, int64_t *offs, int timeout_ms)
{
        grp_poll_t p = {.n = n, .idx = idx, .offs = offs};

        if (n > 0)
                kp_kc_poll(rk, timeout_ms, take_record, &p);
        return p.got;
}

void sem_check_group_resume(kp_ctx_t *ctx, kp_check_t *c)
{
        kp_kvlist_t extra = {0};
        rd_kafka_t *a = NULL, *b = NULL;
        rd_kafka_topic_partition_list_t *committed = NULL;
        int idx[GRP_RECORDS], i, got_a, got_b, gaps = 0;
        int64_t offs[GRP_RECORDS], committed_off = -1;
        char topic[256], group[300];

        if (sem_topic(ctx, c, "group-resume", 1, NULL, topic, sizeof(topic)) < 0)
                return;
        if (sem_produce_indexed(ctx, c, topic, GRP_RECORDS, 0) < 0)
                return;
        snprintf(group, sizeof(group), "kproof-%s-resume", ctx->run_id);
        kp_kvlist_set(&extra, "group.id", group);
        kp_kvlist_set(&extra, "enable.auto.commit", "false");
        kp_kvlist_set(&extra, "auto.offset.reset", "earliest");
        /* A short session bounds the wait for a platform that keeps a departed
         * member until its session expires instead of honouring LeaveGroup. */
        kp_kvlist_set(&extra, "session.timeout.ms", "6000");
        kp_kvlist_set(&extra, "heartbeat.interval.ms", "500");

        a = sem_consumer(ctx, c, &extra);
        if (!a || kp_kc_subscribe(a, topic, NULL) < 0) {
                kp_check_error(c, "first member could not subscribe");
                goto out;
        }
        got_a = poll_records(a, GRP_FIRST, idx, offs, 20000);
        if (got_a != GRP_FIRST) {
                kp_check_fail(c, "first member read %d of %d records", got_a, GRP_FIRST);
                goto out;
        }
        /* Commit exactly after the last record processed. */
        committed = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(committed, topic, 0)->offset = offs[GRP_FIRST - 1] + 1;
        if (rd_kafka_commit(a, committed, 0)) {
                kp_check_error(c, "commit failed");
                goto out;
        }
        rd_kafka_topic_partition_list_destroy(committed);
        committed = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(committed, topic, 0);
        if (rd_kafka_committed(a, committed, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR)
                committed_off = committed->elems[0].offset;
        kp_kc_close(a);
        a = NULL;

        b = sem_consumer(ctx, c, &extra);
        if (!b || kp_kc_subscribe(b, topic, NULL) < 0) {
                kp_check_error(c, "second member could not subscribe");
                goto out;
        }
        got_b = poll_records(b, GRP_RECORDS - GRP_FIRST, idx, offs, 30000);
        for (i = 0; i < got_b; i++)
                if (idx[i] != GRP_FIRST + i)
                        gaps++;
        kp_check_measure(c, "records", GRP_RECORDS, "records");
        kp_check_measure(c, "committed_offset", (double)committed_off, "offset");
        kp_check_measure(c, "resumed_at_offset", got_b ? (double)offs[0] : -1, "offset");
        kp_check_measure(c, "records_after_resume", got_b, "records");
        kp_check_measure(c, "out_of_sequence_after_resume", gaps, "records");
        if (committed_off != GRP_FIRST)
                kp_check_fail(c, "committed offset reads back as %lld, expected %d",
                              (long long)committed_off, GRP_FIRST);
        else if (got_b == 0)
                kp_check_fail(c, "the new member read nothing after the commit");
        else if (offs[0] != GRP_FIRST)
                kp_check_fail(c, "the new member resumed at offset %lld, expected %d",
                              (long long)offs[0], GRP_FIRST);
        else if (got_b != GRP_RECORDS - GRP_FIRST || gaps)
                kp_check_fail(c,
                              "after resuming, %d records read (%d expected), %d out of sequence",
                              got_b, GRP_RECORDS - GRP_FIRST, gaps);
        else
                kp_check_pass(c,
                              "member 1 committed offset %d after %d records; member 2 resumed "
                              "exactly there and read the remaining %d without gap or repeat",
                              GRP_FIRST, GRP_FIRST, got_b);
out:
        if (committed)
                rd_kafka_topic_partition_list_destroy(committed);
        kp_kc_close(a);
        kp_kc_close(b);
        kp_kvlist_clear(&extra);
}
