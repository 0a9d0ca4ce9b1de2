/*
 * kproof report: renders report.html, junit.xml and report.pdf again from a
 * run directory's evidence.json (for example after upgrading kproof's
 * renderers). The measurements and verdicts are never changed.
 *
 * Rendering into the run directory changes signed files, so the directory
 * is signed again afterwards — but only when its envelope still verifies
 * (with the key it names and, when given, with --pubkey) and every file
 * still matches the statement: an unsigned or modified run directory is
 * never blessed with a fresh signature (--out renders elsewhere, unsigned).
 *
 * A re-signing is recorded, not hidden: evidence.json names the new key
 * (run.facts.signing_key) and gains a run.custody entry with the time, the
 * new key and the previous envelope's sha256 and key, which the new signed
 * statement carries too, so the chain of signers can be followed back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "opt.h"
#include "report/report.h"
#include "sign/bundle.h"
#include "util/digest.h"
#include "util/fsutil.h"
#include "config/jsonv.h"
#include "util/log.h"
#include "sign/sign.h"
#include "util/timeutil.h"

static const char *out_dir;
static const char *sign_key_path;
static const char *pubkey_path;

static const kp_opt_t opts[] = {
    {"out", 'o', KP_OPT_STRING, "DIR", "write the reports here instead of into RUN_DIR", &out_dir},
    {"sign-key", 'k', KP_OPT_STRING, "FILE",
     "key to sign RUN_DIR again with (default: $KPROOF_SIGN_KEY, else the user's key)",
     &sign_key_path},
    {"pubkey", 'p', KP_OPT_STRING, "FILE",
     "also require RUN_DIR's envelope to verify with this trusted public key", &pubkey_path},
};

static const kp_cmd_spec_t spec = {
    "report",
    "RUN_DIR [--out DIR] [--sign-key FILE] [--pubkey FILE]",
    "Render report.html, junit.xml and report.pdf from RUN_DIR/evidence.json.",
    "Without --out the reports replace those in RUN_DIR and RUN_DIR is signed again\n"
    "(test-result.dsse.json, statement.json, evidence.dsse.json), provided its envelope verifies "
    "with the key it\n"
    "names (and with --pubkey when given) and every file matches the signed statement.\n"
    "The re-signing is recorded in evidence.json (run.custody) and the new statement.\n"
    "Exit codes: 0 done; 1 RUN_DIR is unsigned or does not match its signature (nothing\n"
    "written); 2 usage error or no evidence.json; 3 a report could not be rendered.",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

static void print_problem(void *opaque, const char *file, const char *msg)
{
        (void)opaque;
        if (strcmp(file, KP_ENVELOPE_FILE) != 0 || strncmp(msg, "bad signature", 13) != 0)
                fprintf(stderr, "kproof report: %s: %s\n", file, msg);
}

static void print_any_problem(void *opaque, const char *file, const char *msg)
{
        (void)opaque;
        fprintf(stderr, "kproof report: %s: %s\n", file, msg);
}

/* evidence.json (a signed subject) names the key the run was signed with;
 * an envelope by any other key means the statement was replaced. */
static int signer_matches_evidence(const char *dir, const char *keyid)
{
        const cJSON *fp;
        char path[4096];
        cJSON *ev = NULL;
        kp_err_t err;
        int ok = 1;

        kp_path_join(path, sizeof(path), dir, "evidence.json");
        if (kp_jv_load_file(path, (size_t)1 << 30, &ev, &err) < 0) {
                fprintf(stderr, "kproof report: %s\n", err.msg);
                return 0;
        }
        fp = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, "run"), "facts"),
            "signing_key");
        if (cJSON_IsString(fp) && strcmp(fp->valuestring, keyid) != 0) {
                fprintf(stderr,
                        "kproof report: %s: the envelope is signed by key %s but evidence.json "
                        "names signing key %s: the statement was replaced\n",
                        KP_ENVELOPE_FILE, keyid, fp->valuestring);
                ok = 0;
        }
        cJSON_Delete(ev);
        return ok;
}

