/* Over 600 lines: one validator for every JSON type kproof reads (path tracking, ${env:} expansion,
 * durations, sizes) in one place. */
#include "config/jsonv.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "util/secret.h"
#include "util/timeutil.h"
#include "util/utf8.h"

/* One open container while scanning: an array counts its items, an object
 * remembers the key whose value comes next. */
typedef struct scan_frame {
        int is_object, expect_key;
        size_t index;
        const char *key;
        size_t key_len;
} scan_frame_t;

static void format_key(const char *key, char *out, size_t size);

/* "$.a[2].b" for the first depth frames of the scan. */
static void scan_path(const scan_frame_t *fr, size_t depth, char *out, size_t size)
{
        size_t i, n;

        snprintf(out, size, "$");
        for (i = 0; i < depth; i++) {
                char seg[300], key[256];
                n = strlen(out);
                if (!fr[i].is_object) {
                        snprintf(out + n, size - n, "[%zu]", fr[i].index);
                } else if (fr[i].key) {
                        snprintf(key, sizeof(key), "%.*s", (int)fr[i].key_len, fr[i].key);
                        format_key(key, seg, sizeof(seg));
                        snprintf(out + n, size - n, "%s", seg);
                }
        }
}

/* Rules cJSON does not enforce, checked on the text before it is parsed so
 * the error can name the JSON path: every string (keys too) is valid UTF-8,
 * no string holds \u0000 (cJSON would cut it there silently), and nesting
 * stays within KP_JV_MAX_DEPTH. Anything else malformed is left to the
 * parser's own error. */
static int scan_text(const char *file, const char *data, size_t len, kp_err_t *err)
{
        scan_frame_t fr[KP_JV_MAX_DEPTH + 1];
        size_t depth = 0, i = 0, j, n;
        char path[1200];

        while (i < len) {
                unsigned char c = (unsigned char)data[i];
                scan_frame_t *top = depth ? &fr[depth - 1] : NULL;
                if (c == '"') {
                        int is_key = top && top->is_object && top->expect_key;
                        for (j = i + 1; j < len && data[j] != '"';) {
                                if (data[j] == '\\') {
                                        if (j + 5 < len && data[j + 1] == 'u' &&
                                            strncmp(data + j + 2, "0000", 4) == 0) {
                                                scan_path(fr, depth, path, sizeof(path));
                                                return kp_err_set(
                                                    err, KP_EINVAL,
                                                    "%s: %s%s: \\u0000 (a NUL character) is not "
                                                    "allowed in a string",
                                                    file, path, is_key ? " (in a key)" : "");
                                        }
                                        j += 2;
                                        continue;
                                }
                                if ((unsigned char)data[j] < 0x80) {
                                        j++;
                                        continue;
                                }
                                n = kp_utf8_seq((const unsigned char *)data + j, len - j);
                                if (!n) {
                                        scan_path(fr, depth, path, sizeof(path));
                                        return kp_err_set(err, KP_EINVAL,
                                                          "%s: %s%s: invalid UTF-8 (byte 0x%02x)",
                                                          file, path, is_key ? " (in a key)" : "",
                                                          (unsigned char)data[j]);
                                }
                                j += n;
                        }
                        if (j >= len)
                                return 0; /* unterminated: the parser says where */
                        if (is_key) {
                                top->key = data + i + 1;
                                top->key_len = j - i - 1;
                                top->expect_key = 0;
                        }
                        i = j + 1;
                        continue;
                }
                if (c == '{' || c == '[') {
                        if (depth == KP_JV_MAX_DEPTH) {
                                scan_path(fr, depth, path, sizeof(path));
                                return kp_err_set(err, KP_EINVAL, "%s: %s: nesting deeper than %d",
                                                  file, path, KP_JV_MAX_DEPTH);
                        }
                        memset(&fr[depth], 0, sizeof(fr[depth]));
                        fr[depth].is_object = c == '{';
                        fr[depth].expect_key = c == '{';
                        depth++;
                } else if ((c == '}' || c == ']') && depth) {
                        depth--;
                } else if (c == ',' && top) {
                        if (top->is_object)
                                top->expect_key = 1;
                        else
                                top->index++;
                }
                i++;
        }
        return 0;
}

