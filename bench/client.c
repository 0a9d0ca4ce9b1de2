/*
 * produce and consume: a bare librdkafka client against kproof's tracked
 * workload engine, same cluster, same client settings, same process.
 *
 * The raw producer sends pre-filled values with a topic handle, serving
 * delivery reports every 32 records and counting them — what a minimal
 * throughput client does. The tracked side is kp_workload with every record
 * encoded, entered in the ledger, acknowledged into latency histograms and
 * the timeline. Consumption is measured on a topic the engine filled first:
 * the raw consumer reads every partition by assignment and only counts; the
 * engine's consumers decode, verify checksums and update the ledger.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "bench.h"
#include "util/digest.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "engine/workload.h"

#define RAW_POLL_EVERY 32
#define RAW_VALUES     (1 << 20)
/* A consumer that reads nothing for this long has read all there is (the
 * embedded cluster keeps only a few MiB per partition). */
#define QUIET_NS (5 * KP_NS_PER_S)

typedef struct raw_prod {
        rd_kafka_t *rk;
        rd_kafka_topic_t *rkt;
        const uint8_t *buf;
        size_t len;
        uint64_t n;
        uint64_t acked, failed;
        int64_t end_ns;
        pthread_t thr;
} raw_prod_t;

static void raw_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        raw_prod_t *rp = opaque;
        (void)rk;

        if (m->err)
                rp->failed++;
        else
                rp->acked++;
}

static void *raw_prod_main(void *arg)
{
        raw_prod_t *rp = arg;
        unsigned since_poll = 0;
        uint64_t i;

        for (i = 0; i < rp->n && !kp_stop_requested(); i++) {
                const uint8_t *v = rp->buf + (i * (rp->len + 13)) % RAW_VALUES;
                while (rd_kafka_produce(rp->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                        (void *)(uintptr_t)v, rp->len, NULL, 0, NULL) == -1) {
                        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                                rp->failed++;
                                break;
                        }
                        rd_kafka_poll(rp->rk, 5);
                }
                if (++since_poll >= RAW_POLL_EVERY) {
                        rd_kafka_poll(rp->rk, 0);
                        since_poll = 0;
                }
        }
        while (rd_kafka_outq_len(rp->rk) > 0 && !kp_stop_requested())
                rd_kafka_poll(rp->rk, 50);
        rp->end_ns = kp_mono_ns();
        return NULL;
}

static void add_rates(cJSON *j, uint64_t records, uint64_t bytes, int64_t ns, double cpu)
{
        double s = (double)ns / 1e9;

        cJSON_AddNumberToObject(j, "records", (double)records);
        cJSON_AddNumberToObject(j, "wall_s", s);
        cJSON_AddNumberToObject(j, "msgs_per_s", s > 0 ? (double)records / s : 0);
        cJSON_AddNumberToObject(j, "mb_per_s", s > 0 ? (double)bytes / s / 1e6 : 0);
        cJSON_AddNumberToObject(j, "cpu_s", cpu);
        cJSON_AddNumberToObject(j, "cpu_s_per_million", records ? cpu * 1e6 / (double)records : 0);
}

