/*
 * kproof report: renders report.html, junit.xml and report.pdf again from a
 * run directory's evidence.json (for example after upgrading kproof's
 * renderers). The evidence itself is never changed.
 *
 * Rendering into the run directory changes signed files, so the directory
 * is signed again afterwards — but only when its files still match the
 * statement they were signed with: a modified run directory is never
 * blessed with a fresh signature.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "report/report.h"
#include "src/bundle.h"
#include "src/fsutil.h"
#include "src/log.h"
#include "src/sign.h"

static const char *out_dir;
static const char *sign_key_path;

static const kp_opt_t opts[] = {
    {"out", 'o', KP_OPT_STRING, "DIR", "write the reports here instead of into RUN_DIR", &out_dir},
    {"sign-key", 'k', KP_OPT_STRING, "FILE",
     "key to sign RUN_DIR again with (default: $KPROOF_SIGN_KEY, else the user's key)",
     &sign_key_path},
};

static const kp_cmd_spec_t spec = {
    "report",
    "RUN_DIR [--out DIR] [--sign-key FILE]",
    "Render report.html, junit.xml and report.pdf from RUN_DIR/evidence.json.",
    "Without --out the reports replace those in RUN_DIR and RUN_DIR is signed again\n"
    "(statement.json, evidence.dsse.json), provided its files still match its current\n"
    "signed statement. Exit codes: 0 done; 1 RUN_DIR does not match its statement (nothing\n"
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

/* True when the directory is unsigned, or its files match the statement
 * under the key that statement names (authenticity is verify's job). */
static int unchanged_since_signing(const char *dir)
{
        kp_bundle_result_t res;
        char path[4096];
        kp_err_t err;
        int ok;

        kp_path_join(path, sizeof(path), dir, KP_ENVELOPE_FILE);
        if (!kp_path_exists(path))
                return 1;
        if (kp_bundle_verify(dir, NULL, 0, print_problem, NULL, &res, &err) < 0)
                return 0;
        ok = res.embedded_key_ok && res.problems == 1;
        kp_bundle_result_release(&res);
        return ok;
}

int kp_cmd_report(int argc, char **argv)
{
        const char *pos[1];
        char ev_path[4096], out[4096];
        const char *dir;
        kp_key_t *key = NULL;
        size_t n;
        kp_err_t err;
        int pdf_ok = 0, rc = kp_opt_parse(&spec, argc, argv, pos, 1, &n, &err);

        if (rc == 1)
                return 0;
        if (rc < 0)
                return kp_cli_fail(&err);
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
                if (!unchanged_since_signing(pos[0])) {
                        fprintf(stderr,
                                "kproof report: %s no longer matches its signed statement; "
                                "not rendering into it (use --out DIR)\n",
                                pos[0]);
                        return KP_EXIT_FAIL;
                }
                if (kp_cli_signing_key(sign_key_path, &key, &err) < 0)
                        return kp_cli_fail(&err);
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
                kp_path_join(out, sizeof(out), dir, KP_ENVELOPE_FILE);
                printf("%s\n", out);
        }
        rc = pdf_ok ? KP_EXIT_OK : KP_EXIT_INFRA;
out:
        kp_key_free(key);
        return rc;
}
