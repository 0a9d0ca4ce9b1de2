/*
 * Failover measurements from the history's timestamps.
 *
 * Unavailability: per partition, produce outcomes are ordered by intended
 * send time. An outcome is bad when it failed or was blocked (acknowledged
 * later than blocked_ns after it was meant to be sent). A bad outcome at
 * intended time s opens an episode that lasts until the first successful
 * acknowledgement of a record intended at or after s (the "next success");
 * overlapping episodes merge. Each episode belongs to the latest fault
 * applied before it began (within blocked_ns); a partition's unavailability
 * for a fault is the sum of its episodes.
 *
 * Time to recover: from when the fault was applied until acknowledged
 * records per second, over a sliding 1 s window in 100 ms steps, are back to
 * at least 90% of the rate before the first fault — looking only after the
 * last unavailability episode of that fault ended (so a fault recovers once
 * its partitions are writable again and throughput is back, not at an
 * early moment before the outage showed). A fault whose throughput does not
 * come back before the next fault or the end of production is unrecovered.
 *
 * Latency by phase: "before" is everything intended before the first fault,
 * "during" lasts until the last fault recovered (or was healed, or its last
 * unavailability ended, whichever is latest), "after" is the rest.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "engine/hist.h"
#include "util/timeutil.h"

#define BIN_NS        (100 * KP_NS_PER_MS)
#define WINDOW_BINS   10
#define RECOVER_SHARE 0.9

typedef struct outcome {
        int64_t intended, done;
        int ok;
} outcome_t;

static int cmp_outcome(const void *a, const void *b)
{
        const outcome_t *x = a, *y = b;

        if (x->intended != y->intended)
                return x->intended < y->intended ? -1 : 1;
        return (x->done > y->done) - (x->done < y->done);
}

static int64_t first_fault_ns(const fo_fault_run_t *runs, size_t n)
{
        int64_t t = 0;
        size_t i;

        for (i = 0; i < n; i++)
                if (runs[i].applied_ns && (t == 0 || runs[i].applied_ns < t))
                        t = runs[i].applied_ns;
        return t;
}

/* The fault an episode starting at s belongs to, -1 before any. */
static int fault_of(const fo_fault_run_t *runs, size_t n, int64_t s, int64_t tol)
{
        int64_t best_t = 0;
        int best = -1;
        size_t i;

        for (i = 0; i < n; i++)
                if (runs[i].applied_ns && runs[i].applied_ns <= s + tol &&
                    runs[i].applied_ns >= best_t) {
                        best_t = runs[i].applied_ns;
                        best = (int)i;
                }
        return best;
}

static int add_episode(fo_measure_t *m, size_t *cap, const fo_episode_t *e)
{
        if (m->n_episodes == *cap) {
                size_t nc = *cap ? *cap * 2 : 64;
                fo_episode_t *n = realloc(m->episodes, nc * sizeof(*n));
                if (!n)
                        return -1;
                m->episodes = n;
                *cap = nc;
        }
        m->episodes[m->n_episodes++] = *e;
        return 0;
}

/* Episodes of one partition from its outcomes (sorted by intended time). */
static int partition_episodes(fo_measure_t *m, size_t *cap, int32_t p, outcome_t *o, size_t n,
                              int64_t end_ns)
{
        int64_t *sufmin = malloc((n + 1) * sizeof(int64_t));
        fo_episode_t cur;
        int open = 0;
        size_t i;

        if (!sufmin)
                return -1;
        sufmin[n] = INT64_MAX;
        for (i = n; i-- > 0;)
                sufmin[i] = o[i].ok && o[i].done < sufmin[i + 1] ? o[i].done : sufmin[i + 1];
        memset(&cur, 0, sizeof(cur));
        for (i = 0; i < n; i++) {
                int64_t s, e;
                int rec = 1;
                if (o[i].ok && o[i].done - o[i].intended <= m->blocked_ns)
                        continue;
                s = o[i].intended;
                e = sufmin[i];
                if (e == INT64_MAX) {
                        rec = 0;
                        e = end_ns > s ? end_ns : s;
                }
                if (open && s <= cur.end_ns) {
                        if (e > cur.end_ns)
                                cur.end_ns = e;
                        cur.recovered = cur.recovered && rec;
                        continue;
                }
                if (open && add_episode(m, cap, &cur) < 0)
                        goto oom;
                cur.partition = p;
                cur.start_ns = s;
                cur.end_ns = e;
                cur.recovered = rec;
                open = 1;
        }
        if (open && add_episode(m, cap, &cur) < 0)
                goto oom;
        free(sufmin);
        return 0;
oom:
        free(sufmin);
        return -1;
}

