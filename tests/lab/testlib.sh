#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/lab/testlib.sh - helpers for tests/lab/test_*.sh (bash).  Source it:
#   . "$(dirname "$0")/testlib.sh"
#   t_lab_up igd2 pres2 || t_abort "lab did not come up"
#   t_run check_igd_present -u "$LAB_URL"
#   t_expect_rc 0; t_expect_first_line '^IGD PRESENT OK - '
#   t_done
# A test exits 0 (all checks passed), 1 (the last line says which failed)
# or 77 (skip, the last line says why).  Labs it brought up are torn down on
# exit, whatever happens.

T_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_REPO=$(cd "$T_HERE/../.." && pwd)
PLUGINS_DIR=${PLUGINS_DIR:-$T_REPO/plugins}
LAB_SH=${LAB_SH:-$T_HERE/lab.sh}
LAB_RUN_ID=${LAB_RUN_ID:-$$}
# shellcheck source=lab.sh
. "$LAB_SH"
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cigd-test.XXXXXX")
T_CHECKS=0
T_FAILED=0
T_FIRST_FAIL=
trap 'lab_down_all; rm -rf -- "$T_TMP"' EXIT
trap 'lab_down_all; rm -rf -- "$T_TMP"; trap - INT; kill -INT $$' INT
trap 'lab_down_all; rm -rf -- "$T_TMP"; exit 143' TERM

t_log() { printf '%s\n' "$*"; }

# Stop the test now: a failure that makes the remaining checks meaningless.
t_abort() {
	t_log "not ok: $*"
	t_log "FAILED: $*"
	exit 1
}
t_skip() {
	t_log "$*"
	exit 77
}

# t_lab_up MODE SUFFIX: a lab named lt<RUNID>-SUFFIX (run.sh cleans those up
# if a test is killed).
t_lab_up() {
	lab_up "$1" "lt$LAB_RUN_ID-$2"
}

# t_need_plugin NAME: abort with a clear message unless the plugin is built.
t_need_plugin() {
	[ -x "$PLUGINS_DIR/$1" ] || t_abort "plugin $1 not built: $PLUGINS_DIR/$1 missing (run make)"
}

# t_run PLUGIN ARGS...: run a plugin in the LAN namespace of the current lab,
# under $LAB_WRAP if set (e.g. valgrind; make check-valgrind sets it).
# Sets T_CMD, T_OUT (stdout), T_ERR (stderr), T_RC, T_MS (wall time).
t_run() {
	_t_run_in lab_exec_lan "$@"
}

# t_run_wan PLUGIN ARGS...: the same from the WAN namespace (the Internet
# side of the lab router).
t_run_wan() {
	_t_run_in lab_exec_wan "$@"
}

_t_run_in() {
	local exec=$1 p=$PLUGINS_DIR/$2 t0 t1
	shift
	t_need_plugin "$1"
	shift
	T_CMD="$p $*"
	T_ARGV=("${p##*/}" "$@")
	T_EXEC=$exec
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	$exec ${LAB_WRAP:-} "$p" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	T_RC=$?
	t1=$(date +%s%N)
	T_MS=$(((t1 - t0) / 1000000))
	T_OUT=$(cat "$T_TMP/out")
	T_ERR=$(cat "$T_TMP/err")
	t_log "# \$ $T_CMD   (exit $T_RC, ${T_MS} ms)"
	printf '%s\n' "$T_OUT" | sed 's/^/#   /'
	[ -z "$T_ERR" ] || printf '%s\n' "$T_ERR" | sed 's/^/#   stderr: /'
}

# t_expect_json: the last t_run/t_run_wan again, in the same namespace,
# with --format json appended: the same exit code as the text run, and the
# document valid by tests/tools/check_json.py (the schema, state = exit
# code, the verdict of its own output text, status_line = the text run's
# first line, timing figures masked).  T_OUT, T_RC and T_CMD stay the text
# run's.  Pick a run whose second run judges the same table (--no-state,
# or a state file the first run does not change the verdict of).
T_CHECK_JSON=$T_REPO/tests/tools/check_json.py
t_expect_json() {
	local p=$PLUGINS_DIR/${T_ARGV[0]} rc why jrc
	cp -- "$T_TMP/out" "$T_TMP/text"
	# shellcheck disable=SC2086
	$T_EXEC ${LAB_WRAP:-} "$p" "${T_ARGV[@]:1}" --format json \
	    >"$T_TMP/json" 2>"$T_TMP/json.err"
	rc=$?
	t_log "# \$ $T_CMD --format json   (exit $rc)"
	head -c 2000 "$T_TMP/json" | sed 's/^/#   json| /'
	t_ok "--format json: exit code $rc, the text run's $T_RC" test "$rc" = "$T_RC"
	why=$(/usr/bin/python3 "$T_CHECK_JSON" --exit-code "$rc" \
	    --text "$T_TMP/text" <"$T_TMP/json" 2>&1)
	jrc=$?
	t_ok "--format json: check_json.py passes${why:+ ($(printf '%s' "$why" | paste -sd ';' -))}" \
	    test "$jrc" = 0
}

