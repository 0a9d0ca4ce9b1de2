/* Unit tests of proc: exit status, captured output and its tail, stdin,
 * environment and working directory, and the deadline that kills the
 * child's whole process group. */
#include "kptest.h"

#include <errno.h>
#include <signal.h>

#include "util/proc.h"
#include "util/timeutil.h"

static char tmpdir[1024];

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("proc", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        return kp_rm_rf(tmpdir);
}

static void shell(const char *cmd, int64_t timeout_ns, kp_proc_result_t *res)
{
        kp_err_t err;

        if (kp_proc_shell(cmd, timeout_ns, NULL, res, &err) != 0)
                fail_msg("%s: %s", cmd, err.msg);
}

static void test_exit_codes(void **state)
{
        kp_proc_result_t res;

        (void)state;
        shell("exit 0", 0, &res);
        assert_int_equal(res.exit_code, 0);
        assert_int_equal(res.timed_out, 0);
        assert_true(res.duration_ns > 0);
        kp_buf_free(&res.output);
        shell("exit 7", 5 * KP_NS_PER_S, &res);
        assert_int_equal(res.exit_code, 7);
        assert_int_equal(res.timed_out, 0);
        kp_buf_free(&res.output);
        /* killed by a signal: 128 + signal */
        shell("kill -TERM $$", 5 * KP_NS_PER_S, &res);
        assert_int_equal(res.exit_code, 128 + SIGTERM);
        kp_buf_free(&res.output);
}

static void test_output_captured(void **state)
{
        kp_proc_result_t res;

        (void)state;
        shell("echo to-stdout; echo to-stderr >&2; printf last", 5 * KP_NS_PER_S, &res);
        assert_int_equal(res.exit_code, 0);
        assert_contains(kp_buf_cstr(&res.output), "to-stdout\n");
        assert_contains(kp_buf_cstr(&res.output), "to-stderr\n");
        assert_int_equal(strcmp(kp_buf_cstr(&res.output) + res.output.len - 4, "last"), 0);
        kp_buf_free(&res.output);
}

/* Only the last output_limit bytes are kept. */
static void test_output_tail(void **state)
{
        const char *argv[] = {"/bin/sh", "-c",
                              "i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done; "
                              "printf END",
                              NULL};
        kp_proc_opts_t o;
        kp_proc_result_t res;
        kp_err_t err;

        (void)state;
        memset(&o, 0, sizeof(o));
        o.argv = argv;
        o.timeout_ns = 20 * KP_NS_PER_S;
        o.output_limit = 1000;
        assert_int_equal(kp_proc_run(&o, &res, &err), 0);
        assert_int_equal(res.exit_code, 0);
        assert_int_equal(res.output.len, 1000);
        assert_int_equal(strlen(kp_buf_cstr(&res.output)), 1000);
        assert_string_equal(kp_buf_cstr(&res.output) + 1000 - 13, "line-1999\nEND");
        assert_not_contains(kp_buf_cstr(&res.output), "line-0\n");
        kp_buf_free(&res.output);
}

/* stdin data larger than a pipe buffer is delivered whole. */
static void test_stdin(void **state)
{
        const char *argv[] = {"wc", "-c", NULL};
        const char *cat[] = {"cat", NULL};
        size_t n = 300000;
        char *data = malloc(n);
        kp_proc_opts_t o;
        kp_proc_result_t res;
        kp_err_t err;

        (void)state;
        assert_non_null(data);
        memset(data, 'd', n);
        memset(&o, 0, sizeof(o));
        o.argv = argv;
        o.stdin_data = data;
        o.stdin_len = n;
        o.timeout_ns = 20 * KP_NS_PER_S;
        assert_int_equal(kp_proc_run(&o, &res, &err), 0);
        assert_int_equal(res.exit_code, 0);
        assert_int_equal(strtol(kp_buf_cstr(&res.output), NULL, 10), (long)n);
        kp_buf_free(&res.output);

        o.argv = cat;
        o.stdin_data = "echo me";
        o.stdin_len = 7;
        assert_int_equal(kp_proc_run(&o, &res, &err), 0);
        assert_string_equal(kp_buf_cstr(&res.output), "echo me");
        kp_buf_free(&res.output);

        /* without stdin data the child reads end of file at once */
        o.stdin_data = NULL;
        assert_int_equal(kp_proc_run(&o, &res, &err), 0);
        assert_int_equal(res.exit_code, 0);
        assert_int_equal(res.output.len, 0);
        assert_int_equal(res.timed_out, 0);
        kp_buf_free(&res.output);
        free(data);
}

