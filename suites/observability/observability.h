/*
 * The observability suite (checklist row observability): can the operator
 * prove administrative changes and refused access from the platform's own
 * audit trails? kproof performs marked actions — admin changes as the
 * target's principal, and access attempts as a declared unauthorized
 * principal — then reads the target's audit sources (src/adapters/audit.h) until
 * each action appears, and measures how long that took.
 *
 * Key usage and storage access (key-audit, storage-audit) are found the
 * same way in sources of kind key and storage: the platform's use of the
 * customer key while kproof writes and reads, kproof's own DescribeKey, and
 * the durable writes of kproof's records.
 */
#ifndef KP_OBSERVABILITY_SUITE_H
#define KP_OBSERVABILITY_SUITE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/audit.h"
#include "util/buf.h"
#include "evidence/evidence.h"
#include "util/kvlist.h"
#include "evidence/runner.h"
#include "evidence/suite.h"

#define OBS_ROW "observability"

extern const kp_suite_def_t kp_suite_observability;

typedef struct obs_options {
        int64_t wait_ns;          /* how long kproof waits for an action to appear in a trail */
        int64_t clock_skew_ns;    /* an event may carry a time this much before the action */
        int storage_match_window; /* storage-audit: match by time window, not by topic name */
} obs_options_t;

/* The scenario's options (suite.c), read into *o (returned). */
const obs_options_t *obs_opts(const kp_ctx_t *ctx, obs_options_t *o);

typedef struct obs_state {
        int64_t since_ns; /* wall clock when the suite started (minus the skew) */
} obs_state_t;

/* One action kproof performed and the audit event it expects for it. */
typedef struct obs_expect {
        const char *label;      /* "create-topic" */
        const char *actions[4]; /* accepted action names; none: any action not excluded */
        const char *exclude[4]; /* action names that never match */
        const char *hint;       /* the resource must contain this (topic, group) ... */
        const char *hint2;      /* ... or this; NULL: no second hint */
        int cluster_ok;         /* ... or be a cluster-level resource ("Cluster:...") */
        const char *outcome;    /* "allowed" or "denied" */
        char principal[160];    /* the event's principal; "": any non-empty one */
        int active;             /* 0: not performed (not applicable) */
        int64_t start_ns, end_ns;
        /* result */
        int found;
        int anon;        /* not found, but the event without its caller (no principal) was */
        int64_t seen_ns; /* wall clock of the read that first showed it */
        kp_audit_event_t ev;
} obs_expect_t;

/* Reads src until every active expectation is found or the wall clock
 * passes deadline_ns (one read at least). The events of the last read are
 * kept as raw/audit-<source>.jsonl. -1 with err when the source cannot be
 * read. */
int obs_trail_poll(kp_ctx_t *ctx, const kp_audit_source_cfg_t *src, obs_expect_t *x, size_t n,
                   int64_t deadline_ns, kp_err_t *err);

/* Records a table of the expectations and the delay measurements
 * (<prefix>audit_delay_p50_s, _max_s, actions_missing); missing gets the
 * labels of those not found ("" when none). */
void obs_report(kp_check_t *c, const kp_audit_source_cfg_t *src, const obs_expect_t *x, size_t n,
                char *missing, size_t size);

/* Client properties of the target, with a principal's laid over them when
 * principal is not NULL. */
void obs_props(const kp_ctx_t *ctx, const kp_kvlist_t *principal, kp_kvlist_t *out);

/* Makes topic ready for the checks' records: created by kproof when own
 * (a kproof-named topic), else created unless it exists already (the
 * scenario's workload.topic, e.g. one a platform maps to a key). */
int obs_topic_ready(kp_ctx_t *ctx, const char *topic, int own, kp_err_t *err);

/* Kafka operations for the checks. Each returns 0 on success, else the
 * Kafka error code (> 0) or -1 for a local failure / no answer, with a
 * one-line message in msg. */
int obs_alter_topic_config(const kp_kvlist_t *props, const char *topic, const char *key,
                           const char *value, char *msg, size_t size);
int obs_acl(const kp_kvlist_t *props, int create, const char *topic, const char *principal,
            char *msg, size_t size);
int obs_create_topic(const kp_kvlist_t *props, const char *topic, char *msg, size_t size);
int obs_produce_one(const kp_kvlist_t *props, const char *topic, char *msg, size_t size);
/* 0 when a record was read, an error code when refused, -1 when neither
 * happened within timeout_ms. */
int obs_consume_one(const kp_kvlist_t *props, const char *topic, const char *group, int timeout_ms,
                    char *msg, size_t size);
/* True for Kafka's authorization error codes (TOPIC_, GROUP_, CLUSTER_,
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ...). */
int obs_is_authz_error(int code);

void obs_check_admin_audit(kp_ctx_t *ctx, kp_check_t *c);
void obs_check_access_denied(kp_ctx_t *ctx, kp_check_t *c);
void obs_check_key_audit(kp_ctx_t *ctx, kp_check_t *c);
void obs_check_storage_audit(kp_ctx_t *ctx, kp_check_t *c);

#endif
