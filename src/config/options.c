/*
 * Suite options: see options.h.
 */
#include "config/options.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

static int options_init(kp_options_t *out, const kp_option_def_t *defs, size_t n)
{
        out->defs = defs;
        out->n = n;
        out->v = NULL;
        if (n == 0)
                return 0;
        out->v = calloc(n, sizeof(*out->v));
        return out->v ? 0 : -1;
}

void kp_options_release(kp_options_t *o)
{
        size_t i, k;

        if (!o || !o->v)
                return;
        for (i = 0; i < o->n; i++) {
                free(o->v[i].s);
                for (k = 0; k < o->v[i].n; k++)
                        free(o->v[i].list[k]);
                free(o->v[i].list);
        }
        free(o->v);
        o->v = NULL;
}

kp_options_t kp_options_defaults(const kp_option_def_t *defs, size_t n)
{
        kp_options_t o = {defs, n, NULL};
        return o;
}

/* "dir/of/scenario.json" + "rel" -> "dir/of/rel" (malloc'ed). */
static char *resolve(const char *scenario, const char *rel)
{
        const char *slash = scenario ? strrchr(scenario, '/') : NULL;
        size_t n;
        char *out;

        if (rel[0] == '/' || !slash)
                return strdup(rel);
        n = (size_t)(slash - scenario) + 1 + strlen(rel) + 1;
        out = malloc(n);
        if (out)
                snprintf(out, n, "%.*s/%s", (int)(slash - scenario), scenario, rel);
        return out;
}

static void choices_text(const char *const *c, kp_buf_t *b)
{
        size_t i, n = 0;

        while (c[n])
                n++;
        for (i = 0; i < n; i++)
                kp_buf_printf(b, "%s%s", !i ? "" : i + 1 < n ? ", " : " or ", c[i]);
}

static int read_list(kp_jv_t *jv, const cJSON *src, const kp_option_def_t *d, kp_option_val_t *v)
{
        const cJSON *arr, *it;
        size_t m, i = 0, k;
        int r;

        if ((r = kp_jv_array(jv, src, d->name, 0, (size_t)d->lo, &arr)) <= 0)
                return r;
        m = kp_jv_push_key(jv, d->name);
        v->list = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
        if (!v->list)
                return kp_jv_fail(jv, "out of memory");
        cJSON_ArrayForEach(it, arr)
        {
                size_t mi = kp_jv_push_index(jv, i);
                if (!cJSON_IsString(it) || (!d->choices && !*it->valuestring))
                        return kp_jv_expected(jv, NULL, it, d->what ? d->what : "a string");
                for (k = 0; d->choices && d->choices[k]; k++)
                        if (strcmp(d->choices[k], it->valuestring) == 0)
                                break;
                if (d->choices && !d->choices[k]) {
                        kp_buf_t b;
                        kp_buf_init(&b, 4096);
                        choices_text(d->choices, &b);
                        kp_jv_fail(jv, "unknown %s \"%s\" (expected %s)",
                                   d->what ? d->what : "value", it->valuestring, kp_buf_cstr(&b));
                        kp_buf_free(&b);
                        return -1;
                }
                if (!(v->list[i] = strdup(it->valuestring)))
                        return kp_jv_fail(jv, "out of memory");
                v->n = ++i;
                kp_jv_pop(jv, mi);
        }
        kp_jv_pop(jv, m);
        return 1;
}

static int read_one(kp_jv_t *jv, const cJSON *src, const kp_option_def_t *d, kp_option_val_t *v)
{
        int r = 0, b = 0, idx = 0;
        char *s = NULL;

        switch (d->type) {
        case KP_OPTION_BOOL:
                r = kp_jv_bool(jv, src, d->name, 0, &b);
                v->i = b;
                break;
        case KP_OPTION_INT:
                r = kp_jv_int(jv, src, d->name, 0, d->lo, d->hi, &v->i);
                break;
        case KP_OPTION_DOUBLE:
                r = kp_jv_number(jv, src, d->name, 0, d->dlo, d->dhi, d->positive, &v->d);
                break;
        case KP_OPTION_DURATION:
                r = kp_jv_duration(jv, src, d->name, 0, d->lo, d->hi, &v->i);
                break;
        case KP_OPTION_STRING:
                r = kp_jv_string(jv, src, d->name, 0, &s);
                if (r == 1 && d->path) {
                        v->s = resolve(jv->file, s);
                        free(s);
                        if (!v->s)
                                return kp_jv_fail(jv, "out of memory");
                } else
                        v->s = s;
                break;
        case KP_OPTION_ENUM:
                r = kp_jv_enum(jv, src, d->name, 0, d->choices, &idx);
                v->i = idx;
                break;
        case KP_OPTION_LIST:
                r = read_list(jv, src, d, v);
                break;
        }
        return r;
}

