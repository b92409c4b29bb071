#!/bin/sh
# tests/bench/run.sh - the benchmark behind "make bench": the plugins against
# a real miniupnpd (tests/lab/lab.sh, network namespaces; needs root), beside
# upnpc (package miniupnpc) on the same lab in the same invocation, so that
# the ratios compare runs made minutes apart on the same (noisy) machine.
#
# Every figure is a median over several runs of build/tools/runbench
# (fork/execvp per run, wall time from fork to reap, user+sys CPU and peak
# RSS from wait4() of that child alone; runbench enters the LAN namespace
# itself, so "ip netns exec" is not measured).  Each target is printed with
# PASS or MISS; a missed target does not fail the bench.
#
# Exit status: 0 when the bench ran (whatever the figures); 1 when it broke
# (lab did not come up, daemon gone and not restartable, a plugin died of a
# signal, runbench failed); 0 with a SKIP line when not root.
#
# Environment (all optional):
#   PLUGINS_DIR, TOOLS_DIR   where the plugins and runbench are (make sets them)
#   BENCH_RUNS=11            runs per fast case
#   BENCH_REF_RUNS=11        runs of "upnpc -s" (2 s discovery window each)
#   BENCH_WALK_RUNS=3        at most this many runs of an index walk over
#                            100+ mappings ("upnpc -l"; quadratic on nftables)
#   BENCH_CASE_BUDGET=30     seconds: a port-mapping case starts no further run
#                            once its runs so far plus one more would pass this
#   BENCH_SIZES="10 100 250" mapping counts for check_igd_portmap
#   BENCH_MAX_SECONDS=560    start no new case after this (whole-bench cap)
#   BENCH_RUN_TIMEOUT=300    seconds before runbench kills one run
#   BENCH_LAB_NAME=benchPID  the lab's name (namespaces cigd-NAME-*)
#   BENCH_FILL=preload       how mappings are added: "preload" (lease file and
#                            a daemon restart, about twice as fast on nftables)
#                            or "soap" (AddPortMapping, lab_add_many)

# POSIX sh entry point (make runs "sh run.sh"); the bench needs bash.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PLUGINS_DIR=${PLUGINS_DIR:-$repo/plugins}
TOOLS_DIR=${TOOLS_DIR:-$repo/build/tools}
RUNBENCH=$TOOLS_DIR/runbench
N=${BENCH_RUNS:-11}
NREF=${BENCH_REF_RUNS:-$N}
NWALK=${BENCH_WALK_RUNS:-3}
CASE_BUDGET=${BENCH_CASE_BUDGET:-30}
SIZES=${BENCH_SIZES:-10 100 250}
MAX_S=${BENCH_MAX_SECONDS:-560}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-300}
BENCH_LAB=${BENCH_LAB_NAME:-bench$$}
FILL=${BENCH_FILL:-preload}

# Targets (issue): discovery >= 10x faster than upnpc -s and < 150 ms; WAN
# check < 100 ms; per plugin run < 5 ms user+sys CPU and < 4 MB peak RSS.
T_DISC_MS=150
T_DISC_RATIO=10
T_WAN_MS=100
T_CPU_MS=5
T_RSS_KB=4096

say() { printf '%s\n' "$*"; }
broken() {
	say "bench: BROKEN: $*"
	exit 1
}

if [ "$(id -u)" != 0 ]; then
	say "SKIP bench: needs root (network namespaces)"
	exit 0
fi
[ -x "$RUNBENCH" ] || broken "no $RUNBENCH (run: make all)"
[ -x "$PLUGINS_DIR/check_igd_present" ] || broken "no $PLUGINS_DIR/check_igd_present (run: make all)"
for t in ip nft curl setsid /usr/sbin/miniupnpd; do
	command -v "$t" >/dev/null 2>&1 ||
		broken "missing $t (apt-get install miniupnpd-nftables nftables iproute2 curl)"
