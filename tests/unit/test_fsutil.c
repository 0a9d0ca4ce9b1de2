/* Unit tests of fsutil: atomic writes without leftovers, redaction on write
 * (but not on raw writes), bounded reads, mkdir -p, rm -rf, path helpers. */
#include "kptest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "util/secret.h"

static char tmpdir[1024];

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("fsutil", tmpdir, sizeof(tmpdir));
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

/* Number of entries of dir whose name contains needle. */
static int count_entries(const char *dir, const char *needle)
{
        struct dirent *de;
        DIR *d = opendir(dir);
        int n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
                    strstr(de->d_name, needle))
                        n++;
        closedir(d);
        return n;
}

static void read_all(const char *path, kp_buf_t *b)
{
        kp_err_t err;

        kp_buf_init(b, 0);
        if (kp_read_file(path, (size_t)1 << 20, b, &err) != 0)
                fail_msg("%s", err.msg);
}

static void test_atomic_write(void **state)
{
        char dir[1100], path[1200];
        struct stat st;
        kp_err_t err;
        kp_buf_t b;

        (void)state;
        join(dir, sizeof(dir), "atomic");
        assert_int_equal(kp_mkdir_p(dir, &err), 0);
        assert_int_equal(kp_path_join(path, sizeof(path), dir, "out.txt"), 0);
        assert_int_equal(kp_write_file(path, "first version\n", 14, 0600, &err), 0);
        read_all(path, &b);
        assert_string_equal(kp_buf_cstr(&b), "first version\n");
        kp_buf_free(&b);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        /* overwrite replaces the content and the mode */
        assert_int_equal(kp_write_file(path, "2", 1, 0644, &err), 0);
        read_all(path, &b);
        assert_string_equal(kp_buf_cstr(&b), "2");
        kp_buf_free(&b);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        /* empty files are files too */
        assert_int_equal(kp_write_file(path, "", 0, 0644, &err), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 0);
        /* nothing but the file itself is left in the directory */
        assert_int_equal(count_entries(dir, ""), 1);
        assert_int_equal(count_entries(dir, ".tmp"), 0);
}

/* A write into a missing directory fails, names the path and leaves no
 * temporary file; the previous content of an existing file survives a
 * failed write. */
static void test_write_failure(void **state)
{
        char path[1200], dir[1100];
        kp_err_t err;
        kp_buf_t b;

        (void)state;
        join(path, sizeof(path), "missing/sub/file.txt");
        assert_int_equal(kp_write_file(path, "x", 1, 0644, &err), -1);
        assert_int_equal(err.code, KP_EIO);
        assert_contains(err.msg, path);
        assert_false(kp_path_exists(path));

        /* the target name is a directory: rename fails, temp file removed */
        join(dir, sizeof(dir), "isdir");
        assert_int_equal(kp_mkdir_p(dir, &err), 0);
        assert_int_equal(kp_write_file(dir, "x", 1, 0644, &err), -1);
        assert_contains(err.msg, "isdir");
        assert_int_equal(count_entries(tmpdir, "isdir.tmp"), 0);
        assert_true(kp_is_dir(dir));

        /* read-only directory: the existing file keeps its content */
        join(dir, sizeof(dir), "ro");
        assert_int_equal(kp_mkdir_p(dir, &err), 0);
        assert_int_equal(kp_path_join(path, sizeof(path), dir, "keep.txt"), 0);
        assert_int_equal(kp_write_file(path, "old", 3, 0644, &err), 0);
        assert_int_equal(chmod(dir, 0555), 0);
        if (access(dir, W_OK) == 0) {
                /* running as root: permissions do not stop writes */
                assert_int_equal(chmod(dir, 0755), 0);
                return;
        }
        assert_int_equal(kp_write_file(path, "new", 3, 0644, &err), -1);
        assert_int_equal(chmod(dir, 0755), 0);
        read_all(path, &b);
        assert_string_equal(kp_buf_cstr(&b), "old");
        kp_buf_free(&b);
        assert_int_equal(count_entries(dir, ".tmp"), 0);
}