static int produce_raw(const bench_opts_t *o, bench_env_t *env, const char *topic, int run)
{
        raw_prod_t *rps = calloc((size_t)o->producers, sizeof(*rps));
        uint8_t *buf = malloc(RAW_VALUES + (size_t)o->size);
        uint64_t acked = 0, failed = 0;
        int64_t t0, t1 = 0;
        double cpu0;
        kp_err_t err;
        cJSON *j;
        int i, rc = -1;

        if (!rps || !buf)
                goto out;
        kp_random_bytes(buf, RAW_VALUES + (size_t)o->size);
        cpu0 = bench_cpu_s();
        for (i = 0; i < o->producers; i++) {
                rd_kafka_conf_t *conf = kp_kafka_conf_new(&env->producer_props, &err);
                if (!conf)
                        goto fail;
                rd_kafka_conf_set_dr_msg_cb(conf, raw_dr);
                rd_kafka_conf_set_opaque(conf, &rps[i]);
                rps[i].rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, &err);
                if (!rps[i].rk)
                        goto fail;
                rps[i].rkt = rd_kafka_topic_new(rps[i].rk, topic, NULL);
                rps[i].buf = buf;
                rps[i].len = (size_t)o->size;
                rps[i].n = o->records / (uint64_t)o->producers;
                if (kp_kafka_wait_topic(rps[i].rk, topic, o->partitions, 30000, &err) < 0)
                        goto fail;
        }
        t0 = kp_mono_ns();
        for (i = 0; i < o->producers; i++)
                pthread_create(&rps[i].thr, NULL, raw_prod_main, &rps[i]);
        for (i = 0; i < o->producers; i++) {
                pthread_join(rps[i].thr, NULL);
                acked += rps[i].acked;
                failed += rps[i].failed;
                if (rps[i].end_ns > t1)
                        t1 = rps[i].end_ns;
        }
        j = bench_line("produce", o, "raw", run);
        add_rates(j, acked, acked * (uint64_t)o->size, t1 - t0, bench_cpu_s() - cpu0);
        cJSON_AddNumberToObject(j, "failed", (double)failed);
        cJSON_AddNumberToObject(j, "producers", o->producers);
        bench_emit(j);
        rc = failed ? -1 : 0;
        goto out;
fail:
        fprintf(stderr, "kpbench: raw producer: %s\n", err.msg);
out:
        for (i = 0; rps && i < o->producers; i++) {
                if (rps[i].rkt)
                        rd_kafka_topic_destroy(rps[i].rkt);
                if (rps[i].rk)
                        rd_kafka_destroy(rps[i].rk);
        }
        free(rps);
        free(buf);
        return rc;
}

static void engine_cfg(const bench_opts_t *o, const char *topic, kp_workload_cfg_t *w)
{
        kp_workload_cfg_defaults(w);
        w->topic = (char *)topic; /* borrowed: the engine copies the config */
        w->partitions = o->partitions;
        w->message_bytes = o->size;
        w->rate = 1e9; /* far above what any client reaches: saturation */
        w->duration_ns = 3600 * KP_NS_PER_S;
        w->producers = o->producers;
        w->consumers = o->consumers;
        w->drain_timeout_ns = 60 * KP_NS_PER_S;
}

static kp_workload_t *engine_new(const bench_opts_t *o, bench_env_t *env, const char *topic,
                                 int consumers, int defer, kp_workload_cfg_t *w, kp_err_t *err)
{
        kp_workload_spec_t spec;

        engine_cfg(o, topic, w);
        w->consumers = consumers;
        memset(&spec, 0, sizeof(spec));
        spec.cfg = w;
        spec.topic = topic;
        spec.profile = KP_PROFILE_DEFAULT;
        spec.producer_overrides = &env->overrides_p;
        spec.consumer_overrides = &env->overrides_c;
        spec.max_records = o->records / (uint64_t)o->producers;
        spec.defer_consumers = defer;
        return kp_workload_new(env->plat, &spec, err);
}

static int produce_tracked(const bench_opts_t *o, bench_env_t *env, const char *topic, int run)
{
        kp_workload_results_t r;
        kp_workload_cfg_t w;
        kp_workload_t *wl;
        kp_err_t err;
        double cpu0 = bench_cpu_s();
        cJSON *j;

        wl = engine_new(o, env, topic, 0, 0, &w, &err);
        if (!wl || kp_workload_start(wl, &err) < 0) {
                fprintf(stderr, "kpbench: tracked producer: %s\n", err.msg);
                kp_workload_free(wl);
                return -1;
        }
        kp_workload_wait_produced(wl);
        kp_workload_stop(wl);
        kp_workload_results(wl, &r);
        j = bench_line("produce", o, "tracked", run);
        add_rates(j, r.ledger.acked, r.value_bytes, r.produce_ns, bench_cpu_s() - cpu0);
        cJSON_AddNumberToObject(j, "failed", (double)(r.ledger.failed + r.produce_errors));
        cJSON_AddNumberToObject(j, "producers", o->producers);
        cJSON_AddNumberToObject(j, "ack_p50_us", (double)kp_hist_percentile(r.ack_hist, 50) / 1e3);
        cJSON_AddNumberToObject(j, "ack_p99_us", (double)kp_hist_percentile(r.ack_hist, 99) / 1e3);
        cJSON_AddNumberToObject(j, "ledger_bytes", (double)kp_ledger_bytes(kp_workload_ledger(wl)));
        bench_emit(j);
        kp_workload_free(wl);
        return r.ledger.acked == r.ledger.sent ? 0 : -1;
}

