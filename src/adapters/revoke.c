/*
 * Journaled destructive KMS actions and their undo: see revoke.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evidence/events.h"
#include "util/log.h"
#include "adapters/revoke.h"
#include "util/signals.h"
#include "util/timeutil.h"

static kp_safety_t safety;

const char *const kp_revoke_mode_names[] = {"disable", "schedule-deletion", "revoke-grant", NULL};

void kp_safety_set(int allow_destructive, int dry_run, const char *journal_path)
{
        safety.allow_destructive = allow_destructive;
        safety.dry_run = dry_run;
        kp_journal_path(journal_path, safety.journal, sizeof(safety.journal));
}

const kp_safety_t *kp_safety(void)
{
        if (!safety.journal[0])
                kp_journal_path(NULL, safety.journal, sizeof(safety.journal));
        return &safety;
}

int kp_revoke_permitted(const kp_target_t *t, kp_err_t *err)
{
        if (t->kms.fixture || kp_safety()->allow_destructive)
                return 0;
        return kp_err_set(err, KP_EUSAGE,
                          "%s: key %s is not declared a test fixture (kms.fixture) and would be "
                          "disabled: pass --allow-destructive to revoke a real key",
                          t->path, t->kms.key);
}

static const char *endpoint_of(const kp_target_t *t, char *buf, size_t size)
{
        if (t->kms.endpoint)
                return t->kms.endpoint;
        snprintf(buf, size, "https://kms.%s.amazonaws.com/", t->kms.region);
        return buf;
}

int kp_revoke_apply(kp_kms_t *kms, kp_journal_t *j, const kp_revoke_req_t *req,
                    kp_journal_entry_t *e, kp_err_t *err)
{
        static unsigned seq;
        char ep[512], abs_target[PATH_MAX];
        int r;

        memset(e, 0, sizeof(*e));
        snprintf(e->id, sizeof(e->id), "%s/%u", req->run_id, ++seq);
        snprintf(e->run_id, sizeof(e->run_id), "%s", req->run_id);
        if (!realpath(req->target->path, abs_target))
                snprintf(abs_target, sizeof(abs_target), "%s", req->target->path);
        snprintf(e->target, sizeof(e->target), "%s", abs_target);
        snprintf(e->kms_endpoint, sizeof(e->kms_endpoint), "%s",
                 endpoint_of(req->target, ep, sizeof(ep)));
        snprintf(e->region, sizeof(e->region), "%s", req->target->kms.region);
        snprintf(e->key_id, sizeof(e->key_id), "%s", req->key_id);
        switch (req->mode) {
        case KP_REVOKE_DISABLE:
                snprintf(e->action, sizeof(e->action), "disable_key");
                snprintf(e->undo, sizeof(e->undo), "enable_key");
                break;
        case KP_REVOKE_SCHEDULE_DELETION:
                snprintf(e->action, sizeof(e->action), "schedule_key_deletion");
                snprintf(e->undo, sizeof(e->undo), "cancel_key_deletion+enable_key");
                break;
        case KP_REVOKE_GRANT:
                snprintf(e->action, sizeof(e->action), "revoke_grant");
                snprintf(e->undo, sizeof(e->undo), "create_grant");
                snprintf(e->grant_id, sizeof(e->grant_id), "%s",
                         req->grant_id ? req->grant_id : "");
                snprintf(e->grantee, sizeof(e->grantee), "%s", req->grantee ? req->grantee : "");
                snprintf(e->operations, sizeof(e->operations), "%s",
                         req->operations ? req->operations : "");
                break;
        }
        if (kp_revoke_permitted(req->target, err) < 0)
                return -1;
        if (kp_journal_append(j, e, "intent", err) < 0)
                return -1;
        kp_event_msg("kms.revoke", NULL, "%s %s (journal %s, entry %s)", e->action, e->key_id,
                     kp_journal_file(j), e->id);
        switch (req->mode) {
        case KP_REVOKE_DISABLE:
                r = kp_kms_disable_key(kms, req->key_id, err);
                break;
        case KP_REVOKE_SCHEDULE_DELETION:
                r = kp_kms_schedule_deletion(kms, req->key_id,
                                             req->deletion_days ? req->deletion_days : 7, err);
                break;
        default:
                r = kp_kms_revoke_grant(kms, req->key_id, req->grant_id, err);
                break;
        }
        if (r < 0) {
                kp_err_t jerr;
                snprintf(e->detail, sizeof(e->detail), "%s", err->msg);
                kp_journal_append(j, e, "failed", &jerr);
                return -1;
        }
        return kp_journal_append(j, e, "done", err);
}

static int do_undo(kp_kms_t *kms, const kp_journal_entry_t *e, kp_err_t *err)
{
        if (strcmp(e->action, "disable_key") == 0)
                return kp_kms_enable_key(kms, e->key_id, err);
        if (strcmp(e->action, "schedule_key_deletion") == 0) {
                if (kp_kms_cancel_deletion(kms, e->key_id, err) < 0) {
                        /* Not pending deletion any more: only the enable is left to do. */
                        const kp_aws_error_t *ae = kp_kms_last_error(kms);
                        if (strcmp(ae->code, "KMSInvalidStateException") != 0)
                                return -1;
                }
                return kp_kms_enable_key(kms, e->key_id, err);
        }
        if (strcmp(e->action, "revoke_grant") == 0) {
                char id[256];
                if (!e->grantee[0] || !e->operations[0])
                        return kp_err_set(err, KP_EINVAL,
                                          "revoke_grant entry %s names no grantee/operations",
                                          e->id);
                return kp_kms_create_grant(kms, e->key_id, e->grantee, e->operations, id,
                                           sizeof(id), err);
        }
        return kp_err_set(err, KP_EINVAL, "undo journal entry %s: unknown action '%s'", e->id,
                          e->action);
}

