/*
 * revocation.at-rest: No canary record is stored in plaintext at rest (and
 * objects are encrypted under the key).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "revocation.h"
#include "util/digest.h"
#include "evidence/events.h"
#include "util/fsutil.h"
#include "platform/kafka.h"
#include "util/plot.h"
#include "util/signals.h"
#include "adapters/storage.h"
#include "util/timeutil.h"

/* ------------------------------------------------------------ canaries */
static void canary_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        rev_state_t *st = opaque;
        intptr_t i = (intptr_t)m->_private;
        (void)rk;

        if (!st || i < 0 || i >= st->n_canaries)
                return;
        if (!m->err && m->partition == 0) {
                st->offsets[i] = m->offset;
                st->acked++;
        } else {
                st->offsets[i] = -1;
        }
}

static int ensure_topic(kp_ctx_t *ctx, rev_state_t *st, kp_check_t *c)
{
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        kp_err_t err;

        if (kp_control_supports(ctx->plat->control, KP_CTL_CREATE_TOPIC, NULL)) {
                if (kp_platform_create_topic(ctx->plat, st->topic, w->partitions,
                                             w->replication_factor, &w->topic_config, &err) < 0)
                        goto fail;
                return 0;
        }
        if (kp_kafka_admin_create_topic(&ctx->plat->props, st->topic, w->partitions,
                                        w->replication_factor, &w->topic_config, 1, 30000,
                                        &err) < 0)
                goto fail;
        kp_check_note(c, "topic %s ready (created or already present)", st->topic);
        return 0;
fail:
        kp_check_error(c, "cannot create topic %s: %s", st->topic, err.msg);
        return -1;
}

/* Writes the canaries (acks=all, no compression) and reads them back. */
static int write_canaries(kp_ctx_t *ctx, rev_state_t *st, kp_check_t *c)
{
        rd_kafka_t *p = NULL, *q = NULL;
        int i, seen = 0, rc = -1;
        int64_t deadline;
        uint8_t *got = NULL;
        kp_err_t err;

        st->n_canaries = st->opts.canaries;
        st->tokens = calloc((size_t)st->n_canaries, sizeof(*st->tokens));
        st->offsets = calloc((size_t)st->n_canaries, sizeof(*st->offsets));
        got = calloc((size_t)st->n_canaries, 1);
        if (!st->tokens || !st->offsets || !got) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        for (i = 0; i < st->n_canaries; i++) {
                unsigned char r[12];
                char hex[25];
                int k;
                kp_random_bytes(r, sizeof(r));
                for (k = 0; k < 12; k++)
                        snprintf(hex + 2 * k, 3, "%02x", r[k]);
                snprintf(st->tokens[i], REV_TOKEN_LEN + 1, "%s%08x%s", REV_TOKEN_PREFIX,
                         (unsigned)i, hex);
                st->offsets[i] = -1;
        }
        if (ensure_topic(ctx, st, c) < 0)
                goto out;
        {
                kp_kvlist_t extra = {0};
                kp_kvlist_set(&extra, "enable.idempotence", "true");
                kp_kvlist_set(&extra, "linger.ms", "5");
                kp_kvlist_set(&extra, "message.timeout.ms", "30000");
                p = rev_client(ctx, RD_KAFKA_PRODUCER, &extra, canary_dr, st, &err);
                kp_kvlist_clear(&extra);
        }
        if (!p) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        st->canaries_unix = (int64_t)time(NULL);
        for (i = 0; i < st->n_canaries; i++) {
                rd_kafka_resp_err_t e =
                    rd_kafka_producev(p, RD_KAFKA_V_TOPIC(st->topic), RD_KAFKA_V_PARTITION(0),
                                      RD_KAFKA_V_VALUE(st->tokens[i], REV_TOKEN_LEN),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_OPAQUE((void *)(intptr_t)i), RD_KAFKA_V_END);
                if (e) {
                        kp_check_error(c, "produce canary %d: %s", i, rd_kafka_err2str(e));
                        goto out;
                }
        }
        rd_kafka_flush(p, 35000);
        kp_check_measure(c, "canaries_acked", st->acked, "records");
        if (st->acked != st->n_canaries) {
                kp_check_error(c, "only %d of %d canaries were acknowledged before the revocation",
                               st->acked, st->n_canaries);
                goto out;
        }
        st->first_offset = st->offsets[0];
        for (i = 1; i < st->n_canaries; i++)
                if (st->offsets[i] < st->first_offset)
                        st->first_offset = st->offsets[i];
        /* Read them back with a fresh consumer. */
        q = rev_client(ctx, RD_KAFKA_CONSUMER, NULL, NULL, st, &err);
        if (!q) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        rev_assign_canaries(q, st, st->first_offset);
        deadline = kp_mono_ns() + 30 * KP_NS_PER_S;
        while (seen < st->n_canaries && kp_mono_ns() < deadline && !kp_stop_requested()) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(q, 100);
                int idx;
                if (!m)
                        continue;
                if (!m->err && (idx = rev_canary_index(st, m)) >= 0 && !got[idx]) {
                        got[idx] = 1;
                        seen++;
                }
                rd_kafka_message_destroy(m);
        }
        kp_check_measure(c, "canaries_read_back", seen, "records");
        if (seen != st->n_canaries) {
                kp_check_error(c, "only %d of %d canaries were read back before the revocation",
                               seen, st->n_canaries);
                goto out;
        }
        kp_check_note(c,
                      "%d canaries written to %s partition 0 (offsets %" PRId64
                      "..), compression off, read back intact",
                      st->n_canaries, st->topic, st->first_offset);
        st->canaries_ok = 1;
        rc = 0;