static int want(const bench_opts_t *o, const char *mode)
{
        return strcmp(o->mode, "both") == 0 || strcmp(o->mode, mode) == 0;
}

int bench_cmd_produce(const bench_opts_t *o)
{
        bench_env_t env;
        kp_err_t err;
        char topic[128];
        int run, rc = 0, k;

        if (bench_env_open(o, &env, &err) < 0) {
                fprintf(stderr, "kpbench: %s\n", err.msg);
                bench_env_close(&env);
                return 3;
        }
        for (run = 1; run <= o->runs && !kp_stop_requested(); run++) {
                /* Alternate the order so neither side always runs on a warm cluster. */
                for (k = 0; k < 2; k++) {
                        int raw = (k == 0) == (run % 2 == 1);
                        if (!want(o, raw ? "raw" : "tracked"))
                                continue;
                        bench_topic("produce", topic, sizeof(topic));
                        if (kp_platform_create_topic(env.plat, topic, o->partitions, o->rf, NULL,
                                                     &err) < 0) {
                                fprintf(stderr, "kpbench: %s\n", err.msg);
                                rc = 3;
                                goto out;
                        }
                        if ((raw ? produce_raw(o, &env, topic, run)
                                 : produce_tracked(o, &env, topic, run)) < 0)
                                rc = 1;
                        kp_platform_delete_topic(env.plat, topic, &err);
                }
        }
out:
        bench_env_close(&env);
        if (!rc && kp_stop_requested())
                rc = 3;
        return rc;
}

/* ---- consumption ---- */

typedef struct raw_cons {
        rd_kafka_t *rk;
        uint64_t n; /* written by the thread, read by the main thread */
        uint64_t bytes;
        volatile int *stop;
        pthread_t thr;
} raw_cons_t;

static void *raw_cons_main(void *arg)
{
        raw_cons_t *rc = arg;

        while (!*rc->stop && !kp_stop_requested()) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rc->rk, 100);
                if (!m)
                        continue;
                if (!m->err) {
                        rc->bytes += m->len;
                        __atomic_store_n(&rc->n, rc->n + 1, __ATOMIC_RELAXED);
                }
                rd_kafka_message_destroy(m);
        }
        return NULL;
}

/* The measured window of a consumption, sampled every millisecond from the
 * same kind of counter on both sides: it opens when the consumers are ready
 * to fetch (raw: partitions assigned after the topic's metadata is known;
 * tracked: the group has every partition) and closes at the last sample
 * that saw new records, so the idle wait after the last record is excluded.
 * Opening it at the first record instead made rates bimodal: a consumer
 * whose fetcher had queued most of the topic before the application saw its
 * first record measured only its dequeueing. It ends when expect records
 * were read, after QUIET_NS without progress, or after 300 s. The process
 * CPU time is taken at the same two points (cpu_s, the per-record figure
 * both sides are compared by); setting the consumers up (client creation,
 * metadata, assignment or group join) is reported apart as setup_cpu_s.
 * Before, CPU ran from before the set-up to after the QUIET_NS wait: when
 * some records never came (the embedded cluster loses some at these
 * volumes) five seconds of idle fetching, and on both sides the set-up,
 * were counted as CPU of the records read, more than the reading itself
 * for 40,000 records of 1 KiB. */