done
case $FILL in preload | soap) ;; *) broken "BENCH_FILL must be preload or soap" ;; esac
for v in "$N" "$NREF" "$NWALK" "$CASE_BUDGET" "$MAX_S" "$RUN_TIMEOUT" $SIZES; do
	case $v in '' | *[!0-9]*) broken "not a number: '$v' (BENCH_* settings)" ;; esac
done
have_upnpc=0
command -v upnpc >/dev/null 2>&1 && have_upnpc=1

# shellcheck source=../lab/lab.sh
. "$repo/tests/lab/lab.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cigd-bench.XXXXXX") || broken "mktemp"
lab_down_on_exit
# lab_down_on_exit's traps, plus our temporary directory.
# shellcheck disable=SC2317 # called from the traps
bench_cleanup() {
	# The namespaces go anyway: no need to wait for miniupnpd to remove
	# hundreds of rules one by one (tens of seconds on nftables).
	LAB_STOP_TIMEOUT=2 lab_down_all
	rm -rf -- "$TMP"
}
trap 'bench_cleanup' EXIT
trap 'bench_cleanup; trap - INT; kill -INT $$' INT
trap 'bench_cleanup; exit 143' TERM

# ------------------------------------------------------------ helpers
declare -A WALL CPU RSS CODES
npass=0 nmiss=0 nskip=0

num_lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
num_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.1f", a / b; else print "n/a" }'; }

verdict() { # OK? DESCRIPTION FIGURE [NOTE]
	local v
	if [ "$1" = 1 ]; then
		v=PASS
		npass=$((npass + 1))
	else
		v=MISS
		nmiss=$((nmiss + 1))
	fi
	printf '  %-4s %-52s %s%s\n' "$v" "$2" "$3" "${4:+  ($4)}"
}
skipped() { # DESCRIPTION REASON
	nskip=$((nskip + 1))
	printf '  %-4s %-52s %s\n' SKIP "$1" "$2"
}

# Codes other than plain OK are worth a note beside a target.
codes_note() {
	local c=${CODES[$1]:-}
	case $c in
	'{0:'*[0-9]'}') [[ $c == *,* ]] && printf 'exit codes %s' "$c" ;;
	'') ;;
	*) printf 'exit codes %s' "$c" ;;
	esac
}

# target_ms KEY LIMIT DESCRIPTION: median wall of KEY below LIMIT ms.
target_ms() {
	local key=$1 lim=$2 desc=$3
	if [ -z "${WALL[$key]:-}" ]; then skipped "$desc" "not measured"; return; fi
	if num_lt "${WALL[$key]}" "$lim"; then ok=1; else ok=0; fi
	verdict $ok "$desc < $lim ms" "${WALL[$key]} ms" "$(codes_note "$key")"
}

# target_ratio REFKEY KEY MIN DESCRIPTION: WALL[REF]/WALL[KEY] >= MIN
# (MIN empty: just report the ratio).
target_ratio() {
	local ref=$1 key=$2 min=$3 desc=$4 r note ok
	if [ -z "${WALL[$ref]:-}" ] || [ -z "${WALL[$key]:-}" ]; then
		skipped "$desc" "not measured"
		return
	fi
	r=$(ratio "${WALL[$ref]}" "${WALL[$key]}")
	note=$(codes_note "$key")
	if [ -z "$min" ]; then
		printf '  %-4s %-52s %s%s\n' "" "$desc" "${r}x (${WALL[$ref]} / ${WALL[$key]} ms)" "${note:+  ($note)}"
		return
	fi
	if num_ge "$r" "$min"; then ok=1; else ok=0; fi
	verdict $ok "$desc >= ${min}x" "${r}x (${WALL[$ref]} / ${WALL[$key]} ms)" "$note"
}

# target_res KEY NAME: CPU and RSS of one of our cases.
target_res() {
	local key=$1 name=$2 ok
	[ -n "${CPU[$key]:-}" ] || return 0
	if num_lt "${CPU[$key]}" "$T_CPU_MS"; then ok=1; else ok=0; fi
	verdict $ok "$name user+sys < $T_CPU_MS ms" "${CPU[$key]} ms"
	if num_lt "${RSS[$key]}" "$T_RSS_KB"; then ok=1; else ok=0; fi
	verdict $ok "$name peak RSS < $T_RSS_KB KB" "${RSS[$key]} KB"
}

