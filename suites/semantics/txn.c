/*
 * Transactions: what read_committed and read_uncommitted consumers see of
 * committed and aborted transactions, fencing of a zombie producer by a new
 * one with the same transactional.id, and consume-transform-produce with the
 * consumed offsets committed inside the transaction.
 *
 * Records carry short text values ("c1-7", "a-3", ...) so that what a reader
 * saw can be told apart by its origin. Every check stops reading at a known
 * last record (the transaction markers leave gaps in offsets, so counting
 * offsets would not do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/platform.h"
#include "util/timeutil.h"

#define TXN_TIMEOUT_MS 30000
#define TXN_BATCH      20

/* Skips when the platform cannot model transactions; 1 when skipped. */
static int txn_unsupported(kp_ctx_t *ctx, kp_check_t *c)
{
        if (ctx->plat->no_txn_markers) {
                kp_check_skip(c, "%s", ctx->plat->no_txn_markers);
                return 1;
        }
        return 0;
}

/* Records an rd_kafka_error_t as the check's error and frees it; -1. */
static int txn_error(kp_check_t *c, const char *what, rd_kafka_error_t *e)
{
        kp_check_error(c, "%s: %s (%s)", what, rd_kafka_error_string(e), rd_kafka_error_name(e));
        rd_kafka_error_destroy(e);
        return -1;
}

static rd_kafka_t *txn_producer(kp_ctx_t *ctx, kp_check_t *c, const char *txn_id)
{
        kp_kvlist_t extra = {0};
        rd_kafka_t *rk;
        rd_kafka_error_t *e;

        kp_kvlist_set(&extra, "transactional.id", txn_id);
        kp_kvlist_set(&extra, "enable.idempotence", "true");
        kp_kvlist_set(&extra, "acks", "all");
        kp_kvlist_set(&extra, "linger.ms", "5");
        kp_kvlist_set(&extra, "transaction.timeout.ms", "60000");
        rk = sem_producer(ctx, c, &extra, NULL);
        kp_kvlist_clear(&extra);
        if (!rk)
                return NULL;
        e = rd_kafka_init_transactions(rk, TXN_TIMEOUT_MS);
        if (e) {
                txn_error(c, "init_transactions", e);
                rd_kafka_destroy(rk);
                return NULL;
        }
        return rk;
}

/* Produces n values "<prefix>-<i>" to topic partition 0 (no flush). */
static int txn_send(rd_kafka_t *rk, kp_check_t *c, const char *topic, const char *prefix, int from,
                    int n)
{
        int i;

        for (i = from; i < from + n; i++) {
                char v[64];
                int len = snprintf(v, sizeof(v), "%s-%d", prefix, i);
                rd_kafka_resp_err_t e;
                while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                              RD_KAFKA_V_VALUE(v, (size_t)len),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                              RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(rk, 10);
                if (e) {
                        kp_check_error(c, "produce %s: %s", v, rd_kafka_err2str(e));
                        return -1;
                }
        }
        return 0;
}

/* One transaction of n records: commit (commit=1) or abort. */
static int txn_run(rd_kafka_t *rk, kp_check_t *c, const char *topic, const char *prefix, int n,
                   int commit)
{
        rd_kafka_error_t *e = rd_kafka_begin_transaction(rk);

        if (e)
                return txn_error(c, "begin_transaction", e);
        if (txn_send(rk, c, topic, prefix, 0, n) < 0)
                return -1;
        if (!commit && rd_kafka_flush(rk, TXN_TIMEOUT_MS)) {
                kp_check_error(c, "flush before abort timed out");
                return -1;
        }
        e = commit ? rd_kafka_commit_transaction(rk, TXN_TIMEOUT_MS)
                   : rd_kafka_abort_transaction(rk, TXN_TIMEOUT_MS);
        if (e)
                return txn_error(c, commit ? "commit_transaction" : "abort_transaction", e);
        return 0;
}

