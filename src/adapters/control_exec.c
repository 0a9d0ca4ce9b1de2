/*
 * The exec control adapter: each control operation is a shell command
 * template from the target ("kill_broker": "kafka.sh kill {broker}").
 *
 * A template's placeholders ({broker}, {rack}, {topic}, {partition},
 * {offset}, {file}, {rtt_ms}, {api_key}, {errors}, {partitions},
 * {replication_factor}, {target_dir}, {brokers}, {scope}, {loss_pct}, {delay_ms}, {jitter_ms}) are
 * replaced by the request's
 * values, each quoted for /bin/sh; a `{` right after `$` is left to the shell
 * (${VAR}). ${env:NAME} stays in the template until then and is replaced by
 * the variable's value as it is (a secret: never scanned for placeholders,
 * redacted wherever the command line is shown). The command runs under /bin/sh -c with the target's
 * extra environment plus KPROOF_TARGET_DIR, a timeout (the target's, or the operation's own from
 * control.timeouts; SIGTERM to the process group, SIGKILL a grace period later) and separate
 * stdout/stderr capture. Every invocation fills the result with the redacted command, exit code,
 * duration and the tails of stdout and stderr, which the runner keeps as evidence. A non-zero exit
 * or a timeout is an error (KP_EINFRA) that quotes the command's last stderr line. Operations that
 * return a number (storage_bytes, leader, controller) read it from the last non-empty line of
 * stdout.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "adapters/control.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/secret.h"
#include "util/timeutil.h"

/* Grace between SIGTERM and SIGKILL when a command times out. */
#define EXEC_TERM_GRACE_NS (10 * KP_NS_PER_S)
/* Bytes of each stream kept while the command runs. */
#define EXEC_CAPTURE_BYTES 16384
#define EXEC_LIST_BYTES    ((size_t)1 << 20) /* list_connections output kept (the tail) */
/* Bytes of each stream's tail kept in the result. */
#define EXEC_STDOUT_TAIL 700
#define EXEC_STDERR_TAIL 1100

typedef struct exec_impl {
        kp_kvlist_t commands; /* op name -> template */
        kp_kvlist_t env;      /* target env + KPROOF_TARGET_DIR */
        int64_t timeout_ns;
        int64_t op_timeout_ns[KP_CTL__COUNT]; /* 0: timeout_ns */
        char target_dir[PATH_MAX];
} exec_impl_t;

static const char *const placeholders[] = {
    "broker",
    "rack",
    "topic",
    "partition",
    "offset",
    "file",
    "rtt_ms",
    "api_key",
    "errors",
    "partitions",
    "replication_factor",
    "target_dir",
    "brokers",
    "scope",
    "loss_pct",
    "delay_ms",
    "jitter_ms",
    NULL,
};

static int known_placeholder(const char *name, size_t len)
{
        size_t i;

        for (i = 0; placeholders[i]; i++)
                if (strlen(placeholders[i]) == len && strncmp(placeholders[i], name, len) == 0)
                        return 1;
        return 0;
}

/* Length of a placeholder name at p ("broker}" -> 6), 0 if p does not start
 * one: lower-case letters and '_' closed by '}'. */
static size_t placeholder_len(const char *p)
{
        size_t n = 0;

        while (islower((unsigned char)p[n]) || p[n] == '_')
                n++;
        return n > 0 && p[n] == '}' ? n : 0;
}

/* Length of a ${env:NAME} reference at p, 0 if p does not start one. */
static size_t env_ref_len(const char *p)
{
        size_t n = 0;

        if (strncmp(p, "${env:", 6) != 0)
                return 0;
        while (isalnum((unsigned char)p[6 + n]) || p[6 + n] == '_')
                n++;
        return n > 0 && n < 250 && p[6 + n] == '}' ? n + 7 : 0;
}

int kp_control_exec_template_check(const char *tpl, char *bad, size_t bad_size)
{
        const char *p;

        for (p = tpl; *p; p++) {
                size_t n;
                if (*p != '{' || (p > tpl && p[-1] == '$'))
                        continue;
                n = placeholder_len(p + 1);
                if (n && !known_placeholder(p + 1, n)) {
                        snprintf(bad, bad_size, "%.*s", (int)n, p + 1);
                        return -1;
                }
        }
        return 0;
}

