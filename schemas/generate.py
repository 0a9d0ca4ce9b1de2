#!/usr/bin/env python3
"""Writes schemas/scenario.schema.json and schemas/target.schema.json (JSON Schema draft 2020-12,
for editors: completion, descriptions, enums, ranges) from the key tables below and from
`kproof list --json` (suites, check ids, gates, checklist rows).

    python3 schemas/generate.py build/kproof schemas

The loaders (src/config/config_scenario.c, src/config/config_target.c, the suites' option tables) are the
authority: tests/cli/test_schemas.sh probes `kproof validate` and fails when a key, a kind of
value, a range, a duration range stated in a description or an enum here differs from what the
loader accepts, and when the committed files are not this script's output. Change a loader,
then this file, then run it.
"""
import json
import subprocess
import sys

if len(sys.argv) != 3:
    sys.exit("usage: schemas/generate.py KPROOF_BINARY OUT_DIR")
KP = sys.argv[1]
OUT = sys.argv[2]
cat = json.loads(subprocess.check_output([KP, "list", "--json"]))
rows = [r["id"] for r in cat["rows"]]
suites = {s["name"]: s for s in cat["suites"]}

ENV = "\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\}"
DUR_DESC = 'A duration: a decimal number and a unit, ms, s, m or h, e.g. "500ms", "15s", "5m", "1h".'


def dur(desc, lo=None, hi=None):
    d = desc
    if lo is not None:
        d += f" From {lo} to {hi}."
    return {"$ref": "#/$defs/duration", "description": d}


def env_or(schema, desc):
    """A string that must match schema after ${env:NAME} expansion: either matches, or
    holds an ${env:NAME} reference (checked by the loader once expanded)."""
    return {"description": desc, "anyOf": [schema, {"$ref": "#/$defs/envString"}]}


def integer(desc, lo, hi, default=None):
    d = {"type": "integer", "minimum": lo, "maximum": hi, "description": desc}
    if default is not None:
        d["default"] = default
    return d


def number(desc, lo, hi, positive=False, default=None):
    d = {"type": "number", "description": desc, "maximum": hi}
    if positive:
        d["exclusiveMinimum"] = lo
    else:
        d["minimum"] = lo
    if default is not None:
        d["default"] = default
    if hi == float("inf"):
        del d["maximum"]
    return d


def string(desc, **kw):
    d = {"type": "string", "description": desc}
    d.update(kw)
    return d


def boolean(desc, default=False):
    return {"type": "boolean", "description": desc, "default": default}


common_defs = {
    "duration": {
        "type": "string",
        "pattern": "^[0-9]+(\\.[0-9]*)?(ms|s|m|h)$",
        "description": DUR_DESC,
        "examples": ["500ms", "15s", "5m", "1h"],
    },
    "envString": {
        "type": "string",
        "pattern": ENV,
        "description": "A string with an ${env:NAME} reference: the value is read from the environment when the file is loaded (an unset variable is invalid input) and treated as a secret.",
    },
    "properties": {
        "type": "object",
        "description": "Client properties passed through unchanged: name -> string, number or boolean (strings may use ${env:NAME}).",
        "additionalProperties": {"type": ["string", "number", "boolean"]},
    },
}

# ------------------------------------------------------------------ scenario
fault_actions = ["kill_leader", "kill_broker", "stop_broker", "kill_controller", "kill_zone",
                 "rolling_restart", "move_leader", "add_rtt", "push_errors", "delete_records", "pause_broker", "corrupt_segment", "wipe_broker",
                 "partition", "heal_partition", "link_loss", "link_delay"]
all_checks = [c["id"] for s in cat["suites"] for c in s["checks"]]

