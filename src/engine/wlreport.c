#include "engine/wlreport.h"

#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "util/plot.h"
#include "util/timeutil.h"

static double us(uint64_t ns)
{
        return (double)ns / 1000.0;
}

static void latency(kp_check_t *c, const char *prefix, const kp_hist_t *h)
{
        static const struct {
                const char *suffix;
                double p;
        } ps[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99_9", 99.9}, {"max", 100}};
        char name[96];
        size_t i;

        if (!h || h->total == 0)
                return;
        for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
                snprintf(name, sizeof(name), "%s_latency_%s_us", prefix, ps[i].suffix);
                kp_check_measure(c, name, us(kp_hist_percentile(h, ps[i].p)), "us");
        }
        snprintf(name, sizeof(name), "%s_latency_p99_ms", prefix);
        kp_check_measure(c, name, (double)kp_hist_percentile(h, 99) / 1e6, "ms");
}

uint64_t kp_wlreport_record(kp_check_t *c, kp_workload_t *wl)
{
        kp_workload_results_t r;
        const kp_ledger_summary_t *s;
        size_t i;

        kp_workload_results(wl, &r);
        s = &r.ledger;
        kp_check_measure(c, "records_sent", (double)s->sent, "records");
        kp_check_measure(c, "records_acked", (double)s->acked, "records");
        kp_check_measure(c, "records_ack_failed", (double)s->failed, "records");
        kp_check_measure(c, "records_in_doubt", (double)s->in_doubt, "records");
        kp_check_measure(c, "records_consumed_unique", (double)s->consumed_unique, "records");
        kp_check_measure(c, "lost_acked", (double)s->acked_unconsumed, "records");
        kp_check_measure(c, "redeliveries", (double)r.redeliveries, "records");
        kp_check_measure(c, "read_at_other_offset", (double)r.other_offset, "records");
        kp_check_measure(c, "corrupt", (double)r.corrupt, "records");
        kp_check_measure(c, "target_rate", r.target_rate, "records/s");
        kp_check_measure(c, "achieved_rate", r.achieved_rate, "records/s");
        kp_check_measure(c, "acked_value_bytes", (double)r.value_bytes, "bytes");
        kp_check_measure(c, "produce_duration_s", (double)r.produce_ns / 1e9, "s");
        kp_check_measure(c, "drain_duration_s", (double)r.drain_ns / 1e9, "s");
        kp_check_measure(c, "ledger_bytes", (double)kp_ledger_bytes(kp_workload_ledger(wl)),
                         "bytes");
        latency(c, "ack", r.ack_hist);
        latency(c, "e2e", r.e2e_hist);
        if (r.n_errors) {
                static const char *const cols[] = {"error", "code", "count"};
                kp_table_t *t = kp_check_table(c, "Client errors by code", cols, 3);
                for (i = 0; i < r.n_errors; i++) {
                        char code[16], cnt[32];
                        const char *cells[3];
                        snprintf(code, sizeof(code), "%d", r.errors[i].code);
                        snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)r.errors[i].count);
                        cells[0] = rd_kafka_err2name((rd_kafka_resp_err_t)r.errors[i].code);
                        cells[1] = code;
                        cells[2] = cnt;
                        kp_table_row(t, cells);
                }
        }
        if (s->acked_unconsumed) {
                kp_anomaly_t *a = kp_check_anomaly(
                    c, s->skipped ? "lost-write" : "unseen", s->acked_unconsumed, 0,
                    "acknowledged records never consumed by the end of the drain");
                const kp_ledger_t *lg = kp_workload_ledger(wl);
                kp_ledger_entry_t e;
                int p;
                uint64_t seq, n, shown = 0;
                for (p = 0; p < kp_ledger_producers(lg) && shown < 20; p++) {
                        n = kp_ledger_count(lg, p);
                        for (seq = 0; seq < n && shown < 20; seq++) {
                                if (kp_ledger_get(lg, p, seq, &e) == 0 && e.state == KP_LS_ACKED &&
                                    e.consumed == 0) {
                                        kp_anomaly_example(a, e.partition, e.offset, p,
                                                           (int64_t)seq, NULL);
                                        shown++;
                                }
                        }
                }
        }
        if (r.other_offset) {
                kp_anomaly_t *a = kp_check_anomaly(
                    c, "read-at-other-offset", r.other_offset, 0,
                    "a record was read at an offset other than the one acknowledged: a duplicate "
                    "in the log or an acknowledgement without an offset (the history checker "
                    "tells them apart)");
                for (i = 0; i < r.n_examples; i++)
                        if (r.examples[i].kind == KP_LEDGER_DIFFERENT)
                                kp_anomaly_example(a, r.examples[i].partition, r.examples[i].offset,
                                                   r.examples[i].producer,
                                                   (int64_t)r.examples[i].seq, NULL);
        }
        if (r.corrupt) {
                kp_anomaly_t *a = kp_check_anomaly(c, "corrupt", r.corrupt, 0,
                                                   "a record's checksum did not match its content");
                for (i = 0; i < r.n_examples; i++)
                        if (r.examples[i].kind == -2)
                                kp_anomaly_example(a, r.examples[i].partition, r.examples[i].offset,
                                                   -1, -1, NULL);
        }
        if (r.unverified)
                kp_check_note(c,
                              "%llu consumptions arrived before their acknowledgement and could "
                              "not all be verified (bounded buffer full)",
                              (unsigned long long)r.unverified);
        if (r.foreign)
                kp_check_note(c, "%llu records on the topic were not written by this run",
                              (unsigned long long)r.foreign);
        return s->acked_unconsumed;
}

