/*
 * cli: the kproof command. One file per subcommand (cmd_<name>.c) behind
 * the dispatch table in main.c. Subcommands return the process exit code
 * (README "Exit codes"); only main() exits.
 */
#ifndef KP_CLI_H
#define KP_CLI_H

#include "opt.h"
#include "util/err.h"

struct kp_key;
struct kp_scenario;
struct kp_suite_cfg;

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

/* kp_opt_parse for a subcommand: 0 to go on (*code 0); 1 when the subcommand
 * is done and returns *code (0 after --help, kp_cli_fail's code on a usage
 * error). */
int kp_cli_parse(const kp_cmd_spec_t *spec, int argc, char **argv, const char **pos, size_t max_pos,
                 size_t *n_pos, int *code);

/* Loads the public key of every file in paths into keys[*n_keys..] (room
 * for paths->n more), counting each in *n_keys; -1 at the first that does
 * not load (the ones before it stay in keys for the caller to free). */
int kp_cli_load_pubkeys(const kp_opt_list_t *paths, struct kp_key **keys, size_t *n_keys,
                        kp_err_t *err);

/* Loads the scenario of a distributed run (worker, merge) into *scn and
 * its suite named suite (NULL: failover) into *sc; -1 with err set when
 * either fails (*scn, once loaded, is the caller's to free). */
int kp_cli_dist_scenario(const char *path, const char *suite, struct kp_scenario **scn,
                         const struct kp_suite_cfg **sc, kp_err_t *err);

#endif
