#!/usr/bin/env bash
# kproof set-up: installs the Debian packages kproof needs to build, test and
# render reports. Idempotent: installs only what is missing, safe to run twice.
#
#   scripts/setup.sh            build + test dependencies, and librdkafka 2.8.0 built
#                               from Debian's source package into ~/.cache/kproof
#   scripts/setup.sh --fixtures also resolve the reference platforms (Kafka,
#                               local-kms, Kroxylicious, moto) into .cache/
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
	build-essential cmake ninja-build pkg-config
	libcmocka-dev libcjson-dev libcurl4-openssl-dev libssl-dev libexpat1-dev
	libzstd-dev liblz4-dev libsasl2-dev zlib1g-dev patch xz-utils ca-certificates
	gnuplot-nox
	chromium poppler-utils
	clang-format-14
	openssl iproute2 procps nftables iptables libnetfilter-queue-dev
	jq python3 python3-yaml util-linux unzip
	maven openjdk-17-jdk-headless
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}" >&2
	sudo_cmd=()
	if [ "$(id -u)" -ne 0 ]; then
		sudo_cmd=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
		"${sudo_cmd[@]}" apt-get update -q >/dev/null
		"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
	fi
else
	echo "setup: Debian packages present" >&2
fi

# kproof's client library: librdkafka 2.8.0 from Debian trixie's source package, built once
# into ~/.cache/kproof (CMake finds it there through pkg-config).
"$here/scripts/librdkafka.sh" install

# The reference platforms the tests start (Apache Kafka, local-kms, Kroxylicious, the S3
# emulator), each resolved once from Maven Central / the Go module proxy / PyPI into
# ~/.cache/kproof by its own script.
if [ "${1:-}" = "--fixtures" ]; then
	for f in fixtures/kafka/kafka.sh fixtures/kafka/mirror.sh fixtures/kms/kms.sh fixtures/kroxylicious/proxy.sh fixtures/s3/s3.sh \
		tests/tools/pyvenv.sh; do
		if [ -x "$here/$f" ]; then
			echo "setup: $f install" >&2
			"$here/$f" install
		fi
	done
	# the second Kafka version of the same fixture (targets/kafka39-local.json, an upgrade gate)
	echo "setup: fixtures/kafka/kafka.sh --version 3.9 install" >&2
	"$here/fixtures/kafka/kafka.sh" --version 3.9 install
fi
exit 0
