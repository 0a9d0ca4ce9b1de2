/*
 * kpbench entry point: subcommand dispatch, the shared options, the target
 * and cluster a benchmark runs against, and the JSON result lines.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "util/signals.h"
#include "engine/workload.h"

static void usage(FILE *f)
{
        fprintf(
            f,
            "usage: kpbench COMMAND [OPTIONS]\n"
            "\n"
            "commands (each prints one JSON object per run on stdout):\n"
            "  produce    raw librdkafka producer vs kproof's tracked workload engine\n"
            "  consume    raw librdkafka consumer vs the engine's tracked consumers\n"
            "  ledger     ledger bytes per record, tracking ns per record, checker time\n"
            "  checker    the history checker over a clean history: records/s, bytes per record\n"
            "  checker-txn  the same over a transactional history (10-record transactions,\n"
            "             one in ten aborted): transaction checks and G0/G1c cycle search\n"
            "  merge      decode + merge + check of --producers shard results vs one history\n"
            "  report     finalize + report generation time for a large tracked run\n"
            "  ppt        Kafka's ProducerPerformance (through kafka.sh tool): msgs/s, CPU s\n"
            "  topic      create a topic (for ppt) and exit\n"
            "  summarize  FILE... [--json OUT]: medians, ratios and goals as a table + JSON\n"
            "\n"
            "options:\n"
            "  --target FILE         kproof target file (e.g. targets/embedded.json)\n"
            "  --bootstrap LIST      or a cluster's bootstrap servers (no control adapter)\n"
            "  --label NAME          target label in the output (default: target name)\n"
            "  --mode raw|tracked|both   (produce, consume; default both)\n"
            "  --size BYTES          record value size (default 100)\n"
            "  --records N           records per run (default 1000000)\n"
            "  --producers N         producer instances (default 1)\n"
            "  --consumers N         consumer instances (default 1)\n"
            "  --partitions N        partitions of the topic (default 6)\n"
            "  --rf N                replication factor (default 1; 0: broker default)\n"
            "  --runs N              runs (default 3)\n"
            "  --acks V              producer acks (default 1)\n"
            "  --linger-ms N         linger.ms (default 5)\n"
            "  --batch-bytes N       batch.size (default 262144)\n"
            "  --compression C       none, gzip, snappy, lz4, zstd (default none)\n"
            "  --topic NAME          topic name (topic, ppt)\n"
            "  --out DIR             scratch directory (report; default ./kpbench-out)\n"
            "  --kafka-sh PATH       fixtures/kafka/kafka.sh (ppt)\n");
}

/* A whole decimal number (no sign, no trailing text); 1 when it is not. */
static int u64_opt(const char *s, uint64_t *out)
{
        char *end;
        unsigned long long v;

        errno = 0;
        if (!s || *s < '0' || *s > '9')
                return 1;
        v = strtoull(s, &end, 10);
        if (errno || *end)
                return 1;
        *out = v;
        return 0;
}

static int num_opt(const char *s, int *out)
{
        uint64_t v;

        if (u64_opt(s, &v) || v > INT32_MAX)
                return 1;
        *out = (int)v;
        return 0;
}

