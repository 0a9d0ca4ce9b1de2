/* Unit tests of report.html (and the compare page) from evidence.json: a report that would exceed
 * its size limit is an error and no file (never a truncated page); the
 * banner says "nothing was verified" for an all-skip run and the row badges
 * show the ERROR and SKIPPED states. */
#include "kptest.h"

#include <cjson/cJSON.h>

#include "evidence/evidence.h"
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

/* The text of report.html's first page: the summary section. */
static const char *summary_of(const kp_buf_t *html, char *out, size_t size)
{
        const char *a = strstr(kp_buf_cstr(html), "<section class=\"summary\"");
        const char *b = a ? strstr(a, "</section>") : NULL;

        if (!a || !b)
                fail_msg("report.html has no summary section");
        snprintf(out, size, "%.*s", (int)(b - a), a);
        return out;
}

/* Page one shows what evidence.json recorded: the run verdict, each row's
 * answer, every failed check and missed gate, the signing key and how to
 * verify, cluster id, brokers grouped by identical ApiVersions answers,
 * librdkafka's version and the clients' configuration; all of it before
 * the detail. A run without findings says so. */
static void test_summary_page(void **state)
{
        kp_run_meta_t m = {.run_id = "r", .scenario_name = "s", .target_name = "t"};
        kp_evidence_t *ev = kp_evidence_new(&m);
        kp_kvlist_t prod = {0};
        char ev_path[2048], page[65536];
        cJSON *plat, *brokers, *b;
        kp_check_t *c;
        kp_buf_t html;
        kp_err_t err;
        int i;

        (void)state;
        c = kp_evidence_check_begin(ev, "r.write", "key-authority", "revocation", NULL);
        kp_check_answer(c, "writes stopped 1.2 s after the key was revoked (disable)");
        kp_check_pass(c, "long reason");
        kp_evidence_check_end(ev, c);
        c = kp_evidence_check_begin(ev, "s.acks", "kafka-semantics", "semantics", NULL);
        kp_check_fail(c, "gate max_p99_ack_ms missed: 15 ms");
        kp_evidence_check_end(ev, c);
        kp_evidence_gate(ev, "s.acks", "max_p99_ack_ms", "<=", 0.5, 15, "ms", 0, NULL);
        kp_evidence_run_fact(ev, "signing_key", "85e69aa9c18a5f6933cc17b36199a664");
        kp_evidence_run_fact(ev, "librdkafka_version", "2.8.0");
        plat = cJSON_CreateObject();
        cJSON_AddStringToObject(plat, "cluster_id", "Xy12-cluster");
        cJSON_AddNumberToObject(plat, "broker_count", 3);
        brokers = cJSON_AddArrayToObject(plat, "brokers");
        for (i = 1; i <= 3; i++) {
                b = cJSON_CreateObject();
                cJSON_AddNumberToObject(b, "id", i);
                cJSON_AddStringToObject(b, "endpoint", "h:9092");
                cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "api_versions"), "summary",
                                        i < 3 ? "73 APIs (v3 answer); Produce v0-13"
                                              : "60 APIs (v3 answer); Produce v3-11");
                cJSON_AddItemToArray(brokers, b);
        }
        kp_evidence_run_json(ev, "platform", plat);
        kp_kvlist_set(&prod, "acks", "all");
        kp_kvlist_set(&prod, "sasl.password", "pw-in-config");
        kp_evidence_suite_client(ev, "failover", "safe", &prod, &prod);
        kp_evidence_finish(ev, 1, NULL);
        assert_int_equal(kp_path_join(ev_path, sizeof(ev_path), tmpdir, "evidence.json"), 0);
        assert_int_equal(kp_evidence_write(ev, ev_path, &err), 0);
        kp_evidence_free(ev);
        kp_kvlist_clear(&prod);

        render(ev_path, "summary.html", &html);
        summary_of(&html, page, sizeof(page));
        assert_contains(page, "Run verdict</span><span class=\"badge v-FAIL\">FAIL</span>");
        assert_contains(page, "writes stopped 1.2 s after the key was revoked (disable)");
        assert_contains(page, "gate max_p99_ack_ms missed: 15 ms");     /* the row's answer */
        assert_contains(page, "<code>s.acks</code></a>: gate max_p99"); /* the finding */
        assert_contains(page, "badge v-missed\">missed</span> gate <code>max_p99_ack_ms</code>");
        assert_contains(page, "observed 15 ms");
        assert_contains(page, "85e69aa9c18a5f6933cc17b36199a664");
        assert_contains(page, "kproof verify RUN_DIR --pubkey KEY.pub");
        assert_contains(page, "openssl pkeyutl -verify");
        assert_contains(page, "Xy12-cluster");
        assert_contains(page, "2.8.0");
        assert_contains(page, "ApiVersions, broker 1, 2</td><td>73 APIs (v3 answer)");
        assert_contains(page, "ApiVersions, broker 3</td><td>60 APIs (v3 answer)");
        assert_contains(page, "<strong>failover</strong> (profile safe)");
        assert_contains(page, "sasl.password=***");
        assert_not_contains(kp_buf_cstr(&html), "pw-in-config");
        assert_not_contains(page, "Evaluation checklist");
        assert_not_contains(page, "id=\"no-findings\"");
        kp_buf_free(&html);

        write_evidence("pp", "kafka-semantics", ev_path, sizeof(ev_path));
        render(ev_path, "clean.html", &html);
        summary_of(&html, page, sizeof(page));
        assert_contains(page, "badge v-PASS\">PASS</span>");
        assert_contains(page, "id=\"no-findings\"");
        assert_contains(page, "not recorded (no platform identity");
        kp_buf_free(&html);
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
            cmocka_unit_test(test_summary_page),
        };

        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
