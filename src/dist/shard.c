/* Over 600 lines: the shard plan and result formats, their reader, writer and merge must change
 * together. */
#include "dist/shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "util/crc32c.h"
#include "kp_version.h"
#include "util/timeutil.h"

#define MAGIC   "KPSHARD\x01"
#define VERSION 1
/* A result larger than this is refused (about 2 billion events). */
#define MAX_BLOB ((size_t)64 << 30)

static void split_n(int total, int n, int i, int *count, int *base)
{
        int q = total / n, r = total % n;

        *count = q + (i < r);
        *base = i * q + (i < r ? i : r);
}

void kp_shard_split(const kp_workload_cfg_t *w, int workers, int index, kp_shard_split_t *out)
{
        memset(out, 0, sizeof(*out));
        if (workers < 1)
                workers = 1;
        split_n(w->producers, workers, index, &out->producers, &out->producer_base);
        split_n(w->consumers, workers, index, &out->consumers, &out->consumer_base);
        out->rate = w->producers > 0 ? w->rate * out->producers / w->producers : 0;
}

void kp_shard_name(int index, const char *ext, char *out, size_t size)
{
        snprintf(out, size, "shard-%04d.%s", index, ext);
}

int kp_shard_plan_encode(const kp_shard_plan_t *p, kp_buf_t *out, kp_err_t *err)
{
        cJSON *o = cJSON_CreateObject();
        char *txt = NULL;

        if (o) {
                cJSON_AddStringToObject(o, "kind", "kproof-shard-plan");
                cJSON_AddNumberToObject(o, "version", 1);
                cJSON_AddNumberToObject(o, "workers", p->workers);
                cJSON_AddStringToObject(o, "suite", p->suite);
                cJSON_AddStringToObject(o, "topic", p->topic);
                cJSON_AddNumberToObject(o, "partitions", p->partitions);
                cJSON_AddNumberToObject(o, "nonce", p->nonce);
                cJSON_AddNumberToObject(o, "start_wall_ns", (double)p->start_wall_ns);
                if (p->bootstrap[0])
                        cJSON_AddStringToObject(o, "bootstrap", p->bootstrap);
                txt = cJSON_Print(o);
        }
        cJSON_Delete(o);
        if (!txt || kp_buf_puts(out, txt) < 0 || kp_buf_putc(out, '\n') < 0) {
                free(txt);
                return kp_err_set(err, KP_ENOMEM, "plan: out of memory");
        }
        free(txt);
        return 0;
}

static int plan_num(const cJSON *root, const char *key, double lo, double hi, double *v,
                    const char *where, kp_err_t *err)
{
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);

        if (!cJSON_IsNumber(it) || it->valuedouble < lo || it->valuedouble > hi)
                return kp_err_set(err, KP_EINVAL, "%s: $.%s: expected a number from %.0f to %.0f",
                                  where, key, lo, hi);
        *v = it->valuedouble;
        return 0;
}

static int plan_str(const cJSON *root, const char *key, char *out, size_t size, const char *where,
                    kp_err_t *err)
{
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);

        if (!cJSON_IsString(it) || !*it->valuestring || strlen(it->valuestring) >= size)
                return kp_err_set(err, KP_EINVAL, "%s: $.%s: expected a string of 1 to %zu bytes",
                                  where, key, size - 1);
        memcpy(out, it->valuestring, strlen(it->valuestring) + 1);
        return 0;
}

int kp_shard_plan_decode(const char *json, size_t len, const char *where, kp_shard_plan_t *p,
                         kp_err_t *err)
{
        cJSON *root = cJSON_ParseWithLength(json, len);
        double v;
        int rc = -1;

        memset(p, 0, sizeof(*p));
        if (!cJSON_IsObject(root)) {
                kp_err_set(err, KP_EINVAL, "%s: not a JSON object", where);
                goto out;
        }
        if (plan_num(root, "version", 1, 1, &v, where, err) < 0 ||
            plan_num(root, "workers", 1, KP_SHARD_MAX, &v, where, err) < 0)
                goto out;
        p->workers = (int)v;
        if (plan_num(root, "partitions", 1, 10000, &v, where, err) < 0)
                goto out;
        p->partitions = (int)v;
        if (plan_num(root, "nonce", 1, 4294967295.0, &v, where, err) < 0)
                goto out;
        p->nonce = (uint32_t)v;
        if (plan_num(root, "start_wall_ns", 0, 9.2e18, &v, where, err) < 0)
                goto out;
        p->start_wall_ns = (int64_t)v;
        if (plan_str(root, "suite", p->suite, sizeof(p->suite), where, err) < 0 ||
            plan_str(root, "topic", p->topic, sizeof(p->topic), where, err) < 0)
                goto out;
        if (cJSON_GetObjectItemCaseSensitive(root, "bootstrap") &&
            plan_str(root, "bootstrap", p->bootstrap, sizeof(p->bootstrap), where, err) < 0)
                goto out;
        rc = 0;
out:
        cJSON_Delete(root);
        return rc;
}