static void test_write_redacts_raw_does_not(void **state)
{
        const char *secret = "fs-secret-0xC0FFEE";
        char text[256], path[1200];
        kp_err_t err;
        kp_buf_t b;

        (void)state;
        assert_int_equal(kp_secret_add(secret), 0);
        snprintf(text, sizeof(text), "password=%s\nagain:%s", secret, secret);
        join(path, sizeof(path), "redacted.txt");
        assert_int_equal(kp_write_file(path, text, strlen(text), 0644, &err), 0);
        read_all(path, &b);
        assert_string_equal(kp_buf_cstr(&b), "password=***\nagain:***");
        kp_buf_free(&b);

        join(path, sizeof(path), "raw.bin");
        assert_int_equal(kp_write_file_raw(path, text, strlen(text), 0644, &err), 0);
        read_all(path, &b);
        assert_string_equal(kp_buf_cstr(&b), text);
        kp_buf_free(&b);
        kp_secret_clear();
}

static void test_read_limits(void **state)
{
        char path[1200];
        kp_err_t err;
        kp_buf_t b;

        (void)state;
        join(path, sizeof(path), "ten.txt");
        assert_int_equal(kp_write_file(path, "0123456789", 10, 0644, &err), 0);
        kp_buf_init(&b, 0);
        assert_int_equal(kp_buf_puts(&b, ">"), 0);
        assert_int_equal(kp_read_file(path, 10, &b, &err), 0);
        assert_string_equal(kp_buf_cstr(&b), ">0123456789"); /* appends */
        kp_buf_reset(&b);
        assert_int_equal(kp_read_file(path, 9, &b, &err), -1);
        assert_int_equal(err.code, KP_EINVAL);
        assert_contains(err.msg, path);
        assert_contains(err.msg, "larger than 9 bytes");
        kp_buf_reset(&b);
        join(path, sizeof(path), "no-such-file");
        assert_int_equal(kp_read_file(path, 10, &b, &err), -1);
        assert_int_equal(err.code, KP_EIO);
        assert_contains(err.msg, "no-such-file");
        kp_buf_free(&b);
}

static void test_mkdir_p(void **state)
{
        char path[1200], file[1200], deep[1300];
        char longpath[5000];
        kp_err_t err;

        (void)state;
        join(path, sizeof(path), "a/b/c/d");
        assert_int_equal(kp_mkdir_p(path, &err), 0);
        assert_true(kp_is_dir(path));
        assert_int_equal(kp_mkdir_p(path, &err), 0); /* exists: fine */
        join(path, sizeof(path), "x//y/");
        assert_int_equal(kp_mkdir_p(path, &err), 0);
        join(path, sizeof(path), "x/y");
        assert_true(kp_is_dir(path));
        /* a file in the way */
        join(file, sizeof(file), "plainfile");
        assert_int_equal(kp_write_file(file, "f", 1, 0644, &err), 0);
        assert_int_equal(kp_mkdir_p(file, &err), -1);
        assert_int_equal(err.code, KP_EIO);
        assert_contains(err.msg, "plainfile");
        snprintf(deep, sizeof(deep), "%s/below", file);
        assert_int_equal(kp_mkdir_p(deep, &err), -1);
        assert_int_equal(kp_mkdir_p("", &err), -1);
        memset(longpath, 'a', sizeof(longpath) - 1);
        longpath[sizeof(longpath) - 1] = '\0';
        assert_int_equal(kp_mkdir_p(longpath, &err), -1);
        assert_int_equal(err.code, KP_EIO);
}

static void test_exists_isdir_nonempty(void **state)
{
        char dir[1200], file[1300];
        kp_err_t err;

        (void)state;
        join(dir, sizeof(dir), "probe");
        assert_false(kp_path_exists(dir));
        assert_false(kp_is_dir(dir));
        assert_false(kp_dir_nonempty(dir));
        assert_int_equal(kp_mkdir_p(dir, &err), 0);
        assert_true(kp_path_exists(dir));
        assert_true(kp_is_dir(dir));
        assert_false(kp_dir_nonempty(dir));
        assert_int_equal(kp_path_join(file, sizeof(file), dir, ".hidden"), 0);
        assert_int_equal(kp_write_file(file, "h", 1, 0644, &err), 0);
        assert_true(kp_dir_nonempty(dir));
        assert_true(kp_path_exists(file));
        assert_false(kp_is_dir(file));
        assert_false(kp_dir_nonempty(file));
}

