/*
 * proc: running a child process with a deadline — for gnuplot, browser
 * rendering and the exec control adapter's command templates.
 *
 * The child runs in its own process group so a timeout kills everything it
 * started. stdout and stderr are captured together into a bounded buffer
 * (the last `tail` bytes are kept), or separately on request; nothing of it
 * is logged unredacted.
 */
#ifndef KP_PROC_H
#define KP_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/kvlist.h"

typedef struct kp_proc_opts {
        const char *const *argv; /* argv[0] is looked up in PATH */
        const char *stdin_data;  /* NULL: /dev/null */
        size_t stdin_len;
        int64_t timeout_ns;     /* 0: no limit */
        int64_t term_grace_ns;  /* >0: at the timeout SIGTERM the group, SIGKILL after this */
        const kp_kvlist_t *env; /* added to the environment */
        const char *cwd;
        size_t output_limit; /* bytes of output kept (the tail); 0: 64 KiB */
        int split_stderr;    /* 1: stderr goes to result.errout, not output */
} kp_proc_opts_t;

typedef struct kp_proc_result {
        int exit_code; /* exit status, 128+signal when killed by a signal */
        int timed_out;
        int64_t duration_ns;
        kp_buf_t output; /* stdout tail (plus stderr unless split_stderr) */
        kp_buf_t errout; /* stderr tail when split_stderr, else empty */
} kp_proc_result_t;

/* Frees both output buffers of a result. */
void kp_proc_result_release(kp_proc_result_t *res);

/* Runs the command to completion. Returns 0 when it ran (whatever its exit
 * status), -1 when it could not be started. */
int kp_proc_run(const kp_proc_opts_t *o, kp_proc_result_t *res, kp_err_t *err);

/* Runs "/bin/sh -c cmd". */
int kp_proc_shell(const char *cmd, int64_t timeout_ns, const kp_kvlist_t *env,
                  kp_proc_result_t *res, kp_err_t *err);

#endif
