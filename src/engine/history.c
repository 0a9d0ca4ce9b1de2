#include "engine/history.h"

#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

#define CHUNK_BITS 15
#define CHUNK      ((uint64_t)1 << CHUNK_BITS)

typedef struct hlog {
        kp_hev_t **chunks; /* n_chunks_max slots, filled on demand */
        uint64_t count;
        uint64_t dropped;
        const kp_hev_t *ext; /* adopted events (kp_history_adopt), borrowed */
} hlog_t;

struct kp_history {
        int producers, consumers, partitions;
        uint64_t max_events;
        size_t n_chunks_max;
        int64_t origin_ns;
        hlog_t *logs;
        size_t chunk_count;
};

kp_history_t *kp_history_new(int producers, int consumers, int partitions, uint64_t max_events,
                             kp_err_t *err)
{
        kp_history_t *h;
        int i, n;

        if (producers < 1 || producers > 65535 || consumers < 0 || consumers > 65535 ||
            partitions < 1 || max_events < 1) {
                kp_err_set(err, KP_EINVAL, "history: invalid size");
                return NULL;
        }
        h = calloc(1, sizeof(*h));
        if (!h)
                goto oom;
        h->producers = producers;
        h->consumers = consumers;
        h->partitions = partitions;
        h->max_events = max_events;
        h->n_chunks_max = (size_t)((max_events + CHUNK - 1) / CHUNK);
        h->origin_ns = kp_mono_ns();
        n = producers + consumers;
        h->logs = calloc((size_t)n, sizeof(*h->logs));
        if (!h->logs)
                goto oom;
        for (i = 0; i < n; i++) {
                h->logs[i].chunks = calloc(h->n_chunks_max, sizeof(kp_hev_t *));
                if (!h->logs[i].chunks)
                        goto oom;
        }
        return h;
oom:
        kp_history_free(h);
        kp_err_set(err, KP_ENOMEM, "history: out of memory");
        return NULL;
}

void kp_history_free(kp_history_t *h)
{
        int i, n;
        size_t c;

        if (!h)
                return;
        n = h->producers + h->consumers;
        for (i = 0; h->logs && i < n; i++) {
                for (c = 0; h->logs[i].chunks && c < h->n_chunks_max; c++)
                        free(h->logs[i].chunks[c]);
                free(h->logs[i].chunks);
        }
        free(h->logs);
        free(h);
}

int kp_history_producers(const kp_history_t *h)
{
        return h->producers;
}

int kp_history_consumers(const kp_history_t *h)
{
        return h->consumers;
}

int kp_history_partitions(const kp_history_t *h)
{
        return h->partitions;
}

int64_t kp_history_origin_ns(const kp_history_t *h)
{
        return h->origin_ns;
}

int64_t kp_history_mono_ns(const kp_history_t *h, uint32_t t)
{
        return h->origin_ns + (int64_t)t * KP_HIST_TICK_NS;
}

int kp_history_logs(const kp_history_t *h)
{
        return h->producers + h->consumers;
}

/* The next free slot of a log, or NULL when the log is full. */
static kp_hev_t *append(kp_history_t *h, int log)
{
        hlog_t *l;
        kp_hev_t *chunk;
        size_t c;

        if (log < 0 || log >= h->producers + h->consumers)
                return NULL;
        l = &h->logs[log];
        if (l->count >= h->max_events || l->ext) {
                l->dropped++;
                return NULL;
        }
        c = (size_t)(l->count >> CHUNK_BITS);
        chunk = l->chunks[c];
        if (!chunk) {
                chunk = malloc(CHUNK * sizeof(*chunk));
                if (!chunk) {
                        l->dropped++;
                        return NULL;
                }
                l->chunks[c] = chunk;
                __atomic_fetch_add(&h->chunk_count, 1, __ATOMIC_RELAXED);
        }
        return &chunk[l->count & (CHUNK - 1)];
}

static void commit(kp_history_t *h, int log)
{
        __atomic_store_n(&h->logs[log].count, h->logs[log].count + 1, __ATOMIC_RELEASE);
}

