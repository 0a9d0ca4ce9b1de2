/*
 * The body shared by the four semantics.compression-<codec> checks: a batch of
 * compressible records sent with the codec, read back byte-exact, and the
 * bytes on the wire compared with the raw values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"

#define COMP_RECORDS 500

#define COMP_BYTES 1024

/* A compressible value for record i: repeated text with its index. */
static void comp_value(size_t i, char *out)
{
        size_t off = 0;

        while (off < COMP_BYTES) {
                int w = snprintf(out + off, COMP_BYTES - off + 1,
                                 "{\"record\":%06zu,\"kproof\":\"compression round trip\"} ", i);
                if (w <= 0)
                        break;
                off += (size_t)w;
        }
}

typedef struct comp_state {
        size_t next;
        int mismatches;
} comp_state_t;

static int comp_compare(void *opaque, const rd_kafka_message_t *m)
{
        comp_state_t *st = opaque;
        char expect[COMP_BYTES + 64];

        comp_value(st->next++, expect);
        if (m->len != COMP_BYTES || memcmp(m->payload, expect, COMP_BYTES) != 0)
                st->mismatches++;
        return 0;
}

void sem_codec_check(kp_ctx_t *ctx, kp_check_t *c, const char *codec)
{
        kp_kvlist_t pextra = {0};
        rd_kafka_t *prod = NULL, *cons = NULL;
        char topic[256], suffix[64], value[COMP_BYTES + 64];
        kp_kc_dr_t dr;
        kp_err_t err;
        comp_state_t st = {0, 0};
        int64_t wire = -1;
        double ratio;
        size_t i;
        long got;

        if (kp_kc_dr_init(&dr, COMP_RECORDS, NULL) < 0) {
                kp_check_error(c, "out of memory");
                return;
        }
        snprintf(suffix, sizeof(suffix), "compression-%s", codec);
        if (sem_topic(ctx, c, suffix, 1, NULL, topic, sizeof(topic)) < 0)
                goto out;
        kp_kvlist_set(&pextra, "compression.codec", codec);
        kp_kvlist_set(&pextra, "linger.ms", "50");
        kp_kvlist_set(&pextra, "statistics.interval.ms", "100");
        prod = sem_producer(ctx, c, &pextra, &dr);
        if (!prod)
                goto out;
        for (i = 0; i < COMP_RECORDS; i++) {
                comp_value(i, value);
                if (kp_kc_produce(prod, topic, 0, NULL, 0, value, COMP_BYTES, 0, i, &err) < 0) {
                        kp_check_error(c, "%s (compression %s)", err.msg, codec);
                        goto out;
                }
        }
        if (sem_flush(prod, c, 30000) < 0)
                goto out;
        /* Let one more statistics interval pass so the counters are final. */
        for (i = 0; i < 4; i++)
                rd_kafka_poll(prod, 100);
        if (dr.failed) {
                rd_kafka_resp_err_t first = RD_KAFKA_RESP_ERR_NO_ERROR;
                for (i = 0; i < COMP_RECORDS && !first; i++)
                        first = dr.err[i];
                kp_check_fail(c, "%zu of %d records failed delivery with %s (first error: %s)",
                              dr.failed, COMP_RECORDS, codec, rd_kafka_err2name(first));
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        got = kp_kc_read_partition(cons, topic, 0, RD_KAFKA_OFFSET_BEGINNING, COMP_RECORDS, 15000,
                                   comp_compare, &st);
        if (dr.stats)
                wire = sem_stats_broker_sum(dr.stats, "txbytes");
        ratio = wire > 0 ? (double)wire / (double)(COMP_RECORDS * COMP_BYTES) : -1;
        kp_check_measure(c, "records_sent", COMP_RECORDS, "records");
        kp_check_measure(c, "records_read", (double)got, "records");
        kp_check_measure(c, "mismatches", st.mismatches, "records");
        kp_check_measure(c, "value_bytes", COMP_RECORDS * COMP_BYTES, "bytes");
        kp_check_measure(c, "bytes_on_wire", (double)wire, "bytes");
        kp_check_measure(c, "wire_to_value_ratio", ratio, "ratio");
        if (got != COMP_RECORDS || st.mismatches)
                kp_check_fail(c, "%s: read back %ld of %d records, %d differ", codec, got,
                              COMP_RECORDS, st.mismatches);
        else if (ratio < 0)
                kp_check_error(c, "%s: no client statistics to confirm the batches were compressed",
                               codec);
        else if (ratio > 0.5)
                kp_check_fail(c,
                              "%s: %lld bytes sent for %d bytes of highly compressible values "
                              "(ratio %.2f): the batches were not compressed",
                              codec, (long long)wire, COMP_RECORDS * COMP_BYTES, ratio);
        else
                kp_check_pass(c,
                              "%d records compressed with %s (%.1f%% of the value bytes on the "
                              "wire) read back byte-exact",
                              COMP_RECORDS, codec, ratio * 100);
out:
        kp_kc_close(prod);
        kp_kc_close(cons);
        kp_kvlist_clear(&pextra);
        kp_kc_dr_release(&dr);
}
