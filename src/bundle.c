#include "bundle.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "base64.h"
#include "digest.h"
#include "fsutil.h"
#include "jsonv.h"
#include "kp_version.h"
#include "log.h"
#include "secret.h"
#include "timeutil.h"
#include "utf8.h"

#define MAX_FILES      100000
#define MAX_DEPTH      16
#define ENVELOPE_LIMIT ((size_t)256 << 20)

typedef struct file_list {
        char **names;
        size_t n, cap;
        int truncated;
} file_list_t;

static void list_free(file_list_t *l)
{
        size_t i;

        for (i = 0; i < l->n; i++)
                free(l->names[i]);
        free(l->names);
        memset(l, 0, sizeof(*l));
}

static int list_add(file_list_t *l, const char *name)
{
        if (l->n >= MAX_FILES) {
                l->truncated = 1;
                return 0;
        }
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 64;
                char **p = realloc(l->names, cap * sizeof(*p));
                if (!p)
                        return -1;
                l->names = p;
                l->cap = cap;
        }
        l->names[l->n] = strdup(name);
        if (!l->names[l->n])
                return -1;
        l->n++;
        return 0;
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_bundle_file(const char *rel)
{
        return strcmp(rel, KP_STATEMENT_FILE) == 0 || strcmp(rel, KP_ENVELOPE_FILE) == 0;
}

/* Collects the relative paths of the regular files under root/rel (the
 * bundle's own two files excluded); anything else that is not a directory
 * (symlink, fifo, ...) goes to odd. */
static int walk(const char *root, const char *rel, int depth, file_list_t *files, file_list_t *odd)
{
        char path[4096], child[4096];
        struct dirent *de;
        struct stat st;
        DIR *d;
        int rc = 0;

        if (kp_path_join(path, sizeof(path), root, rel) < 0)
                return -1;
        d = opendir(path);
        if (!d)
                return -1;
        while ((de = readdir(d)) && rc == 0) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (kp_path_join(child, sizeof(child), rel, de->d_name) < 0 ||
                    kp_path_join(path, sizeof(path), root, child) < 0 || lstat(path, &st) < 0) {
                        rc = -1;
                        break;
                }
                if (S_ISDIR(st.st_mode)) {
                        if (depth >= MAX_DEPTH)
                                rc = list_add(odd, child);
                        else
                                rc = walk(root, child, depth + 1, files, odd);
                } else if (S_ISREG(st.st_mode)) {
                        if (!is_bundle_file(child))
                                rc = list_add(files, child);
                } else {
                        rc = list_add(odd, child);
                }
        }
        closedir(d);
        return rc;
}

static int list_dir(const char *root, file_list_t *files, file_list_t *odd, kp_err_t *err)
{
        memset(files, 0, sizeof(*files));
        memset(odd, 0, sizeof(*odd));
        if (walk(root, "", 0, files, odd) < 0) {
                list_free(files);
                list_free(odd);
                return kp_err_set(err, KP_EIO, "%s: cannot list the run directory: %s", root,
                                  strerror(errno));
        }
        qsort(files->names, files->n, sizeof(char *), cmp_names);
        return 0;
}

int kp_dsse_pae(const char *type, const void *body, size_t len, kp_buf_t *out)
{
        if (kp_buf_printf(out, "DSSEv1 %zu %s %zu ", strlen(type), type, len) < 0)
                return -1;
        return kp_buf_append(out, body, len);
}

static cJSON *dup_item(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        return v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
}

/* The predicate: who signed, what ran and what it concluded. Taken from
 * evidence.json (which is also a subject, so the full record stays bound
 * to the signature); a missing or unreadable evidence.json is stated. */
