/*
 * Price sheet loading: see pricesheet.h for the contract and
 * docs/scaling-cost.md for the format.
 */
#include "config/pricesheet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "util/digest.h"
#include "config/jsonv.h"
#include "util/timeutil.h"

const char *const kp_price_keys[KP_PRICE__COUNT] = {
    [KP_PRICE_BLOCK_GB_MONTH] = "block_storage_gb_month",
    [KP_PRICE_OBJECT_GB_MONTH] = "object_storage_gb_month",
    [KP_PRICE_OBJECT_PUT_1000] = "object_put_per_1000",
    [KP_PRICE_OBJECT_GET_1000] = "object_get_per_1000",
    [KP_PRICE_CROSS_ZONE_GB] = "cross_zone_per_gb",
    [KP_PRICE_KMS_KEY_MONTH] = "kms_key_month",
    [KP_PRICE_KMS_10000] = "kms_per_10000_requests",
    [KP_PRICE_ENDPOINT_HOUR] = "private_endpoint_hour",
    [KP_PRICE_ENDPOINT_GB] = "private_endpoint_gb",
};

const char *const kp_price_units[KP_PRICE__COUNT] = {
    [KP_PRICE_BLOCK_GB_MONTH] = "USD/GB-month",
    [KP_PRICE_OBJECT_GB_MONTH] = "USD/GB-month",
    [KP_PRICE_OBJECT_PUT_1000] = "USD/1000 requests",
    [KP_PRICE_OBJECT_GET_1000] = "USD/1000 requests",
    [KP_PRICE_CROSS_ZONE_GB] = "USD/GB each direction",
    [KP_PRICE_KMS_KEY_MONTH] = "USD/key-month",
    [KP_PRICE_KMS_10000] = "USD/10000 requests",
    [KP_PRICE_ENDPOINT_HOUR] = "USD/endpoint-zone-hour",
    [KP_PRICE_ENDPOINT_GB] = "USD/GB",
};

