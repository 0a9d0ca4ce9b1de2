/*
 * Target loading: see config.h for the contract and README "Target files"
 * for the format.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/audit.h"
#include "platform/boundary.h"
#include "util/buf.h"
#include "config/config.h"
#include "adapters/control.h"
#include "config/jsonv.h"
#include "config/pricesheet.h"
#include "util/secret.h"
#include "util/timeutil.h"

static const char *const control_types[] = {"none", "embedded", "exec", NULL};
static const char *const kms_types[] = {"none", "aws-kms", NULL};
static const char *const storage_types[] = {"none", "dir", "s3", NULL};
static const char *const architectures[] = {"shared-nothing", "tiered", "shared-storage", NULL};

static int string_array(kp_jv_t *jv, const cJSON *obj, const char *key, size_t min, char ***out,
                        size_t *n_out)
{
        const cJSON *arr, *it;
        size_t i = 0, m;
        int r = kp_jv_array(jv, obj, key, 0, min, &arr);

        if (r <= 0)
                return r;
        *out = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
        if (!*out)
                return kp_jv_fail_at(jv, key, "out of memory");
        m = kp_jv_push_key(jv, key);
        cJSON_ArrayForEach(it, arr)
        {
                size_t mi = kp_jv_push_index(jv, i);
                if (!cJSON_IsString(it) || !*it->valuestring)
                        return kp_jv_expected(jv, NULL, it, "a non-empty string");
                if (kp_jv_expand(jv, NULL, it->valuestring, &(*out)[i]) < 0)
                        return -1;
                *n_out = ++i;
                kp_jv_pop(jv, mi);
        }
        kp_jv_pop(jv, m);
        return 1;
}

static int parse_kafka(kp_jv_t *jv, const cJSON *o, kp_target_t *t)
{
        const cJSON *it;

        cJSON_ArrayForEach(it, o)
        {
                char *v = NULL;
                if (kp_jv_scalar_string(jv, o, it->string, &v) < 0)
                        return -1;
                if (kp_secret_key_is_sensitive(it->string))
                        kp_secret_add(v);
                if (kp_kvlist_set(&t->kafka, it->string, v) < 0) {
                        free(v);
                        return kp_jv_fail_at(jv, it->string, "out of memory");
                }
                free(v);
        }
        return 0;
}

/* "topic_config": {"remote.storage.enable": "true", ...}: scalar values. */
static int parse_topic_config(kp_jv_t *jv, const cJSON *o, kp_target_t *t)
{
        const cJSON *it;

        cJSON_ArrayForEach(it, o)
        {
                char *v = NULL;
                if (!*it->string)
                        return kp_jv_fail_at(jv, it->string, "expected a topic config name");
                if (kp_jv_scalar_string(jv, o, it->string, &v) < 0)
                        return -1;
                if (kp_kvlist_set(&t->topic_config, it->string, v) < 0) {
                        free(v);
                        return kp_jv_fail_at(jv, it->string, "out of memory");
                }
                free(v);
        }
        return 0;
}

