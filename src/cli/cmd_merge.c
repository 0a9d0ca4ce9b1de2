/*
 * kproof merge: for workers launched by the user (e.g. the Kubernetes Job in
 * docker/k8s with a plan written by `kproof run` with launcher "external",
 * or by hand): loads every shard result of a store, merges them into one
 * history and judges it with the history checker under the scenario
 * suite's client profile. Prints a JSON summary on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "engine/checker.h"
#include "config/config.h"
#include "platform/kafka.h"
#include "dist/shard.h"
#include "dist/shardwork.h"
#include "util/timeutil.h"
#include "suites/failover/failover.h"

static const char *scenario_path, *suite_name;

static const kp_opt_t opts[] = {
    {"scenario", 0, KP_OPT_STRING, "FILE",
     "the scenario the workers ran (client profile and allow-list; required)", &scenario_path},
    {"suite", 's', KP_OPT_STRING, "NAME", "its suite (default failover)", &suite_name},
};

static const kp_cmd_spec_t spec = {
    "merge",
    "STORE --scenario FILE",
    "Merge the shard results in a shard store and judge them as one history.",
    "STORE is a directory or s3://bucket/prefix holding plan.json and\n"
    "shard-NNNN.kps from `kproof worker`. Prints a JSON summary (records, anomalies\n"
    "by kind, merge and check time) on stdout. Exit 0 when no anomaly beyond the\n"
    "profile's allow-list was found, 1 when one was, 2 on bad input, 3 when a shard\n"
    "has no usable result (named on stderr) or the history could not be judged.",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

static int reads_committed(const kp_suite_cfg_t *sc)
{
        kp_kvlist_t props = {0};
        const char *iso;
        int rc;

        kp_kafka_profile_props(sc->client.profile, 0, &props);
        kp_kvlist_merge(&props, &sc->client.consumer);
        iso = kp_kvlist_get(&props, "isolation.level");
        rc = !iso || strcmp(iso, "read_uncommitted") != 0;
        kp_kvlist_clear(&props);
        return rc;
}

int kp_cmd_merge(int argc, char **argv)
{
        const char *pos[1];
        size_t n_pos = 0;
        kp_scenario_t *scn = NULL;
        kp_shardstore_t *st = NULL;
        kp_shard_result_t *res[KP_SHARD_MAX] = {0};
        kp_shard_merged_t m;
        kp_shard_plan_t plan;
        kp_history_t *h = NULL;
        kp_checker_result_t *cr = NULL;
        kp_checker_opts_t co;
        const kp_suite_cfg_t *sc;
        int64_t t0, t1, t2, earliest;
        uint64_t max_log;
        int rc, i, k, producers, consumers;
        kp_err_t err;

        memset(&m, 0, sizeof(m));
        if (kp_cli_parse(&spec, argc, argv, pos, 1, &n_pos, &rc))
                return rc;
        if (n_pos != 1 || !scenario_path) {
                fprintf(stderr, "kproof merge: a STORE and --scenario are required\n\n");
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (kp_cli_dist_scenario(scenario_path, suite_name, &scn, &sc, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        t0 = kp_mono_ns();
        if (kp_shardstore_open(pos[0], &st, &err) < 0 ||
            kp_shardwork_plan_get(st, 0, &plan, &err) < 0 ||
            kp_shardwork_load(st, plan.workers, NULL, res, &err) < 0 ||
            kp_shard_totals(res, plan.workers, &producers, &consumers, &max_log, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        t1 = kp_mono_ns();
        h = kp_history_new(producers, consumers, res[0]->partitions, max_log + 1, &err);
        if (!h) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        /* No shared monotonic clock here: the earliest shard origin maps to
         * the merged history's origin, the others keep their wall-clock
         * distance from it. */
        earliest = res[0]->origin_wall_ns;
        for (i = 1; i < plan.workers; i++)
                if (res[i]->origin_wall_ns < earliest)
                        earliest = res[i]->origin_wall_ns;
        if (kp_shard_merge(res, plan.workers, h, earliest - kp_history_origin_ns(h), &m, &err) <
            0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        t2 = kp_mono_ns();
        cr = calloc(1, sizeof(*cr));
        if (!cr) {
                kp_err_set(&err, KP_ENOMEM, "out of memory");
                rc = kp_cli_fail(&err);
                goto out;
        }
        co.allow = kp_checker_allow_for_profile(sc->client.profile);
        if (!strcmp(sc->suite, "failover"))
                co.allow |= fo_options_of(&sc->options, &(fo_options_t){0})->allow_extra;
        co.read_committed = reads_committed(sc);
        if (kp_checker_run(h, &co, cr, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        printf("{\n  \"store\": \"%s\",\n  \"workers\": %d,\n  \"topic\": \"%s\",\n"
               "  \"producers\": %d,\n  \"consumers\": %d,\n  \"events\": %llu,\n"
               "  \"sent\": %llu,\n  \"records\": %llu,\n  \"acked\": %llu,\n"
               "  \"consumed_unique\": %llu,\n  \"complete\": %s,\n",
               pos[0], plan.workers, plan.topic, producers, consumers, (unsigned long long)m.events,
               (unsigned long long)m.results.ledger.sent, (unsigned long long)cr->records,
               (unsigned long long)cr->acked, (unsigned long long)cr->consumed_unique,
               cr->complete ? "true" : "false");
        printf("  \"anomalies\": {");
        for (k = 0; k < KP_ANOM__COUNT; k++)
                printf("%s\"%s\": %llu", k ? ", " : "", kp_anom_names[k],
                       (unsigned long long)cr->count[k]);
        printf("},\n  \"not_allowed\": %llu,\n  \"load_s\": %.3f,\n  \"merge_s\": %.3f,\n"
               "  \"check_s\": %.3f\n}\n",
               (unsigned long long)cr->not_allowed, (double)(t1 - t0) / 1e9,
               (double)(t2 - t1) / 1e9, (double)(kp_mono_ns() - t2) / 1e9);
        if (!cr->complete) {
                fprintf(stderr, "kproof: the merged history could not be judged: %s\n",
                        cr->incomplete_reason);
                rc = KP_EXIT_INFRA;
        } else {
                rc = cr->not_allowed ? KP_EXIT_FAIL : KP_EXIT_OK;
        }
out:
        free(cr);
        kp_history_free(h);
        kp_shard_merged_release(&m);
        for (i = 0; i < KP_SHARD_MAX; i++)
                kp_shard_result_free(res[i]);
        kp_shardstore_close(st);
        kp_scenario_free(scn);
        return rc;
}
