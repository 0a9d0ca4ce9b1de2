/*
 * cli: the kproof command. One file per subcommand (cmd_<name>.c) behind
 * the dispatch table in main.c. Subcommands return the process exit code
 * (README "Exit codes"); only main() exits.
 */
#ifndef KP_CLI_H
#define KP_CLI_H

#include "util/err.h"

struct kp_key;

int kp_cmd_run(int argc, char **argv);
int kp_cmd_validate(int argc, char **argv);
int kp_cmd_list(int argc, char **argv);
int kp_cmd_report(int argc, char **argv);
int kp_cmd_keygen(int argc, char **argv);
int kp_cmd_verify(int argc, char **argv);
int kp_cmd_compare(int argc, char **argv);
int kp_cmd_recover(int argc, char **argv);
int kp_cmd_diff(int argc, char **argv);
int kp_cmd_worker(int argc, char **argv);
int kp_cmd_merge(int argc, char **argv);

/* The end of every run directory's life: report.pdf rendered from
 * evidence.json (a failure is logged and recorded in the signed statement,
 * *pdf_ok says which), then statement.json and evidence.dsse.json written
 * last. Returns -1 only when signing failed. */
int kp_cli_seal(const char *run_dir, const struct kp_key *key, int *pdf_ok, kp_err_t *err);

/* The signing key of run and report: --sign-key, else $KPROOF_SIGN_KEY,
 * else the user's default key, created on first use (said on stderr with
 * its fingerprint). Free with kp_key_free(). */
int kp_cli_signing_key(const char *opt_path, struct kp_key **key, kp_err_t *err);

/* Prints "kproof: <msg>" on stderr (redacted) and returns the exit code
 * for err's code. */
int kp_cli_fail(const kp_err_t *err);

#endif
