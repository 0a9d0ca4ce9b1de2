/*
 * The history checker against synthetic histories: for every anomaly kind a
 * history that contains it (the checker must report it, with an example
 * naming the record) and a clean variant (it must not), the allow-lists of
 * the client profiles, incomplete histories, and a history of millions of
 * records with one lost write hidden in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/checker.h"
#include "engine/history.h"
#include "util/timeutil.h"

#define NP    2 /* producers */
#define NC    2 /* consumers */
#define NPART 3

typedef struct fx {
        kp_history_t *h;
        int64_t t;
} fx_t;

static int setup(void **state)
{
        static fx_t f;
        kp_err_t err;

        f.h = kp_history_new(NP, NC, NPART, 1 << 20, &err);
        f.t = kp_mono_ns();
        *state = &f;
        return f.h ? 0 : -1;
}

static int teardown(void **state)
{
        fx_t *f = *state;

        kp_history_free(f->h);
        return 0;
}

static int64_t tick(fx_t *f)
{
        f->t += KP_NS_PER_MS;
        return f->t;
}

static void ack(fx_t *f, int producer, uint64_t seq, int32_t p, int64_t o)
{
        int64_t t = tick(f);
        kp_history_produced(f->h, producer, seq, p, o, 0, t - 500000, t);
}

static void read_(fx_t *f, int consumer, int producer, uint64_t seq, int32_t p, int64_t o)
{
        int64_t t = tick(f);
        kp_history_consumed(f->h, consumer, producer, seq, p, o, t - 900000, t);
}

/* A clean history: producer 0 writes seq 0..9 to partition 0 at offsets
 * 0..9, producer 1 writes seq 0..9 to partition 1; consumer 0 reads
 * partition 0 in order, consumer 1 partition 1. */
static void clean(fx_t *f)
{
        int i;

        kp_history_assigned(f->h, 0, tick(f));
        kp_history_assigned(f->h, 1, tick(f));
        for (i = 0; i < 10; i++) {
                ack(f, 0, (uint64_t)i, 0, i);
                ack(f, 1, (uint64_t)i, 1, i);
        }
        for (i = 0; i < 10; i++) {
                read_(f, 0, 0, (uint64_t)i, 0, i);
                read_(f, 1, 1, (uint64_t)i, 1, i);
        }
}

static void run(fx_t *f, kp_profile_t profile, kp_checker_result_t *r)
{
        kp_checker_opts_t o = {kp_checker_allow_for_profile(profile),
                               profile != KP_PROFILE_RELAXED};
        kp_err_t err;

        assert_int_equal(kp_checker_run(f->h, &o, r, &err), 0);
        assert_true(r->complete);
}

static uint64_t total(const kp_checker_result_t *r)
{
        uint64_t n = 0;
        int k;

        for (k = 0; k < KP_ANOM__COUNT; k++)
                n += r->count[k];
        return n;
}

static void only(const kp_checker_result_t *r, kp_anom_t kind, uint64_t n)
{
        int k;

        for (k = 0; k < KP_ANOM__COUNT; k++) {
                if (r->count[k] != (k == (int)kind ? n : 0))
                        fail_msg("%s: expected %llu, got %llu", kp_anom_names[k],
                                 (unsigned long long)(k == (int)kind ? n : 0),
                                 (unsigned long long)r->count[k]);
        }
}

static void test_clean(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.not_allowed, 0);
        assert_int_equal(r.acked, 20);
        assert_int_equal(r.consumed_unique, 20);
        assert_int_equal(r.consume_events, 20);
        assert_int_equal(r.records, 20);
}

static void test_lost_write(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        int i;

        /* partition 2: seq 0..4 at offsets 0..4, only 0,1,3,4 read by consumer 0
         * (consumer 1 has a separate assignment: re-assigned in between). */
        kp_history_assigned(f->h, 0, tick(f));
        for (i = 0; i < 5; i++)
                ack(f, 0, (uint64_t)i, 2, i);
        for (i = 0; i < 5; i++) {
                if (i == 2)
                        kp_history_assigned(f->h, 0, tick(f)); /* no poll-skip: reassigned */
                else
                        read_(f, 0, 0, (uint64_t)i, 2, i);
        }
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_LOST_WRITE, 1);
        assert_int_equal(r.n_examples[KP_ANOM_LOST_WRITE], 1);
        assert_int_equal(r.examples[KP_ANOM_LOST_WRITE][0].partition, 2);
        assert_int_equal(r.examples[KP_ANOM_LOST_WRITE][0].offset, 2);
        assert_int_equal(r.examples[KP_ANOM_LOST_WRITE][0].producer, 0);
        assert_int_equal(r.examples[KP_ANOM_LOST_WRITE][0].seq, 2);
        assert_false(r.allowed[KP_ANOM_LOST_WRITE]);
        assert_int_equal(r.not_allowed, 1);
}