# measure KEY OURS(0/1) LABEL RUNS BUDGET -- COMMAND...: one runbench series
# in the LAN namespace; prints its line, stores its medians under KEY.
measure() {
	local key=$1 ours=$2 label=$3 runs=$4 budget=$5 line rc
	shift 5
	[ "${1:-}" = -- ] && shift
	if [ "$SECONDS" -ge "$MAX_S" ]; then
		say "$label: not run (bench past its ${MAX_S} s cap)"
		return 1
	fi
	local args=(-n "$runs" --label "$label" --netns "$LAB_NS_LAN" --timeout "$RUN_TIMEOUT")
	[ "$budget" != 0 ] && args+=(--budget "$budget")
	line=$("$RUNBENCH" "${args[@]}" -- "$@")
	rc=$?
	[ -n "$line" ] && say "$line"
	case $rc in
	0 | 3) ;;
	1)
		if [ "$ours" = 1 ]; then
			broken "$label: the plugin died of a signal: $line"
		fi
		say "  (note: the reference client died of a signal)"
		;;
	*) broken "$label: runbench failed (exit $rc)" ;;
	esac
	WALL[$key]=$(printf '%s\n' "$line" | sed -n 's/.*: median wall \([0-9.]*\) ms.*/\1/p')
	CPU[$key]=$(printf '%s\n' "$line" | sed -n 's/.*median user+sys \([0-9.]*\) ms.*/\1/p')
	RSS[$key]=$(printf '%s\n' "$line" | sed -n 's/.*median peak RSS \([0-9]*\) KB.*/\1/p')
	CODES[$key]=$(printf '%s\n' "$line" | sed -n 's/.*exit codes \({[^}]*}\).*/\1/p')
	return 0
}

# sample LABEL COMMAND...: one untimed run (also a warm-up) showing the
# first line of the plugin's answer and its exit code.
sample() {
	local label=$1 out rc
	shift
	out=$(lab_exec_lan timeout -k 5 "$RUN_TIMEOUT" "$@" 2>&1)
	rc=$?
	[ $rc -ge 128 ] && [ $rc -ne 137 ] && [ $rc -lt 160 ] &&
		broken "$label: died of signal $((rc - 128)): $(printf '%s' "$out" | head -n 1)"
	printf '  sample (exit %d): %.150s\n' "$rc" "$(printf '%s' "$out" | head -n 1)"
}

daemon_check() { # AFTER-WHAT
	if lab_daemon_alive; then
		say "  miniupnpd still alive after $1"
		return 0
	fi
	say "  miniupnpd is DOWN after $1 (log: $(tail -n 1 "$LAB_LOG" 2>/dev/null | cut -c1-120))"
	return 1
}

restart_daemon() {
	if [ "${more_cases:-1}" = 0 ]; then
		say "  not restarting miniupnpd: no case left that needs it"
		return 0
	fi
	say "  restarting miniupnpd (it reloads its lease file)"
	lab_start_daemon || broken "miniupnpd does not come back; the lab is down"
}

# ours_alive WHAT: a monitor must never take its router down (target).
ours_alive() {
	if lab_daemon_alive; then
		verdict 1 "miniupnpd alive after $1" "alive"
	else
		verdict 0 "miniupnpd alive after $1" "DOWN ($(tail -n 1 "$LAB_LOG" 2>/dev/null | cut -c1-80))"
		restart_daemon
	fi
}

# ------------------------------------------------------------ set-up
pkgv() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'; }
say "check_igd bench $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -n), $(uname -sr), $(nproc) CPUs"
say "miniupnpd-nftables $(pkgv miniupnpd-nftables), miniupnpc $(pkgv miniupnpc); load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "runs per case: $N (upnpc -s: $NREF; index walks over 100+ mappings: at most $NWALK, budget ${CASE_BUDGET} s a case); medians, wall from fork to reap"
[ $have_upnpc = 1 ] || say "upnpc not found (apt-get install miniupnpc): the reference runs are skipped"

