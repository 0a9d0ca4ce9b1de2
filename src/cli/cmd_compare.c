/*
 * kproof compare: the bake-off page over several runs of one scenario
 * (comparison.html and comparison.pdf in --out DIR). Every run's signature
 * is verified first and its status shown; runs whose scenario digest or
 * kproof version differ are refused, naming the difference, unless --force
 * (the page then says so on top).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "opt.h"
#include "report/report.h"
#include "report/report_util.h"
#include "util/buf.h"
#include "sign/bundle.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "sign/sign.h"

static const char *out_dir;
static kp_opt_list_t pubkeys;
static int force;

static const kp_opt_t opts[] = {
    {"out", 'o', KP_OPT_STRING, "DIR", "write comparison.html and comparison.pdf here (required)",
     &out_dir},
    {"pubkey", 'k', KP_OPT_LIST, "FILE",
     "trusted public key for the runs' signatures (default: the user's own key)", &pubkeys},
    {"force", 'f', KP_OPT_FLAG, NULL,
     "compare runs of different scenarios or kproof versions (the page says so on top)", &force},
};

static const kp_cmd_spec_t spec = {
    "compare",
    "RUN_DIR RUN_DIR... --out DIR [--pubkey FILE]... [--force]",
    "Put several runs of one scenario side by side: a bake-off page in HTML and PDF.",
    "Rows are the checklist rows and their checks, one column per run's target, with\n"
    "verdicts and the key measurements side by side; the best value of each measurement\n"
    "is marked. Each run's signature is verified first; unsigned, invalid or untrusted\n"
    "runs are marked on the page. Exit codes: 0 page written and every run verified;\n"
    "1 page written but some run is not verified; 2 usage error, unreadable evidence, or\n"
    "runs that are not comparable (different scenario digest or kproof version) without\n"
    "--force; 3 comparison.pdf could not be rendered.",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

typedef struct run_slot {
        cJSON *evidence;
        char status[32];
        kp_buf_t detail;
} run_slot_t;

static void collect_problem(void *opaque, const char *file, const char *msg)
{
        run_slot_t *s = opaque;

        if (s->detail.len < 600)
                kp_buf_printf(&s->detail, "%s%s: %s", s->detail.len ? "; " : "", file, msg);
}

static const char *run_str(const cJSON *ev, const char *obj, const char *key)
{
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(ev, "run");

        if (obj)
                run = cJSON_GetObjectItemCaseSensitive(run, obj);
        return kp_report_str(run, key, "?");
}

/* Verifies one run and sets its status: verified, unsigned, invalid, or
 * untrusted key (intact, but signed by a key nobody said to trust). */
static void verify_run(const char *dir, kp_key_t *const *keys, size_t n_keys, run_slot_t *s)
{
        kp_bundle_result_t res;
        kp_err_t err;

        if (kp_bundle_verify(dir, (const kp_key_t *const *)keys, n_keys, collect_problem, s, &res,
                             &err) < 0) {
                snprintf(s->status, sizeof(s->status), "invalid");
                kp_buf_puts(&s->detail, err.msg);
                return;
        }
        if (!res.signed_dir && res.problems == 1)
                snprintf(s->status, sizeof(s->status), "unsigned");
        else if (res.problems == 0)
                snprintf(s->status, sizeof(s->status), "verified");
        else if (res.embedded_key_ok && res.problems == 1)
                snprintf(s->status, sizeof(s->status), "untrusted key");
        else
                snprintf(s->status, sizeof(s->status), "invalid");
        if (res.problems == 0)
                kp_buf_printf(&s->detail, "%zu files signed by key %.16s…", res.n_subjects,
                              res.trusted_fp);
        kp_bundle_result_release(&res);
}

/* The differences that make runs incomparable, or an empty buffer. */
static void guard(const char *const *dirs, run_slot_t *slots, size_t n, kp_buf_t *diff)
{
        size_t i;

        for (i = 1; i < n; i++) {
                const cJSON *a = slots[0].evidence, *b = slots[i].evidence;
                if (strcmp(run_str(a, "scenario", "sha256"), run_str(b, "scenario", "sha256")) != 0)
                        kp_buf_printf(
                            diff,
                            "%sscenario digest differs: %s ran %s (sha256 %s), %s ran %s "
                            "(sha256 %s)",
                            diff->len ? "; " : "", dirs[0], run_str(a, "scenario", "name"),
                            run_str(a, "scenario", "sha256"), dirs[i],
                            run_str(b, "scenario", "name"), run_str(b, "scenario", "sha256"));
                if (strcmp(run_str(a, NULL, "kproof_version"),
                           run_str(b, NULL, "kproof_version")) != 0)
                        kp_buf_printf(diff, "%skproof version differs: %s has %s, %s has %s",
                                      diff->len ? "; " : "", dirs[0],
                                      run_str(a, NULL, "kproof_version"), dirs[i],
                                      run_str(b, NULL, "kproof_version"));
        }
}

