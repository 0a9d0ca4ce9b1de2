/*
 * The semantics suite definition: checks, rows, gates and workload defaults.
 */
#include "semantics.h"
#include "src/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "semantics.round-trip",
     .row = SEM_ROW,
     .title =
         "Round-trip fidelity: key, value, headers and timestamp byte-exact (null, empty, 1 MiB)",
     .fn = sem_check_round_trip},
    {.id = "semantics.partition-order",
     .row = SEM_ROW,
     .title = "Records are read in send order within each partition",
     .fn = sem_check_partition_order},
    {.id = "semantics.acks-all",
     .row = SEM_ROW,
     .title = "acks=all: every acknowledged record of a tracked workload is consumed",
     .fn = sem_check_acks_all},
    {.id = "semantics.idempotence",
     .row = SEM_ROW,
     .title =
         "Idempotent producer: no duplicates while the platform returns retriable produce errors",
     .fn = sem_check_idempotence},
    {.id = "semantics.group-resume",
     .row = SEM_ROW,
     .title = "Consumer group: a new member resumes exactly after the committed offset",
     .fn = sem_check_group_resume},
    {.id = "semantics.compression-gzip",
     .row = SEM_ROW,
     .title = "gzip-compressed batches round-trip byte-exact",
     .fn = sem_check_compression_gzip},
    {.id = "semantics.compression-snappy",
     .row = SEM_ROW,
     .title = "snappy-compressed batches round-trip byte-exact",
     .fn = sem_check_compression_snappy},
    {.id = "semantics.compression-lz4",
     .row = SEM_ROW,
     .title = "lz4-compressed batches round-trip byte-exact",
     .fn = sem_check_compression_lz4},
    {.id = "semantics.compression-zstd",
     .row = SEM_ROW,
     .title = "zstd-compressed batches round-trip byte-exact",
     .fn = sem_check_compression_zstd},
    {.id = "semantics.list-offsets",
     .row = SEM_ROW,
     .title = "ListOffsets returns earliest and latest offsets",
     .fn = sem_check_list_offsets},
    {.id = "semantics.transactions",
     .row = SEM_ROW,
     .title = "Transactions: committed visible to read_committed, aborted never (but to "
              "read_uncommitted)",
     .fn = sem_check_transactions},
    {.id = "semantics.admin",
     .row = SEM_ROW,
     .title = "Admin API: create and delete topics, describe and alter configs",
     .fn = sem_check_admin},
    {.id = "semantics.txn-fencing",
     .row = SEM_ROW,
     .title = "Transactions: a second producer with the same transactional.id fences the first",
     .fn = sem_check_txn_fencing},
    {.id = "semantics.txn-consume-transform-produce",
     .row = SEM_ROW,
     .title =
         "Transactions: consume-transform-produce commits outputs and consumed offsets atomically",
     .fn = sem_check_txn_ctp},
    {.id = "semantics.admin-configs",
     .row = SEM_ROW,
     .title =
         "Admin API: describe topic configs, alter them and read them back; invalid values refused",
     .fn = sem_check_admin_configs},
    {.id = "semantics.list-offsets-time",
     .row = SEM_ROW,
     .title = "ListOffsets by timestamp returns the first offset at or after it",
     .fn = sem_check_list_offsets_time},
    {.id = "semantics.offset-reset",
     .row = SEM_ROW,
     .title = "auto.offset.reset earliest, latest and none for a group without committed offsets",
     .fn = sem_check_offset_reset},
    {.id = "semantics.group-rebalance",
     .row = SEM_ROW,
     .title =
         "Consumer group: when a member leaves its partitions move, no record lost or held by two "
         "members",
     .fn = sem_check_group_rebalance},
    {.id = "semantics.compaction",
     .row = SEM_ROW,
     .title = "Compaction: the latest value per key survives, tombstones remove keys",
     .fn = sem_check_compaction},
    {.id = "semantics.size-limit",
     .row = SEM_ROW,
     .title =
         "A record above the topic's max.message.bytes is refused (MSG_SIZE_TOO_LARGE) and not "
         "readable",
     .fn = sem_check_size_limit},
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