/* ---- binary writer / reader: every scalar is 8 bytes little endian ---- */

static void put_u64(kp_buf_t *b, uint64_t v)
{
        uint8_t x[8];
        int i;

        for (i = 0; i < 8; i++)
                x[i] = (uint8_t)(v >> (8 * i));
        kp_buf_append(b, x, 8);
}

static void put_i64(kp_buf_t *b, int64_t v)
{
        put_u64(b, (uint64_t)v);
}

static void put_f64(kp_buf_t *b, double d)
{
        uint64_t v;

        memcpy(&v, &d, 8);
        put_u64(b, v);
}

static void put_str(kp_buf_t *b, const char *s)
{
        size_t n = strlen(s);

        static const char zero[8] = {0};

        put_u64(b, n);
        kp_buf_append(b, s, n);
        /* Padded to 8 bytes: the events after the header stay aligned. */
        if (n % 8)
                kp_buf_append(b, zero, 8 - n % 8);
}

static void put_hist(kp_buf_t *b, const kp_hist_t *h)
{
        uint64_t nz = 0;
        int i;

        put_u64(b, (uint64_t)h->sub_bits);
        put_u64(b, h->max_value);
        put_u64(b, h->total);
        put_u64(b, h->clamped);
        put_u64(b, h->min);
        put_u64(b, h->max);
        put_f64(b, h->sum);
        for (i = 0; i < h->n_buckets; i++)
                nz += h->counts[i] != 0;
        put_u64(b, nz);
        for (i = 0; i < h->n_buckets; i++)
                if (h->counts[i]) {
                        put_u64(b, (uint64_t)i);
                        put_u64(b, h->counts[i]);
                }
}

typedef struct rd {
        const uint8_t *p;
        size_t len, pos;
        int bad;
} rd_t;

static uint64_t get_u64(rd_t *r)
{
        uint64_t v = 0;
        int i;

        if (r->bad || r->len - r->pos < 8) {
                r->bad = 1;
                return 0;
        }
        for (i = 7; i >= 0; i--)
                v = (v << 8) | r->p[r->pos + (size_t)i];
        r->pos += 8;
        return v;
}

static int64_t get_i64(rd_t *r)
{
        return (int64_t)get_u64(r);
}

static int get_int(rd_t *r, int lo, int hi)
{
        int64_t v = get_i64(r);

        if (v < lo || v > hi) {
                r->bad = 1;
                return lo;
        }
        return (int)v;
}

static double get_f64(rd_t *r)
{
        uint64_t v = get_u64(r);
        double d;

        memcpy(&d, &v, 8);
        return d;
}

static void get_str(rd_t *r, char *out, size_t size)
{
        uint64_t n = get_u64(r);

        out[0] = 0;
        if (r->bad || n >= size || r->len - r->pos < n) {
                r->bad = 1;
                return;
        }
        memcpy(out, r->p + r->pos, (size_t)n);
        out[n] = 0;
        n = (n + 7) / 8 * 8;
        if (r->len - r->pos < n) {
                r->bad = 1;
                return;
        }
        r->pos += (size_t)n;
}

static int get_hist(rd_t *r, kp_hist_t *h)
{
        int sub = get_int(r, 1, 16);
        uint64_t max_value = get_u64(r), nz, k;

        if (r->bad || max_value < 2 || kp_hist_init(h, sub, max_value) < 0) {
                r->bad = 1;
                return -1;
        }
        h->total = get_u64(r);
        h->clamped = get_u64(r);
        h->min = get_u64(r);
        h->max = get_u64(r);
        h->sum = get_f64(r);
        nz = get_u64(r);
        if (nz > (uint64_t)h->n_buckets)
                r->bad = 1;
        for (k = 0; !r->bad && k < nz; k++) {
                uint64_t i = get_u64(r), c = get_u64(r);
                if (i >= (uint64_t)h->n_buckets) {
                        r->bad = 1;
                        break;
                }
                h->counts[i] = c;
        }
        return r->bad ? -1 : 0;
}

