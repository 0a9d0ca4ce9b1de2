/*
 * ledger: what tracking costs per record without any client in the way —
 * ledger memory (the ledger's own accounting and the peak RSS delta of this
 * process), the ledger and histogram work a delivery report and a
 * consumption do, the record codec, and the checkers' time over the ledger.
 *
 * Checkers are a table: a checker that reads the ledger after a run is
 * measured by adding one entry to `checkers`. The history checker, which
 * reads a history of events instead, has its own command (checker, below).
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "engine/checker.h"
#include "engine/hist.h"
#include "engine/history.h"
#include "engine/ledger.h"
#include "engine/record.h"
#include "util/timeutil.h"

typedef struct bench_checker {
        const char *name;
        /* Checks the whole ledger; returns a count that depends on every
         * entry, so the work cannot be optimised away. */
        uint64_t (*run)(const kp_ledger_t *lg);
} bench_checker_t;

static uint64_t check_summary(const kp_ledger_t *lg)
{
        kp_ledger_summary_t s;

        kp_ledger_summarize(lg, &s);
        return s.consumed_unique + s.acked_unconsumed;
}

static const bench_checker_t checkers[] = {
    {"ledger-summary", check_summary},
};

static double ns_per(int64_t ns, uint64_t n)
{
        return n ? (double)ns / (double)n : 0;
}

/* Encode + decode of one record of size bytes, ns per record: encode as the
 * workload's producers do (the slot encoder: header and CRC join, no payload
 * copy), encode_copy with kp_rec_encode (copy the stretch, checksum all of
 * it), decode as consumers do (checksum all of it). Keys end in sfx. */
static void codec_cost(size_t size, const char *sfx, cJSON *j)
{
        enum { N = 200000, PATTERN = 1 << 20 };
        uint8_t *pattern = malloc(PATTERN + size), *buf = malloc(size);
        kp_rec_hdr_t h = {0x1234567u, 3, 0, 0}, d;
        kp_rec_enc_t enc = {0};
        const uint8_t *v = NULL;
        uint64_t ok = 0, i;
        int64_t t0, t1, t2, t3;
        char key[48];

        if (!pattern || !buf)
                goto out;
        memset(pattern, 0x5a, PATTERN + size);
        if (kp_rec_enc_init(&enc, size, pattern, PATTERN + size, 0) < 0)
                goto out;
        t0 = kp_mono_ns();
        for (i = 0; i < N; i++) {
                h.seq = i;
                h.intended_ns = (int64_t)i;
                kp_rec_encode(buf, size, &h, pattern, PATTERN);
        }
        t1 = kp_mono_ns();
        for (i = 0; i < N; i++) {
                h.seq = i;
                h.intended_ns = (int64_t)i;
                v = kp_rec_enc_next(&enc, &h);
        }
        t2 = kp_mono_ns();
        for (i = 0; i < N; i++)
                ok += kp_rec_decode(buf, size, h.nonce, &d) == KP_REC_OK;
        t3 = kp_mono_ns();
        snprintf(key, sizeof(key), "encode_copy%s_ns", sfx);
        cJSON_AddNumberToObject(j, key, ns_per(t1 - t0, N));
        snprintf(key, sizeof(key), "encode%s_ns", sfx);
        cJSON_AddNumberToObject(j, key, ns_per(t2 - t1, N));
        snprintf(key, sizeof(key), "decode%s_ns", sfx);
        cJSON_AddNumberToObject(j, key, ns_per(t3 - t2, N));
        if (ok != N || kp_rec_decode(v, size, h.nonce, &d) != KP_REC_OK)
                cJSON_AddStringToObject(j, "codec_error", "decode rejected an encoded record");
out:
        kp_rec_enc_free(&enc);
        free(pattern);
        free(buf);
}

