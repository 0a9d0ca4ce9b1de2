/* Over 600 lines: producer, consumer and timeline threads share static per-thread state and
 * hot-path helpers the compiler inlines. */
#include "engine/workload.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "util/digest.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "util/progress.h"
#include "engine/record.h"
#include "util/signals.h"
#include "util/timeutil.h"

#define ERR_SLOTS      512 /* librdkafka error codes -256..255 */
#define ERR_BASE       256
#define MAX_SLOTS      3600
#define PATTERN_BYTES  (1 << 20)
#define PENDING_MAX    (1 << 18)
#define EXAMPLES_MAX   20
#define SLOT_HIST_BITS 4
#define HIST_MAX_NS    ((uint64_t)3600 * KP_NS_PER_S)
/* Behind schedule (saturated), a producer serves delivery reports every
 * POLL_EVERY records instead of after each one: rd_kafka_poll takes a lock
 * and would otherwise cost more than kproof's own tracking. */
#define POLL_EVERY  32
#define CLOCK_EVERY 16
/* A shard's drain ends after this long without a new read. */
#define SHARD_QUIET_NS (3 * KP_NS_PER_S)

typedef struct tl_counts {
        uint64_t sent, acked, ack_errors, consumed;
} tl_counts_t;

/* Per-thread timeline: counts and a coarse latency histogram per slot. */
typedef struct thread_tl {
        tl_counts_t *counts;
        kp_hist_t *hists;
} thread_tl_t;

typedef struct pending {
        int producer;
        uint64_t seq;
        int32_t partition;
        int64_t offset;
} pending_t;

typedef struct prod {
        kp_workload_t *wl;
        int id;
        pthread_t thr;
        int started;
        rd_kafka_t *rk;
        rd_kafka_topic_t *rkt;
        kp_hist_t ack_hist;
        thread_tl_t tl;
        uint64_t errs[ERR_SLOTS];
        uint64_t produce_errors, queue_full, value_bytes;
        uint64_t txns[4];   /* ended transactions by kp_txn_outcome_t */
        int txn_fatal;      /* the transactional producer cannot go on */
        uint64_t acked_n;   /* written by this producer's thread only, read by any */
        int64_t poll_now;   /* clock read just before a non-blocking poll, else 0 */
        int64_t max_lag_ns; /* largest delay of a send behind its intended time */
        int64_t finished_ns;
        uint8_t *buf;
} prod_t;

typedef struct cons {
        kp_workload_t *wl;
        int id;
        pthread_t thr;
        int started;
        rd_kafka_t *rk;
        kp_hist_t e2e_hist;
        thread_tl_t tl;
        uint64_t errs[ERR_SLOTS];
        uint64_t consume_errors, foreign, corrupt, redeliveries, other_offset, unverified,
            backwards;
        int64_t *last_offset; /* per partition, -1 */
        int assigned;         /* partitions currently assigned */
        int joined;           /* the group has given this consumer an assignment once */
        uint64_t consumed_n;  /* written by this consumer's thread only, read by any */
        pending_t *pending;
        size_t n_pending;
        kp_workload_example_t examples[EXAMPLES_MAX];
        size_t n_examples;
        int auto_commit;
} cons_t;

struct kp_workload {
        kp_platform_t *plat;
        kp_workload_cfg_t cfg;
        char *topic;
        char *group_id;
        kp_profile_t profile;
        kp_kvlist_t producer_props, consumer_props;
        kp_ledger_t *ledger;
        kp_history_t *history; /* optional, borrowed */
        int shard, producer_base;
        int64_t start_at_ns, clock_off;
        int64_t reset_offset; /* auto.offset.reset as a logical offset, or INVALID */
        uint32_t nonce;
        uint8_t *pattern;
        int64_t start_ns;
        int64_t slot_ns;
        size_t n_slots;
        int n_prod, n_cons;
        prod_t *prods;
        cons_t *conss;
        atomic_int stop_producers; /* read by the producer and consumer threads */
        atomic_int stop_consumers;
        uint64_t records_per_producer; /* 0: until the duration ends */
        int defer_consumers;
        int consumers_started;
        int stopped;
        int64_t drain_ns;
        int drained;
        /* merged results */
        kp_hist_t ack_hist, e2e_hist;
        kp_workload_slot_t *timeline;
        kp_workload_errcount_t errors[ERR_SLOTS];
        size_t n_errors;
        kp_workload_example_t examples[EXAMPLES_MAX];
        size_t n_examples;
        kp_workload_results_t res;
};

static int tl_init(thread_tl_t *tl, size_t n)
{
        size_t i;

        tl->counts = calloc(n, sizeof(*tl->counts));
        tl->hists = calloc(n, sizeof(*tl->hists));
        if (!tl->counts || !tl->hists)
                return -1;
        for (i = 0; i < n; i++)
                if (kp_hist_init(&tl->hists[i], SLOT_HIST_BITS, HIST_MAX_NS) < 0)
                        return -1;
        return 0;
}

static void tl_release(thread_tl_t *tl, size_t n)
{
        size_t i;

        for (i = 0; tl->hists && i < n; i++)
                kp_hist_release(&tl->hists[i]);
        free(tl->hists);
        free(tl->counts);
}

static inline size_t slot_of(const kp_workload_t *wl, int64_t now)
{
        int64_t d = now - wl->start_ns;
        size_t s;

        if (d < 0)
                return 0;
        s = (size_t)(d / wl->slot_ns);
        return s < wl->n_slots ? s : wl->n_slots - 1;
}

static inline void count_err(uint64_t *errs, int code)
{
        int i = code + ERR_BASE;

        if (i < 0 || i >= ERR_SLOTS)
                i = ERR_SLOTS - 1;
        errs[i]++;
}

static int64_t read_intended(const void *payload, size_t len)
{
        const uint8_t *p = payload;
        uint64_t v = 0;
        int i;

        if (!p || len < KP_REC_HDR_BYTES)
                return 0;
        for (i = 7; i >= 0; i--)
                v = (v << 8) | p[24 + i];
        return (int64_t)v;
}