static cJSON *build_predicate(const char *run_dir, const kp_key_t *key,
                              const kp_bundle_report_t *reports, size_t n_reports)
{
        cJSON *pred = cJSON_CreateObject(), *ev = NULL, *o, *arr, *c, *item;
        const cJSON *run, *src;
        char path[4096], ts[40];
        kp_err_t err;
        size_t i;

        if (!pred)
                return NULL;
        o = cJSON_AddObjectToObject(pred, "signer");
        cJSON_AddStringToObject(o, "tool", "kproof");
        cJSON_AddStringToObject(o, "kproof_version", KP_VERSION);
        cJSON_AddStringToObject(o, "git_commit", KP_GIT_COMMIT);
        cJSON_AddStringToObject(o, "algorithm", "ed25519");
        cJSON_AddStringToObject(o, "keyid", kp_key_fingerprint(key));
        cJSON_AddStringToObject(o, "public_key", kp_key_public_pem(key));
        kp_time_iso(kp_wall_ns(), ts, sizeof(ts));
        cJSON_AddStringToObject(o, "signed_at", ts);

        if (kp_path_join(path, sizeof(path), run_dir, "evidence.json") < 0 ||
            kp_jv_load_file(path, (size_t)1 << 30, &ev, &err) < 0 || !cJSON_IsObject(ev)) {
                cJSON_AddStringToObject(pred, "evidence", "evidence.json is missing or unreadable");
                cJSON_Delete(ev);
                ev = NULL;
        }
        run = cJSON_GetObjectItemCaseSensitive(ev, "run");
        o = cJSON_AddObjectToObject(pred, "run");
        if (run) {
                static const char *const keys[] = {"id",
                                                   "kproof_version",
                                                   "git_commit",
                                                   "started_at",
                                                   "finished_at",
                                                   "complete",
                                                   "incomplete_reason",
                                                   "host",
                                                   "command_line",
                                                   "scenario",
                                                   "target",
                                                   "custody"};
                for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                        if (cJSON_GetObjectItemCaseSensitive(run, keys[i]))
                                cJSON_AddItemToObject(o, keys[i], dup_item(run, keys[i]));
                if (cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(run, "facts"),
                                                     "signing_key"))
                        cJSON_AddItemToObject(
                            o, "signing_key",
                            dup_item(cJSON_GetObjectItemCaseSensitive(run, "facts"),
                                     "signing_key"));
        }
        cJSON_AddItemToObject(pred, "summary", dup_item(ev, "summary"));
        arr = cJSON_AddArrayToObject(pred, "rows");
        cJSON_ArrayForEach(src, cJSON_GetObjectItemCaseSensitive(ev, "rows"))
        {
                item = cJSON_CreateObject();
                cJSON_AddItemToObject(item, "id", dup_item(src, "id"));
                cJSON_AddItemToObject(item, "title", dup_item(src, "title"));
                cJSON_AddItemToObject(item, "verdict", dup_item(src, "verdict"));
                cJSON_AddItemToObject(item, "checks", dup_item(src, "checks"));
                cJSON_AddItemToArray(arr, item);
        }
        arr = cJSON_AddArrayToObject(pred, "checks");
        cJSON_ArrayForEach(src, cJSON_GetObjectItemCaseSensitive(ev, "checks"))
        {
                c = cJSON_CreateObject();
                cJSON_AddItemToObject(c, "id", dup_item(src, "id"));
                cJSON_AddItemToObject(c, "row", dup_item(src, "row"));
                cJSON_AddItemToObject(c, "verdict", dup_item(src, "verdict"));
                cJSON_AddItemToObject(c, "reason", dup_item(src, "reason"));
                cJSON_AddItemToArray(arr, c);
        }
        cJSON_AddItemToObject(pred, "gates", dup_item(ev, "gates"));
        arr = cJSON_AddArrayToObject(pred, "reports");
        for (i = 0; i < n_reports; i++) {
                item = cJSON_CreateObject();
                cJSON_AddStringToObject(item, "name", reports[i].name);
                cJSON_AddStringToObject(item, "status",
                                        reports[i].rendered ? "rendered" : "missing");
                if (!reports[i].rendered)
                        cJSON_AddStringToObject(item, "reason",
                                                reports[i].reason ? reports[i].reason : "unknown");
                cJSON_AddItemToArray(arr, item);
        }
        cJSON_Delete(ev);
        return pred;
}

