/*
 * kpbench: measures how fast kproof's workload engine drives a platform
 * compared with a bare librdkafka client on the same cluster in the same
 * process, what tracking costs per record (ledger memory, checker time) and
 * how long a report over a large run takes.
 *
 * Every measurement is printed as one JSON object per line on stdout (one
 * line per run); `kpbench summarize` turns such lines into medians, ratios,
 * a table and a JSON document. Progress goes to stderr.
 */
#ifndef KP_BENCH_H
#define KP_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "config/config.h"
#include "util/err.h"
#include "util/kvlist.h"
#include "platform/platform.h"

typedef struct bench_opts {
        const char *target_path; /* a kproof target file */
        const char *bootstrap;   /* or: bootstrap servers of a cluster without control */
        const char *label;       /* target label in the output, e.g. "embedded" */
        const char *mode;        /* raw, tracked or both */
        const char *topic;       /* explicit topic name (default: generated) */
        int size;                /* record value bytes */
        uint64_t records;        /* records per run, all producers together */
        int producers;
        int consumers;
        int partitions;
        int rf;
        int runs;
        const char *acks;
        int linger_ms;
        int batch_bytes;
        const char *compression;
        const char *out_dir;
        const char *kafka_sh; /* fixtures/kafka/kafka.sh, for ProducerPerformance */
} bench_opts_t;

/* The target and the cluster it names, opened for one benchmark. */
typedef struct bench_env {
        kp_target_t *target; /* owned */
        kp_platform_t *plat;
        kp_kvlist_t producer_props; /* platform props + the benchmark's client settings */
        kp_kvlist_t consumer_props;
        kp_kvlist_t overrides_p; /* the settings alone, handed to the engine */
        kp_kvlist_t overrides_c;
} bench_env_t;

int bench_env_open(const bench_opts_t *o, bench_env_t *env, kp_err_t *err);
void bench_env_close(bench_env_t *env);
/* A topic name unique to this process: kpbench-<what>-<pid>-<n>. */
void bench_topic(const char *what, char *out, size_t size);

/* CPU seconds (user + system) of this process so far. */
double bench_cpu_s(void);
/* Current and peak resident set size of this process, in bytes. */
void bench_rss(uint64_t *rss, uint64_t *peak);

/* A JSON object with the fields every result line has. */
cJSON *bench_line(const char *bench, const bench_opts_t *o, const char *mode, int run);
/* Prints the object as one line on stdout and frees it. */
void bench_emit(cJSON *line);

int bench_cmd_produce(const bench_opts_t *o);
int bench_cmd_consume(const bench_opts_t *o);
int bench_cmd_ledger(const bench_opts_t *o);
int bench_cmd_checker(const bench_opts_t *o);
int bench_cmd_checker_txn(const bench_opts_t *o);
int bench_cmd_merge(const bench_opts_t *o);
int bench_cmd_report(const bench_opts_t *o);
int bench_cmd_ppt(const bench_opts_t *o);
int bench_cmd_topic(const bench_opts_t *o);
int bench_cmd_summarize(int argc, char **argv);
/* Kafka's ConsumerPerformance (kafka.sh tool) reading n records of topic
 * from o->bootstrap: one "cpt"/"java" result line. */
int bench_consumer_perf(const bench_opts_t *o, const char *topic, uint64_t n, int run);

#endif
