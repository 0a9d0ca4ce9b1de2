/* Over 600 lines: the evidence document's writer and its checkpoint reader are one format and
 * change together. */
#include "evidence/evidence.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "kp_version.h"
#include "evidence/rows.h"
#include "util/secret.h"
#include "util/timeutil.h"

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
        char answer[512];
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
        int allow_all_skipped;
        char incomplete_reason[1024];
};

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
        cJSON_AddBoolToObject(sc, "allow_all_skipped", m->allow_all_skipped);
        ev->allow_all_skipped = m->allow_all_skipped;
        ev->checks = cJSON_CreateArray();
        ev->gates = cJSON_CreateArray();
        return ev;
}

static int list_push(kp_evidence_t *ev, kp_check_t *c)
{
        if (ev->n == ev->cap) {
                size_t cap = ev->cap ? ev->cap * 2 : 32;
                kp_check_t **p = realloc(ev->list, cap * sizeof(*p));
                if (!p)
                        return -1;
                ev->list = p;
                ev->cap = cap;
        }
        ev->list[ev->n++] = c;
        return 0;
}

/* A check of a checkpoint: ended, so its parts are attached to its object. */
static kp_check_t *check_from_json(cJSON *obj)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "verdict");
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(obj, "reason");
        const cJSON *answer = cJSON_GetObjectItemCaseSensitive(obj, "answer");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
        const cJSON *row = cJSON_GetObjectItemCaseSensitive(obj, "row");
        kp_verdict_t verdict;
        kp_check_t *c;

        if (!cJSON_IsString(v) || kp_verdict_parse(v->valuestring, &verdict) < 0 ||
            !cJSON_IsString(id) || !cJSON_IsString(row))
                return NULL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->obj = obj;
        c->verdict = verdict;
        snprintf(c->reason, sizeof(c->reason), "%s",
                 cJSON_IsString(reason) ? reason->valuestring : "");
        snprintf(c->answer, sizeof(c->answer), "%s",
                 cJSON_IsString(answer) ? answer->valuestring : "");
        snprintf(c->id, sizeof(c->id), "%s", id->valuestring);
        snprintf(c->row, sizeof(c->row), "%s", row->valuestring);
        return c;
}

kp_evidence_t *kp_evidence_load(const char *path, kp_err_t *err)
{
        kp_evidence_t *ev = calloc(1, sizeof(*ev));
        const cJSON *sc;
        cJSON *it, *next;
        kp_buf_t b;

        kp_buf_init(&b, (size_t)1 << 30);
        if (!ev) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto fail;
        }
        if (kp_read_file(path, (size_t)1 << 30, &b, err) < 0)
                goto fail;
        ev->root = cJSON_Parse(kp_buf_cstr(&b));
        ev->run = cJSON_GetObjectItemCaseSensitive(ev->root, "run");
        if (!cJSON_IsObject(ev->run)) {
                kp_err_set(err, KP_EIO, "%s: not an evidence document", path);
                goto fail;
        }
        ev->facts = cJSON_GetObjectItemCaseSensitive(ev->run, "facts");
        if (!ev->facts)
                ev->facts = cJSON_AddObjectToObject(ev->run, "facts");
        sc = cJSON_GetObjectItemCaseSensitive(ev->run, "scenario");
        ev->allow_all_skipped =
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sc, "allow_all_skipped"));
        ev->checks = cJSON_DetachItemFromObject(ev->root, "checks");
        ev->gates = cJSON_DetachItemFromObject(ev->root, "gates");
        cJSON_DeleteItemFromObject(ev->root, "rows");
        cJSON_DeleteItemFromObject(ev->root, "summary");
        if (!cJSON_IsArray(ev->checks)) {
                cJSON_Delete(ev->checks);
                ev->checks = cJSON_CreateArray();
        }
        if (!cJSON_IsArray(ev->gates)) {
                cJSON_Delete(ev->gates);
                ev->gates = cJSON_CreateArray();
        }
        for (it = ev->checks->child; it; it = next) {
                kp_check_t *c = check_from_json(it);
                next = it->next;
                if (!c) {
                        /* begun, never ended: what it recorded is not trusted */
                        cJSON_Delete(cJSON_DetachItemViaPointer(ev->checks, it));
                        continue;
                }
                if (list_push(ev, c) < 0) {
                        free(c);
                        kp_err_set(err, KP_ENOMEM, "out of memory");
                        goto fail;
                }
        }
        kp_buf_free(&b);
        return ev;