# t_ok DESCRIPTION CONDITION-COMMAND...: one check.
t_ok() {
	local desc=$1
	shift
	T_CHECKS=$((T_CHECKS + 1))
	if "$@"; then
		t_log "ok: $desc"
	else
		T_FAILED=$((T_FAILED + 1))
		[ -n "$T_FIRST_FAIL" ] || T_FIRST_FAIL=$desc
		t_log "not ok: $desc"
		t_log "#   command: ${T_CMD:-}"
		t_log "#   exit:    ${T_RC:-}"
	fi
}

_t_first_line() { printf '%s\n' "$T_OUT" | head -n 1; }
_t_perfdata() { printf '%s\n' "$T_OUT" | sed -n 's/^[^|]*|//p' | tail -n 1; }
_t_perf_labels() { _t_perfdata | tr ' ' '\n' | sed -n "s/^'\{0,1\}\([^=']*\)'\{0,1\}=.*/\1/p"; }
_t_has() { printf '%s\n' "$T_OUT" | grep -qF -- "$1"; }
_t_first_has() { _t_first_line | grep -qF -- "$1"; }
_t_first_matches() { _t_first_line | grep -qE -- "$1"; }
_t_one_bar() { [ "$(printf '%s' "$T_OUT" | tr -cd '|' | wc -c)" -eq 1 ]; }
_t_bar_on_last_line() { printf '%s\n' "$T_OUT" | tail -n 1 | grep -qF '|'; }
_t_has_perf() { _t_perf_labels | grep -qxF -- "$1"; }

t_expect_rc() { t_ok "${2:-exit code} is $1 (got $T_RC)" test "$T_RC" = "$1"; }
t_expect_first_line() { t_ok "first line matches /$1/ (got: $(_t_first_line))" _t_first_matches "$1"; }
t_expect_first_has() { t_ok "first line contains '$1'" _t_first_has "$1"; }
t_expect_output_has() { t_ok "output contains '$1'" _t_has "$1"; }
t_expect_perf() { t_ok "perfdata has label '$1' (labels: $(_t_perf_labels | tr '\n' ' '))" _t_has_perf "$1"; }
t_expect_faster() { t_ok "ran in under $1 ms (took $T_MS ms)" test "$T_MS" -lt "$1"; }

# t_measure_wrap PLUGIN ARGS...: T_WRAP_MS, what t_run adds to the time a
# plugin itself spends: the namespace exec, $LAB_WRAP (valgrind takes a
# second to start, and far longer on a loaded machine, translating the code
# and checking for leaks at exit) and a sanitizer's runtime.  Measured here,
# on this machine under its current load, as the slower of 2 runs of a
# command that answers at once (e.g. -u to the lab's device, or -V), run the
# way t_run runs it.  Timing bounds add it, so that they assert only what
# the product promises.
t_measure_wrap() {
	local p=$PLUGINS_DIR/$1 i t0 t1 ms
	t_need_plugin "$1"
	T_WRAP_ARGV=("$@")
	shift
	T_WRAP_MS=0
	for i in 1 2; do
		t0=$(date +%s%N)
		# shellcheck disable=SC2086
		lab_exec_lan ${LAB_WRAP:-} "$p" "$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		[ "$ms" -le "$T_WRAP_MS" ] || T_WRAP_MS=$ms
	done
	t_log "# a run that answers at once ($*${LAB_WRAP:+, under $LAB_WRAP}): $T_WRAP_MS ms"
}

