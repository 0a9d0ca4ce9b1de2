/*
 * Rate accuracy of the workload engine on the embedded cluster: below
 * saturation every full second of the timeline holds the requested rate
 * within 2%, with several producers and consumers, and latency is measured
 * from the intended send time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kptest_embedded.h"

#include "config/config.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "platform/platform.h"
#include "util/timeutil.h"
#include "engine/workload.h"

typedef kpt_embedded_t fixture_t;

/* Runs a workload and checks every full one-second slot of the timeline. */
static void check_rate(fixture_t *f, const char *topic, double rate, int producers, int consumers)
{
        kp_workload_results_t r;
        const kp_workload_slot_t *tl;
        kp_workload_spec_t spec;
        kp_workload_cfg_t w;
        kp_workload_t *wl;
        kp_err_t err;
        int64_t slot_ns;
        size_t n, i, full;

        assert_int_equal(kp_platform_create_topic(f->plat, topic, 6, 0, NULL, &err), 0);
        kp_workload_cfg_defaults(&w);
        w.partitions = 6;
        w.message_bytes = 200;
        w.rate = rate;
        w.duration_ns = 5 * KP_NS_PER_S;
        w.producers = producers;
        w.consumers = consumers;
        w.linger_ms = 2;
        w.drain_timeout_ns = 20 * KP_NS_PER_S;
        memset(&spec, 0, sizeof(spec));
        spec.cfg = &w;
        spec.topic = topic;
        spec.profile = KP_PROFILE_RELAXED;
        wl = kp_workload_new(f->plat, &spec, &err);
        assert_non_null(wl);
        assert_int_equal(kp_workload_run(wl, &err), 0);
        kp_workload_results(wl, &r);
        tl = kp_workload_timeline(wl, &n, &slot_ns);
        assert_int_equal(slot_ns, KP_NS_PER_S);
        /* Slots 0..4 are whole seconds of the 5 s schedule. */
        full = (size_t)(w.duration_ns / slot_ns);
        assert_true(n >= full);
        print_message("  %s: largest send delay behind schedule %.1f ms\n", topic,
                      (double)r.max_send_lag_ns / 1e6);
        for (i = 0; i < full; i++) {
                double dev = ((double)tl[i].sent - rate) / rate;
                print_message("  %s second %zu: %llu sent (%+.2f%%), %llu acked, %llu consumed\n",
                              topic, i, (unsigned long long)tl[i].sent, dev * 100,
                              (unsigned long long)tl[i].acked, (unsigned long long)tl[i].consumed);
                if (dev > 0.02 || dev < -0.02) {
                        /* Records due in one second and sent in the next can only
                         * come from a send delayed across the boundary; a delay
                         * over 2% of a second means the process was not scheduled
                         * (machine overloaded), which no rate control can hide. */
                        assert_true(r.max_send_lag_ns > KP_NS_PER_S / 50);
                        print_message("  (tolerated: the producer thread was delayed %.1f ms "
                                      "by the machine)\n",
                                      (double)r.max_send_lag_ns / 1e6);
                }
        }
        /* After the schedule only records due just before its end and sent
         * late (a stall at the boundary), within the same tolerance. */
        for (i = full; i < n; i++)
                assert_true((double)tl[i].sent <= rate * 0.02 ||
                            r.max_send_lag_ns > KP_NS_PER_S / 50);
        assert_true(r.ledger.sent == (uint64_t)(rate * 5));
        assert_true(r.ledger.acked == r.ledger.sent);
        assert_true(r.drained);
        assert_true(r.ledger.consumed_unique == r.ledger.acked);
        /* Latency is measured from the intended time: positive, bounded. */
        assert_true(r.ack_hist->total == r.ledger.acked);
        assert_true(r.ack_hist->min > 0);
        /* The consumers read the clock at most once per record and reuse it
         * only for records taken without waiting: every consumed record has a
         * positive latency (a stale reading would make it 0), and records are
         * counted in the second they were read, which at this rate is the
         * second they were sent, give or take the boundary. */
        assert_true(r.e2e_hist->total == r.ledger.consumed_unique);
        assert_true(r.e2e_hist->min > 0);
        {
                uint64_t consumed = 0;
                for (i = 0; i < full; i++) {
                        consumed += tl[i].consumed;
                        assert_true((double)tl[i].consumed <= rate * 1.5);
                }
                assert_true((double)consumed >= 0.9 * rate * (double)full);
        }
        kp_workload_free(wl);
}

static void test_rate_one_producer(void **state)
{
        check_rate(*state, "rate-1p", 2000, 1, 1);
}

static void test_rate_several_producers(void **state)
{
        check_rate(*state, "rate-3p", 6000, 3, 2);
}

/* With max_records the producers stop after exactly that many records even
 * though the schedule would go on. */
