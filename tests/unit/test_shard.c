/*
 * shard: the split of a workload over workers, the plan, the shard result's
 * binary form (round trip, damage detected) and the merge: two shards whose
 * records were read across workers merge into a history the checker judges
 * exactly as the same events recorded by one process — including a lost
 * write that only shows when both shards are put together.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/checker.h"
#include "dist/shard.h"
#include "util/timeutil.h"

static void test_split(void **state)
{
        kp_workload_cfg_t w;
        kp_shard_split_t s;
        int i, pbase = 0, cbase = 0, psum = 0;
        double rate = 0;
        static const int want_p[] = {3, 3, 2, 2}, want_c[] = {1, 1, 0, 0};
        (void)state;

        kp_workload_cfg_defaults(&w);
        w.producers = 10;
        w.consumers = 2;
        w.rate = 1000;
        for (i = 0; i < 4; i++) {
                kp_shard_split(&w, 4, i, &s);
                assert_int_equal(s.producers, want_p[i]);
                assert_int_equal(s.consumers, want_c[i]);
                assert_int_equal(s.producer_base, pbase);
                assert_int_equal(s.consumer_base, cbase);
                pbase += s.producers;
                cbase += s.consumers;
                psum += s.producers;
                rate += s.rate;
        }
        assert_int_equal(psum, 10);
        assert_true(rate > 999.999 && rate < 1000.001);
}

static void test_plan(void **state)
{
        kp_shard_plan_t p = {4,
                             "failover",
                             "kproof-t",
                             3,
                             0xdeadbeef,
                             1700000000123456789LL,
                             "127.0.0.1:39092"},
                        q;
        kp_buf_t b;
        kp_err_t err;
        static const char bad[] = "{\"version\": 1, \"workers\": 4, \"partitions\": 3, \"nonce\": "
                                  "7, \"start_wall_ns\": 1, \"suite\": \"failover\"}";
        (void)state;

        kp_buf_init(&b, 1 << 16);
        assert_int_equal(kp_shard_plan_encode(&p, &b, &err), 0);
        assert_int_equal(kp_shard_plan_decode(b.data, b.len, "plan.json", &q, &err), 0);
        assert_int_equal(q.workers, 4);
        assert_int_equal(q.partitions, 3);
        assert_int_equal(q.nonce, 0xdeadbeef);
        assert_string_equal(q.topic, "kproof-t");
        assert_string_equal(q.suite, "failover");
        assert_string_equal(q.bootstrap, "127.0.0.1:39092");
        /* start_wall_ns travels as a JSON number: exact to the microsecond */
        assert_true(q.start_wall_ns / 1000 == p.start_wall_ns / 1000 ||
                    q.start_wall_ns / 1000 + 1 == p.start_wall_ns / 1000 ||
                    q.start_wall_ns / 1000 == p.start_wall_ns / 1000 + 1);
        kp_buf_free(&b);
        assert_int_equal(kp_shard_plan_decode(bad, sizeof(bad) - 1, "s/plan.json", &q, &err), -1);
        assert_non_null(strstr(err.msg, "s/plan.json: $.topic"));
}

/* Events of a small run: producers 0..3 write to 2 partitions, consumers
 * read. Shard 0 has producers 0-1 and consumer 0; shard 1 producers 2-3 and
 * consumer 1. Consumer 0 reads partition 0, consumer 1 partition 1, so each
 * reads the other shard's records. Producer 1 (shard 0) has its record at
 * partition 1 offset 1 skipped by consumer 1 (shard 1): a lost write. */
typedef struct ev {
        int producer; /* global */
        uint64_t seq;
        int32_t partition;
        int64_t offset;
} ev_t;

static const ev_t acks[] = {
    {0, 0, 0, 0}, {1, 0, 1, 0}, {2, 0, 0, 1}, {3, 0, 1, 1}, {0, 1, 0, 2},
    {1, 1, 1, 2}, {2, 1, 0, 3}, {3, 1, 1, 3}, {1, 2, 1, 4},
};

static int skipped(const ev_t *e)
{
        return e->producer == 1 && e->seq == 1; /* partition 1 offset 2 */
}

