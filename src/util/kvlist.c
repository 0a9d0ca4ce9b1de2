#include "util/kvlist.h"

#include <stdlib.h>
#include <string.h>

int kp_kvlist_set(kp_kvlist_t *l, const char *key, const char *value)
{
        char *k, *v;
        size_t i;

        for (i = 0; i < l->n; i++) {
                if (strcmp(l->items[i].key, key) == 0) {
                        v = strdup(value);
                        if (!v)
                                return -1;
                        free(l->items[i].value);
                        l->items[i].value = v;
                        return 0;
                }
        }
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                kp_kv_t *p = realloc(l->items, cap * sizeof(*p));
                if (!p)
                        return -1;
                l->items = p;
                l->cap = cap;
        }
        k = strdup(key);
        v = strdup(value);
        if (!k || !v) {
                free(k);
                free(v);
                return -1;
        }
        l->items[l->n].key = k;
        l->items[l->n].value = v;
        l->n++;
        return 0;
}

int kp_kvlist_merge(kp_kvlist_t *l, const kp_kvlist_t *src)
{
        size_t i;

        for (i = 0; src && i < src->n; i++)
                if (kp_kvlist_set(l, src->items[i].key, src->items[i].value) < 0)
                        return -1;
        return 0;
}

const char *kp_kvlist_get(const kp_kvlist_t *l, const char *key)
{
        size_t i;

        for (i = 0; l && i < l->n; i++)
                if (strcmp(l->items[i].key, key) == 0)
                        return l->items[i].value;
        return NULL;
}

int kp_kvlist_del(kp_kvlist_t *l, const char *key)
{
        size_t i;

        for (i = 0; i < l->n; i++) {
                if (strcmp(l->items[i].key, key) == 0) {
                        free(l->items[i].key);
                        free(l->items[i].value);
                        memmove(&l->items[i], &l->items[i + 1], (l->n - i - 1) * sizeof(kp_kv_t));
                        l->n--;
                        return 1;
                }
        }
        return 0;
}

void kp_kvlist_clear(kp_kvlist_t *l)
{
        size_t i;

        for (i = 0; i < l->n; i++) {
                free(l->items[i].key);
                free(l->items[i].value);
        }
        free(l->items);
        l->items = NULL;
        l->n = l->cap = 0;
}