/* Appends s quoted for /bin/sh: '...' with each ' written as '\''. */
static void sh_quote(kp_buf_t *b, const char *s)
{
        kp_buf_putc(b, '\'');
        for (; *s; s++) {
                if (*s == '\'')
                        kp_buf_puts(b, "'\\''");
                else
                        kp_buf_putc(b, *s);
        }
        kp_buf_putc(b, '\'');
}

/* The value of one placeholder for a request into val; 0 when the request
 * gives none. */
static int placeholder_value(const exec_impl_t *x, const kp_ctl_req_t *r, const char *name,
                             size_t len, kp_buf_t *val)
{
        size_t i;

#define IS(s) (strlen(s) == len && strncmp(name, s, len) == 0)
        if (IS("broker") && r->broker >= 0)
                return kp_buf_printf(val, "%d", r->broker) < 0 ? -1 : 1;
        if (IS("rack") && r->rack)
                return kp_buf_puts(val, r->rack) < 0 ? -1 : 1;
        if (IS("topic") && r->topic)
                return kp_buf_puts(val, r->topic) < 0 ? -1 : 1;
        if (IS("partition") && r->partition >= 0)
                return kp_buf_printf(val, "%d", r->partition) < 0 ? -1 : 1;
        if (IS("offset") && r->offset >= 0)
                return kp_buf_printf(val, "%lld", (long long)r->offset) < 0 ? -1 : 1;
        if (IS("file") && r->file)
                return kp_buf_puts(val, r->file) < 0 ? -1 : 1;
        if (IS("rtt_ms") && r->op == KP_CTL_SET_RTT)
                return kp_buf_printf(val, "%d", r->rtt_ms) < 0 ? -1 : 1;
        if (IS("api_key") && r->op == KP_CTL_PUSH_ERRORS)
                return kp_buf_printf(val, "%d", r->api_key) < 0 ? -1 : 1;
        if (IS("errors") && r->op == KP_CTL_PUSH_ERRORS) {
                for (i = 0; i < r->n_errors; i++)
                        kp_buf_printf(val, "%s%d", i ? "," : "", r->errors[i]);
                return 1;
        }
        if (IS("partitions") && r->partitions > 0)
                return kp_buf_printf(val, "%d", r->partitions) < 0 ? -1 : 1;
        if (IS("replication_factor") && r->replication_factor > 0)
                return kp_buf_printf(val, "%d", r->replication_factor) < 0 ? -1 : 1;
        if (IS("target_dir"))
                return kp_buf_puts(val, x->target_dir) < 0 ? -1 : 1;
        if (IS("brokers") && r->n_brokers)
                return kp_ctl_brokers_list(r, val) < 0 ? -1 : 1;
        if (IS("scope") && r->scope)
                return kp_buf_puts(val, r->scope) < 0 ? -1 : 1;
        if (IS("loss_pct") && r->op == KP_CTL_LINK_LOSS)
                return kp_buf_printf(val, "%d", r->loss_pct) < 0 ? -1 : 1;
        if (IS("delay_ms") && r->op == KP_CTL_LINK_DELAY)
                return kp_buf_printf(val, "%d", r->delay_ms) < 0 ? -1 : 1;
        if (IS("jitter_ms") && r->op == KP_CTL_LINK_DELAY)
                return kp_buf_printf(val, "%d", r->jitter_ms) < 0 ? -1 : 1;
#undef IS
        return 0;
}

typedef struct req_values {
        const exec_impl_t *x;
        const kp_ctl_req_t *r;
} req_values_t;

static int req_value(void *opaque, const char *name, size_t len, kp_buf_t *val)
{
        const req_values_t *rv = opaque;

        return placeholder_value(rv->x, rv->r, name, len, val);
}

/* Expands the template for a request into out (a shell command line). */
static int expand(const exec_impl_t *x, const char *tpl, const kp_ctl_req_t *r, kp_buf_t *out,
                  kp_err_t *err)
{
        req_values_t rv = {x, r};

        return kp_exec_template_expand(tpl, kp_ctl_op_names[r->op], req_value, &rv, out, err);
}

