/*
 * kproof validate: checks scenario and target files without running them.
 * The kind of each file is recognised by its keys ("suites" for a scenario,
 * "kafka" or "control" for a target).
 */
#include <stdio.h>

#include "cli.h"
#include "opt.h"
#include "config/config.h"
#include "suites/registry.h"

static const kp_cmd_spec_t spec = {
    "validate",
    "FILE...",
    "Check scenario and target files: unknown keys, wrong types, missing fields,\n"
    "out-of-range values, bad durations and unset ${env:NAME} variables.",
    "Each invalid file is reported on stderr as FILE: $.json.path: what was expected.\n"
    "Exit code 0 when every file is valid, 2 otherwise.",
    NULL,
    0,
};

int kp_cmd_validate(int argc, char **argv)
{
        const char *pos[256];
        size_t n = 0, i;
        int rc, bad = 0;
        kp_err_t err;

        if (kp_cli_parse(&spec, argc, argv, pos, 256, &n, &rc))
                return rc;
        if (n == 0) {
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        for (i = 0; i < n; i++) {
                kp_config_kind_t kind;
                if (kp_config_sniff(pos[i], &kind, &err) < 0) {
                        kp_cli_fail(&err);
                        bad = 1;
                        continue;
                }
                if (kind == KP_CONFIG_SCENARIO) {
                        kp_scenario_t *s;
                        if (kp_scenario_load(pos[i], &kp_builtin_suites, &s, &err) < 0) {
                                kp_cli_fail(&err);
                                bad = 1;
                                continue;
                        }
                        printf("%s: ok (scenario %s, %zu suite%s)\n", pos[i], s->name, s->n_suites,
                               s->n_suites == 1 ? "" : "s");
                        kp_scenario_free(s);
                } else if (kind == KP_CONFIG_TARGET) {
                        kp_target_t *t;
                        if (kp_target_load(pos[i], &t, &err) < 0) {
                                kp_cli_fail(&err);
                                bad = 1;
                                continue;
                        }
                        printf("%s: ok (target %s)\n", pos[i], t->name);
                        kp_target_free(t);
                } else {
                        fprintf(stderr,
                                "kproof: %s: $: expected a scenario (with \"suites\") or a "
                                "target (with \"kafka\" or \"control\")\n",
                                pos[i]);
                        bad = 1;
                }
        }
        return bad ? KP_EXIT_INVALID : KP_EXIT_OK;
}
