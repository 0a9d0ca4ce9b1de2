/*
 * migration.rollback: Rollback: producers on the destination, reverse mirror
 * to the source, consumers move back; no acknowledged record lost, re-reads
 * measured.
 */
#include <stdlib.h>
#include <string.h>

#include "migration.h"

void mig_check_rollback(kp_ctx_t *ctx, kp_check_t *c)
{
        const mig_options_t *o = mig_options(ctx);
        mig_state_t *st = ctx->suite_state;
        int parts = mig_partitions_of(ctx);
        uint64_t n = (uint64_t)o->records;
        char topic[512], group[512], text[1024], mtext[400];
        kp_history_t *h = NULL;
        kp_checker_result_t *res = NULL;
        mig_prod_t prod;
        mig_move_t *mv = NULL;
        kp_err_t err;

        memset(&prod, 0, sizeof(prod));
        if (mig_no_mirror(ctx, c, KP_CTL_START_REVERSE_MIRROR))
                return;
        kp_ctx_topic(ctx, "mig-rollback", topic, sizeof(topic));
        kp_ctx_topic(ctx, "mig-rollback-group", group, sizeof(group));
        /* one direction at a time: with topic names kept, both at once would loop */
        if (st->forward && mig_mirror(ctx, KP_CTL_STOP_MIRROR, st->topics, &err) < 0) {
                kp_check_error(c, "the forward mirror could not be stopped: %s", err.msg);
                return;
        }
        if (kp_platform_create_topic(st->dst, topic, parts, 0, NULL, &err) < 0) {
                kp_check_error(c, "cannot create topic %s on the destination: %s", topic, err.msg);
                return;
        }
        if (mig_mirror(ctx, KP_CTL_START_REVERSE_MIRROR, st->reverse_topics, &err) < 0) {
                kp_check_error(c, "the reverse mirror could not be started: %s", err.msg);
                return;
        }
        h = kp_history_new(1, 1, parts, n * 8 + 1000, &err);
        res = calloc(1, sizeof(*res));
        mv = calloc(1, sizeof(*mv));
        if (!h || !res || !mv) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (mig_prod_open(&prod, ctx, st->dst, h, 0, 0, NULL, &err) < 0) {
                kp_check_error(c, "producer on the destination: %s", err.msg);
                goto out;
        }
        if (mig_group_move(ctx, c, st->dst, ctx->plat, topic, parts, group, &prod, n, n, h, mv) < 0)
                goto out;
        if (mig_judge(ctx, c, h, res) < 0)
                goto out;
        mig_move_evidence(c, mv, parts);
        mig_move_text(mv, parts, mtext, sizeof(mtext));
        kp_check_measure(c, "records_back_on_source", (double)mv->read_all, "records");
        if (res->not_allowed) {
                mig_anomaly_text(res, text, sizeof(text));
                kp_check_fail(c,
                              "%llu of %llu records written on the destination reached the "
                              "source; anomalies: %s",
                              (unsigned long long)mv->read_all, (unsigned long long)res->acked,
                              text);
                goto out;
        }
        if (mv->lost) {
                kp_check_fail(c,
                              "%s; the group moved back to the source but %llu of %llu "
                              "records it had not consumed were never read",
                              mtext, (unsigned long long)mv->lost, (unsigned long long)n);
                goto out;
        }
        kp_check_answer(c,
                        "rollback: every record came back, the group resumed with 0 lost and "
                        "%llu re-read",
                        (unsigned long long)mv->reread);
        kp_check_pass(c,
                      "all %llu records written on the destination came back to the source once "
                      "and in order; %s; the group resumed on the source with 0 lost and %llu "
                      "re-read",
                      (unsigned long long)res->acked, mtext, (unsigned long long)mv->reread);
out:
        mig_prod_close(&prod);
        free(mv);
        free(res);
        kp_history_free(h);
}
