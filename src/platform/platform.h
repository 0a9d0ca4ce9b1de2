/*
 * platform: the platform under test as the suites see it — the target's
 * client properties (with the bootstrap servers of an embedded cluster
 * filled in), its control adapter, and the operations every suite needs:
 * reachability and topic creation.
 *
 * kp_platform_open() starts what the target needs in-process (the embedded
 * cluster); kp_platform_close() stops it. The platform borrows the target.
 */
#ifndef KP_PLATFORM_H
#define KP_PLATFORM_H

#include "config/config.h"
#include "adapters/control.h"
#include "util/err.h"
#include "util/kvlist.h"

typedef struct kp_platform {
        const kp_target_t *target;
        kp_control_t *control;
        kp_kvlist_t props; /* client properties for every client */
        int brokers;       /* from metadata at open */
        char cluster_id[128];
        /* Known limits of the platform, NULL when it has none: checks that
         * need the capability report skip with this reason. */
        const char *no_admin_api;
        const char *no_txn_markers;
        const char *no_retention_beyond; /* small in-memory retention (embedded) */
        const char *no_time_index;       /* no ListOffsets by timestamp */
        const char *no_topic_configs;    /* topic configs are not applied */
} kp_platform_t;

int kp_platform_open(const kp_target_t *t, kp_platform_t **out, kp_err_t *err);
void kp_platform_close(kp_platform_t *p);

/* Checks the cluster answers metadata within timeout_ms (KP_EINFRA if not). */
int kp_platform_check_reachable(kp_platform_t *p, int timeout_ms, kp_err_t *err);

/* Client properties for a producer or consumer with a profile and free
 * overrides on top of the target's properties (later wins). */
void kp_platform_client_props(const kp_platform_t *p, kp_profile_t profile, int producer,
                              const kp_kvlist_t *overrides, kp_kvlist_t *out);

/* Whether a consumer with this profile and overrides reads committed only
 * (librdkafka's default isolation.level is read_committed). */
int kp_platform_reads_committed(const kp_platform_t *p, kp_profile_t profile,
                                const kp_kvlist_t *consumer_overrides);

/* Creates a topic through the control adapter when it can (embedded) and
 * through the Kafka admin API otherwise, then waits for partition leaders.
 * rf 0 = the platform default. The topic gets the target's topic_config with
 * configs (the scenario's) laid over it. */
int kp_platform_create_topic(kp_platform_t *p, const char *topic, int partitions, int rf,
                             const kp_kvlist_t *configs, kp_err_t *err);
/* Deletes a topic where the platform supports it (no-op on embedded). */
int kp_platform_delete_topic(kp_platform_t *p, const char *topic, kp_err_t *err);

#endif