out:
        if (p)
                rd_kafka_destroy(p);
        if (q)
                rd_kafka_destroy_flags(q, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        free(got);
        if (rc < 0 && !st->fatal) {
                snprintf(st->fatal_buf, sizeof(st->fatal_buf),
                         "the canaries could not be written and read back: %s", kp_check_reason(c));
                st->fatal = st->fatal_buf;
        }
        return rc;
}

/* What a scan did not cover, for people ("" when it covered everything):
 * the byte cap, a cut listing, or (s3) no object written after the canaries,
 * i.e. their segments not uploaded yet. */
static void partial_scan(const rev_state_t *st, const kp_target_t *t, const kp_storage_scan_t *s,
                         char *buf, size_t size)
{
        size_t len = 0;

        buf[0] = '\0';
        if (s->truncated)
                len += (size_t)snprintf(buf + len, size - len,
                                        "stopped at max_scan_bytes (%lld): the rest of the %s was "
                                        "not read",
                                        (long long)t->storage.max_scan_bytes,
                                        strcmp(t->storage_type, "s3") == 0 ? "objects" : "files");
        if (s->listing_truncated && len < size)
                len += (size_t)snprintf(buf + len, size - len,
                                        "%sthe S3 listing was cut before its end: objects after "
                                        "it were not listed",
                                        len ? "; " : "");
        if (strcmp(t->storage_type, "s3") == 0 && s->objects > 0 &&
            s->newest_object_unix + 2 < st->canaries_unix && len < size) {
                time_t a = (time_t)s->newest_object_unix, b = (time_t)st->canaries_unix;
                struct tm ta, tb;
                char sa[32], sb[32];
                gmtime_r(&a, &ta);
                gmtime_r(&b, &tb);
                strftime(sa, sizeof(sa), "%Y-%m-%dT%H:%M:%SZ", &ta);
                strftime(sb, sizeof(sb), "%Y-%m-%dT%H:%M:%SZ", &tb);
                snprintf(buf + len, size - len,
                         "%sno object was written after the canaries (newest object %s, canaries "
                         "produced %s): their segments are not uploaded yet, so they were not "
                         "scanned",
                         len ? "; " : "", sa, sb);
        }
}

