/*
 * Over 600 lines: the whole scenario format (suites, workload, client, faults, gates) validated in
 * one pass with one JSON path.
 *
 * Scenario loading: see config.h for the contract and README "Scenario
 * files" for the format.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "config/config.h"
#include "engine/record.h"
#include "evidence/rows.h"
#include "evidence/suite.h"
#include "util/timeutil.h"

const char *const kp_fault_action_names[] = {
    [KP_FAULT_KILL_LEADER] = "kill_leader",       [KP_FAULT_KILL_BROKER] = "kill_broker",
    [KP_FAULT_STOP_BROKER] = "stop_broker",       [KP_FAULT_KILL_CONTROLLER] = "kill_controller",
    [KP_FAULT_KILL_ZONE] = "kill_zone",           [KP_FAULT_ROLLING_RESTART] = "rolling_restart",
    [KP_FAULT_MOVE_LEADER] = "move_leader",       [KP_FAULT_ADD_RTT] = "add_rtt",
    [KP_FAULT_PUSH_ERRORS] = "push_errors",       [KP_FAULT_DELETE_RECORDS] = "delete_records",
    [KP_FAULT_PAUSE_BROKER] = "pause_broker",     [KP_FAULT_CORRUPT_SEGMENT] = "corrupt_segment",
    [KP_FAULT_WIPE_BROKER] = "wipe_broker",       [KP_FAULT_PARTITION] = "partition",
    [KP_FAULT_HEAL_PARTITION] = "heal_partition", [KP_FAULT_LINK_LOSS] = "link_loss",
    [KP_FAULT_LINK_DELAY] = "link_delay",         [KP_FAULT__COUNT] = NULL,
};

const char *const kp_net_scope_names[] = {
    [KP_NET_BROKERS] = "brokers", [KP_NET_CLIENTS] = "clients", [KP_NET_ALL] = "all", NULL};

/* "brokers": [1, 2] of a partition or link fault. */
static int parse_fault_brokers(kp_jv_t *jv, const cJSON *o, kp_fault_t *f)
{
        const cJSON *arr, *it;
        size_t m, i = 0;
        int r = kp_jv_array(jv, o, "brokers", 0, 1, &arr);

        if (r <= 0)
                return r;
        if (cJSON_GetArraySize(arr) > KP_FAULT_MAX_BROKERS)
                return kp_jv_fail_at(jv, "brokers", "at most %d brokers", KP_FAULT_MAX_BROKERS);
        m = kp_jv_push_key(jv, "brokers");
        cJSON_ArrayForEach(it, arr)
        {
                size_t k = kp_jv_push_index(jv, i++);
                if (!cJSON_IsNumber(it) || it->valuedouble != (double)(int32_t)it->valuedouble ||
                    it->valuedouble < 0)
                        return kp_jv_expected(jv, NULL, it, "a broker id (integer >= 0)");
                f->brokers[f->n_brokers++] = (int32_t)it->valuedouble;
                kp_jv_pop(jv, k);
        }
        kp_jv_pop(jv, m);
        return 0;
}

static const char *const profile_names[] = {"default", "safe", "relaxed", NULL};
static const char *const compression_names[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};
/* local: kproof starts the workers as child processes; external: someone else
 * starts them (the Kubernetes Job in docker/k8s) and kproof waits for their
 * shard results. */
static const char *const launcher_names[] = {"local", "external", NULL};

