/*
 * ppt: Kafka's own producer benchmark (org.apache.kafka.tools.ProducerPerformance,
 * run from the reference cluster's jars through `kafka.sh tool`) next to
 * kproof's tracked engine in its own process, with the same acks, linger,
 * batch size and compression. Both are measured the same way: the child
 * process's CPU time (user + system, from wait4) over its whole life, and
 * the throughput the program itself reports.
 *
 * Consumption likewise: Kafka's ConsumerPerformance reads the topic the
 * consume benchmark filled, after kproof's consumers read it in the same run
 * (bench_consumer_perf, called from `kpbench consume --kafka-sh`).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "util/buf.h"
#include "platform/kafka.h"
#include "util/signals.h"
#include "util/timeutil.h"

typedef struct child_res {
        int status;
        double cpu_s;
        double wall_s;
        kp_buf_t out; /* stdout */
} child_res_t;

/* Runs argv with stdout captured; stderr passes through. */
static int run_child(char *const *argv, child_res_t *res)
{
        struct rusage ru;
        int fds[2];
        pid_t pid;
        int64_t t0 = kp_mono_ns();
        char chunk[4096];
        ssize_t n;

        kp_buf_init(&res->out, (size_t)16 << 20);
        if (pipe(fds) < 0)
                return -1;
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                dup2(fds[1], 1);
                close(fds[0]);
                close(fds[1]);
                execv(argv[0], argv);
                _exit(127);
        }
        close(fds[1]);
        while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
                if (n < 0)
                        continue; /* EINTR */
                kp_buf_append(&res->out, chunk, (size_t)n);
        }
        close(fds[0]);
        while (wait4(pid, &res->status, 0, &ru) < 0)
                ;
        res->wall_s = (double)(kp_mono_ns() - t0) / 1e9;
        res->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        return 0;
}

/* "N records sent, X records/sec (Y MB/sec), ..." — the summary line. */
static int parse_ppt(const char *out, double *records, double *rate, double *mb)
{
        const char *line = NULL, *p = out;

        while ((p = strstr(p, " records sent, ")) != NULL) {
                line = p;
                p++;
        }
        if (!line)
                return -1;
        while (line > out && line[-1] != '\n')
                line--;
        return sscanf(line, "%lf records sent, %lf records/sec (%lf MB/sec)", records, rate, mb) ==
                       3
                   ? 0
                   : -1;
}

static void emit(const bench_opts_t *o, const char *mode, int run, double records, double rate,
                 double mb, const child_res_t *cr)
{
        cJSON *j = bench_line("ppt", o, mode, run);

        cJSON_AddNumberToObject(j, "records", records);
        cJSON_AddNumberToObject(j, "msgs_per_s", rate);
        cJSON_AddNumberToObject(j, "mb_per_s", mb);
        cJSON_AddNumberToObject(j, "proc_cpu_s", cr->cpu_s);
        cJSON_AddNumberToObject(j, "proc_wall_s", cr->wall_s);
        cJSON_AddNumberToObject(j, "cpu_s_per_million",
                                records > 0 ? cr->cpu_s * 1e6 / records : 0);
        cJSON_AddNumberToObject(j, "records_per_cpu_s", cr->cpu_s > 0 ? records / cr->cpu_s : 0);
        bench_emit(j);
}

static int run_java(const bench_opts_t *o, const char *bootstrap, const char *topic, int run)
{
        char n[32], sz[32], bs[512], acks[64], linger[64], batch[64], comp[64];
        char *argv[32];
        double records, rate, mb;
        child_res_t cr;
        int k = 0, rc;

        snprintf(n, sizeof(n), "%llu", (unsigned long long)o->records);
        snprintf(sz, sizeof(sz), "%d", o->size);
        snprintf(bs, sizeof(bs), "bootstrap.servers=%s", bootstrap);
        snprintf(acks, sizeof(acks), "acks=%s", o->acks);
        snprintf(linger, sizeof(linger), "linger.ms=%d", o->linger_ms);
        snprintf(batch, sizeof(batch), "batch.size=%d", o->batch_bytes);
        snprintf(comp, sizeof(comp), "compression.type=%s", o->compression);
        argv[k++] = (char *)"/bin/bash";
        argv[k++] = (char *)o->kafka_sh;
        argv[k++] = (char *)"tool";
        argv[k++] = (char *)"org.apache.kafka.tools.ProducerPerformance";
        argv[k++] = (char *)"--topic";
        argv[k++] = (char *)topic;
        argv[k++] = (char *)"--num-records";
        argv[k++] = n;
        argv[k++] = (char *)"--record-size";
        argv[k++] = sz;
        argv[k++] = (char *)"--throughput";
        argv[k++] = (char *)"-1";
        argv[k++] = (char *)"--producer-props";
        argv[k++] = bs;
        argv[k++] = acks;
        argv[k++] = linger;
        argv[k++] = batch;
        argv[k++] = comp;
        argv[k] = NULL;
        if (run_child(argv, &cr) < 0)
                return -1;
        rc = WIFEXITED(cr.status) && WEXITSTATUS(cr.status) == 0 &&
                     parse_ppt(kp_buf_cstr(&cr.out), &records, &rate, &mb) == 0
                 ? 0
                 : -1;
        if (rc == 0)
                emit(o, "java", run, records, rate, mb, &cr);
        else
                fprintf(stderr, "kpbench: ProducerPerformance failed (status %d):\n%s\n", cr.status,
                        kp_buf_cstr(&cr.out));
        kp_buf_free(&cr.out);
        return rc;
}