static int leap(int y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int kp_pricesheet_date_valid(const char *s)
{
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        char today[16];
        struct tm tm;
        time_t now = time(NULL);
        int y, m, d, i;

        if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
                return -1;
        for (i = 0; i < 10; i++)
                if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
                        return -1;
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        m = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');
        if (y < 2000 || m < 1 || m > 12 || d < 1)
                return -1;
        if (d > mdays[m - 1] + (m == 2 && leap(y)))
                return -1;
        gmtime_r(&now, &tm);
        strftime(today, sizeof(today), "%Y-%m-%d", &tm);
        return strcmp(s, today) <= 0 ? 0 : -1;
}

static void price_release(kp_price_t *p)
{
        free(p->name);
        free(p->unit);
        free(p->source);
        free(p->note);
        memset(p, 0, sizeof(*p));
}

/* One price object at path .key: {price, unit, date, source, note?}. */
static int parse_price(kp_jv_t *jv, const cJSON *parent, const char *key, const char *want_unit,
                       kp_price_t *p)
{
        const cJSON *o;
        char *date = NULL;
        size_t m;
        int rc = -1;

        if (kp_jv_object(jv, parent, key, 1, &o) < 0)
                return -1;
        m = kp_jv_push_key(jv, key);
        if (!(p->name = strdup(key))) {
                kp_jv_fail(jv, "out of memory");
                goto out;
        }
        if (kp_jv_number(jv, o, "price", 1, 0, 1e9, 0, &p->price) < 0 ||
            kp_jv_string(jv, o, "unit", 1, &p->unit) < 0 ||
            kp_jv_string(jv, o, "date", 1, &date) < 0 ||
            kp_jv_string(jv, o, "source", 1, &p->source) < 0 ||
            kp_jv_string(jv, o, "note", 0, &p->note) < 0)
                goto out;
        if (strcmp(p->unit, want_unit) != 0) {
                kp_jv_fail_at(jv, "unit", "expected \"%s\", got \"%s\"", want_unit, p->unit);
                goto out;
        }
        if (kp_pricesheet_date_valid(date) < 0) {
                kp_jv_fail_at(jv, "date",
                              "expected the date the price was taken as YYYY-MM-DD, not in the "
                              "future, got \"%s\"",
                              date);
                goto out;
        }
        snprintf(p->date, sizeof(p->date), "%s", date);
        if (strncmp(p->source, "https://", 8) != 0 || strlen(p->source) < 12 ||
            strpbrk(p->source, " \t\r\n")) {
                kp_jv_fail_at(jv, "source",
                              "expected the https:// URL of the public page the price comes "
                              "from, got \"%s\"",
                              p->source);
                goto out;
        }
        if (kp_jv_no_unknown(jv, o) < 0)
                goto out;
        rc = 0;
out:
        free(date);
        if (rc == 0)
                kp_jv_pop(jv, m);
        else
                price_release(p);
        return rc;
}

void kp_pricesheet_free(kp_pricesheet_t *ps)
{
        size_t i;

        if (!ps)
                return;
        for (i = 0; i < KP_PRICE__COUNT; i++)
                price_release(&ps->prices[i]);
        for (i = 0; i < ps->n_instances; i++)
                price_release(&ps->instances[i]);
        free(ps->instances);
        free(ps->path);
        free(ps->provider);
        free(ps->region);
        free(ps->currency);
        free(ps->description);
        free(ps);
}

static int nonempty(kp_jv_t *jv, const char *key, const char *v)
{
        if (!*v)
                return kp_jv_fail_at(jv, key, "expected a non-empty string, got \"\"");
        return 0;
}

int kp_pricesheet_load(const char *path, kp_pricesheet_t **out, kp_err_t *err)
{
        kp_pricesheet_t *ps = NULL;
        const cJSON *prices, *inst, *it;
        cJSON *root = NULL;
        kp_jv_t jv;
        size_t i, m;
        int rc = -1;

        *out = NULL;
        kp_jv_init(&jv, path, err);
        if (kp_jv_load_file(path, KP_CONFIG_MAX_BYTES, &root, err) < 0)
                goto out;
        ps = calloc(1, sizeof(*ps));
        if (!ps || !(ps->path = strdup(path))) {
                kp_err_set(err, KP_ENOMEM, "%s: out of memory", path);
                goto out;
        }
        if (kp_sha256_file(path, ps->sha256, err) < 0)
                goto out;
        if (kp_jv_is_object(&jv, root) < 0)
                goto out;
        if (kp_jv_string(&jv, root, "provider", 1, &ps->provider) < 0 ||
            nonempty(&jv, "provider", ps->provider) < 0 ||
            kp_jv_string(&jv, root, "region", 1, &ps->region) < 0 ||
            nonempty(&jv, "region", ps->region) < 0 ||
            kp_jv_string(&jv, root, "currency", 1, &ps->currency) < 0 ||
            kp_jv_string(&jv, root, "description", 0, &ps->description) < 0)
                goto out;
        if (strcmp(ps->currency, "USD") != 0) {
                kp_jv_fail_at(&jv, "currency",
                              "expected \"USD\" (the only currency the cost model "
                              "knows), got \"%s\"",
                              ps->currency);
                goto out;
        }
        if (kp_jv_object(&jv, root, "prices", 1, &prices) < 0)
                goto out;
        m = kp_jv_push_key(&jv, "prices");
        for (i = 0; i < KP_PRICE__COUNT; i++)
                if (parse_price(&jv, prices, kp_price_keys[i], kp_price_units[i], &ps->prices[i]) <
                    0)
                        goto out;
        if (kp_jv_no_unknown(&jv, prices) < 0)
                goto out;
        kp_jv_pop(&jv, m);
        if (kp_jv_object(&jv, root, "instances", 1, &inst) < 0)
                goto out;
        if (cJSON_GetArraySize(inst) < 1) {
                kp_jv_fail_at(&jv, "instances", "expected at least one instance type");
                goto out;
        }
        ps->instances = calloc((size_t)cJSON_GetArraySize(inst), sizeof(*ps->instances));
        if (!ps->instances) {
                kp_err_set(err, KP_ENOMEM, "%s: out of memory", path);
                goto out;
        }
        m = kp_jv_push_key(&jv, "instances");
        cJSON_ArrayForEach(it, inst)
        {
                for (i = 0; i < ps->n_instances; i++)
                        if (strcmp(ps->instances[i].name, it->string) == 0)
                                break;
                if (i < ps->n_instances) {
                        kp_jv_fail_at(&jv, it->string, "duplicate instance type");
                        goto out;
                }
                if (parse_price(&jv, inst, it->string, KP_PRICE_INSTANCE_UNIT,
                                &ps->instances[ps->n_instances]) < 0)
                        goto out;
                ps->n_instances++;
        }
        kp_jv_pop(&jv, m);
        if (kp_jv_no_unknown(&jv, root) < 0)
                goto out;
        *out = ps;
        ps = NULL;
        rc = 0;
out:
        if (rc < 0 && err && err->code != KP_ENOMEM && err->code != KP_EIO)
                err->code = KP_EINVAL;
        kp_pricesheet_free(ps);
        cJSON_Delete(root);
        kp_jv_release(&jv);
        return rc;
}

const kp_price_t *kp_pricesheet_instance(const kp_pricesheet_t *ps, const char *type)
{
        size_t i;

        for (i = 0; ps && type && i < ps->n_instances; i++)
                if (strcmp(ps->instances[i].name, type) == 0)
                        return &ps->instances[i];
        return NULL;
}

int kp_pricesheet_resolve(const char *from_file, const char *sheet, char *out, size_t size)
{
        const char *slash = from_file ? strrchr(from_file, '/') : NULL;
        int n;

        if (sheet[0] == '/' || !slash)
                n = snprintf(out, size, "%s", sheet);
        else
                n = snprintf(out, size, "%.*s/%s", (int)(slash - from_file), from_file, sheet);
        return n < 0 || (size_t)n >= size ? -1 : 0;
}
