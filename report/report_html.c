/*
 * report.html: the human report of a run, rendered from evidence.json.
 *
 * Order follows what a reviewer needs first. Page one is an executive
 * summary: the run verdict, each checklist row with its one-line answer,
 * every finding and missed gate, the platform's identity and versions, the
 * signing key and how to verify, and the clients' configuration. Then the
 * detail: the checklist table (one verdict per row), the run, the gates,
 * and every check grouped by row with its verdict, reason, measurements,
 * anomalies, tables, notes, control actions and plots. Plots (SVG artifacts) are inlined so the
 * file stands alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_util.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/fsutil.h"

static const char css[] =
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;color:#1d2330;"
    "background:#f6f7f9;line-height:1.45}"
    "main{max-width:1180px;margin:0 auto;padding:24px 32px 64px;background:#fff}"
    "h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:2px "
    "solid "
    "#e3e6eb;padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}h4{font-size:14px;margin:12px "
    "0 "
    "4px;color:#444}"
    "table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}"
    "th,td{border:1px solid #dde1e7;padding:5px 8px;text-align:left;vertical-align:top}"
    "th{background:#f0f2f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-"
    "nums}"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;"
    "letter-spacing:.3px;color:#fff;white-space:nowrap}"
    ".v-pass,.v-PASS{background:#1a7f37}.v-fail,.v-FAIL{background:#cf222e}.v-skip{background:#"
    "8c959f}"
    ".v-error,.v-ERROR{background:#9a6700}.v-PARTIAL{background:#bf8700}"
    ".v-NOT-TESTED{background:#8c959f}.v-SKIPPED{background:#57606a}"
    ".v-held{background:#1a7f37}.v-missed{background:#cf222e}.v-not-evaluated{background:#8c959f}"
    ".meta td:first-child{width:200px;color:#555}.check{border:1px solid #e3e6eb;border-radius:6px;"
    "padding:8px 16px;margin:12px 0}.reason{margin:4px 0 8px}.muted{color:#667}"
    ".plot svg{max-width:100%;height:auto;border:1px solid #eee}code{font-size:12px}"
    ".banner{padding:10px 14px;border-radius:6px;margin:12px 0;font-weight:600}"
    ".banner.bad{background:#ffebe9;border:1px solid #cf222e}.banner.warn{background:#fff8c5;"
    "border:1px solid #bf8700}.banner.good{background:#dafbe1;border:1px solid #1a7f37}"
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

static void badge(kp_buf_t *b, const char *verdict)
{
        char cls[64];
        size_t i;

        snprintf(cls, sizeof(cls), "%s", verdict);
        for (i = 0; cls[i]; i++)
                if (cls[i] == ' ')
                        cls[i] = '-';
        kp_buf_printf(b, "<span class=\"badge v-%s\">", cls);
        kp_report_esc(b, verdict);
        kp_buf_puts(b, "</span>");
}

static void anchor(kp_buf_t *b, const char *check_id)
{
        kp_buf_puts(b, "check-");
        kp_report_esc(b, check_id);
}

static void meta_row(kp_buf_t *b, const char *k, const char *v)
{
        kp_buf_puts(b, "<tr><td>");
        kp_report_esc(b, k);
        kp_buf_puts(b, "</td><td>");
        kp_report_esc(b, v ? v : "-");
        kp_buf_puts(b, "</td></tr>");
}

static void render_meta(kp_buf_t *b, const cJSON *root)
{
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(run, "scenario");
        const cJSON *tg = cJSON_GetObjectItemCaseSensitive(run, "target");
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        const cJSON *facts = cJSON_GetObjectItemCaseSensitive(run, "facts"), *f;
        char line[512];

        kp_buf_puts(b, "<table class=\"meta\">");
        snprintf(line, sizeof(line), "%s (%s)", kp_report_str(sc, "name", "-"),
                 kp_report_str(sc, "path", "-"));
        meta_row(b, "Scenario", line);
        meta_row(b, "Scenario sha256", kp_report_str(sc, "sha256", "-"));
        snprintf(line, sizeof(line), "%s (%s, control: %s)", kp_report_str(tg, "name", "-"),
                 kp_report_str(tg, "path", "-"), kp_report_str(tg, "control", "-"));
        meta_row(b, "Target", line);
        meta_row(b, "Target sha256", kp_report_str(tg, "sha256", "-"));
        snprintf(line, sizeof(line), "%s (commit %s)", kp_report_str(run, "kproof_version", "-"),
                 kp_report_str(run, "git_commit", "-"));
        meta_row(b, "kproof", line);
        meta_row(b, "Run id", kp_report_str(run, "id", "-"));
        meta_row(b, "Host", kp_report_str(run, "host", "-"));
        meta_row(b, "Started", kp_report_str(run, "started_at", "-"));
        meta_row(b, "Finished", kp_report_str(run, "finished_at", "-"));
        cJSON_ArrayForEach(f, facts)
        {
                if (cJSON_IsString(f))
                        meta_row(b, f->string, f->valuestring);
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
                meta_row(b, "Summary", line);
        }
        kp_buf_puts(b, "</table>");
}

static void render_checklist(kp_buf_t *b, const cJSON *root)
{
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r, *id;

        kp_buf_puts(b, "<h2 id=\"checklist\">Evaluation checklist</h2><table class=\"checklist\">"
                       "<tr><th>Row</th><th>Verdict</th><th>Question</th><th>Checks</th></tr>");
        cJSON_ArrayForEach(r, rows)
        {
                kp_buf_puts(b, "<tr><td><strong>");
                kp_report_esc(b, kp_report_str(r, "title", ""));
                kp_buf_puts(b, "</strong><br><code>");
                kp_report_esc(b, kp_report_str(r, "id", ""));
                kp_buf_puts(b, "</code></td><td>");
                badge(b, kp_report_str(r, "verdict", "NOT TESTED"));
                kp_buf_puts(b, "</td><td>");
                kp_report_esc(b, kp_report_str(r, "question", ""));
                kp_buf_printf(b, "</td><td>%d pass, %d fail, %d skip, %d error",
                              (int)kp_report_num(r, "pass", 0), (int)kp_report_num(r, "fail", 0),
                              (int)kp_report_num(r, "skip", 0), (int)kp_report_num(r, "error", 0));
                if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "checks")) > 0) {
                        kp_buf_puts(b, "<br>");
                        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(r, "checks"))
                        {
                                kp_buf_puts(b, "<a href=\"#");
                                anchor(b, id->valuestring);
                                kp_buf_puts(b, "\"><code>");
                                kp_report_esc(b, id->valuestring);
                                kp_buf_puts(b, "</code></a> ");
                        }
                }
                kp_buf_puts(b, "</td></tr>");
        }
        kp_buf_puts(b, "</table>");
}

static void render_gates(kp_buf_t *b, const cJSON *root)
{
        const cJSON *gates = cJSON_GetObjectItemCaseSensitive(root, "gates"), *g;
        char num[64];

        if (cJSON_GetArraySize(gates) == 0)
                return;
        kp_buf_puts(b, "<h2 id=\"gates\">Gates</h2><table><tr><th>Gate</th><th>Check</th>"
                       "<th>Required</th><th>Observed</th><th>Result</th></tr>");
        cJSON_ArrayForEach(g, gates)
        {
                const cJSON *passed = cJSON_GetObjectItemCaseSensitive(g, "passed");
                const cJSON *obs = cJSON_GetObjectItemCaseSensitive(g, "observed");
                kp_buf_puts(b, "<tr><td><code>");
                kp_report_esc(b, kp_report_str(g, "name", ""));
                kp_buf_puts(b, "</code></td><td><a href=\"#");
                anchor(b, kp_report_str(g, "check", ""));
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
                badge(b, cJSON_IsNull(passed)   ? "not evaluated"
                         : cJSON_IsTrue(passed) ? "held"
                                                : "missed");
                if (kp_report_str(g, "note", NULL)) {
                        kp_buf_puts(b, " <span class=\"muted\">");
                        kp_report_esc(b, kp_report_str(g, "note", ""));
                        kp_buf_puts(b, "</span>");
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
        kp_buf_puts(b, "</table>");
}

static void render_measurements(kp_buf_t *b, const cJSON *ms)
{
        const cJSON *m, *l;
        char num[64];

        if (cJSON_GetArraySize(ms) == 0)
                return;
        kp_buf_puts(b, "<h4>Measurements</h4><table><tr><th>Name</th><th>Value</th><th>Unit</th>"
                       "<th>Labels / formula</th></tr>");
        cJSON_ArrayForEach(m, ms)
        {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
                kp_buf_puts(b, "<tr><td><code>");
                kp_report_esc(b, kp_report_str(m, "name", ""));
                kp_buf_puts(b, "</code></td><td class=\"num\">");
                kp_report_fmt_num(cJSON_IsNumber(v) ? v->valuedouble : NAN, num, sizeof(num));
                kp_buf_puts(b, num);
                kp_buf_puts(b, "</td><td>");
                kp_report_esc(b, kp_report_str(m, "unit", ""));
                kp_buf_puts(b, "</td><td>");
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
        kp_buf_puts(b, "</table>");
}

static void render_anomalies(kp_buf_t *b, const cJSON *as)
{
        const cJSON *a, *ex;
        char num[64];

        if (cJSON_GetArraySize(as) == 0)
                return;
        kp_buf_puts(b, "<h4>Anomalies</h4><table><tr><th>Kind</th><th>Count</th><th>Allowed for "
                       "this profile</th><th>Description</th><th>First examples (partition/offset, "
                       "producer/seq)</th></tr>");
        cJSON_ArrayForEach(a, as)
        {
                kp_buf_puts(b, "<tr><td><code>");
                kp_report_esc(b, kp_report_str(a, "kind", ""));
                kp_report_fmt_num(kp_report_num(a, "count", 0), num, sizeof(num));
                kp_buf_printf(b, "</code></td><td class=\"num\">%s</td><td>%s</td><td>", num,
                              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "allowed")) ? "yes"
                                                                                           : "no");
                kp_report_esc(b, kp_report_str(a, "description", ""));
                kp_buf_puts(b, "</td><td>");
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
        kp_buf_puts(b, "</table>");
}

static void render_tables(kp_buf_t *b, const cJSON *ts)
{
        const cJSON *t, *c, *r;

        cJSON_ArrayForEach(t, ts)
        {
                kp_buf_puts(b, "<h4>");
                kp_report_esc(b, kp_report_str(t, "title", ""));
                kp_buf_puts(b, "</h4><table><tr>");
                cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "columns"))
                {
                        kp_buf_puts(b, "<th>");
                        kp_report_esc(b, cJSON_IsString(c) ? c->valuestring : "");
                        kp_buf_puts(b, "</th>");
                }
                kp_buf_puts(b, "</tr>");
                cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(t, "rows"))
                {
                        kp_buf_puts(b, "<tr>");
                        cJSON_ArrayForEach(c, r)
                        {
                                kp_buf_puts(b, "<td>");
                                kp_report_esc(b, cJSON_IsString(c) ? c->valuestring : "");
                                kp_buf_puts(b, "</td>");
                        }
                        kp_buf_puts(b, "</tr>");
                }
                kp_buf_puts(b, "</table>");
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
        const cJSON *a;

        if (cJSON_GetArraySize(as) == 0)
                return;
        kp_buf_puts(b, "<h4>Control actions</h4><table><tr><th>Request</th><th>Result</th>"
                       "<th>Duration</th><th>Command / output</th></tr>");
        cJSON_ArrayForEach(a, as)
        {
                int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "ok"));
                kp_buf_puts(b, "<tr><td><code>");
                kp_report_esc(b, kp_report_str(a, "request", ""));
                kp_buf_puts(b, "</code></td><td>");
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
        kp_buf_puts(b, "</table>");
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
        anchor(b, kp_report_str(c, "id", ""));
        kp_buf_puts(b, "\"><h3>");
        badge(b, kp_report_str(c, "verdict", "error"));
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

/* The first page: what a reader needs before any detail. Everything in it
 * is read from evidence.json — the run verdict (summary.verdict), each
 * row's verdict and answer (rows[].answer, recorded by evidence.c from the
 * checks' own answers or reasons), the failed checks and missed gates, the
 * signing key, the platform's identity (run.platform, run.facts) and the
 * clients' configuration (run.client_config). */