/* kproof's engine in a child process: `kpbench produce --mode tracked`. */
static int run_kproof(const bench_opts_t *o, const char *bootstrap, int run)
{
        char n[32], sz[32], part[32], rf[32], linger[32], batch[32], self[4096];
        char *argv[40];
        child_res_t cr;
        cJSON *line = NULL;
        const cJSON *v;
        double records = 0, rate = 0, mb = 0;
        ssize_t len;
        int k = 0, rc = -1;

        len = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (len < 0)
                return -1;
        self[len] = 0;
        snprintf(n, sizeof(n), "%llu", (unsigned long long)o->records);
        snprintf(sz, sizeof(sz), "%d", o->size);
        snprintf(part, sizeof(part), "%d", o->partitions);
        snprintf(rf, sizeof(rf), "%d", o->rf);
        snprintf(linger, sizeof(linger), "%d", o->linger_ms);
        snprintf(batch, sizeof(batch), "%d", o->batch_bytes);
        argv[k++] = self;
        argv[k++] = (char *)"produce";
        argv[k++] = (char *)"--mode";
        argv[k++] = (char *)"tracked";
        argv[k++] = (char *)"--runs";
        argv[k++] = (char *)"1";
        argv[k++] = (char *)"--bootstrap";
        argv[k++] = (char *)bootstrap;
        argv[k++] = (char *)"--records";
        argv[k++] = n;
        argv[k++] = (char *)"--size";
        argv[k++] = sz;
        argv[k++] = (char *)"--partitions";
        argv[k++] = part;
        argv[k++] = (char *)"--rf";
        argv[k++] = rf;
        argv[k++] = (char *)"--acks";
        argv[k++] = (char *)o->acks;
        argv[k++] = (char *)"--linger-ms";
        argv[k++] = linger;
        argv[k++] = (char *)"--batch-bytes";
        argv[k++] = batch;
        argv[k++] = (char *)"--compression";
        argv[k++] = (char *)o->compression;
        argv[k] = NULL;
        if (run_child(argv, &cr) < 0)
                return -1;
        if (WIFEXITED(cr.status) && WEXITSTATUS(cr.status) == 0)
                line = cJSON_Parse(kp_buf_cstr(&cr.out));
        if (line) {
                if ((v = cJSON_GetObjectItem(line, "records")) && cJSON_IsNumber(v))
                        records = v->valuedouble;
                if ((v = cJSON_GetObjectItem(line, "msgs_per_s")) && cJSON_IsNumber(v))
                        rate = v->valuedouble;
                if ((v = cJSON_GetObjectItem(line, "mb_per_s")) && cJSON_IsNumber(v))
                        mb = v->valuedouble;
                emit(o, "kproof", run, records, rate, mb, &cr);
                rc = 0;
        } else {
                fprintf(stderr, "kpbench: tracked producer child failed (status %d)\n", cr.status);
        }
        cJSON_Delete(line);
        kp_buf_free(&cr.out);
        return rc;
}

static int create_topic(const bench_opts_t *o, const char *bootstrap, const char *topic,
                        kp_err_t *err)
{
        kp_kvlist_t props = {0};
        int rc;

        kp_kvlist_set(&props, "bootstrap.servers", bootstrap);
        rc = kp_kafka_admin_create_topic(&props, topic, o->partitions, o->rf, NULL, 0, 30000, err);
        kp_kvlist_clear(&props);
        return rc;
}

static void delete_topic(const char *bootstrap, const char *topic)
{
        kp_kvlist_t props = {0};
        kp_err_t err;

        kp_kvlist_set(&props, "bootstrap.servers", bootstrap);
        kp_kafka_admin_delete_topic(&props, topic, 30000, &err);
        kp_kvlist_clear(&props);
}

