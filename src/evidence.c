#include "evidence.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fsutil.h"
#include "kp_version.h"
#include "rows.h"
#include "secret.h"
#include "timeutil.h"

#define MAX_EXAMPLES 20
#define MAX_NOTES    500
#define MAX_ACTIONS  1000

struct kp_anomaly {
        cJSON *examples;
        int n_examples;
};

struct kp_table {
        cJSON *rows;
        size_t n_columns;
};

struct kp_check {
        cJSON *obj;
        cJSON *measurements, *anomalies, *tables, *notes, *artifacts, *actions;
        kp_verdict_t verdict;
        char reason[1024];
        char id[128];
        char row[64];
        int64_t start_mono;
        int n_notes, n_actions;
        kp_anomaly_t *anoms[64];
        int n_anoms;
        kp_table_t *tabs[64];
        int n_tabs;
};

struct kp_evidence {
        cJSON *root, *run, *checks, *gates, *facts;
        kp_check_t **list;
        size_t n, cap;
        int complete;
};

const char *kp_verdict_name(kp_verdict_t v)
{
        switch (v) {
        case KP_VERDICT_PASS:
                return "pass";
        case KP_VERDICT_SKIP:
                return "skip";
        case KP_VERDICT_FAIL:
                return "fail";
        case KP_VERDICT_ERROR:
                return "error";
        default:
                return "none";
        }
}

static void add_str(cJSON *o, const char *k, const char *v)
{
        if (v)
                cJSON_AddStringToObject(o, k, v);
        else
                cJSON_AddNullToObject(o, k);
}

kp_evidence_t *kp_evidence_new(const kp_run_meta_t *m)
{
        kp_evidence_t *ev = calloc(1, sizeof(*ev));
        cJSON *sc, *tg;
        char ts[40], host[256] = "unknown";

        if (!ev)
                return NULL;
        ev->root = cJSON_CreateObject();
        if (!ev->root) {
                free(ev);
                return NULL;
        }
        cJSON_AddNumberToObject(ev->root, "schema_version", KP_EVIDENCE_SCHEMA_VERSION);
        ev->run = cJSON_AddObjectToObject(ev->root, "run");
        add_str(ev->run, "id", m->run_id);
        cJSON_AddStringToObject(ev->run, "kproof_version", KP_VERSION);
        cJSON_AddStringToObject(ev->run, "git_commit", KP_GIT_COMMIT);
        kp_time_iso(m->started_wall_ns, ts, sizeof(ts));
        cJSON_AddStringToObject(ev->run, "started_at", ts);
        cJSON_AddNullToObject(ev->run, "finished_at");
        gethostname(host, sizeof(host) - 1);
        cJSON_AddStringToObject(ev->run, "host", host);
        add_str(ev->run, "command_line", m->command_line);
        sc = cJSON_AddObjectToObject(ev->run, "scenario");
        add_str(sc, "name", m->scenario_name);
        add_str(sc, "path", m->scenario_path);
        add_str(sc, "sha256", m->scenario_sha256);
        tg = cJSON_AddObjectToObject(ev->run, "target");
        add_str(tg, "name", m->target_name);
        add_str(tg, "path", m->target_path);
        add_str(tg, "sha256", m->target_sha256);
        add_str(tg, "control", m->control_type);
        ev->facts = cJSON_AddObjectToObject(ev->run, "facts");
        cJSON_AddBoolToObject(ev->run, "complete", 0);
        ev->checks = cJSON_CreateArray();
        ev->gates = cJSON_CreateArray();
        return ev;
}

