/*
 * kpbench merge: what distributed load costs at the end of a run — the
 * merge and check of N shard results (docs/distributed.md) against the
 * check of the same events recorded as one history. --producers is the
 * number of shards (one producer and one consumer each); the history is
 * clean: record k of producer k % N at partition k % partitions, read by
 * the consumer of its partition (p % N), so every shard's consumer reads
 * other shards' records, as in a real distributed run. The shard results
 * are encoded in memory (kp_shard_result_encode) before the clock starts;
 * the measured path is decode + merge + check, without storage I/O. The
 * single history is checked before and after; the faster time is reported
 * (the first check of a process pays for fresh pages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "engine/checker.h"
#include "dist/shard.h"
#include "util/timeutil.h"

/* Appends the events of shard s (s < 0: all, with global ids) to h. */
static void fill(kp_history_t *h, int s, int n_shards, int parts, uint64_t n)
{
        int64_t t0 = kp_mono_ns();
        uint64_t per_part = (n + (uint64_t)parts - 1) / (uint64_t)parts, k, base, off;
        int p;

        for (k = 0; k < n; k++) {
                int prod = (int)(k % (uint64_t)n_shards);
                int64_t t = t0 + (int64_t)k * 100;
                if (s >= 0 && prod != s)
                        continue;
                kp_history_produced(h, s >= 0 ? 0 : prod, k / (uint64_t)n_shards,
                                    (int32_t)(k % (uint64_t)parts), (int64_t)(k / (uint64_t)parts),
                                    0, t - 1000, t);
        }
        for (p = 0; p < n_shards; p++)
                if (s < 0 || p == s)
                        kp_history_assigned(h, s >= 0 ? 0 : p, t0);
        for (base = 0; base < per_part; base += 500)
                for (p = 0; p < parts; p++) {
                        int c = p % n_shards;
                        if (s >= 0 && c != s)
                                continue;
                        for (off = base; off < base + 500 && off < per_part; off++) {
                                uint64_t kk = off * (uint64_t)parts + (uint64_t)p;
                                int64_t t = t0 + (int64_t)kk * 100 + 5000;
                                if (kk >= n)
                                        break;
                                kp_history_consumed(
                                    h, s >= 0 ? 0 : c, (int)(kk % (uint64_t)n_shards),
                                    kk / (uint64_t)n_shards, p, (int64_t)off, t - 6000, t);
                        }
                }
}

