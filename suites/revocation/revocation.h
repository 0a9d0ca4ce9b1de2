/*
 * The revocation suite (checklist row key-authority): which key protects
 * the platform's durable data, who controls it, and what actually happens —
 * and how fast — when the customer revokes it.
 *
 * The key checks read metadata, rotation, policy and grants through the KMS
 * adapter (src/adapters/kms.h). The flow checks share one sequence, run by the
 * at-rest check and the write-effect check and reported by the checks after
 * them: write unique canaries and read them back; scan the durable bytes
 * for them (src/adapters/storage.h); revoke the key (journaled, src/adapters/revoke.h); probe
 * produce and a fresh consumer reading old data every interval; restore;
 * measure recovery; read every canary back.
 */
#ifndef KP_REVOCATION_H
#define KP_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "evidence/evidence.h"
#include "adapters/kms.h"
#include "adapters/revoke.h"
#include "evidence/runner.h"
#include "evidence/suite.h"

#define REV_ROW          "key-authority"
#define REV_TOKEN_PREFIX "kpcanary:"
#define REV_TOKEN_LEN    (sizeof(REV_TOKEN_PREFIX) - 1 + 32)
#define REV_MAX_PROBES   4096
/* Consecutive failed probes, each with an error the revocation explains,
 * that establish an effect (and end the probing, see probing_done). */
#define REV_CONFIRM_PROBES 3

extern const kp_suite_def_t kp_suite_revocation;

typedef struct rev_opts {
        kp_revoke_mode_t mode;
        const char *grant_id; /* borrowed from the scenario */
        int canaries;
        int deletion_days;
        int64_t probe_interval_ns;
        int64_t probe_timeout_ns; /* a write probe's message.timeout.ms; a read probe's wait */
        int64_t timeout_ns;       /* probing window after the revocation */
        int64_t observe_ns;       /* keep probing this long after writes failed for good */
        int64_t recovery_timeout_ns;
        /* "max_old_data_readable_s": old data may stay readable this long
         * after the revocation (cached data keys); < 0: not tolerated. */
        double max_old_data_readable_s;
} rev_opts_t;

/* The revocation entry's "options" (suite.c; NULL: the defaults) into *o. */
void rev_opts_read(const kp_options_t *v, rev_opts_t *o);

typedef struct rev_probe {
        int64_t t_ns;    /* send/start time relative to the revocation */
        int64_t done_ns; /* result time relative to the revocation (-1 pending) */
        char kind;       /* 'w' write, 'r' read */
        char phase;      /* 'b' before restore, 'a' after restore */
        int ok;          /* 1 ok, 0 failed, -1 pending */
        int err;         /* rd_kafka_resp_err_t */
        int alive;       /* the platform answered a metadata request in the same round */
        int late;        /* a revoked-window write answered only after the restore (ok stays -1) */
} rev_probe_t;

typedef struct rev_state {
        const char *skip_reason; /* every check skips with this */
        char skip_buf[512];
        const char *fatal; /* every later flow check errors with this */
        char fatal_buf[1024];
        rev_opts_t opts;
        kp_kms_t *kms;
        kp_kms_key_t key;
        int have_key;
        char topic[256];
        /* canaries */
        char (*tokens)[REV_TOKEN_LEN + 1];
        int64_t *offsets; /* acknowledged offset per canary, -1 when not */
        int n_canaries, acked;
        int64_t first_offset;
        int canaries_ok;       /* written and read back before the revocation */
        int64_t canaries_unix; /* wall clock (s) when the canaries were produced */
        /* revocation */
        int revoked, restored, flow_done;
        int64_t revoke_mono, restore_mono;
        kp_journal_entry_t entry;
        rev_probe_t *probes;
        size_t n_probes;
        int64_t write_effect_ns;                     /* -1: none */
        int64_t read_effect_ns;                      /* -1: none */
        int64_t write_recovery_ns, read_recovery_ns; /* from restore, -1: none */
        int64_t window_ns;                           /* probing window actually used */
        uint64_t disconnects;                        /* transport errors after the revocation */
        char write_outcome;        /* revocation.write-effect: 'p' proven, 'f' no effect,
                                      'u' failures not proven, 0 not judged */
        int counting;              /* client events are counted (after the revocation) */
        int64_t refused_since;     /* live status line: writes refused since (monotonic), 0 */
        kp_kvlist_t client_errors; /* error name -> count (as text) */
        char plot[256];
} rev_state_t;

