/* Over 600 lines: a workload's whole lifecycle (set-up, drain, results merge, free) in one file. */
/* workload.c: the workload engine's lifecycle: creation, the clients and their threads, drain,
 * stop with the merge of every thread's results, the accessors and free. The threads are in
 * wl_producer.c and wl_consumer.c, the per-thread timelines in wl_timeline.c (workload_int.h). */
#include "engine/workload.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "util/digest.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "engine/workload_int.h"

#define MAX_SLOTS 3600
/* A shard's drain ends after this long without a new read. */
#define SHARD_QUIET_NS (3 * KP_NS_PER_S)

kp_workload_t *kp_workload_new(kp_platform_t *p, const kp_workload_spec_t *spec, kp_err_t *err)
{
        kp_workload_t *wl = calloc(1, sizeof(*wl));
        const kp_workload_cfg_t *c = spec->cfg;
        uint64_t max_records = spec->max_records;
        char gid[512];
        int i;

        if (!wl)
                goto oom;
        wl->plat = p;
        if (kp_workload_cfg_copy(&wl->cfg, c) < 0)
                goto oom;
        wl->topic = strdup(spec->topic);
        snprintf(gid, sizeof(gid), "kproof-%s", spec->topic);
        wl->group_id = strdup(spec->group_id ? spec->group_id : gid);
        if (!wl->topic || !wl->group_id)
                goto oom;
        wl->profile = spec->profile;
        wl->history = spec->history;
        wl->shard = spec->shard;
        wl->producer_base = spec->producer_base;
        wl->start_at_ns = spec->start_at_ns;
        wl->clock_off = spec->clock_offset_ns;
        wl->n_prod = c->producers;
        wl->n_cons = c->consumers;
        wl->records_per_producer = max_records;
        wl->defer_consumers = spec->defer_consumers;
        if (!max_records) {
                double per = c->rate / c->producers * ((double)c->duration_ns / 1e9);
                max_records = (uint64_t)(per * 1.05) + 1000;
        }
        wl->ledger = kp_ledger_new(wl->n_prod, c->partitions, max_records, err);
        if (!wl->ledger)
                goto fail;
        if (spec->nonce)
                wl->nonce = spec->nonce;
        else if (kp_random_bytes(&wl->nonce, sizeof(wl->nonce)) < 0)
                wl->nonce = (uint32_t)kp_wall_ns();
        if (!wl->nonce)
                wl->nonce = 1;
        wl->pattern = malloc(PATTERN_BYTES + (size_t)c->message_bytes);
        if (!wl->pattern)
                goto oom;
        kp_random_bytes(wl->pattern, PATTERN_BYTES + (size_t)c->message_bytes);

        {
                int64_t total = c->duration_ns + c->drain_timeout_ns + 60 * KP_NS_PER_S;
                wl->slot_ns = KP_NS_PER_S;
                while (total / wl->slot_ns > MAX_SLOTS)
                        wl->slot_ns *= 2;
                wl->n_slots = (size_t)(total / wl->slot_ns) + 1;
        }
        if (kp_hist_init(&wl->ack_hist, 7, HIST_MAX_NS) < 0 ||
            kp_hist_init(&wl->e2e_hist, 7, HIST_MAX_NS) < 0)
                goto oom;

        /* Client properties: target, profile, scenario overrides, workload knobs. */
        kp_platform_client_props(p, spec->profile, 1, spec->producer_overrides,
                                 &wl->producer_props);
        if (c->compression)
                kp_kvlist_set(&wl->producer_props, "compression.codec", c->compression);
        if (c->linger_ms >= 0) {
                char v[32];
                snprintf(v, sizeof(v), "%d", c->linger_ms);
                kp_kvlist_set(&wl->producer_props, "linger.ms", v);
        }
        if (c->batch_bytes > 0) {
                char v[32];
                snprintf(v, sizeof(v), "%d", c->batch_bytes);
                kp_kvlist_set(&wl->producer_props, "batch.size", v);
        }
        if (c->message_bytes > 1000000 &&
            !kp_kvlist_get(&wl->producer_props, "message.max.bytes")) {
                char v[32];
                snprintf(v, sizeof(v), "%d", c->message_bytes + 65536);
                kp_kvlist_set(&wl->producer_props, "message.max.bytes", v);
        }
        kp_kvlist_set(&wl->consumer_props, "group.id", wl->group_id);
        kp_kvlist_set(&wl->consumer_props, "auto.offset.reset", "earliest");
        kp_workload_consumer_defaults(&wl->consumer_props);
        {
                kp_kvlist_t tmp = {0};
                kp_platform_client_props(p, spec->profile, 0, spec->consumer_overrides, &tmp);
                kp_kvlist_merge(&wl->consumer_props, &tmp);
                kp_kvlist_clear(&tmp);
        }
        wl->reset_offset =
            kp_wl_reset_offset(kp_kvlist_get(&wl->consumer_props, "auto.offset.reset"));

        wl->prods = calloc((size_t)wl->n_prod, sizeof(*wl->prods));
        wl->conss = calloc((size_t)(wl->n_cons ? wl->n_cons : 1), sizeof(*wl->conss));
        if (!wl->prods || !wl->conss)
                goto oom;
        for (i = 0; i < wl->n_prod; i++) {
                prod_t *pr = &wl->prods[i];
                pr->wl = wl;
                pr->id = i;
                /* Salt: each producer's values take other stretches of the pattern. */
                if (kp_rec_enc_init(&pr->enc, (size_t)c->message_bytes, wl->pattern,
                                    PATTERN_BYTES + (size_t)c->message_bytes,
                                    (uint32_t)(wl->producer_base + i) * 4099u) < 0 ||
                    kp_hist_init(&pr->ack_hist, 7, HIST_MAX_NS) < 0 ||
                    kp_wl_tl_init(&pr->tl, wl->n_slots) < 0)
                        goto oom;
        }
        for (i = 0; i < wl->n_cons; i++) {
                cons_t *co = &wl->conss[i];
                int j;
                co->wl = wl;
                co->id = i;
                co->last_offset = malloc((size_t)c->partitions * sizeof(int64_t));
                co->pending = malloc(PENDING_MAX * sizeof(pending_t));
                if (!co->last_offset || !co->pending ||
                    kp_hist_init(&co->e2e_hist, 7, HIST_MAX_NS) < 0 ||
                    kp_wl_tl_init(&co->tl, wl->n_slots) < 0)
                        goto oom;
                for (j = 0; j < c->partitions; j++)
                        co->last_offset[j] = -1;
        }
        return wl;
oom:
        kp_err_set(err, KP_ENOMEM, "workload: out of memory");
fail:
        kp_workload_free(wl);
        return NULL;
}