# A timing bound missed once may be a stall of the whole machine (seen: a
# native 'present -u' taking 48 s at load 20): measure the quick run again
# and run the same command once more; the bound holds if that run keeps it.
# (So a timing check must be the last check on its run.)
_t_timing_retry() {	# _t_timing_retry LIMIT
	t_log "# over the bound ($T_MS ms, limit $1 ms): measuring again and running once more"
	t_measure_wrap "${T_WRAP_ARGV[@]}"
	t_run "${T_ARGV[@]}"
}

# t_expect_by_deadline SECONDS: the promise of -t SECONDS: the plugin has
# answered by the deadline plus its 1 s margin (the backstop fires at -t
# plus 0.5 s), beyond what a run that answers at once takes (T_WRAP_MS, see
# t_measure_wrap).
t_expect_by_deadline() {
	local limit=$((T_WRAP_MS + ($1 + 1) * 1000))
	if [ "$T_MS" -ge "$limit" ]; then
		_t_timing_retry "$limit"
		limit=$((T_WRAP_MS + ($1 + 1) * 1000))
	fi
	t_ok "answered by -t $1 s plus 1 s margin plus ${T_WRAP_MS} ms for a quick run (took $T_MS ms, limit $limit ms)" \
		test "$T_MS" -lt "$limit"
}

# t_expect_before_window SECONDS: the plugin returned once it had its
# answer, well before its SECONDS-long discovery window (or -t deadline)
# ran out: under half of it beyond what a run that answers at once takes.
t_expect_before_window() {
	local limit=$((T_WRAP_MS + $1 * 500))
	if [ "$T_MS" -ge "$limit" ]; then
		_t_timing_retry "$limit"
		limit=$((T_WRAP_MS + $1 * 500))
	fi
	t_ok "returned before the $1 s window ran out: under half of it plus ${T_WRAP_MS} ms for a quick run (took $T_MS ms, limit $limit ms)" \
		test "$T_MS" -lt "$limit"
}
# The output shape every plugin shares: one '|' in all, on the last line.
t_expect_shape() {
	t_ok "exactly one '|' in the whole output" _t_one_bar
	t_ok "the perfdata '|' is on the last line" _t_bar_on_last_line
	t_ok "first line is 'IGD $1 <STATE> - ...'" _t_first_matches "^IGD $1 (OK|WARNING|CRITICAL|UNKNOWN) - "
}

# End of test: exit 0 if every check passed.
t_done() {
	if [ "$T_FAILED" -eq 0 ]; then
		t_log "all $T_CHECKS checks passed"
		exit 0
	fi
	t_log "$T_FAILED of $T_CHECKS checks failed; first: $T_FIRST_FAIL"
	exit 1
}

# t_field_up VERSION SUFFIX [igd2|igd1]: a lab running miniupnpd VERSION
# (nftables build from LAB_TARBALLS, built on first use into
# LAB_BUILD_CACHE).  No tarball, or no build tools: SKIP saying so (run.sh
# makes a skip a failure under CI); a build that fails: the test FAILS.
t_field_up() {
	local v=$1 suffix=$2 kind=${3:-igd2} rc
	lab_build "$v"
	rc=$?
	case $rc in
	0) ;;
	3) t_skip "no miniupnpd-$v.tar.gz in $LAB_TARBALLS (set LAB_TARBALLS; upstream: https://miniupnp.tuxfamily.org/files/)" ;;
	4) t_skip "cannot build miniupnpd $v: build tools or libraries missing (run: make deps)" ;;
	*) t_abort "building miniupnpd $v failed (configure $LAB_BUILD_FLAGS; log above)" ;;
	esac
	t_lab_up "$kind-v$v" "$suffix" || t_abort "lab $kind-v$v did not come up"
	t_log "# lab $LAB_NAME: miniupnpd $v ($LAB_MINIUPNPD) up in $LAB_STARTUP_MS ms"
}

# t_expect_server_version VERSION: the daemon says MiniUPnPd/VERSION in its
# HTTP Server header (the lab runs the build it claims to).
t_expect_server_version() {
	local hdr
	hdr=$(lab_exec_lan curl -sI --max-time 3 "$LAB_URL" | tr -d '\r' | sed -n 's/^[Ss]erver: //p')
	t_ok "the daemon says MiniUPnPd/$1 (Server: $hdr)" _t_contains "$hdr" "MiniUPnPd/$1"
}
_t_contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }

# t_time_ms: milliseconds since the epoch (wall time of a step).
t_time_ms() { date +%s%3N; }
