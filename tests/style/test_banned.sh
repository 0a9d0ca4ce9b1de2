#!/usr/bin/env bash
# No unsafe string functions in kproof's C code.
set -uo pipefail
src=${KPROOF_SRC:?}
cd "$src" || exit 1
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|stpcpy|wcscpy|strncat|atoi|atol)[[:space:]]*\('
hits=$(git ls-files '*.c' '*.h' | xargs grep -nE "$pattern" || true)
if [[ -n $hits ]]; then
	echo "not ok - unsafe functions used:"
	echo "$hits"
	exit 1
fi
echo "ok - no strcpy/strcat/sprintf/vsprintf/gets/strtok/strncat/atoi/atol"