int kp_jv_load_file(const char *path, size_t limit, cJSON **root, kp_err_t *err)
{
        const char *end = NULL, *p;
        int line = 1, col = 1;
        kp_buf_t b;

        *root = NULL;
        kp_buf_init(&b, limit + 1);
        if (kp_read_file(path, limit, &b, err) < 0) {
                kp_buf_free(&b);
                err->code = KP_EINVAL;
                return -1;
        }
        if (scan_text(path, kp_buf_cstr(&b), b.len, err) < 0) {
                kp_buf_free(&b);
                return -1;
        }
        *root = cJSON_ParseWithLengthOpts(kp_buf_cstr(&b), b.len + 1, &end, 1);
        if (!*root) {
                const char *data = kp_buf_cstr(&b);
                if (!end)
                        end = data + b.len;
                for (p = data; p < end && p < data + b.len; p++) {
                        if (*p == '\n') {
                                line++;
                                col = 1;
                        } else {
                                col++;
                        }
                }
                kp_err_set(err, KP_EINVAL, "%s: line %d, column %d: invalid JSON", path, line, col);
                kp_buf_free(&b);
                return -1;
        }
        kp_buf_free(&b);
        return 0;
}

void kp_jv_init(kp_jv_t *jv, const char *file, kp_err_t *err)
{
        memset(jv, 0, sizeof(*jv));
        jv->file = file;
        jv->err = err;
        jv->path[0] = '$';
        jv->path[1] = '\0';
        jv->path_len = 1;
}

void kp_jv_release(kp_jv_t *jv)
{
        free(jv->asked);
        jv->asked = NULL;
        jv->n_asked = jv->cap_asked = 0;
}

static int key_is_ident(const char *key)
{
        const char *p;

        if (!*key || !(isalpha((unsigned char)*key) || *key == '_'))
                return 0;
        for (p = key; *p; p++)
                if (!(isalnum((unsigned char)*p) || *p == '_'))
                        return 0;
        return 1;
}

static void path_append(kp_jv_t *jv, const char *seg)
{
        size_t n = strlen(seg);

        if (jv->path_len + n >= sizeof(jv->path))
                n = sizeof(jv->path) - 1 - jv->path_len;
        memcpy(jv->path + jv->path_len, seg, n);
        jv->path_len += n;
        jv->path[jv->path_len] = '\0';
}

static void format_key(const char *key, char *out, size_t size)
{
        if (key_is_ident(key))
                snprintf(out, size, ".%s", key);
        else
                snprintf(out, size, "[\"%s\"]", key);
}

size_t kp_jv_push_key(kp_jv_t *jv, const char *key)
{
        size_t mark = jv->path_len;
        char seg[300];

        format_key(key, seg, sizeof(seg));
        path_append(jv, seg);
        return mark;
}

size_t kp_jv_push_index(kp_jv_t *jv, size_t index)
{
        size_t mark = jv->path_len;
        char seg[32];

        snprintf(seg, sizeof(seg), "[%zu]", index);
        path_append(jv, seg);
        return mark;
}

void kp_jv_pop(kp_jv_t *jv, size_t mark)
{
        jv->path_len = mark;
        jv->path[mark] = '\0';
}

static int jv_vfail(kp_jv_t *jv, const char *key, const char *fmt, va_list ap)
{
        char msg[700], seg[300] = "";

        vsnprintf(msg, sizeof(msg), fmt, ap);
        if (key)
                format_key(key, seg, sizeof(seg));
        return kp_err_set(jv->err, KP_EINVAL, "%s: %s%s: %s", jv->file, jv->path, seg, msg);
}

int kp_jv_fail(kp_jv_t *jv, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        jv_vfail(jv, NULL, fmt, ap);
        va_end(ap);
        return -1;
}

int kp_jv_fail_at(kp_jv_t *jv, const char *key, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        jv_vfail(jv, key, fmt, ap);
        va_end(ap);
        return -1;
}

