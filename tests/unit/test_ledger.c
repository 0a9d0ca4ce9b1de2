/* Unit tests of ledger: send/ack/consume classification, duplicates,
 * verification of early consumption, the summary's lost/unseen/duplicate
 * counts, per-partition high-water marks, memory per entry, and concurrent
 * producers and consumers. */
#include "kptest.h"

#include <pthread.h>

#include "engine/ledger.h"

static kp_ledger_t *new_ledger(int producers, int partitions, uint64_t max)
{
        kp_err_t err;
        kp_ledger_t *lg = kp_ledger_new(producers, partitions, max, &err);

        assert_non_null(lg);
        return lg;
}

static void test_invalid_sizes(void **state)
{
        kp_err_t err;

        (void)state;
        assert_null(kp_ledger_new(0, 1, 10, &err));
        assert_int_equal(err.code, KP_EINVAL);
        assert_null(kp_ledger_new(1, 0, 10, &err));
        assert_null(kp_ledger_new(1, 1, 0, &err));
        assert_null(kp_ledger_new(65536, 1, 10, &err));
        assert_contains(err.msg, "ledger");
        kp_ledger_free(NULL);
}

static void test_send_in_order_and_bounded(void **state)
{
        kp_ledger_t *lg = new_ledger(2, 1, 10);
        kp_ledger_entry_t e;
        uint64_t s;

        (void)state;
        assert_int_equal(kp_ledger_producers(lg), 2);
        assert_int_equal(kp_ledger_partitions(lg), 1);
        assert_int_equal(kp_ledger_on_send(lg, 0, 1), -1); /* not the next one */
        assert_int_equal(kp_ledger_get(lg, 0, 0, &e), -1);
        for (s = 0; s < 10; s++)
                assert_int_equal(kp_ledger_on_send(lg, 0, s), 0);
        assert_int_equal(kp_ledger_on_send(lg, 0, 9), -1);  /* repeated */
        assert_int_equal(kp_ledger_on_send(lg, 0, 10), -1); /* full */
        assert_true(kp_ledger_count(lg, 0) == 10);
        assert_true(kp_ledger_count(lg, 1) == 0);
        assert_int_equal(kp_ledger_get(lg, 0, 9, &e), 0);
        assert_int_equal(e.state, KP_LS_SENT);
        assert_true(e.offset == -1);
        assert_int_equal(e.partition, -1);
        assert_int_equal(e.consumed, 0);
        assert_int_equal(kp_ledger_get(lg, 0, 10, &e), -1);
        assert_int_equal(kp_ledger_get(lg, 1, 0, &e), -1);
        assert_int_equal(kp_ledger_get(lg, 2, 0, &e), -1);
        assert_int_equal(kp_ledger_get(lg, -1, 0, &e), -1);
        kp_ledger_free(lg);
}