static void recovery(fo_measure_t *m, const fo_fault_run_t *runs, size_t n_runs,
                     const int64_t *last_end, const uint32_t *bins, size_t n_bins, int64_t start_ns,
                     int64_t end_ns)
{
        double need = RECOVER_SHARE * m->baseline_rate * (double)(WINDOW_BINS * BIN_NS) / 1e9;
        size_t i;

        for (i = 0; i < n_runs; i++) {
                fo_fault_measure_t *fm = &m->faults[i];
                int64_t a = runs[i].applied_ns, wend = end_ns, t0, t;
                size_t j;
                if (!a)
                        continue;
                for (j = 0; j < n_runs; j++)
                        if (runs[j].applied_ns > a && runs[j].applied_ns < wend)
                                wend = runs[j].applied_ns;
                /* not before the fault's last unavailability ended */
                t0 = last_end[i] > a ? last_end[i] : a;
                if (wend < t0 + 2 * KP_NS_PER_S)
                        wend = t0 + 2 * KP_NS_PER_S < end_ns ? t0 + 2 * KP_NS_PER_S : end_ns;
                fm->recovered = 0;
                fm->recovery_s = (double)(wend - a) / 1e9;
                for (t = start_ns + ((t0 - start_ns) / BIN_NS + 1) * BIN_NS; t <= wend;
                     t += BIN_NS) {
                        size_t bt = (size_t)((t - start_ns) / BIN_NS), b;
                        size_t b0 = bt > WINDOW_BINS ? bt - WINDOW_BINS : 0;
                        uint64_t sum = 0;
                        for (b = b0; b < bt && b < n_bins; b++)
                                sum += bins[b];
                        if ((double)sum >= need) {
                                fm->recovered = 1;
                                fm->recovery_s = (double)(t - a) / 1e9;
                                break;
                        }
                }
        }
}

/* Walks the events of logs 0..logs-1 of a history in order, log by log and
 * chunk by chunk (kp_history_span); w->log is the log of the last event. */
typedef struct hev_walk {
        const kp_history_t *h;
        int logs, log;
        uint64_t i, n, j;
        const kp_hev_t *ev;
} hev_walk_t;

static const kp_hev_t *hev_next(hev_walk_t *w)
{
        while (w->log < w->logs) {
                if (w->j < w->n)
                        return &w->ev[w->j++];
                w->i += w->n;
                w->n = w->j = 0;
                w->ev = kp_history_span(w->h, w->log, w->i, &w->n);
                if (!w->ev) {
                        w->log++;
                        w->i = w->n = 0;
                }
        }
        return NULL;
}