fail:
        kp_buf_free(&b);
        kp_evidence_free(ev);
        return NULL;
}

kp_check_t *kp_evidence_find_check(const kp_evidence_t *ev, const char *id)
{
        size_t i;

        for (i = ev->n; i > 0; i--)
                if (strcmp(ev->list[i - 1]->id, id) == 0)
                        return ev->list[i - 1];
        return NULL;
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

static cJSON *masked_props(const kp_kvlist_t *props);

void kp_evidence_client_props(kp_evidence_t *ev, const kp_kvlist_t *props)
{
        cJSON *o = masked_props(props);

        cJSON_DeleteItemFromObject(ev->run, "client_properties");
        cJSON_AddItemToObject(ev->run, "client_properties", o);
}

static cJSON *masked_props(const kp_kvlist_t *props)
{
        cJSON *o = cJSON_CreateObject();
        size_t i;

        for (i = 0; props && i < props->n; i++)
                cJSON_AddStringToObject(o, props->items[i].key,
                                        kp_secret_key_is_sensitive(props->items[i].key)
                                            ? KP_REDACTED
                                            : props->items[i].value);
        return o;
}

void kp_evidence_suite_client(kp_evidence_t *ev, const char *suite, const char *profile,
                              const kp_kvlist_t *producer, const kp_kvlist_t *consumer)
{
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(ev->run, "client_config"), *o;

        if (!arr)
                arr = cJSON_AddArrayToObject(ev->run, "client_config");
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "suite", suite);
        cJSON_AddStringToObject(o, "profile", profile);
        cJSON_AddItemToObject(o, "producer", masked_props(producer));
        cJSON_AddItemToObject(o, "consumer", masked_props(consumer));
        cJSON_AddItemToArray(arr, o);
}

void kp_evidence_run_json(kp_evidence_t *ev, const char *key, cJSON *value)
{
        if (!value)
                return;
        cJSON_DeleteItemFromObject(ev->run, key);
        cJSON_AddItemToObject(ev->run, key, value);
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

        c = calloc(1, sizeof(*c));
        if (!c || list_push(ev, c) < 0) {
                free(c);
                return NULL;
        }
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
        if (c->answer[0])
                cJSON_AddStringToObject(c->obj, "answer", c->answer);
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

static void set_verdict(kp_check_t *c, kp_verdict_t v, const char *fmt, va_list ap)
{
        if (!kp_verdict_replaces(c->verdict, c->reason[0] != '\0', v))
                return;
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
void kp_check_answer(kp_check_t *c, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(c->answer, sizeof(c->answer), fmt, ap);
        va_end(ap);
        kp_redact_inplace(c->answer, sizeof(c->answer));
}

const char *kp_check_answer_text(const kp_check_t *c)
{
        return c->answer;
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

void kp_check_mark_better(kp_check_t *c, const char *(*better)(const char *name, const void *arg),
                          const void *arg)
{
        cJSON *m;

        cJSON_ArrayForEach(m, c->measurements)
        {
                const char *name =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "name"));
                const char *b = name ? better(name, arg) : NULL;
                if (b && !cJSON_GetObjectItemCaseSensitive(m, "better"))
                        cJSON_AddStringToObject(m, "better", b);
        }
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
        if (isnan(observed))
                cJSON_AddBoolToObject(g, "blocking", 1);
        cJSON_AddItemToArray(ev->gates, g);
}

void kp_evidence_gate_not_evaluated(kp_evidence_t *ev, const char *check_id, const char *name,
                                    const char *op, double threshold, const char *unit,
                                    const char *note, int blocking)
{
        cJSON *g;

        kp_evidence_gate(ev, check_id, name, op, threshold, NAN, unit, 0, note);
        g = cJSON_GetArrayItem(ev->gates, cJSON_GetArraySize(ev->gates) - 1);
        cJSON_ReplaceItemInObject(g, "blocking", cJSON_CreateBool(blocking));
}

/* The tally of one row's checks (row NULL: every check). */
static void tally(const kp_evidence_t *ev, const char *row, kp_tally_t *t)
{
        size_t i;

        memset(t, 0, sizeof(*t));
        for (i = 0; i < ev->n; i++)
                if (!row || strcmp(ev->list[i]->row, row) == 0)
                        kp_tally_add(t, ev->list[i]->verdict);
}

void kp_evidence_summarize(const kp_evidence_t *ev, kp_evidence_summary_t *s)
{
        kp_run_outcome_t o;
        const cJSON *g;
        size_t r;

        memset(s, 0, sizeof(*s));
        memset(&o, 0, sizeof(o));
        tally(ev, NULL, &o.checks);
        s->checks = o.checks.checks;
        s->pass = o.checks.pass;
        s->fail = o.checks.fail;
        s->skip = o.checks.skip;
        s->error = o.checks.error;
        cJSON_ArrayForEach(g, ev->gates)
        {
                const cJSON *p = cJSON_GetObjectItemCaseSensitive(g, "passed");
                s->gates++;
                if (cJSON_IsNull(p)) {
                        s->gates_not_evaluated++;
                        if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(g, "blocking")))
                                s->gates_not_evaluated_blocking++;
                } else if (!cJSON_IsTrue(p)) {
                        s->gates_missed++;
                }
        }
        for (r = 0; r < kp_n_rows; r++) {
                kp_tally_t t;
                tally(ev, kp_rows[r].id, &t);
                if (kp_verdict_row(&t) == KP_ROW_SKIPPED)
                        s->rows_skipped++;
        }
        o.complete = ev->complete;
        o.gates_missed = s->gates_missed;
        o.gates_not_evaluated = s->gates_not_evaluated_blocking;
        o.rows_skipped = s->rows_skipped;
        o.allow_all_skipped = ev->allow_all_skipped;
        s->nothing_verified = kp_verdict_nothing_verified(&o);
        s->exit_code = kp_verdict_exit_code(&o);
        s->verdict = kp_verdict_run(&o);
}