void kp_strv_free(char **v, size_t n)
{
        size_t i;

        for (i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

void kp_workload_cfg_defaults(kp_workload_cfg_t *w)
{
        memset(w, 0, sizeof(*w));
        w->partitions = 3;
        w->replication_factor = 0;
        w->message_bytes = 200;
        w->rate = 1000;
        w->duration_ns = 10 * KP_NS_PER_S;
        w->producers = 1;
        w->consumers = 1;
        w->keys = 0;
        w->linger_ms = -1;
        w->batch_bytes = 0;
        w->drain_timeout_ns = 30 * KP_NS_PER_S;
        w->workers = 1;
}

void kp_workload_cfg_release(kp_workload_cfg_t *w)
{
        free(w->topic);
        free(w->compression);
        free(w->launcher);
        free(w->shard_store);
        kp_kvlist_clear(&w->topic_config);
        w->topic = w->compression = w->launcher = w->shard_store = NULL;
}

int kp_workload_cfg_copy(kp_workload_cfg_t *dst, const kp_workload_cfg_t *src)
{
        *dst = *src;
        dst->topic = src->topic ? strdup(src->topic) : NULL;
        dst->compression = src->compression ? strdup(src->compression) : NULL;
        dst->launcher = src->launcher ? strdup(src->launcher) : NULL;
        dst->shard_store = src->shard_store ? strdup(src->shard_store) : NULL;
        memset(&dst->topic_config, 0, sizeof(dst->topic_config));
        if ((src->topic && !dst->topic) || (src->compression && !dst->compression) ||
            (src->launcher && !dst->launcher) || (src->shard_store && !dst->shard_store) ||
            kp_kvlist_merge(&dst->topic_config, &src->topic_config) < 0) {
                kp_workload_cfg_release(dst);
                return -1;
        }
        return 0;
}

static int name_ok(const char *s)
{
        size_t n = strlen(s), i;

        if (n == 0 || n > 64)
                return 0;
        for (i = 0; i < n; i++)
                if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
                        return 0;
        return 1;
}

/* A control id of a catalogue: a token like "sc-12", "ac-2.1", "A.8.24". */
static int control_id_ok(const char *s)
{
        size_t n = strlen(s), i;

        if (n == 0 || n > 64 || !isalpha((unsigned char)s[0]))
                return 0;
        for (i = 0; i < n; i++)
                if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
                        return 0;
        return 1;
}

/* "controls": {"<row or check id>": ["<control id>", ...]}: the control ids
 * of a catalogue that a checklist row or a check evidences (assessment
 * results carry them). Every key must name a row or a check of a suite. */
static int parse_controls(kp_jv_t *jv, const cJSON *o, const kp_suite_catalog_t *cat,
                          kp_kvlist_t *out)
{
        const cJSON *it, *c;
        size_t i, k;

        cJSON_ArrayForEach(it, o)
        {
                int known = kp_row_find(it->string) != NULL;
                size_t m, idx = 0;
                kp_buf_t ids;

                for (i = 0; cat && !known && i < cat->n; i++)
                        known = kp_suite_check(cat->suites[i], it->string) != NULL;
                if (!known)
                        return kp_jv_fail_at(jv, it->string,
                                             "expected a checklist row or a check id "
                                             "(kproof list), got \"%s\"",
                                             it->string);
                if (cJSON_IsArray(it) && cJSON_GetArraySize(it) == 0)
                        return kp_jv_fail_at(jv, it->string,
                                             "expected 1 to 64 control ids, got an empty array");
                if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) > 64)
                        return kp_jv_expected(jv, it->string, it,
                                              "an array of 1 to 64 control ids");
                kp_buf_init(&ids, 8192);
                m = kp_jv_push_key(jv, it->string);
                cJSON_ArrayForEach(c, it)
                {
                        if (!cJSON_IsString(c) || !control_id_ok(c->valuestring)) {
                                kp_jv_push_index(jv, idx);
                                kp_buf_free(&ids);
                                return kp_jv_expected(
                                    jv, NULL, c,
                                    "a control id (a letter, then up to 63 letters, digits, "
                                    "'.', '-' or '_')");
                        }
                        for (k = 0; k < idx; k++)
                                if (strcmp(cJSON_GetArrayItem(it, (int)k)->valuestring,
                                           c->valuestring) == 0) {
                                        kp_jv_push_index(jv, idx);
                                        kp_buf_free(&ids);
                                        return kp_jv_fail(jv, "control \"%s\" is listed twice",
                                                          c->valuestring);
                                }
                        kp_buf_printf(&ids, "%s%s", idx ? " " : "", c->valuestring);
                        idx++;
                }
                kp_jv_pop(jv, m);
                if (kp_kvlist_set(out, it->string, kp_buf_cstr(&ids)) < 0) {
                        kp_buf_free(&ids);
                        return kp_jv_fail(jv, "out of memory");
                }
                kp_buf_free(&ids);
        }
        return 0;
}

