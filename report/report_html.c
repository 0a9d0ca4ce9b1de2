/*
 * report.html: the human report of a run, rendered from evidence.json.
 *
 * Order follows what a reviewer needs first. Page one is an executive
 * summary (report_summary.c): the run verdict, each checklist row with its
 * one-line answer, every finding and missed gate, the platform's identity
 * and versions, the signing key and how to verify, and the clients'
 * configuration. Then the detail: the checklist table (one verdict per
 * row), the run, the gates, and every check grouped by row with its
 * verdict, reason, measurements, anomalies, tables, notes, control actions
 * and plots. Plots (SVG artifacts) are inlined so the file stands alone.
 * Tables and badges come from html_table.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "html_table.h"
#include "report_summary.h"
#include "report_util.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/fsutil.h"

/* What report.html adds to the shared style sheet (html_table.c). */
static const char css[] =
    "main{max-width:1180px}h3{font-size:16px;margin:20px 0 6px}"
    "h4{font-size:14px;margin:12px 0 4px;color:#444}"
    ".meta td:first-child{width:200px;color:#555}.check{border:1px solid #e3e6eb;border-radius:6px;"
    "padding:8px 16px;margin:12px 0}.reason{margin:4px 0 8px}"
    ".plot svg{max-width:100%;height:auto;border:1px solid #eee}"
    ".checklist code{white-space:nowrap}"
    ".summary{font-size:12.5px}.summary h2{font-size:16px;margin:14px 0 4px}"
    ".summary table{font-size:12px;margin:4px 0 6px}.summary th,.summary td{padding:3px 6px}"
    ".summary td.row{width:170px}.summary td.v{width:92px}"
    ".verdict{display:flex;align-items:center;gap:14px;margin:10px 0 4px}"
    ".verdict .badge{font-size:20px;padding:4px 16px;border-radius:14px}"
    ".summary .banner{margin:4px 0;padding:6px 10px}"
    ".summary ul{margin:2px 0 6px;padding-left:20px}.summary li{margin:1px 0}"
    ".kv td:first-child{width:150px;color:#555}.kv code,.cfg code{white-space:normal;"
    "overflow-wrap:anywhere}.cfg td:first-child{width:150px}"
    ".fp{white-space:nowrap}"
    "@media print{main{padding:0}.check{break-inside:avoid}.summary{break-after:page;"
    "font-size:10px}.summary h2{font-size:13px;margin:8px 0 2px}.summary table{font-size:9.5px;"
    "margin:2px 0 4px}.summary th,.summary td{padding:2px 5px}.verdict .badge{font-size:15px}"
    "h1{font-size:20px;margin:0}.summary p.muted{margin:2px 0}.summary code{font-size:9px}"
    ".summary .badge{font-size:9px}.kv td:first-child,.cfg td:first-child{width:110px}"
    ".summary td.row{width:120px}.summary td.v{width:70px}body{background:#fff}}"
    "@page{margin:12mm}";

static size_t html_limit = (size_t)1 << 30;

void kp_report_html_set_limit(size_t limit)
{
        html_limit = limit ? limit : (size_t)1 << 30;
}

