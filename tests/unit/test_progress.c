/* Unit tests of progress: the status line's formatter (fields, units, the
 * cut to the terminal's width that never splits a character), the width
 * from TIOCGWINSZ or COLUMNS, and the render thread drawing a line from a
 * counting source into stderr (redirected to a file here): redraws with
 * "\r", erased by a log line, a stall shown as "no acks", the line ended
 * with a newline and no longer drawn after a stop request, secrets
 * redacted. */
#include "kptest.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <time.h>

#include "util/log.h"
#include "util/progress.h"
#include "util/secret.h"
#include "util/signals.h"
#include "util/timeutil.h"

static kp_progress_view_t full_view(void)
{
        kp_progress_view_t v;

        memset(&v, 0, sizeof(v));
        v.suite = "failover";
        v.suite_ns = 62 * KP_NS_PER_S + 400 * KP_NS_PER_MS;
        v.check = "failover.faults";
        v.check_ns = 12 * KP_NS_PER_S;
        v.has_rates = 1;
        v.acked_per_s = 1049.0;
        v.consumed_per_s = 998.2;
        v.fault = "kill_leader p0: broker 2";
        v.fault_ns = 3140 * KP_NS_PER_MS;
        v.unavailable = "no acks";
        v.unavailable_ns = 2900 * KP_NS_PER_MS;
        return v;
}

static void test_format_fields(void **state)
{
        kp_progress_view_t v = full_view();
        char out[512];
        size_t n;

        (void)state;
        n = kp_progress_format(&v, 300, out, sizeof(out));
        assert_string_equal(out, "[failover 1:02]  failover.faults 0:12  acked 1.0k/s  consumed "
                                 "998/s  fault: kill_leader p0: broker 2 (3.1 s)  no acks 2.9 s");
        assert_int_equal(n, strlen(out));
        /* absent parts leave no separators behind */
        v.check = NULL;
        v.has_rates = 0;
        v.fault = "";
        v.unavailable = NULL;
        kp_progress_format(&v, 300, out, sizeof(out));
        assert_string_equal(out, "[failover 1:02]");
}

/* The line never reaches the last column (the terminal would wrap it). */
static void test_format_width(void **state)
{
        kp_progress_view_t v = full_view();
        char out[512];
        size_t n;
        int w;

        (void)state;
        /* too wide in full (123 columns): compact, the fault before the rates */
        n = kp_progress_format(&v, 124, out, sizeof(out));
        assert_int_equal(n, 123);
        assert_true(strncmp(out, "[failover 1:02]  ", 17) == 0);
        n = kp_progress_format(&v, 123, out, sizeof(out));
        assert_string_equal(out, "failover.faults 0:12  fault: kill_leader p0: broker 2 (3.1 s)  "
                                 "no acks 2.9 s  ack 1.0k/s  cons 998/s");
        /* the default 80 columns: the fault and the stall stay visible */
        n = kp_progress_format(&v, 80, out, sizeof(out));
        assert_int_equal(n, 79);
        assert_string_equal(out, "failover.faults 0:12  fault: kill_leader p0: broker 2 (3.1 s)  "
                                 "no acks 2.9 s  ~");
        n = kp_progress_format(&v, 40, out, sizeof(out));
        assert_int_equal(n, 39);
        assert_string_equal(out, "failover.faults 0:12  fault: kill_lead~");
        for (w = 0; w < 130; w++) {
                n = kp_progress_format(&v, w, out, sizeof(out));
                assert_int_equal(n, strlen(out));
                assert_true(n <= (size_t)(w > 1 ? w - 1 : 0));
        }
        /* exactly fitting: no cut mark */
        v.check = NULL;
        v.has_rates = 0;
        v.fault = NULL;
        v.unavailable = NULL;
        n = kp_progress_format(&v, 16, out, sizeof(out));
        assert_string_equal(out, "[failover 1:02]");
        n = kp_progress_format(&v, 15, out, sizeof(out));
        assert_string_equal(out, "[failover 1:0~");
        /* without a check the compact line keeps the suite */
        v.has_rates = 1;
        kp_progress_format(&v, 30, out, sizeof(out));
        assert_string_equal(out, "[failover 1:02]  ack 1.0k/s ~");
        /* a small buffer cuts too, NUL-terminated */
        v = full_view();
        n = kp_progress_format(&v, 300, out, 12);
        assert_int_equal(n, strlen(out));
        assert_true(n < 12);
}

/* Columns are characters: a multi-byte character is one column and is
 * never split; control characters and invalid bytes become '?'. */