static uint32_t tick(const kp_history_t *h, int64_t ns)
{
        int64_t d = (ns - h->origin_ns) / KP_HIST_TICK_NS;

        if (d < 0)
                return 0;
        return d > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static uint32_t lat_us(int64_t intended_ns, int64_t done_ns)
{
        int64_t d = (done_ns - intended_ns) / 1000;

        if (d < 0 || intended_ns <= 0)
                return 0;
        return d > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static void fill(kp_hev_t *e, kp_hev_kind_t kind, uint64_t rid, int32_t partition, int64_t offset,
                 int err, uint32_t t, uint32_t lat)
{
        e->rid = rid;
        e->offset = offset;
        e->partition = partition;
        e->err = (int16_t)err;
        e->kind = (uint8_t)kind;
        e->pad = 0;
        e->t = t;
        e->lat_us = lat;
}

/* The next free slot of a producer's log (its log is its number), or NULL. */
static kp_hev_t *producer_slot(kp_history_t *h, int producer)
{
        if (!h || producer < 0 || producer >= h->producers)
                return NULL;
        return append(h, producer);
}

/* The next free slot of a consumer's log (after the producers' logs), its
 * log in *log, or NULL. */
static kp_hev_t *consumer_slot(kp_history_t *h, int consumer, int *log)
{
        if (!h || consumer < 0 || consumer >= h->consumers)
                return NULL;
        *log = h->producers + consumer;
        return append(h, *log);
}

void kp_history_produced(kp_history_t *h, int producer, uint64_t seq, int32_t partition,
                         int64_t offset, int err, int64_t intended_ns, int64_t done_ns)
{
        kp_hev_t *e = producer_slot(h, producer);

        if (!e)
                return;
        fill(e, err ? KP_HEV_ACK_ERR : KP_HEV_ACK, KP_RID(producer, seq), partition,
             err ? -1 : offset, err, tick(h, done_ns), lat_us(intended_ns, done_ns));
        commit(h, producer);
}

void kp_history_aborted(kp_history_t *h, int producer, uint64_t seq, int64_t done_ns)
{
        kp_hev_t *e = producer_slot(h, producer);

        if (!e)
                return;
        fill(e, KP_HEV_ABORTED, KP_RID(producer, seq), -1, -1, 0, tick(h, done_ns), 0);
        commit(h, producer);
}

void kp_history_consumed(kp_history_t *h, int consumer, int producer, uint64_t seq,
                         int32_t partition, int64_t offset, int64_t intended_ns, int64_t done_ns)
{
        int log;
        kp_hev_t *e = consumer_slot(h, consumer, &log);

        if (!e)
                return;
        fill(e, KP_HEV_CONSUME, KP_RID(producer, seq), partition, offset, 0, tick(h, done_ns),
             lat_us(intended_ns, done_ns));
        commit(h, log);
}

void kp_history_foreign(kp_history_t *h, int consumer, int32_t partition, int64_t offset,
                        int64_t done_ns)
{
        int log;
        kp_hev_t *e = consumer_slot(h, consumer, &log);

        if (!e)
                return;
        fill(e, KP_HEV_FOREIGN, 0, partition, offset, 0, tick(h, done_ns), 0);
        commit(h, log);
}

void kp_history_assigned(kp_history_t *h, int consumer, int64_t done_ns)
{
        int log;
        kp_hev_t *e = consumer_slot(h, consumer, &log);

        if (!e)
                return;
        fill(e, KP_HEV_ASSIGN, 0, -1, -1, 0, tick(h, done_ns), 0);
        commit(h, log);
}

void kp_history_txn_read(kp_history_t *h, int producer, int rd_producer, uint64_t rd_seq,
                         int32_t partition, int64_t offset, int64_t done_ns)
{
        kp_hev_t *e = producer_slot(h, producer);

        if (!e)
                return;
        fill(e, KP_HEV_TXN_READ, KP_RID(rd_producer, rd_seq), partition, offset, 0,
             tick(h, done_ns), 0);
        commit(h, producer);
}

void kp_history_txn_end(kp_history_t *h, int producer, uint64_t first_seq, uint32_t n,
                        kp_txn_outcome_t outcome, int64_t begin_ns, int64_t done_ns)
{
        kp_hev_t *e = producer_slot(h, producer);

        if (!e)
                return;
        fill(e, KP_HEV_TXN_END, KP_RID(producer, first_seq), -1, (int64_t)n, 0, tick(h, done_ns),
             lat_us(begin_ns, done_ns));
        e->pad = (uint8_t)outcome;
        commit(h, producer);
}

uint64_t kp_history_count(const kp_history_t *h, int log)
{
        if (log < 0 || log >= h->producers + h->consumers)
                return 0;
        return __atomic_load_n(&h->logs[log].count, __ATOMIC_ACQUIRE);
}

const kp_hev_t *kp_history_span(const kp_history_t *h, int log, uint64_t i, uint64_t *n)
{
        uint64_t count = kp_history_count(h, log), left;
        size_t c;

        *n = 0;
        if (i >= count)
                return NULL;
        if (h->logs[log].ext) {
                *n = count - i;
                return &h->logs[log].ext[i];
        }
        c = (size_t)(i >> CHUNK_BITS);
        left = CHUNK - (i & (CHUNK - 1));
        *n = count - i < left ? count - i : left;
        return &h->logs[log].chunks[c][i & (CHUNK - 1)];
}

int kp_history_adopt(kp_history_t *h, int log, const kp_hev_t *events, uint64_t n)
{
        if (log < 0 || log >= h->producers + h->consumers || h->logs[log].count || !n)
                return -1;
        h->logs[log].ext = events;
        __atomic_store_n(&h->logs[log].count, n, __ATOMIC_RELEASE);
        return 0;
}

uint64_t kp_history_dropped(const kp_history_t *h)
{
        uint64_t d = 0;
        int i;

        for (i = 0; i < h->producers + h->consumers; i++)
                d += h->logs[i].dropped;
        return d;
}

size_t kp_history_bytes(const kp_history_t *h)
{
        size_t n = sizeof(*h);

        n += (size_t)(h->producers + h->consumers) *
             (sizeof(hlog_t) + h->n_chunks_max * sizeof(kp_hev_t *));
        n += __atomic_load_n(&h->chunk_count, __ATOMIC_RELAXED) * CHUNK * sizeof(kp_hev_t);
        return n;
}