static void summary_verdict(kp_buf_t *b, const cJSON *root)
{
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        const char *verdict = kp_report_str(sum, "verdict", NULL);

        kp_buf_puts(b, "<div class=\"verdict\" id=\"run-verdict\"><span>Run verdict</span>");
        if (verdict)
                badge(b, verdict);
        else
                kp_buf_puts(b, "<span class=\"muted\">not recorded (evidence.json of an older "
                               "kproof)</span>");
        kp_buf_printf(
            b,
            "<span class=\"muted\">exit code %d · %d checks: %d pass, %d fail, %d skip, %d "
            "error · %d gates: %d missed, %d not evaluated</span></div>",
            (int)kp_report_num(sum, "exit_code", 3), (int)kp_report_num(sum, "checks", 0),
            (int)kp_report_num(sum, "pass", 0), (int)kp_report_num(sum, "fail", 0),
            (int)kp_report_num(sum, "skip", 0), (int)kp_report_num(sum, "error", 0),
            (int)kp_report_num(sum, "gates", 0), (int)kp_report_num(sum, "gates_missed", 0),
            (int)kp_report_num(sum, "gates_not_evaluated", 0));
}

static void summary_rows(kp_buf_t *b, const cJSON *root)
{
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r, *id;

        kp_buf_puts(b, "<h2 id=\"summary-checklist\">Checklist</h2><table class=\"answers\">"
                       "<tr><th>Row</th><th>Verdict</th><th>Answer (from the checks' "
                       "measurements)</th></tr>");
        cJSON_ArrayForEach(r, rows)
        {
                const char *answer = kp_report_str(r, "answer", NULL);
                kp_buf_puts(b, "<tr><td class=\"row\"><strong>");
                kp_report_esc(b, kp_report_str(r, "title", ""));
                kp_buf_puts(b, "</strong></td><td class=\"v\">");
                badge(b, kp_report_str(r, "verdict", "NOT TESTED"));
                kp_buf_puts(b, "</td><td>");
                if (answer)
                        kp_report_esc(b, answer);
                else
                        kp_buf_puts(b, "<span class=\"muted\">no check of this row ran</span>");
                cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(r, "answer_from"))
                {
                        if (!cJSON_IsString(id))
                                continue;
                        kp_buf_puts(b, " <a class=\"muted\" href=\"#");
                        anchor(b, id->valuestring);
                        kp_buf_puts(b, "\">[");
                        kp_report_esc(b, id->valuestring);
                        kp_buf_puts(b, "]</a>");
                }
                kp_buf_puts(b, "</td></tr>");
        }
        kp_buf_puts(b, "</table>");
}

