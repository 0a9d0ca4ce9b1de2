/*
 * The bake-off page: several runs of one scenario side by side, one column
 * per target. Rows are the checklist rows, each followed by its checks and
 * the key measurements of each check; the best value of every measurement
 * is marked. The runs' signature status and any comparability override are
 * shown first, so a reader never mistakes an unverified or unlike run for
 * evidence. Like every renderer, it only reads evidence and decides nothing
 * about a verdict.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "html_table.h"
#include "report_util.h"
#include "util/buf.h"
#include "util/fsutil.h"

/* What comparison.html adds to the shared style sheet (html_table.c). */
static const char css[] =
    "body{line-height:1.4}main{max-width:1400px}h2{margin:28px 0 8px}th,td{padding:4px 8px}"
    "tr.row td{background:#eef1f5;font-weight:600}tr.check td:first-child{padding-left:20px}"
    "table.matrix td:first-child{width:30%}tr.m "
    "td:first-child{padding-left:40px;color:#444}td.best{background:#dafbe1;font-weight:700}"
    "code{white-space:nowrap}"
    "@media print{main{padding:0}tr{break-inside:avoid}}";

int kp_compare_direction(const cJSON *measurement)
{
        const char *better = kp_report_str(measurement, "better", "");

        return strcmp(better, "lower") == 0 ? -1 : strcmp(better, "higher") == 0 ? 1 : 0;
}

static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
        const cJSON *o;

        cJSON_ArrayForEach(o, arr)
        {
                const char *v = kp_report_str(o, key, NULL);
                if (v && strcmp(v, value) == 0)
                        return o;
        }
        return NULL;
}

static int unlabelled(const cJSON *m)
{
        return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "labels")) == 0;
}

/* The first unlabelled measurement called name in check c. */
static const cJSON *measurement(const cJSON *c, const char *name)
{
        const cJSON *m;

        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c, "measurements"))
        {
                if (unlabelled(m) && strcmp(kp_report_str(m, "name", ""), name) == 0)
                        return m;
        }
        return NULL;
}

/* Adds s to the list if absent (lists are small: rows, checks, names). */
static int add_unique(const char **list, size_t *n, size_t max, const char *s)
{
        size_t i;

        for (i = 0; i < *n; i++)
                if (strcmp(list[i], s) == 0)
                        return 0;
        if (*n >= max)
                return -1;
        list[(*n)++] = s;
        return 0;
}

#define MAX_ITEMS 1024

static void render_measurements(kp_buf_t *b, const kp_compare_run_t *runs, size_t n_runs,
                                const char *check_id)
{
        const char *names[MAX_ITEMS];
        size_t n_names = 0, i, k;
        const cJSON *m;

        for (i = 0; i < n_runs; i++) {
                const cJSON *c = find_by(
                    cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "checks"), "id", check_id);
                cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c, "measurements"))
                {
                        const char *name = kp_report_str(m, "name", NULL);
                        if (name && unlabelled(m) && kp_compare_direction(m) != 0)
                                add_unique(names, &n_names, MAX_ITEMS, name);
                }
        }
        for (k = 0; k < n_names; k++) {
                double vals[KP_COMPARE_MAX_RUNS], best = NAN;
                const char *unit = "";
                int dir = 0, present = 0, distinct = 0;
                char num[64];

                for (i = 0; i < n_runs; i++) {
                        const cJSON *c =
                            find_by(cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "checks"),
                                    "id", check_id);
                        const cJSON *mm = measurement(c, names[k]);
                        const cJSON *v = cJSON_GetObjectItemCaseSensitive(mm, "value");
                        vals[i] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
                        if (mm && !dir) {
                                unit = kp_report_str(mm, "unit", "");
                                dir = kp_compare_direction(mm);
                        }
                        if (!isfinite(vals[i]))
                                continue;
                        if (present && vals[i] != best)
                                distinct = 1;
                        if (!present || (dir < 0 ? vals[i] < best : vals[i] > best))
                                best = vals[i];
                        present++;
                }
                kp_buf_puts(b, "<tr class=\"m\" data-name=\"");
                kp_report_esc(b, names[k]);
                kp_buf_printf(b, "\" data-better=\"%s\"><td><code>", dir < 0 ? "lower" : "higher");
                kp_report_esc(b, names[k]);
                kp_buf_puts(b, "</code> <span class=\"muted\">");
                kp_report_esc(b, unit);
                kp_buf_printf(b, ", %s is better</span></td>", dir < 0 ? "lower" : "higher");
                for (i = 0; i < n_runs; i++) {
                        int is_best =
                            distinct && present > 1 && isfinite(vals[i]) && vals[i] == best;
                        if (!isfinite(vals[i])) {
                                kp_buf_puts(b, "<td class=\"num muted\">-</td>");
                                continue;
                        }
                        kp_report_fmt_num(vals[i], num, sizeof(num));
                        kp_buf_printf(b, "<td class=\"num%s\" data-value=\"%.17g\">%s%s</td>",
                                      is_best ? " best" : "", vals[i], num,
                                      is_best ? " &#9733; best" : "");
                }
                kp_buf_puts(b, "</tr>");
        }
}