workload = {
    "type": "object",
    "description": "The tracked workload the suite's checks run (each suite has its own defaults).",
    "additionalProperties": False,
    "properties": {
        "topic": string("Topic name (1 to 249 characters); default: a fresh topic kproof-<suite>-<run id> per run.", minLength=1, maxLength=249),
        "partitions": integer("Partitions of the topic.", 1, 10000),
        "replication_factor": integer("Replication factor of topics kproof creates; default: the platform's.", 1, 16),
        "message_bytes": integer("Record value size in bytes (at least the 32-byte tracking header).", 32, 16 << 20),
        "producers": integer("Producer clients.", 1, 64),
        "consumers": integer("Consumer clients (0: none; loss cannot then be judged).", 0, 64),
        "keys": integer("Distinct record keys; 0: no key (sticky partitioner).", 0, 1000000000),
        "linger_ms": integer("Producer linger.ms; default: the client's.", 0, 60000),
        "batch_bytes": integer("Producer batch.size; default: the client's.", 1, 64 << 20),
        "transaction_records": integer("Transactional producers: records per transaction (0: no transactions).", 0, 100000),
        "abort_ratio": number("Share of transactions the producers abort on purpose (needs transaction_records).", 0, 1),
        "rate": number("Records per second, all producers together.", 0, 1e8, positive=True),
        "duration": dur("How long the workload produces.", "100ms", "24h"),
        "drain_timeout": dur("How long consumers may take to read everything after the last send.", "1s", "1h"),
        "compression": {"enum": ["none", "gzip", "snappy", "lz4", "zstd"], "description": "Producer compression.codec."},
        "topic_config": {"$ref": "#/$defs/properties", "description": "Topic configs for topics kproof creates, e.g. {\"min.insync.replicas\": 2}."},
        "workers": integer("Distributed load (failover suite only): `kproof worker` processes that share the producers, consumers and rate, at most as many as producers; 1: one process (docs/distributed.md).", 1, 256),
        "launcher": {"enum": ["local", "external"], "description": "Who starts the workers: local (child processes of kproof, default) or external (e.g. the Kubernetes Job in docker/k8s; kproof writes the plan and waits for their results)."},
        "shard_store": string("Where workers put their shard results: a directory (shared by every worker) or s3://bucket/prefix; default: shards/ in the run directory.", minLength=1),
    },
    # aborting on purpose needs transactions
    "if": {"properties": {"abort_ratio": {"exclusiveMinimum": 0}}, "required": ["abort_ratio"]},
    "then": {"required": ["transaction_records"], "properties": {"transaction_records": {"minimum": 1}}},
}

client = {
    "type": "object",
    "description": "librdkafka client configuration of the suite's workload.",
    "additionalProperties": False,
    "properties": {
        "profile": {
            "enum": ["default", "safe", "relaxed"],
            "default": "default",
            "description": "default: librdkafka defaults plus the target's properties; safe: acks=all, idempotence, read_committed, manual commits; relaxed: acks=1, no idempotence.",
        },
        "producer": {"$ref": "#/$defs/properties", "description": "librdkafka producer properties (override the profile), e.g. {\"linger.ms\": 5}."},
        "consumer": {"$ref": "#/$defs/properties", "description": "librdkafka consumer properties (override the profile)."},
    },
}

fault_needs = {"kill_broker": "broker", "stop_broker": "broker", "pause_broker": "broker", "corrupt_segment": "broker", "wipe_broker": "broker", "kill_zone": "zone",
               "move_leader": "to_broker", "add_rtt": "rtt_ms", "push_errors": "error", "link_loss": "loss_pct",
               "link_delay": "delay_ms"}
