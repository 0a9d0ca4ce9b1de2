/*
 * semantics.compaction: Compaction: the latest value per key survives,
 * tombstones remove keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/platform.h"
#include "util/timeutil.h"

#define CMP_KEYS 10

#define CMP_ROUNDS 5

#define CMP_TOMBSTONES 3 /* keys 0..2 are deleted */

#define CMP_WAIT_S 90

/* Sends one record with a text key and value (value NULL: tombstone). */
static int send_kv(rd_kafka_t *rk, kp_check_t *c, const char *topic, const char *key,
                   const char *value)
{
        kp_err_t err;

        if (kp_kc_produce(rk, topic, 0, key, strlen(key), value, value ? strlen(value) : 0, 0, 0,
                          &err) < 0) {
                kp_check_error(c, "produce %s: %s", key, err.msg);
                return -1;
        }
        return 0;
}

/* What one full read of the compacted partition found. */
typedef struct cmp_view {
        int records;
        int per_key[CMP_KEYS]; /* non-null values per key */
        int tombstones[CMP_KEYS];
        char last[CMP_KEYS][32]; /* last non-null value per key */
        int fillers;
} cmp_view_t;

static int cmp_cb(void *opaque, const rd_kafka_message_t *m)
{
        cmp_view_t *v = opaque;
        char key[32];
        int k;

        v->records++;
        if (!m->key || m->key_len >= sizeof(key))
                return 0;
        memcpy(key, m->key, m->key_len);
        key[m->key_len] = '\0';
        if (strncmp(key, "filler", 6) == 0) {
                v->fillers++;
                return 0;
        }
        if (strncmp(key, "k", 1) != 0)
                return 0;
        k = (int)strtol(key + 1, NULL, 10);
        if (k < 0 || k >= CMP_KEYS)
                return 0;
        if (!m->payload) {
                v->tombstones[k]++;
                return 0;
        }
        v->per_key[k]++;
        snprintf(v->last[k], sizeof(v->last[k]), "%.*s", (int)m->len, (const char *)m->payload);
        return 0;
}

/* Compacted when every surviving key has one value and deleted keys none. */
static int cmp_done(const cmp_view_t *v)
{
        int k;

        for (k = 0; k < CMP_KEYS; k++) {
                if (k < CMP_TOMBSTONES && v->per_key[k])
                        return 0;
                if (k >= CMP_TOMBSTONES && v->per_key[k] != 1)
                        return 0;
        }
        return 1;
}

void sem_check_compaction(kp_ctx_t *ctx, kp_check_t *c)
{
        kp_kvlist_t cfg = {0};
        rd_kafka_t *prod = NULL, *cons = NULL;
        cmp_view_t v;
        char topic[256], key[32], val[32];
        int k, r, reads = 0, written = 0, wrong_value = 0, done = 0;
        int64_t t0, deadline, compact_ms = -1, low = -1, high = -1;

        if (sem_topic_configs_unsupported(ctx, c))
                return;
        /* roll segments after 100 ms, clean as soon as anything is dirty and
         * drop tombstones right after cleaning */
        kp_kvlist_set(&cfg, "cleanup.policy", "compact");
        kp_kvlist_set(&cfg, "segment.ms", "100");
        kp_kvlist_set(&cfg, "min.cleanable.dirty.ratio", "0.01");
        kp_kvlist_set(&cfg, "delete.retention.ms", "100");
        kp_kvlist_set(&cfg, "min.compaction.lag.ms", "0");
        if (sem_topic(ctx, c, "compaction", 1, &cfg, topic, sizeof(topic)) < 0)
                goto out;
        prod = sem_producer(ctx, c, NULL, NULL);
        if (!prod)
                goto out;
        for (r = 0; r < CMP_ROUNDS; r++) {
                for (k = 0; k < CMP_KEYS; k++) {
                        snprintf(key, sizeof(key), "k%d", k);
                        snprintf(val, sizeof(val), "v%d-%d", k, r);
                        if (send_kv(prod, c, topic, key, val) < 0)
                                goto out;
                        written++;
                }
                if (sem_flush(prod, c, 30000) < 0)
                        goto out;
        }
        for (k = 0; k < CMP_TOMBSTONES; k++) {
                snprintf(key, sizeof(key), "k%d", k);
                if (send_kv(prod, c, topic, key, NULL) < 0)
                        goto out;
                written++;
        }
        if (sem_flush(prod, c, 30000) < 0)
                goto out;
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        /* The active segment is never cleaned: keep writing filler records
         * with one key, so the segment holding the test records rolls (after
         * segment.ms) and becomes cleanable. */
        t0 = kp_mono_ns();
        deadline = t0 + CMP_WAIT_S * KP_NS_PER_S;
        while (kp_mono_ns() < deadline) {
                if (send_kv(prod, c, topic, "filler", "x") < 0 || sem_flush(prod, c, 30000) < 0)
                        goto out;
                written++;
                memset(&v, 0, sizeof(v));
                rd_kafka_query_watermark_offsets(cons, topic, 0, &low, &high, 10000);
                kp_kc_read_partition(cons, topic, 0, RD_KAFKA_OFFSET_BEGINNING, 1000000, 1000,
                                     cmp_cb, &v);
                reads++;
                if (cmp_done(&v)) {
                        compact_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
                        done = 1;
                        break;
                }
                rd_kafka_poll(prod, 1000);
        }
        for (k = CMP_TOMBSTONES; k < CMP_KEYS; k++) {
                snprintf(val, sizeof(val), "v%d-%d", k, CMP_ROUNDS - 1);
                if (strcmp(v.last[k], val) != 0)
                        wrong_value++;
        }
        kp_check_measure(c, "records_written", written, "records");
        kp_check_measure(c, "records_readable_after", v.records, "records");
        kp_check_measure(c, "earliest_offset", (double)low, "offset");
        kp_check_measure(c, "latest_offset", (double)high, "offset");
        kp_check_measure(c, "time_to_compaction_ms", (double)compact_ms, "ms");
        kp_check_measure(c, "full_reads", reads, "reads");
        kp_check_note(c,
                      "%d keys x %d values, then tombstones for keys k0..k%d; topic configs "
                      "cleanup.policy=compact, segment.ms=100, min.cleanable.dirty.ratio=0.01, "
                      "delete.retention.ms=100",
                      CMP_KEYS, CMP_ROUNDS, CMP_TOMBSTONES - 1);
        if (!done) {
                int left = 0;
                for (k = 0; k < CMP_KEYS; k++)
                        left += v.per_key[k];
                kp_check_fail(c,
                              "no compaction within %d s: %d values of the %d test keys still "
                              "readable (a compacted log keeps %d)",
                              CMP_WAIT_S, left, CMP_KEYS, CMP_KEYS - CMP_TOMBSTONES);
        } else if (wrong_value) {
                kp_check_fail(c, "after compaction %d keys hold a value other than their latest",
                              wrong_value);
        } else {
                kp_check_pass(c,
                              "compaction ran within %.1f s: each of the %d live keys kept exactly "
                              "its latest value and the %d tombstoned keys have no value left",
                              compact_ms / 1000.0, CMP_KEYS - CMP_TOMBSTONES, CMP_TOMBSTONES);
        }
out:
        kp_kc_close(prod);
        kp_kc_close(cons);
        kp_kvlist_clear(&cfg);
}