void kp_evidence_free(kp_evidence_t *ev)
{
        size_t i;
        int j;

        if (!ev)
                return;
        for (i = 0; i < ev->n; i++) {
                kp_check_t *c = ev->list[i];
                /* Parts of a check never ended are not attached to its object. */
                cJSON_Delete(c->measurements);
                cJSON_Delete(c->anomalies);
                cJSON_Delete(c->tables);
                cJSON_Delete(c->notes);
                cJSON_Delete(c->artifacts);
                cJSON_Delete(c->actions);
                for (j = 0; j < ev->list[i]->n_anoms; j++)
                        free(ev->list[i]->anoms[j]);
                for (j = 0; j < ev->list[i]->n_tabs; j++)
                        free(ev->list[i]->tabs[j]);
                free(ev->list[i]);
        }
        free(ev->list);
        cJSON_Delete(ev->checks);
        cJSON_Delete(ev->gates);
        cJSON_Delete(ev->root);
        free(ev);
}

void kp_evidence_client_props(kp_evidence_t *ev, const kp_kvlist_t *props)
{
        cJSON *o = cJSON_CreateObject();
        size_t i;

        for (i = 0; props && i < props->n; i++)
                cJSON_AddStringToObject(o, props->items[i].key,
                                        kp_secret_key_is_sensitive(props->items[i].key)
                                            ? KP_REDACTED
                                            : props->items[i].value);
        cJSON_DeleteItemFromObject(ev->run, "client_properties");
        cJSON_AddItemToObject(ev->run, "client_properties", o);
}

void kp_evidence_run_fact(kp_evidence_t *ev, const char *key, const char *value)
{
        cJSON_DeleteItemFromObject(ev->facts, key);
        add_str(ev->facts, key, value);
}

void kp_evidence_run_controls(kp_evidence_t *ev, const kp_kvlist_t *controls)
{
        cJSON *sc = cJSON_GetObjectItemCaseSensitive(ev->run, "scenario"), *o;
        size_t i;

        if (!sc || !controls || controls->n == 0)
                return;
        cJSON_DeleteItemFromObject(sc, "controls");
        o = cJSON_AddObjectToObject(sc, "controls");
        for (i = 0; o && i < controls->n; i++) {
                cJSON *arr = cJSON_AddArrayToObject(o, controls->items[i].key);
                const char *p = controls->items[i].value;

                while (arr && *p) {
                        size_t n = strcspn(p, " ");
                        char id[72];

                        if (n > 0 && n < sizeof(id)) {
                                memcpy(id, p, n);
                                id[n] = '\0';
                                cJSON_AddItemToArray(arr, cJSON_CreateString(id));
                        }
                        p += n;
                        p += strspn(p, " ");
                }
        }
}

kp_check_t *kp_evidence_check_begin(kp_evidence_t *ev, const char *id, const char *row,
                                    const char *suite, const char *title)
{
        kp_check_t *c;
        char ts[40];

        if (ev->n == ev->cap) {
                size_t cap = ev->cap ? ev->cap * 2 : 32;
                kp_check_t **p = realloc(ev->list, cap * sizeof(*p));
                if (!p)
                        return NULL;
                ev->list = p;
                ev->cap = cap;
        }
        c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->obj = cJSON_CreateObject();
        cJSON_AddStringToObject(c->obj, "id", id);
        cJSON_AddStringToObject(c->obj, "row", row);
        cJSON_AddStringToObject(c->obj, "suite", suite);
        cJSON_AddStringToObject(c->obj, "title", title ? title : id);
        kp_time_iso(kp_wall_ns(), ts, sizeof(ts));
        cJSON_AddStringToObject(c->obj, "started_at", ts);
        snprintf(c->id, sizeof(c->id), "%s", id);
        snprintf(c->row, sizeof(c->row), "%s", row);
        c->measurements = cJSON_CreateArray();
        c->anomalies = cJSON_CreateArray();
        c->tables = cJSON_CreateArray();
        c->notes = cJSON_CreateArray();
        c->artifacts = cJSON_CreateArray();
        c->actions = cJSON_CreateArray();
        c->start_mono = kp_mono_ns();
        ev->list[ev->n++] = c;
        cJSON_AddItemToArray(ev->checks, c->obj);
        return c;
}

