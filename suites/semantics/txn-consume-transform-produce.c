/*
 * semantics.txn-consume-transform-produce: Transactions: consume-transform-
 * produce commits outputs and consumed offsets atomically.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/platform.h"

#define CTP_RECORDS 30

#define CTP_BATCH 10

/* Input records polled by ctp_poll: up to n indexes into idx, the offset
 * after the last one into *next_offset. */
typedef struct ctp_taken {
        int n, got;
        int *idx;
        int64_t *next_offset;
} ctp_taken_t;

static int ctp_take(void *opaque, const rd_kafka_message_t *m)
{
        ctp_taken_t *t = opaque;
        char v[32];

        if (m->len > 3 && m->len < 32 && memcmp(m->payload, "in-", 3) == 0) {
                memcpy(v, m->payload, m->len);
                v[m->len] = '\0';
                t->idx[t->got++] = (int)strtol(v + 3, NULL, 10);
                *t->next_offset = m->offset + 1;
        }
        return t->got >= t->n;
}

/* Consumes up to n records from a subscribed consumer; values "in-<i>"
 * into idx. Returns the count; positions are taken from the records. */
static int ctp_poll(rd_kafka_t *rk, int n, int *idx, int64_t *next_offset, int timeout_ms)
{
        ctp_taken_t t = {.n = n, .idx = idx, .next_offset = next_offset};

        if (n > 0)
                kp_kc_poll(rk, timeout_ms, ctp_take, &t);
        return t.got;
}

/* One consume-transform-produce step: the n consumed records are written as
 * "out-<i>" with the consumer's next offset, in one transaction. */
static int ctp_step(rd_kafka_t *prod, rd_kafka_t *cons, kp_check_t *c, const char *in,
                    const char *out, const int *idx, int n, int64_t next, int commit)
{
        rd_kafka_topic_partition_list_t *offs;
        rd_kafka_consumer_group_metadata_t *gm;
        rd_kafka_error_t *e;
        int i;

        e = rd_kafka_begin_transaction(prod);
        if (e)
                return sem_txn_error(c, "begin_transaction", e);
        for (i = 0; i < n; i++)
                if (sem_txn_send(prod, c, out, "out", idx[i], 1) < 0)
                        return -1;
        offs = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(offs, in, 0)->offset = next;
        gm = rd_kafka_consumer_group_metadata(cons);
        e = rd_kafka_send_offsets_to_transaction(prod, offs, gm, TXN_TIMEOUT_MS);
        rd_kafka_consumer_group_metadata_destroy(gm);
        rd_kafka_topic_partition_list_destroy(offs);
        if (e)
                return sem_txn_error(c, "send_offsets_to_transaction", e);
        if (!commit && rd_kafka_flush(prod, TXN_TIMEOUT_MS)) {
                kp_check_error(c, "flush before abort timed out");
                return -1;
        }
        e = commit ? rd_kafka_commit_transaction(prod, TXN_TIMEOUT_MS)
                   : rd_kafka_abort_transaction(prod, TXN_TIMEOUT_MS);
        if (e)
                return sem_txn_error(c, commit ? "commit_transaction" : "abort_transaction", e);
        return 0;
}

static rd_kafka_t *ctp_consumer(kp_ctx_t *ctx, kp_check_t *c, const char *group, const char *in)
{
        kp_kvlist_t extra = {0};
        rd_kafka_t *rk;

        kp_kvlist_set(&extra, "group.id", group);
        kp_kvlist_set(&extra, "enable.auto.commit", "false");
        kp_kvlist_set(&extra, "auto.offset.reset", "earliest");
        kp_kvlist_set(&extra, "isolation.level", "read_committed");
        rk = sem_consumer(ctx, c, &extra);
        kp_kvlist_clear(&extra);
        if (!rk)
                return NULL;
        if (kp_kc_subscribe(rk, in, NULL) < 0) {
                kp_check_error(c, "subscribe to %s failed", in);
                kp_kc_close(rk);
                rk = NULL;
        }
        return rk;
}

static int64_t ctp_committed(rd_kafka_t *cons, const char *in)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        int64_t off = -1;

        rd_kafka_topic_partition_list_add(l, in, 0);
        if (rd_kafka_committed(cons, l, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR)
                off = l->elems[0].offset;
        rd_kafka_topic_partition_list_destroy(l);
        return off;
}

typedef struct ctp_out {
        int count[CTP_RECORDS];
        long foreign;
        long total;
        int out_of_order;
        int last;
        const char *stop;
        int stopped;
} ctp_out_t;

static int ctp_out_cb(void *opaque, const rd_kafka_message_t *m)
{
        ctp_out_t *o = opaque;
        char v[32];
        int i;

        o->total++;
        if (m->len < 5 || m->len >= sizeof(v) || memcmp(m->payload, "out-", 4) != 0) {
                o->foreign++;
                return 0;
        }
        memcpy(v, m->payload, m->len);
        v[m->len] = '\0';
        i = (int)strtol(v + 4, NULL, 10);
        if (i < 0 || i >= CTP_RECORDS) {
                o->foreign++;
                return 0;
        }
        if (i < o->last)
                o->out_of_order++;
        o->last = i;
        o->count[i]++;
        if (strcmp(v, o->stop) == 0) {
                o->stopped = 1;
                return 1;
        }
        return 0;
}