lab_up igd2 "$BENCH_LAB" >"$TMP/lab-up.log" 2>&1 || {
	cat "$TMP/lab-up.log"
	broken "the lab did not come up"
}
say "lab $LAB_NAME up in ${LAB_STARTUP_MS} ms: router $LAB_ROUTER, root description $LAB_URL, LAN interface $LAB_LAN_IF"
say ""

P=$PLUGINS_DIR
say "== floor: fork+exec of true(1) in the LAN namespace (what every figure includes)"
measure floor 0 "true" "$N" 0 -- true
say ""

# ------------------------------------------------------------ discovery
say "== discovery: check_igd_present vs upnpc -s"
sample "present -H" "$P/check_igd_present" -H "$LAB_ROUTER"
measure pres_H 1 "check_igd_present -H $LAB_ROUTER" "$N" 0 -- "$P/check_igd_present" -H "$LAB_ROUTER"
sample "present -m" "$P/check_igd_present" -m "$LAB_LAN_IF"
measure pres_m 1 "check_igd_present -m $LAB_LAN_IF" "$N" 0 -- "$P/check_igd_present" -m "$LAB_LAN_IF"
measure pres_u 1 "check_igd_present -u URL (no discovery)" "$N" 0 -- "$P/check_igd_present" -u "$LAB_URL"
if [ $have_upnpc = 1 ]; then
	measure upnpc_s 0 "upnpc -s (reference)" "$NREF" 0 -- upnpc -s
fi
daemon_check "discovery" || broken "miniupnpd died during discovery"
target_ms pres_H $T_DISC_MS "present -H median wall"
target_ms pres_m $T_DISC_MS "present -m median wall"
target_ratio upnpc_s pres_H $T_DISC_RATIO "upnpc -s / present -H"
target_ratio upnpc_s pres_m $T_DISC_RATIO "upnpc -s / present -m"
target_ratio upnpc_s pres_u "" "upnpc -s / present -u (no discovery)"
say ""

# ------------------------------------------------------------ WAN
if [ -x "$P/check_igd_wan" ]; then
	say "== WAN status: check_igd_wan vs upnpc -u URL -s"
	st=$TMP/wan.state
	sample "wan -u" "$P/check_igd_wan" -u "$LAB_URL" --state-file "$st"
	measure wan_u 1 "check_igd_wan -u URL" "$N" 0 -- "$P/check_igd_wan" -u "$LAB_URL" --state-file "$st"
	if [ $have_upnpc = 1 ]; then
		measure upnpc_us 0 "upnpc -u URL -s (reference)" "$N" 0 -- upnpc -u "$LAB_URL" -s
	fi
	daemon_check "the WAN checks" || broken "miniupnpd died during the WAN checks"
	target_ms wan_u $T_WAN_MS "wan -u median wall"
	target_ratio upnpc_us wan_u "" "upnpc -u -s / wan -u"
else
	say "== WAN status: SKIP (no $P/check_igd_wan)"
fi
say ""