static void test_lost_write_relaxed_allowed(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        test_lost_write(state);
        run(f, KP_PROFILE_RELAXED, &r);
        assert_int_equal(r.count[KP_ANOM_LOST_WRITE], 1);
        assert_true(r.allowed[KP_ANOM_LOST_WRITE]);
        assert_int_equal(r.not_allowed, 0);
}

static void test_unseen(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        ack(f, 0, 10, 0, 10); /* the last record of partition 0: nobody read past it */
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_UNSEEN, 1);
        assert_int_equal(r.examples[KP_ANOM_UNSEEN][0].offset, 10);
        assert_int_equal(r.examples[KP_ANOM_UNSEEN][0].seq, 10);
}

static void test_failed_not_lost(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        /* a failed delivery that was never read is not an anomaly; one that was
         * read anyway is counted, not judged */
        kp_history_produced(f->h, 0, 10, 0, -1, -185, tick(f) - 1000, tick(f));
        kp_history_produced(f->h, 0, 11, 0, -1, -185, tick(f) - 1000, tick(f));
        read_(f, 0, 0, 11, 0, 10);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.failed, 2);
        assert_int_equal(r.failed_but_read, 1);
}

static void test_duplicate(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        /* producer 0 seq 10 acknowledged at offset 11, also found at offset 10
         * (a retried batch written twice) */
        ack(f, 0, 10, 0, 11);
        read_(f, 0, 0, 10, 0, 10);
        read_(f, 0, 0, 10, 0, 11);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_DUPLICATE, 1);
        assert_int_equal(r.examples[KP_ANOM_DUPLICATE][0].producer, 0);
        assert_int_equal(r.examples[KP_ANOM_DUPLICATE][0].seq, 10);
        assert_int_equal(r.not_allowed, 1);
        run(f, KP_PROFILE_DEFAULT, &r);
        assert_true(r.allowed[KP_ANOM_DUPLICATE]);
        assert_int_equal(r.not_allowed, 0);
}

static void test_redelivery_not_duplicate(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        int i;

        clean(f);
        /* consumer 1 is reassigned partition 0 and reads it again: same offsets */
        kp_history_assigned(f->h, 1, tick(f));
        for (i = 0; i < 10; i++)
                read_(f, 1, 0, (uint64_t)i, 0, i);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.consume_events, 30);
}

/* The ledger summary counts "read at an offset other than acknowledged"
 * for three different shapes; the checker tells them apart. */

/* 1. A duplicate in the log: one record at two offsets. */
static void test_other_offset_duplicate_in_log(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        ack(f, 1, 10, 1, 10);
        read_(f, 1, 1, 10, 1, 10);
        read_(f, 1, 1, 10, 1, 11);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_DUPLICATE, 1);
        assert_int_equal(r.not_allowed, 1);
        assert_int_equal(r.acked_no_offset, 0);
}

/* 2. An acknowledgement without an offset (-1), the record read once at
 * its real offset: no anomaly, counted as acked_no_offset. */
static void test_other_offset_ack_without_offset(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        ack(f, 0, 10, 0, -1);
        ack(f, 0, 11, 0, 11);
        read_(f, 0, 0, 10, 0, 10);
        read_(f, 0, 0, 11, 0, 11);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.acked_no_offset, 1);
        assert_int_equal(r.acked, 22);
}

/* 3. A consumer re-read: after a reassignment the same consumer reads
 * offsets it had read before, at the same offsets: no anomaly. */
static void test_other_offset_consumer_reread(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        int i;

        clean(f);
        kp_history_assigned(f->h, 0, tick(f));
        for (i = 5; i < 10; i++)
                read_(f, 0, 0, (uint64_t)i, 0, i);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.consume_events, 25);
        assert_int_equal(r.consumed_unique, 20);
}

static void test_inconsistent_offsets(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        /* seq 10 acknowledged at offset 10, but consumer reads seq 11 there */
        ack(f, 0, 10, 0, 10);
        kp_history_produced(f->h, 0, 11, 0, -1, -185, tick(f) - 1000, tick(f));
        read_(f, 0, 0, 11, 0, 10);
        ack(f, 0, 12, 0, 11);
        read_(f, 0, 0, 12, 0, 11);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(r.count[KP_ANOM_INCONSISTENT_OFFSETS], 1);
        assert_int_equal(r.examples[KP_ANOM_INCONSISTENT_OFFSETS][0].offset, 10);
        assert_int_equal(r.examples[KP_ANOM_INCONSISTENT_OFFSETS][0].seq, 11);
        assert_non_null(strstr(r.examples[KP_ANOM_INCONSISTENT_OFFSETS][0].detail, "0/10"));
        /* the record that was acknowledged there was never read: lost */
        assert_int_equal(r.count[KP_ANOM_LOST_WRITE], 1);
        run(f, KP_PROFILE_RELAXED, &r);
        assert_int_equal(r.not_allowed, 0);
}