void kp_evidence_check_end(kp_evidence_t *ev, kp_check_t *c)
{
        (void)ev;
        if (c->verdict == KP_VERDICT_NONE)
                kp_check_error(c, "the check ended without a verdict");
        cJSON_AddStringToObject(c->obj, "verdict", kp_verdict_name(c->verdict));
        cJSON_AddStringToObject(c->obj, "reason", c->reason);
        cJSON_AddNumberToObject(c->obj, "duration_ms",
                                (double)((kp_mono_ns() - c->start_mono) / KP_NS_PER_MS));
        cJSON_AddItemToObject(c->obj, "measurements", c->measurements);
        cJSON_AddItemToObject(c->obj, "anomalies", c->anomalies);
        cJSON_AddItemToObject(c->obj, "tables", c->tables);
        cJSON_AddItemToObject(c->obj, "notes", c->notes);
        cJSON_AddItemToObject(c->obj, "actions", c->actions);
        cJSON_AddItemToObject(c->obj, "artifacts", c->artifacts);
        c->measurements = c->anomalies = c->tables = c->notes = c->artifacts = c->actions = NULL;
}

static int severity(kp_verdict_t v)
{
        static const int rank[] = {[KP_VERDICT_NONE] = 0,
                                   [KP_VERDICT_PASS] = 1,
                                   [KP_VERDICT_SKIP] = 2,
                                   [KP_VERDICT_FAIL] = 3,
                                   [KP_VERDICT_ERROR] = 4};
        return rank[v];
}

static void set_verdict(kp_check_t *c, kp_verdict_t v, const char *fmt, va_list ap)
{
        if (severity(v) < severity(c->verdict))
                return;
        if (severity(v) == severity(c->verdict) && c->reason[0])
                return; /* keep the first reason of equal severity */
        c->verdict = v;
        vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
        kp_redact_inplace(c->reason, sizeof(c->reason));
}

#define VERDICT_FN(fn, v)                                                                          \
        void fn(kp_check_t *c, const char *fmt, ...)                                               \
        {                                                                                          \
                va_list ap;                                                                        \
                va_start(ap, fmt);                                                                 \
                set_verdict(c, v, fmt, ap);                                                        \
                va_end(ap);                                                                        \
        }
VERDICT_FN(kp_check_pass, KP_VERDICT_PASS)
VERDICT_FN(kp_check_fail, KP_VERDICT_FAIL)
VERDICT_FN(kp_check_skip, KP_VERDICT_SKIP)
VERDICT_FN(kp_check_error, KP_VERDICT_ERROR)
#undef VERDICT_FN

kp_verdict_t kp_check_verdict(const kp_check_t *c)
{
        return c->verdict;
}

const char *kp_check_reason(const kp_check_t *c)
{
        return c->reason;
}

const char *kp_check_id(const kp_check_t *c)
{
        return c->id;
}

void kp_check_measure_ex(kp_check_t *c, const char *name, double value, const char *unit,
                         const kp_kvlist_t *labels, const char *formula)
{
        cJSON *m;
        size_t i;

        if (!c->measurements)
                return;
        m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "name", name);
        if (isfinite(value))
                cJSON_AddNumberToObject(m, "value", value);
        else
                cJSON_AddNullToObject(m, "value");
        cJSON_AddStringToObject(m, "unit", unit ? unit : "");
        if (labels && labels->n) {
                cJSON *l = cJSON_AddObjectToObject(m, "labels");
                for (i = 0; i < labels->n; i++)
                        cJSON_AddStringToObject(l, labels->items[i].key, labels->items[i].value);
        }
        if (formula)
                cJSON_AddStringToObject(m, "formula", formula);
        cJSON_AddItemToArray(c->measurements, m);
}

void kp_check_measure(kp_check_t *c, const char *name, double value, const char *unit)
{
        kp_check_measure_ex(c, name, value, unit, NULL, NULL);
}