static void render_meta(kp_buf_t *b, const cJSON *root)
{
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(run, "scenario");
        const cJSON *tg = cJSON_GetObjectItemCaseSensitive(run, "target");
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        const cJSON *facts = cJSON_GetObjectItemCaseSensitive(run, "facts"), *f;
        char line[512];

        kp_html_table_open(b, NULL, "meta", NULL);
        snprintf(line, sizeof(line), "%s (%s)", kp_report_str(sc, "name", "-"),
                 kp_report_str(sc, "path", "-"));
        kp_html_kv_row(b, "Scenario", line, 0);
        kp_html_kv_row(b, "Scenario sha256", kp_report_str(sc, "sha256", "-"), 0);
        snprintf(line, sizeof(line), "%s (%s, control: %s)", kp_report_str(tg, "name", "-"),
                 kp_report_str(tg, "path", "-"), kp_report_str(tg, "control", "-"));
        kp_html_kv_row(b, "Target", line, 0);
        kp_html_kv_row(b, "Target sha256", kp_report_str(tg, "sha256", "-"), 0);
        snprintf(line, sizeof(line), "%s (commit %s)", kp_report_str(run, "kproof_version", "-"),
                 kp_report_str(run, "git_commit", "-"));
        kp_html_kv_row(b, "kproof", line, 0);
        kp_html_kv_row(b, "Run id", kp_report_str(run, "id", "-"), 0);
        kp_html_kv_row(b, "Host", kp_report_str(run, "host", "-"), 0);
        kp_html_kv_row(b, "Started", kp_report_str(run, "started_at", "-"), 0);
        kp_html_kv_row(b, "Finished", kp_report_str(run, "finished_at", "-"), 0);
        cJSON_ArrayForEach(f, facts)
        {
                if (cJSON_IsString(f))
                        kp_html_kv_row(b, f->string, f->valuestring, 0);
        }
        if (sum) {
                snprintf(line, sizeof(line),
                         "%d checks: %d pass, %d fail, %d skip, %d error; %d gates, %d missed, "
                         "%d not evaluated; exit code %d",
                         (int)kp_report_num(sum, "checks", 0), (int)kp_report_num(sum, "pass", 0),
                         (int)kp_report_num(sum, "fail", 0), (int)kp_report_num(sum, "skip", 0),
                         (int)kp_report_num(sum, "error", 0), (int)kp_report_num(sum, "gates", 0),
                         (int)kp_report_num(sum, "gates_missed", 0),
                         (int)kp_report_num(sum, "gates_not_evaluated", 0),
                         (int)kp_report_num(sum, "exit_code", 0));
                kp_html_kv_row(b, "Summary", line, 0);
        }
        kp_html_table_close(b);
}

static void render_checklist(kp_buf_t *b, const cJSON *root)
{
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r, *id;

        static const char *const head[] = {"Row", "Verdict", "Question", "Checks", NULL};

        kp_buf_puts(b, "<h2 id=\"checklist\">Evaluation checklist</h2>");
        kp_html_table_open(b, NULL, "checklist", head);
        cJSON_ArrayForEach(r, rows)
        {
                kp_buf_puts(b, "<tr><td><strong>");
                kp_report_esc(b, kp_report_str(r, "title", ""));
                kp_buf_puts(b, "</strong><br><code>");
                kp_report_esc(b, kp_report_str(r, "id", ""));
                kp_buf_puts(b, "</code></td>");
                kp_html_cell_badge(b, kp_report_str(r, "verdict", "NOT TESTED"));
                kp_html_cell(b, kp_report_str(r, "question", ""));
                kp_buf_printf(b, "<td>%d pass, %d fail, %d skip, %d error",
                              (int)kp_report_num(r, "pass", 0), (int)kp_report_num(r, "fail", 0),
                              (int)kp_report_num(r, "skip", 0), (int)kp_report_num(r, "error", 0));
                if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "checks")) > 0) {
                        kp_buf_puts(b, "<br>");
                        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(r, "checks"))
                        {
                                kp_buf_puts(b, "<a href=\"#");
                                kp_report_anchor(b, id->valuestring);
                                kp_buf_puts(b, "\"><code>");
                                kp_report_esc(b, id->valuestring);
                                kp_buf_puts(b, "</code></a> ");
                        }
                }
                kp_buf_puts(b, "</td></tr>");
        }
        kp_html_table_close(b);
}

