/*
 * The failover timeline: per time slot of the workload, acknowledged and
 * consumed records per second with p99 produce->ack and produce->consume
 * latency, and below it acknowledgement errors per second. Each fault is a
 * red dashed line, each heal a green one, both labelled; the time when some
 * partition could not be written (the unavailability episodes) is shaded.
 * Both panels share fixed margins so the markers line up. Written as
 * plots/failover-timeline.{tsv,svg} and attached to the check (report.html
 * inlines the SVG).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/plot.h"
#include "util/timeutil.h"
#include "engine/workload.h"

#define NAME "failover-timeline"

static void marker(kp_buf_t *s, double x, const char *color, const char *label)
{
        kp_buf_printf(
            s,
            "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb '%s' lw 1.5 dt 2\n"
            "set label \"%s\" at %.3f, graph 0.98 rotate by 90 right font ',9' "
            "tc rgb '%s' noenhanced\n",
            x, x, color, label, x + 0.4, color);
}

/* Partitions, lossy and slow links: one lane per broker along the panel's
 * top, shaded from the fault to its heal (or the end of the plot). */
static void net_lanes(kp_buf_t *s, const fo_sched_t *sc, int64_t start, double xmax)
{
        size_t i;
        int k;

        for (i = 0; i < sc->n_runs; i++) {
                const fo_fault_run_t *r = &sc->runs[i];
                double a, b;
                const char *color = r->f->action == KP_FAULT_PARTITION    ? "#8250df"
                                    : r->f->action == KP_FAULT_LINK_LOSS  ? "#bf8700"
                                    : r->f->action == KP_FAULT_LINK_DELAY ? "#0969da"
                                                                          : NULL;
                if (!r->applied_ns || !color)
                        continue;
                a = (double)(r->applied_ns - start) / 1e9;
                b = r->healed_ns ? (double)(r->healed_ns - start) / 1e9 : xmax;
                for (k = 0; k < r->n_cut; k++) {
                        int lane = r->cut[k] > 0 ? (r->cut[k] - 1) % 6 : 0;
                        double top = 1.0 - 0.045 * lane, bottom = top - 0.04;
                        kp_buf_printf(s,
                                      "set object rect from %.3f, graph %.3f to %.3f, graph %.3f "
                                      "front fc rgb '%s' fs transparent solid 0.45 noborder\n"
                                      "set label 'broker %d' at %.3f, graph %.3f front font ',7' "
                                      "tc rgb '#24292f' noenhanced\n",
                                      a, bottom, b > a ? b : a + 0.05, top, color, r->cut[k],
                                      a + 0.3, bottom + 0.012);
                }
        }
}

/* Markers and shading for one panel. */
static void decorations(kp_buf_t *s, const fo_sched_t *sc, const fo_measure_t *m, int64_t start,
                        double xmax)
{
        size_t i;

        kp_buf_puts(s, "unset arrow\nunset label\nunset object\n");
        for (i = 0; m && i < m->n_episodes; i++) {
                double a = (double)(m->episodes[i].start_ns - start) / 1e9;
                double b = (double)(m->episodes[i].end_ns - start) / 1e9;
                kp_buf_printf(s,
                              "set object rect from %.3f, graph 0 to %.3f, graph 1 behind "
                              "fc rgb '#cf222e' fs transparent solid 0.10 noborder\n",
                              a, b > a ? b : a + 0.05);
        }
        for (i = 0; i < sc->n_runs; i++) {
                const fo_fault_run_t *r = &sc->runs[i];
                char label[96], *u;
                if (r->applied_ns) {
                        snprintf(label, sizeof(label), "%zu %s", i + 1,
                                 kp_fault_action_names[r->f->action]);
                        /* '-' not '_' keeps the label readable in any text mode */
                        while ((u = strchr(label, '_')))
                                *u = '-';
                        marker(s, (double)(r->applied_ns - start) / 1e9, "#cf222e", label);
                }
                if (r->healed_ns) {
                        snprintf(label, sizeof(label), "%zu heal", i + 1);
                        marker(s, (double)(r->healed_ns - start) / 1e9, "#1a7f37", label);
                }
        }
        net_lanes(s, sc, start, xmax);
}