int kp_check_measurement(const kp_check_t *c, const char *name, double *value)
{
        const cJSON *arr = c->measurements
                               ? c->measurements
                               : cJSON_GetObjectItemCaseSensitive(c->obj, "measurements");
        const cJSON *m;

        cJSON_ArrayForEach(m, arr)
        {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(m, "name");
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
                if (cJSON_GetObjectItemCaseSensitive(m, "labels"))
                        continue;
                if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0 && cJSON_IsNumber(v)) {
                        *value = v->valuedouble;
                        return 0;
                }
        }
        return -1;
}

void kp_check_note(kp_check_t *c, const char *fmt, ...)
{
        char line[1024];
        va_list ap;

        if (!c->notes)
                return;
        if (c->n_notes == MAX_NOTES) {
                cJSON_AddItemToArray(c->notes, cJSON_CreateString("(further notes omitted)"));
                c->n_notes++;
                return;
        }
        if (c->n_notes > MAX_NOTES)
                return;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        cJSON_AddItemToArray(c->notes, cJSON_CreateString(line));
        c->n_notes++;
}

kp_anomaly_t *kp_check_anomaly(kp_check_t *c, const char *kind, uint64_t count, int allowed,
                               const char *description)
{
        kp_anomaly_t *a;
        cJSON *o;

        if (!c->anomalies || c->n_anoms == (int)(sizeof(c->anoms) / sizeof(c->anoms[0])))
                return NULL;
        a = calloc(1, sizeof(*a));
        if (!a)
                return NULL;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", kind);
        cJSON_AddNumberToObject(o, "count", (double)count);
        cJSON_AddBoolToObject(o, "allowed", allowed);
        cJSON_AddStringToObject(o, "description", description ? description : "");
        a->examples = cJSON_AddArrayToObject(o, "examples");
        cJSON_AddItemToArray(c->anomalies, o);
        c->anoms[c->n_anoms++] = a;
        return a;
}

void kp_anomaly_example(kp_anomaly_t *a, int32_t partition, int64_t offset, int producer,
                        int64_t seq, const char *detail)
{
        cJSON *o;

        if (!a || a->n_examples >= MAX_EXAMPLES)
                return;
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "partition", partition);
        cJSON_AddNumberToObject(o, "offset", (double)offset);
        cJSON_AddNumberToObject(o, "producer", producer);
        cJSON_AddNumberToObject(o, "seq", (double)seq);
        if (detail)
                cJSON_AddStringToObject(o, "detail", detail);
        cJSON_AddItemToArray(a->examples, o);
        a->n_examples++;
}

kp_table_t *kp_check_table(kp_check_t *c, const char *title, const char *const *columns,
                           size_t n_columns)
{
        kp_table_t *t;
        cJSON *o, *cols;
        size_t i;

        if (!c->tables || c->n_tabs == (int)(sizeof(c->tabs) / sizeof(c->tabs[0])))
                return NULL;
        t = calloc(1, sizeof(*t));
        if (!t)
                return NULL;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "title", title);
        cols = cJSON_AddArrayToObject(o, "columns");
        for (i = 0; i < n_columns; i++)
                cJSON_AddItemToArray(cols, cJSON_CreateString(columns[i]));
        t->rows = cJSON_AddArrayToObject(o, "rows");
        t->n_columns = n_columns;
        cJSON_AddItemToArray(c->tables, o);
        c->tabs[c->n_tabs++] = t;
        return t;
}

void kp_table_row(kp_table_t *t, const char *const *cells)
{
        cJSON *r;
        size_t i;

        if (!t)
                return;
        r = cJSON_CreateArray();
        for (i = 0; i < t->n_columns; i++)
                cJSON_AddItemToArray(r, cJSON_CreateString(cells[i] ? cells[i] : ""));
        cJSON_AddItemToArray(t->rows, r);
}

void kp_check_artifact(kp_check_t *c, const char *path, const char *kind, const char *title)
{
        cJSON *o;

        if (!c->artifacts)
                return;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", path);
        cJSON_AddStringToObject(o, "kind", kind);
        cJSON_AddStringToObject(o, "title", title ? title : path);
        cJSON_AddItemToArray(c->artifacts, o);
}