/* Fills h as shard `shard` of 2 (shard -1: everything in one history). */
static void record(kp_history_t *h, int shard, int64_t t0)
{
        size_t i;
        int64_t t = t0;

        kp_history_assigned(h, 0, t);
        if (shard < 0)
                kp_history_assigned(h, 1, t);
        for (i = 0; i < sizeof(acks) / sizeof(acks[0]); i++) {
                const ev_t *e = &acks[i];
                int mine = shard < 0 || e->producer / 2 == shard;
                int reader = e->partition; /* consumer 0 reads p0, consumer 1 p1 */
                t += KP_NS_PER_MS;
                if (mine)
                        kp_history_produced(h, shard < 0 ? e->producer : e->producer % 2, e->seq,
                                            e->partition, e->offset, 0, t - 300000, t);
                if ((shard < 0 || reader == shard) && !skipped(e))
                        kp_history_consumed(h, shard < 0 ? reader : 0, e->producer, e->seq,
                                            e->partition, e->offset, t - 300000, t + 50000);
        }
}

static uint8_t *encode_shard(int shard, int64_t t0, size_t *len)
{
        kp_err_t err;
        kp_history_t *h = kp_history_new(2, 1, 2, 1000, &err);
        kp_workload_results_t wr;
        kp_workload_slot_t slots[3];
        kp_hist_t ack, e2e;
        kp_shard_result_t meta;
        kp_buf_t b;
        int i;

        assert_non_null(h);
        record(h, shard, t0);
        memset(&wr, 0, sizeof(wr));
        assert_int_equal(kp_hist_init(&ack, 7, 3600000000000ULL), 0);
        assert_int_equal(kp_hist_init(&e2e, 7, 3600000000000ULL), 0);
        for (i = 0; i < 10; i++)
                kp_hist_record(&ack, 1000000 + (uint64_t)shard * 5000000);
        kp_hist_record(&e2e, 2000000);
        wr.ack_hist = &ack;
        wr.e2e_hist = &e2e;
        wr.ledger.sent = 4 + (uint64_t)(shard == 0);
        wr.ledger.acked = wr.ledger.sent;
        wr.drained = 1;
        wr.target_rate = 100;
        memset(slots, 0, sizeof(slots));
        for (i = 0; i < 3; i++) {
                slots[i].sent = 10 + (uint64_t)i;
                slots[i].p99_ack_us = 100 * (uint64_t)(shard + 1);
        }
        memset(&meta, 0, sizeof(meta));
        meta.index = shard;
        meta.workers = 2;
        meta.producer_base = 2 * shard;
        meta.consumer_base = shard;
        meta.start_wall_ns = kp_wall_ns();
        kp_buf_init(&b, 1 << 24);
        assert_int_equal(
            kp_shard_result_encode(&meta, &wr, slots, shard == 0 ? 3 : 2, KP_NS_PER_S, h, &b, &err),
            0);
        kp_hist_release(&ack);
        kp_hist_release(&e2e);
        kp_history_free(h);
        *len = b.len;
        return (uint8_t *)kp_buf_detach(&b);
}

static void judge(const kp_history_t *h, kp_checker_result_t *r)
{
        kp_checker_opts_t o = {kp_checker_allow_for_profile(KP_PROFILE_SAFE), 0};
        kp_err_t err;

        assert_int_equal(kp_checker_run(h, &o, r, &err), 0);
        assert_true(r->complete);
}

