/*
 * control: the one interface through which suites change a platform —
 * take brokers down and up, move leaders, add latency, inject errors, add
 * capacity, rebalance, read storage usage.
 *
 * Adapters implement it: `embedded` (librdkafka's in-process mock cluster)
 * and `exec` (command templates from the target, e.g. a fixture script). A
 * suite asks kp_control_supports() first and reports `skip` with the returned
 * reason when the target cannot do an operation. Every invocation is reported
 * to the observer (the runner journals it as an event and as evidence of the
 * running check) before and after it happens.
 */
#ifndef KP_CONTROL_H
#define KP_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/err.h"

typedef enum kp_ctl_op {
        KP_CTL_KILL_BROKER = 0, /* abrupt stop (SIGKILL, mock: broker down) */
        KP_CTL_STOP_BROKER,     /* graceful stop */
        KP_CTL_START_BROKER,    /* start a stopped or killed broker */
        KP_CTL_ADD_BROKER,      /* add capacity: a new broker joins */
        KP_CTL_REMOVE_BROKER,   /* remove a (drained) broker */
        KP_CTL_SET_LEADER,      /* move a partition's leadership to a broker */
        KP_CTL_SET_RTT,         /* add round-trip latency to a broker */
        KP_CTL_PUSH_ERRORS,     /* next requests of an API fail with given errors */
        KP_CTL_REBALANCE,       /* run the platform's rebalance (e.g. a reassignment file) */
        KP_CTL_STORAGE_BYTES,   /* bytes on durable storage of a broker -> res.value */
        KP_CTL_LEADER,          /* current leader of a partition -> res.value */
        KP_CTL_CONTROLLER,      /* current active controller -> res.value */
        KP_CTL_CREATE_TOPIC,    /* create a topic through the control plane */
        KP_CTL_KILL_RACK,       /* abrupt stop of every broker of a rack */
        KP_CTL_DELETE_RECORDS,  /* delete records of a partition below an offset */
        KP_CTL_PENDING_ERRORS,  /* injected errors of an API not yet delivered -> res.value */
        /* the platform's outbound TCP connections, one JSON object per line
         * {"process","local","peer"} -> req.output */
        KP_CTL_LIST_CONNECTIONS,
        /* the platform's replication tool (migration suite): mirror the topics
         * matching req.topic (a regex) to the destination, or back */
        KP_CTL_START_MIRROR,
        KP_CTL_STOP_MIRROR,
        KP_CTL_START_REVERSE_MIRROR,
        KP_CTL_STOP_REVERSE_MIRROR,
        KP_CTL_MIRROR_STATUS, /* exit 0 while the mirror runs */
        KP_CTL_PAUSE_BROKER, /* freeze a broker's process (SIGSTOP: a long GC pause, a frozen VM) */
        KP_CTL_RESUME_BROKER, /* let a paused broker run again (SIGCONT) */
        /* stop a broker abruptly, damage the tail of the active segment of
         * topic/partition on its disk, start it again */
        KP_CTL_CORRUPT_SEGMENT,
        /* stop a broker abruptly and lose its whole data directory (a replaced
         * disk); it stays down until start_broker */
        KP_CTL_WIPE_BROKER,
        /* cut brokers (req.brokers) off from the other brokers, from clients
         * or both (req.scope: brokers|clients|all); packets are dropped */
        KP_CTL_PARTITION,
        KP_CTL_HEAL_PARTITION, /* end every partition in force */
        KP_CTL_LINK_LOSS,      /* drop req.loss_pct % of the packets of those links */
        KP_CTL_LINK_DELAY,     /* hold their packets req.delay_ms +- req.jitter_ms */
        KP_CTL_HEAL_LINK,      /* end every link fault in force */
        KP_CTL__COUNT
} kp_ctl_op_t;

/* Operation names as used in targets ("kill_broker", ...), NULL-terminated. */
extern const char *const kp_ctl_op_names[];
int kp_ctl_op_from_name(const char *name);

typedef struct kp_ctl_req {
        kp_ctl_op_t op;
        int32_t broker; /* -1 when not applicable */
        const char *rack;
        const char *topic;
        int32_t partition; /* -1 when not applicable */
        int64_t offset;    /* delete_records: delete below this offset */
        const char *file;  /* rebalance: a plan file */
        int rtt_ms;
        int16_t api_key;          /* push_errors: Kafka API key (0 = Produce) */
        const int *errors;        /* push_errors: Kafka error codes */
        const int *error_rtts_ms; /* push_errors: optional response delay of each error */
        size_t n_errors;
        int partitions; /* create_topic */
        int replication_factor;
        const int32_t *brokers; /* partition, link_loss */
        size_t n_brokers;
        const char *scope; /* partition, link_loss: brokers, clients or all */
        int loss_pct;      /* link_loss */
        int delay_ms;      /* link_delay: one way */
        int jitter_ms;
        /* list_connections: receives the command's stdout (caller-owned) */
        struct kp_buf *output;
} kp_ctl_req_t;

