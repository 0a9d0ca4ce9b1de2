#include "engine/ledger.h"

#include <stdlib.h>
#include <string.h>

/*
 * Storage: 12 bytes per record, kept as two arrays per chunk so each side is
 * written with aligned atomics and never shares a word with the other.
 *
 *  producer side, one 64-bit word per record, published with one store:
 *    bits 62..63  state (KP_LS_*)
 *    bits 48..61  acknowledged partition + 1 (0: unknown)
 *    bits  0..47  acknowledged offset + 1 (0: unknown; offsets from
 *                 2^48 - 2 up are stored as 2^48 - 2, far beyond any log)
 *  consumer side, 4 bytes per record: consumption count and flags.
 *
 * kp_ledger_entry_t stays the 16-byte view callers get from kp_ledger_get.
 */
#define ACK_STATE_SHIFT 62
#define ACK_PART_SHIFT  48
#define ACK_OFF_MASK    (((uint64_t)1 << 48) - 1)
#define ACK_PART_MASK   (((uint64_t)1 << 14) - 1)
#define MAX_PARTITIONS  ((int)ACK_PART_MASK - 1)

typedef struct cons_side {
        uint16_t consumed;
        uint8_t cflags;
        uint8_t unused;
} cons_side_t;

typedef struct chunk {
        uint64_t ack[KP_LEDGER_CHUNK];
        cons_side_t cons[KP_LEDGER_CHUNK];
} chunk_t;

_Static_assert(sizeof(chunk_t) == KP_LEDGER_CHUNK * 12, "12 bytes per record");