int kp_shard_result_encode(const kp_shard_result_t *m, const kp_workload_results_t *res,
                           const kp_workload_slot_t *tl, size_t n_slots, int64_t slot_ns,
                           const kp_history_t *h, kp_buf_t *out, kp_err_t *err)
{
        const kp_workload_results_t wr = *res;
        size_t i;
        int log, logs = kp_history_logs(h);
        uint32_t crc;
        char host[128] = "";

        gethostname(host, sizeof(host) - 1);
        kp_buf_append(out, MAGIC, 8);
        put_u64(out, VERSION);
        put_i64(out, m->index);
        put_i64(out, m->workers);
        put_i64(out, kp_history_producers(h));
        put_i64(out, kp_history_consumers(h));
        put_i64(out, kp_history_partitions(h));
        put_i64(out, m->producer_base);
        put_i64(out, m->consumer_base);
        /* The history origin on the wall clock: now's offset applied to it. */
        put_i64(out, kp_history_origin_ns(h) + (kp_wall_ns() - kp_mono_ns()));
        put_i64(out, m->start_wall_ns);
        put_i64(out, slot_ns);
        put_u64(out, wr.ledger.sent);
        put_u64(out, wr.ledger.acked);
        put_u64(out, wr.ledger.failed);
        put_u64(out, wr.ledger.in_doubt);
        put_u64(out, wr.produce_errors);
        put_u64(out, wr.consume_errors);
        put_u64(out, wr.foreign);
        put_u64(out, wr.corrupt);
        put_u64(out, wr.value_bytes);
        put_u64(out, kp_history_dropped(h));
        put_i64(out, wr.produce_ns);
        put_i64(out, wr.drain_ns);
        put_i64(out, wr.max_send_lag_ns);
        put_i64(out, wr.drained);
        put_f64(out, wr.target_rate);
        put_f64(out, wr.achieved_rate);
        put_str(out, host);
        put_str(out, KP_VERSION);
        put_u64(out, wr.n_errors);
        for (i = 0; i < wr.n_errors; i++) {
                put_i64(out, wr.errors[i].code);
                put_u64(out, wr.errors[i].count);
        }
        put_hist(out, wr.ack_hist);
        put_hist(out, wr.e2e_hist);
        put_u64(out, n_slots);
        for (i = 0; i < n_slots; i++) {
                put_u64(out, tl[i].sent);
                put_u64(out, tl[i].acked);
                put_u64(out, tl[i].ack_errors);
                put_u64(out, tl[i].consumed);
                put_u64(out, tl[i].p99_ack_us);
                put_u64(out, tl[i].p99_e2e_us);
        }
        put_u64(out, (uint64_t)logs);
        for (log = 0; log < logs; log++) {
                uint64_t c = kp_history_count(h, log), at = 0, n;
                put_u64(out, c);
                while (at < c) {
                        const kp_hev_t *e = kp_history_span(h, log, at, &n);
                        kp_buf_append(out, e, (size_t)n * sizeof(*e));
                        at += n;
                }
        }
        crc = kp_crc32c(0, out->data, out->len);
        put_u64(out, crc);
        if (out->truncated)
                return kp_err_set(err, KP_ENOMEM, "shard %d: result too large or out of memory",
                                  m->index);
        return 0;
}

void kp_shard_result_free(kp_shard_result_t *r)
{
        if (!r)
                return;
        free(r->errors);
        kp_hist_release(&r->ack);
        kp_hist_release(&r->e2e);
        free(r->slots);
        free(r->counts);
        free(r->events);
        free(r->blob);
        free(r);
}

