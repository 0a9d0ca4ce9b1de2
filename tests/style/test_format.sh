#!/usr/bin/env bash
# Every C source is formatted with the repository's .clang-format (clang-format 14).
set -uo pipefail
src=${KPROOF_SRC:?}
cf=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z $cf ]]; then
	echo "not ok - clang-format-14 is not installed (scripts/setup.sh installs it)"
	exit 1
fi
cd "$src" || exit 1
bad=0
n=0
while IFS= read -r f; do
	n=$((n + 1))
	if ! "$cf" --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not ok - $f is not clang-formatted (run: $cf -i $f)"
		bad=$((bad + 1))
	fi
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find src report suites tests bench -name '*.[ch]')
echo "$n files checked, $bad not formatted"
((n > 0 && bad == 0))