int fo_measure(const kp_history_t *h, const fo_fault_run_t *runs, size_t n_runs, int partitions,
               int producers, int64_t start_ns, int64_t produce_end_ns, int64_t blocked_ns,
               fo_measure_t *m, kp_err_t *err)
{
        size_t *count = NULL, *pos = NULL, total = 0, cap = 0, i, n_bins;
        outcome_t *all = NULL;
        uint32_t *bins = NULL;
        int64_t *last_end = NULL;
        int64_t first = first_fault_ns(runs, n_runs);
        uint64_t before_ok = 0;
        kp_hist_t base;
        hev_walk_t walk;
        const kp_hev_t *ev;
        int p, rc = -1;

        memset(m, 0, sizeof(*m));
        m->n_faults = n_runs;
        m->faults = calloc(n_runs ? n_runs : 1, sizeof(*m->faults));
        count = calloc((size_t)partitions + 1, sizeof(size_t));
        pos = calloc((size_t)partitions + 1, sizeof(size_t));
        n_bins = (size_t)((produce_end_ns - start_ns) / BIN_NS) + 2;
        bins = calloc(n_bins, sizeof(uint32_t));
        if (!m->faults || !count || !pos || !bins || kp_hist_init(&base, 7, 3600 * KP_NS_PER_S) < 0)
                goto oom;
        for (i = 0; i < n_runs; i++) {
                m->faults[i].unavail_s = calloc((size_t)partitions, sizeof(double));
                if (!m->faults[i].unavail_s)
                        goto oom;
        }
        /* Pass 1: counts per partition, baseline latency and rate, ack bins. */
        walk = (hev_walk_t){.h = h, .logs = producers};
        while ((ev = hev_next(&walk))) {
                int64_t done = kp_history_mono_ns(h, ev->t);
                int64_t intended = done - (int64_t)ev->lat_us * 1000;
                if (ev->kind != KP_HEV_ACK && ev->kind != KP_HEV_ACK_ERR)
                        continue;
                if (ev->partition >= 0 && ev->partition < partitions)
                        count[ev->partition]++;
                if (ev->kind != KP_HEV_ACK)
                        continue;
                if (!first || intended < first) {
                        kp_hist_record(&base, (uint64_t)ev->lat_us * 1000);
                        if (first && done < first)
                                before_ok++;
                }
                if (done >= start_ns && (size_t)((done - start_ns) / BIN_NS) < n_bins)
                        bins[(done - start_ns) / BIN_NS]++;
        }
        if (blocked_ns > 0) {
                m->blocked_ns = blocked_ns;
        } else {
                /* 10 x the median before the first fault, within [0.5 s, 2 s]: the
                 * median, not a tail percentile, so a slow start (a fresh cluster
                 * creating its coordinator topics) cannot hide the outages */
                int64_t v = 10 * (int64_t)kp_hist_percentile(&base, 50.0);
                if (v < 500 * KP_NS_PER_MS)
                        v = 500 * KP_NS_PER_MS;
                if (v > 2 * KP_NS_PER_S)
                        v = 2 * KP_NS_PER_S;
                m->blocked_ns = v;
        }
        if (first && first - start_ns >= KP_NS_PER_S)
                m->baseline_rate = (double)before_ok * 1e9 / (double)(first - start_ns);
        else {
                uint64_t s = 0;
                for (i = 0; i < n_bins; i++)
                        s += bins[i];
                m->baseline_rate = produce_end_ns > start_ns
                                       ? (double)s * 1e9 / (double)(produce_end_ns - start_ns)
                                       : 0;
        }
        for (p = 0; p < partitions; p++) {
                pos[p + 1] = pos[p] + count[p];
                total += count[p];
        }
        all = malloc((total ? total : 1) * sizeof(*all));
        if (!all)
                goto oom;
        memset(count, 0, ((size_t)partitions + 1) * sizeof(size_t));
        /* Pass 2: outcomes grouped by partition. */
        walk = (hev_walk_t){.h = h, .logs = producers};
        while ((ev = hev_next(&walk))) {
                outcome_t *o;
                if ((ev->kind != KP_HEV_ACK && ev->kind != KP_HEV_ACK_ERR) || ev->partition < 0 ||
                    ev->partition >= partitions)
                        continue;
                o = &all[pos[ev->partition] + count[ev->partition]++];
                o->done = kp_history_mono_ns(h, ev->t);
                o->intended = o->done - (int64_t)ev->lat_us * 1000;
                o->ok = ev->kind == KP_HEV_ACK;
        }
        for (p = 0; p < partitions; p++) {
                qsort(all + pos[p], count[p], sizeof(*all), cmp_outcome);
                if (partition_episodes(m, &cap, p, all + pos[p], count[p], produce_end_ns) < 0)
                        goto oom;
        }
        m->all_recovered = 1;
        m->during_start_ns = first;
        m->during_end_ns = first;
        for (i = 0; i < m->n_episodes; i++) {
                fo_episode_t *e = &m->episodes[i];
                e->fault = fault_of(runs, n_runs, e->start_ns, m->blocked_ns);
                if (e->fault >= 0) {
                        fo_fault_measure_t *fm = &m->faults[e->fault];
                        double d = (double)(e->end_ns - e->start_ns) / 1e9;
                        fm->unavail_s[e->partition] += d;
                        if (fm->unavail_s[e->partition] > fm->unavail_max_s)
                                fm->unavail_max_s = fm->unavail_s[e->partition];
                        if (!e->recovered)
                                fm->unrecovered = 1;
                        if (e->end_ns > m->during_end_ns)
                                m->during_end_ns = e->end_ns;
                }
        }
        last_end = calloc(n_runs ? n_runs : 1, sizeof(int64_t));
        if (!last_end)
                goto oom;
        for (i = 0; i < m->n_episodes; i++)
                if (m->episodes[i].fault >= 0 &&
                    m->episodes[i].end_ns > last_end[m->episodes[i].fault])
                        last_end[m->episodes[i].fault] = m->episodes[i].end_ns;
        recovery(m, runs, n_runs, last_end, bins, n_bins, start_ns, produce_end_ns);
        for (i = 0; i < n_runs; i++) {
                fo_fault_measure_t *fm = &m->faults[i];
                int64_t t;
                if (!runs[i].applied_ns)
                        continue;
                if (fm->unavail_max_s > m->unavail_max_s)
                        m->unavail_max_s = fm->unavail_max_s;
                if (fm->recovery_s > m->recovery_max_s)
                        m->recovery_max_s = fm->recovery_s;
                if (!fm->recovered || fm->unrecovered)
                        m->all_recovered = 0;
                t = runs[i].applied_ns + (int64_t)(fm->recovery_s * 1e9);
                if (t > m->during_end_ns)
                        m->during_end_ns = t;
                if (runs[i].healed_end_ns > m->during_end_ns)
                        m->during_end_ns = runs[i].healed_end_ns;
                if (runs[i].applied_end_ns > m->during_end_ns)
                        m->during_end_ns = runs[i].applied_end_ns;
        }
        rc = 0;
        goto out;
oom:
        kp_err_set(err, KP_ENOMEM, "failover measurements: out of memory");
out:
        kp_hist_release(&base);
        free(last_end);
        free(all);
        free(bins);
        free(count);
        free(pos);
        return rc;
}

