/*
 * Failover measurements over synthetic histories: a partition whose writes
 * block for 2.5 s after a fault gets one unavailability episode of that
 * length attributed to the fault, the other partition none; throughput
 * recovers when the blocked writes complete; a partition that never gets a
 * successful write again is reported unrecovered; latency phases split at
 * the fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suites/failover/failover.h"
#include "util/timeutil.h"

#define MS KP_NS_PER_MS

/* 2 partitions, 100 records/s each for 10 s from start. Writes to partition
 * 0 intended in [3 s, 5.5 s) complete at 5.5 s; with never_back they fail
 * instead and nothing succeeds on partition 0 afterwards. */
static kp_history_t *make(int64_t *start, int never_back)
{
        kp_err_t err;
        kp_history_t *h = kp_history_new(1, 1, 2, 1 << 16, &err);
        uint64_t seq = 0;
        int64_t t, off[2] = {0, 0};
        int p;

        assert_non_null(h);
        *start = kp_history_origin_ns(h) + KP_NS_PER_S;
        for (t = 0; t < 10 * KP_NS_PER_S; t += 10 * MS) {
                for (p = 0; p < 2; p++) {
                        int64_t intended = *start + t, done = intended + 2 * MS;
                        if (p == 0 && t >= 3000 * MS && (never_back || t < 5500 * MS)) {
                                if (never_back) {
                                        kp_history_produced(h, 0, seq++, 0, -1, -192, intended,
                                                            intended + 1000 * MS);
                                        continue;
                                }
                                done = *start + 5500 * MS;
                        }
                        kp_history_produced(h, 0, seq++, p, off[p]++, 0, intended, done);
                }
        }
        return h;
}

static void test_blocked_partition(void **state)
{
        fo_fault_run_t run;
        fo_measure_t m;
        kp_fault_t f;
        int64_t start;
        kp_err_t err;
        kp_history_t *h = make(&start, 0);
        (void)state;

        memset(&run, 0, sizeof(run));
        memset(&f, 0, sizeof(f));
        run.f = &f;
        run.applied_ns = start + 3000 * MS;
        run.applied_end_ns = run.applied_ns;
        assert_int_equal(fo_measure(h, &run, 1, 2, 1, start, start + 10 * KP_NS_PER_S, 0, &m, &err),
                         0);
        assert_int_equal(m.blocked_ns, 500 * MS);
        assert_true(m.baseline_rate > 190 && m.baseline_rate < 210);
        assert_int_equal(m.n_episodes, 1);
        assert_int_equal(m.episodes[0].partition, 0);
        assert_int_equal(m.episodes[0].fault, 0);
        assert_true(m.episodes[0].recovered);
        /* from the first blocked write (intended at 3.0 s) to the next success (5.5 s) */
        assert_true(m.faults[0].unavail_s[0] > 2.45 && m.faults[0].unavail_s[0] < 2.55);
        assert_true(m.faults[0].unavail_s[1] == 0);
        assert_true(m.unavail_max_s > 2.45 && m.unavail_max_s < 2.55);
        /* half the throughput is gone until 5.5 s */
        assert_true(m.faults[0].recovered);
        assert_true(m.faults[0].recovery_s >= 2.4 && m.faults[0].recovery_s <= 2.7);
        assert_true(m.all_recovered);
        assert_true(m.during_end_ns >= start + 5500 * MS);
        fo_measure_release(&m);
        kp_history_free(h);
}

static void test_never_recovers(void **state)
{
        fo_fault_run_t run;
        fo_measure_t m;
        kp_fault_t f;
        int64_t start;
        kp_err_t err;
        kp_history_t *h = make(&start, 1);
        (void)state;

        memset(&run, 0, sizeof(run));
        memset(&f, 0, sizeof(f));
        run.f = &f;
        run.applied_ns = start + 3000 * MS;
        assert_int_equal(fo_measure(h, &run, 1, 2, 1, start, start + 10 * KP_NS_PER_S, 0, &m, &err),
                         0);
        assert_int_equal(m.n_episodes, 1);
        assert_false(m.episodes[0].recovered);
        assert_true(m.faults[0].unrecovered);
        assert_false(m.faults[0].recovered);
        assert_false(m.all_recovered);
        assert_true(m.faults[0].unavail_s[0] > 6.9);
        fo_measure_release(&m);
        kp_history_free(h);
}

static void test_no_fault_no_episode(void **state)
{
        fo_measure_t m;
        int64_t start;
        kp_err_t err;
        kp_history_t *h;
        (void)state;

        /* blocked writes without any fault are an episode attributed to none */
        h = make(&start, 0);
        assert_int_equal(
            fo_measure(h, NULL, 0, 2, 1, start, start + 10 * KP_NS_PER_S, 1000 * MS, &m, &err), 0);
        assert_int_equal(m.blocked_ns, 1000 * MS);
        assert_int_equal(m.n_episodes, 1);
        assert_int_equal(m.episodes[0].fault, -1);
        assert_true(m.unavail_max_s == 0);
        fo_measure_release(&m);
        kp_history_free(h);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_blocked_partition),
            cmocka_unit_test(test_never_recovers),
            cmocka_unit_test(test_no_fault_no_episode),
        };

        return cmocka_run_group_tests_name("failover_measure", tests, NULL, NULL);
}
