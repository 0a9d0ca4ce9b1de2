/*
 * assessment-results.json: the run as NIST OSCAL 1.1.2 assessment results,
 * for compliance tools that read OSCAL. Rendered from evidence.json only:
 *
 *   - one result per run (start, end, the reviewed checklist rows and any
 *     catalogue controls the scenario maps them to);
 *   - one observation per check (method TEST, collected when the check
 *     started; relevant evidence points at back-matter resources);
 *   - one finding per checklist row: satisfied only when the row is PASS,
 *     every other verdict (FAIL, PARTIAL, ERROR, SKIPPED, NOT TESTED) is
 *     not-satisfied with the verdict as the reason: an assessment that did
 *     not test a row cannot say it is satisfied;
 *   - one finding per mapped control: satisfied when every row and check
 *     mapped to it passed;
 *   - back-matter: every run-directory file the evidence names, with its
 *     sha256 at the time of writing.
 *
 * UUIDs are version 5 over the run id, so rendering the same evidence again
 * gives the same document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "oscal_doc.h"
#include "report.h"
#include "report_util.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/fsutil.h"

#define OSCAL_VERSION "1.1.2"

static const cJSON *field(const cJSON *o, const char *key)
{
        return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void observation(kp_oscal_t *o, cJSON *obs, const cJSON *check, size_t index,
                        const cJSON *gates, const char *run_dir, const char *run_start,
                        const char *ev_uuid, const char *events_uuid)
{
        const char *id = kp_report_str(check, "id", "?");
        const cJSON *m, *a;
        cJSON *ob = cJSON_CreateObject(), *props, *re;
        kp_buf_t b;
        char uuid[KP_UUID_STR], num[64];

        kp_buf_init(&b, 1 << 20);
        kp_oscal_uuid(o, "observation", id, uuid);
        cJSON_AddStringToObject(ob, "uuid", uuid);
        kp_buf_printf(&b, "%s: %s", id, kp_report_str(check, "title", ""));
        kp_oscal_add_line(ob, "title", kp_buf_cstr(&b), id);
        kp_buf_reset(&b);
        kp_buf_printf(&b, "Check `%s` (row `%s`, suite `%s`): **%s**. %s", id,
                      kp_report_str(check, "row", "?"), kp_report_str(check, "suite", "?"),
                      kp_report_str(check, "verdict", "?"), kp_report_str(check, "reason", ""));
        cJSON_AddStringToObject(ob, "description", kp_buf_cstr(&b));
        props = cJSON_AddArrayToObject(ob, "props");
        kp_oscal_add_prop(props, "check-id", id);
        kp_oscal_add_prop(props, "checklist-row", kp_report_str(check, "row", ""));
        kp_oscal_add_prop(props, "suite", kp_report_str(check, "suite", ""));
        kp_oscal_add_prop(props, "verdict", kp_report_str(check, "verdict", ""));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(ob, "methods"), cJSON_CreateString("TEST"));
        re = cJSON_AddArrayToObject(ob, "relevant-evidence");
        kp_buf_reset(&b);
        kp_buf_printf(&b,
                      "evidence.json, `$.checks[%zu]`: this check's verdict, reason, "
                      "measurements, anomalies and control actions",
                      index);
        kp_oscal_evidence_ref(re, ev_uuid, kp_buf_cstr(&b));
        kp_oscal_evidence_ref(re, events_uuid,
                              "events.jsonl: the raw timeline of the run (this check's start and "
                              "end, control actions and faults)");
        kp_buf_reset(&b);
        kp_buf_printf(&b, "raw/cmocka-%s.xml", kp_report_str(check, "suite", "?"));
        {
                char raw[600];
                snprintf(raw, sizeof(raw), "%s", kp_buf_cstr(&b));
                kp_buf_reset(&b);
                kp_buf_printf(&b, "%s: the %s suite's test report as cmocka wrote it", raw,
                              kp_report_str(check, "suite", "?"));
                kp_oscal_evidence_ref(re, kp_oscal_resource(o, run_dir, raw, kp_buf_cstr(&b)),
                                      kp_buf_cstr(&b));
        }
        cJSON_ArrayForEach(a, field(check, "artifacts"))
        {
                const char *path = kp_report_str(a, "path", NULL);
                kp_buf_reset(&b);
                kp_buf_printf(&b, "%s: %s", kp_report_str(a, "kind", "artifact"),
                              kp_report_str(a, "title", path ? path : ""));
                kp_oscal_evidence_ref(re, kp_oscal_resource(o, run_dir, path, kp_buf_cstr(&b)),
                                      kp_buf_cstr(&b));
        }
        if (cJSON_GetArraySize(re) == 0)
                cJSON_DeleteItemFromObject(ob, "relevant-evidence");
        cJSON_AddStringToObject(ob, "collected", kp_report_str(check, "started_at", run_start));
        kp_buf_reset(&b);
        cJSON_ArrayForEach(m, field(check, "measurements"))
        {
                kp_report_fmt_num(kp_report_num(m, "value", 0), num, sizeof(num));
                kp_buf_printf(&b, "- `%s` = %s %s\n", kp_report_str(m, "name", "?"), num,
                              kp_report_str(m, "unit", ""));
        }
        if (b.len) {
                char *list = kp_buf_detach(&b);
                kp_buf_printf(&b, "Measurements:\n\n%s", list);
                free(list);
        }
        /* The scenario's gates on this check: threshold, observed value, result. */
        {
                const cJSON *g;
                int first = 1;
                cJSON_ArrayForEach(g, gates)
                {
                        const cJSON *obsv = field(g, "observed"), *held = field(g, "passed");
                        char thr[64];
                        if (strcmp(kp_report_str(g, "check", ""), id) != 0)
                                continue;
                        if (first)
                                kp_buf_printf(&b, "%sGates:\n\n", b.len ? "\n" : "");
                        first = 0;
                        kp_report_fmt_num(kp_report_num(g, "threshold", 0), thr, sizeof(thr));
                        if (cJSON_IsNumber(obsv))
                                kp_report_fmt_num(obsv->valuedouble, num, sizeof(num));
                        else
                                snprintf(num, sizeof(num), "none");
                        kp_buf_printf(
                            &b, "- `%s`: observed %s, required %s %s %s: %s\n",
                            kp_report_str(g, "name", "?"), num, kp_report_str(g, "op", "?"), thr,
                            kp_report_str(g, "unit", ""),
                            cJSON_IsTrue(held)    ? "held"
                            : cJSON_IsFalse(held) ? "MISSED"
                                                  : kp_report_str(g, "note", "not evaluated"));
                }
        }
        if (b.len)
                cJSON_AddStringToObject(ob, "remarks", kp_buf_cstr(&b));
        cJSON_AddItemToArray(obs, ob);
        kp_buf_free(&b);
}