static void test_nonmonotonic_send(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        /* producer 0: seq 10 lands at offset 11, seq 11 (sent later) at offset 10 */
        ack(f, 0, 10, 0, 11);
        ack(f, 0, 11, 0, 10);
        read_(f, 0, 0, 11, 0, 10);
        read_(f, 0, 0, 10, 0, 11);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_NONMONOTONIC_SEND, 1);
        assert_int_equal(r.examples[KP_ANOM_NONMONOTONIC_SEND][0].seq, 11);
        assert_int_equal(r.examples[KP_ANOM_NONMONOTONIC_SEND][0].offset, 10);
        run(f, KP_PROFILE_DEFAULT, &r);
        assert_int_equal(r.not_allowed, 0);
}

static void test_nonmonotonic_poll(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        /* consumer 0 reads offset 5 of partition 0 again without a reassignment */
        read_(f, 0, 0, 5, 0, 5);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_NONMONOTONIC_POLL, 1);
        assert_int_equal(r.examples[KP_ANOM_NONMONOTONIC_POLL][0].offset, 5);
        assert_non_null(strstr(r.examples[KP_ANOM_NONMONOTONIC_POLL][0].detail, "after 9"));
        run(f, KP_PROFILE_RELAXED, &r);
        assert_int_equal(r.not_allowed, 1);
}

static void test_poll_after_reassign_ok(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        kp_history_assigned(f->h, 0, tick(f));
        read_(f, 0, 0, 5, 0, 5);
        read_(f, 0, 0, 6, 0, 6);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
}

static void test_poll_skip(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        int i;

        /* partition 0 offsets 0..5 all read by consumer 1; consumer 0 reads
         * 0,1 then jumps to 4 over the known offsets 2 and 3 */
        kp_history_assigned(f->h, 0, tick(f));
        kp_history_assigned(f->h, 1, tick(f));
        for (i = 0; i < 6; i++)
                ack(f, 0, (uint64_t)i, 0, i);
        for (i = 0; i < 6; i++)
                read_(f, 1, 0, (uint64_t)i, 0, i);
        read_(f, 0, 0, 0, 0, 0);
        read_(f, 0, 0, 1, 0, 1);
        read_(f, 0, 0, 4, 0, 4);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_POLL_SKIP, 1);
        assert_int_equal(r.examples[KP_ANOM_POLL_SKIP][0].offset, 4);
        assert_non_null(strstr(r.examples[KP_ANOM_POLL_SKIP][0].detail, "over 2 known"));
}

static void test_gap_without_records_ok(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        /* offsets 2 and 3 hold nothing known (e.g. transaction markers): no skip */
        kp_history_assigned(f->h, 0, tick(f));
        ack(f, 0, 0, 0, 0);
        ack(f, 0, 1, 0, 1);
        ack(f, 0, 2, 0, 4);
        read_(f, 0, 0, 0, 0, 0);
        read_(f, 0, 0, 1, 0, 1);
        read_(f, 0, 0, 2, 0, 4);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
}

static void test_aborted_read(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        kp_checker_opts_t o = {0, 1};
        kp_err_t err;

        clean(f);
        ack(f, 0, 10, 0, 10);
        kp_history_aborted(f->h, 0, 10, tick(f));
        ack(f, 0, 11, 0, 11);
        kp_history_aborted(f->h, 0, 11, tick(f));
        read_(f, 0, 0, 11, 0, 11); /* visible under read_committed: wrong */
        assert_int_equal(kp_checker_run(f->h, &o, &r, &err), 0);
        only(&r, KP_ANOM_ABORTED_READ, 1);
        assert_int_equal(r.examples[KP_ANOM_ABORTED_READ][0].seq, 11);
        assert_int_equal(r.aborted, 2);
        /* under read_uncommitted the read is still an aborted read (the
         * negative control of a read_uncommitted consumer), and skipping the
         * other aborted record is a skip; an unread aborted record is never
         * lost */
        o.read_committed = 0;
        assert_int_equal(kp_checker_run(f->h, &o, &r, &err), 0);
        assert_int_equal(r.count[KP_ANOM_ABORTED_READ], 1);
        assert_int_equal(r.count[KP_ANOM_POLL_SKIP], 1);
        assert_int_equal(total(&r), 2);
}

