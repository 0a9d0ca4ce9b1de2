/*
 * The undo journal: see journal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "evidence/journal.h"
#include "util/timeutil.h"

struct kp_journal {
        int fd;
        char path[4096];
};

void kp_journal_path(const char *explicit_path, char *out, size_t size)
{
        const char *env = getenv("KPROOF_JOURNAL"), *xdg = getenv("XDG_STATE_HOME"),
                   *home = getenv("HOME");

        if (explicit_path && *explicit_path)
                snprintf(out, size, "%s", explicit_path);
        else if (env && *env)
                snprintf(out, size, "%s", env);
        else if (xdg && *xdg)
                snprintf(out, size, "%s/kproof/undo-journal.jsonl", xdg);
        else
                snprintf(out, size, "%s/.local/state/kproof/undo-journal.jsonl",
                         home ? home : "/tmp");
}

/* Field 22 of /proc/PID/stat (start time in clock ticks), or 0; *state
 * gets field 3 ('Z' for a zombie) when state is not NULL. */
static unsigned long long proc_start_state(long pid, char *state)
{
        char path[64], buf[1024], *p;
        unsigned long long v = 0;
        FILE *f;
        int i;

        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        f = fopen(path, "r");
        if (!f)
                return 0;
        if (!fgets(buf, sizeof(buf), f)) {
                fclose(f);
                return 0;
        }
        fclose(f);
        p = strrchr(buf, ')');
        if (!p)
                return 0;
        p++;
        if (state)
                *state = p[0] == ' ' ? p[1] : '?';
        /* After ")": field 3 (state) is the first; the start time is field 22. */
        for (i = 3; i < 22 && p; i++)
                p = strchr(p + 1, ' ');
        if (p)
                v = strtoull(p + 1, NULL, 10);
        return v;
}

void kp_journal_self_owner(char *out, size_t size)
{
        long pid = (long)getpid();

        snprintf(out, size, "%ld:%llu", pid, proc_start_state(pid, NULL));
}

int kp_journal_owner_alive(const char *owner)
{
        long pid = 0;
        unsigned long long st = 0;
        char state = '?';

        if (!owner || sscanf(owner, "%ld:%llu", &pid, &st) != 2 || pid <= 0)
                return 0;
        if (pid == (long)getpid())
                return 0; /* our own entries are ours to undo */
        /* A killed kproof can stay a zombie until something reaps it (an
         * orphan's reaper may be slow): dead all the same. */
        return st != 0 && proc_start_state(pid, &state) == st && state != 'Z' && state != 'X';
}

/* Makes a new journal file's directory entry durable: an fsync of the file
 * alone does not, and a journal lost with a crash leaves a key revoked. */
static int sync_dir(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

        if (fd < 0)
                return -1;
        rc = fsync(fd);
        close(fd);
        return rc;
}

/* Writes all of data (a signal may interrupt or shorten a write). */
static int write_all(int fd, const char *data, size_t len)
{
        size_t off = 0;

        while (off < len) {
                ssize_t n = write(fd, data + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                off += (size_t)n;
        }
        return 0;
}

int kp_journal_open(const char *path, kp_journal_t **out, kp_err_t *err)
{
        kp_journal_t *j;
        char dir[4096], *slash;

        *out = NULL;
        snprintf(dir, sizeof(dir), "%s", path);
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                if (kp_mkdir_p(dir, err) < 0)
                        return kp_err_prefix(err, "undo journal");
        }
        j = calloc(1, sizeof(*j));
        if (!j)
                return kp_err_set(err, KP_ENOMEM, "undo journal: out of memory");
        snprintf(j->path, sizeof(j->path), "%s", path);
        j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (j->fd < 0) {
                kp_err_set(err, KP_EIO, "undo journal %s: %s", path, strerror(errno));
                free(j);
                return -1;
        }
        if (sync_dir(slash && slash != dir ? dir : slash ? "/" : ".") < 0) {
                kp_err_set(err, KP_EIO, "undo journal %s: cannot sync its directory: %s", path,
                           strerror(errno));
                close(j->fd);
                free(j);
                return -1;
        }
        *out = j;
        return 0;
}

void kp_journal_close(kp_journal_t *j)
{
        if (!j)
                return;
        close(j->fd);
        free(j);
}

const char *kp_journal_file(const kp_journal_t *j)
{
        return j->path;
}

static void add_nonempty(cJSON *o, const char *k, const char *v)
{
        if (v && *v)
                cJSON_AddStringToObject(o, k, v);
}