void kp_jv_describe(const cJSON *v, char *out, size_t size)
{
        if (!v) {
                snprintf(out, size, "nothing");
        } else if (cJSON_IsString(v)) {
                const char *s = v->valuestring;
                if (strlen(s) > 40) {
                        /* A cut value: a secret's piece at the cut is masked. */
                        char head[48];
                        kp_redact_copy(head, sizeof(head), s, 37, KP_CUT_TAIL);
                        snprintf(out, size, "\"%s...\"", head);
                } else
                        snprintf(out, size, "\"%s\"", s);
        } else if (cJSON_IsNumber(v)) {
                snprintf(out, size, "%.15g", v->valuedouble);
        } else if (cJSON_IsBool(v)) {
                snprintf(out, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
        } else if (cJSON_IsNull(v)) {
                snprintf(out, size, "null");
        } else if (cJSON_IsArray(v)) {
                snprintf(out, size, "an array");
        } else {
                snprintf(out, size, "an object");
        }
}

int kp_jv_expected(kp_jv_t *jv, const char *key, const cJSON *got, const char *what)
{
        char desc[64];

        kp_jv_describe(got, desc, sizeof(desc));
        return kp_jv_fail_at(jv, key, "expected %s, got %s", what, desc);
}

void kp_jv_allow(kp_jv_t *jv, const cJSON *obj, const char *key)
{
        size_t i;

        for (i = 0; i < jv->n_asked; i++)
                if (jv->asked[i].obj == obj && strcmp(jv->asked[i].key, key) == 0)
                        return;
        if (jv->n_asked == jv->cap_asked) {
                size_t cap = jv->cap_asked ? jv->cap_asked * 2 : 64;
                kp_jv_ask_t *p = realloc(jv->asked, cap * sizeof(*p));
                if (!p)
                        return; /* only weakens the unknown-key message */
                jv->asked = p;
                jv->cap_asked = cap;
        }
        jv->asked[jv->n_asked].obj = obj;
        jv->asked[jv->n_asked].key = key;
        jv->n_asked++;
}

const cJSON *kp_jv_field(kp_jv_t *jv, const cJSON *obj, const char *key)
{
        kp_jv_allow(jv, obj, key);
        return cJSON_GetObjectItemCaseSensitive(obj, key);
}

int kp_jv_schema_ref(kp_jv_t *jv, const cJSON *obj)
{
        const cJSON *v = kp_jv_field(jv, obj, "$schema");

        if (v && !cJSON_IsString(v))
                return kp_jv_expected(jv, "$schema", v,
                                      "a string (the path or URL of a JSON Schema)");
        return 0;
}

int kp_jv_no_unknown(kp_jv_t *jv, const cJSON *obj)
{
        const cJSON *it, *prev;
        size_t i;

        cJSON_ArrayForEach(it, obj)
        {
                int known = 0;
                for (prev = obj->child; prev && prev != it; prev = prev->next)
                        if (strcmp(prev->string, it->string) == 0)
                                return kp_jv_fail_at(jv, it->string, "duplicate key");
                for (i = 0; i < jv->n_asked && !known; i++)
                        known =
                            jv->asked[i].obj == obj && strcmp(jv->asked[i].key, it->string) == 0;
                if (!known) {
                        kp_buf_t list;
                        int first = 1;
                        kp_buf_init(&list, 4096);
                        for (i = 0; i < jv->n_asked; i++) {
                                if (jv->asked[i].obj != obj)
                                        continue;
                                kp_buf_printf(&list, "%s%s", first ? "" : ", ", jv->asked[i].key);
                                first = 0;
                        }
                        kp_jv_fail_at(jv, it->string, "unknown key (expected one of: %s)",
                                      kp_buf_cstr(&list));
                        kp_buf_free(&list);
                        return -1;
                }
        }
        return 0;
}

int kp_jv_is_object(kp_jv_t *jv, const cJSON *node)
{
        if (!cJSON_IsObject(node)) {
                char desc[64];
                kp_jv_describe(node, desc, sizeof(desc));
                return kp_jv_fail(jv, "expected an object, got %s", desc);
        }
        return 0;
}

/* Common prologue: looks the key up; handles absence. Returns 1 with *v set
 * when present, 0 when absent and optional, -1 when absent and required. */
static int get_field(kp_jv_t *jv, const cJSON *obj, const char *key, int required, const cJSON **v)
{
        *v = kp_jv_field(jv, obj, key);
        if (*v)
                return 1;
        if (required)
                return kp_jv_fail_at(jv, key, "required field is missing");
        return 0;
}

int kp_jv_object(kp_jv_t *jv, const cJSON *obj, const char *key, int required, const cJSON **out)
{
        const cJSON *v;
        int r = get_field(jv, obj, key, required, &v);

        if (r <= 0)
                return r;
        if (!cJSON_IsObject(v))
                return kp_jv_expected(jv, key, v, "an object");
        *out = v;
        return 1;
}

int kp_jv_array(kp_jv_t *jv, const cJSON *obj, const char *key, int required, size_t min_items,
                const cJSON **out)
{
        const cJSON *v;
        int r = get_field(jv, obj, key, required, &v);

        if (r <= 0)
                return r;
        if (!cJSON_IsArray(v))
                return kp_jv_expected(jv, key, v, "an array");
        if ((size_t)cJSON_GetArraySize(v) < min_items)
                return kp_jv_fail_at(jv, key, "expected at least %zu item%s, got %d", min_items,
                                     min_items == 1 ? "" : "s", cJSON_GetArraySize(v));
        *out = v;
        return 1;
}

static int env_name_char(char c, int first)
{
        return isalpha((unsigned char)c) || c == '_' || (!first && isdigit((unsigned char)c));
}

int kp_jv_expand(kp_jv_t *jv, const char *key, const char *raw, char **out)
{
        const char *p = raw;
        kp_buf_t b;

        kp_buf_init(&b, 1 << 20);
        while (*p) {
                const char *start = strstr(p, "${");
                const char *name, *end;
                char var[256];
                const char *val;
                size_t n;

                if (!start) {
                        kp_buf_puts(&b, p);
                        break;
                }
                kp_buf_append(&b, p, (size_t)(start - p));
                if (strncmp(start + 2, "env:", 4) != 0) {
                        kp_buf_free(&b);
                        return kp_jv_fail_at(jv, key,
                                             "unsupported substitution (only ${env:NAME} is "
                                             "recognised)");
                }
                name = start + 6;
                for (end = name; env_name_char(*end, end == name); end++)
                        ;
                n = (size_t)(end - name);
                if (*end != '}' || n == 0 || n >= sizeof(var)) {
                        kp_buf_free(&b);
                        return kp_jv_fail_at(jv, key,
                                             "expected ${env:NAME} with NAME made of letters, "
                                             "digits and '_'");
                }
                memcpy(var, name, n);
                var[n] = '\0';
                val = getenv(var);
                if (!val) {
                        kp_buf_free(&b);
                        return kp_jv_fail_at(jv, key, "environment variable %s is not set", var);
                }
                kp_secret_add(val);
                kp_buf_puts(&b, val);
                p = end + 1;
        }
        free(*out);
        *out = kp_buf_detach(&b);
        return 0;
}

int kp_jv_string(kp_jv_t *jv, const cJSON *obj, const char *key, int required, char **out)
{
        const cJSON *v;
        int r = get_field(jv, obj, key, required, &v);

        if (r <= 0)
                return r;
        if (!cJSON_IsString(v))
                return kp_jv_expected(jv, key, v, "a string");
        if (kp_jv_expand(jv, key, v->valuestring, out) < 0)
                return -1;
        return 1;
}

int kp_jv_scalar_string(kp_jv_t *jv, const cJSON *obj, const char *key, char **out)
{
        const cJSON *v = kp_jv_field(jv, obj, key);
        char num[64];

        if (!v)
                return 0;
        if (cJSON_IsString(v))
                return kp_jv_expand(jv, key, v->valuestring, out) < 0 ? -1 : 1;
        if (cJSON_IsBool(v)) {
                num[0] = '\0';
                snprintf(num, sizeof(num), "%s", cJSON_IsTrue(v) ? "true" : "false");
        } else if (cJSON_IsNumber(v)) {
                if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 9e15)
                        snprintf(num, sizeof(num), "%.0f", v->valuedouble);
                else
                        snprintf(num, sizeof(num), "%.15g", v->valuedouble);
        } else {
                return kp_jv_expected(jv, key, v, "a string, number or boolean");
        }
        free(*out);
        *out = strdup(num);
        return *out ? 1 : kp_jv_fail_at(jv, key, "out of memory");
}