static int make_producers(kp_workload_t *wl, kp_err_t *err)
{
        int i;

        for (i = 0; i < wl->n_prod; i++) {
                prod_t *pr = &wl->prods[i];
                rd_kafka_conf_t *conf = kp_kafka_conf_new(&wl->producer_props, err);
                if (!conf)
                        return -1;
                rd_kafka_conf_set_dr_msg_cb(conf, kp_wl_dr_msg_cb);
                rd_kafka_conf_set_opaque(conf, pr);
                if (wl->cfg.txn_records > 0) {
                        char tid[300], errstr[256];
                        snprintf(tid, sizeof(tid), "kproof-%s-%d", wl->topic, i);
                        if (rd_kafka_conf_set(conf, "transactional.id", tid, errstr,
                                              sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                                rd_kafka_conf_destroy(conf);
                                return kp_err_set(err, KP_EINVAL, "transactional.id: %s", errstr);
                        }
                }
                pr->rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
                if (!pr->rk)
                        return -1;
                if (wl->cfg.txn_records > 0) {
                        rd_kafka_error_t *te = rd_kafka_init_transactions(pr->rk, TXN_TIMEOUT_MS);
                        if (te) {
                                kp_err_set(err, KP_EINFRA,
                                           "producer %d cannot initialise transactions: %s", i,
                                           rd_kafka_error_string(te));
                                rd_kafka_error_destroy(te);
                                return -1;
                        }
                }
                /* A topic handle spares librdkafka a lookup by name per record. */
                pr->rkt = rd_kafka_topic_new(pr->rk, wl->topic, NULL);
                if (!pr->rkt)
                        return kp_err_set(err, KP_EINFRA, "cannot open topic %s: %s", wl->topic,
                                          rd_kafka_err2str(rd_kafka_last_error()));
        }
        return 0;
}

static int make_consumers(kp_workload_t *wl, kp_err_t *err)
{
        kp_err_t werr;
        int i;

        for (i = 0; i < wl->n_cons; i++) {
                cons_t *co = &wl->conss[i];
                rd_kafka_conf_t *conf = kp_kafka_conf_new(&wl->consumer_props, err);
                rd_kafka_topic_partition_list_t *topics;
                const char *ac;
                if (!conf)
                        return -1;
                ac = kp_kvlist_get(&wl->consumer_props, "enable.auto.commit");
                co->auto_commit = !ac || strcmp(ac, "false") != 0;
                rd_kafka_conf_set_rebalance_cb(conf, kp_wl_rebalance_cb);
                rd_kafka_conf_set_opaque(conf, co);
                co->rk = kp_kafka_new(RD_KAFKA_CONSUMER, conf, err);
                if (!co->rk)
                        return -1;
                rd_kafka_poll_set_consumer(co->rk);
                /* Learn the partition leaders before joining: a partition
                 * assigned (with its start offset, see start_offsets) before
                 * its broker thread took it over has its offset lookup
                 * retried 500 ms later ("no current leader"). Best effort. */
                if (kp_kafka_wait_topic(co->rk, wl->topic, wl->cfg.partitions, 10000, &werr) < 0)
                        kp_debug("workload %s: consumer %d: %s", wl->topic, i, werr.msg);
                topics = rd_kafka_topic_partition_list_new(1);
                rd_kafka_topic_partition_list_add(topics, wl->topic, RD_KAFKA_PARTITION_UA);
                if (rd_kafka_subscribe(co->rk, topics)) {
                        rd_kafka_topic_partition_list_destroy(topics);
                        return kp_err_set(err, KP_EINFRA, "cannot subscribe to %s", wl->topic);
                }
                rd_kafka_topic_partition_list_destroy(topics);
        }
        return 0;
}

/* Starts the consumer threads and waits (bounded) until the group has every
 * partition assigned, so produce->consume latency does not include the
 * group join. */
static int start_consumers(kp_workload_t *wl, kp_err_t *err)
{
        int64_t deadline;
        int i, assigned;

        if (wl->consumers_started || wl->n_cons == 0)
                return 0;
        wl->consumers_started = 1;
        if (make_consumers(wl, err) < 0)
                return -1;
        for (i = 0; i < wl->n_cons; i++) {
                if (pthread_create(&wl->conss[i].thr, NULL, kp_wl_consumer_main, &wl->conss[i]) !=
                    0)
                        return kp_err_set(err, KP_EINFRA, "cannot start consumer thread");
                wl->conss[i].started = 1;
        }
        /* A shard's consumers hold only a share of the partitions and the
         * group settles as the other workers join: wait, until the shared
         * start at most, for each of them to hold a partition, so the
         * rebalances of the join happen before the load does. */
        deadline = wl->shard ? wl->start_at_ns : kp_mono_ns() + 20 * KP_NS_PER_S;
        while (kp_mono_ns() < deadline && !kp_stop_requested()) {
                int holding = 0;
                assigned = 0;
                for (i = 0; i < wl->n_cons; i++) {
                        int a = __atomic_load_n(&wl->conss[i].assigned, __ATOMIC_ACQUIRE);
                        assigned += a;
                        holding += a > 0;
                }
                if (wl->shard ? holding == wl->n_cons : assigned >= wl->cfg.partitions)
                        break;
                kp_sleep_ms(2);
        }
        if (!wl->shard && kp_mono_ns() >= deadline)
                kp_warn("workload %s: consumers not fully assigned after 20 s; going on",
                        wl->topic);
        return 0;
}

int kp_workload_start_consumers(kp_workload_t *wl, kp_err_t *err)
{
        return start_consumers(wl, err);
}

/* The live status line's counts (progress.h): the counters the threads
 * keep anyway; producing while the schedule runs and a producer with a
 * record quota has not had them all acknowledged. */
static void progress_counts(void *opaque, kp_progress_counts_t *out)
{
        const kp_workload_t *wl = opaque;
        int i, quota_left = wl->records_per_producer == 0;

        out->acked = kp_workload_acked_now(wl);
        out->consumed = kp_workload_consumed_now(wl);
        for (i = 0; !quota_left && i < wl->n_prod; i++)
                quota_left = __atomic_load_n(&wl->prods[i].acked_n, __ATOMIC_RELAXED) <
                             wl->records_per_producer;
        out->producing = quota_left && kp_mono_ns() < wl->start_ns + wl->cfg.duration_ns;
}

int kp_workload_start(kp_workload_t *wl, kp_err_t *err)
{
        int i;

        if (make_producers(wl, err) < 0)
                return -1;
        /* Warm up: every producer learns the topic's leaders before the
         * schedule starts, so connection set-up is not charged as latency. */
        for (i = 0; i < wl->n_prod; i++)
                if (kp_kafka_wait_topic(wl->prods[i].rk, wl->topic, wl->cfg.partitions, 30000,
                                        err) < 0)
                        return -1;
        /* The timeline starts now so the consumer-join wait is visible. */
        wl->start_ns = kp_mono_ns();
        if (!wl->defer_consumers && start_consumers(wl, err) < 0)
                return -1;
        /* A shard starts on the shared clock, even late (a late start shows
         * as latency, as a stalled producer does). */
        wl->start_ns = wl->start_at_ns ? wl->start_at_ns : kp_mono_ns();
        for (i = 0; i < wl->n_prod; i++) {
                if (pthread_create(&wl->prods[i].thr, NULL, kp_wl_producer_main, &wl->prods[i]) !=
                    0)
                        return kp_err_set(err, KP_EINFRA, "cannot start producer thread");
                wl->prods[i].started = 1;
        }
        kp_progress_source_add(progress_counts, wl);
        kp_info("workload %s: %d producer(s) at %.0f records/s for %.1f s, %d consumer(s)",
                wl->topic, wl->n_prod, wl->cfg.rate, (double)wl->cfg.duration_ns / 1e9, wl->n_cons);
        return 0;
}

void kp_workload_wait_produced(kp_workload_t *wl)
{
        int i;

        for (i = 0; i < wl->n_prod; i++) {
                if (wl->prods[i].started) {
                        pthread_join(wl->prods[i].thr, NULL);
                        wl->prods[i].started = 0;
                }
        }
}

/* A shard's consumers are caught up when each of them has joined the group
 * and has read every partition it holds to the high watermark its last fetch
 * saw (librdkafka's cached watermarks: no request). A consumer still joining
 * (a slow group on a loaded machine) is not caught up, so quiet alone never
 * ends a shard's drain before its consumers read. */
static int shard_caught_up(kp_workload_t *wl)
{
        int i, j, ok = 1;

        for (i = 0; ok && i < wl->n_cons; i++) {
                cons_t *co = &wl->conss[i];
                rd_kafka_topic_partition_list_t *parts = NULL;

                if (!__atomic_load_n(&co->joined, __ATOMIC_ACQUIRE))
                        return 0;
                if (rd_kafka_assignment(co->rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
                        return 0;
                if (rd_kafka_position(co->rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
                        ok = 0;
                for (j = 0; ok && j < parts->cnt; j++) {
                        const rd_kafka_topic_partition_t *tp = &parts->elems[j];
                        int64_t lo = -1, hi = -1;
                        if (rd_kafka_get_watermark_offsets(co->rk, tp->topic, tp->partition, &lo,
                                                           &hi) != RD_KAFKA_RESP_ERR_NO_ERROR ||
                            hi < 0)
                                ok = 0;
                        else if (tp->offset >= 0 ? tp->offset < hi : lo < hi)
                                ok = 0;
                }
                rd_kafka_topic_partition_list_destroy(parts);
        }
        return ok;
}

int kp_workload_drain(kp_workload_t *wl, int64_t timeout_ns)
{
        int64_t t0 = kp_mono_ns(), deadline = t0 + timeout_ns, last_check = 0, quiet_since = 0;
        uint64_t quiet_n = 0;
        kp_ledger_summary_t s;

        if (wl->n_cons == 0) {
                wl->drained = 0;
                return 0;
        }
        while (!kp_stop_requested()) {
                int64_t now = kp_mono_ns();
                if (wl->shard) {
                        /* Other shards' acknowledgements are not known here:
                         * drained once nothing new was read for SHARD_QUIET
                         * and the consumers are caught up (shard_caught_up). */
                        uint64_t n = kp_workload_consumed_now(wl);
                        if (n != quiet_n || !quiet_since) {
                                quiet_n = n;
                                quiet_since = now;
                        } else if (now - quiet_since >= SHARD_QUIET_NS &&
                                   now - last_check >= 250 * KP_NS_PER_MS) {
                                last_check = now;
                                if (shard_caught_up(wl)) {
                                        wl->drained = 1;
                                        break;
                                }
                        }
                } else if (now - last_check >= 250 * KP_NS_PER_MS) {
                        kp_ledger_summarize(wl->ledger, &s);
                        last_check = now;
                        if (s.acked_unconsumed == 0) {
                                wl->drained = 1;
                                break;
                        }
                }
                if (now >= deadline)
                        break;
                kp_sleep_ms(50);
        }
        wl->drain_ns = kp_mono_ns() - t0;
        return wl->drained;
}

void kp_workload_stop(kp_workload_t *wl)
{
        kp_hist_t *slot_ack, *slot_e2e;
        kp_workload_results_t *r = &wl->res;
        int64_t last_finish = wl->start_ns;
        size_t i;
        int k;

        if (wl->stopped)
                return;
        kp_progress_source_remove(wl);
        wl->stop_producers = 1;
        kp_workload_wait_produced(wl);
        wl->stop_consumers = 1;
        for (k = 0; k < wl->n_cons; k++)
                if (wl->conss[k].started) {
                        pthread_join(wl->conss[k].thr, NULL);
                        wl->conss[k].started = 0;
                }
        wl->stopped = 1;

        /* Consumptions seen before their acknowledgement: verify now. */
        for (k = 0; k < wl->n_cons; k++)
                kp_wl_verify_pending(&wl->conss[k]);

        wl->timeline = calloc(wl->n_slots, sizeof(*wl->timeline));
        slot_ack = calloc(wl->n_slots, sizeof(*slot_ack));
        slot_e2e = calloc(wl->n_slots, sizeof(*slot_e2e));
        for (i = 0; slot_ack && slot_e2e && i < wl->n_slots; i++) {
                kp_hist_init(&slot_ack[i], SLOT_HIST_BITS, HIST_MAX_NS);
                kp_hist_init(&slot_e2e[i], SLOT_HIST_BITS, HIST_MAX_NS);
        }
        memset(r, 0, sizeof(*r));
        for (k = 0; k < wl->n_prod; k++) {
                prod_t *pr = &wl->prods[k];
                kp_hist_merge(&wl->ack_hist, &pr->ack_hist);
                if (wl->timeline && slot_ack)
                        kp_wl_merge_tl(wl, &pr->tl, slot_ack, NULL);
                kp_wl_merge_errs(wl, pr->errs);
                r->produce_errors += pr->produce_errors;
                r->txn_committed += pr->txns[KP_TXN_COMMITTED];
                r->txn_aborted += pr->txns[KP_TXN_ABORTED];
                r->txn_unknown += pr->txns[KP_TXN_UNKNOWN];
                r->queue_full_waits += pr->queue_full;
                r->value_bytes += pr->value_bytes;
                if (pr->finished_ns > last_finish)
                        last_finish = pr->finished_ns;
                if (pr->max_lag_ns > r->max_send_lag_ns)
                        r->max_send_lag_ns = pr->max_lag_ns;
        }
        for (k = 0; k < wl->n_cons; k++) {
                cons_t *co = &wl->conss[k];
                kp_hist_merge(&wl->e2e_hist, &co->e2e_hist);
                if (wl->timeline && slot_e2e)
                        kp_wl_merge_tl(wl, &co->tl, NULL, slot_e2e);
                kp_wl_merge_errs(wl, co->errs);
                r->consume_errors += co->consume_errors;
                r->foreign += co->foreign;
                r->corrupt += co->corrupt;
                r->redeliveries += co->redeliveries;
                r->other_offset += co->other_offset;
                r->unverified += co->unverified;
                r->poll_backwards += co->backwards;
                for (i = 0; i < co->n_examples && wl->n_examples < EXAMPLES_MAX; i++)
                        wl->examples[wl->n_examples++] = co->examples[i];
        }
        for (i = 0; wl->timeline && slot_ack && slot_e2e && i < wl->n_slots; i++) {
                wl->timeline[i].p99_ack_us = kp_hist_percentile(&slot_ack[i], 99.0) / 1000;
                wl->timeline[i].p99_e2e_us = kp_hist_percentile(&slot_e2e[i], 99.0) / 1000;
        }
        for (i = 0; slot_ack && slot_e2e && i < wl->n_slots; i++) {
                kp_hist_release(&slot_ack[i]);
                kp_hist_release(&slot_e2e[i]);
        }
        free(slot_ack);
        free(slot_e2e);

        kp_ledger_summarize(wl->ledger, &r->ledger);
        r->produce_ns = last_finish - wl->start_ns;
        r->drain_ns = wl->drain_ns;
        r->drained = wl->drained;
        r->target_rate = wl->cfg.rate;
        r->achieved_rate = r->produce_ns > 0 ? (double)r->ledger.sent * 1e9 /
                                                   (double)(r->produce_ns < wl->cfg.duration_ns
                                                                ? wl->cfg.duration_ns
                                                                : r->produce_ns)
                                             : 0;
        r->ack_hist = &wl->ack_hist;
        r->e2e_hist = &wl->e2e_hist;
        r->errors = wl->errors;
        r->n_errors = wl->n_errors;
        r->examples = wl->examples;
        r->n_examples = wl->n_examples;
}

int kp_workload_run(kp_workload_t *wl, kp_err_t *err)
{
        if (kp_workload_start(wl, err) < 0) {
                kp_workload_stop(wl);
                return -1;
        }
        kp_workload_wait_produced(wl);
        kp_workload_drain(wl, wl->cfg.drain_timeout_ns);
        kp_workload_stop(wl);
        return 0;
}

void kp_workload_results(kp_workload_t *wl, kp_workload_results_t *r)
{
        *r = wl->res;
}

const kp_workload_slot_t *kp_workload_timeline(kp_workload_t *wl, size_t *n_slots, int64_t *slot_ns)
{
        size_t n = wl->n_slots;

        /* Trim empty trailing slots. */
        while (n > 0 && wl->timeline && wl->timeline[n - 1].sent == 0 &&
               wl->timeline[n - 1].acked == 0 && wl->timeline[n - 1].consumed == 0 &&
               wl->timeline[n - 1].ack_errors == 0)
                n--;
        *n_slots = wl->timeline ? n : 0;
        *slot_ns = wl->slot_ns;
        return wl->timeline;
}

const kp_ledger_t *kp_workload_ledger(const kp_workload_t *wl)
{
        return wl->ledger;
}

int64_t kp_workload_start_ns(const kp_workload_t *wl)
{
        return wl->start_ns;
}

uint64_t kp_workload_acked_now(const kp_workload_t *wl)
{
        uint64_t n = 0;
        int i;

        for (i = 0; i < wl->n_prod; i++)
                n += __atomic_load_n(&wl->prods[i].acked_n, __ATOMIC_RELAXED);
        return n;
}

uint64_t kp_workload_consumed_now(const kp_workload_t *wl)
{
        uint64_t n = 0;
        int i;

        for (i = 0; i < wl->n_cons; i++)
                n += __atomic_load_n(&wl->conss[i].consumed_n, __ATOMIC_RELAXED);
        return n;
}

void kp_workload_free(kp_workload_t *wl)
{
        int i;

        if (!wl)
                return;
        kp_progress_source_remove(wl);
        if (!wl->stopped && wl->start_ns)
                kp_workload_stop(wl);
        for (i = 0; wl->prods && i < wl->n_prod; i++) {
                prod_t *pr = &wl->prods[i];
                if (pr->rkt)
                        rd_kafka_topic_destroy(pr->rkt);
                if (pr->rk)
                        rd_kafka_destroy(pr->rk);
                kp_hist_release(&pr->ack_hist);
                kp_wl_tl_release(&pr->tl, wl->n_slots);
                kp_rec_enc_free(&pr->enc);
        }
        for (i = 0; wl->conss && i < wl->n_cons; i++) {
                cons_t *co = &wl->conss[i];
                if (co->rk)
                        rd_kafka_destroy(co->rk);
                kp_hist_release(&co->e2e_hist);
                kp_wl_tl_release(&co->tl, wl->n_slots);
                free(co->last_offset);
                free(co->pending);
        }
        free(wl->prods);
        free(wl->conss);
        kp_hist_release(&wl->ack_hist);
        kp_hist_release(&wl->e2e_hist);
        free(wl->timeline);
        kp_ledger_free(wl->ledger);
        free(wl->pattern);
        kp_kvlist_clear(&wl->producer_props);
        kp_kvlist_clear(&wl->consumer_props);
        kp_workload_cfg_release(&wl->cfg);
        free(wl->topic);
        free(wl->group_id);
        free(wl);
}
