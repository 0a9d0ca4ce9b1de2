/*
 * report: renderers of a run directory's evidence.json. They read only the
 * evidence (and the artifacts it names), never compute a verdict, and write
 * through the redacting file writer.
 */
#ifndef KP_REPORT_H
#define KP_REPORT_H

#include <stddef.h>

#include "src/err.h"

/* report.html: one self-contained file (inline CSS and SVG, no external
 * assets) that opens with the checklist table. */
int kp_report_html(const char *evidence_path, const char *out_path, kp_err_t *err);

/* junit.xml: one testsuite per suite, one testcase per check. */
int kp_report_junit(const char *evidence_path, const char *out_path, kp_err_t *err);

/* report.pdf: report.html's document printed by headless Chromium. */
int kp_report_pdf(const char *evidence_path, const char *out_path, kp_err_t *err);
/* Prints any self-contained HTML file to PDF with headless Chromium. */
int kp_report_html_to_pdf(const char *html_path, const char *out_path, kp_err_t *err);
/* The browser used: $KPROOF_CHROMIUM, else chromium (or a Chrome) in PATH. */
int kp_report_browser(char *out, size_t size, kp_err_t *err);

#endif