/* True when the directory's envelope verifies with the key its statement
 * names (and with trusted, when given) and every file matches the signed
 * statement. The envelope's keyid goes to keyid. */
static int intact_and_signed(const char *dir, const kp_key_t *trusted, char *keyid, size_t size)
{
        const kp_key_t *keys[1] = {trusted};
        kp_bundle_result_t res;
        kp_err_t err;
        int ok;

        if (kp_bundle_verify(dir, trusted ? keys : NULL, trusted ? 1 : 0,
                             trusted ? print_any_problem : print_problem, NULL, &res, &err) < 0) {
                fprintf(stderr, "kproof report: %s\n", err.msg);
                return 0;
        }
        if (trusted)
                ok = res.signed_dir && res.signature_ok && res.problems == 0;
        else /* the one problem is "bad signature" for want of a trusted key */
                ok = res.signed_dir && res.embedded_key_ok && res.problems == 1;
        snprintf(keyid, size, "%s", res.keyid);
        kp_bundle_result_release(&res);
        if (ok)
                ok = signer_matches_evidence(dir, keyid);
        return ok;
}

/* Records the re-signing in evidence.json: the new key as the signing key
 * and a custody entry naming the previous envelope (sha256) and key. */
static int record_custody(const char *dir, const kp_key_t *key, const char *prev_keyid,
                          kp_err_t *err)
{
        char ev_path[4096], env_path[4096], hex[KP_SHA256_HEX], ts[40];
        cJSON *ev = NULL, *run, *facts, *custody, *entry;
        char *text = NULL;
        int rc = -1;

        kp_path_join(ev_path, sizeof(ev_path), dir, "evidence.json");
        kp_path_join(env_path, sizeof(env_path), dir, KP_ENVELOPE_FILE);
        if (kp_sha256_file(env_path, hex, err) < 0)
                return -1;
        if (kp_jv_load_file(ev_path, (size_t)1 << 30, &ev, err) < 0)
                return -1;
        run = cJSON_GetObjectItemCaseSensitive(ev, "run");
        if (!cJSON_IsObject(run)) {
                kp_err_set(err, KP_EINVAL, "%s: $.run: expected an object", ev_path);
                goto out;
        }
        facts = cJSON_GetObjectItemCaseSensitive(run, "facts");
        if (!cJSON_IsObject(facts)) {
                cJSON_DeleteItemFromObjectCaseSensitive(run, "facts");
                facts = cJSON_AddObjectToObject(run, "facts");
        }
        custody = cJSON_GetObjectItemCaseSensitive(run, "custody");
        if (!cJSON_IsArray(custody)) {
                cJSON_DeleteItemFromObjectCaseSensitive(run, "custody");
                custody = cJSON_AddArrayToObject(run, "custody");
        }
        kp_time_iso(kp_wall_ns(), ts, sizeof(ts));
        entry = cJSON_CreateObject();
        if (!facts || !custody || !entry) {
                cJSON_Delete(entry);
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        cJSON_AddStringToObject(entry, "event", "re-signed by kproof report");
        cJSON_AddStringToObject(entry, "at", ts);
        cJSON_AddStringToObject(entry, "keyid", kp_key_fingerprint(key));
        cJSON_AddStringToObject(entry, "previous_keyid", prev_keyid);
        cJSON_AddStringToObject(entry, "previous_envelope_sha256", hex);
        cJSON_AddItemToArray(custody, entry);
        cJSON_DeleteItemFromObjectCaseSensitive(facts, "signing_key");
        cJSON_AddStringToObject(facts, "signing_key", kp_key_fingerprint(key));
        {
                char line[512];
                snprintf(line, sizeof(line),
                         "%s with key %s; previously signed with key %s "
                         "(envelope sha256 %s)",
                         ts, kp_key_fingerprint(key), prev_keyid, hex);
                cJSON_DeleteItemFromObjectCaseSensitive(facts, "re_signed");
                cJSON_AddStringToObject(facts, "re_signed", line);
        }
        text = cJSON_Print(ev);
        if (!text) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        rc = kp_write_file(ev_path, text, strlen(text), 0644, err);
out:
        free(text);
        cJSON_Delete(ev);
        return rc;
}

int kp_cmd_report(int argc, char **argv)
{
        const char *pos[1];
        char ev_path[4096], out[4096];
        const char *dir;
        kp_key_t *key = NULL, *trusted = NULL;
        size_t n;
        kp_err_t err;
        int pdf_ok = 0, rc;

        if (kp_cli_parse(&spec, argc, argv, pos, 1, &n, &rc))
                return rc;
        if (n != 1) {
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (kp_path_join(ev_path, sizeof(ev_path), pos[0], "evidence.json") < 0 ||
            !kp_path_exists(ev_path)) {
                kp_err_set(&err, KP_EINVAL, "%s: no evidence.json in this directory", pos[0]);
                return kp_cli_fail(&err);
        }
        if (!out_dir) {
                char prev[160] = "";
                int intact;
                if (pubkey_path && kp_key_load_public(pubkey_path, &trusted, &err) < 0)
                        return kp_cli_fail(&err);
                intact = intact_and_signed(pos[0], trusted, prev, sizeof(prev));
                kp_key_free(trusted);
                if (!intact) {
                        fprintf(stderr,
                                "kproof report: %s is unsigned or no longer matches its "
                                "signature; not rendering into it (use --out DIR)\n",
                                pos[0]);
                        return KP_EXIT_FAIL;
                }
                if (kp_cli_signing_key(sign_key_path, &key, &err) < 0)
                        return kp_cli_fail(&err);
                if (strcmp(prev, kp_key_fingerprint(key)) != 0)
                        fprintf(stderr,
                                "kproof report: %s was signed with key %s; signing it again with "
                                "key %s (recorded in evidence.json run.custody)\n",
                                pos[0], prev, kp_key_fingerprint(key));
                if (record_custody(pos[0], key, prev, &err) < 0) {
                        rc = kp_cli_fail(&err);
                        goto out;
                }
        }
        dir = out_dir ? out_dir : pos[0];
        if (kp_mkdir_p(dir, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        kp_path_join(out, sizeof(out), dir, "report.html");
        if (kp_report_html(ev_path, out, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        printf("%s\n", out);
        kp_path_join(out, sizeof(out), dir, "junit.xml");
        if (kp_report_junit(ev_path, out, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        printf("%s\n", out);
        kp_path_join(out, sizeof(out), dir, "assessment-results.json");
        if (kp_report_oscal(ev_path, out, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        printf("%s\n", out);
        if (key) {
                if (kp_cli_seal(dir, key, &pdf_ok, &err) < 0) {
                        rc = kp_cli_fail(&err);
                        goto out;
                }
        } else {
                kp_path_join(out, sizeof(out), dir, "report.pdf");
                pdf_ok = kp_report_pdf(ev_path, out, &err) == 0;
                if (!pdf_ok)
                        kp_error("report.pdf NOT rendered: %s", err.msg);
        }
        kp_path_join(out, sizeof(out), dir, "report.pdf");
        if (pdf_ok)
                printf("%s\n", out);
        if (key) {
                kp_path_join(out, sizeof(out), dir, KP_TESTRESULT_FILE);
                printf("%s\n", out);
                kp_path_join(out, sizeof(out), dir, KP_ENVELOPE_FILE);
                printf("%s\n", out);
        }
        rc = pdf_ok ? KP_EXIT_OK : KP_EXIT_INFRA;
out:
        kp_key_free(key);
        return rc;
}
