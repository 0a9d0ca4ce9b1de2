#!/usr/bin/env bash
# kproof's client library: librdkafka 2.8.0 built from Debian trixie's source package into a
# kproof-owned prefix under ~/.cache/kproof. Debian 12 ships 2.0.2, which cannot speak to current
# brokers (e.g. Tansu: "ApiVersionRequest failed: Local: Read underflow").
#
#   scripts/librdkafka.sh install   fetch (apt, deb-src entry private to this script), verify,
#                                   build and install; does nothing when already installed
#   scripts/librdkafka.sh prefix    print the install prefix
#
# The trixie deb-src entry lives in a private apt directory (its own sources, lists and cache),
# so the machine's binary packages stay bookworm's. apt verifies the source package against the
# signed Sources index; this script verifies the tarballs again against pinned SHA-256 digests.
set -euo pipefail

version=2.8.0
debrev=2.8.0-1
orig_sha256=5bd1c46f63265f31c6bfcedcde78703f77d28238eadf23821c2b43fc30be3e25
debian_sha256=85381d3e0f2f8a5f871a408df59ed7ee3071a7bdbce9adefabfc5d3324418ed1
cache=${KPROOF_CACHE:-$HOME/.cache/kproof}
prefix=$cache/librdkafka-$version
stamp=$prefix/.kproof-installed

say() { echo "librdkafka.sh: $*" >&2; }
die() {
	say "$*"
	exit 1
}

install() {
	if [ -f "$stamp" ] && [ -f "$prefix/lib/pkgconfig/rdkafka.pc" ]; then
		say "install: $version present in $prefix"
		return 0
	fi
	local work apt_dir opts
	work=$(mktemp -d "${TMPDIR:-/tmp}/kproof-rdkafka.XXXXXX")
	trap 'rm -rf "$work"' RETURN
	apt_dir=$cache/apt-trixie-src
	mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	cat >"$apt_dir/parts/trixie-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	opts=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$apt_dir/parts"
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
		-o APT::Sandbox::User=root)
	say "install: fetching Debian source package librdkafka $debrev"
	apt-get "${opts[@]}" update -q >/dev/null || die "apt-get update (trixie deb-src) failed"
	(cd "$work" && apt-get "${opts[@]}" source --download-only "librdkafka=$debrev" >/dev/null) ||
		die "apt-get source librdkafka=$debrev failed"
	echo "$orig_sha256  $work/librdkafka_$version.orig.tar.gz" | sha256sum -c --quiet - ||
		die "checksum mismatch: librdkafka_$version.orig.tar.gz"
	echo "$debian_sha256  $work/librdkafka_$debrev.debian.tar.xz" | sha256sum -c --quiet - ||
		die "checksum mismatch: librdkafka_$debrev.debian.tar.xz"
	tar -C "$work" -xzf "$work/librdkafka_$version.orig.tar.gz"
	local src
	src=$(find "$work" -maxdepth 1 -type d -name 'librdkafka*' | head -n 1)
	[ -n "$src" ] || die "unpacked source not found"
	# Debian's own patches (series order), as the package applies them.
	tar -C "$src" -xJf "$work/librdkafka_$debrev.debian.tar.xz"
	if [ -f "$src/debian/patches/series" ]; then
		while read -r p; do
			case "$p" in '' | \#*) continue ;; esac
			patch -d "$src" -p1 -s <"$src/debian/patches/$p" || die "patch $p failed"
		done <"$src/debian/patches/series"
	fi
	say "install: building (zstd, lz4, snappy, SSL, SASL, curl) into $prefix"
	rm -rf "$prefix"
	(
		cd "$src"
		./configure --prefix="$prefix" --disable-gssapi --enable-zstd --enable-lz4-ext \
			--enable-ssl --enable-sasl --enable-curl >"$work/configure.log" 2>&1 ||
			{ tail -30 "$work/configure.log" >&2; exit 1; }
		make -j"$(nproc)" libs >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }
		make -C src install >"$work/install.log" 2>&1 || { tail -30 "$work/install.log" >&2; exit 1; }
	) || die "build failed"
	grep -q 'ZSTD' "$src/config.h" || die "built without zstd (is libzstd-dev installed?)"
	echo "$debrev $orig_sha256" >"$stamp"
	say "install: librdkafka $version installed in $prefix"
}

case "${1:-}" in
install) install ;;
prefix) echo "$prefix" ;;
*)
	echo "usage: $0 install|prefix" >&2
	exit 2
	;;
esac
