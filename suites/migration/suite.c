/*
 * The migration suite definition: its checks, gates, workload defaults,
 * shared state (the destination platform, the mirrors this run started) and
 * the suite's own scenario keys:
 *
 *   "migration": {
 *     "destination": "../targets/kafka-local-b.json",  the destination target,
 *                                      relative to the scenario file (required)
 *     "catch_up_timeout": "60s",       the destination must hold every
 *                                      acknowledged record by then
 *     "sync_timeout": "30s",           consumer offsets and topic configs must
 *                                      reach the destination by then
 *     "records": 100                   records per phase (offsets, cutover,
 *                                      rollback)
 *   }
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration.h"
#include "suites/common/suitedef.h"
#include "util/log.h"
#include "util/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "migration.data",
     .row = MIG_ROW,
     .title = "Every acknowledged record written to the source before and during mirroring "
              "arrives at the destination, once and in order; catch-up time, mirror lag and "
              "throughput measured",
     .fn = mig_check_data,
     .source = "suites/migration/data.c",
     .pass_when = "the history checker finds every record acknowledged by the source on the "
                  "destination, none duplicated or reordered, within catch_up_timeout",
     .fail_when = "an acknowledged record is not on the destination (unseen/lost, named by "
                  "producer, sequence, partition and offset), or is duplicated or reordered",
     .skip_when = "the target maps no start_mirror control operation",
     .error_when = "the mirror could not be started, nothing was acknowledged, or a client or "
                   "topic could not be created"},
    {.id = "migration.offsets",
     .row = MIG_ROW,
     .title = "A consumer group with committed progress on the source resumes on the "
              "destination: records lost (must be 0) and re-read on resume, offsets identical "
              "or translated",
     .fn = mig_check_offsets,
     .source = "suites/migration/offsets.c",
     .pass_when = "the group resumes on the destination without losing a record the source "
                  "group had not consumed yet",
     .fail_when = "a record the group had not consumed on the source is skipped on the "
                  "destination (or never arrives)",
     .skip_when = "the target maps no start_mirror control operation",
     .error_when = "a client, topic or group could not be created or read"},
    {.id = "migration.topic-config",
     .row = MIG_ROW,
     .title = "Partition count and topic configs (retention, cleanup.policy, compression, "
              "max.message.bytes, min.insync.replicas) on the destination match the source",
     .fn = mig_check_topic_config,
     .source = "suites/migration/topic-config.c",
     .pass_when = "the destination topic has the source's partition count and the effective "
                  "value of every compared config equals the source's within sync_timeout",
     .fail_when = "the partition count or a compared config differs (each named with both "
                  "values)",
     .skip_when = "the target maps no start_mirror control operation",
     .error_when = "the topic could not be created or its configs not described"},
    {.id = "migration.cutover",
     .row = MIG_ROW,
     .title = "Producers switch from the source to the destination: producer unavailability "
              "measured, no acknowledged record lost",
     .fn = mig_check_cutover,
     .source = "suites/migration/cutover.c",
     .pass_when = "every record acknowledged by the source before the switch and by the "
                  "destination after it is on the destination once and in order",
     .fail_when = "the history checker finds a lost, duplicated or reordered record",
     .skip_when = "the target maps no start_mirror control operation",
     .error_when = "a client or topic could not be created, or the mirror did not catch up "
                   "before the switch"},
    {.id = "migration.rollback",
     .row = MIG_ROW,
     .title = "Rollback: producers on the destination, reverse mirror to the source, "
              "consumers move back; no acknowledged record lost, re-reads measured",
     .fn = mig_check_rollback,
     .source = "suites/migration/rollback.c",
     .pass_when = "every record acknowledged by the destination arrives at the source once and "
                  "in order, and the group resumes on the source without losing a record",
     .fail_when = "a record is lost, duplicated or reordered on the way back, or skipped by "
                  "the resumed group",
     .skip_when = "the target maps no start_reverse_mirror control operation",
     .error_when = "the mirrors could not be stopped or started, or a client or topic could "
                   "not be created"},
};

static const kp_gate_def_t gates[] = {
    {"max_reread_records", "migration.offsets", "reread_records", KP_GATE_AT_MOST, "records",
     "records the group had already consumed on the source and read again after resuming on "
     "the destination",
     0, 0},
    {"max_catch_up_s", "migration.data", "catch_up_s", KP_GATE_AT_MOST, "s",
     "time from the end of production until the destination held every acknowledged record", 0, 0},
    {"max_cutover_unavailability_s", "migration.cutover", "unavailability_s", KP_GATE_AT_MOST, "s",
     "time from the last acknowledgement by the source to the first by the destination", 0, 0},
    {"max_rollback_reread_records", "migration.rollback", "reread_records", KP_GATE_AT_MOST,
     "records", "records re-read after the group moved back to the source", 0, 0},
};

static const kp_option_def_t options[] = {
    {.name = "destination",
     .type = KP_OPTION_STRING,
     .required = 1,
     .path = 1,
     .help = "target file of the destination platform (relative to the scenario's folder)"},
    {.name = "catch_up_timeout",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 3600 * KP_NS_PER_S,
     .def = 60 * KP_NS_PER_S,
     .help = "the destination must hold every record by then"},
    {.name = "sync_timeout",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 3600 * KP_NS_PER_S,
     .def = 30 * KP_NS_PER_S,
     .help = "consumer offsets and topic configs must arrive on the other side by then"},
    {.name = "records",
     .type = KP_OPTION_INT,
     .lo = 1,
     .hi = 100000,
     .def = 100,
     .help = "records per phase of offsets, cutover and rollback"},
};

const mig_options_t *mig_options(const kp_ctx_t *ctx, mig_options_t *o)
{
        kp_options_t defaults = kp_options_defaults(options, KP_SUITE_ROWS(options));
        const kp_options_t *v = ctx->scfg ? &ctx->scfg->options : &defaults;
        const mig_state_t *st = ctx->suite_state;

        o->destination = kp_option_string(v, "destination");
        o->dest = st ? st->dest : NULL;
        o->catch_up_timeout = kp_option_duration(v, "catch_up_timeout");
        o->sync_timeout = kp_option_duration(v, "sync_timeout");
        o->records = (int)kp_option_int(v, "records");
        return o;
}

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 3;
        w->message_bytes = 200;
        w->rate = 100;
        w->duration_ns = 6 * KP_NS_PER_S;
}

/* The destination target must load (it is loaded again for the run). */
static int check_options(kp_jv_t *jv, const kp_options_t *v)
{
        kp_target_t *t = NULL;
        kp_err_t terr;

        if (kp_target_load(kp_option_string(v, "destination"), &t, &terr) < 0)
                return kp_jv_fail_at(jv, "destination", "cannot load the destination target: %s",
                                     terr.msg);
        kp_target_free(t);
        return 0;
}