static void summary_findings(kp_buf_t *b, const cJSON *root)
{
        const cJSON *checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
        const cJSON *gates = cJSON_GetObjectItemCaseSensitive(root, "gates"), *c, *g;
        char num[64];
        int n = 0;

        kp_buf_puts(b, "<h2 id=\"findings\">Findings</h2><ul>");
        cJSON_ArrayForEach(c, checks)
        {
                const char *v = kp_report_str(c, "verdict", "");
                if (strcmp(v, "fail") != 0 && strcmp(v, "error") != 0)
                        continue;
                kp_buf_puts(b, "<li class=\"finding\">");
                badge(b, v);
                kp_buf_puts(b, " <a href=\"#");
                anchor(b, kp_report_str(c, "id", ""));
                kp_buf_puts(b, "\"><code>");
                kp_report_esc(b, kp_report_str(c, "id", ""));
                kp_buf_puts(b, "</code></a>: ");
                kp_report_esc(b, kp_report_str(c, "reason", ""));
                kp_buf_puts(b, "</li>");
                n++;
        }
        cJSON_ArrayForEach(g, gates)
        {
                const cJSON *passed = cJSON_GetObjectItemCaseSensitive(g, "passed");
                const cJSON *obs = cJSON_GetObjectItemCaseSensitive(g, "observed");
                int missed = cJSON_IsFalse(passed);
                int blocking_ne = cJSON_IsNull(passed) &&
                                  !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(g, "blocking"));
                if (!missed && !blocking_ne)
                        continue;
                kp_buf_puts(b, "<li class=\"finding\">");
                badge(b, missed ? "missed" : "not evaluated");
                kp_buf_puts(b, " gate <code>");
                kp_report_esc(b, kp_report_str(g, "name", ""));
                kp_buf_puts(b, "</code> of <a href=\"#");
                anchor(b, kp_report_str(g, "check", ""));
                kp_buf_puts(b, "\"><code>");
                kp_report_esc(b, kp_report_str(g, "check", ""));
                kp_buf_puts(b, "</code></a>: required ");
                kp_report_esc(b, kp_report_str(g, "op", ""));
                kp_report_fmt_num(kp_report_num(g, "threshold", 0), num, sizeof(num));
                kp_buf_printf(b, " %s ", num);
                kp_report_esc(b, kp_report_str(g, "unit", ""));
                if (cJSON_IsNumber(obs)) {
                        kp_report_fmt_num(obs->valuedouble, num, sizeof(num));
                        kp_buf_printf(b, ", observed %s ", num);
                        kp_report_esc(b, kp_report_str(g, "unit", ""));
                } else if (kp_report_str(g, "note", NULL)) {
                        kp_buf_puts(b, ", ");
                        kp_report_esc(b, kp_report_str(g, "note", ""));
                }
                kp_buf_puts(b, "</li>");
                n++;
        }
        if (n == 0)
                kp_buf_puts(b, "<li id=\"no-findings\">None: no check failed or ended in error, "
                               "and no gate was missed or left unevaluated.</li>");
        kp_buf_puts(b, "</ul>");
}

