/*
 * err: the error value every fallible kproof function fills.
 *
 * A kp_err_t is owned by the caller, lives on its stack and needs no cleanup.
 * Functions return 0 on success and -1 on failure, after filling the error
 * with a code and a one-line message that names the subject (file and JSON
 * path, operation, command). The CLI maps the code to its exit status.
 */
#ifndef KP_ERR_H
#define KP_ERR_H

#include <stddef.h>

typedef enum kp_code {
        KP_OK = 0,
        KP_EUSAGE,       /* bad command line */
        KP_EINVAL,       /* invalid scenario, target or other input file */
        KP_EINFRA,       /* target unreachable, adapter or command failed */
        KP_EIO,          /* local file system error */
        KP_ENOMEM,       /* allocation failed or a buffer limit was hit */
        KP_EINTR,        /* interrupted by a signal */
        KP_EUNSUPPORTED, /* the target cannot do what was asked */
} kp_code_t;

/* Documented exit codes of the kproof command (README "Exit codes"). */
enum {
        KP_EXIT_OK = 0,
        KP_EXIT_FAIL = 1,
        KP_EXIT_INVALID = 2,
        KP_EXIT_INFRA = 3,
};

typedef struct kp_err {
        kp_code_t code;
        char msg[1024];
} kp_err_t;

/* Fills err (which may be NULL) and returns -1, so callers can
 * `return kp_err_set(err, KP_EINVAL, "...")`. */
int kp_err_set(kp_err_t *err, kp_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "prefix: " (e.g. an operation name). */
int kp_err_prefix(kp_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void kp_err_clear(kp_err_t *err);

/* The CLI exit code for an error code: usage and invalid input give 2,
 * everything else 3. */
int kp_err_exit_code(kp_code_t code);

const char *kp_code_name(kp_code_t code);

#endif
