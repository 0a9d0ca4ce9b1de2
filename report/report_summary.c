/*
 * The first page of report.html: what a reader needs before any detail.
 * Everything in it is read from evidence.json — the run verdict
 * (summary.verdict), each row's verdict and answer (rows[].answer, recorded
 * by evidence.c from the checks' own answers or reasons), the failed checks
 * and missed gates, the signing key, the platform's identity (run.platform,
 * run.facts) and the clients' configuration (run.client_config).
 */
#include <stdio.h>
#include <string.h>

#include "html_table.h"
#include "report_summary.h"
#include "report_util.h"

void kp_report_anchor(kp_buf_t *b, const char *check_id)
{
        kp_buf_puts(b, "check-");
        kp_report_esc(b, check_id);
}

static void summary_verdict(kp_buf_t *b, const cJSON *root)
{
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        const char *verdict = kp_report_str(sum, "verdict", NULL);

        kp_buf_puts(b, "<div class=\"verdict\" id=\"run-verdict\"><span>Run verdict</span>");
        if (verdict)
                kp_html_badge(b, verdict);
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
        static const char *const head[] = {"Row", "Verdict",
                                           "Answer (from the checks' measurements)", NULL};
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r, *id;

        kp_buf_puts(b, "<h2 id=\"summary-checklist\">Checklist</h2>");
        kp_html_table_open(b, NULL, "answers", head);
        cJSON_ArrayForEach(r, rows)
        {
                const char *answer = kp_report_str(r, "answer", NULL);
                kp_buf_puts(b, "<tr><td class=\"row\"><strong>");
                kp_report_esc(b, kp_report_str(r, "title", ""));
                kp_buf_puts(b, "</strong></td><td class=\"v\">");
                kp_html_badge(b, kp_report_str(r, "verdict", "NOT TESTED"));
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
                        kp_report_anchor(b, id->valuestring);
                        kp_buf_puts(b, "\">[");
                        kp_report_esc(b, id->valuestring);
                        kp_buf_puts(b, "]</a>");
                }
                kp_buf_puts(b, "</td></tr>");
        }
        kp_html_table_close(b);
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
                kp_html_badge(b, v);
                kp_buf_puts(b, " <a href=\"#");
                kp_report_anchor(b, kp_report_str(c, "id", ""));
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
                kp_html_badge(b, missed ? "missed" : "not evaluated");
                kp_buf_puts(b, " gate <code>");
                kp_report_esc(b, kp_report_str(g, "name", ""));
                kp_buf_puts(b, "</code> of <a href=\"#");
                kp_report_anchor(b, kp_report_str(g, "check", ""));
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
        kp_buf_puts(b, "<h2 id=\"platform\">Platform</h2>");
        kp_html_table_open(b, NULL, "kv", NULL);
        kp_buf_printf(&line, "%s (control: %s)", kp_report_str(tg, "name", "-"),
                      kp_report_str(tg, "control", "-"));
        kp_html_kv_row(b, "Target", kp_buf_cstr(&line), 0);
        kp_html_kv_row(b, "Cluster id",
                       kp_report_str(plat, "cluster_id", kp_report_str(facts, "cluster_id", NULL)),
                       1);
        if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(plat, "brokers"))) {
                kp_buf_reset(&line);
                kp_buf_printf(&line,
                              "%d (controller %d):", (int)kp_report_num(plat, "broker_count", 0),
                              (int)kp_report_num(plat, "controller_id", -1));
                cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(plat, "brokers"))
                    kp_buf_printf(&line, " %d=%s", (int)kp_report_num(x, "id", -1),
                                  kp_report_str(x, "endpoint", "?"));
                kp_html_kv_row(b, "Brokers", kp_buf_cstr(&line), 0);
                summary_brokers(b, plat);
        } else {
                kp_html_kv_row(b, "Brokers",
                               kp_report_str(plat, "error",
                                             "not recorded (no platform identity in "
                                             "evidence.json)"),
                               0);
        }
        kp_html_kv_row(b, "librdkafka", kp_report_str(facts, "librdkafka_version", NULL), 0);
        kp_buf_reset(&line);
        kp_buf_printf(&line, "%s (commit %s)", kp_report_str(run, "kproof_version", "-"),
                      kp_report_str(run, "git_commit", "-"));
        kp_html_kv_row(b, "kproof", kp_buf_cstr(&line), 0);
        kp_html_table_close(b);
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
        kp_html_table_open(b, NULL, "cfg", NULL);
        kp_buf_puts(b, "<tr><td>every client</td><td>");
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
        kp_html_table_close(b);
        kp_buf_puts(b, "<p class=\"muted\">The workload clients of each suite as "
                       "configured (target properties, the profile's, the scenario's "
                       "overrides); secret values are masked. Checks that need other "
                       "settings name them in their notes.</p>");
}