/* The destination must be another platform than the source: not the same
 * target file and not the same bootstrap servers. */
static int check_target(const kp_scenario_t *s, size_t index, const kp_target_t *t, kp_err_t *err)
{
        const char *destination = kp_option_string(&s->suites[index].options, "destination");
        kp_target_t *dest = NULL;
        char a[PATH_MAX], b[PATH_MAX];
        const char *ba, *bb;
        int rc = 0;

        if (!destination)
                return 0;
        if (kp_target_load(destination, &dest, err) < 0)
                return -1;
        ba = kp_kvlist_get(&t->kafka, "bootstrap.servers");
        bb = kp_kvlist_get(&dest->kafka, "bootstrap.servers");
        if (t->path && dest->path && realpath(t->path, a) && realpath(dest->path, b) &&
            strcmp(a, b) == 0)
                rc = kp_err_set(err, KP_EINVAL,
                                "%s: $.suites[%zu].options.destination: the destination "
                                "target %s is the source target itself",
                                s->path, index, destination);
        else if (ba && bb && strcmp(ba, bb) == 0)
                rc = kp_err_set(err, KP_EINVAL,
                                "%s: $.suites[%zu].options.destination: the destination "
                                "target %s has the source's bootstrap.servers (%s): source and "
                                "destination must be different platforms",
                                s->path, index, destination, ba);
        kp_target_free(dest);
        return rc;
}