static int one_run(const bench_opts_t *o, int run)
{
        uint64_t per = o->records / (uint64_t)o->producers, n = per * (uint64_t)o->producers;
        uint64_t rss0, peak0, rss1, peak1, seq, sink = 0;
        kp_hist_t ack, slot, e2e, slot2;
        int64_t t0, t1, t2, t3;
        kp_ledger_t *lg;
        kp_err_t err;
        size_t i;
        cJSON *j;
        int p;

        bench_rss(&rss0, &peak0);
        lg = kp_ledger_new(o->producers, o->partitions, per, &err);
        if (!lg || kp_hist_init(&ack, 7, (uint64_t)3600 * KP_NS_PER_S) < 0 ||
            kp_hist_init(&e2e, 7, (uint64_t)3600 * KP_NS_PER_S) < 0 ||
            kp_hist_init(&slot, 4, (uint64_t)3600 * KP_NS_PER_S) < 0 ||
            kp_hist_init(&slot2, 4, (uint64_t)3600 * KP_NS_PER_S) < 0) {
                fprintf(stderr, "kpbench: ledger: out of memory\n");
                kp_ledger_free(lg);
                return 3;
        }
        /* Send side: what a producer does per record before producing. */
        t0 = kp_mono_ns();
        for (seq = 0; seq < per; seq++)
                for (p = 0; p < o->producers; p++)
                        kp_ledger_on_send(lg, p, seq);
        /* Delivery report side: ledger entry, ack histogram, slot histogram. */
        t1 = kp_mono_ns();
        for (p = 0; p < o->producers; p++)
                for (seq = 0; seq < per; seq++) {
                        uint64_t k = seq * (uint64_t)o->producers + (uint64_t)p;
                        kp_ledger_on_ack(lg, p, seq, (int32_t)(k % (uint64_t)o->partitions),
                                         (int64_t)(k / (uint64_t)o->partitions));
                        kp_hist_record(&ack, 1000 + (k & 0xffff));
                        kp_hist_record(&slot, 1000 + (k & 0xffff));
                }
        /* Consume side, in partition order as a consumer would see records. */
        t2 = kp_mono_ns();
        for (seq = 0; seq < per; seq++)
                for (p = 0; p < o->producers; p++) {
                        uint64_t k = seq * (uint64_t)o->producers + (uint64_t)p;
                        sink +=
                            kp_ledger_on_consume(lg, p, seq, (int32_t)(k % (uint64_t)o->partitions),
                                                 (int64_t)(k / (uint64_t)o->partitions));
                        kp_hist_record(&e2e, 2000 + (k & 0xffff));
                        kp_hist_record(&slot2, 2000 + (k & 0xffff));
                }
        t3 = kp_mono_ns();
        bench_rss(&rss1, &peak1);

        j = bench_line("ledger", o, "tracked", run);
        cJSON_AddNumberToObject(j, "records", (double)n);
        cJSON_AddNumberToObject(j, "producers", o->producers);
        cJSON_AddNumberToObject(j, "ledger_bytes", (double)kp_ledger_bytes(lg));
        cJSON_AddNumberToObject(j, "bytes_per_record", (double)kp_ledger_bytes(lg) / (double)n);
        cJSON_AddNumberToObject(j, "rss_delta_bytes", (double)(peak1 - rss0));
        cJSON_AddNumberToObject(j, "rss_bytes_per_record", (double)(peak1 - rss0) / (double)n);
        cJSON_AddNumberToObject(j, "send_ns", ns_per(t1 - t0, n));
        cJSON_AddNumberToObject(j, "ack_ns", ns_per(t2 - t1, n));
        cJSON_AddNumberToObject(j, "consume_ns", ns_per(t3 - t2, n));
        codec_cost((size_t)o->size, "", j);
        if (o->size != 1024)
                codec_cost(1024, "_1k", j);
        for (i = 0; i < sizeof(checkers) / sizeof(checkers[0]); i++) {
                char key[96];
                int64_t c0 = kp_mono_ns(), c1;
                sink += checkers[i].run(lg);
                c1 = kp_mono_ns();
                snprintf(key, sizeof(key), "checker_%s_s_per_million", checkers[i].name);
                cJSON_AddNumberToObject(j, key, (double)(c1 - c0) / 1e9 * 1e6 / (double)n);
                snprintf(key, sizeof(key), "checker_%s_records_per_s", checkers[i].name);
                cJSON_AddNumberToObject(j, key, c1 > c0 ? (double)n * 1e9 / (double)(c1 - c0) : 0);
        }
        cJSON_AddNumberToObject(j, "check_sink", (double)(sink & 0xff));
        bench_emit(j);
        kp_hist_release(&ack);
        kp_hist_release(&slot);
        kp_hist_release(&e2e);
        kp_hist_release(&slot2);
        kp_ledger_free(lg);
        return 0;
}

/* Resets this process's peak RSS (VmHWM) so each run measures its own. */
static void reset_peak_rss(void)
{
        FILE *f = fopen("/proc/self/clear_refs", "w");

        if (f) {
                fputs("5", f);
                fclose(f);
        }
}