typedef struct window {
        int64_t start_ns, first_ns, last_ns;
        uint64_t base, last_n;
        double cpu_start, cpu_last; /* process CPU seconds at start_ns, last_ns */
} window_t;

static void window_init(window_t *w, uint64_t base, int64_t now)
{
        w->start_ns = w->first_ns = w->last_ns = now;
        w->base = w->last_n = base;
        w->cpu_start = w->cpu_last = bench_cpu_s();
}

static int window_step(window_t *w, uint64_t n, uint64_t expect)
{
        int64_t now = kp_mono_ns();

        if (n > w->last_n) {
                if (w->last_n == w->base)
                        w->first_ns = now; /* first records seen: reported as set-up time */
                w->last_ns = now;
                w->last_n = n;
                w->cpu_last = bench_cpu_s();
        }
        return n >= expect || kp_stop_requested() || now - w->last_ns > QUIET_NS ||
               now - w->start_ns > 300 * KP_NS_PER_S;
}

/* States the prefetch settings a consumption ran with (both sides use the
 * same: the engine's consumer defaults unless the target sets them). */
static void add_queue_settings(cJSON *j, const kp_kvlist_t *props)
{
        static const char *const keys[] = {"queued.min.messages", "queued.max.messages.kbytes",
                                           "fetch.wait.max.ms", "fetch.max.bytes",
                                           "max.partition.fetch.bytes"};
        cJSON *s = cJSON_AddObjectToObject(j, "consumer_settings");
        size_t i;

        for (i = 0; s && i < sizeof(keys) / sizeof(keys[0]); i++) {
                const char *v = kp_kvlist_get(props, keys[i]);
                if (v)
                        cJSON_AddStringToObject(s, keys[i], v);
        }
}

/* Names the partitions a consumer did not read to their end. */
static void short_report(raw_cons_t *rcs, const bench_opts_t *o, const char *topic)
{
        int i, p;

        for (i = 0; i < o->consumers; i++) {
                rd_kafka_topic_partition_list_t *parts = NULL;
                if (rd_kafka_assignment(rcs[i].rk, &parts) || !parts)
                        continue;
                rd_kafka_position(rcs[i].rk, parts);
                for (p = 0; p < parts->cnt; p++) {
                        int64_t lo = -1, hi = -1;
                        kp_err_t err;
                        kp_kafka_watermarks(rcs[i].rk, topic, parts->elems[p].partition, &lo, &hi,
                                            5000, &err);
                        if (parts->elems[p].offset != hi)
                                fprintf(
                                    stderr,
                                    "kpbench:   partition %d: read up to %lld, log %lld..%lld\n",
                                    (int)parts->elems[p].partition,
                                    (long long)parts->elems[p].offset, (long long)lo,
                                    (long long)hi);
                }
                rd_kafka_topic_partition_list_destroy(parts);
        }
}

/* Reads the whole topic with assigned partitions (no group); returns the
 * records read and the measured window through *ns. */