static void related(kp_oscal_t *o, cJSON *finding, const char *check_id)
{
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(finding, "related-observations"), *r;
        char uuid[KP_UUID_STR];

        if (!arr)
                arr = cJSON_AddArrayToObject(finding, "related-observations");
        kp_oscal_uuid(o, "observation", check_id, uuid);
        cJSON_ArrayForEach(r, arr) if (strcmp(kp_report_str(r, "observation-uuid", ""), uuid) ==
                                       0) return;
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "observation-uuid", uuid);
        cJSON_AddItemToArray(arr, r);
}

static cJSON *finding_target(cJSON *f, const char *target_id, const char *state, const char *reason,
                             const char *remarks)
{
        cJSON *t = cJSON_AddObjectToObject(f, "target"), *st;

        cJSON_AddStringToObject(t, "type", "objective-id");
        cJSON_AddStringToObject(t, "target-id", target_id);
        st = cJSON_AddObjectToObject(t, "status");
        cJSON_AddStringToObject(st, "state", state);
        cJSON_AddStringToObject(st, "reason", reason);
        if (remarks)
                cJSON_AddStringToObject(st, "remarks", remarks);
        return t;
}

static const cJSON *find_check(const cJSON *checks, const char *id)
{
        const cJSON *c;

        cJSON_ArrayForEach(c, checks) if (strcmp(kp_report_str(c, "id", ""), id) == 0) return c;
        return NULL;
}

