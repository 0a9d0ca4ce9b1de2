/*
 * Transaction helpers shared by the transaction checks (transactions, txn-
 * fencing, txn-consume-transform-produce): transactional producers, sending
 * and committing or aborting a batch, and reading a topic back with an
 * isolation level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/platform.h"
#include "util/timeutil.h"

/* Skips when the platform cannot model transactions; 1 when skipped. */
int sem_txn_unsupported(kp_ctx_t *ctx, kp_check_t *c)
{
        if (ctx->plat->no_txn_markers) {
                kp_check_skip(c, "%s", ctx->plat->no_txn_markers);
                return 1;
        }
        return 0;
}

/* Records an rd_kafka_error_t as the check's error and frees it; -1. */
int sem_txn_error(kp_check_t *c, const char *what, rd_kafka_error_t *e)
{
        kp_check_error(c, "%s: %s (%s)", what, rd_kafka_error_string(e), rd_kafka_error_name(e));
        rd_kafka_error_destroy(e);
        return -1;
}

rd_kafka_t *sem_txn_producer(kp_ctx_t *ctx, kp_check_t *c, const char *txn_id)
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
                sem_txn_error(c, "init_transactions", e);
                kp_kc_close(rk);
                return NULL;
        }
        return rk;
}

/* Produces n values "<prefix>-<i>" to topic partition 0 (no flush). */
int sem_txn_send(rd_kafka_t *rk, kp_check_t *c, const char *topic, const char *prefix, int from,
                 int n)
{
        int i;

        for (i = from; i < from + n; i++) {
                char v[64];
                int len = snprintf(v, sizeof(v), "%s-%d", prefix, i);
                if (sem_produce(rk, c, topic, 0, v, (size_t)len, 0, 0) < 0)
                        return -1;
        }
        return 0;
}

/* One transaction of n records: commit (commit=1) or abort. */
int sem_txn_run(rd_kafka_t *rk, kp_check_t *c, const char *topic, const char *prefix, int n,
                int commit)
{
        rd_kafka_error_t *e = rd_kafka_begin_transaction(rk);

        if (e)
                return sem_txn_error(c, "begin_transaction", e);
        if (sem_txn_send(rk, c, topic, prefix, 0, n) < 0)
                return -1;
        if (!commit && rd_kafka_flush(rk, TXN_TIMEOUT_MS)) {
                kp_check_error(c, "flush before abort timed out");
                return -1;
        }
        e = commit ? rd_kafka_commit_transaction(rk, TXN_TIMEOUT_MS)
                   : rd_kafka_abort_transaction(rk, TXN_TIMEOUT_MS);
        if (e)
                return sem_txn_error(c, commit ? "commit_transaction" : "abort_transaction", e);
        return 0;
}

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
int sem_txn_read(kp_ctx_t *ctx, kp_check_t *c, const char *topic, const char *isolation,
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
        kp_kc_read_partition(rk, topic, 0, RD_KAFKA_OFFSET_BEGINNING, 100000, 10000, txn_seen_cb,
                             s);
        kp_kc_close(rk);
        return 0;
}
