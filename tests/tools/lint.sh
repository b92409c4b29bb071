#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Project lint: banned string functions (see shared style notes) outside
# fuzz harnesses, SPDX identifiers in every source file, and the build must
# be warning-free.
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
echo "lint: $( [ $rc = 0 ] && echo clean || echo FAILED )"
exit $rc
