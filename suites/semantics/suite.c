/*
 * The semantics suite definition: checks, rows, gates and workload defaults.
 */
#include "semantics.h"
#include "suites/common/suitedef.h"
#include "engine/wlreport.h"
#include "util/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "semantics.round-trip",
     .row = SEM_ROW,
     .title =
         "Round-trip fidelity: key, value, headers and timestamp byte-exact (null, empty, 1 MiB)",
     .fn = sem_check_round_trip,
     .source = "suites/semantics/round-trip.c",
     .pass_when = "every record (null and empty keys and values, headers, timestamps, a 1 MiB "
                  "value) is read back byte-exact",
     .fail_when = "a record is not read back or differs in key, value, headers or timestamp",
     .skip_when = "never: every Kafka-compatible platform must round-trip records",
     .error_when = KP_ERROR_WHEN_CALLS "; or a record was not acknowledged"},
    {.id = "semantics.partition-order",
     .row = SEM_ROW,
     .title = "Records are read in send order within each partition",
     .fn = sem_check_partition_order,
     .source = "suites/semantics/partition-order.c",
     .pass_when = "every record is read back in send order within its partition, at the offset it "
                  "was acknowledged with",
     .fail_when = "a record is missing, out of send order, read at another offset than "
                  "acknowledged, or failed delivery",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.acks-all",
     .row = SEM_ROW,
     .title = "acks=all: every acknowledged record of a tracked workload is consumed",
     .fn = sem_check_acks_all,
     .source = "suites/semantics/acks-all.c",
     .pass_when = "every record acknowledged with acks=all by the tracked workload is consumed "
                  "intact at its acknowledged offset",
     .fail_when = "an acknowledged record is never consumed, is read at another offset or comes "
                  "back corrupted",
     .skip_when = "never",
     .error_when =
         KP_ERROR_WHEN_CALLS "; or the workload has no consumer, so loss cannot be judged"},
    {.id = "semantics.idempotence",
     .row = SEM_ROW,
     .title =
         "Idempotent producer: no duplicates while the platform returns retriable produce errors",
     .fn = sem_check_idempotence,
     .source = "suites/semantics/idempotence.c",
     .pass_when = "on a real cluster a partition leader killed under load made the idempotent "
                  "producer retry (retries measured) and no record was written twice or lost",
     .fail_when = "a record was written more than once, an acknowledged record is missing, or a "
                  "record failed delivery although every error was retriable; with "
                  "enable.idempotence=false in the scenario's client.producer (the negative "
                  "control) it fails when the fault left duplicates, as it must",
     .skip_when = "the embedded mock cluster (its injected errors come before the append, and it "
                  "does not deduplicate resent batches by sequence), or a target that cannot kill "
                  "and restart a broker",
     .error_when =
         KP_ERROR_WHEN_CALLS "; the client retried no request; the broker could not be killed or "
                             "restarted; or the negative control found no duplicate"},
    {.id = "semantics.group-resume",
     .row = SEM_ROW,
     .title = "Consumer group: a new member resumes exactly after the committed offset",
     .fn = sem_check_group_resume,
     .source = "suites/semantics/group-resume.c",
     .pass_when = "a new group member resumes exactly at the offset the first member committed and "
                  "reads the rest in sequence",
     .fail_when = "the committed offset reads back wrong, or the new member starts elsewhere, "
                  "reads nothing or reads out of sequence",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS "; or the setup records were not acknowledged"},
    {.id = "semantics.compression-gzip",
     .row = SEM_ROW,
     .title = "gzip-compressed batches round-trip byte-exact",
     .fn = sem_check_compression_gzip,
     .source = "suites/semantics/compression-gzip.c",
     .pass_when = "gzip batches are acknowledged, read back byte-exact, and fewer bytes than the "
                  "raw values went over the wire",
     .fail_when =
         "a record fails delivery, is not read back or differs, or the batch was not compressed",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.compression-snappy",
     .row = SEM_ROW,
     .title = "snappy-compressed batches round-trip byte-exact",
     .fn = sem_check_compression_snappy,
     .source = "suites/semantics/compression-snappy.c",
     .pass_when = "snappy batches are acknowledged, read back byte-exact, and fewer bytes than the "
                  "raw values went over the wire",
     .fail_when =
         "a record fails delivery, is not read back or differs, or the batch was not compressed",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.compression-lz4",
     .row = SEM_ROW,
     .title = "lz4-compressed batches round-trip byte-exact",
     .fn = sem_check_compression_lz4,
     .source = "suites/semantics/compression-lz4.c",
     .pass_when = "lz4 batches are acknowledged, read back byte-exact, and fewer bytes than the "
                  "raw values went over the wire",
     .fail_when =
         "a record fails delivery, is not read back or differs, or the batch was not compressed",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.compression-zstd",
     .row = SEM_ROW,
     .title = "zstd-compressed batches round-trip byte-exact",
     .fn = sem_check_compression_zstd,
     .source = "suites/semantics/compression-zstd.c",
     .pass_when = "zstd batches are acknowledged, read back byte-exact, and fewer bytes than the "
                  "raw values went over the wire",
     .fail_when =
         "a record fails delivery, is not read back or differs, or the batch was not compressed",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.list-offsets",
     .row = SEM_ROW,
     .title = "ListOffsets returns earliest and latest offsets",
     .fn = sem_check_list_offsets,
     .source = "suites/semantics/list-offsets.c",
     .pass_when = "ListOffsets answers earliest 0 and latest 0 on an empty topic and earliest 0, "
                  "latest N after N records",
     .fail_when = "ListOffsets returns other offsets than those",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.transactions",
     .row = SEM_ROW,
     .title = "Transactions: committed visible to read_committed, aborted never (but to "
              "read_uncommitted)",
     .fn = sem_check_transactions,
     .source = "suites/semantics/transactions.c",
     .pass_when = "read_committed sees exactly the committed records and none of the aborted ones; "
                  "read_uncommitted sees all of them",
     .fail_when = "an aborted record is visible to read_committed, a committed one is missing, or "
                  "read_uncommitted sees other records",
     .skip_when = "the target declares no transaction support (no_txn_markers)",
     .error_when =
         KP_ERROR_WHEN_CALLS "; or a transaction call (init, begin, commit, abort) failed"},
    {.id = "semantics.admin",
     .row = SEM_ROW,
     .title = "Admin API: create and delete topics, describe and alter configs",
     .fn = sem_check_admin,
     .source = "suites/semantics/admin.c",
     .pass_when = "CreateTopics makes the topic with its partitions and replicas, a second create "
                  "is refused with TOPIC_ALREADY_EXISTS, and DeleteTopics removes it",
     .fail_when = "a create or delete fails or is not reflected in metadata, or the duplicate "
                  "create is accepted",
     .skip_when = "the target declares no admin API (no_admin_api)",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.txn-fencing",
     .row = SEM_ROW,
     .title = "Transactions: a second producer with the same transactional.id fences the first",
     .fn = sem_check_txn_fencing,
     .source = "suites/semantics/txn-fencing.c",
     .pass_when =
         "a second producer with the same transactional.id fences the first: its commit fails with "
         "a fatal fencing error, none of its records is visible, the new producer's records are",
     .fail_when = "the fenced producer commits, gets no fatal fencing error, or its records are "
                  "visible to read_committed",
     .skip_when = "the target declares no transaction support (no_txn_markers)",
     .error_when = KP_ERROR_WHEN_CALLS "; or a transaction call of the new producer failed"},
    {.id = "semantics.txn-consume-transform-produce",
     .row = SEM_ROW,
     .title =
         "Transactions: consume-transform-produce commits outputs and consumed offsets atomically",
     .fn = sem_check_txn_ctp,
     .source = "suites/semantics/txn-consume-transform-produce.c",
     .pass_when =
         "outputs and consumed offsets commit atomically: after an aborted transaction the group's "
         "offset is unchanged and a restarted member reads on exactly from the committed offset",
     .fail_when = "the committed offset moved with an aborted transaction, records were consumed "
                  "again or skipped, or the final offset is wrong",
     .skip_when = "the target declares no transaction support (no_txn_markers)",
     .error_when = KP_ERROR_WHEN_CALLS "; or a transaction call failed"},
    {.id = "semantics.admin-configs",
     .row = SEM_ROW,
     .title =
         "Admin API: describe topic configs, alter them and read them back; invalid values refused",
     .fn = sem_check_admin_configs,
     .source = "suites/semantics/admin-configs.c",
     .pass_when = "DescribeConfigs shows the creation configs, IncrementalAlterConfigs SET changes "
                  "a value and adds one that read back, the untouched dynamic config survives, an "
                  "invalid value is refused without changing anything, and DELETE returns a "
                  "config to its default (a change may take up to 10 s to show: brokers apply it "
                  "from the metadata log after the alteration was acknowledged)",
     .fail_when = "a config reads back wrong, an untouched config is lost or changed, the invalid "
                  "value is accepted or changes the topic, or DELETE leaves the value set",
     .skip_when = "the target declares no admin API or no topic configs",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.list-offsets-time",
     .row = SEM_ROW,
     .title = "ListOffsets by timestamp returns the first offset at or after it",
     .fn = sem_check_list_offsets_time,
     .source = "suites/semantics/list-offsets-time.c",
     .pass_when =
         "every ListOffsets-by-timestamp lookup returns the first offset at or after the timestamp",
     .fail_when = "a lookup returns another offset",
     .skip_when = "the target declares no time index (no_time_index)",
     .error_when = KP_ERROR_WHEN_CALLS "; or a setup record failed delivery"},
    {.id = "semantics.offset-reset",
     .row = SEM_ROW,
     .title = "auto.offset.reset earliest, latest and none for a group without committed offsets",
     .fn = sem_check_offset_reset,
     .source = "suites/semantics/offset-reset.c",
     .pass_when = "a group without committed offsets starts at the first record with earliest, at "
                  "the next new record with latest, and gets _AUTO_OFFSET_RESET with none",
     .fail_when = "any of the three policies starts elsewhere, delivers records it should not, or "
                  "none gives no error",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.group-rebalance",
     .row = SEM_ROW,
     .title =
         "Consumer group: when a member leaves its partitions move, no record lost or held by two "
         "members",
     .fn = sem_check_group_rebalance,
     .source = "suites/semantics/group-rebalance.c",
     .pass_when = "when a member leaves, its partitions move to the other member, no partition is "
                  "owned by both at once and no record is lost or delivered to both",
     .fail_when = "the partitions never moved, a partition was owned twice, a record was lost or "
                  "delivered again",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.compaction",
     .row = SEM_ROW,
     .title = "Compaction: the latest value per key survives, tombstones remove keys",
     .fn = sem_check_compaction,
     .source = "suites/semantics/compaction.c",
     .pass_when = "compaction runs within its wait: each live key keeps exactly its latest value "
                  "and tombstoned keys disappear",
     .fail_when =
         "compaction did not run within the wait, or a key holds another value than its latest",
     .skip_when = "the target declares no topic configs (cleanup.policy cannot be set)",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.size-limit",
     .row = SEM_ROW,
     .title =
         "A record above the topic's max.message.bytes is refused (MSG_SIZE_TOO_LARGE) and not "
         "readable",
     .fn = sem_check_size_limit,
     .source = "suites/semantics/size-limit.c",
     .pass_when =
         "a record above the topic's max.message.bytes is refused with MSG_SIZE_TOO_LARGE, a small "
         "record after it is accepted, and the large one is not readable",
     .fail_when = "the large record is accepted or refused with another error, the small one "
                  "fails, or the large one is readable",
     .skip_when = "the target declares no topic configs (max.message.bytes cannot be set)",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.timestamp-log-append",
     .row = SEM_ROW,
     .title = "A topic with message.timestamp.type=LogAppendTime replaces the producer's timestamp",
     .fn = sem_check_timestamp_log_append,
     .source = "suites/semantics/timestamp-log-append.c",
     .pass_when = "every record sent with an hour-old CreateTime reads back with timestamp type "
                  "LogAppendTime and a timestamp within the append window",
     .fail_when = "a record reads back with type CreateTime or the producer's timestamp, or is "
                  "not read back",
     .skip_when = "the target declares no topic configs (message.timestamp.type cannot be set)",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.create-partitions",
     .row = SEM_ROW,
     .title = "CreatePartitions grows a topic; a running producer sees and writes the new "
              "partitions",
     .fn = sem_check_create_partitions,
     .source = "suites/semantics/create-partitions.c",
     .pass_when = "CreatePartitions grows the topic from 2 to 4 partitions, every partition gets "
                  "a leader, a producer that wrote the topic before writes the new partitions "
                  "after its metadata refresh and the records are read back",
     .fail_when =
         "CreatePartitions is refused (\"not supported by the platform: CreatePartitions\" "
         "when the platform lacks the API), the new partitions get no leader, the "
         "producer never sees them, or their records are not read back",
     .skip_when = "the target declares no admin API (no_admin_api)",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.delete-records",
     .row = SEM_ROW,
     .title = "DeleteRecords moves the low watermark; a consumer from the beginning starts there",
     .fn = sem_check_delete_records,
     .source = "suites/semantics/delete-records.c",
     .pass_when = "DeleteRecords before offset 6 of 10 reports and lists low watermark 6, leaves "
                  "the high watermark at 10, and a consumer from the beginning starts at 6",
     .fail_when = "DeleteRecords is refused (\"not supported by the platform: DeleteRecords\" when "
                  "the platform lacks the API), a watermark is wrong, or the consumer starts "
                  "elsewhere or reads another count",
     .skip_when = "the target declares no admin API (no_admin_api)",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.commit-metadata",
     .row = SEM_ROW,
     .title = "OffsetCommit metadata is read back byte-exact by committed()",
     .fn = sem_check_commit_metadata,
     .source = "suites/semantics/commit-metadata.c",
     .pass_when = "a new consumer of the group reads back the committed offsets, a UTF-8 "
                  "metadata string byte-exact, and no metadata where none was committed",
     .fail_when = "the commit is refused, or an offset or metadata string reads back different",
     .skip_when = "never",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.delete-groups",
     .row = SEM_ROW,
     .title = "Group admin: list and describe an empty group, OffsetDelete one partition's "
              "offset, DeleteGroups the group",
     .fn = sem_check_delete_groups,
     .source = "suites/semantics/delete-groups.c",
     .pass_when = "ListConsumerGroups lists the group with committed offsets and no member, "
                  "DescribeConsumerGroups shows it Empty with 0 members, OffsetDelete of one "
                  "partition removes only its committed offset, and DeleteGroups removes the group "
                  "(no longer listed) with its remaining offsets",
     .fail_when = "ListGroups, DescribeGroups, OffsetDelete or DeleteGroups is refused (\"not "
                  "supported by the platform: <API>\" when the platform lacks it), the group is "
                  "not listed or not Empty, is still listed after deletion, or a committed offset "
                  "survives or is changed that should not be",
     .skip_when = "the target declares no admin API (no_admin_api)",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.consumer-protocol",
     .row = SEM_ROW,
     .title = "KIP-848 consumer group protocol (group.protocol=consumer): join, split, leave",
     .fn = sem_check_consumer_protocol,
     .source = "suites/semantics/consumer-protocol.c",
     .pass_when = "with group.protocol=consumer one member gets all 4 partitions, a second member "
                  "joins and the partitions are split with none owned twice, each record is read "
                  "once by its partition's owner, and the first member owns all again after "
                  "the second leaves",
     .fail_when = "a member never gets its partitions, a partition is owned twice, a record is "
                  "lost, read twice or read by a member that does not own its partition",
     .skip_when = "the platform refuses the consumer group protocol (UNSUPPORTED_VERSION or "
                  "UNSUPPORTED_FEATURE): it is optional before Kafka 4.0",
     .error_when = KP_ERROR_WHEN_CALLS},
    {.id = "semantics.txn-timeout",
     .row = SEM_ROW,
     .title = "Transactions: one left open past transaction.timeout.ms is aborted by the "
              "coordinator",
     .fn = sem_check_txn_timeout,
     .source = "suites/semantics/txn-timeout.c",
     .pass_when = "a transaction left open past transaction.timeout.ms=3000 is aborted by the "
                  "coordinator: read_committed gets the records committed after it and none of "
                  "its own, and its producer's late commit fails",
     .fail_when = "read_committed sees a record of the open transaction, never gets past it "
                  "(the coordinator did not abort it) or its producer commits it late",
     .skip_when = "the target declares no transaction support (no_txn_markers)",
     .error_when = KP_ERROR_WHEN_CALLS "; or the open transaction's records were never written"},
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