/* The statement, one subject per line so `sed` can list name and digest. */
static int build_statement(const char *run_dir, const file_list_t *files, const cJSON *pred,
                           kp_buf_t *out, kp_err_t *err)
{
        char path[4096], hex[KP_SHA256_HEX];
        char *text;
        size_t i;

        kp_buf_printf(out, "{\n  \"_type\": \"%s\",\n  \"subject\": [\n", KP_STATEMENT_TYPE);
        for (i = 0; i < files->n; i++) {
                cJSON *s = cJSON_CreateObject(), *d;
                if (kp_path_join(path, sizeof(path), run_dir, files->names[i]) < 0)
                        return kp_err_set(err, KP_EIO, "%s: path too long", files->names[i]);
                if (kp_sha256_file(path, hex, err) < 0) {
                        cJSON_Delete(s);
                        return -1;
                }
                cJSON_AddStringToObject(s, "name", files->names[i]);
                d = cJSON_AddObjectToObject(s, "digest");
                cJSON_AddStringToObject(d, "sha256", hex);
                text = cJSON_PrintUnformatted(s);
                cJSON_Delete(s);
                if (!text)
                        return kp_err_set(err, KP_ENOMEM, "out of memory");
                kp_buf_printf(out, "    %s%s\n", text, i + 1 < files->n ? "," : "");
                free(text);
        }
        text = cJSON_Print(pred);
        if (!text)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        kp_buf_printf(out, "  ],\n  \"predicateType\": \"%s\",\n  \"predicate\": %s\n}\n",
                      KP_PREDICATE_TYPE, text);
        free(text);
        return 0;
}

int kp_bundle_sign(const char *run_dir, const kp_key_t *key, const kp_bundle_report_t *reports,
                   size_t n_reports, kp_err_t *err)
{
        file_list_t files, odd;
        kp_buf_t raw, stmt, pae, env, b64;
        unsigned char sig[KP_SIG_BYTES];
        char path[4096];
        cJSON *pred = NULL;
        int rc = -1;
        size_t i;

        kp_buf_init(&raw, (size_t)256 << 20);
        kp_buf_init(&stmt, (size_t)256 << 20);
        kp_buf_init(&pae, (size_t)256 << 20);
        kp_buf_init(&env, ENVELOPE_LIMIT);
        kp_buf_init(&b64, ENVELOPE_LIMIT);
        if (list_dir(run_dir, &files, &odd, err) < 0)
                goto out_bufs;
        if (files.truncated) {
                kp_err_set(err, KP_EINVAL, "%s: more than %d files, refusing to sign", run_dir,
                           MAX_FILES);
                goto out;
        }
        for (i = 0; i < odd.n; i++)
                kp_warn("%s/%s: not a regular file, left out of the signed statement", run_dir,
                        odd.names[i]);
        pred = build_predicate(run_dir, key, reports, n_reports);
        if (!pred) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        if (build_statement(run_dir, &files, pred, &raw, err) < 0)
                goto out;
        /* The bytes signed are the bytes written: redact first (and keep the
         * JSON valid UTF-8 whatever the file names hold). */
        if (kp_utf8_invalid_at(kp_buf_cstr(&raw), raw.len) < raw.len) {
                kp_buf_t fixed;
                kp_buf_init(&fixed, (size_t)256 << 20);
                kp_utf8_fix(kp_buf_cstr(&raw), raw.len, &fixed);
                kp_buf_free(&raw);
                raw = fixed;
        }
        if (kp_redact(raw.data, raw.len, &stmt) < 0 ||
            kp_dsse_pae(KP_PAYLOAD_TYPE, stmt.data, stmt.len, &pae) < 0) {
                kp_err_set(err, KP_ENOMEM, "statement too large");
                goto out;
        }
        if (kp_key_sign(key, pae.data, pae.len, sig, err) < 0)
                goto out;
        kp_buf_printf(&env, "{\n  \"payloadType\": \"%s\",\n  \"payload\": \"", KP_PAYLOAD_TYPE);
        kp_base64_encode(stmt.data, stmt.len, &env);
        kp_buf_printf(&env,
                      "\",\n  \"signatures\": [\n    {\n      \"keyid\": \"%s\",\n"
                      "      \"sig\": \"",
                      kp_key_fingerprint(key));
        kp_base64_encode(sig, sizeof(sig), &env);
        if (kp_buf_puts(&env, "\"\n    }\n  ]\n}\n") < 0) {
                kp_err_set(err, KP_ENOMEM, "envelope too large");
                goto out;
        }
        if (kp_path_join(path, sizeof(path), run_dir, KP_STATEMENT_FILE) < 0 ||
            kp_write_file_raw(path, stmt.data, stmt.len, 0644, err) < 0)
                goto out;
        if (kp_path_join(path, sizeof(path), run_dir, KP_ENVELOPE_FILE) < 0 ||
            kp_write_file_raw(path, env.data, env.len, 0644, err) < 0)
                goto out;
        rc = 0;
out:
        cJSON_Delete(pred);
        list_free(&files);
        list_free(&odd);
out_bufs:
        kp_buf_free(&raw);
        kp_buf_free(&stmt);
        kp_buf_free(&pae);
        kp_buf_free(&env);
        kp_buf_free(&b64);
        return rc;
}