int kp_jv_int(kp_jv_t *jv, const cJSON *obj, const char *key, int required, int64_t min,
              int64_t max, int64_t *out)
{
        const cJSON *v;
        char what[96];
        int r = get_field(jv, obj, key, required, &v);

        if (r <= 0)
                return r;
        if (max == INT64_MAX)
                snprintf(what, sizeof(what), "an integer of at least %lld", (long long)min);
        else
                snprintf(what, sizeof(what), "an integer from %lld to %lld", (long long)min,
                         (long long)max);
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
            v->valuedouble < (double)min || v->valuedouble > (double)max ||
            v->valuedouble >= 0x1p63) /* (double)INT64_MAX rounds up to 2^63 */
                return kp_jv_expected(jv, key, v, what);
        *out = (int64_t)v->valuedouble;
        return 1;
}

int kp_jv_number(kp_jv_t *jv, const cJSON *obj, const char *key, int required, double min,
                 double max, int positive, double *out)
{
        const cJSON *v;
        char what[96];
        int r = get_field(jv, obj, key, required, &v);
        int ok;

        if (r <= 0)
                return r;
        if (positive && isinf(max))
                snprintf(what, sizeof(what), "a positive number");
        else if (positive)
                snprintf(what, sizeof(what), "a positive number up to %g", max);
        else if (isinf(max))
                snprintf(what, sizeof(what), "a number of at least %g", min);
        else
                snprintf(what, sizeof(what), "a number from %g to %g", min, max);
        ok = cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble <= max &&
             (positive ? v->valuedouble > min : v->valuedouble >= min);
        if (!ok)
                return kp_jv_expected(jv, key, v, what);
        *out = v->valuedouble;
        return 1;
}