static const cJSON *find_row(const cJSON *rows, const char *id)
{
        const cJSON *r;

        cJSON_ArrayForEach(r, rows) if (strcmp(kp_report_str(r, "id", ""), id) == 0) return r;
        return NULL;
}

/* One finding per control id of the scenario's mapping: satisfied when every
 * row mapped to it is PASS and every check mapped to it passed. */
static void control_findings(kp_oscal_t *o, cJSON *findings, cJSON *selected, const cJSON *controls,
                             const cJSON *rows, const cJSON *checks)
{
        const cJSON *k, *c;
        cJSON *seen = cJSON_CreateObject();

        cJSON_ArrayForEach(k, controls) cJSON_ArrayForEach(c, k)
        {
                const char *ctl = cJSON_IsString(c) ? c->valuestring : NULL;
                const cJSON *k2, *c2;
                cJSON *f, *props;
                kp_buf_t by;
                char uuid[KP_UUID_STR];
                int ok = 1, tested = 0;

                if (!ctl || field(seen, ctl))
                        continue;
                cJSON_AddTrueToObject(seen, ctl);
                kp_buf_init(&by, 1 << 16);
                f = cJSON_CreateObject();
                kp_oscal_uuid(o, "finding/control", ctl, uuid);
                cJSON_AddStringToObject(f, "uuid", uuid);
                kp_oscal_add_line(f, "title", ctl, "control");
                props = cJSON_CreateArray();
                cJSON_ArrayForEach(k2, controls) cJSON_ArrayForEach(c2, k2)
                {
                        const cJSON *row, *chk, *rc;
                        if (!cJSON_IsString(c2) || strcmp(c2->valuestring, ctl) != 0)
                                continue;
                        if ((row = find_row(rows, k2->string))) {
                                const char *v = kp_report_str(row, "verdict", "NOT TESTED");
                                kp_buf_printf(&by, "%s- checklist row `%s`: %s\n", "", k2->string,
                                              v);
                                kp_oscal_add_prop(props, "checklist-row", k2->string);
                                ok &= strcmp(v, "PASS") == 0;
                                cJSON_ArrayForEach(rc, field(row, "checks"))
                                {
                                        if (cJSON_IsString(rc) &&
                                            find_check(checks, rc->valuestring)) {
                                                related(o, f, rc->valuestring);
                                                tested = 1;
                                        }
                                }
                        } else {
                                const char *v = "not run";
                                if ((chk = find_check(checks, k2->string))) {
                                        v = kp_report_str(chk, "verdict", "?");
                                        related(o, f, k2->string);
                                        tested = 1;
                                }
                                kp_buf_printf(&by, "- check `%s`: %s\n", k2->string, v);
                                kp_oscal_add_prop(props, "check-id", k2->string);
                                ok &= strcmp(v, "pass") == 0;
                        }
                }
                ok &= tested;
                {
                        kp_buf_t d;
                        kp_buf_init(&d, 1 << 16);
                        kp_buf_printf(&d,
                                      "Control `%s`, as the scenario maps it to kproof's "
                                      "checklist rows and checks:\n\n%s",
                                      ctl, kp_buf_cstr(&by));
                        cJSON_AddStringToObject(f, "description", kp_buf_cstr(&d));
                        kp_buf_free(&d);
                }
                if (cJSON_GetArraySize(props) > 0)
                        cJSON_AddItemToObject(f, "props", props);
                else
                        cJSON_Delete(props);
                finding_target(f, ctl, ok ? "satisfied" : "not-satisfied",
                               ok ? "pass" : (tested ? "fail" : "not-tested"),
                               ok ? NULL
                                  : "Satisfied only when every mapped row is PASS and every "
                                    "mapped check passed.");
                /* keep related-observations after target for readability */
                {
                        cJSON *ro = cJSON_DetachItemFromObject(f, "related-observations");
                        if (ro)
                                cJSON_AddItemToObject(f, "related-observations", ro);
                }
                cJSON_AddItemToArray(findings, f);
                {
                        cJSON *sel = cJSON_CreateObject();
                        cJSON_AddStringToObject(sel, "control-id", ctl);
                        cJSON_AddItemToArray(selected, sel);
                }
                kp_buf_free(&by);
        }
        cJSON_Delete(seen);
}

