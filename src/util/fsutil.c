#include "util/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/secret.h"
#include "util/utf8.h"

int kp_mkdir_p(const char *path, kp_err_t *err)
{
        char tmp[4096];
        size_t len = strlen(path), i;

        if (len == 0 || len >= sizeof(tmp))
                return kp_err_set(err, KP_EIO, "%s: invalid directory path", path);
        memcpy(tmp, path, len + 1);
        for (i = 1; i <= len; i++) {
                if (tmp[i] != '/' && tmp[i] != '\0')
                        continue;
                tmp[i] = '\0';
                if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                        return kp_err_set(err, KP_EIO, "%s: cannot create directory: %s", tmp,
                                          strerror(errno));
                if (i < len)
                        tmp[i] = '/';
        }
        if (!kp_is_dir(path))
                return kp_err_set(err, KP_EIO, "%s: not a directory", path);
        return 0;
}

int kp_write_file_raw(const char *path, const void *data, size_t len, int mode, kp_err_t *err)
{
        char tmp[4096];
        const char *p = data;
        size_t off = 0;
        int fd;

        if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
                return kp_err_set(err, KP_EIO, "%s: path too long", path);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return kp_err_set(err, KP_EIO, "%s: cannot create: %s", path, strerror(errno));
        while (off < len) {
                ssize_t n = write(fd, p + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        kp_err_set(err, KP_EIO, "%s: write failed: %s", path, strerror(errno));
                        close(fd);
                        unlink(tmp);
                        return -1;
                }
                off += (size_t)n;
        }
        if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0) {
                kp_err_set(err, KP_EIO, "%s: cannot sync: %s", path, strerror(errno));
                close(fd);
                unlink(tmp);
                return -1;
        }
        close(fd);
        if (rename(tmp, path) < 0) {
                kp_err_set(err, KP_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
                unlink(tmp);
                return -1;
        }
        return 0;
}

/* Files whose format requires UTF-8 text (JSON, HTML, XML, SVG). */
static int utf8_format(const char *path)
{
        static const char *const exts[] = {".json", ".jsonl", ".html", ".xml", ".svg"};
        size_t i, n = strlen(path), e;

        for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
                e = strlen(exts[i]);
                if (n >= e && strcmp(path + n - e, exts[i]) == 0)
                        return 1;
        }
        return 0;
}

int kp_write_file(const char *path, const void *data, size_t len, int mode, kp_err_t *err)
{
        kp_buf_t red, fixed;
        int rc;

        kp_buf_init(&red, (size_t)1 << 34);
        if (kp_redact(data, len, &red) < 0) {
                kp_buf_free(&red);
                return kp_err_set(err, KP_ENOMEM, "%s: out of memory while redacting", path);
        }
        /* A path or command line recorded from the system may hold bytes
         * that are not UTF-8: they become U+FFFD, so the file stays valid. */
        if (utf8_format(path) && kp_utf8_invalid_at(kp_buf_cstr(&red), red.len) < red.len) {
                kp_buf_init(&fixed, (size_t)1 << 35);
                if (kp_utf8_fix(kp_buf_cstr(&red), red.len, &fixed) < 0) {
                        kp_buf_free(&fixed);
                        kp_buf_free(&red);
                        return kp_err_set(err, KP_ENOMEM, "%s: out of memory", path);
                }
                kp_buf_free(&red);
                red = fixed;
        }
        rc = kp_write_file_raw(path, red.data ? red.data : "", red.len, mode, err);
        kp_buf_free(&red);
        return rc;
}

int kp_read_file(const char *path, size_t limit, kp_buf_t *out, kp_err_t *err)
{
        char chunk[65536];
        size_t total = 0;
        struct stat st;
        FILE *f;
        int fd;

        /* Only regular files: a FIFO or a device would block or never end,
         * so it is refused before it is opened. */
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                return kp_err_set(err, KP_EINVAL, "%s: is a directory, expected a file", path);
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
                return kp_err_set(err, KP_EINVAL,
                                  "%s: not a regular file (a FIFO, socket or device), refused",
                                  path);
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return kp_err_set(err, KP_EIO, "%s: cannot open: %s", path, strerror(errno));
        /* The same check on what was opened, in case the path changed. */
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
                close(fd);
                return kp_err_set(err, KP_EINVAL, "%s: not a regular file, refused", path);
        }
        f = fdopen(fd, "rb");
        if (!f) {
                close(fd);
                return kp_err_set(err, KP_EIO, "%s: cannot open: %s", path, strerror(errno));
        }
        for (;;) {
                size_t n = fread(chunk, 1, sizeof(chunk), f);
                if (n == 0)
                        break;
                total += n;
                if (total > limit || kp_buf_append(out, chunk, n) < 0) {
                        fclose(f);
                        return kp_err_set(err, KP_EINVAL, "%s: file larger than %zu bytes", path,
                                          limit);
                }
        }
        if (ferror(f)) {
                fclose(f);
                return kp_err_set(err, KP_EIO, "%s: read failed", path);
        }
        fclose(f);
        return 0;
}

int kp_path_exists(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0;
}

int kp_is_dir(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int kp_dir_nonempty(const char *path)
{
        struct dirent *de;
        DIR *d = opendir(path);
        int found = 0;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
                        found = 1;
                        break;
                }
        }
        closedir(d);
        return found;
}

int kp_rm_rf(const char *path)
{
        struct dirent *de;
        struct stat st;
        DIR *d;
        int rc = 0;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -1;
        if (!S_ISDIR(st.st_mode))
                return unlink(path);
        d = opendir(path);
        if (!d)
                return -1;
        while ((de = readdir(d))) {
                char child[4096];
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (kp_path_join(child, sizeof(child), path, de->d_name) < 0 || kp_rm_rf(child) < 0)
                        rc = -1;
        }
        closedir(d);
        if (rmdir(path) < 0)
                rc = -1;
        return rc;
}

int kp_path_join(char *out, size_t size, const char *a, const char *b)
{
        int n;

        if (!a || !*a)
                n = snprintf(out, size, "%s", b);
        else
                n = snprintf(out, size, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b);
        return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

void kp_path_stem(const char *path, char *out, size_t size)
{
        const char *base = strrchr(path, '/');
        const char *dot;
        size_t n;

        base = base ? base + 1 : path;
        dot = strrchr(base, '.');
        n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
        if (n >= size)
                n = size - 1;
        memcpy(out, base, n);
        out[n] = '\0';
}

void kp_path_dir(const char *path, char *out, size_t size)
{
        char real[PATH_MAX], *slash;

        if (!path || !realpath(path, real))
                snprintf(real, sizeof(real), "%s", path ? path : ".");
        slash = strrchr(real, '/');
        if (!slash)
                snprintf(out, size, ".");
        else if (slash == real)
                snprintf(out, size, "/");
        else
                snprintf(out, size, "%.*s", (int)(slash - real), real);
}