static void test_consume_classification(void **state)
{
        kp_ledger_t *lg = new_ledger(1, 4, 100);
        kp_ledger_entry_t e;

        (void)state;
        assert_int_equal(kp_ledger_on_send(lg, 0, 0), 0);
        assert_int_equal(kp_ledger_on_send(lg, 0, 1), 0);
        assert_int_equal(kp_ledger_on_send(lg, 0, 2), 0);
        kp_ledger_on_ack(lg, 0, 0, 2, 40);
        kp_ledger_on_ack(lg, 0, 1, 2, 41);
        /* acks for records never sent are ignored */
        kp_ledger_on_ack(lg, 0, 50, 2, 99);
        kp_ledger_on_ack(lg, 7, 0, 2, 99);
        kp_ledger_on_ack_error(lg, 0, 51);

        assert_int_equal(kp_ledger_get(lg, 0, 0, &e), 0);
        assert_int_equal(e.state, KP_LS_ACKED);
        assert_int_equal(e.partition, 2);
        assert_true(e.offset == 40);

        assert_int_equal(kp_ledger_on_consume(lg, 0, 0, 2, 40), KP_LEDGER_FIRST);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 0, 2, 40), KP_LEDGER_REPEAT);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 0, 2, 40), KP_LEDGER_REPEAT);
        assert_int_equal(kp_ledger_get(lg, 0, 0, &e), 0);
        assert_int_equal(e.consumed, 3);
        assert_int_equal(e.cflags, 0);

        /* at another offset, or in another partition */
        assert_int_equal(kp_ledger_on_consume(lg, 0, 1, 2, 45), KP_LEDGER_DIFFERENT);
        assert_int_equal(kp_ledger_get(lg, 0, 1, &e), 0);
        assert_true(e.cflags & KP_LC_OTHER_OFFSET);
        assert_int_equal(kp_ledger_on_consume(lg, 0, 1, 3, 41), KP_LEDGER_DIFFERENT);

        /* before the acknowledgement was processed */
        assert_int_equal(kp_ledger_on_consume(lg, 0, 2, 1, 7), KP_LEDGER_PENDING);
        assert_int_equal(kp_ledger_verify(lg, 0, 2, 1, 7), KP_LEDGER_PENDING);
        assert_int_equal(kp_ledger_get(lg, 0, 2, &e), 0);
        assert_true(e.cflags & KP_LC_BEFORE_ACK);
        assert_int_equal(e.consumed, 1);
        kp_ledger_on_ack(lg, 0, 2, 1, 7);
        assert_int_equal(kp_ledger_verify(lg, 0, 2, 1, 7), KP_LEDGER_FIRST);
        assert_int_equal(kp_ledger_verify(lg, 0, 2, 1, 8), KP_LEDGER_DIFFERENT);
        assert_int_equal(kp_ledger_get(lg, 0, 2, &e), 0);
        assert_true(e.cflags & KP_LC_OTHER_OFFSET);

        /* records that do not exist in this run */
        assert_int_equal(kp_ledger_on_consume(lg, 0, 3, 0, 0), KP_LEDGER_UNKNOWN);
        assert_int_equal(kp_ledger_on_consume(lg, 1, 0, 0, 0), KP_LEDGER_UNKNOWN);
        assert_int_equal(kp_ledger_on_consume(lg, -1, 0, 0, 0), KP_LEDGER_UNKNOWN);
        assert_int_equal(kp_ledger_verify(lg, 0, 3, 0, 0), KP_LEDGER_UNKNOWN);
        kp_ledger_free(lg);
}

/* The consumption count saturates instead of wrapping to zero. */
static void test_consumed_saturates(void **state)
{
        kp_ledger_t *lg = new_ledger(1, 1, 1);
        kp_ledger_entry_t e;
        int i;

        (void)state;
        assert_int_equal(kp_ledger_on_send(lg, 0, 0), 0);
        kp_ledger_on_ack(lg, 0, 0, 0, 0);
        for (i = 0; i < 70000; i++)
                kp_ledger_on_consume(lg, 0, 0, 0, 0);
        assert_int_equal(kp_ledger_get(lg, 0, 0, &e), 0);
        assert_int_equal(e.consumed, 65535);
        kp_ledger_free(lg);
}

