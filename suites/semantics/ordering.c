/*
 * Ordering and durability: per-partition order, every acknowledged record
 * consumed under acks=all, and no duplicates from an idempotent producer
 * while the platform answers produce requests with retriable errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "src/control.h"
#include "src/fsutil.h"
#include "src/platform.h"
#include "src/timeutil.h"
#include "src/wlreport.h"
#include "src/workload.h"

#define ORDER_PARTITIONS 3
#define ORDER_PER_PART   1000

typedef struct order_state {
        uint64_t expect;
        int64_t last_offset;
        const int64_t *acked_offsets; /* per seq of this partition */
        long out_of_order, offset_mismatch;
        kp_check_t *c;
        int32_t partition;
} order_state_t;

static int order_cb(void *opaque, const rd_kafka_message_t *m)
{
        order_state_t *st = opaque;
        uint64_t seq;

        if (m->len != 8) {
                st->out_of_order++;
                return 0;
        }
        seq = sem_get_be64(m->payload);
        if (seq != st->expect || m->offset <= st->last_offset) {
                if (st->out_of_order < 5)
                        kp_check_note(st->c,
                                      "partition %d: expected seq %llu, got %llu at offset %lld",
                                      st->partition, (unsigned long long)st->expect,
                                      (unsigned long long)seq, (long long)m->offset);
                st->out_of_order++;
        }
        if (seq < ORDER_PER_PART && st->acked_offsets[seq] != m->offset)
                st->offset_mismatch++;
        st->expect = seq + 1;
        st->last_offset = m->offset;
        return 0;
}

