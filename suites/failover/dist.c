/*
 * failover.faults with distributed load (workload.workers > 1): the check
 * itself stays the coordinator — it creates the topic, applies the faults on
 * the shared clock and judges — while `kproof worker` processes run the
 * workload. This file writes the plan, starts the workers through the
 * launcher (local: child processes; external: someone else, e.g. the
 * Kubernetes Job in docker/k8s), waits for them and merges their shard
 * results into the check's history. A shard without a result makes the
 * check `error`, naming the shard and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "util/digest.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "dist/shard.h"
#include "dist/shardwork.h"
#include "util/timeutil.h"

/* Seconds between writing the plan and the shared start: every worker
 * loads its configuration, connects and joins before it. */
#define LEAD_S 8

struct fo_dist {
        kp_ctx_t *ctx;
        kp_shardstore_t *st;
        kp_shard_plan_t plan;
        kp_shardwork_child_t kids[KP_SHARD_MAX];
        int launched;
        int64_t wall_minus_mono;
        kp_shard_merged_t merged;
        kp_shard_result_t *res[KP_SHARD_MAX];
};

int fo_dist_start(kp_ctx_t *ctx, const char *topic, fo_dist_t **out, int64_t *start_ns,
                  kp_err_t *err)
{
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        fo_dist_t *d = calloc(1, sizeof(*d));
        char url[4096], logs[4096];
        const char *tail[16];
        size_t k = 0;
        int local = !w->launcher || strcmp(w->launcher, "local") == 0;

        *out = NULL;
        if (!d)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        d->ctx = ctx;
        if (w->shard_store)
                snprintf(url, sizeof(url), "%s", w->shard_store);
        else if (kp_ctx_path(ctx, "shards", url, sizeof(url)) < 0) {
                free(d);
                return kp_err_set(err, KP_EIO, "run directory path too long");
        }
        if (kp_shardstore_open(url, &d->st, err) < 0) {
                free(d);
                return -1;
        }
        d->plan.workers = w->workers;
        snprintf(d->plan.suite, sizeof(d->plan.suite), "%s", ctx->scfg->suite);
        snprintf(d->plan.topic, sizeof(d->plan.topic), "%s", topic);
        d->plan.partitions = w->partitions;
        if (kp_random_bytes(&d->plan.nonce, sizeof(d->plan.nonce)) < 0 || !d->plan.nonce)
                d->plan.nonce = (uint32_t)kp_wall_ns() | 1;
        d->wall_minus_mono = kp_wall_ns() - kp_mono_ns();
        d->plan.start_wall_ns = kp_wall_ns() + LEAD_S * KP_NS_PER_S;
        if (ctx->plat->target->control.type == KP_CONTROL_EMBEDDED)
                snprintf(d->plan.bootstrap, sizeof(d->plan.bootstrap), "%s",
                         kp_kvlist_get(&ctx->plat->props, "bootstrap.servers"));
        *start_ns = d->plan.start_wall_ns - d->wall_minus_mono;
        if (kp_shardwork_plan_put(d->st, &d->plan, err) < 0)
                goto fail;
        *out = d;
        if (!local) {
                kp_info("failover: plan for %d external worker(s) in %s; waiting for their "
                        "results",
                        w->workers, url);
                return 0;
        }
        tail[k++] = ctx->scenario->path;
        tail[k++] = "--target";
        tail[k++] = ctx->plat->target->path;
        tail[k++] = "--store";
        tail[k++] = url;
        tail[k++] = "--suite";
        tail[k++] = ctx->scfg->suite;
        tail[k++] = "--plan-wait";
        tail[k++] = "60";
        if (ctx->plat->target->control.type == KP_CONTROL_EMBEDDED) {
                /* Workers are separate processes: they reach this process's
                 * embedded cluster over its TCP listeners. */
                tail[k++] = "--bootstrap";
                tail[k++] = kp_kvlist_get(&ctx->plat->props, "bootstrap.servers");
        }
        tail[k] = NULL;
        if (kp_ctx_path(ctx, "workers", logs, sizeof(logs)) < 0 || kp_mkdir_p(logs, err) < 0)
                goto fail;
        if (kp_shardwork_launch(tail, w->workers, logs, d->kids, err) < 0) {
                kp_shardwork_wait(d->kids, w->workers, 0);
                goto fail;
        }
        d->launched = 1;
        kp_info("failover: %d local worker(s) started, shard store %s, shared start in %d s",
                w->workers, url, LEAD_S);
        return 0;
fail:
        *out = NULL;
        fo_dist_free(d);
        return -1;
}

int fo_dist_finish(fo_dist_t *d, kp_check_t *c, kp_history_t *h, kp_shard_merged_t **m,
                   kp_err_t *err)
{
        const kp_workload_cfg_t *w = &d->ctx->scfg->workload;
        int n = d->plan.workers, i;
        int64_t deadline = d->plan.start_wall_ns - d->wall_minus_mono + w->duration_ns +
                           w->drain_timeout_ns + 300 * KP_NS_PER_S;
        int64_t t0;

        *m = NULL;
        if (d->launched)
                kp_shardwork_wait(d->kids, n, deadline);
        else
                kp_shardwork_wait_store(d->st, n, deadline);
        if (kp_shardwork_load(d->st, n, d->launched ? d->kids : NULL, d->res, err) < 0)
                return -1;
        for (i = 0; i < n; i++)
                kp_check_note(c,
                              "shard %d: producers %d..%d, %d consumer(s), %llu sent, %llu "
                              "acknowledged, host %s, kproof %s",
                              i, d->res[i]->producer_base,
                              d->res[i]->producer_base + d->res[i]->producers - 1,
                              d->res[i]->consumers, (unsigned long long)d->res[i]->sent,
                              (unsigned long long)d->res[i]->acked, d->res[i]->host,
                              d->res[i]->version);
        t0 = kp_mono_ns();
        if (kp_shard_merge(d->res, n, h, d->wall_minus_mono, &d->merged, err) < 0)
                return -1;
        kp_check_note(c, "merged %d shard(s) from %s: %llu history events in %.2f s", n,
                      kp_shardstore_url(d->st), (unsigned long long)d->merged.events,
                      (double)(kp_mono_ns() - t0) / 1e9);
        kp_check_measure(c, "workers", n, "count");
        *m = &d->merged;
        return 0;
}

void fo_dist_free(fo_dist_t *d)
{
        int i;

        if (!d)
                return;
        if (d->launched)
                kp_shardwork_wait(d->kids, d->plan.workers, 0);
        for (i = 0; i < KP_SHARD_MAX; i++)
                kp_shard_result_free(d->res[i]);
        kp_shard_merged_release(&d->merged);
        kp_shardstore_close(d->st);
        free(d);
}
