/*
 * opt: table-driven option parsing for the subcommands. The same table
 * produces the command's --help text, so options and help never drift.
 */
#ifndef KP_OPT_H
#define KP_OPT_H

#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

typedef enum kp_opt_type {
        KP_OPT_FLAG,   /* int *dest set to 1 */
        KP_OPT_STRING, /* const char **dest */
        KP_OPT_LIST,   /* kp_opt_list_t *dest, repeatable */
} kp_opt_type_t;

typedef struct kp_opt_list {
        const char *items[64];
        size_t n;
} kp_opt_list_t;

typedef struct kp_opt {
        const char *name; /* long name without "--" */
        char short_name;  /* 0: none */
        kp_opt_type_t type;
        const char *arg; /* placeholder in help, e.g. "FILE" */
        const char *help;
        void *dest;
} kp_opt_t;

typedef struct kp_cmd_spec {
        const char *name;
        const char *usage;   /* after "kproof <name> " */
        const char *summary; /* one line */
        const char *details; /* paragraph(s) after the options, or NULL */
        const kp_opt_t *opts;
        size_t n_opts;
} kp_cmd_spec_t;

/* Parses argv (argv[0] is the subcommand). Positional arguments are
 * collected in order into pos (up to max_pos). Returns 1 when --help was
 * given (help already printed), 0 on success, -1 on a usage error. */
int kp_opt_parse(const kp_cmd_spec_t *spec, int argc, char **argv, const char **pos, size_t max_pos,
                 size_t *n_pos, kp_err_t *err);
void kp_opt_help(const kp_cmd_spec_t *spec, FILE *out);

#endif
