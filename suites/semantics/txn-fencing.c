/*
 * semantics.txn-fencing: Transactions: a second producer with the same
 * transactional.id fences the first.
 */
#include <stdio.h>
#include <stdlib.h>

#include "semantics.h"
#include "util/timeutil.h"

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

        if (sem_txn_unsupported(ctx, c))
                return;
        if (sem_topic(ctx, c, "txn-fencing", 1, NULL, topic, sizeof(topic)) < 0)
                return;
        snprintf(txn_id, sizeof(txn_id), "kproof-%s-fencing", ctx->run_id);
        a = sem_txn_producer(ctx, c, txn_id);
        if (!a)
                goto out;
        e = rd_kafka_begin_transaction(a);
        if (e) {
                sem_txn_error(c, "first producer: begin_transaction", e);
                goto out;
        }
        if (sem_txn_send(a, c, topic, "zombie", 0, 10) < 0)
                goto out;
        if (rd_kafka_flush(a, TXN_TIMEOUT_MS)) {
                kp_check_error(c, "first producer: flush timed out");
                goto out;
        }
        /* A second producer with the same transactional.id: its
         * InitProducerId bumps the epoch and aborts the open transaction. */
        b = sem_txn_producer(ctx, c, txn_id);
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
        if (sem_txn_run(b, c, topic, "fresh", 10, 1) < 0)
                goto out;
        rc.stop = "fresh-9";
        rc.prefixes[0] = "zombie";
        rc.prefixes[1] = "fresh";
        if (sem_txn_read(ctx, c, topic, "read_committed", &rc) < 0)
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
        kp_kc_close(a);
        kp_kc_close(b);
}