/* Delivery report: runs on the producer's own thread inside rd_kafka_poll. */
static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        prod_t *pr = opaque;
        kp_workload_t *wl = pr->wl;
        uint64_t seq = (uint64_t)(uintptr_t)m->_private;
        /* A non-blocking poll serves its reports within microseconds of the
         * clock read before it; a blocking one may wait, so read the clock. */
        int64_t now = pr->poll_now ? pr->poll_now : kp_mono_ns();
        size_t s = slot_of(wl, now);
        (void)rk;

        if (wl->history)
                kp_history_produced(wl->history, pr->id, seq, m->partition, m->offset, m->err,
                                    read_intended(m->payload, m->len) - wl->clock_off, now);
        if (m->err) {
                kp_ledger_on_ack_error(wl->ledger, pr->id, seq);
                count_err(pr->errs, m->err);
                pr->tl.counts[s].ack_errors++;
                return;
        }
        kp_ledger_on_ack(wl->ledger, pr->id, seq, m->partition, m->offset);
        __atomic_store_n(&pr->acked_n, pr->acked_n + 1, __ATOMIC_RELAXED);
        {
                int64_t lat = now - (read_intended(m->payload, m->len) - wl->clock_off);
                uint64_t v = lat > 0 ? (uint64_t)lat : 0;
                kp_hist_record(&pr->ack_hist, v);
                kp_hist_record(&pr->tl.hists[s], v);
        }
        pr->tl.counts[s].acked++;
        pr->value_bytes += m->len;
}

#define TXN_TIMEOUT_MS 30000

/* Whether transaction number t of a producer is aborted on purpose: a hash
 * of (run, producer, t) against the scenario's abort_ratio, so a rerun of
 * the same run aborts the same transactions. */
static int txn_abort_wanted(const prod_t *pr, uint64_t t)
{
        uint64_t z = ((uint64_t)pr->wl->nonce << 32) ^ ((uint64_t)pr->id << 24) ^ t;

        if (pr->wl->cfg.abort_ratio <= 0)
                return 0;
        z += 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        return (double)(z >> 11) / 9007199254740992.0 < pr->wl->cfg.abort_ratio;
}

/* Ends the open transaction holding records [first, first + n): commits
 * it (or aborts it when wanted or when the commit says it must), and logs
 * the outcome. Delivery reports are served first, so every record's outcome
 * precedes its transaction's end and an abort purges nothing unreported.
 * An aborted transaction's records are marked failed in the ledger: the
 * drain does not wait for records read_committed consumers never see. A
 * commit or abort that fails fatally leaves the outcome unknown and stops
 * this producer. */
static void txn_finish(prod_t *pr, uint64_t first, uint64_t n, int abort_wanted)
{
        kp_workload_t *wl = pr->wl;
        kp_txn_outcome_t out = KP_TXN_COMMITTED;
        rd_kafka_error_t *e;
        int64_t begin;
        uint64_t i;
        int tries;

        rd_kafka_flush(pr->rk, TXN_TIMEOUT_MS);
        begin = kp_mono_ns();
        for (tries = 0; !abort_wanted; tries++) {
                e = rd_kafka_commit_transaction(pr->rk, TXN_TIMEOUT_MS);
                if (!e)
                        break;
                count_err(pr->errs, rd_kafka_error_code(e));
                if (rd_kafka_error_txn_requires_abort(e)) {
                        abort_wanted = 1;
                } else if (!rd_kafka_error_is_retriable(e) || tries >= 3) {
                        kp_warn("workload: producer %d: commit failed: %s", pr->id,
                                rd_kafka_error_string(e));
                        out = KP_TXN_UNKNOWN;
                        pr->txn_fatal = 1;
                        rd_kafka_error_destroy(e);
                        break;
                }
                rd_kafka_error_destroy(e);
        }
        for (tries = 0; abort_wanted; tries++) {
                e = rd_kafka_abort_transaction(pr->rk, TXN_TIMEOUT_MS);
                if (!e) {
                        out = KP_TXN_ABORTED;
                        break;
                }
                count_err(pr->errs, rd_kafka_error_code(e));
                if (!rd_kafka_error_is_retriable(e) || tries >= 3) {
                        kp_warn("workload: producer %d: abort failed: %s", pr->id,
                                rd_kafka_error_string(e));
                        out = KP_TXN_UNKNOWN;
                        pr->txn_fatal = 1;
                        rd_kafka_error_destroy(e);
                        break;
                }
                rd_kafka_error_destroy(e);
        }
        rd_kafka_poll(pr->rk, 0);
        if (out == KP_TXN_ABORTED)
                for (i = 0; i < n; i++)
                        kp_ledger_on_ack_error(wl->ledger, pr->id, first + i);
        if (wl->history)
                kp_history_txn_end(wl->history, pr->id, first, (uint32_t)n, out, begin,
                                   kp_mono_ns());
        pr->txns[out]++;
}

/* Intended send times come from the record's index, not from the previous
 * send: the schedule never drifts, and after a stall the producer sends the
 * records that are due at once, each keeping its own intended time, so the
 * stall shows up as latency and the per-second rate is made up. */