typedef struct ledger_producer {
        chunk_t **chunks; /* n_chunks_max slots, filled on demand */
        uint64_t count;   /* reserved entries; written by the producer thread */
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

static inline uint64_t ack_pack(int state, int32_t partition, int64_t offset)
{
        uint64_t off = offset < 0 ? 0 : (uint64_t)offset + 1;
        uint64_t part = partition < 0 || partition >= MAX_PARTITIONS ? 0 : (uint64_t)partition + 1;

        if (off > ACK_OFF_MASK)
                off = ACK_OFF_MASK;
        return ((uint64_t)state << ACK_STATE_SHIFT) | (part << ACK_PART_SHIFT) | off;
}

static inline int ack_state(uint64_t w)
{
        return (int)(w >> ACK_STATE_SHIFT);
}

static inline int32_t ack_partition(uint64_t w)
{
        return (int32_t)((w >> ACK_PART_SHIFT) & ACK_PART_MASK) - 1;
}

static inline int64_t ack_offset(uint64_t w)
{
        return (int64_t)(w & ACK_OFF_MASK) - 1;
}

kp_ledger_t *kp_ledger_new(int producers, int partitions, uint64_t max_per_producer, kp_err_t *err)
{
        kp_ledger_t *lg;
        int i;

        if (producers < 1 || producers > 65535 || partitions < 1 || partitions > MAX_PARTITIONS ||
            max_per_producer < 1) {
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
                lg->producers[i].chunks = calloc(lg->n_chunks_max, sizeof(chunk_t *));
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

/* The chunk and index of (producer, seq) when reserved, else NULL. Safe from
 * any thread. */
static chunk_t *slot_at(const kp_ledger_t *lg, int producer, uint64_t seq, size_t *idx)
{
        size_t c;

        if (producer < 0 || producer >= lg->n_producers)
                return NULL;
        if (seq >= kp_ledger_count(lg, producer))
                return NULL;
        c = (size_t)(seq >> KP_LEDGER_CHUNK_BITS);
        *idx = (size_t)(seq & (KP_LEDGER_CHUNK - 1));
        return __atomic_load_n(&lg->producers[producer].chunks[c], __ATOMIC_ACQUIRE);
}

int kp_ledger_on_send(kp_ledger_t *lg, int producer, uint64_t seq)
{
        ledger_producer_t *p = &lg->producers[producer];
        size_t c = (size_t)(seq >> KP_LEDGER_CHUNK_BITS);
        chunk_t *chunk;

        if (seq != p->count || seq >= lg->max_per_producer)
                return -1;
        chunk = p->chunks[c];
        if (!chunk) {
                /* Zeroed memory is the empty state: nothing to initialise. */
                chunk = calloc(1, sizeof(*chunk));
                if (!chunk)
                        return -1;
                __atomic_store_n(&p->chunks[c], chunk, __ATOMIC_RELEASE);
                __atomic_fetch_add(&lg->chunk_count, 1, __ATOMIC_RELAXED);
        }
        __atomic_store_n(&chunk->ack[seq & (KP_LEDGER_CHUNK - 1)],
                         (uint64_t)KP_LS_SENT << ACK_STATE_SHIFT, __ATOMIC_RELAXED);
        __atomic_store_n(&p->count, seq + 1, __ATOMIC_RELEASE);
        return 0;
}

void kp_ledger_on_ack(kp_ledger_t *lg, int producer, uint64_t seq, int32_t partition,
                      int64_t offset)
{
        size_t i;
        chunk_t *chunk = slot_at(lg, producer, seq, &i);

        if (chunk)
                __atomic_store_n(&chunk->ack[i], ack_pack(KP_LS_ACKED, partition, offset),
                                 __ATOMIC_RELEASE);
}

void kp_ledger_on_ack_error(kp_ledger_t *lg, int producer, uint64_t seq)
{
        size_t i;
        chunk_t *chunk = slot_at(lg, producer, seq, &i);

        if (chunk)
                __atomic_store_n(&chunk->ack[i], ack_pack(KP_LS_FAILED, -1, -1), __ATOMIC_RELEASE);
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

/* Compares a consumption with the acknowledgement word w (state ACKED). */
static kp_ledger_consume_t compare_ack(cons_side_t *cs, uint64_t w, int32_t partition,
                                       int64_t offset)
{
        if (w == ack_pack(KP_LS_ACKED, partition, offset))
                return KP_LEDGER_FIRST;
        __atomic_fetch_or(&cs->cflags, (uint8_t)KP_LC_OTHER_OFFSET, __ATOMIC_RELAXED);
        return KP_LEDGER_DIFFERENT;
}

kp_ledger_consume_t kp_ledger_on_consume(kp_ledger_t *lg, int producer, uint64_t seq,
                                         int32_t partition, int64_t offset)
{
        size_t i;
        chunk_t *chunk = slot_at(lg, producer, seq, &i);
        cons_side_t *cs;
        uint16_t prev;
        uint64_t w;
        kp_ledger_consume_t r;

        if (!chunk)
                return KP_LEDGER_UNKNOWN;
        cs = &chunk->cons[i];
        note_max(lg, partition, offset);
        prev = __atomic_load_n(&cs->consumed, __ATOMIC_RELAXED);
        while (prev != UINT16_MAX &&
               !__atomic_compare_exchange_n(&cs->consumed, &prev, (uint16_t)(prev + 1), 1,
                                            __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                ;
        w = __atomic_load_n(&chunk->ack[i], __ATOMIC_ACQUIRE);
        if (ack_state(w) != KP_LS_ACKED) {
                __atomic_fetch_or(&cs->cflags, (uint8_t)KP_LC_BEFORE_ACK, __ATOMIC_RELAXED);
                return KP_LEDGER_PENDING;
        }
        r = compare_ack(cs, w, partition, offset);
        if (r == KP_LEDGER_FIRST && prev > 0)
                return KP_LEDGER_REPEAT;
        return r;
}

kp_ledger_consume_t kp_ledger_verify(kp_ledger_t *lg, int producer, uint64_t seq, int32_t partition,
                                     int64_t offset)
{
        size_t i;
        chunk_t *chunk = slot_at(lg, producer, seq, &i);
        uint64_t w;

        if (!chunk)
                return KP_LEDGER_UNKNOWN;
        w = __atomic_load_n(&chunk->ack[i], __ATOMIC_ACQUIRE);
        if (ack_state(w) != KP_LS_ACKED)
                return KP_LEDGER_PENDING;
        return compare_ack(&chunk->cons[i], w, partition, offset);
}

static void entry_view(const chunk_t *chunk, size_t i, kp_ledger_entry_t *out)
{
        uint64_t w = __atomic_load_n(&chunk->ack[i], __ATOMIC_ACQUIRE);

        out->state = (uint8_t)ack_state(w);
        out->offset = ack_offset(w);
        out->partition = ack_partition(w);
        out->consumed = __atomic_load_n(&chunk->cons[i].consumed, __ATOMIC_RELAXED);
        out->cflags = __atomic_load_n(&chunk->cons[i].cflags, __ATOMIC_RELAXED);
}

int kp_ledger_get(const kp_ledger_t *lg, int producer, uint64_t seq, kp_ledger_entry_t *out)
{
        size_t i;
        const chunk_t *chunk = slot_at(lg, producer, seq, &i);

        if (!chunk)
                return -1;
        entry_view(chunk, i, out);
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
                for (seq = 0; seq < n; seq++) {
                        const chunk_t *chunk =
                            __atomic_load_n(&lg->producers[p].chunks[seq >> KP_LEDGER_CHUNK_BITS],
                                            __ATOMIC_ACQUIRE);
                        if (!chunk)
                                continue;
                        entry_view(chunk, (size_t)(seq & (KP_LEDGER_CHUNK - 1)), &e);
                        fn(opaque, p, seq, &e);
                }
        }
}

/* The ledger summary reads the packed words directly: it is the checker that
 * runs over every record after each workload, so it avoids the per-entry
 * view and callback of kp_ledger_foreach. */
void kp_ledger_summarize(const kp_ledger_t *lg, kp_ledger_summary_t *s)
{
        uint64_t seq, n, end;
        int p;

        memset(s, 0, sizeof(*s));
        for (p = 0; p < lg->n_producers; p++) {
                n = kp_ledger_count(lg, p);
                for (seq = 0; seq < n; seq = end) {
                        const chunk_t *chunk =
                            __atomic_load_n(&lg->producers[p].chunks[seq >> KP_LEDGER_CHUNK_BITS],
                                            __ATOMIC_ACQUIRE);
                        size_t i, lim;
                        end = (seq | (KP_LEDGER_CHUNK - 1)) + 1;
                        if (end > n)
                                end = n;
                        if (!chunk)
                                continue;
                        lim = (size_t)(end - seq) + (size_t)(seq & (KP_LEDGER_CHUNK - 1));
                        for (i = (size_t)(seq & (KP_LEDGER_CHUNK - 1)); i < lim; i++) {
                                uint64_t w = __atomic_load_n(&chunk->ack[i], __ATOMIC_RELAXED);
                                uint16_t consumed =
                                    __atomic_load_n(&chunk->cons[i].consumed, __ATOMIC_RELAXED);
                                uint8_t cflags =
                                    __atomic_load_n(&chunk->cons[i].cflags, __ATOMIC_RELAXED);
                                int state = ack_state(w);
                                s->sent++;
                                if (state == KP_LS_ACKED)
                                        s->acked++;
                                else if (state == KP_LS_FAILED)
                                        s->failed++;
                                else
                                        s->in_doubt++;
                                if (consumed > 0)
                                        s->consumed_unique++;
                                if (consumed > 1)
                                        s->redelivered++;
                                if (cflags & KP_LC_OTHER_OFFSET)
                                        s->other_offset++;
                                if (state == KP_LS_FAILED && consumed > 0)
                                        s->failed_but_consumed++;
                                if (state == KP_LS_ACKED && consumed == 0) {
                                        s->acked_unconsumed++;
                                        if (ack_offset(w) <
                                            kp_ledger_max_consumed(lg, ack_partition(w)))
                                                s->skipped++;
                                }
                        }
                }
        }
}

size_t kp_ledger_bytes(const kp_ledger_t *lg)
{
        size_t n = sizeof(*lg);

        n += (size_t)lg->n_producers *
             (sizeof(ledger_producer_t) + lg->n_chunks_max * sizeof(chunk_t *));
        n += (size_t)lg->n_partitions * sizeof(int64_t);
        n += __atomic_load_n(&lg->chunk_count, __ATOMIC_RELAXED) * sizeof(chunk_t);
        return n;
}