int kp_shard_result_decode(uint8_t *blob, size_t len, const char *where, kp_shard_result_t **out,
                           kp_err_t *err)
{
        kp_shard_result_t *s = calloc(1, sizeof(*s));
        rd_t r = {blob, len, 0, 0};
        uint64_t i, n, logs, crc;

        *out = NULL;
        if (!s) {
                free(blob);
                return kp_err_set(err, KP_ENOMEM, "%s: out of memory", where);
        }
        s->blob = blob;
        if (len < 16 || memcmp(blob, MAGIC, 8) != 0) {
                kp_err_set(err, KP_EINVAL, "%s: not a kproof shard result", where);
                goto fail;
        }
        r.len = len - 8;
        r.pos = 8;
        {
                rd_t t = {blob, len, len - 8, 0};
                crc = get_u64(&t);
        }
        if (crc != kp_crc32c(0, blob, len - 8)) {
                kp_err_set(err, KP_EINVAL, "%s: checksum mismatch (truncated or damaged)", where);
                goto fail;
        }
        if (get_u64(&r) != VERSION) {
                kp_err_set(err, KP_EINVAL, "%s: unsupported shard result version", where);
                goto fail;
        }
        s->index = get_int(&r, 0, KP_SHARD_MAX - 1);
        s->workers = get_int(&r, 1, KP_SHARD_MAX);
        s->producers = get_int(&r, 1, 65535);
        s->consumers = get_int(&r, 0, 65535);
        s->partitions = get_int(&r, 1, 1000000);
        s->producer_base = get_int(&r, 0, 65535);
        s->consumer_base = get_int(&r, 0, 65535);
        s->origin_wall_ns = get_i64(&r);
        s->start_wall_ns = get_i64(&r);
        s->slot_ns = get_i64(&r);
        s->sent = get_u64(&r);
        s->acked = get_u64(&r);
        s->failed = get_u64(&r);
        s->in_doubt = get_u64(&r);
        s->produce_errors = get_u64(&r);
        s->consume_errors = get_u64(&r);
        s->foreign = get_u64(&r);
        s->corrupt = get_u64(&r);
        s->value_bytes = get_u64(&r);
        s->dropped = get_u64(&r);
        s->produce_ns = get_i64(&r);
        s->drain_ns = get_i64(&r);
        s->max_send_lag_ns = get_i64(&r);
        s->drained = get_int(&r, 0, 1);
        s->target_rate = get_f64(&r);
        s->achieved_rate = get_f64(&r);
        get_str(&r, s->host, sizeof(s->host));
        get_str(&r, s->version, sizeof(s->version));
        n = get_u64(&r);
        if (r.bad || n > 512 || s->slot_ns <= 0)
                goto bad;
        s->errors = calloc(n ? n : 1, sizeof(*s->errors));
        if (!s->errors)
                goto oom;
        s->n_errors = (size_t)n;
        for (i = 0; i < n; i++) {
                s->errors[i].code = get_int(&r, -100000, 100000);
                s->errors[i].count = get_u64(&r);
        }
        if (get_hist(&r, &s->ack) < 0 || get_hist(&r, &s->e2e) < 0)
                goto bad;
        n = get_u64(&r);
        if (r.bad || n > 1000000 || n * 48 > r.len - r.pos)
                goto bad;
        s->slots = calloc(n ? n : 1, sizeof(*s->slots));
        if (!s->slots)
                goto oom;
        s->n_slots = (size_t)n;
        for (i = 0; i < n; i++) {
                s->slots[i].sent = get_u64(&r);
                s->slots[i].acked = get_u64(&r);
                s->slots[i].ack_errors = get_u64(&r);
                s->slots[i].consumed = get_u64(&r);
                s->slots[i].p99_ack_us = get_u64(&r);
                s->slots[i].p99_e2e_us = get_u64(&r);
        }
        logs = get_u64(&r);
        if (r.bad || logs != (uint64_t)(s->producers + s->consumers))
                goto bad;
        s->counts = calloc((size_t)logs, sizeof(*s->counts));
        s->events = calloc((size_t)logs, sizeof(*s->events));
        if (!s->counts || !s->events)
                goto oom;
        for (i = 0; i < logs; i++) {
                n = get_u64(&r);
                if (r.bad || n > (r.len - r.pos) / sizeof(kp_hev_t))
                        goto bad;
                s->counts[i] = n;
                /* 8-byte fields at 8-aligned positions of a malloc'ed blob. */
                s->events[i] = (kp_hev_t *)(void *)(blob + r.pos);
                r.pos += (size_t)n * sizeof(kp_hev_t);
        }
        if (r.pos != r.len)
                goto bad;
        *out = s;
        return 0;
bad:
        kp_err_set(err, KP_EINVAL, "%s: malformed shard result (at byte %zu)", where, r.pos);
        goto fail;
oom:
        kp_err_set(err, KP_ENOMEM, "%s: out of memory", where);
fail:
        kp_shard_result_free(s);
        return -1;
}