/* The measurements the checks record and which way is better (evidence.json
   "better"; the comparison page marks the best value). */
static const kp_measure_def_t measurements[] = {
    {"aborted_records", "records", KP_BETTER_NONE},
    {"broker_down_ms", "ms", KP_BETTER_NONE},
    {"broker_killed", "broker", KP_BETTER_NONE},
    {"bytes_on_wire", "bytes", KP_BETTER_LOWER},
    {"client_retries", "requests", KP_BETTER_LOWER},
    {"commits_refused", "partition commits", KP_BETTER_NONE},
    {"committed_offset", "offset", KP_BETTER_NONE},
    {"committed_offset_after_abort", "offset", KP_BETTER_NONE},
    {"committed_offset_final", "offset", KP_BETTER_NONE},
    {"committed_records", "records", KP_BETTER_NONE},
    {"configs_described", "configs", KP_BETTER_NONE},
    {"create_ms", "ms", KP_BETTER_LOWER},
    {"create_partitions_ms", "ms", KP_BETTER_LOWER},
    {"delete_ms", "ms", KP_BETTER_LOWER},
    {"set_visible_ms", "ms", KP_BETTER_LOWER},
    {"delete_visible_ms", "ms", KP_BETTER_LOWER},
    {"duplicates", "records", KP_BETTER_LOWER},
    {"earliest", "offset", KP_BETTER_NONE},
    {"earliest_empty", "offset", KP_BETTER_NONE},
    {"earliest_first_record", "index", KP_BETTER_NONE},
    {"earliest_offset", "offset", KP_BETTER_NONE},
    {"earliest_records", "records", KP_BETTER_NONE},
    {"full_reads", "reads", KP_BETTER_NONE},
    {"gone_from_metadata_ms", "ms", KP_BETTER_LOWER},
    {"high_watermark_listed", "offset", KP_BETTER_NONE},
    {"input_records", "records", KP_BETTER_NONE},
    {"join_ms", "ms", KP_BETTER_LOWER},
    {"kill_to_all_acked_ms", "ms", KP_BETTER_LOWER},
    {"largest_value_bytes", "bytes", KP_BETTER_NONE},
    {"latest", "offset", KP_BETTER_NONE},
    {"latest_empty", "offset", KP_BETTER_NONE},
    {"latest_first_record", "index", KP_BETTER_NONE},
    {"latest_offset", "offset", KP_BETTER_NONE},
    {"latest_records", "records", KP_BETTER_NONE},
    {"latest_records_before_new", "records", KP_BETTER_NONE},
    {"leave_ms", "ms", KP_BETTER_LOWER},
    {"leave_rebalance_ms", "ms", KP_BETTER_LOWER},
    {"log_append_time_records", "records", KP_BETTER_NONE},
    {"lookups", "lookups", KP_BETTER_NONE},
    {"low_watermark_listed", "offset", KP_BETTER_NONE},
    {"low_watermark_reported", "offset", KP_BETTER_NONE},
    {"max_message_bytes", "bytes", KP_BETTER_NONE},
    {"member1_consumed", "records", KP_BETTER_NONE},
    {"member1_partitions_before_leave", "partitions", KP_BETTER_NONE},
    {"member2_consumed", "records", KP_BETTER_NONE},
    {"member2_partitions_after_leave", "partitions", KP_BETTER_NONE},
    {"member2_partitions_before_leave", "partitions", KP_BETTER_NONE},
    {"mismatches", "records", KP_BETTER_LOWER},
    {"new_producer_records_visible", "records", KP_BETTER_NONE},
    {"none_records", "records", KP_BETTER_NONE},
    {"offset_mismatches", "records", KP_BETTER_LOWER},
    {"out_of_order", "records", KP_BETTER_LOWER},
    {"out_of_sequence_after_resume", "records", KP_BETTER_LOWER},
    {"output_duplicates", "records", KP_BETTER_LOWER},
    {"output_missing", "records", KP_BETTER_LOWER},
    {"output_records_visible", "records", KP_BETTER_NONE},
    {"oversized_record_bytes", "bytes", KP_BETTER_NONE},
    {"ownership_overlaps", "samples", KP_BETTER_LOWER},
    {"partitions", "partitions", KP_BETTER_NONE},
    {"producer_saw_partitions_ms", "ms", KP_BETTER_LOWER},
    {"read_committed_aborted_seen", "records", KP_BETTER_LOWER},
    {"read_committed_committed_records", "records", KP_BETTER_NONE},
    {"read_committed_committed_seen", "records", KP_BETTER_NONE},
    {"read_committed_open_records", "records", KP_BETTER_NONE},
    {"read_uncommitted_aborted_seen", "records", KP_BETTER_NONE},
    {"read_uncommitted_committed_seen", "records", KP_BETTER_NONE},
    {"records", "records", KP_BETTER_NONE},
    {"records_after_restart", "records", KP_BETTER_NONE},
    {"records_after_resume", "records", KP_BETTER_NONE},
    {"records_from_unowned_partition", "records", KP_BETTER_LOWER},
    {"records_member_1", "records", KP_BETTER_NONE},
    {"records_member_2", "records", KP_BETTER_NONE},
    {"records_missing", "records", KP_BETTER_LOWER},
    {"records_produced", "records", KP_BETTER_NONE},
    {"records_read", "records", KP_BETTER_NONE},
    {"records_read_from_beginning", "records", KP_BETTER_NONE},
    {"records_readable", "records", KP_BETTER_NONE},
    {"records_readable_after", "records", KP_BETTER_NONE},
    {"records_redelivered", "records", KP_BETTER_LOWER},
    {"records_to_two_members", "records", KP_BETTER_LOWER},
    {"records_written", "records", KP_BETTER_NONE},
    {"replication_factor", "replicas", KP_BETTER_NONE},
    {"resumed_at_offset", "offset", KP_BETTER_NONE},
    {"second_member_rebalance_ms", "ms", KP_BETTER_LOWER},
    {"takeover_ms", "ms", KP_BETTER_LOWER},
    {"time_to_compaction_ms", "ms", KP_BETTER_LOWER},
    {"value_bytes", "bytes", KP_BETTER_NONE},
    {"visible_after_open_ms", "ms", KP_BETTER_LOWER},
    {"wire_to_value_ratio", "ratio", KP_BETTER_LOWER},
    {"wrong_answers", "lookups", KP_BETTER_LOWER},
    {"zombie_records_refused_by_client", "records", KP_BETTER_NONE},
    {"zombie_records_sent", "records", KP_BETTER_NONE},
    {"zombie_records_visible", "records", KP_BETTER_LOWER},
    KP_WLREPORT_MEASURES,
};

const kp_suite_def_t kp_suite_semantics = {
    .name = "semantics",
    .title = "Kafka semantics",
    KP_SUITE_TABLE(checks, checks),
    KP_SUITE_TABLE(gates, gates),
    KP_SUITE_TABLE(measurements, measurements),
    .workload_defaults = defaults,
};
