/*
 * report_summary: the executive summary on page one of report.html.
 */
#ifndef KP_REPORT_SUMMARY_H
#define KP_REPORT_SUMMARY_H

#include <cjson/cJSON.h>

#include "util/buf.h"

/* The id of a check's section ("check-" and the id, escaped). */
void kp_report_anchor(kp_buf_t *b, const char *check_id);
/* <section class="summary">: run verdict, banner, checklist answers,
 * findings, platform, signature and client configuration. */
void kp_report_summary(kp_buf_t *b, const cJSON *root);

#endif
