/*
 * The dir storage adapter: scans the files of "<topic>-<partition>"
 * directories under every broker log directory (glob patterns from the
 * target) for canary tokens — and of "<topic>-<partition>-<topic id>"
 * directories, the layout of Kafka's LocalTieredStorage remote tier, so a
 * target can name its remote tier too. See storage.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/storage_impl.h"

#define CHUNK ((size_t)1 << 20)

/* "<topic>-<partition>" (a broker log dir), or "<topic>-<partition>-<topic
 * id>" (Kafka's LocalTieredStorage remote tier; the id is a 22-character
 * base64url Uuid). */
static int is_partition_dir(const char *name, const char *topic)
{
        size_t tl = strlen(topic), n = 0;
        const char *p;

        if (strncmp(name, topic, tl) != 0 || name[tl] != '-' || !name[tl + 1])
                return 0;
        for (p = name + tl + 1; *p >= '0' && *p <= '9'; p++)
                n++;
        if (!n)
                return 0;
        if (!*p)
                return 1;
        if (*p++ != '-' || strlen(p) != 22)
                return 0;
        for (; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                        return 0;
        return 1;
}

static int scan_file(const char *path, kp_tokscan_t *ts, kp_storage_scan_t *res, int64_t limit,
                     char *buf, kp_err_t *err)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t r;

        if (fd < 0) {
                if (errno == ENOENT) /* a segment deleted while we scan */
                        return 0;
                return kp_err_set(err, KP_EIO, "storage dir: %s: %s", path, strerror(errno));
        }
        kp_tokscan_begin(ts, path);
        res->units++;
        while ((r = read(fd, buf, CHUNK)) > 0) {
                if ((int64_t)(res->bytes + (uint64_t)r) > limit) {
                        res->truncated = 1;
                        break;
                }
                res->bytes += (uint64_t)r;
                kp_tokscan_feed(ts, buf, (size_t)r, res);
        }
        close(fd);
        return 0;
}

static int scan_partition(const char *dir, kp_tokscan_t *ts, kp_storage_scan_t *res, int64_t limit,
                          char *buf, kp_err_t *err)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        char path[4096];
        int rc = 0;

        if (!d)
                return 0;
        while (rc == 0 && (de = readdir(d)) && !res->truncated) {
                struct stat sb;
                if (de->d_name[0] == '.')
                        continue;
                if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
                        continue;
                if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
                        continue;
                rc = scan_file(path, ts, res, limit, buf, err);
        }
        closedir(d);
        return rc;
}

static int dir_scan(kp_storage_t *st, const char *topic, kp_tokscan_t *ts, kp_storage_scan_t *res,
                    kp_err_t *err)
{
        const kp_storage_cfg_t *cfg = st->cfg;
        char *buf = malloc(CHUNK);
        size_t i, len = 0;
        int rc = 0, dirs = 0;

        if (!buf)
                return kp_err_set(err, KP_ENOMEM, "storage dir: out of memory");
        for (i = 0; i < cfg->n_log_dirs && rc == 0; i++) {
                glob_t g;
                size_t k;
                char pattern[4096];
                if (cfg->log_dirs[i][0] == '/')
                        snprintf(pattern, sizeof(pattern), "%s", cfg->log_dirs[i]);
                else
                        snprintf(pattern, sizeof(pattern), "%s/%s", (const char *)st->impl,
                                 cfg->log_dirs[i]);
                memset(&g, 0, sizeof(g));
                if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0) {
                        globfree(&g);
                        continue;
                }
                for (k = 0; k < g.gl_pathc && rc == 0; k++) {
                        DIR *d = opendir(g.gl_pathv[k]);
                        struct dirent *de;
                        if (!d)
                                continue;
                        dirs++;
                        if (len < sizeof(res->location))
                                len += (size_t)snprintf(res->location + len,
                                                        sizeof(res->location) - len, "%s%s",
                                                        len ? ", " : "", g.gl_pathv[k]);
                        while (rc == 0 && (de = readdir(d))) {
                                char path[4096];
                                if (!is_partition_dir(de->d_name, topic))
                                        continue;
                                snprintf(path, sizeof(path), "%s/%s", g.gl_pathv[k], de->d_name);
                                rc = scan_partition(path, ts, res, cfg->max_scan_bytes, buf, err);
                        }
                        closedir(d);
                }
                globfree(&g);
        }
        free(buf);
        if (rc == 0 && dirs == 0)
                return kp_err_set(err, KP_EINFRA,
                                  "storage dir: none of the log_dirs exists (first: %s)",
                                  cfg->n_log_dirs ? cfg->log_dirs[0] : "none");
        return rc;
}

static void dir_destroy(kp_storage_t *st)
{
        free(st->impl);
        free(st);
}

static const kp_storage_ops_t dir_ops = {"dir", dir_scan, dir_destroy};

int kp_storage_dir_new(const kp_storage_cfg_t *cfg, const char *base_dir, kp_storage_t **out,
                       kp_err_t *err)
{
        kp_storage_t *st = calloc(1, sizeof(*st));

        if (!st || !(st->impl = strdup(base_dir))) {
                free(st);
                return kp_err_set(err, KP_ENOMEM, "storage dir: out of memory");
        }
        st->ops = &dir_ops;
        st->cfg = cfg;
        *out = st;
        return 0;
}
