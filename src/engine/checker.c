/* Over 600 lines: one linear pass per anomaly family over shared indexes; splitting would expose
 * the indexes through a header. */
#include "engine/checker.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

const char *const kp_anom_names[] = {
    [KP_ANOM_LOST_WRITE] = "lost-write",
    [KP_ANOM_UNSEEN] = "unseen",
    [KP_ANOM_DUPLICATE] = "duplicate",
    [KP_ANOM_INCONSISTENT_OFFSETS] = "inconsistent-offsets",
    [KP_ANOM_NONMONOTONIC_SEND] = "nonmonotonic-send",
    [KP_ANOM_NONMONOTONIC_POLL] = "nonmonotonic-poll",
    [KP_ANOM_POLL_SKIP] = "poll-skip",
    [KP_ANOM_ABORTED_READ] = "aborted-read",
    [KP_ANOM_PRECOMMITTED_READ] = "precommitted-read",
    [KP_ANOM_INT_SEND_SKIP] = "int-send-skip",
    [KP_ANOM_INT_NONMONOTONIC_SEND] = "int-nonmonotonic-send",
    [KP_ANOM_INT_POLL_SKIP] = "int-poll-skip",
    [KP_ANOM_INT_NONMONOTONIC_POLL] = "int-nonmonotonic-poll",
    [KP_ANOM_TORN_TRANSACTION] = "torn-transaction",
    [KP_ANOM_G0] = "g0",
    [KP_ANOM_G1C] = "g1c",
    [KP_ANOM__COUNT] = NULL,
};

const char *const kp_anom_descriptions[] = {
    [KP_ANOM_LOST_WRITE] =
        "acknowledged records never consumed, though a later offset of their partition was",
    [KP_ANOM_UNSEEN] = "acknowledged records never consumed by the end of the final drain",
    [KP_ANOM_DUPLICATE] = "records present at more than one offset",
    [KP_ANOM_INCONSISTENT_OFFSETS] = "offsets at which two different records were reported",
    [KP_ANOM_NONMONOTONIC_SEND] =
        "a later send of one producer landed at an earlier offset of the partition",
    [KP_ANOM_NONMONOTONIC_POLL] =
        "a consumer read an offset at or below its previous one without a reassignment",
    [KP_ANOM_POLL_SKIP] =
        "a consumer jumped over offsets known to hold records without a reassignment",
    [KP_ANOM_ABORTED_READ] = "records of aborted transactions were read (G1a)",
    [KP_ANOM_PRECOMMITTED_READ] = "records read before their transaction's commit was requested",
    [KP_ANOM_INT_SEND_SKIP] =
        "one transaction's consecutive records in a partition have other records between them",
    [KP_ANOM_INT_NONMONOTONIC_SEND] =
        "a later record of one transaction landed at an earlier offset of the partition",
    [KP_ANOM_INT_POLL_SKIP] =
        "one transaction's consecutive reads of a partition jumped over known records",
    [KP_ANOM_INT_NONMONOTONIC_POLL] =
        "one transaction read an offset at or below its previous read of the partition",
    [KP_ANOM_TORN_TRANSACTION] =
        "committed transactions partly visible: some records read, others never",
    [KP_ANOM_G0] = "write-write cycles between committed transactions",
    [KP_ANOM_G1C] = "cycles of write-write and write-read dependencies between committed "
                    "transactions (at least one write-read)",
    [KP_ANOM__COUNT] = NULL,
};

int kp_anom_from_name(const char *name)
{
        int i;

        for (i = 0; i < KP_ANOM__COUNT; i++)
                if (strcmp(kp_anom_names[i], name) == 0)
                        return i;
        return -1;
}

uint32_t kp_checker_allow_for_profile(kp_profile_t profile)
{
        /* Kafka orders neither transactions across partitions (G0) nor the
         * records of concurrent producers within one (int-send-skip). */
        uint32_t safe = KP_ANOM_BIT(KP_ANOM_G0) | KP_ANOM_BIT(KP_ANOM_INT_SEND_SKIP);
        uint32_t dflt = safe | KP_ANOM_BIT(KP_ANOM_DUPLICATE) |
                        KP_ANOM_BIT(KP_ANOM_NONMONOTONIC_SEND) |
                        KP_ANOM_BIT(KP_ANOM_INT_NONMONOTONIC_SEND);

        switch (profile) {
        case KP_PROFILE_SAFE:
                return safe;
        case KP_PROFILE_RELAXED:
                return dflt | KP_ANOM_BIT(KP_ANOM_LOST_WRITE) | KP_ANOM_BIT(KP_ANOM_UNSEEN) |
                       KP_ANOM_BIT(KP_ANOM_INCONSISTENT_OFFSETS) |
                       KP_ANOM_BIT(KP_ANOM_TORN_TRANSACTION);
        default:
                return dflt;
        }
}

/* Record states (bits). */
enum { ST_ACKED = 1, ST_FAILED = 2, ST_ABORTED = 4, ST_TXN_UNKNOWN = 8 };

typedef struct crec {
        int64_t offset;    /* acknowledged offset */
        int32_t partition; /* acknowledged partition, -1 */
        uint16_t consumed; /* reads, saturating */
        uint8_t state;
        uint8_t slots; /* offsets this record occupies, saturating */
} crec_t;

#define NO_TXN UINT32_MAX

typedef struct ctxn {
        uint64_t first;   /* record index of its first record */
        int64_t seq;      /* its producer's sequence number of that record */
        uint32_t n;       /* records */
        uint32_t begin_t; /* commit/abort requested (history ticks) */
        int32_t producer;
        uint8_t outcome; /* kp_txn_outcome_t */
        uint8_t pad[3];
} ctxn_t;

#define SLOT_FOREIGN  UINT64_MAX
#define MAX_SEQ_SLACK ((uint64_t)1 << 20)

typedef struct cpart {
        int64_t lo, hi; /* observed offset span; lo > hi when none */
        uint64_t events;
        int indexed;
        uint64_t *slot;     /* record index + 1, SLOT_FOREIGN, 0 empty */
        uint64_t *conflict; /* bit per offset: an inconsistency was counted here */
        uint64_t *known;    /* bit per offset: some record is known there */
        uint32_t *rank;     /* known offsets before each 64-offset word */
        int64_t max_read;
} cpart_t;