int kp_journal_append(kp_journal_t *j, kp_journal_entry_t *e, const char *phase, kp_err_t *err)
{
        cJSON *o = cJSON_CreateObject();
        char *line = NULL;
        kp_buf_t b;
        int rc = -1;

        kp_buf_init(&b, 64 << 10);
        snprintf(e->phase, sizeof(e->phase), "%s", phase);
        kp_time_iso(kp_wall_ns(), e->ts, sizeof(e->ts));
        if (!o)
                goto oom;
        add_nonempty(o, "id", e->id);
        add_nonempty(o, "run_id", e->run_id);
        add_nonempty(o, "ts", e->ts);
        add_nonempty(o, "phase", e->phase);
        add_nonempty(o, "action", e->action);
        add_nonempty(o, "undo", e->undo);
        add_nonempty(o, "target", e->target);
        add_nonempty(o, "kms_endpoint", e->kms_endpoint);
        add_nonempty(o, "region", e->region);
        add_nonempty(o, "key_id", e->key_id);
        add_nonempty(o, "grant_id", e->grant_id);
        add_nonempty(o, "grantee", e->grantee);
        add_nonempty(o, "operations", e->operations);
        add_nonempty(o, "detail", e->detail);
        if (!e->owner[0])
                kp_journal_self_owner(e->owner, sizeof(e->owner));
        add_nonempty(o, "owner", e->owner);
        line = cJSON_PrintUnformatted(o);
        if (!line || kp_buf_printf(&b, "%s\n", line) < 0)
                goto oom;
        if (write_all(j->fd, b.data, b.len) < 0 || fsync(j->fd) < 0) {
                kp_err_set(err, KP_EIO, "undo journal %s: write failed: %s", j->path,
                           strerror(errno));
                goto out;
        }
        rc = 0;
        goto out;
oom:
        kp_err_set(err, KP_ENOMEM, "undo journal: out of memory");
out:
        free(line);
        cJSON_Delete(o);
        kp_buf_free(&b);
        return rc;
}

static void get(const cJSON *o, const char *k, char *out, size_t size)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

        if (cJSON_IsString(v))
                snprintf(out, size, "%s", v->valuestring);
}

int kp_journal_pending(const char *path, kp_journal_entry_t **out, size_t *n, kp_err_t *err)
{
        kp_buf_t b;
        kp_journal_entry_t *v = NULL;
        size_t cap = 0, i;
        char *line, *save;

        *out = NULL;
        *n = 0;
        if (!kp_path_exists(path))
                return 0;
        kp_buf_init(&b, 256 << 20);
        if (kp_read_file(path, 256 << 20, &b, err) < 0) {
                kp_buf_free(&b);
                return kp_err_prefix(err, "undo journal");
        }
        for (line = b.data; line && *line; line = save) {
                kp_journal_entry_t e;
                cJSON *o;
                char *nl = strchr(line, '\n');
                save = nl ? nl + 1 : NULL;
                if (nl)
                        *nl = '\0';
                o = cJSON_Parse(line);
                if (!cJSON_IsObject(o)) {
                        cJSON_Delete(o);
                        continue; /* a torn last line after a crash */
                }
                memset(&e, 0, sizeof(e));
                get(o, "id", e.id, sizeof(e.id));
                get(o, "run_id", e.run_id, sizeof(e.run_id));
                get(o, "ts", e.ts, sizeof(e.ts));
                get(o, "phase", e.phase, sizeof(e.phase));
                get(o, "action", e.action, sizeof(e.action));
                get(o, "undo", e.undo, sizeof(e.undo));
                get(o, "target", e.target, sizeof(e.target));
                get(o, "kms_endpoint", e.kms_endpoint, sizeof(e.kms_endpoint));
                get(o, "region", e.region, sizeof(e.region));
                get(o, "key_id", e.key_id, sizeof(e.key_id));
                get(o, "grant_id", e.grant_id, sizeof(e.grant_id));
                get(o, "grantee", e.grantee, sizeof(e.grantee));
                get(o, "operations", e.operations, sizeof(e.operations));
                get(o, "detail", e.detail, sizeof(e.detail));
                get(o, "owner", e.owner, sizeof(e.owner));
                cJSON_Delete(o);
                for (i = 0; i < *n; i++)
                        if (strcmp(v[i].id, e.id) == 0)
                                break;
                if (i < *n) {
                        if (strcmp(e.phase, "undone") == 0) {
                                memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
                                (*n)--;
                        } else {
                                v[i] = e;
                        }
                        continue;
                }
                if (strcmp(e.phase, "intent") != 0)
                        continue;
                if (*n == cap) {
                        kp_journal_entry_t *nv;
                        cap = cap ? cap * 2 : 8;
                        nv = realloc(v, cap * sizeof(*v));
                        if (!nv) {
                                free(v);
                                kp_buf_free(&b);
                                return kp_err_set(err, KP_ENOMEM, "undo journal: out of memory");
                        }
                        v = nv;
                }
                v[(*n)++] = e;
        }
        kp_buf_free(&b);
        *out = v;
        return 0;
}