fault = {
    "type": "object",
    "description": "One fault injected through the target's control adapter.",
    "additionalProperties": False,
    "required": ["at", "action"],
    "properties": {
        "at": dur("When, from the workload's start.", "0s", "24h"),
        "action": {"enum": fault_actions, "description": "What happens: kill_leader (of partition), kill_broker and stop_broker (broker), kill_controller, kill_zone (zone), rolling_restart, move_leader (partition to to_broker), add_rtt (rtt_ms), push_errors (error, count), delete_records, pause_broker (broker: SIGSTOP, SIGCONT at heal_after or at the end), corrupt_segment (broker, partition: unclean stop, damaged tail of the active segment, restart), wipe_broker (broker: unclean stop, data directory lost and formatted empty; heal_after starts it again), partition (broker, brokers or zone, else the leader of partition; scope: cut them off from the other brokers, from clients or both; packets dropped; heal_after or heal_partition ends it), heal_partition (ends every partition in force), link_loss (the same brokers and scope; loss_pct of their packets dropped, both directions), link_delay (the same brokers and scope; every packet held delay_ms +- jitter_ms, one way)."},
        "broker": integer("Broker id (kill_broker, stop_broker, pause_broker, corrupt_segment, wipe_broker, partition, link_loss).", 0, 1000000),
        "to_broker": integer("Broker id the leader moves to (move_leader).", 0, 1000000),
        "partition": integer("Partition (kill_leader, move_leader, push_errors, corrupt_segment; partition and link_loss without broker, brokers or zone: its leader).", 0, 100000),
        "zone": string("Zone or rack to take down (kill_zone) or cut off (partition, link_loss: the brokers the target's control racks place there)."),
        "heal_after": dur("Restart or heal after this long; default: kproof does not heal it.", "0s", "24h"),
        "rtt_ms": integer("Added round-trip time in ms (add_rtt).", 1, 600000),
        "error": string("Kafka error name to return (push_errors), e.g. NOT_LEADER_FOR_PARTITION."),
        "count": integer("How many errors to push (push_errors).", 1, 100000, 1),
        "brokers": {"type": "array", "minItems": 1, "maxItems": 8, "items": {"type": "integer", "minimum": 0},
                    "description": "Broker ids cut off together (partition, link_loss)."},
        "scope": {"enum": ["brokers", "clients", "all"], "default": "brokers",
                  "description": "Which links (partition, link_loss): brokers, between these brokers and the other brokers (clients still reach them); clients, between clients and these brokers; all, both."},
        "loss_pct": integer("Share of the packets dropped, in percent (link_loss).", 1, 100),
        "delay_ms": integer("Added one-way latency in ms (link_delay).", 1, 60000),
        "jitter_ms": integer("Uniform jitter around delay_ms in ms, at most delay_ms (link_delay).", 0, 60000),
    },
    "allOf": [
        {"if": {"properties": {"action": {"const": a}}, "required": ["action"]},
         "then": {"required": [k]}}
        for a, k in fault_needs.items()
    ] + [
        {"if": {"properties": {"action": {"enum": ["partition", "link_loss", "link_delay"]}}, "required": ["action"]},
         "then": {"not": {"anyOf": [{"required": ["broker", "brokers"]}, {"required": ["broker", "zone"]},
                                    {"required": ["brokers", "zone"]}]}}}
    ],
}

def option_schema(o):
    """One suite option as `kproof list --json` describes it (the suite's option table)."""
    t, h = o["type"], o["help"][0].upper() + o["help"][1:] + "."
    if t == "bool":
        return boolean(h, o["default"])
    if t == "int":
        return integer(h, int(o["min"]), int(o["max"]), int(o["default"]) if "default" in o else None)
    if t == "number":
        return number(h, o["min"], o["max"], positive=o["min_exclusive"], default=o.get("default"))
    if t == "duration":
        return dur(h + (f" Default {o['default']}." if "default" in o else ""), o["min"], o["max"])
    if t == "string":
        return string(h)
    if t == "enum":
        return {"enum": o["choices"], "default": o["default"], "description": h}
    items = {"enum": o["choices"]} if "choices" in o else {"type": "string", "minLength": 1}
    d = {"type": "array", "description": h, "items": items}
    if o["min_items"]:
        d["minItems"] = int(o["min_items"])
    return d


def options_schema(s):
    d = {"type": "object", "description": f"Options of the {s['name']} suite (kproof list shows them).",
         "additionalProperties": False,
         "properties": {o["name"]: option_schema(o) for o in s["options"]}}
    req = [o["name"] for o in s["options"] if o["required"]]
    if req:
        d["required"] = req
    return d


def gate_schema(g):
    bound = "at most" if g["op"].startswith("<") else "at least"
    on = f" On by default with {g['default']:g}." if "default" in g else ""
    return {"type": "number", "minimum": 0,
            "description": f"{g['check']} fails when {g['measurement']} ({g['unit']}) is not {bound} this.{on}"}