static void kv_row(kp_buf_t *b, const char *k, const char *v, int code)
{
        kp_buf_puts(b, "<tr><td>");
        kp_report_esc(b, k);
        kp_buf_puts(b, code ? "</td><td><code>" : "</td><td>");
        kp_report_esc(b, v ? v : "-");
        kp_buf_puts(b, code ? "</code></td></tr>" : "</td></tr>");
}

/* What a broker's ApiVersions probe gave: its summary, or why there is none. */
static const char *broker_versions(const cJSON *broker)
{
        const char *sum = kp_report_str(cJSON_GetObjectItemCaseSensitive(broker, "api_versions"),
                                        "summary", NULL);

        return sum ? sum : kp_report_str(broker, "api_versions_error", "not recorded");
}

/* Brokers grouped by identical ApiVersions answers, so a homogeneous
 * cluster takes one line and a mixed one shows each software version. */
static void summary_brokers(kp_buf_t *b, const cJSON *plat)
{
        const cJSON *brokers = cJSON_GetObjectItemCaseSensitive(plat, "brokers");
        int n = cJSON_GetArraySize(brokers), i, j;
        unsigned char done[64] = {0};

        for (i = 0; i < n && i < 64; i++) {
                const char *vi = broker_versions(cJSON_GetArrayItem(brokers, i));
                if (done[i])
                        continue;
                kp_buf_puts(b, "<tr><td>ApiVersions, broker");
                for (j = i; j < n && j < 64; j++) {
                        const cJSON *y = cJSON_GetArrayItem(brokers, j);
                        if (done[j] || strcmp(broker_versions(y), vi) != 0)
                                continue;
                        kp_buf_printf(b, "%s %d", j == i ? "" : ",",
                                      (int)kp_report_num(y, "id", -1));
                        done[j] = 1;
                }
                kp_buf_puts(b, "</td><td>");
                kp_report_esc(b, vi);
                kp_buf_puts(b, "</td></tr>");
        }
}

