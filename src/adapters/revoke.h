/*
 * revoke: the destructive KMS actions kproof performs to revoke a
 * platform's key, each journaled before it is sent (journal.h), and their
 * undo — right after the measurement, on SIGINT/SIGTERM, and after a crash
 * through kp_revoke_recover() (`kproof recover`, and the start of every
 * `kproof run`).
 *
 * The run-wide safety settings live here too: --allow-destructive (a key not
 * declared `"fixture": true` in the target is refused without it),
 * --dry-run (the plan is printed and recorded, no KMS call is made) and the
 * journal path. The CLI sets them once before any suite runs.
 */
#ifndef KP_REVOKE_H
#define KP_REVOKE_H

#include <stddef.h>

#include "config/config.h"
#include "util/err.h"
#include "evidence/journal.h"
#include "adapters/kms.h"

typedef struct kp_safety {
        int allow_destructive;
        int dry_run;
        char journal[4096]; /* resolved journal path */
} kp_safety_t;

void kp_safety_set(int allow_destructive, int dry_run, const char *journal_path);
const kp_safety_t *kp_safety(void);

typedef enum kp_revoke_mode {
        KP_REVOKE_DISABLE = 0,       /* DisableKey; undo EnableKey */
        KP_REVOKE_SCHEDULE_DELETION, /* ScheduleKeyDeletion; undo CancelKeyDeletion + EnableKey */
        KP_REVOKE_GRANT,             /* RevokeGrant; undo CreateGrant with the same grantee/ops */
} kp_revoke_mode_t;

extern const char
    *const kp_revoke_mode_names[]; /* "disable", "schedule-deletion", "revoke-grant" */

typedef struct kp_revoke_req {
        kp_revoke_mode_t mode;
        const char *run_id;
        const kp_target_t *target;
        const char *key_id;     /* resolved key id (not an alias) */
        const char *grant_id;   /* revoke-grant */
        const char *grantee;    /* revoke-grant: for the undo */
        const char *operations; /* revoke-grant: for the undo */
        int deletion_days;      /* schedule-deletion: 7..30 */
} kp_revoke_req_t;

/* Refuses (KP_EUSAGE) a destructive action on a key the target does not
 * declare a fixture unless --allow-destructive was given. */
int kp_revoke_permitted(const kp_target_t *t, kp_err_t *err);

/* Journals the intent (fsync), sends the action, journals the outcome.
 * entry receives the journal entry for kp_revoke_undo. */
int kp_revoke_apply(kp_kms_t *kms, kp_journal_t *j, const kp_revoke_req_t *req,
                    kp_journal_entry_t *entry, kp_err_t *err);

/* Performs the undo of entry and journals "undone" (or "undo-failed"). */
int kp_revoke_undo(kp_kms_t *kms, kp_journal_t *j, kp_journal_entry_t *entry, kp_err_t *err);

/* Undoes every pending entry of the journal, loading each entry's target
 * file for its credentials (target_override replaces it when given).
 * *undone and *failed count entries. Progress goes to the log. */
int kp_revoke_recover(const char *journal_path, const char *target_override, size_t *undone,
                      size_t *failed, kp_err_t *err);

#endif
