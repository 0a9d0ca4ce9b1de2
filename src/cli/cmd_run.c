/*
 * Over 600 lines: the crash-isolating parent and the child of a run share the run directory,
 * journal and signing steps here.
 *
 * kproof run: loads a scenario and a target, runs the selected suites and
 * writes the run directory: evidence.json, events.jsonl, junit.xml,
 * report.html, report.pdf and the artifacts of the checks, then signs it
 * (statement.json and evidence.dsse.json, written last). The directory is built under
 * "<dir>.partial" and renamed when complete; its path is the last line of
 * stdout.
 *
 * The run itself happens in a child process forked before any thread or
 * librdkafka handle exists; this process supervises it. If the child dies
 * (a crash in a check or in a librdkafka thread), the supervisor keeps the
 * last evidence checkpoint, records the check that was running as `error`
 * ("crashed: SIGSEGV in <check>") and every check that never ran, undoes
 * the undo journal, renders and signs the directory, leaves it .partial and
 * exits 3. See docs/ARCHITECTURE.md ("Crash isolation").
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "opt.h"
#include "report/report.h"
#include "util/buf.h"
#include "config/config.h"
#include "util/digest.h"
#include "evidence/evidence.h"
#include "evidence/events.h"
#include "util/fsutil.h"
#include "platform/identity.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "platform/platform.h"
#include "util/progress.h"
#include "adapters/revoke.h"
#include "evidence/rundir.h"
#include "evidence/runner.h"
#include "sign/sign.h"
#include "util/signals.h"
#include "util/timeutil.h"
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
    {"quiet", 'q', KP_OPT_FLAG, NULL, "log only warnings and errors; no live status line", &quiet},
    {"allow-destructive", 0, KP_OPT_FLAG, NULL,
     "allow revoking a KMS key the target does not declare a test fixture", &allow_destructive},
    {"dry-run", 0, KP_OPT_FLAG, NULL,
     "print the revocation plan; make no KMS call (nothing is verified: exit 1)", &dry_run},
    {"journal", 0, KP_OPT_STRING, "FILE",
     "undo journal of destructive actions (default: see 'kproof recover')", &journal_path},
};

static const kp_cmd_spec_t spec = {
    "run",
    "SCENARIO --target TARGET [--out DIR] [--suite NAME]... [--sign-key FILE]",
    "Run a scenario's suites against a target and write a run directory.",
    "The run directory's path is printed as the last line of stdout; progress goes to\n"
    "stderr, with a live status line when stderr is a terminal (not with -q or\n"
    "TERM=dumb). Exit codes: 0 every check passed or was skipped with a reason, something\n"
    "was verified and every gate held; 1 a check failed, a gate was missed or could\n"
    "not be evaluated, or nothing was verified (every check of the run or of a row\n"
    "skipped, unless the scenario sets \"allow_all_skipped\": true); 2 usage error or\n"
    "invalid scenario/target; 3 infrastructure error (target unreachable, adapter\n"
    "failure, a check that ended in error, a suite that could not run, a crash, the\n"
    "run was interrupted, or report.pdf could not be rendered).",
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

/* Writes evidence.json, junit.xml, report.html and assessment-results.json into the work
 * directory. */
static int write_outputs(kp_rundir_t *rd, kp_evidence_t *ev, kp_err_t *err)
{
        static const char *const rel[] = {"evidence.json", "junit.xml", "report.html",
                                          "assessment-results.json"};
        char paths[4][4096];
        size_t i;

        for (i = 0; i < 4; i++)
                if (kp_rundir_path(rd, rel[i], paths[i], sizeof(paths[i])) < 0)
                        return kp_err_set(err, KP_EUSAGE, "%s: run directory path too long",
                                          rd->work_path);
        if (kp_evidence_write(ev, paths[0], err) < 0)
                return -1;
        if (kp_report_junit(paths[0], paths[1], err) < 0)
                return -1;
        if (kp_report_html(paths[0], paths[2], err) < 0)
                return -1;
        if (kp_report_oscal(paths[0], paths[3], err) < 0)
                return -1;
        return 0;
}

/* Summarises a finished evidence, writes the outputs, signs the directory
 * and renames it when the run is complete. */