static void summary_platform(kp_buf_t *b, const cJSON *root)
{
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *facts = cJSON_GetObjectItemCaseSensitive(run, "facts");
        const cJSON *plat = cJSON_GetObjectItemCaseSensitive(run, "platform"), *x;
        const cJSON *tg = cJSON_GetObjectItemCaseSensitive(run, "target");
        kp_buf_t line;

        kp_buf_init(&line, 1 << 16);
        kp_buf_puts(b, "<h2 id=\"platform\">Platform</h2><table class=\"kv\">");
        kp_buf_printf(&line, "%s (control: %s)", kp_report_str(tg, "name", "-"),
                      kp_report_str(tg, "control", "-"));
        kv_row(b, "Target", kp_buf_cstr(&line), 0);
        kv_row(b, "Cluster id",
               kp_report_str(plat, "cluster_id", kp_report_str(facts, "cluster_id", NULL)), 1);
        if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(plat, "brokers"))) {
                kp_buf_reset(&line);
                kp_buf_printf(&line,
                              "%d (controller %d):", (int)kp_report_num(plat, "broker_count", 0),
                              (int)kp_report_num(plat, "controller_id", -1));
                cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(plat, "brokers"))
                    kp_buf_printf(&line, " %d=%s", (int)kp_report_num(x, "id", -1),
                                  kp_report_str(x, "endpoint", "?"));
                kv_row(b, "Brokers", kp_buf_cstr(&line), 0);
                summary_brokers(b, plat);
        } else {
                kv_row(b, "Brokers",
                       kp_report_str(plat, "error",
                                     "not recorded (no platform identity in "
                                     "evidence.json)"),
                       0);
        }
        kv_row(b, "librdkafka", kp_report_str(facts, "librdkafka_version", NULL), 0);
        kp_buf_reset(&line);
        kp_buf_printf(&line, "%s (commit %s)", kp_report_str(run, "kproof_version", "-"),
                      kp_report_str(run, "git_commit", "-"));
        kv_row(b, "kproof", kp_buf_cstr(&line), 0);
        kp_buf_puts(b, "</table>");
        kp_buf_free(&line);
}