static void *producer_main(void *arg)
{
        prod_t *pr = arg;
        kp_workload_t *wl = pr->wl;
        const kp_workload_cfg_t *c = &wl->cfg;
        double interval = 1e9 * wl->n_prod / c->rate;
        int64_t phase = (int64_t)(interval * pr->id / wl->n_prod);
        int64_t end = wl->start_ns + c->duration_ns;
        uint64_t limit = wl->records_per_producer;
        size_t len = (size_t)c->message_bytes;
        unsigned since_poll = 0, since_clock = 0;
        uint64_t txn_k = c->txn_records > 0 ? (uint64_t)c->txn_records : 0, txn_first = 0;
        int txn_open = 0;
        kp_rec_hdr_t h;
        uint64_t seq;
        uint8_t key[8];
        int64_t now = kp_mono_ns();

        h.nonce = wl->nonce;
        h.producer = (uint16_t)(wl->producer_base + pr->id);
        for (seq = 0; !limit || seq < limit; seq++) {
                int64_t intended = wl->start_ns + phase + (int64_t)((double)seq * interval);
                int64_t next = wl->start_ns + phase + (int64_t)((double)(seq + 1) * interval);
                rd_kafka_resp_err_t e;

                if (intended >= end || wl->stop_producers || kp_stop_requested())
                        break;
                /* now: read after the previous record was produced. */
                while (intended > now + 50000) {
                        int64_t left = intended - now;
                        if (left > 2 * KP_NS_PER_MS)
                                rd_kafka_poll(pr->rk, (int)(left / KP_NS_PER_MS) - 1);
                        else
                                kp_sleep_until(intended);
                        now = kp_mono_ns();
                        if (wl->stop_producers || kp_stop_requested())
                                break;
                }
                if (wl->stop_producers || kp_stop_requested() || pr->txn_fatal)
                        break;
                if (txn_k && !txn_open) {
                        rd_kafka_error_t *te = rd_kafka_begin_transaction(pr->rk);
                        if (te) {
                                kp_warn("workload: producer %d: cannot begin a transaction: %s",
                                        pr->id, rd_kafka_error_string(te));
                                count_err(pr->errs, rd_kafka_error_code(te));
                                rd_kafka_error_destroy(te);
                                break;
                        }
                        txn_open = 1;
                        txn_first = seq;
                }
                if (kp_ledger_on_send(wl->ledger, pr->id, seq) < 0) {
                        kp_warn("workload: ledger full at %llu records for producer %d; stopping",
                                (unsigned long long)seq, pr->id);
                        break;
                }
                h.seq = seq;
                h.intended_ns = intended + wl->clock_off;
                kp_rec_encode(pr->buf, len, &h, wl->pattern, PATTERN_BYTES);
                if (c->keys > 0) {
                        uint64_t k =
                            (seq * (uint64_t)wl->n_prod + (uint64_t)pr->id) % (uint64_t)c->keys;
                        int i;
                        for (i = 0; i < 8; i++)
                                key[i] = (uint8_t)(k >> (56 - 8 * i));
                }
                for (;;) {
                        /* rd_kafka_produce: no variable-argument parsing per record. */
                        e = rd_kafka_produce(pr->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                             pr->buf, len, c->keys > 0 ? key : NULL,
                                             c->keys > 0 ? sizeof(key) : 0,
                                             (void *)(uintptr_t)seq) == -1
                                ? rd_kafka_last_error()
                                : RD_KAFKA_RESP_ERR_NO_ERROR;
                        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || wl->stop_producers ||
                            kp_stop_requested())
                                break;
                        pr->queue_full++;
                        rd_kafka_poll(pr->rk, 5);
                        since_poll = 0;
                }
                /* Behind schedule the clock is read every CLOCK_EVERY records:
                 * a reading that says "behind" stays true, and sent counts
                 * land in their one-second slot within microseconds. */
                if (next > now || ++since_clock >= CLOCK_EVERY) {
                        now = kp_mono_ns();
                        since_clock = 0;
                        if (now - intended > pr->max_lag_ns)
                                pr->max_lag_ns = now - intended;
                }
                pr->tl.counts[slot_of(wl, now)].sent++;
                if (e) {
                        if (wl->history)
                                kp_history_produced(wl->history, pr->id, seq, -1, -1, e, intended,
                                                    kp_mono_ns());
                        kp_ledger_on_ack_error(wl->ledger, pr->id, seq);
                        count_err(pr->errs, e);
                        pr->produce_errors++;
                }
                if (++since_poll >= POLL_EVERY || next > now) {
                        pr->poll_now = now;
                        rd_kafka_poll(pr->rk, 0);
                        pr->poll_now = 0;
                        since_poll = 0;
                }
                if (txn_open && seq + 1 - txn_first >= txn_k) {
                        txn_finish(pr, txn_first, txn_k, txn_abort_wanted(pr, txn_first / txn_k));
                        txn_open = 0;
                        now = kp_mono_ns();
                }
        }
        if (txn_open) {
                if (seq > txn_first)
                        txn_finish(pr, txn_first, seq - txn_first,
                                   txn_abort_wanted(pr, txn_first / txn_k));
                else {
                        rd_kafka_error_t *te = rd_kafka_abort_transaction(pr->rk, TXN_TIMEOUT_MS);
                        if (te)
                                rd_kafka_error_destroy(te);
                }
        }
        /* Flush: wait for every outstanding delivery report. */
        while (rd_kafka_outq_len(pr->rk) > 0 && !kp_stop_requested() &&
               kp_mono_ns() < end + c->drain_timeout_ns + 300 * KP_NS_PER_S)
                rd_kafka_poll(pr->rk, 100);
        pr->finished_ns = kp_mono_ns();
        return NULL;
}

/* Where each newly assigned partition starts: its committed offset, or the
 * auto.offset.reset position when the group has none. This is what
 * librdkafka does itself, but it schedules the reset of a partition without
 * a committed offset 100 ms later (a retry back-off), which delayed every
 * fresh group's first fetch by 100 ms. If the lookup fails the offsets are
 * left unset and librdkafka looks them up as usual. */
