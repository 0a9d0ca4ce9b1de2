/*
 * The failover suite (checklist row recovery-behavior): a continuous,
 * rate-controlled workload whose every record is tracked, while the control
 * adapter applies the scenario's faults (kill the leader of a partition,
 * a broker, the active controller, a whole zone, restart brokers one by
 * one, ...) and heals them. Afterwards a final read collects every record
 * still on the platform, the history checker (src/engine/checker.h) judges what
 * clients saw against the profile's allow-list, and the suite measures per
 * fault and partition how long clients could not write, how long until
 * throughput came back, and latency before, during and after the faults.
 *
 * Files: suite.c (definition, options, gates), sched.c (the fault
 * scheduler and its undo), measure.c (unavailability, recovery, latency by
 * phase), plot.c (the timeline), dist.c (distributed load), faults.c (the
 * failover.faults check body: workload, final read, checker, evidence).
 */
#ifndef KP_FAILOVER_H
#define KP_FAILOVER_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "evidence/evidence.h"
#include "engine/history.h"
#include "evidence/runner.h"
#include "evidence/suite.h"

#define FO_ROW      "recovery-behavior"
#define FO_MAX_DOWN 16 /* brokers one fault may take down */

extern const kp_suite_def_t kp_suite_failover;

/* Suite options (the failover entry's "options", suite.c), read into *o (returned). */
typedef struct fo_options {
        uint32_t allow_extra;     /* anomalies allowed on top of the profile's list */
        int64_t blocked_after_ns; /* 0: 10 x the median before the first fault, 0.5-2 s */
        int final_read;           /* read every partition again after the drain */
        int64_t final_read_timeout_ns;
        int64_t healthy_timeout_ns; /* wait for a healthy cluster after restarts */
} fo_options_t;

const fo_options_t *fo_options(const kp_ctx_t *ctx, fo_options_t *o);
const fo_options_t *fo_options_of(const kp_options_t *v, fo_options_t *o);

/* What happened to one fault of the scenario. Times are monotonic ns. */
typedef struct fo_fault_run {
        const kp_fault_t *f;
        int index;
        int64_t applied_ns, applied_end_ns; /* 0: not applied */
        int64_t healed_ns, healed_end_ns;   /* 0: not healed */
        int32_t down[FO_MAX_DOWN];          /* brokers it took down */
        int n_down;
        int32_t partition; /* kill_leader/move_leader/delete_records: the partition, -1 all */
        int rtt_set;       /* add_rtt: latency to remove again */
        int32_t paused[FO_MAX_DOWN]; /* pause_broker: brokers to resume */
        int n_paused;
        int32_t cut[KP_FAULT_MAX_BROKERS]; /* partition, link_loss: the brokers */
        int n_cut;
        int partitioned; /* partition: rules to remove */
        int lossy;       /* link_loss, link_delay: rules to remove */
        int failed;      /* applying it failed */
        char what[200];  /* "kill_leader partition 0: broker 2" */
        char error[600];
} fo_fault_run_t;

/* True while the fault has something to undo (brokers down or paused,
 * latency, partition or link rules). */
int fo_run_pending(const fo_fault_run_t *r);

/* The fault scheduler of one workload. */
typedef struct fo_sched {
        kp_ctx_t *ctx;
        kp_check_t *c;
        const char *topic;
        int partitions;
        rd_kafka_t *meta; /* client for metadata and admin requests */
        fo_fault_run_t *runs;
        size_t n_runs;
        int64_t healthy_timeout_ns;
} fo_sched_t;

/* Reason (static text) when the target cannot apply one of the scenario's
 * faults, else NULL. */
const char *fo_faults_unsupported(kp_ctx_t *ctx, char *buf, size_t size);
int fo_sched_init(fo_sched_t *s, kp_ctx_t *ctx, kp_check_t *c, const char *topic, int partitions,
                  rd_kafka_t *meta);
/* Applies and heals the faults at their times from start_ns (monotonic).
 * Returns early when kproof is interrupted. */
void fo_sched_run(fo_sched_t *s, int64_t start_ns);
/* Restarts whatever is still down and removes added latency (the undo),
 * then waits for a healthy topic. Safe to call twice. */
void fo_sched_restore(fo_sched_t *s);
void fo_sched_release(fo_sched_t *s);

/* Waits until every partition of topic has a leader and a full ISR. */
int fo_wait_healthy(rd_kafka_t *rk, const char *topic, int partitions, int64_t timeout_ns,
                    kp_err_t *err);

/* Measurements over a history and the fault runs. */
typedef struct fo_episode {
        int32_t partition;
        int64_t start_ns, end_ns; /* monotonic */
        int recovered;            /* 0: no success after it before the end */
        int fault;                /* index of the fault it belongs to, -1 before any */
} fo_episode_t;

typedef struct fo_fault_measure {
        double unavail_max_s; /* longest per-partition unavailability of this fault */
        double *unavail_s;    /* per partition (sum of its episodes) */
        int unrecovered;      /* a partition had no successful write after it */
        double recovery_s;    /* until throughput was back to >= 90% of before */
        int recovered;        /* throughput came back within the fault's window */
} fo_fault_measure_t;

typedef struct fo_measure {
        int64_t blocked_ns;   /* an acknowledgement slower than this counts as blocked */
        double baseline_rate; /* acknowledged records/s before the first fault */
        fo_episode_t *episodes;
        size_t n_episodes;
        fo_fault_measure_t *faults; /* one per fault run */
        size_t n_faults;
        double unavail_max_s;
        double recovery_max_s;
        int all_recovered;
        int64_t during_start_ns, during_end_ns; /* the "during" phase */
} fo_measure_t;

int fo_measure(const kp_history_t *h, const fo_fault_run_t *runs, size_t n_runs, int partitions,
               int producers, int64_t start_ns, int64_t produce_end_ns, int64_t blocked_ns,
               fo_measure_t *m, kp_err_t *err);
/* Records latency by phase (before / during / after) on c. */
void fo_measure_latency(kp_check_t *c, const kp_history_t *h, int producers, int consumers,
                        const fo_measure_t *m);
void fo_measure_release(fo_measure_t *m);

struct kp_workload_slot;
/* Draws plots/failover-timeline.svg (and .tsv) of a workload timeline
 * (n slots of slot_ns from monotonic start) and attaches both to c. */
int fo_plot_timeline(kp_ctx_t *ctx, kp_check_t *c, const struct kp_workload_slot *tl, size_t n,
                     int64_t slot_ns, int64_t start, const fo_sched_t *sc, const fo_measure_t *m,
                     kp_err_t *err);

struct kp_shard_merged;
/* Distributed load (workload.workers > 1): the workers' side of the check. */
typedef struct fo_dist fo_dist_t;
/* Writes the plan (shared start a few seconds ahead) and starts the
 * workers; *start_ns is the shared start on this process's monotonic clock. */
int fo_dist_start(kp_ctx_t *ctx, const char *topic, fo_dist_t **out, int64_t *start_ns,
                  kp_err_t *err);
/* Waits for every worker, loads and merges their results into h (which has
 * every producer and consumer log). m is released by fo_dist_free. */
int fo_dist_finish(fo_dist_t *d, kp_check_t *c, kp_history_t *h, struct kp_shard_merged **m,
                   kp_err_t *err);
void fo_dist_free(fo_dist_t *d);

void fo_check_faults(kp_ctx_t *ctx, kp_check_t *c);

#endif
