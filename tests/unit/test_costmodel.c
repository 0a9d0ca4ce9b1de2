/*
 * Cost model arithmetic against hand-computed cases (tests/unit/data/cost_cases.tsv,
 * a spreadsheet-like table with the working in its comments), priced with the
 * shipped AWS us-east-1 sheet.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/costmodel.h"
#include "config/pricesheet.h"

static kp_pricesheet_t *load_sheet(void)
{
        char path[4096];
        kp_pricesheet_t *ps = NULL;
        kp_err_t err;

        snprintf(path, sizeof(path), "%s/fixtures/prices/aws-us-east-1.json", getenv("KPROOF_SRC"));
        if (kp_pricesheet_load(path, &ps, &err) < 0)
                fail_msg("%s", err.msg);
        return ps;
}

#define NCOLS 26

static void test_table(void **state)
{
        kp_pricesheet_t *ps = load_sheet();
        char path[4096], line[4096];
        FILE *f;
        int cases = 0;

        (void)state;
        snprintf(path, sizeof(path), "%s/tests/unit/data/cost_cases.tsv", getenv("KPROOF_SRC"));
        f = fopen(path, "r");
        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
                char *col[NCOLS], *p = line;
                kp_cost_inputs_t in;
                kp_cost_result_t r;
                kp_err_t err;
                int n = 0, i;

                if (line[0] == '#' || line[0] == '\n')
                        continue;
                line[strcspn(line, "\n")] = '\0';
                while (p && n < NCOLS) {
                        col[n++] = p;
                        p = strchr(p, '\t');
                        if (p)
                                *p++ = '\0';
                }
                assert_int_equal(n, NCOLS);
                memset(&in, 0, sizeof(in));
                in.arch = (kp_arch_t)kp_arch_from_name(col[1]);
                assert_true((int)in.arch >= 0);
                in.produce_bytes_per_s = strtod(col[2], NULL);
                in.consume_fanout = strtod(col[3], NULL);
                in.replication_factor = strtod(col[4], NULL);
                in.compression_ratio = strtod(col[5], NULL);
                in.cross_zone_replication = strtod(col[6], NULL);
                in.cross_zone_produce = strtod(col[7], NULL);
                in.cross_zone_consume = strtod(col[8], NULL);
                in.kms_requests_per_s = strtod(col[9], NULL);
                in.kms_keys = (int)strtol(col[10], NULL, 10);
                in.instance_type = col[11];
                in.instance_count = (int)strtol(col[12], NULL, 10);
                in.retention_s = strtod(col[13], NULL);
                in.tiered_local_retention_s = strtod(col[14], NULL);
                in.segment_bytes = strtod(col[15], NULL);
                in.flush_interval_s = strtod(col[16], NULL);
                in.endpoint_zones = (int)strtol(col[17], NULL, 10);
                if (kp_cost_compute(&in, ps, &r, &err) < 0)
                        fail_msg("case %s: %s", col[0], err.msg);
                for (i = 0; i < KP_COST__COUNT; i++) {
                        double want = strtod(col[18 + i], NULL);
                        if (fabs(r.lines[i].usd - want) > 1e-6)
                                fail_msg("case %s: %s = %.9f, hand-computed %.9f (%s)", col[0],
                                         kp_cost_driver_names[i], r.lines[i].usd, want,
                                         r.lines[i].formula);
                        assert_true(r.lines[i].formula[0] != '\0');
                }
                if (fabs(r.total_usd - strtod(col[25], NULL)) > 1e-6)
                        fail_msg("case %s: total %.9f, hand-computed %s", col[0], r.total_usd,
                                 col[25]);
                cases++;
        }
        fclose(f);
        assert_int_equal(cases, 3);
        kp_pricesheet_free(ps);
}

static void test_unknown_instance(void **state)
{
        kp_pricesheet_t *ps = load_sheet();
        kp_cost_inputs_t in;
        kp_cost_result_t r;
        kp_err_t err;

        (void)state;
        memset(&in, 0, sizeof(in));
        in.arch = KP_ARCH_SHARED_NOTHING;
        in.produce_bytes_per_s = 1000;
        in.consume_fanout = 1;
        in.replication_factor = 3;
        in.compression_ratio = 1;
        in.instance_type = "z9.huge";
        in.instance_count = 3;
        in.retention_s = 86400;
        assert_int_equal(kp_cost_compute(&in, ps, &r, &err), -1);
        assert_non_null(strstr(err.msg, "instance type \"z9.huge\" is not on the price sheet"));
        in.instance_type = "m5.large";
        in.compression_ratio = 0;
        assert_int_equal(kp_cost_compute(&in, ps, &r, &err), -1);
        assert_non_null(strstr(err.msg, "out of range"));
        kp_pricesheet_free(ps);
}

static void test_instances_for(void **state)
{
        (void)state;
        assert_int_equal(kp_cost_instances_for(1e6, 25, 3), 3);
        assert_int_equal(kp_cost_instances_for(100e6, 25, 3), 4);
        assert_int_equal(kp_cost_instances_for(101e6, 25, 3), 5);
        assert_int_equal(kp_cost_instances_for(1e9, 25, 3), 40);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_table),
            cmocka_unit_test(test_unknown_instance),
            cmocka_unit_test(test_instances_for),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