static void test_format_utf8_and_controls(void **state)
{
        kp_progress_view_t v;
        char out[256];
        size_t n;

        (void)state;
        memset(&v, 0, sizeof(v));
        v.suite = "s";
        v.fault = "z\xc3\xa9n\xc3\xa9"; /* "zéné" */
        n = kp_progress_format(&v, 100, out, sizeof(out));
        assert_string_equal(out, "[s 0:00]  fault: z\xc3\xa9n\xc3\xa9 (0.0 s)");
        /* 21 columns: "[s 0:00]  fault: z" + "é" + "n" + "é" is 21 columns */
        n = kp_progress_format(&v, 22, out, sizeof(out));
        assert_string_equal(out, "[s 0:00]  fault: z\xc3\xa9n~");
        assert_int_equal(n, strlen(out));
        n = kp_progress_format(&v, 20, out, sizeof(out));
        assert_string_equal(out, "[s 0:00]  fault: z~");
        v.fault = "a\nb\033[2J\xff";
        kp_progress_format(&v, 100, out, sizeof(out));
        assert_string_equal(out, "[s 0:00]  fault: a?b?[2J? (0.0 s)");
}

static void test_units(void **state)
{
        static const struct {
                double v;
                const char *want;
        } rates[] = {
            {-5, "0/s"},           {0, "0/s"},          {850, "850/s"},
            {999.4, "999/s"},      {999.6, "1.0k/s"},   {12345, "12.3k/s"},
            {999949, "999.9k/s"},  {999960, "1.00M/s"}, {1.25e6, "1.25M/s"},
            {3.5e9, "3500.00M/s"},
        };
        static const struct {
                int64_t s;
                const char *want;
        } clocks[] = {{-1, "0:00"}, {0, "0:00"}, {7, "0:07"}, {723, "12:03"}, {3723, "1:02:03"}};
        char out[32];
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
                kp_progress_rate(rates[i].v, out, sizeof(out));
                assert_string_equal(out, rates[i].want);
        }
        for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
                kp_progress_clock(clocks[i].s * KP_NS_PER_S + 999 * KP_NS_PER_MS, out, sizeof(out));
                assert_string_equal(out, clocks[i].want);
        }
}

/* TIOCGWINSZ first (a pseudo-terminal here), then $COLUMNS, then 80. */
static void test_columns(void **state)
{
        struct winsize ws;
        int master, slave, p[2];

        (void)state;
        assert_int_equal(pipe(p), 0);
        unsetenv("COLUMNS");
        assert_int_equal(kp_progress_columns(p[1]), 80);
        assert_int_equal(kp_progress_columns(-1), 80);
        setenv("COLUMNS", "52", 1);
        assert_int_equal(kp_progress_columns(p[1]), 52);
        setenv("COLUMNS", "52x", 1);
        assert_int_equal(kp_progress_columns(p[1]), 80);
        setenv("COLUMNS", "0", 1);
        assert_int_equal(kp_progress_columns(p[1]), 80);
        close(p[0]);
        close(p[1]);

        master = posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
                if (master >= 0)
                        close(master);
                skip(); /* no pseudo-terminals here */
        }
        slave = open(ptsname(master), O_RDWR | O_NOCTTY);
        assert_true(slave >= 0);
        memset(&ws, 0, sizeof(ws));
        ws.ws_col = 77;
        ws.ws_row = 20;
        assert_int_equal(ioctl(slave, TIOCSWINSZ, &ws), 0);
        setenv("COLUMNS", "52", 1);
        assert_int_equal(kp_progress_columns(slave), 77);
        unsetenv("COLUMNS");
        close(slave);
        close(master);
}

/* A not-a-terminal stderr, -q and TERM=dumb each turn the line off. */
static void test_wanted(void **state)
{
        (void)state;
        /* the unit tests' stderr is not a terminal */
        if (!isatty(STDERR_FILENO))
                assert_false(kp_progress_wanted(0));
        assert_false(kp_progress_wanted(1));
}

/* A source counting in a thread of its own, as a workload does. */
typedef struct fake {
        atomic_ullong acked, consumed;
        atomic_int producing, run;
        pthread_t thr;
} fake_t;

static void fake_counts(void *opaque, kp_progress_counts_t *out)
{
        fake_t *f = opaque;

        out->acked = atomic_load(&f->acked);
        out->consumed = atomic_load(&f->consumed);
        out->producing = atomic_load(&f->producing);
}

static void *fake_main(void *arg)
{
        fake_t *f = arg;

        while (atomic_load(&f->run)) {
                if (atomic_load(&f->run) == 1) {
                        atomic_fetch_add(&f->acked, 20);
                        atomic_fetch_add(&f->consumed, 10);
                }
                kp_sleep_ms(10);
        }
        return NULL;
}

static char *read_all(const char *path)
{
        kp_buf_t b;
        char *s;

        kp_buf_init(&b, 16 << 20);
        assert_int_equal(kp_read_file(path, 16 << 20, &b, NULL), 0);
        s = strdup(kp_buf_cstr(&b));
        kp_buf_free(&b);
        return s;
}

