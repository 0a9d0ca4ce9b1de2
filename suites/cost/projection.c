/*
 * Projections of the cost model: the measured workload's inputs with the
 * throughput (1 MB/s ... 1 GB/s) or the retention (1 ... 30 days) changed,
 * priced for the measured architecture and the other two. Instances scale
 * with throughput at the declared capacity per instance, never below the
 * declared count. Each projection is a table in the evidence (so every
 * plotted number is in evidence.json), a TSV data file and a gnuplot SVG.
 */
#include <stdio.h>
#include <string.h>

#include "cost.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/plot.h"

static const double mb_per_s[] = {1, 3, 10, 30, 100, 300, 1000};
static const double days[] = {1, 2, 3, 7, 14, 30};

#define N_ARCH KP_ARCH__COUNT

/* One projection: x values, how an x changes the inputs, and its output. */
static int project(kp_ctx_t *ctx, kp_check_t *c, const kp_cost_inputs_t *measured,
                   const kp_pricesheet_t *ps, double capacity, int by_retention, kp_err_t *err)
{
        const double *xs = by_retention ? days : mb_per_s;
        size_t n =
            by_retention ? sizeof(days) / sizeof(days[0]) : sizeof(mb_per_s) / sizeof(mb_per_s[0]);
        const char *name =
            by_retention ? "cost-projection-retention" : "cost-projection-throughput";
        const char *xlabel = by_retention ? "retention (days)" : "produce throughput (MB/s)";
        static const char *const cols[] = {"x", "shared-nothing USD/month", "tiered USD/month",
                                           "shared-storage USD/month", "instances"};
        char dir[4096], tsv[4096], svg[4096], rel[512], fname[300], title[256];
        kp_table_t *tab;
        kp_buf_t b, script;
        size_t i;
        int a, rc = -1;

        snprintf(title, sizeof(title), "Monthly cost projection over %s (measured: %s)",
                 by_retention ? "retention" : "throughput", kp_arch_names[measured->arch]);
        tab = kp_check_table(c, title, cols, 5);
        kp_buf_init(&b, 1 << 20);
        kp_buf_puts(&b, "# x\tshared_nothing_usd\ttiered_usd\tshared_storage_usd\tinstances\n");
        for (i = 0; i < n; i++) {
                char cell[N_ARCH + 2][64];
                const char *cells[N_ARCH + 2];
                kp_cost_inputs_t in = *measured;
                kp_cost_result_t r;

                if (by_retention) {
                        in.retention_s = xs[i] * 86400;
                } else {
                        in.produce_bytes_per_s = xs[i] * 1e6;
                }
                in.instance_count = kp_cost_instances_for(in.produce_bytes_per_s, capacity,
                                                          measured->instance_count);
                snprintf(cell[0], sizeof(cell[0]), "%g %s", xs[i], by_retention ? "days" : "MB/s");
                kp_buf_printf(&b, "%g", xs[i]);
                for (a = 0; a < N_ARCH; a++) {
                        in.arch = (kp_arch_t)a;
                        if (kp_cost_compute(&in, ps, &r, err) < 0) {
                                kp_buf_free(&b);
                                return -1;
                        }
                        snprintf(cell[a + 1], sizeof(cell[0]), "%.2f", r.total_usd);
                        kp_buf_printf(&b, "\t%.4f", r.total_usd);
                }
                snprintf(cell[N_ARCH + 1], sizeof(cell[0]), "%d", in.instance_count);
                kp_buf_printf(&b, "\t%d\n", in.instance_count);
                for (a = 0; a < N_ARCH + 2; a++)
                        cells[a] = cell[a];
                kp_table_row(tab, cells);
        }
        if (kp_ctx_path(ctx, "plots", dir, sizeof(dir)) < 0 || kp_mkdir_p(dir, err) < 0)
                goto out;
        snprintf(fname, sizeof(fname), "%s.tsv", name);
        kp_path_join(tsv, sizeof(tsv), dir, fname);
        snprintf(fname, sizeof(fname), "%s.svg", name);
        kp_path_join(svg, sizeof(svg), dir, fname);
        if (kp_write_file(tsv, kp_buf_cstr(&b), b.len, 0644, err) < 0)
                goto out;
        kp_buf_init(&script, 1 << 16);
        kp_buf_printf(&script, "set title \"%s\"\nset grid\nset key top left\n", title);
        kp_buf_printf(&script, "set xlabel '%s'\nset ylabel 'USD per month'\n", xlabel);
        if (!by_retention)
                kp_buf_puts(&script, "set logscale xy\n");
        else
                kp_buf_puts(&script, "set yrange [0:*]\n");
        kp_buf_printf(
            &script,
            "plot '%s' using 1:2 with linespoints lw %d lc rgb '#0969da' title 'shared-nothing', "
            "'' using 1:3 with linespoints lw %d lc rgb '#1a7f37' title 'tiered', "
            "'' using 1:4 with linespoints lw %d lc rgb '#bf8700' title 'shared-storage'\n",
            tsv, measured->arch == KP_ARCH_SHARED_NOTHING ? 3 : 1,
            measured->arch == KP_ARCH_TIERED ? 3 : 1,
            measured->arch == KP_ARCH_SHARED_STORAGE ? 3 : 1);
        rc = kp_plot_svg(kp_buf_cstr(&script), svg, 900, 520, err);
        kp_buf_free(&script);
        if (rc == 0) {
                snprintf(rel, sizeof(rel), "plots/%s.svg", name);
                kp_check_artifact(c, rel, "svg", title);
                snprintf(rel, sizeof(rel), "plots/%s.tsv", name);
                kp_check_artifact(c, rel, "tsv", "projection data");
        }
out:
        kp_buf_free(&b);
        return rc;
}

int cost_projections(kp_ctx_t *ctx, kp_check_t *c, const kp_cost_inputs_t *measured,
                     const kp_pricesheet_t *ps, double capacity, kp_err_t *err)
{
        if (project(ctx, c, measured, ps, capacity, 0, err) < 0)
                return -1;
        return project(ctx, c, measured, ps, capacity, 1, err);
}
