/*
 * oscal_doc: the building blocks of assessment-results.json (report_oscal.c):
 * name-based UUIDs, one-line strings and properties, back-matter resources
 * with their sha256, evidence references and reason tokens.
 */
#include "oscal_doc.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/digest.h"
#include "util/fsutil.h"

void kp_oscal_uuid(const kp_oscal_t *o, const char *kind, const char *id, char out[KP_UUID_STR])
{
        kp_buf_t name;

        kp_buf_init(&name, 4096);
        kp_buf_printf(&name, "%s/%s/%s", o->run_id, kind, id ? id : "");
        kp_uuid_v5(KP_OSCAL_NS, kp_buf_cstr(&name), out);
        kp_buf_free(&name);
}

/* OSCAL strings, tokens and markup lines are one line without surrounding
 * white space; an empty value becomes dflt. */
void kp_oscal_line(const char *s, const char *dflt, char *out, size_t size)
{
        size_t n = 0;

        if (size == 0)
                return;
        for (; s && *s && n + 1 < size; s++) {
                char c = (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : *s;
                if (c == ' ' && (n == 0 || out[n - 1] == ' '))
                        continue;
                out[n++] = c;
        }
        while (n > 0 && out[n - 1] == ' ')
                n--;
        out[n] = '\0';
        if (n == 0)
                snprintf(out, size, "%s", dflt);
}

void kp_oscal_add_line(cJSON *obj, const char *key, const char *s, const char *dflt)
{
        char line[2048];

        kp_oscal_line(s, dflt, line, sizeof(line));
        cJSON_AddStringToObject(obj, key, line);
}

void kp_oscal_add_prop(cJSON *props, const char *name, const char *value)
{
        cJSON *p;
        char line[1024];

        kp_oscal_line(value, "", line, sizeof(line));
        if (!line[0])
                return;
        p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", name);
        cJSON_AddStringToObject(p, "ns", KP_PROP_NS);
        cJSON_AddStringToObject(p, "value", line);
        cJSON_AddItemToArray(props, p);
}

static const char *media_type(const char *path)
{
        static const struct {
                const char *ext, *type;
        } types[] = {
            {".json", "application/json"}, {".jsonl", "application/x-ndjson"},
            {".xml", "application/xml"},   {".html", "text/html"},
            {".svg", "image/svg+xml"},     {".tsv", "text/tab-separated-values"},
            {".txt", "text/plain"},        {".pdf", "application/pdf"},
        };
        const char *dot = strrchr(path, '.');
        size_t i;

        for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
                if (strcmp(dot, types[i].ext) == 0)
                        return types[i].type;
        return "application/octet-stream";
}

/* Adds a back-matter kp_oscal_resource for path (relative to the run directory),
 * found in dir, with its sha256; returns its UUID, or NULL when the file is
 * missing or not a plain relative path. */
const char *kp_oscal_resource(kp_oscal_t *o, const char *dir, const char *path,
                              const char *description)
{
        char full[4096], hex[KP_SHA256_HEX];
        cJSON *r, *rl, *h;
        kp_err_t err;
        size_t i;

        if (!path || !path[0] || path[0] == '/' || strstr(path, "..") ||
            strlen(path) >= sizeof(o->res[0].path))
                return NULL;
        for (i = 0; i < o->n_res; i++)
                if (strcmp(o->res[i].path, path) == 0)
                        return o->res[i].uuid;
        if (o->n_res >= KP_OSCAL_MAX_RES || kp_path_join(full, sizeof(full), dir, path) < 0 ||
            kp_sha256_file(full, hex, &err) < 0)
                return NULL;
        snprintf(o->res[o->n_res].path, sizeof(o->res[0].path), "%s", path);
        kp_oscal_uuid(o, "resource", path, o->res[o->n_res].uuid);
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "uuid", o->res[o->n_res].uuid);
        kp_oscal_add_line(r, "title", path, "file");
        cJSON_AddStringToObject(r, "description", description);
        rl = cJSON_CreateObject();
        cJSON_AddStringToObject(rl, "href", path);
        cJSON_AddStringToObject(rl, "media-type", media_type(path));
        h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "algorithm", "SHA-256");
        cJSON_AddStringToObject(h, "value", hex);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(rl, "hashes"), h);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "rlinks"), rl);
        cJSON_AddItemToArray(o->resources, r);
        return o->res[o->n_res++].uuid;
}

void kp_oscal_evidence_ref(cJSON *arr, const char *uuid, const char *description)
{
        cJSON *e;
        char href[KP_UUID_STR + 1];

        if (!uuid)
                return;
        snprintf(href, sizeof(href), "#%s", uuid);
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "href", href);
        cJSON_AddStringToObject(e, "description", description);
        cJSON_AddItemToArray(arr, e);
}

/* Row verdict -> status reason token: "PASS" -> "pass", "NOT TESTED" ->
 * "not-tested". */
void kp_oscal_reason_token(const char *verdict, char *out, size_t size)
{
        size_t n = 0;

        for (; verdict && *verdict && n + 1 < size; verdict++)
                out[n++] = *verdict == ' '                        ? '-'
                           : (*verdict >= 'A' && *verdict <= 'Z') ? (char)(*verdict - 'A' + 'a')
                                                                  : *verdict;
        out[n] = '\0';
        if (n == 0)
                snprintf(out, size, "other");
}