/* What an invocation did, for evidence. Strings are redacted. */
typedef struct kp_ctl_res {
        int64_t value; /* storage_bytes, leader, controller */
        int has_value;
        int exit_code; /* exec: the command's status; -1 when killed or not run */
        int64_t duration_ns;
        char command[1024]; /* exec: the command line (redacted) */
        char output[2048];  /* exec: tail of stdout and stderr (redacted) */
} kp_ctl_res_t;

typedef struct kp_control kp_control_t;

/* Called before (res == NULL) and after each invocation. */
typedef void (*kp_ctl_observer_fn)(void *opaque, const kp_ctl_req_t *req, const kp_ctl_res_t *res,
                                   const kp_err_t *err);

/* The adapter vtable; adapters fill it in their constructor. */
typedef struct kp_control_ops {
        const char *type;
        int (*supports)(kp_control_t *ctl, kp_ctl_op_t op, const char **reason);
        int (*invoke)(kp_control_t *ctl, const kp_ctl_req_t *req, kp_ctl_res_t *res, kp_err_t *err);
        void (*destroy)(kp_control_t *ctl);
} kp_control_ops_t;

struct kp_control {
        const kp_control_ops_t *ops;
        void *impl;
        kp_ctl_observer_fn observer;
        void *observer_opaque;
};

/* Creates the adapter for a target (none, embedded, exec). For embedded the
 * mock cluster is started and *bootstrap receives its listeners (owned by
 * the control; valid until kp_control_destroy). */
int kp_control_new(const kp_target_t *t, kp_control_t **out, const char **bootstrap, kp_err_t *err);
void kp_control_destroy(kp_control_t *ctl);

int kp_control_supports(kp_control_t *ctl, kp_ctl_op_t op, const char **reason);
/* Runs one operation; fills res (may be NULL) and err. */
int kp_control_do(kp_control_t *ctl, const kp_ctl_req_t *req, kp_ctl_res_t *res, kp_err_t *err);
void kp_control_set_observer(kp_control_t *ctl, kp_ctl_observer_fn fn, void *opaque);
/* An initialised request for op (broker and partition -1). */
kp_ctl_req_t kp_ctl_req(kp_ctl_op_t op);
struct kp_buf;
/* req.brokers as "1,2" appended to out. */
int kp_ctl_brokers_list(const kp_ctl_req_t *r, struct kp_buf *out);
/* "kill_broker broker=2" — a short description for logs and evidence. */
void kp_ctl_req_describe(const kp_ctl_req_t *req, char *out, size_t size);

/* Adapter constructors (control_*.c). */
int kp_control_embedded_new(const kp_target_t *t, kp_control_t **out, const char **bootstrap,
                            kp_err_t *err);
int kp_control_exec_new(const kp_target_t *t, kp_control_t **out, kp_err_t *err);
int kp_control_none_new(kp_control_t **out, kp_err_t *err);
/* exec: 0 when every {placeholder} of a command template is known; else -1
 * with the unknown name in bad. */
int kp_control_exec_template_check(const char *tpl, char *bad, size_t bad_size);

/* Expands a command template (the exec adapter's rules): each {name} is
 * replaced by value()'s text quoted for /bin/sh (value returns 1 when it
 * filled val, 0 when it has no value for the name, -1 on OOM), ${env:NAME}
 * by the variable's value (registered as a secret), `${` is left to the
 * shell. `what` names the command in errors. Used by the exec control
 * adapter and by exec audit sources. */
struct kp_buf;
typedef int (*kp_tpl_value_fn)(void *opaque, const char *name, size_t len, struct kp_buf *val);
int kp_exec_template_expand(const char *tpl, const char *what, kp_tpl_value_fn value, void *opaque,
                            struct kp_buf *out, kp_err_t *err);

/* For the embedded adapter only: the librdkafka mock cluster handle
 * (rd_kafka_mock_cluster_t *), or NULL for other adapters. */
void *kp_control_embedded_mock(kp_control_t *ctl);

#endif