/* ---- verification ---- */

typedef struct vctx {
        kp_bundle_problem_fn fn;
        void *opaque;
        kp_bundle_result_t *res;
} vctx_t;

static void problem(vctx_t *v, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(vctx_t *v, const char *file, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        v->res->problems++;
        if (v->fn)
                v->fn(v->opaque, file, msg);
}

/* A subject name must stay inside the run directory. */
static int safe_name(const char *name)
{
        const char *p = name;

        if (!*name || name[0] == '/')
                return 0;
        while (*p) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return 0;
                p += n;
                if (*p == '/')
                        p++;
        }
        return 1;
}

static const cJSON *signer_of(const cJSON *stmt)
{
        return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stmt, "predicate"),
                                                "signer");
}

/* Verifies the envelope's signatures over the PAE; returns the parsed
 * statement (or NULL) and fills payload with its bytes. */
static cJSON *check_envelope(vctx_t *v, const char *run_dir, const kp_key_t *const *trusted,
                             size_t n_trusted, kp_buf_t *payload)
{
        kp_buf_t text, sig, pae;
        cJSON *env = NULL, *stmt = NULL;
        const cJSON *ptype, *pl, *sigs, *s;
        char path[4096], fps[600] = "";
        kp_err_t err;
        size_t i;

        kp_buf_init(&text, ENVELOPE_LIMIT);
        kp_buf_init(&sig, 4096);
        kp_buf_init(&pae, ENVELOPE_LIMIT + 256);
        kp_path_join(path, sizeof(path), run_dir, KP_ENVELOPE_FILE);
        if (!kp_path_exists(path)) {
                problem(v, KP_ENVELOPE_FILE,
                        "removed: the run directory has no signature envelope "
                        "(unsigned, or the envelope was deleted)");
                goto out;
        }
        if (kp_read_file(path, ENVELOPE_LIMIT, &text, &err) < 0) {
                problem(v, KP_ENVELOPE_FILE, "unreadable: %s", err.msg);
                goto out;
        }
        env = cJSON_ParseWithLength(text.data ? text.data : "", text.len);
        if (!cJSON_IsObject(env)) {
                problem(v, KP_ENVELOPE_FILE, "modified: not a valid JSON DSSE envelope");
                goto out;
        }
        ptype = cJSON_GetObjectItemCaseSensitive(env, "payloadType");
        pl = cJSON_GetObjectItemCaseSensitive(env, "payload");
        sigs = cJSON_GetObjectItemCaseSensitive(env, "signatures");
        if (!cJSON_IsString(ptype) || !cJSON_IsString(pl) || !cJSON_IsArray(sigs)) {
                problem(
                    v, KP_ENVELOPE_FILE,
                    "modified: payloadType, payload or signatures missing or of the wrong type");
                goto out;
        }
        if (strcmp(ptype->valuestring, KP_PAYLOAD_TYPE) != 0)
                problem(v, KP_ENVELOPE_FILE, "modified: payloadType is \"%s\", expected \"%s\"",
                        ptype->valuestring, KP_PAYLOAD_TYPE);
        if (kp_base64_decode(pl->valuestring, strlen(pl->valuestring), payload) < 0) {
                problem(v, KP_ENVELOPE_FILE, "modified: the payload is not valid base64");
                goto out;
        }
        v->res->signed_dir = 1;
        kp_dsse_pae(ptype->valuestring, payload->data ? payload->data : "", payload->len, &pae);
        stmt = cJSON_ParseWithLength(payload->data ? payload->data : "", payload->len);
        cJSON_ArrayForEach(s, sigs)
        {
                const cJSON *kid = cJSON_GetObjectItemCaseSensitive(s, "keyid");
                const cJSON *sg = cJSON_GetObjectItemCaseSensitive(s, "sig");
                if (!v->res->keyid[0] && cJSON_IsString(kid))
                        snprintf(v->res->keyid, sizeof(v->res->keyid), "%s", kid->valuestring);
                kp_buf_reset(&sig);
                if (!cJSON_IsString(sg) ||
                    kp_base64_decode(sg->valuestring, strlen(sg->valuestring), &sig) < 0)
                        continue;
                for (i = 0; i < n_trusted && !v->res->signature_ok; i++) {
                        if (kp_key_verify(trusted[i], pae.data, pae.len, sig.data, sig.len)) {
                                v->res->signature_ok = 1;
                                memcpy(v->res->trusted_fp, kp_key_fingerprint(trusted[i]),
                                       KP_SHA256_HEX);
                                /* keyid is outside the signature: hold it to the key. */
                                if (cJSON_IsString(kid) &&
                                    strcmp(kid->valuestring, kp_key_fingerprint(trusted[i])) != 0)
                                        problem(v, KP_ENVELOPE_FILE,
                                                "modified: keyid \"%s\" is not the fingerprint of "
                                                "the key that signed (%s)",
                                                kid->valuestring, kp_key_fingerprint(trusted[i]));
                        }
                }
                if (!v->res->signature_ok && stmt) {
                        const cJSON *pem =
                            cJSON_GetObjectItemCaseSensitive(signer_of(stmt), "public_key");
                        kp_key_t *emb = NULL;
                        if (cJSON_IsString(pem) &&
                            kp_key_from_public_pem(pem->valuestring, strlen(pem->valuestring), &emb,
                                                   &err) == 0 &&
                            kp_key_verify(emb, pae.data, pae.len, sig.data, sig.len)) {
                                v->res->embedded_key_ok = 1;
                                /* keyid is outside the signature: hold it to the key. */
                                if (!cJSON_IsString(kid) ||
                                    strcmp(kid->valuestring, kp_key_fingerprint(emb)) != 0)
                                        problem(v, KP_ENVELOPE_FILE,
                                                "modified: keyid is not the fingerprint of the "
                                                "key the statement names (%s)",
                                                kp_key_fingerprint(emb));
                        }
                        kp_key_free(emb);
                }
        }
        if (!v->res->signature_ok) {
                for (i = 0; i < n_trusted && i < 8; i++) {
                        size_t len = strlen(fps);
                        snprintf(fps + len, sizeof(fps) - len, "%s%s", i ? ", " : "",
                                 kp_key_fingerprint(trusted[i]));
                }
                if (v->res->embedded_key_ok)
                        problem(v, KP_ENVELOPE_FILE,
                                "bad signature: it verifies only with the key named inside the "
                                "statement (%s), not with the trusted key %s",
                                v->res->keyid[0] ? v->res->keyid : "(no keyid)", fps);
                else
                        problem(v, KP_ENVELOPE_FILE,
                                "bad signature: no signature verifies with the trusted key %s "
                                "(envelope keyid %s)",
                                fps, v->res->keyid[0] ? v->res->keyid : "(none)");
        }
out:
        kp_buf_free(&text);
        kp_buf_free(&sig);
        kp_buf_free(&pae);
        cJSON_Delete(env);
        return stmt;
}

