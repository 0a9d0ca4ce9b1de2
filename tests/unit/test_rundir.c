/* Unit tests of rundir: the run directory is built under "<final>.partial"
 * and renamed on commit; an uncommitted directory stays ".partial". */
#include "kptest.h"

#include <sys/stat.h>

#include "evidence/rundir.h"
#include "util/secret.h"

static char tmpdir[1024];

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("rundir", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        kp_secret_clear();
        return kp_rm_rf(tmpdir);
}

static void join(char *out, size_t size, const char *rel)
{
        assert_int_equal(kp_path_join(out, size, tmpdir, rel), 0);
}

static void assert_file(const char *dir, const char *rel, const char *content)
{
        char path[4096];
        kp_buf_t b;
        kp_err_t err;

        assert_int_equal(kp_path_join(path, sizeof(path), dir, rel), 0);
        kp_buf_init(&b, 0);
        if (kp_read_file(path, 1 << 20, &b, &err) != 0)
                fail_msg("%s", err.msg);
        assert_string_equal(kp_buf_cstr(&b), content);
        kp_buf_free(&b);
}

static void test_build_then_commit(void **state)
{
        char out[1200], partial[1300], path[4096];
        kp_rundir_t rd;
        kp_err_t err;

        (void)state;
        join(out, sizeof(out), "run1");
        snprintf(partial, sizeof(partial), "%s.partial", out);
        assert_int_equal(kp_rundir_create(&rd, out, "s", "t", 0, &err), 0);
        assert_string_equal(rd.final_path, out);
        assert_string_equal(rd.work_path, partial);
        assert_true(kp_is_dir(partial));
        assert_false(kp_path_exists(out));

        assert_int_equal(kp_rundir_write(&rd, "evidence.json", "{}", 2, &err), 0);
        assert_int_equal(kp_rundir_write(&rd, "raw/p0/events.jsonl", "e\n", 2, &err), 0);
        assert_int_equal(kp_rundir_path(&rd, "report.html", path, sizeof(path)), 0);
        assert_string_equal(path + strlen(partial), "/report.html");
        assert_int_equal(strncmp(path, partial, strlen(partial)), 0);
        /* while the run is going, nothing exists under the final name */
        assert_false(kp_path_exists(out));
        assert_file(partial, "raw/p0/events.jsonl", "e\n");

        assert_int_equal(kp_rundir_commit(&rd, &err), 0);
        assert_true(kp_is_dir(out));
        assert_false(kp_path_exists(partial));
        assert_file(out, "evidence.json", "{}");
        assert_file(out, "raw/p0/events.jsonl", "e\n");
}

/* A run that never commits (crash, interrupt) leaves only the .partial
 * directory: a directory without the suffix is always complete. */
static void test_uncommitted_stays_partial(void **state)
{
        char out[1200], partial[1300];
        kp_rundir_t rd;
        kp_err_t err;

        (void)state;
        join(out, sizeof(out), "crashed");
        snprintf(partial, sizeof(partial), "%s.partial", out);
        assert_int_equal(kp_rundir_create(&rd, out, "s", "t", 0, &err), 0);
        assert_int_equal(kp_rundir_write(&rd, "half.json", "{", 1, &err), 0);
        assert_false(kp_path_exists(out));
        assert_true(kp_is_dir(partial));
        assert_file(partial, "half.json", "{");

        /* the next run at that place starts from a clean .partial */
        assert_int_equal(kp_rundir_create(&rd, out, "s", "t", 0, &err), 0);
        assert_true(kp_is_dir(partial));
        assert_false(kp_dir_nonempty(partial));
        assert_int_equal(kp_rundir_commit(&rd, &err), 0);
        assert_true(kp_is_dir(out));
        assert_false(kp_dir_nonempty(out));
}

/* --out naming an existing non-empty directory is a usage error; an empty
 * one is replaced on commit. */
