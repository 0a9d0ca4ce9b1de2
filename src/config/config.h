/*
 * config: the scenario and target files, loaded and validated strictly.
 *
 * A scenario says which suites run and with what workload, client profile,
 * faults and gates; a target says how to reach the platform (librdkafka
 * client properties) and which adapters apply (control, kms, storage) plus
 * declared deployment facts. Both loaders reject unknown keys, wrong types,
 * missing required fields, out-of-range values and bad durations with one
 * line that names the file and the JSON path (see jsonv.h), and register
 * ${env:NAME} values as secrets.
 *
 * The suites a scenario may name come from a catalog the caller passes in
 * (the core does not know the suites); each suite declares the keys of its
 * "options" with a table (options.h) that the loader validates. Loaded
 * structs are owned by the caller: free them with kp_scenario_free() /
 * kp_target_free().
 */
#ifndef KP_CONFIG_H
#define KP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config/options.h"
#include "util/digest.h"
#include "util/err.h"
#include "util/kvlist.h"

/* Input files larger than this are rejected. */
#define KP_CONFIG_MAX_BYTES ((size_t)4 << 20)

typedef enum kp_profile {
        KP_PROFILE_DEFAULT = 0, /* librdkafka defaults plus the target's properties */
        KP_PROFILE_SAFE,        /* acks=all, idempotence, read_committed, no auto-commit */
        KP_PROFILE_RELAXED,     /* acks=1, no idempotence */
} kp_profile_t;

typedef struct kp_client_cfg {
        kp_profile_t profile;
        kp_kvlist_t producer; /* free librdkafka overrides for producers */
        kp_kvlist_t consumer; /* ... and for consumers */
} kp_client_cfg_t;

typedef struct kp_workload_cfg {
        char *topic;            /* explicit topic name; NULL: kproof-<suite>-<run id> */
        int partitions;         /* 1..10000 */
        int replication_factor; /* 0: the platform's default */
        int message_bytes;      /* record value size, >= KP_REC_HDR_BYTES */
        double rate;            /* records per second, all producers together */
        int64_t duration_ns;
        int producers;
        int consumers;
        int keys;          /* distinct keys; 0: no key (sticky partitioner) */
        int linger_ms;     /* -1: client default */
        int batch_bytes;   /* 0: client default */
        char *compression; /* none, gzip, snappy, lz4, zstd */
        int64_t drain_timeout_ns;
        kp_kvlist_t topic_config; /* topic configs for topics kproof creates */
        int txn_records;          /* > 0: producers write transactions of this many records */
        double abort_ratio;       /* share of those transactions aborted on purpose */
        /* Distributed load (docs/distributed.md): workers > 1 spreads the
         * workload over that many `kproof worker` processes started by the
         * launcher ("local": child processes), whose shard results travel
         * through shard_store (a directory, or s3://bucket/prefix; NULL: the
         * run directory's shards/). */
        int workers;
        char *launcher;
        char *shard_store;
} kp_workload_cfg_t;

typedef enum kp_fault_action {
        KP_FAULT_KILL_LEADER = 0,
        KP_FAULT_KILL_BROKER,
        KP_FAULT_STOP_BROKER,
        KP_FAULT_KILL_CONTROLLER,
        KP_FAULT_KILL_ZONE,
        KP_FAULT_ROLLING_RESTART,
        KP_FAULT_MOVE_LEADER,
        KP_FAULT_ADD_RTT,
        KP_FAULT_PUSH_ERRORS,
        KP_FAULT_DELETE_RECORDS,
        KP_FAULT_PAUSE_BROKER,
        KP_FAULT_CORRUPT_SEGMENT,
        KP_FAULT_WIPE_BROKER,
        KP_FAULT_PARTITION,      /* cut brokers off (from other brokers, clients or both) */
        KP_FAULT_HEAL_PARTITION, /* end every partition now in force */
        KP_FAULT_LINK_LOSS,      /* drop a share of the packets of brokers' links */
        KP_FAULT_LINK_DELAY,     /* hold every packet of brokers' links a while */
        KP_FAULT__COUNT
} kp_fault_action_t;

/* Which links a partition or link fault affects. */
typedef enum kp_net_scope {
        KP_NET_BROKERS = 0, /* between the chosen brokers and the other brokers */
        KP_NET_CLIENTS,     /* between clients and the chosen brokers */
        KP_NET_ALL,         /* both */
} kp_net_scope_t;

