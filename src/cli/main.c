/*
 * kproof: evaluates Kafka-compatible streaming platforms with scenario-driven
 * suites and writes a signed evidence report. This file only dispatches to
 * the subcommands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "cli.h"
#include "kp_version.h"
#include "util/log.h"
#include "util/secret.h"

typedef struct cmd {
        const char *name;
        int (*fn)(int argc, char **argv);
        const char *summary;
} cmd_t;

static const cmd_t cmds[] = {
    {"run", kp_cmd_run, "run a scenario against a target and write a run directory"},
    {"validate", kp_cmd_validate, "check scenario and target files"},
    {"list", kp_cmd_list, "list suites, checks, checklist rows and gates"},
    {"report", kp_cmd_report,
     "render report.html, report.pdf and junit.xml again from a run's evidence.json"},
    {"keygen", kp_cmd_keygen, "create an Ed25519 key pair for signing run directories"},
    {"verify", kp_cmd_verify, "verify a run directory's signature, digests and completeness"},
    {"compare", kp_cmd_compare, "put several runs of one scenario side by side (HTML and PDF)"},
    {"diff", kp_cmd_diff,
     "show verdict changes and measurement deltas between two runs; exit 1 on a regression"},
    {"worker", kp_cmd_worker, "run one shard of a distributed workload into a shard store"},
    {"merge", kp_cmd_merge, "merge the shard results of a store and judge them as one history"},
    {"recover", kp_cmd_recover,
     "undo destructive actions (revoked keys) an interrupted run left behind"},
};

int kp_cli_fail(const kp_err_t *err)
{
        char *msg = kp_redact_dup(err->msg);

        fprintf(stderr, "kproof: %s\n", msg ? msg : "error (message withheld)");
        free(msg);
        return kp_err_exit_code(err->code);
}

static void usage(FILE *out)
{
        size_t i;

        fprintf(out, "usage: kproof <command> [options] [args]\n\n"
                     "kproof evaluates a Kafka-compatible streaming platform with the same suites\n"
                     "(semantics, key revocation, failover, scaling, cost) and writes an evidence\n"
                     "report: evidence.json, events.jsonl, junit.xml, report.html, report.pdf,\n"
                     "signed last (test-result.dsse.json, statement.json, "
                     "evidence.dsse.json).\n\ncommands:\n");
        for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
                fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
        fprintf(
            out,
            "\nRun 'kproof <command> --help' for the options of a command.\n"
            "Exit codes: 0 all checks passed or skipped with a reason and all gates held;\n"
            "1 a check failed or a gate was missed; 2 usage error or invalid input;\n"
            "3 infrastructure error (target unreachable, adapter failure, a check in error).\n");
}

int main(int argc, char **argv)
{
        size_t i;

        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
                if (argc > 2)
                        for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
                                if (strcmp(cmds[i].name, argv[2]) == 0) {
                                        char *hargv[] = {argv[2], "--help", NULL};
                                        return cmds[i].fn(2, hargv);
                                }
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
                printf("kproof %s (commit %s; librdkafka %s)\n", KP_VERSION, KP_GIT_COMMIT,
                       rd_kafka_version_str());
                return 0;
        }
        for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
                if (strcmp(cmds[i].name, argv[1]) == 0)
                        return cmds[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "kproof: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
}