static void render_gates(kp_buf_t *b, const cJSON *root)
{
        static const char *const head[] = {"Gate", "Check", "Required", "Observed", "Result", NULL};
        const cJSON *gates = cJSON_GetObjectItemCaseSensitive(root, "gates"), *g;
        char num[64];

        if (cJSON_GetArraySize(gates) == 0)
                return;
        kp_buf_puts(b, "<h2 id=\"gates\">Gates</h2>");
        kp_html_table_open(b, NULL, NULL, head);
        cJSON_ArrayForEach(g, gates)
        {
                const cJSON *passed = cJSON_GetObjectItemCaseSensitive(g, "passed");
                const cJSON *obs = cJSON_GetObjectItemCaseSensitive(g, "observed");
                kp_html_row_open(b, NULL);
                kp_html_cell_code(b, kp_report_str(g, "name", ""));
                kp_buf_puts(b, "<td><a href=\"#");
                kp_report_anchor(b, kp_report_str(g, "check", ""));
                kp_buf_puts(b, "\">");
                kp_report_esc(b, kp_report_str(g, "check", ""));
                kp_buf_puts(b, "</a></td><td class=\"num\">");
                kp_report_esc(b, kp_report_str(g, "op", ""));
                kp_report_fmt_num(kp_report_num(g, "threshold", 0), num, sizeof(num));
                kp_buf_printf(b, " %s ", num);
                kp_report_esc(b, kp_report_str(g, "unit", ""));
                kp_buf_puts(b, "</td><td class=\"num\">");
                if (cJSON_IsNumber(obs)) {
                        kp_report_fmt_num(obs->valuedouble, num, sizeof(num));
                        kp_buf_printf(b, "%s ", num);
                        kp_report_esc(b, kp_report_str(g, "unit", ""));
                } else {
                        kp_buf_puts(b, "-");
                }
                kp_buf_puts(b, "</td><td>");
                kp_html_badge(b, cJSON_IsNull(passed)   ? "not evaluated"
                                 : cJSON_IsTrue(passed) ? "held"
                                                        : "missed");
                if (kp_report_str(g, "note", NULL)) {
                        kp_html_muted(b, " ", kp_report_str(g, "note", ""));
                }
                if (cJSON_IsNull(passed))
                        kp_buf_puts(b,
                                    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(g, "blocking"))
                                        ? " <span class=\"muted\">(a suite default on a check "
                                          "that did not run to a measurement: the check's own "
                                          "verdict counts)</span>"
                                        : " <span class=\"muted\">(keeps the run from exit "
                                          "0)</span>");
                kp_buf_puts(b, "</td></tr>");
        }
        kp_html_table_close(b);
}

static void render_measurements(kp_buf_t *b, const cJSON *ms)
{
        static const char *const head[] = {"Name", "Value", "Unit", "Labels / formula", NULL};
        const cJSON *m, *l;
        char num[64];

        if (cJSON_GetArraySize(ms) == 0)
                return;
        kp_html_table_open(b, "Measurements", NULL, head);
        cJSON_ArrayForEach(m, ms)
        {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
                kp_html_row_open(b, NULL);
                kp_html_cell_code(b, kp_report_str(m, "name", ""));
                kp_report_fmt_num(cJSON_IsNumber(v) ? v->valuedouble : NAN, num, sizeof(num));
                kp_html_cell_class(b, "num", num);
                kp_html_cell(b, kp_report_str(m, "unit", ""));
                kp_buf_puts(b, "<td>");
                cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(m, "labels"))
                {
                        kp_report_esc(b, l->string);
                        kp_buf_puts(b, "=");
                        kp_report_esc(b, cJSON_IsString(l) ? l->valuestring : "");
                        kp_buf_puts(b, " ");
                }
                if (kp_report_str(m, "formula", NULL)) {
                        kp_buf_puts(b, "<code>");
                        kp_report_esc(b, kp_report_str(m, "formula", ""));
                        kp_buf_puts(b, "</code>");
                }
                kp_buf_puts(b, "</td></tr>");
        }
        kp_html_table_close(b);
}

