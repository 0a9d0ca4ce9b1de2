/*
 * The revocation suite definition: checks, gates, scenario options, and the
 * shared setup (KMS adapter, key resolution, the target's capabilities).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revocation.h"
#include "suites/common/suitedef.h"
#include "config/jsonv.h"
#include "util/log.h"
#include "util/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "revocation.key-manager",
     .row = REV_ROW,
     .title = "The platform's key is customer-managed and usable (KMS DescribeKey: manager, state, "
              "origin, "
              "spec)",
     .fn = rev_check_key_manager,
     .source = "suites/revocation/key-manager.c",
     .pass_when = "DescribeKey shows a customer-managed key in state Enabled",
     .fail_when = "the key is managed by someone else than the customer or is not Enabled",
     .skip_when = "the target declares no KMS, or the run is a dry run",
     .error_when = "the KMS cannot be reached or the key cannot be described"},
    {.id = "revocation.key-rotation",
     .row = REV_ROW,
     .title = "Automatic rotation is enabled on the key (GetKeyRotationStatus)",
     .fn = rev_check_key_rotation,
     .source = "suites/revocation/key-rotation.c",
     .pass_when = "GetKeyRotationStatus reports automatic rotation enabled",
     .fail_when = "automatic rotation is disabled",
     .skip_when = "the target declares no KMS, the run is a dry run, or the KMS does not implement "
                  "GetKeyRotationStatus",
     .error_when = "the KMS call failed"},
    {.id = "revocation.key-policy",
     .row = REV_ROW,
     .title =
         "Key policy: administrators listed; who may disable, delete or use the key; no wildcard "
         "principal",
     .fn = rev_check_key_policy,
     .source = "suites/revocation/key-policy.c",
     .pass_when =
         "the key policy lists an administrator and has no unconditional wildcard principal",
     .fail_when = "no principal may change the policy, a wildcard principal is allowed without a "
                  "condition, or the policy cannot be analysed",
     .skip_when = "the target declares no KMS, the run is a dry run, or the KMS does not implement "
                  "GetKeyPolicy",
     .error_when = "the KMS call failed"},
    {.id = "revocation.grants",
     .row = REV_ROW,
     .title = "Grants on the key are listed (ListGrants)",
     .fn = rev_check_grants,
     .source = "suites/revocation/grants.c",
     .pass_when = "ListGrants lists the grants on the key",
     .fail_when = "never",
     .skip_when = "the target declares no KMS, the run is a dry run, or the KMS has no grants "
                  "(e.g. local-kms)",
     .error_when = "the KMS call failed"},
    {.id = "revocation.at-rest",
     .row = REV_ROW,
     .title = "No canary record is stored in plaintext at rest (and objects are encrypted under "
              "the key)",
     .fn = rev_check_at_rest,
     .source = "suites/revocation/at-rest.c",
     .pass_when =
         "no canary is found in a complete scan of the durable bytes (every object listed, none "
         "skipped, no byte cap reached) and, on S3, every object is SSE-KMS under the expected key",
     .fail_when =
         "a canary is found in plaintext, or an object is unencrypted or under another key",
     .skip_when = "the target declares no KMS or no storage adapter, or the run is a dry run",
     .error_when = "the canaries could not be written and read back, nothing was found to scan, or "
                   "the scan was partial (max_scan_bytes reached, listing truncated, objects not "
                   "yet uploaded): the reason says what was and was not scanned"},
    {.id = "revocation.write-effect",
     .row = REV_ROW,
     .title = "Revoking the key stops new writes within the time-to-effect bound",
     .fn = rev_check_write_effect,
     .source = "suites/revocation/write-effect.c",
     .pass_when =
         "after the revocation the last 3 consecutive write probes failed, each with an error the "
         "revocation explains (UNKNOWN_SERVER_ERROR, KAFKA_STORAGE_ERROR, INVALID_RECORD, "
         "POLICY_VIOLATION, TOPIC/CLUSTER_AUTHORIZATION_FAILED, or a timeout while the platform "
         "answered metadata in the same round); measures write_time_to_effect_s",
     .fail_when = "produce still succeeded at the end of the probing window",
     .skip_when = "the target declares no KMS, the run is a dry run, or revoke-grant on a KMS "
                  "without grants",
     .error_when =
         "writes failed but not provably because of the revocation (timeouts of an unresponsive "
         "platform, client failures, fewer than 3 consecutive), the baseline probes failed, the "
         "revocation or restore failed, or the canaries were not written"},
    {.id = "revocation.old-data",
     .row = REV_ROW,
     .title =
         "After revocation, old data is unreadable by a fresh consumer (served from a cache: a "
         "finding that fails unless the scenario tolerates it)",
     .fn = rev_check_old_data,
     .source = "suites/revocation/old-data.c",
     .needs = {"revocation.write-effect"},
     .pass_when =
         "after writes failed, the last 3 consecutive fresh-consumer reads of old data failed with "
         "an error the revocation explains (read_time_to_effect_s), or old data stayed readable "
         "(cached data keys) no longer than the scenario's max_old_data_readable_s",
     .fail_when = "old data stayed readable while writes failed and the scenario tolerates none or "
                  "less, or it stayed readable although writes were unaffected",
     .skip_when = "the target declares no KMS, or the run is a dry run",
     .error_when = "revocation.write-effect did not run to a pass or fail (no probes to report), "
                   "or reads failed but not provably because of the revocation"},
    {.id = "revocation.recovery",
     .row = REV_ROW,
     .title = "After the key is restored, writes and reads recover in bounded time",
     .fn = rev_check_recovery,
     .source = "suites/revocation/recovery.c",
     .needs = {"revocation.write-effect"},
     .pass_when = "after the key was restored a new write and a fresh read both succeeded within "
                  "recovery_timeout (recovery_s)",
     .fail_when = "writes or reads did not recover within recovery_timeout",
     .skip_when = "the target declares no KMS, or the run is a dry run",
     .error_when =
         "revocation.write-effect did not run to a result (no revocation and restore to measure)"},
    {.id = "revocation.integrity",
     .row = REV_ROW,
     .title = "Every canary acknowledged before the revocation is read back intact, exactly once",
     .fn = rev_check_integrity,
     .source = "suites/revocation/integrity.c",
     .pass_when = "every canary acknowledged before the revocation is read back intact, exactly "
                  "once, at its offset",
     .fail_when = "a canary is missing, duplicated or corrupt",
     .skip_when = "the target declares no KMS, or the run is a dry run",
     .error_when = "the canaries were not written, the revocation flow did not complete, "
                   "or " KP_ERROR_WHEN_CALLS},
};

static const kp_gate_def_t gates[] = {
    {"max_time_to_effect_s", "revocation.write-effect", "write_time_to_effect_s", KP_GATE_AT_MOST,
     "s", "seconds from the revocation until writes fail for good", 30, 1},
    {"max_recovery_s", "revocation.recovery", "recovery_s", KP_GATE_AT_MOST, "s",
     "seconds from the restore until writes and reads succeed again", 60, 1},
    {"max_lost_canaries", "revocation.integrity", "lost_canaries", KP_GATE_AT_MOST, "records",
     "canaries acknowledged before the revocation but not read back intact exactly once", 0, 1},
};

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 1;
        w->message_bytes = 64;
        w->rate = 100;
        w->duration_ns = 1 * KP_NS_PER_S;
        free(w->compression);
        w->compression = strdup("none");
}

static const kp_option_def_t options[] = {
    {.name = "revoke",
     .type = KP_OPTION_ENUM,
     .choices = kp_revoke_mode_names,
     .help = "how the key is revoked"},
    {.name = "grant_id",
     .type = KP_OPTION_STRING,
     .help = "the grant to revoke (required with revoke \"revoke-grant\")"},
    {.name = "canaries",
     .type = KP_OPTION_INT,
     .lo = 1,
     .hi = 10000,
     .def = 20,
     .help = "records written before the revocation and read back after the restore"},
    {.name = "deletion_days",
     .type = KP_OPTION_INT,
     .lo = 7,
     .hi = 30,
     .def = 7,
     .help = "schedule-deletion: pending window (the deletion is cancelled on restore)"},
    {.name = "probe_interval",
     .type = KP_OPTION_DURATION,
     .lo = 100 * KP_NS_PER_MS,
     .hi = 60 * KP_NS_PER_S,
     .def = 500 * KP_NS_PER_MS,
     .help = "time between two write and read probes"},
    {.name = "probe_timeout",
     .type = KP_OPTION_DURATION,
     .lo = 500 * KP_NS_PER_MS,
     .hi = 120 * KP_NS_PER_S,
     .def = 3 * KP_NS_PER_S,
     .help = "a write probe's message.timeout.ms; a read probe's wait"},
    {.name = "timeout",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 3600 * KP_NS_PER_S,
     .def = 30 * KP_NS_PER_S,
     .help = "probing window after the revocation"},
    {.name = "observe_after_effect",
     .type = KP_OPTION_DURATION,
     .lo = 0,
     .hi = 3600 * KP_NS_PER_S,
     .def = 10 * KP_NS_PER_S,
     .help = "keep probing this long after writes failed for good"},
    {.name = "recovery_timeout",
     .type = KP_OPTION_DURATION,
     .lo = KP_NS_PER_S,
     .hi = 3600 * KP_NS_PER_S,
     .def = 60 * KP_NS_PER_S,
     .help = "writes and reads must succeed again this long after the restore"},
    {.name = "max_old_data_readable_s",
     .type = KP_OPTION_DOUBLE,
     .dlo = 0,
     .dhi = 30 * 86400.0,
     .ddef = -1,
     .help = "old data may stay readable this long after the revocation (cached data keys; "
             "unset: not tolerated)"},
};

static int check_options(kp_jv_t *jv, const kp_options_t *v)
{
        if (kp_option_enum(v, "revoke") == KP_REVOKE_GRANT && !kp_option_string(v, "grant_id"))
                return kp_jv_fail_at(jv, "grant_id",
                                     "required when \"revoke\" is \"revoke-grant\"");
        return 0;
}

void rev_opts_read(const kp_options_t *v, rev_opts_t *o)
{
        kp_options_t defaults = kp_options_defaults(options, KP_SUITE_ROWS(options));

        if (!v || !v->defs)
                v = &defaults;
        o->mode = (kp_revoke_mode_t)kp_option_enum(v, "revoke");
        o->grant_id = kp_option_string(v, "grant_id");
        o->canaries = (int)kp_option_int(v, "canaries");
        o->deletion_days = (int)kp_option_int(v, "deletion_days");
        o->probe_interval_ns = kp_option_duration(v, "probe_interval");
        o->probe_timeout_ns = kp_option_duration(v, "probe_timeout");
        o->timeout_ns = kp_option_duration(v, "timeout");
        o->observe_ns = kp_option_duration(v, "observe_after_effect");
        o->recovery_timeout_ns = kp_option_duration(v, "recovery_timeout");
        o->max_old_data_readable_s = kp_option_double(v, "max_old_data_readable_s");
}

/* Revoking a real key needs an explicit flag (kp_revoke_permitted): checked
 * before anything starts when the run will revoke (not a dry run, the
 * write-effect check selected, a KMS declared). */
