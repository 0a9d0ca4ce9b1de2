/*
 * Transaction timeout: a transaction left open past transaction.timeout.ms
 * is aborted by the coordinator. Until then it holds back the last stable
 * offset, so read_committed consumers see nothing after it; once aborted,
 * they see the later committed records and never the open one's, and the
 * stale producer cannot commit it any more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/platform.h"
#include "util/timeutil.h"

#define TTO_TXN_TIMEOUT_MS "3000"
#define TTO_CALL_MS        30000
/* the coordinator looks for expired transactions every
 * transaction.abort.timed.out.transaction.cleanup.interval.ms (10 s by
 * default in Kafka) */
#define TTO_WAIT_MS 40000

typedef struct tto_seen {
        long open, committed, other;
} tto_seen_t;

static int tto_cb(void *opaque, const rd_kafka_message_t *m)
{
        tto_seen_t *s = opaque;

        if (m->len > 5 && memcmp(m->payload, "open-", 5) == 0)
                s->open++;
        else if (m->len > 10 && memcmp(m->payload, "committed-", 10) == 0)
                s->committed++;
        else
                s->other++;
        return 0;
}

static rd_kafka_t *tto_producer(kp_ctx_t *ctx, kp_check_t *c, const char *txn_id)
{
        kp_kvlist_t extra = {0};
        rd_kafka_error_t *e;
        rd_kafka_t *rk;

        kp_kvlist_set(&extra, "transactional.id", txn_id);
        kp_kvlist_set(&extra, "transaction.timeout.ms", TTO_TXN_TIMEOUT_MS);
        /* librdkafka wants socket.timeout.ms <= transaction.timeout.ms */
        kp_kvlist_set(&extra, "socket.timeout.ms", TTO_TXN_TIMEOUT_MS);
        kp_kvlist_set(&extra, "acks", "all");
        rk = sem_producer(ctx, c, &extra, NULL);
        kp_kvlist_clear(&extra);
        if (!rk)
                return NULL;
        e = rd_kafka_init_transactions(rk, TTO_CALL_MS);
        if (e) {
                kp_check_error(c, "init_transactions %s: %s", txn_id, rd_kafka_error_string(e));
                rd_kafka_error_destroy(e);
                kp_kc_close(rk);
                return NULL;
        }
        return rk;
}

static int tto_send(rd_kafka_t *rk, kp_check_t *c, const char *topic, const char *prefix, int n)
{
        rd_kafka_error_t *e = rd_kafka_begin_transaction(rk);
        int i;

        if (e) {
                kp_check_error(c, "begin_transaction: %s", rd_kafka_error_string(e));
                rd_kafka_error_destroy(e);
                return -1;
        }
        for (i = 0; i < n; i++) {
                char v[32];
                int len = snprintf(v, sizeof(v), "%s-%d", prefix, i);
                if (sem_produce(rk, c, topic, 0, v, (size_t)len, 0, 0) < 0)
                        return -1;
        }
        return sem_flush(rk, c, TTO_CALL_MS);
}

/* A transaction of 5 records left open by a live producer with
 * transaction.timeout.ms=3000; another producer then commits 3 records. A
 * read_committed consumer must get the 3 committed ones (the coordinator
 * aborted the open transaction, releasing the last stable offset) and never
 * the open ones; read_uncommitted sees all 8; the stale producer's commit
 * fails. */
