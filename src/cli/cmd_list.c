/*
 * kproof list: the suites built into this kproof, their checks with the
 * checklist row of each and what makes each pass, fail, skip and error, the
 * checks each needs, the file holding each check's body, the gates a
 * scenario may set and the options of each suite (name, type, range,
 * default, help).
 */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "opt.h"
#include "evidence/rows.h"
#include "suites/registry.h"
#include "util/timeutil.h"

static int as_json;

static const kp_opt_t opts[] = {
    {"json", 0, KP_OPT_FLAG, NULL, "print JSON instead of text", &as_json},
};

static const kp_cmd_spec_t spec = {
    "list",
    "[--json]",
    "List suites, their checks with checklist rows, what makes each pass, fail, skip and "
    "error and the source file of each, the gates and the scenario options of each suite.",
    NULL,
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

/* A missing description is null, so a test can find it. */
static void add_when(cJSON *o, const char *key, const char *text)
{
        if (text && *text)
                cJSON_AddStringToObject(o, key, text);
        else
                cJSON_AddNullToObject(o, key);
}

static void print_when(const char *what, const char *text)
{
        printf("      %-6s %s\n", what, text && *text ? text : "(not described)");
}

/* The suite's scenario options: name, type, range, default and help. */
static void add_options(cJSON *so, const kp_suite_def_t *s)
{
        cJSON *os = cJSON_AddArrayToObject(so, "options");
        char range[512], def[128];
        size_t j, k;

        for (j = 0; j < s->n_options; j++) {
                const kp_option_def_t *d = &s->options[j];
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", d->name);
                cJSON_AddStringToObject(o, "type", kp_option_type_name(d->type));
                cJSON_AddBoolToObject(o, "required", d->required);
                if (d->type == KP_OPTION_INT) {
                        cJSON_AddNumberToObject(o, "min", (double)d->lo);
                        cJSON_AddNumberToObject(o, "max", (double)d->hi);
                } else if (d->type == KP_OPTION_DOUBLE) {
                        cJSON_AddNumberToObject(o, "min", d->dlo);
                        cJSON_AddNumberToObject(o, "max", d->dhi);
                        cJSON_AddBoolToObject(o, "min_exclusive", d->positive);
                } else if (d->type == KP_OPTION_DURATION) {
                        kp_duration_format(d->lo, range, sizeof(range));
                        cJSON_AddStringToObject(o, "min", range);
                        kp_duration_format(d->hi, range, sizeof(range));
                        cJSON_AddStringToObject(o, "max", range);
                } else if (d->type == KP_OPTION_LIST) {
                        cJSON_AddNumberToObject(o, "min_items", (double)d->lo);
                }
                if (d->choices) {
                        cJSON *c = cJSON_AddArrayToObject(o, "choices");
                        for (k = 0; d->choices[k]; k++)
                                cJSON_AddItemToArray(c, cJSON_CreateString(d->choices[k]));
                }
                kp_option_default_text(d, def, sizeof(def));
                if (d->type == KP_OPTION_BOOL)
                        cJSON_AddBoolToObject(o, "default", d->def != 0);
                else if (*def && d->type == KP_OPTION_INT)
                        cJSON_AddNumberToObject(o, "default", (double)d->def);
                else if (*def && d->type == KP_OPTION_DOUBLE)
                        cJSON_AddNumberToObject(o, "default", d->ddef);
                else if (*def)
                        cJSON_AddStringToObject(o, "default", def);
                cJSON_AddStringToObject(o, "help", d->help ? d->help : "");
                cJSON_AddItemToArray(os, o);
        }
}

static void print_options(const kp_suite_def_t *s)
{
        char range[512], def[128];
        size_t j;

        for (j = 0; j < s->n_options; j++) {
                const kp_option_def_t *d = &s->options[j];
                kp_option_range_text(d, range, sizeof(range));
                kp_option_default_text(d, def, sizeof(def));
                printf("  option %-27s %s%s%s%s%s%s\n", d->name, kp_option_type_name(d->type),
                       *range ? " " : "", range, d->required ? ", required" : "",
                       *def ? ", default " : "", def);
                printf("      %s\n", d->help ? d->help : "");
        }
}

static void print_json(void)
{
        cJSON *root = cJSON_CreateObject(), *suites, *rows;
        size_t i, j;
        char *text;

        rows = cJSON_AddArrayToObject(root, "rows");
        for (i = 0; i < kp_n_rows; i++) {
                cJSON *r = cJSON_CreateObject();
                cJSON_AddStringToObject(r, "id", kp_rows[i].id);
                cJSON_AddStringToObject(r, "question", kp_rows[i].question);
                cJSON_AddItemToArray(rows, r);
        }
        suites = cJSON_AddArrayToObject(root, "suites");
        for (i = 0; i < kp_builtin_suites.n; i++) {
                const kp_suite_def_t *s = kp_builtin_suites.suites[i];
                cJSON *so = cJSON_CreateObject(), *cs, *gs;
                cJSON_AddStringToObject(so, "name", s->name);
                cJSON_AddStringToObject(so, "title", s->title);
                cs = cJSON_AddArrayToObject(so, "checks");
                for (j = 0; j < s->n_checks; j++) {
                        cJSON *c = cJSON_CreateObject();
                        cJSON_AddStringToObject(c, "id", s->checks[j].id);
                        cJSON_AddStringToObject(c, "row", s->checks[j].row);
                        const kp_check_def_t *d = &s->checks[j];
                        cJSON *needs;
                        size_t k;
                        cJSON_AddStringToObject(c, "title", d->title);
                        needs = cJSON_AddArrayToObject(c, "needs");
                        for (k = 0; k < KP_CHECK_MAX_NEEDS && d->needs[k]; k++)
                                cJSON_AddItemToArray(needs, cJSON_CreateString(d->needs[k]));
                        add_when(c, "pass_when", d->pass_when);
                        add_when(c, "fail_when", d->fail_when);
                        add_when(c, "skip_when", d->skip_when);
                        add_when(c, "error_when", d->error_when);
                        add_when(c, "source", d->source);
                        cJSON_AddItemToArray(cs, c);
                }
                gs = cJSON_AddArrayToObject(so, "gates");
                for (j = 0; j < s->n_gates; j++) {
                        cJSON *g = cJSON_CreateObject();
                        cJSON_AddStringToObject(g, "name", s->gates[j].name);
                        cJSON_AddStringToObject(g, "check", s->gates[j].check);
                        cJSON_AddStringToObject(g, "measurement", s->gates[j].measurement);
                        cJSON_AddStringToObject(g, "op",
                                                s->gates[j].op == KP_GATE_AT_MOST ? "<=" : ">=");
                        cJSON_AddStringToObject(g, "unit", s->gates[j].unit);
                        if (s->gates[j].has_default)
                                cJSON_AddNumberToObject(g, "default",
                                                        s->gates[j].default_threshold);
                        cJSON_AddItemToArray(gs, g);
                }
                add_options(so, s);
                cJSON_AddItemToArray(suites, so);
        }
        text = cJSON_Print(root);
        if (text)
                printf("%s\n", text);
        cJSON_free(text);
        cJSON_Delete(root);
}

int kp_cmd_list(int argc, char **argv)
{
        const char *pos[1];
        size_t n, i, j;
        int rc;

        if (kp_cli_parse(&spec, argc, argv, pos, 0, &n, &rc))
                return rc;
        if (as_json) {
                print_json();
                return 0;
        }
        for (i = 0; i < kp_builtin_suites.n; i++) {
                const kp_suite_def_t *s = kp_builtin_suites.suites[i];
                printf("suite %s — %s\n", s->name, s->title);
                for (j = 0; j < s->n_checks; j++) {
                        const kp_check_def_t *d = &s->checks[j];
                        size_t k;
                        printf("  %-34s row %-20s %s\n", d->id, d->row, d->title);
                        for (k = 0; k < KP_CHECK_MAX_NEEDS && d->needs[k]; k++)
                                printf("      %-6s %s\n", k ? "" : "needs", d->needs[k]);
                        print_when("pass", d->pass_when);
                        print_when("fail", d->fail_when);
                        print_when("skip", d->skip_when);
                        print_when("error", d->error_when);
                        print_when("source", d->source);
                }
                for (j = 0; j < s->n_gates; j++) {
                        printf("  gate %-29s %s %s of %s%s\n", s->gates[j].name,
                               s->gates[j].op == KP_GATE_AT_MOST ? "max" : "min",
                               s->gates[j].measurement, s->gates[j].check,
                               s->gates[j].has_default ? " (on by default)" : "");
                }
                print_options(s);
                printf("\n");
        }
        printf("checklist rows:\n");
        for (i = 0; i < kp_n_rows; i++)
                printf("  %-20s %s\n", kp_rows[i].id, kp_rows[i].question);
        return 0;
}