/* Whether every suite's clients carry key=value (shown once, not per suite). */
static int common_prop(const cJSON *cfgs, const char *key, const char *value)
{
        const cJSON *c;
        const char *sides[2] = {"producer", "consumer"};
        int k;

        cJSON_ArrayForEach(c, cfgs)
        {
                for (k = 0; k < 2; k++) {
                        const char *v =
                            kp_report_str(cJSON_GetObjectItemCaseSensitive(c, sides[k]), key, NULL);
                        if (!v || strcmp(v, value) != 0)
                                return 0;
                }
        }
        return 1;
}

static void props_line(kp_buf_t *b, const cJSON *props, const cJSON *cfgs, int only_uncommon)
{
        const cJSON *p;
        int n = 0;

        cJSON_ArrayForEach(p, props)
        {
                if (!cJSON_IsString(p) ||
                    (only_uncommon && common_prop(cfgs, p->string, p->valuestring)))
                        continue;
                kp_buf_puts(b, n++ ? " " : "");
                kp_buf_puts(b, "<code>");
                kp_report_esc(b, p->string);
                kp_buf_puts(b, "=");
                kp_report_esc(b, p->valuestring);
                kp_buf_puts(b, "</code>");
        }
        if (n == 0)
                kp_buf_puts(b, "<span class=\"muted\">nothing more</span>");
}

