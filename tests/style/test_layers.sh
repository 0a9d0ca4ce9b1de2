#!/usr/bin/env bash
# The dependency rule of the layout (docs/ARCHITECTURE.md), read from the #include lines of every
# C file: the core (src/ but src/cli) knows no suite, no renderer and no CLI; src/util knows only
# src/util; report/ knows only the core's util and config; a suite knows no renderer, no CLI and no
# other suite (suites/registry.c lists them all; suites/common/ holds what every suite shares and
# knows no suite); only src/cli ties everything together.
# The rule is checked on the tree, then on a scratch tree with one planted violation per rule, so
# the test proves it can fail.
set -euo pipefail
src=${KPROOF_SRC:?}
tmp=${KPROOF_TEST_TMP:-$(mktemp -d)}/layers
suites_re='(cost|failover|location|migration|observability|revocation|scaling|semantics)'

# violations ROOT: prints "file: #include line (rule)" for every include that breaks a rule.
violations() {
	local root=$1 f dir inc top
	(cd "$root" && find src suites report -name '*.[ch]' | sort) | while read -r f; do
		dir=${f%/*}
		grep -oE '^#[[:space:]]*include[[:space:]]+"[^"]+"' "$root/$f" | sed -E 's/.*"(.*)"/\1/' |
			while read -r inc; do
				top=${inc%%/*}
				[[ $inc == */* ]] || top=.
				case $f in
				src/cli/*) ;;
				src/util/*)
					[[ $top == util || $top == . ]] ||
						echo "$f: #include \"$inc\" (src/util includes only src/util)"
					;;
				src/*)
					if [[ $top =~ ^(suites|report|cli|bench)$ || $top =~ ^$suites_re$ ]]; then
						echo "$f: #include \"$inc\" (the core knows no suite, renderer or CLI)"
					fi
					;;
				report/*)
					[[ $top == . || $top == util || $top == config ]] ||
						echo "$f: #include \"$inc\" (report/ knows only the core's util and config)"
					;;
				suites/registry.c | suites/registry.h) ;;
				suites/*)
					if [[ $top =~ ^(report|cli|bench)$ ]]; then
						echo "$f: #include \"$inc\" (a suite knows no renderer and no CLI)"
					elif [[ $inc == suites/common/* ]]; then
						: # shared by every suite
					elif [[ $top =~ ^$suites_re$ || $top == suites ]] && [[ $dir != "suites/$top" ]]; then
						echo "$f: #include \"$inc\" (a suite knows no other suite)"
					fi
					;;
				esac
			done
	done
}

out=$(violations "$src")
if [[ -n $out ]]; then
	echo "not ok - includes break the layout's dependency rule:"
	echo "$out"
	exit 1
fi
n=$(cd "$src" && find src suites report -name '*.[ch]' | wc -l)
echo "ok - $n files in src/, suites/ and report/ keep the dependency rule"

# The rule can fail: one planted violation per rule in a scratch tree.
rm -rf "$tmp" && mkdir -p "$tmp/src/util" "$tmp/src/engine" "$tmp/report" "$tmp/suites/scaling" "$tmp/src/cli"
printf '#include "config/config.h"\n' >"$tmp/src/util/a.c"
printf '#include "util/buf.h"\n#include "report/report.h"\n' >"$tmp/src/engine/b.c"
printf '#include "suites/registry.h"\n' >"$tmp/report/c.c"
printf '#include "semantics/semantics.h"\n#include "scaling.h"\n#include "suites/common/suitedef.h"\n' >"$tmp/suites/scaling/d.c"
printf '#include "suites/registry.h"\n#include "report/report.h"\n' >"$tmp/src/cli/e.c"
planted=$(violations "$tmp")
want=$'src/engine/b.c: #include "report/report.h" (the core knows no suite, renderer or CLI)
src/util/a.c: #include "config/config.h" (src/util includes only src/util)
suites/scaling/d.c: #include "semantics/semantics.h" (a suite knows no other suite)
report/c.c: #include "suites/registry.h" (report/ knows only the core\'s util and config)'
if [[ $(sort <<<"$planted") != $(sort <<<"$want") ]]; then
	echo "not ok - the rule check missed or invented planted violations:"
	diff <(sort <<<"$want") <(sort <<<"$planted") || true
	exit 1
fi
echo "ok - 4 planted violations found, none invented"