void sem_check_txn_ctp(kp_ctx_t *ctx, kp_check_t *c)
{
        rd_kafka_t *prod = NULL, *cons = NULL, *plain = NULL, *reader = NULL;
        char in[256], out[256], group[300], txn_id[300], stop[32];
        int idx[CTP_RECORDS + 1], got, i, missing = 0, dups = 0, resume_gaps = 0;
        int64_t next = -1, committed_after_abort = -1, committed_final = -1;
        ctp_out_t o;
        kp_kvlist_t extra = {0};

        memset(&o, 0, sizeof(o));
        if (sem_txn_unsupported(ctx, c))
                return;
        if (sem_topic(ctx, c, "ctp-in", 1, NULL, in, sizeof(in)) < 0 ||
            sem_topic(ctx, c, "ctp-out", 1, NULL, out, sizeof(out)) < 0)
                return;
        plain = sem_producer(ctx, c, NULL, NULL);
        if (!plain || sem_txn_send(plain, c, in, "in", 0, CTP_RECORDS) < 0 ||
            sem_flush(plain, c, 30000) < 0)
                goto out;
        snprintf(group, sizeof(group), "kproof-%s-ctp", ctx->run_id);
        snprintf(txn_id, sizeof(txn_id), "kproof-%s-ctp", ctx->run_id);
        prod = sem_txn_producer(ctx, c, txn_id);
        cons = prod ? ctp_consumer(ctx, c, group, in) : NULL;
        if (!cons)
                goto out;
        /* batch 1: committed with its offsets */
        got = ctp_poll(cons, CTP_BATCH, idx, &next, 30000);
        if (got != CTP_BATCH) {
                kp_check_error(c, "consumed %d of the first %d input records", got, CTP_BATCH);
                goto out;
        }
        if (ctp_step(prod, cons, c, in, out, idx, got, next, 1) < 0)
                goto out;
        /* batch 2: aborted, offsets included */
        got = ctp_poll(cons, CTP_BATCH, idx, &next, 30000);
        if (got != CTP_BATCH) {
                kp_check_error(c, "consumed %d of the second %d input records", got, CTP_BATCH);
                goto out;
        }
        if (ctp_step(prod, cons, c, in, out, idx, got, next, 0) < 0)
                goto out;
        committed_after_abort = ctp_committed(cons, in);
        /* The application restarts after the abort: a new member of the
         * group resumes from the committed offset and processes the rest. */
        kp_kc_close(cons);
        cons = ctp_consumer(ctx, c, group, in);
        if (!cons)
                goto out;
        got = ctp_poll(cons, CTP_RECORDS - CTP_BATCH, idx, &next, 30000);
        /* Anything beyond the remaining records would be a redelivery. */
        if (got == CTP_RECORDS - CTP_BATCH)
                got += ctp_poll(cons, 1, idx + got, &next, 1500);
        for (i = 0; i < got; i++)
                if (idx[i] != CTP_BATCH + i)
                        resume_gaps++;
        if (got > 0 && ctp_step(prod, cons, c, in, out, idx, got, next, 1) < 0)
                goto out;
        committed_final = ctp_committed(cons, in);

        snprintf(stop, sizeof(stop), "out-%d", CTP_RECORDS - 1);
        o.stop = stop;
        o.last = -1;
        kp_kvlist_set(&extra, "isolation.level", "read_committed");
        reader = sem_consumer(ctx, c, &extra);
        if (!reader)
                goto out;
        kp_kc_read_partition(reader, out, 0, RD_KAFKA_OFFSET_BEGINNING, 1000, 10000, ctp_out_cb,
                             &o);
        for (i = 0; i < CTP_RECORDS; i++) {
                if (o.count[i] == 0)
                        missing++;
                else if (o.count[i] > 1)
                        dups += o.count[i] - 1;
        }
        kp_check_measure(c, "input_records", CTP_RECORDS, "records");
        kp_check_measure(c, "committed_offset_after_abort", (double)committed_after_abort,
                         "offset");
        kp_check_measure(c, "records_after_restart", got, "records");
        kp_check_measure(c, "committed_offset_final", (double)committed_final, "offset");
        kp_check_measure(c, "output_records_visible", (double)o.total, "records");
        kp_check_measure(c, "output_missing", missing, "records");
        kp_check_measure(c, "output_duplicates", dups, "records");
        kp_check_note(c,
                      "group %s reads %s (read_committed); transactional.id %s writes %s; batch 1 "
                      "(%d records) committed, batch 2 aborted, then a new member resumed",
                      group, in, txn_id, out, CTP_BATCH);
        if (committed_after_abort != CTP_BATCH)
                kp_check_fail(c,
                              "after the aborted transaction the group's committed offset is %lld, "
                              "expected %d (the offsets of the committed batch only)",
                              (long long)committed_after_abort, CTP_BATCH);
        else if (got != CTP_RECORDS - CTP_BATCH || resume_gaps)
                kp_check_fail(c,
                              "the restarted member consumed %d records (%d out of sequence), "
                              "expected %d from offset %d",
                              got, resume_gaps, CTP_RECORDS - CTP_BATCH, CTP_BATCH);
        else if (committed_final != CTP_RECORDS)
                kp_check_fail(c, "final committed offset %lld, expected %d",
                              (long long)committed_final, CTP_RECORDS);
        else if (missing || dups || o.foreign || o.out_of_order)
                kp_check_fail(
                    c,
                    "read_committed output: %d missing, %d duplicated, %ld foreign, %d out "
                    "of order",
                    missing, dups, o.foreign, o.out_of_order);
        else
                kp_check_pass(c,
                              "outputs and consumed offsets committed atomically: the aborted "
                              "batch left neither output nor offsets, the group resumed at offset "
                              "%d and each of the %d input records appears exactly once in the "
                              "output",
                              CTP_BATCH, CTP_RECORDS);
out:
        kp_kvlist_clear(&extra);
        kp_kc_close(plain);
        kp_kc_close(cons);
        kp_kc_close(reader);
        kp_kc_close(prod);
}