void kp_check_action(kp_check_t *c, const kp_ctl_req_t *req, const kp_ctl_res_t *res,
                     const kp_err_t *err)
{
        char desc[512];
        cJSON *o;

        if (!c || !c->actions || c->n_actions >= MAX_ACTIONS)
                return;
        kp_ctl_req_describe(req, desc, sizeof(desc));
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "operation", kp_ctl_op_names[req->op]);
        cJSON_AddStringToObject(o, "request", desc);
        if (res) {
                cJSON_AddNumberToObject(o, "duration_ms",
                                        (double)(res->duration_ns / KP_NS_PER_MS));
                if (res->command[0])
                        cJSON_AddStringToObject(o, "command", res->command);
                if (res->exit_code != 0 || res->command[0])
                        cJSON_AddNumberToObject(o, "exit_code", res->exit_code);
                if (res->output[0])
                        cJSON_AddStringToObject(o, "output_tail", res->output);
                if (res->has_value)
                        cJSON_AddNumberToObject(o, "value", (double)res->value);
        }
        cJSON_AddBoolToObject(o, "ok", !err || err->code == KP_OK);
        if (err && err->code != KP_OK)
                cJSON_AddStringToObject(o, "error", err->msg);
        cJSON_AddItemToArray(c->actions, o);
        c->n_actions++;
}

void kp_evidence_gate(kp_evidence_t *ev, const char *check_id, const char *name, const char *op,
                      double threshold, double observed, const char *unit, int passed,
                      const char *note)
{
        cJSON *g = cJSON_CreateObject();

        cJSON_AddStringToObject(g, "name", name);
        cJSON_AddStringToObject(g, "check", check_id);
        cJSON_AddStringToObject(g, "op", op);
        cJSON_AddNumberToObject(g, "threshold", threshold);
        if (isnan(observed)) {
                cJSON_AddNullToObject(g, "observed");
                cJSON_AddNullToObject(g, "passed");
        } else {
                cJSON_AddNumberToObject(g, "observed", observed);
                cJSON_AddBoolToObject(g, "passed", passed);
        }
        cJSON_AddStringToObject(g, "unit", unit ? unit : "");
        if (note)
                cJSON_AddStringToObject(g, "note", note);
        cJSON_AddItemToArray(ev->gates, g);
}

void kp_evidence_summarize(const kp_evidence_t *ev, kp_evidence_summary_t *s)
{
        const cJSON *g;
        size_t i;

        memset(s, 0, sizeof(*s));
        for (i = 0; i < ev->n; i++) {
                s->checks++;
                switch (ev->list[i]->verdict) {
                case KP_VERDICT_PASS:
                        s->pass++;
                        break;
                case KP_VERDICT_SKIP:
                        s->skip++;
                        break;
                case KP_VERDICT_FAIL:
                        s->fail++;
                        break;
                default:
                        s->error++;
                        break;
                }
        }
        cJSON_ArrayForEach(g, ev->gates)
        {
                const cJSON *p = cJSON_GetObjectItemCaseSensitive(g, "passed");
                s->gates++;
                if (cJSON_IsNull(p))
                        s->gates_not_evaluated++;
                else if (!cJSON_IsTrue(p))
                        s->gates_missed++;
        }
        if (!ev->complete)
                s->exit_code = KP_EXIT_INFRA; /* an interrupted run proves nothing either way */
        else if (s->fail || s->gates_missed)
                s->exit_code = KP_EXIT_FAIL;
        else if (s->error)
                s->exit_code = KP_EXIT_INFRA;
        else
                s->exit_code = KP_EXIT_OK;
}

void kp_evidence_finish(kp_evidence_t *ev, int complete, const char *incomplete_reason)
{
        char ts[40];

        kp_time_iso(kp_wall_ns(), ts, sizeof(ts));
        cJSON_ReplaceItemInObject(ev->run, "finished_at", cJSON_CreateString(ts));
        cJSON_ReplaceItemInObject(ev->run, "complete", cJSON_CreateBool(complete));
        ev->complete = complete;
        if (!complete && incomplete_reason)
                add_str(ev->run, "incomplete_reason", incomplete_reason);
}

