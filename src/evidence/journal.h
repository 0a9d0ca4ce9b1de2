/*
 * journal: the undo journal of destructive actions (disable a key, schedule
 * its deletion, revoke a grant).
 *
 * Before a destructive call is sent, an "intent" line naming the action, its
 * undo and everything needed to replay the undo (target file, KMS endpoint,
 * region, key, grant) is appended to the journal and fsync'ed; the outcome
 * ("done", "failed") and later the undo ("undone", "undo-failed") are
 * appended the same way. An entry whose intent has no "undone" line is
 * pending: `kproof recover` and the next `kproof run` undo it. Credentials
 * are never written: recovery reads them from the target file again.
 *
 * The journal is a JSON-lines file (default
 * $XDG_STATE_HOME/kproof/undo-journal.jsonl, else
 * ~/.local/state/kproof/undo-journal.jsonl; KPROOF_JOURNAL overrides).
 * Lines are appended with O_APPEND, one write each, so several kproof
 * processes may share it.
 */
#ifndef KP_JOURNAL_H
#define KP_JOURNAL_H

#include <stddef.h>

#include "util/err.h"

typedef struct kp_journal_entry {
        char id[96]; /* "<run id>/<n>" */
        char run_id[64];
        char ts[32];
        char phase[16];    /* intent, done, failed, undone, undo-failed */
        char action[32];   /* disable_key, schedule_key_deletion, revoke_grant */
        char undo[48];     /* enable_key, cancel_key_deletion+enable_key, create_grant */
        char target[1024]; /* absolute path of the target file */
        char kms_endpoint[512];
        char region[64];
        char key_id[256];
        char grant_id[256];
        char grantee[512];
        char operations[512];
        char detail[512];
        char owner[64]; /* "<pid>:<process start time>" of the kproof that wrote it */
} kp_journal_entry_t;

typedef struct kp_journal kp_journal_t;

/* The journal path: explicit, else KPROOF_JOURNAL, else the default. */
void kp_journal_path(const char *explicit_path, char *out, size_t size);

/* Opens (creating directories and the file) for appending. */
int kp_journal_open(const char *path, kp_journal_t **out, kp_err_t *err);
void kp_journal_close(kp_journal_t *j);
const char *kp_journal_file(const kp_journal_t *j);

/* Appends e with the given phase (e->phase and e->ts are set) and fsyncs. */
int kp_journal_append(kp_journal_t *j, kp_journal_entry_t *e, const char *phase, kp_err_t *err);

/* "<pid>:<start time>" of this process (start time from /proc, so a reused
 * pid is told apart). */
void kp_journal_self_owner(char *out, size_t size);
/* True when the process named by owner is still running: its entries are
 * in progress, not left behind. */
int kp_journal_owner_alive(const char *owner);

/* Reads the journal: the last line of every entry whose intent has no
 * "undone" line yet (malloc'ed array, free with free()). A missing file has
 * no pending entries. */
int kp_journal_pending(const char *path, kp_journal_entry_t **out, size_t *n, kp_err_t *err);

#endif