static void summary_signature(kp_buf_t *b, const cJSON *root)
{
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *facts = cJSON_GetObjectItemCaseSensitive(run, "facts");

        kp_buf_puts(b, "<h2 id=\"signature\">Signature</h2>");
        kp_html_table_open(b, NULL, "kv", NULL);
        kp_buf_puts(b, "<tr><td>Signing key</td><td><code class=\"fp\">");
        kp_report_esc(b, kp_report_str(facts, "signing_key", "not recorded"));
        kp_buf_puts(b, "</code> <span class=\"muted\">(sha256 of its DER public key)</span>"
                       "</td></tr>");
        if (kp_report_str(facts, "re_signed", NULL))
                kp_html_kv_row(b, "Re-signed", kp_report_str(facts, "re_signed", ""), 0);
        kp_html_kv_row(b, "Verify with kproof", "kproof verify RUN_DIR --pubkey KEY.pub", 1);
        kp_html_kv_row(
            b, "... or with OpenSSL",
            "openssl pkey -pubin -in KEY.pub -outform DER | sha256sum (the fingerprint); "
            "openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in PAE -sigfile SIG "
            "(PAE and SIG from evidence.dsse.json, every step in docs/verify.md)",
            1);
        kp_html_table_close(b);
        kp_buf_puts(b, "<p class=\"muted\">RUN_DIR is the directory holding this report; "
                       "KEY.pub is the signer's public key, obtained from the signer (not from "
                       "the run directory).</p>");
}

static void banner(kp_buf_t *b, const cJSON *root)
{
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        int exit_code = (int)kp_report_num(sum, "exit_code", 3);

        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(run, "complete"))) {
                kp_buf_puts(b, "<div class=\"banner bad\">This run is incomplete: ");
                kp_report_esc(b, kp_report_str(run, "incomplete_reason", "it did not finish"));
                kp_buf_puts(b, "</div>");
        } else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "nothing_verified"))) {
                kp_buf_printf(b,
                              "<div class=\"banner %s\" id=\"nothing-verified\">Nothing was "
                              "verified: no check passed%s (exit code %d).</div>",
                              exit_code == 0 ? "warn" : "bad",
                              exit_code == 0 ? "; the scenario allows an all-skipped run" : "",
                              exit_code);
        } else if (exit_code == 0) {
                kp_buf_puts(b,
                            "<div class=\"banner good\">Every check passed or was skipped with a "
                            "reason, and every gate held (exit code 0).</div>");
                if (kp_report_num(sum, "rows_skipped", 0) > 0)
                        kp_buf_printf(b,
                                      "<div class=\"banner warn\" id=\"rows-skipped\">Nothing "
                                      "was verified for %d checklist row(s): their checks were "
                                      "all skipped (allowed by the scenario).</div>",
                                      (int)kp_report_num(sum, "rows_skipped", 0));
        } else if (exit_code == 1 && kp_report_num(sum, "fail", 0) == 0 &&
                   kp_report_num(sum, "gates_missed", 0) == 0) {
                if (kp_report_num(sum, "gates_not_evaluated_blocking", 0) > 0)
                        kp_buf_printf(b,
                                      "<div class=\"banner bad\">%d gate(s) could not be "
                                      "evaluated: a gate that was not measured does not hold "
                                      "(exit code 1).</div>",
                                      (int)kp_report_num(sum, "gates_not_evaluated_blocking", 0));
                else
                        kp_buf_printf(b,
                                      "<div class=\"banner bad\" id=\"rows-skipped\">Nothing "
                                      "was verified for %d checklist row(s): their checks were "
                                      "all skipped (exit code 1).</div>",
                                      (int)kp_report_num(sum, "rows_skipped", 0));
        } else if (exit_code == 1) {
                kp_buf_puts(b, "<div class=\"banner bad\">At least one check failed or a gate was "
                               "missed (exit code 1).</div>");
        } else {
                kp_buf_printf(b,
                              "<div class=\"banner warn\">kproof could not decide every check "
                              "(exit code %d): see the checks marked error.</div>",
                              exit_code);
        }
}

void kp_report_summary(kp_buf_t *b, const cJSON *root)
{
        kp_buf_puts(b, "<section class=\"summary\" id=\"summary\">");
        summary_verdict(b, root);
        banner(b, root);
        summary_rows(b, root);
        summary_findings(b, root);
        summary_platform(b, root);
        summary_signature(b, root);
        summary_clients(b, root);
        kp_buf_puts(b, "</section>");
}
