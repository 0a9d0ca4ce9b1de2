/*
 * The audit adapter: the target's audit and principals sections, reading a
 * source (a file or glob pattern, or a command's stdout) and the normalised
 * event form. The format parsers live in audit_*.c.
 */
#include <ctype.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/audit.h"
#include "adapters/control.h"
#include "util/fsutil.h"
#include "util/proc.h"
#include "util/secret.h"
#include "util/timeutil.h"

const char *const kp_audit_kind_names[] = {"admin", "key", "storage", NULL};
const char *const kp_audit_format_names[] = {"cloudtrail", "kafka-authorizer", "jsonl", NULL};
static const char *const source_types[] = {"file", "exec", NULL};

#define AUDIT_TERM_GRACE_NS (5 * KP_NS_PER_S)

void kp_audit_field(char *dst, size_t size, const char *s, size_t n)
{
        if (!size)
                return;
        if (!s)
                n = 0;
        if (n > size - 1)
                n = size - 1;
        if (n)
                memcpy(dst, s, n);
        dst[n] = '\0';
}

void kp_audit_log_release(kp_audit_log_t *log)
{
        if (!log)
                return;
        free(log->ev);
        memset(log, 0, sizeof(*log));
}

int kp_audit_log_add(kp_audit_log_t *log, const kp_audit_event_t *e)
{
        if (log->n == log->cap) {
                size_t cap = log->cap ? log->cap * 2 : 256;
                kp_audit_event_t *v;
                if (log->n >= KP_AUDIT_MAX_EVENTS)
                        return -1;
                if (cap > KP_AUDIT_MAX_EVENTS)
                        cap = KP_AUDIT_MAX_EVENTS;
                v = realloc(log->ev, cap * sizeof(*v));
                if (!v)
                        return -1;
                log->ev = v;
                log->cap = cap;
        }
        log->ev[log->n++] = *e;
        return 0;
}

/* ------------------------------------------------------------ event lines */

int kp_audit_next_line(kp_audit_lines_t *it, const char **s, const char **e)
{
        while (it->p < it->end) {
                const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
                *s = it->p;
                *e = nl ? nl : it->end;
                it->line++;
                it->p = nl ? nl + 1 : it->end;
                while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r'))
                        (*s)++;
                if (*s < *e)
                        return 1;
        }
        return 0;
}

int kp_audit_event_jsonl(const kp_audit_event_t *e, const char *source, kp_buf_t *out)
{
        cJSON *o = cJSON_CreateObject();
        char t[40], *txt;
        int rc = -1;

        if (!o)
                return -1;
        kp_time_iso(e->time_ns, t, sizeof(t));
        if (cJSON_AddStringToObject(o, "time", t) &&
            cJSON_AddStringToObject(o, "principal", e->principal) &&
            cJSON_AddStringToObject(o, "action", e->action) &&
            cJSON_AddStringToObject(o, "resource", e->resource) &&
            cJSON_AddStringToObject(o, "outcome", e->outcome) &&
            cJSON_AddStringToObject(o, "source", source) &&
            (!e->detail[0] || cJSON_AddStringToObject(o, "detail", e->detail)) &&
            (txt = cJSON_PrintUnformatted(o)) != NULL) {
                rc = kp_buf_puts(out, txt) < 0 || kp_buf_putc(out, '\n') < 0 ? -1 : 0;
                free(txt);
        }
        cJSON_Delete(o);
        return rc;
}

int kp_audit_parse(kp_audit_format_t fmt, const char *source, const char *text, size_t len,
                   int64_t since_ns, kp_audit_log_t *log, kp_err_t *err)
{
        switch (fmt) {
        case KP_AUDIT_CLOUDTRAIL:
                return kp_audit_parse_cloudtrail(source, text, len, since_ns, log, err);
        case KP_AUDIT_KAFKA_AUTHORIZER:
                return kp_audit_parse_kafka_authorizer(source, text, len, since_ns, log, err);
        case KP_AUDIT_JSONL:
                return kp_audit_parse_jsonl(source, text, len, since_ns, log, err);
        }
        return kp_err_set(err, KP_EINVAL, "audit source %s: unknown format", source);
}

