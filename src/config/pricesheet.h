/*
 * pricesheet: dated public prices of one cloud region, loaded from a JSON
 * file (fixtures/prices/<provider>-<region>.json) and validated strictly.
 *
 * Every price names its unit, the date it was taken (YYYY-MM-DD, not in the
 * future) and the public page it was read from (an https:// URL), so each
 * cost figure kproof derives from it can be traced to a source. A sheet
 * without a date or a source for any price is rejected with the file and
 * JSON path. The loaded sheet is owned by the caller: free it with
 * kp_pricesheet_free().
 */
#ifndef KP_PRICESHEET_H
#define KP_PRICESHEET_H

#include <stddef.h>

#include "util/err.h"

/* The priced drivers every sheet must list (the cost model needs them all). */
typedef enum kp_price_id {
        KP_PRICE_BLOCK_GB_MONTH = 0, /* block storage per GB-month */
        KP_PRICE_OBJECT_GB_MONTH,    /* object storage per GB-month */
        KP_PRICE_OBJECT_PUT_1000,    /* object PUT per 1,000 requests */
        KP_PRICE_OBJECT_GET_1000,    /* object GET per 1,000 requests */
        KP_PRICE_CROSS_ZONE_GB,      /* cross-zone transfer per GB, each direction */
        KP_PRICE_KMS_KEY_MONTH,      /* KMS key per month */
        KP_PRICE_KMS_10000,          /* KMS per 10,000 requests */
        KP_PRICE_ENDPOINT_HOUR,      /* private endpoint per endpoint-zone-hour */
        KP_PRICE_ENDPOINT_GB,        /* private endpoint per GB processed */
        KP_PRICE__COUNT
} kp_price_id_t;

/* JSON key and required unit of each price id. */
extern const char *const kp_price_keys[KP_PRICE__COUNT];
extern const char *const kp_price_units[KP_PRICE__COUNT];
#define KP_PRICE_INSTANCE_UNIT "USD/instance-hour"

typedef struct kp_price {
        char *name; /* the JSON key: price id key or instance type */
        double price;
        char *unit;
        char date[11]; /* YYYY-MM-DD */
        char *source;  /* https:// URL of the public page */
        char *note;    /* optional */
} kp_price_t;

typedef struct kp_pricesheet {
        char *path;
        char *provider;
        char *region;
        char *currency;
        char *description;
        kp_price_t prices[KP_PRICE__COUNT];
        kp_price_t *instances;
        size_t n_instances;
        char sha256[65];
} kp_pricesheet_t;

/* Loads and validates a sheet; errors name the file and the JSON path
 * (code KP_EINVAL; KP_EIO when the file cannot be read). */
int kp_pricesheet_load(const char *path, kp_pricesheet_t **out, kp_err_t *err);
void kp_pricesheet_free(kp_pricesheet_t *ps);

/* The price of an instance type, or NULL when the sheet does not list it. */
const kp_price_t *kp_pricesheet_instance(const kp_pricesheet_t *ps, const char *type);

/* The path of a price sheet named in a file (a target): absolute paths stay,
 * relative ones are taken from that file's directory. */
int kp_pricesheet_resolve(const char *from_file, const char *sheet, char *out, size_t size);

/* Checks a YYYY-MM-DD calendar date no later than today (UTC); 0 when valid. */
int kp_pricesheet_date_valid(const char *s);

#endif
