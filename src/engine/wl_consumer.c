/* wl_consumer.c: the workload engine's consumer thread: group assignment and
 * start offsets, and the check of every consumed record against the ledger. */
#include <stdint.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "engine/record.h"
#include "engine/workload_int.h"
#include "util/timeutil.h"

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

void kp_wl_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
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

/* Verifies the consumptions this consumer saw before their acknowledgement
 * (kp_workload_stop, once every thread has ended). */
void kp_wl_verify_pending(cons_t *co)
{
        kp_workload_t *wl = co->wl;
        size_t i;

        for (i = 0; i < co->n_pending; i++) {
                pending_t *p = &co->pending[i];
                kp_ledger_consume_t v =
                    kp_ledger_verify(wl->ledger, p->producer, p->seq, p->partition, p->offset);
                if (v == KP_LEDGER_DIFFERENT) {
                        co->other_offset++;
                        add_example(co, KP_LEDGER_DIFFERENT, p->partition, p->offset, p->producer,
                                    p->seq);
                }
        }
}

/* Records one consumed record. now is the time the record was handed to the
 * application and s its timeline slot (both from kp_wl_consumer_main, which reads
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

/* The next record's value most likely starts a few bytes after this one's
 * end, in the same fetch buffer (records of a batch are contiguous; between
 * two values lie only the record's varint fields and key). With a deep
 * prefetch queue that buffer was written long ago and has left the cache, so
 * checksumming a value waited on memory (the raw consumer never reads values
 * and never pays that). Asking for the next value's lines now, a whole
 * record's processing ahead, hides part of it: sampled on kafka-local, 1 KiB
 * values, the checksum's share fell from 130 to 99 ns per record (54 ns in a
 * hot cache). A prefetch of an address that is not mapped does nothing;
 * values over PREFETCH_MAX bytes are fetched ahead only that far. */
#define PREFETCH_MAX 4096
static inline void prefetch_next(const rd_kafka_message_t *m)
{
        /* An address, not a pointer into the value: it may lie past it. */
        uintptr_t next = (uintptr_t)m->payload + m->len + 8;
        size_t i, n = m->len + 64 < PREFETCH_MAX ? m->len + 64 : PREFETCH_MAX;

        if (!m->payload)
                return;
        for (i = 0; i < n; i += 64)
                __builtin_prefetch((const void *)(next + i));
}

void *kp_wl_consumer_main(void *arg)
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
                                prefetch_next(m);
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
int64_t kp_wl_reset_offset(const char *v)
{
        if (!v || !strcmp(v, "earliest") || !strcmp(v, "smallest") || !strcmp(v, "beginning"))
                return RD_KAFKA_OFFSET_BEGINNING;
        if (!strcmp(v, "latest") || !strcmp(v, "largest") || !strcmp(v, "end"))
                return RD_KAFKA_OFFSET_END;
        return RD_KAFKA_OFFSET_INVALID;
}