void sem_check_partition_order(kp_ctx_t *ctx, kp_check_t *c)
{
        const size_t total = ORDER_PARTITIONS * ORDER_PER_PART;
        kp_kvlist_t pextra = {0};
        rd_kafka_t *prod = NULL, *cons = NULL;
        int64_t *acked = NULL;
        char topic[256];
        long bad = 0, mism = 0, read = 0;
        sem_dr_t dr;
        size_t i;
        int p;

        if (sem_dr_init(&dr, total) < 0 || !(acked = malloc(total * sizeof(int64_t)))) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (sem_topic(ctx, c, "order", ORDER_PARTITIONS, NULL, topic, sizeof(topic)) < 0)
                goto out;
        kp_kvlist_set(&pextra, "enable.idempotence", "true");
        kp_kvlist_set(&pextra, "linger.ms", "5");
        prod = sem_producer(ctx, c, &pextra, &dr);
        if (!prod)
                goto out;
        for (i = 0; i < total; i++) {
                uint8_t v[8];
                int32_t part = (int32_t)(i % ORDER_PARTITIONS);
                rd_kafka_resp_err_t e;
                sem_put_be64(v, i / ORDER_PARTITIONS);
                while ((e = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(topic),
                                              RD_KAFKA_V_PARTITION(part), RD_KAFKA_V_VALUE(v, 8),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                              RD_KAFKA_V_OPAQUE((void *)(uintptr_t)i),
                                              RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(prod, 10);
                if (e) {
                        kp_check_error(c, "produce: %s", rd_kafka_err2str(e));
                        goto out;
                }
                rd_kafka_poll(prod, 0);
        }
        if (sem_flush(prod, c, 60000) < 0)
                goto out;
        if (dr.failed) {
                kp_check_fail(c, "%zu of %zu records failed delivery", dr.failed, total);
                goto out;
        }
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        for (p = 0; p < ORDER_PARTITIONS; p++) {
                order_state_t st;
                memset(&st, 0, sizeof(st));
                st.last_offset = -1;
                st.c = c;
                st.partition = p;
                for (i = 0; i < ORDER_PER_PART; i++)
                        acked[i] = dr.offset[i * ORDER_PARTITIONS + (size_t)p];
                st.acked_offsets = acked;
                read += sem_consume_partition(cons, topic, p, RD_KAFKA_OFFSET_BEGINNING,
                                              ORDER_PER_PART, 15000, order_cb, &st);
                bad += st.out_of_order;
                mism += st.offset_mismatch;
        }
        kp_check_measure(c, "partitions", ORDER_PARTITIONS, "partitions");
        kp_check_measure(c, "records_sent", (double)total, "records");
        kp_check_measure(c, "records_read", (double)read, "records");
        kp_check_measure(c, "out_of_order", (double)bad, "records");
        kp_check_measure(c, "offset_mismatches", (double)mism, "records");
        if (read != (long)total)
                kp_check_fail(c, "read back %ld of %zu records", read, total);
        else if (bad)
                kp_check_fail(c, "%ld records arrived out of send order within their partition",
                              bad);
        else if (mism)
                kp_check_fail(c, "%ld records were read at offsets other than acknowledged", mism);
        else
                kp_check_pass(c,
                              "%zu records over %d partitions read in send order at their "
                              "acknowledged offsets",
                              total, ORDER_PARTITIONS);
out:
        if (prod)
                rd_kafka_destroy(prod);
        if (cons) {
                rd_kafka_consumer_close(cons);
                rd_kafka_destroy(cons);
        }
        kp_kvlist_clear(&pextra);
        sem_dr_release(&dr);
        free(acked);
}

void sem_check_acks_all(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        kp_workload_spec_t spec;
        kp_workload_t *wl = NULL;
        kp_workload_results_t r;
        kp_kvlist_t pover = {0}, cover = {0};
        char topic[256], dir[4096];
        uint64_t lost;
        kp_err_t err;

        if (w->topic)
                snprintf(topic, sizeof(topic), "%s", w->topic);
        else
                kp_ctx_topic(ctx, "acks-all", topic, sizeof(topic));
        if (kp_platform_create_topic(ctx->plat, topic, w->partitions, w->replication_factor,
                                     &w->topic_config, &err) < 0) {
                kp_check_error(c, "cannot create topic %s: %s", topic, err.msg);
                return;
        }
        kp_kvlist_merge(&pover, &ctx->scfg->client.producer);
        kp_kvlist_merge(&cover, &ctx->scfg->client.consumer);
        /* This check is about acks=all: the profile is always safe. */
        kp_kvlist_set(&pover, "acks", "all");
        memset(&spec, 0, sizeof(spec));
        spec.cfg = w;
        spec.topic = topic;
        spec.profile = KP_PROFILE_SAFE;
        spec.producer_overrides = &pover;
        spec.consumer_overrides = &cover;
        wl = kp_workload_new(ctx->plat, &spec, &err);
        if (!wl) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        if (kp_workload_run(wl, &err) < 0) {
                kp_check_error(c, "workload: %s", err.msg);
                goto out;
        }
        lost = kp_wlreport_record(c, wl);
        kp_workload_results(wl, &r);
        if (kp_ctx_path(ctx, "plots", dir, sizeof(dir)) == 0 &&
            kp_wlreport_timeline(c, wl, dir, "plots", "semantics-acks-all-timeline",
                                 "acks=all workload: throughput and p99 latency", NULL, 0,
                                 &err) < 0)
                kp_check_note(c, "timeline plot not drawn: %s", err.msg);
        kp_check_note(c,
                      "topic %s, %d partitions, %d-byte records, %d producer(s), %d consumer(s), "
                      "profile safe (acks=all, idempotence, read_committed)",
                      topic, w->partitions, w->message_bytes, w->producers, w->consumers);
        if (r.ledger.acked == 0)
                kp_check_error(c, "no record was acknowledged: nothing to judge");
        else if (lost)
                kp_check_fail(c, "%llu of %llu acknowledged records were never consumed",
                              (unsigned long long)lost, (unsigned long long)r.ledger.acked);
        else if (r.other_offset)
                kp_check_fail(c, "%llu records were read at an offset other than acknowledged",
                              (unsigned long long)r.other_offset);
        else if (r.corrupt)
                kp_check_fail(c, "%llu records came back corrupted", (unsigned long long)r.corrupt);
        else if (w->consumers == 0)
                kp_check_error(c, "the workload has no consumer, so durability cannot be judged");
        else
                kp_check_pass(c,
                              "all %llu acknowledged records were consumed intact (%llu sent, "
                              "%llu delivery failures)",
                              (unsigned long long)r.ledger.acked, (unsigned long long)r.ledger.sent,
                              (unsigned long long)r.ledger.failed);
out:
        kp_workload_free(wl);
        kp_kvlist_clear(&pover);
        kp_kvlist_clear(&cover);
}

#define IDEM_PARTITIONS  3
#define IDEM_WARMUP      30
#define IDEM_MIN_RECORDS 3000
#define IDEM_MAX_RECORDS 50000
#define IDEM_CHUNK       50

/* Retriable produce errors a broker may answer with. The embedded mock cluster
 * answers them before appending, so they exercise retries with producer
 * sequence numbers; resends of records that were already written (a leader
 * lost after appending) are exercised on real clusters by the failover suite,
 * whose history checker forbids duplicates under the idempotent profile. A
 * delayed successful answer is not used: the mock does not apply it reliably
 * (seen as an acknowledged record missing from the log under load). */
static const int idem_errors[] = {
    RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,     RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
};

static int64_t idem_pending(kp_ctx_t *ctx)
{
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_PENDING_ERRORS);
        kp_ctl_res_t res;
        kp_err_t err;

        memset(&res, 0, sizeof(res));
        req.api_key = 0;
        if (kp_control_do(ctx->plat->control, &req, &res, &err) < 0 || !res.has_value)
                return -1;
        return res.value;
}

/* Distinct leader brokers of the topic's partitions, from live metadata. */
static int idem_leaders(rd_kafka_t *rk, const char *topic, int32_t *leaders, int max)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        int n = 0, p, k;

        if (!rkt)
                return -1;
        if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) || md->topic_cnt != 1) {
                if (md)
                        rd_kafka_metadata_destroy(md);
                rd_kafka_topic_destroy(rkt);
                return -1;
        }
        for (p = 0; p < md->topics[0].partition_cnt; p++) {
                int32_t l = md->topics[0].partitions[p].leader;
                for (k = 0; k < n && leaders[k] != l; k++)
                        ;
                if (k == n && n < max && l >= 0)
                        leaders[n++] = l;
        }
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
        return n;
}