static int merge_run(const bench_opts_t *o, int run)
{
        int n_shards = o->producers, s, rc = 0;
        uint64_t n = o->records;
        kp_checker_opts_t co = {kp_checker_allow_for_profile(KP_PROFILE_DEFAULT), 0};
        kp_checker_result_t *r1 = calloc(1, sizeof(*r1)), *r2 = calloc(1, sizeof(*r2));
        uint8_t **blobs = calloc((size_t)n_shards, sizeof(*blobs));
        size_t *lens = calloc((size_t)n_shards, sizeof(*lens));
        kp_shard_result_t **res = calloc((size_t)n_shards, sizeof(*res));
        kp_history_t *single = NULL, *merged = NULL;
        kp_shard_merged_t m;
        int64_t t0, t1, t2, t3, t4, t5;
        double c0, c1, c4, c5;
        uint64_t blob_bytes = 0, max_log;
        int producers, consumers;
        kp_err_t err;
        cJSON *j;

        memset(&m, 0, sizeof(m));
        if (!r1 || !r2 || !blobs || !lens || !res)
                goto oom;
        for (s = 0; s < n_shards; s++) {
                kp_history_t *h = kp_history_new(1, 1, o->partitions, n + 16, &err);
                kp_workload_results_t wr;
                kp_hist_t hist;
                kp_shard_result_t meta;
                kp_workload_slot_t slot;
                kp_buf_t b;
                if (!h)
                        goto fail;
                fill(h, s, n_shards, o->partitions, n);
                memset(&wr, 0, sizeof(wr));
                memset(&slot, 0, sizeof(slot));
                memset(&meta, 0, sizeof(meta));
                kp_hist_init(&hist, 7, 3600000000000ULL);
                wr.ack_hist = wr.e2e_hist = &hist;
                meta.index = s;
                meta.workers = n_shards;
                meta.producer_base = meta.consumer_base = s;
                kp_buf_init(&b, (size_t)64 << 30);
                if (kp_shard_result_encode(&meta, &wr, &slot, 1, KP_NS_PER_S, h, &b, &err) < 0) {
                        kp_history_free(h);
                        kp_hist_release(&hist);
                        goto fail;
                }
                lens[s] = b.len;
                blob_bytes += b.len;
                blobs[s] = (uint8_t *)kp_buf_detach(&b);
                kp_hist_release(&hist);
                kp_history_free(h);
        }
        single = kp_history_new(n_shards, n_shards, o->partitions, n + 16, &err);
        if (!single)
                goto fail;
        fill(single, -1, n_shards, o->partitions, n);

        c0 = bench_cpu_s();
        t0 = kp_mono_ns();
        if (kp_checker_run(single, &co, r1, &err) < 0)
                goto fail;
        t1 = kp_mono_ns();
        c1 = bench_cpu_s();
        for (s = 0; s < n_shards; s++) {
                uint8_t *blob = blobs[s];
                blobs[s] = NULL;
                if (kp_shard_result_decode(blob, lens[s], "bench", &res[s], &err) < 0)
                        goto fail;
        }
        t2 = kp_mono_ns();
        if (kp_shard_totals(res, n_shards, &producers, &consumers, &max_log, &err) < 0)
                goto fail;
        merged = kp_history_new(producers, consumers, o->partitions, max_log + 16, &err);
        if (!merged || kp_shard_merge(res, n_shards, merged, 0, &m, &err) < 0)
                goto fail;
        t3 = kp_mono_ns();
        if (kp_checker_run(merged, &co, r2, &err) < 0)
                goto fail;
        t4 = kp_mono_ns();
        c4 = bench_cpu_s();
        /* The single check again, now that the allocator holds warm memory
         * as the merged check found it: the faster of the two counts. */
        memset(r1, 0, sizeof(*r1));
        t5 = kp_mono_ns();
        c5 = bench_cpu_s();
        if (kp_checker_run(single, &co, r1, &err) < 0)
                goto fail;
        if (kp_mono_ns() - t5 < t1 - t0)
                t0 = t1 - (kp_mono_ns() - t5);
        if (bench_cpu_s() - c5 < c1 - c0)
                c0 = c1 - (bench_cpu_s() - c5);
        j = bench_line("merge", o, "shards", run);
        cJSON_AddNumberToObject(j, "shards", n_shards);
        cJSON_AddNumberToObject(j, "records", (double)n);
        cJSON_AddNumberToObject(j, "events", (double)m.events);
        cJSON_AddNumberToObject(j, "shard_result_bytes", (double)blob_bytes);
        cJSON_AddNumberToObject(j, "single_check_s", (double)(t1 - t0) / 1e9);
        cJSON_AddNumberToObject(j, "decode_s", (double)(t2 - t1) / 1e9);
        cJSON_AddNumberToObject(j, "merge_s", (double)(t3 - t2) / 1e9);
        cJSON_AddNumberToObject(j, "merged_check_s", (double)(t4 - t3) / 1e9);
        cJSON_AddNumberToObject(j, "merge_and_check_s", (double)(t4 - t1) / 1e9);
        cJSON_AddNumberToObject(j, "ratio_to_single",
                                t1 > t0 ? (double)(t4 - t1) / (double)(t1 - t0) : 0);
        /* CPU seconds (user + system): steadier than wall time on a shared
         * machine; system time is mostly the fresh pages of the merged
         * history. */
        cJSON_AddNumberToObject(j, "single_check_cpu_s", c1 - c0);
        cJSON_AddNumberToObject(j, "merge_and_check_cpu_s", c4 - c1);
        cJSON_AddNumberToObject(j, "ratio_to_single_cpu", c1 > c0 ? (c4 - c1) / (c1 - c0) : 0);
        cJSON_AddNumberToObject(j, "complete", r2->complete);
        if (!r1->complete || !r2->complete || r1->acked != n || r2->acked != n ||
            r2->consumed_unique != n || r1->not_allowed || r2->not_allowed) {
                cJSON_AddStringToObject(j, "merge_error", "unexpected result on a clean history");
                rc = 1;
        }
        bench_emit(j);
        goto out;
oom:
        kp_err_set(&err, KP_ENOMEM, "out of memory");
fail:
        fprintf(stderr, "kpbench: merge: %s\n", err.msg);
        rc = 3;
out:
        for (s = 0; res && s < n_shards; s++)
                kp_shard_result_free(res[s]);
        for (s = 0; blobs && s < n_shards; s++)
                free(blobs[s]);
        kp_shard_merged_release(&m);
        kp_history_free(single);
        kp_history_free(merged);
        free(res);
        free(blobs);
        free(lens);
        free(r1);
        free(r2);
        return rc;
}

int bench_cmd_merge(const bench_opts_t *o)
{
        int run, rc = 0;

        if (o->producers < 1 || o->producers > KP_SHARD_MAX || o->partitions < o->producers) {
                fprintf(stderr,
                        "kpbench: merge: --producers (shards) 1..%d, at most --partitions\n",
                        KP_SHARD_MAX);
                return 2;
        }
        for (run = 1; run <= o->runs && rc == 0; run++)
                rc = merge_run(o, run);
        return rc;
}
