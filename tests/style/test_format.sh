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
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find src report suites tests bench -name '*.[ch]')
n=${#files[@]}
# One clang-format process for every file (one per file took a minute on a loaded machine); it
# names each unformatted file in its warnings ("FILE:LINE:COL: error: code should be clang-formatted").
out=$("$cf" --dry-run --Werror "${files[@]}" 2>&1 >/dev/null)
mapfile -t badf < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error' <<<"$out" | cut -d: -f1 | sort -u)
for f in "${badf[@]}"; do
	echo "not ok - $f is not clang-formatted (run: $cf -i $f)"
done
bad=${#badf[@]}
if ((bad == 0)) && [[ -n $out ]]; then
	echo "not ok - clang-format failed: $out"
	bad=1
fi
echo "$n files checked, $bad not formatted"
((n > 0 && bad == 0))