/* Transactions. A transaction of one producer: its records acknowledged at
 * (partition, offset) pairs, then its end (commit or abort requested at one
 * tick, done at the next). */
static void txn(fx_t *f, int producer, uint64_t first, int n, const int32_t *parts,
                const int64_t *offs, kp_txn_outcome_t outcome)
{
        int64_t begin;
        int i;

        for (i = 0; i < n; i++)
                ack(f, producer, first + (uint64_t)i, parts[i], offs[i]);
        begin = tick(f);
        kp_history_txn_end(f->h, producer, first, (uint32_t)n, outcome, begin, tick(f));
}

static void txn_read(fx_t *f, int producer, int rp, uint64_t rseq, int32_t p, int64_t o)
{
        kp_history_txn_read(f->h, producer, rp, rseq, p, o, tick(f));
}

static void test_txn_clean(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        const int32_t pa[] = {0, 1}, pb[] = {0, 1};
        const int64_t oa[] = {0, 0}, ob[] = {2, 2}, oc[] = {4, 4};

        /* three committed transactions of two records each over partitions 0
         * and 1; each commit marker takes an offset (1, 3, 5), which readers
         * jump over without a skip */
        txn(f, 0, 0, 2, pa, oa, KP_TXN_COMMITTED);
        txn(f, 0, 2, 2, pb, ob, KP_TXN_COMMITTED);
        txn(f, 1, 0, 2, pb, oc, KP_TXN_COMMITTED);
        read_(f, 0, 0, 0, 0, 0);
        read_(f, 0, 0, 2, 0, 2);
        read_(f, 0, 1, 0, 0, 4);
        read_(f, 1, 0, 1, 1, 0);
        read_(f, 1, 0, 3, 1, 2);
        read_(f, 1, 1, 1, 1, 4);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.transactions, 3);
        assert_int_equal(r.txn_committed, 3);
        assert_int_equal(r.acked, 6);
}

static void test_txn_aborted_read(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        const int32_t pa[] = {0, 1}, pb[] = {0, 1};
        const int64_t oa[] = {0, 0}, ob[] = {2, 2};

        txn(f, 0, 0, 2, pa, oa, KP_TXN_ABORTED);
        txn(f, 0, 2, 2, pb, ob, KP_TXN_COMMITTED);
        /* clean: under read_committed the aborted records are jumped over,
         * and never being read they are neither lost nor unseen */
        read_(f, 0, 0, 2, 0, 2);
        read_(f, 1, 0, 3, 1, 2);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.txn_aborted, 1);
        assert_int_equal(r.aborted, 2);
        /* G1a: one record of the aborted transaction read (after a
         * reassignment, so the poll order starts over) */
        kp_history_assigned(f->h, 1, tick(f));
        read_(f, 1, 0, 1, 1, 0);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_ABORTED_READ, 1);
        assert_int_equal(r.examples[KP_ANOM_ABORTED_READ][0].producer, 0);
        assert_int_equal(r.examples[KP_ANOM_ABORTED_READ][0].seq, 1);
        assert_int_equal(r.not_allowed, 1);
}

static void test_txn_precommitted_read(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        int64_t begin;

        ack(f, 0, 0, 0, 0);
        read_(f, 0, 0, 0, 0, 0); /* before the commit was requested */
        begin = tick(f);
        kp_history_txn_end(f->h, 0, 0, 1, KP_TXN_COMMITTED, begin, tick(f));
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_PRECOMMITTED_READ, 1);
        assert_int_equal(r.examples[KP_ANOM_PRECOMMITTED_READ][0].seq, 0);
        assert_non_null(strstr(r.examples[KP_ANOM_PRECOMMITTED_READ][0].detail, "before commit"));
        /* a read during the commit call (between request and answer) is fine */
        ack(f, 1, 0, 1, 0);
        begin = tick(f);
        read_(f, 1, 1, 0, 1, 0);
        kp_history_txn_end(f->h, 1, 0, 1, KP_TXN_COMMITTED, begin, tick(f));
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_PRECOMMITTED_READ, 1);
}

