/*
 * kproof worker: runs one shard of a distributed workload (src/dist/shardwork.h)
 * and puts its result in the shard store. Started by `kproof run` (launcher
 * local), by a Kubernetes Indexed Job (docker/k8s, index from
 * JOB_COMPLETION_INDEX) or by hand; it never judges — the coordinator or
 * `kproof merge` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "config/config.h"
#include "util/log.h"
#include "platform/platform.h"
#include "dist/shardwork.h"
#include "util/signals.h"
#include "util/timeutil.h"

static const char *target_path, *store_url, *index_str, *suite_name, *bootstrap, *plan_wait;
static int verbose;

static const kp_opt_t opts[] = {
    {"target", 't', KP_OPT_STRING, "TARGET", "target file (required)", &target_path},
    {"store", 0, KP_OPT_STRING, "URL", "shard store: a directory or s3://bucket/prefix (required)",
     &store_url},
    {"index", 'i', KP_OPT_STRING, "N",
     "this worker's shard index, 0..workers-1 (default $JOB_COMPLETION_INDEX)", &index_str},
    {"suite", 's', KP_OPT_STRING, "NAME", "the suite whose workload to run (default failover)",
     &suite_name},
    {"bootstrap", 0, KP_OPT_STRING, "SERVERS",
     "bootstrap.servers to use instead of the target's (e.g. the coordinator's embedded "
     "cluster); no control adapter is opened",
     &bootstrap},
    {"plan-wait", 0, KP_OPT_STRING, "SECONDS", "how long to wait for the plan (default 600)",
     &plan_wait},
    {"verbose", 'v', KP_OPT_FLAG, NULL, "log debug detail", &verbose},
};

static const kp_cmd_spec_t spec = {
    "worker",
    "SCENARIO --target TARGET --store URL [--index N]",
    "Run one shard of a scenario's workload and put its result in a shard store.",
    "The worker waits for plan.json in the store (topic, run nonce, shared start\n"
    "time, number of workers), runs its share of producers, consumers and rate from\n"
    "the shared start, and writes shard-NNNN.kps (history part, histograms,\n"
    "timeline, metadata) or shard-NNNN.error. Exit 0 when the result was written,\n"
    "2 on bad input, 3 otherwise.",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

static int parse_nonneg(const char *s, long max, long *out)
{
        char *end;
        long v;

        if (!s || !*s)
                return -1;
        v = strtol(s, &end, 10);
        if (*end || v < 0 || v > max)
                return -1;
        *out = v;
        return 0;
}

/* The platform as the target describes it, or a bare one on --bootstrap. */
static int open_platform(const kp_target_t *t, kp_platform_t **out, kp_err_t *err)
{
        kp_platform_t *p;

        if (!bootstrap)
                return kp_platform_open(t, out, err);
        p = calloc(1, sizeof(*p));
        if (!p || kp_kvlist_merge(&p->props, &t->kafka) < 0 ||
            kp_kvlist_set(&p->props, "bootstrap.servers", bootstrap) < 0) {
                kp_platform_close(p);
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        }
        p->target = t;
        *out = p;
        return 0;
}

int kp_cmd_worker(int argc, char **argv)
{
        const char *pos[1];
        size_t n_pos = 0;
        kp_scenario_t *scn = NULL;
        kp_target_t *tgt = NULL;
        kp_platform_t *plat = NULL;
        kp_shardstore_t *st = NULL;
        const kp_suite_cfg_t *sc;
        kp_shard_plan_t plan;
        long index = -1, wait_s = 600;
        kp_err_t err;
        int rc;

        if (kp_cli_parse(&spec, argc, argv, pos, 1, &n_pos, &rc))
                return rc;
        if (n_pos != 1 || !target_path || !store_url) {
                fprintf(stderr, "kproof worker: a SCENARIO, --target and --store are required\n\n");
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (!index_str)
                index_str = getenv("JOB_COMPLETION_INDEX");
        if (parse_nonneg(index_str, KP_SHARD_MAX - 1, &index) < 0) {
                fprintf(stderr,
                        "kproof worker: --index (or $JOB_COMPLETION_INDEX): expected 0..%d, got "
                        "\"%s\"\n",
                        KP_SHARD_MAX - 1, index_str ? index_str : "");
                return KP_EXIT_INVALID;
        }
        if (plan_wait && parse_nonneg(plan_wait, 86400, &wait_s) < 0) {
                fprintf(stderr, "kproof worker: --plan-wait: expected seconds, got \"%s\"\n",
                        plan_wait);
                return KP_EXIT_INVALID;
        }
        if (verbose)
                kp_log_set_level(KP_LOG_DEBUG);
        kp_signals_install();
        if (kp_target_load(target_path, &tgt, &err) < 0 ||
            kp_cli_dist_scenario(pos[0], suite_name, &scn, &sc, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (kp_shardstore_open(store_url, &st, &err) < 0 ||
            kp_shardwork_plan_get(st, wait_s * KP_NS_PER_S, &plan, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        /* An embedded target's cluster lives in the coordinator: the plan
         * says where. */
        if (!bootstrap && plan.bootstrap[0] && tgt->control.type == KP_CONTROL_EMBEDDED)
                bootstrap = plan.bootstrap;
        if (open_platform(tgt, &plat, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        rc = kp_shardwork_run(plat, sc, &plan, (int)index, st, &err) < 0 ? kp_cli_fail(&err)
                                                                         : KP_EXIT_OK;
out:
        kp_platform_close(plat);
        kp_shardstore_close(st);
        kp_scenario_free(scn);
        kp_target_free(tgt);
        return rc;
}
