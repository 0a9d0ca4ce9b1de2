/*
 * semantics.round-trip: Round-trip fidelity: key, value, headers and timestamp
 * byte-exact (null, empty, 1 MiB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "util/digest.h"
#include "util/timeutil.h"

#define BIG_VALUE (1 << 20)

typedef struct rt_header {
        const char *name;
        const char *value; /* NULL: null header value */
        size_t len;
} rt_header_t;

typedef struct rt_case {
        const char *name;
        const void *key; /* NULL: null key */
        size_t key_len;
        const void *value; /* NULL: null value (tombstone) */
        size_t value_len;
        rt_header_t headers[3];
        size_t n_headers;
        int64_t ts_ms;
} rt_case_t;

typedef struct rt_state {
        rt_case_t *cases;
        size_t n, next;
        int mismatches;
        kp_check_t *c;
} rt_state_t;

static int same_bytes(const void *a, size_t al, const void *b, size_t bl)
{
        if ((a == NULL) != (b == NULL))
                return 0;
        return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

static int rt_compare(void *opaque, const rd_kafka_message_t *m)
{
        rt_state_t *st = opaque;
        rt_case_t *k;
        rd_kafka_headers_t *hdrs = NULL;
        rd_kafka_timestamp_type_t tstype;
        int64_t ts;
        size_t i;
        int bad = 0;

        if (st->next >= st->n) {
                kp_check_note(st->c, "unexpected extra record at offset %lld",
                              (long long)m->offset);
                st->mismatches++;
                return 1;
        }
        k = &st->cases[st->next++];
        if (!same_bytes(k->key, k->key_len, m->key, m->key_len)) {
                kp_check_note(st->c, "%s: key differs (sent %s %zu bytes, got %s %zu bytes)",
                              k->name, k->key ? "non-null" : "null", k->key_len,
                              m->key ? "non-null" : "null", m->key_len);
                bad = 1;
        }
        if (!same_bytes(k->value, k->value_len, m->payload, m->len)) {
                kp_check_note(st->c, "%s: value differs (sent %s %zu bytes, got %s %zu bytes)",
                              k->name, k->value ? "non-null" : "null", k->value_len,
                              m->payload ? "non-null" : "null", m->len);
                bad = 1;
        }
        ts = rd_kafka_message_timestamp(m, &tstype);
        if (ts != k->ts_ms || tstype != RD_KAFKA_TIMESTAMP_CREATE_TIME) {
                kp_check_note(st->c,
                              "%s: timestamp differs (sent %lld CreateTime, got %lld type %d)",
                              k->name, (long long)k->ts_ms, (long long)ts, (int)tstype);
                bad = 1;
        }
        if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
                hdrs = NULL;
        if ((hdrs ? rd_kafka_header_cnt(hdrs) : 0) != k->n_headers) {
                kp_check_note(st->c, "%s: %zu header(s) sent, %zu received", k->name, k->n_headers,
                              hdrs ? rd_kafka_header_cnt(hdrs) : 0);
                bad = 1;
        } else {
                for (i = 0; i < k->n_headers; i++) {
                        const char *name;
                        const void *val;
                        size_t size;
                        rd_kafka_header_get_all(hdrs, i, &name, &val, &size);
                        if (strcmp(name, k->headers[i].name) != 0 ||
                            !same_bytes(k->headers[i].value, k->headers[i].len, val, size)) {
                                kp_check_note(st->c, "%s: header %zu (%s) differs", k->name, i,
                                              k->headers[i].name);
                                bad = 1;
                        }
                }
        }
        st->mismatches += bad;
        return 0;
}

void sem_check_round_trip(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char bin[] = {0, 1, 2, 'k', 0, (char)0xff, (char)0x80, '\n'};
        uint8_t *big = malloc(BIG_VALUE);
        uint8_t all[256];
        kp_kvlist_t tcfg = {0}, pextra = {0};
        rd_kafka_t *prod = NULL, *cons = NULL;
        char topic[256], big_sha[KP_SHA256_HEX];
        rt_case_t cases[8];
        rt_state_t st;
        int64_t base_ts = kp_wall_ns() / KP_NS_PER_MS - 60000;
        size_t i, n = 0;
        long got;

        if (!big) {
                kp_check_error(c, "out of memory");
                return;
        }
        for (i = 0; i < 256; i++)
                all[i] = (uint8_t)i;
        kp_random_bytes(big, BIG_VALUE);
        kp_sha256_hex(big, BIG_VALUE, big_sha);
        memset(cases, 0, sizeof(cases));
        cases[n++] = (rt_case_t){"key, value and two headers",      "k1", 2, "v1", 2,
                                 {{"h1", "a", 1}, {"h2", "bb", 2}}, 2,    0};
        cases[n++] = (rt_case_t){"null key", NULL, 0, "value-with-null-key", 19, {{0}}, 0, 0};
        cases[n++] = (rt_case_t){"empty key and empty value", "", 0, "", 0, {{0}}, 0, 0};
        cases[n++] = (rt_case_t){"null value (tombstone)", "tomb", 4, NULL, 0, {{0}}, 0, 0};
        cases[n++] =
            (rt_case_t){"binary key and all byte values", bin, sizeof(bin), all, 256, {{0}}, 0, 0};
        cases[n++] =
            (rt_case_t){"null and empty header values, repeated name",
                        "hk",
                        2,
                        "hv",
                        2,
                        {{"dup", NULL, 0}, {"dup", "", 0}, {"utf8-\xc3\xa9", "\xe2\x82\xac", 3}},
                        3,
                        0};
        cases[n++] = (rt_case_t){"1 MiB value", "big", 3, big, BIG_VALUE, {{0}}, 0, 0};
        for (i = 0; i < n; i++)
                cases[i].ts_ms = base_ts + (int64_t)i * 1000;

        kp_kvlist_set(&tcfg, "max.message.bytes", "2097152");
        if (sem_topic(ctx, c, "round-trip", 1, &tcfg, topic, sizeof(topic)) < 0)
                goto out;
        kp_kvlist_set(&pextra, "message.max.bytes", "3000000");
        kp_kvlist_set(&pextra, "enable.idempotence", "true");
        kp_kvlist_set(&pextra, "compression.codec", "none");
        prod = sem_producer(ctx, c, &pextra, NULL);
        if (!prod)
                goto out;
        for (i = 0; i < n; i++) {
                rd_kafka_headers_t *h = rd_kafka_headers_new(4);
                rd_kafka_resp_err_t e;
                size_t j;
                for (j = 0; j < cases[i].n_headers; j++)
                        rd_kafka_header_add(
                            h, cases[i].headers[j].name, -1, cases[i].headers[j].value,
                            cases[i].headers[j].value ? (ssize_t)cases[i].headers[j].len : 0);
                e = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                      RD_KAFKA_V_KEY((void *)cases[i].key, cases[i].key_len),
                                      RD_KAFKA_V_VALUE((void *)cases[i].value, cases[i].value_len),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_TIMESTAMP(cases[i].ts_ms), RD_KAFKA_V_HEADERS(h),
                                      RD_KAFKA_V_END);
                if (e) {
                        rd_kafka_headers_destroy(h);
                        kp_check_error(c, "produce \"%s\": %s", cases[i].name, rd_kafka_err2str(e));
                        goto out;
                }
        }
        if (sem_flush(prod, c, 30000) < 0)
                goto out;

        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        memset(&st, 0, sizeof(st));
        st.cases = cases;
        st.n = n;
        st.c = c;
        got = kp_kc_read_partition(cons, topic, 0, RD_KAFKA_OFFSET_BEGINNING, (long)n, 15000,
                                   rt_compare, &st);
        kp_check_measure(c, "records_sent", (double)n, "records");
        kp_check_measure(c, "records_read", (double)got, "records");
        kp_check_measure(c, "mismatches", st.mismatches, "records");
        kp_check_measure(c, "largest_value_bytes", BIG_VALUE, "bytes");
        kp_check_note(c, "1 MiB value sha256 %s", big_sha);
        for (i = 0; i < n; i++)
                kp_check_note(c, "case %zu: %s", i + 1, cases[i].name);
        if (got != (long)n)
                kp_check_fail(c, "read back %ld of %zu records", got, n);
        else if (st.mismatches)
                kp_check_fail(c, "%d of %zu records differ from what was produced", st.mismatches,
                              n);
        else {
                kp_check_answer(c, "%zu edge-case records read back byte-exact", n);
                kp_check_pass(c,
                              "%zu records (null and empty keys and values, headers with null "
                              "values, binary bytes, a 1 MiB value) read back byte-exact with "
                              "their CreateTime timestamps",
                              n);
        }
out:
        kp_kc_close(prod);
        kp_kc_close(cons);
        kp_kvlist_clear(&tcfg);
        kp_kvlist_clear(&pextra);
        free(big);
}