int kp_exec_template_expand(const char *tpl, const char *what, kp_tpl_value_fn value, void *opaque,
                            kp_buf_t *out, kp_err_t *err)
{
        const char *p;
        kp_buf_t val;

        kp_buf_init(&val, 1 << 16);
        for (p = tpl; *p; p++) {
                size_t n = 0, e;
                int got;
                e = env_ref_len(p);
                if (e) {
                        /* A secret goes in as opaque text, after parsing: its
                         * bytes are never scanned for placeholders. */
                        char var[256];
                        const char *v;
                        snprintf(var, sizeof(var), "%.*s", (int)(e - 7), p + 6);
                        v = getenv(var);
                        if (!v) {
                                kp_buf_free(&val);
                                return kp_err_set(err, KP_EINVAL,
                                                  "%s: environment variable %s is not set", what,
                                                  var);
                        }
                        kp_secret_add(v);
                        kp_buf_puts(out, v);
                        p += e - 1;
                        continue;
                }
                if (*p == '{' && !(p > tpl && p[-1] == '$'))
                        n = placeholder_len(p + 1);
                if (!n) {
                        kp_buf_putc(out, *p);
                        continue;
                }
                kp_buf_reset(&val);
                got = value(opaque, p + 1, n, &val);
                if (got <= 0) {
                        kp_buf_free(&val);
                        if (got < 0)
                                return kp_err_set(err, KP_ENOMEM, "out of memory");
                        return kp_err_set(err, KP_EINVAL,
                                          "%s: the command template uses {%.*s} but the request "
                                          "gives no %.*s",
                                          what, (int)n, p + 1, (int)n, p + 1);
                }
                sh_quote(out, kp_buf_cstr(&val));
                p += n + 1;
        }
        kp_buf_free(&val);
        if (out->len >= out->limit)
                return kp_err_set(err, KP_ENOMEM, "%s: command line too long", what);
        return 0;
}

/* The start of the last `max` bytes of s, moved forward to a line start
 * when one is near. */
static const char *tail_of(const char *s, size_t len, size_t max)
{
        const char *p, *nl;

        if (len <= max)
                return s;
        p = s + (len - max);
        nl = memchr(p, '\n', max / 4);
        return nl ? nl + 1 : p;
}

/* The redacted tail (at most max bytes) of a captured stream, cut
 * forward to a line start when one is near. Redaction comes first, so no
 * cut can split a secret; a stream whose head the capture limit dropped may
 * start inside one, and that fragment is masked. */
static void stream_tail(kp_buf_t *dst, const kp_buf_t *s, size_t max)
{
        kp_buf_t red;
        const char *t;

        kp_buf_init(&red, 1 << 16);
        kp_redact_cut(kp_buf_cstr(s), s->len, s->len >= EXEC_CAPTURE_BYTES ? KP_CUT_HEAD : 0, &red);
        t = tail_of(kp_buf_cstr(&red), red.len, max);
        kp_redact_cut(t, red.len - (size_t)(t - kp_buf_cstr(&red)),
                      t != kp_buf_cstr(&red) ? KP_CUT_HEAD : 0, dst);
        kp_buf_free(&red);
}

/* Fills res->output with the redacted tails of both streams. */
static void record_output(kp_ctl_res_t *res, const kp_buf_t *out, const kp_buf_t *errout)
{
        kp_buf_t both;

        kp_buf_init(&both, 1 << 16);
        if (out->len) {
                kp_buf_puts(&both, "[stdout]\n");
                stream_tail(&both, out, EXEC_STDOUT_TAIL);
                if (both.len && both.data[both.len - 1] != '\n')
                        kp_buf_putc(&both, '\n');
        }
        if (errout->len) {
                kp_buf_puts(&both, "[stderr]\n");
                stream_tail(&both, errout, EXEC_STDERR_TAIL);
        }
        /* Already redacted: this cut keeps the tail and masks its edge. */
        res->output[0] = '\0';
        if (both.len) {
                kp_buf_t fin;
                kp_buf_init(&fin, 1 << 16);
                kp_redact_tail(kp_buf_cstr(&both), both.len, sizeof(res->output) - 1, 0, &fin);
                snprintf(res->output, sizeof(res->output), "%s", kp_buf_cstr(&fin));
                kp_buf_free(&fin);
        }
        kp_buf_free(&both);
}