static void render_anomalies(kp_buf_t *b, const cJSON *as)
{
        static const char *const head[] = {"Kind",
                                           "Count",
                                           "Allowed for this profile",
                                           "Description",
                                           "First examples (partition/offset, producer/seq)",
                                           NULL};
        const cJSON *a, *ex;
        char num[64];

        if (cJSON_GetArraySize(as) == 0)
                return;
        kp_html_table_open(b, "Anomalies", NULL, head);
        cJSON_ArrayForEach(a, as)
        {
                kp_html_row_open(b, NULL);
                kp_html_cell_code(b, kp_report_str(a, "kind", ""));
                kp_report_fmt_num(kp_report_num(a, "count", 0), num, sizeof(num));
                kp_html_cell_class(b, "num", num);
                kp_html_cell(
                    b, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "allowed")) ? "yes" : "no");
                kp_html_cell(b, kp_report_str(a, "description", ""));
                kp_buf_puts(b, "<td>");
                cJSON_ArrayForEach(ex, cJSON_GetObjectItemCaseSensitive(a, "examples"))
                {
                        kp_buf_printf(
                            b, "p%d@%.0f (%d/%.0f)", (int)kp_report_num(ex, "partition", -1),
                            kp_report_num(ex, "offset", -1), (int)kp_report_num(ex, "producer", -1),
                            kp_report_num(ex, "seq", -1));
                        if (kp_report_str(ex, "detail", NULL)) {
                                kp_buf_puts(b, " ");
                                kp_report_esc(b, kp_report_str(ex, "detail", ""));
                        }
                        kp_buf_puts(b, "<br>");
                }
                kp_buf_puts(b, "</td></tr>");
        }
        kp_html_table_close(b);
}

static void render_tables(kp_buf_t *b, const cJSON *ts)
{
        const cJSON *t, *c, *r;

        cJSON_ArrayForEach(t, ts)
        {
                kp_html_table_open(b, kp_report_str(t, "title", ""), NULL, NULL);
                kp_html_row_open(b, NULL);
                cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "columns"))
                {
                        kp_buf_puts(b, "<th>");
                        kp_report_esc(b, cJSON_IsString(c) ? c->valuestring : "");
                        kp_buf_puts(b, "</th>");
                }
                kp_html_row_close(b);
                cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(t, "rows"))
                {
                        kp_html_row_open(b, NULL);
                        cJSON_ArrayForEach(c, r)
                            kp_html_cell(b, cJSON_IsString(c) ? c->valuestring : "");
                        kp_html_row_close(b);
                }
                kp_html_table_close(b);
        }
}

static void render_notes(kp_buf_t *b, const cJSON *ns)
{
        const cJSON *n;

        if (cJSON_GetArraySize(ns) == 0)
                return;
        kp_buf_puts(b, "<h4>Evidence notes</h4><ul>");
        cJSON_ArrayForEach(n, ns)
        {
                kp_buf_puts(b, "<li>");
                kp_report_esc(b, cJSON_IsString(n) ? n->valuestring : "");
                kp_buf_puts(b, "</li>");
        }
        kp_buf_puts(b, "</ul>");
}

static void render_actions(kp_buf_t *b, const cJSON *as)
{
        static const char *const head[] = {"Request", "Result", "Duration", "Command / output",
                                           NULL};
        const cJSON *a;

        if (cJSON_GetArraySize(as) == 0)
                return;
        kp_html_table_open(b, "Control actions", NULL, head);
        cJSON_ArrayForEach(a, as)
        {
                int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "ok"));
                kp_html_row_open(b, NULL);
                kp_html_cell_code(b, kp_report_str(a, "request", ""));
                kp_buf_puts(b, "<td>");
                if (ok) {
                        kp_buf_puts(b, "ok");
                } else {
                        kp_buf_puts(b, "failed: ");
                        kp_report_esc(b, kp_report_str(a, "error", ""));
                }
                kp_buf_printf(b, "</td><td class=\"num\">%.0f ms</td><td>",
                              kp_report_num(a, "duration_ms", 0));
                if (kp_report_str(a, "command", NULL)) {
                        kp_buf_puts(b, "<code>");
                        kp_report_esc(b, kp_report_str(a, "command", ""));
                        kp_buf_printf(b, "</code> (exit %d)",
                                      (int)kp_report_num(a, "exit_code", 0));
                }
                if (kp_report_str(a, "output_tail", NULL)) {
                        kp_buf_puts(b, "<pre>");
                        kp_report_esc(b, kp_report_str(a, "output_tail", ""));
                        kp_buf_puts(b, "</pre>");
                }
                kp_buf_puts(b, "</td></tr>");
        }
        kp_html_table_close(b);
}

