/*
 * summarize: reads the JSON result lines of any number of kpbench runs and
 * reduces them to medians per (bench, target, mode, size), the tracked/raw
 * and kproof/ProducerPerformance ratios, and the goals, printed as a
 * table and written as one JSON document.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

#define MAX_GROUPS 128
#define MAX_RUNS   64
#define MAX_FIELDS 48

typedef struct group {
        char bench[32], target[64], mode[32];
        int size;
        int runs;
        char *fields[MAX_FIELDS];
        double vals[MAX_FIELDS][MAX_RUNS];
        int n_vals[MAX_FIELDS];
        int n_fields;
} group_t;

static group_t groups[MAX_GROUPS];
static int n_groups;

static group_t *group_of(const char *bench, const char *target, const char *mode, int size)
{
        int i;

        for (i = 0; i < n_groups; i++)
                if (!strcmp(groups[i].bench, bench) && !strcmp(groups[i].target, target) &&
                    !strcmp(groups[i].mode, mode) && groups[i].size == size)
                        return &groups[i];
        if (n_groups == MAX_GROUPS)
                return NULL;
        snprintf(groups[n_groups].bench, sizeof(groups[0].bench), "%s", bench);
        snprintf(groups[n_groups].target, sizeof(groups[0].target), "%s", target);
        snprintf(groups[n_groups].mode, sizeof(groups[0].mode), "%s", mode);
        groups[n_groups].size = size;
        return &groups[n_groups++];
}

static void add_value(group_t *g, const char *field, double v)
{
        int i;

        for (i = 0; i < g->n_fields; i++)
                if (!strcmp(g->fields[i], field))
                        break;
        if (i == g->n_fields) {
                if (g->n_fields == MAX_FIELDS)
                        return;
                g->fields[g->n_fields++] = strdup(field);
        }
        if (g->n_vals[i] < MAX_RUNS)
                g->vals[i][g->n_vals[i]++] = v;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
        double tmp[MAX_RUNS];

        if (n == 0)
                return NAN;
        memcpy(tmp, v, (size_t)n * sizeof(double));
        qsort(tmp, (size_t)n, sizeof(double), cmp_double);
        return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static double med(const group_t *g, const char *field)
{
        int i;

        for (i = 0; g && i < g->n_fields; i++)
                if (!strcmp(g->fields[i], field))
                        return median_of((double *)g->vals[i], g->n_vals[i]);
        return NAN;
}

static const group_t *find(const char *bench, const char *target, const char *mode, int size)
{
        int i;

        for (i = 0; i < n_groups; i++)
                if (!strcmp(groups[i].bench, bench) && !strcmp(groups[i].target, target) &&
                    !strcmp(groups[i].mode, mode) && (size < 0 || groups[i].size == size))
                        return &groups[i];
        return NULL;
}

static int load(const char *path)
{
        kp_buf_t b;
        kp_err_t err;
        char *line, *next;

        kp_buf_init(&b, (size_t)64 << 20);
        if (kp_read_file(path, (size_t)64 << 20, &b, &err) < 0) {
                fprintf(stderr, "kpbench: %s\n", err.msg);
                kp_buf_free(&b);
                return -1;
        }
        for (line = b.data; line && *line; line = next) {
                cJSON *j;
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                j = line[0] == '{' ? cJSON_Parse(line) : NULL;
                const cJSON *bench, *target, *mode, *size, *it;
                group_t *g;
                if (!j)
                        continue;
                bench = cJSON_GetObjectItem(j, "bench");
                target = cJSON_GetObjectItem(j, "target");
                mode = cJSON_GetObjectItem(j, "mode");
                size = cJSON_GetObjectItem(j, "size");
                if (cJSON_IsString(bench) && cJSON_IsString(target) && cJSON_IsString(mode) &&
                    cJSON_IsNumber(size) &&
                    (g = group_of(bench->valuestring, target->valuestring, mode->valuestring,
                                  size->valueint)) != NULL) {
                        g->runs++;
                        cJSON_ArrayForEach(it, j)
                        {
                                if (cJSON_IsNumber(it) && strcmp(it->string, "size") &&
                                    strcmp(it->string, "run"))
                                        add_value(g, it->string, it->valuedouble);
                        }
                }
                cJSON_Delete(j);
        }
        kp_buf_free(&b);
        return 0;
}

static void num(cJSON *o, const char *k, double v)
{
        if (isnan(v))
                cJSON_AddNullToObject(o, k);
        else
                cJSON_AddNumberToObject(o, k, v);
}

static void goal(cJSON *arr, const char *name, const char *where, double observed, double threshold,
                 int higher_is_better)
{
        cJSON *g = cJSON_CreateObject();
        const char *met;

        cJSON_AddStringToObject(g, "goal", name);
        cJSON_AddStringToObject(g, "where", where);
        num(g, "observed", observed);
        cJSON_AddNumberToObject(g, "threshold", threshold);
        if (isnan(observed))
                met = "not measured";
        else if (higher_is_better ? observed >= threshold : observed <= threshold)
                met = "met";
        else
                met = "not met";
        cJSON_AddStringToObject(g, "status", met);
        cJSON_AddItemToArray(arr, g);
        printf("  %-58s %-18s %14.3f  (%s %g)  %s\n", name, where, observed,
               higher_is_better ? ">=" : "<=", threshold, met);
}

static const char *load_note(void)
{
        static char buf[128];
        FILE *f = fopen("/proc/loadavg", "r");

        buf[0] = 0;
        if (f) {
                if (!fgets(buf, sizeof(buf), f))
                        buf[0] = 0;
                fclose(f);
        }
        buf[strcspn(buf, "\n")] = 0;
        return buf;
}

int bench_cmd_summarize(int argc, char **argv)
{
        const char *json_out = NULL;
        cJSON *doc, *arr, *cmp, *goals;
        char ts[32], where[128], *text;
        kp_err_t err;
        int i, k;

        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--json") && i + 1 < argc)
                        json_out = argv[++i];
                else if (load(argv[i]) < 0)
                        return 2;
        }
        if (n_groups == 0) {
                fprintf(stderr, "kpbench: no result lines found\n");
                return 1;
        }
        doc = cJSON_CreateObject();
        kp_time_iso(kp_wall_ns(), ts, sizeof(ts));
        cJSON_AddStringToObject(doc, "generated", ts);
        cJSON_AddStringToObject(doc, "loadavg_at_summary", load_note());
        cJSON_AddNumberToObject(doc, "online_cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
        arr = cJSON_AddArrayToObject(doc, "results");

        printf("%-9s %-12s %-8s %6s %4s %12s %9s %9s %11s\n", "bench", "target", "mode", "size",
               "runs", "msgs/s", "MB/s", "cpu s", "cpu s/M rec");
        for (i = 0; i < n_groups; i++) {
                group_t *g = &groups[i];
                cJSON *o = cJSON_CreateObject(), *m;
                cJSON_AddStringToObject(o, "bench", g->bench);
                cJSON_AddStringToObject(o, "target", g->target);
                cJSON_AddStringToObject(o, "mode", g->mode);
                cJSON_AddNumberToObject(o, "size", g->size);
                cJSON_AddNumberToObject(o, "runs", g->runs);
                m = cJSON_AddObjectToObject(o, "median");
                for (k = 0; k < g->n_fields; k++)
                        num(m, g->fields[k], median_of(g->vals[k], g->n_vals[k]));
                cJSON_AddItemToArray(arr, o);
                if (!strcmp(g->bench, "produce") || !strcmp(g->bench, "consume") ||
                    !strcmp(g->bench, "ppt") || !strcmp(g->bench, "cpt"))
                        printf("%-9s %-12s %-8s %6d %4d %12.0f %9.1f %9.2f %11.3f\n", g->bench,
                               g->target, g->mode, g->size, g->runs, med(g, "msgs_per_s"),
                               med(g, "mb_per_s"),
                               isnan(med(g, "cpu_s")) ? med(g, "proc_cpu_s") : med(g, "cpu_s"),
                               med(g, "cpu_s_per_million"));
        }

        cmp = cJSON_AddArrayToObject(doc, "comparisons");
        goals = cJSON_AddArrayToObject(doc, "goals");
        printf("\ncomparisons (medians)\n");
        for (i = 0; i < n_groups; i++) {
                const group_t *raw = &groups[i], *tr;
                double ratio;
                cJSON *c;
                if (strcmp(raw->mode, "raw") ||
                    (strcmp(raw->bench, "produce") && strcmp(raw->bench, "consume")))
                        continue;
                tr = find(raw->bench, raw->target, "tracked", raw->size);
                if (!tr)
                        continue;
                ratio = med(tr, "msgs_per_s") / med(raw, "msgs_per_s");
                c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "bench", raw->bench);
                cJSON_AddStringToObject(c, "target", raw->target);
                cJSON_AddNumberToObject(c, "size", raw->size);
                num(c, "raw_msgs_per_s", med(raw, "msgs_per_s"));
                num(c, "tracked_msgs_per_s", med(tr, "msgs_per_s"));
                num(c, "tracked_over_raw", ratio);
                num(c, "raw_cpu_s_per_million", med(raw, "cpu_s_per_million"));
                num(c, "tracked_cpu_s_per_million", med(tr, "cpu_s_per_million"));
                /* CPU per record is far less sensitive to other load on the machine
                 * than wall-clock rates: raw/tracked CPU is the throughput ratio a
                 * CPU-bound client reaches. 1 s per million = 1000 ns per record. */
                num(c, "cpu_raw_over_tracked",
                    med(raw, "cpu_s_per_million") / med(tr, "cpu_s_per_million"));
                num(c, "tracking_cpu_ns_per_record",
                    (med(tr, "cpu_s_per_million") - med(raw, "cpu_s_per_million")) * 1000);
                cJSON_AddItemToArray(cmp, c);
                printf("  %-8s %-12s %5d B: tracked/raw msgs/s = %.3f; CPU per record "
                       "raw/tracked = %.3f (tracking %+.0f ns/record)\n",
                       raw->bench, raw->target, raw->size, ratio,
                       med(raw, "cpu_s_per_million") / med(tr, "cpu_s_per_million"),
                       (med(tr, "cpu_s_per_million") - med(raw, "cpu_s_per_million")) * 1000);
        }
        for (i = 0; i < n_groups; i++) {
                const group_t *java = &groups[i], *kp;
                double rj, rk, ratio;
                cJSON *c;
                if (strcmp(java->bench, "ppt") || strcmp(java->mode, "java"))
                        continue;
                kp = find("ppt", java->target, "kproof", java->size);
                if (!kp)
                        continue;
                rj = med(java, "records_per_cpu_s");
                rk = med(kp, "records_per_cpu_s");
                ratio = rk / rj;
                c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "bench", "ppt");
                cJSON_AddStringToObject(c, "target", java->target);
                cJSON_AddNumberToObject(c, "size", java->size);
                num(c, "java_records_per_cpu_s", rj);
                num(c, "kproof_records_per_cpu_s", rk);
                num(c, "kproof_over_java_per_cpu_s", ratio);
                num(c, "kproof_over_java_msgs_per_s",
                    med(kp, "msgs_per_s") / med(java, "msgs_per_s"));
                cJSON_AddItemToArray(cmp, c);
                printf("  ppt      %-12s %5d B: kproof/ProducerPerformance records per CPU-s = "
                       "%.2f, msgs/s = %.2f\n",
                       java->target, java->size, ratio,
                       med(kp, "msgs_per_s") / med(java, "msgs_per_s"));
        }
        for (i = 0; i < n_groups; i++) {
                const group_t *java = &groups[i], *kp;
                double rj, rk;
                cJSON *c;
                if (strcmp(java->bench, "cpt") || strcmp(java->mode, "java"))
                        continue;
                kp = find("consume", java->target, "tracked", java->size);
                if (!kp)
                        continue;
                rj = med(java, "records_per_cpu_s");
                rk = med(kp, "records_per_cpu_s");
                c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "bench", "cpt");
                cJSON_AddStringToObject(c, "target", java->target);
                cJSON_AddNumberToObject(c, "size", java->size);
                num(c, "java_records_per_cpu_s", rj);
                num(c, "kproof_records_per_cpu_s", rk);
                num(c, "kproof_over_java_per_cpu_s", rk / rj);
                num(c, "kproof_over_java_msgs_per_s",
                    med(kp, "msgs_per_s") / med(java, "msgs_per_s"));
                cJSON_AddItemToArray(cmp, c);
                printf("  cpt      %-12s %5d B: kproof tracked consumer/ConsumerPerformance "
                       "records per CPU-s = %.2f, msgs/s = %.2f\n",
                       java->target, java->size, rk / rj,
                       med(kp, "msgs_per_s") / med(java, "msgs_per_s"));
        }
        for (i = 0; i < 2; i++) {
                const group_t *hc =
                    find(i ? "checker-txn" : "checker", "-", i ? "history-txn" : "history", -1);
                if (hc) {
                        cJSON *c = cJSON_CreateObject();
                        cJSON_AddStringToObject(c, "bench", hc->bench);
                        num(c, "records", med(hc, "records"));
                        num(c, "records_per_s", med(hc, "records_per_s"));
                        num(c, "records_per_cpu_s", med(hc, "records_per_cpu_s"));
                        num(c, "history_bytes_per_record", med(hc, "history_bytes_per_record"));
                        num(c, "checker_bytes_per_record", med(hc, "checker_bytes_per_record"));
                        num(c, "checker_peak_rss_bytes_per_record",
                            med(hc, "checker_peak_rss_bytes_per_record"));
                        num(c, "peak_rss_bytes_per_record", med(hc, "peak_rss_bytes_per_record"));
                        cJSON_AddItemToArray(cmp, c);
                }
        }
        {
                const group_t *lg = find("ledger", "-", "tracked", -1);
                const group_t *hc = find("checker", "-", "history", -1);
                const group_t *ht = find("checker-txn", "-", "history-txn", -1);
                const group_t *fin = find("finalize", "embedded", "tracked", -1);
                const group_t *rep = find("report", "embedded", "tracked", -1);
                printf("\nper-record costs (medians)\n");
                if (lg)
                        printf(
                            "  ledger: %.0f records, %.2f bytes/record (own accounting), %.2f "
                            "bytes/record (peak RSS delta); tracking ns/record: send %.1f, "
                            "ack %.1f, consume %.1f; codec ns (%.0f B / 1 KiB): encode %.1f / %.1f "
                            "(copying encoder %.1f / %.1f), decode %.1f / %.1f; "
                            "checker %.4f s per million (%.0f records/s)\n",
                            med(lg, "records"), med(lg, "bytes_per_record"),
                            med(lg, "rss_bytes_per_record"), med(lg, "send_ns"), med(lg, "ack_ns"),
                            med(lg, "consume_ns"), med(lg, "size"), med(lg, "encode_ns"),
                            med(lg, "encode_1k_ns"), med(lg, "encode_copy_ns"),
                            med(lg, "encode_copy_1k_ns"), med(lg, "decode_ns"),
                            med(lg, "decode_1k_ns"),
                            med(lg, "checker_ledger-summary_s_per_million"),
                            med(lg, "checker_ledger-summary_records_per_s"));
                if (hc)
                        printf("  history checker: %.0f records in %.3f s (%.0f records/s, "
                               "%.0f records per CPU-s); "
                               "memory per record: history %.1f B, checker working set %.1f B "
                               "(own accounting) / %.1f B (peak RSS delta), both together "
                               "%.1f B (peak RSS delta)\n",
                               med(hc, "records"), med(hc, "check_s"), med(hc, "records_per_s"),
                               med(hc, "records_per_cpu_s"), med(hc, "history_bytes_per_record"),
                               med(hc, "checker_bytes_per_record"),
                               med(hc, "checker_peak_rss_bytes_per_record"),
                               med(hc, "peak_rss_bytes_per_record"));
                if (ht)
                        printf("  transactional history checker: %.0f records (%.0f transactions, "
                               "%.0f aborted) in %.3f s (%.0f records/s, %.0f records per CPU-s); "
                               "memory per record: history %.1f B, checker working set %.1f B "
                               "(own accounting) / %.1f B (peak RSS delta), both together "
                               "%.1f B (peak RSS delta)\n",
                               med(ht, "records"), med(ht, "transactions"),
                               med(ht, "transactions_aborted"), med(ht, "check_s"),
                               med(ht, "records_per_s"), med(ht, "records_per_cpu_s"),
                               med(ht, "history_bytes_per_record"),
                               med(ht, "checker_bytes_per_record"),
                               med(ht, "checker_peak_rss_bytes_per_record"),
                               med(ht, "peak_rss_bytes_per_record"));
                if (fin)
                        printf("  finalize %.0f tracked records: %.2f s\n", med(fin, "records"),
                               med(fin, "finalize_s"));
                if (rep)
                        printf("  report generation for %.0f tracked records: %.2f s\n",
                               med(rep, "records"), med(rep, "report_s"));
                printf("\ngoals\n");
                for (i = 0; i < n_groups; i++) {
                        const group_t *raw = &groups[i], *tr;
                        if (strcmp(raw->bench, "produce") || strcmp(raw->mode, "raw"))
                                continue;
                        tr = find("produce", raw->target, "tracked", raw->size);
                        if (!tr)
                                continue;
                        snprintf(where, sizeof(where), "%s %d B", raw->target, raw->size);
                        goal(goals, "tracked produce msgs/s / raw librdkafka", where,
                             med(tr, "msgs_per_s") / med(raw, "msgs_per_s"), 0.9, 1);
                        goal(goals, "produce CPU per record, raw / tracked", where,
                             med(raw, "cpu_s_per_million") / med(tr, "cpu_s_per_million"), 0.9, 1);
                }
                for (i = 0; i < n_groups; i++) {
                        const group_t *raw = &groups[i], *tr;
                        if (strcmp(raw->bench, "consume") || strcmp(raw->mode, "raw"))
                                continue;
                        tr = find("consume", raw->target, "tracked", raw->size);
                        if (!tr)
                                continue;
                        snprintf(where, sizeof(where), "%s %d B", raw->target, raw->size);
                        goal(goals, "tracked consume msgs/s / raw librdkafka", where,
                             med(tr, "msgs_per_s") / med(raw, "msgs_per_s"), 0.9, 1);
                        goal(goals, "consume CPU per record, raw / tracked", where,
                             med(raw, "cpu_s_per_million") / med(tr, "cpu_s_per_million"), 0.9, 1);
                }
                for (i = 0; i < n_groups; i++) {
                        const group_t *java = &groups[i], *kp;
                        if (strcmp(java->bench, "cpt") || strcmp(java->mode, "java"))
                                continue;
                        kp = find("consume", java->target, "tracked", java->size);
                        if (!kp)
                                continue;
                        snprintf(where, sizeof(where), "%s %d B", java->target, java->size);
                        goal(goals, "records per CPU-s, kproof consumer / ConsumerPerformance",
                             where, med(kp, "records_per_cpu_s") / med(java, "records_per_cpu_s"),
                             2.0, 1);
                }
                for (i = 0; i < n_groups; i++) {
                        const group_t *java = &groups[i], *kp;
                        if (strcmp(java->bench, "ppt") || strcmp(java->mode, "java"))
                                continue;
                        kp = find("ppt", java->target, "kproof", java->size);
                        if (!kp)
                                continue;
                        snprintf(where, sizeof(where), "%s %d B", java->target, java->size);
                        goal(goals, "records per CPU-s, kproof / ProducerPerformance", where,
                             med(kp, "records_per_cpu_s") / med(java, "records_per_cpu_s"), 2.0, 1);
                }
                if (lg) {
                        snprintf(where, sizeof(where), "%.0f records", med(lg, "records"));
                        goal(goals, "ledger bytes per record (own accounting)", where,
                             med(lg, "bytes_per_record"), 16.0, 0);
                        goal(goals, "ledger bytes per record (peak RSS delta)", where,
                             med(lg, "rss_bytes_per_record"), 16.0, 0);
                        goal(goals, "checker (ledger summary) records per second", where,
                             med(lg, "checker_ledger-summary_records_per_s"), 1e7, 1);
                }
                if (hc) {
                        snprintf(where, sizeof(where), "%.0f records", med(hc, "records"));
                        goal(goals, "history checker records per second", where,
                             med(hc, "records_per_s"), 1e7, 1);
                        goal(goals, "history checker records per CPU-second", where,
                             med(hc, "records_per_cpu_s"), 1e7, 1);
                }
                if (ht) {
                        snprintf(where, sizeof(where), "%.0f records", med(ht, "records"));
                        goal(goals, "transactional history checker records per second", where,
                             med(ht, "records_per_s"), 1e7, 1);
                        goal(goals, "transactional history checker records per CPU-second", where,
                             med(ht, "records_per_cpu_s"), 1e7, 1);
                }
        }
        if (json_out) {
                text = cJSON_Print(doc);
                if (!text || kp_write_file_raw(json_out, text, strlen(text), 0644, &err) < 0) {
                        fprintf(stderr, "kpbench: cannot write %s\n", json_out);
                        free(text);
                        cJSON_Delete(doc);
                        return 3;
                }
                free(text);
                printf("\nJSON: %s\n", json_out);
        }
        cJSON_Delete(doc);
        for (i = 0; i < n_groups; i++)
                for (k = 0; k < groups[i].n_fields; k++)
                        free(groups[i].fields[k]);
        return 0;
}
