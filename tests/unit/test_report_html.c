/* Unit tests of report.html (and the compare page) from evidence.json: a report that would exceed
 * its size limit is an error and no file (never a truncated page); the
 * banner says "nothing was verified" for an all-skip run and the row badges
 * show the ERROR and SKIPPED states. */
#include "kptest.h"

#include <cjson/cJSON.h>

#include "evidence.h"
#include "report/report.h"

static char tmpdir[1024];

/* Writes evidence.json with one check per verdict letter ('p', 's', 'e')
 * in the given rows; returns its path in out. */
static void write_evidence(const char *verdicts, const char *row, char *out, size_t size)
{
        kp_run_meta_t m = {.run_id = "r", .scenario_name = "s", .target_name = "t"};
        kp_evidence_t *ev = kp_evidence_new(&m);
        kp_err_t err;
        size_t i;

        for (i = 0; verdicts[i]; i++) {
                char id[32];
                kp_check_t *c;
                snprintf(id, sizeof(id), "x.c%zu", i);
                c = kp_evidence_check_begin(ev, id, row, "x", id);
                if (verdicts[i] == 'p')
                        kp_check_pass(c, "measured");
                else if (verdicts[i] == 's')
                        kp_check_skip(c, "cannot run here");
                else
                        kp_check_error(c, "broken");
                kp_evidence_check_end(ev, c);
        }
        kp_evidence_finish(ev, 1, NULL);
        assert_int_equal(kp_path_join(out, size, tmpdir, "evidence.json"), 0);
        assert_int_equal(kp_evidence_write(ev, out, &err), 0);
        kp_evidence_free(ev);
}

static void render(const char *ev_path, const char *name, kp_buf_t *html)
{
        char out[2048];
        kp_err_t err;

        assert_int_equal(kp_path_join(out, sizeof(out), tmpdir, name), 0);
        if (kp_report_html(ev_path, out, &err) < 0)
                fail_msg("render: %s", err.msg);
        kp_buf_init(html, 0);
        assert_int_equal(kp_read_file(out, (size_t)64 << 20, html, NULL), 0);
}

static void test_truncated_is_error(void **state)
{
        char ev_path[2048], out[2048];
        kp_err_t err;

        (void)state;
        write_evidence("pp", "kafka-semantics", ev_path, sizeof(ev_path));
        assert_int_equal(kp_path_join(out, sizeof(out), tmpdir, "small.html"), 0);
        kp_report_html_set_limit(2000);
        assert_int_equal(kp_report_html(ev_path, out, &err), -1);
        assert_contains(err.msg, "would exceed 2000 bytes");
        assert_false(kp_path_exists(out));
        kp_report_html_set_limit(0);
        assert_int_equal(kp_report_html(ev_path, out, &err), 0);
        assert_true(kp_path_exists(out));
}

static void test_nothing_verified_banner(void **state)
{
        char ev_path[2048];
        kp_buf_t html;

        (void)state;
        write_evidence("ss", "key-authority", ev_path, sizeof(ev_path));
        render(ev_path, "skip.html", &html);
        assert_contains(kp_buf_cstr(&html), "Nothing was verified");
        assert_contains(kp_buf_cstr(&html), "v-SKIPPED");
        assert_not_contains(kp_buf_cstr(&html), "banner good");
        kp_buf_free(&html);

        write_evidence("pe", "key-authority", ev_path, sizeof(ev_path));
        render(ev_path, "error.html", &html);
        assert_contains(kp_buf_cstr(&html), "badge v-ERROR");
        assert_not_contains(kp_buf_cstr(&html), "Nothing was verified");
        kp_buf_free(&html);
}

/* The bake-off page gives the ERROR and SKIPPED row states their own
 * badges (not the NOT TESTED one). */
static void test_compare_row_states(void **state)
{
        char ev_path[2048], out[2048];
        kp_compare_run_t runs[2];
        kp_buf_t b, html;
        cJSON *a, *c;
        kp_err_t err;

        (void)state;
        write_evidence("ss", "key-authority", ev_path, sizeof(ev_path));
        kp_buf_init(&b, 0);
        assert_int_equal(kp_read_file(ev_path, (size_t)64 << 20, &b, NULL), 0);
        a = cJSON_Parse(kp_buf_cstr(&b));
        kp_buf_free(&b);
        write_evidence("pe", "key-authority", ev_path, sizeof(ev_path));
        kp_buf_init(&b, 0);
        assert_int_equal(kp_read_file(ev_path, (size_t)64 << 20, &b, NULL), 0);
        c = cJSON_Parse(kp_buf_cstr(&b));
        kp_buf_free(&b);
        assert_non_null(a);
        assert_non_null(c);
        memset(runs, 0, sizeof(runs));
        runs[0].dir = "run-a";
        runs[0].evidence = a;
        runs[0].signature = "unsigned";
        runs[1].dir = "run-b";
        runs[1].evidence = c;
        runs[1].signature = "unsigned";
        assert_int_equal(kp_path_join(out, sizeof(out), tmpdir, "comparison.html"), 0);
        if (kp_report_compare(runs, 2, NULL, out, &err) < 0)
                fail_msg("compare: %s", err.msg);
        kp_buf_init(&html, 0);
        assert_int_equal(kp_read_file(out, (size_t)64 << 20, &html, NULL), 0);
        assert_contains(kp_buf_cstr(&html), "badge v-SKIPPED\">SKIPPED");
        assert_contains(kp_buf_cstr(&html), "badge v-ERROR\">ERROR");
        assert_contains(kp_buf_cstr(&html), ".v-SKIPPED{");
        assert_contains(kp_buf_cstr(&html), ".v-ERROR,");
        kp_buf_free(&html);
        cJSON_Delete(a);
        cJSON_Delete(c);
}

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("report_html", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        return kp_rm_rf(tmpdir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_truncated_is_error),
            cmocka_unit_test(test_nothing_verified_banner),
            cmocka_unit_test(test_compare_row_states),
        };

        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