int bench_cmd_ppt(const bench_opts_t *o)
{
        char topic[128];
        kp_err_t err;
        int run, rc = 0;

        if (!o->bootstrap || !o->kafka_sh) {
                fprintf(stderr, "kpbench: ppt needs --bootstrap and --kafka-sh\n");
                return 2;
        }
        for (run = 1; run <= o->runs && !kp_stop_requested(); run++) {
                bench_topic("ppt", topic, sizeof(topic));
                if (create_topic(o, o->bootstrap, topic, &err) < 0) {
                        fprintf(stderr, "kpbench: %s\n", err.msg);
                        return 3;
                }
                if (run_java(o, o->bootstrap, topic, run) < 0)
                        rc = 1;
                delete_topic(o->bootstrap, topic);
                if (run_kproof(o, o->bootstrap, run) < 0)
                        rc = 1;
        }
        return rc;
}

/* ConsumerPerformance's result line (Kafka 4): "start.time, end.time,
 * data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
 * rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec". */
static int parse_cpt(const char *out, double v[8])
{
        const char *p = out, *last = NULL;

        while (*p) {
                const char *e = strchr(p, '\n');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                if (len > 0 && p[0] >= '0' && p[0] <= '9')
                        last = p;
                p += len + (e ? 1 : 0);
        }
        if (!last)
                return -1;
        /* Skip the two dates, each "yyyy-MM-dd HH:mm:ss:SSS, ". */
        p = strchr(last, ',');
        if (!p || !(p = strchr(p + 1, ',')))
                return -1;
        return sscanf(p + 1, " %lf, %lf, %lf, %lf, %lf, %lf, %lf, %lf", &v[0], &v[1], &v[2], &v[3],
                      &v[4], &v[5], &v[6], &v[7]) == 8
                   ? 0
                   : -1;
}

int bench_consumer_perf(const bench_opts_t *o, const char *topic, uint64_t n, int run)
{
        char msgs[32], group[160], fetch[32];
        char *argv[24];
        child_res_t cr;
        double v[8];
        int k = 0, rc;

        snprintf(msgs, sizeof(msgs), "%llu", (unsigned long long)n);
        snprintf(group, sizeof(group), "kpbench-cpt-%s", topic);
        snprintf(fetch, sizeof(fetch), "%d", 1048576);
        argv[k++] = (char *)"/bin/bash";
        argv[k++] = (char *)o->kafka_sh;
        argv[k++] = (char *)"tool";
        argv[k++] = (char *)"org.apache.kafka.tools.ConsumerPerformance";
        argv[k++] = (char *)"--bootstrap-server";
        argv[k++] = (char *)o->bootstrap;
        argv[k++] = (char *)"--topic";
        argv[k++] = (char *)topic;
        argv[k++] = (char *)"--messages";
        argv[k++] = msgs;
        argv[k++] = (char *)"--group";
        argv[k++] = group;
        argv[k++] = (char *)"--fetch-size";
        argv[k++] = fetch;
        argv[k++] = (char *)"--timeout";
        argv[k++] = (char *)"30000";
        argv[k] = NULL;
        if (run_child(argv, &cr) < 0)
                return -1;
        rc = WIFEXITED(cr.status) && WEXITSTATUS(cr.status) == 0 &&
                     parse_cpt(kp_buf_cstr(&cr.out), v) == 0
                 ? 0
                 : -1;
        if (rc == 0) {
                cJSON *j = bench_line("cpt", o, "java", run);
                cJSON_AddNumberToObject(j, "records", v[2]);
                cJSON_AddNumberToObject(j, "msgs_per_s", v[3]);
                cJSON_AddNumberToObject(j, "mb_per_s", v[1]);
                cJSON_AddNumberToObject(j, "rebalance_ms", v[4]);
                cJSON_AddNumberToObject(j, "fetch_msgs_per_s", v[7]);
                cJSON_AddNumberToObject(j, "proc_cpu_s", cr.cpu_s);
                cJSON_AddNumberToObject(j, "proc_wall_s", cr.wall_s);
                cJSON_AddNumberToObject(j, "cpu_s_per_million",
                                        v[2] > 0 ? cr.cpu_s * 1e6 / v[2] : 0);
                cJSON_AddNumberToObject(j, "records_per_cpu_s", cr.cpu_s > 0 ? v[2] / cr.cpu_s : 0);
                bench_emit(j);
        } else {
                fprintf(stderr, "kpbench: ConsumerPerformance failed (status %d):\n%s\n", cr.status,
                        kp_buf_cstr(&cr.out));
        }
        kp_buf_free(&cr.out);
        return rc;
}

int bench_cmd_topic(const bench_opts_t *o)
{
        kp_err_t err;

        if (!o->bootstrap || !o->topic) {
                fprintf(stderr, "kpbench: topic needs --bootstrap and --topic\n");
                return 2;
        }
        if (create_topic(o, o->bootstrap, o->topic, &err) < 0) {
                fprintf(stderr, "kpbench: %s\n", err.msg);
                return 3;
        }
        return 0;
}