int kp_jv_bool(kp_jv_t *jv, const cJSON *obj, const char *key, int required, int *out)
{
        const cJSON *v;
        int r = get_field(jv, obj, key, required, &v);

        if (r <= 0)
                return r;
        if (!cJSON_IsBool(v))
                return kp_jv_expected(jv, key, v, "true or false");
        *out = cJSON_IsTrue(v);
        return 1;
}

int kp_jv_duration(kp_jv_t *jv, const cJSON *obj, const char *key, int required, int64_t min_ns,
                   int64_t max_ns, int64_t *out)
{
        const cJSON *v;
        char lo[32], hi[32];
        int64_t ns;
        int r = get_field(jv, obj, key, required, &v);

        if (r <= 0)
                return r;
        if (!cJSON_IsString(v) || kp_duration_parse(v->valuestring, &ns) < 0)
                return kp_jv_expected(jv, key, v, "a duration like \"30s\" (units ms, s, m, h)");
        if (ns < min_ns || ns > max_ns) {
                kp_duration_format(min_ns, lo, sizeof(lo));
                kp_duration_format(max_ns, hi, sizeof(hi));
                return kp_jv_fail_at(jv, key, "expected a duration from %s to %s, got \"%s\"", lo,
                                     hi, v->valuestring);
        }
        *out = ns;
        return 1;
}

int kp_jv_enum(kp_jv_t *jv, const cJSON *obj, const char *key, int required,
               const char *const *names, int *out)
{
        const cJSON *v;
        kp_buf_t what;
        int r = get_field(jv, obj, key, required, &v), i;

        if (r <= 0)
                return r;
        if (cJSON_IsString(v))
                for (i = 0; names[i]; i++)
                        if (strcmp(names[i], v->valuestring) == 0) {
                                *out = i;
                                return 1;
                        }
        kp_buf_init(&what, 4096);
        kp_buf_puts(&what, "one of ");
        for (i = 0; names[i]; i++)
                kp_buf_printf(&what, "%s\"%s\"", i ? ", " : "", names[i]);
        kp_jv_expected(jv, key, v, kp_buf_cstr(&what));
        kp_buf_free(&what);
        return -1;
}