static void test_txn_int_send(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        const int32_t p0[] = {0, 0};
        const int64_t skip[] = {0, 2}, back[] = {6, 4};

        /* producer 1's record lands between producer 0's two: interleaving */
        ack(f, 1, 0, 0, 1);
        txn(f, 0, 0, 2, p0, skip, KP_TXN_COMMITTED);
        read_(f, 0, 0, 0, 0, 0);
        read_(f, 0, 1, 0, 0, 1);
        read_(f, 0, 0, 1, 0, 2);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_INT_SEND_SKIP, 1);
        assert_true(r.allowed[KP_ANOM_INT_SEND_SKIP]);
        assert_int_equal(r.not_allowed, 0);
        assert_int_equal(r.examples[KP_ANOM_INT_SEND_SKIP][0].seq, 1);
        /* the second record of a transaction lands before its first */
        txn(f, 0, 2, 2, p0, back, KP_TXN_COMMITTED);
        read_(f, 1, 0, 3, 0, 4);
        read_(f, 1, 0, 2, 0, 6);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(r.count[KP_ANOM_INT_NONMONOTONIC_SEND], 1);
        assert_int_equal(r.examples[KP_ANOM_INT_NONMONOTONIC_SEND][0].seq, 3);
        assert_int_equal(r.count[KP_ANOM_NONMONOTONIC_SEND], 1);
        assert_int_equal(r.count[KP_ANOM_INT_SEND_SKIP], 1);
        assert_false(r.allowed[KP_ANOM_INT_NONMONOTONIC_SEND]);
}

/* Producer 0 commits a transaction writing offsets 0..3 of partition 0;
 * then producer 1's transaction reads some of them in the given order. */
static void int_poll(fx_t *f, const int64_t *offs, int n, kp_checker_result_t *r)
{
        const int32_t p0[] = {0, 0, 0, 0};
        const int64_t o[] = {0, 1, 2, 3};
        int64_t begin;
        int i;

        txn(f, 0, 0, 4, p0, o, KP_TXN_COMMITTED);
        for (i = 0; i < 4; i++)
                read_(f, 0, 0, (uint64_t)i, 0, i);
        for (i = 0; i < n; i++)
                txn_read(f, 1, 0, (uint64_t)offs[i], 0, offs[i]);
        ack(f, 1, 0, 1, 0);
        begin = tick(f);
        kp_history_txn_end(f->h, 1, 0, 1, KP_TXN_COMMITTED, begin, tick(f));
        read_(f, 1, 1, 0, 1, 0);
        run(f, KP_PROFILE_SAFE, r);
}

static void test_txn_int_poll_clean(void **state)
{
        kp_checker_result_t r;
        const int64_t o[] = {0, 1, 2, 3};

        int_poll(*state, o, 4, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.txn_reads, 4);
}

static void test_txn_int_poll_skip(void **state)
{
        kp_checker_result_t r;
        const int64_t o[] = {0, 2, 3};

        int_poll(*state, o, 3, &r);
        only(&r, KP_ANOM_INT_POLL_SKIP, 1);
        assert_int_equal(r.examples[KP_ANOM_INT_POLL_SKIP][0].offset, 2);
        assert_int_equal(r.examples[KP_ANOM_INT_POLL_SKIP][0].producer, 1);
}

static void test_txn_int_poll_nonmonotonic(void **state)
{
        kp_checker_result_t r;
        const int64_t o[] = {0, 1, 1, 2};

        int_poll(*state, o, 4, &r);
        only(&r, KP_ANOM_INT_NONMONOTONIC_POLL, 1);
        assert_int_equal(r.examples[KP_ANOM_INT_NONMONOTONIC_POLL][0].offset, 1);
}

static void test_txn_torn(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        const int32_t p[] = {0, 1, 2};
        const int64_t o[] = {0, 0, 0};

        txn(f, 0, 0, 3, p, o, KP_TXN_COMMITTED);
        read_(f, 0, 0, 0, 0, 0);
        read_(f, 0, 0, 1, 1, 0);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(r.count[KP_ANOM_TORN_TRANSACTION], 1);
        assert_non_null(strstr(r.examples[KP_ANOM_TORN_TRANSACTION][0].detail, "2 of its 3"));
        assert_int_equal(r.count[KP_ANOM_UNSEEN], 1);
        /* all read: whole */
        read_(f, 1, 0, 2, 2, 0);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
}

static void test_txn_unknown_outcome(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        const int32_t p[] = {0, 1};
        const int64_t o[] = {0, 0};

        /* a commit that failed fatally: neither lost when unread nor aborted
         * when read */
        txn(f, 0, 0, 2, p, o, KP_TXN_UNKNOWN);
        read_(f, 0, 0, 0, 0, 0);
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(total(&r), 0);
        assert_int_equal(r.txn_unknown, 1);
}

/* Every record of producers 0 and 1 read once, by consumer 0 (poll order
 * follows offsets within each partition). */