/* What a reader saw: counts per value prefix, up to a stop value. */
typedef struct txn_seen {
        const char *stop; /* value that ends the read */
        int stopped;
        long total;
        long by_prefix[4];
        const char *prefixes[4];
        int64_t last_offset;
} txn_seen_t;

static int txn_seen_cb(void *opaque, const rd_kafka_message_t *m)
{
        txn_seen_t *s = opaque;
        char v[64];
        size_t len = m->len < sizeof(v) - 1 ? m->len : sizeof(v) - 1;
        int i;

        memcpy(v, m->payload ? m->payload : "", len);
        v[len] = '\0';
        s->total++;
        s->last_offset = m->offset;
        for (i = 0; i < 4 && s->prefixes[i]; i++) {
                size_t pl = strlen(s->prefixes[i]);
                if (strncmp(v, s->prefixes[i], pl) == 0 && v[pl] == '-')
                        s->by_prefix[i]++;
        }
        if (strcmp(v, s->stop) == 0) {
                s->stopped = 1;
                return 1;
        }
        return 0;
}

/* Reads partition 0 of topic from the start with the given isolation level
 * until the stop value (or 10 s without a record). */
static int txn_read(kp_ctx_t *ctx, kp_check_t *c, const char *topic, const char *isolation,
                    txn_seen_t *s)
{
        kp_kvlist_t extra = {0};
        rd_kafka_t *rk;

        kp_kvlist_set(&extra, "isolation.level", isolation);
        kp_kvlist_set(&extra, "enable.auto.commit", "false");
        rk = sem_consumer(ctx, c, &extra);
        kp_kvlist_clear(&extra);
        if (!rk)
                return -1;
        sem_consume_partition(rk, topic, 0, RD_KAFKA_OFFSET_BEGINNING, 100000, 10000, txn_seen_cb,
                              s);
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        return 0;
}

void sem_check_transactions(kp_ctx_t *ctx, kp_check_t *c)
{
        txn_seen_t rc = {0}, ru = {0};
        rd_kafka_t *prod = NULL;
        char topic[256], txn_id[300], stop[64];

        if (txn_unsupported(ctx, c))
                return;
        if (sem_topic(ctx, c, "txn", 1, NULL, topic, sizeof(topic)) < 0)
                return;
        snprintf(txn_id, sizeof(txn_id), "kproof-%s-txn", ctx->run_id);
        prod = txn_producer(ctx, c, txn_id);
        if (!prod)
                return;
        /* committed, aborted, committed: the aborted records lie between
         * committed ones, so a reader that stops at the last committed
         * record has passed them. */
        if (txn_run(prod, c, topic, "c1", TXN_BATCH, 1) < 0 ||
            txn_run(prod, c, topic, "a", TXN_BATCH, 0) < 0 ||
            txn_run(prod, c, topic, "c2", TXN_BATCH, 1) < 0)
                goto out;
        snprintf(stop, sizeof(stop), "c2-%d", TXN_BATCH - 1);
        rc.stop = ru.stop = stop;
        rc.prefixes[0] = ru.prefixes[0] = "c1";
        rc.prefixes[1] = ru.prefixes[1] = "a";
        rc.prefixes[2] = ru.prefixes[2] = "c2";
        if (txn_read(ctx, c, topic, "read_committed", &rc) < 0 ||
            txn_read(ctx, c, topic, "read_uncommitted", &ru) < 0)
                goto out;
        kp_check_measure(c, "committed_records", 2 * TXN_BATCH, "records");
        kp_check_measure(c, "aborted_records", TXN_BATCH, "records");
        kp_check_measure(c, "read_committed_committed_seen",
                         (double)(rc.by_prefix[0] + rc.by_prefix[2]), "records");
        kp_check_measure(c, "read_committed_aborted_seen", (double)rc.by_prefix[1], "records");
        kp_check_measure(c, "read_uncommitted_committed_seen",
                         (double)(ru.by_prefix[0] + ru.by_prefix[2]), "records");
        kp_check_measure(c, "read_uncommitted_aborted_seen", (double)ru.by_prefix[1], "records");
        kp_check_note(c,
                      "transactional.id %s: %d records committed, %d aborted, %d committed, all "
                      "to partition 0 of %s",
                      txn_id, TXN_BATCH, TXN_BATCH, TXN_BATCH, topic);
        if (!rc.stopped || !ru.stopped)
                kp_check_fail(c,
                              "the last committed record %s was not read (read_committed: %s, "
                              "read_uncommitted: %s)",
                              stop, rc.stopped ? "read" : "missing",
                              ru.stopped ? "read" : "missing");
        else if (rc.by_prefix[1])
                kp_check_fail(c, "read_committed saw %ld of %d aborted records", rc.by_prefix[1],
                              TXN_BATCH);
        else if (rc.by_prefix[0] + rc.by_prefix[2] != 2 * TXN_BATCH || rc.total != 2 * TXN_BATCH)
                kp_check_fail(c,
                              "read_committed saw %ld records, %ld of them committed (expected %d)",
                              rc.total, rc.by_prefix[0] + rc.by_prefix[2], 2 * TXN_BATCH);
        else if (ru.by_prefix[1] != TXN_BATCH || ru.total != 3 * TXN_BATCH)
                kp_check_fail(c,
                              "read_uncommitted saw %ld records, %ld of them aborted (expected %d "
                              "and %d)",
                              ru.total, ru.by_prefix[1], 3 * TXN_BATCH, TXN_BATCH);
        else
                kp_check_pass(c,
                              "read_committed saw exactly the %d committed records and none of the "
                              "%d aborted; read_uncommitted saw all %d",
                              2 * TXN_BATCH, TXN_BATCH, 3 * TXN_BATCH);
out:
        rd_kafka_destroy(prod);
}

