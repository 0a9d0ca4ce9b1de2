/*
 * kproof run: loads a scenario and a target, runs the selected suites and
 * writes the run directory: evidence.json, events.jsonl, junit.xml,
 * report.html, report.pdf and the artifacts of the checks, then signs it
 * (statement.json and evidence.dsse.json, written last). The directory is built under
 * "<dir>.partial" and renamed when complete; its path is the last line of
 * stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "report/report.h"
#include "src/buf.h"
#include "src/config.h"
#include "src/digest.h"
#include "src/evidence.h"
#include "src/events.h"
#include "src/kafka.h"
#include "src/log.h"
#include "src/platform.h"
#include "src/revoke.h"
#include "src/rundir.h"
#include "src/runner.h"
#include "src/sign.h"
#include "src/signals.h"
#include "src/timeutil.h"
#include "suites/registry.h"

static const char *out_dir;
static kp_opt_list_t suites_opt;
static const char *target_path;
static const char *sign_key_path;
static int verbose, quiet;
static int allow_destructive, dry_run;
static const char *journal_path;

static const kp_opt_t opts[] = {
    {"target", 't', KP_OPT_STRING, "TARGET", "target file (required)", &target_path},
    {"out", 'o', KP_OPT_STRING, "DIR", "run directory (default out/<scenario>-<target>-<utc time>)",
     &out_dir},
    {"suite", 's', KP_OPT_LIST, "NAME", "run only this suite of the scenario", &suites_opt},
    {"sign-key", 'k', KP_OPT_STRING, "FILE",
     "Ed25519 private key to sign with (default: $KPROOF_SIGN_KEY, else the user's key in "
     "~/.config/kproof, created on first use)",
     &sign_key_path},
    {"verbose", 'v', KP_OPT_FLAG, NULL, "log debug detail (librdkafka included)", &verbose},
    {"quiet", 'q', KP_OPT_FLAG, NULL, "log only warnings and errors", &quiet},
    {"allow-destructive", 0, KP_OPT_FLAG, NULL,
     "allow revoking a KMS key the target does not declare a test fixture", &allow_destructive},
    {"dry-run", 0, KP_OPT_FLAG, NULL, "print the revocation plan; make no KMS call", &dry_run},
    {"journal", 0, KP_OPT_STRING, "FILE",
     "undo journal of destructive actions (default: see 'kproof recover')", &journal_path},
};

static const kp_cmd_spec_t spec = {
    "run",
    "SCENARIO --target TARGET [--out DIR] [--suite NAME]... [--sign-key FILE]",
    "Run a scenario's suites against a target and write a run directory.",
    "The run directory's path is printed as the last line of stdout; progress goes to\n"
    "stderr. Exit codes: 0 every check passed or was skipped with a reason and every\n"
    "gate held; 1 a check failed or a gate was missed; 2 usage error or invalid\n"
    "scenario/target; 3 infrastructure error (target unreachable, adapter failure, a\n"
    "check that ended in error, the run was interrupted, or report.pdf could not be\n"
    "rendered).",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

static int wanted(const char *suite)
{
        size_t i;

        if (suites_opt.n == 0)
                return 1;
        for (i = 0; i < suites_opt.n; i++)
                if (strcmp(suites_opt.items[i], suite) == 0)
                        return 1;
        return 0;
}

static void command_line(int argc, char **argv, kp_buf_t *b)
{
        int i;

        kp_buf_puts(b, "kproof");
        for (i = 0; i < argc; i++)
                kp_buf_printf(b, " %s", argv[i]);
}

/* Writes evidence.json, junit.xml and report.html into the work directory. */
static int write_outputs(kp_rundir_t *rd, kp_evidence_t *ev, kp_err_t *err)
{
        char ev_path[4096], out[4096];

        kp_rundir_path(rd, "evidence.json", ev_path, sizeof(ev_path));
        if (kp_evidence_write(ev, ev_path, err) < 0)
                return -1;
        kp_rundir_path(rd, "junit.xml", out, sizeof(out));
        if (kp_report_junit(ev_path, out, err) < 0)
                return -1;
        kp_rundir_path(rd, "report.html", out, sizeof(out));
        if (kp_report_html(ev_path, out, err) < 0)
                return -1;
        kp_rundir_path(rd, "assessment-results.json", out, sizeof(out));
        if (kp_report_oscal(ev_path, out, err) < 0)
                return -1;
        return 0;
}