void kp_evidence_mark_incomplete(kp_evidence_t *ev, const char *reason)
{
        if (!ev->incomplete_reason[0])
                snprintf(ev->incomplete_reason, sizeof(ev->incomplete_reason), "%s",
                         reason && reason[0] ? reason : "incomplete");
}

int kp_evidence_complete(const kp_evidence_t *ev)
{
        return ev->complete;
}

void kp_evidence_finish(kp_evidence_t *ev, int complete, const char *incomplete_reason)
{
        char ts[40];

        if (!complete)
                kp_evidence_mark_incomplete(ev, incomplete_reason);
        complete = complete && !ev->incomplete_reason[0];
        kp_time_iso(kp_wall_ns(), ts, sizeof(ts));
        cJSON_ReplaceItemInObject(ev->run, "finished_at", cJSON_CreateString(ts));
        cJSON_ReplaceItemInObject(ev->run, "complete", cJSON_CreateBool(complete));
        ev->complete = complete;
        cJSON_DeleteItemFromObject(ev->run, "incomplete_reason");
        if (!complete)
                add_str(ev->run, "incomplete_reason", ev->incomplete_reason);
}

#define ANSWER_PARTS 3

/* The verdict of the checks that decide a row's state: the failed ones of a
 * FAIL row, the errors of an ERROR row, the passed ones of a PASS or PARTIAL
 * row, the skipped ones of a SKIPPED row. */
static kp_verdict_t decisive(kp_row_state_t st)
{
        switch (st) {
        case KP_ROW_FAIL:
                return KP_VERDICT_FAIL;
        case KP_ROW_ERROR:
                return KP_VERDICT_ERROR;
        case KP_ROW_PASS:
        case KP_ROW_PARTIAL:
                return KP_VERDICT_PASS;
        case KP_ROW_SKIPPED:
                return KP_VERDICT_SKIP;
        default:
                return KP_VERDICT_NONE;
        }
}

/* The row's one-line answer from its decisive checks, at most ANSWER_PARTS
 * of them, joined by "; ", with the ids they came from: a passed check's
 * answer (its reason when it recorded none); a failed, errored or skipped
 * check's reason, which says what went wrong even when a gate failed a
 * check whose answer reads well. Nothing for a row that was not tested. */