/* Row verdict from its checks: FAIL if any failed; PASS if some passed and
 * all passed; PARTIAL if some passed and others were skipped or errored;
 * NOT TESTED when none passed or failed. */
static cJSON *build_rows(const kp_evidence_t *ev)
{
        cJSON *rows = cJSON_CreateArray();
        size_t r, i;

        for (r = 0; r < kp_n_rows; r++) {
                cJSON *o = cJSON_CreateObject(), *ids;
                int pass = 0, fail = 0, skip = 0, error = 0;
                const char *verdict;

                cJSON_AddStringToObject(o, "id", kp_rows[r].id);
                cJSON_AddStringToObject(o, "title", kp_rows[r].title);
                cJSON_AddStringToObject(o, "question", kp_rows[r].question);
                ids = cJSON_CreateArray();
                for (i = 0; i < ev->n; i++) {
                        const kp_check_t *c = ev->list[i];
                        if (strcmp(c->row, kp_rows[r].id) != 0)
                                continue;
                        cJSON_AddItemToArray(ids, cJSON_CreateString(c->id));
                        switch (c->verdict) {
                        case KP_VERDICT_PASS:
                                pass++;
                                break;
                        case KP_VERDICT_FAIL:
                                fail++;
                                break;
                        case KP_VERDICT_SKIP:
                                skip++;
                                break;
                        default:
                                error++;
                        }
                }
                if (fail)
                        verdict = "FAIL";
                else if (pass && !skip && !error)
                        verdict = "PASS";
                else if (pass)
                        verdict = "PARTIAL";
                else
                        verdict = "NOT TESTED";
                cJSON_AddStringToObject(o, "verdict", verdict);
                cJSON_AddNumberToObject(o, "pass", pass);
                cJSON_AddNumberToObject(o, "fail", fail);
                cJSON_AddNumberToObject(o, "skip", skip);
                cJSON_AddNumberToObject(o, "error", error);
                cJSON_AddItemToObject(o, "checks", ids);
                cJSON_AddItemToArray(rows, o);
        }
        return rows;
}

int kp_evidence_write(kp_evidence_t *ev, const char *path, kp_err_t *err)
{
        kp_evidence_summary_t s;
        cJSON *sum;
        char *text;
        int rc;

        kp_evidence_summarize(ev, &s);
        cJSON_DeleteItemFromObject(ev->root, "rows");
        cJSON_DeleteItemFromObject(ev->root, "summary");
        cJSON_AddItemToObject(ev->root, "rows", build_rows(ev));
        cJSON_AddItemToObject(ev->root, "checks", ev->checks);
        cJSON_AddItemToObject(ev->root, "gates", ev->gates);
        sum = cJSON_AddObjectToObject(ev->root, "summary");
        cJSON_AddNumberToObject(sum, "checks", s.checks);
        cJSON_AddNumberToObject(sum, "pass", s.pass);
        cJSON_AddNumberToObject(sum, "fail", s.fail);
        cJSON_AddNumberToObject(sum, "skip", s.skip);
        cJSON_AddNumberToObject(sum, "error", s.error);
        cJSON_AddNumberToObject(sum, "gates", s.gates);
        cJSON_AddNumberToObject(sum, "gates_missed", s.gates_missed);
        cJSON_AddNumberToObject(sum, "gates_not_evaluated", s.gates_not_evaluated);
        cJSON_AddNumberToObject(sum, "exit_code", s.exit_code);
        text = cJSON_Print(ev->root);
        /* checks and gates stay owned by ev across writes */
        cJSON_DetachItemViaPointer(ev->root, ev->checks);
        cJSON_DetachItemViaPointer(ev->root, ev->gates);
        if (!text)
                return kp_err_set(err, KP_ENOMEM, "%s: out of memory", path);
        rc = kp_write_file(path, text, strlen(text), 0644, err);
        free(text);
        return rc;
}