extern const char *const kp_net_scope_names[];

#define KP_FAULT_MAX_BROKERS 8

extern const char *const kp_fault_action_names[];

typedef struct kp_fault {
        int64_t at_ns; /* from workload start */
        kp_fault_action_t action;
        int32_t broker;        /* -1: not given */
        int32_t to_broker;     /* move_leader target, -1: not given */
        int32_t partition;     /* -1: not given */
        char *zone;            /* kill_zone */
        int64_t heal_after_ns; /* 0: never healed by kproof */
        int rtt_ms;            /* add_rtt */
        char *error;           /* push_errors: Kafka error name, e.g. NOT_LEADER_FOR_PARTITION */
        int count;             /* push_errors: how many */
        /* partition, link_loss: the brokers (n_brokers 0: broker, zone, or
         * the leader of partition when none is given), which links, the loss */
        int32_t brokers[KP_FAULT_MAX_BROKERS];
        int n_brokers;
        kp_net_scope_t scope;
        int loss_pct;
        int delay_ms;  /* link_delay: one way */
        int jitter_ms; /* link_delay: uniform +- around delay_ms */
} kp_fault_t;

typedef struct kp_gate_cfg {
        char *name;
        double threshold;
} kp_gate_cfg_t;

typedef struct kp_suite_cfg {
        char *suite;
        char **checks; /* NULL: all checks of the suite */
        size_t n_checks;
        kp_workload_cfg_t workload;
        kp_client_cfg_t client;
        kp_fault_t *faults;
        size_t n_faults;
        kp_gate_cfg_t *gates;
        size_t n_gates;
        /* The entry's "options", checked against the suite's table (options.h). */
        kp_options_t options;
} kp_suite_cfg_t;

typedef struct kp_scenario {
        char *path;
        char *name;
        char *description;
        kp_suite_cfg_t *suites;
        size_t n_suites;
        /* An all-skip run, or a row whose checks all skipped, may exit 0. */
        int allow_all_skipped;
        char sha256[KP_SHA256_HEX];
        /* "controls": checklist row or check id -> the control ids of a
         * catalogue it evidences (e.g. NIST 800-53 "sc-12"), space-separated. */
        kp_kvlist_t controls;
} kp_scenario_t;

typedef enum kp_control_type {
        KP_CONTROL_NONE = 0,
        KP_CONTROL_EMBEDDED,
        KP_CONTROL_EXEC,
} kp_control_type_t;

typedef struct kp_control_cfg {
        kp_control_type_t type;
        int brokers;  /* embedded: broker count */
        char **racks; /* embedded: rack per broker (n == brokers) or NULL */
        size_t n_racks;
        int64_t timeout_ns;   /* exec: per command */
        kp_kvlist_t commands; /* exec: operation name -> command template */
        kp_kvlist_t env;      /* exec: extra environment for commands */
        kp_kvlist_t timeouts; /* exec: operation name -> its own timeout ("20s") */
} kp_control_cfg_t;

typedef struct kp_deployment_cfg {
        char *architecture; /* shared-nothing, tiered, shared-storage */
        char *provider;
        char *region;
        char **zones;
        size_t n_zones;
        char *instance_type;
        int instance_count;
        int64_t retention_ns;
        char *price_sheet;
        char **boundary_cidrs;
        size_t n_boundary_cidrs;
        char **boundary_hosts;
        size_t n_boundary_hosts;
        char *boundary_account;
        char **boundary_regions; /* regions cloud resources (bucket, key) must be in */
        size_t n_boundary_regions;
        char **boundary_endpoints; /* allowed_endpoints: hosts allowed outside the boundary */
        size_t n_boundary_endpoints;
} kp_deployment_cfg_t;

/* kms section: the KMS that holds the key protecting the platform's data. */
typedef struct kp_kms_cfg {
        char *region;
        char *endpoint;      /* default https://kms.<region>.amazonaws.com/ */
        char *access_key_id; /* usually ${env:...}; registered as secrets */
        char *secret_access_key;
        char *session_token; /* optional */
        char *key;           /* key id, ARN or alias/NAME of the platform's key */
        int fixture;         /* declared a test fixture: destructive calls need no flag */
        int64_t timeout_ns;  /* per call attempt */
        int max_attempts;    /* attempts on throttling and transport errors */
} kp_kms_cfg_t;