void rev_check_at_rest(kp_ctx_t *ctx, kp_check_t *c)
{
        rev_state_t *st = rev_state(ctx);
        const kp_target_t *t;
        kp_storage_t *sto = NULL;
        kp_storage_scan_t scan;
        uint32_t *hits = NULL;
        const char **toks = NULL;
        char partial[1024];
        kp_err_t err;
        int i, found = 0;

        if (rev_precheck(ctx, c, 1) < 0)
                return;
        if (write_canaries(ctx, st, c) < 0)
                return;
        t = ctx->plat->target;
        if (strcmp(t->storage_type, "none") == 0) {
                kp_check_skip(c,
                              "target %s declares no storage adapter (storage.type none): bytes at "
                              "rest cannot "
                              "be inspected",
                              t->name);
                return;
        }
        memset(&scan, 0, sizeof(scan));
        hits = calloc((size_t)st->n_canaries, sizeof(*hits));
        toks = calloc((size_t)st->n_canaries, sizeof(*toks));
        if (!hits || !toks) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        for (i = 0; i < st->n_canaries; i++)
                toks[i] = st->tokens[i];
        scan.token_hits = hits;
        if (kp_storage_new(t, &sto, &err) < 0 ||
            kp_storage_scan(sto, st->topic, toks, (size_t)st->n_canaries, &scan, &err) < 0) {
                kp_check_error(c, "at-rest scan: %s", err.msg);
                goto out;
        }
        for (i = 0; i < st->n_canaries; i++)
                found += hits[i] > 0;
        kp_check_measure(c, "plaintext_canaries", found, "records");
        kp_check_measure(c, "scanned_units", (double)scan.units,
                         strcmp(t->storage_type, "s3") == 0 ? "objects" : "files");
        kp_check_measure(c, "scanned_bytes", (double)scan.bytes, "bytes");
        kp_check_note(c, "%s scan of %s: %" PRIu64 " %s, %" PRIu64 " bytes%s", kp_storage_type(sto),
                      scan.location, scan.units,
                      strcmp(t->storage_type, "s3") == 0 ? "objects" : "files", scan.bytes,
                      scan.truncated ? " (stopped at max_scan_bytes)" : "");
        if (found) {
                kp_anomaly_t *a =
                    kp_check_anomaly(c, "plaintext-at-rest", (uint64_t)found, 0,
                                     "canary record values found verbatim in durable storage");
                size_t k;
                for (k = 0; k < scan.n_examples; k++) {
                        char d[1200];
                        snprintf(d, sizeof(d), "%s at byte %" PRIu64, scan.examples[k].where,
                                 scan.examples[k].offset);
                        kp_anomaly_example(a, 0, st->offsets[scan.examples[k].token], -1,
                                           (int64_t)scan.examples[k].token, d);
                }
        }
        if (strcmp(t->storage_type, "s3") == 0) {
                const char *cols[] = {"object", "bytes", "sse", "kms key", "expected key"};
                kp_table_t *tab = kp_check_table(c, "Objects at rest (HeadObject)", cols, 5);
                size_t k;
                for (k = 0; k < scan.n_object_list; k++) {
                        const kp_storage_object_t *o = &scan.object_list[k];
                        char sz[32];
                        const char *row[5];
                        snprintf(sz, sizeof(sz), "%" PRIu64, o->size);
                        row[0] = o->key;
                        row[1] = sz;
                        row[2] = o->sse[0] ? o->sse : "none";
                        row[3] = o->kms_key[0] ? o->kms_key : "-";
                        row[4] = o->key_matches < 0 ? "-" : o->key_matches ? "yes" : "NO";
                        kp_table_row(tab, row);
                }
                kp_check_measure(c, "unencrypted_objects", (double)scan.unencrypted, "objects");
                kp_check_measure(c, "objects_wrong_key", (double)scan.wrong_key, "objects");
        }
        partial_scan(st, t, &scan, partial, sizeof(partial));
        if (found)
                kp_check_fail(
                    c,
                    "%d of %d canaries found in plaintext at rest (first: %s at byte %" PRIu64 ")",
                    found, st->n_canaries, scan.examples[0].where, scan.examples[0].offset);
        else if (scan.unencrypted || scan.wrong_key)
                kp_check_fail(
                    c,
                    "%" PRIu64 " object(s) without SSE and %" PRIu64 " under another key than %s",
                    scan.unencrypted, scan.wrong_key,
                    t->storage.expected_kms_key ? t->storage.expected_kms_key : "expected");
        else if (partial[0])
                kp_check_error(c,
                               "partial scan, so no canary found proves nothing: %s; scanned "
                               "%" PRIu64 " %s, %" PRIu64 " bytes under %s",
                               partial, scan.units,
                               strcmp(t->storage_type, "s3") == 0 ? "objects" : "files", scan.bytes,
                               scan.location);
        else if (scan.units == 0)
                kp_check_error(c, "no durable data of topic %s found under %s: nothing to inspect",
                               st->topic, scan.location[0] ? scan.location : "the storage");
        else
                kp_check_pass(
                    c, "none of %d canaries found in %" PRIu64 " bytes at rest (%" PRIu64 " %s)",
                    st->n_canaries, scan.bytes, scan.units,
                    strcmp(t->storage_type, "s3") == 0 ? "objects" : "files");
out:
        kp_storage_free(sto);
        free(hits);
        free(toks);
}
