/*
 * The revocation suite definition: checks, gates, scenario options, and the
 * shared setup (KMS adapter, key resolution, the target's capabilities).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revocation.h"
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
     .error_when = "the canaries were not written, the revocation flow did not complete, or a "
                   "topic or client could not be created, a call failed outright (not a refusal "
                   "the check tests for) or the platform stopped answering"},
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

static void opts_free(void *p)
{
        rev_opts_t *o = p;

        if (o)
                free(o->grant_id);
        free(o);
}

static int parse(kp_jv_t *jv, const cJSON *entry, kp_suite_cfg_t *cfg)
{
        rev_opts_t *o = calloc(1, sizeof(*o));
        int64_t v;
        int idx = 0;

        if (!o)
                return kp_jv_fail(jv, "out of memory");
        cfg->options = o;
        cfg->options_free = opts_free;
        o->canaries = 20;
        o->deletion_days = 7;
        o->probe_interval_ns = 500 * KP_NS_PER_MS;
        o->probe_timeout_ns = 3 * KP_NS_PER_S;
        o->timeout_ns = 30 * KP_NS_PER_S;
        o->observe_ns = 10 * KP_NS_PER_S;
        o->recovery_timeout_ns = 60 * KP_NS_PER_S;
        o->max_old_data_readable_s = -1;
        if (kp_jv_number(jv, entry, "max_old_data_readable_s", 0, 0, 30 * 86400.0, 0,
                         &o->max_old_data_readable_s) < 0)
                return -1;
        if (kp_jv_enum(jv, entry, "revoke", 0, kp_revoke_mode_names, &idx) < 0)
                return -1;
        o->mode = (kp_revoke_mode_t)idx;
        if (kp_jv_string(jv, entry, "grant_id", 0, &o->grant_id) < 0)
                return -1;
        if (o->mode == KP_REVOKE_GRANT && !o->grant_id)
                return kp_jv_fail_at(jv, "grant_id",
                                     "required when \"revoke\" is \"revoke-grant\"");
        v = o->canaries;
        if (kp_jv_int(jv, entry, "canaries", 0, 1, 10000, &v) < 0)
                return -1;
        o->canaries = (int)v;
        v = o->deletion_days;
        if (kp_jv_int(jv, entry, "deletion_days", 0, 7, 30, &v) < 0)
                return -1;
        o->deletion_days = (int)v;
        if (kp_jv_duration(jv, entry, "probe_interval", 0, 100 * KP_NS_PER_MS, 60 * KP_NS_PER_S,
                           &o->probe_interval_ns) < 0 ||
            kp_jv_duration(jv, entry, "probe_timeout", 0, 500 * KP_NS_PER_MS, 120 * KP_NS_PER_S,
                           &o->probe_timeout_ns) < 0 ||
            kp_jv_duration(jv, entry, "timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                           &o->timeout_ns) < 0 ||
            kp_jv_duration(jv, entry, "observe_after_effect", 0, 0, 3600 * KP_NS_PER_S,
                           &o->observe_ns) < 0 ||
            kp_jv_duration(jv, entry, "recovery_timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                           &o->recovery_timeout_ns) < 0)
                return -1;
        return 0;
}

static int setup(kp_ctx_t *ctx, kp_err_t *err)
{
        rev_state_t *st = calloc(1, sizeof(*st));
        const kp_target_t *t = ctx->plat ? ctx->plat->target : NULL;
        const rev_opts_t *o = ctx->scfg->options;
        kp_err_t e2;

        if (!st)
                return kp_err_set(err, KP_ENOMEM, "revocation: out of memory");
        ctx->suite_state = st;
        st->write_effect_ns = st->read_effect_ns = -1;
        st->write_recovery_ns = st->read_recovery_ns = -1;
        if (o)
                st->opts = *o;
        else {
                st->opts.canaries = 20;
                st->opts.deletion_days = 7;
                st->opts.probe_interval_ns = 500 * KP_NS_PER_MS;
                st->opts.probe_timeout_ns = 3 * KP_NS_PER_S;
                st->opts.timeout_ns = 30 * KP_NS_PER_S;
                st->opts.observe_ns = 10 * KP_NS_PER_S;
                st->opts.recovery_timeout_ns = 60 * KP_NS_PER_S;
                st->opts.max_old_data_readable_s = -1;
        }
        st->opts.grant_id = o ? o->grant_id : NULL; /* borrowed from the scenario */
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

const kp_suite_def_t kp_suite_revocation = {
    .name = "revocation",
    .title = "Key revocation (key authority)",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .gates = gates,
    .n_gates = sizeof(gates) / sizeof(gates[0]),
    .workload_defaults = defaults,
    .parse = parse,
    .setup = setup,
    .teardown = teardown,
};
