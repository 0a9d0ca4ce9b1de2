/*
 * kvlist: an ordered list of string key/value pairs (client properties,
 * command templates, labels). The list owns copies of its strings.
 */
#ifndef KP_KVLIST_H
#define KP_KVLIST_H

#include <stddef.h>

typedef struct kp_kv {
        char *key;
        char *value;
} kp_kv_t;

typedef struct kp_kvlist {
        kp_kv_t *items;
        size_t n;
        size_t cap;
} kp_kvlist_t;

/* Sets key to value (copies both), replacing an existing value. */
int kp_kvlist_set(kp_kvlist_t *l, const char *key, const char *value);
/* Appends all pairs of src, later ones overriding. */
int kp_kvlist_merge(kp_kvlist_t *l, const kp_kvlist_t *src);
const char *kp_kvlist_get(const kp_kvlist_t *l, const char *key);
int kp_kvlist_del(kp_kvlist_t *l, const char *key);
void kp_kvlist_clear(kp_kvlist_t *l);

#endif