static int consume_raw(const bench_opts_t *o, bench_env_t *env, const char *topic, uint64_t expect,
                       int run)
{
        raw_cons_t *rcs = calloc((size_t)o->consumers, sizeof(*rcs));
        volatile int stop = 0;
        uint64_t n = 0, bytes = 0;
        window_t win;
        int64_t t0;
        double cpu0;
        kp_kvlist_t props = {0};
        kp_err_t err;
        cJSON *j;
        int i, p, rc = -1;

        if (!rcs)
                return -1;
        kp_kvlist_merge(&props, &env->consumer_props);
        /* Its own group id; enable.auto.commit stays as the engine has it (on:
         * librdkafka stores each polled record's offset), so both sides do the
         * same per-record work in the client. */
        kp_kvlist_set(&props, "group.id", "kpbench-raw");
        cpu0 = bench_cpu_s();
        for (i = 0; i < o->consumers; i++) {
                rd_kafka_conf_t *conf = kp_kafka_conf_new(&props, &err);
                rd_kafka_topic_partition_list_t *parts;
                if (!conf)
                        goto fail;
                rcs[i].rk = kp_kafka_new(RD_KAFKA_CONSUMER, conf, &err);
                if (!rcs[i].rk)
                        goto fail;
                rd_kafka_poll_set_consumer(rcs[i].rk);
                /* Like the engine's consumers after their group join, know the
                 * partition leaders before the window opens. */
                if (kp_kafka_wait_topic(rcs[i].rk, topic, o->partitions, 30000, &err) < 0)
                        goto fail;
                parts = rd_kafka_topic_partition_list_new(o->partitions);
                for (p = i; p < o->partitions; p += o->consumers)
                        rd_kafka_topic_partition_list_add(parts, topic, p)->offset =
                            RD_KAFKA_OFFSET_BEGINNING;
                rd_kafka_assign(rcs[i].rk, parts);
                rd_kafka_topic_partition_list_destroy(parts);
                rcs[i].stop = &stop;
        }
        t0 = kp_mono_ns();
        for (i = 0; i < o->consumers; i++)
                pthread_create(&rcs[i].thr, NULL, raw_cons_main, &rcs[i]);
        window_init(&win, 0, t0);
        for (;;) {
                n = 0;
                for (i = 0; i < o->consumers; i++)
                        n += __atomic_load_n(&rcs[i].n, __ATOMIC_RELAXED);
                if (window_step(&win, n, expect))
                        break;
                kp_sleep_ms(1);
        }
        stop = 1;
        for (i = 0; i < o->consumers; i++) {
                pthread_join(rcs[i].thr, NULL);
                bytes += rcs[i].bytes;
        }
        j = bench_line("consume", o, "raw", run);
        add_rates(j, win.last_n - win.base, bytes, win.last_ns - win.start_ns,
                  win.cpu_last - win.cpu_start);
        cJSON_AddNumberToObject(j, "setup_cpu_s", win.cpu_start - cpu0);
        cJSON_AddNumberToObject(j, "read", (double)n);
        cJSON_AddNumberToObject(j, "expected", (double)expect);
        cJSON_AddNumberToObject(j, "first_record_s", (double)(win.first_ns - t0) / 1e9);
        cJSON_AddNumberToObject(j, "consumers", o->consumers);
        add_queue_settings(j, &env->consumer_props);
        bench_emit(j);
        rc = win.last_n > win.base ? 0 : -1;
        if (n < expect) {
                fprintf(stderr, "kpbench: raw consumer read %llu of %llu records\n",
                        (unsigned long long)n, (unsigned long long)expect);
                short_report(rcs, o, topic);
        }
        goto out;
fail:
        fprintf(stderr, "kpbench: raw consumer: %s\n", err.msg);
out:
        for (i = 0; i < o->consumers; i++)
                if (rcs[i].rk) {
                        rd_kafka_consumer_close(rcs[i].rk);
                        rd_kafka_destroy(rcs[i].rk);
                }
        free(rcs);
        kp_kvlist_clear(&props);
        return rc;
}

/* The engine's consumers on the filled topic: the window starts when the
 * group has every partition (records read before that are not counted) and
 * ends when every acknowledged record was read. */
