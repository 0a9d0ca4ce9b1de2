/*
 * kproof verify: checks a run directory's signature bundle against a
 * public key the caller trusts: the DSSE signature, that statement.json is
 * the signed payload, every file's sha256, that no file was added or
 * removed, and the test-result attestation (test-result.dsse.json: same
 * key, evidence.json and junit.xml digests, predicate as evidence.json
 * says). Every problem is printed with the file it concerns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "opt.h"
#include "sign/bundle.h"
#include "sign/sign.h"

static kp_opt_list_t pubkeys;
static int quiet;

static const kp_opt_t opts[] = {
    {"pubkey", 'k', KP_OPT_LIST, "FILE", "trusted public key (PEM; required)", &pubkeys},
    {"quiet", 'q', KP_OPT_FLAG, NULL, "print problems only", &quiet},
};

static const kp_cmd_spec_t spec = {
    "verify",
    "RUN_DIR --pubkey FILE [--pubkey FILE]...",
    "Verify a run directory's signatures, file digests and completeness.",
    "Exit codes: 0 the signature verifies with a given key and every file matches the\n"
    "signed statement, with nothing added or removed, and the test-result attestation\n"
    "(test-result.dsse.json) is signed by the same key over evidence.json and junit.xml\n"
    "as they are; 1 at least one problem (each is printed as 'problem: FILE: what');\n"
    "2 usage error or unreadable public key.\n"
    "The same check with stock OpenSSL 3 is described in docs/verify.md.",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

static void print_problem(void *opaque, const char *file, const char *msg)
{
        (void)opaque;
        printf("problem: %s: %s\n", file, msg);
}

static const char *sval(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        return cJSON_IsString(v) ? v->valuestring : "-";
}

static int inum(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* The run it was, as the signed predicate says. */
static void print_summary(const char *pred_json)
{
        cJSON *pred = cJSON_Parse(pred_json), *rep;
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(pred, "run");
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(pred, "summary");
        const cJSON *signer = cJSON_GetObjectItemCaseSensitive(pred, "signer");
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(run, "scenario");
        const cJSON *tg = cJSON_GetObjectItemCaseSensitive(run, "target");

        if (!pred)
                return;
        printf("run: %s, scenario %s on target %s, signed %s\n", sval(run, "id"), sval(sc, "name"),
               sval(tg, "name"), sval(signer, "signed_at"));
        if (sum)
                printf("checks: %d pass, %d fail, %d skip, %d error; exit code %d\n",
                       inum(sum, "pass"), inum(sum, "fail"), inum(sum, "skip"), inum(sum, "error"),
                       inum(sum, "exit_code"));
        /* The custody chain: each time `kproof report` signed the directory again. */
        cJSON_ArrayForEach(rep, cJSON_GetObjectItemCaseSensitive(run, "custody"))
        {
                printf("re-signed %s with key %s; before: key %s, envelope sha256 %s\n",
                       sval(rep, "at"), sval(rep, "keyid"), sval(rep, "previous_keyid"),
                       sval(rep, "previous_envelope_sha256"));
        }
        cJSON_ArrayForEach(rep, cJSON_GetObjectItemCaseSensitive(pred, "reports"))
        {
                if (strcmp(sval(rep, "status"), "rendered") != 0)
                        printf("note: %s was not rendered when the run was signed: %s\n",
                               sval(rep, "name"), sval(rep, "reason"));
        }
        cJSON_Delete(pred);
}

static size_t count(const cJSON *o, const char *key)
{
        return (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The signed test result (in-toto test-result/v0.1). */
static void print_test_result(const char *pred_json)
{
        cJSON *pred = cJSON_Parse(pred_json);

        if (!pred)
                return;
        printf("test result: %s (%zu passed, %zu warned, %zu failed), signed in %s\n",
               sval(pred, "result"), count(pred, "passedTests"), count(pred, "warnedTests"),
               count(pred, "failedTests"), KP_TESTRESULT_FILE);
        cJSON_Delete(pred);
}

int kp_cmd_verify(int argc, char **argv)
{
        const char *pos[1];
        kp_key_t *keys[64];
        kp_bundle_result_t res;
        size_t n_pos = 0, i, n_keys = 0;
        kp_err_t err;
        int rc;

        if (kp_cli_parse(&spec, argc, argv, pos, 1, &n_pos, &rc))
                return rc;
        if (n_pos != 1 || pubkeys.n == 0) {
                fprintf(stderr, "kproof verify: a RUN_DIR and --pubkey FILE are required\n\n");
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (kp_cli_load_pubkeys(&pubkeys, keys, &n_keys, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (kp_bundle_verify(pos[0], (const kp_key_t *const *)keys, n_keys, print_problem, NULL,
                             &res, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (res.problems == 0) {
                if (!quiet) {
                        printf("verified: %s: %zu files signed by key %s\n", pos[0], res.n_subjects,
                               res.trusted_fp);
                        if (res.predicate_json)
                                print_summary(res.predicate_json);
                        if (res.test_result_json)
                                print_test_result(res.test_result_json);
                }
                rc = KP_EXIT_OK;
        } else {
                printf("FAILED: %s: %d problem(s)\n", pos[0], res.problems);
                rc = KP_EXIT_FAIL;
        }
        kp_bundle_result_release(&res);
out:
        for (i = 0; i < n_keys; i++)
                kp_key_free(keys[i]);
        return rc;
}