/* Inlines an SVG artifact, dropping its XML prolog and doctype. */
static void inline_svg(kp_buf_t *b, const char *run_dir, const char *rel)
{
        char path[4096];
        const char *start;
        kp_buf_t svg;

        if (strstr(rel, "..") || kp_path_join(path, sizeof(path), run_dir, rel) < 0)
                return;
        kp_buf_init(&svg, 32 << 20);
        if (kp_read_file(path, 32 << 20, &svg, NULL) == 0) {
                start = strstr(kp_buf_cstr(&svg), "<svg");
                if (start)
                        kp_buf_puts(b, start);
        }
        kp_buf_free(&svg);
}

static void render_artifacts(kp_buf_t *b, const cJSON *arts, const char *run_dir)
{
        const cJSON *a;
        int listed = 0;

        cJSON_ArrayForEach(a, arts)
        {
                const char *kind = kp_report_str(a, "kind", "");
                const char *path = kp_report_str(a, "path", "");
                if (strcmp(kind, "svg") == 0) {
                        kp_buf_puts(b, "<figure class=\"plot\">");
                        inline_svg(b, run_dir, path);
                        kp_buf_puts(b, "<figcaption class=\"muted\">");
                        kp_report_esc(b, kp_report_str(a, "title", path));
                        kp_buf_puts(b, " (<code>");
                        kp_report_esc(b, path);
                        kp_buf_puts(b, "</code>)</figcaption></figure>");
                }
        }
        cJSON_ArrayForEach(a, arts)
        {
                if (!listed) {
                        kp_buf_puts(b, "<h4>Artifacts</h4><ul>");
                        listed = 1;
                }
                kp_buf_puts(b, "<li><code>");
                kp_report_esc(b, kp_report_str(a, "path", ""));
                kp_buf_puts(b, "</code> — ");
                kp_report_esc(b, kp_report_str(a, "title", ""));
                kp_buf_puts(b, "</li>");
        }
        if (listed)
                kp_buf_puts(b, "</ul>");
}

static void render_check(kp_buf_t *b, const cJSON *c, const char *run_dir)
{
        kp_buf_puts(b, "<section class=\"check\" id=\"");
        kp_report_anchor(b, kp_report_str(c, "id", ""));
        kp_buf_puts(b, "\"><h3>");
        kp_html_badge(b, kp_report_str(c, "verdict", "error"));
        kp_buf_puts(b, " <code>");
        kp_report_esc(b, kp_report_str(c, "id", ""));
        kp_buf_puts(b, "</code> — ");
        kp_report_esc(b, kp_report_str(c, "title", ""));
        kp_buf_puts(b, "</h3><div class=\"reason\">");
        kp_report_esc(b, kp_report_str(c, "reason", ""));
        kp_buf_printf(b, "</div><div class=\"muted\">suite ");
        kp_report_esc(b, kp_report_str(c, "suite", ""));
        kp_buf_puts(b, " · started ");
        kp_report_esc(b, kp_report_str(c, "started_at", ""));
        kp_buf_printf(b, " · %.0f ms</div>", kp_report_num(c, "duration_ms", 0));
        render_measurements(b, cJSON_GetObjectItemCaseSensitive(c, "measurements"));
        render_anomalies(b, cJSON_GetObjectItemCaseSensitive(c, "anomalies"));
        render_tables(b, cJSON_GetObjectItemCaseSensitive(c, "tables"));
        render_notes(b, cJSON_GetObjectItemCaseSensitive(c, "notes"));
        render_actions(b, cJSON_GetObjectItemCaseSensitive(c, "actions"));
        render_artifacts(b, cJSON_GetObjectItemCaseSensitive(c, "artifacts"), run_dir);
        kp_buf_puts(b, "</section>");
}