static void start_offsets(cons_t *co, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
{
        int i;

        if (co->wl->reset_offset == RD_KAFKA_OFFSET_INVALID ||
            rd_kafka_committed(rk, parts, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                for (i = 0; i < parts->cnt; i++)
                        parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
                return;
        }
        for (i = 0; i < parts->cnt; i++) {
                rd_kafka_topic_partition_t *tp = &parts->elems[i];
                if (tp->err || tp->offset < 0)
                        tp->offset = tp->err ? RD_KAFKA_OFFSET_INVALID : co->wl->reset_offset;
                tp->err = RD_KAFKA_RESP_ERR_NO_ERROR;
        }
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
        cons_t *co = opaque;
        int i;

        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                for (i = 0; i < parts->cnt; i++)
                        if (parts->elems[i].partition < co->wl->cfg.partitions)
                                co->last_offset[parts->elems[i].partition] = -1;
                start_offsets(co, rk, parts);
                rd_kafka_assign(rk, parts);
                __atomic_store_n(&co->assigned, parts->cnt, __ATOMIC_RELEASE);
                __atomic_store_n(&co->joined, 1, __ATOMIC_RELEASE);
                if (co->wl->history)
                        kp_history_assigned(co->wl->history, co->id, kp_mono_ns());
        } else {
                if (!co->auto_commit)
                        rd_kafka_commit(rk, NULL, 0);
                rd_kafka_assign(rk, NULL);
                __atomic_store_n(&co->assigned, 0, __ATOMIC_RELEASE);
                if (co->wl->history)
                        kp_history_assigned(co->wl->history, co->id, kp_mono_ns());
        }
}

static void add_example(cons_t *co, int kind, int32_t partition, int64_t offset, int producer,
                        uint64_t seq)
{
        if (co->n_examples >= EXAMPLES_MAX)
                return;
        co->examples[co->n_examples].kind = kind;
        co->examples[co->n_examples].partition = partition;
        co->examples[co->n_examples].offset = offset;
        co->examples[co->n_examples].producer = producer;
        co->examples[co->n_examples].seq = seq;
        co->n_examples++;
}

/* Records one consumed record. now is the time the record was handed to the
 * application and s its timeline slot (both from consumer_main, which reads
 * the clock at most once per record). */
static void consume_one(cons_t *co, const rd_kafka_message_t *m, int64_t now, size_t s)
{
        kp_workload_t *wl = co->wl;
        kp_rec_hdr_t h;
        kp_rec_status_t st;
        kp_ledger_consume_t r;

        if (m->partition >= 0 && m->partition < wl->cfg.partitions) {
                int64_t *last = &co->last_offset[m->partition];
                if (*last >= 0 && m->offset <= *last)
                        co->backwards++;
                *last = m->offset;
        }
        st = kp_rec_decode(m->payload, m->len, wl->nonce, &h);
        if (st == KP_REC_OK)
                h.intended_ns -= wl->clock_off;
        if (wl->history) {
                if (st == KP_REC_OK)
                        kp_history_consumed(wl->history, co->id, h.producer, h.seq, m->partition,
                                            m->offset, h.intended_ns, now);
                else
                        kp_history_foreign(wl->history, co->id, m->partition, m->offset, now);
        }
        if (st == KP_REC_FOREIGN) {
                co->foreign++;
                return;
        }
        if (st == KP_REC_CORRUPT) {
                co->corrupt++;
                add_example(co, KP_REC_CORRUPT, m->partition, m->offset, -1, 0);
                return;
        }
        if (wl->shard &&
            (h.producer < wl->producer_base || h.producer >= wl->producer_base + wl->n_prod)) {
                /* Another shard's record: its ledger is there, the merged
                 * history judges it. */
                r = KP_LEDGER_FIRST;
                goto count;
        }
        h.producer = (uint16_t)(h.producer - wl->producer_base);
        r = kp_ledger_on_consume(wl->ledger, h.producer, h.seq, m->partition, m->offset);
        switch (r) {
        case KP_LEDGER_UNKNOWN:
                co->foreign++;
                return;
        case KP_LEDGER_REPEAT:
                co->redeliveries++;
                return;
        case KP_LEDGER_DIFFERENT:
                co->other_offset++;
                add_example(co, KP_LEDGER_DIFFERENT, m->partition, m->offset, h.producer, h.seq);
                break;
        case KP_LEDGER_PENDING:
                if (co->n_pending < PENDING_MAX) {
                        pending_t *p = &co->pending[co->n_pending++];
                        p->producer = h.producer;
                        p->seq = h.seq;
                        p->partition = m->partition;
                        p->offset = m->offset;
                } else {
                        co->unverified++;
                }
                break;
        default:
                break;
        }
count:
        co->tl.counts[s].consumed++;
        {
                int64_t lat = now - h.intended_ns;
                uint64_t v = lat > 0 ? (uint64_t)lat : 0;
                kp_hist_record(&co->e2e_hist, v);
                kp_hist_record(&co->tl.hists[s], v);
        }
}

static void *consumer_main(void *arg)
{
        cons_t *co = arg;
        kp_workload_t *wl = co->wl;
        int64_t last_commit = kp_mono_ns(), now = 0;
        size_t s = 0;
        unsigned since_clock = CLOCK_EVERY;

        while (!wl->stop_consumers) {
                /* A record that is already queued is taken without waiting;
                 * only then may the clock read of an earlier record stand for
                 * this one (at most CLOCK_EVERY records in a row, so the
                 * latency of a record is understated by at most the time the
                 * thread spent on the CLOCK_EVERY - 1 before it, a few
                 * microseconds). After a poll that had to wait the clock is
                 * always read. */
                rd_kafka_message_t *m = rd_kafka_consumer_poll(co->rk, 0);
                if (!m) {
                        m = rd_kafka_consumer_poll(co->rk, 100);
                        since_clock = CLOCK_EVERY;
                }
                if (m) {
                        if (m->err) {
                                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                                        co->consume_errors++;
                                        count_err(co->errs, m->err);
                                }
                        } else {
                                if (++since_clock >= CLOCK_EVERY) {
                                        now = kp_mono_ns();
                                        s = slot_of(wl, now);
                                        since_clock = 0;
                                }
                                consume_one(co, m, now, s);
                                __atomic_store_n(&co->consumed_n, co->consumed_n + 1,
                                                 __ATOMIC_RELAXED);
                        }
                        rd_kafka_message_destroy(m);
                }
                if (!co->auto_commit && kp_mono_ns() - last_commit > KP_NS_PER_S) {
                        rd_kafka_commit(co->rk, NULL, 1);
                        last_commit = kp_mono_ns();
                }
        }
        if (!co->auto_commit)
                rd_kafka_commit(co->rk, NULL, 0);
        rd_kafka_consumer_close(co->rk);
        return NULL;
}

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        dr_cb(rk, m, opaque);
}

void kp_workload_consumer_defaults(kp_kvlist_t *props)
{
        /* librdkafka 2.0 stops fetching once a consumer's prefetch queue holds
         * queued.min.messages (100,000) or queued.max.messages.kbytes (64 MiB)
         * and only looks again when its broker thread next wakes up, up to a
         * second later: a consumer catching up on a backlog faster than that
         * drains the queue and then waits. A deeper queue keeps it fed. */
        kp_kvlist_set(props, "queued.min.messages", "1000000");
        kp_kvlist_set(props, "queued.max.messages.kbytes", "262144");
}

/* auto.offset.reset as the logical offset a partition without a committed
 * offset starts at; INVALID for "error" or an unknown value. */
static int64_t reset_offset(const char *v)
{
        if (!v || !strcmp(v, "earliest") || !strcmp(v, "smallest") || !strcmp(v, "beginning"))
                return RD_KAFKA_OFFSET_BEGINNING;
        if (!strcmp(v, "latest") || !strcmp(v, "largest") || !strcmp(v, "end"))
                return RD_KAFKA_OFFSET_END;
        return RD_KAFKA_OFFSET_INVALID;
}

