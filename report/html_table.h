/*
 * html_table: the pieces report.html and comparison.html share. One style
 * sheet base (page, tables, verdict badges, banners) that each page extends,
 * the verdict badge, and tables built row by row from escaped cells.
 * Header cells and class names are HTML constants of the renderer; every
 * text from evidence.json goes through the escaping cell functions.
 */
#ifndef KP_HTML_TABLE_H
#define KP_HTML_TABLE_H

#include "util/buf.h"

/* The shared style sheet: body, headings, tables, .num, .badge with every
 * verdict class (.v-<verdict>, spaces as dashes), .muted and .banner. */
extern const char kp_html_css[];

/* <span class="badge v-VERDICT">VERDICT</span>, spaces in the class as '-'. */
void kp_html_badge(kp_buf_t *b, const char *verdict);

/* An <h4>caption</h4> when caption is not NULL (escaped), then <table> with
 * class cls (NULL: none) and a header row of the NULL-terminated headers
 * (NULL: no header row). */
void kp_html_table_open(kp_buf_t *b, const char *caption, const char *cls,
                        const char *const *headers);
void kp_html_table_close(kp_buf_t *b);

/* <tr> / <tr class="cls">, and </tr>. */
void kp_html_row_open(kp_buf_t *b, const char *cls);
void kp_html_row_close(kp_buf_t *b);
/* One cell of escaped text: <td>text</td>, <td class="cls">, or with the
 * text in <code> (NULL text: empty). */
void kp_html_cell(kp_buf_t *b, const char *text);
void kp_html_cell_class(kp_buf_t *b, const char *cls, const char *text);
void kp_html_cell_code(kp_buf_t *b, const char *text);
/* A cell holding a verdict badge. */
void kp_html_cell_badge(kp_buf_t *b, const char *verdict);
/* A key/value row: the value escaped, in <code> when code; NULL value: "-". */
void kp_html_kv_row(kp_buf_t *b, const char *key, const char *value, int code);
/* <span class="muted">text</span>, text escaped, after prefix (HTML). */
void kp_html_muted(kp_buf_t *b, const char *prefix, const char *text);

#endif