# ------------------------------------------------------------ port mappings
if [ -x "$P/check_igd_portmap" ]; then
	say "== port mappings: check_igd_portmap vs upnpc -l (index walk) and -L (GetListOfPortMappings)"
	have=0
	# shellcheck disable=SC2086 # a list of numbers
	last_size=$(printf '%s\n' $SIZES | tail -n 1)
	for size in $SIZES; do
		more_cases=1
		if [ "$SECONDS" -ge "$MAX_S" ]; then
			say "-- $size mappings: not run (bench past its ${MAX_S} s cap)"
			continue
		fi
		if [ "$size" -gt "$have" ]; then
			t0=$SECONDS
			if [ "$FILL" = soap ]; then
				lab_add_many $((size - have)) $((20000 + have)) >"$TMP/add.log" 2>&1
			else
				lab_preload_leases $((size - have)) $((20000 + have)) >"$TMP/add.log" 2>&1
			fi || broken "adding mappings ($FILL): $(tail -n 1 "$TMP/add.log")"
			have=$size
			say "-- $size mappings ($(lab_mapping_count) rules in the router; $FILL fill took $((SECONDS - t0)) s)"
		fi
		# Safe cases first (ours in auto mode, the upnpc index walk), then
		# the ones that may crash miniupnpd 2.3.1 over >128 mappings
		# (GetListOfPortMappings): ours forced to "list", then upnpc -L.
		# Over 128 mappings each of those starts with one probe run and
		# gets a series only if the router survived it.
		walk_runs=$N
		[ "$size" -ge 100 ] && walk_runs=$NWALK
		sample "portmap auto" "$P/check_igd_portmap" -u "$LAB_URL" --state-file "$TMP/pm-auto.state"
		measure "pm_auto_$size" 1 "check_igd_portmap -u URL [$size]" "$N" "$CASE_BUDGET" -- \
			"$P/check_igd_portmap" -u "$LAB_URL" --state-file "$TMP/pm-auto.state"
		ours_alive "portmap auto [$size]"
		if [ $have_upnpc = 1 ]; then
			measure "up_l_$size" 0 "upnpc -u URL -l [$size] (reference, index walk)" "$walk_runs" "$CASE_BUDGET" -- \
				upnpc -u "$LAB_URL" -l
			daemon_check "upnpc -l" || restart_daemon
		fi
		list_cmd=("$P/check_igd_portmap" -u "$LAB_URL" --list-method=list --state-file "$TMP/pm-list.state")
		list_label="check_igd_portmap -u URL --list-method=list [$size]"
		if [ "$size" -gt 128 ]; then
			measure "pm_list_$size" 1 "$list_label (probe)" 1 0 -- "${list_cmd[@]}"
			lab_daemon_alive &&
				measure "pm_list_$size" 1 "$list_label" "$N" "$CASE_BUDGET" -- "${list_cmd[@]}"
		else
			measure "pm_list_$size" 1 "$list_label" "$N" "$CASE_BUDGET" -- "${list_cmd[@]}"
		fi
		[ "$size" = "$last_size" ] && [ $have_upnpc = 0 ] && more_cases=0
		ours_alive "portmap list [$size]"
		if [ $have_upnpc = 1 ]; then
			L_runs=$N
			[ "$size" -gt 128 ] && L_runs=1
			measure "up_L_$size" 0 "upnpc -u URL -L [$size] (reference)" "$L_runs" "$CASE_BUDGET" -- \
				upnpc -u "$LAB_URL" -L
			[ "$size" = "$last_size" ] && more_cases=0
			if ! daemon_check "upnpc -L"; then
				say "  (the reference client took the router down: miniupnpd 2.3.1 GetListOfPortMappings over >128 mappings)"
				restart_daemon
			fi
		fi
		more_cases=1
		target_ratio "up_l_$size" "pm_auto_$size" "" "upnpc -l / portmap auto [$size]"
		target_ratio "up_L_$size" "pm_auto_$size" "" "upnpc -L / portmap auto [$size]"
		target_ratio "up_L_$size" "pm_list_$size" "" "upnpc -L / portmap list [$size]"
	done
	say ""
else
	say "== port mappings: SKIP (no $P/check_igd_portmap yet)"
	say ""
fi

# ------------------------------------------------------------ resources
say "== resources per plugin run (medians; the floor of true(1) is ${CPU[floor]:-?} ms, ${RSS[floor]:-?} KB)"
target_res pres_H "present -H"
target_res pres_m "present -m"
target_res pres_u "present -u"
target_res wan_u "wan -u"
for size in $SIZES; do
	target_res "pm_auto_$size" "portmap auto [$size]"
	target_res "pm_list_$size" "portmap list [$size]"
done
say ""
lab_daemon_alive || say "note: miniupnpd is not running at the end"
say "bench: $npass PASS, $nmiss MISS, $nskip SKIP in $SECONDS s; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
