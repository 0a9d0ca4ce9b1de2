/*
 * rundir: the run directory. kproof builds it under "<final>.partial" and
 * renames it to its final name only when every artifact is written, so a
 * directory without the suffix is always complete.
 */
#ifndef KP_RUNDIR_H
#define KP_RUNDIR_H

#include <stddef.h>

#include "util/err.h"

typedef struct kp_rundir {
        char final_path[2048];
        char work_path[2100];
} kp_rundir_t;

/* out_dir NULL: out/<scenario>-<target>-<utc time>; an existing non-empty
 * out_dir is a usage error. */
int kp_rundir_create(kp_rundir_t *rd, const char *out_dir, const char *scenario, const char *target,
                     long long wall_ns, kp_err_t *err);
/* Absolute-or-relative path of rel inside the (work) directory. */
int kp_rundir_path(const kp_rundir_t *rd, const char *rel, char *out, size_t size);
/* Writes a file (redacted) inside the run directory, creating subdirs. */
int kp_rundir_write(const kp_rundir_t *rd, const char *rel, const void *data, size_t len,
                    kp_err_t *err);
/* Renames the work directory to its final name. */
int kp_rundir_commit(kp_rundir_t *rd, kp_err_t *err);

#endif