static void test_merge_equals_single(void **state)
{
        kp_shard_result_t *res[2];
        kp_shard_merged_t m;
        kp_history_t *single, *merged;
        kp_checker_result_t *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
        int64_t t0 = kp_mono_ns();
        kp_err_t err;
        size_t len;
        int i, k;
        (void)state;

        for (i = 0; i < 2; i++) {
                uint8_t *blob = encode_shard(i, t0, &len);
                assert_int_equal(kp_shard_result_decode(blob, len, "mem", &res[i], &err), 0);
                assert_int_equal(res[i]->index, i);
                assert_int_equal(res[i]->producers, 2);
                assert_int_equal(res[i]->consumers, 1);
        }
        single = kp_history_new(4, 2, 2, 1000, &err);
        merged = kp_history_new(4, 2, 2, 1000, &err);
        assert_non_null(single);
        assert_non_null(merged);
        record(single, -1, t0);
        assert_int_equal(kp_shard_merge(res, 2, merged, kp_wall_ns() - kp_mono_ns(), &m, &err), 0);
        judge(single, a);
        judge(merged, b);
        assert_int_equal(a->count[KP_ANOM_LOST_WRITE], 1);
        for (k = 0; k < KP_ANOM__COUNT; k++)
                assert_int_equal(a->count[k], b->count[k]);
        assert_int_equal(a->records, b->records);
        assert_int_equal(a->acked, b->acked);
        assert_int_equal(a->consumed_unique, b->consumed_unique);
        /* the lost record is named with its global producer id */
        assert_int_equal(b->examples[KP_ANOM_LOST_WRITE][0].producer, 1);
        assert_int_equal(b->examples[KP_ANOM_LOST_WRITE][0].seq, 1);
        for (i = 0; i < kp_history_logs(single); i++)
                assert_int_equal(kp_history_count(single, i), kp_history_count(merged, i));
        /* histograms added, timelines summed (p99: the larger), counters added */
        assert_int_equal(m.ack.total, 20);
        assert_int_equal(m.e2e.total, 2);
        assert_int_equal(m.n_slots, 3);
        assert_int_equal(m.slots[0].sent, 20);
        assert_int_equal(m.slots[2].sent, 12);
        assert_int_equal(m.slots[0].p99_ack_us, 200);
        assert_int_equal(m.results.ledger.sent, 9);
        assert_true(m.results.target_rate > 199.9 && m.results.target_rate < 200.1);
        kp_shard_merged_release(&m);
        /* the events were lent to `merged`: a second merge is refused */
        {
                kp_history_t *h3 = kp_history_new(4, 2, 2, 1000, &err);
                assert_int_equal(kp_shard_merge(res, 2, h3, 0, &m, &err), -1);
                assert_non_null(strstr(err.msg, "shard 0: already merged"));
                kp_shard_merged_release(&m);
                kp_history_free(h3);
        }
        /* an adopted log takes no more events */
        kp_history_consumed(merged, 0, 0, 9, 0, 9, t0, t0);
        assert_int_equal(kp_history_count(merged, 4), kp_history_count(single, 4));
        assert_int_equal(kp_history_dropped(merged), 1);

        /* out of order: the error names the shard */
        {
                kp_shard_result_t *swapped[2] = {res[1], res[0]};
                kp_history_t *h3 = kp_history_new(4, 2, 2, 1000, &err);
                assert_int_equal(kp_shard_merge(swapped, 2, h3, 0, &m, &err), -1);
                assert_non_null(strstr(err.msg, "shard 0: result says shard 1 of 2"));
                kp_history_free(h3);
        }
        /* a shard whose history dropped events is refused */
        res[0]->merged = res[1]->merged = 0;
        res[1]->dropped = 3;
        {
                kp_history_t *h3 = kp_history_new(4, 2, 2, 1000, &err);
                assert_int_equal(kp_shard_merge(res, 2, h3, 0, &m, &err), -1);
                assert_non_null(strstr(err.msg, "shard 1: its history dropped 3 events"));
                kp_history_free(h3);
        }
        for (i = 0; i < 2; i++)
                kp_shard_result_free(res[i]);
        kp_history_free(single);
        kp_history_free(merged);
        free(a);
        free(b);
}

static void test_decode_damage(void **state)
{
        kp_shard_result_t *r = NULL;
        kp_err_t err;
        size_t len;
        uint8_t *blob = encode_shard(0, kp_mono_ns(), &len), *copy;
        (void)state;

        copy = malloc(len);
        memcpy(copy, blob, len);
        copy[len / 2] ^= 0x40;
        assert_int_equal(kp_shard_result_decode(copy, len, "s/shard-0000.kps", &r, &err), -1);
        assert_null(r);
        assert_non_null(strstr(err.msg, "s/shard-0000.kps: checksum mismatch"));
        copy = malloc(len);
        memcpy(copy, blob, len);
        assert_int_equal(kp_shard_result_decode(copy, len - 9, "t", &r, &err), -1);
        copy = malloc(8);
        memcpy(copy, "notshard", 8);
        assert_int_equal(kp_shard_result_decode(copy, 8, "u", &r, &err), -1);
        assert_non_null(strstr(err.msg, "u: not a kproof shard result"));
        assert_int_equal(kp_shard_result_decode(blob, len, "v", &r, &err), 0);
        kp_shard_result_free(r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_split),
            cmocka_unit_test(test_plan),
            cmocka_unit_test(test_merge_equals_single),
            cmocka_unit_test(test_decode_damage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
