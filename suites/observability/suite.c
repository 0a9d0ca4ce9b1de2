/*
 * The observability suite definition: checks, gates, options and the
 * point in time from which audit trails are read.
 */
#include <stdlib.h>
#include <string.h>

#include "observability.h"
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

static const obs_options_t default_opts = {
    .wait_ns = 30 * KP_NS_PER_S,
    .clock_skew_ns = 2 * KP_NS_PER_S,
};

const obs_options_t *obs_opts(const kp_ctx_t *ctx)
{
        return ctx->scfg->options ? ctx->scfg->options : &default_opts;
}

/* "options": {"wait": "30s", "clock_skew": "2s", "storage_match": "topic"} */
static int parse(kp_jv_t *jv, const cJSON *entry, kp_suite_cfg_t *cfg)
{
        const cJSON *o;
        obs_options_t *oo;
        size_t m;
        int r;

        if ((r = kp_jv_object(jv, entry, "options", 0, &o)) <= 0)
                return r;
        oo = calloc(1, sizeof(*oo));
        if (!oo)
                return kp_jv_fail_at(jv, "options", "out of memory");
        *oo = default_opts;
        cfg->options = oo;
        cfg->options_free = free;
        m = kp_jv_push_key(jv, "options");
        if (kp_jv_duration(jv, o, "wait", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S, &oo->wait_ns) < 0 ||
            kp_jv_duration(jv, o, "clock_skew", 0, 0, 600 * KP_NS_PER_S, &oo->clock_skew_ns) < 0)
                return -1;
        {
                static const char *const matches[] = {"topic", "window", NULL};
                int which = 0;
                if (kp_jv_enum(jv, o, "storage_match", 0, matches, &which) < 0)
                        return -1;
                oo->storage_match_window = which == 1;
        }
        if (kp_jv_no_unknown(jv, o) < 0)
                return -1;
        kp_jv_pop(jv, m);
        return 1;
}

static int setup(kp_ctx_t *ctx, kp_err_t *err)
{
        obs_state_t *st = calloc(1, sizeof(*st));

        if (!st)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        st->since_ns = kp_wall_ns() - obs_opts(ctx)->clock_skew_ns;
        ctx->suite_state = st;
        return 0;
}

static void teardown(kp_ctx_t *ctx)
{
        free(ctx->suite_state);
        ctx->suite_state = NULL;
}

const kp_suite_def_t kp_suite_observability = {
    .name = "observability",
    .title = "Observability",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .gates = gates,
    .n_gates = sizeof(gates) / sizeof(gates[0]),
    .workload_defaults = defaults,
    .parse = parse,
    .setup = setup,
    .teardown = teardown,
};