/* The last non-empty line of a stream into line (at most size-1 bytes):
 * the whole stream is redacted first (a secret may span lines), then the
 * line is taken and cut, masking a fragment at the cut. */
static void last_line(const kp_buf_t *b, char *line, size_t size)
{
        const char *s, *end, *start;
        kp_buf_t red;

        kp_buf_init(&red, 1 << 16);
        kp_redact_cut(kp_buf_cstr(b), b->len, b->len >= EXEC_CAPTURE_BYTES ? KP_CUT_HEAD : 0, &red);
        s = kp_buf_cstr(&red);
        end = s + red.len;
        while (end > s && isspace((unsigned char)end[-1]))
                end--;
        for (start = end; start > s && start[-1] != '\n'; start--)
                ;
        kp_redact_copy(line, size, start, (size_t)(end - start), 0);
        kp_buf_free(&red);
}

/* A number on the last non-empty line of stdout. */
static int parse_value(const kp_buf_t *out, int64_t *v)
{
        char line[128], *e;
        long long n;

        last_line(out, line, sizeof(line));
        if (!line[0])
                return -1;
        errno = 0;
        n = strtoll(line, &e, 10);
        while (*e && isspace((unsigned char)*e))
                e++;
        if (errno || *e || e == line)
                return -1;
        *v = n;
        return 0;
}

static int exec_returns_value(kp_ctl_op_t op)
{
        return op == KP_CTL_STORAGE_BYTES || op == KP_CTL_LEADER || op == KP_CTL_CONTROLLER;
}

static int exec_supports(kp_control_t *ctl, kp_ctl_op_t op, const char **reason)
{
        exec_impl_t *x = ctl->impl;

        if (op >= 0 && op < KP_CTL__COUNT && kp_kvlist_get(&x->commands, kp_ctl_op_names[op]))
                return 1;
        *reason = "the target's exec control adapter maps no command to this operation "
                  "(control.commands)";
        return 0;
}

static int exec_invoke(kp_control_t *ctl, const kp_ctl_req_t *req, kp_ctl_res_t *res, kp_err_t *err)
{
        exec_impl_t *x = ctl->impl;
        const char *op = kp_ctl_op_names[req->op];
        const char *tpl = kp_kvlist_get(&x->commands, op);
        const char *argv[] = {"/bin/sh", "-c", NULL, NULL};
        kp_proc_result_t pr;
        kp_proc_opts_t o;
        kp_buf_t cmd;
        char *red, line[512];
        int rc = -1;

        res->exit_code = -1;
        if (!tpl)
                return kp_err_set(err, KP_EUNSUPPORTED, "%s: no command in the target", op);
        kp_buf_init(&cmd, 1 << 16);
        if (expand(x, tpl, req, &cmd, err) < 0) {
                kp_buf_free(&cmd);
                return -1;
        }
        red = kp_redact_dup(kp_buf_cstr(&cmd));
        snprintf(res->command, sizeof(res->command), "%s", red ? red : "");
        free(red);

        memset(&o, 0, sizeof(o));
        argv[2] = kp_buf_cstr(&cmd);
        o.argv = argv;
        o.timeout_ns = x->op_timeout_ns[req->op] ? x->op_timeout_ns[req->op] : x->timeout_ns;
        o.term_grace_ns = EXEC_TERM_GRACE_NS;
        o.env = &x->env;
        o.output_limit = req->op == KP_CTL_LIST_CONNECTIONS ? EXEC_LIST_BYTES : EXEC_CAPTURE_BYTES;
        o.split_stderr = 1;
        kp_debug("control exec %s: %s", op, res->command);
        if (kp_proc_run(&o, &pr, err) < 0) {
                kp_err_prefix(err, "%s", op);
                kp_buf_free(&cmd);
                return -1;
        }
        record_output(res, &pr.output, &pr.errout);
        last_line(&pr.errout, line, sizeof(line));
        if (pr.timed_out) {
                res->exit_code = -1;
                kp_err_set(err, KP_EINFRA, "%s: command timed out after %lld s and was killed%s%s",
                           op, (long long)(o.timeout_ns / KP_NS_PER_S), line[0] ? ": " : "", line);
                goto out;
        }
        res->exit_code = pr.exit_code;
        if (pr.exit_code != 0) {
                kp_err_set(err, KP_EINFRA, "%s: command exited with status %d%s%s", op,
                           pr.exit_code, line[0] ? ": " : "", line);
                goto out;
        }
        if (exec_returns_value(req->op)) {
                if (parse_value(&pr.output, &res->value) < 0) {
                        last_line(&pr.output, line, sizeof(line));
                        kp_err_set(
                            err, KP_EINFRA,
                            "%s: expected a number on the last line of the command's stdout, "
                            "got \"%s\"",
                            op, line);
                        goto out;
                }
                res->has_value = 1;
        }
        if (req->op == KP_CTL_LIST_CONNECTIONS && req->output &&
            kp_buf_append(req->output, pr.output.data, pr.output.len) < 0) {
                kp_err_set(err, KP_ENOMEM, "%s: output too large", op);
                goto out;
        }
        rc = 0;
out:
        kp_proc_result_release(&pr);
        kp_buf_free(&cmd);
        return rc;
}