/* statement.json must be byte for byte the payload that was signed. */
static void check_statement_file(vctx_t *v, const char *run_dir, const kp_buf_t *payload)
{
        char path[4096];
        kp_buf_t b;
        kp_err_t err;

        kp_path_join(path, sizeof(path), run_dir, KP_STATEMENT_FILE);
        if (!kp_path_exists(path)) {
                problem(v, KP_STATEMENT_FILE, "removed: listed by the envelope but missing");
                return;
        }
        kp_buf_init(&b, ENVELOPE_LIMIT);
        if (kp_read_file(path, ENVELOPE_LIMIT, &b, &err) < 0)
                problem(v, KP_STATEMENT_FILE, "unreadable: %s", err.msg);
        else if (b.len != payload->len || (b.len && memcmp(b.data, payload->data, b.len) != 0))
                problem(v, KP_STATEMENT_FILE,
                        "modified: differs from the payload signed in " KP_ENVELOPE_FILE);
        kp_buf_free(&b);
}

static int in_sorted(char *const *names, size_t n, const char *name)
{
        return bsearch(&name, names, n, sizeof(char *), cmp_names) != NULL;
}

static void check_subjects(vctx_t *v, const char *run_dir, const cJSON *stmt)
{
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(stmt, "_type");
        const cJSON *ptype = cJSON_GetObjectItemCaseSensitive(stmt, "predicateType");
        const cJSON *subjects = cJSON_GetObjectItemCaseSensitive(stmt, "subject"), *s;
        file_list_t files, odd, listed;
        char path[4096], hex[KP_SHA256_HEX];
        kp_err_t err;
        size_t i;

        if (!cJSON_IsString(type) || strcmp(type->valuestring, KP_STATEMENT_TYPE) != 0)
                problem(v, KP_STATEMENT_FILE, "not an in-toto Statement v1 (_type)");
        if (!cJSON_IsString(ptype) || strcmp(ptype->valuestring, KP_PREDICATE_TYPE) != 0)
                problem(v, KP_STATEMENT_FILE, "predicateType is not %s", KP_PREDICATE_TYPE);
        if (!cJSON_IsArray(subjects)) {
                problem(v, KP_STATEMENT_FILE, "the statement has no subject list");
                return;
        }
        if (list_dir(run_dir, &files, &odd, &err) < 0) {
                problem(v, ".", "%s", err.msg);
                return;
        }
        memset(&listed, 0, sizeof(listed));
        cJSON_ArrayForEach(s, subjects)
        {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");
                const cJSON *dig = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(s, "digest"), "sha256");
                struct stat st;
                v->res->n_subjects++;
                if (!cJSON_IsString(name) || !cJSON_IsString(dig) ||
                    !safe_name(name->valuestring)) {
                        problem(v, KP_STATEMENT_FILE,
                                "subject %zu has no usable name or sha256 digest",
                                v->res->n_subjects);
                        continue;
                }
                list_add(&listed, name->valuestring);
                kp_path_join(path, sizeof(path), run_dir, name->valuestring);
                if (lstat(path, &st) < 0) {
                        problem(v, name->valuestring,
                                "removed: listed in the statement but missing");
                        continue;
                }
                if (!S_ISREG(st.st_mode)) {
                        problem(v, name->valuestring, "modified: no longer a regular file");
                        continue;
                }
                if (kp_sha256_file(path, hex, &err) < 0) {
                        problem(v, name->valuestring, "unreadable: %s", err.msg);
                        continue;
                }
                if (strcmp(hex, dig->valuestring) != 0)
                        problem(v, name->valuestring,
                                "modified: sha256 is %s, the statement says %s", hex,
                                dig->valuestring);
        }
        qsort(listed.names, listed.n, sizeof(char *), cmp_names);
        for (i = 1; i < listed.n; i++)
                if (strcmp(listed.names[i - 1], listed.names[i]) == 0)
                        problem(v, listed.names[i], "listed twice in the statement");
        for (i = 0; i < files.n; i++)
                if (!in_sorted(listed.names, listed.n, files.names[i]))
                        problem(v, files.names[i], "added: not listed in the signed statement");
        for (i = 0; i < odd.n; i++)
                if (!in_sorted(listed.names, listed.n, odd.names[i]))
                        problem(v, odd.names[i], "added: not a regular file and not signed");
        list_free(&files);
        list_free(&odd);
        list_free(&listed);
}