int kp_report_html(const char *evidence_path, const char *out_path, kp_err_t *err)
{
        const cJSON *run, *sc, *tg, *rows, *r, *checks, *c;
        char run_dir[4096], digest[KP_SHA256_HEX];
        cJSON *root = NULL;
        kp_buf_t b;
        char *slash;
        int rc;

        if (kp_report_load(evidence_path, &root, err) < 0)
                return -1;
        snprintf(run_dir, sizeof(run_dir), "%s", evidence_path);
        slash = strrchr(run_dir, '/');
        if (slash)
                *slash = '\0';
        else
                snprintf(run_dir, sizeof(run_dir), ".");
        if (kp_sha256_file(evidence_path, digest, err) < 0) {
                cJSON_Delete(root);
                return -1;
        }
        run = cJSON_GetObjectItemCaseSensitive(root, "run");
        sc = cJSON_GetObjectItemCaseSensitive(run, "scenario");
        tg = cJSON_GetObjectItemCaseSensitive(run, "target");

        kp_buf_init(&b, html_limit);
        kp_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                        "<title>kproof report: ");
        kp_report_esc(&b, kp_report_str(sc, "name", ""));
        kp_buf_puts(&b, " on ");
        kp_report_esc(&b, kp_report_str(tg, "name", ""));
        kp_buf_printf(&b, "</title><style>%s%s</style></head><body><main>", kp_html_css, css);
        kp_buf_puts(&b, "<h1>kproof evidence report</h1><div class=\"muted\">Scenario <strong>");
        kp_report_esc(&b, kp_report_str(sc, "name", ""));
        kp_buf_puts(&b, "</strong> on target <strong>");
        kp_report_esc(&b, kp_report_str(tg, "name", ""));
        kp_buf_puts(&b, "</strong></div>");
        kp_report_summary(&b, root);
        render_checklist(&b, root);
        kp_buf_puts(&b, "<h2 id=\"run\">Run</h2>");
        render_meta(&b, root);
        render_gates(&b, root);

        kp_buf_puts(&b, "<h2 id=\"checks\">Checks</h2>");
        rows = cJSON_GetObjectItemCaseSensitive(root, "rows");
        checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
        cJSON_ArrayForEach(r, rows)
        {
                int any = 0;
                cJSON_ArrayForEach(c, checks)
                {
                        if (strcmp(kp_report_str(c, "row", ""), kp_report_str(r, "id", "")) != 0)
                                continue;
                        if (!any) {
                                kp_buf_puts(&b, "<h3 class=\"row\">");
                                kp_report_esc(&b, kp_report_str(r, "title", ""));
                                kp_buf_puts(&b, " ");
                                kp_html_badge(&b, kp_report_str(r, "verdict", ""));
                                kp_buf_puts(&b, "</h3>");
                                any = 1;
                        }
                        render_check(&b, c, run_dir);
                }
        }
        kp_buf_printf(&b,
                      "<p class=\"muted\">Rendered by kproof from evidence.json (sha256 %s). "
                      "Every verdict above is taken from that file.</p></main></body></html>\n",
                      digest);
        if (b.truncated)
                rc = kp_err_set(err, KP_EIO, "%s: the report would exceed %zu bytes; not written",
                                out_path, html_limit);
        else
                rc = kp_write_file(out_path, kp_buf_cstr(&b), b.len, 0644, err);
        kp_buf_free(&b);
        cJSON_Delete(root);
        return rc;
}
