#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/timeutil.h"

/* Keeps only the last `limit` bytes of b. */
static void keep_tail(kp_buf_t *b, size_t limit)
{
        if (b->len <= limit)
                return;
        memmove(b->data, b->data + (b->len - limit), limit);
        b->len = limit;
        b->data[b->len] = '\0';
}

/* Reads what is available on fd into b (keeping its tail); 0 at end of file. */
static int drain_fd(int fd, kp_buf_t *b, size_t limit)
{
        char chunk[8192];
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n > 0) {
                kp_buf_append(b, chunk, (size_t)n);
                if (b->len > limit)
                        keep_tail(b, limit);
                return 1;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return 1;
        return 0;
}

extern char **environ;

/* The child's environment, built before fork(): this process's with env on
 * top (later wins). Between fork() and exec only async-signal-safe calls are
 * allowed, and setenv() is not (it allocates, and another thread may hold
 * the allocator's lock). Returns a NULL-terminated array whose added
 * strings are listed in *owned (free both with free_env), or NULL. */
static char **build_env(const kp_kvlist_t *env, char ***owned)
{
        size_t n_env = 0, n_add = env ? env->n : 0, n = 0, i, k;
        char **out, **add;

        *owned = NULL;
        while (environ && environ[n_env])
                n_env++;
        out = calloc(n_env + n_add + 1, sizeof(*out));
        add = calloc(n_add + 1, sizeof(*add));
        if (!out || !add) {
                free(out);
                free(add);
                return NULL;
        }
        for (i = 0; i < n_env; i++) {
                int replaced = 0;
                for (k = 0; k < n_add && !replaced; k++) {
                        size_t kl = strlen(env->items[k].key);
                        replaced = strncmp(environ[i], env->items[k].key, kl) == 0 &&
                                   environ[i][kl] == '=';
                }
                if (!replaced)
                        out[n++] = environ[i];
        }
        for (k = 0; k < n_add; k++) {
                size_t len = strlen(env->items[k].key) + strlen(env->items[k].value) + 2;
                add[k] = malloc(len);
                if (!add[k])
                        goto oom;
                snprintf(add[k], len, "%s=%s", env->items[k].key, env->items[k].value);
                out[n++] = add[k];
        }
        *owned = add;
        return out;
oom:
        for (k = 0; k < n_add; k++)
                free(add[k]);
        free(add);
        free(out);
        return NULL;
}

static void free_env(char **envp, char **owned)
{
        size_t i;

        for (i = 0; owned && owned[i]; i++)
                free(owned[i]);
        free(owned);
        free(envp);
}

/* Writes "cannot execute <cmd>: errno <n>" with async-signal-safe calls only
 * (strerror is not). */
static void exec_failed(const char *cmd, int e)
{
        char num[16];
        size_t i = sizeof(num);

        num[--i] = '\n';
        do {
                num[--i] = (char)('0' + e % 10);
                e /= 10;
        } while (e && i > 0);
        if (write(2, "cannot execute ", 15) < 0 || write(2, cmd, strlen(cmd)) < 0 ||
            write(2, ": errno ", 8) < 0 || write(2, num + i, sizeof(num) - i) < 0)
                return;
}