int kp_revoke_undo(kp_kms_t *kms, kp_journal_t *j, kp_journal_entry_t *e, kp_err_t *err)
{
        int64_t deadline = kp_mono_ns() + 60 * KP_NS_PER_S;
        kp_err_t jerr;
        int r;

        /* The undo must not give up on a transient error: retry for a minute,
         * even while a stop was requested (the stop is what brought us here). */
        for (;;) {
                r = do_undo(kms, e, err);
                if (r == 0 || err->code == KP_EINVAL || kp_mono_ns() > deadline)
                        break;
                kp_warn("undo %s of %s failed (%s); retrying", e->undo, e->key_id, err->msg);
                {
                        struct timespec ts = {1, 0};
                        nanosleep(&ts, NULL);
                }
        }
        if (r < 0) {
                snprintf(e->detail, sizeof(e->detail), "%s", err->msg);
                kp_journal_append(j, e, "undo-failed", &jerr);
                return -1;
        }
        e->detail[0] = '\0';
        kp_event_msg("kms.restore", NULL, "%s %s (journal entry %s)", e->undo, e->key_id, e->id);
        return kp_journal_append(j, e, "undone", err);
}

int kp_revoke_recover(const char *journal_path, const char *target_override, size_t *undone,
                      size_t *failed, kp_err_t *err)
{
        kp_journal_entry_t *v = NULL;
        kp_journal_t *j = NULL;
        size_t n = 0, i;
        int rc = -1;

        *undone = *failed = 0;
        if (kp_journal_pending(journal_path, &v, &n, err) < 0)
                return -1;
        if (n == 0) {
                free(v);
                return 0;
        }
        if (kp_journal_open(journal_path, &j, err) < 0)
                goto out;
        for (i = 0; i < n; i++) {
                kp_journal_entry_t *e = &v[i];
                kp_target_t *t = NULL;
                kp_kms_t *kms = NULL;
                kp_err_t e2;
                const char *tp = target_override ? target_override : e->target;

                if (kp_journal_owner_alive(e->owner)) {
                        kp_info("recover: entry %s (%s %s) belongs to a kproof still running (%s): "
                                "left to it",
                                e->id, e->action, e->key_id, e->owner);
                        continue;
                }
                kp_info("recover: entry %s (%s %s, last phase %s): %s", e->id, e->action, e->key_id,
                        e->phase, e->undo);
                if (kp_target_load(tp, &t, &e2) < 0 || strcmp(t->kms_type, "aws-kms") != 0) {
                        kp_error("recover: entry %s: cannot load target %s: %s", e->id, tp,
                                 t ? "the target has no aws-kms section" : e2.msg);
                        (*failed)++;
                        kp_target_free(t);
                        continue;
                }
                /* The key's endpoint and region come from the journal: a target
                 * edited since then must not redirect the undo elsewhere. */
                free(t->kms.endpoint);
                t->kms.endpoint = strdup(e->kms_endpoint);
                free(t->kms.region);
                t->kms.region = strdup(e->region);
                if (kp_kms_new(&t->kms, &kms, &e2) < 0 || kp_revoke_undo(kms, j, e, &e2) < 0) {
                        kp_error("recover: entry %s: %s", e->id, e2.msg);
                        (*failed)++;
                } else {
                        kp_info("recover: entry %s: %s done, key %s restored", e->id, e->undo,
                                e->key_id);
                        (*undone)++;
                }
                kp_kms_free(kms);
                kp_target_free(t);
        }
        rc = 0;
out:
        kp_journal_close(j);
        free(v);
        return rc;
}