static int finish_run(kp_rundir_t *rd, kp_evidence_t *ev, const kp_key_t *key,
                      kp_evidence_summary_t *sum, int *complete, int *pdf_ok, kp_err_t *err)
{
        kp_evidence_summarize(ev, sum);
        *complete = kp_evidence_complete(ev);
        kp_event_msg("run.end", NULL, "%d checks: %d pass, %d fail, %d skip, %d error; exit %d",
                     sum->checks, sum->pass, sum->fail, sum->skip, sum->error, sum->exit_code);
        kp_events_close();
        if (write_outputs(rd, ev, err) < 0)
                return -1;
        if (kp_cli_seal(rd->work_path, key, pdf_ok, err) < 0)
                return -1;
        if (*complete && kp_rundir_commit(rd, err) < 0)
                return -1;
        kp_info("%d checks: %d pass, %d fail, %d skip, %d error; %d gates, %d missed, %d not "
                "evaluated",
                sum->checks, sum->pass, sum->fail, sum->skip, sum->error, sum->gates,
                sum->gates_missed, sum->gates_not_evaluated);
        if (sum->nothing_verified)
                kp_warn("nothing was verified: no check passed");
        return 0;
}

/* The run directory's absolute path as the last line of stdout. */
static void print_run_dir(const kp_rundir_t *rd, int complete)
{
        const char *shown = complete ? rd->final_path : rd->work_path;
        char *abs = realpath(shown, NULL);

        printf("%s\n", abs ? abs : shown);
        free(abs);
        fflush(stdout);
}

/* What the supervisor and the run share: everything loaded and decided
 * before the fork. */
typedef struct run {
        kp_scenario_t *scn;
        kp_target_t *tgt;
        kp_key_t *key;
        kp_rundir_t rd;
        kp_run_meta_t meta;
        char run_id[64];
        int64_t start_mono;
} run_t;

/* The platform's identity (cluster id, brokers, their ApiVersions answers)
 * as run.platform; a cluster that answers no metadata now is noted, the
 * suites then find out for themselves. */
static void record_identity(kp_evidence_t *ev, const kp_platform_t *plat)
{
        kp_err_t err;
        cJSON *id;

        kp_err_clear(&err);
        id = kp_identity_collect(&plat->props, 5000, &err);
        if (!id) {
                id = cJSON_CreateObject();
                cJSON_AddStringToObject(id, "error", err.msg);
        }
        kp_evidence_run_json(ev, "platform", id);
}

/* The suite's workload clients as configured: profile, then the producer
 * and consumer properties they are built with. */
static void record_client_config(kp_evidence_t *ev, const kp_platform_t *plat,
                                 const kp_suite_cfg_t *sc)
{
        kp_kvlist_t prod = {0}, cons = {0};

        kp_platform_client_props(plat, sc->client.profile, 1, &sc->client.producer, &prod);
        kp_platform_client_props(plat, sc->client.profile, 0, &sc->client.consumer, &cons);
        kp_evidence_suite_client(ev, sc->suite, kp_profile_name(sc->client.profile), &prod, &cons);
        kp_kvlist_clear(&prod);
        kp_kvlist_clear(&cons);
}

/* The run proper (in the child): opens the platform, runs the suites,
 * writes and signs the run directory. Returns the exit code. */