/* Reads an object of scalar values into a kvlist (client properties). */
static int parse_props(kp_jv_t *jv, const cJSON *obj, kp_kvlist_t *out)
{
        const cJSON *it;

        cJSON_ArrayForEach(it, obj)
        {
                char *v = NULL;
                if (kp_jv_scalar_string(jv, obj, it->string, &v) < 0)
                        return -1;
                if (kp_kvlist_set(out, it->string, v) < 0) {
                        free(v);
                        return kp_jv_fail_at(jv, it->string, "out of memory");
                }
                free(v);
        }
        return 0;
}

static int parse_workload(kp_jv_t *jv, const cJSON *o, kp_workload_cfg_t *w)
{
        int64_t v;
        int idx;
        const cJSON *tc;

        if (kp_jv_string(jv, o, "topic", 0, &w->topic) < 0)
                return -1;
        if (w->topic && (!*w->topic || strlen(w->topic) > 249))
                return kp_jv_fail_at(jv, "topic",
                                     "expected a Kafka topic name of 1 to 249 characters");
#define INT_FIELD(key, lo, hi, dst)                                                                \
        do {                                                                                       \
                v = (dst);                                                                         \
                if (kp_jv_int(jv, o, key, 0, lo, hi, &v) < 0)                                      \
                        return -1;                                                                 \
                (dst) = (int)v;                                                                    \
        } while (0)
        INT_FIELD("partitions", 1, 10000, w->partitions);
        INT_FIELD("replication_factor", 1, 16, w->replication_factor);
        INT_FIELD("message_bytes", KP_REC_HDR_BYTES, 16 << 20, w->message_bytes);
        INT_FIELD("producers", 1, 64, w->producers);
        INT_FIELD("consumers", 0, 64, w->consumers);
        INT_FIELD("keys", 0, 1000000000, w->keys);
        INT_FIELD("linger_ms", 0, 60000, w->linger_ms);
        INT_FIELD("batch_bytes", 1, 64 << 20, w->batch_bytes);
        INT_FIELD("transaction_records", 0, 100000, w->txn_records);
        INT_FIELD("workers", 1, 256, w->workers);
#undef INT_FIELD
        if (kp_jv_number(jv, o, "abort_ratio", 0, 0, 1, 0, &w->abort_ratio) < 0)
                return -1;
        if (w->abort_ratio > 0 && w->txn_records == 0)
                return kp_jv_fail_at(jv, "abort_ratio",
                                     "aborting needs transactions: set transaction_records too");
        if (w->workers > w->producers)
                return kp_jv_fail_at(jv, "workers",
                                     "expected at most as many workers as producers (%d): every "
                                     "worker runs at least one producer",
                                     w->producers);
        idx = 0;
        switch (kp_jv_enum(jv, o, "launcher", 0, launcher_names, &idx)) {
        case -1:
                return -1;
        case 1:
                free(w->launcher);
                w->launcher = strdup(launcher_names[idx]);
                if (!w->launcher)
                        return kp_jv_fail(jv, "out of memory");
                break;
        }
        if (kp_jv_string(jv, o, "shard_store", 0, &w->shard_store) < 0)
                return -1;
        if (w->shard_store && !*w->shard_store)
                return kp_jv_fail_at(jv, "shard_store",
                                     "expected a directory or s3://bucket/prefix");
        if (kp_jv_number(jv, o, "rate", 0, 0, 1e8, 1, &w->rate) < 0)
                return -1;
        if (kp_jv_duration(jv, o, "duration", 0, 100 * KP_NS_PER_MS, 24 * 3600 * KP_NS_PER_S,
                           &w->duration_ns) < 0)
                return -1;
        if (kp_jv_duration(jv, o, "drain_timeout", 0, KP_NS_PER_S, 3600 * KP_NS_PER_S,
                           &w->drain_timeout_ns) < 0)
                return -1;
        idx = 0;
        switch (kp_jv_enum(jv, o, "compression", 0, compression_names, &idx)) {
        case -1:
                return -1;
        case 1:
                free(w->compression);
                w->compression = strdup(compression_names[idx]);
                break;
        }
        switch (kp_jv_object(jv, o, "topic_config", 0, &tc)) {
        case -1:
                return -1;
        case 1: {
                size_t m = kp_jv_push_key(jv, "topic_config");
                int r = parse_props(jv, tc, &w->topic_config);
                kp_jv_pop(jv, m);
                if (r < 0)
                        return -1;
        }
        }
        return kp_jv_no_unknown(jv, o);
}