static void read_each(fx_t *f, const int *prod, const uint64_t *seq, const int32_t *p,
                      const int64_t *o, int n)
{
        int i;

        for (i = 0; i < n; i++)
                read_(f, 0, prod[i], seq[i], p[i], o[i]);
}

static void test_g0_cycles(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        /* T1 = p0 seq 0..1 and T2 = p1 seq 0..1: partition 0 orders T1
         * before T2, partition 1 T2 before T1 */
        const int32_t p01[] = {0, 1};
        const int64_t t1[] = {0, 1}, t2[] = {1, 0};
        const int rp[] = {0, 1, 1, 0};
        const uint64_t rs[] = {0, 0, 1, 1};
        const int32_t rpart[] = {0, 0, 1, 1};
        const int64_t ro[] = {0, 1, 0, 1};

        txn(f, 0, 0, 2, p01, t1, KP_TXN_COMMITTED);
        txn(f, 1, 0, 2, p01, t2, KP_TXN_COMMITTED);
        read_each(f, rp, rs, rpart, ro, 4);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_G0, 1);
        assert_true(r.allowed[KP_ANOM_G0]);
        assert_int_equal(r.not_allowed, 0);
        assert_non_null(strstr(r.examples[KP_ANOM_G0][0].detail, "cycle of 2 transactions"));
}

static void test_g0_three_and_clean(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        /* T1 (p0 0..1) before T2 (p0 2..3) before T3 (p1 0..1) before T1,
         * one partition each: a cycle of three; T4 (p1 2..3) after all of
         * them is on no cycle */
        const int32_t p12[] = {0, 2}, p01[] = {0, 1}, p12b[] = {1, 2}, pall[] = {0, 1};
        const int64_t o1[] = {0, 1}, o2[] = {1, 0}, o3[] = {1, 0}, o4[] = {2, 2};

        txn(f, 0, 0, 2, p12, o1, KP_TXN_COMMITTED);
        txn(f, 0, 2, 2, p01, o2, KP_TXN_COMMITTED);
        txn(f, 1, 0, 2, p12b, o3, KP_TXN_COMMITTED);
        txn(f, 1, 2, 2, pall, o4, KP_TXN_COMMITTED);
        read_(f, 0, 0, 0, 0, 0);
        read_(f, 0, 0, 2, 0, 1);
        read_(f, 0, 1, 2, 0, 2);
        read_(f, 0, 0, 3, 1, 0);
        read_(f, 0, 1, 0, 1, 1);
        read_(f, 0, 1, 3, 1, 2);
        read_(f, 1, 1, 1, 2, 0);
        read_(f, 1, 0, 1, 2, 1);
        run(f, KP_PROFILE_SAFE, &r);
        only(&r, KP_ANOM_G0, 1);
        assert_non_null(strstr(r.examples[KP_ANOM_G0][0].detail, "cycle of 3 transactions"));
}

/* T1 (p0) writes partition 0 offset 0 and partition 1 offset 1; T2 (p1)
 * reads T1's partition 0 record and writes partition 1 at t2_off. */
static void g1c(fx_t *f, int64_t t2_off, kp_checker_result_t *r)
{
        const int32_t p01[] = {0, 1};
        const int64_t o1[] = {0, 1};
        int64_t begin;

        txn(f, 0, 0, 2, p01, o1, KP_TXN_COMMITTED);
        ack(f, 1, 0, 1, t2_off);
        txn_read(f, 1, 0, 0, 0, 0);
        begin = tick(f);
        kp_history_txn_end(f->h, 1, 0, 1, KP_TXN_COMMITTED, begin, tick(f));
        read_(f, 0, 0, 0, 0, 0);
        if (t2_off < 1) {
                read_(f, 1, 1, 0, 1, t2_off);
                read_(f, 1, 0, 1, 1, 1);
        } else {
                read_(f, 1, 0, 1, 1, 1);
                read_(f, 1, 1, 0, 1, t2_off);
        }
        run(f, KP_PROFILE_SAFE, r);
}

static void test_g1c_cycle(void **state)
{
        kp_checker_result_t r;

        /* T1 -wr-> T2 (T2 read T1's write), T2 -ww-> T1 in partition 1 */
        g1c(*state, 0, &r);
        only(&r, KP_ANOM_G1C, 1);
        assert_false(r.allowed[KP_ANOM_G1C]);
        assert_int_equal(r.not_allowed, 1);
        assert_int_equal(r.examples[KP_ANOM_G1C][0].producer, 0);
        assert_non_null(strstr(r.examples[KP_ANOM_G1C][0].detail, "read by transaction 1/0"));
}

