/*
 * migration.data: Every acknowledged record written to the source before and
 * during mirroring arrives at the destination, once and in order; catch-up
 * time, mirror lag and throughput measured.
 */
#include <stdlib.h>
#include <string.h>

#include "migration.h"
#include "util/signals.h"
#include "util/timeutil.h"

typedef struct data_tick {
        mig_reader_t *rd;
        mig_prod_t *prod;
        int64_t next_sample;
        double lag_sum;
        uint64_t lag_max, samples;
} data_tick_t;

/* Between sends: read the destination, and twice a second sample how many
 * acknowledged records it does not hold yet (the mirror lag in records). */
static void data_tick(void *opaque)
{
        data_tick_t *t = opaque;
        int64_t now = kp_mono_ns();

        mig_reader_poll(t->rd, 0);
        if (now >= t->next_sample) {
                uint64_t lag = t->prod->acked > t->rd->unique ? t->prod->acked - t->rd->unique : 0;
                t->lag_sum += (double)lag;
                if (lag > t->lag_max)
                        t->lag_max = lag;
                t->samples++;
                t->next_sample = now + 500 * KP_NS_PER_MS;
        }
}

void mig_check_data(kp_ctx_t *ctx, kp_check_t *c)
{
        const mig_options_t *o = mig_options(ctx);
        mig_state_t *st = ctx->suite_state;
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        int parts = mig_partitions_of(ctx);
        char topic[512], text[1024];
        uint64_t total, before, n_seen[4] = {0};
        kp_history_t *h = NULL;
        kp_checker_result_t *res = NULL;
        mig_prod_t prod;
        mig_reader_t rd;
        data_tick_t tick;
        int64_t t, prod_end, deadline, mirror_at;
        kp_err_t err;

        memset(&prod, 0, sizeof(prod));
        memset(&rd, 0, sizeof(rd));
        if (mig_no_mirror(ctx, c, KP_CTL_START_MIRROR))
                return;
        kp_ctx_topic(ctx, "mig-data", topic, sizeof(topic));
        total = (uint64_t)(w->rate * (double)w->duration_ns / 1e9);
        if (total < 10)
                total = 10;
        before = total / 3;
        n_seen[0] = total;
        if (kp_platform_create_topic(ctx->plat, topic, parts, w->replication_factor, NULL, &err) <
            0) {
                kp_check_error(c, "cannot create topic %s on the source: %s", topic, err.msg);
                return;
        }
        h = kp_history_new(1, 1, parts, total * 4 + 1000, &err);
        res = calloc(1, sizeof(*res));
        if (!h || !res) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (mig_prod_open(&prod, ctx, ctx->plat, h, 0, 0, NULL, &err) < 0 ||
            mig_prod_send(&prod, topic, before, w->rate, NULL, NULL, &err) < 0) {
                kp_check_error(c, "producing to the source: %s", err.msg);
                goto out;
        }
        /* the mirror starts while records already wait on the source */
        mirror_at = kp_mono_ns();
        if (mig_ensure_forward(ctx, c) < 0)
                goto out;
        t = mig_wait_topic(ctx, st->dst, topic, parts, o->catch_up_timeout, &err);
        if (t < 0) {
                kp_check_error(c, "the mirror did not create the topic on the destination: %s",
                               err.msg);
                goto out;
        }
        kp_check_measure(c, "topic_created_s", (double)(kp_mono_ns() - mirror_at) / 1e9, "s");
        if (mig_reader_open(&rd, ctx, st->dst, topic, parts, NULL, h, 0, n_seen, &err) < 0) {
                kp_check_error(c, "reading the destination: %s", err.msg);
                goto out;
        }
        memset(&tick, 0, sizeof(tick));
        tick.rd = &rd;
        tick.prod = &prod;
        rd.lag_from_ns = kp_mono_ns();
        if (mig_prod_send(&prod, topic, total - before, w->rate, data_tick, &tick, &err) < 0) {
                kp_check_error(c, "producing to the source: %s", err.msg);
                goto out;
        }
        prod_end = kp_mono_ns();
        deadline = prod_end + o->catch_up_timeout;
        while (rd.unique < prod.acked && kp_mono_ns() < deadline && !kp_stop_requested())
                mig_reader_poll(&rd, 200);
        /* a short look for duplicates arriving after the last new record */
        mig_reader_poll(&rd, 500);
        kp_check_note(c,
                      "topic %s: %d partition(s), %llu records of %d bytes at %.0f/s, %llu written "
                      "before the mirror started",
                      topic, parts, (unsigned long long)total, prod.message_bytes, w->rate,
                      (unsigned long long)before);
        if (mig_judge(ctx, c, h, res) < 0)
                goto out;
        if (res->acked == 0) {
                kp_check_error(c, "nothing acknowledged by the source");
                goto out;
        }
        kp_check_measure(c, "records_destination", (double)rd.unique, "records");
        if (rd.unique >= prod.acked) {
                double catch_up = (double)(rd.last_new_ns - prod_end) / 1e9;
                kp_check_measure(c, "catch_up_s", catch_up < 0 ? 0 : catch_up, "s");
        } else {
                kp_check_note(c,
                              "the destination still lacked %llu record(s) %.0f s after "
                              "production ended",
                              (unsigned long long)(prod.acked - rd.unique),
                              (double)o->catch_up_timeout / 1e9);
        }
        if (tick.samples)
                kp_check_measure(c, "mirror_lag_records_avg", tick.lag_sum / (double)tick.samples,
                                 "records");
        kp_check_measure(c, "mirror_lag_records_max", (double)tick.lag_max, "records");
        if (rd.lag_n) {
                kp_check_measure(c, "mirror_lag_s_avg",
                                 (double)rd.lag_sum_ns / (double)rd.lag_n / 1e9, "s");
                kp_check_measure(c, "mirror_lag_s_max", (double)rd.lag_max_ns / 1e9, "s");
        }
        if (rd.last_new_ns > rd.first_read_ns && rd.unique > 1)
                kp_check_measure(c, "mirror_throughput",
                                 (double)rd.unique /
                                     ((double)(rd.last_new_ns - rd.first_read_ns) / 1e9),
                                 "records/s");
        if (res->not_allowed) {
                mig_anomaly_text(res, text, sizeof(text));
                kp_check_fail(c,
                              "%llu of %llu acknowledged record(s) reached the destination within "
                              "%.0f s; anomalies: %s",
                              (unsigned long long)rd.unique, (unsigned long long)res->acked,
                              (double)o->catch_up_timeout / 1e9, text);
                goto out;
        }
        kp_check_answer(c, "every acknowledged record arrived, caught up %.1f s after production",
                        (double)(rd.last_new_ns - prod_end) / 1e9);
        kp_check_pass(c,
                      "all %llu acknowledged records are on the destination once and in order; "
                      "caught up %.1f s after production ended, mirror lag at most %llu records / "
                      "%.2f s",
                      (unsigned long long)res->acked, (double)(rd.last_new_ns - prod_end) / 1e9,
                      (unsigned long long)tick.lag_max, (double)rd.lag_max_ns / 1e9);
out:
        mig_reader_close(&rd);
        mig_prod_close(&prod);
        free(res);
        kp_history_free(h);
}