int kp_shard_totals(kp_shard_result_t *const *shards, int n, int *producers, int *consumers,
                    uint64_t *max_log, kp_err_t *err)
{
        int i, p = 0, c = 0;
        uint64_t mx = 0, k;

        for (i = 0; i < n; i++) {
                const kp_shard_result_t *s = shards[i];
                if (s->index != i || s->workers != n)
                        return kp_err_set(err, KP_EINVAL,
                                          "shard %d: result says shard %d of %d, expected %d of %d",
                                          i, s->index, s->workers, i, n);
                if (s->producer_base != p || s->consumer_base != c)
                        return kp_err_set(err, KP_EINVAL,
                                          "shard %d: producer/consumer base %d/%d does not follow "
                                          "the shards before it (%d/%d)",
                                          i, s->producer_base, s->consumer_base, p, c);
                if (s->partitions != shards[0]->partitions)
                        return kp_err_set(err, KP_EINVAL, "shard %d: %d partitions, shard 0 has %d",
                                          i, s->partitions, shards[0]->partitions);
                p += s->producers;
                c += s->consumers;
                for (k = 0; k < (uint64_t)(s->producers + s->consumers); k++)
                        if (s->counts[k] > mx)
                                mx = s->counts[k];
        }
        *producers = p;
        *consumers = c;
        *max_log = mx;
        return 0;
}

static void merge_errors(kp_shard_merged_t *m, const kp_shard_result_t *s)
{
        size_t i, j;

        for (i = 0; i < s->n_errors; i++) {
                for (j = 0; j < m->results.n_errors; j++)
                        if (m->errors[j].code == s->errors[i].code)
                                break;
                if (j == m->results.n_errors) {
                        if (j >= sizeof(m->errors) / sizeof(m->errors[0]))
                                continue;
                        m->errors[j].code = s->errors[i].code;
                        m->errors[j].count = 0;
                        m->results.n_errors++;
                }
                m->errors[j].count += s->errors[i].count;
        }
}

/* Hands one shard's logs to h without copying them (kp_history_adopt):
 * their events are rewritten in place — producer ids rebased to the global
 * ones (events a producer logs about its own records: acknowledgements,
 * failures, aborts, transaction ends) and times moved from the shard's origin to h's — so the
 * merged history is what one process would have recorded. Event kinds this
 * function does not know keep their ids. */
static int merge_history(kp_shard_result_t *s, kp_history_t *h, int64_t wall_minus_mono)
{
        int64_t delta_ns = s->origin_wall_ns - wall_minus_mono - kp_history_origin_ns(h);
        int64_t delta = delta_ns / KP_HIST_TICK_NS - (delta_ns % KP_HIST_TICK_NS < 0);
        int log, logs = s->producers + s->consumers;
        uint64_t i;

        for (log = 0; log < logs; log++) {
                kp_hev_t *ev = s->events[log];
                int prod = log < s->producers;
                int gid = prod ? s->producer_base + log : s->consumer_base + (log - s->producers);
                for (i = 0; i < s->counts[log]; i++) {
                        kp_hev_t *e = &ev[i];
                        int64_t t = (int64_t)e->t + delta;
                        e->t = t < 0 ? 0 : t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
                        if (prod && (e->kind == KP_HEV_ACK || e->kind == KP_HEV_ACK_ERR ||
                                     e->kind == KP_HEV_ABORTED || e->kind == KP_HEV_TXN_END))
                                e->rid = KP_RID(gid, KP_RID_SEQ(e->rid));
                }
                if (s->counts[log] &&
                    kp_history_adopt(h, prod ? gid : kp_history_producers(h) + gid, ev,
                                     s->counts[log]) < 0)
                        return -1;
        }
        return 0;
}

