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

static const mig_options_t default_options = {
    .catch_up_timeout = 60 * KP_NS_PER_S,
    .sync_timeout = 30 * KP_NS_PER_S,
    .records = 100,
};

const mig_options_t *mig_options(const kp_ctx_t *ctx)
{
        return ctx->scfg && ctx->scfg->options ? ctx->scfg->options : &default_options;
}

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 3;
        w->message_bytes = 200;
        w->rate = 100;
        w->duration_ns = 6 * KP_NS_PER_S;
}

static void options_free(void *p)
{
        mig_options_t *o = p;

        if (!o)
                return;
        free(o->destination);
        kp_target_free(o->dest);
        free(o);
}

/* The destination path relative to the scenario file's directory. */
static char *resolve(const char *scenario, const char *rel)
{
        const char *slash = scenario ? strrchr(scenario, '/') : NULL;
        size_t n;
        char *out;

        if (rel[0] == '/' || !slash)
                return strdup(rel);
        n = (size_t)(slash - scenario) + 1 + strlen(rel) + 1;
        out = malloc(n);
        if (out)
                snprintf(out, n, "%.*s/%s", (int)(slash - scenario), scenario, rel);
        return out;
}

static int parse(kp_jv_t *jv, const cJSON *entry, kp_suite_cfg_t *cfg)
{
        const cJSON *sub;
        mig_options_t *o;
        char *rel = NULL;
        kp_err_t terr;
        int64_t n = 0;
        size_t m, m2;
        int r;

        o = calloc(1, sizeof(*o));
        if (!o)
                return kp_jv_fail(jv, "out of memory");
        *o = default_options;
        cfg->options = o;
        cfg->options_free = options_free;
        if ((r = kp_jv_object(jv, entry, "migration", 1, &sub)) <= 0)
                return -1;
        m = kp_jv_push_key(jv, "migration");
        if (kp_jv_string(jv, sub, "destination", 1, &rel) < 0 ||
            kp_jv_duration(jv, sub, "catch_up_timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                           &o->catch_up_timeout) < 0 ||
            kp_jv_duration(jv, sub, "sync_timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                           &o->sync_timeout) < 0) {
                free(rel);
                return -1;
        }
        r = kp_jv_int(jv, sub, "records", 0, 1, 100000, &n);
        if (r < 0 || kp_jv_no_unknown(jv, sub) < 0) {
                free(rel);
                return -1;
        }
        if (r == 1)
                o->records = (int)n;
        o->destination = resolve(jv->file, rel);
        free(rel);
        if (!o->destination)
                return kp_jv_fail(jv, "out of memory");
        m2 = kp_jv_push_key(jv, "destination");
        if (kp_target_load(o->destination, &o->dest, &terr) < 0)
                return kp_jv_fail(jv, "cannot load the destination target: %s", terr.msg);
        kp_jv_pop(jv, m2);
        kp_jv_pop(jv, m);
        return 0;
}

/* The destination must be another platform than the source: not the same
 * target file and not the same bootstrap servers. */
static int check_target(const kp_scenario_t *s, size_t index, const kp_target_t *t, kp_err_t *err)
{
        const mig_options_t *o = s->suites[index].options;
        char a[PATH_MAX], b[PATH_MAX];
        const char *ba, *bb;

        if (!o || !o->dest)
                return 0;
        if (t->path && o->dest->path && realpath(t->path, a) && realpath(o->dest->path, b) &&
            strcmp(a, b) == 0)
                return kp_err_set(err, KP_EINVAL,
                                  "%s: $.suites[%zu].migration.destination: the destination "
                                  "target %s is the source target itself",
                                  s->path, index, o->destination);
        ba = kp_kvlist_get(&t->kafka, "bootstrap.servers");
        bb = kp_kvlist_get(&o->dest->kafka, "bootstrap.servers");
        if (ba && bb && strcmp(ba, bb) == 0)
                return kp_err_set(err, KP_EINVAL,
                                  "%s: $.suites[%zu].migration.destination: the destination "
                                  "target %s has the source's bootstrap.servers (%s): source and "
                                  "destination must be different platforms",
                                  s->path, index, o->destination, ba);
        return 0;
}

static int setup(kp_ctx_t *ctx, kp_err_t *err)
{
        const mig_options_t *o = mig_options(ctx);
        mig_state_t *st = calloc(1, sizeof(*st));

        if (!st)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        ctx->suite_state = st;
        kp_ctx_topic(ctx, "mig-.*", st->topics, sizeof(st->topics));
        kp_ctx_topic(ctx, "mig-rollback", st->reverse_topics, sizeof(st->reverse_topics));
        if (!o->dest)
                return kp_err_set(err, KP_EINVAL, "the scenario names no destination target");
        if (kp_platform_open(o->dest, &st->dst, err) < 0) {
                kp_err_prefix(err, "destination %s", o->dest->name);
                return -1;
        }
        if (kp_platform_check_reachable(st->dst, 15000, err) < 0) {
                kp_err_prefix(err, "destination %s", o->dest->name);
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
        free(st);
        ctx->suite_state = NULL;
}

const kp_suite_def_t kp_suite_migration = {
    .name = "migration",
    .title = "Migration and rollback with a replication tool",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .gates = gates,
    .n_gates = sizeof(gates) / sizeof(gates[0]),
    .workload_defaults = defaults,
    .parse = parse,
    .check_target = check_target,
    .setup = setup,
    .teardown = teardown,
};