static int parse_client(kp_jv_t *jv, const cJSON *o, kp_client_cfg_t *c)
{
        const char *const sections[] = {"producer", "consumer"};
        kp_kvlist_t *lists[] = {&c->producer, &c->consumer};
        int idx = 0, i;
        const cJSON *p;

        switch (kp_jv_enum(jv, o, "profile", 0, profile_names, &idx)) {
        case -1:
                return -1;
        case 1:
                c->profile = (kp_profile_t)idx;
        }
        for (i = 0; i < 2; i++) {
                int r = kp_jv_object(jv, o, sections[i], 0, &p);
                if (r < 0)
                        return -1;
                if (r == 1) {
                        size_t m = kp_jv_push_key(jv, sections[i]);
                        r = parse_props(jv, p, lists[i]);
                        kp_jv_pop(jv, m);
                        if (r < 0)
                                return -1;
                }
        }
        return kp_jv_no_unknown(jv, o);
}

static int parse_fault(kp_jv_t *jv, const cJSON *o, kp_fault_t *f)
{
        int64_t v;
        int idx = 0;

        f->broker = f->to_broker = f->partition = -1;
        if (kp_jv_is_object(jv, o) < 0)
                return -1;
        if (kp_jv_duration(jv, o, "at", 1, 0, 24 * 3600 * KP_NS_PER_S, &f->at_ns) < 0)
                return -1;
        if (kp_jv_enum(jv, o, "action", 1, kp_fault_action_names, &idx) < 0)
                return -1;
        f->action = (kp_fault_action_t)idx;
        v = -1;
        if (kp_jv_int(jv, o, "broker", 0, 0, 1000000, &v) < 0)
                return -1;
        f->broker = (int32_t)v;
        v = -1;
        if (kp_jv_int(jv, o, "to_broker", 0, 0, 1000000, &v) < 0)
                return -1;
        f->to_broker = (int32_t)v;
        v = -1;
        if (kp_jv_int(jv, o, "partition", 0, 0, 100000, &v) < 0)
                return -1;
        f->partition = (int32_t)v;
        if (kp_jv_string(jv, o, "zone", 0, &f->zone) < 0)
                return -1;
        if (kp_jv_duration(jv, o, "heal_after", 0, 0, 24 * 3600 * KP_NS_PER_S, &f->heal_after_ns) <
            0)
                return -1;
        v = 0;
        if (kp_jv_int(jv, o, "rtt_ms", 0, 1, 600000, &v) < 0)
                return -1;
        f->rtt_ms = (int)v;
        if (kp_jv_string(jv, o, "error", 0, &f->error) < 0)
                return -1;
        v = 1;
        if (kp_jv_int(jv, o, "count", 0, 1, 100000, &v) < 0)
                return -1;
        f->count = (int)v;
        if (parse_fault_brokers(jv, o, f) < 0)
                return -1;
        idx = KP_NET_BROKERS;
        if (kp_jv_enum(jv, o, "scope", 0, kp_net_scope_names, &idx) < 0)
                return -1;
        f->scope = (kp_net_scope_t)idx;
        v = 0;
        if (kp_jv_int(jv, o, "loss_pct", 0, 1, 100, &v) < 0)
                return -1;
        f->loss_pct = (int)v;
        v = 0;
        if (kp_jv_int(jv, o, "delay_ms", 0, 1, 60000, &v) < 0)
                return -1;
        f->delay_ms = (int)v;
        v = 0;
        if (kp_jv_int(jv, o, "jitter_ms", 0, 0, 60000, &v) < 0)
                return -1;
        f->jitter_ms = (int)v;
        if (kp_jv_no_unknown(jv, o) < 0)
                return -1;

        switch (f->action) {
        case KP_FAULT_KILL_BROKER:
        case KP_FAULT_STOP_BROKER:
        case KP_FAULT_PAUSE_BROKER:
        case KP_FAULT_CORRUPT_SEGMENT:
        case KP_FAULT_WIPE_BROKER:
                if (f->broker < 0)
                        return kp_jv_fail_at(jv, "broker",
                                             "required field is missing for action \"%s\"",
                                             kp_fault_action_names[f->action]);
                break;
        case KP_FAULT_KILL_ZONE:
                if (!f->zone)
                        return kp_jv_fail_at(jv, "zone",
                                             "required field is missing for action \"kill_zone\"");
                break;
        case KP_FAULT_MOVE_LEADER:
                if (f->to_broker < 0)
                        return kp_jv_fail_at(
                            jv, "to_broker",
                            "required field is missing for action \"move_leader\"");
                break;
        case KP_FAULT_ADD_RTT:
                if (f->rtt_ms <= 0)
                        return kp_jv_fail_at(jv, "rtt_ms",
                                             "required field is missing for action \"add_rtt\"");
                break;
        case KP_FAULT_PUSH_ERRORS:
                if (!f->error)
                        return kp_jv_fail_at(
                            jv, "error", "required field is missing for action \"push_errors\"");
                break;
        case KP_FAULT_LINK_DELAY:
                if (f->delay_ms <= 0)
                        return kp_jv_fail_at(jv, "delay_ms",
                                             "required field is missing for action \"link_delay\"");
                if (f->jitter_ms > f->delay_ms)
                        return kp_jv_fail_at(jv, "jitter_ms",
                                             "expected at most delay_ms (%d), got %d", f->delay_ms,
                                             f->jitter_ms);
                if ((f->broker >= 0) + (f->n_brokers > 0) + (f->zone != NULL) > 1)
                        return kp_jv_fail(jv, "give one of \"broker\", \"brokers\" and \"zone\" "
                                              "(none: the leader of \"partition\")");
                break;
        case KP_FAULT_LINK_LOSS:
                if (f->loss_pct <= 0)
                        return kp_jv_fail_at(jv, "loss_pct",
                                             "required field is missing for action \"link_loss\"");
                /* the brokers are chosen as for a partition */
                __attribute__((fallthrough));
        case KP_FAULT_PARTITION:
                if ((f->broker >= 0) + (f->n_brokers > 0) + (f->zone != NULL) > 1)
                        return kp_jv_fail(jv, "give one of \"broker\", \"brokers\" and \"zone\" "
                                              "(none: the leader of \"partition\")");
                break;
        default:
                break;
        }
        return 0;
}