int kp_shard_merge(kp_shard_result_t *const *shards, int n, kp_history_t *h,
                   int64_t wall_minus_mono, kp_shard_merged_t *m, kp_err_t *err)
{
        kp_workload_results_t *r = &m->results;
        uint64_t max_log, before = 0;
        int64_t last_finish = 0;
        int i, log;
        size_t k, n_slots = 0;

        memset(m, 0, sizeof(*m));
        if (n < 1)
                return kp_err_set(err, KP_EINVAL, "merge: no shard results");
        if (kp_shard_totals(shards, n, &m->producers, &m->consumers, &max_log, err) < 0)
                return -1;
        if (kp_history_producers(h) < m->producers || kp_history_consumers(h) < m->consumers)
                return kp_err_set(err, KP_EINVAL, "merge: history too small for %d/%d clients",
                                  m->producers, m->consumers);
        for (i = 0; i < n; i++) {
                if (shards[i]->dropped)
                        return kp_err_set(err, KP_EINVAL,
                                          "shard %d: its history dropped %llu events (log full): "
                                          "its part is incomplete",
                                          i, (unsigned long long)shards[i]->dropped);
                if (shards[i]->slot_ns != shards[0]->slot_ns)
                        return kp_err_set(err, KP_EINVAL, "shard %d: timeline slot differs", i);
                if (shards[i]->n_slots > n_slots)
                        n_slots = shards[i]->n_slots;
        }
        if (kp_hist_init(&m->ack, shards[0]->ack.sub_bits, shards[0]->ack.max_value) < 0 ||
            kp_hist_init(&m->e2e, shards[0]->e2e.sub_bits, shards[0]->e2e.max_value) < 0)
                goto oom;
        m->slots = calloc(n_slots ? n_slots : 1, sizeof(*m->slots));
        if (!m->slots)
                goto oom;
        m->n_slots = n_slots;
        m->slot_ns = shards[0]->slot_ns;
        m->start_ns = shards[0]->start_wall_ns - wall_minus_mono;
        for (log = 0; log < kp_history_logs(h); log++)
                before += kp_history_count(h, log);
        r->drained = 1;
        for (i = 0; i < n; i++) {
                const kp_shard_result_t *s = shards[i];
                if (kp_hist_merge(&m->ack, &s->ack) < 0 || kp_hist_merge(&m->e2e, &s->e2e) < 0)
                        return kp_err_set(err, KP_EINVAL, "shard %d: histogram layout differs", i);
                for (k = 0; k < s->n_slots; k++) {
                        kp_workload_slot_t *d = &m->slots[k];
                        d->sent += s->slots[k].sent;
                        d->acked += s->slots[k].acked;
                        d->ack_errors += s->slots[k].ack_errors;
                        d->consumed += s->slots[k].consumed;
                        if (s->slots[k].p99_ack_us > d->p99_ack_us)
                                d->p99_ack_us = s->slots[k].p99_ack_us;
                        if (s->slots[k].p99_e2e_us > d->p99_e2e_us)
                                d->p99_e2e_us = s->slots[k].p99_e2e_us;
                }
                merge_errors(m, s);
                r->ledger.sent += s->sent;
                r->ledger.acked += s->acked;
                r->ledger.failed += s->failed;
                r->ledger.in_doubt += s->in_doubt;
                r->produce_errors += s->produce_errors;
                r->consume_errors += s->consume_errors;
                r->corrupt += s->corrupt;
                r->value_bytes += s->value_bytes;
                r->target_rate += s->target_rate;
                if (s->max_send_lag_ns > r->max_send_lag_ns)
                        r->max_send_lag_ns = s->max_send_lag_ns;
                if (s->drain_ns > r->drain_ns)
                        r->drain_ns = s->drain_ns;
                /* Production ended when the last shard's did (shared start). */
                if (s->start_wall_ns + s->produce_ns > last_finish)
                        last_finish = s->start_wall_ns + s->produce_ns;
                if (s->consumers)
                        r->drained = r->drained && s->drained;
        }
        for (i = 0; i < n; i++) {
                if (shards[i]->merged)
                        return kp_err_set(err, KP_EINVAL, "shard %d: already merged", i);
                shards[i]->merged = 1;
                if (merge_history(shards[i], h, wall_minus_mono) < 0)
                        return kp_err_set(err, KP_EINVAL,
                                          "shard %d: the merged history already has events for "
                                          "its clients",
                                          i);
        }
        r->produce_ns = last_finish - shards[0]->start_wall_ns;
        for (i = 0; i < n; i++)
                r->achieved_rate += shards[i]->achieved_rate;
        r->ack_hist = &m->ack;
        r->e2e_hist = &m->e2e;
        r->errors = m->errors;
        for (log = 0; log < kp_history_logs(h); log++)
                m->events += kp_history_count(h, log);
        m->events -= before;
        return 0;
oom:
        return kp_err_set(err, KP_ENOMEM, "merge: out of memory");
}

void kp_shard_merged_release(kp_shard_merged_t *m)
{
        if (!m)
                return;
        kp_hist_release(&m->ack);
        kp_hist_release(&m->e2e);
        free(m->slots);
        memset(m, 0, sizeof(*m));
}