static int consume_tracked(const bench_opts_t *o, kp_workload_t *wl, const kp_kvlist_t *props,
                           uint64_t expect, int run)
{
        kp_workload_results_t r;
        uint64_t c0, n = 0;
        window_t win;
        int64_t t0;
        double cpu0 = bench_cpu_s(), cpu1;
        kp_err_t err;
        cJSON *j;

        if (kp_workload_start_consumers(wl, &err) < 0) {
                fprintf(stderr, "kpbench: tracked consumers: %s\n", err.msg);
                return -1;
        }
        c0 = kp_workload_consumed_now(wl);
        t0 = kp_mono_ns();
        window_init(&win, c0, t0);
        for (;;) {
                n = kp_workload_consumed_now(wl);
                if (window_step(&win, n, expect))
                        break;
                kp_sleep_ms(1);
        }
        cpu1 = win.cpu_last;
        kp_workload_stop(wl);
        kp_workload_results(wl, &r);
        j = bench_line("consume", o, "tracked", run);
        add_rates(j, win.last_n - win.base, (win.last_n - win.base) * (uint64_t)o->size,
                  win.last_ns - win.start_ns, cpu1 - win.cpu_start);
        cJSON_AddNumberToObject(j, "setup_cpu_s", win.cpu_start - cpu0);
        cJSON_AddNumberToObject(j, "read", (double)n);
        cJSON_AddNumberToObject(j, "expected", (double)expect);
        cJSON_AddNumberToObject(j, "first_record_s", (double)(win.first_ns - t0) / 1e9);
        cJSON_AddNumberToObject(j, "consumers", o->consumers);
        add_queue_settings(j, props);
        cJSON_AddNumberToObject(j, "records_per_cpu_s",
                                cpu1 > cpu0 ? (double)(win.last_n - win.base) / (cpu1 - cpu0) : 0);
        cJSON_AddNumberToObject(j, "consumed_unique", (double)r.ledger.consumed_unique);
        cJSON_AddNumberToObject(j, "acked_unconsumed", (double)r.ledger.acked_unconsumed);
        cJSON_AddNumberToObject(j, "skipped", (double)r.ledger.skipped);
        cJSON_AddNumberToObject(j, "e2e_p99_us", (double)kp_hist_percentile(r.e2e_hist, 99) / 1e3);
        bench_emit(j);
        if (r.ledger.consumed_unique < expect)
                fprintf(stderr,
                        "kpbench: tracked consumers read %llu of %llu acknowledged records "
                        "(%llu skipped: below a later offset read in their partition)\n",
                        (unsigned long long)r.ledger.consumed_unique, (unsigned long long)expect,
                        (unsigned long long)r.ledger.skipped);
        return win.last_n > win.base ? 0 : -1;
}

int bench_cmd_consume(const bench_opts_t *o)
{
        kp_workload_results_t r;
        kp_workload_cfg_t w;
        kp_workload_t *wl;
        bench_env_t env;
        kp_err_t err;
        char topic[128];
        int run, rc = 0, k;

        if (bench_env_open(o, &env, &err) < 0) {
                fprintf(stderr, "kpbench: %s\n", err.msg);
                bench_env_close(&env);
                return 3;
        }
        for (run = 1; run <= o->runs && !kp_stop_requested(); run++) {
                uint64_t expect;
                bench_topic("consume", topic, sizeof(topic));
                if (kp_platform_create_topic(env.plat, topic, o->partitions, o->rf, NULL, &err) <
                    0) {
                        fprintf(stderr, "kpbench: %s\n", err.msg);
                        rc = 3;
                        break;
                }
                /* Fill the topic with the engine's own records (consumers deferred). */
                wl = engine_new(o, &env, topic, o->consumers, 1, &w, &err);
                if (!wl || kp_workload_start(wl, &err) < 0) {
                        fprintf(stderr, "kpbench: filling %s: %s\n", topic, err.msg);
                        kp_workload_free(wl);
                        rc = 3;
                        break;
                }
                kp_workload_wait_produced(wl);
                expect = kp_workload_acked_now(wl);
                for (k = 0; k < 2; k++) {
                        int raw = (k == 0) == (run % 2 == 1);
                        if (!want(o, raw ? "raw" : "tracked"))
                                continue;
                        if ((raw ? consume_raw(o, &env, topic, expect, run)
                                 : consume_tracked(o, wl, &env.consumer_props, expect, run)) < 0)
                                rc = 1;
                }
                /* Kafka's own consumer benchmark on the same topic, same run. */
                if (o->kafka_sh && o->bootstrap && bench_consumer_perf(o, topic, expect, run) < 0)
                        rc = 1;
                kp_workload_stop(wl);
                kp_workload_results(wl, &r);
                kp_workload_free(wl);
                kp_platform_delete_topic(env.plat, topic, &err);
        }
        bench_env_close(&env);
        if (!rc && kp_stop_requested())
                rc = 3;
        return rc;
}
