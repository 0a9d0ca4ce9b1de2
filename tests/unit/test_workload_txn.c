/*
 * The workload engine's transactional mode on the embedded cluster: every
 * producer writes transactions of exactly transaction_records records, the
 * share aborted follows abort_ratio, each end is in the history (first
 * record, count, outcome) for the checker, and an aborted transaction's
 * records are marked failed in the ledger so the drain does not wait for
 * them. (librdkafka's mock cluster writes no transaction markers, so what
 * consumers see of aborted records is judged on real Kafka only.)
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

#include "engine/checker.h"
#include "config/config.h"
#include "engine/history.h"
#include "util/log.h"
#include "platform/platform.h"
#include "util/timeutil.h"
#include "engine/workload.h"

typedef kpt_embedded_t fixture_t;

#define PRODUCERS 2
#define PER       300 /* records per producer */
#define K         10  /* records per transaction */

static void test_transactions(void **state)
{
        fixture_t *f = *state;
        kp_workload_results_t r;
        kp_workload_spec_t spec;
        kp_workload_cfg_t w;
        kp_workload_t *wl;
        kp_history_t *h;
        kp_checker_result_t *cr = calloc(1, sizeof(*cr));
        kp_checker_opts_t co = {0, 1};
        kp_err_t err;
        uint64_t ends = 0, aborted_ends = 0, i, n;
        int log;

        assert_non_null(cr);
        assert_int_equal(kp_platform_create_topic(f->plat, "txn-wl", 3, 0, NULL, &err), 0);
        h = kp_history_new(PRODUCERS, 1, 3, 100000, &err);
        assert_non_null(h);
        kp_workload_cfg_defaults(&w);
        w.partitions = 3;
        w.rate = 2000;
        w.duration_ns = 60 * KP_NS_PER_S;
        w.producers = PRODUCERS;
        w.consumers = 1;
        w.txn_records = K;
        w.abort_ratio = 0.25;
        memset(&spec, 0, sizeof(spec));
        spec.cfg = &w;
        spec.topic = "txn-wl";
        spec.profile = KP_PROFILE_SAFE;
        spec.max_records = PER;
        spec.history = h;
        wl = kp_workload_new(f->plat, &spec, &err);
        if (!wl)
                fail_msg("workload: %s", err.msg);
        assert_int_equal(kp_workload_start(wl, &err), 0);
        kp_workload_wait_produced(wl);
        assert_int_equal(kp_workload_drain(wl, 30 * KP_NS_PER_S), 1);
        kp_workload_stop(wl);
        kp_workload_results(wl, &r);
        print_message("  transactions: %llu committed, %llu aborted, %llu unknown\n",
                      (unsigned long long)r.txn_committed, (unsigned long long)r.txn_aborted,
                      (unsigned long long)r.txn_unknown);
        assert_int_equal(r.txn_committed + r.txn_aborted, PRODUCERS * PER / K);
        assert_int_equal(r.txn_unknown, 0);
        /* 60 draws at 25%: 3..30 holds with overwhelming probability */
        assert_true(r.txn_aborted >= 3 && r.txn_aborted <= 30);
        assert_int_equal(r.ledger.sent, PRODUCERS * PER);
        /* an aborted transaction's records are failed writes, not awaited */
        assert_int_equal(r.ledger.failed, r.txn_aborted * K);
        assert_int_equal(r.ledger.acked, PRODUCERS * PER - r.txn_aborted * K);

        /* the history: one end per transaction, K consecutive records each */
        for (log = 0; log < PRODUCERS; log++) {
                uint64_t k = 0, next = 0;
                const kp_hev_t *ev;
                while ((ev = kp_history_span(h, log, k, &n))) {
                        for (i = 0; i < n; i++) {
                                if (ev[i].kind != KP_HEV_TXN_END)
                                        continue;
                                assert_int_equal(KP_RID_PRODUCER(ev[i].rid), log);
                                assert_int_equal(KP_RID_SEQ(ev[i].rid), next);
                                assert_int_equal(ev[i].offset, K);
                                assert_true(ev[i].pad == KP_TXN_COMMITTED ||
                                            ev[i].pad == KP_TXN_ABORTED);
                                aborted_ends += ev[i].pad == KP_TXN_ABORTED;
                                next += K;
                                ends++;
                        }
                        k += n;
                }
                assert_int_equal(next, PER);
        }
        assert_int_equal(ends, PRODUCERS * PER / K);
        assert_int_equal(aborted_ends, r.txn_aborted);

        /* the checker sees the same transactions */
        assert_int_equal(kp_checker_run(h, &co, cr, &err), 0);
        assert_true(cr->complete);
        assert_int_equal(cr->transactions, ends);
        assert_int_equal(cr->txn_aborted, aborted_ends);
        assert_int_equal(cr->aborted, aborted_ends * K);
        assert_int_equal(cr->count[KP_ANOM_TORN_TRANSACTION], 0);
        assert_int_equal(cr->count[KP_ANOM_LOST_WRITE] + cr->count[KP_ANOM_UNSEEN], 0);
        kp_workload_free(wl);
        kp_history_free(h);
        free(cr);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_transactions),
        };

        return cmocka_run_group_tests(tests, kpt_embedded_setup, kpt_embedded_teardown);
}