/* rm -rf removes a whole tree but never follows a symlink out of it. */
static void test_rm_rf(void **state)
{
        char tree[1200], p[1400], outside[1200], keep[1300];
        kp_err_t err;

        (void)state;
        join(tree, sizeof(tree), "tree");
        join(outside, sizeof(outside), "outside");
        assert_int_equal(kp_mkdir_p(outside, &err), 0);
        assert_int_equal(kp_path_join(keep, sizeof(keep), outside, "keep.txt"), 0);
        assert_int_equal(kp_write_file(keep, "k", 1, 0644, &err), 0);
        snprintf(p, sizeof(p), "%s/d1/d2/d3", tree);
        assert_int_equal(kp_mkdir_p(p, &err), 0);
        snprintf(p, sizeof(p), "%s/d1/d2/d3/f", tree);
        assert_int_equal(kp_write_file(p, "f", 1, 0644, &err), 0);
        snprintf(p, sizeof(p), "%s/top.txt", tree);
        assert_int_equal(kp_write_file(p, "t", 1, 0644, &err), 0);
        snprintf(p, sizeof(p), "%s/d1/link", tree);
        assert_int_equal(symlink(outside, p), 0);
        snprintf(p, sizeof(p), "%s/d1/dangling", tree);
        assert_int_equal(symlink("/nonexistent/target", p), 0);
        assert_int_equal(kp_rm_rf(tree), 0);
        assert_false(kp_path_exists(tree));
        assert_true(kp_path_exists(keep));
        /* missing: nothing to do */
        assert_int_equal(kp_rm_rf(tree), 0);
        /* a plain file */
        assert_int_equal(kp_rm_rf(keep), 0);
        assert_false(kp_path_exists(keep));
}

static void test_path_join(void **state)
{
        char out[8];

        (void)state;
        assert_int_equal(kp_path_join(out, sizeof(out), "a", "b"), 0);
        assert_string_equal(out, "a/b");
        assert_int_equal(kp_path_join(out, sizeof(out), "a/", "b"), 0);
        assert_string_equal(out, "a/b");
        assert_int_equal(kp_path_join(out, sizeof(out), "", "b"), 0);
        assert_string_equal(out, "b");
        assert_int_equal(kp_path_join(out, sizeof(out), NULL, "b"), 0);
        assert_string_equal(out, "b");
        /* exactly fits: 7 characters and the terminator */
        assert_int_equal(kp_path_join(out, sizeof(out), "abc", "def"), 0);
        assert_string_equal(out, "abc/def");
        /* one more does not: -1, and the output is still terminated */
        assert_int_equal(kp_path_join(out, sizeof(out), "abc", "defg"), -1);
        assert_int_equal(strlen(out), sizeof(out) - 1);
        assert_int_equal(kp_path_join(out, sizeof(out), "", "12345678"), -1);
        assert_int_equal(kp_path_join(out, 1, "a", "b"), -1);
        assert_string_equal(out, "");
}

static void test_path_stem(void **state)
{
        static const char *const cases[][2] = {
            {"scenarios/x.json", "x"},
            {"x.json", "x"},
            {"a/b.c.d", "b.c"},
            {"noext", "noext"},
            {"dir.d/noext", "noext"},
            {".hidden", ".hidden"},
            {"/abs/path/quick-start.json", "quick-start"},
            {"trailing/", ""},
        };
        char out[64], small[4];
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                kp_path_stem(cases[i][0], out, sizeof(out));
                assert_string_equal(out, cases[i][1]);
        }
        kp_path_stem("scenarios/quickstart.json", small, sizeof(small));
        assert_string_equal(small, "qui");
}

static void test_path_dir(void **state)
{
        char path[2048], out[2048], want[PATH_MAX];

        (void)state;
        join(path, sizeof(path), "t.json");
        assert_int_equal(kp_write_file(path, "{}", 2, 0644, NULL), 0);
        kp_path_dir(path, out, sizeof(out));
        assert_non_null(realpath(tmpdir, want));
        assert_string_equal(out, want);
        kp_path_dir("/no-such-dir/t.json", out, sizeof(out));
        assert_string_equal(out, "/no-such-dir");
        kp_path_dir("/t.json", out, sizeof(out));
        assert_string_equal(out, "/");
        kp_path_dir("no-such-file.json", out, sizeof(out));
        assert_string_equal(out, ".");
        kp_path_dir(NULL, out, sizeof(out));
        assert_string_equal(out, ".");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_atomic_write),
            cmocka_unit_test(test_write_failure),
            cmocka_unit_test(test_write_redacts_raw_does_not),
            cmocka_unit_test(test_read_limits),
            cmocka_unit_test(test_mkdir_p),
            cmocka_unit_test(test_exists_isdir_nonempty),
            cmocka_unit_test(test_rm_rf),
            cmocka_unit_test(test_path_join),
            cmocka_unit_test(test_path_stem),
            cmocka_unit_test(test_path_dir),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
