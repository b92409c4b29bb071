#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every fuzz target once on every file in tests/fuzz/regress/ (old
# findings, which must stay fixed).  Needs clang with libFuzzer; skipped
# (exit 0, with a message) without it.
set -u
cd "$(dirname "$0")/../.." || exit 2

CC=${FUZZ_CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz regress: skipped ($CC not found)"
	exit 0
fi
set -- tests/fuzz/regress/*
if [ ! -f "$1" ]; then
	echo "fuzz regress: no inputs"
	exit 0
fi
targets=$(sh tests/fuzz/build.sh) || exit 1
fail=0
for t in $targets; do
	log=build-fuzz/log/$t.regress.log
	if UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
	    "build-fuzz/bin/$t" -timeout=5 -rss_limit_mb=512 "$@" >"$log" 2>&1; then
		echo "fuzz regress ${t#fuzz_}: $# inputs ok"
	else
		fail=1
		echo "fuzz regress ${t#fuzz_}: FAILED"
		grep -E 'Running: |^==[0-9]+==ERROR|runtime error:|^SUMMARY:' "$log" | tail -n 4 | sed 's/^/    /'
		echo "    log: $log"
	fi
done
exit $fail