static int phase_of(const fo_measure_t *m, int64_t intended)
{
        if (!m->during_start_ns || intended < m->during_start_ns)
                return 0;
        return intended <= m->during_end_ns ? 1 : 2;
}

void fo_measure_latency(kp_check_t *c, const kp_history_t *h, int producers, int consumers,
                        const fo_measure_t *m)
{
        static const char *const phases[] = {"before", "during", "after"};
        static const char *const cols[] = {"latency", "phase",    "records", "p50 ms",
                                           "p99 ms",  "p99.9 ms", "max ms"};
        kp_hist_t hs[2][3];
        hev_walk_t walk = {.h = h, .logs = producers + consumers};
        const kp_hev_t *e;
        kp_table_t *t;
        int k, ph;

        for (k = 0; k < 2; k++)
                for (ph = 0; ph < 3; ph++)
                        if (kp_hist_init(&hs[k][ph], 7, 3600 * KP_NS_PER_S) < 0)
                                return;
        while ((e = hev_next(&walk))) {
                int producer = walk.log < producers;
                int64_t intended;
                if (e->kind != (producer ? KP_HEV_ACK : KP_HEV_CONSUME))
                        continue;
                intended = kp_history_mono_ns(h, e->t) - (int64_t)e->lat_us * 1000;
                kp_hist_record(&hs[producer ? 0 : 1][phase_of(m, intended)],
                               (uint64_t)e->lat_us * 1000);
        }
        t = kp_check_table(c, "Latency before, during and after the faults", cols, 7);
        for (k = 0; k < 2; k++) {
                for (ph = 0; ph < 3; ph++) {
                        const kp_hist_t *hh = &hs[k][ph];
                        char name[64], cells[5][32];
                        const char *row[7];
                        double p50 = (double)kp_hist_percentile(hh, 50) / 1e6;
                        double p99 = (double)kp_hist_percentile(hh, 99) / 1e6;
                        double p999 = (double)kp_hist_percentile(hh, 99.9) / 1e6;
                        double mx = (double)kp_hist_percentile(hh, 100) / 1e6;
                        const char *pre = k == 0 ? "ack" : "e2e";
                        if (hh->total == 0)
                                continue;
                        snprintf(name, sizeof(name), "%s_latency_p50_ms_%s", pre, phases[ph]);
                        kp_check_measure(c, name, p50, "ms");
                        snprintf(name, sizeof(name), "%s_latency_p99_ms_%s", pre, phases[ph]);
                        kp_check_measure(c, name, p99, "ms");
                        snprintf(name, sizeof(name), "%s_latency_max_ms_%s", pre, phases[ph]);
                        kp_check_measure(c, name, mx, "ms");
                        snprintf(cells[0], sizeof(cells[0]), "%llu", (unsigned long long)hh->total);
                        snprintf(cells[1], sizeof(cells[1]), "%.2f", p50);
                        snprintf(cells[2], sizeof(cells[2]), "%.2f", p99);
                        snprintf(cells[3], sizeof(cells[3]), "%.2f", p999);
                        snprintf(cells[4], sizeof(cells[4]), "%.2f", mx);
                        row[0] = k == 0 ? "produce->ack" : "produce->consume";
                        row[1] = phases[ph];
                        row[2] = cells[0];
                        row[3] = cells[1];
                        row[4] = cells[2];
                        row[5] = cells[3];
                        row[6] = cells[4];
                        kp_table_row(t, row);
                }
        }
        for (k = 0; k < 2; k++)
                for (ph = 0; ph < 3; ph++)
                        kp_hist_release(&hs[k][ph]);
}

void fo_measure_release(fo_measure_t *m)
{
        size_t i;

        for (i = 0; m->faults && i < m->n_faults; i++)
                free(m->faults[i].unavail_s);
        free(m->faults);
        free(m->episodes);
        memset(m, 0, sizeof(*m));
}
