#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timeutil.h"

/* Keeps only the last `limit` bytes of b. */
static void keep_tail(kp_buf_t *b, size_t limit)
{
        if (b->len <= limit)
                return;
        memmove(b->data, b->data + (b->len - limit), limit);
        b->len = limit;
        b->data[b->len] = '\0';
}

int kp_proc_run(const kp_proc_opts_t *o, kp_proc_result_t *res, kp_err_t *err)
{
        size_t limit = o->output_limit ? o->output_limit : 65536, written = 0, i;
        int out_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1};
        int64_t t0 = kp_mono_ns(), deadline;
        int status = 0, out_open = 1, in_open;
        pid_t pid;

        memset(res, 0, sizeof(*res));
        kp_buf_init(&res->output, limit * 2 + 65536);
        if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(in_pipe, O_CLOEXEC) < 0) {
                kp_err_set(err, KP_EINFRA, "%s: cannot create pipes: %s", o->argv[0],
                           strerror(errno));
                goto fail_fds;
        }
        pid = fork();
        if (pid < 0) {
                kp_err_set(err, KP_EINFRA, "%s: cannot fork: %s", o->argv[0], strerror(errno));
                goto fail_fds;
        }
        if (pid == 0) {
                setpgid(0, 0);
                signal(SIGPIPE, SIG_DFL);
                signal(SIGINT, SIG_DFL);
                signal(SIGTERM, SIG_DFL);
                dup2(in_pipe[0], 0);
                dup2(out_pipe[1], 1);
                dup2(out_pipe[1], 2);
                for (i = 0; o->env && i < o->env->n; i++)
                        setenv(o->env->items[i].key, o->env->items[i].value, 1);
                if (o->cwd && chdir(o->cwd) < 0)
                        _exit(126);
                execvp(o->argv[0], (char *const *)o->argv);
                dprintf(2, "cannot execute %s: %s\n", o->argv[0], strerror(errno));
                _exit(127);
        }
        setpgid(pid, pid);
        close(out_pipe[1]);
        close(in_pipe[0]);
        out_pipe[1] = in_pipe[0] = -1;
        in_open = o->stdin_data != NULL;
        if (!in_open) {
                close(in_pipe[1]);
                in_pipe[1] = -1;
        } else {
                fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
        }
        deadline = o->timeout_ns > 0 ? t0 + o->timeout_ns : INT64_MAX;

        while (out_open) {
                struct pollfd pfd[2];
                int nfd = 0, wait_ms = 200;
                int64_t left = deadline - kp_mono_ns();

                if (left <= 0) {
                        res->timed_out = 1;
                        kill(-pid, SIGKILL);
                        break;
                }
                if (left < 200 * KP_NS_PER_MS)
                        wait_ms = (int)(left / KP_NS_PER_MS) + 1;
                pfd[nfd].fd = out_pipe[0];
                pfd[nfd++].events = POLLIN;
                if (in_open) {
                        pfd[nfd].fd = in_pipe[1];
                        pfd[nfd++].events = POLLOUT;
                }
                if (poll(pfd, (nfds_t)nfd, wait_ms) < 0 && errno != EINTR)
                        break;
                if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        char chunk[8192];
                        ssize_t n = read(out_pipe[0], chunk, sizeof(chunk));
                        if (n > 0) {
                                kp_buf_append(&res->output, chunk, (size_t)n);
                                if (res->output.len > limit)
                                        keep_tail(&res->output, limit);
                        } else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                                out_open = 0;
                        }
                }
                if (in_open && nfd > 1 && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
                        ssize_t n = write(in_pipe[1], o->stdin_data + written,
                                          o->stdin_len - written);
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
        }
        return -1;
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