int kp_cmd_compare(int argc, char **argv)
{
        const char *pos[KP_COMPARE_MAX_RUNS];
        run_slot_t slots[KP_COMPARE_MAX_RUNS];
        kp_compare_run_t runs[KP_COMPARE_MAX_RUNS];
        kp_key_t *keys[64];
        char path[4096], html[4096], pdf[4096];
        size_t n_pos = 0, n_keys = 0, i, unverified = 0;
        kp_buf_t diff;
        kp_err_t err;
        int rc;

        memset(slots, 0, sizeof(slots));
        kp_buf_init(&diff, 64 << 10);
        if (kp_cli_parse(&spec, argc, argv, pos, KP_COMPARE_MAX_RUNS, &n_pos, &rc))
                return rc;
        if (n_pos < 2 || !out_dir) {
                fprintf(stderr,
                        "kproof compare: two or more RUN_DIRs and --out DIR are required\n\n");
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (kp_cli_load_pubkeys(&pubkeys, keys, &n_keys, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (n_keys == 0 && kp_key_default_path(path, sizeof(path) - 4, &err) == 0) {
                memcpy(path + strlen(path), ".pub", 5); /* 4 bytes were kept free */
                if (kp_path_exists(path) && kp_key_load_public(path, &keys[0], &err) == 0) {
                        n_keys = 1;
                        kp_info("no --pubkey given: trusting the user's own key %s (%s)",
                                kp_key_fingerprint(keys[0]), path);
                }
        }
        if (n_keys == 0)
                kp_warn("no trusted public key (--pubkey): no run can be marked verified");

        for (i = 0; i < n_pos; i++) {
                kp_buf_init(&slots[i].detail, 4096);
                if (kp_path_join(path, sizeof(path), pos[i], "evidence.json") < 0 ||
                    kp_report_load(path, &slots[i].evidence, &err) < 0) {
                        if (!kp_path_exists(path))
                                kp_err_set(&err, KP_EINVAL,
                                           "%s: no evidence.json in this directory", pos[i]);
                        err.code = KP_EINVAL;
                        rc = kp_cli_fail(&err);
                        goto out;
                }
                verify_run(pos[i], keys, n_keys, &slots[i]);
                if (strcmp(slots[i].status, "verified") != 0)
                        unverified++;
                fprintf(stderr, "kproof compare: %s (target %s): %s%s%s\n", pos[i],
                        run_str(slots[i].evidence, "target", "name"), slots[i].status,
                        slots[i].detail.len ? ": " : "", kp_buf_cstr(&slots[i].detail));
                runs[i].dir = pos[i];
                runs[i].evidence = slots[i].evidence;
                runs[i].signature = slots[i].status;
                runs[i].signature_detail = kp_buf_cstr(&slots[i].detail);
        }
        guard(pos, slots, n_pos, &diff);
        if (diff.len && !force) {
                fprintf(stderr,
                        "kproof compare: the runs are not comparable: %s\n"
                        "kproof compare: pass --force to compare them anyway\n",
                        kp_buf_cstr(&diff));
                rc = KP_EXIT_INVALID;
                goto out;
        }
        if (diff.len)
                kp_warn("comparing runs that are not comparable (--force): %s", kp_buf_cstr(&diff));
        if (kp_mkdir_p(out_dir, &err) < 0 ||
            kp_path_join(html, sizeof(html), out_dir, "comparison.html") < 0 ||
            kp_path_join(pdf, sizeof(pdf), out_dir, "comparison.pdf") < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (kp_report_compare(runs, n_pos, diff.len ? kp_buf_cstr(&diff) : NULL, html, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        printf("%s\n", html);
        if (kp_report_html_to_pdf(html, pdf, &err) < 0) {
                kp_error("comparison.pdf NOT rendered: %s", err.msg);
                rc = KP_EXIT_INFRA;
                goto out;
        }
        printf("%s\n", pdf);
        rc = unverified ? KP_EXIT_FAIL : KP_EXIT_OK;
        if (unverified)
                kp_warn("%zu of %zu runs are not verified (marked on the page)", unverified, n_pos);
out:
        for (i = 0; i < KP_COMPARE_MAX_RUNS; i++) {
                cJSON_Delete(slots[i].evidence);
                kp_buf_free(&slots[i].detail);
        }
        for (i = 0; i < n_keys; i++)
                kp_key_free(keys[i]);
        kp_buf_free(&diff);
        return rc;
}