/* ------------------------------------------------------------ config */

static int name_ok(const char *s)
{
        return *s && strlen(s) <= 64 &&
               strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                   strlen(s);
}

/* Placeholders an audit command may use. */
static int check_value(void *opaque, const char *name, size_t len, kp_buf_t *val)
{
        (void)opaque;
        if ((len == 10 && strncmp(name, "target_dir", 10) == 0) ||
            (len == 5 && strncmp(name, "since", 5) == 0))
                return kp_buf_puts(val, "x") < 0 ? -1 : 1;
        return 0;
}

static int parse_source(kp_jv_t *jv, const cJSON *o, kp_audit_source_cfg_t *s)
{
        int idx = 0, type = 0;

        if (kp_jv_is_object(jv, o) < 0 || kp_jv_string(jv, o, "name", 1, &s->name) < 0)
                return -1;
        if (!name_ok(s->name))
                return kp_jv_fail_at(
                    jv, "name", "expected 1 to 64 letters, digits, '.', '-' or '_', got \"%s\"",
                    s->name);
        if (kp_jv_enum(jv, o, "kind", 1, kp_audit_kind_names, &idx) < 0)
                return -1;
        s->kind = (kp_audit_kind_t)idx;
        if (kp_jv_enum(jv, o, "type", 1, source_types, &type) < 0)
                return -1;
        s->exec = type == 1;
        if (kp_jv_enum(jv, o, "format", 1, kp_audit_format_names, &idx) < 0)
                return -1;
        s->format = (kp_audit_format_t)idx;
        if (s->exec) {
                const cJSON *c;
                char *expanded = NULL;
                kp_buf_t probe;
                kp_err_t e2 = {0};
                int r;
                s->timeout_ns = 60 * KP_NS_PER_S;
                if (kp_jv_duration(jv, o, "timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                                   &s->timeout_ns) < 0)
                        return -1;
                /* ${env:NAME} is checked and registered as a secret here but
                 * kept in the template, which is expanded when it runs. */
                if (kp_jv_string(jv, o, "command", 1, &expanded) < 0)
                        return -1;
                free(expanded);
                c = cJSON_GetObjectItemCaseSensitive(o, "command");
                if (!*c->valuestring)
                        return kp_jv_fail_at(jv, "command", "expected a command, got \"\"");
                if (!(s->command = strdup(c->valuestring)))
                        return kp_jv_fail_at(jv, "command", "out of memory");
                kp_buf_init(&probe, 1 << 20);
                r = kp_exec_template_expand(s->command, "command", check_value, NULL, &probe, &e2);
                kp_buf_free(&probe);
                if (r < 0)
                        return kp_jv_fail_at(jv, "command",
                                             "%s (an audit command may use "
                                             "{target_dir} and {since})",
                                             e2.msg);
                kp_jv_allow(jv, o, "path");
                if (cJSON_GetObjectItemCaseSensitive(o, "path"))
                        return kp_jv_fail_at(jv, "path", "a source of type exec has no path");
        } else {
                if (kp_jv_string(jv, o, "path", 1, &s->path) < 0)
                        return -1;
                if (!*s->path)
                        return kp_jv_fail_at(jv, "path", "expected a file path, got \"\"");
                kp_jv_allow(jv, o, "command");
                kp_jv_allow(jv, o, "timeout");
                if (cJSON_GetObjectItemCaseSensitive(o, "command"))
                        return kp_jv_fail_at(jv, "command", "a source of type file has no command");
                if (cJSON_GetObjectItemCaseSensitive(o, "timeout"))
                        return kp_jv_fail_at(jv, "timeout", "a source of type file has no timeout");
        }
        return kp_jv_no_unknown(jv, o);
}

static int parse_audit(kp_jv_t *jv, const cJSON *o, kp_target_t *t)
{
        const cJSON *arr, *it;
        size_t i = 0, j, m;

        if (kp_jv_array(jv, o, "sources", 1, 1, &arr) < 0)
                return -1;
        t->audit = calloc((size_t)cJSON_GetArraySize(arr), sizeof(*t->audit));
        if (!t->audit)
                return kp_jv_fail_at(jv, "sources", "out of memory");
        m = kp_jv_push_key(jv, "sources");
        cJSON_ArrayForEach(it, arr)
        {
                size_t mi = kp_jv_push_index(jv, i);
                t->n_audit = i + 1;
                if (parse_source(jv, it, &t->audit[i]) < 0)
                        return -1;
                for (j = 0; j < i; j++)
                        if (strcmp(t->audit[j].name, t->audit[i].name) == 0)
                                return kp_jv_fail_at(jv, "name", "source name \"%s\" is used twice",
                                                     t->audit[i].name);
                kp_jv_pop(jv, mi);
                i++;
        }
        kp_jv_pop(jv, m);
        return kp_jv_no_unknown(jv, o);
}

static int parse_principals(kp_jv_t *jv, const cJSON *o, kp_target_t *t)
{
        const cJSON *it;
        size_t n = (size_t)cJSON_GetArraySize(o), i = 0;

        t->principal_names = calloc(n + 1, sizeof(char *));
        t->principal_props = calloc(n + 1, sizeof(kp_kvlist_t));
        if (!t->principal_names || !t->principal_props)
                return kp_jv_fail(jv, "out of memory");
        cJSON_ArrayForEach(it, o)
        {
                const cJSON *props, *p;
                size_t m;
                if (!name_ok(it->string))
                        return kp_jv_fail_at(jv, it->string,
                                             "expected a principal name of letters, digits, '.', "
                                             "'-' or '_'");
                if (kp_jv_object(jv, o, it->string, 1, &props) < 0)
                        return -1;
                t->principal_names[i] = strdup(it->string);
                t->n_principals = i + 1;
                if (!t->principal_names[i])
                        return kp_jv_fail(jv, "out of memory");
                m = kp_jv_push_key(jv, it->string);
                if (!props->child)
                        return kp_jv_fail(jv, "expected the principal's client properties "
                                              "(e.g. sasl.username, sasl.password), got {}");
                cJSON_ArrayForEach(p, props)
                {
                        char *v = NULL;
                        if (kp_jv_scalar_string(jv, props, p->string, &v) < 0)
                                return -1;
                        if (kp_secret_key_is_sensitive(p->string))
                                kp_secret_add(v);
                        if (kp_kvlist_set(&t->principal_props[i], p->string, v) < 0) {
                                free(v);
                                return kp_jv_fail_at(jv, p->string, "out of memory");
                        }
                        free(v);
                }
                kp_jv_pop(jv, m);
                i++;
        }
        return kp_jv_no_unknown(jv, o);
}

int kp_audit_cfg_parse(kp_jv_t *jv, const cJSON *root, kp_target_t *t)
{
        const cJSON *o = NULL;
        size_t m;
        int r;

        if ((r = kp_jv_object(jv, root, "audit", 0, &o)) < 0)
                return -1;
        if (r == 1) {
                m = kp_jv_push_key(jv, "audit");
                if (parse_audit(jv, o, t) < 0)
                        return -1;
                kp_jv_pop(jv, m);
        }
        if ((r = kp_jv_object(jv, root, "principals", 0, &o)) < 0)
                return -1;
        if (r == 1) {
                m = kp_jv_push_key(jv, "principals");
                if (parse_principals(jv, o, t) < 0)
                        return -1;
                kp_jv_pop(jv, m);
        }
        return 0;
}

void kp_audit_cfg_release(kp_target_t *t)
{
        size_t i;

        for (i = 0; i < t->n_audit; i++) {
                free(t->audit[i].name);
                free(t->audit[i].command);
                free(t->audit[i].path);
        }
        free(t->audit);
        t->audit = NULL;
        t->n_audit = 0;
        for (i = 0; i < t->n_principals; i++) {
                free(t->principal_names[i]);
                kp_kvlist_clear(&t->principal_props[i]);
        }
        free(t->principal_names);
        free(t->principal_props);
        t->principal_names = NULL;
        t->principal_props = NULL;
        t->n_principals = 0;
}

const kp_audit_source_cfg_t *kp_audit_source_of_kind(const kp_target_t *t, kp_audit_kind_t kind)
{
        size_t i;

        for (i = 0; i < t->n_audit; i++)
                if (t->audit[i].kind == kind)
                        return &t->audit[i];
        return NULL;
}

const kp_kvlist_t *kp_audit_principal(const kp_target_t *t, const char *name)
{
        size_t i;

        for (i = 0; i < t->n_principals; i++)
                if (strcmp(t->principal_names[i], name) == 0)
                        return &t->principal_props[i];
        return NULL;
}

void kp_audit_principal_of(const kp_kvlist_t *props, char *out, size_t size)
{
        const char *u = props ? kp_kvlist_get(props, "sasl.username") : NULL;

        if (u && *u)
                snprintf(out, size, "User:%s", u);
        else if (size)
                out[0] = '\0';
}

/* ------------------------------------------------------------ reading */

typedef struct cmd_values {
        const char *target_dir;
        int64_t since_ns;
} cmd_values_t;

static int cmd_value(void *opaque, const char *name, size_t len, kp_buf_t *val)
{
        const cmd_values_t *cv = opaque;

        if (len == 10 && strncmp(name, "target_dir", 10) == 0)
                return kp_buf_puts(val, cv->target_dir) < 0 ? -1 : 1;
        if (len == 5 && strncmp(name, "since", 5) == 0)
                return kp_buf_printf(val, "%lld", (long long)(cv->since_ns / KP_NS_PER_S)) < 0 ? -1
                                                                                               : 1;
        return 0;
}

/* The last non-empty line of a stream, redacted, at most size-1 bytes. */
static void last_line(const kp_buf_t *b, char *line, size_t size)
{
        const char *s = kp_buf_cstr(b), *end = s + b->len, *start;

        while (end > s && isspace((unsigned char)end[-1]))
                end--;
        for (start = end; start > s && start[-1] != '\n'; start--)
                ;
        kp_redact_copy(line, size, start, (size_t)(end - start), 0);
}

static int read_exec(const kp_target_t *t, const kp_audit_source_cfg_t *src, int64_t since_ns,
                     kp_audit_log_t *log, kp_err_t *err)
{
        const char *argv[] = {"/bin/sh", "-c", NULL, NULL};
        char dir[PATH_MAX], what[128], *red, line[400];
        cmd_values_t cv;
        kp_proc_result_t pr;
        kp_proc_opts_t o;
        kp_kvlist_t env = {0};
        kp_buf_t cmd;
        int rc = -1;

        kp_path_dir(t->path, dir, sizeof(dir));
        cv.target_dir = dir;
        cv.since_ns = since_ns;
        snprintf(what, sizeof(what), "audit source %s", src->name);
        kp_buf_init(&cmd, 1 << 16);
        if (kp_exec_template_expand(src->command, what, cmd_value, &cv, &cmd, err) < 0) {
                kp_buf_free(&cmd);
                return -1;
        }
        red = kp_redact_dup(kp_buf_cstr(&cmd));
        kp_kvlist_set(&env, "KPROOF_TARGET_DIR", dir);
        memset(&o, 0, sizeof(o));
        argv[2] = kp_buf_cstr(&cmd);
        o.argv = argv;
        o.timeout_ns = src->timeout_ns;
        o.term_grace_ns = AUDIT_TERM_GRACE_NS;
        o.env = &env;
        o.output_limit = KP_AUDIT_MAX_BYTES;
        o.split_stderr = 1;
        if (kp_proc_run(&o, &pr, err) < 0) {
                kp_err_prefix(err, "audit source %s: command `%s`", src->name, red ? red : "");
                goto out_noproc;
        }
        last_line(&pr.errout, line, sizeof(line));
        if (pr.timed_out) {
                kp_err_set(err, KP_EINFRA,
                           "audit source %s: command `%s` timed out after %lld s%s%s", src->name,
                           red ? red : "", (long long)(src->timeout_ns / KP_NS_PER_S),
                           line[0] ? ": " : "", line);
                goto out;
        }
        if (pr.exit_code != 0) {
                kp_err_set(err, KP_EINFRA,
                           "audit source %s: command `%s` exited with status %d%s%s", src->name,
                           red ? red : "", pr.exit_code, line[0] ? ": " : "", line);
                goto out;
        }
        if (pr.output.len >= KP_AUDIT_MAX_BYTES) {
                kp_err_set(err, KP_EINFRA,
                           "audit source %s: command `%s` printed more than %zu bytes", src->name,
                           red ? red : "", KP_AUDIT_MAX_BYTES);
                goto out;
        }
        rc = kp_audit_parse(src->format, src->name, kp_buf_cstr(&pr.output), pr.output.len,
                            since_ns, log, err);
out:
        kp_proc_result_release(&pr);
out_noproc:
        free(red);
        kp_kvlist_clear(&env);
        kp_buf_free(&cmd);
        return rc;
}

static int read_files(const kp_target_t *t, const kp_audit_source_cfg_t *src, int64_t since_ns,
                      kp_audit_log_t *log, kp_err_t *err)
{
        char pattern[PATH_MAX + 256], dir[PATH_MAX], label[PATH_MAX + 96];
        glob_t g;
        size_t k;
        int rc = 0, gr;

        if (src->path[0] == '/') {
                snprintf(pattern, sizeof(pattern), "%s", src->path);
        } else {
                kp_path_dir(t->path, dir, sizeof(dir));
                snprintf(pattern, sizeof(pattern), "%s/%s", dir, src->path);
        }
        memset(&g, 0, sizeof(g));
        gr = glob(pattern, 0, NULL, &g);
        if (gr != 0) {
                globfree(&g);
                return kp_err_set(err, KP_EINFRA, "audit source %s: %s %s", src->name,
                                  gr == GLOB_NOMATCH ? "no file matches" : "cannot list", pattern);
        }
        for (k = 0; k < g.gl_pathc && rc == 0; k++) {
                kp_buf_t b;
                kp_buf_init(&b, KP_AUDIT_MAX_BYTES + 1);
                if (kp_read_file(g.gl_pathv[k], KP_AUDIT_MAX_BYTES, &b, err) < 0) {
                        kp_err_prefix(err, "audit source %s", src->name);
                        if (err->code != KP_ENOMEM)
                                err->code = KP_EINFRA;
                        rc = -1;
                } else {
                        snprintf(label, sizeof(label), "%s (%s)", src->name, g.gl_pathv[k]);
                        rc = kp_audit_parse(src->format, label, kp_buf_cstr(&b), b.len, since_ns,
                                            log, err);
                }
                kp_buf_free(&b);
        }
        globfree(&g);
        return rc;
}

static int by_time(const void *a, const void *b)
{
        const kp_audit_event_t *x = a, *y = b;

        return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

int kp_audit_read(const kp_target_t *t, const kp_audit_source_cfg_t *src, int64_t since_ns,
                  kp_audit_log_t *log, kp_buf_t *jsonl, kp_err_t *err)
{
        size_t first = log->n, i;
        int rc;

        rc = src->exec ? read_exec(t, src, since_ns, log, err)
                       : read_files(t, src, since_ns, log, err);
        if (rc < 0)
                return -1;
        /* stable enough: events of one file are already in order */
        qsort(log->ev + first, log->n - first, sizeof(*log->ev), by_time);
        for (i = first; jsonl && i < log->n; i++)
                if (kp_audit_event_jsonl(&log->ev[i], src->name, jsonl) < 0)
                        return kp_err_set(err, KP_ENOMEM, "audit source %s: events too large",
                                          src->name);
        return 0;
}