suite_defs = {}
for name, s in suites.items():
    checks = [c["id"] for c in s["checks"]]
    props = {
        "suite": {"const": name, "description": s["title"]},
        "checks": {"type": "array", "minItems": 1, "description": "Run only these checks (default: every check of the suite).",
                   "items": {"enum": checks}},
        "workload": {"$ref": "#/$defs/workload"},
        "client": {"$ref": "#/$defs/client"},
        "faults": {"type": "array", "description": "Faults injected during the workload.", "items": {"$ref": "#/$defs/fault"}},
        "gates": {"type": "object", "additionalProperties": False,
                  "description": "Gate name -> threshold; a missed gate fails its check (exit 1).",
                  "properties": {g["name"]: gate_schema(g) for g in s["gates"]}},
    }
    if s["options"]:
        props["options"] = options_schema(s)
    d = {"type": "object", "description": f"The {name} suite: {s['title']}.", "additionalProperties": False,
         "required": ["suite"], "properties": props}
    conds = []
    for g in s["gates"]:
        # A gate whose check the checks list leaves out could never be evaluated.
        conds.append({"if": {"required": ["gates", "checks"], "properties": {"gates": {"required": [g["name"]]}}},
                      "then": {"properties": {"checks": {"contains": {"const": g["check"]}}}}})
    if any(o["required"] for o in s["options"]):
        d["required"] = ["suite", "options"]
    if name == "revocation":
        conds.append({"if": {"required": ["options"],
                             "properties": {"options": {"required": ["revoke"],
                                                        "properties": {"revoke": {"const": "revoke-grant"}}}}},
                      "then": {"properties": {"options": {"required": ["grant_id"]}}}})
    if conds:
        d["allOf"] = conds
    suite_defs["suite_" + name] = d

suite_entry = {
    "type": "object",
    "description": "One suite of the scenario (each suite at most once).",
    "required": ["suite"],
    "properties": {"suite": {"enum": list(suites), "description": "A suite from kproof list."}},
    "allOf": [{"if": {"properties": {"suite": {"const": n}}, "required": ["suite"]},
               "then": {"$ref": "#/$defs/suite_" + n}} for n in suites],
}

scenario = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "kproof scenario",
    "description": "What kproof evaluates: suites with their workload, client profile, faults and gates (README \"Scenario files\"). kproof validate checks a file with the same rules and more (unset ${env:NAME}, duration ranges, duplicate suites).",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "suites"],
    "properties": {
        "$schema": {"type": "string", "description": "The JSON Schema of this file, for editors (kproof does not read it)."},
        "name": env_or({"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}, "Scenario name: 1 to 64 letters, digits, '.', '-' or '_'."),
        "description": string("What this scenario evaluates (shown in the report)."),
        "allow_all_skipped": boolean("true lets a run in which nothing was verified (every check skipped, or every check of a row skipped) exit 0; the report still says so."),
        "suites": {"type": "array", "minItems": 1, "description": "The suites to run, in order.", "items": {"$ref": "#/$defs/suiteEntry"}},
        "controls": {
            "type": "object",
            "description": "Checklist row or check id -> control ids of a catalogue it evidences (e.g. NIST 800-53 \"sc-12\"); assessment-results.json carries them.",
            "propertyNames": {"enum": rows + all_checks},
            "additionalProperties": {"type": "array", "minItems": 1, "maxItems": 64, "uniqueItems": True,
                                     "items": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$",
                                               "description": "A control id: a letter, then up to 63 letters, digits, '.', '-' or '_'."}},
        },
    },
    "$defs": dict(common_defs, workload=workload, client=client, fault=fault, suiteEntry=suite_entry, **suite_defs),
}

# ------------------------------------------------------------------ target
ops = ["kill_broker", "stop_broker", "start_broker", "add_broker", "remove_broker", "set_leader", "set_rtt",
       "push_errors", "rebalance", "storage_bytes", "leader", "controller", "create_topic", "kill_rack",
       "delete_records", "pending_errors", "list_connections",
       "start_mirror", "stop_mirror", "start_reverse_mirror", "stop_reverse_mirror", "mirror_status",
       "pause_broker", "resume_broker", "corrupt_segment", "wipe_broker",
       "partition", "heal_partition", "link_loss", "link_delay", "heal_link"]
