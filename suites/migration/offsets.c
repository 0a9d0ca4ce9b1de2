/*
 * migration.offsets: A consumer group with committed progress on the source
 * resumes on the destination: records lost (must be 0) and re-read on resume,
 * offsets identical or translated.
 */
#include <stdlib.h>
#include <string.h>

#include "migration.h"

void mig_check_offsets(kp_ctx_t *ctx, kp_check_t *c)
{
        const mig_options_t *o = mig_options(ctx, &(mig_options_t){0});
        mig_state_t *st = ctx->suite_state;
        int parts = mig_partitions_of(ctx);
        char topic[512], group[512], txn[512], text[400];
        uint64_t n = (uint64_t)o->records;
        kp_history_t *h = NULL;
        mig_prod_t prod;
        mig_move_t *mv = NULL;
        kp_err_t err;

        memset(&prod, 0, sizeof(prod));
        if (mig_no_mirror(ctx, c, KP_CTL_START_MIRROR))
                return;
        kp_ctx_topic(ctx, "mig-offsets", topic, sizeof(topic));
        kp_ctx_topic(ctx, "mig-offsets-group", group, sizeof(group));
        kp_ctx_topic(ctx, "mig-offsets-txn", txn, sizeof(txn));
        if (kp_platform_create_topic(ctx->plat, topic, parts,
                                     ctx->scfg->workload.replication_factor, NULL, &err) < 0) {
                kp_check_error(c, "cannot create topic %s on the source: %s", topic, err.msg);
                return;
        }
        if (mig_ensure_forward(ctx, c) < 0)
                return;
        h = kp_history_new(1, 1, parts, n * 8 + 1000, &err);
        mv = calloc(1, sizeof(*mv));
        if (!h || !mv) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        /* transactional writes: the commit markers take source offsets that
         * the destination's copy does not have, as in most real topics */
        if (mig_prod_open(&prod, ctx, ctx->plat, h, 0, 0, txn, &err) < 0) {
                kp_check_error(c, "producer on the source: %s", err.msg);
                goto out;
        }
        if (mig_group_move(ctx, c, ctx->plat, st->dst, topic, parts, group, &prod, n, n, NULL, mv) <
            0)
                goto out;
        mig_move_evidence(c, mv, parts);
        mig_move_text(mv, parts, text, sizeof(text));
        kp_check_note(c,
                      "group %s consumed %llu records on the source and committed; %llu more were "
                      "written before it resumed on the destination",
                      group, (unsigned long long)n, (unsigned long long)n);
        if (!mv->synced) {
                /* consumer progress that does not move is a finding of its own,
                 * whatever the re-read gate allows */
                kp_check_fail(c, "%s; consumer progress did not move (%llu re-read, %llu lost)",
                              text, (unsigned long long)mv->reread, (unsigned long long)mv->lost);
                goto out;
        }
        if (mv->lost) {
                kp_check_fail(c,
                              "%s; the group resumed on the destination but %llu of %llu records "
                              "it had not consumed yet were never read (lost on resume)",
                              text, (unsigned long long)mv->lost, (unsigned long long)n);
                goto out;
        }
        kp_check_answer(c, "consumers resume on the destination: 0 lost, %llu re-read; %s",
                        (unsigned long long)mv->reread,
                        mv->identical ? "offsets identical" : "offsets translated");
        kp_check_pass(c,
                      "%s; the group resumed on the destination with 0 records lost and %llu "
                      "re-read",
                      text, (unsigned long long)mv->reread);
out:
        mig_prod_close(&prod);
        free(mv);
        kp_history_free(h);
}