int bench_cmd_ledger(const bench_opts_t *o)
{
        int run, rc = 0;

        /* A fixed mmap threshold: chunks freed by one run go back to the
         * system instead of staying in the heap, where the next run would
         * reuse them without raising its RSS. */
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        for (run = 1; run <= o->runs && rc == 0; run++) {
                reset_peak_rss();
                rc = one_run(o, run);
        }
        return rc;
}

/* ---- checker: the history checker over a history of o->records records ---- */

/* A clean history as a run of o->producers producers and o->consumers
 * consumers leaves it: every record acknowledged (record k of the run at
 * partition k % partitions, offset k / partitions, like the ledger runs) and
 * read once, each consumer reading its partitions (p % consumers == c) in
 * fetch-sized batches of 500 offsets, partition after partition. */
/* With txn_k > 0 the producers are transactional: every txn_k records of a
 * producer end a transaction, every tenth transaction aborted (its records
 * acknowledged, never read), and reads come 1 ms after the record, when its
 * transaction has committed. */
static int bench_txn_aborted(uint64_t seq, uint64_t txn_k)
{
        return txn_k && (seq / txn_k) % 10 == 9;
}

static kp_history_t *clean_history(const bench_opts_t *o, uint64_t per, uint64_t txn_k,
                                   kp_err_t *err)
{
        uint64_t n = per * (uint64_t)o->producers, parts = (uint64_t)o->partitions;
        uint64_t per_part = (n + parts - 1) / parts, seq, base;
        int64_t read_after = txn_k ? 1000000 : 5000;
        kp_history_t *h = /* a consumer log: its reads + one assignment */
            kp_history_new(o->producers, o->consumers, o->partitions,
                           n + (txn_k ? per / txn_k + 1 : 0) + 16, err);
        int64_t t0;
        int p, c;

        if (!h)
                return NULL;
        t0 = kp_history_origin_ns(h);
        for (p = 0; p < o->producers; p++)
                for (seq = 0; seq < per; seq++) {
                        uint64_t k = seq * (uint64_t)o->producers + (uint64_t)p;
                        int64_t t = t0 + (int64_t)k * 100;
                        kp_history_produced(h, p, seq, (int32_t)(k % parts), (int64_t)(k / parts),
                                            0, t - 1000, t);
                        if (txn_k && ((seq + 1) % txn_k == 0 || seq + 1 == per)) {
                                uint64_t first = seq - seq % txn_k;
                                kp_history_txn_end(h, p, first, (uint32_t)(seq + 1 - first),
                                                   bench_txn_aborted(seq, txn_k) ? KP_TXN_ABORTED
                                                                                 : KP_TXN_COMMITTED,
                                                   t + 100, t + 200);
                        }
                }
        for (c = 0; c < o->consumers; c++)
                kp_history_assigned(h, c, t0);
        for (base = 0; base < per_part; base += 500)
                for (p = 0; p < o->partitions; p++) {
                        uint64_t off;
                        c = p % o->consumers;
                        for (off = base; off < base + 500 && off < per_part; off++) {
                                uint64_t k = off * parts + (uint64_t)p;
                                int64_t t = t0 + (int64_t)k * 100 + read_after;
                                if (k >= n)
                                        break;
                                if (bench_txn_aborted(k / (uint64_t)o->producers, txn_k))
                                        continue;
                                kp_history_consumed(h, c, (int)(k % (uint64_t)o->producers),
                                                    k / (uint64_t)o->producers, p, (int64_t)off,
                                                    t - 6000, t);
                        }
                }
        return h;
}