static void test_max_consumed(void **state)
{
        kp_ledger_t *lg = new_ledger(1, 3, 10);
        uint64_t s;

        (void)state;
        for (s = 0; s < 5; s++) {
                assert_int_equal(kp_ledger_on_send(lg, 0, s), 0);
                kp_ledger_on_ack(lg, 0, s, 1, (int64_t)s * 10);
        }
        assert_true(kp_ledger_max_consumed(lg, 0) == -1);
        assert_true(kp_ledger_max_consumed(lg, 1) == -1);
        kp_ledger_on_consume(lg, 0, 3, 1, 30);
        kp_ledger_on_consume(lg, 0, 1, 1, 10); /* lower offsets never lower it */
        assert_true(kp_ledger_max_consumed(lg, 1) == 30);
        kp_ledger_on_consume(lg, 0, 4, 1, 40);
        assert_true(kp_ledger_max_consumed(lg, 1) == 40);
        assert_true(kp_ledger_max_consumed(lg, 0) == -1);
        assert_true(kp_ledger_max_consumed(lg, 2) == -1);
        assert_true(kp_ledger_max_consumed(lg, 3) == -1);
        assert_true(kp_ledger_max_consumed(lg, -1) == -1);
        /* an unknown record does not move the mark */
        kp_ledger_on_consume(lg, 0, 9, 1, 1000);
        assert_true(kp_ledger_max_consumed(lg, 1) == 40);
        /* a partition outside the ledger is ignored, not written */
        assert_int_equal(kp_ledger_on_consume(lg, 0, 0, 7, 0), KP_LEDGER_DIFFERENT);
        kp_ledger_free(lg);
}

/* A small run with every outcome; the summary counts each of them. */
static void test_summary(void **state)
{
        kp_ledger_t *lg = new_ledger(2, 2, 100);
        kp_ledger_summary_t s;
        uint64_t q;

        (void)state;
        /* producer 0: records 0..5 acked in partition 0 at offsets 0..5,
         * 6 failed, 7 no report; records 8, 9 acked in partition 1. */
        for (q = 0; q < 10; q++)
                assert_int_equal(kp_ledger_on_send(lg, 0, q), 0);
        for (q = 0; q < 6; q++)
                kp_ledger_on_ack(lg, 0, q, 0, (int64_t)q);
        kp_ledger_on_ack_error(lg, 0, 6);
        kp_ledger_on_ack(lg, 0, 8, 1, 0);
        kp_ledger_on_ack(lg, 0, 9, 1, 1);
        /* producer 1: one record, acked, consumed once */
        assert_int_equal(kp_ledger_on_send(lg, 1, 0), 0);
        kp_ledger_on_ack(lg, 1, 0, 1, 2);

        kp_ledger_on_consume(lg, 0, 0, 0, 0);
        kp_ledger_on_consume(lg, 0, 1, 0, 1);
        kp_ledger_on_consume(lg, 0, 1, 0, 1); /* duplicate */
        kp_ledger_on_consume(lg, 0, 2, 0, 2);
        kp_ledger_on_consume(lg, 0, 4, 0, 4); /* 3 is skipped: lost */
        /* 5 (offset 5) is beyond what was read in partition 0: unseen */
        kp_ledger_on_consume(lg, 0, 6, 1, 3); /* failed, yet written */
        kp_ledger_on_consume(lg, 0, 7, 1, 4); /* in doubt, written */
        kp_ledger_on_consume(lg, 0, 8, 1, 5); /* other offset */
        /* 9 (partition 1 offset 1) is below offset 5: lost */
        kp_ledger_on_consume(lg, 1, 0, 1, 2);

        kp_ledger_summarize(lg, &s);
        assert_int_equal(s.sent, 11);
        assert_int_equal(s.acked, 9);
        assert_int_equal(s.failed, 1);
        assert_int_equal(s.in_doubt, 1);
        assert_int_equal(s.consumed_unique, 8);
        assert_int_equal(s.redelivered, 1);
        assert_int_equal(s.other_offset, 1);
        assert_int_equal(s.acked_unconsumed, 3); /* 3, 5, 9 */
        assert_int_equal(s.skipped, 2);          /* 3, 9 */
        assert_int_equal(s.failed_but_consumed, 1);
        assert_true(kp_ledger_max_consumed(lg, 0) == 4);
        assert_true(kp_ledger_max_consumed(lg, 1) == 5);
        kp_ledger_free(lg);
}

struct visit {
        int n;
        int last_producer;
        uint64_t last_seq;
        int ordered;
};

