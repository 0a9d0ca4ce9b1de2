#include "ledger.h"

#include <stdlib.h>
#include <string.h>

typedef struct ledger_producer {
        kp_ledger_entry_t **chunks; /* n_chunks_max slots, filled on demand */
        uint64_t count;             /* reserved entries; written by the producer thread */
} ledger_producer_t;

struct kp_ledger {
        int n_producers;
        int n_partitions;
        uint64_t max_per_producer;
        size_t n_chunks_max;
        ledger_producer_t *producers;
        int64_t *max_consumed; /* per partition */
        size_t chunk_count;    /* allocated chunks, for accounting */
};

kp_ledger_t *kp_ledger_new(int producers, int partitions, uint64_t max_per_producer,
                           kp_err_t *err)
{
        kp_ledger_t *lg;
        int i;

        if (producers < 1 || producers > 65535 || partitions < 1 || max_per_producer < 1) {
                kp_err_set(err, KP_EINVAL, "ledger: invalid size");
                return NULL;
        }
        lg = calloc(1, sizeof(*lg));
        if (!lg)
                goto oom;
        lg->n_producers = producers;
        lg->n_partitions = partitions;
        lg->max_per_producer = max_per_producer;
        lg->n_chunks_max = (size_t)((max_per_producer + KP_LEDGER_CHUNK - 1) / KP_LEDGER_CHUNK);
        lg->producers = calloc((size_t)producers, sizeof(*lg->producers));
        lg->max_consumed = malloc((size_t)partitions * sizeof(int64_t));
        if (!lg->producers || !lg->max_consumed)
                goto oom;
        for (i = 0; i < partitions; i++)
                lg->max_consumed[i] = -1;
        for (i = 0; i < producers; i++) {
                lg->producers[i].chunks = calloc(lg->n_chunks_max, sizeof(kp_ledger_entry_t *));
                if (!lg->producers[i].chunks)
                        goto oom;
        }
        return lg;
oom:
        kp_ledger_free(lg);
        kp_err_set(err, KP_ENOMEM, "ledger: out of memory");
        return NULL;
}

void kp_ledger_free(kp_ledger_t *lg)
{
        int i;
        size_t c;

        if (!lg)
                return;
        for (i = 0; lg->producers && i < lg->n_producers; i++) {
                for (c = 0; lg->producers[i].chunks && c < lg->n_chunks_max; c++)
                        free(lg->producers[i].chunks[c]);
                free(lg->producers[i].chunks);
        }
        free(lg->producers);
        free(lg->max_consumed);
        free(lg);
}

int kp_ledger_producers(const kp_ledger_t *lg)
{
        return lg->n_producers;
}

int kp_ledger_partitions(const kp_ledger_t *lg)
{
        return lg->n_partitions;
}

uint64_t kp_ledger_count(const kp_ledger_t *lg, int producer)
{
        return __atomic_load_n(&lg->producers[producer].count, __ATOMIC_ACQUIRE);
}

/* The entry for (producer, seq) when reserved, else NULL. Safe from any thread. */
static kp_ledger_entry_t *entry_at(const kp_ledger_t *lg, int producer, uint64_t seq)
{
        kp_ledger_entry_t *chunk;
        size_t c;

        if (producer < 0 || producer >= lg->n_producers)
                return NULL;
        if (seq >= kp_ledger_count(lg, producer))
                return NULL;
        c = (size_t)(seq >> KP_LEDGER_CHUNK_BITS);
        chunk = __atomic_load_n(&lg->producers[producer].chunks[c], __ATOMIC_ACQUIRE);
        return chunk ? &chunk[seq & (KP_LEDGER_CHUNK - 1)] : NULL;
}

