/*
 * The ledger's packed storage: every state, partition and offset a workload
 * can produce reads back exactly through kp_ledger_get, consumption
 * classification still tells first, repeat, other-offset and pending apart,
 * the summary counts them, and the ledger holds 12 bytes per record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/ledger.h"

static void test_round_trip(void **state)
{
        static const struct {
                int32_t partition;
                int64_t offset;
        } cases[] = {{0, 0},
                     {1, 1},
                     {16381, 0},
                     {7, ((int64_t)1 << 47)},
                     {9999, ((int64_t)1 << 48) - 3},
                     {3, 123456789012LL}};
        kp_ledger_t *lg;
        kp_ledger_entry_t e;
        kp_err_t err;
        uint64_t i, n = sizeof(cases) / sizeof(cases[0]);
        (void)state;

        lg = kp_ledger_new(2, 16382, 100, &err);
        assert_non_null(lg);
        for (i = 0; i < n; i++) {
                assert_int_equal(kp_ledger_on_send(lg, 1, i), 0);
                assert_int_equal(kp_ledger_get(lg, 1, i, &e), 0);
                assert_int_equal(e.state, KP_LS_SENT);
                assert_int_equal(e.partition, -1);
                assert_true(e.offset == -1);
                kp_ledger_on_ack(lg, 1, i, cases[i].partition, cases[i].offset);
                assert_int_equal(kp_ledger_get(lg, 1, i, &e), 0);
                assert_int_equal(e.state, KP_LS_ACKED);
                assert_int_equal(e.partition, cases[i].partition);
                assert_true(e.offset == cases[i].offset);
                assert_int_equal(e.consumed, 0);
        }
        assert_int_equal(kp_ledger_on_send(lg, 1, n), 0);
        kp_ledger_on_ack_error(lg, 1, n);
        assert_int_equal(kp_ledger_get(lg, 1, n, &e), 0);
        assert_int_equal(e.state, KP_LS_FAILED);
        assert_int_equal(kp_ledger_get(lg, 1, n + 1, &e), -1); /* not reserved */
        assert_int_equal(kp_ledger_get(lg, 0, 0, &e), -1);
        assert_null(kp_ledger_new(1, 16383, 10, &err)); /* beyond the packed partition field */
        kp_ledger_free(lg);
}

static void test_consume_classes(void **state)
{
        kp_ledger_summary_t s;
        kp_ledger_entry_t e;
        kp_ledger_t *lg;
        kp_err_t err;
        uint64_t i;
        (void)state;

        lg = kp_ledger_new(1, 4, 10, &err);
        assert_non_null(lg);
        for (i = 0; i < 6; i++)
                assert_int_equal(kp_ledger_on_send(lg, 0, i), 0);
        assert_int_equal(kp_ledger_on_send(lg, 0, 7), -1); /* not the next one */
        for (i = 0; i < 5; i++)
                kp_ledger_on_ack(lg, 0, i, 2, (int64_t)(100 + i));
        assert_int_equal(kp_ledger_on_consume(lg, 0, 0, 2, 100), KP_LEDGER_FIRST);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 0, 2, 100), KP_LEDGER_REPEAT);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 1, 3, 101), KP_LEDGER_DIFFERENT);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 2, 2, 999), KP_LEDGER_DIFFERENT);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 5, 1, 7), KP_LEDGER_PENDING);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 9, 1, 7), KP_LEDGER_UNKNOWN);
        kp_ledger_on_ack(lg, 0, 5, 1, 7);
        assert_int_equal(kp_ledger_verify(lg, 0, 5, 1, 7), KP_LEDGER_FIRST);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 4, 2, 104), KP_LEDGER_FIRST);
        assert_int_equal(kp_ledger_get(lg, 0, 0, &e), 0);
        assert_int_equal(e.consumed, 2);
        assert_int_equal(kp_ledger_get(lg, 0, 1, &e), 0);
        assert_true(e.cflags & KP_LC_OTHER_OFFSET);
        assert_int_equal(kp_ledger_get(lg, 0, 5, &e), 0);
        assert_true(e.cflags & KP_LC_BEFORE_ACK);
        assert_true(kp_ledger_max_consumed(lg, 2) == 999);

        kp_ledger_summarize(lg, &s);
        assert_int_equal(s.sent, 6);
        assert_int_equal(s.acked, 6);
        assert_int_equal(s.consumed_unique, 5); /* 0, 1, 2, 4, 5 */
        assert_int_equal(s.redelivered, 1);
        assert_int_equal(s.other_offset, 2);
        assert_int_equal(s.acked_unconsumed, 1); /* seq 3 at offset 103 ... */
        assert_int_equal(s.skipped, 1);          /* ... below 999 read in partition 2 */
        kp_ledger_free(lg);
}

static void test_bytes_per_record(void **state)
{
        kp_ledger_t *lg;
        kp_err_t err;
        uint64_t i, n = 4 * KP_LEDGER_CHUNK;
        (void)state;

        lg = kp_ledger_new(1, 6, n, &err);
        assert_non_null(lg);
        for (i = 0; i < n; i++)
                assert_int_equal(kp_ledger_on_send(lg, 0, i), 0);
        assert_true(kp_ledger_bytes(lg) >= n * 12);
        assert_true(kp_ledger_bytes(lg) < n * 12 + 4096);
        kp_ledger_free(lg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_round_trip),
            cmocka_unit_test(test_consume_classes),
            cmocka_unit_test(test_bytes_per_record),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