static int run_suites(run_t *r)
{
        kp_platform_t *plat = NULL;
        kp_evidence_t *ev = NULL;
        kp_evidence_summary_t sum;
        char path[4096];
        const char *fatal = NULL;
        int rc, complete, pdf_ok = 0;
        size_t i;
        kp_err_t err;

        kp_err_clear(&err);
        if (kp_rundir_path(&r->rd, "events.jsonl", path, sizeof(path)) < 0) {
                kp_err_set(&err, KP_EUSAGE, "%s: run directory path too long", r->rd.work_path);
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (kp_events_open(path, r->start_mono, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        ev = kp_evidence_new(&r->meta);
        if (!ev) {
                kp_err_set(&err, KP_ENOMEM, "out of memory");
                rc = kp_cli_fail(&err);
                goto out;
        }
        kp_evidence_run_fact(ev, "signing_key", kp_key_fingerprint(r->key));
        kp_evidence_run_fact(ev, "librdkafka_version", kp_kafka_version());
        kp_evidence_run_controls(ev, &r->scn->controls);
        /* The live status line (a terminal only, see progress.h): its thread
         * lives in this process, which runs the suites. */
        if (kp_progress_wanted(quiet) && kp_progress_start() < 0)
                kp_warn("no live status line: cannot start its thread");
        kp_event_msg("run.start", NULL, "scenario %s on target %s", r->scn->name, r->tgt->name);
        kp_info("run %s: scenario %s on target %s -> %s", r->run_id, r->scn->name, r->tgt->name,
                r->rd.final_path);

        if (kp_platform_open(r->tgt, &plat, &err) < 0 ||
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
                if (!fatal)
                        record_identity(ev, plat);
        }

        for (i = 0; i < r->scn->n_suites; i++) {
                const kp_suite_cfg_t *sc = &r->scn->suites[i];
                kp_ctx_t ctx;
                if (!wanted(sc->suite))
                        continue;
                memset(&ctx, 0, sizeof(ctx));
                ctx.plat = plat;
                ctx.scenario = r->scn;
                ctx.scfg = sc;
                ctx.suite = kp_suite_find(&kp_builtin_suites, sc->suite);
                ctx.rd = &r->rd;
                ctx.ev = ev;
                ctx.run_id = r->run_id;
                if (fatal) {
                        kp_runner_error_all(&ctx, fatal);
                        continue;
                }
                record_client_config(ev, plat, sc);
                if (kp_runner_run_suite(&ctx, &err) < 0) {
                        kp_error("suite %s: %s", sc->suite, err.msg);
                        kp_evidence_mark_incomplete(ev, err.msg);
                        break;
                }
        }
        kp_progress_stop();
        kp_platform_close(plat);
        plat = NULL;

        kp_evidence_finish(ev, !kp_stop_requested(), "interrupted by a signal");
        rc = finish_run(&r->rd, ev, r->key, &sum, &complete, &pdf_ok, &err);
        if (rc < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        if (!complete)
                kp_warn("incomplete: the run directory stays marked incomplete (.partial)");
        print_run_dir(&r->rd, complete);
        rc = sum.exit_code;
        if (!pdf_ok) {
                kp_error("the run directory has no report.pdf (see the error above)%s",
                         rc == KP_EXIT_OK ? ": exit code 3" : "");
                if (rc == KP_EXIT_OK)
                        rc = KP_EXIT_INFRA;
        }
out:
        kp_progress_stop();
        kp_events_close();
        kp_platform_close(plat);
        kp_evidence_free(ev);
        return rc;
}

/* The check a dead run was running: the last check.start of events.jsonl
 * without its check.end. 0 with id/row/suite/title filled when found. */
static int running_check(const char *events_path, char *id, char *row, char *suite, char *title,
                         size_t size)
{
        kp_buf_t b;
        char *line, *next;
        int found = 0;

        kp_buf_init(&b, (size_t)1 << 30);
        if (kp_read_file(events_path, (size_t)1 << 30, &b, NULL) < 0) {
                kp_buf_free(&b);
                return -1;
        }
        for (line = b.data; line && *line; line = next) {
                cJSON *e;
                const char *type;
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                e = cJSON_Parse(line);
                type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
                if (type && strcmp(type, "check.start") == 0) {
                        const char *v[4] = {"check", "row", "suite", "title"};
                        char *out[4] = {id, row, suite, title};
                        int k;
                        for (k = 0; k < 4; k++) {
                                const char *s =
                                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, v[k]));
                                snprintf(out[k], size, "%s", s ? s : "");
                        }
                        found = id[0] != '\0';
                } else if (type && strcmp(type, "check.end") == 0) {
                        found = 0;
                }
                cJSON_Delete(e);
        }
        kp_buf_free(&b);
        return found ? 0 : -1;
}

/* After the run's process died: what the checkpoint and the timeline say,
 * the running check as crashed, every selected check that never ran as
 * not run, the undo journal undone; rendered and signed, left .partial. */
static int recover_crash(run_t *r, int status)
{
        kp_evidence_t *ev = NULL;
        kp_evidence_summary_t sum;
        char ev_path[4096], events_path[4096], how[64], what[1400];
        char id[128] = "", row[64] = "", suite[64] = "", title[256] = "";
        int complete, pdf_ok = 0, have_check, rc = KP_EXIT_INFRA;
        size_t i, j, undone = 0, failed = 0;
        kp_err_t err;

        kp_err_clear(&err);
        if (WIFSIGNALED(status)) {
                const char *abbrev = sigabbrev_np(WTERMSIG(status));
                if (abbrev)
                        snprintf(how, sizeof(how), "SIG%s", abbrev);
                else
                        snprintf(how, sizeof(how), "signal %d", WTERMSIG(status));
        } else {
                /* e.g. a sanitizer's report, or exit() from a library */
                snprintf(how, sizeof(how), "exit status %d",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
        if (kp_rundir_path(&r->rd, "evidence.json", ev_path, sizeof(ev_path)) < 0 ||
            kp_rundir_path(&r->rd, "events.jsonl", events_path, sizeof(events_path)) < 0) {
                kp_error("kproof crashed (%s); run directory path too long", how);
                return KP_EXIT_INFRA;
        }
        have_check = running_check(events_path, id, row, suite, title, sizeof(id)) == 0;
        if (have_check)
                snprintf(what, sizeof(what), "crashed: %s in %s", how, id);
        else
                snprintf(what, sizeof(what), "crashed: %s outside any check", how);
        kp_error("the run %s", what);

        ev = kp_evidence_load(ev_path, &err);
        if (!ev) {
                kp_evidence_free(ev);
                ev = kp_evidence_new(&r->meta); /* it died before the first check ended */
                if (!ev) {
                        kp_error("out of memory");
                        return KP_EXIT_INFRA;
                }
                kp_evidence_run_fact(ev, "signing_key", kp_key_fingerprint(r->key));
                kp_evidence_run_fact(ev, "librdkafka_version", kp_kafka_version());
                kp_evidence_run_controls(ev, &r->scn->controls);
        }
        if (have_check && !kp_evidence_find_check(ev, id)) {
                kp_check_t *c = kp_evidence_check_begin(ev, id, row, suite, title);
                if (c) {
                        kp_check_error(c, "%s", what);
                        kp_check_note(c, "the process running the check died; nothing the check "
                                         "measured or decided before that is kept");
                        kp_evidence_check_end(ev, c);
                }
        }
        for (i = 0; i < r->scn->n_suites; i++) {
                const kp_suite_cfg_t *sc = &r->scn->suites[i];
                const kp_suite_def_t *sd = kp_suite_find(&kp_builtin_suites, sc->suite);
                if (!wanted(sc->suite) || !sd)
                        continue;
                for (j = 0; j < sd->n_checks; j++) {
                        const kp_check_def_t *d = &sd->checks[j];
                        kp_check_t *c;
                        if (!kp_suite_cfg_wants_check(sc, d->id) ||
                            kp_evidence_find_check(ev, d->id))
                                continue;
                        c = kp_evidence_check_begin(ev, d->id, d->row, sd->name, d->title);
                        if (!c)
                                continue;
                        kp_check_error(c, "not run: kproof %s", what);
                        kp_evidence_check_end(ev, c);
                }
        }
        kp_evidence_mark_incomplete(ev, what);
        kp_evidence_finish(ev, 0, what);

        if (kp_events_append(events_path, r->start_mono, &err) == 0) {
                kp_event_msg("run.crash", have_check ? id : NULL, "%s", what);
                kp_events_close();
        }
        if (kp_revoke_recover(kp_safety()->journal, NULL, &undone, &failed, &err) < 0)
                kp_warn("undo journal: %s", err.msg);
        else if (undone || failed)
                kp_warn("undo journal %s: %zu pending action(s) of the crashed run undone, %zu "
                        "failed",
                        kp_safety()->journal, undone, failed);

        if (finish_run(&r->rd, ev, r->key, &sum, &complete, &pdf_ok, &err) < 0)
                rc = kp_cli_fail(&err);
        else
                print_run_dir(&r->rd, 0);
        kp_warn("crashed: the run directory stays marked incomplete (.partial)");
        kp_evidence_free(ev);
        return rc;
}

static volatile sig_atomic_t child_pid;

/* The supervisor passes SIGINT and SIGTERM on to the run, which winds down
 * and undoes what it changed (each signal once, as if sent to it). */
static void forward_signal(int sig)
{
        if (child_pid > 0)
                kill((pid_t)child_pid, sig);
}

/* Forks the run and waits for it. The child is in its own process group, so
 * a terminal's Ctrl-C reaches it once, through forward_signal; it dies with
 * SIGKILL if the supervisor is killed, as the one process did before. A
 * child that returned normally wrote one byte on done[1]. */
static int supervise(run_t *r)
{
        struct sigaction sa;
        int done[2], status = 0;
        char byte;
        pid_t pid, parent;

        if (pipe2(done, O_CLOEXEC) < 0) {
                kp_error("cannot create a pipe: %s", strerror(errno));
                return KP_EXIT_INFRA;
        }
        fflush(stdout);
        fflush(stderr);
        parent = getpid();
        pid = fork();
        if (pid < 0) {
                kp_error("cannot fork: %s", strerror(errno));
                close(done[0]);
                close(done[1]);
                return KP_EXIT_INFRA;
        }
        if (pid == 0) {
                int rc;
                close(done[0]);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent) /* the supervisor died before prctl */
                        _exit(KP_EXIT_INFRA);
                setpgid(0, 0);
                rc = run_suites(r);
                fflush(stdout);
                if (write(done[1], "d", 1) < 0)
                        rc = KP_EXIT_INFRA;
                close(done[1]);
                return rc;
        }
        close(done[1]);
        setpgid(pid, pid);
        child_pid = pid;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = forward_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        if (kp_stop_requested())
                kill(pid, kp_stop_signal());
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        kp_error("waiting for the run: %s", strerror(errno));
                        close(done[0]);
                        return KP_EXIT_INFRA;
                }
        child_pid = 0;
        kp_signals_install();
        if (read(done[0], &byte, 1) == 1) {
                close(done[0]);
                return WIFEXITED(status) ? WEXITSTATUS(status) : KP_EXIT_INFRA;
        }
        close(done[0]);
        /* The run died: its status line (if any) stays, ended here. */
        if (kp_progress_wanted(quiet))
                fputs("\n", stderr);
        return recover_crash(r, status);
}

int kp_cmd_run(int argc, char **argv)
{
        const char *pos[2];
        size_t n_pos = 0, i;
        run_t r;
        kp_buf_t cmdline;
        char stamp[32], nonce_hex[16];
        unsigned char nonce[3];
        int64_t start_wall = kp_wall_ns();
        int rc;
        kp_err_t err;

        memset(&r, 0, sizeof(r));
        r.start_mono = kp_mono_ns();
        kp_buf_init(&cmdline, 64 << 10);
        if (kp_cli_parse(&spec, argc, argv, pos, 1, &n_pos, &rc))
                return rc;
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

        if (kp_target_load(target_path, &r.tgt, &err) < 0 ||
            kp_scenario_load(pos[0], &kp_builtin_suites, &r.scn, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        for (i = 0; i < r.scn->n_suites; i++) {
                const kp_suite_def_t *sd =
                    kp_suite_find(&kp_builtin_suites, r.scn->suites[i].suite);
                if (sd && sd->check_target && sd->check_target(r.scn, i, r.tgt, &err) < 0) {
                        rc = kp_cli_fail(&err);
                        goto out;
                }
        }
        for (i = 0; i < r.scn->n_suites; i++) {
                const kp_suite_def_t *sd =
                    kp_suite_find(&kp_builtin_suites, r.scn->suites[i].suite);
                if (sd && sd->preflight && wanted(sd->name) &&
                    sd->preflight(r.scn, i, r.tgt, &err) < 0) {
                        rc = kp_cli_fail(&err);
                        goto out;
                }
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
                if (!kp_scenario_suite(r.scn, suites_opt.items[i])) {
                        kp_err_set(&err, KP_EUSAGE, "--suite %s: the scenario %s has no such suite",
                                   suites_opt.items[i], r.scn->path);
                        rc = kp_cli_fail(&err);
                        goto out;
                }
        }

        if (kp_cli_signing_key(sign_key_path, &r.key, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }

        kp_time_compact(start_wall, stamp, sizeof(stamp));
        kp_random_bytes(nonce, sizeof(nonce));
        snprintf(nonce_hex, sizeof(nonce_hex), "%02x%02x%02x", nonce[0], nonce[1], nonce[2]);
        snprintf(r.run_id, sizeof(r.run_id), "%s-%s", stamp, nonce_hex);
        for (i = 0; r.run_id[i]; i++)
                if (r.run_id[i] >= 'A' && r.run_id[i] <= 'Z')
                        r.run_id[i] = (char)(r.run_id[i] - 'A' + 'a');
        if (kp_rundir_create(&r.rd, out_dir, r.scn->name, r.tgt->name, start_wall, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto out;
        }
        command_line(argc, argv, &cmdline);
        r.meta.run_id = r.run_id;
        r.meta.scenario_path = r.scn->path;
        r.meta.scenario_name = r.scn->name;
        r.meta.scenario_sha256 = r.scn->sha256;
        r.meta.target_path = r.tgt->path;
        r.meta.target_name = r.tgt->name;
        r.meta.target_sha256 = r.tgt->sha256;
        r.meta.control_type = r.tgt->control.type == KP_CONTROL_EMBEDDED ? "embedded"
                              : r.tgt->control.type == KP_CONTROL_EXEC   ? "exec"
                                                                         : "none";
        r.meta.command_line = kp_buf_cstr(&cmdline);
        r.meta.started_wall_ns = start_wall;
        r.meta.allow_all_skipped = r.scn->allow_all_skipped;
        rc = supervise(&r);
out:
        kp_scenario_free(r.scn);
        kp_target_free(r.tgt);
        kp_key_free(r.key);
        kp_buf_free(&cmdline);
        return rc;
}