int fo_plot_timeline(kp_ctx_t *ctx, kp_check_t *c, const kp_workload_slot_t *tl, size_t n,
                     int64_t slot_ns, int64_t start, const fo_sched_t *sc, const fo_measure_t *m,
                     kp_err_t *err)
{
        char dir[4096], tsv[4200], svg[4200], rel[256];
        double per_s, xmax;
        size_t i;
        kp_buf_t b, s;
        int rc = -1;

        if (!tl || n == 0)
                return kp_err_set(err, KP_EINFRA, "no timeline data");
        if (kp_ctx_path(ctx, "plots", dir, sizeof(dir)) < 0 || kp_mkdir_p(dir, err) < 0)
                return kp_err_set(err, KP_EIO, "cannot create the plots directory");
        snprintf(tsv, sizeof(tsv), "%s/%s.tsv", dir, NAME);
        snprintf(svg, sizeof(svg), "%s/%s.svg", dir, NAME);
        per_s = 1e9 / (double)slot_ns;
        xmax = (double)(n * (size_t)slot_ns) / 1e9;
        for (i = 0; i < sc->n_runs; i++) {
                double h = (double)(sc->runs[i].healed_end_ns - start) / 1e9;
                double a = (double)(sc->runs[i].applied_end_ns - start) / 1e9;
                if (h > xmax)
                        xmax = h;
                if (a > xmax)
                        xmax = a;
        }

        kp_buf_init(&b, 64 << 20);
        kp_buf_puts(&b, "# t_s\tacked_per_s\tconsumed_per_s\tack_errors_per_s\tp99_ack_ms\t"
                        "p99_e2e_ms\n");
        for (i = 0; i < n; i++)
                kp_buf_printf(&b, "%.3f\t%.1f\t%.1f\t%.1f\t%.3f\t%.3f\n",
                              (double)(i * (size_t)slot_ns) / 1e9 + (double)slot_ns / 2e9,
                              (double)tl[i].acked * per_s, (double)tl[i].consumed * per_s,
                              (double)tl[i].ack_errors * per_s, (double)tl[i].p99_ack_us / 1000.0,
                              (double)tl[i].p99_e2e_us / 1000.0);
        if (kp_write_file(tsv, kp_buf_cstr(&b), b.len, 0644, err) < 0)
                goto out;

        kp_buf_init(&s, 1 << 20);
        kp_buf_puts(&s, "set multiplot title 'Failover: throughput, p99 latency and errors "
                        "(faults red, heals green, shaded: some partition unavailable; top lanes: "
                        "brokers cut off (purple), on lossy (ochre) or slow (blue) links)' "
                        "noenhanced\n"
                        "set lmargin at screen 0.08\nset rmargin at screen 0.84\n"
                        "set grid\nset key outside right top noenhanced\n");
        kp_buf_printf(&s, "set xrange [0:%.3f]\n", xmax > 0 ? xmax : 1);
        kp_buf_puts(&s, "set tmargin at screen 0.92\nset bmargin at screen 0.42\n"
                        "unset xlabel\nset format x ''\n"
                        "set ylabel 'records/s'\nset y2label 'p99 latency (ms)'\n"
                        "set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n");
        decorations(&s, sc, m, start, xmax);
        kp_buf_printf(&s,
                      "plot '%s' using 1:2 with lines lw 2 lc rgb '#0969da' title 'acked/s', "
                      "'' using 1:3 with lines lw 1 lc rgb '#1a7f37' title 'consumed/s', "
                      "'' using 1:5 axes x1y2 with lines lw 1 lc rgb '#bf8700' title 'p99 ack ms', "
                      "'' using 1:6 axes x1y2 with lines lw 1 dt 3 lc rgb '#8250df' "
                      "title 'p99 e2e ms'\n",
                      tsv);
        kp_buf_puts(&s, "set tmargin at screen 0.34\nset bmargin at screen 0.08\n"
                        "set format x '%g'\nset xlabel 'seconds since workload start'\n"
                        "unset y2tics\nunset y2label\nset ylabel 'errors/s'\nset yrange [0:*]\n");
        decorations(&s, sc, m, start, xmax);
        kp_buf_printf(&s,
                      "plot '%s' using 1:4 with impulses lw 3 lc rgb '#cf222e' "
                      "title 'ack errors/s'\nunset multiplot\n",
                      tsv);
        rc = kp_plot_svg(kp_buf_cstr(&s), svg, 1000, 680, err);
        kp_buf_free(&s);
        if (rc == 0) {
                snprintf(rel, sizeof(rel), "plots/%s.svg", NAME);
                kp_check_artifact(c, rel, "svg",
                                  "Failover timeline: throughput, p99 latency and errors per "
                                  "second, faults and heals marked");
                snprintf(rel, sizeof(rel), "plots/%s.tsv", NAME);
                kp_check_artifact(c, rel, "tsv", "timeline data (per time slot)");
        }
out:
        kp_buf_free(&b);
        return rc;
}