static void visit_fn(void *opaque, int producer, uint64_t seq, const kp_ledger_entry_t *e)
{
        struct visit *v = opaque;

        if (v->n && (producer < v->last_producer ||
                     (producer == v->last_producer && seq != v->last_seq + 1)))
                v->ordered = 0;
        if (e->state != KP_LS_ACKED || e->offset != (int64_t)seq)
                v->ordered = 0;
        v->last_producer = producer;
        v->last_seq = seq;
        v->n++;
}

/* Entries span chunks; foreach visits every one in (producer, seq) order. */
static void test_foreach_across_chunks(void **state)
{
        uint64_t n = KP_LEDGER_CHUNK + 10, q;
        kp_ledger_t *lg = new_ledger(3, 1, n);
        struct visit v = {0, 0, 0, 1};
        int p;

        (void)state;
        for (p = 0; p < 3; p += 2)
                for (q = 0; q < n; q++) {
                        assert_int_equal(kp_ledger_on_send(lg, p, q), 0);
                        kp_ledger_on_ack(lg, p, q, 0, (int64_t)q);
                }
        kp_ledger_foreach(lg, visit_fn, &v);
        assert_int_equal(v.n, 2 * (int)n);
        assert_true(v.ordered);
        assert_int_equal(v.last_producer, 2);
        assert_true(v.last_seq == n - 1);
        kp_ledger_free(lg);
}

/* Memory: at most 16 bytes per tracked record; each filled chunk adds the same
 * number of bytes per record, and the fixed part is small, so a large ledger
 * stays within that per-record size plus a fraction of a percent. */
static void test_bytes_per_entry(void **state)
{
        uint64_t n = 16 * KP_LEDGER_CHUNK, q;
        kp_ledger_t *lg = new_ledger(1, 64, n);
        size_t empty, half, full, per;

        (void)state;
        empty = kp_ledger_bytes(lg);
        assert_true(empty < 4096);
        for (q = 0; q < n / 2; q++)
                assert_int_equal(kp_ledger_on_send(lg, 0, q), 0);
        half = kp_ledger_bytes(lg);
        per = (half - empty) / (n / 2);
        assert_true(per >= 8 && per <= 16);
        assert_int_equal(half - empty, (n / 2) * per);
        for (; q < n; q++)
                assert_int_equal(kp_ledger_on_send(lg, 0, q), 0);
        full = kp_ledger_bytes(lg);
        assert_int_equal(full - empty, n * per);
        assert_true((double)full / (double)n <= (double)per + 0.01);
        kp_ledger_free(lg);
}

#define CP_PRODUCERS 4
#define CP_RECORDS   100000
#define CP_LAG       64

struct cp {
        kp_ledger_t *lg;
        int id;
        int errors;
        uint64_t pending;
        uint64_t first;
};

/* Producer p writes to partition p at offset seq, acknowledging CP_LAG
 * records behind its sends so consumers see unacknowledged records too. */
static void *producer_thread(void *arg)
{
        struct cp *c = arg;
        uint64_t q;

        for (q = 0; q < CP_RECORDS; q++) {
                if (kp_ledger_on_send(c->lg, c->id, q) < 0)
                        c->errors++;
                if (q >= CP_LAG)
                        kp_ledger_on_ack(c->lg, c->id, q - CP_LAG, c->id, (int64_t)(q - CP_LAG));
        }
        for (q = CP_RECORDS - CP_LAG; q < CP_RECORDS; q++)
                kp_ledger_on_ack(c->lg, c->id, q, c->id, (int64_t)q);
        return NULL;
}

/* Each consumer reads every record of every producer once, as soon as it is
 * reserved; PENDING ones are verified after the producers finish. */