static inline rev_state_t *rev_state(kp_ctx_t *ctx)
{
        return ctx->suite_state;
}

/* Key checks (key-manager.c, key-rotation.c, key-policy.c, grants.c). */
void rev_check_key_manager(kp_ctx_t *ctx, kp_check_t *c);
void rev_check_key_rotation(kp_ctx_t *ctx, kp_check_t *c);
void rev_check_key_policy(kp_ctx_t *ctx, kp_check_t *c);
void rev_check_grants(kp_ctx_t *ctx, kp_check_t *c);

/* Flow checks (at-rest.c, write-effect.c, old-data.c, recovery.c, integrity.c). */
void rev_check_at_rest(kp_ctx_t *ctx, kp_check_t *c);
void rev_check_write_effect(kp_ctx_t *ctx, kp_check_t *c);
void rev_check_old_data(kp_ctx_t *ctx, kp_check_t *c);
void rev_check_recovery(kp_ctx_t *ctx, kp_check_t *c);
void rev_check_integrity(kp_ctx_t *ctx, kp_check_t *c);

/* Judging the probes (judge.c): pure functions of the probe log, so the
 * rules are unit-tested on synthetic probe sequences. */
/* 1 when a failed probe's error is one the revocation explains: an error the
 * platform returned for the write or read (rev_proof_codes), or a timeout
 * while the platform answered a metadata request in the same round. A
 * timeout of an unresponsive platform or a client that could not be created
 * is not proof. */
int rev_probe_is_proof(const rev_probe_t *p);
/* The accepted error codes, for reasons and docs ("A, B, C"). */
const char *rev_proof_codes(void);
/* Length of the trailing run of decided probes of kind (phase 'b') that
 * failed with proof; *first_ns: when the first of them was sent. */
int rev_proven_run(const rev_state_t *st, char kind, int64_t *first_ns);
/* Trailing decided probes of kind/phase that failed, with or without proof. */
int rev_trailing_failures(const rev_state_t *st, char kind, char phase);
/* Sets write-effect's verdict and st->write_outcome/write_effect_ns. */
void rev_judge_write_effect(rev_state_t *st, kp_check_t *c);
/* Sets old-data's verdict from the probes (needs a completed flow). */
void rev_judge_old_data(rev_state_t *st, kp_check_t *c);

/* Kafka helpers (probe.c). */
rd_kafka_t *rev_client(kp_ctx_t *ctx, rd_kafka_type_t type, const kp_kvlist_t *extra,
                       void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                       void *opaque, kp_err_t *err);
/* Assigns partition 0 of the canaries' topic to consumer rk from offset. */
void rev_assign_canaries(rd_kafka_t *rk, const rev_state_t *st, int64_t offset);
/* The index of the canary m carries intact (its whole token, byte-exact), or
 * -1 when m is no intact canary. */
int rev_canary_index(const rev_state_t *st, const rd_kafka_message_t *m);
/* A fresh consumer reads the first canary of partition 0 from its offset;
 * 1 when it arrived intact within timeout, 0 when not (*err_code set). */
int rev_read_probe(kp_ctx_t *ctx, rev_state_t *st, int64_t timeout_ns, int *err_code);

/* Common preamble of every check: skip or error when the suite cannot run.
 * Returns 0 when the check may proceed. */
int rev_precheck(kp_ctx_t *ctx, kp_check_t *c, int needs_flow);

#endif