static void row_answer(const kp_evidence_t *ev, const char *row, kp_row_state_t st, cJSON *o)
{
        kp_verdict_t want = decisive(st);
        cJSON *from;
        kp_buf_t b;
        size_t i;
        int n = 0, more = 0;

        if (want == KP_VERDICT_NONE)
                return;
        kp_buf_init(&b, 4096);
        from = cJSON_CreateArray();
        for (i = 0; i < ev->n; i++) {
                const kp_check_t *c = ev->list[i];
                kp_verdict_t v = c->verdict == KP_VERDICT_NONE ? KP_VERDICT_ERROR : c->verdict;
                if (strcmp(c->row, row) != 0 || v != want)
                        continue;
                if (n == ANSWER_PARTS) {
                        more++;
                        continue;
                }
                kp_buf_printf(&b, "%s%s", n ? "; " : "",
                              v == KP_VERDICT_PASS && c->answer[0] ? c->answer : c->reason);
                cJSON_AddItemToArray(from, cJSON_CreateString(c->id));
                n++;
        }
        if (more)
                kp_buf_printf(&b, " (and %d more check%s)", more, more == 1 ? "" : "s");
        if (st == KP_ROW_PARTIAL) {
                int skipped = 0;
                for (i = 0; i < ev->n; i++)
                        skipped += strcmp(ev->list[i]->row, row) == 0 &&
                                   ev->list[i]->verdict == KP_VERDICT_SKIP;
                kp_buf_printf(&b, "; %d check%s skipped with a reason", skipped,
                              skipped == 1 ? "" : "s");
        }
        cJSON_AddStringToObject(o, "answer", kp_buf_cstr(&b));
        cJSON_AddItemToObject(o, "answer_from", from);
        kp_buf_free(&b);
}

/* One object per checklist row: its state (kp_verdict_row), the counts,
 * the ids of its checks and its one-line answer (row_answer). */
static cJSON *build_rows(const kp_evidence_t *ev)
{
        cJSON *rows = cJSON_CreateArray();
        size_t r, i;

        for (r = 0; r < kp_n_rows; r++) {
                cJSON *o = cJSON_CreateObject(), *ids;
                kp_tally_t t;

                cJSON_AddStringToObject(o, "id", kp_rows[r].id);
                cJSON_AddStringToObject(o, "title", kp_rows[r].title);
                cJSON_AddStringToObject(o, "question", kp_rows[r].question);
                ids = cJSON_CreateArray();
                for (i = 0; i < ev->n; i++)
                        if (strcmp(ev->list[i]->row, kp_rows[r].id) == 0)
                                cJSON_AddItemToArray(ids, cJSON_CreateString(ev->list[i]->id));
                tally(ev, kp_rows[r].id, &t);
                cJSON_AddStringToObject(o, "verdict", kp_row_state_name(kp_verdict_row(&t)));
                row_answer(ev, kp_rows[r].id, kp_verdict_row(&t), o);
                cJSON_AddNumberToObject(o, "pass", t.pass);
                cJSON_AddNumberToObject(o, "fail", t.fail);
                cJSON_AddNumberToObject(o, "skip", t.skip);
                cJSON_AddNumberToObject(o, "error", t.error);
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
        cJSON_AddStringToObject(sum, "verdict", kp_run_verdict_name(s.verdict));
        cJSON_AddNumberToObject(sum, "checks", s.checks);
        cJSON_AddNumberToObject(sum, "pass", s.pass);
        cJSON_AddNumberToObject(sum, "fail", s.fail);
        cJSON_AddNumberToObject(sum, "skip", s.skip);
        cJSON_AddNumberToObject(sum, "error", s.error);
        cJSON_AddNumberToObject(sum, "gates", s.gates);
        cJSON_AddNumberToObject(sum, "gates_missed", s.gates_missed);
        cJSON_AddNumberToObject(sum, "gates_not_evaluated", s.gates_not_evaluated);
        cJSON_AddNumberToObject(sum, "gates_not_evaluated_blocking",
                                s.gates_not_evaluated_blocking);
        cJSON_AddNumberToObject(sum, "rows_skipped", s.rows_skipped);
        cJSON_AddBoolToObject(sum, "nothing_verified", s.nothing_verified);
        cJSON_AddBoolToObject(sum, "allow_all_skipped", ev->allow_all_skipped);
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