int kp_proc_run(const kp_proc_opts_t *o, kp_proc_result_t *res, kp_err_t *err)
{
        size_t limit = o->output_limit ? o->output_limit : 65536, written = 0, i;
        int out_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
        int64_t t0 = kp_mono_ns(), deadline;
        int status = 0, out_open = 1, err_open = 0, in_open, termed = 0;
        char **envp = NULL, **env_owned = NULL;
        pid_t pid;

        memset(res, 0, sizeof(*res));
        kp_buf_init(&res->output, limit * 2 + 65536);
        kp_buf_init(&res->errout, limit * 2 + 65536);
        if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(in_pipe, O_CLOEXEC) < 0 ||
            (o->split_stderr && pipe2(err_pipe, O_CLOEXEC) < 0)) {
                kp_err_set(err, KP_EINFRA, "%s: cannot create pipes: %s", o->argv[0],
                           strerror(errno));
                goto fail_fds;
        }
        if (o->env && o->env->n && !(envp = build_env(o->env, &env_owned))) {
                kp_err_set(err, KP_ENOMEM, "%s: out of memory", o->argv[0]);
                goto fail_fds;
        }
        pid = fork();
        if (pid < 0) {
                kp_err_set(err, KP_EINFRA, "%s: cannot fork: %s", o->argv[0], strerror(errno));
                free_env(envp, env_owned);
                goto fail_fds;
        }
        if (pid == 0) {
                setpgid(0, 0);
                signal(SIGPIPE, SIG_DFL);
                signal(SIGINT, SIG_DFL);
                signal(SIGTERM, SIG_DFL);
                dup2(in_pipe[0], 0);
                dup2(out_pipe[1], 1);
                dup2(o->split_stderr ? err_pipe[1] : out_pipe[1], 2);
                if (envp)
                        environ = envp;
                if (o->cwd && chdir(o->cwd) < 0)
                        _exit(126);
                execvp(o->argv[0], (char *const *)o->argv);
                exec_failed(o->argv[0], errno);
                _exit(127);
        }
        free_env(envp, env_owned);
        setpgid(pid, pid);
        close(out_pipe[1]);
        close(in_pipe[0]);
        out_pipe[1] = in_pipe[0] = -1;
        if (o->split_stderr) {
                close(err_pipe[1]);
                err_pipe[1] = -1;
                err_open = 1;
        }
        in_open = o->stdin_data != NULL;
        if (!in_open) {
                close(in_pipe[1]);
                in_pipe[1] = -1;
        } else {
                fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
        }
        deadline = o->timeout_ns > 0 ? t0 + o->timeout_ns : INT64_MAX;

        while (out_open || err_open) {
                struct pollfd pfd[3];
                int nfd = 0, wait_ms = 200, out_i = -1, err_i = -1, in_i = -1;
                int64_t left = deadline - kp_mono_ns();

                if (left <= 0 && !termed && o->term_grace_ns > 0) {
                        /* Let the command clean up what it started, then kill. */
                        res->timed_out = 1;
                        termed = 1;
                        kill(-pid, SIGTERM);
                        deadline = kp_mono_ns() + o->term_grace_ns;
                        continue;
                }
                if (left <= 0) {
                        res->timed_out = 1;
                        kill(-pid, SIGKILL);
                        break;
                }
                if (left < 200 * KP_NS_PER_MS)
                        wait_ms = (int)(left / KP_NS_PER_MS) + 1;
                if (out_open) {
                        out_i = nfd;
                        pfd[nfd].fd = out_pipe[0];
                        pfd[nfd++].events = POLLIN;
                }
                if (err_open) {
                        err_i = nfd;
                        pfd[nfd].fd = err_pipe[0];
                        pfd[nfd++].events = POLLIN;
                }
                if (in_open) {
                        in_i = nfd;
                        pfd[nfd].fd = in_pipe[1];
                        pfd[nfd++].events = POLLOUT;
                }
                for (i = 0; i < (size_t)nfd; i++)
                        pfd[i].revents = 0;
                if (poll(pfd, (nfds_t)nfd, wait_ms) < 0 && errno != EINTR)
                        break;
                if (out_i >= 0 && (pfd[out_i].revents & (POLLIN | POLLHUP | POLLERR)))
                        out_open = drain_fd(out_pipe[0], &res->output, limit);
                if (err_i >= 0 && (pfd[err_i].revents & (POLLIN | POLLHUP | POLLERR)))
                        err_open = drain_fd(err_pipe[0], &res->errout, limit);
                if (in_i >= 0 && (pfd[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
                        ssize_t n =
                            write(in_pipe[1], o->stdin_data + written, o->stdin_len - written);
                        if (n > 0)
                                written += (size_t)n;
                        if (n < 0 && errno != EAGAIN && errno != EINTR)
                                written = o->stdin_len;
                        if (written >= o->stdin_len) {
                                close(in_pipe[1]);
                                in_pipe[1] = -1;
                                in_open = 0;
                        }
                }
        }
        if (in_pipe[1] >= 0)
                close(in_pipe[1]);
        close(out_pipe[0]);
        if (err_pipe[0] >= 0)
                close(err_pipe[0]);
        /* The group leader has closed its output; wait for it (bounded). */
        for (;;) {
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid)
                        break;
                if (w < 0 && errno != EINTR) {
                        status = 0;
                        break;
                }
                if (kp_mono_ns() > deadline) {
                        res->timed_out = 1;
                        kill(-pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        break;
                }
                usleep(5000);
        }
        if (WIFEXITED(status))
                res->exit_code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
                res->exit_code = 128 + WTERMSIG(status);
        res->duration_ns = kp_mono_ns() - t0;
        return 0;

fail_fds:
        for (i = 0; i < 2; i++) {
                if (out_pipe[i] >= 0)
                        close(out_pipe[i]);
                if (in_pipe[i] >= 0)
                        close(in_pipe[i]);
                if (err_pipe[i] >= 0)
                        close(err_pipe[i]);
        }
        return -1;
}

void kp_proc_result_release(kp_proc_result_t *res)
{
        if (!res)
                return;
        kp_buf_free(&res->output);
        kp_buf_free(&res->errout);
}

int kp_proc_shell(const char *cmd, int64_t timeout_ns, const kp_kvlist_t *env,
                  kp_proc_result_t *res, kp_err_t *err)
{
        const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
        kp_proc_opts_t o;

        memset(&o, 0, sizeof(o));
        o.argv = argv;
        o.timeout_ns = timeout_ns;
        o.env = env;
        return kp_proc_run(&o, res, err);
}
