/*
 * Helpers shared by the renderers: loading evidence.json and escaping text
 * for HTML and XML.
 */
#ifndef KP_REPORT_UTIL_H
#define KP_REPORT_UTIL_H

#include <cjson/cJSON.h>

#include "util/buf.h"
#include "util/err.h"

int kp_report_load(const char *evidence_path, cJSON **root, kp_err_t *err);
/* Appends s escaped for HTML text and attribute values (also valid XML). */
void kp_report_esc(kp_buf_t *b, const char *s);
const char *kp_report_str(const cJSON *o, const char *key, const char *dflt);
double kp_report_num(const cJSON *o, const char *key, double dflt);
/* Formats a measurement value compactly ("12", "0.25", "1.3e+09"). */
void kp_report_fmt_num(double v, char *out, size_t size);

#endif
