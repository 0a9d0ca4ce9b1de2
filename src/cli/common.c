/*
 * The steps several subcommands share: parsing their arguments, loading the
 * trusted public keys, loading a distributed run's scenario.
 */
#include "cli.h"
#include "config/config.h"
#include "sign/sign.h"
#include "suites/registry.h"

int kp_cli_parse(const kp_cmd_spec_t *spec, int argc, char **argv, const char **pos, size_t max_pos,
                 size_t *n_pos, int *code)
{
        kp_err_t err;
        int rc = kp_opt_parse(spec, argc, argv, pos, max_pos, n_pos, &err);

        *code = rc < 0 ? kp_cli_fail(&err) : 0;
        return rc != 0;
}

int kp_cli_load_pubkeys(const kp_opt_list_t *paths, struct kp_key **keys, size_t *n_keys,
                        kp_err_t *err)
{
        size_t i;

        for (i = 0; i < paths->n; i++) {
                if (kp_key_load_public(paths->items[i], &keys[*n_keys], err) < 0)
                        return -1;
                (*n_keys)++;
        }
        return 0;
}

int kp_cli_dist_scenario(const char *path, const char *suite, struct kp_scenario **scn,
                         const struct kp_suite_cfg **sc, kp_err_t *err)
{
        if (kp_scenario_load(path, &kp_builtin_suites, scn, err) < 0)
                return -1;
        if (!suite)
                suite = "failover";
        *sc = kp_scenario_suite(*scn, suite);
        if (!*sc)
                return kp_err_set(err, KP_EUSAGE, "%s: no suite \"%s\" in the scenario",
                                  (*scn)->path, suite);
        return 0;
}