static int preflight(const kp_scenario_t *scn, size_t index, const kp_target_t *t, kp_err_t *err)
{
        if (kp_safety()->dry_run ||
            !kp_suite_cfg_wants_check(&scn->suites[index], "revocation.write-effect") ||
            strcmp(t->kms_type, "none") == 0)
                return 0;
        return kp_revoke_permitted(t, err);
}

static int setup(kp_ctx_t *ctx, kp_err_t *err)
{
        rev_state_t *st = calloc(1, sizeof(*st));
        const kp_target_t *t = ctx->plat ? ctx->plat->target : NULL;
        kp_err_t e2;

        if (!st)
                return kp_err_set(err, KP_ENOMEM, "revocation: out of memory");
        ctx->suite_state = st;
        st->write_effect_ns = st->read_effect_ns = -1;
        st->write_recovery_ns = st->read_recovery_ns = -1;
        rev_opts_read(ctx->scfg ? &ctx->scfg->options : NULL, &st->opts);
        if (!t || strcmp(t->kms_type, "aws-kms") != 0) {
                snprintf(st->skip_buf, sizeof(st->skip_buf),
                         "target %s declares no KMS (kms.type %s): the key that protects its data "
                         "cannot "
                         "be inspected or revoked",
                         t ? t->name : "?", t ? t->kms_type : "none");
                st->skip_reason = st->skip_buf;
                return 0;
        }
        if (kp_safety()->dry_run) {
                snprintf(st->skip_buf, sizeof(st->skip_buf),
                         "dry run: plan only, no KMS call made (would %s key %s of target %s, "
                         "probe every "
                         "%lld ms for up to %lld s, then restore it)",
                         kp_revoke_mode_names[st->opts.mode], t->kms.key, t->name,
                         (long long)(st->opts.probe_interval_ns / KP_NS_PER_MS),
                         (long long)(st->opts.timeout_ns / KP_NS_PER_S));
                st->skip_reason = st->skip_buf;
                printf("plan: %s\n", st->skip_buf);
                fflush(stdout);
                return 0;
        }
        if (kp_kms_new(&t->kms, &st->kms, &e2) < 0) {
                snprintf(st->fatal_buf, sizeof(st->fatal_buf), "%s", e2.msg);
                st->fatal = st->fatal_buf;
                return 0;
        }
        if (kp_kms_describe_key(st->kms, t->kms.key, &st->key, &e2) < 0) {
                snprintf(st->fatal_buf, sizeof(st->fatal_buf), "cannot describe key %s: %s",
                         t->kms.key, e2.msg);
                st->fatal = st->fatal_buf;
                return 0;
        }
        st->have_key = 1;
        if (ctx->scfg->workload.topic)
                snprintf(st->topic, sizeof(st->topic), "%s", ctx->scfg->workload.topic);
        else
                kp_ctx_topic(ctx, "revocation", st->topic, sizeof(st->topic));
        return 0;
}

