/*
 * seal: what every run directory gets last — report.pdf, then the signed
 * test-result attestation and the signed statement over everything in it. Shared by 'kproof run'
 * and 'kproof report'.
 */
#include <stdio.h>

#include "cli.h"
#include "report/report.h"
#include "sign/bundle.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "sign/sign.h"

int kp_cli_signing_key(const char *opt_path, kp_key_t **key, kp_err_t *err)
{
        char path[4096];
        int created = 0;

        if (kp_key_resolve(opt_path, key, &created, path, sizeof(path), err) < 0)
                return kp_err_prefix(err, "signing key");
        if (created)
                fprintf(stderr,
                        "kproof: no signing key given (--sign-key or KPROOF_SIGN_KEY): created %s "
                        "and %s.pub\nkproof: its public key fingerprint is %s; give %s.pub to "
                        "whoever verifies your runs\n",
                        path, path, kp_key_fingerprint(*key), path);
        kp_info("signing with key %s (%s)", kp_key_fingerprint(*key), path);
        return 0;
}

int kp_cli_seal(const char *run_dir, const kp_key_t *key, int *pdf_ok, kp_err_t *err)
{
        char ev_path[4096], pdf_path[4096];
        kp_bundle_report_t rep = {"report.pdf", 0, NULL};
        kp_err_t perr;

        kp_path_join(ev_path, sizeof(ev_path), run_dir, "evidence.json");
        kp_path_join(pdf_path, sizeof(pdf_path), run_dir, "report.pdf");
        if (kp_report_pdf(ev_path, pdf_path, &perr) == 0) {
                rep.rendered = 1;
        } else {
                /* The run stays signed and usable; the missing PDF is said
                 * loudly here, in the exit code and in the statement. */
                kp_error("report.pdf NOT rendered: %s", perr.msg);
                rep.reason = perr.msg;
                if (kp_path_exists(pdf_path))
                        remove(pdf_path);
        }
        *pdf_ok = rep.rendered;
        if (kp_bundle_sign(run_dir, key, &rep, 1, err) < 0)
                return kp_err_prefix(err, "signing %s", run_dir);
        kp_info("signed %s/%s and %s/%s with key %s", run_dir, KP_ENVELOPE_FILE, run_dir,
                KP_TESTRESULT_FILE, kp_key_fingerprint(key));
        return 0;
}