static void test_existing_out_dir(void **state)
{
        char out[1200], file[1300];
        kp_rundir_t rd;
        kp_err_t err;

        (void)state;
        join(out, sizeof(out), "full");
        assert_int_equal(kp_mkdir_p(out, &err), 0);
        assert_int_equal(kp_path_join(file, sizeof(file), out, "precious.txt"), 0);
        assert_int_equal(kp_write_file(file, "keep", 4, 0644, &err), 0);
        assert_int_equal(kp_rundir_create(&rd, out, "s", "t", 0, &err), -1);
        assert_int_equal(err.code, KP_EUSAGE);
        assert_contains(err.msg, out);
        assert_contains(err.msg, "not empty");
        assert_true(kp_path_exists(file));

        join(out, sizeof(out), "empty");
        assert_int_equal(kp_mkdir_p(out, &err), 0);
        assert_int_equal(kp_rundir_create(&rd, out, "s", "t", 0, &err), 0);
        assert_int_equal(kp_rundir_write(&rd, "a.txt", "a", 1, &err), 0);
        assert_int_equal(kp_rundir_commit(&rd, &err), 0);
        assert_file(out, "a.txt", "a");
}

/* Without --out: out/<scenario>-<target>-<utc time>, with a numeric suffix
 * when that name is taken. */
static void test_default_name(void **state)
{
        int64_t t = 1795890772LL * 1000000000LL;
        char cwd[4096], base[1200];
        kp_rundir_t rd, rd2;
        kp_err_t err;

        (void)state;
        assert_non_null(getcwd(cwd, sizeof(cwd)));
        join(base, sizeof(base), "cwd");
        assert_int_equal(kp_mkdir_p(base, &err), 0);
        assert_int_equal(chdir(base), 0);
        assert_int_equal(kp_rundir_create(&rd, NULL, "quickstart", "embedded", t, &err), 0);
        assert_string_equal(rd.final_path, "out/quickstart-embedded-20261128T183252Z");
        assert_string_equal(rd.work_path, "out/quickstart-embedded-20261128T183252Z.partial");
        assert_true(kp_is_dir(rd.work_path));
        assert_int_equal(kp_rundir_commit(&rd, &err), 0);
        assert_int_equal(kp_rundir_create(&rd2, NULL, "quickstart", "embedded", t, &err), 0);
        assert_string_equal(rd2.final_path, "out/quickstart-embedded-20261128T183252Z-2");
        assert_int_equal(kp_rundir_commit(&rd2, &err), 0);
        assert_true(kp_is_dir("out/quickstart-embedded-20261128T183252Z"));
        assert_true(kp_is_dir("out/quickstart-embedded-20261128T183252Z-2"));
        assert_int_equal(chdir(cwd), 0);
}

static void test_write_redacts_and_errors(void **state)
{
        const char *secret = "rundir-secret-5521";
        char out[1200], text[128], longrel[5000];
        kp_rundir_t rd;
        kp_err_t err;

        (void)state;
        join(out, sizeof(out), "redact");
        assert_int_equal(kp_rundir_create(&rd, out, "s", "t", 0, &err), 0);
        assert_int_equal(kp_secret_add(secret), 0);
        snprintf(text, sizeof(text), "token=%s", secret);
        assert_int_equal(kp_rundir_write(&rd, "log.txt", text, strlen(text), &err), 0);
        assert_file(rd.work_path, "log.txt", "token=***");
        kp_secret_clear();

        memset(longrel, 'r', sizeof(longrel) - 1);
        longrel[sizeof(longrel) - 1] = '\0';
        assert_int_equal(kp_rundir_write(&rd, longrel, "x", 1, &err), -1);
        assert_int_equal(err.code, KP_EIO);
        assert_int_equal(kp_rundir_path(&rd, longrel, text, sizeof(text)), -1);

        /* commit fails with a message when the work directory is gone */
        assert_int_equal(kp_rm_rf(rd.work_path), 0);
        assert_int_equal(kp_rundir_commit(&rd, &err), -1);
        assert_int_equal(err.code, KP_EIO);
        assert_contains(err.msg, ".partial");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_build_then_commit),
            cmocka_unit_test(test_uncommitted_stays_partial),
            cmocka_unit_test(test_existing_out_dir),
            cmocka_unit_test(test_default_name),
            cmocka_unit_test(test_write_redacts_and_errors),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
