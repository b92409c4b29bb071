#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/lab/run.sh - run every tests/lab/test_*.sh (a real miniupnpd in
# network namespaces; needs root).  Usage: run.sh [TEST-NAME-OR-FILE...]
#
# Each test is a bash script run in its own process with PLUGINS_DIR, LAB_SH
# and LAB_TEST_NAME in its environment.  It exits 0 (pass), 77 (skip, reason
# on the last line of its output) or anything else (fail, the reason on the
# last line of its output).  Output:
#   PASS name / FAIL name: reason / SKIP name: reason
#   lab: N passed, N failed, N skipped
# Not root: "SKIP lab tests: need root (network namespaces)" and exit 0,
# except under CI (CI set and not "false"/"0"), where it is a failure.
# Env: PLUGINS_DIR (default REPO/plugins), LAB_VERBOSE=1 shows test output,
# LAB_TEST_TIMEOUT seconds per test (default: the test's "# lab-timeout: N"
# line, else 900).  The limit only turns a hung test into a FAIL: it is no
# bound on speed, so it is about five times a test's time on an idle machine
# (a shared 2-core machine at load 16 made the portmap test pass 300 s).

# POSIX sh entry point (make runs "sh run.sh"); the tests themselves need bash.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PLUGINS_DIR=${PLUGINS_DIR:-$repo/plugins}
LAB_SH=$here/lab.sh
# Tests name their labs "lt$LAB_RUN_ID-..." so that this run cleans up only
# its own leftovers, never the labs of another run on the same machine.
LAB_RUN_ID=${LAB_RUN_ID:-$$}
export PLUGINS_DIR LAB_SH LAB_RUN_ID

ci_on() {
	case ${CI:-} in '' | false | 0 | no) return 1 ;; *) return 0 ;; esac
}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP lab tests: need root (network namespaces)"
	if ci_on; then
		echo "lab: CI is set, so lab tests may not be skipped"
		echo "lab: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	echo "lab: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
missing=
for t in ip nft curl setsid timeout /usr/sbin/miniupnpd; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "SKIP lab tests: missing$missing (apt-get install miniupnpd-nftables nftables iproute2 curl)"
	if ci_on; then
		echo "lab: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	echo "lab: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

tests=()
if [ $# -gt 0 ]; then
	for a in "$@"; do
		case $a in
		*/*) tests+=("$a") ;;
		test_*) tests+=("$here/${a%.sh}.sh") ;;
		*) tests+=("$here/test_${a%.sh}.sh") ;;
		esac
	done
else
	for f in "$here"/test_*.sh; do
		[ -e "$f" ] && tests+=("$f")
	done
fi

pass=0 fail=0 skip=0
logdir=$(mktemp -d "${TMPDIR:-/tmp}/cigd-lab-run.XXXXXX") || exit 1
for f in "${tests[@]}"; do
	name=$(basename "$f" .sh)
	name=${name#test_}
	log=$logdir/$name.log
	start=$(date +%s)
	if [ ! -r "$f" ]; then
		echo "FAIL $name: no such test $f"
		fail=$((fail + 1))
		continue
	fi
	# a test may ask for more time with a "# lab-timeout: SECONDS" line
	tmo=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\)$/\1/p' "$f" | head -n 1)
	tmo=${LAB_TEST_TIMEOUT:-${tmo:-900}}
	LAB_TEST_NAME=$name timeout -k 10 "$tmo" bash "$f" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	reason=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
	[ "${LAB_VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log"
	case $rc in
	0)
		echo "PASS $name (${secs}s)"
		pass=$((pass + 1))
		;;
	77)
		echo "SKIP $name: ${reason:-no reason given}"
		skip=$((skip + 1))
		;;
	124 | 137)
		echo "FAIL $name: timed out after ${tmo}s (log $log)"
		fail=$((fail + 1))
		;;
	*)
		echo "FAIL $name: ${reason:-exit $rc} (exit $rc, log $log)"
		[ "${LAB_VERBOSE:-0}" = 1 ] || sed 's/^/    | /' "$log" | tail -n 25
		fail=$((fail + 1))
		;;
	esac
done
# Leftovers of a test that was killed: its namespaces and daemons.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^cigd-lt$LAB_RUN_ID-"); do
	echo "lab: cleaning up leftover namespace $ns"
	n=${ns#cigd-}
	n=${n%-*}
	bash "$LAB_SH" down "$n" >/dev/null 2>&1
done
[ $fail -eq 0 ] && rm -rf -- "$logdir"

if [ $skip -gt 0 ] && ci_on; then
	echo "lab: CI is set, so lab tests may not be skipped"
	fail=$((fail + skip))
	skip=0
fi
echo "lab: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