static int options_read(kp_jv_t *jv, const cJSON *src, kp_options_t *out, const char *moved_to)
{
        size_t i;

        for (i = 0; src && i < out->n; i++) {
                const kp_option_def_t *d = &out->defs[i];
                kp_option_val_t *v = &out->v[i];
                int r;

                if (!moved_to)
                        kp_jv_allow(jv, src, d->name);
                if (!cJSON_GetObjectItemCaseSensitive(src, d->name))
                        continue;
                if (moved_to) {
                        if (v->set)
                                return kp_jv_fail_at(jv, d->name,
                                                     "also set at %s.%s: keep that one", moved_to,
                                                     d->name);
                        kp_warn("%s: %s.%s is deprecated: move it to %s.%s (the old place is "
                                "read until the next release)",
                                jv->file, jv->path, d->name, moved_to, d->name);
                }
                if ((r = read_one(jv, src, d, v)) < 0)
                        return -1;
                v->set = r == 1;
        }
        return 0;
}

static int check_required(kp_jv_t *jv, const kp_options_t *o)
{
        size_t i;

        for (i = 0; i < o->n; i++)
                if (o->defs[i].required && !(o->v && o->v[i].set))
                        return kp_jv_fail_at(jv, o->defs[i].name, "required field is missing");
        return 0;
}

static size_t find(const kp_options_t *o, const char *name, kp_option_type_t t)
{
        size_t i;

        for (i = 0; o && i < o->n; i++)
                if (strcmp(o->defs[i].name, name) == 0) {
                        if (o->defs[i].type != t)
                                break;
                        return i;
                }
        fprintf(stderr, "kproof: bug: suite option \"%s\" read with the wrong type or missing\n",
                name);
        abort();
}

#define VAL(o, i) ((o)->v && (o)->v[i].set)

int kp_option_bool(const kp_options_t *o, const char *name)
{
        size_t i = find(o, name, KP_OPTION_BOOL);
        return VAL(o, i) ? (int)o->v[i].i : (int)o->defs[i].def;
}

int64_t kp_option_int(const kp_options_t *o, const char *name)
{
        size_t i = find(o, name, KP_OPTION_INT);
        return VAL(o, i) ? o->v[i].i : o->defs[i].def;
}

double kp_option_double(const kp_options_t *o, const char *name)
{
        size_t i = find(o, name, KP_OPTION_DOUBLE);
        return VAL(o, i) ? o->v[i].d : o->defs[i].ddef;
}

int64_t kp_option_duration(const kp_options_t *o, const char *name)
{
        size_t i = find(o, name, KP_OPTION_DURATION);
        return VAL(o, i) ? o->v[i].i : o->defs[i].def;
}

const char *kp_option_string(const kp_options_t *o, const char *name)
{
        size_t i = find(o, name, KP_OPTION_STRING);
        return VAL(o, i) ? o->v[i].s : o->defs[i].sdef;
}

int kp_option_enum(const kp_options_t *o, const char *name)
{
        size_t i = find(o, name, KP_OPTION_ENUM);
        return VAL(o, i) ? (int)o->v[i].i : (int)o->defs[i].def;
}

char *const *kp_option_list(const kp_options_t *o, const char *name, size_t *n)
{
        size_t i = find(o, name, KP_OPTION_LIST);

        *n = VAL(o, i) ? o->v[i].n : 0;
        return VAL(o, i) ? o->v[i].list : NULL;
}

int kp_option_is_set(const kp_options_t *o, const char *name)
{
        size_t i;

        for (i = 0; o && i < o->n; i++)
                if (strcmp(o->defs[i].name, name) == 0)
                        return VAL(o, i);
        return 0;
}

