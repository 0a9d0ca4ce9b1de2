/*
 * kproof recover: replays the undo journal — every destructive action
 * (disabled key, scheduled deletion, revoked grant) whose undo was not
 * recorded is undone, with the credentials of the target file named in the
 * journal entry (or --target).
 */
#include <stdio.h>

#include "cli.h"
#include "opt.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "adapters/revoke.h"

static const char *journal_opt, *target_opt;
static int verbose;

static const kp_opt_t opts[] = {
    {"journal", 'j', KP_OPT_STRING, "FILE",
     "undo journal (default $KPROOF_JOURNAL, else "
     "$XDG_STATE_HOME/kproof/undo-journal.jsonl, else "
     "~/.local/state/kproof/undo-journal.jsonl)",
     &journal_opt},
    {"target", 't', KP_OPT_STRING, "TARGET",
     "target file for credentials (default: the one in each entry)", &target_opt},
    {"verbose", 'v', KP_OPT_FLAG, NULL, "log debug detail", &verbose},
};

static const kp_cmd_spec_t spec = {
    "recover",
    "[RUN_DIR | --journal FILE] [--target TARGET]",
    "Undo the destructive actions an interrupted or killed run left behind.",
    "RUN_DIR (a run directory, .partial after a crash) names the journal its\n"
    "revocation used. Every journal entry whose undo is not recorded and whose\n"
    "kproof is no longer running is undone (EnableKey,\n"
    "CancelKeyDeletion + EnableKey, CreateGrant) and the undo is appended to the\n"
    "journal. Exit codes: 0 nothing pending or everything undone; 3 an undo failed.",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

int kp_cmd_recover(int argc, char **argv)
{
        const char *pos[1];
        size_t n_pos = 0, undone = 0, failed = 0;
        kp_err_t err;
        kp_buf_t jp;
        int rc;

        if (kp_cli_parse(&spec, argc, argv, pos, 1, &n_pos, &rc))
                return rc;
        if (verbose)
                kp_log_set_level(KP_LOG_DEBUG);
        kp_buf_init(&jp, 8192);
        if (n_pos == 1) {
                char path[4096];
                if (journal_opt) {
                        fprintf(stderr, "kproof recover: give a RUN_DIR or --journal, not both\n");
                        kp_buf_free(&jp);
                        return KP_EXIT_INVALID;
                }
                snprintf(path, sizeof(path), "%s/revocation/journal-path", pos[0]);
                if (kp_read_file(path, 8192, &jp, &err) < 0) {
                        kp_err_prefix(&err, "%s has no revocation journal", pos[0]);
                        err.code = KP_EUSAGE;
                        kp_buf_free(&jp);
                        return kp_cli_fail(&err);
                }
                journal_opt = kp_buf_cstr(&jp);
        }
        kp_safety_set(0, 0, journal_opt);
        kp_buf_free(&jp);
        if (kp_revoke_recover(kp_safety()->journal, target_opt, &undone, &failed, &err) < 0)
                return kp_cli_fail(&err);
        printf("journal %s: %zu undone, %zu failed\n", kp_safety()->journal, undone, failed);
        return failed ? KP_EXIT_INFRA : KP_EXIT_OK;
}
