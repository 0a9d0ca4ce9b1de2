/*
 * report_timing (`kpbench report`): the time kproof spends turning a large
 * tracked run into its report. A real workload sends and consumes o->records
 * records on the target at full speed; then the finalization (joining,
 * merging histograms and timelines, verifying deferred consumptions,
 * summarizing the ledger) is timed once, and the report generation —
 * measurements and anomalies from the ledger, the timeline TSV and SVG
 * (gnuplot), evidence.json, report.html and junit.xml — is timed o->runs
 * times.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "report/report.h"
#include "evidence/evidence.h"
#include "util/fsutil.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "engine/wlreport.h"
#include "engine/workload.h"

static int generate(const bench_opts_t *o, kp_workload_t *wl, const char *dir, kp_err_t *err)
{
        kp_run_meta_t meta;
        kp_evidence_t *ev;
        kp_check_t *c;
        char path[4096], out[4096];
        uint64_t lost;
        int rc = -1;

        memset(&meta, 0, sizeof(meta));
        meta.run_id = "kpbench-report";
        meta.scenario_path = "kpbench";
        meta.scenario_name = "kpbench";
        meta.scenario_sha256 = "-";
        meta.target_path = o->target_path ? o->target_path : "-";
        meta.target_name = o->label ? o->label : "-";
        meta.target_sha256 = "-";
        meta.control_type = "-";
        meta.command_line = "kpbench report";
        meta.started_wall_ns = kp_wall_ns();
        ev = kp_evidence_new(&meta);
        if (!ev)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        c = kp_evidence_check_begin(ev, "bench.report", "Benchmark", "bench",
                                    "Tracked workload for report generation");
        lost = kp_wlreport_record(c, wl);
        if (kp_wlreport_timeline(c, wl, dir, "plots", "bench-timeline", "kpbench workload", NULL, 0,
                                 err) < 0)
                goto out;
        kp_check_pass(c, "%llu acknowledged records never consumed", (unsigned long long)lost);
        kp_evidence_check_end(ev, c);
        kp_evidence_finish(ev, 1, NULL);
        kp_path_join(path, sizeof(path), o->out_dir, "evidence.json");
        if (kp_evidence_write(ev, path, err) < 0)
                goto out;
        kp_path_join(out, sizeof(out), o->out_dir, "report.html");
        if (kp_report_html(path, out, err) < 0)
                goto out;
        kp_path_join(out, sizeof(out), o->out_dir, "junit.xml");
        if (kp_report_junit(path, out, err) < 0)
                goto out;
        rc = 0;
out:
        kp_evidence_free(ev);
        return rc;
}

int bench_cmd_report(const bench_opts_t *o)
{
        kp_workload_results_t r;
        kp_workload_spec_t spec;
        kp_workload_cfg_t w;
        kp_workload_t *wl = NULL;
        bench_env_t env;
        kp_err_t err;
        char topic[128] = "", dir[4096];
        uint64_t last = 0, n;
        int64_t t0, t1, quiet_since, produced_ns;
        int run, rc = 3;

        if (bench_env_open(o, &env, &err) < 0)
                goto fail;
        kp_path_join(dir, sizeof(dir), o->out_dir, "plots");
        if (kp_mkdir_p(dir, &err) < 0)
                goto fail;
        bench_topic("report", topic, sizeof(topic));
        if (kp_platform_create_topic(env.plat, topic, o->partitions, o->rf, NULL, &err) < 0)
                goto fail;
        kp_workload_cfg_defaults(&w);
        w.topic = topic;
        w.partitions = o->partitions;
        w.message_bytes = o->size;
        w.rate = 1e9;
        w.duration_ns = 3600 * KP_NS_PER_S;
        w.producers = o->producers;
        w.consumers = o->consumers;
        w.drain_timeout_ns = 60 * KP_NS_PER_S;
        memset(&spec, 0, sizeof(spec));
        spec.cfg = &w;
        spec.topic = topic;
        spec.profile = KP_PROFILE_DEFAULT;
        spec.producer_overrides = &env.overrides_p;
        spec.consumer_overrides = &env.overrides_c;
        spec.max_records = o->records / (uint64_t)o->producers;
        wl = kp_workload_new(env.plat, &spec, &err);
        if (!wl || kp_workload_start(wl, &err) < 0)
                goto fail;
        kp_workload_wait_produced(wl);
        produced_ns = kp_mono_ns() - kp_workload_start_ns(wl);
        /* Let the consumers finish: until all acknowledged records were read
         * or nothing was read for 3 s (a platform that drops records). */
        quiet_since = kp_mono_ns();
        while (!kp_stop_requested()) {
                n = kp_workload_consumed_now(wl);
                if (n >= kp_workload_acked_now(wl))
                        break;
                if (n != last) {
                        last = n;
                        quiet_since = kp_mono_ns();
                } else if (kp_mono_ns() - quiet_since > 3 * KP_NS_PER_S) {
                        break;
                }
                kp_sleep_ms(10);
        }
        t0 = kp_mono_ns();
        kp_workload_stop(wl);
        t1 = kp_mono_ns();
        kp_workload_results(wl, &r);
        {
                cJSON *j = bench_line("finalize", o, "tracked", 1);
                cJSON_AddNumberToObject(j, "records", (double)r.ledger.sent);
                cJSON_AddNumberToObject(j, "consumed_unique", (double)r.ledger.consumed_unique);
                cJSON_AddNumberToObject(j, "produce_s", (double)produced_ns / 1e9);
                cJSON_AddNumberToObject(j, "finalize_s", (double)(t1 - t0) / 1e9);
                bench_emit(j);
        }
        for (run = 1; run <= o->runs && !kp_stop_requested(); run++) {
                cJSON *j;
                t0 = kp_mono_ns();
                if (generate(o, wl, dir, &err) < 0)
                        goto fail;
                t1 = kp_mono_ns();
                j = bench_line("report", o, "tracked", run);
                cJSON_AddNumberToObject(j, "records", (double)r.ledger.sent);
                cJSON_AddNumberToObject(j, "report_s", (double)(t1 - t0) / 1e9);
                bench_emit(j);
        }
        rc = 0;
        goto out;
fail:
        fprintf(stderr, "kpbench: report: %s\n", err.msg);
out:
        kp_workload_free(wl);
        if (env.plat && topic[0])
                kp_platform_delete_topic(env.plat, topic, &err);
        bench_env_close(&env);
        return rc;
}