const char *kp_option_type_name(kp_option_type_t t)
{
        static const char *const names[] = {
            [KP_OPTION_BOOL] = "bool",     [KP_OPTION_INT] = "int",
            [KP_OPTION_DOUBLE] = "number", [KP_OPTION_DURATION] = "duration",
            [KP_OPTION_STRING] = "string", [KP_OPTION_ENUM] = "enum",
            [KP_OPTION_LIST] = "list",
        };
        return (size_t)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

void kp_option_default_text(const kp_option_def_t *d, char *out, size_t size)
{
        out[0] = '\0';
        if (d->required)
                return;
        switch (d->type) {
        case KP_OPTION_BOOL:
                snprintf(out, size, "%s", d->def ? "true" : "false");
                break;
        case KP_OPTION_INT:
                if (d->def >= d->lo)
                        snprintf(out, size, "%" PRId64, d->def);
                break;
        case KP_OPTION_DOUBLE:
                if (d->ddef >= d->dlo)
                        snprintf(out, size, "%.10g", d->ddef);
                break;
        case KP_OPTION_DURATION:
                if (d->def > 0 || (d->def == 0 && d->lo == 0))
                        kp_duration_format(d->def, out, size);
                break;
        case KP_OPTION_STRING:
                if (d->sdef)
                        snprintf(out, size, "%s", d->sdef);
                break;
        case KP_OPTION_ENUM:
                snprintf(out, size, "%s", d->choices[d->def]);
                break;
        case KP_OPTION_LIST:
                break;
        }
}

void kp_option_range_text(const kp_option_def_t *d, char *out, size_t size)
{
        char a[32], b[32];
        kp_buf_t buf;

        out[0] = '\0';
        switch (d->type) {
        case KP_OPTION_INT:
                snprintf(out, size, "%" PRId64 "..%" PRId64, d->lo, d->hi);
                break;
        case KP_OPTION_DOUBLE:
                snprintf(out, size, "%s%.10g..%.10g", d->positive ? ">" : "", d->dlo, d->dhi);
                break;
        case KP_OPTION_DURATION:
                kp_duration_format(d->lo, a, sizeof(a));
                kp_duration_format(d->hi, b, sizeof(b));
                snprintf(out, size, "%s..%s", a, b);
                break;
        case KP_OPTION_ENUM:
        case KP_OPTION_LIST:
                if (!d->choices)
                        break;
                kp_buf_init(&buf, size);
                choices_text(d->choices, &buf);
                snprintf(out, size, "%s", kp_buf_cstr(&buf));
                kp_buf_free(&buf);
                break;
        default:
                break;
        }
}

int kp_options_parse(kp_jv_t *jv, const cJSON *entry, const kp_option_def_t *defs, size_t n,
                     const char *legacy, int (*check)(kp_jv_t *jv, const kp_options_t *o),
                     kp_options_t *out)
{
        const cJSON *sub = NULL;
        char moved_to[1100];
        size_t m, i;
        int r;

        if (options_init(out, defs, n) < 0)
                return kp_jv_fail(jv, "out of memory");
        if (!n)
                return 0;
        snprintf(moved_to, sizeof(moved_to), "%s.options", jv->path);
        if ((r = kp_jv_object(jv, entry, "options", 0, &sub)) < 0)
                return -1;
        m = kp_jv_push_key(jv, "options");
        if (r == 1 && (options_read(jv, sub, out, NULL) < 0 || kp_jv_no_unknown(jv, sub) < 0))
                return -1;
        kp_jv_pop(jv, m);
        if (legacy && !*legacy && options_read(jv, entry, out, moved_to) < 0)
                return -1;
        if (legacy && *legacy && cJSON_GetObjectItemCaseSensitive(entry, legacy)) {
                if ((r = kp_jv_object(jv, entry, legacy, 0, &sub)) < 0)
                        return -1;
                m = kp_jv_push_key(jv, legacy);
                for (i = 0; r == 1 && i < n; i++)
                        kp_jv_allow(jv, sub, defs[i].name);
                if (r == 1 &&
                    (options_read(jv, sub, out, moved_to) < 0 || kp_jv_no_unknown(jv, sub) < 0))
                        return -1;
                kp_jv_pop(jv, m);
        }
        m = kp_jv_push_key(jv, "options");
        if (check_required(jv, out) < 0 || (check && check(jv, out) < 0))
                return -1;
        kp_jv_pop(jv, m);
        return 0;
}
