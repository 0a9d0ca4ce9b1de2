/*
 * Storage adapters' shared part: the token matcher and the dispatch. See
 * storage.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/storage.h"
#include "adapters/storage_impl.h"

struct kp_tokscan {
        char **tokens; /* sorted copies */
        size_t *order; /* sorted index -> caller index */
        size_t n, len, prefix;
        char *carry; /* last len-1 bytes of the previous chunk */
        size_t carry_len;
        uint64_t pos; /* stream offset of the next fed byte */
        char where[1024];
        char *work;
        size_t work_cap;
};

static const char *const *sort_base;
static int idx_cmp(const void *a, const void *b)
{
        return strcmp(sort_base[*(const size_t *)a], sort_base[*(const size_t *)b]);
}

int kp_tokscan_new(const char *const *tokens, size_t n, kp_tokscan_t **out, kp_err_t *err)
{
        kp_tokscan_t *ts;
        size_t i, j;

        *out = NULL;
        if (n == 0)
                return kp_err_set(err, KP_EINVAL, "storage scan: no tokens");
        ts = calloc(1, sizeof(*ts));
        if (!ts)
                return kp_err_set(err, KP_ENOMEM, "storage scan: out of memory");
        ts->n = n;
        ts->len = strlen(tokens[0]);
        ts->prefix = ts->len;
        for (i = 1; i < n; i++) {
                if (strlen(tokens[i]) != ts->len) {
                        kp_tokscan_free(ts);
                        return kp_err_set(err, KP_EINVAL, "storage scan: tokens differ in length");
                }
                for (j = 0; j < ts->prefix && tokens[i][j] == tokens[0][j]; j++)
                        ;
                ts->prefix = j;
        }
        if (ts->prefix < 4) {
                kp_tokscan_free(ts);
                return kp_err_set(err, KP_EINVAL,
                                  "storage scan: tokens need a common prefix of 4+ bytes");
        }
        ts->tokens = calloc(n, sizeof(char *));
        ts->order = calloc(n, sizeof(size_t));
        ts->carry = malloc(ts->len);
        if (!ts->tokens || !ts->order || !ts->carry) {
                kp_tokscan_free(ts);
                return kp_err_set(err, KP_ENOMEM, "storage scan: out of memory");
        }
        for (i = 0; i < n; i++)
                ts->order[i] = i;
        sort_base = tokens;
        qsort(ts->order, n, sizeof(size_t), idx_cmp);
        for (i = 0; i < n; i++)
                ts->tokens[i] = strdup(tokens[ts->order[i]]);
        for (i = 0; i < n; i++)
                if (!ts->tokens[i]) {
                        kp_tokscan_free(ts);
                        return kp_err_set(err, KP_ENOMEM, "storage scan: out of memory");
                }
        *out = ts;
        return 0;
}

void kp_tokscan_free(kp_tokscan_t *ts)
{
        size_t i;

        if (!ts)
                return;
        for (i = 0; ts->tokens && i < ts->n; i++)
                free(ts->tokens[i]);
        free(ts->tokens);
        free(ts->order);
        free(ts->carry);
        free(ts->work);
        free(ts);
}

void kp_tokscan_begin(kp_tokscan_t *ts, const char *where)
{
        ts->carry_len = 0;
        ts->pos = 0;
        strncpy(ts->where, where, sizeof(ts->where) - 1);
        ts->where[sizeof(ts->where) - 1] = '\0';
}

static void match_at(kp_tokscan_t *ts, const char *p, uint64_t off, kp_storage_scan_t *res)
{
        size_t lo = 0, hi = ts->n;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = memcmp(p, ts->tokens[mid], ts->len);
                if (c == 0) {
                        size_t idx = ts->order[mid];
                        if (res->token_hits)
                                res->token_hits[idx]++;
                        res->hits++;
                        if (res->n_examples < KP_STORAGE_MAX_EXAMPLES) {
                                kp_storage_hit_t *h = &res->examples[res->n_examples++];
                                memcpy(h->where, ts->where, sizeof(h->where));
                                h->offset = off;
                                h->token = idx;
                        }
                        return;
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
}

void kp_tokscan_feed(kp_tokscan_t *ts, const void *data, size_t len, kp_storage_scan_t *res)
{
        size_t total = ts->carry_len + len, i;
        uint64_t base = ts->pos - ts->carry_len;
        const char *buf, *p, *end;

        if (total > ts->work_cap) {
                char *nw = realloc(ts->work, total);
                if (!nw)
                        return;
                ts->work = nw;
                ts->work_cap = total;
        }
        memcpy(ts->work, ts->carry, ts->carry_len);
        memcpy(ts->work + ts->carry_len, data, len);
        buf = ts->work;
        end = buf + total;
        p = buf;
        while (p + ts->len <= end) {
                const char *hit = memmem(p, (size_t)(end - p), ts->tokens[0], ts->prefix);
                if (!hit || hit + ts->len > end)
                        break;
                match_at(ts, hit, base + (uint64_t)(hit - buf), res);
                p = hit + 1;
        }
        /* Keep the tail that could start a token completed by the next chunk. */
        i = total < ts->len - 1 ? total : ts->len - 1;
        memcpy(ts->carry, end - i, i);
        ts->carry_len = i;
        ts->pos += len;
}

int kp_storage_new(const kp_target_t *t, kp_storage_t **out, kp_err_t *err)
{
        *out = NULL;
        if (strcmp(t->storage_type, "dir") == 0) {
                char base[4096], *slash;
                snprintf(base, sizeof(base), "%s", t->path);
                slash = strrchr(base, '/');
                if (slash)
                        *slash = '\0';
                else
                        snprintf(base, sizeof(base), ".");
                return kp_storage_dir_new(&t->storage, base, out, err);
        }
        if (strcmp(t->storage_type, "s3") == 0)
                return kp_storage_s3_new(&t->storage, out, err);
        return kp_err_set(err, KP_EUNSUPPORTED,
                          "target %s declares no storage adapter (storage.type %s)", t->path,
                          t->storage_type);
}

void kp_storage_free(kp_storage_t *st)
{
        if (st)
                st->ops->destroy(st);
}

const char *kp_storage_type(const kp_storage_t *st)
{
        return st->ops->type;
}

int kp_storage_scan(kp_storage_t *st, const char *topic, const char *const *tokens, size_t n_tokens,
                    kp_storage_scan_t *res, kp_err_t *err)
{
        kp_tokscan_t *ts = NULL;
        int rc;

        if (kp_tokscan_new(tokens, n_tokens, &ts, err) < 0)
                return -1;
        rc = st->ops->scan(st, topic, ts, res, err);
        kp_tokscan_free(ts);
        return rc;
}