kp_workload_t *kp_workload_new(kp_platform_t *p, const kp_workload_spec_t *spec, kp_err_t *err)
{
        kp_workload_t *wl = calloc(1, sizeof(*wl));
        const kp_workload_cfg_t *c = spec->cfg;
        uint64_t max_records = spec->max_records;
        char gid[512];
        int i;

        if (!wl)
                goto oom;
        wl->plat = p;
        if (kp_workload_cfg_copy(&wl->cfg, c) < 0)
                goto oom;
        wl->topic = strdup(spec->topic);
        snprintf(gid, sizeof(gid), "kproof-%s", spec->topic);
        wl->group_id = strdup(spec->group_id ? spec->group_id : gid);
        if (!wl->topic || !wl->group_id)
                goto oom;
        wl->profile = spec->profile;
        wl->history = spec->history;
        wl->shard = spec->shard;
        wl->producer_base = spec->producer_base;
        wl->start_at_ns = spec->start_at_ns;
        wl->clock_off = spec->clock_offset_ns;
        wl->n_prod = c->producers;
        wl->n_cons = c->consumers;
        wl->records_per_producer = max_records;
        wl->defer_consumers = spec->defer_consumers;
        if (!max_records) {
                double per = c->rate / c->producers * ((double)c->duration_ns / 1e9);
                max_records = (uint64_t)(per * 1.05) + 1000;
        }
        wl->ledger = kp_ledger_new(wl->n_prod, c->partitions, max_records, err);
        if (!wl->ledger)
                goto fail;
        if (spec->nonce)
                wl->nonce = spec->nonce;
        else if (kp_random_bytes(&wl->nonce, sizeof(wl->nonce)) < 0)
                wl->nonce = (uint32_t)kp_wall_ns();
        if (!wl->nonce)
                wl->nonce = 1;
        wl->pattern = malloc(PATTERN_BYTES + (size_t)c->message_bytes);
        if (!wl->pattern)
                goto oom;
        kp_random_bytes(wl->pattern, PATTERN_BYTES + (size_t)c->message_bytes);

        {
                int64_t total = c->duration_ns + c->drain_timeout_ns + 60 * KP_NS_PER_S;
                wl->slot_ns = KP_NS_PER_S;
                while (total / wl->slot_ns > MAX_SLOTS)
                        wl->slot_ns *= 2;
                wl->n_slots = (size_t)(total / wl->slot_ns) + 1;
        }
        if (kp_hist_init(&wl->ack_hist, 7, HIST_MAX_NS) < 0 ||
            kp_hist_init(&wl->e2e_hist, 7, HIST_MAX_NS) < 0)
                goto oom;

        /* Client properties: target, profile, scenario overrides, workload knobs. */
        kp_platform_client_props(p, spec->profile, 1, spec->producer_overrides,
                                 &wl->producer_props);
        if (c->compression)
                kp_kvlist_set(&wl->producer_props, "compression.codec", c->compression);
        if (c->linger_ms >= 0) {
                char v[32];
                snprintf(v, sizeof(v), "%d", c->linger_ms);
                kp_kvlist_set(&wl->producer_props, "linger.ms", v);
        }
        if (c->batch_bytes > 0) {
                char v[32];
                snprintf(v, sizeof(v), "%d", c->batch_bytes);
                kp_kvlist_set(&wl->producer_props, "batch.size", v);
        }
        if (c->message_bytes > 1000000 &&
            !kp_kvlist_get(&wl->producer_props, "message.max.bytes")) {
                char v[32];
                snprintf(v, sizeof(v), "%d", c->message_bytes + 65536);
                kp_kvlist_set(&wl->producer_props, "message.max.bytes", v);
        }
        kp_kvlist_set(&wl->consumer_props, "group.id", wl->group_id);
        kp_kvlist_set(&wl->consumer_props, "auto.offset.reset", "earliest");
        kp_workload_consumer_defaults(&wl->consumer_props);
        {
                kp_kvlist_t tmp = {0};
                kp_platform_client_props(p, spec->profile, 0, spec->consumer_overrides, &tmp);
                kp_kvlist_merge(&wl->consumer_props, &tmp);
                kp_kvlist_clear(&tmp);
        }
        wl->reset_offset = reset_offset(kp_kvlist_get(&wl->consumer_props, "auto.offset.reset"));

        wl->prods = calloc((size_t)wl->n_prod, sizeof(*wl->prods));
        wl->conss = calloc((size_t)(wl->n_cons ? wl->n_cons : 1), sizeof(*wl->conss));
        if (!wl->prods || !wl->conss)
                goto oom;
        for (i = 0; i < wl->n_prod; i++) {
                prod_t *pr = &wl->prods[i];
                pr->wl = wl;
                pr->id = i;
                pr->buf = malloc((size_t)c->message_bytes);
                if (!pr->buf || kp_hist_init(&pr->ack_hist, 7, HIST_MAX_NS) < 0 ||
                    tl_init(&pr->tl, wl->n_slots) < 0)
                        goto oom;
        }
        for (i = 0; i < wl->n_cons; i++) {
                cons_t *co = &wl->conss[i];
                int j;
                co->wl = wl;
                co->id = i;
                co->last_offset = malloc((size_t)c->partitions * sizeof(int64_t));
                co->pending = malloc(PENDING_MAX * sizeof(pending_t));
                if (!co->last_offset || !co->pending ||
                    kp_hist_init(&co->e2e_hist, 7, HIST_MAX_NS) < 0 ||
                    tl_init(&co->tl, wl->n_slots) < 0)
                        goto oom;
                for (j = 0; j < c->partitions; j++)
                        co->last_offset[j] = -1;
        }
        return wl;
oom:
        kp_err_set(err, KP_ENOMEM, "workload: out of memory");
fail:
        kp_workload_free(wl);
        return NULL;
}