int kp_report_oscal(const char *evidence_path, const char *out_path, kp_err_t *err)
{
        cJSON *ev = NULL, *doc = NULL, *ar, *md, *props, *res, *rc, *sels, *sel, *inc, *obs, *fnd;
        const cJSON *run, *scn, *tgt, *rows, *checks, *r, *c, *sum, *controls;
        kp_oscal_t *o = NULL;
        char run_dir[4096], out_dir[4096], uuid[KP_UUID_STR], num[64];
        const char *ev_uuid, *events_uuid, *start, *end, *slash;
        char *text = NULL;
        kp_buf_t b;
        size_t i = 0;
        int rcode = -1;

        kp_buf_init(&b, 1 << 20);
        if (kp_report_load(evidence_path, &ev, err) < 0)
                goto out;
        o = calloc(1, sizeof(*o));
        if (!o) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        slash = strrchr(evidence_path, '/');
        snprintf(run_dir, sizeof(run_dir), "%.*s", slash ? (int)(slash - evidence_path) : 1,
                 slash ? evidence_path : ".");
        slash = strrchr(out_path, '/');
        snprintf(out_dir, sizeof(out_dir), "%.*s", slash ? (int)(slash - out_path) : 1,
                 slash ? out_path : ".");
        run = field(ev, "run");
        scn = field(run, "scenario");
        tgt = field(run, "target");
        rows = field(ev, "rows");
        checks = field(ev, "checks");
        sum = field(ev, "summary");
        controls = field(scn, "controls");
        o->run_id = kp_report_str(run, "id", "unknown-run");
        start = kp_report_str(run, "started_at", "1970-01-01T00:00:00Z");
        end = kp_report_str(run, "finished_at", NULL);

        doc = cJSON_CreateObject();
        ar = cJSON_AddObjectToObject(doc, "assessment-results");
        kp_oscal_uuid(o, "assessment-results", NULL, uuid);
        cJSON_AddStringToObject(ar, "uuid", uuid);

        md = cJSON_AddObjectToObject(ar, "metadata");
        kp_buf_printf(&b, "kproof assessment results: scenario %s on target %s",
                      kp_report_str(scn, "name", "?"), kp_report_str(tgt, "name", "?"));
        kp_oscal_add_line(md, "title", kp_buf_cstr(&b), "kproof assessment results");
        cJSON_AddStringToObject(md, "last-modified", end ? end : start);
        kp_oscal_add_line(md, "version", o->run_id, "1");
        cJSON_AddStringToObject(md, "oscal-version", OSCAL_VERSION);
        props = cJSON_AddArrayToObject(md, "props");
        kp_oscal_add_prop(props, "kproof-version", kp_report_str(run, "kproof_version", ""));
        kp_oscal_add_prop(props, "kproof-git-commit", kp_report_str(run, "git_commit", ""));
        kp_oscal_add_prop(props, "run-id", o->run_id);
        kp_oscal_add_prop(props, "scenario-name", kp_report_str(scn, "name", ""));
        kp_oscal_add_prop(props, "scenario-sha256", kp_report_str(scn, "sha256", ""));
        kp_oscal_add_prop(props, "target-name", kp_report_str(tgt, "name", ""));
        kp_oscal_add_prop(props, "target-sha256", kp_report_str(tgt, "sha256", ""));
        kp_oscal_add_prop(props, "signing-key-sha256",
                          kp_report_str(field(run, "facts"), "signing_key", ""));

        kp_buf_reset(&b);
        kp_buf_printf(&b, "urn:kproof:scenario:sha256:%s", kp_report_str(scn, "sha256", "unknown"));
        {
                cJSON *ap = cJSON_AddObjectToObject(ar, "import-ap");
                cJSON_AddStringToObject(ap, "href", kp_buf_cstr(&b));
                cJSON_AddStringToObject(
                    ap, "remarks",
                    "kproof has no separate OSCAL assessment plan: the plan is the scenario "
                    "file named by its sha256 here (and in the metadata), which states the "
                    "suites, checks, workload, faults and gates of this run.");
        }

        o->resources = cJSON_CreateArray();
        ev_uuid =
            kp_oscal_resource(o, run_dir, "evidence.json",
                              "The complete result of the run: every check's verdict, reason, "
                              "measurements, anomalies, gates and the summary.");
        events_uuid = kp_oscal_resource(o, run_dir, "events.jsonl", "The raw timeline of the run.");
        kp_oscal_resource(o, out_dir, "junit.xml", "One JUnit test case per check, for CI.");
        kp_oscal_resource(o, out_dir, "report.html", "The human-readable report.");

        res = cJSON_CreateObject();
        cJSON_AddItemToArray(cJSON_AddArrayToObject(ar, "results"), res);
        kp_oscal_uuid(o, "result", NULL, uuid);
        cJSON_AddStringToObject(res, "uuid", uuid);
        kp_buf_reset(&b);
        kp_buf_printf(&b, "kproof run %s", o->run_id);
        kp_oscal_add_line(res, "title", kp_buf_cstr(&b), "kproof run");
        kp_buf_reset(&b);
        kp_buf_printf(&b,
                      "kproof %s ran scenario `%s` (sha256 %s) against target `%s` (sha256 "
                      "%s): %d checks, %d passed, %d failed, %d skipped, %d in error; %d "
                      "gates, %d missed; exit code %d.%s",
                      kp_report_str(run, "kproof_version", "?"), kp_report_str(scn, "name", "?"),
                      kp_report_str(scn, "sha256", "?"), kp_report_str(tgt, "name", "?"),
                      kp_report_str(tgt, "sha256", "?"), (int)kp_report_num(sum, "checks", 0),
                      (int)kp_report_num(sum, "pass", 0), (int)kp_report_num(sum, "fail", 0),
                      (int)kp_report_num(sum, "skip", 0), (int)kp_report_num(sum, "error", 0),
                      (int)kp_report_num(sum, "gates", 0),
                      (int)kp_report_num(sum, "gates_missed", 0),
                      (int)kp_report_num(sum, "exit_code", 3),
                      cJSON_IsFalse(field(run, "complete"))
                          ? " The run was interrupted: its evidence is incomplete."
                          : "");
        cJSON_AddStringToObject(res, "description", kp_buf_cstr(&b));
        cJSON_AddStringToObject(res, "start", start);
        if (end)
                cJSON_AddStringToObject(res, "end", end);
        props = cJSON_AddArrayToObject(res, "props");
        kp_report_fmt_num(kp_report_num(sum, "exit_code", 3), num, sizeof(num));
        kp_oscal_add_prop(props, "exit-code", num);
        kp_oscal_add_prop(props, "complete",
                          cJSON_IsFalse(field(run, "complete")) ? "false" : "true");

        rc = cJSON_AddObjectToObject(res, "reviewed-controls");
        sels = cJSON_AddArrayToObject(rc, "control-selections");
        sel = cJSON_CreateObject();
        cJSON_AddStringToObject(sel, "description",
                                "The rows of kproof's evaluation checklist (each a finding "
                                "whose objective id is the row id).");
        inc = cJSON_AddArrayToObject(sel, "include-controls");
        cJSON_ArrayForEach(r, rows)
        {
                cJSON *ctl = cJSON_CreateObject();
                kp_oscal_add_line(ctl, "control-id", kp_report_str(r, "id", ""), "row");
                cJSON_AddItemToArray(inc, ctl);
        }
        if (cJSON_GetArraySize(inc) > 0)
                cJSON_AddItemToArray(sels, sel);
        else
                cJSON_Delete(sel);

        obs = cJSON_AddArrayToObject(res, "observations");
        cJSON_ArrayForEach(c, checks)
        {
                observation(o, obs, c, i, field(ev, "gates"), run_dir, start, ev_uuid, events_uuid);
                i++;
        }
        if (cJSON_GetArraySize(obs) == 0)
                cJSON_DeleteItemFromObject(res, "observations");

        fnd = cJSON_AddArrayToObject(res, "findings");
        cJSON_ArrayForEach(r, rows)
        {
                const char *id = kp_report_str(r, "id", "row");
                const char *verdict = kp_report_str(r, "verdict", "NOT TESTED");
                int pass = strcmp(verdict, "PASS") == 0;
                const cJSON *rcheck, *ids, *cid;
                cJSON *f = cJSON_CreateObject();
                char reason[32];

                kp_oscal_uuid(o, "finding/row", id, uuid);
                cJSON_AddStringToObject(f, "uuid", uuid);
                kp_buf_reset(&b);
                kp_buf_printf(&b, "%s: %s", id, kp_report_str(r, "title", ""));
                kp_oscal_add_line(f, "title", kp_buf_cstr(&b), id);
                kp_buf_reset(&b);
                kp_buf_printf(&b,
                              "%s\n\nVerdict: **%s** (%d passed, %d failed, %d skipped, %d in "
                              "error).",
                              kp_report_str(r, "question", ""), verdict,
                              (int)kp_report_num(r, "pass", 0), (int)kp_report_num(r, "fail", 0),
                              (int)kp_report_num(r, "skip", 0), (int)kp_report_num(r, "error", 0));
                cJSON_AddStringToObject(f, "description", kp_buf_cstr(&b));
                props = cJSON_AddArrayToObject(f, "props");
                kp_oscal_add_prop(props, "checklist-row", id);
                kp_oscal_add_prop(props, "verdict", verdict);
                ids = field(controls, id);
                cJSON_ArrayForEach(cid, ids) if (cJSON_IsString(cid))
                    kp_oscal_add_prop(props, "control-id", cid->valuestring);
                kp_oscal_reason_token(verdict, reason, sizeof(reason));
                finding_target(
                    f, id, pass ? "satisfied" : "not-satisfied", reason,
                    pass ? NULL
                    : strcmp(verdict, "NOT TESTED") == 0
                        ? "No check of this row ran in this scenario: not tested is not "
                          "satisfied."
                        : "A row is satisfied only when every one of its checks passed.");
                cJSON_ArrayForEach(rcheck, field(r, "checks"))
                {
                        if (cJSON_IsString(rcheck) && find_check(checks, rcheck->valuestring))
                                related(o, f, rcheck->valuestring);
                }
                cJSON_AddItemToArray(fnd, f);
        }
        if (cJSON_GetArraySize(controls) > 0) {
                cJSON *csel = cJSON_CreateObject(), *cinc;
                cJSON_AddStringToObject(csel, "description",
                                        "The catalogue controls the scenario maps checklist rows "
                                        "and checks to (scenario key `controls`).");
                cinc = cJSON_AddArrayToObject(csel, "include-controls");
                control_findings(o, fnd, cinc, controls, rows, checks);
                if (cJSON_GetArraySize(cinc) > 0)
                        cJSON_AddItemToArray(sels, csel);
                else
                        cJSON_Delete(csel);
        }
        if (cJSON_GetArraySize(fnd) == 0)
                cJSON_DeleteItemFromObject(res, "findings");
        if (cJSON_GetArraySize(sels) == 0) {
                cJSON *all = cJSON_CreateObject();
                cJSON_AddObjectToObject(all, "include-all");
                cJSON_AddItemToArray(sels, all);
        }

        if (cJSON_GetArraySize(o->resources) > 0)
                cJSON_AddItemToObject(cJSON_AddObjectToObject(ar, "back-matter"), "resources",
                                      o->resources);
        else
                cJSON_Delete(o->resources);
        o->resources = NULL;

        text = cJSON_Print(doc);
        if (!text) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        if (kp_write_file(out_path, text, strlen(text), 0644, err) < 0)
                goto out;
        rcode = 0;
out:
        free(text);
        cJSON_Delete(doc);
        cJSON_Delete(ev);
        free(o);
        kp_buf_free(&b);
        return rcode;
}
