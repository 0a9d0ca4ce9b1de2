/* Over 600 lines: the in-toto statement, DSSE envelope and their verification are one format, read
 * and written here. */
#include "sign/bundle.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "util/base64.h"
#include "util/digest.h"
#include "util/fsutil.h"
#include "config/jsonv.h"
#include "kp_version.h"
#include "util/log.h"
#include "util/secret.h"
#include "sign/testresult.h"
#include "util/timeutil.h"
#include "util/utf8.h"

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
static int build_statement(const char *run_dir, const file_list_t *files, const char *ptype,
                           const cJSON *pred, kp_buf_t *out, kp_err_t *err)
{
        char path[4096], hex[KP_SHA256_HEX];
        char *text;
        size_t i;

        kp_buf_printf(out, "{\n  \"_type\": \"%s\",\n  \"subject\": [\n", KP_STATEMENT_TYPE);
        for (i = 0; i < files->n; i++) {
                cJSON *s = cJSON_CreateObject(), *d;
                if (kp_path_join(path, sizeof(path), run_dir, files->names[i]) < 0) {
                        cJSON_Delete(s);
                        return kp_err_set(err, KP_EIO, "%s: path too long", files->names[i]);
                }
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
        kp_buf_printf(out, "  ],\n  \"predicateType\": \"%s\",\n  \"predicate\": %s\n}\n", ptype,
                      text);
        free(text);
        return 0;
}

/* The bytes signed are the bytes written: redact raw into stmt (and keep
 * the JSON valid UTF-8 whatever the file names hold). */
static int finish_statement(kp_buf_t *raw, kp_buf_t *stmt, kp_err_t *err)
{
        if (kp_utf8_invalid_at(kp_buf_cstr(raw), raw->len) < raw->len) {
                kp_buf_t fixed;
                kp_buf_init(&fixed, (size_t)256 << 20);
                kp_utf8_fix(kp_buf_cstr(raw), raw->len, &fixed);
                kp_buf_free(raw);
                *raw = fixed;
        }
        if (kp_redact(raw->data, raw->len, stmt) < 0)
                return kp_err_set(err, KP_ENOMEM, "statement too large");
        return 0;
}

/* Signs stmt and writes the DSSE envelope to run_dir/file, one field per
 * line. */
static int write_envelope(const char *run_dir, const char *file, const kp_key_t *key,
                          const kp_buf_t *stmt, kp_err_t *err)
{
        unsigned char sig[KP_SIG_BYTES];
        kp_buf_t pae, env;
        char path[4096];
        int rc = -1;

        kp_buf_init(&pae, (size_t)256 << 20);
        kp_buf_init(&env, ENVELOPE_LIMIT);
        if (kp_dsse_pae(KP_PAYLOAD_TYPE, stmt->data ? stmt->data : "", stmt->len, &pae) < 0) {
                kp_err_set(err, KP_ENOMEM, "statement too large");
                goto out;
        }
        if (kp_key_sign(key, pae.data, pae.len, sig, err) < 0)
                goto out;
        kp_buf_printf(&env, "{\n  \"payloadType\": \"%s\",\n  \"payload\": \"", KP_PAYLOAD_TYPE);
        kp_base64_encode(stmt->data, stmt->len, &env);
        kp_buf_printf(&env,
                      "\",\n  \"signatures\": [\n    {\n      \"keyid\": \"%s\",\n"
                      "      \"sig\": \"",
                      kp_key_fingerprint(key));
        kp_base64_encode(sig, sizeof(sig), &env);
        if (kp_buf_puts(&env, "\"\n    }\n  ]\n}\n") < 0) {
                kp_err_set(err, KP_ENOMEM, "envelope too large");
                goto out;
        }
        if (kp_path_join(path, sizeof(path), run_dir, file) < 0 ||
            kp_write_file_raw(path, env.data, env.len, 0644, err) < 0)
                goto out;
        rc = 0;
out:
        kp_buf_free(&pae);
        kp_buf_free(&env);
        return rc;
}

/* The subject of the test-result attestation: the run's record and its
 * JUnit rendering, those of them that exist (verification requires both). */
static const char *const tr_subjects[] = {"evidence.json", "junit.xml"};

static cJSON *load_evidence(const char *run_dir)
{
        char path[4096];
        cJSON *ev = NULL;
        kp_err_t err;

        if (kp_path_join(path, sizeof(path), run_dir, "evidence.json") < 0 ||
            kp_jv_load_file(path, (size_t)1 << 30, &ev, &err) < 0 || !cJSON_IsObject(ev)) {
                cJSON_Delete(ev);
                return NULL;
        }
        return ev;
}

/* Writes test-result.dsse.json: the in-toto test-result attestation of
 * the run, signed by key. */
static int sign_test_result(const char *run_dir, const kp_key_t *key, kp_err_t *err)
{
        file_list_t subj;
        kp_buf_t raw, stmt;
        char path[4096];
        cJSON *ev = load_evidence(run_dir), *pred = kp_testresult_predicate(ev);
        int rc = -1;
        size_t i;

        memset(&subj, 0, sizeof(subj));
        kp_buf_init(&raw, (size_t)256 << 20);
        kp_buf_init(&stmt, (size_t)256 << 20);
        if (!pred) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        for (i = 0; i < sizeof(tr_subjects) / sizeof(tr_subjects[0]); i++) {
                if (kp_path_join(path, sizeof(path), run_dir, tr_subjects[i]) < 0)
                        continue;
                if (!kp_path_exists(path))
                        kp_warn("%s: missing, left out of the signed test-result attestation",
                                path);
                else if (list_add(&subj, tr_subjects[i]) < 0) {
                        kp_err_set(err, KP_ENOMEM, "out of memory");
                        goto out;
                }
        }
        if (build_statement(run_dir, &subj, KP_TESTRESULT_PREDICATE_TYPE, pred, &raw, err) < 0 ||
            finish_statement(&raw, &stmt, err) < 0 ||
            write_envelope(run_dir, KP_TESTRESULT_FILE, key, &stmt, err) < 0)
                goto out;
        rc = 0;
out:
        list_free(&subj);
        kp_buf_free(&raw);
        kp_buf_free(&stmt);
        cJSON_Delete(pred);
        cJSON_Delete(ev);
        return rc;
}

int kp_bundle_sign(const char *run_dir, const kp_key_t *key, const kp_bundle_report_t *reports,
                   size_t n_reports, kp_err_t *err)
{
        file_list_t files, odd;
        kp_buf_t raw, stmt;
        char path[4096];
        cJSON *pred = NULL;
        int rc = -1;
        size_t i;

        kp_buf_init(&raw, (size_t)256 << 20);
        kp_buf_init(&stmt, (size_t)256 << 20);
        /* First, so that the statement lists it among the run's files. */
        if (sign_test_result(run_dir, key, err) < 0)
                goto out_bufs;
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
        if (build_statement(run_dir, &files, KP_PREDICATE_TYPE, pred, &raw, err) < 0 ||
            finish_statement(&raw, &stmt, err) < 0)
                goto out;
        if (kp_path_join(path, sizeof(path), run_dir, KP_STATEMENT_FILE) < 0 ||
            kp_write_file_raw(path, stmt.data, stmt.len, 0644, err) < 0)
                goto out;
        if (write_envelope(run_dir, KP_ENVELOPE_FILE, key, &stmt, err) < 0)
                goto out;
        rc = 0;
out:
        cJSON_Delete(pred);
        list_free(&files);
        list_free(&odd);
out_bufs:
        kp_buf_free(&raw);
        kp_buf_free(&stmt);
        return rc;
}

/* ---- verification ---- */

typedef struct vctx {
        kp_bundle_problem_fn fn;
        void *opaque;
        kp_bundle_result_t *res;
        const kp_key_t *signer; /* the key that verified evidence.dsse.json */
        kp_key_t *embedded;     /* the key the statement names, when it verified (owned) */
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

/* Reads the DSSE envelope run_dir/file: payload gets the decoded payload
 * and pae its pre-authentication encoding. Returns the parsed envelope,
 * or NULL after reporting why it cannot be used (missing_msg when absent). */
static cJSON *load_envelope(vctx_t *v, const char *run_dir, const char *file,
                            const char *missing_msg, kp_buf_t *payload, kp_buf_t *pae)
{
        kp_buf_t text;
        cJSON *env = NULL;
        const cJSON *ptype, *pl, *sigs;
        char path[4096];
        kp_err_t err;

        kp_buf_init(&text, ENVELOPE_LIMIT);
        kp_path_join(path, sizeof(path), run_dir, file);
        if (!kp_path_exists(path)) {
                problem(v, file, "removed: %s", missing_msg);
                goto fail;
        }
        if (kp_read_file(path, ENVELOPE_LIMIT, &text, &err) < 0) {
                problem(v, file, "unreadable: %s", err.msg);
                goto fail;
        }
        env = cJSON_ParseWithLength(text.data ? text.data : "", text.len);
        if (!cJSON_IsObject(env)) {
                problem(v, file, "modified: not a valid JSON DSSE envelope");
                goto fail;
        }
        ptype = cJSON_GetObjectItemCaseSensitive(env, "payloadType");
        pl = cJSON_GetObjectItemCaseSensitive(env, "payload");
        sigs = cJSON_GetObjectItemCaseSensitive(env, "signatures");
        if (!cJSON_IsString(ptype) || !cJSON_IsString(pl) || !cJSON_IsArray(sigs)) {
                problem(
                    v, file,
                    "modified: payloadType, payload or signatures missing or of the wrong type");
                goto fail;
        }
        if (strcmp(ptype->valuestring, KP_PAYLOAD_TYPE) != 0)
                problem(v, file, "modified: payloadType is \"%s\", expected \"%s\"",
                        ptype->valuestring, KP_PAYLOAD_TYPE);
        if (kp_base64_decode(pl->valuestring, strlen(pl->valuestring), payload) < 0) {
                problem(v, file, "modified: the payload is not valid base64");
                goto fail;
        }
        kp_dsse_pae(ptype->valuestring, payload->data ? payload->data : "", payload->len, pae);
        kp_buf_free(&text);
        return env;
fail:
        kp_buf_free(&text);
        cJSON_Delete(env);
        return NULL;
}

/* The first of keys that verifies signature s over pae, or NULL. */
static const kp_key_t *verifying_key(const cJSON *s, const kp_buf_t *pae,
                                     const kp_key_t *const *keys, size_t n_keys)
{
        const cJSON *sg = cJSON_GetObjectItemCaseSensitive(s, "sig");
        const kp_key_t *found = NULL;
        kp_buf_t sig;
        size_t i;

        kp_buf_init(&sig, 4096);
        if (cJSON_IsString(sg) &&
            kp_base64_decode(sg->valuestring, strlen(sg->valuestring), &sig) == 0)
                for (i = 0; i < n_keys && !found; i++)
                        if (keys[i] &&
                            kp_key_verify(keys[i], pae->data, pae->len, sig.data, sig.len))
                                found = keys[i];
        kp_buf_free(&sig);
        return found;
}

/* The keyid is outside the signature: hold it to the key that verified. */
static void check_keyid(vctx_t *v, const char *file, const cJSON *s, const kp_key_t *key,
                        const char *whose, int required)
{
        const cJSON *kid = cJSON_GetObjectItemCaseSensitive(s, "keyid");

        if (!cJSON_IsString(kid) && required)
                problem(v, file, "modified: no keyid; the fingerprint of %s is %s", whose,
                        kp_key_fingerprint(key));
        else if (cJSON_IsString(kid) && strcmp(kid->valuestring, kp_key_fingerprint(key)) != 0)
                problem(v, file, "modified: keyid \"%s\" is not the fingerprint of %s (%s)",
                        kid->valuestring, whose, kp_key_fingerprint(key));
}

static void trusted_list(const kp_key_t *const *trusted, size_t n_trusted, char *fps, size_t size)
{
        size_t i, len;

        fps[0] = '\0';
        for (i = 0; i < n_trusted && i < 8; i++) {
                len = strlen(fps);
                snprintf(fps + len, size - len, "%s%s", i ? ", " : "",
                         kp_key_fingerprint(trusted[i]));
        }
}

/* Verifies evidence.dsse.json's signatures over the PAE; returns the parsed
 * statement (or NULL) and fills payload with its bytes. The key that
 * verified (a trusted one, else the one the statement names) becomes
 * v->signer, the key the test-result attestation must be signed by. */
static cJSON *check_envelope(vctx_t *v, const char *run_dir, const kp_key_t *const *trusted,
                             size_t n_trusted, kp_buf_t *payload)
{
        kp_buf_t pae;
        cJSON *env, *stmt = NULL;
        const cJSON *s;
        char fps[600];
        kp_err_t err;

        kp_buf_init(&pae, ENVELOPE_LIMIT + 256);
        env = load_envelope(v, run_dir, KP_ENVELOPE_FILE,
                            "the run directory has no signature envelope "
                            "(unsigned, or the envelope was deleted)",
                            payload, &pae);
        if (!env)
                goto out;
        v->res->signed_dir = 1;
        stmt = cJSON_ParseWithLength(payload->data ? payload->data : "", payload->len);
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(env, "signatures"))
        {
                const cJSON *kid = cJSON_GetObjectItemCaseSensitive(s, "keyid");
                const kp_key_t *key;
                if (!v->res->keyid[0] && cJSON_IsString(kid))
                        snprintf(v->res->keyid, sizeof(v->res->keyid), "%s", kid->valuestring);
                if (v->res->signature_ok)
                        continue;
                key = verifying_key(s, &pae, trusted, n_trusted);
                if (key) {
                        v->res->signature_ok = 1;
                        v->signer = key;
                        memcpy(v->res->trusted_fp, kp_key_fingerprint(key), KP_SHA256_HEX);
                        check_keyid(v, KP_ENVELOPE_FILE, s, key, "the key that signed", 0);
                        continue;
                }
                if (stmt && !v->res->embedded_key_ok) {
                        const cJSON *pem =
                            cJSON_GetObjectItemCaseSensitive(signer_of(stmt), "public_key");
                        kp_key_t *emb = NULL;
                        const kp_key_t *one[1];
                        if (!cJSON_IsString(pem) ||
                            kp_key_from_public_pem(pem->valuestring, strlen(pem->valuestring), &emb,
                                                   &err) < 0)
                                continue;
                        one[0] = emb;
                        if (verifying_key(s, &pae, one, 1)) {
                                v->res->embedded_key_ok = 1;
                                v->embedded = emb;
                                check_keyid(v, KP_ENVELOPE_FILE, s, emb,
                                            "the key the statement names", 1);
                        } else {
                                kp_key_free(emb);
                        }
                }
        }
        if (!v->res->signature_ok) {
                if (v->embedded)
                        v->signer = v->embedded;
                trusted_list(trusted, n_trusted, fps, sizeof(fps));
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
        if (!cJSON_IsString(ptype) || (strcmp(ptype->valuestring, KP_PREDICATE_TYPE) != 0 &&
                                       strcmp(ptype->valuestring, KP_PREDICATE_TYPE_LEGACY) != 0))
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

/* Checks one subject of the test-result attestation against its file;
 * 1 when it matches. */
static int check_tr_subject(vctx_t *v, const char *run_dir, const char *name, const char *dig)
{
        char path[4096], hex[KP_SHA256_HEX];
        struct stat st;
        kp_err_t err;

        kp_path_join(path, sizeof(path), run_dir, name);
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                problem(v, name, "removed: a subject of the test-result attestation (%s)",
                        KP_TESTRESULT_FILE);
                return 0;
        }
        if (kp_sha256_file(path, hex, &err) < 0) {
                problem(v, name, "unreadable: %s", err.msg);
                return 0;
        }
        if (strcmp(hex, dig) != 0) {
                problem(v, name, "modified: sha256 is %s, the test-result attestation (%s) says %s",
                        hex, KP_TESTRESULT_FILE, dig);
                return 0;
        }
        return 1;
}

/* The test-result attestation: signed by the key that signed
 * evidence.dsse.json (or, when that did not verify, by a trusted key), an
 * in-toto Statement v1 with the test-result predicateType, subject exactly
 * evidence.json and junit.xml with their digests, and the predicate that
 * evidence.json gives (src/sign/testresult.c). A run directory whose statement
 * has the legacy predicateType was signed before this attestation existed
 * and may lack it. The predicate goes to v->res->test_result_json. */
static void check_test_result(vctx_t *v, const char *run_dir, const kp_key_t *const *trusted,
                              size_t n_trusted, const cJSON *main_stmt)
{
        const cJSON *ptype = cJSON_GetObjectItemCaseSensitive(main_stmt, "predicateType");
        const cJSON *type, *subjects, *s, *pred;
        const char *const F = KP_TESTRESULT_FILE;
        const kp_key_t *one[1] = {v->signer}, *key = NULL;
        const kp_key_t *const *keys = v->signer ? one : trusted;
        size_t n_keys = v->signer ? 1 : n_trusted, i, n_subj = 0;
        int seen[2] = {0, 0}, digests_ok = 1;
        kp_buf_t payload, pae;
        cJSON *env = NULL, *stmt = NULL, *ev = NULL, *want = NULL;
        char path[4096], fps[600];

        kp_buf_init(&payload, ENVELOPE_LIMIT);
        kp_buf_init(&pae, ENVELOPE_LIMIT + 256);
        kp_path_join(path, sizeof(path), run_dir, F);
        if (!kp_path_exists(path) && cJSON_IsString(ptype) &&
            strcmp(ptype->valuestring, KP_PREDICATE_TYPE_LEGACY) == 0)
                goto out;
        env = load_envelope(v, run_dir, F,
                            "the run directory has no test-result attestation "
                            "(it was deleted, or the run was signed without one)",
                            &payload, &pae);
        if (!env)
                goto out;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(env, "signatures"))
        {
                key = verifying_key(s, &pae, keys, n_keys);
                if (key) {
                        check_keyid(v, F, s, key, "the key that signed", 1);
                        break;
                }
        }
        if (!key) {
                if (v->signer) {
                        problem(v, F, "bad signature: not signed by the key that signed %s (%s)",
                                KP_ENVELOPE_FILE, kp_key_fingerprint(v->signer));
                } else {
                        trusted_list(trusted, n_trusted, fps, sizeof(fps));
                        problem(v, F,
                                "bad signature: no signature verifies with the trusted key %s",
                                fps);
                }
        }
        stmt = cJSON_ParseWithLength(payload.data ? payload.data : "", payload.len);
        if (!cJSON_IsObject(stmt)) {
                problem(v, F, "modified: the signed payload is not JSON");
                goto out;
        }
        type = cJSON_GetObjectItemCaseSensitive(stmt, "_type");
        ptype = cJSON_GetObjectItemCaseSensitive(stmt, "predicateType");
        subjects = cJSON_GetObjectItemCaseSensitive(stmt, "subject");
        pred = cJSON_GetObjectItemCaseSensitive(stmt, "predicate");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, KP_STATEMENT_TYPE) != 0)
                problem(v, F, "not an in-toto Statement v1 (_type)");
        if (!cJSON_IsString(ptype) || strcmp(ptype->valuestring, KP_TESTRESULT_PREDICATE_TYPE) != 0)
                problem(v, F, "predicateType is not %s", KP_TESTRESULT_PREDICATE_TYPE);
        cJSON_ArrayForEach(s, subjects)
        {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");
                const cJSON *dig = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(s, "digest"), "sha256");
                n_subj++;
                for (i = 0; i < 2; i++)
                        if (cJSON_IsString(name) && strcmp(name->valuestring, tr_subjects[i]) == 0)
                                break;
                if (i == 2 || !cJSON_IsString(dig) || seen[i]++) {
                        problem(v, F,
                                "subject %zu is not one of evidence.json and junit.xml "
                                "with a sha256 digest, listed once",
                                n_subj);
                        digests_ok = 0;
                        continue;
                }
                if (!check_tr_subject(v, run_dir, tr_subjects[i], dig->valuestring))
                        digests_ok = 0;
        }
        for (i = 0; i < 2; i++)
                if (!seen[i]) {
                        problem(v, F, "%s is not a subject of the test-result attestation",
                                tr_subjects[i]);
                        digests_ok = 0;
                }
        if (!cJSON_IsObject(pred)) {
                problem(v, F, "the statement has no predicate");
                goto out;
        }
        v->res->test_result_json = cJSON_PrintUnformatted(pred);
        /* The signer computes the predicate from evidence.json; so does the
         * verifier (only meaningful when evidence.json is the signed one). */
        if (digests_ok) {
                ev = load_evidence(run_dir);
                want = kp_testresult_predicate(ev);
                if (want && !cJSON_Compare(pred, want, 1)) {
                        const cJSON *r = cJSON_GetObjectItemCaseSensitive(pred, "result");
                        problem(v, F,
                                "its predicate does not match evidence.json (result %s; "
                                "evidence.json gives %s)",
                                cJSON_IsString(r) ? r->valuestring : "(none)",
                                cJSON_GetObjectItemCaseSensitive(want, "result")->valuestring);
                }
        }
out:
        kp_buf_free(&payload);
        kp_buf_free(&pae);
        cJSON_Delete(env);
        cJSON_Delete(stmt);
        cJSON_Delete(ev);
        cJSON_Delete(want);
}

int kp_bundle_verify(const char *run_dir, const kp_key_t *const *trusted, size_t n_trusted,
                     kp_bundle_problem_fn fn, void *opaque, kp_bundle_result_t *res, kp_err_t *err)
{
        vctx_t v = {fn, opaque, res, NULL, NULL};
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
                check_test_result(&v, run_dir, trusted, n_trusted, stmt);
        }
        pred = cJSON_GetObjectItemCaseSensitive(stmt, "predicate");
        if (pred)
                res->predicate_json = cJSON_PrintUnformatted(pred);
        cJSON_Delete(stmt);
        kp_key_free(v.embedded);
        kp_buf_free(&payload);
        return 0;
}

void kp_bundle_result_release(kp_bundle_result_t *res)
{
        free(res->predicate_json);
        free(res->test_result_json);
        res->predicate_json = NULL;
        res->test_result_json = NULL;
}