static void test_g1c_clean(void **state)
{
        kp_checker_result_t r;

        /* T2 writes after T1 in partition 1 too: T1 -> T2 only */
        g1c(*state, 2, &r);
        assert_int_equal(total(&r), 0);
}

static void test_txn_overlap_incomplete(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        kp_checker_opts_t o = {0, 1};
        kp_err_t err;
        const int32_t p[] = {0, 0, 0};
        const int64_t off[] = {0, 1, 2};

        txn(f, 0, 0, 3, p, off, KP_TXN_COMMITTED);
        kp_history_txn_end(f->h, 0, 1, 1, KP_TXN_COMMITTED, tick(f), tick(f));
        assert_int_equal(kp_checker_run(f->h, &o, &r, &err), 0);
        assert_false(r.complete);
        assert_non_null(strstr(r.incomplete_reason, "overlap"));
}

static void test_foreign_at_acked_offset(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;

        clean(f);
        ack(f, 0, 10, 0, 10);
        kp_history_foreign(f->h, 0, 0, 10, tick(f));
        run(f, KP_PROFILE_SAFE, &r);
        assert_int_equal(r.count[KP_ANOM_INCONSISTENT_OFFSETS], 1);
        assert_int_equal(r.count[KP_ANOM_UNSEEN] + r.count[KP_ANOM_LOST_WRITE], 1);
        assert_int_equal(r.foreign_reads, 1);
}

static void test_sparse_is_incomplete(void **state)
{
        fx_t *f = *state;
        kp_checker_result_t r;
        kp_checker_opts_t o = {0, 1};
        kp_err_t err;

        ack(f, 0, 0, 0, 0);
        ack(f, 0, 1, 0, (int64_t)1 << 40);
        assert_int_equal(kp_checker_run(f->h, &o, &r, &err), 0);
        assert_false(r.complete);
        assert_non_null(strstr(r.incomplete_reason, "sparse"));
}

static void test_dropped_is_incomplete(void **state)
{
        kp_history_t *h;
        kp_checker_result_t r;
        kp_checker_opts_t o = {0, 1};
        kp_err_t err;
        int i;
        (void)state;

        h = kp_history_new(1, 1, 1, 4, &err);
        assert_non_null(h);
        for (i = 0; i < 6; i++)
                kp_history_produced(h, 0, (uint64_t)i, 0, i, 0, 1, 2);
        assert_int_equal(kp_history_dropped(h), 2);
        assert_int_equal(kp_checker_run(h, &o, &r, &err), 0);
        assert_false(r.complete);
        assert_non_null(strstr(r.incomplete_reason, "dropped 2"));
        kp_history_free(h);
}

static void test_allow_lists(void **state)
{
        uint32_t safe = kp_checker_allow_for_profile(KP_PROFILE_SAFE);
        uint32_t def = kp_checker_allow_for_profile(KP_PROFILE_DEFAULT);
        uint32_t rel = kp_checker_allow_for_profile(KP_PROFILE_RELAXED);
        (void)state;

        /* safe tolerates only what Kafka never promised: transactions
         * unordered across partitions, producers interleaved in one */
        assert_int_equal(safe, KP_ANOM_BIT(KP_ANOM_G0) | KP_ANOM_BIT(KP_ANOM_INT_SEND_SKIP));
        assert_true(def & KP_ANOM_BIT(KP_ANOM_DUPLICATE));
        assert_true(def & KP_ANOM_BIT(KP_ANOM_INT_NONMONOTONIC_SEND));
        assert_false(def & KP_ANOM_BIT(KP_ANOM_TORN_TRANSACTION));
        assert_true(rel & KP_ANOM_BIT(KP_ANOM_TORN_TRANSACTION));
        assert_false(rel & KP_ANOM_BIT(KP_ANOM_G1C));
        assert_false(rel & KP_ANOM_BIT(KP_ANOM_PRECOMMITTED_READ));
        assert_false(rel & KP_ANOM_BIT(KP_ANOM_INT_POLL_SKIP));
        assert_false(rel & KP_ANOM_BIT(KP_ANOM_INT_NONMONOTONIC_POLL));
        assert_false(def & KP_ANOM_BIT(KP_ANOM_LOST_WRITE));
        assert_true(rel & KP_ANOM_BIT(KP_ANOM_LOST_WRITE));
        assert_false(rel & KP_ANOM_BIT(KP_ANOM_POLL_SKIP));
        assert_false(rel & KP_ANOM_BIT(KP_ANOM_ABORTED_READ));
        assert_int_equal(kp_anom_from_name("poll-skip"), KP_ANOM_POLL_SKIP);
        assert_int_equal(kp_anom_from_name("nope"), -1);
}