typedef struct cstate {
        const kp_history_t *h;
        const kp_checker_opts_t *o;
        kp_checker_result_t *r;
        int np, nc, nparts;
        uint64_t *nseq; /* per producer: sequence numbers covered */
        uint64_t *base; /* per producer: index of seq 0 in recs */
        uint64_t n_recs;
        crec_t *recs;
        cpart_t *parts;
        int64_t *last; /* per partition scratch */
        int64_t *last_seq;
        uint64_t bad_partition, bad_span, bad_txn;
        /* transactions (ntxn == 0: none in the history) */
        uint64_t ntxn;
        ctxn_t *txns;     /* by producer, then in log order */
        uint32_t *txn_of; /* per record: its transaction, NO_TXN */
        uint32_t *stamp;  /* per partition scratch: last transaction seen */
} cstate_t;

static void add_ex(kp_checker_result_t *r, kp_anom_t k, int32_t partition, int64_t offset,
                   int producer, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void add_ex(kp_checker_result_t *r, kp_anom_t k, int32_t partition, int64_t offset,
                   int producer, int64_t seq, const char *fmt, ...)
{
        kp_checker_example_t *e;
        va_list ap;

        if (r->n_examples[k] >= KP_CHECKER_EXAMPLES)
                return;
        e = &r->examples[k][r->n_examples[k]++];
        e->partition = partition;
        e->offset = offset;
        e->producer = producer;
        e->seq = seq;
        e->detail[0] = '\0';
        if (fmt) {
                va_start(ap, fmt);
                vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
                va_end(ap);
        }
}

/* Record index + 1 for a rid, or 0 when it is not a record of this history. */
static uint64_t rec_ref(const cstate_t *s, uint64_t rid)
{
        int p = KP_RID_PRODUCER(rid);
        uint64_t seq = KP_RID_SEQ(rid);

        if (p < 0 || p >= s->np || seq >= s->nseq[p])
                return 0;
        return s->base[p] + seq + 1;
}

static void ref_name(const cstate_t *s, uint64_t ref, int *producer, int64_t *seq)
{
        int p;

        *producer = -1;
        *seq = -1;
        if (ref == 0 || ref == SLOT_FOREIGN)
                return;
        for (p = 0; p < s->np; p++) {
                if (ref - 1 < s->base[p] + s->nseq[p]) {
                        *producer = p;
                        *seq = (int64_t)(ref - 1 - s->base[p]);
                        return;
                }
        }
}

static cpart_t *part_of(cstate_t *s, int32_t partition, int64_t offset)
{
        cpart_t *cp;

        if (partition < 0 || partition >= s->nparts || offset < 0)
                return NULL;
        cp = &s->parts[partition];
        if (!cp->indexed || offset < cp->lo || offset > cp->hi)
                return NULL;
        return cp;
}

/* Pass 1: sizes — sequence numbers per producer, offset span per partition. */
static void scan_sizes(cstate_t *s)
{
        uint64_t *maxprod = calloc((size_t)s->np, sizeof(uint64_t));
        int log, nlogs = s->np + s->nc, pass;

        if (!maxprod)
                return;
        /* Produce events first: they bound the plausible sequence numbers. */
        for (pass = 0; pass < 2; pass++) {
                for (log = pass ? s->np : 0; log < (pass ? nlogs : s->np); log++) {
                        uint64_t i = 0, n;
                        const kp_hev_t *ev;
                        while ((ev = kp_history_span(s->h, log, i, &n))) {
                                uint64_t k;
                                for (k = 0; k < n; k++) {
                                        const kp_hev_t *e = &ev[k];
                                        int p = KP_RID_PRODUCER(e->rid);
                                        uint64_t seq = KP_RID_SEQ(e->rid);
                                        if (e->kind == KP_HEV_ACK || e->kind == KP_HEV_ACK_ERR ||
                                            e->kind == KP_HEV_ABORTED) {
                                                if (p == log && seq + 1 > maxprod[p])
                                                        maxprod[p] = seq + 1;
                                                if (p == log && seq + 1 > s->nseq[p])
                                                        s->nseq[p] = seq + 1;
                                        } else if (e->kind == KP_HEV_TXN_END) {
                                                uint64_t end = seq + (uint64_t)e->offset;
                                                if (p == log && e->offset >= 0 &&
                                                    end < seq + MAX_SEQ_SLACK) {
                                                        if (end > maxprod[p])
                                                                maxprod[p] = end;
                                                        if (end > s->nseq[p])
                                                                s->nseq[p] = end;
                                                        s->ntxn++;
                                                } else {
                                                        s->bad_txn++;
                                                }
                                                continue;
                                        } else if (e->kind == KP_HEV_TXN_READ) {
                                                continue;
                                        } else if (e->kind == KP_HEV_CONSUME) {
                                                if (p >= 0 && p < s->np &&
                                                    seq < maxprod[p] + MAX_SEQ_SLACK) {
                                                        if (seq + 1 > s->nseq[p])
                                                                s->nseq[p] = seq + 1;
                                                }
                                        }
                                        if ((e->kind == KP_HEV_ACK || e->kind == KP_HEV_CONSUME ||
                                             e->kind == KP_HEV_FOREIGN) &&
                                            e->offset >= 0) {
                                                cpart_t *cp;
                                                if (e->partition < 0 || e->partition >= s->nparts) {
                                                        s->bad_partition++;
                                                        continue;
                                                }
                                                cp = &s->parts[e->partition];
                                                if (e->offset < cp->lo)
                                                        cp->lo = e->offset;
                                                if (e->offset > cp->hi)
                                                        cp->hi = e->offset;
                                                cp->events++;
                                        }
                                }
                                i += n;
                        }
                }
        }
        free(maxprod);
}

/* Set bits of x. __builtin_popcountll without -mpopcnt is a call into
 * libgcc (a byte table); this is a dozen inline operations. */
static inline uint64_t pop64(uint64_t x)
{
        x -= (x >> 1) & 0x5555555555555555ull;
        x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
        x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
        return (x * 0x0101010101010101ull) >> 56;
}

static int alloc_tables(cstate_t *s, kp_err_t *err)
{
        uint64_t i;
        int p;

        for (p = 0; p < s->np; p++) {
                s->base[p] = s->n_recs;
                s->n_recs += s->nseq[p];
        }
        s->recs = malloc((s->n_recs ? s->n_recs : 1) * sizeof(crec_t));
        if (!s->recs)
                return kp_err_set(err, KP_ENOMEM, "checker: out of memory for %llu records",
                                  (unsigned long long)s->n_recs);
        kp_mem_huge(s->recs, s->n_recs * sizeof(crec_t));
        for (i = 0; i < s->n_recs; i++) {
                s->recs[i].offset = -1;
                s->recs[i].partition = -1;
                s->recs[i].consumed = 0;
                s->recs[i].state = 0;
                s->recs[i].slots = 0;
        }
        s->r->bytes += s->n_recs * sizeof(crec_t);
        for (p = 0; p < s->nparts; p++) {
                cpart_t *cp = &s->parts[p];
                uint64_t span, words;
                if (cp->hi < cp->lo)
                        continue;
                span = (uint64_t)(cp->hi - cp->lo) + 1;
                if (span > 4 * cp->events + ((uint64_t)1 << 16)) {
                        s->bad_span += cp->events;
                        continue;
                }
                words = (span + 63) / 64;
                cp->slot = calloc(span, sizeof(uint64_t));
                cp->conflict = calloc(words, sizeof(uint64_t));
                cp->known = calloc(words, sizeof(uint64_t));
                cp->rank = calloc(words + 1, sizeof(uint32_t));
                if (!cp->slot || !cp->conflict || !cp->known || !cp->rank)
                        return kp_err_set(err, KP_ENOMEM,
                                          "checker: out of memory for %llu offsets of partition %d",
                                          (unsigned long long)span, p);
                kp_mem_huge(cp->slot, span * sizeof(uint64_t));
                cp->indexed = 1;
                s->r->offsets_indexed += span;
                s->r->bytes += span * sizeof(uint64_t) + words * (2 * sizeof(uint64_t) + 4);
        }
        return 0;
}

/* Claims an offset for a record (ref) or a foreign record; counts an
 * inconsistency the first time two different claims meet at one offset. */
static void claim(cstate_t *s, int32_t partition, int64_t offset, uint64_t ref, int is_ack)
{
        cpart_t *cp = part_of(s, partition, offset);
        uint64_t i, *slot, bit;
        int p1, p2;
        int64_t s1, s2;

        if (!cp)
                return;
        i = (uint64_t)(offset - cp->lo);
        slot = &cp->slot[i];
        if (*slot == 0) {
                *slot = ref;
                /* A slot keeps its first record, so counting here counts the
                 * offsets each record occupies (pass 5) while the record's
                 * entry is in cache. */
                if (ref != SLOT_FOREIGN && s->recs[ref - 1].slots < UINT8_MAX)
                        s->recs[ref - 1].slots++;
                return;
        }
        if (*slot == ref)
                return;
        bit = (uint64_t)1 << (i & 63);
        if (cp->conflict[i / 64] & bit)
                return;
        cp->conflict[i / 64] |= bit;
        s->r->count[KP_ANOM_INCONSISTENT_OFFSETS]++;
        ref_name(s, *slot, &p1, &s1);
        ref_name(s, ref, &p2, &s2);
        add_ex(s->r, KP_ANOM_INCONSISTENT_OFFSETS, partition, offset, p2, s2,
               "%s %s%d/%lld, but %s%d/%lld was there first", is_ack ? "acknowledged" : "read",
               ref == SLOT_FOREIGN ? "foreign record " : "", p2, (long long)s2,
               *slot == SLOT_FOREIGN ? "foreign record " : "", p1, (long long)s1);
}

/* Pass 2: acknowledgements and failures from the producer logs. */
static void scan_produce(cstate_t *s)
{
        int log;

        for (log = 0; log < s->np; log++) {
                uint64_t i = 0, n, k;
                const kp_hev_t *ev;
                while ((ev = kp_history_span(s->h, log, i, &n))) {
                        for (k = 0; k < n; k++) {
                                const kp_hev_t *e = &ev[k];
                                uint64_t ref = rec_ref(s, e->rid);
                                crec_t *rc;
                                if (!ref || KP_RID_PRODUCER(e->rid) != log)
                                        continue;
                                rc = &s->recs[ref - 1];
                                if (e->kind == KP_HEV_ACK && !(rc->state & ST_ACKED)) {
                                        rc->state = (uint8_t)((rc->state | ST_ACKED) & ~ST_FAILED);
                                        rc->partition = e->partition;
                                        rc->offset = e->offset;
                                        claim(s, e->partition, e->offset, ref, 1);
                                } else if (e->kind == KP_HEV_ACK_ERR && !(rc->state & ST_ACKED)) {
                                        rc->state |= ST_FAILED;
                                } else if (e->kind == KP_HEV_ABORTED) {
                                        rc->state |= ST_ABORTED;
                                }
                        }
                        i += n;
                }
        }
}

/* Pass 2b: the transactions, by producer and in log order. Records of an
 * aborted transaction are marked aborted (never lost; reading one is G1a),
 * those of a transaction whose outcome is unknown are judged neither lost
 * nor aborted. */
static int txn_collect(cstate_t *s, kp_err_t *err)
{
        uint64_t t = 0, i;
        int log;

        if (s->ntxn >= ((uint64_t)1 << 31)) {
                s->bad_txn += s->ntxn;
                s->ntxn = 0;
                return 0;
        }
        s->txns = calloc((size_t)s->ntxn, sizeof(ctxn_t));
        s->txn_of = malloc((s->n_recs ? s->n_recs : 1) * sizeof(uint32_t));
        s->stamp = malloc((size_t)s->nparts * sizeof(uint32_t));
        if (!s->txns || !s->txn_of || !s->stamp)
                return kp_err_set(err, KP_ENOMEM, "checker: out of memory for %llu transactions",
                                  (unsigned long long)s->ntxn);
        kp_mem_huge(s->txns, (size_t)s->ntxn * sizeof(ctxn_t));
        kp_mem_huge(s->txn_of, s->n_recs * sizeof(uint32_t));
        for (i = 0; i < s->n_recs; i++)
                s->txn_of[i] = NO_TXN;
        s->r->bytes += s->ntxn * sizeof(ctxn_t) + s->n_recs * sizeof(uint32_t) +
                       (size_t)s->nparts * sizeof(uint32_t);
        for (log = 0; log < s->np; log++) {
                uint64_t k = 0, n, j, next = 0;
                const kp_hev_t *ev;
                while ((ev = kp_history_span(s->h, log, k, &n))) {
                        for (j = 0; j < n; j++) {
                                const kp_hev_t *e = &ev[j];
                                uint64_t seq = KP_RID_SEQ(e->rid), c, lt;
                                ctxn_t *tx;
                                if (e->kind != KP_HEV_TXN_END || KP_RID_PRODUCER(e->rid) != log ||
                                    e->offset < 0 ||
                                    seq + (uint64_t)e->offset >= seq + MAX_SEQ_SLACK ||
                                    t >= s->ntxn)
                                        continue;
                                if (seq < next) {
                                        s->bad_txn++;
                                        continue;
                                }
                                next = seq + (uint64_t)e->offset;
                                tx = &s->txns[t];
                                tx->first = s->base[log] + seq;
                                tx->seq = (int64_t)seq;
                                tx->n = (uint32_t)e->offset;
                                tx->producer = log;
                                tx->outcome = e->pad;
                                lt = ((uint64_t)e->lat_us + 9) / 10 + 1;
                                tx->begin_t = e->t > lt ? (uint32_t)(e->t - lt) : 0;
                                s->r->transactions++;
                                if (tx->outcome == KP_TXN_COMMITTED)
                                        s->r->txn_committed++;
                                else if (tx->outcome == KP_TXN_ABORTED)
                                        s->r->txn_aborted++;
                                else
                                        s->r->txn_unknown++;
                                for (c = 0; c < tx->n; c++) {
                                        crec_t *rc = &s->recs[tx->first + c];
                                        s->txn_of[tx->first + c] = (uint32_t)t;
                                        if (tx->outcome == KP_TXN_ABORTED)
                                                rc->state |= ST_ABORTED;
                                        else if (tx->outcome != KP_TXN_COMMITTED)
                                                rc->state |= ST_TXN_UNKNOWN;
                                }
                                t++;
                        }
                        k += n;
                }
        }
        s->ntxn = t;
        return 0;
}

/* A read (by a consumer, or inside a transaction) of a record of a
 * committed transaction that ended before the transaction's commit was even
 * requested. */
static void txn_read_checks(cstate_t *s, const kp_hev_t *e, uint64_t ref, int who, const char *whom)
{
        const ctxn_t *tx;
        uint32_t t;

        if (!s->ntxn || (t = s->txn_of[ref - 1]) == NO_TXN)
                return;
        tx = &s->txns[t];
        if (tx->outcome != KP_TXN_COMMITTED || e->t >= tx->begin_t)
                return;
        s->r->count[KP_ANOM_PRECOMMITTED_READ]++;
        add_ex(s->r, KP_ANOM_PRECOMMITTED_READ, e->partition, e->offset, KP_RID_PRODUCER(e->rid),
               (int64_t)KP_RID_SEQ(e->rid),
               "read by %s %d %.2f ms before commit of transaction %d/%lld was requested", whom,
               who, (double)(tx->begin_t - e->t) * KP_HIST_TICK_NS / 1e6, tx->producer,
               (long long)tx->seq);
}

/* Pass 3: reads — consumption counts, offset claims, highest offset read. */
static void scan_reads(cstate_t *s)
{
        int log;

        for (log = s->np; log < s->np + s->nc; log++) {
                uint64_t i = 0, n, k;
                const kp_hev_t *ev;
                while ((ev = kp_history_span(s->h, log, i, &n))) {
                        for (k = 0; k < n; k++) {
                                const kp_hev_t *e = &ev[k];
                                uint64_t ref = 0;
                                if (e->kind != KP_HEV_CONSUME && e->kind != KP_HEV_FOREIGN)
                                        continue;
                                if (e->kind == KP_HEV_CONSUME)
                                        ref = rec_ref(s, e->rid);
                                if (ref) {
                                        crec_t *rc = &s->recs[ref - 1];
                                        s->r->consume_events++;
                                        txn_read_checks(s, e, ref, log - s->np, "consumer");
                                        if (rc->consumed == 0 && (rc->state & ST_ABORTED)) {
                                                s->r->count[KP_ANOM_ABORTED_READ]++;
                                                add_ex(s->r, KP_ANOM_ABORTED_READ, e->partition,
                                                       e->offset, KP_RID_PRODUCER(e->rid),
                                                       (int64_t)KP_RID_SEQ(e->rid),
                                                       "read by consumer %d", log - s->np);
                                        }
                                        if (rc->consumed < UINT16_MAX)
                                                rc->consumed++;
                                } else {
                                        s->r->foreign_reads++;
                                        ref = SLOT_FOREIGN;
                                }
                                if (e->partition >= 0 && e->partition < s->nparts &&
                                    e->offset > s->parts[e->partition].max_read)
                                        s->parts[e->partition].max_read = e->offset;
                                claim(s, e->partition, e->offset, ref, 0);
                        }
                        i += n;
                }
        }
}

static void build_rank(cstate_t *s)
{
        int p;

        for (p = 0; p < s->nparts; p++) {
                cpart_t *cp = &s->parts[p];
                uint64_t span, i, words;
                uint32_t acc = 0;
                if (!cp->indexed)
                        continue;
                span = (uint64_t)(cp->hi - cp->lo) + 1;
                words = (span + 63) / 64;
                /* A record of an aborted transaction is invisible under
                 * read_committed: skipping it is correct. */
                for (i = 0; i < span; i++) {
                        uint64_t ref = cp->slot[i];
                        if (!ref || (ref != SLOT_FOREIGN && s->o->read_committed &&
                                     (s->recs[ref - 1].state & ST_ABORTED)))
                                continue;
                        cp->known[i / 64] |= (uint64_t)1 << (i & 63);
                }
                for (i = 0; i < words; i++) {
                        cp->rank[i] = acc;
                        acc += (uint32_t)pop64(cp->known[i]);
                }
                cp->rank[words] = acc;
        }
}

/* Known offsets in [lo, hi) of an indexed partition (clamped to its span). */
static uint64_t known_before(const cpart_t *cp, int64_t off)
{
        uint64_t i;

        if (off <= cp->lo)
                return 0;
        if (off > cp->hi)
                return cp->rank[((uint64_t)(cp->hi - cp->lo) + 1 + 63) / 64];
        i = (uint64_t)(off - cp->lo);
        return cp->rank[i / 64] + pop64(cp->known[i / 64] & (((uint64_t)1 << (i & 63)) - 1));
}

/* Pass 4: poll order of each consumer. */
static void scan_poll_order(cstate_t *s)
{
        int log, p;

        for (log = s->np; log < s->np + s->nc; log++) {
                uint64_t i = 0, n, k;
                const kp_hev_t *ev;
                for (p = 0; p < s->nparts; p++)
                        s->last[p] = -1;
                while ((ev = kp_history_span(s->h, log, i, &n))) {
                        for (k = 0; k < n; k++) {
                                const kp_hev_t *e = &ev[k];
                                int64_t prev;
                                int pr = -1;
                                int64_t sq = -1;
                                if (e->kind == KP_HEV_ASSIGN) {
                                        for (p = 0; p < s->nparts; p++)
                                                s->last[p] = -1;
                                        continue;
                                }
                                if ((e->kind != KP_HEV_CONSUME && e->kind != KP_HEV_FOREIGN) ||
                                    e->partition < 0 || e->partition >= s->nparts || e->offset < 0)
                                        continue;
                                prev = s->last[e->partition];
                                s->last[e->partition] = e->offset;
                                if (prev < 0)
                                        continue;
                                if (e->kind == KP_HEV_CONSUME && rec_ref(s, e->rid)) {
                                        pr = KP_RID_PRODUCER(e->rid);
                                        sq = (int64_t)KP_RID_SEQ(e->rid);
                                }
                                if (e->offset <= prev) {
                                        s->r->count[KP_ANOM_NONMONOTONIC_POLL]++;
                                        add_ex(s->r, KP_ANOM_NONMONOTONIC_POLL, e->partition,
                                               e->offset, pr, sq,
                                               "consumer %d read offset %lld after %lld",
                                               log - s->np, (long long)e->offset, (long long)prev);
                                } else if (e->offset > prev + 1) {
                                        const cpart_t *cp = &s->parts[e->partition];
                                        uint64_t skipped;
                                        if (!cp->indexed)
                                                continue;
                                        skipped = known_before(cp, e->offset) -
                                                  known_before(cp, prev + 1);
                                        if (skipped == 0)
                                                continue;
                                        s->r->count[KP_ANOM_POLL_SKIP]++;
                                        add_ex(s->r, KP_ANOM_POLL_SKIP, e->partition, e->offset, pr,
                                               sq,
                                               "consumer %d jumped from %lld to %lld over %llu "
                                               "known offset(s)",
                                               log - s->np, (long long)prev, (long long)e->offset,
                                               (unsigned long long)skipped);
                                }
                        }
                        i += n;
                }
        }
}

/* Pass 5: duplicates (a record holding more than one offset). */
static void scan_duplicates(cstate_t *s)
{
        uint64_t i, span;
        int p, pr;
        int64_t sq;

        /* recs[].slots was counted by claim(). */
        for (i = 0; i < s->n_recs; i++)
                if (s->recs[i].slots > 1)
                        s->r->count[KP_ANOM_DUPLICATE]++;
        if (!s->r->count[KP_ANOM_DUPLICATE])
                return;
        for (p = 0; p < s->nparts; p++) {
                cpart_t *cp = &s->parts[p];
                if (!cp->indexed)
                        continue;
                span = (uint64_t)(cp->hi - cp->lo) + 1;
                for (i = 0; i < span && s->r->n_examples[KP_ANOM_DUPLICATE] < KP_CHECKER_EXAMPLES;
                     i++) {
                        uint64_t ref = cp->slot[i];
                        const crec_t *rc;
                        if (!ref || ref == SLOT_FOREIGN || s->recs[ref - 1].slots < 2)
                                continue;
                        rc = &s->recs[ref - 1];
                        ref_name(s, ref, &pr, &sq);
                        add_ex(s->r, KP_ANOM_DUPLICATE, p, cp->lo + (int64_t)i, pr, sq,
                               "record at %d offsets; acknowledged at %d/%lld", rc->slots,
                               rc->partition, (long long)rc->offset);
                }
        }
}

/* Pass 6: per record — lost, unseen, send order, totals. */
static void scan_records(cstate_t *s)
{
        kp_checker_result_t *r = s->r;
        int p, q;

        for (p = 0; p < s->np; p++) {
                uint64_t seq;
                for (q = 0; q < s->nparts; q++) {
                        s->last[q] = -1;
                        s->last_seq[q] = -1;
                }
                for (seq = 0; seq < s->nseq[p]; seq++) {
                        crec_t *rc = &s->recs[s->base[p] + seq];
                        if (rc->state || rc->consumed)
                                r->records++;
                        if (rc->consumed)
                                r->consumed_unique++;
                        if (rc->state & ST_ABORTED)
                                r->aborted++;
                        if (rc->state & ST_FAILED) {
                                r->failed++;
                                if (rc->consumed)
                                        r->failed_but_read++;
                        }
                        if (!(rc->state & ST_ACKED))
                                continue;
                        r->acked++;
                        /* acknowledged without an offset (e.g. a retry the broker
                         * answered DUPLICATE_SEQUENCE_NUMBER): no send order to judge */
                        if (rc->offset < 0)
                                r->acked_no_offset++;
                        else if (rc->partition >= 0 && rc->partition < s->nparts) {
                                int64_t prev = s->last[rc->partition];
                                if (prev >= 0 && rc->offset <= prev) {
                                        r->count[KP_ANOM_NONMONOTONIC_SEND]++;
                                        add_ex(r, KP_ANOM_NONMONOTONIC_SEND, rc->partition,
                                               rc->offset, p, (int64_t)seq,
                                               "sent after seq %lld, which landed at %lld",
                                               (long long)s->last_seq[rc->partition],
                                               (long long)prev);
                                }
                                s->last[rc->partition] = rc->offset;
                                s->last_seq[rc->partition] = (int64_t)seq;
                        }
                        if (rc->consumed || (rc->state & (ST_ABORTED | ST_TXN_UNKNOWN)))
                                continue;
                        if (rc->partition >= 0 && rc->partition < s->nparts &&
                            s->parts[rc->partition].max_read > rc->offset) {
                                r->count[KP_ANOM_LOST_WRITE]++;
                                add_ex(r, KP_ANOM_LOST_WRITE, rc->partition, rc->offset, p,
                                       (int64_t)seq, "never read; offset %lld of the partition was",
                                       (long long)s->parts[rc->partition].max_read);
                        } else {
                                r->count[KP_ANOM_UNSEEN]++;
                                add_ex(r, KP_ANOM_UNSEEN, rc->partition, rc->offset, p,
                                       (int64_t)seq, "never read; highest offset read: %lld",
                                       rc->partition >= 0 && rc->partition < s->nparts
                                           ? (long long)s->parts[rc->partition].max_read
                                           : -1LL);
                        }
                }
        }
}

/* Pass 7: each transaction's records in sequence order — the order inside
 * one partition (int-nonmonotonic-send, int-send-skip) and whether a
 * committed transaction is all or nothing visible (torn-transaction). */
static void txn_scan_records(cstate_t *s)
{
        kp_checker_result_t *r = s->r;
        uint64_t t;
        int p;

        for (p = 0; p < s->nparts; p++)
                s->stamp[p] = NO_TXN;
        for (t = 0; t < s->ntxn; t++) {
                const ctxn_t *tx = &s->txns[t];
                uint32_t c, nread = 0;
                for (c = 0; c < tx->n; c++) {
                        const crec_t *rc = &s->recs[tx->first + c];
                        int64_t seq = tx->seq + c;
                        if (rc->consumed)
                                nread++;
                        if (!(rc->state & ST_ACKED) || rc->offset < 0 || rc->partition < 0 ||
                            rc->partition >= s->nparts)
                                continue;
                        p = rc->partition;
                        if (s->stamp[p] == (uint32_t)t) {
                                int64_t prev = s->last[p];
                                const cpart_t *cp = &s->parts[p];
                                uint64_t skipped;
                                if (rc->offset <= prev) {
                                        r->count[KP_ANOM_INT_NONMONOTONIC_SEND]++;
                                        add_ex(r, KP_ANOM_INT_NONMONOTONIC_SEND, p, rc->offset,
                                               tx->producer, seq,
                                               "after seq %lld of its transaction, which landed "
                                               "at %lld",
                                               (long long)s->last_seq[p], (long long)prev);
                                } else if (rc->offset > prev + 1 && cp->indexed &&
                                           (skipped = known_before(cp, rc->offset) -
                                                      known_before(cp, prev + 1)) > 0) {
                                        r->count[KP_ANOM_INT_SEND_SKIP]++;
                                        add_ex(r, KP_ANOM_INT_SEND_SKIP, p, rc->offset,
                                               tx->producer, seq,
                                               "%llu other record(s) after seq %lld of its "
                                               "transaction at %lld",
                                               (unsigned long long)skipped,
                                               (long long)s->last_seq[p], (long long)prev);
                                }
                        }
                        s->stamp[p] = (uint32_t)t;
                        s->last[p] = rc->offset;
                        s->last_seq[p] = seq;
                }
                if (tx->outcome == KP_TXN_COMMITTED && nread > 0 && nread < tx->n) {
                        r->count[KP_ANOM_TORN_TRANSACTION]++;
                        add_ex(r, KP_ANOM_TORN_TRANSACTION, -1, -1, tx->producer, tx->seq,
                               "committed; %u of its %u records read", nread, tx->n);
                }
        }
}

/* A walk over the TXN_READ events of the producer logs, log after log,
 * keeping t at the transaction each read belongs to (the next one its
 * producer ends). Start it as {.log = -1}. */
typedef struct txn_walk {
        int log;
        uint64_t t, k, n, j;
        const kp_hev_t *ev;
} txn_walk_t;

static const kp_hev_t *txn_walk_next(const cstate_t *s, txn_walk_t *w)
{
        for (;;) {
                const kp_hev_t *e;
                if (w->j == w->n) {
                        w->k += w->n;
                        w->j = 0;
                        if (w->log >= 0 && (w->ev = kp_history_span(s->h, w->log, w->k, &w->n)))
                                continue;
                        w->n = 0;
                        if (w->log + 1 >= s->np)
                                return NULL;
                        w->log++;
                        w->k = 0;
                        while (w->t < s->ntxn && s->txns[w->t].producer < w->log)
                                w->t++;
                        continue;
                }
                e = &w->ev[w->j++];
                if (e->kind == KP_HEV_TXN_END) {
                        if (w->t < s->ntxn && s->txns[w->t].producer == w->log &&
                            s->txns[w->t].seq == (int64_t)KP_RID_SEQ(e->rid))
                                w->t++;
                        continue;
                }
                if (e->kind == KP_HEV_TXN_READ)
                        return e;
        }
}

/* Pass 8: reads inside transactions (the producer logs' TXN_READ events,
 * each belonging to the next transaction its producer ends): aborted and
 * precommitted reads, and the order of one transaction's reads of a
 * partition (int-nonmonotonic-poll, int-poll-skip). */
static void txn_scan_reads(cstate_t *s)
{
        kp_checker_result_t *r = s->r;
        txn_walk_t w = {.log = -1};
        const kp_hev_t *e;
        int p;

        for (p = 0; p < s->nparts; p++)
                s->stamp[p] = NO_TXN;
        while ((e = txn_walk_next(s, &w))) {
                const int log = w.log;
                const uint64_t t = w.t;
                uint64_t ref;
                uint32_t cur;
                r->txn_reads++;
                cur = t < s->ntxn && s->txns[t].producer == log ? (uint32_t)t : NO_TXN;
                ref = rec_ref(s, e->rid);
                if (ref && (s->recs[ref - 1].state & ST_ABORTED)) {
                        r->count[KP_ANOM_ABORTED_READ]++;
                        add_ex(r, KP_ANOM_ABORTED_READ, e->partition, e->offset,
                               KP_RID_PRODUCER(e->rid), (int64_t)KP_RID_SEQ(e->rid),
                               "read inside a transaction of producer %d", log);
                }
                if (ref)
                        txn_read_checks(s, e, ref, log, "a transaction of producer");
                if (cur == NO_TXN || e->partition < 0 || e->partition >= s->nparts || e->offset < 0)
                        continue;
                p = e->partition;
                if (s->stamp[p] == cur) {
                        int64_t prev = s->last[p];
                        const cpart_t *cp = &s->parts[p];
                        uint64_t skipped;
                        if (e->offset <= prev) {
                                r->count[KP_ANOM_INT_NONMONOTONIC_POLL]++;
                                add_ex(r, KP_ANOM_INT_NONMONOTONIC_POLL, p, e->offset,
                                       s->txns[cur].producer, s->txns[cur].seq,
                                       "the transaction read offset %lld after "
                                       "%lld",
                                       (long long)e->offset, (long long)prev);
                        } else if (e->offset > prev + 1 && cp->indexed &&
                                   (skipped = known_before(cp, e->offset) -
                                              known_before(cp, prev + 1)) > 0) {
                                r->count[KP_ANOM_INT_POLL_SKIP]++;
                                add_ex(r, KP_ANOM_INT_POLL_SKIP, p, e->offset,
                                       s->txns[cur].producer, s->txns[cur].seq,
                                       "the transaction jumped from %lld to "
                                       "%lld over %llu known offset(s)",
                                       (long long)prev, (long long)e->offset,
                                       (unsigned long long)skipped);
                        }
                }
                s->stamp[p] = cur;
                s->last[p] = e->offset;
        }
}

#define EDGE_WR ((uint32_t)1 << 31)

static int committed(const cstate_t *s, uint32_t t)
{
        return t != NO_TXN && s->txns[t].outcome == KP_TXN_COMMITTED;
}

/* The dependency edges between committed transactions: write-write between
 * neighbouring transactions in each partition's log, write-read from each
 * read inside a transaction. With src NULL only counts them. */
static uint64_t txn_edges(const cstate_t *s, uint32_t *src, uint32_t *dst)
{
        uint64_t m = 0;
        txn_walk_t tw = {.log = -1};
        const kp_hev_t *e;
        int p;

        for (p = 0; p < s->nparts; p++) {
                const cpart_t *cp = &s->parts[p];
                uint64_t i, span;
                uint32_t prev = NO_TXN;
                if (!cp->indexed)
                        continue;
                span = (uint64_t)(cp->hi - cp->lo) + 1;
                for (i = 0; i < span; i++) {
                        uint64_t ref = cp->slot[i];
                        uint32_t tx;
                        if (!ref || ref == SLOT_FOREIGN)
                                continue;
                        tx = s->txn_of[ref - 1];
                        if (!committed(s, tx))
                                continue;
                        if (prev != NO_TXN && prev != tx) {
                                if (src) {
                                        src[m] = prev;
                                        dst[m] = tx;
                                }
                                m++;
                        }
                        prev = tx;
                }
        }
        while ((e = txn_walk_next(s, &tw))) {
                const uint64_t t = tw.t;
                uint64_t ref;
                uint32_t w;
                if (t >= s->ntxn || s->txns[t].producer != tw.log || !committed(s, (uint32_t)t) ||
                    !(ref = rec_ref(s, e->rid)))
                        continue;
                w = s->txn_of[ref - 1];
                if (!committed(s, w) || w == (uint32_t)t)
                        continue;
                if (src) {
                        src[m] = w;
                        dst[m] = (uint32_t)t | EDGE_WR;
                }
                m++;
        }
        return m;
}

typedef struct tgraph {
        uint64_t n;
        uint64_t *off; /* n + 1: edges of node v are adj[off[v] .. off[v + 1]) */
        uint32_t *adj; /* target | EDGE_WR */
        uint32_t *index, *low, *comp, *stack, *cs_node;
        uint64_t *cs_edge;
} tgraph_t;

/* Tarjan's strongly connected components, iterative (a history may hold
 * millions of transactions): comp[v] for every node, over write-write
 * edges only or over all. Returns the number of components. */
static uint32_t tarjan(tgraph_t *g, int with_wr)
{
        uint32_t idx = 0, ncomp = 0, sp = 0, depth, root;

        for (root = 0; root < g->n; root++) {
                g->index[root] = 0;
                g->comp[root] = NO_TXN;
        }
        for (root = 0; root < g->n; root++) {
                if (g->index[root])
                        continue;
                g->index[root] = g->low[root] = ++idx;
                g->stack[sp++] = root;
                g->cs_node[0] = root;
                g->cs_edge[0] = g->off[root];
                depth = 1;
                while (depth > 0) {
                        uint32_t v = g->cs_node[depth - 1];
                        if (g->cs_edge[depth - 1] < g->off[v + 1]) {
                                uint32_t a = g->adj[g->cs_edge[depth - 1]++], w;
                                if (!with_wr && (a & EDGE_WR))
                                        continue;
                                w = a & ~EDGE_WR;
                                if (!g->index[w]) {
                                        g->index[w] = g->low[w] = ++idx;
                                        g->stack[sp++] = w;
                                        g->cs_node[depth] = w;
                                        g->cs_edge[depth] = g->off[w];
                                        depth++;
                                } else if (g->comp[w] == NO_TXN && g->index[w] < g->low[v]) {
                                        g->low[v] = g->index[w];
                                }
                                continue;
                        }
                        if (g->low[v] == g->index[v]) {
                                uint32_t w;
                                do {
                                        w = g->stack[--sp];
                                        g->comp[w] = ncomp;
                                } while (w != v);
                                ncomp++;
                        }
                        depth--;
                        if (depth > 0 && g->low[v] < g->low[g->cs_node[depth - 1]])
                                g->low[g->cs_node[depth - 1]] = g->low[v];
                }
        }
        return ncomp;
}

/* Reports each component holding a cycle once: for G0 through any
 * write-write edge inside it, for G1c through a write-read edge inside it
 * (so a cycle through that edge exists). size counts members per
 * component and is cleared as components are reported. */
static void report_cycles(cstate_t *s, tgraph_t *g, uint32_t ncomp, kp_anom_t kind)
{
        uint32_t *size = g->low; /* free after tarjan() */
        uint64_t v, e;

        for (v = 0; v < ncomp; v++)
                size[v] = 0;
        for (v = 0; v < g->n; v++)
                size[g->comp[v]]++;
        for (v = 0; v < g->n; v++) {
                for (e = g->off[v]; e < g->off[v + 1]; e++) {
                        uint32_t a = g->adj[e], w = a & ~EDGE_WR, c = g->comp[v];
                        const ctxn_t *tu = &s->txns[v], *tw = &s->txns[w];
                        if (((kind == KP_ANOM_G1C) != ((a & EDGE_WR) != 0)) || g->comp[w] != c ||
                            size[c] < 2)
                                continue;
                        s->r->count[kind]++;
                        add_ex(s->r, kind, -1, -1, tu->producer, tu->seq,
                               "%s %d/%lld on a cycle of %u transactions",
                               kind == KP_ANOM_G1C ? "read by transaction"
                                                   : "written before transaction",
                               tw->producer, (long long)tw->seq, size[c]);
                        size[c] = 0;
                }
        }
}

/* Pass 9: cycles in the dependency graph of committed transactions. */
static int txn_cycles(cstate_t *s, kp_err_t *err)
{
        tgraph_t g;
        uint32_t *src = NULL, *dst = NULL, ncomp;
        uint64_t m, i, n = s->ntxn;
        int rc = -1;

        memset(&g, 0, sizeof(g));
        m = txn_edges(s, NULL, NULL);
        g.n = n;
        src = malloc((m ? m : 1) * sizeof(uint32_t));
        dst = malloc((m ? m : 1) * sizeof(uint32_t));
        g.off = calloc(n + 1, sizeof(uint64_t));
        g.adj = malloc((m ? m : 1) * sizeof(uint32_t));
        g.index = malloc(n * sizeof(uint32_t));
        g.low = malloc(n * sizeof(uint32_t));
        g.comp = malloc(n * sizeof(uint32_t));
        g.stack = malloc(n * sizeof(uint32_t));
        g.cs_node = malloc(n * sizeof(uint32_t));
        g.cs_edge = malloc(n * sizeof(uint64_t));
        if (!src || !dst || !g.off || !g.adj || !g.index || !g.low || !g.comp || !g.stack ||
            !g.cs_node || !g.cs_edge) {
                kp_err_set(err, KP_ENOMEM, "checker: out of memory for %llu dependency edges",
                           (unsigned long long)m);
                goto out;
        }
        kp_mem_huge(src, m * sizeof(uint32_t));
        kp_mem_huge(dst, m * sizeof(uint32_t));
        kp_mem_huge(g.adj, m * sizeof(uint32_t));
        kp_mem_huge(g.off, (n + 1) * sizeof(uint64_t));
        kp_mem_huge(g.cs_edge, n * sizeof(uint64_t));
        s->r->bytes += m * 3 * sizeof(uint32_t) + n * (5 * sizeof(uint32_t) + 2 * sizeof(uint64_t));
        txn_edges(s, src, dst);
        /* counting sort of the edges by source: the adjacency arrays */
        for (i = 0; i < m; i++)
                g.off[src[i] + 1]++;
        for (i = 0; i < n; i++)
                g.off[i + 1] += g.off[i];
        for (i = 0; i < m; i++)
                g.adj[g.off[src[i]]++] = dst[i];
        for (i = n; i > 0; i--)
                g.off[i] = g.off[i - 1];
        g.off[0] = 0;
        ncomp = tarjan(&g, 0);
        report_cycles(s, &g, ncomp, KP_ANOM_G0);
        ncomp = tarjan(&g, 1);
        report_cycles(s, &g, ncomp, KP_ANOM_G1C);
        rc = 0;
out:
        free(src);
        free(dst);
        free(g.off);
        free(g.adj);
        free(g.index);
        free(g.low);
        free(g.comp);
        free(g.stack);
        free(g.cs_node);
        free(g.cs_edge);
        return rc;
}

static void release(cstate_t *s)
{
        int p;

        for (p = 0; s->parts && p < s->nparts; p++) {
                free(s->parts[p].slot);
                free(s->parts[p].conflict);
                free(s->parts[p].known);
                free(s->parts[p].rank);
        }
        free(s->parts);
        free(s->recs);
        free(s->nseq);
        free(s->base);
        free(s->last);
        free(s->last_seq);
        free(s->txns);
        free(s->txn_of);
        free(s->stamp);
}

int kp_checker_run(const kp_history_t *h, const kp_checker_opts_t *opts, kp_checker_result_t *r,
                   kp_err_t *err)
{
        cstate_t s;
        int p, k, rc = -1;

        memset(r, 0, sizeof(*r));
        memset(&s, 0, sizeof(s));
        s.h = h;
        s.o = opts;
        s.r = r;
        s.np = kp_history_producers(h);
        s.nc = kp_history_consumers(h);
        s.nparts = kp_history_partitions(h);
        s.nseq = calloc((size_t)s.np, sizeof(uint64_t));
        s.base = calloc((size_t)s.np, sizeof(uint64_t));
        s.parts = calloc((size_t)s.nparts, sizeof(cpart_t));
        s.last = malloc((size_t)s.nparts * sizeof(int64_t));
        s.last_seq = malloc((size_t)s.nparts * sizeof(int64_t));
        if (!s.nseq || !s.base || !s.parts || !s.last || !s.last_seq) {
                kp_err_set(err, KP_ENOMEM, "checker: out of memory");
                goto out;
        }
        for (p = 0; p < s.nparts; p++) {
                s.parts[p].lo = INT64_MAX;
                s.parts[p].hi = -1;
                s.parts[p].max_read = -1;
        }
        scan_sizes(&s);
        if (alloc_tables(&s, err) < 0)
                goto out;
        scan_produce(&s);
        if (s.ntxn && txn_collect(&s, err) < 0)
                goto out;
        scan_reads(&s);
        build_rank(&s);
        scan_poll_order(&s);
        scan_duplicates(&s);
        scan_records(&s);
        if (s.ntxn) {
                txn_scan_records(&s);
                txn_scan_reads(&s);
                if (txn_cycles(&s, err) < 0)
                        goto out;
        }

        r->complete = 1;
        if (kp_history_dropped(h)) {
                r->complete = 0;
                snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
                         "the history dropped %llu events (a log reached its bound)",
                         (unsigned long long)kp_history_dropped(h));
        } else if (s.bad_span) {
                r->complete = 0;
                snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
                         "%llu events lie in partitions whose offsets are too sparse to index",
                         (unsigned long long)s.bad_span);
        } else if (s.bad_txn) {
                r->complete = 0;
                snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
                         "%llu transaction ends overlap an earlier transaction of their "
                         "producer or hold an impossible record count",
                         (unsigned long long)s.bad_txn);
        } else if (s.bad_partition) {
                r->complete = 0;
                snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
                         "%llu events name a partition outside 0..%d",
                         (unsigned long long)s.bad_partition, s.nparts - 1);
        }
        for (k = 0; k < KP_ANOM__COUNT; k++) {
                r->allowed[k] = (opts->allow & KP_ANOM_BIT(k)) != 0;
                if (!r->allowed[k])
                        r->not_allowed += r->count[k];
        }
        rc = 0;
out:
        release(&s);
        return rc;
}