REGION = {"type": "string", "pattern": "^[a-z0-9-]+$"}
HOST = {"type": "string", "pattern": "^(\\*\\.)?[A-Za-z0-9.:-]+$"}
V4 = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CIDR4 = f"^{V4}(\\.{V4}){{3}}(/(3[0-2]|[12]?[0-9]))?$"
CIDR6 = "^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?$"
URL = {"type": "string", "pattern": "^https?://", "description": "An http:// or https:// URL."}


def secret(desc):
    return {"type": "string", "minLength": 1, "description": desc + " Use ${env:NAME}; the value is registered as a secret and never written to any artifact."}


control_none = {"type": "object", "additionalProperties": False, "properties": {"type": {"const": "none"}}}
control_embedded = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "type": {"const": "embedded"},
        "brokers": integer("Brokers of librdkafka's mock cluster in the kproof process.", 1, 16, 3),
        "racks": {"type": "array", "minItems": 1, "description": "Rack of each broker (one per broker).",
                  "items": env_or({"type": "string", "minLength": 1}, "A rack name.")},
    },
    "allOf": [{"if": {"required": ["brokers"], "properties": {"brokers": {"const": n}}},
               "then": {"properties": {"racks": {"minItems": n, "maxItems": n}}}} for n in range(1, 17)]
    + [{"if": {"not": {"required": ["brokers"]}},
        "then": {"properties": {"racks": {"minItems": 3, "maxItems": 3}}}}],
}
control_exec = {
    "type": "object", "additionalProperties": False, "required": ["commands"],
    "properties": {
        "type": {"const": "exec"},
        "timeout": dur("Timeout of each command (default 120s).", "1s", "1h"),
        "racks": {"type": "array", "minItems": 1,
                  "description": "Rack of broker 1, 2, ... in order: the zones a partition or link fault may name.",
                  "items": env_or({"type": "string", "minLength": 1}, "A rack name.")},
        "commands": {"type": "object", "minProperties": 0, "propertyNames": {"enum": ops},
                     "description": "Control operation -> shell command template. Placeholders: {broker}, {rack}, {topic}, {partition}, {offset}, {file}, {rtt_ms}, {api_key}, {errors}, {partitions}, {replication_factor}, {target_dir}, {brokers}, {scope}, {loss_pct}, {delay_ms}, {jitter_ms}; ${env:NAME} is substituted after them. An operation without a command is unsupported (its checks skip).",
                     "additionalProperties": {"type": "string", "minLength": 1}},
        "timeouts": {"type": "object", "propertyNames": {"enum": ops},
                     "description": "Operation -> its own timeout (the operation must have a command).",
                     "additionalProperties": {"$ref": "#/$defs/duration"}},
        "env": {"type": "object", "description": "Extra environment variables of the commands.",
                "additionalProperties": {"type": "string"}},
    },
}
kms_none = {"type": "object", "additionalProperties": False, "properties": {"type": {"const": "none"}}}
kms_aws = {
    "type": "object", "additionalProperties": False,
    "required": ["region", "access_key_id", "secret_access_key", "key"],
    "properties": {
        "type": {"const": "aws-kms"},
        "region": env_or(REGION, "AWS region of the key, e.g. \"eu-west-1\"."),
        "endpoint": dict(URL, description="KMS endpoint; default https://kms.<region>.amazonaws.com/."),
        "access_key_id": secret("Access key id."),
        "secret_access_key": secret("Secret access key."),
        "session_token": secret("Session token (temporary credentials)."),
        "key": string("Key id, ARN or alias/NAME of the key protecting the platform's data.", minLength=1),
        "fixture": boolean("Declares the key a test fixture: destructive calls need no --allow-destructive."),
        "timeout": dur("Timeout of one KMS call attempt (default 10s).", "100ms", "5m"),
        "max_attempts": integer("Attempts per call on throttling and transport errors.", 1, 20, 4),
    },
}
MAXSCAN = integer("Bytes read at most per scan (default 1 GiB).", 1 << 20, 1 << 40)
storage_none = {"type": "object", "additionalProperties": False, "properties": {"type": {"const": "none"}}}
storage_dir = {
    "type": "object", "additionalProperties": False, "required": ["log_dirs"],
    "properties": {
        "type": {"const": "dir"},
        "max_scan_bytes": MAXSCAN,
        "log_dirs": {"type": "array", "minItems": 1, "description": "Broker log directories (glob patterns) scanned for plaintext at rest.",
                     "items": {"type": "string", "minLength": 1}},
    },
}
storage_s3 = {
    "type": "object", "additionalProperties": False,
    "required": ["region", "bucket", "access_key_id", "secret_access_key"],
    "properties": {
        "type": {"const": "s3"},
        "max_scan_bytes": MAXSCAN,
        "region": env_or(REGION, "Region of the bucket."),
        "endpoint": dict(URL, description="S3 endpoint; default https://s3.<region>.amazonaws.com."),
        "bucket": env_or({"type": "string", "pattern": "^[^/]+$"}, "Bucket holding the platform's durable bytes."),
        "prefix": string("Key prefix of the platform's objects."),
        "access_key_id": secret("Access key id."),
        "secret_access_key": secret("Secret access key."),
        "session_token": secret("Session token (temporary credentials)."),
        "expected_kms_key": string("Objects must be SSE-KMS encrypted under this key id or ARN."),
        "timeout": dur("Timeout of one S3 request (default 30s).", "100ms", "10m"),
    },
}


