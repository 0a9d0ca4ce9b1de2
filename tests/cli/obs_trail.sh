#!/usr/bin/env bash
# A stand-in audit trail for tests/cli/test_observability_embedded.sh: prints one kproof jsonl
# audit event stamped now. MODE: topic (a PutObject naming kproof's topic), other (one naming
# another topic), anon (kproof's topic, no principal); "MODE key": a Decrypt (key source).
now=$(date +%s)
if [[ ${2:-} == key ]]; then
	printf '{"time":%s,"principal":"p","action":"Decrypt","resource":"key/1","outcome":"allowed"}\n' "$now"
	exit 0
fi
case $1 in
topic) printf '{"time":%s,"principal":"arn:aws:iam::111122223333:role/broker","action":"PutObject","resource":"arn:aws:s3:::tier/kproof-obs-storage-0/00000000000000000000.log","outcome":"allowed"}\n' "$now" ;;
other) printf '{"time":%s,"principal":"arn:aws:iam::111122223333:role/broker","action":"PutObject","resource":"arn:aws:s3:::tier/someone-else-0/0.log","outcome":"allowed"}\n' "$now" ;;
anon) printf '{"time":%s,"principal":null,"action":"PutObject","resource":"arn:aws:s3:::tier/kproof-obs-storage-0/0.log","outcome":"allowed"}\n' "$now" ;;
*) echo "obs_trail.sh: unknown mode $1" >&2; exit 2 ;;
esac
