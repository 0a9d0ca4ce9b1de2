/*
 * migration.cutover: Producers switch from the source to the destination:
 * producer unavailability measured, no acknowledged record lost.
 */
#include <stdlib.h>
#include <string.h>

#include "migration.h"
#include "util/signals.h"
#include "util/timeutil.h"

static void reader_tick(void *opaque)
{
        mig_reader_poll(opaque, 0);
}

void mig_check_cutover(kp_ctx_t *ctx, kp_check_t *c)
{
        const mig_options_t *o = mig_options(ctx);
        mig_state_t *st = ctx->suite_state;
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        int parts = mig_partitions_of(ctx);
        uint64_t n = (uint64_t)o->records, n_seen[4] = {0};
        char topic[512], text[1024];
        kp_history_t *h = NULL;
        kp_checker_result_t *res = NULL;
        mig_prod_t src, dst;
        mig_reader_t rd;
        int64_t deadline, t_switch, drain_s_ns;
        double unavail;
        kp_err_t err;

        memset(&src, 0, sizeof(src));
        memset(&dst, 0, sizeof(dst));
        memset(&rd, 0, sizeof(rd));
        if (mig_no_mirror(ctx, c, KP_CTL_START_MIRROR))
                return;
        kp_ctx_topic(ctx, "mig-cutover", topic, sizeof(topic));
        n_seen[0] = n_seen[1] = n;
        if (kp_platform_create_topic(ctx->plat, topic, parts, w->replication_factor, NULL, &err) <
            0) {
                kp_check_error(c, "cannot create topic %s on the source: %s", topic, err.msg);
                return;
        }
        if (mig_ensure_forward(ctx, c) < 0)
                return;
        h = kp_history_new(2, 1, parts, n * 8 + 1000, &err);
        res = calloc(1, sizeof(*res));
        if (!h || !res) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (mig_wait_topic(ctx, st->dst, topic, parts, o->sync_timeout, &err) < 0) {
                kp_check_error(c, "the mirror did not create the topic: %s", err.msg);
                goto out;
        }
        if (mig_reader_open(&rd, ctx, st->dst, topic, parts, NULL, h, 0, n_seen, &err) < 0 ||
            mig_prod_open(&src, ctx, ctx->plat, h, 0, 0, NULL, &err) < 0 ||
            mig_prod_send(&src, topic, n, w->rate, reader_tick, &rd, &err) < 0) {
                kp_check_error(c, "before the switch: %s", err.msg);
                goto out;
        }
        /* the switch: producers stop on the source, the mirror drains, they
         * start on the destination */
        t_switch = src.last_ack_ns;
        mig_prod_close(&src);
        deadline = kp_mono_ns() + o->catch_up_timeout;
        while (rd.unique < src.acked && kp_mono_ns() < deadline && !kp_stop_requested())
                mig_reader_poll(&rd, 100);
        if (rd.unique < src.acked) {
                kp_check_error(c,
                               "the mirror did not deliver the source's %llu records within %.0f "
                               "s of the switch (%llu arrived)",
                               (unsigned long long)src.acked, (double)o->catch_up_timeout / 1e9,
                               (unsigned long long)rd.unique);
                goto out;
        }
        drain_s_ns = rd.last_new_ns - t_switch;
        if (mig_prod_open(&dst, ctx, st->dst, h, 1, 0, NULL, &err) < 0 ||
            mig_prod_send(&dst, topic, n, w->rate, reader_tick, &rd, &err) < 0) {
                kp_check_error(c, "after the switch: %s", err.msg);
                goto out;
        }
        unavail = (double)(dst.first_ack_ns - t_switch) / 1e9;
        deadline = kp_mono_ns() + o->catch_up_timeout;
        while (rd.unique < src.acked + dst.acked && kp_mono_ns() < deadline && !kp_stop_requested())
                mig_reader_poll(&rd, 100);
        mig_reader_poll(&rd, 500);
        if (mig_judge(ctx, c, h, res) < 0)
                goto out;
        kp_check_measure(c, "mirror_drain_s", drain_s_ns > 0 ? (double)drain_s_ns / 1e9 : 0, "s");
        kp_check_measure(c, "unavailability_s", unavail, "s");
        kp_check_measure(c, "records_before_switch", (double)src.acked, "records");
        kp_check_measure(c, "records_after_switch", (double)dst.acked, "records");
        kp_check_note(c, "unavailability: from the source's last acknowledgement, through the "
                         "mirror's drain, to the destination's first acknowledgement");
        if (res->not_allowed) {
                mig_anomaly_text(res, text, sizeof(text));
                kp_check_fail(c, "records lost, duplicated or reordered across the switch: %s",
                              text);
                goto out;
        }
        kp_check_answer(c, "producers switched with %.2f s unavailability, nothing lost", unavail);
        kp_check_pass(c,
                      "producers switched to the destination with %.2f s of unavailability (mirror "
                      "drain %.2f s); all %llu records on the destination once and in order",
                      unavail, (double)drain_s_ns / 1e9, (unsigned long long)res->acked);
out:
        mig_reader_close(&rd);
        mig_prod_close(&src);
        mig_prod_close(&dst);
        free(res);
        kp_history_free(h);
}