int kp_ledger_on_send(kp_ledger_t *lg, int producer, uint64_t seq)
{
        ledger_producer_t *p = &lg->producers[producer];
        kp_ledger_entry_t *chunk, *e;
        size_t c = (size_t)(seq >> KP_LEDGER_CHUNK_BITS);
        uint64_t i;

        if (seq != p->count || seq >= lg->max_per_producer)
                return -1;
        chunk = p->chunks[c];
        if (!chunk) {
                chunk = malloc(KP_LEDGER_CHUNK * sizeof(*chunk));
                if (!chunk)
                        return -1;
                for (i = 0; i < KP_LEDGER_CHUNK; i++) {
                        chunk[i].offset = -1;
                        chunk[i].partition = -1;
                        chunk[i].consumed = 0;
                        chunk[i].state = KP_LS_NONE;
                        chunk[i].cflags = 0;
                }
                __atomic_store_n(&p->chunks[c], chunk, __ATOMIC_RELEASE);
                __atomic_fetch_add(&lg->chunk_count, 1, __ATOMIC_RELAXED);
        }
        e = &chunk[seq & (KP_LEDGER_CHUNK - 1)];
        __atomic_store_n(&e->state, (uint8_t)KP_LS_SENT, __ATOMIC_RELAXED);
        __atomic_store_n(&p->count, seq + 1, __ATOMIC_RELEASE);
        return 0;
}

void kp_ledger_on_ack(kp_ledger_t *lg, int producer, uint64_t seq, int32_t partition,
                      int64_t offset)
{
        kp_ledger_entry_t *e = entry_at(lg, producer, seq);

        if (!e)
                return;
        __atomic_store_n(&e->offset, offset, __ATOMIC_RELAXED);
        __atomic_store_n(&e->partition, partition, __ATOMIC_RELAXED);
        __atomic_store_n(&e->state, (uint8_t)KP_LS_ACKED, __ATOMIC_RELEASE);
}

void kp_ledger_on_ack_error(kp_ledger_t *lg, int producer, uint64_t seq)
{
        kp_ledger_entry_t *e = entry_at(lg, producer, seq);

        if (e)
                __atomic_store_n(&e->state, (uint8_t)KP_LS_FAILED, __ATOMIC_RELEASE);
}

static void note_max(kp_ledger_t *lg, int32_t partition, int64_t offset)
{
        int64_t cur;

        if (partition < 0 || partition >= lg->n_partitions)
                return;
        cur = __atomic_load_n(&lg->max_consumed[partition], __ATOMIC_RELAXED);
        while (offset > cur &&
               !__atomic_compare_exchange_n(&lg->max_consumed[partition], &cur, offset, 1,
                                            __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                ;
}

static kp_ledger_consume_t compare_ack(kp_ledger_entry_t *e, int32_t partition, int64_t offset)
{
        if (__atomic_load_n(&e->offset, __ATOMIC_RELAXED) == offset &&
            __atomic_load_n(&e->partition, __ATOMIC_RELAXED) == partition)
                return KP_LEDGER_FIRST;
        __atomic_fetch_or(&e->cflags, (uint8_t)KP_LC_OTHER_OFFSET, __ATOMIC_RELAXED);
        return KP_LEDGER_DIFFERENT;
}

kp_ledger_consume_t kp_ledger_on_consume(kp_ledger_t *lg, int producer, uint64_t seq,
                                         int32_t partition, int64_t offset)
{
        kp_ledger_entry_t *e = entry_at(lg, producer, seq);
        uint16_t prev;
        kp_ledger_consume_t r;

        if (!e)
                return KP_LEDGER_UNKNOWN;
        note_max(lg, partition, offset);
        prev = __atomic_load_n(&e->consumed, __ATOMIC_RELAXED);
        while (prev != UINT16_MAX &&
               !__atomic_compare_exchange_n(&e->consumed, &prev, (uint16_t)(prev + 1), 1,
                                            __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                ;
        if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) != KP_LS_ACKED) {
                __atomic_fetch_or(&e->cflags, (uint8_t)KP_LC_BEFORE_ACK, __ATOMIC_RELAXED);
                return KP_LEDGER_PENDING;
        }
        r = compare_ack(e, partition, offset);
        if (r == KP_LEDGER_FIRST && prev > 0)
                return KP_LEDGER_REPEAT;
        return r;
}

kp_ledger_consume_t kp_ledger_verify(kp_ledger_t *lg, int producer, uint64_t seq,
                                     int32_t partition, int64_t offset)
{
        kp_ledger_entry_t *e = entry_at(lg, producer, seq);

        if (!e)
                return KP_LEDGER_UNKNOWN;
        if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) != KP_LS_ACKED)
                return KP_LEDGER_PENDING;
        return compare_ack(e, partition, offset);
}