static int parse_faults(kp_jv_t *jv, const cJSON *arr, kp_suite_cfg_t *sc)
{
        size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
        const cJSON *it;

        sc->faults = calloc(n ? n : 1, sizeof(*sc->faults));
        if (!sc->faults)
                return kp_jv_fail(jv, "out of memory");
        cJSON_ArrayForEach(it, arr)
        {
                size_t m = kp_jv_push_index(jv, i);
                int r = parse_fault(jv, it, &sc->faults[i]);
                sc->n_faults = ++i;
                if (r < 0)
                        return -1;
                kp_jv_pop(jv, m);
        }
        return 0;
}

static int parse_gates(kp_jv_t *jv, const cJSON *o, const kp_suite_def_t *def, kp_suite_cfg_t *sc)
{
        size_t n = (size_t)cJSON_GetArraySize(o), i = 0, k;
        const cJSON *it;

        sc->gates = calloc(n ? n : 1, sizeof(*sc->gates));
        if (!sc->gates)
                return kp_jv_fail(jv, "out of memory");
        cJSON_ArrayForEach(it, o)
        {
                const kp_gate_def_t *gd = kp_suite_gate(def, it->string);
                if (!gd) {
                        kp_buf_t list;
                        kp_buf_init(&list, 4096);
                        for (k = 0; k < def->n_gates; k++)
                                kp_buf_printf(&list, "%s%s", k ? ", " : "", def->gates[k].name);
                        kp_jv_fail_at(jv, it->string,
                                      "unknown gate for suite \"%s\" (expected one of: %s)",
                                      def->name, def->n_gates ? kp_buf_cstr(&list) : "none");
                        kp_buf_free(&list);
                        return -1;
                }
                if (!kp_suite_cfg_wants_check(sc, gd->check))
                        return kp_jv_fail_at(
                            jv, it->string,
                            "gate reads check \"%s\", which the suite's \"checks\" "
                            "list leaves out (it could never be evaluated)",
                            gd->check);
                if (kp_jv_number(jv, o, it->string, 1, 0, INFINITY, 0, &sc->gates[i].threshold) < 0)
                        return -1;
                sc->gates[i].name = strdup(it->string);
                sc->n_gates = ++i;
                if (!sc->gates[i - 1].name)
                        return kp_jv_fail(jv, "out of memory");
        }
        return 0;
}

