/*
 * rows: the evaluation checklist. Every check maps to exactly one row; the
 * report leads with one verdict per row.
 */
#ifndef KP_ROWS_H
#define KP_ROWS_H

#include <stddef.h>

typedef struct kp_row {
        const char *id;
        const char *title;
        const char *question;
} kp_row_t;

extern const kp_row_t kp_rows[];
extern const size_t kp_n_rows;

const kp_row_t *kp_row_find(const char *id);

#endif