static void summary_clients(kp_buf_t *b, const cJSON *root)
{
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *cfgs = cJSON_GetObjectItemCaseSensitive(run, "client_config"), *c, *p;
        const cJSON *first = cJSON_GetArrayItem(cfgs, 0);
        int n = 0;

        kp_buf_puts(b, "<h2 id=\"client-config\">Client configuration</h2>");
        if (!first) {
                kp_buf_puts(b, "<p class=\"muted\">Not recorded: no suite ran against a reachable "
                               "platform.</p>");
                return;
        }
        kp_buf_puts(b, "<table class=\"cfg\"><tr><td>every client</td><td>");
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(first, "producer"))
        {
                if (!cJSON_IsString(p) || !common_prop(cfgs, p->string, p->valuestring))
                        continue;
                kp_buf_puts(b, n++ ? " <code>" : "<code>");
                kp_report_esc(b, p->string);
                kp_buf_puts(b, "=");
                kp_report_esc(b, p->valuestring);
                kp_buf_puts(b, "</code>");
        }
        if (n == 0)
                kp_buf_puts(b, "<span class=\"muted\">no property shared by all</span>");
        kp_buf_puts(b, "</td></tr>");
        cJSON_ArrayForEach(c, cfgs)
        {
                kp_buf_puts(b, "<tr><td><strong>");
                kp_report_esc(b, kp_report_str(c, "suite", ""));
                kp_buf_puts(b, "</strong> (profile ");
                kp_report_esc(b, kp_report_str(c, "profile", ""));
                kp_buf_puts(b, ")</td><td>producer: ");
                props_line(b, cJSON_GetObjectItemCaseSensitive(c, "producer"), cfgs, 1);
                kp_buf_puts(b, "; consumer: ");
                props_line(b, cJSON_GetObjectItemCaseSensitive(c, "consumer"), cfgs, 1);
                kp_buf_puts(b, "</td></tr>");
        }
        kp_buf_puts(b, "</table><p class=\"muted\">The workload clients of each suite as "
                       "configured (target properties, the profile's, the scenario's "
                       "overrides); secret values are masked. Checks that need other "
                       "settings name them in their notes.</p>");
}

static void summary_signature(kp_buf_t *b, const cJSON *root)
{
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *facts = cJSON_GetObjectItemCaseSensitive(run, "facts");

        kp_buf_puts(b, "<h2 id=\"signature\">Signature</h2><table class=\"kv\">");
        kp_buf_puts(b, "<tr><td>Signing key</td><td><code class=\"fp\">");
        kp_report_esc(b, kp_report_str(facts, "signing_key", "not recorded"));
        kp_buf_puts(b, "</code> <span class=\"muted\">(sha256 of its DER public key)</span>"
                       "</td></tr>");
        if (kp_report_str(facts, "re_signed", NULL))
                kv_row(b, "Re-signed", kp_report_str(facts, "re_signed", ""), 0);
        kv_row(b, "Verify with kproof", "kproof verify RUN_DIR --pubkey KEY.pub", 1);
        kv_row(b, "... or with OpenSSL",
               "openssl pkey -pubin -in KEY.pub -outform DER | sha256sum (the fingerprint); "
               "openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in PAE -sigfile SIG "
               "(PAE and SIG from evidence.dsse.json, every step in docs/verify.md)",
               1);
        kp_buf_puts(b, "</table><p class=\"muted\">RUN_DIR is the directory holding this report; "
                       "KEY.pub is the signer's public key, obtained from the signer (not from "
                       "the run directory).</p>");
}

static void render_summary(kp_buf_t *b, const cJSON *root)
{
        kp_buf_puts(b, "<section class=\"summary\" id=\"summary\">");
        summary_verdict(b, root);
}

