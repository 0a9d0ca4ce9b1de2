/*
 * semantics.transactions: Transactions: committed visible to read_committed,
 * aborted never (but to read_uncommitted).
 */
#include <stdio.h>
#include <stdlib.h>

#include "semantics.h"

#define TXN_BATCH 20

void sem_check_transactions(kp_ctx_t *ctx, kp_check_t *c)
{
        txn_seen_t rc = {0}, ru = {0};
        rd_kafka_t *prod = NULL;
        char topic[256], txn_id[300], stop[64];

        if (sem_txn_unsupported(ctx, c))
                return;
        if (sem_topic(ctx, c, "txn", 1, NULL, topic, sizeof(topic)) < 0)
                return;
        snprintf(txn_id, sizeof(txn_id), "kproof-%s-txn", ctx->run_id);
        prod = sem_txn_producer(ctx, c, txn_id);
        if (!prod)
                return;
        /* committed, aborted, committed: the aborted records lie between
         * committed ones, so a reader that stops at the last committed
         * record has passed them. */
        if (sem_txn_run(prod, c, topic, "c1", TXN_BATCH, 1) < 0 ||
            sem_txn_run(prod, c, topic, "a", TXN_BATCH, 0) < 0 ||
            sem_txn_run(prod, c, topic, "c2", TXN_BATCH, 1) < 0)
                goto out;
        snprintf(stop, sizeof(stop), "c2-%d", TXN_BATCH - 1);
        rc.stop = ru.stop = stop;
        rc.prefixes[0] = ru.prefixes[0] = "c1";
        rc.prefixes[1] = ru.prefixes[1] = "a";
        rc.prefixes[2] = ru.prefixes[2] = "c2";
        if (sem_txn_read(ctx, c, topic, "read_committed", &rc) < 0 ||
            sem_txn_read(ctx, c, topic, "read_uncommitted", &ru) < 0)
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
        kp_kc_close(prod);
}