static void test_render(void **state)
{
        char dir[4096], path[4200];
        fake_t f;
        int fd, saved;
        char *s, *end_of_draws;

        (void)state;
        kpt_tmpdir("progress", dir, sizeof(dir));
        snprintf(path, sizeof(path), "%s/stderr", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        fflush(stderr);
        saved = dup(STDERR_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        setenv("COLUMNS", "200", 1);
        kp_stop_reset();
        assert_int_equal(kp_secret_add("s3cr3t-t0ken-value"), 0);

        memset(&f, 0, sizeof(f));
        /* off: setters are no-ops */
        kp_progress_set_suite("nothing");
        assert_int_equal(kp_progress_source_add(fake_counts, &f), 0);

        atomic_store(&f.producing, 1);
        atomic_store(&f.run, 1);
        assert_int_equal(pthread_create(&f.thr, NULL, fake_main, &f), 0);
        assert_int_equal(kp_progress_start(), 0);
        kp_progress_set_suite("failover");
        kp_progress_set_check("failover.faults");
        assert_int_equal(kp_progress_source_add(fake_counts, &f), 0);
        kp_progress_set_fault(kp_mono_ns(), "kill_broker: broker %d", 2);
        kp_progress_set_unavailable(kp_mono_ns(), "token s3cr3t-t0ken-value");
        kp_sleep_ms(600);
        kp_progress_set_unavailable(0, NULL);
        kp_sleep_ms(1300);
        kp_log_write(KP_LOG_INFO, "a log line");
        atomic_store(&f.run, 2); /* acks stop while producing */
        kp_sleep_ms(1800);
        kp_progress_set_unavailable(kp_mono_ns(), "writes refused");
        kp_sleep_ms(600);
        kp_stop_request(SIGINT);
        {
                /* kp_sleep_ms returns at once after a stop request */
                struct timespec ts = {0, 700 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        kp_progress_stop();
        kp_progress_source_remove(&f); /* after stop: a no-op */
        atomic_store(&f.run, 0);
        pthread_join(f.thr, NULL);
        kp_stop_reset();
        kp_secret_clear();

        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        unsetenv("COLUMNS");
        s = read_all(path);
        assert_not_contains(s, "nothing");
        /* a secret in a fault or unavailability text is redacted */
        assert_not_contains(s, "s3cr3t-t0ken-value");
        assert_contains(s, "  token ");
        assert_contains(s, "\r[failover 0:00]  failover.faults 0:00  acked ");
        assert_contains(s, "fault: kill_broker: broker 2 (");
        assert_contains(s, "/s  consumed ");
        assert_contains(s, "\033[K\r\033[K"); /* the log line erased the status first */
        assert_contains(s, "kproof info: a log line\n");
        assert_contains(s, "acked 0/s  consumed 0/s"); /* the stall */
        assert_contains(s, "  no acks 1.");
        assert_contains(s, "  writes refused 0.");
        /* the stop request ended the line with a newline; nothing drawn after it */
        end_of_draws = strrchr(s, '\r');
        assert_non_null(end_of_draws);
        assert_contains(end_of_draws, "\033[K\n");
        assert_string_equal(end_of_draws + strlen(end_of_draws) - 4, "\033[K\n");
        free(s);
}

/* The log and the status line share stderr: a log line erases a drawn
 * status first, or, after a stop request, ends it with a newline so the
 * last status stays; an unchanged status is not drawn again. */
static void test_log_and_status(void **state)
{
        char dir[4096], path[4200];
        int fd, saved;
        char *s;

        (void)state;
        kpt_tmpdir("progress-log", dir, sizeof(dir));
        snprintf(path, sizeof(path), "%s/stderr", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        fflush(stderr);
        saved = dup(STDERR_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        kp_stop_reset();
        kp_log_status("one", 3);
        kp_log_status("one", 3);
        kp_log_write(KP_LOG_INFO, "first");
        kp_log_status_end(1); /* nothing drawn: nothing written */
        kp_log_status("two", 3);
        kp_stop_request(SIGINT);
        kp_log_write(KP_LOG_INFO, "second");
        kp_stop_reset();
        kp_log_status("three", 5);
        kp_log_status_end(0);
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        s = read_all(path);
        assert_true(strncmp(s, "\rone\033[K\r\033[K", 11) == 0 && s[11] >= '0' && s[11] <= '9');
        assert_contains(s, " kproof info: first\n\rtwo\033[K\n");
        assert_contains(s, " kproof info: second\n\rthree\033[K\r\033[K");
        assert_string_equal(s + strlen(s) - 12, "three\033[K\r\033[K");
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_format_fields),
            cmocka_unit_test(test_format_width),
            cmocka_unit_test(test_format_utf8_and_controls),
            cmocka_unit_test(test_units),
            cmocka_unit_test(test_columns),
            cmocka_unit_test(test_wanted),
            cmocka_unit_test(test_render),
            cmocka_unit_test(test_log_and_status),
        };
        return cmocka_run_group_tests(tests, 0, 0) == 0 ? 0 : 1;
}