/* One header cell a run: its target's name. */
static void target_headers(kp_buf_t *b, const kp_compare_run_t *runs, size_t n_runs)
{
        size_t i;

        for (i = 0; i < n_runs; i++) {
                const cJSON *run = cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "run");
                kp_buf_puts(b, "<th>");
                kp_report_esc(
                    b, kp_report_str(cJSON_GetObjectItemCaseSensitive(run, "target"), "name", "?"));
                kp_buf_puts(b, "</th>");
        }
}

static void render_runs(kp_buf_t *b, const kp_compare_run_t *runs, size_t n_runs)
{
        static const char *const facts[][2] = {{"Run id", "id"},
                                               {"Started", "started_at"},
                                               {"kproof", "kproof_version"},
                                               {"Commit", "git_commit"}};
        size_t i, f;

        kp_buf_puts(b, "<h2 id=\"runs\">Runs</h2>");
        kp_html_table_open(b, NULL, NULL, NULL);
        kp_buf_puts(b, "<tr><th></th>");
        target_headers(b, runs, n_runs);
        kp_buf_puts(b, "</tr><tr><td>Signature</td>");
        for (i = 0; i < n_runs; i++) {
                kp_buf_puts(b, "<td>");
                kp_html_badge(b, runs[i].signature);
                if (runs[i].signature_detail && *runs[i].signature_detail) {
                        kp_html_muted(b, "<br>", runs[i].signature_detail);
                }
                kp_buf_puts(b, "</td>");
        }
        kp_buf_puts(b, "</tr><tr><td>Run directory</td>");
        for (i = 0; i < n_runs; i++)
                kp_html_cell_code(b, runs[i].dir);
        kp_buf_puts(b, "</tr>");
        for (f = 0; f < sizeof(facts) / sizeof(facts[0]); f++) {
                kp_html_row_open(b, NULL);
                kp_html_cell(b, facts[f][0]);
                for (i = 0; i < n_runs; i++)
                        kp_html_cell(b, kp_report_str(cJSON_GetObjectItemCaseSensitive(
                                                          runs[i].evidence, "run"),
                                                      facts[f][1], "-"));
                kp_html_row_close(b);
        }
        kp_buf_puts(b, "<tr><td>Scenario sha256</td>");
        for (i = 0; i < n_runs; i++) {
                const cJSON *run = cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "run");
                kp_html_cell_code(b,
                                  kp_report_str(cJSON_GetObjectItemCaseSensitive(run, "scenario"),
                                                "sha256", "-"));
        }
        kp_buf_puts(b, "</tr><tr><td>Summary</td>");
        for (i = 0; i < n_runs; i++) {
                const cJSON *s = cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "summary");
                kp_buf_printf(b, "<td>%d pass, %d fail, %d skip, %d error; exit code %d</td>",
                              (int)kp_report_num(s, "pass", 0), (int)kp_report_num(s, "fail", 0),
                              (int)kp_report_num(s, "skip", 0), (int)kp_report_num(s, "error", 0),
                              (int)kp_report_num(s, "exit_code", -1));
        }
        kp_html_row_close(b);
        kp_html_table_close(b);
}