static int idem_produce(rd_kafka_t *prod, const char *topic, size_t i, kp_check_t *c)
{
        uint8_t v[8];
        rd_kafka_resp_err_t e;

        sem_put_be64(v, i);
        while (
            (e = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(topic),
                                   RD_KAFKA_V_PARTITION((int32_t)(i % IDEM_PARTITIONS)),
                                   RD_KAFKA_V_VALUE(v, 8), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_OPAQUE((void *)(uintptr_t)i), RD_KAFKA_V_END)) ==
            RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(prod, 10);
        if (e) {
                kp_check_error(c, "produce: %s", rd_kafka_err2str(e));
                return -1;
        }
        rd_kafka_poll(prod, 0);
        return 0;
}

void sem_check_idempotence(kp_ctx_t *ctx, kp_check_t *c)
{
        const char *reason = NULL;
        kp_kvlist_t pextra = {0};
        rd_kafka_t *prod = NULL, *cons = NULL;
        sem_seqset_t st;
        sem_dr_t dr;
        char topic[256];
        int32_t leaders[64];
        int n_leaders, injected = 0, k, p;
        int64_t pending_before, pending = -1, delivered, deadline;
        long read = 0, missing = 0;
        int64_t retries;
        size_t i, sent = 0;

        if (!kp_control_supports(ctx->plat->control, KP_CTL_PUSH_ERRORS, &reason) ||
            !kp_control_supports(ctx->plat->control, KP_CTL_PENDING_ERRORS, &reason)) {
                /* a real cluster: retriable errors from killing a leader */
                if (sem_idempotence_by_broker_kill(ctx, c))
                        return;
                kp_check_skip(c, "cannot inject produce errors on this target: %s", reason);
                return;
        }
        if (sem_seqset_init(&st, IDEM_MAX_RECORDS) < 0 || sem_dr_init(&dr, IDEM_MAX_RECORDS) < 0) {
                kp_check_error(c, "out of memory");
                sem_seqset_release(&st);
                return;
        }
        if (sem_topic(ctx, c, "idempotence", IDEM_PARTITIONS, NULL, topic, sizeof(topic)) < 0)
                goto out;
        kp_kvlist_set(&pextra, "enable.idempotence", "true");
        kp_kvlist_set(&pextra, "acks", "all");
        kp_kvlist_set(&pextra, "retry.backoff.ms", "20");
        kp_kvlist_set(&pextra, "linger.ms", "2");
        kp_kvlist_set(&pextra, "statistics.interval.ms", "100");
        prod = sem_producer(ctx, c, &pextra, &dr);
        if (!prod)
                goto out;
        /* Warm up: the producer id is acquired and every leader known before the
         * errors are armed, so each injected answer hits a Produce request. */
        for (sent = 0; sent < IDEM_WARMUP; sent++)
                if (idem_produce(prod, topic, sent, c) < 0)
                        goto out;
        if (sem_flush(prod, c, 30000) < 0)
                goto out;
        n_leaders = idem_leaders(prod, topic, leaders, 64);
        if (n_leaders <= 0) {
                kp_check_error(c, "no partition leader of %s in the metadata", topic);
                goto out;
        }
        pending_before = idem_pending(ctx);
        if (pending_before < 0) {
                kp_check_error(c, "cannot read the injected-error count of the target");
                goto out;
        }
        for (k = 0; k < n_leaders; k++) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_PUSH_ERRORS);
                kp_err_t err;
                req.broker = leaders[k];
                req.api_key = 0; /* Produce */
                req.errors = idem_errors;
                req.n_errors = sizeof(idem_errors) / sizeof(idem_errors[0]);
                if (kp_control_do(ctx->plat->control, &req, NULL, &err) < 0) {
                        kp_check_error(c, "inject produce errors on broker %d: %s", leaders[k],
                                       err.msg);
                        goto out;
                }
                injected += (int)req.n_errors;
        }
        /* Keep producing until every injected answer was consumed by a request,
         * bounded in records and time. */
        deadline = kp_mono_ns() + 60 * KP_NS_PER_S;
        while (sent < IDEM_MAX_RECORDS && kp_mono_ns() < deadline) {
                for (k = 0; k < IDEM_CHUNK && sent < IDEM_MAX_RECORDS; k++, sent++)
                        if (idem_produce(prod, topic, sent, c) < 0)
                                goto out;
                rd_kafka_poll(prod, 20);
                pending = idem_pending(ctx);
                if (pending >= 0 && pending <= pending_before && sent >= IDEM_MIN_RECORDS)
                        break;
        }
        if (sem_flush(prod, c, 60000) < 0)
                goto out;
        for (k = 0; k < 4; k++)
                rd_kafka_poll(prod, 100);
        retries = dr.stats ? sem_stats_broker_sum(dr.stats, "txretries") : -1;
        pending = idem_pending(ctx);
        delivered = pending >= 0 ? pending_before + injected - pending : -1;
        cons = sem_consumer(ctx, c, NULL);
        if (!cons)
                goto out;
        for (p = 0; p < IDEM_PARTITIONS; p++) {
                /* Read everything the partition holds (a duplicate raises the high
                 * watermark too), then stop instead of waiting for silence. */
                int64_t lo = 0, hi = -1;
                long want = (long)sent * 2;
                if (rd_kafka_query_watermark_offsets(cons, topic, p, &lo, &hi, 10000) == 0 &&
                    hi >= lo)
                        want = (long)(hi - lo);
                kp_check_note(c, "partition %d holds offsets %lld to %lld", p, (long long)lo,
                              (long long)hi);
                read += sem_consume_partition(cons, topic, p, RD_KAFKA_OFFSET_BEGINNING, want, 5000,
                                              sem_seqset_cb, &st);
        }
        for (i = 0; i < sent; i++)
                if (dr.err[i] == RD_KAFKA_RESP_ERR_NO_ERROR && st.seen[i] == 0) {
                        if (missing++ < 5)
                                kp_check_note(c,
                                              "acknowledged but not read: record %zu, partition "
                                              "%d, acknowledged at offset %lld",
                                              i, (int)dr.partition[i], (long long)dr.offset[i]);
                }
        kp_check_measure(c, "records_sent", (double)sent, "records");
        kp_check_measure(c, "records_acked", (double)(dr.delivered - dr.failed), "records");
        kp_check_measure(c, "records_read", (double)read, "records");
        kp_check_measure(c, "errors_injected", injected, "responses");
        kp_check_measure(c, "errors_delivered", (double)delivered, "responses");
        kp_check_measure(c, "client_request_retries", (double)retries, "requests");
        kp_check_measure(c, "duplicates", (double)st.dup, "records");
        kp_check_measure(c, "lost_acked", (double)missing, "records");
        kp_check_note(c,
                      "armed %d retriable produce errors on the %d partition leaders: "
                      "NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS, "
                      "NOT_ENOUGH_REPLICAS_AFTER_APPEND, LEADER_NOT_AVAILABLE",
                      injected, n_leaders);
        if (delivered < injected)
                kp_check_error(c,
                               "only %lld of %d injected produce answers reached the client, so "
                               "the effect cannot be judged",
                               (long long)delivered, injected);
        else if (st.dup)
                kp_check_fail(c, "%ld records were written more than once despite idempotence",
                              st.dup);
        else if (missing)
                kp_check_fail(c, "%ld acknowledged records are missing", missing);
        else if (dr.failed)
                kp_check_fail(c, "%zu records failed delivery although every error was retriable",
                              dr.failed);
        else
                kp_check_pass(c,
                              "%zu records through %lld injected retriable errors: no "
                              "duplicate, none lost",
                              sent, (long long)delivered);
out:
        if (prod)
                rd_kafka_destroy(prod);
        if (cons) {
                rd_kafka_consumer_close(cons);
                rd_kafka_destroy(cons);
        }
        kp_kvlist_clear(&pextra);
        sem_dr_release(&dr);
        sem_seqset_release(&st);
}