def typed(desc, types, branches):
    return {
        "type": "object", "description": desc, "required": ["type"],
        "properties": {"type": {"enum": types, "description": "Adapter type."}},
        "allOf": [{"if": {"properties": {"type": {"const": t}}, "required": ["type"]},
                   "then": {"$ref": "#/$defs/" + b}} for t, b in zip(types, branches)],
    }


boundary = {
    "type": "object", "additionalProperties": False,
    "description": "Where the data plane may be; the location suite judges against it.",
    "properties": {
        "cidrs": {"type": "array", "description": "IPv4/IPv6 networks of the boundary, e.g. \"10.0.0.0/8\" (host bits must be zero).",
                  "items": env_or({"anyOf": [{"type": "string", "pattern": CIDR4}, {"type": "string", "pattern": CIDR6}]}, "A CIDR network.")},
        "hosts": {"type": "array", "description": "Host names, \"*.domain\" or literal addresses inside the boundary.",
                  "items": env_or(HOST, "A host name, \"*.domain\" or an address.")},
        "account_id": string("Cloud account the key and bucket must belong to (\"\": none declared)."),
        "regions": {"type": "array", "description": "Regions the bucket and the key must be in.",
                    "items": env_or(REGION, "A region like \"eu-west-1\".")},
        "allowed_endpoints": {"type": "array", "description": "Hosts outside the boundary the platform may reach (e.g. a KMS or VPC endpoint): names or \"*.domain\".",
                              "items": env_or(HOST, "A host name or \"*.domain\".")},
    },
}
deployment = {
    "type": "object", "additionalProperties": False,
    "description": "Declared facts about the deployment (the cost model and the location suite use them).",
    "properties": {
        "architecture": {"enum": ["shared-nothing", "tiered", "shared-storage"], "description": "Storage architecture."},
        "provider": string("Cloud provider, e.g. \"aws\"."),
        "region": string("Region of the deployment."),
        "zones": {"type": "array", "minItems": 1, "description": "Zones the brokers are spread over.", "items": {"type": "string", "minLength": 1}},
        "instance_type": string("Broker instance type, e.g. \"m6i.large\"."),
        "instance_count": integer("Broker instances.", 1, 100000),
        "retention": dur("Retention of the workload's data (cost model).", "1m", "87600h"),
        "price_sheet": string("Dated price sheet (path relative to this file), e.g. fixtures/prices/aws-us-east-1.json."),
        "boundary": {"$ref": "#/$defs/boundary"},
    },
}

