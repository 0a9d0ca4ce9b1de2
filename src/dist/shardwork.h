/*
 * shardwork: the two ends of distributed load around the shard store —
 * running one shard as a worker, and launching, waiting for and loading the
 * shards as a coordinator.
 *
 * A worker (kp_shardwork_run) reads the plan from the store, runs its
 * split of the suite's workload from the plan's shared start with a history
 * attached, and puts its result (shard.h) in the store, or
 * shard-NNNN.error with the reason when it could not. It never judges.
 *
 * The coordinator starts workers with the local launcher (kp_shardwork_launch:
 * N child processes running `kproof worker`), waits for them
 * (kp_shardwork_wait), then loads every result (kp_shardwork_load): a shard
 * without a result is named with the reason (its error object, its exit
 * status, or "never reported").
 */
#ifndef KP_SHARDWORK_H
#define KP_SHARDWORK_H

#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "util/err.h"
#include "platform/platform.h"
#include "dist/shard.h"
#include "dist/shardstore.h"

/* Waits (up to wait_ns) for plan.json in the store. */
int kp_shardwork_plan_get(kp_shardstore_t *st, int64_t wait_ns, kp_shard_plan_t *plan,
                          kp_err_t *err);
int kp_shardwork_plan_put(kp_shardstore_t *st, const kp_shard_plan_t *plan, kp_err_t *err);

/* Runs shard `index` of the plan with the suite's workload and client
 * settings; puts the result or the error object. */
int kp_shardwork_run(kp_platform_t *plat, const kp_suite_cfg_t *sc, const kp_shard_plan_t *plan,
                     int index, kp_shardstore_t *st, kp_err_t *err);

typedef struct kp_shardwork_child {
        pid_t pid;
        int done;
        int status; /* waitpid status when done */
} kp_shardwork_child_t;

/* Starts n `kproof worker` children (this executable): argv_tail is the
 * argument list after "worker" (NULL-terminated), to which each child adds
 * "--index I". Their output goes to log_dir/worker-I.log when log_dir is
 * set. */
int kp_shardwork_launch(const char *const *argv_tail, int n, const char *log_dir,
                        kp_shardwork_child_t *kids, kp_err_t *err);
/* Waits until every child exited or deadline (monotonic) passed or kproof
 * was interrupted; then kills (SIGKILL) and reaps the rest. Returns the
 * number that exited by themselves. */
int kp_shardwork_wait(kp_shardwork_child_t *kids, int n, int64_t deadline_ns);
/* Polls the store (up to deadline) until every shard reported (a result or
 * an error object): for the external launcher. */
int kp_shardwork_wait_store(kp_shardstore_t *st, int n, int64_t deadline_ns);

/* Loads every shard's result. When one is missing or bad, fails naming the
 * shard and why (kids, when given, tell how a local worker ended). The
 * results are out[0..n), free each with kp_shard_result_free. */
int kp_shardwork_load(kp_shardstore_t *st, int n, const kp_shardwork_child_t *kids,
                      kp_shard_result_t **out, kp_err_t *err);

#endif
