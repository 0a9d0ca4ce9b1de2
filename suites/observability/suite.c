/*
 * The observability suite definition: checks, gates, options and the
 * point in time from which audit trails are read.
 */
#include <stdlib.h>
#include <string.h>

#include "observability.h"
#include "suites/common/suitedef.h"
#include "util/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "observability.admin-audit",
     .row = OBS_ROW,
     .title =
         "kproof's admin changes (topic create, config alter, ACL create/delete, topic delete) "
         "appear in the platform's admin audit trail with principal and time",
     .fn = obs_check_admin_audit,
     .source = "suites/observability/admin-audit.c",
     .pass_when = "every admin action kproof performed (create a uniquely named topic, alter its "
                  "retention.ms, create and delete an ACL on it where the platform has ACLs, "
                  "delete it) appears as an allowed event of kproof's principal in the target's "
                  "admin audit source within the wait; the delay until each appeared is measured "
                  "(p50/max, gate max_audit_delay_s)",
     .fail_when = "an action does not appear in the admin audit source within the wait (the "
                  "reason lists the missing actions), or the delay gate is missed",
     .skip_when = "the target declares no audit source of kind admin, or the platform has no "
                  "admin API",
     .error_when = "the audit source cannot be read (missing file, command failing, malformed "
                   "events) or kproof could not perform an action"},
    {.id = "observability.access-denied",
     .row = OBS_ROW,
     .title = "An unauthorized principal is refused produce, consume, topic creation and config "
              "changes, and each refusal is in the audit trail",
     .fn = obs_check_access_denied,
     .source = "suites/observability/access-denied.c",
     .pass_when = "the target's principals.unauthorized is refused with an authorization error "
                  "when it produces, consumes, creates a topic and alters a topic config, and "
                  "each refusal appears as a denied event of that principal in the admin audit "
                  "source within the wait",
     .fail_when = "an attempt succeeded (named: access control let it through), or a refusal "
                  "does not appear in the audit source (named)",
     .skip_when = "the target declares no principals.unauthorized or no audit source of kind "
                  "admin, or the platform has no admin API",
     .error_when = "an attempt ends in neither success nor an authorization error, kproof could "
                   "not prepare the topics, or the audit source cannot be read"},
    {.id = "observability.key-audit",
     .row = OBS_ROW,
     .title = "The platform's use of the customer key and kproof's key administration appear in "
              "the key audit trail with the caller's identity",
     .fn = obs_check_key_audit,
     .source = "suites/observability/key-audit.c",
     .pass_when = "while kproof writes records to a topic protected by the target's key (the "
                  "scenario's workload.topic) and reads them back, the target's key audit source "
                  "shows the platform using that key (GenerateDataKey, Encrypt or Decrypt) and "
                  "kproof's own DescribeKey, each with a principal",
     .fail_when = "the key source shows no use of the key by the platform, or not kproof's "
                  "DescribeKey, or shows them without the caller's identity (named: the operator "
                  "cannot prove who used the key)",
     .skip_when = "the target declares no audit source of kind key, or no customer key (kms)",
     .error_when = "the audit source cannot be read, the KMS does not answer DescribeKey, or "
                   "kproof could not write and read the records"},
    {.id = "observability.storage-audit",
     .row = OBS_ROW,
     .title = "Durable writes of kproof's records (and storage reads) appear in the storage "
              "audit trail",
     .fn = obs_check_storage_audit,
     .source = "suites/observability/storage-audit.c",
     .pass_when = "after kproof writes records and reads them back, the target's storage audit "
                  "source shows an allowed durable write (PutObject, UploadPart, "
                  "CompleteMultipartUpload or a file write) of them with a principal — its "
                  "resource names kproof's topic, or with options.storage_match \"window\" it "
                  "happened at or after the start of kproof's writes; a storage read is reported "
                  "when present",
     .fail_when = "no such write appears within the wait, or only without the caller's identity",
     .skip_when = "the target declares no audit source of kind storage (platforms writing to "
                  "local disks, like the Kafka reference cluster, keep no file-access trail)",
     .error_when = "the audit source cannot be read or kproof could not write and read the "
                   "records"},
};

static const kp_gate_def_t gates[] = {
    {"max_audit_delay_s", "observability.admin-audit", "audit_delay_max_s", KP_GATE_AT_MOST, "s",
     "longest time from an admin action until the audit source showed it", 0, 0},
};

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 1;
        w->duration_ns = KP_NS_PER_S;
}

static const char *const storage_matches[] = {"topic", "window", NULL};

static const kp_option_def_t options[] = {
    {.name = "wait",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 3600 * KP_NS_PER_S,
     .def = 30 * KP_NS_PER_S,
     .help = "how long kproof waits for an action to appear in a trail"},
    {.name = "clock_skew",
     .type = KP_OPTION_DURATION,
     .lo = 0,
     .hi = 600 * KP_NS_PER_S,
     .def = 2 * KP_NS_PER_S,
     .help = "an event may carry a time this much before the action"},
    {.name = "storage_match",
     .type = KP_OPTION_ENUM,
     .choices = storage_matches,
     .help = "storage-audit: match events by kproof's topic name, or by time window"},
};

const obs_options_t *obs_opts(const kp_ctx_t *ctx, obs_options_t *o)
{
        const kp_options_t *v = &ctx->scfg->options;

        o->wait_ns = kp_option_duration(v, "wait");
        o->clock_skew_ns = kp_option_duration(v, "clock_skew");
        o->storage_match_window = kp_option_enum(v, "storage_match") == 1;
        return o;
}

static int setup(kp_ctx_t *ctx, kp_err_t *err)
{
        obs_state_t *st = calloc(1, sizeof(*st));

        if (!st)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        st->since_ns = kp_wall_ns() - obs_opts(ctx, &(obs_options_t){0})->clock_skew_ns;
        ctx->suite_state = st;
        return 0;
}

static void teardown(kp_ctx_t *ctx)
{
        free(ctx->suite_state);
        ctx->suite_state = NULL;
}

/* The measurements the checks record and which way is better (evidence.json
   "better"; the comparison page marks the best value). */
static const kp_measure_def_t measurements[] = {
    {"actions", "actions", KP_BETTER_NONE},
    {"actions_missing", "actions", KP_BETTER_LOWER},
    {"actions_without_principal", "actions", KP_BETTER_LOWER},
    {"attempts_refused", "attempts", KP_BETTER_NONE},
    {"attempts_succeeded", "attempts", KP_BETTER_NONE},
    {"audit_delay_max_s", "s", KP_BETTER_LOWER},
    {"audit_delay_p50_s", "s", KP_BETTER_LOWER},
};

const kp_suite_def_t kp_suite_observability = {
    .name = "observability",
    .title = "Observability",
    KP_SUITE_TABLE(checks, checks),
    KP_SUITE_TABLE(gates, gates),
    KP_SUITE_TABLE(measurements, measurements),
    .workload_defaults = defaults,
    KP_SUITE_TABLE(options, options),
    .setup = setup,
    .teardown = teardown,
};