static int parse_control(kp_jv_t *jv, const cJSON *o, kp_target_t *t)
{
        kp_control_cfg_t *c = &t->control;
        const cJSON *cmds = NULL, *env = NULL, *tmo = NULL, *it;
        size_t m;
        int64_t v;
        int idx = 0;

        if (kp_jv_enum(jv, o, "type", 1, control_types, &idx) < 0)
                return -1;
        c->type = (kp_control_type_t)idx;
        switch (c->type) {
        case KP_CONTROL_EMBEDDED:
                v = 3;
                if (kp_jv_int(jv, o, "brokers", 0, 1, 16, &v) < 0)
                        return -1;
                c->brokers = (int)v;
                if (string_array(jv, o, "racks", 1, &c->racks, &c->n_racks) < 0)
                        return -1;
                if (c->racks && c->n_racks != (size_t)c->brokers)
                        return kp_jv_fail_at(jv, "racks",
                                             "expected one rack per broker (%d), got %zu",
                                             c->brokers, c->n_racks);
                break;
        case KP_CONTROL_EXEC:
                c->timeout_ns = 120 * KP_NS_PER_S;
                if (kp_jv_duration(jv, o, "timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                                   &c->timeout_ns) < 0)
                        return -1;
                /* rack of broker 1, 2, ...: the zones a partition or link fault
                 * may name */
                if (string_array(jv, o, "racks", 1, &c->racks, &c->n_racks) < 0)
                        return -1;
                if (kp_jv_object(jv, o, "commands", 1, &cmds) < 0)
                        return -1;
                m = kp_jv_push_key(jv, "commands");
                cJSON_ArrayForEach(it, cmds)
                {
                        char *cmd = NULL;
                        if (kp_ctl_op_from_name(it->string) < 0) {
                                kp_buf_t list;
                                int i;
                                kp_buf_init(&list, 4096);
                                for (i = 0; kp_ctl_op_names[i]; i++)
                                        kp_buf_printf(&list, "%s%s", i ? ", " : "",
                                                      kp_ctl_op_names[i]);
                                kp_jv_fail_at(jv, it->string,
                                              "unknown control operation (expected one of: %s)",
                                              kp_buf_cstr(&list));
                                kp_buf_free(&list);
                                return -1;
                        }
                        /* Expanded only to check the variables and register
                         * their values as secrets: the template is kept with
                         * its ${env:NAME} references, which the exec adapter
                         * substitutes after parsing the placeholders, so a
                         * secret's text is never read as a placeholder. */
                        if (kp_jv_string(jv, cmds, it->string, 1, &cmd) < 0)
                                return -1;
                        if (!*cmd) {
                                free(cmd);
                                return kp_jv_fail_at(jv, it->string,
                                                     "expected a command, got \"\"");
                        }
                        free(cmd);
                        cmd =
                            strdup(cJSON_GetObjectItemCaseSensitive(cmds, it->string)->valuestring);
                        if (!cmd)
                                return kp_jv_fail_at(jv, it->string, "out of memory");
                        {
                                char bad[64];
                                if (kp_control_exec_template_check(cmd, bad, sizeof(bad)) < 0) {
                                        free(cmd);
                                        return kp_jv_fail_at(jv, it->string,
                                                             "unknown placeholder {%s} in command",
                                                             bad);
                                }
                        }
                        kp_kvlist_set(&c->commands, it->string, cmd);
                        free(cmd);
                }
                kp_jv_pop(jv, m);
                if (kp_jv_object(jv, o, "timeouts", 0, &tmo) < 0)
                        return -1;
                if (tmo) {
                        m = kp_jv_push_key(jv, "timeouts");
                        cJSON_ArrayForEach(it, tmo)
                        {
                                char txt[32];
                                int64_t ns = 0;
                                if (!kp_kvlist_get(&c->commands, it->string))
                                        return kp_jv_fail_at(jv, it->string,
                                                             "no command for this operation in "
                                                             "control.commands");
                                if (kp_jv_duration(jv, tmo, it->string, 1, KP_NS_PER_S,
                                                   3600 * KP_NS_PER_S, &ns) < 0)
                                        return -1;
                                kp_duration_format(ns, txt, sizeof(txt));
                                kp_kvlist_set(&c->timeouts, it->string, txt);
                        }
                        kp_jv_pop(jv, m);
                }
                if (kp_jv_object(jv, o, "env", 0, &env) < 0)
                        return -1;
                if (env) {
                        m = kp_jv_push_key(jv, "env");
                        cJSON_ArrayForEach(it, env)
                        {
                                char *val = NULL;
                                if (kp_jv_string(jv, env, it->string, 1, &val) < 0)
                                        return -1;
                                kp_kvlist_set(&c->env, it->string, val);
                                free(val);
                        }
                        kp_jv_pop(jv, m);
                }
                break;
        case KP_CONTROL_NONE:
                break;
        }
        return kp_jv_no_unknown(jv, o);
}

/* A required or optional string that holds credentials: registered as a
 * secret whether it came from ${env:} or was written literally. */
static int secret_string(kp_jv_t *jv, const cJSON *o, const char *key, int required, char **out)
{
        int r = kp_jv_string(jv, o, key, required, out);

        if (r == 1 && *out) {
                if (!**out)
                        return kp_jv_fail_at(jv, key, "expected a non-empty string");
                kp_secret_add(*out);
        }
        return r;
}

static int url_string(kp_jv_t *jv, const cJSON *o, const char *key, char **out)
{
        int r = kp_jv_string(jv, o, key, 0, out);

        if (r == 1 && strncmp(*out, "http://", 7) != 0 && strncmp(*out, "https://", 8) != 0)
                return kp_jv_fail_at(jv, key, "expected an http:// or https:// URL, got \"%s\"",
                                     *out);
        return r;
}

static int region_string(kp_jv_t *jv, const cJSON *o, char **out)
{
        if (kp_jv_string(jv, o, "region", 1, out) < 0)
                return -1;
        if (!**out || strspn(*out, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(*out))
                return kp_jv_fail_at(jv, "region",
                                     "expected a region like \"eu-west-1\", got \"%s\"", *out);
        return 1;
}

static int parse_kms(kp_jv_t *jv, const cJSON *o, kp_target_t *t)
{
        kp_kms_cfg_t *k = &t->kms;
        int64_t v;
        int idx = 0;

        if (kp_jv_enum(jv, o, "type", 1, kms_types, &idx) < 0)
                return -1;
        free(t->kms_type);
        t->kms_type = strdup(kms_types[idx]);
        if (idx == 0)
                return kp_jv_no_unknown(jv, o);
        if (region_string(jv, o, &k->region) < 0 ||
            url_string(jv, o, "endpoint", &k->endpoint) < 0 ||
            secret_string(jv, o, "access_key_id", 1, &k->access_key_id) < 0 ||
            secret_string(jv, o, "secret_access_key", 1, &k->secret_access_key) < 0 ||
            secret_string(jv, o, "session_token", 0, &k->session_token) < 0 ||
            kp_jv_string(jv, o, "key", 1, &k->key) < 0)
                return -1;
        if (!*k->key)
                return kp_jv_fail_at(jv, "key", "expected a key id, ARN or alias/NAME, got \"\"");
        if (kp_jv_bool(jv, o, "fixture", 0, &k->fixture) < 0)
                return -1;
        k->timeout_ns = 10 * KP_NS_PER_S;
        if (kp_jv_duration(jv, o, "timeout", 0, 100 * KP_NS_PER_MS, 300 * KP_NS_PER_S,
                           &k->timeout_ns) < 0)
                return -1;
        v = 4;
        if (kp_jv_int(jv, o, "max_attempts", 0, 1, 20, &v) < 0)
                return -1;
        k->max_attempts = (int)v;
        return kp_jv_no_unknown(jv, o);
}

static int parse_storage(kp_jv_t *jv, const cJSON *o, kp_target_t *t)
{
        kp_storage_cfg_t *st = &t->storage;
        int idx = 0;

        if (kp_jv_enum(jv, o, "type", 1, storage_types, &idx) < 0)
                return -1;
        free(t->storage_type);
        t->storage_type = strdup(storage_types[idx]);
        st->timeout_ns = 30 * KP_NS_PER_S;
        st->max_scan_bytes = (int64_t)1 << 30;
        if (idx == 0)
                return kp_jv_no_unknown(jv, o);
        if (kp_jv_int(jv, o, "max_scan_bytes", 0, 1 << 20, (int64_t)1 << 40, &st->max_scan_bytes) <
            0)
                return -1;
        if (idx == 1) {
                if (string_array(jv, o, "log_dirs", 1, &st->log_dirs, &st->n_log_dirs) < 0)
                        return -1;
                if (!st->log_dirs)
                        return kp_jv_fail_at(jv, "log_dirs", "required field is missing");
                return kp_jv_no_unknown(jv, o);
        }
        if (region_string(jv, o, &st->region) < 0 ||
            url_string(jv, o, "endpoint", &st->endpoint) < 0 ||
            kp_jv_string(jv, o, "bucket", 1, &st->bucket) < 0 ||
            kp_jv_string(jv, o, "prefix", 0, &st->prefix) < 0 ||
            secret_string(jv, o, "access_key_id", 1, &st->access_key_id) < 0 ||
            secret_string(jv, o, "secret_access_key", 1, &st->secret_access_key) < 0 ||
            secret_string(jv, o, "session_token", 0, &st->session_token) < 0 ||
            kp_jv_string(jv, o, "expected_kms_key", 0, &st->expected_kms_key) < 0 ||
            kp_jv_duration(jv, o, "timeout", 0, 100 * KP_NS_PER_MS, 600 * KP_NS_PER_S,
                           &st->timeout_ns) < 0)
                return -1;
        if (!*st->bucket || strchr(st->bucket, '/'))
                return kp_jv_fail_at(jv, "bucket", "expected a bucket name, got \"%s\"",
                                     st->bucket);
        return kp_jv_no_unknown(jv, o);
}

/* A host name or literal address of the boundary: letters, digits, '.', '-',
 * ':' (IPv6), optionally "*." in front. */
static int boundary_host_ok(const char *h)
{
        const char *p = strncmp(h, "*.", 2) == 0 ? h + 2 : h;

        return *p &&
               strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") ==
                   strlen(p);
}

static int check_names(kp_jv_t *jv, const char *key, char **v, size_t n, const char *what)
{
        size_t i, m;

        for (i = 0; i < n; i++) {
                if (boundary_host_ok(v[i]))
                        continue;
                m = kp_jv_push_key(jv, key);
                kp_jv_push_index(jv, i);
                kp_jv_fail(jv, "expected %s, got \"%s\"", what, v[i]);
                kp_jv_pop(jv, m);
                return -1;
        }
        return 0;
}

/* Every CIDR must parse, hosts and endpoints must be names, regions region
 * names ("" as account_id declares none). */
static int check_boundary(kp_jv_t *jv, const kp_deployment_cfg_t *d)
{
        size_t i, m;

        for (i = 0; i < d->n_boundary_cidrs; i++) {
                kp_cidr_t c;
                char why[256];
                if (kp_cidr_parse(d->boundary_cidrs[i], &c, why, sizeof(why)) == 0)
                        continue;
                m = kp_jv_push_key(jv, "cidrs");
                kp_jv_push_index(jv, i);
                kp_jv_fail(jv, "%s", why);
                kp_jv_pop(jv, m);
                return -1;
        }
        if (check_names(jv, "hosts", d->boundary_hosts, d->n_boundary_hosts,
                        "a host name, \"*.domain\" or an address") < 0 ||
            check_names(jv, "allowed_endpoints", d->boundary_endpoints, d->n_boundary_endpoints,
                        "a host name or \"*.domain\"") < 0)
                return -1;
        for (i = 0; i < d->n_boundary_regions; i++) {
                const char *r = d->boundary_regions[i];
                if (strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(r))
                        continue;
                m = kp_jv_push_key(jv, "regions");
                kp_jv_push_index(jv, i);
                kp_jv_fail(jv, "expected a region like \"eu-west-1\", got \"%s\"", r);
                kp_jv_pop(jv, m);
                return -1;
        }
        return 0;
}

static int parse_deployment(kp_jv_t *jv, const cJSON *o, kp_deployment_cfg_t *d)
{
        const cJSON *b;
        int64_t v;
        int idx = 0, r;

        if ((r = kp_jv_enum(jv, o, "architecture", 0, architectures, &idx)) < 0)
                return -1;
        if (r == 1)
                d->architecture = strdup(architectures[idx]);
        if (kp_jv_string(jv, o, "provider", 0, &d->provider) < 0 ||
            kp_jv_string(jv, o, "region", 0, &d->region) < 0 ||
            string_array(jv, o, "zones", 1, &d->zones, &d->n_zones) < 0 ||
            kp_jv_string(jv, o, "instance_type", 0, &d->instance_type) < 0 ||
            kp_jv_string(jv, o, "price_sheet", 0, &d->price_sheet) < 0)
                return -1;
        if (d->price_sheet) {
                /* A price sheet is an input file too: a bad one is an invalid target. */
                kp_pricesheet_t *ps = NULL;
                kp_err_t perr;
                char sheet[4096];
                if (kp_pricesheet_resolve(jv->file, d->price_sheet, sheet, sizeof(sheet)) < 0)
                        return kp_jv_fail_at(jv, "price_sheet", "path too long");
                if (kp_pricesheet_load(sheet, &ps, &perr) < 0)
                        return kp_jv_fail_at(jv, "price_sheet", "%s", perr.msg);
                kp_pricesheet_free(ps);
        }
        v = 0;
        if (kp_jv_int(jv, o, "instance_count", 0, 1, 100000, &v) < 0)
                return -1;
        d->instance_count = (int)v;
        if (kp_jv_duration(jv, o, "retention", 0, 60 * KP_NS_PER_S, 3650LL * 86400 * KP_NS_PER_S,
                           &d->retention_ns) < 0)
                return -1;
        if ((r = kp_jv_object(jv, o, "boundary", 0, &b)) < 0)
                return -1;
        if (r == 1) {
                size_t m = kp_jv_push_key(jv, "boundary");
                if (string_array(jv, b, "cidrs", 0, &d->boundary_cidrs, &d->n_boundary_cidrs) < 0 ||
                    string_array(jv, b, "hosts", 0, &d->boundary_hosts, &d->n_boundary_hosts) < 0 ||
                    kp_jv_string(jv, b, "account_id", 0, &d->boundary_account) < 0 ||
                    string_array(jv, b, "regions", 0, &d->boundary_regions,
                                 &d->n_boundary_regions) < 0 ||
                    string_array(jv, b, "allowed_endpoints", 0, &d->boundary_endpoints,
                                 &d->n_boundary_endpoints) < 0 ||
                    kp_jv_no_unknown(jv, b) < 0)
                        return -1;
                if (check_boundary(jv, d) < 0)
                        return -1;
                kp_jv_pop(jv, m);
        }
        return kp_jv_no_unknown(jv, o);
}

void kp_target_free(kp_target_t *t)
{
        kp_deployment_cfg_t *d;

        if (!t)
                return;
        d = &t->deployment;
        free(t->path);
        free(t->name);
        free(t->description);
        kp_kvlist_clear(&t->kafka);
        kp_kvlist_clear(&t->topic_config);
        kp_strv_free(t->control.racks, t->control.n_racks);
        kp_kvlist_clear(&t->control.commands);
        kp_kvlist_clear(&t->control.env);
        kp_kvlist_clear(&t->control.timeouts);
        free(d->architecture);
        free(d->provider);
        free(d->region);
        kp_strv_free(d->zones, d->n_zones);
        free(d->instance_type);
        free(d->price_sheet);
        kp_strv_free(d->boundary_cidrs, d->n_boundary_cidrs);
        kp_strv_free(d->boundary_hosts, d->n_boundary_hosts);
        free(d->boundary_account);
        kp_strv_free(d->boundary_regions, d->n_boundary_regions);
        kp_strv_free(d->boundary_endpoints, d->n_boundary_endpoints);
        free(t->kms_type);
        free(t->storage_type);
        free(t->kms.region);
        free(t->kms.endpoint);
        free(t->kms.access_key_id);
        free(t->kms.secret_access_key);
        free(t->kms.session_token);
        free(t->kms.key);
        kp_strv_free(t->storage.log_dirs, t->storage.n_log_dirs);
        free(t->storage.endpoint);
        free(t->storage.region);
        free(t->storage.bucket);
        free(t->storage.prefix);
        free(t->storage.access_key_id);
        free(t->storage.secret_access_key);
        free(t->storage.session_token);
        free(t->storage.expected_kms_key);
        kp_audit_cfg_release(t);
        free(t);
}

/* Runs a section parser with the path pushed to the section's key. */
#define SECTION(key, required, call)                                                               \
        do {                                                                                       \
                const cJSON *sec_ = NULL;                                                          \
                int r_ = kp_jv_object(&jv, root, key, required, &sec_);                            \
                if (r_ < 0)                                                                        \
                        goto out;                                                                  \
                if (r_ == 1) {                                                                     \
                        size_t m_ = kp_jv_push_key(&jv, key);                                      \
                        const cJSON *o = sec_;                                                     \
                        if ((call) < 0)                                                            \
                                goto out;                                                          \
                        kp_jv_pop(&jv, m_);                                                        \
                }                                                                                  \
        } while (0)

int kp_target_load(const char *path, kp_target_t **out, kp_err_t *err)
{
        kp_target_t *t = NULL;
        cJSON *root = NULL;
        kp_jv_t jv;
        int rc = -1;

        *out = NULL;
        kp_jv_init(&jv, path, err);
        if (kp_jv_load_file(path, KP_CONFIG_MAX_BYTES, &root, err) < 0)
                goto out;
        t = calloc(1, sizeof(*t));
        if (!t || !(t->path = strdup(path)) || !(t->kms_type = strdup("none")) ||
            !(t->storage_type = strdup("none"))) {
                kp_err_set(err, KP_ENOMEM, "%s: out of memory", path);
                goto out;
        }
        if (kp_sha256_file(path, t->sha256, err) < 0)
                goto out;
        if (kp_jv_is_object(&jv, root) < 0)
                goto out;
        if (kp_jv_schema_ref(&jv, root) < 0)
                goto out;
        if (kp_jv_string(&jv, root, "name", 1, &t->name) < 0)
                goto out;
        if (!*t->name || strlen(t->name) > 64 ||
            strspn(t->name, "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                            "0123456789._-") != strlen(t->name)) {
                kp_jv_fail_at(&jv, "name",
                              "expected 1 to 64 letters, digits, '.', '-' or '_', got \"%s\"",
                              t->name);
                goto out;
        }
        if (kp_jv_string(&jv, root, "description", 0, &t->description) < 0)
                goto out;
        SECTION("control", 0, parse_control(&jv, o, t));
        SECTION("kafka", t->control.type != KP_CONTROL_EMBEDDED, parse_kafka(&jv, o, t));
        if (t->control.type == KP_CONTROL_EMBEDDED &&
            kp_kvlist_get(&t->kafka, "bootstrap.servers")) {
                size_t m = kp_jv_push_key(&jv, "kafka");
                kp_jv_fail_at(
                    &jv, "bootstrap.servers",
                    "must not be set for an embedded target (the embedded cluster provides it)");
                kp_jv_pop(&jv, m);
                goto out;
        }
        if (t->control.type != KP_CONTROL_EMBEDDED &&
            !kp_kvlist_get(&t->kafka, "bootstrap.servers")) {
                size_t m = kp_jv_push_key(&jv, "kafka");
                kp_jv_fail_at(&jv, "bootstrap.servers", "required field is missing");
                kp_jv_pop(&jv, m);
                goto out;
        }
        SECTION("topic_config", 0, parse_topic_config(&jv, o, t));
        SECTION("kms", 0, parse_kms(&jv, o, t));
        SECTION("storage", 0, parse_storage(&jv, o, t));
        SECTION("deployment", 0, parse_deployment(&jv, o, &t->deployment));
        if (kp_audit_cfg_parse(&jv, root, t) < 0)
                goto out;
        if (kp_jv_no_unknown(&jv, root) < 0)
                goto out;
        *out = t;
        t = NULL;
        rc = 0;
out:
        if (rc < 0 && err && err->code != KP_ENOMEM)
                err->code = KP_EINVAL;
        kp_target_free(t);
        cJSON_Delete(root);
        kp_jv_release(&jv);
        return rc;
}

int kp_config_sniff(const char *path, kp_config_kind_t *kind, kp_err_t *err)
{
        cJSON *root = NULL;

        *kind = KP_CONFIG_UNKNOWN;
        if (kp_jv_load_file(path, KP_CONFIG_MAX_BYTES, &root, err) < 0)
                return -1;
        if (cJSON_IsObject(root)) {
                if (cJSON_GetObjectItemCaseSensitive(root, "suites"))
                        *kind = KP_CONFIG_SCENARIO;
                else if (cJSON_GetObjectItemCaseSensitive(root, "kafka") ||
                         cJSON_GetObjectItemCaseSensitive(root, "control"))
                        *kind = KP_CONFIG_TARGET;
        }
        cJSON_Delete(root);
        return 0;
}