static void test_max_records(void **state)
{
        fixture_t *f = *state;
        kp_workload_results_t r;
        kp_workload_spec_t spec;
        kp_workload_cfg_t w;
        kp_workload_t *wl;
        kp_err_t err;

        assert_int_equal(kp_platform_create_topic(f->plat, "rate-max", 3, 0, NULL, &err), 0);
        kp_workload_cfg_defaults(&w);
        w.partitions = 3;
        w.rate = 1e7;
        w.duration_ns = 600 * KP_NS_PER_S;
        w.producers = 2;
        w.consumers = 2;
        memset(&spec, 0, sizeof(spec));
        spec.cfg = &w;
        spec.topic = "rate-max";
        spec.max_records = 5000;
        spec.defer_consumers = 1;
        wl = kp_workload_new(f->plat, &spec, &err);
        assert_non_null(wl);
        assert_int_equal(kp_workload_start(wl, &err), 0);
        kp_workload_wait_produced(wl);
        assert_true(kp_workload_acked_now(wl) == 10000);
        assert_true(kp_workload_consumed_now(wl) == 0); /* consumers not started yet */
        assert_int_equal(kp_workload_start_consumers(wl, &err), 0);
        assert_int_equal(kp_workload_drain(wl, 30 * KP_NS_PER_S), 1);
        kp_workload_stop(wl);
        kp_workload_results(wl, &r);
        assert_true(r.ledger.sent == 10000);
        assert_true(r.ledger.consumed_unique == 10000);
        assert_true(kp_workload_consumed_now(wl) >= 10000);
        kp_workload_free(wl);
}

/* One workload of n records with group g on topic t, consumers running from
 * the start; returns its results through r. */
static void run_group(fixture_t *f, const char *t, const char *g, uint64_t n,
                      kp_workload_results_t *r)
{
        kp_workload_spec_t spec;
        kp_workload_cfg_t w;
        kp_workload_t *wl;
        kp_err_t err;

        kp_workload_cfg_defaults(&w);
        w.partitions = 3;
        w.rate = 1e7;
        w.duration_ns = 600 * KP_NS_PER_S;
        w.producers = 1;
        w.consumers = 1;
        memset(&spec, 0, sizeof(spec));
        spec.cfg = &w;
        spec.topic = t;
        spec.group_id = g;
        spec.max_records = n;
        wl = kp_workload_new(f->plat, &spec, &err);
        assert_non_null(wl);
        assert_int_equal(kp_workload_start(wl, &err), 0);
        kp_workload_wait_produced(wl);
        assert_int_equal(kp_workload_drain(wl, 30 * KP_NS_PER_S), 1);
        kp_workload_stop(wl);
        kp_workload_results(wl, r);
        kp_workload_free(wl);
}

/* Commits, for group g, the end of every partition of topic t (a consumer
 * with no subscription: the commit needs no group membership). */
static void commit_end(fixture_t *f, const char *t, int partitions, const char *g)
{
        rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
        kp_kvlist_t props = {0};
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        kp_err_t err;
        int p;

        kp_platform_client_props(f->plat, KP_PROFILE_DEFAULT, 0, NULL, &props);
        kp_kvlist_set(&props, "group.id", g);
        conf = kp_kafka_conf_new(&props, &err);
        assert_non_null(conf);
        rk = kp_kafka_new(RD_KAFKA_CONSUMER, conf, &err);
        assert_non_null(rk);
        for (p = 0; p < partitions; p++) {
                int64_t lo = -1, hi = -1;
                assert_int_equal(kp_kafka_watermarks(rk, t, p, &lo, &hi, 10000, &err), 0);
                rd_kafka_topic_partition_list_add(parts, t, p)->offset = hi;
        }
        assert_int_equal(rd_kafka_commit(rk, parts, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
        rd_kafka_topic_partition_list_destroy(parts);
        rd_kafka_destroy(rk);
        kp_kvlist_clear(&props);
}

/* The engine looks up where a newly assigned partition starts itself (its
 * committed offset, else auto.offset.reset): a group with committed offsets
 * at the end of the topic reads none of the records already there (they
 * would count as foreign: another run's nonce); a fresh group reads them. */
static void test_group_starts_at_committed_offset(void **state)
{
        fixture_t *f = *state;
        kp_workload_results_t r;
        kp_err_t err;

        assert_int_equal(kp_platform_create_topic(f->plat, "rate-committed", 3, 0, NULL, &err), 0);
        run_group(f, "rate-committed", "kp-test-first", 2000, &r);
        assert_true(r.ledger.consumed_unique == 2000);
        assert_true(r.foreign == 0);
        commit_end(f, "rate-committed", 3, "kp-test-committed");
        run_group(f, "rate-committed", "kp-test-committed", 1000, &r);
        assert_true(r.ledger.consumed_unique == 1000);
        assert_true(r.foreign == 0);
        run_group(f, "rate-committed", "kp-test-fresh", 500, &r);
        assert_true(r.ledger.consumed_unique == 500);
        /* 3,000 unless the mock cluster lost some (it does, rarely). */
        print_message("  fresh group: %llu foreign records\n", (unsigned long long)r.foreign);
        assert_true(r.foreign > 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_rate_one_producer),
            cmocka_unit_test(test_rate_several_producers),
            cmocka_unit_test(test_max_records),
            cmocka_unit_test(test_group_starts_at_committed_offset),
        };

        if (getenv("KP_TEST_FILTER"))
                cmocka_set_test_filter(getenv("KP_TEST_FILTER"));
        return cmocka_run_group_tests(tests, kpt_embedded_setup, kpt_embedded_teardown);
}