static int make_producers(kp_workload_t *wl, kp_err_t *err)
{
        int i;

        for (i = 0; i < wl->n_prod; i++) {
                prod_t *pr = &wl->prods[i];
                rd_kafka_conf_t *conf = kp_kafka_conf_new(&wl->producer_props, err);
                if (!conf)
                        return -1;
                rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
                rd_kafka_conf_set_opaque(conf, pr);
                if (wl->cfg.txn_records > 0) {
                        char tid[300], errstr[256];
                        snprintf(tid, sizeof(tid), "kproof-%s-%d", wl->topic, i);
                        if (rd_kafka_conf_set(conf, "transactional.id", tid, errstr,
                                              sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                                rd_kafka_conf_destroy(conf);
                                return kp_err_set(err, KP_EINVAL, "transactional.id: %s", errstr);
                        }
                }
                pr->rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
                if (!pr->rk)
                        return -1;
                if (wl->cfg.txn_records > 0) {
                        rd_kafka_error_t *te = rd_kafka_init_transactions(pr->rk, TXN_TIMEOUT_MS);
                        if (te) {
                                kp_err_set(err, KP_EINFRA,
                                           "producer %d cannot initialise transactions: %s", i,
                                           rd_kafka_error_string(te));
                                rd_kafka_error_destroy(te);
                                return -1;
                        }
                }
                /* A topic handle spares librdkafka a lookup by name per record. */
                pr->rkt = rd_kafka_topic_new(pr->rk, wl->topic, NULL);
                if (!pr->rkt)
                        return kp_err_set(err, KP_EINFRA, "cannot open topic %s: %s", wl->topic,
                                          rd_kafka_err2str(rd_kafka_last_error()));
        }
        return 0;
}

static int make_consumers(kp_workload_t *wl, kp_err_t *err)
{
        kp_err_t werr;
        int i;

        for (i = 0; i < wl->n_cons; i++) {
                cons_t *co = &wl->conss[i];
                rd_kafka_conf_t *conf = kp_kafka_conf_new(&wl->consumer_props, err);
                rd_kafka_topic_partition_list_t *topics;
                const char *ac;
                if (!conf)
                        return -1;
                ac = kp_kvlist_get(&wl->consumer_props, "enable.auto.commit");
                co->auto_commit = !ac || strcmp(ac, "false") != 0;
                rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
                rd_kafka_conf_set_opaque(conf, co);
                co->rk = kp_kafka_new(RD_KAFKA_CONSUMER, conf, err);
                if (!co->rk)
                        return -1;
                rd_kafka_poll_set_consumer(co->rk);
                /* Learn the partition leaders before joining: a partition
                 * assigned (with its start offset, see start_offsets) before
                 * its broker thread took it over has its offset lookup
                 * retried 500 ms later ("no current leader"). Best effort. */
                if (kp_kafka_wait_topic(co->rk, wl->topic, wl->cfg.partitions, 10000, &werr) < 0)
                        kp_debug("workload %s: consumer %d: %s", wl->topic, i, werr.msg);
                topics = rd_kafka_topic_partition_list_new(1);
                rd_kafka_topic_partition_list_add(topics, wl->topic, RD_KAFKA_PARTITION_UA);
                if (rd_kafka_subscribe(co->rk, topics)) {
                        rd_kafka_topic_partition_list_destroy(topics);
                        return kp_err_set(err, KP_EINFRA, "cannot subscribe to %s", wl->topic);
                }
                rd_kafka_topic_partition_list_destroy(topics);
        }
        return 0;
}

/* Starts the consumer threads and waits (bounded) until the group has every
 * partition assigned, so produce->consume latency does not include the
 * group join. */
static int start_consumers(kp_workload_t *wl, kp_err_t *err)
{
        int64_t deadline;
        int i, assigned;

        if (wl->consumers_started || wl->n_cons == 0)
                return 0;
        wl->consumers_started = 1;
        if (make_consumers(wl, err) < 0)
                return -1;
        for (i = 0; i < wl->n_cons; i++) {
                if (pthread_create(&wl->conss[i].thr, NULL, consumer_main, &wl->conss[i]) != 0)
                        return kp_err_set(err, KP_EINFRA, "cannot start consumer thread");
                wl->conss[i].started = 1;
        }
        /* A shard's consumers hold only a share of the partitions and the
         * group settles as the other workers join: wait, until the shared
         * start at most, for each of them to hold a partition, so the
         * rebalances of the join happen before the load does. */
        deadline = wl->shard ? wl->start_at_ns : kp_mono_ns() + 20 * KP_NS_PER_S;
        while (kp_mono_ns() < deadline && !kp_stop_requested()) {
                int holding = 0;
                assigned = 0;
                for (i = 0; i < wl->n_cons; i++) {
                        int a = __atomic_load_n(&wl->conss[i].assigned, __ATOMIC_ACQUIRE);
                        assigned += a;
                        holding += a > 0;
                }
                if (wl->shard ? holding == wl->n_cons : assigned >= wl->cfg.partitions)
                        break;
                kp_sleep_ms(2);
        }
        if (!wl->shard && kp_mono_ns() >= deadline)
                kp_warn("workload %s: consumers not fully assigned after 20 s; going on",
                        wl->topic);
        return 0;
}

int kp_workload_start_consumers(kp_workload_t *wl, kp_err_t *err)
{
        return start_consumers(wl, err);
}

/* The live status line's counts (progress.h): the counters the threads
 * keep anyway; producing while the schedule runs and a producer with a
 * record quota has not had them all acknowledged. */
static void progress_counts(void *opaque, kp_progress_counts_t *out)
{
        const kp_workload_t *wl = opaque;
        int i, quota_left = wl->records_per_producer == 0;

        out->acked = kp_workload_acked_now(wl);
        out->consumed = kp_workload_consumed_now(wl);
        for (i = 0; !quota_left && i < wl->n_prod; i++)
                quota_left = __atomic_load_n(&wl->prods[i].acked_n, __ATOMIC_RELAXED) <
                             wl->records_per_producer;
        out->producing = quota_left && kp_mono_ns() < wl->start_ns + wl->cfg.duration_ns;
}

int kp_workload_start(kp_workload_t *wl, kp_err_t *err)
{
        int i;

        if (make_producers(wl, err) < 0)
                return -1;
        /* Warm up: every producer learns the topic's leaders before the
         * schedule starts, so connection set-up is not charged as latency. */
        for (i = 0; i < wl->n_prod; i++)
                if (kp_kafka_wait_topic(wl->prods[i].rk, wl->topic, wl->cfg.partitions, 30000,
                                        err) < 0)
                        return -1;
        /* The timeline starts now so the consumer-join wait is visible. */
        wl->start_ns = kp_mono_ns();
        if (!wl->defer_consumers && start_consumers(wl, err) < 0)
                return -1;
        /* A shard starts on the shared clock, even late (a late start shows
         * as latency, as a stalled producer does). */
        wl->start_ns = wl->start_at_ns ? wl->start_at_ns : kp_mono_ns();
        for (i = 0; i < wl->n_prod; i++) {
                if (pthread_create(&wl->prods[i].thr, NULL, producer_main, &wl->prods[i]) != 0)
                        return kp_err_set(err, KP_EINFRA, "cannot start producer thread");
                wl->prods[i].started = 1;
        }
        kp_progress_source_add(progress_counts, wl);
        kp_info("workload %s: %d producer(s) at %.0f records/s for %.1f s, %d consumer(s)",
                wl->topic, wl->n_prod, wl->cfg.rate, (double)wl->cfg.duration_ns / 1e9, wl->n_cons);
        return 0;
}

void kp_workload_wait_produced(kp_workload_t *wl)
{
        int i;

        for (i = 0; i < wl->n_prod; i++) {
                if (wl->prods[i].started) {
                        pthread_join(wl->prods[i].thr, NULL);
                        wl->prods[i].started = 0;
                }
        }
}

/* A shard's consumers are caught up when each of them has joined the group
 * and has read every partition it holds to the high watermark its last fetch
 * saw (librdkafka's cached watermarks: no request). A consumer still joining
 * (a slow group on a loaded machine) is not caught up, so quiet alone never
 * ends a shard's drain before its consumers read. */
static int shard_caught_up(kp_workload_t *wl)
{
        int i, j, ok = 1;

        for (i = 0; ok && i < wl->n_cons; i++) {
                cons_t *co = &wl->conss[i];
                rd_kafka_topic_partition_list_t *parts = NULL;

                if (!__atomic_load_n(&co->joined, __ATOMIC_ACQUIRE))
                        return 0;
                if (rd_kafka_assignment(co->rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
                        return 0;
                if (rd_kafka_position(co->rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
                        ok = 0;
                for (j = 0; ok && j < parts->cnt; j++) {
                        const rd_kafka_topic_partition_t *tp = &parts->elems[j];
                        int64_t lo = -1, hi = -1;
                        if (rd_kafka_get_watermark_offsets(co->rk, tp->topic, tp->partition, &lo,
                                                           &hi) != RD_KAFKA_RESP_ERR_NO_ERROR ||
                            hi < 0)
                                ok = 0;
                        else if (tp->offset >= 0 ? tp->offset < hi : lo < hi)
                                ok = 0;
                }
                rd_kafka_topic_partition_list_destroy(parts);
        }
        return ok;
}

int kp_workload_drain(kp_workload_t *wl, int64_t timeout_ns)
{
        int64_t t0 = kp_mono_ns(), deadline = t0 + timeout_ns, last_check = 0, quiet_since = 0;
        uint64_t quiet_n = 0;
        kp_ledger_summary_t s;

        if (wl->n_cons == 0) {
                wl->drained = 0;
                return 0;
        }
        while (!kp_stop_requested()) {
                int64_t now = kp_mono_ns();
                if (wl->shard) {
                        /* Other shards' acknowledgements are not known here:
                         * drained once nothing new was read for SHARD_QUIET
                         * and the consumers are caught up (shard_caught_up). */
                        uint64_t n = kp_workload_consumed_now(wl);
                        if (n != quiet_n || !quiet_since) {
                                quiet_n = n;
                                quiet_since = now;
                        } else if (now - quiet_since >= SHARD_QUIET_NS &&
                                   now - last_check >= 250 * KP_NS_PER_MS) {
                                last_check = now;
                                if (shard_caught_up(wl)) {
                                        wl->drained = 1;
                                        break;
                                }
                        }
                } else if (now - last_check >= 250 * KP_NS_PER_MS) {
                        kp_ledger_summarize(wl->ledger, &s);
                        last_check = now;
                        if (s.acked_unconsumed == 0) {
                                wl->drained = 1;
                                break;
                        }
                }
                if (now >= deadline)
                        break;
                kp_sleep_ms(50);
        }
        wl->drain_ns = kp_mono_ns() - t0;
        return wl->drained;
}

static void merge_tl(kp_workload_t *wl, const thread_tl_t *tl, kp_hist_t *slot_ack,
                     kp_hist_t *slot_e2e)
{
        size_t i;

        for (i = 0; i < wl->n_slots; i++) {
                wl->timeline[i].sent += tl->counts[i].sent;
                wl->timeline[i].acked += tl->counts[i].acked;
                wl->timeline[i].ack_errors += tl->counts[i].ack_errors;
                wl->timeline[i].consumed += tl->counts[i].consumed;
                if (slot_ack)
                        kp_hist_merge(&slot_ack[i], &tl->hists[i]);
                if (slot_e2e)
                        kp_hist_merge(&slot_e2e[i], &tl->hists[i]);
        }
}

static void merge_errs(kp_workload_t *wl, const uint64_t *errs)
{
        size_t i, j;

        for (i = 0; i < ERR_SLOTS; i++) {
                if (!errs[i])
                        continue;
                for (j = 0; j < wl->n_errors; j++)
                        if (wl->errors[j].code == (int)i - ERR_BASE)
                                break;
                if (j == wl->n_errors) {
                        wl->errors[j].code = (int)i - ERR_BASE;
                        wl->errors[j].count = 0;
                        wl->n_errors++;
                }
                wl->errors[j].count += errs[i];
        }
}

void kp_workload_stop(kp_workload_t *wl)
{
        kp_hist_t *slot_ack, *slot_e2e;
        kp_workload_results_t *r = &wl->res;
        int64_t last_finish = wl->start_ns;
        size_t i;
        int k;

        if (wl->stopped)
                return;
        kp_progress_source_remove(wl);
        wl->stop_producers = 1;
        kp_workload_wait_produced(wl);
        wl->stop_consumers = 1;
        for (k = 0; k < wl->n_cons; k++)
                if (wl->conss[k].started) {
                        pthread_join(wl->conss[k].thr, NULL);
                        wl->conss[k].started = 0;
                }
        wl->stopped = 1;

        /* Consumptions seen before their acknowledgement: verify now. */
        for (k = 0; k < wl->n_cons; k++) {
                cons_t *co = &wl->conss[k];
                for (i = 0; i < co->n_pending; i++) {
                        pending_t *p = &co->pending[i];
                        kp_ledger_consume_t v = kp_ledger_verify(wl->ledger, p->producer, p->seq,
                                                                 p->partition, p->offset);
                        if (v == KP_LEDGER_DIFFERENT) {
                                co->other_offset++;
                                add_example(co, KP_LEDGER_DIFFERENT, p->partition, p->offset,
                                            p->producer, p->seq);
                        }
                }
        }

        wl->timeline = calloc(wl->n_slots, sizeof(*wl->timeline));
        slot_ack = calloc(wl->n_slots, sizeof(*slot_ack));
        slot_e2e = calloc(wl->n_slots, sizeof(*slot_e2e));
        for (i = 0; slot_ack && slot_e2e && i < wl->n_slots; i++) {
                kp_hist_init(&slot_ack[i], SLOT_HIST_BITS, HIST_MAX_NS);
                kp_hist_init(&slot_e2e[i], SLOT_HIST_BITS, HIST_MAX_NS);
        }
        memset(r, 0, sizeof(*r));
        for (k = 0; k < wl->n_prod; k++) {
                prod_t *pr = &wl->prods[k];
                kp_hist_merge(&wl->ack_hist, &pr->ack_hist);
                if (wl->timeline && slot_ack)
                        merge_tl(wl, &pr->tl, slot_ack, NULL);
                merge_errs(wl, pr->errs);
                r->produce_errors += pr->produce_errors;
                r->txn_committed += pr->txns[KP_TXN_COMMITTED];
                r->txn_aborted += pr->txns[KP_TXN_ABORTED];
                r->txn_unknown += pr->txns[KP_TXN_UNKNOWN];
                r->queue_full_waits += pr->queue_full;
                r->value_bytes += pr->value_bytes;
                if (pr->finished_ns > last_finish)
                        last_finish = pr->finished_ns;
                if (pr->max_lag_ns > r->max_send_lag_ns)
                        r->max_send_lag_ns = pr->max_lag_ns;
        }
        for (k = 0; k < wl->n_cons; k++) {
                cons_t *co = &wl->conss[k];
                kp_hist_merge(&wl->e2e_hist, &co->e2e_hist);
                if (wl->timeline && slot_e2e)
                        merge_tl(wl, &co->tl, NULL, slot_e2e);
                merge_errs(wl, co->errs);
                r->consume_errors += co->consume_errors;
                r->foreign += co->foreign;
                r->corrupt += co->corrupt;
                r->redeliveries += co->redeliveries;
                r->other_offset += co->other_offset;
                r->unverified += co->unverified;
                r->poll_backwards += co->backwards;
                for (i = 0; i < co->n_examples && wl->n_examples < EXAMPLES_MAX; i++)
                        wl->examples[wl->n_examples++] = co->examples[i];
        }
        for (i = 0; wl->timeline && slot_ack && slot_e2e && i < wl->n_slots; i++) {
                wl->timeline[i].p99_ack_us = kp_hist_percentile(&slot_ack[i], 99.0) / 1000;
                wl->timeline[i].p99_e2e_us = kp_hist_percentile(&slot_e2e[i], 99.0) / 1000;
        }
        for (i = 0; slot_ack && slot_e2e && i < wl->n_slots; i++) {
                kp_hist_release(&slot_ack[i]);
                kp_hist_release(&slot_e2e[i]);
        }
        free(slot_ack);
        free(slot_e2e);

        kp_ledger_summarize(wl->ledger, &r->ledger);
        r->produce_ns = last_finish - wl->start_ns;
        r->drain_ns = wl->drain_ns;
        r->drained = wl->drained;
        r->target_rate = wl->cfg.rate;
        r->achieved_rate = r->produce_ns > 0 ? (double)r->ledger.sent * 1e9 /
                                                   (double)(r->produce_ns < wl->cfg.duration_ns
                                                                ? wl->cfg.duration_ns
                                                                : r->produce_ns)
                                             : 0;
        r->ack_hist = &wl->ack_hist;
        r->e2e_hist = &wl->e2e_hist;
        r->errors = wl->errors;
        r->n_errors = wl->n_errors;
        r->examples = wl->examples;
        r->n_examples = wl->n_examples;
}

int kp_workload_run(kp_workload_t *wl, kp_err_t *err)
{
        if (kp_workload_start(wl, err) < 0) {
                kp_workload_stop(wl);
                return -1;
        }
        kp_workload_wait_produced(wl);
        kp_workload_drain(wl, wl->cfg.drain_timeout_ns);
        kp_workload_stop(wl);
        return 0;
}

void kp_workload_results(kp_workload_t *wl, kp_workload_results_t *r)
{
        *r = wl->res;
}

const kp_workload_slot_t *kp_workload_timeline(kp_workload_t *wl, size_t *n_slots, int64_t *slot_ns)
{
        size_t n = wl->n_slots;

        /* Trim empty trailing slots. */
        while (n > 0 && wl->timeline && wl->timeline[n - 1].sent == 0 &&
               wl->timeline[n - 1].acked == 0 && wl->timeline[n - 1].consumed == 0 &&
               wl->timeline[n - 1].ack_errors == 0)
                n--;
        *n_slots = wl->timeline ? n : 0;
        *slot_ns = wl->slot_ns;
        return wl->timeline;
}

const kp_ledger_t *kp_workload_ledger(const kp_workload_t *wl)
{
        return wl->ledger;
}

int64_t kp_workload_start_ns(const kp_workload_t *wl)
{
        return wl->start_ns;
}

uint64_t kp_workload_acked_now(const kp_workload_t *wl)
{
        uint64_t n = 0;
        int i;

        for (i = 0; i < wl->n_prod; i++)
                n += __atomic_load_n(&wl->prods[i].acked_n, __ATOMIC_RELAXED);
        return n;
}

uint64_t kp_workload_consumed_now(const kp_workload_t *wl)
{
        uint64_t n = 0;
        int i;

        for (i = 0; i < wl->n_cons; i++)
                n += __atomic_load_n(&wl->conss[i].consumed_n, __ATOMIC_RELAXED);
        return n;
}

void kp_workload_free(kp_workload_t *wl)
{
        int i;

        if (!wl)
                return;
        kp_progress_source_remove(wl);
        if (!wl->stopped && wl->start_ns)
                kp_workload_stop(wl);
        for (i = 0; wl->prods && i < wl->n_prod; i++) {
                prod_t *pr = &wl->prods[i];
                if (pr->rkt)
                        rd_kafka_topic_destroy(pr->rkt);
                if (pr->rk)
                        rd_kafka_destroy(pr->rk);
                kp_hist_release(&pr->ack_hist);
                tl_release(&pr->tl, wl->n_slots);
                free(pr->buf);
        }
        for (i = 0; wl->conss && i < wl->n_cons; i++) {
                cons_t *co = &wl->conss[i];
                if (co->rk)
                        rd_kafka_destroy(co->rk);
                kp_hist_release(&co->e2e_hist);
                tl_release(&co->tl, wl->n_slots);
                free(co->last_offset);
                free(co->pending);
        }
        free(wl->prods);
        free(wl->conss);
        kp_hist_release(&wl->ack_hist);
        kp_hist_release(&wl->e2e_hist);
        free(wl->timeline);
        kp_ledger_free(wl->ledger);
        free(wl->pattern);
        kp_kvlist_clear(&wl->producer_props);
        kp_kvlist_clear(&wl->consumer_props);
        kp_workload_cfg_release(&wl->cfg);
        free(wl->topic);
        free(wl->group_id);
        free(wl);
}
