/*
 * The semantics suite definition: checks, rows, gates and workload defaults.
 */
#include "semantics.h"
#include "src/timeutil.h"

static const kp_check_def_t checks[] = {
    {"semantics.round-trip", SEM_ROW,
     "Round-trip fidelity: key, value, headers and timestamp byte-exact (null, empty, 1 MiB)",
     sem_check_round_trip},
    {"semantics.partition-order", SEM_ROW, "Records are read in send order within each partition",
     sem_check_partition_order},
    {"semantics.acks-all", SEM_ROW,
     "acks=all: every acknowledged record of a tracked workload is consumed", sem_check_acks_all},
    {"semantics.idempotence", SEM_ROW,
     "Idempotent producer: no duplicates while the platform returns retriable produce errors",
     sem_check_idempotence},
    {"semantics.group-resume", SEM_ROW,
     "Consumer group: a new member resumes exactly after the committed offset",
     sem_check_group_resume},
    {"semantics.compression-gzip", SEM_ROW, "gzip-compressed batches round-trip byte-exact",
     sem_check_compression_gzip},
    {"semantics.compression-snappy", SEM_ROW, "snappy-compressed batches round-trip byte-exact",
     sem_check_compression_snappy},
    {"semantics.compression-lz4", SEM_ROW, "lz4-compressed batches round-trip byte-exact",
     sem_check_compression_lz4},
    {"semantics.compression-zstd", SEM_ROW, "zstd-compressed batches round-trip byte-exact",
     sem_check_compression_zstd},
    {"semantics.list-offsets", SEM_ROW, "ListOffsets returns earliest and latest offsets",
     sem_check_list_offsets},
    {"semantics.transactions", SEM_ROW,
     "Transactions: committed visible to read_committed, aborted never (but to read_uncommitted)",
     sem_check_transactions},
    {"semantics.admin", SEM_ROW, "Admin API: create and delete topics, describe and alter configs",
     sem_check_admin},
    {"semantics.txn-fencing", SEM_ROW,
     "Transactions: a second producer with the same transactional.id fences the first",
     sem_check_txn_fencing},
    {"semantics.txn-consume-transform-produce", SEM_ROW,
     "Transactions: consume-transform-produce commits outputs and consumed offsets atomically",
     sem_check_txn_ctp},
    {"semantics.admin-configs", SEM_ROW,
     "Admin API: describe topic configs, alter them and read them back; invalid values refused",
     sem_check_admin_configs},
    {"semantics.list-offsets-time", SEM_ROW,
     "ListOffsets by timestamp returns the first offset at or after it",
     sem_check_list_offsets_time},
    {"semantics.offset-reset", SEM_ROW,
     "auto.offset.reset earliest, latest and none for a group without committed offsets",
     sem_check_offset_reset},
    {"semantics.group-rebalance", SEM_ROW,
     "Consumer group: when a member leaves its partitions move, no record lost or held by two "
     "members",
     sem_check_group_rebalance},
    {"semantics.compaction", SEM_ROW,
     "Compaction: the latest value per key survives, tombstones remove keys", sem_check_compaction},
    {"semantics.size-limit", SEM_ROW,
     "A record above the topic's max.message.bytes is refused (MSG_SIZE_TOO_LARGE) and not "
     "readable",
     sem_check_size_limit},
};

static const kp_gate_def_t gates[] = {
    {"max_lost_acked", "semantics.acks-all", "lost_acked", KP_GATE_AT_MOST, "records",
     "acknowledged records never consumed", 0, 1},
    {"max_p99_ack_ms", "semantics.acks-all", "ack_latency_p99_ms", KP_GATE_AT_MOST, "ms",
     "p99 produce->ack latency of the acks=all workload", 0, 0},
    {"max_p99_e2e_ms", "semantics.acks-all", "e2e_latency_p99_ms", KP_GATE_AT_MOST, "ms",
     "p99 produce->consume latency of the acks=all workload", 0, 0},
    {"min_achieved_rate", "semantics.acks-all", "achieved_rate", KP_GATE_AT_LEAST, "records/s",
     "records per second the workload sustained", 0, 0},
};

/* Small enough for the embedded cluster's ~5 MiB per-partition retention. */
static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 3;
        w->message_bytes = 200;
        w->rate = 2000;
        w->duration_ns = 5 * KP_NS_PER_S;
}

const kp_suite_def_t kp_suite_semantics = {
    .name = "semantics",
    .title = "Kafka semantics",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .gates = gates,
    .n_gates = sizeof(gates) / sizeof(gates[0]),
    .workload_defaults = defaults,
};