int kp_report_html(const char *evidence_path, const char *out_path, kp_err_t *err)
{
        const cJSON *run, *sc, *tg, *rows, *r, *checks, *c, *sum;
        char run_dir[4096], digest[KP_SHA256_HEX];
        cJSON *root = NULL;
        kp_buf_t b;
        char *slash;
        int rc, exit_code;

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
        sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        exit_code = (int)kp_report_num(sum, "exit_code", 3);

        kp_buf_init(&b, html_limit);
        kp_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                        "<title>kproof report: ");
        kp_report_esc(&b, kp_report_str(sc, "name", ""));
        kp_buf_puts(&b, " on ");
        kp_report_esc(&b, kp_report_str(tg, "name", ""));
        kp_buf_printf(&b, "</title><style>%s</style></head><body><main>", css);
        kp_buf_puts(&b, "<h1>kproof evidence report</h1><div class=\"muted\">Scenario <strong>");
        kp_report_esc(&b, kp_report_str(sc, "name", ""));
        kp_buf_puts(&b, "</strong> on target <strong>");
        kp_report_esc(&b, kp_report_str(tg, "name", ""));
        kp_buf_puts(&b, "</strong></div>");
        render_summary(&b, root);
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(run, "complete"))) {
                kp_buf_puts(&b, "<div class=\"banner bad\">This run is incomplete: ");
                kp_report_esc(&b, kp_report_str(run, "incomplete_reason", "it did not finish"));
                kp_buf_puts(&b, "</div>");
        } else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "nothing_verified"))) {
                kp_buf_printf(&b,
                              "<div class=\"banner %s\" id=\"nothing-verified\">Nothing was "
                              "verified: no check passed%s (exit code %d).</div>",
                              exit_code == 0 ? "warn" : "bad",
                              exit_code == 0 ? "; the scenario allows an all-skipped run" : "",
                              exit_code);
        } else if (exit_code == 0) {
                kp_buf_puts(&b,
                            "<div class=\"banner good\">Every check passed or was skipped with a "
                            "reason, and every gate held (exit code 0).</div>");
                if (kp_report_num(sum, "rows_skipped", 0) > 0)
                        kp_buf_printf(&b,
                                      "<div class=\"banner warn\" id=\"rows-skipped\">Nothing "
                                      "was verified for %d checklist row(s): their checks were "
                                      "all skipped (allowed by the scenario).</div>",
                                      (int)kp_report_num(sum, "rows_skipped", 0));
        } else if (exit_code == 1 && kp_report_num(sum, "fail", 0) == 0 &&
                   kp_report_num(sum, "gates_missed", 0) == 0) {
                if (kp_report_num(sum, "gates_not_evaluated_blocking", 0) > 0)
                        kp_buf_printf(&b,
                                      "<div class=\"banner bad\">%d gate(s) could not be "
                                      "evaluated: a gate that was not measured does not hold "
                                      "(exit code 1).</div>",
                                      (int)kp_report_num(sum, "gates_not_evaluated_blocking", 0));
                else
                        kp_buf_printf(&b,
                                      "<div class=\"banner bad\" id=\"rows-skipped\">Nothing "
                                      "was verified for %d checklist row(s): their checks were "
                                      "all skipped (exit code 1).</div>",
                                      (int)kp_report_num(sum, "rows_skipped", 0));
        } else if (exit_code == 1) {
                kp_buf_puts(&b, "<div class=\"banner bad\">At least one check failed or a gate was "
                                "missed (exit code 1).</div>");
        } else {
                kp_buf_printf(&b,
                              "<div class=\"banner warn\">kproof could not decide every check "
                              "(exit code %d): see the checks marked error.</div>",
                              exit_code);
        }
        summary_rows(&b, root);
        summary_findings(&b, root);
        summary_platform(&b, root);
        summary_signature(&b, root);
        summary_clients(&b, root);
        kp_buf_puts(&b, "</section>");
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
                                badge(&b, kp_report_str(r, "verdict", ""));
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