/* Millions of records: 4 producers x 4 partitions, 2 consumers; one record
 * in the middle is never read. Linear passes keep this in seconds even
 * under the sanitizers. */
static void test_millions(void **state)
{
        const uint64_t per = 500000;
        const int np = 4, nc = 2, nparts = 4;
        kp_history_t *h;
        kp_checker_result_t r;
        kp_checker_opts_t o = {0, 1};
        int64_t next[4] = {0, 0, 0, 0}, t0;
        uint64_t seq;
        kp_err_t err;
        int p;
        (void)state;

        h = kp_history_new(np, nc, nparts, per * 2, &err);
        assert_non_null(h);
        for (seq = 0; seq < per; seq++) {
                for (p = 0; p < np; p++) {
                        int32_t part = (int32_t)((seq + (uint64_t)p) % (uint64_t)nparts);
                        int64_t off = next[part]++;
                        int c = part % nc;
                        kp_history_produced(h, p, seq, part, off, 0, 1000, 2000);
                        if (!(p == 2 && seq == per / 2))
                                kp_history_consumed(h, c, p, seq, part, off, 1000, 3000);
                }
        }
        t0 = kp_mono_ns();
        assert_int_equal(kp_checker_run(h, &o, &r, &err), 0);
        printf("# checker: %llu records in %.2f s, %zu bytes of working memory\n",
               (unsigned long long)r.records, (double)(kp_mono_ns() - t0) / 1e9, r.bytes);
        assert_true(r.complete);
        assert_int_equal(r.records, per * (uint64_t)np);
        assert_int_equal(r.count[KP_ANOM_LOST_WRITE], 1);
        assert_int_equal(r.examples[KP_ANOM_LOST_WRITE][0].producer, 2);
        assert_int_equal(r.examples[KP_ANOM_LOST_WRITE][0].seq, (int64_t)(per / 2));
        /* the consumer that skipped it jumped over a known offset */
        assert_int_equal(r.count[KP_ANOM_POLL_SKIP], 1);
        assert_int_equal(r.not_allowed, 2);
        kp_history_free(h);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
            cmocka_unit_test_setup_teardown(test_lost_write, setup, teardown),
            cmocka_unit_test_setup_teardown(test_lost_write_relaxed_allowed, setup, teardown),
            cmocka_unit_test_setup_teardown(test_unseen, setup, teardown),
            cmocka_unit_test_setup_teardown(test_failed_not_lost, setup, teardown),
            cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
            cmocka_unit_test_setup_teardown(test_redelivery_not_duplicate, setup, teardown),
            cmocka_unit_test_setup_teardown(test_other_offset_duplicate_in_log, setup, teardown),
            cmocka_unit_test_setup_teardown(test_other_offset_ack_without_offset, setup, teardown),
            cmocka_unit_test_setup_teardown(test_other_offset_consumer_reread, setup, teardown),
            cmocka_unit_test_setup_teardown(test_inconsistent_offsets, setup, teardown),
            cmocka_unit_test_setup_teardown(test_nonmonotonic_send, setup, teardown),
            cmocka_unit_test_setup_teardown(test_nonmonotonic_poll, setup, teardown),
            cmocka_unit_test_setup_teardown(test_poll_after_reassign_ok, setup, teardown),
            cmocka_unit_test_setup_teardown(test_poll_skip, setup, teardown),
            cmocka_unit_test_setup_teardown(test_gap_without_records_ok, setup, teardown),
            cmocka_unit_test_setup_teardown(test_aborted_read, setup, teardown),
            cmocka_unit_test_setup_teardown(test_foreign_at_acked_offset, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_clean, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_aborted_read, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_precommitted_read, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_int_send, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_int_poll_clean, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_int_poll_skip, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_int_poll_nonmonotonic, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_torn, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_unknown_outcome, setup, teardown),
            cmocka_unit_test_setup_teardown(test_g0_cycles, setup, teardown),
            cmocka_unit_test_setup_teardown(test_g0_three_and_clean, setup, teardown),
            cmocka_unit_test_setup_teardown(test_g1c_cycle, setup, teardown),
            cmocka_unit_test_setup_teardown(test_g1c_clean, setup, teardown),
            cmocka_unit_test_setup_teardown(test_txn_overlap_incomplete, setup, teardown),
            cmocka_unit_test_setup_teardown(test_sparse_is_incomplete, setup, teardown),
            cmocka_unit_test(test_dropped_is_incomplete),
            cmocka_unit_test(test_allow_lists),
            cmocka_unit_test(test_millions),
        };

        return cmocka_run_group_tests_name("checker", tests, NULL, NULL);
}