static int parse_checks(kp_jv_t *jv, const cJSON *arr, const kp_suite_def_t *def,
                        kp_suite_cfg_t *sc)
{
        size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
        const cJSON *it;

        sc->checks = calloc(n ? n : 1, sizeof(char *));
        if (!sc->checks)
                return kp_jv_fail(jv, "out of memory");
        cJSON_ArrayForEach(it, arr)
        {
                size_t m = kp_jv_push_index(jv, i);
                if (!cJSON_IsString(it))
                        return kp_jv_expected(jv, NULL, it, "a check id");
                if (!kp_suite_check(def, it->valuestring))
                        return kp_jv_fail(
                            jv, "unknown check \"%s\" for suite \"%s\" (kproof list shows them)",
                            it->valuestring, def->name);
                sc->checks[i] = strdup(it->valuestring);
                sc->n_checks = ++i;
                if (!sc->checks[i - 1])
                        return kp_jv_fail(jv, "out of memory");
                kp_jv_pop(jv, m);
        }
        return 0;
}

static int parse_suite(kp_jv_t *jv, const cJSON *o, const kp_suite_catalog_t *cat,
                       kp_suite_cfg_t *sc)
{
        const kp_suite_def_t *def;
        const cJSON *sub;
        char *name = NULL;
        size_t m;
        int r;

        if (kp_jv_is_object(jv, o) < 0)
                return -1;
        if (kp_jv_string(jv, o, "suite", 1, &name) < 0)
                return -1;
        sc->suite = name;
        def = kp_suite_find(cat, name);
        if (!def) {
                kp_buf_t list;
                size_t i;
                kp_buf_init(&list, 4096);
                for (i = 0; cat && i < cat->n; i++)
                        kp_buf_printf(&list, "%s\"%s\"", i ? ", " : "", cat->suites[i]->name);
                kp_jv_fail_at(jv, "suite", "expected one of %s, got \"%s\"", kp_buf_cstr(&list),
                              name);
                kp_buf_free(&list);
                return -1;
        }
        kp_workload_cfg_defaults(&sc->workload);
        if (def->workload_defaults)
                def->workload_defaults(&sc->workload);

        if ((r = kp_jv_array(jv, o, "checks", 0, 1, &sub)) < 0)
                return -1;
        if (r == 1) {
                m = kp_jv_push_key(jv, "checks");
                if (parse_checks(jv, sub, def, sc) < 0)
                        return -1;
                kp_jv_pop(jv, m);
        }
        if ((r = kp_jv_object(jv, o, "workload", 0, &sub)) < 0)
                return -1;
        if (r == 1) {
                m = kp_jv_push_key(jv, "workload");
                if (parse_workload(jv, sub, &sc->workload) < 0)
                        return -1;
                /* Distributed load is implemented for the failover suite's
                 * workload; elsewhere the key would be silently ignored. */
                if (sc->workload.workers > 1 && strcmp(sc->suite, "failover") != 0)
                        return kp_jv_fail_at(jv, "workers",
                                             "distributed load (workers > 1) is supported by the "
                                             "failover suite only, not \"%s\"",
                                             sc->suite);
                kp_jv_pop(jv, m);
        }
        if ((r = kp_jv_object(jv, o, "client", 0, &sub)) < 0)
                return -1;
        if (r == 1) {
                m = kp_jv_push_key(jv, "client");
                if (parse_client(jv, sub, &sc->client) < 0)
                        return -1;
                kp_jv_pop(jv, m);
        }
        if ((r = kp_jv_array(jv, o, "faults", 0, 0, &sub)) < 0)
                return -1;
        if (r == 1) {
                m = kp_jv_push_key(jv, "faults");
                if (parse_faults(jv, sub, sc) < 0)
                        return -1;
                kp_jv_pop(jv, m);
        }
        if ((r = kp_jv_object(jv, o, "gates", 0, &sub)) < 0)
                return -1;
        if (r == 1) {
                m = kp_jv_push_key(jv, "gates");
                if (parse_gates(jv, sub, def, sc) < 0)
                        return -1;
                kp_jv_pop(jv, m);
        }
        if (kp_options_parse(jv, o, def->options, def->n_options, def->options_legacy,
                             def->check_options, &sc->options) < 0)
                return -1;
        return kp_jv_no_unknown(jv, o);
}