static int parse_opts(int argc, char **argv, bench_opts_t *o)
{
        static const struct option lo[] = {
            {"target", 1, NULL, 't'},      {"bootstrap", 1, NULL, 'b'},
            {"label", 1, NULL, 'L'},       {"mode", 1, NULL, 'm'},
            {"size", 1, NULL, 's'},        {"records", 1, NULL, 'n'},
            {"producers", 1, NULL, 'P'},   {"consumers", 1, NULL, 'C'},
            {"partitions", 1, NULL, 'p'},  {"rf", 1, NULL, 'r'},
            {"runs", 1, NULL, 'R'},        {"acks", 1, NULL, 'a'},
            {"linger-ms", 1, NULL, 'l'},   {"batch-bytes", 1, NULL, 'B'},
            {"compression", 1, NULL, 'z'}, {"out", 1, NULL, 'o'},
            {"kafka-sh", 1, NULL, 'K'},    {"topic", 1, NULL, 'T'},
            {"help", 0, NULL, 'h'},        {NULL, 0, NULL, 0}};
        int c, bad = 0;

        memset(o, 0, sizeof(*o));
        o->mode = "both";
        o->size = 100;
        o->records = 1000000;
        o->producers = 1;
        o->consumers = 1;
        o->partitions = 6;
        o->rf = 1;
        o->runs = 3;
        o->acks = "1";
        o->linger_ms = 5;
        o->batch_bytes = 262144;
        o->compression = "none";
        o->out_dir = "kpbench-out";
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
                switch (c) {
                case 't':
                        o->target_path = optarg;
                        break;
                case 'b':
                        o->bootstrap = optarg;
                        break;
                case 'L':
                        o->label = optarg;
                        break;
                case 'm':
                        o->mode = optarg;
                        break;
                case 's':
                        bad |= num_opt(optarg, &o->size);
                        break;
                case 'n':
                        bad |= u64_opt(optarg, &o->records);
                        break;
                case 'P':
                        bad |= num_opt(optarg, &o->producers);
                        break;
                case 'C':
                        bad |= num_opt(optarg, &o->consumers);
                        break;
                case 'p':
                        bad |= num_opt(optarg, &o->partitions);
                        break;
                case 'r':
                        bad |= num_opt(optarg, &o->rf);
                        break;
                case 'R':
                        bad |= num_opt(optarg, &o->runs);
                        break;
                case 'a':
                        o->acks = optarg;
                        break;
                case 'l':
                        bad |= num_opt(optarg, &o->linger_ms);
                        break;
                case 'B':
                        bad |= num_opt(optarg, &o->batch_bytes);
                        break;
                case 'z':
                        o->compression = optarg;
                        break;
                case 'o':
                        o->out_dir = optarg;
                        break;
                case 'K':
                        o->kafka_sh = optarg;
                        break;
                case 'T':
                        o->topic = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        usage(stderr);
                        return -1;
                }
        }
        if (bad) {
                fprintf(stderr, "kpbench: a numeric option is not a whole number\n");
                return -1;
        }
        if (o->size < 32 || o->records < 1 || o->producers < 1 || o->producers > 64 ||
            o->consumers < 1 || o->consumers > 64 || o->partitions < 1 || o->runs < 1 ||
            o->linger_ms < 0 || o->batch_bytes < 1) {
                fprintf(stderr, "kpbench: invalid option value (size >= 32, counts >= 1)\n");
                return -1;
        }
        if (strcmp(o->mode, "raw") && strcmp(o->mode, "tracked") && strcmp(o->mode, "both")) {
                fprintf(stderr, "kpbench: --mode must be raw, tracked or both\n");
                return -1;
        }
        return 0;
}

int bench_env_open(const bench_opts_t *o, bench_env_t *env, kp_err_t *err)
{
        char v[32];

        memset(env, 0, sizeof(*env));
        if (o->target_path) {
                if (kp_target_load(o->target_path, &env->target, err) < 0)
                        return -1;
        } else if (o->bootstrap) {
                env->target = calloc(1, sizeof(*env->target));
                if (!env->target)
                        return kp_err_set(err, KP_ENOMEM, "out of memory");
                env->target->name = strdup(o->label ? o->label : "bootstrap");
                env->target->control.type = KP_CONTROL_NONE;
                if (!env->target->name ||
                    kp_kvlist_set(&env->target->kafka, "bootstrap.servers", o->bootstrap) < 0)
                        return kp_err_set(err, KP_ENOMEM, "out of memory");
        } else {
                return kp_err_set(err, KP_EUSAGE, "give --target FILE or --bootstrap LIST");
        }
        if (kp_platform_open(env->target, &env->plat, err) < 0)
                return -1;
        if (kp_platform_check_reachable(env->plat, 30000, err) < 0)
                return -1;
        /* The client settings both sides use, on top of the target's. */
        kp_kvlist_set(&env->overrides_p, "acks", o->acks);
        snprintf(v, sizeof(v), "%d", o->linger_ms);
        kp_kvlist_set(&env->overrides_p, "linger.ms", v);
        snprintf(v, sizeof(v), "%d", o->batch_bytes);
        kp_kvlist_set(&env->overrides_p, "batch.size", v);
        kp_kvlist_set(&env->overrides_p, "compression.codec", o->compression);
        kp_kvlist_set(&env->overrides_p, "enable.idempotence", "false");
        kp_platform_client_props(env->plat, KP_PROFILE_DEFAULT, 1, &env->overrides_p,
                                 &env->producer_props);
        /* Consumers: the engine's consumer defaults (a deeper prefetch queue)
         * for the raw consumer as well, then the target's settings, exactly
         * as the engine builds its own. */
        kp_workload_consumer_defaults(&env->consumer_props);
        {
                kp_kvlist_t tmp = {0};
                kp_platform_client_props(env->plat, KP_PROFILE_DEFAULT, 0, &env->overrides_c, &tmp);
                kp_kvlist_merge(&env->consumer_props, &tmp);
                kp_kvlist_clear(&tmp);
        }
        return 0;
}