static void render_matrix(kp_buf_t *b, const kp_compare_run_t *runs, size_t n_runs)
{
        const char *rows[MAX_ITEMS], *checks[MAX_ITEMS];
        size_t n_rows = 0, n_checks, i, r, k;
        const cJSON *o;

        for (i = 0; i < n_runs; i++)
                cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "rows"))
                {
                        if (kp_report_str(o, "id", NULL))
                                add_unique(rows, &n_rows, MAX_ITEMS, kp_report_str(o, "id", ""));
                }
        kp_buf_puts(b, "<h2 id=\"matrix\">Checklist, checks and key measurements</h2>");
        kp_html_table_open(b, NULL, "matrix", NULL);
        kp_buf_puts(b, "<tr><th>Row / check / measurement</th>");
        target_headers(b, runs, n_runs);
        kp_buf_puts(b, "</tr>");
        for (r = 0; r < n_rows; r++) {
                const char *title = rows[r];
                n_checks = 0;
                for (i = 0; i < n_runs; i++) {
                        const cJSON *row =
                            find_by(cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "rows"),
                                    "id", rows[r]);
                        if (row && title == rows[r])
                                title = kp_report_str(row, "title", rows[r]);
                        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(row, "checks"))
                        {
                                if (cJSON_IsString(o))
                                        add_unique(checks, &n_checks, MAX_ITEMS, o->valuestring);
                        }
                }
                kp_buf_puts(b, "<tr class=\"row\"><td>");
                kp_report_esc(b, title);
                kp_buf_puts(b, " <code>");
                kp_report_esc(b, rows[r]);
                kp_buf_puts(b, "</code></td>");
                for (i = 0; i < n_runs; i++) {
                        const cJSON *row =
                            find_by(cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "rows"),
                                    "id", rows[r]);
                        kp_html_cell_badge(b, row ? kp_report_str(row, "verdict", "NOT TESTED")
                                                  : "NOT TESTED");
                }
                kp_buf_puts(b, "</tr>");
                for (k = 0; k < n_checks; k++) {
                        kp_html_row_open(b, "check");
                        kp_html_cell_code(b, checks[k]);
                        for (i = 0; i < n_runs; i++) {
                                const cJSON *c = find_by(
                                    cJSON_GetObjectItemCaseSensitive(runs[i].evidence, "checks"),
                                    "id", checks[k]);
                                kp_buf_puts(b, "<td>");
                                kp_html_badge(b,
                                              c ? kp_report_str(c, "verdict", "error") : "not run");
                                if (c && kp_report_str(c, "reason", NULL)) {
                                        kp_html_muted(b, "<br>", kp_report_str(c, "reason", ""));
                                }
                                kp_buf_puts(b, "</td>");
                        }
                        kp_buf_puts(b, "</tr>");
                        render_measurements(b, runs, n_runs, checks[k]);
                }
        }
        kp_html_table_close(b);
}

int kp_report_compare(const kp_compare_run_t *runs, size_t n_runs, const char *forced,
                      const char *out_path, kp_err_t *err)
{
        const cJSON *run0, *sc;
        size_t i, unverified = 0;
        kp_buf_t b;
        int rc;

        if (n_runs == 0 || n_runs > KP_COMPARE_MAX_RUNS)
                return kp_err_set(err, KP_EUSAGE, "compare takes 1 to %d runs",
                                  KP_COMPARE_MAX_RUNS);
        run0 = cJSON_GetObjectItemCaseSensitive(runs[0].evidence, "run");
        sc = cJSON_GetObjectItemCaseSensitive(run0, "scenario");
        kp_buf_init(&b, (size_t)256 << 20);
        kp_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<title>kproof bake-off: ");
        kp_report_esc(&b, kp_report_str(sc, "name", ""));
        kp_buf_printf(&b, "</title><style>%s%s</style></head><body><main>", kp_html_css, css);
        kp_buf_puts(&b, "<h1>kproof bake-off: scenario ");
        kp_report_esc(&b, kp_report_str(sc, "name", ""));
        kp_buf_printf(&b,
                      "</h1><div class=\"muted\">%zu runs of the same scenario, one column per "
                      "target. Verdicts are the runs' own; the best value of each key "
                      "measurement is marked &#9733;.</div>",
                      n_runs);
        if (forced) {
                kp_buf_puts(&b, "<div class=\"banner bad\" id=\"forced\">NOT COMPARABLE — compared "
                                "anyway because of --force: ");
                kp_report_esc(&b, forced);
                kp_buf_puts(&b, "</div>");
        }
        for (i = 0; i < n_runs; i++)
                if (strcmp(runs[i].signature, "verified") != 0)
                        unverified++;
        if (unverified)
                kp_buf_printf(&b,
                              "<div class=\"banner warn\" id=\"unverified\">%zu of %zu runs are "
                              "not verified (unsigned, invalid or signed by an untrusted key): "
                              "see the Signature line below.</div>",
                              unverified, n_runs);
        render_runs(&b, runs, n_runs);
        render_matrix(&b, runs, n_runs);
        kp_buf_puts(&b, "<p class=\"muted\">Rendered by kproof compare from each run's "
                        "evidence.json.</p></main></body></html>\n");
        rc = kp_write_file(out_path, kp_buf_cstr(&b), b.len, 0644, err);
        kp_buf_free(&b);
        return rc;
}
