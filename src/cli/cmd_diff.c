/*
 * kproof diff: what changed between two runs of a scenario (for CI on a
 * platform change): every check whose verdict changed, and every measurement
 * that moved more than a tolerance. A regression (exit 1) is a verdict that
 * got worse (pass < skip < fail < error, or a check that is gone), a gate
 * that held and is now missed, or a measurement named by a gate that moved
 * the wrong way (the gate's op says which way is worse) beyond the
 * tolerance. Other measurements are reported with their delta and never
 * called a regression: kproof has no principled direction for them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "opt.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "config/jsonv.h"
#include "evidence/suite.h"
#include "suites/registry.h"

static const char *tolerance_arg;
static int json_out;

static const kp_opt_t opts[] = {
    {"tolerance", 't', KP_OPT_STRING, "PCT",
     "report measurements that moved more than PCT percent (default 10)", &tolerance_arg},
    {"json", 0, KP_OPT_FLAG, NULL, "print the differences as JSON on stdout", &json_out},
};

static const kp_cmd_spec_t spec = {
    "diff",
    "RUN_A RUN_B [--tolerance PCT] [--json]",
    "Show what changed from run A to run B: verdicts, gates and measurements.",
    "RUN_A and RUN_B are run directories (or their evidence.json files), usually one\n"
    "scenario on the platform before and after a change. Listed: every check whose\n"
    "verdict changed (and the checklist rows that follow), every gate held in A and\n"
    "missed in B, and every measurement that moved more than PCT percent.\n"
    "A regression is a verdict that got worse (pass < skip < fail < error; a check\n"
    "missing from B), a gate held in A and missed in B, or a gated measurement that\n"
    "moved the wrong way (the gate's <= or >=) beyond PCT percent. Other measurements\n"
    "are listed with their delta but never called a regression. Exit codes: 0 no\n"
    "regression; 1 a regression; 2 usage error or a missing or invalid evidence.json\n"
    "(named with the JSON path).",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

typedef struct run {
        char path[4096];
        cJSON *ev;
} run_t;

static int verdict_rank(const char *v)
{
        static const char *const order[] = {"pass", "skip", "fail", "error"};
        int i;

        for (i = 0; i < 4; i++)
                if (strcmp(v, order[i]) == 0)
                        return i;
        return -1;
}

static const cJSON *get(const cJSON *o, const char *key)
{
        return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key, const char *dflt)
{
        const cJSON *v = get(o, key);

        return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* Loads and checks the parts of evidence.json that diff reads; on bad input
 * err names the file and the JSON path. */
static int load_run(const char *arg, run_t *r, kp_err_t *err)
{
        const cJSON *checks, *c, *m, *g;
        int i = 0, j;

        if (kp_is_dir(arg))
                kp_path_join(r->path, sizeof(r->path), arg, "evidence.json");
        else
                snprintf(r->path, sizeof(r->path), "%s", arg);
        if (!kp_path_exists(r->path))
                return kp_err_set(err, KP_EINVAL,
                                  "%s: no such file (expected a run directory "
                                  "with evidence.json)",
                                  r->path);
        if (kp_jv_load_file(r->path, (size_t)1 << 30, &r->ev, err) < 0) {
                err->code = KP_EINVAL;
                return -1;
        }
        if (!cJSON_IsObject(r->ev) || !cJSON_IsObject(get(r->ev, "run")))
                return kp_err_set(err, KP_EINVAL,
                                  "%s: $.run: expected an object (not a kproof "
                                  "evidence file)",
                                  r->path);
        checks = get(r->ev, "checks");
        if (!cJSON_IsArray(checks))
                return kp_err_set(err, KP_EINVAL, "%s: $.checks: expected an array", r->path);
        cJSON_ArrayForEach(c, checks)
        {
                const char *v = str(c, "verdict", NULL);
                if (!str(c, "id", NULL))
                        return kp_err_set(err, KP_EINVAL, "%s: $.checks[%d].id: expected a string",
                                          r->path, i);
                if (!v || verdict_rank(v) < 0)
                        return kp_err_set(err, KP_EINVAL,
                                          "%s: $.checks[%d].verdict: expected one of pass, fail, "
                                          "skip, error",
                                          r->path, i);
                j = 0;
                cJSON_ArrayForEach(m, get(c, "measurements"))
                {
                        if (!str(m, "name", NULL) || !cJSON_IsNumber(get(m, "value")))
                                return kp_err_set(err, KP_EINVAL,
                                                  "%s: $.checks[%d].measurements[%d]: expected "
                                                  "an object with a string name and a number "
                                                  "value",
                                                  r->path, i, j);
                        j++;
                }
                i++;
        }
        i = 0;
        cJSON_ArrayForEach(g, get(r->ev, "gates"))
        {
                if (!str(g, "name", NULL) || !str(g, "check", NULL) || !str(g, "op", NULL))
                        return kp_err_set(err, KP_EINVAL,
                                          "%s: $.gates[%d]: expected name, check and op strings",
                                          r->path, i);
                i++;
        }
        return 0;
}