void sem_check_txn_timeout(kp_ctx_t *ctx, kp_check_t *c)
{
        enum { OPEN = 5, COMMITTED = 3 };
        kp_kvlist_t rc_extra = {0}, ru_extra = {0};
        rd_kafka_t *stale = NULL, *other = NULL, *rc = NULL, *ru = NULL;
        rd_kafka_error_t *e;
        tto_seen_t seen_rc = {0}, seen_ru = {0}, seen_again = {0};
        char topic[256] = "", id1[300], id2[300], stale_err[512] = "";
        int64_t t_open, abort_ms = -1;
        long got;

        if (ctx->plat->no_txn_markers) {
                kp_check_skip(c, "%s", ctx->plat->no_txn_markers);
                return;
        }
        if (sem_topic(ctx, c, "txn-timeout", 1, NULL, topic, sizeof(topic)) < 0)
                goto out;
        snprintf(id1, sizeof(id1), "%s-stale", topic);
        snprintf(id2, sizeof(id2), "%s-other", topic);
        stale = tto_producer(ctx, c, id1);
        other = stale ? tto_producer(ctx, c, id2) : NULL;
        if (!other)
                goto out;
        if (tto_send(stale, c, topic, "open", OPEN) < 0)
                goto out;
        t_open = kp_mono_ns();
        if (tto_send(other, c, topic, "committed", COMMITTED) < 0)
                goto out;
        e = rd_kafka_commit_transaction(other, TTO_CALL_MS);
        if (e) {
                kp_check_error(c, "commit_transaction: %s", rd_kafka_error_string(e));
                rd_kafka_error_destroy(e);
                goto out;
        }
        kp_kvlist_set(&rc_extra, "isolation.level", "read_committed");
        kp_kvlist_set(&ru_extra, "isolation.level", "read_uncommitted");
        rc = sem_consumer(ctx, c, &rc_extra);
        ru = rc ? sem_consumer(ctx, c, &ru_extra) : NULL;
        if (!ru)
                goto out;
        got = kp_kc_read_partition(ru, topic, 0, RD_KAFKA_OFFSET_BEGINNING, OPEN + COMMITTED, 10000,
                                   tto_cb, &seen_ru);
        if (seen_ru.open != OPEN) {
                kp_check_error(c,
                               "read_uncommitted sees %ld of the open transaction's %d records: "
                               "they were never written, nothing to judge",
                               seen_ru.open, OPEN);
                goto out;
        }
        /* blocks on the open transaction until the coordinator aborts it */
        got = kp_kc_read_partition(rc, topic, 0, RD_KAFKA_OFFSET_BEGINNING, COMMITTED, TTO_WAIT_MS,
                                   tto_cb, &seen_rc);
        if (seen_rc.committed == COMMITTED)
                abort_ms = (kp_mono_ns() - t_open) / KP_NS_PER_MS;
        e = rd_kafka_commit_transaction(stale, TTO_CALL_MS);
        if (e) {
                snprintf(stale_err, sizeof(stale_err), "%s (%s%s)", rd_kafka_error_string(e),
                         rd_kafka_error_name(e), rd_kafka_error_is_fatal(e) ? ", fatal" : "");
                rd_kafka_error_destroy(e);
        }
        /* read again after the stale producer tried to commit */
        kp_kc_read_partition(rc, topic, 0, RD_KAFKA_OFFSET_BEGINNING, OPEN + COMMITTED, 3000,
                             tto_cb, &seen_again);
        kp_check_note(c, "commit of the timed-out transaction: %s",
                      stale_err[0] ? stale_err : "accepted");
        kp_check_measure(c, "read_committed_open_records", (double)seen_rc.open, "records");
        kp_check_measure(c, "read_committed_committed_records", (double)seen_rc.committed,
                         "records");
        kp_check_measure(c, "visible_after_open_ms", (double)abort_ms, "ms");
        (void)got;
        if (seen_rc.open || seen_again.open)
                kp_check_fail(c,
                              "read_committed saw %ld record(s) of the transaction left open past "
                              "transaction.timeout.ms",
                              seen_rc.open + seen_again.open);
        else if (seen_rc.committed != COMMITTED)
                kp_check_fail(c,
                              "read_committed got %ld of %d records committed after the open "
                              "transaction within %d ms: the coordinator did not abort it (the "
                              "last stable offset stays behind it)",
                              seen_rc.committed, COMMITTED, TTO_WAIT_MS);
        else if (!stale_err[0])
                kp_check_fail(c, "the stale producer committed its transaction after it had "
                                 "timed out");
        else
                kp_check_pass(c,
                              "the transaction left open past transaction.timeout.ms=%s ms was "
                              "aborted by the coordinator: read_committed got the %d later "
                              "committed records %lld ms after it was opened and none of its %d; "
                              "its producer's late commit failed: %s",
                              TTO_TXN_TIMEOUT_MS, COMMITTED, (long long)abort_ms, OPEN, stale_err);
out:
        kp_kc_close(rc);
        kp_kc_close(ru);
        kp_kc_close(other);
        kp_kc_close(stale);
        sem_topic_drop(ctx, c, topic);
        kp_kvlist_clear(&rc_extra);
        kp_kvlist_clear(&ru_extra);
}
