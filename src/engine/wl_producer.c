/* wl_producer.c: the workload engine's producer thread: the fixed-rate
 * schedule, delivery reports and transactions. */
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "engine/record.h"
#include "engine/workload_int.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

/* Behind schedule (saturated), a producer serves delivery reports every
 * POLL_EVERY records instead of after each one: rd_kafka_poll takes a lock
 * and would otherwise cost more than kproof's own tracking. */
#define POLL_EVERY 32

/* When record seq of this producer was meant to be sent: from its index, so
 * the schedule never drifts, and a delivery report finds it without reading
 * the value back (a cache miss per record). */
static inline int64_t intended_of(const prod_t *pr, uint64_t seq)
{
        return pr->wl->start_ns + pr->phase_ns + (int64_t)((double)seq * pr->interval_ns);
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
                                    intended_of(pr, seq), now);
        if (m->err) {
                kp_ledger_on_ack_error(wl->ledger, pr->id, seq);
                count_err(pr->errs, m->err);
                pr->tl.counts[s].ack_errors++;
                return;
        }
        kp_ledger_on_ack(wl->ledger, pr->id, seq, m->partition, m->offset);
        __atomic_store_n(&pr->acked_n, pr->acked_n + 1, __ATOMIC_RELAXED);
        {
                int64_t lat = now - intended_of(pr, seq);
                uint64_t v = lat > 0 ? (uint64_t)lat : 0;
                kp_hist_record(&pr->ack_hist, v);
                kp_hist_record(&pr->tl.hists[s], v);
        }
        pr->tl.counts[s].acked++;
        pr->value_bytes += m->len;
}

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

/* After a failed commit or abort (what) of try number tries: whether the
 * producer gives up, the error being final or retried enough. Giving up is
 * logged and stops this producer. Destroys e. */
static int txn_gives_up(prod_t *pr, rd_kafka_error_t *e, int tries, const char *what)
{
        int give_up = !rd_kafka_error_is_retriable(e) || tries >= 3;

        if (give_up) {
                kp_warn("workload: producer %d: %s failed: %s", pr->id, what,
                        rd_kafka_error_string(e));
                pr->txn_fatal = 1;
        }
        rd_kafka_error_destroy(e);
        return give_up;
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
                        rd_kafka_error_destroy(e);
                } else if (txn_gives_up(pr, e, tries, "commit")) {
                        out = KP_TXN_UNKNOWN;
                        break;
                }
        }
        for (tries = 0; abort_wanted; tries++) {
                e = rd_kafka_abort_transaction(pr->rk, TXN_TIMEOUT_MS);
                if (!e) {
                        out = KP_TXN_ABORTED;
                        break;
                }
                count_err(pr->errs, rd_kafka_error_code(e));
                if (txn_gives_up(pr, e, tries, "abort")) {
                        out = KP_TXN_UNKNOWN;
                        break;
                }
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
void *kp_wl_producer_main(void *arg)
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
        const uint8_t *value;
        uint64_t seq;
        uint8_t key[8];
        int64_t now = kp_mono_ns();

        pr->interval_ns = interval;
        pr->phase_ns = phase;
        h.nonce = wl->nonce;
        h.producer = (uint16_t)(wl->producer_base + pr->id);
        for (seq = 0; !limit || seq < limit; seq++) {
                int64_t intended = intended_of(pr, seq);
                int64_t next = intended_of(pr, seq + 1);
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
                value = kp_rec_enc_next(&pr->enc, &h);
                if (c->keys > 0) {
                        uint64_t k =
                            (seq * (uint64_t)wl->n_prod + (uint64_t)pr->id) % (uint64_t)c->keys;
                        int i;
                        for (i = 0; i < 8; i++)
                                key[i] = (uint8_t)(k >> (56 - 8 * i));
                }
                for (;;) {
                        /* rd_kafka_produce: no variable-argument parsing per record. */
                        e = rd_kafka_produce(
                                pr->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                (void *)(uintptr_t)value, len, c->keys > 0 ? key : NULL,
                                c->keys > 0 ? sizeof(key) : 0, (void *)(uintptr_t)seq) == -1
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

void kp_wl_dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        dr_cb(rk, m, opaque);
}