static int setup(kp_ctx_t *ctx, kp_err_t *err)
{
        const char *destination = mig_options(ctx, &(mig_options_t){0})->destination;
        mig_state_t *st = calloc(1, sizeof(*st));

        if (!st)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        ctx->suite_state = st;
        kp_ctx_topic(ctx, "mig-.*", st->topics, sizeof(st->topics));
        kp_ctx_topic(ctx, "mig-rollback", st->reverse_topics, sizeof(st->reverse_topics));
        if (!destination)
                return kp_err_set(err, KP_EINVAL, "the scenario names no destination target");
        if (kp_target_load(destination, &st->dest, err) < 0)
                return -1;
        if (kp_platform_open(st->dest, &st->dst, err) < 0) {
                kp_err_prefix(err, "destination %s", st->dest->name);
                return -1;
        }
        if (kp_platform_check_reachable(st->dst, 15000, err) < 0) {
                kp_err_prefix(err, "destination %s", st->dest->name);
                return -1;
        }
        return 0;
}

static void teardown(kp_ctx_t *ctx)
{
        mig_state_t *st = ctx->suite_state;
        kp_err_t err;

        if (!st)
                return;
        if (st->forward && mig_mirror(ctx, KP_CTL_STOP_MIRROR, st->topics, &err) < 0)
                kp_warn("migration: stop_mirror: %s", err.msg);
        if (st->reverse &&
            mig_mirror(ctx, KP_CTL_STOP_REVERSE_MIRROR, st->reverse_topics, &err) < 0)
                kp_warn("migration: stop_reverse_mirror: %s", err.msg);
        kp_platform_close(st->dst);
        kp_target_free(st->dest);
        free(st);
        ctx->suite_state = NULL;
}

/* The measurements the checks record and which way is better (evidence.json
   "better"; the comparison page marks the best value). */
static const kp_measure_def_t measurements[] = {
    {"catch_up_s", "s", KP_BETTER_LOWER},
    {"config_sync_s", "s", KP_BETTER_LOWER},
    {"configs_compared", "configs", KP_BETTER_NONE},
    {"configs_mismatched", "configs", KP_BETTER_LOWER},
    {"duplicates", "records", KP_BETTER_LOWER},
    {"lost_acked", "records", KP_BETTER_LOWER},
    {"lost_on_resume", "records", KP_BETTER_LOWER},
    {"mirror_drain_s", "s", KP_BETTER_LOWER},
    {"mirror_lag_records_avg", "records", KP_BETTER_LOWER},
    {"mirror_lag_records_max", "records", KP_BETTER_LOWER},
    {"mirror_lag_s_avg", "s", KP_BETTER_LOWER},
    {"mirror_lag_s_max", "s", KP_BETTER_LOWER},
    {"mirror_start_s", "s", KP_BETTER_LOWER},
    {"mirror_throughput", "records/s", KP_BETTER_HIGHER},
    {"offset_translation_lag_s", "s", KP_BETTER_LOWER},
    {"offsets_identical", "bool", KP_BETTER_NONE},
    {"offsets_synced", "bool", KP_BETTER_NONE},
    {"partitions_destination", "partitions", KP_BETTER_NONE},
    {"partitions_source", "partitions", KP_BETTER_NONE},
    {"records_ack_failed", "records", KP_BETTER_LOWER},
    {"records_acked", "records", KP_BETTER_NONE},
    {"records_after_switch", "records", KP_BETTER_NONE},
    {"records_back_on_source", "records", KP_BETTER_NONE},
    {"records_before_switch", "records", KP_BETTER_NONE},
    {"records_destination", "records", KP_BETTER_NONE},
    {"records_read_unique", "records", KP_BETTER_NONE},
    {"reread_records", "records", KP_BETTER_LOWER},
    {"topic_created_s", "s", KP_BETTER_LOWER},
    {"unavailability_s", "s", KP_BETTER_LOWER},
    {"anomalies_*", "count", KP_BETTER_LOWER},
};

const kp_suite_def_t kp_suite_migration = {
    .name = "migration",
    .title = "Migration and rollback with a replication tool",
    KP_SUITE_TABLE(checks, checks),
    KP_SUITE_TABLE(gates, gates),
    KP_SUITE_TABLE(measurements, measurements),
    .workload_defaults = defaults,
    KP_SUITE_TABLE(options, options),
    .options_legacy = "migration",
    .check_options = check_options,
    .check_target = check_target,
    .setup = setup,
    .teardown = teardown,
};
