/*
 * cli: the kproof command. One file per subcommand (cmd_<name>.c) behind
 * the dispatch table in main.c. Subcommands return the process exit code
 * (README "Exit codes"); only main() exits.
 */
#ifndef KP_CLI_H
#define KP_CLI_H

#include "src/err.h"

int kp_cmd_run(int argc, char **argv);
int kp_cmd_validate(int argc, char **argv);
int kp_cmd_list(int argc, char **argv);
int kp_cmd_report(int argc, char **argv);
int kp_cmd_recover(int argc, char **argv);

/* Prints "kproof: <msg>" on stderr (redacted) and returns the exit code
 * for err's code. */
int kp_cli_fail(const kp_err_t *err);

#endif
