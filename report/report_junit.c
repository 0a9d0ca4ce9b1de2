/*
 * junit.xml for CI systems: one <testsuite> per kproof suite, one
 * <testcase> per check; fail -> <failure>, error -> <error>, skip ->
 * <skipped>, each with the check's reason. Measurements go to system-out.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "report_util.h"
#include "util/buf.h"
#include "util/fsutil.h"

static void add_suite(kp_buf_t *b, const cJSON *checks, const char *suite)
{
        const cJSON *c, *m;
        int tests = 0, failures = 0, errors = 0, skipped = 0;
        double time = 0;
        char num[64];

        cJSON_ArrayForEach(c, checks)
        {
                const char *v = kp_report_str(c, "verdict", "error");
                if (strcmp(kp_report_str(c, "suite", ""), suite) != 0)
                        continue;
                tests++;
                failures += strcmp(v, "fail") == 0;
                errors += strcmp(v, "error") == 0;
                skipped += strcmp(v, "skip") == 0;
                time += kp_report_num(c, "duration_ms", 0) / 1000.0;
        }
        kp_buf_puts(b, "  <testsuite name=\"");
        kp_report_esc(b, suite);
        kp_buf_printf(
            b, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
            tests, failures, errors, skipped, time);
        cJSON_ArrayForEach(c, checks)
        {
                const char *v = kp_report_str(c, "verdict", "error");
                if (strcmp(kp_report_str(c, "suite", ""), suite) != 0)
                        continue;
                kp_buf_puts(b, "    <testcase classname=\"kproof.");
                kp_report_esc(b, suite);
                kp_buf_puts(b, "\" name=\"");
                kp_report_esc(b, kp_report_str(c, "id", ""));
                kp_buf_printf(b, "\" time=\"%.3f\">\n",
                              kp_report_num(c, "duration_ms", 0) / 1000.0);
                if (strcmp(v, "pass") != 0) {
                        const char *tag = strcmp(v, "fail") == 0   ? "failure"
                                          : strcmp(v, "skip") == 0 ? "skipped"
                                                                   : "error";
                        kp_buf_printf(b, "      <%s message=\"", tag);
                        kp_report_esc(b, kp_report_str(c, "reason", ""));
                        kp_buf_printf(b, "\" type=\"%s\"/>\n", v);
                }
                kp_buf_puts(b, "      <system-out>row: ");
                kp_report_esc(b, kp_report_str(c, "row", ""));
                kp_buf_puts(b, "\nreason: ");
                kp_report_esc(b, kp_report_str(c, "reason", ""));
                kp_buf_puts(b, "\n");
                cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c, "measurements"))
                {
                        const cJSON *val = cJSON_GetObjectItemCaseSensitive(m, "value");
                        kp_report_esc(b, kp_report_str(m, "name", ""));
                        kp_report_fmt_num(cJSON_IsNumber(val) ? val->valuedouble : NAN, num,
                                          sizeof(num));
                        kp_buf_printf(b, " = %s ", num);
                        kp_report_esc(b, kp_report_str(m, "unit", ""));
                        kp_buf_puts(b, "\n");
                }
                kp_buf_puts(b, "</system-out>\n    </testcase>\n");
        }
        kp_buf_puts(b, "  </testsuite>\n");
}

int kp_report_junit(const char *evidence_path, const char *out_path, kp_err_t *err)
{
        const cJSON *checks, *c, *sum;
        const char *suites[64];
        cJSON *root = NULL;
        size_t n = 0, i;
        kp_buf_t b;
        int rc;

        if (kp_report_load(evidence_path, &root, err) < 0)
                return -1;
        checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
        sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
        cJSON_ArrayForEach(c, checks)
        {
                const char *s = kp_report_str(c, "suite", "");
                for (i = 0; i < n; i++)
                        if (strcmp(suites[i], s) == 0)
                                break;
                if (i == n && n < 64)
                        suites[n++] = s;
        }
        kp_buf_init(&b, (size_t)1 << 30);
        kp_buf_printf(&b,
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kproof\" "
                      "tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\">\n",
                      (int)kp_report_num(sum, "checks", 0), (int)kp_report_num(sum, "fail", 0),
                      (int)kp_report_num(sum, "error", 0), (int)kp_report_num(sum, "skip", 0));
        for (i = 0; i < n; i++)
                add_suite(&b, checks, suites[i]);
        kp_buf_puts(&b, "</testsuites>\n");
        rc = kp_write_file(out_path, kp_buf_cstr(&b), b.len, 0644, err);
        kp_buf_free(&b);
        cJSON_Delete(root);
        return rc;
}
