/*
 * report: renderers of a run directory's evidence.json. They read only the
 * evidence (and the artifacts it names), never compute a verdict, and write
 * through the redacting file writer.
 */
#ifndef KP_REPORT_H
#define KP_REPORT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/err.h"

/* report.html: one self-contained file (inline CSS and SVG, no external
 * assets) that opens with the checklist table. */
int kp_report_html(const char *evidence_path, const char *out_path, kp_err_t *err);
/* The most bytes report.html may have (default 1 GiB); a report that would
 * be larger is an error, never a truncated page. Tests lower it. */
void kp_report_html_set_limit(size_t limit);

/* junit.xml: one testsuite per suite, one testcase per check. */
int kp_report_junit(const char *evidence_path, const char *out_path, kp_err_t *err);

/* assessment-results.json: the run as NIST OSCAL 1.1.2 assessment results
 * (one observation per check, one finding per checklist row and mapped
 * control, back-matter with the sha256 of the run-directory files named;
 * junit.xml and report.html are looked for next to out_path). */
int kp_report_oscal(const char *evidence_path, const char *out_path, kp_err_t *err);

/* report.pdf: report.html's document printed by headless Chromium. */
int kp_report_pdf(const char *evidence_path, const char *out_path, kp_err_t *err);
/* Prints any self-contained HTML file to PDF with headless Chromium. */
int kp_report_html_to_pdf(const char *html_path, const char *out_path, kp_err_t *err);
/* The browser used: $KPROOF_CHROMIUM, else chromium (or a Chrome) in PATH. */
int kp_report_browser(char *out, size_t size, kp_err_t *err);

#define KP_COMPARE_MAX_RUNS 16

/* One run of a bake-off: its evidence (borrowed) and how its signature
 * fared ("verified", "unsigned", "invalid", "untrusted key"). */
typedef struct kp_compare_run {
        const char *dir;
        const cJSON *evidence;
        const char *signature;
        const char *signature_detail; /* NULL or a short explanation */
} kp_compare_run_t;

/* The bake-off page (self-contained HTML). forced: NULL, or the
 * differences that make the runs incomparable, shown on top. */
int kp_report_compare(const kp_compare_run_t *runs, size_t n_runs, const char *forced,
                      const char *out_path, kp_err_t *err);
/* A measurement of evidence.json as its suite declared it ("better"): -1
 * lower is better, 1 higher is better, 0 neither or not recorded (evidence
 * of an older kproof: no direction is guessed). */
int kp_compare_direction(const cJSON *measurement);

#endif