static const cJSON *find_by(const cJSON *arr, const char *key, const char *val, const char *key2,
                            const char *val2)
{
        const cJSON *it;

        cJSON_ArrayForEach(it, arr) if (strcmp(str(it, key, ""), val) == 0 &&
                                        (!key2 || strcmp(str(it, key2, ""), val2) == 0)) return it;
        return NULL;
}

/* The gate (from the suite registry) that compares this measurement of this
 * check and is set in run B (or A): its op gives the measurement a direction. */
static const cJSON *gate_of(const run_t *a, const run_t *b, const char *suite, const char *check,
                            const char *measurement)
{
        const kp_suite_def_t *s = kp_suite_find(&kp_builtin_suites, suite);
        size_t i;

        for (i = 0; s && i < s->n_gates; i++) {
                const kp_gate_def_t *g = &s->gates[i];
                const cJSON *ev;
                if (strcmp(g->check, check) != 0 || strcmp(g->measurement, measurement) != 0)
                        continue;
                if ((ev = find_by(get(b->ev, "gates"), "check", check, "name", g->name)) ||
                    (ev = find_by(get(a->ev, "gates"), "check", check, "name", g->name)))
                        return ev;
        }
        return NULL;
}

static void fmt_num(double v, char *out, size_t size)
{
        if (isnan(v))
                snprintf(out, size, "-");
        else if (v == floor(v) && fabs(v) < 1e15)
                snprintf(out, size, "%.0f", v);
        else
                snprintf(out, size, "%.4g", v);
}