int kp_wlreport_timeline(kp_check_t *c, kp_workload_t *wl, const char *dir, const char *reldir,
                         const char *name, const char *title, const kp_plot_marker_t *markers,
                         size_t n_markers, kp_err_t *err)
{
        const kp_workload_slot_t *tl;
        char tsv[4096], svg[4096], rel[512], fname[300];
        int64_t slot_ns, start = kp_workload_start_ns(wl);
        double per_s;
        size_t n, i;
        kp_buf_t b, script;
        int rc = -1;

        tl = kp_workload_timeline(wl, &n, &slot_ns);
        if (!tl || n == 0)
                return kp_err_set(err, KP_EINFRA, "no timeline data");
        per_s = 1e9 / (double)slot_ns;
        snprintf(fname, sizeof(fname), "%s.tsv", name);
        if (kp_mkdir_p(dir, err) < 0 || kp_path_join(tsv, sizeof(tsv), dir, fname) < 0)
                return -1;
        snprintf(fname, sizeof(fname), "%s.svg", name);
        kp_path_join(svg, sizeof(svg), dir, fname);

        kp_buf_init(&b, 64 << 20);
        kp_buf_puts(&b, "# t_s\tsent_per_s\tacked_per_s\tconsumed_per_s\tack_errors_per_s\t"
                        "p99_ack_ms\tp99_e2e_ms\n");
        for (i = 0; i < n; i++)
                kp_buf_printf(&b, "%.3f\t%.1f\t%.1f\t%.1f\t%.1f\t%.3f\t%.3f\n",
                              (double)(i * (size_t)slot_ns) / 1e9, (double)tl[i].sent * per_s,
                              (double)tl[i].acked * per_s, (double)tl[i].consumed * per_s,
                              (double)tl[i].ack_errors * per_s, (double)tl[i].p99_ack_us / 1000.0,
                              (double)tl[i].p99_e2e_us / 1000.0);
        if (kp_write_file(tsv, kp_buf_cstr(&b), b.len, 0644, err) < 0)
                goto out;

        kp_buf_init(&script, 1 << 20);
        kp_buf_printf(&script, "set multiplot layout 2,1 title \"%s\"\n", title);
        kp_buf_puts(
            &script,
            "set grid\nset key outside right top\nset xlabel 'seconds since workload start'\n"
            "set ylabel 'records/s'\nset y2label 'p99 latency (ms)'\nset y2tics\nset ytics "
            "nomirror\n"
            "set yrange [0:*]\nset y2range [0:*]\n");
        for (i = 0; i < n_markers; i++) {
                double x = (double)(markers[i].at_ns - start) / 1e9;
                kp_buf_printf(
                    &script,
                    "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb '#cf222e' dt 2\n"
                    "set label \"%s\" at %.3f, graph 0.97 rotate by 90 right font ',9' tc rgb "
                    "'#cf222e'\n",
                    x, x, markers[i].label, x + 0.05);
        }
        kp_buf_printf(
            &script,
            "plot '%s' using 1:3 with lines lw 2 lc rgb '#0969da' title 'acked/s', "
            "'' using 1:4 with lines lw 1 lc rgb '#1a7f37' title 'consumed/s', "
            "'' using 1:6 axes x1y2 with lines lw 1 lc rgb '#bf8700' title 'p99 ack ms', "
            "'' using 1:7 axes x1y2 with lines lw 1 dt 3 lc rgb '#8250df' title 'p99 e2e ms'\n",
            tsv);
        kp_buf_puts(&script,
                    "unset y2tics\nunset y2label\nset ylabel 'errors/s'\nset yrange [0:*]\n");
        kp_buf_printf(
            &script,
            "plot '%s' using 1:5 with impulses lw 3 lc rgb '#cf222e' title 'ack errors/s'\n"
            "unset multiplot\n",
            tsv);
        rc = kp_plot_svg(kp_buf_cstr(&script), svg, 960, 620, err);
        kp_buf_free(&script);
        if (rc == 0) {
                snprintf(rel, sizeof(rel), "%s/%s.svg", reldir, name);
                kp_check_artifact(c, rel, "svg", title);
                snprintf(rel, sizeof(rel), "%s/%s.tsv", reldir, name);
                kp_check_artifact(c, rel, "tsv", "timeline data (per time slot)");
        }
out:
        kp_buf_free(&b);
        return rc;
}

void kp_wlreport_anomalies(kp_check_t *c, const kp_checker_result_t *r)
{
        int k;
        size_t i;

        for (k = 0; k < KP_ANOM__COUNT; k++) {
                kp_anomaly_t *a;
                char name[64];
                snprintf(name, sizeof(name), "anomalies_%s", kp_anom_names[k]);
                for (i = 0; name[i]; i++)
                        if (name[i] == '-')
                                name[i] = '_';
                kp_check_measure(c, name, (double)r->count[k], "count");
                if (!r->count[k])
                        continue;
                a = kp_check_anomaly(c, kp_anom_names[k], r->count[k], r->allowed[k],
                                     kp_anom_descriptions[k]);
                for (i = 0; a && i < r->n_examples[k]; i++) {
                        const kp_checker_example_t *e = &r->examples[k][i];
                        kp_anomaly_example(a, e->partition, e->offset, e->producer, e->seq,
                                           e->detail[0] ? e->detail : NULL);
                }
        }
}