/* storage section: where the platform's durable bytes can be inspected. */
typedef struct kp_storage_cfg {
        char **log_dirs; /* dir: broker log directories (glob patterns) */
        size_t n_log_dirs;
        char *endpoint; /* s3: default https://s3.<region>.amazonaws.com */
        char *region;
        char *bucket;
        char *prefix;
        char *access_key_id;
        char *secret_access_key;
        char *session_token;
        char *expected_kms_key; /* s3: objects must be SSE-KMS under this key id/ARN */
        int64_t timeout_ns;
        int64_t max_scan_bytes; /* bytes read at most per scan */
} kp_storage_cfg_t;

/* audit section: where the platform's audit trails can be read (audit.h). */
typedef enum kp_audit_kind { KP_AUDIT_ADMIN = 0, KP_AUDIT_KEY, KP_AUDIT_STORAGE } kp_audit_kind_t;
typedef enum kp_audit_format {
        KP_AUDIT_CLOUDTRAIL = 0,
        KP_AUDIT_KAFKA_AUTHORIZER,
        KP_AUDIT_JSONL
} kp_audit_format_t;

typedef struct kp_audit_source_cfg {
        char *name;
        kp_audit_kind_t kind;
        int exec;      /* 1: command (type exec), 0: path (type file) */
        char *command; /* exec: shell command template ({target_dir}, {since}, ${env:}) */
        char *path;    /* file: path or glob pattern, relative to the target file */
        kp_audit_format_t format;
        int64_t timeout_ns; /* exec */
} kp_audit_source_cfg_t;

typedef struct kp_target {
        char *path;
        char *name;
        char *description;
        kp_kvlist_t kafka;        /* librdkafka properties, values already expanded */
        kp_kvlist_t topic_config; /* configs of every topic kproof creates on the platform (a
                                     scenario's workload.topic_config overrides them) */
        kp_control_cfg_t control;
        kp_deployment_cfg_t deployment;
        char *kms_type;               /* "none" until a kms adapter is configured */
        char *storage_type;           /* "none" until a storage adapter is configured */
        kp_kms_cfg_t kms;             /* valid when kms_type is "aws-kms" */
        kp_storage_cfg_t storage;     /* valid when storage_type is "dir" or "s3" */
        kp_audit_source_cfg_t *audit; /* audit.sources */
        size_t n_audit;
        /* principals: name -> client properties laid over kafka (e.g. "unauthorized") */
        char **principal_names;
        kp_kvlist_t *principal_props;
        size_t n_principals;
        char sha256[KP_SHA256_HEX];
} kp_target_t;

struct kp_suite_catalog;
int kp_scenario_load(const char *path, const struct kp_suite_catalog *cat, kp_scenario_t **out,
                     kp_err_t *err);
void kp_scenario_free(kp_scenario_t *s);

int kp_target_load(const char *path, kp_target_t **out, kp_err_t *err);
void kp_target_free(kp_target_t *t);

/* The suite entry for a suite name, or NULL. */
const kp_suite_cfg_t *kp_scenario_suite(const kp_scenario_t *s, const char *suite);
/* The configured threshold of a gate, or NULL when the scenario sets none. */
const kp_gate_cfg_t *kp_suite_cfg_gate(const kp_suite_cfg_t *sc, const char *name);
/* True when the entry selects this check (no list selects all). */
int kp_suite_cfg_wants_check(const kp_suite_cfg_t *sc, const char *check_id);

void kp_workload_cfg_defaults(kp_workload_cfg_t *w);
void kp_workload_cfg_release(kp_workload_cfg_t *w);
/* Deep copy (dst is overwritten; release with kp_workload_cfg_release). */
int kp_workload_cfg_copy(kp_workload_cfg_t *dst, const kp_workload_cfg_t *src);

/* Whether the file looks like a scenario (has "suites") or a target. */
typedef enum kp_config_kind {
        KP_CONFIG_UNKNOWN,
        KP_CONFIG_SCENARIO,
        KP_CONFIG_TARGET
} kp_config_kind_t;
int kp_config_sniff(const char *path, kp_config_kind_t *kind, kp_err_t *err);

void kp_strv_free(char **v, size_t n);

#endif