int kp_ledger_get(const kp_ledger_t *lg, int producer, uint64_t seq, kp_ledger_entry_t *out)
{
        kp_ledger_entry_t *e = entry_at(lg, producer, seq);

        if (!e)
                return -1;
        out->state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
        out->offset = __atomic_load_n(&e->offset, __ATOMIC_RELAXED);
        out->partition = __atomic_load_n(&e->partition, __ATOMIC_RELAXED);
        out->consumed = __atomic_load_n(&e->consumed, __ATOMIC_RELAXED);
        out->cflags = __atomic_load_n(&e->cflags, __ATOMIC_RELAXED);
        return 0;
}

int64_t kp_ledger_max_consumed(const kp_ledger_t *lg, int32_t partition)
{
        if (partition < 0 || partition >= lg->n_partitions)
                return -1;
        return __atomic_load_n(&lg->max_consumed[partition], __ATOMIC_RELAXED);
}

void kp_ledger_foreach(const kp_ledger_t *lg, kp_ledger_visit_fn fn, void *opaque)
{
        kp_ledger_entry_t e;
        uint64_t seq, n;
        int p;

        for (p = 0; p < lg->n_producers; p++) {
                n = kp_ledger_count(lg, p);
                for (seq = 0; seq < n; seq++)
                        if (kp_ledger_get(lg, p, seq, &e) == 0)
                                fn(opaque, p, seq, &e);
        }
}

static void summarize_one(void *opaque, int producer, uint64_t seq, const kp_ledger_entry_t *e)
{
        kp_ledger_summary_t *s = opaque;
        (void)producer;
        (void)seq;

        s->sent++;
        if (e->state == KP_LS_ACKED)
                s->acked++;
        else if (e->state == KP_LS_FAILED)
                s->failed++;
        else
                s->in_doubt++;
        if (e->consumed > 0)
                s->consumed_unique++;
        if (e->consumed > 1)
                s->redelivered++;
        if (e->cflags & KP_LC_OTHER_OFFSET)
                s->other_offset++;
        if (e->state == KP_LS_FAILED && e->consumed > 0)
                s->failed_but_consumed++;
}

struct summary_ctx {
        const kp_ledger_t *lg;
        kp_ledger_summary_t *s;
};

static void summarize_acked(void *opaque, int producer, uint64_t seq, const kp_ledger_entry_t *e)
{
        struct summary_ctx *c = opaque;

        summarize_one(c->s, producer, seq, e);
        if (e->state == KP_LS_ACKED && e->consumed == 0) {
                c->s->acked_unconsumed++;
                if (e->offset < kp_ledger_max_consumed(c->lg, e->partition))
                        c->s->skipped++;
        }
}

void kp_ledger_summarize(const kp_ledger_t *lg, kp_ledger_summary_t *s)
{
        struct summary_ctx c = {lg, s};

        memset(s, 0, sizeof(*s));
        kp_ledger_foreach(lg, summarize_acked, &c);
}

size_t kp_ledger_bytes(const kp_ledger_t *lg)
{
        size_t n = sizeof(*lg);

        n += (size_t)lg->n_producers * (sizeof(ledger_producer_t) +
                                        lg->n_chunks_max * sizeof(kp_ledger_entry_t *));
        n += (size_t)lg->n_partitions * sizeof(int64_t);
        n += __atomic_load_n(&lg->chunk_count, __ATOMIC_RELAXED) * KP_LEDGER_CHUNK *
             sizeof(kp_ledger_entry_t);
        return n;
}