static void *consumer_thread(void *arg)
{
        struct cp *c = arg;
        uint64_t next[CP_PRODUCERS] = {0}, done = 0;
        int p;

        while (done < (uint64_t)CP_PRODUCERS * CP_RECORDS) {
                for (p = 0; p < CP_PRODUCERS; p++) {
                        uint64_t n = kp_ledger_count(c->lg, p);
                        for (; next[p] < n; next[p]++, done++) {
                                kp_ledger_consume_t r =
                                    kp_ledger_on_consume(c->lg, p, next[p], p, (int64_t)next[p]);
                                if (r == KP_LEDGER_PENDING)
                                        c->pending++;
                                else if (r == KP_LEDGER_FIRST)
                                        c->first++;
                                else if (r != KP_LEDGER_REPEAT)
                                        c->errors++;
                        }
                }
        }
        return NULL;
}

static void count_consumed(void *opaque, int producer, uint64_t seq, const kp_ledger_entry_t *e)
{
        int *bad = opaque;

        (void)producer;
        (void)seq;
        if (e->consumed != 2 || e->state != KP_LS_ACKED)
                (*bad)++;
}

static void test_concurrent(void **state)
{
        kp_ledger_t *lg = new_ledger(CP_PRODUCERS, CP_PRODUCERS, CP_RECORDS);
        pthread_t pt[CP_PRODUCERS], ct[2];
        struct cp pc[CP_PRODUCERS], cc[2];
        kp_ledger_summary_t s;
        uint64_t q;
        int i, p, bad = 0;

        (void)state;
        for (i = 0; i < 2; i++) {
                memset(&cc[i], 0, sizeof(cc[i]));
                cc[i].lg = lg;
                assert_int_equal(pthread_create(&ct[i], NULL, consumer_thread, &cc[i]), 0);
        }
        for (i = 0; i < CP_PRODUCERS; i++) {
                memset(&pc[i], 0, sizeof(pc[i]));
                pc[i].lg = lg;
                pc[i].id = i;
                assert_int_equal(pthread_create(&pt[i], NULL, producer_thread, &pc[i]), 0);
        }
        for (i = 0; i < CP_PRODUCERS; i++) {
                pthread_join(pt[i], NULL);
                assert_int_equal(pc[i].errors, 0);
        }
        for (i = 0; i < 2; i++) {
                pthread_join(ct[i], NULL);
                assert_int_equal(cc[i].errors, 0);
        }
        /* every PENDING consumption verifies now that acks are in */
        for (p = 0; p < CP_PRODUCERS; p++)
                for (q = 0; q < CP_RECORDS; q++)
                        if (kp_ledger_verify(lg, p, q, p, (int64_t)q) != KP_LEDGER_FIRST)
                                bad++;
        assert_int_equal(bad, 0);
        kp_ledger_foreach(lg, count_consumed, &bad);
        assert_int_equal(bad, 0);
        kp_ledger_summarize(lg, &s);
        assert_int_equal(s.sent, CP_PRODUCERS * CP_RECORDS);
        assert_int_equal(s.acked, CP_PRODUCERS * CP_RECORDS);
        assert_int_equal(s.consumed_unique, CP_PRODUCERS * CP_RECORDS);
        assert_int_equal(s.redelivered, CP_PRODUCERS * CP_RECORDS);
        assert_int_equal(s.other_offset, 0);
        assert_int_equal(s.acked_unconsumed, 0);
        /* exactly one of the two consumptions of each record came first */
        assert_true(cc[0].first + cc[1].first + cc[0].pending + cc[1].pending >=
                    (uint64_t)CP_PRODUCERS * CP_RECORDS);
        for (p = 0; p < CP_PRODUCERS; p++)
                assert_true(kp_ledger_max_consumed(lg, p) == CP_RECORDS - 1);
        kp_ledger_free(lg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_invalid_sizes),
            cmocka_unit_test(test_send_in_order_and_bounded),
            cmocka_unit_test(test_consume_classification),
            cmocka_unit_test(test_consumed_saturates),
            cmocka_unit_test(test_max_consumed),
            cmocka_unit_test(test_summary),
            cmocka_unit_test(test_foreach_across_chunks),
            cmocka_unit_test(test_bytes_per_entry),
            cmocka_unit_test(test_concurrent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