/* A fenced producer's error: fatal, with a fencing error code. */
static int is_fenced(rd_kafka_resp_err_t e)
{
        return e == RD_KAFKA_RESP_ERR__FENCED || e == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
               e == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

void sem_check_txn_fencing(kp_ctx_t *ctx, kp_check_t *c)
{
        rd_kafka_t *a = NULL, *b = NULL;
        rd_kafka_error_t *e;
        rd_kafka_resp_err_t fatal = RD_KAFKA_RESP_ERR_NO_ERROR,
                            commit_err = RD_KAFKA_RESP_ERR_NO_ERROR;
        int commit_fatal = 0;
        char topic[256], txn_id[300], fatal_msg[512] = "", commit_msg[512] = "";
        txn_seen_t rc = {0};
        int64_t deadline;
        int i, zombie_sent = 10, zombie_refused = 0;
        rd_kafka_resp_err_t refused_err = RD_KAFKA_RESP_ERR_NO_ERROR;

        if (txn_unsupported(ctx, c))
                return;
        if (sem_topic(ctx, c, "txn-fencing", 1, NULL, topic, sizeof(topic)) < 0)
                return;
        snprintf(txn_id, sizeof(txn_id), "kproof-%s-fencing", ctx->run_id);
        a = txn_producer(ctx, c, txn_id);
        if (!a)
                goto out;
        e = rd_kafka_begin_transaction(a);
        if (e) {
                txn_error(c, "first producer: begin_transaction", e);
                goto out;
        }
        if (txn_send(a, c, topic, "zombie", 0, 10) < 0)
                goto out;
        if (rd_kafka_flush(a, TXN_TIMEOUT_MS)) {
                kp_check_error(c, "first producer: flush timed out");
                goto out;
        }
        /* A second producer with the same transactional.id: its
         * InitProducerId bumps the epoch and aborts the open transaction. */
        b = txn_producer(ctx, c, txn_id);
        if (!b)
                goto out;
        /* The first producer goes on as a zombie would; the client may
         * refuse some of these locally once it knows it is fenced. */
        for (i = 10; i < 20; i++) {
                char v[64];
                int len = snprintf(v, sizeof(v), "zombie-%d", i);
                rd_kafka_resp_err_t pe;
                while ((pe = rd_kafka_producev(a, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                               RD_KAFKA_V_VALUE(v, (size_t)len),
                                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                               RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(a, 10);
                if (pe) {
                        zombie_refused++;
                        if (!refused_err)
                                refused_err = pe;
                } else {
                        zombie_sent++;
                }
        }
        e = rd_kafka_commit_transaction(a, TXN_TIMEOUT_MS);
        if (e) {
                commit_err = rd_kafka_error_code(e);
                commit_fatal = rd_kafka_error_is_fatal(e);
                snprintf(commit_msg, sizeof(commit_msg), "%s", rd_kafka_error_string(e));
                rd_kafka_error_destroy(e);
        }
        deadline = kp_mono_ns() + 10 * KP_NS_PER_S;
        while ((fatal = rd_kafka_fatal_error(a, fatal_msg, sizeof(fatal_msg))) == 0 &&
               kp_mono_ns() < deadline)
                rd_kafka_poll(a, 100);
        if (txn_run(b, c, topic, "fresh", 10, 1) < 0)
                goto out;
        rc.stop = "fresh-9";
        rc.prefixes[0] = "zombie";
        rc.prefixes[1] = "fresh";
        if (txn_read(ctx, c, topic, "read_committed", &rc) < 0)
                goto out;
        kp_check_measure(c, "zombie_records_sent", zombie_sent, "records");
        kp_check_measure(c, "zombie_records_refused_by_client", zombie_refused, "records");
        if (zombie_refused)
                kp_check_note(c,
                              "the first producer's client refused %d of its 10 records after the "
                              "fencing (%s)",
                              zombie_refused, rd_kafka_err2name(refused_err));
        kp_check_measure(c, "zombie_records_visible", (double)rc.by_prefix[0], "records");
        kp_check_measure(c, "new_producer_records_visible", (double)rc.by_prefix[1], "records");
        kp_check_note(c, "first producer: commit_transaction -> %s (%s)%s; fatal error -> %s (%s)",
                      commit_err ? rd_kafka_err2name(commit_err) : "success", commit_msg,
                      commit_fatal ? ", fatal" : "", fatal ? rd_kafka_err2name(fatal) : "none",
                      fatal_msg);
        if (!commit_err)
                kp_check_fail(c, "the fenced producer committed its transaction");
        else if (!fatal || !is_fenced(fatal))
                kp_check_fail(c,
                              "the fenced producer got %s on commit but no fatal fencing error "
                              "(fatal: %s)",
                              rd_kafka_err2name(commit_err),
                              fatal ? rd_kafka_err2name(fatal) : "none");
        else if (rc.by_prefix[0])
                kp_check_fail(c, "%ld records of the fenced producer are visible to read_committed",
                              rc.by_prefix[0]);
        else if (!rc.stopped || rc.by_prefix[1] != 10)
                kp_check_fail(c,
                              "read_committed saw %ld of the 10 records the new producer committed",
                              rc.by_prefix[1]);
        else
                kp_check_pass(c,
                              "a second producer with transactional.id %s fenced the first: its "
                              "commit failed with the fatal error %s and none of the %d records it "
                              "sent is visible; the new producer's 10 committed records are",
                              txn_id, rd_kafka_err2name(fatal), zombie_sent);
out:
        if (a)
                rd_kafka_destroy(a);
        if (b)
                rd_kafka_destroy(b);
}

#define CTP_RECORDS 30
#define CTP_BATCH   10

/* Consumes up to n records from a subscribed consumer; values "in-<i>"
 * into idx. Returns the count; positions are taken from the records. */
static int ctp_poll(rd_kafka_t *rk, int n, int *idx, int64_t *next_offset, int timeout_ms)
{
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
        int got = 0;

        while (got < n && kp_mono_ns() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                if (!m)
                        continue;
                if (!m->err && m->len > 3 && m->len < 32 && memcmp(m->payload, "in-", 3) == 0) {
                        char v[32];
                        memcpy(v, m->payload, m->len);
                        v[m->len] = '\0';
                        idx[got++] = (int)strtol(v + 3, NULL, 10);
                        *next_offset = m->offset + 1;
                }
                rd_kafka_message_destroy(m);
        }
        return got;
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
                return txn_error(c, "begin_transaction", e);
        for (i = 0; i < n; i++)
                if (txn_send(prod, c, out, "out", idx[i], 1) < 0)
                        return -1;
        offs = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(offs, in, 0)->offset = next;
        gm = rd_kafka_consumer_group_metadata(cons);
        e = rd_kafka_send_offsets_to_transaction(prod, offs, gm, TXN_TIMEOUT_MS);
        rd_kafka_consumer_group_metadata_destroy(gm);
        rd_kafka_topic_partition_list_destroy(offs);
        if (e)
                return txn_error(c, "send_offsets_to_transaction", e);
        if (!commit && rd_kafka_flush(prod, TXN_TIMEOUT_MS)) {
                kp_check_error(c, "flush before abort timed out");
                return -1;
        }
        e = commit ? rd_kafka_commit_transaction(prod, TXN_TIMEOUT_MS)
                   : rd_kafka_abort_transaction(prod, TXN_TIMEOUT_MS);
        if (e)
                return txn_error(c, commit ? "commit_transaction" : "abort_transaction", e);
        return 0;
}

static rd_kafka_t *ctp_consumer(kp_ctx_t *ctx, kp_check_t *c, const char *group, const char *in)
{
        kp_kvlist_t extra = {0};
        rd_kafka_topic_partition_list_t *l;
        rd_kafka_t *rk;

        kp_kvlist_set(&extra, "group.id", group);
        kp_kvlist_set(&extra, "enable.auto.commit", "false");
        kp_kvlist_set(&extra, "auto.offset.reset", "earliest");
        kp_kvlist_set(&extra, "isolation.level", "read_committed");
        rk = sem_consumer(ctx, c, &extra);
        kp_kvlist_clear(&extra);
        if (!rk)
                return NULL;
        l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, in, RD_KAFKA_PARTITION_UA);
        if (rd_kafka_subscribe(rk, l)) {
                kp_check_error(c, "subscribe to %s failed", in);
                rd_kafka_destroy(rk);
                rk = NULL;
        }
        rd_kafka_topic_partition_list_destroy(l);
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
        if (txn_unsupported(ctx, c))
                return;
        if (sem_topic(ctx, c, "ctp-in", 1, NULL, in, sizeof(in)) < 0 ||
            sem_topic(ctx, c, "ctp-out", 1, NULL, out, sizeof(out)) < 0)
                return;
        plain = sem_producer(ctx, c, NULL, NULL);
        if (!plain || txn_send(plain, c, in, "in", 0, CTP_RECORDS) < 0 ||
            sem_flush(plain, c, 30000) < 0)
                goto out;
        snprintf(group, sizeof(group), "kproof-%s-ctp", ctx->run_id);
        snprintf(txn_id, sizeof(txn_id), "kproof-%s-ctp", ctx->run_id);
        prod = txn_producer(ctx, c, txn_id);
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
        rd_kafka_consumer_close(cons);
        rd_kafka_destroy(cons);
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
        sem_consume_partition(reader, out, 0, RD_KAFKA_OFFSET_BEGINNING, 1000, 10000, ctp_out_cb,
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
        if (plain)
                rd_kafka_destroy(plain);
        if (cons) {
                rd_kafka_consumer_close(cons);
                rd_kafka_destroy(cons);
        }
        if (reader) {
                rd_kafka_consumer_close(reader);
                rd_kafka_destroy(reader);
        }
        if (prod)
                rd_kafka_destroy(prod);
}
