#include "opt.h"

#include <string.h>

void kp_opt_help(const kp_cmd_spec_t *spec, FILE *out)
{
        size_t i;

        fprintf(out, "usage: kproof %s %s\n\n%s\n", spec->name, spec->usage, spec->summary);
        if (spec->n_opts)
                fprintf(out, "\noptions:\n");
        for (i = 0; i < spec->n_opts; i++) {
                const kp_opt_t *o = &spec->opts[i];
                char lhs[96];
                if (o->short_name)
                        snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->short_name, o->name,
                                 o->arg ? " " : "", o->arg ? o->arg : "");
                else
                        snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name, o->arg ? " " : "",
                                 o->arg ? o->arg : "");
                fprintf(out, "  %-30s %s%s\n", lhs, o->help,
                        o->type == KP_OPT_LIST ? " (repeatable)" : "");
        }
        fprintf(out, "  %-30s %s\n", "-h, --help", "show this help");
        if (spec->details)
                fprintf(out, "\n%s\n", spec->details);
}

static const kp_opt_t *find_long(const kp_cmd_spec_t *spec, const char *name, size_t len)
{
        size_t i;

        for (i = 0; i < spec->n_opts; i++)
                if (strlen(spec->opts[i].name) == len &&
                    strncmp(spec->opts[i].name, name, len) == 0)
                        return &spec->opts[i];
        return NULL;
}

static const kp_opt_t *find_short(const kp_cmd_spec_t *spec, char c)
{
        size_t i;

        for (i = 0; i < spec->n_opts; i++)
                if (spec->opts[i].short_name == c)
                        return &spec->opts[i];
        return NULL;
}

static int apply(const kp_opt_t *o, const char *value, kp_err_t *err)
{
        kp_opt_list_t *l;

        switch (o->type) {
        case KP_OPT_FLAG:
                *(int *)o->dest = 1;
                return 0;
        case KP_OPT_STRING:
                *(const char **)o->dest = value;
                return 0;
        case KP_OPT_LIST:
                l = o->dest;
                if (l->n == sizeof(l->items) / sizeof(l->items[0]))
                        return kp_err_set(err, KP_EUSAGE, "--%s given too many times", o->name);
                l->items[l->n++] = value;
                return 0;
        }
        return 0;
}

int kp_opt_parse(const kp_cmd_spec_t *spec, int argc, char **argv, const char **pos, size_t max_pos,
                 size_t *n_pos, kp_err_t *err)
{
        int i, only_pos = 0;

        *n_pos = 0;
        for (i = 1; i < argc; i++) {
                const char *a = argv[i];
                const kp_opt_t *o = NULL;
                const char *value = NULL;

                if (only_pos || a[0] != '-' || a[1] == '\0') {
                        if (*n_pos == max_pos)
                                return kp_err_set(err, KP_EUSAGE, "%s: unexpected argument '%s'",
                                                  spec->name, a);
                        pos[(*n_pos)++] = a;
                        continue;
                }
                if (strcmp(a, "--") == 0) {
                        only_pos = 1;
                        continue;
                }
                if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                        kp_opt_help(spec, stdout);
                        return 1;
                }
                if (a[1] == '-') {
                        const char *eq = strchr(a + 2, '=');
                        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
                        o = find_long(spec, a + 2, len);
                        if (!o)
                                return kp_err_set(err, KP_EUSAGE,
                                                  "%s: unknown option '%s' (see kproof %s --help)",
                                                  spec->name, a, spec->name);
                        if (eq) {
                                if (o->type == KP_OPT_FLAG)
                                        return kp_err_set(err, KP_EUSAGE,
                                                          "%s: option --%s takes no value",
                                                          spec->name, o->name);
                                value = eq + 1;
                        }
                } else {
                        if (a[2] != '\0')
                                return kp_err_set(err, KP_EUSAGE, "%s: unknown option '%s'",
                                                  spec->name, a);
                        o = find_short(spec, a[1]);
                        if (!o)
                                return kp_err_set(err, KP_EUSAGE,
                                                  "%s: unknown option '%s' (see kproof %s --help)",
                                                  spec->name, a, spec->name);
                }
                if (o->type != KP_OPT_FLAG && !value) {
                        if (i + 1 >= argc)
                                return kp_err_set(err, KP_EUSAGE,
                                                  "%s: option --%s needs a value (%s)", spec->name,
                                                  o->name, o->arg ? o->arg : "VALUE");
                        value = argv[++i];
                }
                if (apply(o, value, err) < 0)
                        return -1;
        }
        return 0;
}