static void exec_destroy(kp_control_t *ctl)
{
        exec_impl_t *x = ctl->impl;

        if (!x)
                return;
        kp_kvlist_clear(&x->commands);
        kp_kvlist_clear(&x->env);
        free(x);
        ctl->impl = NULL;
}

static const kp_control_ops_t exec_ops = {"exec", exec_supports, exec_invoke, exec_destroy};

int kp_control_exec_new(const kp_target_t *t, kp_control_t **out, kp_err_t *err)
{
        kp_control_t *ctl = calloc(1, sizeof(*ctl));
        exec_impl_t *x = calloc(1, sizeof(*x));
        char bad[64];
        size_t i;

        *out = NULL;
        if (!ctl || !x) {
                free(ctl);
                free(x);
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        }
        ctl->ops = &exec_ops;
        ctl->impl = x;
        x->timeout_ns = t->control.timeout_ns > 0 ? t->control.timeout_ns : 120 * KP_NS_PER_S;
        kp_path_dir(t->path, x->target_dir, sizeof(x->target_dir));
        for (i = 0; i < t->control.commands.n; i++) {
                const kp_kv_t *kv = &t->control.commands.items[i];
                if (kp_control_exec_template_check(kv->value, bad, sizeof(bad)) < 0) {
                        kp_err_set(err, KP_EINVAL,
                                   "%s: $.control.commands.%s: unknown placeholder {%s}",
                                   t->path ? t->path : "target", kv->key, bad);
                        goto fail;
                }
        }
        for (i = 0; i < t->control.timeouts.n; i++) {
                const kp_kv_t *kv = &t->control.timeouts.items[i];
                int op = kp_ctl_op_from_name(kv->key);
                int64_t ns;
                if (op < 0 || kp_duration_parse(kv->value, &ns) < 0 || ns <= 0) {
                        kp_err_set(err, KP_EINVAL, "%s: $.control.timeouts.%s: bad timeout \"%s\"",
                                   t->path ? t->path : "target", kv->key, kv->value);
                        goto fail;
                }
                x->op_timeout_ns[op] = ns;
        }
        if (kp_kvlist_merge(&x->commands, &t->control.commands) < 0 ||
            kp_kvlist_merge(&x->env, &t->control.env) < 0 ||
            kp_kvlist_set(&x->env, "KPROOF_TARGET_DIR", x->target_dir) < 0) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto fail;
        }
        kp_info("exec control: %zu operation(s), timeout %lld s", x->commands.n,
                (long long)(x->timeout_ns / KP_NS_PER_S));
        *out = ctl;
        return 0;
fail:
        exec_destroy(ctl);
        free(ctl);
        return -1;
}
