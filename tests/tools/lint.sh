#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Project lint: banned string functions (see shared style notes) outside
# fuzz harnesses, SPDX identifiers in every source file, and the build must
# be warning-free: every library file, plugin, unit test and bench tool is
# compiled from scratch, in a scratch build directory, with the project's
# warnings and -Werror.
# Environment: CC, MAKE (default make), LINT_KEEP (keep the build directory).
rc=0
banned=$(git ls-files 'common/*.[ch]' 'plugins/*.c' 'tests/unit/*.c' 'tests/bench/*.c' |
    xargs grep -nE '\b(sprintf|strcpy|strcat|gets|strtok|atoi)[[:space:]]*\(' || true)
if [ -n "$banned" ]; then
	echo "lint: banned functions:"
	echo "$banned"
	rc=1
fi
# Every source file carries an SPDX licence identifier (test inputs under
# tests/fixtures/ and fuzz seeds/regressions are data whose bytes tests pin).
nospdx=$(git ls-files | grep -vE '^tests/fixtures/|^tests/fuzz/(seeds|regress)/' |
    grep -E '\.(c|h|sh|py|awk|yaml|cfg|conf|1|json)$|(^|/)Makefile$|^\.ci/run$|^debian/rules$' |
    while read -r f; do grep -q 'SPDX-License-Identifier: ' "$f" || echo "$f"; done)
if [ -n "$nospdx" ]; then
	echo "lint: files without SPDX-License-Identifier:"
	echo "$nospdx"
	rc=1
fi

# One function layout (style(9)): a definition's return type on its own
# line, the name at the start of the next.  Flags a definition whose name
# line is not the one that starts at column 0 before its opening brace.
layout=$(git ls-files 'common/*.c' 'plugins/*.c' | xargs awk '
	FNR == 1 { head = "" }
	/^[A-Za-z_]/ { head = $0; at = FNR }
	/^\{$/ && head != "" {
		if (head !~ /^[A-Za-z_][A-Za-z0-9_]*\(/ && head ~ /\(/)
			print FILENAME ":" at ": " head
		head = ""
	}')
if [ -n "$layout" ]; then
	echo "lint: function definitions with the return type on the name's line:"
	echo "$layout"
	rc=1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lint.XXXXXX") || exit 2
[ -n "${LINT_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
units=$(for f in tests/unit/test_*.c; do
	b=${f##*/}; printf '%s ' "$tmp/tests/${b%.c}"; done)
# -O2 as in the default build: some warnings only appear with optimisation.
if ! ${MAKE:-make} -s --no-print-directory B="$tmp" BIN="$tmp/plugins" \
    CFLAGS="-O2 -g -Werror" all $units > "$tmp/build.log" 2>&1; then
	echo "lint: the build is not warning-free (-Werror):"
	grep -E 'warning:|error:' "$tmp/build.log" | head -40
	[ -s "$tmp/build.log" ] && ! grep -qE 'warning:|error:' "$tmp/build.log" &&
	    tail -20 "$tmp/build.log"
	rc=1
elif grep -q 'warning:' "$tmp/build.log"; then
	echo "lint: warnings in the build:"
	grep 'warning:' "$tmp/build.log" | head -40
	rc=1
fi
echo "lint: $( [ $rc = 0 ] && echo clean || echo FAILED )"
exit $rc