static void test_env_and_cwd(void **state)
{
        const char *argv[] = {"/bin/sh", "-c", "printf '%s|%s|' \"$KPT_A\" \"$KPT_B\"; pwd", NULL};
        kp_kvlist_t env = {0};
        kp_proc_opts_t o;
        kp_proc_result_t res;
        kp_err_t err;
        char want[1200];

        (void)state;
        assert_int_equal(kp_kvlist_set(&env, "KPT_A", "alpha"), 0);
        assert_int_equal(kp_kvlist_set(&env, "KPT_B", "two words"), 0);
        memset(&o, 0, sizeof(o));
        o.argv = argv;
        o.env = &env;
        o.cwd = tmpdir;
        o.timeout_ns = 5 * KP_NS_PER_S;
        assert_int_equal(kp_proc_run(&o, &res, &err), 0);
        snprintf(want, sizeof(want), "alpha|two words|%s\n", tmpdir);
        assert_string_equal(kp_buf_cstr(&res.output), want);
        kp_buf_free(&res.output);
        /* the parent's environment is unchanged */
        assert_null(getenv("KPT_A"));

        /* a variable the parent has is replaced in the child only, once; the
         * rest of the parent's environment is passed on (PATH finds printf) */
        {
                const char *argv2[] = {"/bin/sh", "-c",
                                       "printf '%s|%s' \"$KPT_A\" \"$(env | grep -c '^KPT_A=')\"",
                                       NULL};
                setenv("KPT_A", "parent", 1);
                o.argv = argv2;
                assert_int_equal(kp_proc_run(&o, &res, &err), 0);
                assert_string_equal(kp_buf_cstr(&res.output), "alpha|1");
                kp_buf_free(&res.output);
                assert_string_equal(getenv("KPT_A"), "parent");
                unsetenv("KPT_A");
                o.argv = argv;
        }

        o.cwd = "/nonexistent/dir";
        assert_int_equal(kp_proc_run(&o, &res, &err), 0);
        assert_int_equal(res.exit_code, 126);
        kp_buf_free(&res.output);
        kp_kvlist_clear(&env);
}

static void test_missing_command(void **state)
{
        const char *argv[] = {"kproof-no-such-command-xyz", "arg", NULL};
        kp_proc_opts_t o;
        kp_proc_result_t res;
        kp_err_t err;

        (void)state;
        memset(&o, 0, sizeof(o));
        o.argv = argv;
        o.timeout_ns = 5 * KP_NS_PER_S;
        assert_int_equal(kp_proc_run(&o, &res, &err), 0);
        assert_int_equal(res.exit_code, 127);
        assert_contains(kp_buf_cstr(&res.output),
                        "cannot execute kproof-no-such-command-xyz: errno 2\n");
        kp_buf_free(&res.output);
}

/* True when pid is gone or a zombie (killed, not yet reaped by init). */
static int pid_dead(long pid)
{
        char path[64], buf[512], *p;
        FILE *f;
        size_t n;

        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        f = fopen(path, "r");
        if (!f)
                return 1;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        p = strrchr(buf, ')');
        return p && (p[2] == 'Z' || p[2] == 'X');
}

/* Reads the pid a command wrote to path. */
static long read_pid(const char *path)
{
        kp_buf_t b;
        kp_err_t err;
        long pid;

        kp_buf_init(&b, 0);
        assert_int_equal(kp_read_file(path, 64, &b, &err), 0);
        pid = strtol(kp_buf_cstr(&b), NULL, 10);
        kp_buf_free(&b);
        assert_true(pid > 1);
        return pid;
}

static void assert_dies(long pid)
{
        int i;

        for (i = 0; i < 200 && !pid_dead(pid); i++)
                kp_sleep_ms(10);
        if (!pid_dead(pid)) {
                kill((pid_t)pid, SIGKILL);
                fail_msg("process %ld survived the timeout", pid);
        }
}

/* On timeout the whole process group dies: the shell and the background
 * process it started, which still holds the output pipe. */
static void test_timeout_kills_group(void **state)
{
        char cmd[1400], pidfile[1200];
        kp_proc_result_t res;

        (void)state;
        assert_int_equal(kp_path_join(pidfile, sizeof(pidfile), tmpdir, "bg.pid"), 0);
        snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; echo started; wait", pidfile);
        shell(cmd, 1500 * KP_NS_PER_MS, &res);
        assert_int_equal(res.timed_out, 1);
        assert_int_equal(res.exit_code, 128 + SIGKILL);
        assert_true(res.duration_ns >= 1500 * KP_NS_PER_MS);
        assert_true(res.duration_ns < 10 * KP_NS_PER_S);
        assert_contains(kp_buf_cstr(&res.output), "started");
        kp_buf_free(&res.output);

        assert_dies(read_pid(pidfile));
}

/* The shell exits at once but leaves a child holding the output open: the
 * deadline still bounds the run, the shell's status is kept, and the
 * orphan is killed with the group. */
static void test_timeout_with_orphan_holding_output(void **state)
{
        char cmd[1400], pidfile[1200];
        kp_proc_result_t res;
        int64_t t0 = kp_mono_ns();

        (void)state;
        assert_int_equal(kp_path_join(pidfile, sizeof(pidfile), tmpdir, "orphan.pid"), 0);
        snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; exit 3", pidfile);
        shell(cmd, 1500 * KP_NS_PER_MS, &res);
        assert_true(kp_mono_ns() - t0 < 10 * KP_NS_PER_S);
        assert_int_equal(res.exit_code, 3);
        assert_int_equal(res.timed_out, 1);
        kp_buf_free(&res.output);
        assert_dies(read_pid(pidfile));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_exit_codes),
            cmocka_unit_test(test_output_captured),
            cmocka_unit_test(test_output_tail),
            cmocka_unit_test(test_stdin),
            cmocka_unit_test(test_env_and_cwd),
            cmocka_unit_test(test_missing_command),
            cmocka_unit_test(test_timeout_kills_group),
            cmocka_unit_test(test_timeout_with_orphan_holding_output),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