static void suite_cfg_release(kp_suite_cfg_t *sc)
{
        size_t i;

        free(sc->suite);
        kp_strv_free(sc->checks, sc->n_checks);
        kp_workload_cfg_release(&sc->workload);
        kp_kvlist_clear(&sc->client.producer);
        kp_kvlist_clear(&sc->client.consumer);
        for (i = 0; i < sc->n_faults; i++) {
                free(sc->faults[i].zone);
                free(sc->faults[i].error);
        }
        free(sc->faults);
        for (i = 0; i < sc->n_gates; i++)
                free(sc->gates[i].name);
        free(sc->gates);
        kp_options_release(&sc->options);
}

void kp_scenario_free(kp_scenario_t *s)
{
        size_t i;

        if (!s)
                return;
        for (i = 0; i < s->n_suites; i++)
                suite_cfg_release(&s->suites[i]);
        free(s->suites);
        free(s->path);
        free(s->name);
        free(s->description);
        kp_kvlist_clear(&s->controls);
        free(s);
}

int kp_scenario_load(const char *path, const kp_suite_catalog_t *cat, kp_scenario_t **out,
                     kp_err_t *err)
{
        kp_scenario_t *s = NULL;
        cJSON *root = NULL;
        const cJSON *suites, *it;
        kp_jv_t jv;
        size_t i = 0, j;
        int rc = -1;

        *out = NULL;
        kp_jv_init(&jv, path, err);
        if (kp_jv_load_file(path, KP_CONFIG_MAX_BYTES, &root, err) < 0)
                goto out;
        s = calloc(1, sizeof(*s));
        if (!s || !(s->path = strdup(path))) {
                kp_err_set(err, KP_ENOMEM, "%s: out of memory", path);
                goto out;
        }
        if (kp_sha256_file(path, s->sha256, err) < 0)
                goto out;
        if (kp_jv_is_object(&jv, root) < 0)
                goto out;
        if (kp_jv_schema_ref(&jv, root) < 0)
                goto out;
        if (kp_jv_string(&jv, root, "name", 1, &s->name) < 0)
                goto out;
        if (!name_ok(s->name)) {
                kp_jv_fail_at(&jv, "name",
                              "expected 1 to 64 letters, digits, '.', '-' or '_', got \"%s\"",
                              s->name);
                goto out;
        }
        if (kp_jv_string(&jv, root, "description", 0, &s->description) < 0)
                goto out;
        if (kp_jv_bool(&jv, root, "allow_all_skipped", 0, &s->allow_all_skipped) < 0)
                goto out;
        if (kp_jv_array(&jv, root, "suites", 1, 1, &suites) < 0)
                goto out;
        s->suites = calloc((size_t)cJSON_GetArraySize(suites), sizeof(*s->suites));
        if (!s->suites) {
                kp_err_set(err, KP_ENOMEM, "%s: out of memory", path);
                goto out;
        }
        kp_jv_push_key(&jv, "suites");
        cJSON_ArrayForEach(it, suites)
        {
                size_t m = kp_jv_push_index(&jv, i);
                s->n_suites = i + 1;
                if (parse_suite(&jv, it, cat, &s->suites[i]) < 0)
                        goto out;
                for (j = 0; j < i; j++)
                        if (strcmp(s->suites[j].suite, s->suites[i].suite) == 0) {
                                kp_jv_fail_at(&jv, "suite",
                                              "suite \"%s\" already appears at $.suites[%zu]",
                                              s->suites[i].suite, j);
                                goto out;
                        }
                kp_jv_pop(&jv, m);
                i++;
        }
        kp_jv_pop(&jv, 1);
        {
                const cJSON *ctl;
                int r = kp_jv_object(&jv, root, "controls", 0, &ctl);

                if (r < 0)
                        goto out;
                if (r > 0) {
                        size_t m = kp_jv_push_key(&jv, "controls");
                        if (parse_controls(&jv, ctl, cat, &s->controls) < 0)
                                goto out;
                        kp_jv_pop(&jv, m);
                }
        }
        if (kp_jv_no_unknown(&jv, root) < 0)
                goto out;
        *out = s;
        s = NULL;
        rc = 0;
out:
        if (rc < 0 && err && err->code != KP_ENOMEM && err->code != KP_EIO)
                err->code = KP_EINVAL;
        if (rc < 0 && err && err->code == KP_EIO)
                err->code = KP_EINVAL;
        kp_scenario_free(s);
        cJSON_Delete(root);
        kp_jv_release(&jv);
        return rc;
}

const kp_suite_cfg_t *kp_scenario_suite(const kp_scenario_t *s, const char *suite)
{
        size_t i;

        for (i = 0; i < s->n_suites; i++)
                if (strcmp(s->suites[i].suite, suite) == 0)
                        return &s->suites[i];
        return NULL;
}

const kp_gate_cfg_t *kp_suite_cfg_gate(const kp_suite_cfg_t *sc, const char *name)
{
        size_t i;

        for (i = 0; sc && i < sc->n_gates; i++)
                if (strcmp(sc->gates[i].name, name) == 0)
                        return &sc->gates[i];
        return NULL;
}

int kp_suite_cfg_wants_check(const kp_suite_cfg_t *sc, const char *check_id)
{
        size_t i;

        if (!sc->checks)
                return 1;
        for (i = 0; i < sc->n_checks; i++)
                if (strcmp(sc->checks[i], check_id) == 0)
                        return 1;
        return 0;
}
