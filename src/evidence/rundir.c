#include "evidence/rundir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "util/timeutil.h"

int kp_rundir_create(kp_rundir_t *rd, const char *out_dir, const char *scenario, const char *target,
                     long long wall_ns, kp_err_t *err)
{
        char stamp[32];
        int i;

        memset(rd, 0, sizeof(*rd));
        if (out_dir) {
                if (kp_dir_nonempty(out_dir))
                        return kp_err_set(err, KP_EUSAGE,
                                          "%s: output directory exists and is not empty", out_dir);
                snprintf(rd->final_path, sizeof(rd->final_path), "%s", out_dir);
        } else {
                kp_time_compact(wall_ns, stamp, sizeof(stamp));
                snprintf(rd->final_path, sizeof(rd->final_path), "out/%s-%s-%s", scenario, target,
                         stamp);
                for (i = 2; kp_path_exists(rd->final_path) && i < 1000; i++)
                        snprintf(rd->final_path, sizeof(rd->final_path), "out/%s-%s-%s-%d",
                                 scenario, target, stamp, i);
        }
        snprintf(rd->work_path, sizeof(rd->work_path), "%s.partial", rd->final_path);
        if (kp_path_exists(rd->work_path) && kp_rm_rf(rd->work_path) < 0)
                return kp_err_set(err, KP_EIO, "%s: cannot remove stale directory", rd->work_path);
        return kp_mkdir_p(rd->work_path, err);
}

int kp_rundir_path(const kp_rundir_t *rd, const char *rel, char *out, size_t size)
{
        return kp_path_join(out, size, rd->work_path, rel);
}

int kp_rundir_write(const kp_rundir_t *rd, const char *rel, const void *data, size_t len,
                    kp_err_t *err)
{
        char path[4096], dir[4096];
        char *slash;

        if (kp_rundir_path(rd, rel, path, sizeof(path)) < 0)
                return kp_err_set(err, KP_EIO, "%s: path too long", rel);
        snprintf(dir, sizeof(dir), "%s", path);
        slash = strrchr(dir, '/');
        if (slash) {
                *slash = '\0';
                if (kp_mkdir_p(dir, err) < 0)
                        return -1;
        }
        return kp_write_file(path, data, len, 0644, err);
}

int kp_rundir_commit(kp_rundir_t *rd, kp_err_t *err)
{
        if (kp_is_dir(rd->final_path) && !kp_dir_nonempty(rd->final_path))
                rmdir(rd->final_path);
        if (rename(rd->work_path, rd->final_path) < 0)
                return kp_err_set(err, KP_EIO, "%s: cannot rename to %s: %s", rd->work_path,
                                  rd->final_path, strerror(errno));
        return 0;
}