audit_source = {
    "type": "object", "additionalProperties": False, "required": ["name", "kind", "type", "format"],
    "description": "One audit trail kproof reads events from.",
    "properties": {
        "name": string("Source name (unique; events are kept in raw/audit-<name>.jsonl).", minLength=1),
        "kind": {"enum": ["admin", "key", "storage"], "description": "What the trail proves: admin changes, key usage or storage access."},
        "type": {"enum": ["file", "exec"], "description": "file: read a file (glob); exec: run a command and read its standard output."},
        "path": string("File (glob pattern, relative to this file) holding the trail (type file).", minLength=1),
        "command": string("Shell command printing the trail (type exec); ${env:NAME} is substituted and redacted.", minLength=1),
        "timeout": dur("Timeout of the command (type exec, default 60s).", "1s", "1h"),
        "format": {"enum": ["cloudtrail", "kafka-authorizer", "jsonl"],
                   "description": "cloudtrail: AWS CloudTrail JSON; kafka-authorizer: Kafka's authorizer log lines; jsonl: kproof's normalised {time, principal, action, resource, outcome, source} per line."},
    },
    "allOf": [
        {"if": {"properties": {"type": {"const": "file"}}, "required": ["type"]},
         "then": {"required": ["path"], "not": {"anyOf": [{"required": ["command"]}, {"required": ["timeout"]}]}}},
        {"if": {"properties": {"type": {"const": "exec"}}, "required": ["type"]},
         "then": {"required": ["command"], "not": {"required": ["path"]}}},
    ],
}
audit = {
    "type": "object", "additionalProperties": False, "required": ["sources"],
    "description": "Audit trails the observability suite searches for kproof's marked actions.",
    "properties": {"sources": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/auditSource"}}},
}
principals = {
    "type": "object",
    "description": "Further client identities (name -> client properties, e.g. sasl.username, sasl.password); \"unauthorized\" is the principal the observability suite expects to be refused.",
    "propertyNames": {"pattern": "^[A-Za-z0-9._-]+$"},
    "additionalProperties": {"type": "object", "minProperties": 1,
                             "additionalProperties": {"type": ["string", "number", "boolean"]}},
}

target = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "kproof target",
    "description": "How kproof reaches a platform and which adapters apply (README \"Target files\"). kproof validate checks a file with the same rules and more (unset ${env:NAME}, duration ranges, CIDR host bits, the price sheet).",
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "$schema": {"type": "string", "description": "The JSON Schema of this file, for editors (kproof does not read it)."},
        "name": env_or({"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}, "Target name: 1 to 64 letters, digits, '.', '-' or '_'."),
        "description": string("What this platform is (shown in the report)."),
        "kafka": {"$ref": "#/$defs/properties", "description": "librdkafka client properties, passed through (security.protocol, SASL, TLS ...). bootstrap.servers is required, except for an embedded target, which provides it."},
        "control": typed("How kproof injects faults and reads cluster state: none, embedded (librdkafka's mock cluster) or exec (shell commands).",
                         ["none", "embedded", "exec"], ["controlNone", "controlEmbedded", "controlExec"]),
        "kms": typed("The key manager holding the key that protects the platform's data.", ["none", "aws-kms"], ["kmsNone", "kmsAws"]),
        "storage": typed("Where the platform's durable bytes can be inspected: none, dir (broker log directories) or s3.",
                         ["none", "dir", "s3"], ["storageNone", "storageDir", "storageS3"]),
        "topic_config": {"$ref": "#/$defs/properties", "description": "Topic configs of every workload topic kproof creates on this platform (how topics are made here, e.g. remote.storage.enable and local.retention.bytes on a tiered platform); a scenario's workload.topic_config is laid over them."},
        "deployment": {"$ref": "#/$defs/deployment"},
        "audit": {"$ref": "#/$defs/audit"},
        "principals": {"$ref": "#/$defs/principals"},
    },
    "allOf": [{
        "if": {"required": ["control"], "properties": {"control": {"required": ["type"], "properties": {"type": {"const": "embedded"}}}}},
        "then": {"properties": {"kafka": {"not": {"required": ["bootstrap.servers"]}}}},
        "else": {"required": ["kafka"], "properties": {"kafka": {"required": ["bootstrap.servers"]}}},
    }],
    "$defs": dict(common_defs, controlNone=control_none, controlEmbedded=control_embedded, controlExec=control_exec,
                  kmsNone=kms_none, kmsAws=kms_aws, storageNone=storage_none, storageDir=storage_dir,
                  storageS3=storage_s3, deployment=deployment, boundary=boundary,
                  auditSource=audit_source, audit=audit, principals=principals),
}

for name, doc in (("scenario", scenario), ("target", target)):
    with open(f"{OUT}/{name}.schema.json", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