int kp_cmd_diff(int argc, char **argv)
{
        const char *pos[2];
        size_t n_pos = 0;
        run_t a, b;
        double tol = 10;
        cJSON *out = NULL, *jchecks, *jgates, *jmeas;
        const cJSON *c, *m, *g;
        kp_buf_t txt;
        int rc, regressions = 0, changes = 0;
        kp_err_t err;

        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        kp_buf_init(&txt, 16 << 20);
        tolerance_arg = NULL;
        json_out = 0;
        if (kp_cli_parse(&spec, argc, argv, pos, 2, &n_pos, &rc))
                return rc;
        if (n_pos != 2) {
                fprintf(stderr, "kproof diff: RUN_A and RUN_B are required\n\n");
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (tolerance_arg) {
                char *end = NULL;
                tol = strtod(tolerance_arg, &end);
                if (!end || end == tolerance_arg || *end || !(tol >= 0) || tol > 1e6) {
                        fprintf(stderr,
                                "kproof diff: --tolerance: expected a percentage from 0 to "
                                "1000000, got \"%s\"\n",
                                tolerance_arg);
                        return KP_EXIT_INVALID;
                }
        }
        if (load_run(pos[0], &a, &err) < 0 || load_run(pos[1], &b, &err) < 0) {
                rc = kp_cli_fail(&err);
                goto done;
        }

        out = cJSON_CreateObject();
        {
                const char *which[2] = {"a", "b"};
                const run_t *rs[2] = {&a, &b};
                int k;
                for (k = 0; k < 2; k++) {
                        const cJSON *run = get(rs[k]->ev, "run");
                        cJSON *o = cJSON_AddObjectToObject(out, which[k]);
                        cJSON_AddStringToObject(o, "evidence", rs[k]->path);
                        cJSON_AddStringToObject(o, "run", str(run, "id", "?"));
                        cJSON_AddStringToObject(o, "scenario",
                                                str(get(run, "scenario"), "name", "?"));
                        cJSON_AddStringToObject(o, "scenario_sha256",
                                                str(get(run, "scenario"), "sha256", "?"));
                        cJSON_AddStringToObject(o, "target", str(get(run, "target"), "name", "?"));
                        cJSON_AddStringToObject(o, "target_sha256",
                                                str(get(run, "target"), "sha256", "?"));
                        kp_buf_printf(&txt, "%s: %s (scenario %s, target %s)\n", which[k],
                                      rs[k]->path, str(get(run, "scenario"), "name", "?"),
                                      str(get(run, "target"), "name", "?"));
                }
                if (strcmp(str(get(get(a.ev, "run"), "scenario"), "sha256", "a"),
                           str(get(get(b.ev, "run"), "scenario"), "sha256", "b")) != 0)
                        kp_buf_puts(&txt, "note: the runs are of different scenario files\n");
        }
        cJSON_AddNumberToObject(out, "tolerance_pct", tol);
        jchecks = cJSON_AddArrayToObject(out, "checks");
        jgates = cJSON_AddArrayToObject(out, "gates");
        jmeas = cJSON_AddArrayToObject(out, "measurements");

        /* Verdicts: every check of A against B, then checks new in B. */
        kp_buf_puts(&txt, "\nverdicts:\n");
        cJSON_ArrayForEach(c, get(a.ev, "checks"))
        {
                const char *id = str(c, "id", "?"), *va = str(c, "verdict", "?");
                const cJSON *cb = find_by(get(b.ev, "checks"), "id", id, NULL, NULL);
                const char *vb = cb ? str(cb, "verdict", "?") : "missing";
                const char *change;
                cJSON *o;
                if (cb && strcmp(va, vb) == 0)
                        continue;
                change = !cb || verdict_rank(vb) > verdict_rank(va) ? "regression" : "improved";
                regressions += strcmp(change, "regression") == 0;
                changes++;
                o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "id", id);
                cJSON_AddStringToObject(o, "a", va);
                cJSON_AddStringToObject(o, "b", vb);
                cJSON_AddStringToObject(o, "change", change);
                if (cb)
                        cJSON_AddStringToObject(o, "reason_b", str(cb, "reason", ""));
                cJSON_AddItemToArray(jchecks, o);
                kp_buf_printf(&txt, "  %-40s %s -> %s%s\n", id, va, vb,
                              strcmp(change, "regression") == 0 ? "   REGRESSION" : "");
        }
        cJSON_ArrayForEach(c, get(b.ev, "checks"))
        {
                const char *id = str(c, "id", "?");
                cJSON *o;
                if (find_by(get(a.ev, "checks"), "id", id, NULL, NULL))
                        continue;
                changes++;
                o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "id", id);
                cJSON_AddStringToObject(o, "a", "missing");
                cJSON_AddStringToObject(o, "b", str(c, "verdict", "?"));
                cJSON_AddStringToObject(o, "change", "added");
                cJSON_AddItemToArray(jchecks, o);
                kp_buf_printf(&txt, "  %-40s missing -> %s\n", id, str(c, "verdict", "?"));
        }
        if (cJSON_GetArraySize(jchecks) == 0)
                kp_buf_puts(&txt, "  (no verdict changed)\n");

        /* Checklist rows whose verdict changed (follows from the checks; listed
         * for the reader, never counted as a regression on its own). */
        {
                cJSON *jrows = cJSON_AddArrayToObject(out, "rows");
                const cJSON *r;
                cJSON_ArrayForEach(r, get(a.ev, "rows"))
                {
                        const char *id = str(r, "id", "?"), *va = str(r, "verdict", "?");
                        const cJSON *rb = find_by(get(b.ev, "rows"), "id", id, NULL, NULL);
                        const char *vb = rb ? str(rb, "verdict", "?") : "missing";
                        cJSON *o;
                        if (strcmp(va, vb) == 0)
                                continue;
                        o = cJSON_CreateObject();
                        cJSON_AddStringToObject(o, "id", id);
                        cJSON_AddStringToObject(o, "a", va);
                        cJSON_AddStringToObject(o, "b", vb);
                        cJSON_AddItemToArray(jrows, o);
                        if (cJSON_GetArraySize(jrows) == 1)
                                kp_buf_puts(&txt, "\nchecklist rows:\n");
                        kp_buf_printf(&txt, "  %-40s %s -> %s\n", id, va, vb);
                }
        }

        /* Gates held in A and missed in B. */
        cJSON_ArrayForEach(g, get(a.ev, "gates"))
        {
                const cJSON *gb = find_by(get(b.ev, "gates"), "check", str(g, "check", ""), "name",
                                          str(g, "name", ""));
                int held_a = cJSON_IsTrue(get(g, "passed"));
                int missed_b = gb && cJSON_IsFalse(get(gb, "passed"));
                cJSON *o;
                if (!held_a || !missed_b)
                        continue;
                regressions++;
                changes++;
                o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "check", str(g, "check", ""));
                cJSON_AddStringToObject(o, "name", str(g, "name", ""));
                cJSON_AddStringToObject(o, "op", str(g, "op", ""));
                cJSON_AddItemToObject(o, "threshold", cJSON_Duplicate(get(gb, "threshold"), 1));
                cJSON_AddItemToObject(o, "a", cJSON_Duplicate(get(g, "observed"), 1));
                cJSON_AddItemToObject(o, "b", cJSON_Duplicate(get(gb, "observed"), 1));
                cJSON_AddStringToObject(o, "change", "regression");
                cJSON_AddItemToArray(jgates, o);
        }
        if (cJSON_GetArraySize(jgates) > 0) {
                kp_buf_puts(&txt, "\ngates held in a and missed in b:\n");
                cJSON_ArrayForEach(g, jgates)
                {
                        char na[32], nb[32], nt[32];
                        fmt_num(cJSON_IsNumber(get(g, "a")) ? get(g, "a")->valuedouble : NAN, na,
                                sizeof(na));
                        fmt_num(cJSON_IsNumber(get(g, "b")) ? get(g, "b")->valuedouble : NAN, nb,
                                sizeof(nb));
                        fmt_num(cJSON_IsNumber(get(g, "threshold"))
                                    ? get(g, "threshold")->valuedouble
                                    : NAN,
                                nt, sizeof(nt));
                        kp_buf_printf(&txt, "  %-40s %s %s %s: %s -> %s   REGRESSION\n",
                                      str(g, "check", ""), str(g, "name", ""), str(g, "op", ""), nt,
                                      na, nb);
                }
        }

        /* Measurements of checks in both runs. */
        kp_buf_printf(&txt, "\nmeasurements that moved more than %g%%:\n", tol);
        cJSON_ArrayForEach(c, get(a.ev, "checks"))
        {
                const char *id = str(c, "id", "?");
                const cJSON *cb = find_by(get(b.ev, "checks"), "id", id, NULL, NULL);
                cJSON_ArrayForEach(m, get(c, "measurements"))
                {
                        const char *name = str(m, "name", "?");
                        const cJSON *mb =
                            find_by(get(cb, "measurements"), "name", name, NULL, NULL);
                        const cJSON *gate;
                        double va = get(m, "value")->valuedouble, vb, delta, pct;
                        int worse = 0, regression;
                        char na[32], nb[32], np[32];
                        cJSON *o;
                        if (!mb)
                                continue;
                        vb = get(mb, "value")->valuedouble;
                        delta = vb - va;
                        if (delta == 0)
                                continue;
                        pct =
                            va != 0 ? 100.0 * delta / fabs(va) : (delta > 0 ? INFINITY : -INFINITY);
                        if (fabs(pct) <= tol)
                                continue;
                        gate = gate_of(&a, &b, str(c, "suite", ""), id, name);
                        if (gate)
                                worse =
                                    strcmp(str(gate, "op", ""), "<=") == 0 ? delta > 0 : delta < 0;
                        regression = gate && worse;
                        regressions += regression;
                        changes++;
                        o = cJSON_CreateObject();
                        cJSON_AddStringToObject(o, "check", id);
                        cJSON_AddStringToObject(o, "name", name);
                        cJSON_AddStringToObject(o, "unit", str(m, "unit", ""));
                        cJSON_AddNumberToObject(o, "a", va);
                        cJSON_AddNumberToObject(o, "b", vb);
                        cJSON_AddNumberToObject(o, "delta", delta);
                        if (isfinite(pct))
                                cJSON_AddNumberToObject(o, "delta_pct", pct);
                        else
                                cJSON_AddNullToObject(o, "delta_pct");
                        if (gate) {
                                cJSON_AddStringToObject(o, "gate", str(gate, "name", ""));
                                cJSON_AddStringToObject(
                                    o, "better",
                                    strcmp(str(gate, "op", ""), "<=") == 0 ? "lower" : "higher");
                        } else {
                                cJSON_AddNullToObject(o, "gate");
                                cJSON_AddNullToObject(o, "better");
                        }
                        cJSON_AddStringToObject(o, "change",
                                                regression ? "regression"
                                                : gate     ? "improved"
                                                           : "changed");
                        cJSON_AddItemToArray(jmeas, o);
                        fmt_num(va, na, sizeof(na));
                        fmt_num(vb, nb, sizeof(nb));
                        if (isfinite(pct))
                                snprintf(np, sizeof(np), "%+.1f%%", pct);
                        else
                                snprintf(np, sizeof(np), "from 0");
                        kp_buf_printf(
                            &txt, "  %-40s %s: %s -> %s %s (%s)%s%s%s\n", id, name, na, nb,
                            str(m, "unit", ""), np,
                            gate ? (regression ? "   REGRESSION (gate " : "   better (gate ") : "",
                            gate ? str(gate, "name", "") : "", gate ? ")" : "");
                }
        }
        if (cJSON_GetArraySize(jmeas) == 0)
                kp_buf_puts(&txt, "  (none)\n");
        rc = regressions > 0 ? KP_EXIT_FAIL : KP_EXIT_OK;
        cJSON_AddNumberToObject(out, "changes", changes);
        cJSON_AddNumberToObject(out, "regressions", regressions);
        cJSON_AddNumberToObject(out, "exit_code", rc);
        kp_buf_printf(&txt, "\n%d change%s, %d regression%s\n", changes, changes == 1 ? "" : "s",
                      regressions, regressions == 1 ? "" : "s");
        if (json_out) {
                char *s = cJSON_Print(out);
                if (s)
                        printf("%s\n", s);
                free(s);
        } else {
                fputs(kp_buf_cstr(&txt), stdout);
        }
done:
        cJSON_Delete(out);
        cJSON_Delete(a.ev);
        cJSON_Delete(b.ev);
        kp_buf_free(&txt);
        return rc;
}