static int checker_run(const bench_opts_t *o, int run, uint64_t txn_k)
{
        uint64_t per = o->records / (uint64_t)o->producers, n = per * (uint64_t)o->producers;
        uint64_t rss0, peak0, rss1, peak1, rss2, peak2;
        double cpu0, cpu1;
        kp_checker_result_t *r = calloc(1, sizeof(*r));
        kp_checker_opts_t co = {0};
        kp_history_t *h;
        int64_t t0, t1;
        kp_err_t err;
        cJSON *j;
        int rc = 0;

        if (!r)
                return 3;
        bench_rss(&rss0, &peak0);
        h = clean_history(o, per, txn_k, &err);
        if (!h) {
                fprintf(stderr, "kpbench: checker: %s\n", err.msg);
                free(r);
                return 3;
        }
        reset_peak_rss();
        bench_rss(&rss1, &peak1);
        co.allow = kp_checker_allow_for_profile(txn_k ? KP_PROFILE_SAFE : KP_PROFILE_DEFAULT);
        co.read_committed = 1;
        cpu0 = bench_cpu_s();
        t0 = kp_mono_ns();
        if (kp_checker_run(h, &co, r, &err) < 0) {
                fprintf(stderr, "kpbench: checker: %s\n", err.msg);
                kp_history_free(h);
                free(r);
                return 3;
        }
        t1 = kp_mono_ns();
        cpu1 = bench_cpu_s();
        bench_rss(&rss2, &peak2);
        j = bench_line(txn_k ? "checker-txn" : "checker", o, txn_k ? "history-txn" : "history",
                       run);
        cJSON_AddNumberToObject(j, "records", (double)n);
        cJSON_AddNumberToObject(j, "events", (double)(2 * n));
        if (txn_k) {
                cJSON_AddNumberToObject(j, "txn_records", (double)txn_k);
                cJSON_AddNumberToObject(j, "transactions", (double)r->transactions);
                cJSON_AddNumberToObject(j, "transactions_aborted", (double)r->txn_aborted);
                cJSON_AddNumberToObject(j, "g0_cycles", (double)r->count[KP_ANOM_G0]);
                cJSON_AddNumberToObject(j, "int_send_skips",
                                        (double)r->count[KP_ANOM_INT_SEND_SKIP]);
        }
        cJSON_AddNumberToObject(j, "producers", o->producers);
        cJSON_AddNumberToObject(j, "consumers", o->consumers);
        cJSON_AddNumberToObject(j, "check_s", (double)(t1 - t0) / 1e9);
        cJSON_AddNumberToObject(j, "records_per_s",
                                t1 > t0 ? (double)n * 1e9 / (double)(t1 - t0) : 0);
        /* The checker runs on one thread: on a machine shared with other
         * work, records per CPU-second is its speed on a core of its own. */
        cJSON_AddNumberToObject(j, "check_cpu_s", cpu1 - cpu0);
        cJSON_AddNumberToObject(j, "records_per_cpu_s",
                                cpu1 > cpu0 ? (double)n / (cpu1 - cpu0) : 0);
        cJSON_AddNumberToObject(j, "history_bytes_per_record",
                                (double)kp_history_bytes(h) / (double)n);
        cJSON_AddNumberToObject(j, "checker_bytes_per_record", (double)r->bytes / (double)n);
        /* What the check itself added to the process at its peak. */
        cJSON_AddNumberToObject(j, "checker_peak_rss_bytes_per_record",
                                (double)(peak2 > rss1 ? peak2 - rss1 : 0) / (double)n);
        cJSON_AddNumberToObject(j, "peak_rss_bytes_per_record",
                                (double)(peak2 > rss0 ? peak2 - rss0 : 0) / (double)n);
        cJSON_AddNumberToObject(j, "consumed_unique", (double)r->consumed_unique);
        cJSON_AddNumberToObject(j, "not_allowed", (double)r->not_allowed);
        cJSON_AddNumberToObject(j, "complete", r->complete);
        /* The history is clean: anything else is a bug in the checker or here. */
        if (!r->complete || r->acked != n || r->not_allowed ||
            r->consumed_unique != n - r->aborted ||
            (txn_k && r->transactions != (per + txn_k - 1) / txn_k * (uint64_t)o->producers)) {
                cJSON_AddStringToObject(j, "checker_error", "unexpected result on a clean history");
                rc = 1;
        }
        bench_emit(j);
        kp_history_free(h);
        free(r);
        return rc;
}

int bench_cmd_checker(const bench_opts_t *o)
{
        int run, rc = 0;

        if (o->consumers > o->partitions) {
                fprintf(stderr, "kpbench: checker: more consumers than partitions\n");
                return 2;
        }
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        for (run = 1; run <= o->runs && rc == 0; run++) {
                reset_peak_rss();
                rc = checker_run(o, run, 0);
        }
        return rc;
}

/* The same over a transactional history (transactions of 10 records, one in
 * ten aborted): adds the transaction checks and the cycle search. */
int bench_cmd_checker_txn(const bench_opts_t *o)
{
        int run, rc = 0;

        if (o->consumers > o->partitions) {
                fprintf(stderr, "kpbench: checker-txn: more consumers than partitions\n");
                return 2;
        }
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        for (run = 1; run <= o->runs && rc == 0; run++) {
                reset_peak_rss();
                rc = checker_run(o, run, 10);
        }
        return rc;
}