int kp_cmd_run(int argc, char **argv)
{
        const char *pos[2];
        size_t n_pos = 0, i;
        kp_scenario_t *scn = NULL;
        kp_target_t *tgt = NULL;
        kp_platform_t *plat = NULL;
        kp_key_t *key = NULL;
        kp_evidence_t *ev = NULL;
        kp_evidence_summary_t sum;
        kp_run_meta_t meta;
        kp_rundir_t rd;
        kp_buf_t cmdline;
        char run_id[64], stamp[32], path[4096], nonce_hex[16];
        unsigned char nonce[3];
        const char *fatal = NULL;
        int64_t start_wall = kp_wall_ns(), start_mono = kp_mono_ns();
        int rc, complete, pdf_ok = 0;
        kp_err_t err;

        kp_buf_init(&cmdline, 64 << 10);
        rc = kp_opt_parse(&spec, argc, argv, pos, 1, &n_pos, &err);
        if (rc == 1)
                return 0;
        if (rc < 0)
                return kp_cli_fail(&err);
        if (n_pos != 1 || !target_path) {
                fprintf(stderr, "kproof run: a SCENARIO and --target TARGET are required\n\n");
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (verbose)
                kp_log_set_level(KP_LOG_DEBUG);
        else if (quiet)
                kp_log_set_level(KP_LOG_WARN);
        kp_signals_install();
        kp_safety_set(allow_destructive, dry_run, journal_path);

        if (kp_target_load(target_path, &tgt, &err) < 0 ||
            kp_scenario_load(pos[0], &kp_builtin_suites, &scn, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (kp_scenario_suite(scn, "revocation") && wanted("revocation") && !dry_run &&
            kp_suite_cfg_wants_check(kp_scenario_suite(scn, "revocation"),
                                     "revocation.write-effect") &&
            strcmp(tgt->kms_type, "none") != 0 && kp_revoke_permitted(tgt, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        {
                /* Undo what an earlier, killed run left revoked before starting. */
                size_t undone = 0, failed = 0;
                if (kp_revoke_recover(kp_safety()->journal, NULL, &undone, &failed, &err) < 0)
                        kp_warn("undo journal: %s", err.msg);
                else if (undone || failed)
                        kp_warn("undo journal %s: %zu pending action(s) of an earlier run undone, "
                                "%zu failed",
                                kp_safety()->journal, undone, failed);
        }
        for (i = 0; i < suites_opt.n; i++) {
                if (!kp_scenario_suite(scn, suites_opt.items[i])) {
                        kp_err_set(&err, KP_EUSAGE, "--suite %s: the scenario %s has no such suite",
                                   suites_opt.items[i], scn->path);
                        rc = kp_cli_fail(&err);
                        goto out;
                }
        }

        if (kp_cli_signing_key(sign_key_path, &key, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }

        kp_time_compact(start_wall, stamp, sizeof(stamp));
        kp_random_bytes(nonce, sizeof(nonce));
        snprintf(nonce_hex, sizeof(nonce_hex), "%02x%02x%02x", nonce[0], nonce[1], nonce[2]);
        snprintf(run_id, sizeof(run_id), "%s-%s", stamp, nonce_hex);
        for (i = 0; run_id[i]; i++)
                if (run_id[i] >= 'A' && run_id[i] <= 'Z')
                        run_id[i] = (char)(run_id[i] - 'A' + 'a');
        if (kp_rundir_create(&rd, out_dir, scn->name, tgt->name, start_wall, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        kp_rundir_path(&rd, "events.jsonl", path, sizeof(path));
        if (kp_events_open(path, start_mono, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        command_line(argc, argv, &cmdline);
        memset(&meta, 0, sizeof(meta));
        meta.run_id = run_id;
        meta.scenario_path = scn->path;
        meta.scenario_name = scn->name;
        meta.scenario_sha256 = scn->sha256;
        meta.target_path = tgt->path;
        meta.target_name = tgt->name;
        meta.target_sha256 = tgt->sha256;
        meta.control_type = tgt->control.type == KP_CONTROL_EMBEDDED ? "embedded"
                            : tgt->control.type == KP_CONTROL_EXEC   ? "exec"
                                                                     : "none";
        meta.command_line = kp_buf_cstr(&cmdline);
        meta.started_wall_ns = start_wall;
        ev = kp_evidence_new(&meta);
        if (!ev) {
                kp_err_set(&err, KP_ENOMEM, "out of memory");
                rc = kp_cli_fail(&err);
                goto out;
        }
        kp_evidence_run_fact(ev, "signing_key", kp_key_fingerprint(key));
        kp_evidence_run_fact(ev, "librdkafka_version", kp_kafka_version());
        kp_evidence_run_controls(ev, &scn->controls);
        kp_event_msg("run.start", NULL, "scenario %s on target %s", scn->name, tgt->name);
        kp_info("run %s: scenario %s on target %s -> %s", run_id, scn->name, tgt->name,
                rd.final_path);

        if (kp_platform_open(tgt, &plat, &err) < 0 ||
            kp_platform_check_reachable(plat, 15000, &err) < 0) {
                static char reason[1200];
                snprintf(reason, sizeof(reason), "target unreachable or adapter failure: %s",
                         err.msg);
                fatal = reason;
                kp_error("%s", reason);
                kp_event_msg("run.fatal", NULL, "%s", reason);
        }
        if (plat) {
                kp_evidence_client_props(ev, &plat->props);
                kp_evidence_run_fact(ev, "bootstrap",
                                     kp_kvlist_get(&plat->props, "bootstrap.servers"));
                if (plat->cluster_id[0])
                        kp_evidence_run_fact(ev, "cluster_id", plat->cluster_id);
        }

        for (i = 0; i < scn->n_suites; i++) {
                const kp_suite_cfg_t *sc = &scn->suites[i];
                kp_ctx_t ctx;
                if (!wanted(sc->suite))
                        continue;
                memset(&ctx, 0, sizeof(ctx));
                ctx.plat = plat;
                ctx.scenario = scn;
                ctx.scfg = sc;
                ctx.suite = kp_suite_find(&kp_builtin_suites, sc->suite);
                ctx.rd = &rd;
                ctx.ev = ev;
                ctx.run_id = run_id;
                if (fatal) {
                        kp_runner_error_all(&ctx, fatal);
                        continue;
                }
                if (kp_runner_run_suite(&ctx, &err) < 0) {
                        kp_error("suite %s: %s", sc->suite, err.msg);
                        break;
                }
        }
        kp_platform_close(plat);
        plat = NULL;

        complete = !kp_stop_requested();
        kp_evidence_finish(ev, complete, complete ? NULL : "interrupted by a signal");
        kp_evidence_summarize(ev, &sum);
        kp_event_msg("run.end", NULL, "%d checks: %d pass, %d fail, %d skip, %d error; exit %d",
                     sum.checks, sum.pass, sum.fail, sum.skip, sum.error, sum.exit_code);
        kp_events_close();
        if (write_outputs(&rd, ev, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (kp_cli_seal(rd.work_path, key, &pdf_ok, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (complete && kp_rundir_commit(&rd, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        kp_info("%d checks: %d pass, %d fail, %d skip, %d error; %d gates, %d missed", sum.checks,
                sum.pass, sum.fail, sum.skip, sum.error, sum.gates, sum.gates_missed);
        if (!complete)
                kp_warn("interrupted: the run directory stays marked incomplete (.partial)");
        {
                /* An absolute path, so the line is usable from any directory. */
                const char *shown = complete ? rd.final_path : rd.work_path;
                char *abs = realpath(shown, NULL);
                printf("%s\n", abs ? abs : shown);
                free(abs);
        }
        fflush(stdout);
        rc = sum.exit_code;
        if (!pdf_ok) {
                kp_error("the run directory has no report.pdf (see the error above)%s",
                         rc == KP_EXIT_OK ? ": exit code 3" : "");
                if (rc == KP_EXIT_OK)
                        rc = KP_EXIT_INFRA;
        }
out:
        kp_events_close();
        kp_platform_close(plat);
        kp_evidence_free(ev);
        kp_scenario_free(scn);
        kp_target_free(tgt);
        kp_key_free(key);
        kp_buf_free(&cmdline);
        return rc;
}