static void teardown(kp_ctx_t *ctx)
{
        rev_state_t *st = ctx->suite_state;

        if (!st)
                return;
        if (st->revoked && !st->restored)
                kp_error("revocation: key %s is still revoked: run 'kproof recover'",
                         st->key.key_id);
        kp_kms_free(st->kms);
        free(st->tokens);
        free(st->offsets);
        free(st->probes);
        kp_kvlist_clear(&st->client_errors);
        free(st);
        ctx->suite_state = NULL;
}

int rev_precheck(kp_ctx_t *ctx, kp_check_t *c, int needs_flow)
{
        rev_state_t *st = rev_state(ctx);

        if (!st) {
                kp_check_error(c, "revocation suite state missing");
                return -1;
        }
        if (st->skip_reason) {
                kp_check_skip(c, "%s", st->skip_reason);
                return -1;
        }
        if (!st->have_key) {
                kp_check_error(c, "%s", st->fatal ? st->fatal : "the key could not be resolved");
                return -1;
        }
        if (needs_flow && st->fatal) {
                kp_check_error(c, "not run: %s", st->fatal);
                return -1;
        }
        return 0;
}

/* The measurements the checks record and which way is better (evidence.json
   "better"; the comparison page marks the best value). */
static const kp_measure_def_t measurements[] = {
    {"aliases", "aliases", KP_BETTER_NONE},
    {"canaries", "records", KP_BETTER_NONE},
    {"canaries_acked", "records", KP_BETTER_NONE},
    {"canaries_read_back", "records", KP_BETTER_NONE},
    {"corrupt_records", "records", KP_BETTER_LOWER},
    {"customer_managed", "CUSTOMER", KP_BETTER_NONE},
    {"disconnects", "events", KP_BETTER_NONE},
    {"duplicate_canaries", "records", KP_BETTER_LOWER},
    {"grants", "grants", KP_BETTER_NONE},
    {"key_enabled", "Enabled", KP_BETTER_NONE},
    {"lost_canaries", "records", KP_BETTER_LOWER},
    {"missing_canaries", "records", KP_BETTER_LOWER},
    {"objects_wrong_key", "objects", KP_BETTER_LOWER},
    {"old_data_readable_s", "s", KP_BETTER_LOWER},
    {"plaintext_canaries", "records", KP_BETTER_LOWER},
    {"policy_admins", "principals", KP_BETTER_NONE},
    {"policy_may_delete", "principals", KP_BETTER_NONE},
    {"policy_may_disable", "principals", KP_BETTER_NONE},
    {"policy_may_use", "principals", KP_BETTER_NONE},
    {"policy_statements", "statements", KP_BETTER_NONE},
    {"probes", "probes", KP_BETTER_NONE},
    {"read_probes", "probes", KP_BETTER_NONE},
    {"read_recovery_s", "s", KP_BETTER_LOWER},
    {"read_time_to_effect_s", "s", KP_BETTER_LOWER},
    {"recovery_s", "s", KP_BETTER_LOWER},
    {"rotation_enabled", "bool", KP_BETTER_NONE},
    {"scanned_bytes", "bytes", KP_BETTER_NONE},
    {"scanned_units", "objects", KP_BETTER_NONE},
    {"unencrypted_objects", "objects", KP_BETTER_LOWER},
    {"wildcard_principals", "principals", KP_BETTER_LOWER},
    {"write_effect_probes", "probes", KP_BETTER_NONE},
    {"write_recovery_s", "s", KP_BETTER_LOWER},
    {"write_time_to_effect_s", "s", KP_BETTER_LOWER},
};

const kp_suite_def_t kp_suite_revocation = {
    .name = "revocation",
    .title = "Key revocation (key authority)",
    KP_SUITE_TABLE(checks, checks),
    KP_SUITE_TABLE(gates, gates),
    KP_SUITE_TABLE(measurements, measurements),
    .workload_defaults = defaults,
    KP_SUITE_TABLE(options, options),
    .options_legacy = "",
    .check_options = check_options,
    .preflight = preflight,
    .setup = setup,
    .teardown = teardown,
};
