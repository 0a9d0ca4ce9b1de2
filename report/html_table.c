#include "html_table.h"

#include <stdio.h>

#include "report_util.h"

const char kp_html_css[] =
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;color:#1d2330;"
    "background:#f6f7f9;line-height:1.45}"
    "main{margin:0 auto;padding:24px 32px 64px;background:#fff}"
    "h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:2px "
    "solid #e3e6eb;padding-bottom:4px}"
    "table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}"
    "th,td{border:1px solid #dde1e7;padding:5px 8px;text-align:left;vertical-align:top}"
    "th{background:#f0f2f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-"
    "nums}"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;"
    "letter-spacing:.3px;color:#fff;white-space:nowrap}"
    ".v-pass,.v-PASS,.v-held,.v-verified{background:#1a7f37}"
    ".v-fail,.v-FAIL,.v-missed,.v-invalid{background:#cf222e}"
    ".v-skip,.v-NOT-TESTED,.v-not-evaluated,.v-not-run{background:#8c959f}"
    ".v-SKIPPED{background:#57606a}.v-error,.v-ERROR,.v-unsigned{background:#9a6700}"
    ".v-PARTIAL,.v-untrusted-key{background:#bf8700}"
    "code{font-size:12px}.muted{color:#667}"
    ".banner{padding:10px 14px;border-radius:6px;margin:12px 0;font-weight:600}"
    ".banner.bad{background:#ffebe9;border:1px solid #cf222e}.banner.warn{background:#fff8c5;"
    "border:1px solid #bf8700}.banner.good{background:#dafbe1;border:1px solid #1a7f37}";

void kp_html_badge(kp_buf_t *b, const char *verdict)
{
        char cls[64];
        size_t i;

        snprintf(cls, sizeof(cls), "%s", verdict ? verdict : "");
        for (i = 0; cls[i]; i++)
                if (cls[i] == ' ')
                        cls[i] = '-';
        kp_buf_puts(b, "<span class=\"badge v-");
        kp_report_esc(b, cls);
        kp_buf_puts(b, "\">");
        kp_report_esc(b, verdict);
        kp_buf_puts(b, "</span>");
}

void kp_html_table_open(kp_buf_t *b, const char *caption, const char *cls,
                        const char *const *headers)
{
        if (caption) {
                kp_buf_puts(b, "<h4>");
                kp_report_esc(b, caption);
                kp_buf_puts(b, "</h4>");
        }
        if (cls)
                kp_buf_printf(b, "<table class=\"%s\">", cls);
        else
                kp_buf_puts(b, "<table>");
        if (!headers)
                return;
        kp_buf_puts(b, "<tr>");
        for (; *headers; headers++)
                kp_buf_printf(b, "<th>%s</th>", *headers);
        kp_buf_puts(b, "</tr>");
}

void kp_html_table_close(kp_buf_t *b)
{
        kp_buf_puts(b, "</table>");
}

void kp_html_row_open(kp_buf_t *b, const char *cls)
{
        if (cls)
                kp_buf_printf(b, "<tr class=\"%s\">", cls);
        else
                kp_buf_puts(b, "<tr>");
}

void kp_html_row_close(kp_buf_t *b)
{
        kp_buf_puts(b, "</tr>");
}

void kp_html_cell(kp_buf_t *b, const char *text)
{
        kp_buf_puts(b, "<td>");
        kp_report_esc(b, text);
        kp_buf_puts(b, "</td>");
}

void kp_html_cell_class(kp_buf_t *b, const char *cls, const char *text)
{
        kp_buf_printf(b, "<td class=\"%s\">", cls);
        kp_report_esc(b, text);
        kp_buf_puts(b, "</td>");
}

void kp_html_cell_code(kp_buf_t *b, const char *text)
{
        kp_buf_puts(b, "<td><code>");
        kp_report_esc(b, text);
        kp_buf_puts(b, "</code></td>");
}

void kp_html_cell_badge(kp_buf_t *b, const char *verdict)
{
        kp_buf_puts(b, "<td>");
        kp_html_badge(b, verdict);
        kp_buf_puts(b, "</td>");
}

void kp_html_kv_row(kp_buf_t *b, const char *key, const char *value, int code)
{
        kp_html_row_open(b, NULL);
        kp_html_cell(b, key);
        if (code)
                kp_html_cell_code(b, value ? value : "-");
        else
                kp_html_cell(b, value ? value : "-");
        kp_html_row_close(b);
}

void kp_html_muted(kp_buf_t *b, const char *prefix, const char *text)
{
        kp_buf_puts(b, prefix);
        kp_buf_puts(b, "<span class=\"muted\">");
        kp_report_esc(b, text);
        kp_buf_puts(b, "</span>");
}