void bench_env_close(bench_env_t *env)
{
        kp_kvlist_clear(&env->producer_props);
        kp_kvlist_clear(&env->consumer_props);
        kp_kvlist_clear(&env->overrides_p);
        kp_kvlist_clear(&env->overrides_c);
        kp_platform_close(env->plat);
        kp_target_free(env->target);
        memset(env, 0, sizeof(*env));
}

void bench_topic(const char *what, char *out, size_t size)
{
        static int n;

        snprintf(out, size, "kpbench-%s-%ld-%d", what, (long)getpid(), n++);
}

double bench_cpu_s(void)
{
        struct rusage ru;

        getrusage(RUSAGE_SELF, &ru);
        return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

void bench_rss(uint64_t *rss, uint64_t *peak)
{
        char line[256];
        FILE *f = fopen("/proc/self/status", "r");

        *rss = *peak = 0;
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                unsigned long long kb;
                if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
                        *rss = kb * 1024;
                else if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
                        *peak = kb * 1024;
        }
        fclose(f);
}

cJSON *bench_line(const char *bench, const bench_opts_t *o, const char *mode, int run)
{
        cJSON *j = cJSON_CreateObject();

        cJSON_AddStringToObject(j, "bench", bench);
        cJSON_AddStringToObject(j, "target", o->label ? o->label : "-");
        cJSON_AddStringToObject(j, "mode", mode);
        cJSON_AddNumberToObject(j, "size", o->size);
        cJSON_AddNumberToObject(j, "run", run);
        return j;
}

void bench_emit(cJSON *line)
{
        char *s = cJSON_PrintUnformatted(line);

        if (s) {
                fputs(s, stdout);
                fputc('\n', stdout);
                fflush(stdout);
                free(s);
        }
        cJSON_Delete(line);
}

int main(int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*fn)(const bench_opts_t *o);
        } cmds[] = {{"produce", bench_cmd_produce},
                    {"consume", bench_cmd_consume},
                    {"ledger", bench_cmd_ledger},
                    {"checker", bench_cmd_checker},
                    {"checker-txn", bench_cmd_checker_txn},
                    {"merge", bench_cmd_merge},
                    {"report", bench_cmd_report},
                    {"ppt", bench_cmd_ppt},
                    {"topic", bench_cmd_topic}};
        bench_opts_t o;
        size_t i;
        int rc;

        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(argc < 2 ? stderr : stdout);
                return argc < 2 ? 2 : 0;
        }
        if (strcmp(argv[1], "summarize") == 0)
                return bench_cmd_summarize(argc - 1, argv + 1);
        kp_log_set_level(getenv("KPBENCH_VERBOSE") ? KP_LOG_DEBUG : KP_LOG_WARN);
        kp_signals_install();
        for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
                if (strcmp(argv[1], cmds[i].name) != 0)
                        continue;
                if (parse_opts(argc - 1, argv + 1, &o) < 0)
                        return 2;
                rc = cmds[i].fn(&o);
                return rc;
        }
        fprintf(stderr, "kpbench: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
}
