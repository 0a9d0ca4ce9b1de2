/*
 * Price sheet loader: the shipped sheet loads; data-driven broken variants
 * (a JSON path to change or delete in the shipped sheet, and the exact error)
 * are rejected with the file and JSON path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "config/pricesheet.h"

static void sheet_path(char *out, size_t size)
{
        snprintf(out, size, "%s/fixtures/prices/aws-us-east-1.json", getenv("KPROOF_SRC"));
}

static void test_shipped_sheet(void **state)
{
        kp_pricesheet_t *ps = NULL;
        const kp_price_t *m5;
        char path[4096];
        kp_err_t err;
        size_t i;

        (void)state;
        sheet_path(path, sizeof(path));
        if (kp_pricesheet_load(path, &ps, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(ps->provider, "aws");
        assert_string_equal(ps->region, "us-east-1");
        for (i = 0; i < KP_PRICE__COUNT; i++) {
                assert_true(ps->prices[i].date[0] != '\0');
                assert_true(strncmp(ps->prices[i].source, "https://", 8) == 0);
        }
        assert_true(ps->prices[KP_PRICE_BLOCK_GB_MONTH].price == 0.08);
        assert_true(ps->prices[KP_PRICE_CROSS_ZONE_GB].price == 0.01);
        m5 = kp_pricesheet_instance(ps, "m5.large");
        assert_non_null(m5);
        assert_true(m5->price == 0.096);
        assert_null(kp_pricesheet_instance(ps, "nope.large"));
        kp_pricesheet_free(ps);
}

/* A change to the shipped sheet: delete (value NULL) or set (JSON text) the
 * member `key` of the object at `parent` ("prices.kms_key_month", "" for the
 * root), and the error that must follow the file name. */
typedef struct mutation {
        const char *parent;
        const char *key;
        const char *value;
        const char *error;
} mutation_t;

static const mutation_t cases[] = {
    {"prices.block_storage_gb_month", "date", NULL,
     "$.prices.block_storage_gb_month.date: required field is missing"},
    {"prices.kms_key_month", "source", NULL,
     "$.prices.kms_key_month.source: required field is missing"},
    {"instances.m5.large", "date", NULL,
     "$.instances[\"m5.large\"].date: required field is missing"},
    {"prices.object_put_per_1000", "date", "\"2026-13-01\"",
     "$.prices.object_put_per_1000.date: expected the date the price was taken as YYYY-MM-DD"},
    {"prices.object_put_per_1000", "date", "\"2999-01-01\"",
     "$.prices.object_put_per_1000.date: expected the date the price was taken as YYYY-MM-DD, "
     "not in the future, got \"2999-01-01\""},
    {"prices.cross_zone_per_gb", "source", "\"aws.amazon.com/ec2/pricing\"",
     "$.prices.cross_zone_per_gb.source: expected the https:// URL of the public page"},
    {"prices.cross_zone_per_gb", "unit", "\"USD/GB\"",
     "$.prices.cross_zone_per_gb.unit: expected \"USD/GB each direction\", got \"USD/GB\""},
    {"prices.block_storage_gb_month", "price", "-0.08",
     "$.prices.block_storage_gb_month.price: expected a number from 0 to 1e+09, got -0.08"},
    {"prices", "private_endpoint_gb", NULL,
     "$.prices.private_endpoint_gb: required field is missing"},
    {"prices", "egress_per_gb", "{}", "$.prices.egress_per_gb: unknown key"},
    {"", "currency", "\"EUR\"", "$.currency: expected \"USD\""},
    {"", "region", NULL, "$.region: required field is missing"},
    {"", "instances", "{}", "$.instances: expected at least one instance type"},
};

static cJSON *walk(cJSON *root, const char *parent)
{
        /* parent keys are separated by '.', but instance names contain dots:
         * try the longest remaining member name first. */
        cJSON *cur = root;
        char buf[256];
        const char *p = parent;

        while (*p) {
                size_t len = strlen(p);
                cJSON *next = NULL;
                while (len > 0) {
                        snprintf(buf, sizeof(buf), "%.*s", (int)len, p);
                        next = cJSON_GetObjectItemCaseSensitive(cur, buf);
                        if (next && (p[len] == '\0' || p[len] == '.'))
                                break;
                        next = NULL;
                        while (len > 0 && p[--len] != '.')
                                ;
                }
                if (!next)
                        return NULL;
                cur = next;
                p += len;
                if (*p == '.')
                        p++;
        }
        return cur;
}

static void test_rejections(void **state)
{
        char path[4096], tmp[4096];
        size_t i;

        (void)state;
        sheet_path(path, sizeof(path));
        snprintf(tmp, sizeof(tmp), "%s/pricesheet-case.json",
                 getenv("KPROOF_TEST_TMP") ? getenv("KPROOF_TEST_TMP") : "/tmp");
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const mutation_t *mu = &cases[i];
                kp_pricesheet_t *ps = NULL;
                char want[1024], *text, buf[1 << 16];
                cJSON *root, *obj;
                kp_err_t err;
                size_t n;
                FILE *f = fopen(path, "r");

                assert_non_null(f);
                n = fread(buf, 1, sizeof(buf) - 1, f);
                fclose(f);
                buf[n] = '\0';
                root = cJSON_Parse(buf);
                assert_non_null(root);
                obj = walk(root, mu->parent);
                if (!obj)
                        fail_msg("case %zu: no object %s in the sheet", i, mu->parent);
                cJSON_DeleteItemFromObjectCaseSensitive(obj, mu->key);
                if (mu->value)
                        cJSON_AddItemToObject(obj, mu->key, cJSON_Parse(mu->value));
                text = cJSON_Print(root);
                f = fopen(tmp, "w");
                assert_non_null(f);
                fputs(text, f);
                fclose(f);
                free(text);
                cJSON_Delete(root);

                assert_int_equal(kp_pricesheet_load(tmp, &ps, &err), -1);
                assert_null(ps);
                assert_int_equal(err.code, KP_EINVAL);
                snprintf(want, sizeof(want), "%s: %s", tmp, mu->error);
                if (strncmp(err.msg, want, strlen(want)) != 0)
                        fail_msg("case %zu: got  \"%s\"\nwanted \"%s...\"", i, err.msg, want);
        }
        unlink(tmp);
}

static void test_dates(void **state)
{
        (void)state;
        assert_int_equal(kp_pricesheet_date_valid("2024-02-29"), 0);
        assert_int_equal(kp_pricesheet_date_valid("2023-02-29"), -1);
        assert_int_equal(kp_pricesheet_date_valid("2026-11-31"), -1);
        assert_int_equal(kp_pricesheet_date_valid("2026-1-01"), -1);
        assert_int_equal(kp_pricesheet_date_valid(""), -1);
        assert_int_equal(kp_pricesheet_date_valid("1999-12-31"), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_shipped_sheet),
            cmocka_unit_test(test_rejections),
            cmocka_unit_test(test_dates),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