int kp_bundle_verify(const char *run_dir, const kp_key_t *const *trusted, size_t n_trusted,
                     kp_bundle_problem_fn fn, void *opaque, kp_bundle_result_t *res, kp_err_t *err)
{
        vctx_t v = {fn, opaque, res};
        const cJSON *pred;
        kp_buf_t payload;
        cJSON *stmt;

        memset(res, 0, sizeof(*res));
        if (!kp_is_dir(run_dir))
                return kp_err_set(err, KP_EUSAGE, "%s: not a directory", run_dir);
        kp_buf_init(&payload, ENVELOPE_LIMIT);
        stmt = check_envelope(&v, run_dir, trusted, n_trusted, &payload);
        if (res->signed_dir) {
                check_statement_file(&v, run_dir, &payload);
                if (!stmt)
                        problem(&v, KP_ENVELOPE_FILE, "modified: the signed payload is not JSON");
                else
                        check_subjects(&v, run_dir, stmt);
        }
        pred = cJSON_GetObjectItemCaseSensitive(stmt, "predicate");
        if (pred)
                res->predicate_json = cJSON_PrintUnformatted(pred);
        cJSON_Delete(stmt);
        kp_buf_free(&payload);
        return 0;
}

void kp_bundle_result_release(kp_bundle_result_t *res)
{
        free(res->predicate_json);
        res->predicate_json = NULL;
}
