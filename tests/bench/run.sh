#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/bench/run.sh - the benchmark behind "make bench": the plugins against
# a real miniupnpd (tests/lab/lab.sh, network namespaces; needs root), beside
# upnpc (package miniupnpc) on the same lab in the same invocation, so that
# the ratios compare runs made minutes apart on the same (noisy) machine.
# Port mappings are measured on two builds of miniupnpd 2.3.1: the nftables
# one (/usr/sbin/miniupnpd; crashes on GetListOfPortMappings over 128
# mappings, quadratic index walk) and the iptables one (lab mode igd2-ipt,
# fetched into /var/cache/cigd-lab on first use), then on the releases routers
# in the field run (2.2.3, 2.3.3, 2.3.7, 2.3.9, lab modes igd2-vX.Y.Z built
# from LAB_TARBALLS): time to a complete table and SOAP calls per run.
# Offline judging of a saved table (--table, 10 000 mappings, 100 rules)
# needs no lab.
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
#   BENCH_MAX_SECONDS=660    start no new case after this (whole-bench cap)
#   BENCH_RUN_TIMEOUT=300    seconds before runbench kills one run
#   BENCH_LAB_NAME=benchPID  the lab's name (namespaces cigd-NAME-*)
#   BENCH_IPT_FILL=soap      the same for the iptables lab (default soap: each
#                            add is cheap there, and a restart would first
#                            delete every rule; legacy iptables writes wait
#                            for the kernel, seconds each when another lab on
#                            the machine keeps a CPU busy in nftables)
#   BENCH_PARTS="discovery wan offline hosts ipt nft"  the parts to run
#                            (the port-mapping parts: ipt, the iptables
#                            build; nft, the nftables one; hosts, the MAC and
#                            vendor of each client on 250 mappings)
#   BENCH_FILL=preload       how mappings are added: "preload" (lease file and
#                            a daemon restart, about twice as fast on nftables)
#                            or "soap" (AddPortMapping, lab_add_many)
#   BENCH_VERSIONS           miniupnpd releases for the "field" part
#                            (default LAB_VERSIONS: 2.2.3 2.3.3 2.3.7 2.3.9);
#                            it runs when BENCH_PARTS is unset or names it
#   BENCH_FIELD_RUNS=5       runs per case there
#   BENCH_FIELD_MAX_SECONDS=900  start no new case of the field part after this

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
MAX_S=${BENCH_MAX_SECONDS:-660}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-300}
BENCH_LAB=${BENCH_LAB_NAME:-bench$$}
FILL=${BENCH_FILL:-preload}
IPT_FILL=${BENCH_IPT_FILL:-soap}
PARTS=" ${BENCH_PARTS:-discovery wan offline hosts ipt nft} "
part() { [[ $PARTS == *" $1 "* ]]; }

# Targets (issue): discovery >= 10x faster than upnpc -s and < 150 ms; WAN
# check < 100 ms; per plugin run < 5 ms user+sys CPU and < 4 MB peak RSS.
T_DISC_MS=150
T_DISC_RATIO=10
T_WAN_MS=100
T_CPU_MS=5
T_RSS_KB=4096
# Port mappings on the iptables build of 2.3.1 (issue 8): auto at 100
# mappings and --list-method=list at 250, each >= 5x faster than upnpc -l
# (index walk) and within 2x of upnpc -L (one list call for the whole
# table); auto < 100 ms at 100, list < 200 ms at 250.
T_IPT_AUTO_MS=100
T_IPT_AUTO_RATIO=5
T_IPT_LIST_MS=200
T_IPT_LIST_RATIO=5
T_IPT_L_RATIO=0.5
# Offline: a saved table of 10 000 mappings against 100 rules < 100 ms.
T_OFF_N=10000
T_OFF_RULES=100
T_OFF_MS=100

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
case $IPT_FILL in preload | soap) ;; *) broken "BENCH_IPT_FILL must be preload or soap" ;; esac
for v in "$N" "$NREF" "$NWALK" "$CASE_BUDGET" "$MAX_S" "$RUN_TIMEOUT" $SIZES; do
	case $v in '' | *[!0-9]*) broken "not a number: '$v' (BENCH_* settings)" ;; esac
done
CAP=$MAX_S
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
	if [ "$SECONDS" -ge "$CAP" ]; then
		say "$label: not run (bench past its ${CAP} s cap for this part)"
		return 1
	fi
	local args=(-n "$runs" --label "$label" --timeout "$RUN_TIMEOUT")
	[ -n "${MEASURE_NETNS:-}" ] && args+=(--netns "$MEASURE_NETNS")
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
# first line of the plugin's answer and its exit code; the whole answer is
# left in SAMPLE_OUT.  In the LAN namespace unless MEASURE_NETNS is empty.
SAMPLE_OUT=
sample() {
	local label=$1 out rc
	shift
	if [ -n "${MEASURE_NETNS:-}" ]; then
		out=$(ip netns exec "$MEASURE_NETNS" timeout -k 5 "$RUN_TIMEOUT" "$@" 2>&1)
	else
		out=$(timeout -k 5 "$RUN_TIMEOUT" "$@" 2>&1)
	fi
	rc=$?
	SAMPLE_OUT=$out
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

# soap_calls LABEL COMMAND...: one untimed run in the LAN namespace; the
# SOAP calls it made, counted from the daemon's own log (one "SOAPAction:"
# line per call), are printed and left in SOAP_CALLS.
SOAP_CALLS=
soap_count() { grep -c 'SOAPAction:' "$LAB_LOG" 2>/dev/null || echo 0; }
soap_calls() {
	local label=$1 before after
	shift
	before=$(soap_count)
	ip netns exec "$MEASURE_NETNS" timeout -k 5 "$RUN_TIMEOUT" "$@" >/dev/null 2>&1
	sleep 0.3
	after=$(soap_count)
	SOAP_CALLS=$((after - before))
	printf '  SOAP calls: %-58s %s\n' "$label" "$SOAP_CALLS"
}

restart_daemon() {
	if [ "${more_cases:-1}" = 0 ]; then
		say "  not restarting miniupnpd: no case left that needs it"
		return 0
	fi
	say "  restarting miniupnpd (it reloads its lease file; its stale rules flushed first)"
	# A crashed daemon leaves its rules: re-created on top of them from the
	# lease file, 250 took over 120 s on nftables; after a flush about 50 s.
	lab_flush_rules >"$TMP/flush.log" 2>&1 || say "  (flushing the rules failed: $(tail -n 1 "$TMP/flush.log"))"
	LAB_START_TIMEOUT=${LAB_START_TIMEOUT:-240} lab_start_daemon >"$TMP/restart.log" 2>&1 || {
		tail -n 3 "$TMP/restart.log"
		broken "miniupnpd does not come back; the lab is down"
	}
	say "  miniupnpd back in $((LAB_STARTUP_MS / 1000)) s"
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
MEASURE_NETNS=$LAB_NS_LAN
say "lab $LAB_NAME up in ${LAB_STARTUP_MS} ms: router $LAB_ROUTER, root description $LAB_URL, LAN interface $LAB_LAN_IF"
say ""

P=$PLUGINS_DIR
say "== floor: fork+exec of true(1) in the LAN namespace (what every figure includes)"
measure floor 0 "true" "$N" 0 -- true
say ""

# ------------------------------------------------------------ discovery
if part discovery; then
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
fi

# ------------------------------------------------------------ WAN
if ! part wan; then
	:
elif [ -x "$P/check_igd_wan" ]; then
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

# ------------------------------------------------------------ offline judging
# check_igd_portmap --table FILE -P POLICY: a saved table of 10 000 mappings
# judged against 100 rules (inputs made by gen-offline.awk), beside the same
# with a 10-mapping table and true(1) in the same series of runs.
if ! part offline; then
	:
elif [ -x "$P/check_igd_portmap" ]; then
	say "== offline judging: check_igd_portmap --table FILE -P POLICY --no-state"
	gen=$here/gen-offline.awk
	if awk -v what=table -v n="$T_OFF_N" -f "$gen" >"$TMP/table-big.yaml" &&
		awk -v what=table -v n=10 -f "$gen" >"$TMP/table-10.yaml" &&
		awk -v what=policy -v n="$T_OFF_RULES" -f "$gen" >"$TMP/policy.yaml"; then
		say "  inputs: a table of $T_OFF_N mappings ($(wc -c <"$TMP/table-big.yaml") bytes), a policy of $T_OFF_RULES rules (+ the built-in ones)"
		MEASURE_NETNS=
		off_cmd=("$P/check_igd_portmap" --table "$TMP/table-big.yaml" -P "$TMP/policy.yaml" --no-state)
		sample "offline [$T_OFF_N]" "${off_cmd[@]}"
		measure off_true 0 "true (reference)" "$N" 0 -- true
		measure off_10 1 "check_igd_portmap --table [10 mappings] -P [$T_OFF_RULES rules]" "$N" 0 -- \
			"$P/check_igd_portmap" --table "$TMP/table-10.yaml" -P "$TMP/policy.yaml" --no-state
		measure off_big 1 "check_igd_portmap --table [$T_OFF_N mappings] -P [$T_OFF_RULES rules]" "$N" 0 -- \
			"${off_cmd[@]}"
		MEASURE_NETNS=$LAB_NS_LAN
		target_ms off_big $T_OFF_MS "offline $T_OFF_N mappings x $T_OFF_RULES rules"
		target_ratio off_big off_10 "" "offline [$T_OFF_N] / offline [10]"
		say "  (offline [$T_OFF_N]: ${CPU[off_big]:-?} ms user+sys, ${RSS[off_big]:-?} KB peak RSS; the per-run resource targets are for device checks)"
	else
		skipped "offline judging" "could not write the inputs (awk)"
	fi
else
	say "== offline judging: SKIP (no $P/check_igd_portmap)"
fi
say ""

# ------------------------------------------------------------ client hosts
# The MAC address and vendor of each mapping's client (issue 11): 250
# mappings on the iptables build of 2.3.1 (read in one list call, so the
# table costs little beside the lookups), in three labs' worth of cases on
# one lab: every client a LAN host with a neighbour entry (neighbour table
# read + the IEEE registry of ieee-data read for its vendor), every client
# an address no host has (the neighbour table only: no MAC, so no vendor to
# look up and the registry is not read), and --no-hosts (neither).  The
# first against the second is the registry load; the second against
# --no-hosts the neighbour lookups.
T_HOSTS_N=250
if ! part hosts; then
	:
elif [ ! -x "$P/check_igd_portmap" ]; then
	say "== client hosts: SKIP (no $P/check_igd_portmap)"
	say ""
elif [ ! -r /usr/share/ieee-data/oui.txt ] && [ ! -r /usr/share/ieee-data/oui.csv ]; then
	say "== client hosts: SKIP (ieee-data not installed: make deps)"
	say ""
elif lab_up igd2-ipt "${BENCH_LAB}h" >"$TMP/lab-up-hosts.log" 2>&1 && lab_add_hosts >>"$TMP/lab-up-hosts.log" 2>&1; then
	MEASURE_NETNS=$LAB_NS_LAN
	say "== client hosts: check_igd_portmap on $T_HOSTS_N mappings with and without the MAC/vendor lookups (lab $LAB_NAME, iptables build)"
	hosts_case() { # KEY CLIENT WHAT
		local key=$1 client=$2 what=$3 t0=$SECONDS
		# the table is exactly these mappings (daemon stopped, rules
		# flushed, lease file rewritten, daemon started)
		LAB_CLIENT=$client lab_load_table TCP $(seq 20000 $((20000 + T_HOSTS_N - 1))) >"$TMP/hosts-fill.log" 2>&1 ||
			broken "client hosts: loading $T_HOSTS_N mappings to $client: $(tail -n 1 "$TMP/hosts-fill.log")"
		say "-- $T_HOSTS_N mappings to $client ($what; $(lab_mapping_count) rules; loaded in $((SECONDS - t0)) s)"
		local cmd=("$P/check_igd_portmap" -u "$LAB_URL" --list-method=list --no-state)
		sample "hosts [$key]" "${cmd[@]}" -v
		say "  $(printf '%s\n' "$SAMPLE_OUT" | grep -m 1 -F -- '-> ' | cut -c1-150)"
		measure "hosts_$key" 1 "check_igd_portmap list [$T_HOSTS_N, $what]" "$N" "$CASE_BUDGET" -- "${cmd[@]}"
		measure "hosts_${key}_off" 1 "check_igd_portmap list --no-hosts [$T_HOSTS_N, $what]" "$N" "$CASE_BUDGET" -- \
			"${cmd[@]}" --no-hosts
	}
	hosts_case mac "$LAB_HOST1" "a host with a MAC: neighbour table + OUI registry"
	hosts_case nomac "$LAB_HOST_NOMAC" "no MAC: neighbour table only"
	ours_alive "the client-host cases"
	# Wall time carries the machine's load; user+sys CPU of the plugin
	# alone (wait4) is the steadier measure of work done here.
	diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", a - b }'; }
	say "  figures (medians; cost = with - without):"
	hosts_line() { # DESCRIPTION KEY-WITH KEY-WITHOUT
		local aw=${WALL[$2]:-} bw=${WALL[$3]:-} ac=${CPU[$2]:-} bc=${CPU[$3]:-}
		[ -n "$aw" ] && [ -n "$bw" ] && [ -n "$ac" ] && [ -n "$bc" ] || return 0
		say "  $(printf '%-40s' "$1") wall $aw / $bw ms ($(diff_ms "$aw" "$bw") ms, $(ratio "$aw" "$bw")x); user+sys $ac / $bc ms ($(diff_ms "$ac" "$bc") ms); RSS ${RSS[$2]:-?} / ${RSS[$3]:-?} KB"
	}
	hosts_line "MAC + vendor lookups vs --no-hosts:" hosts_mac hosts_mac_off
	hosts_line "neighbour lookups (no MAC) vs --no-hosts:" hosts_nomac hosts_nomac_off
	hosts_line "OUI registry load (MAC vs no MAC):" hosts_mac hosts_nomac
	LAB_STOP_TIMEOUT=2 lab_down "$LAB_NAME"
	lab_use "$BENCH_LAB" || broken "the nftables lab $BENCH_LAB is gone"
	MEASURE_NETNS=$LAB_NS_LAN
	say ""
else
	sed 's/^/  /' "$TMP/lab-up-hosts.log" | tail -n 5
	skipped "client hosts" "the iptables lab did not come up"
	lab_use "$BENCH_LAB" >/dev/null 2>&1
	say ""
fi

# ------------------------------------------------------------ port mappings
# portmap_section BACKEND (nft|ipt): the current lab (LAB_*) filled with
# SIZES mappings in turn; at each size check_igd_portmap in its default mode
# (auto) and forced to GetListOfPortMappings (--list-method=list), beside
# upnpc -l (index walk) and upnpc -L (GetListOfPortMappings).  Keys carry
# the backend: pm_auto_nft_100, up_l_ipt_250, ...
#
# nft: the nftables build of 2.3.1 crashes on GetListOfPortMappings over 128
# mappings; its index walk is quadratic.  Over 128 mappings the forced list
# and upnpc -L get one probe run (and a series only if the router survived).
# ipt: the iptables build survives that and answers each call in constant
# time.  Both say "MiniUPnPd/2.3.1", so auto treats them alike: over 128
# entries it reads part of the index walk, then port ranges that cannot
# hold more than 128 mappings of a protocol, on both.
portmap_section() {
	local b=$1 size have=0 last_size t0 walk_runs L_runs crashy=0 method first
	local list_cmd list_label auto_cmd fill=$FILL
	[ "$b" = nft ] && crashy=1
	[ "$b" = ipt ] && fill=$IPT_FILL
	# shellcheck disable=SC2086 # a list of numbers
	last_size=$(printf '%s\n' $SIZES | tail -n 1)
	for size in $SIZES; do
		more_cases=1
		if [ "$SECONDS" -ge "$CAP" ]; then
			say "-- [$b] $size mappings: not run (bench past its ${CAP} s cap for this part)"
			continue
		fi
		if [ "$size" -gt "$have" ]; then
			t0=$SECONDS
			if [ "$fill" = soap ]; then
				lab_add_many $((size - have)) $((20000 + have)) >"$TMP/add.log" 2>&1
			else
				lab_preload_leases $((size - have)) $((20000 + have)) >"$TMP/add.log" 2>&1
			fi || broken "[$b] adding mappings ($fill): $(tail -n 1 "$TMP/add.log")"
			have=$size
			say "-- [$b] $size mappings ($(lab_mapping_count) rules in the router; $fill fill took $((SECONDS - t0)) s)"
		fi
		if [ "$SECONDS" -ge "$CAP" ]; then
			say "  not measured (bench past its ${CAP} s cap)"
			continue
		fi
		walk_runs=$N
		[ $crashy = 1 ] && [ "$size" -ge 100 ] && walk_runs=$NWALK
		# Default mode first (the one a monitor runs), then the upnpc
		# index walk, then the cases that may crash the nftables build
		# over >128 mappings: ours forced to "list", then upnpc -L.
		auto_cmd=("$P/check_igd_portmap" -u "$LAB_URL" --no-state)
		sample "[$b] portmap auto" "${auto_cmd[@]}" -v
		first=$(printf '%s\n' "$SAMPLE_OUT" | head -n 1 | cut -d'|' -f1 | sed 's/ *$//')
		method=$(printf '%s\n' "$SAMPLE_OUT" | sed -n 's/^read from [^ ]* by \(.*\)$/\1/p' | sed 's/ *|.*//' | head -n 1)
		measure "pm_auto_${b}_$size" 1 "[$b] check_igd_portmap -u URL --no-state [$size]" "$N" "$CASE_BUDGET" -- \
			"${auto_cmd[@]}" || continue
		ours_alive "[$b] portmap auto [$size] (every run)"
		if [[ $first == *'table incomplete'* ]]; then
			say "  [$b] auto [$size]: table INCOMPLETE (median run ${WALL[pm_auto_${b}_$size]:-?} ms, method ${method:-?}): $first"
		else
			say "  [$b] auto [$size]: complete table in ${WALL[pm_auto_${b}_$size]:-?} ms (median; read by ${method:-?})"
		fi
		if [ $have_upnpc = 1 ]; then
			measure "up_l_${b}_$size" 0 "[$b] upnpc -u URL -l [$size] (reference, index walk)" "$walk_runs" "$CASE_BUDGET" -- \
				upnpc -u "$LAB_URL" -l
			daemon_check "upnpc -l" || restart_daemon
		fi
		list_cmd=("$P/check_igd_portmap" -u "$LAB_URL" --list-method=list --no-state)
		list_label="[$b] check_igd_portmap -u URL --list-method=list --no-state [$size]"
		if [ $crashy = 1 ] && [ "$size" -gt 128 ]; then
			measure "pm_list_${b}_$size" 1 "$list_label (probe)" 1 0 -- "${list_cmd[@]}"
			lab_daemon_alive &&
				measure "pm_list_${b}_$size" 1 "$list_label" "$N" "$CASE_BUDGET" -- "${list_cmd[@]}"
		else
			measure "pm_list_${b}_$size" 1 "$list_label" "$N" "$CASE_BUDGET" -- "${list_cmd[@]}"
		fi
		[ "$size" = "$last_size" ] && [ $have_upnpc = 0 ] && more_cases=0
		if ! daemon_check "portmap --list-method=list (forced)"; then
			[ $crashy = 1 ] && say "  (expected on this build: GetListOfPortMappings over >128 mappings; the default mode avoids it)"
			restart_daemon
		fi
		if [ $have_upnpc = 1 ]; then
			L_runs=$N
			[ $crashy = 1 ] && [ "$size" -gt 128 ] && L_runs=1
			measure "up_L_${b}_$size" 0 "[$b] upnpc -u URL -L [$size] (reference)" "$L_runs" "$CASE_BUDGET" -- \
				upnpc -u "$LAB_URL" -L
			[ "$size" = "$last_size" ] && more_cases=0
			if ! daemon_check "upnpc -L"; then
				say "  (the reference client took the router down: miniupnpd 2.3.1 GetListOfPortMappings over >128 mappings)"
				restart_daemon
			fi
		fi
		more_cases=1
		# SOAP calls of one run of each method, from the daemon's log
		# (none that could crash the nftables build over 128 mappings,
		# no quadratic walk there over 100)
		soap_calls "[$b] check_igd_portmap auto [$size]" "${auto_cmd[@]}"
		if [ $crashy = 0 ] || [ "$size" -le 128 ]; then
			soap_calls "[$b] check_igd_portmap --list-method=list [$size]" "${list_cmd[@]}"
		fi
		if [ $have_upnpc = 1 ]; then
			if [ $crashy = 0 ] || [ "$size" -lt 100 ]; then
				soap_calls "[$b] upnpc -l [$size]" upnpc -u "$LAB_URL" -l
			fi
			if [ $crashy = 0 ] || [ "$size" -le 128 ]; then
				soap_calls "[$b] upnpc -L [$size]" upnpc -u "$LAB_URL" -L
			fi
		fi
		lab_daemon_alive || restart_daemon
		target_ratio "up_l_${b}_$size" "pm_auto_${b}_$size" "" "[$b] upnpc -l / portmap auto [$size]"
		target_ratio "up_l_${b}_$size" "pm_list_${b}_$size" "" "[$b] upnpc -l / portmap list [$size]"
		target_ratio "up_L_${b}_$size" "pm_auto_${b}_$size" "" "[$b] upnpc -L / portmap auto [$size]"
		target_ratio "up_L_${b}_$size" "pm_list_${b}_$size" "" "[$b] upnpc -L / portmap list [$size]"
		if [ "$b" = ipt ] && [ "$size" -gt 128 ] && [[ $method == walk* ]]; then
			say "  note: auto walked the $size entries (it cannot tell this iptables build from the crashing nftables one: both say MiniUPnPd/2.3.1)"
		elif [ "$b" = ipt ] && [ "$size" -gt 128 ] && [[ $method == ranges* ]]; then
			say "  note: auto read the $size entries by port ranges of at most 128 mappings (it cannot tell this iptables build from the crashing nftables one: both say MiniUPnPd/2.3.1)"
		fi
	done
}

if [ -x "$P/check_igd_portmap" ]; then
	# The iptables build first: its figures carry the targets, and its
	# rule writes are slow while an nftables daemon keeps a CPU busy (ours
	# idles with an empty table until its own part).
	say "== port mappings, iptables build of miniupnpd (lab mode igd2-ipt): check_igd_portmap vs upnpc -l (index walk) and -L (GetListOfPortMappings)"
	if ! part ipt; then
		say "  not run (BENCH_PARTS)"
	elif [ "$SECONDS" -ge "$MAX_S" ]; then
		say "  not run (bench past its ${MAX_S} s cap)"
	elif lab_up igd2-ipt "${BENCH_LAB}i" >"$TMP/lab-up-ipt.log" 2>&1; then
		MEASURE_NETNS=$LAB_NS_LAN
		ipt_ver=$(zcat "$LAB_IPT_CACHE/usr/share/doc/miniupnpd-iptables/changelog.Debian.gz" 2>/dev/null |
			sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p')
		say "lab $LAB_NAME up in ${LAB_STARTUP_MS} ms: miniupnpd-iptables ${ipt_ver:-?} (unpacked, not installed) $LAB_MINIUPNPD, router $LAB_ROUTER"
		portmap_section ipt
		say "  targets on the iptables build:"
		target_ms pm_auto_ipt_100 "$T_IPT_AUTO_MS" "[ipt] portmap auto [100]"
		target_ratio up_l_ipt_100 pm_auto_ipt_100 "$T_IPT_AUTO_RATIO" "[ipt] upnpc -l / portmap auto [100]"
		target_ratio up_L_ipt_100 pm_auto_ipt_100 "$T_IPT_L_RATIO" "[ipt] upnpc -L / portmap auto [100] (within 2x)"
		target_ms pm_list_ipt_250 "$T_IPT_LIST_MS" "[ipt] portmap list [250]"
		target_ratio up_l_ipt_250 pm_list_ipt_250 "$T_IPT_LIST_RATIO" "[ipt] upnpc -l / portmap list [250]"
		target_ratio up_L_ipt_250 pm_list_ipt_250 "$T_IPT_L_RATIO" "[ipt] upnpc -L / portmap list [250] (within 2x)"
		# The namespaces go anyway: no need to wait for hundreds of rules.
		LAB_STOP_TIMEOUT=2 lab_down "$LAB_NAME"
	else
		sed 's/^/  /' "$TMP/lab-up-ipt.log"
		skipped "port mappings on the iptables build" "the iptables lab did not come up"
	fi
	say ""
	lab_use "$BENCH_LAB" || broken "the nftables lab $BENCH_LAB is gone"
	MEASURE_NETNS=$LAB_NS_LAN
	say "== port mappings, nftables build ($LAB_MINIUPNPD): check_igd_portmap vs upnpc -l (index walk) and -L (GetListOfPortMappings)"
	if part nft; then
		portmap_section nft
	else
		say "  not run (BENCH_PARTS)"
	fi
	say ""
else
	say "== port mappings: SKIP (no $P/check_igd_portmap yet)"
	say ""
fi

# ------------------------------------------------------------ field versions
# The miniupnpd releases routers run (lab modes igd2-vX.Y.Z, built from
# LAB_TARBALLS on first use): per version, the time to a COMPLETE table of
# SIZES mappings by our default method (auto; -t 300 so that it can finish),
# beside upnpc -l (index walk) and upnpc -L (GetListOfPortMappings; not run
# over 128 mappings on versions before 2.3.4, which it crashes), and the
# SOAP calls each made, counted from the daemon's own log (one "SOAPAction:"
# line per request).  Mappings are written with lab_fill_rules (seconds).
# BENCH_VERSIONS (default: LAB_VERSIONS), BENCH_FIELD_RUNS (default 5),
# BENCH_FIELD_MAX_SECONDS (default 900: start no new case after that).
ver_num() { awk -F. '{ printf "%d\n", $1 * 10000 + $2 * 100 + $3 }' <<<"$1"; }
field_soap_count() { grep -c 'SOAPAction:' "$LAB_LOG" 2>/dev/null || echo 0; }

# field_sample KEY LABEL COMMAND...: one run, its SOAP calls counted from
# the daemon's log; the first line and exit code kept for the summary.
declare -A FCALLS FFIRST
field_sample() {
	local key=$1 label=$2 before
	shift 2
	before=$(field_soap_count)
	sample "$label" "$@"
	FCALLS[$key]=$(($(field_soap_count) - before))
	FFIRST[$key]=$(printf '%s\n' "$SAMPLE_OUT" | head -n 1 | cut -d'|' -f1 | sed 's/ *$//' | cut -c1-90)
	say "  SOAP calls: ${FCALLS[$key]}"
}

field_refill() { # after a crash: restart, write the table again
	lab_flush_rules >/dev/null 2>&1
	lab_start_daemon >"$TMP/restart.log" 2>&1 || broken "[$1] miniupnpd does not come back"
	lab_fill_rules TCP $(seq 20000 $((20000 + $2 - 1))) >"$TMP/fill.log" 2>&1 ||
		broken "[$1] refilling $2 mappings: $(tail -n 1 "$TMP/fill.log")"
}

field_section() {
	local v=$1 size have=0 t0 crashy=0 k pol=$TMP/nolease.yaml runs=${BENCH_FIELD_RUNS:-5}
	[ "$(ver_num "$v")" -lt 20304 ] && crashy=1
	printf 'version: 1\nportmap:\n  disable: [permanent-lease]\n' >"$pol"
	if ! lab_up "igd2-v$v" "${BENCH_LAB}v" >"$TMP/lab-up-v.log" 2>&1; then
		sed 's/^/  /' "$TMP/lab-up-v.log" | tail -n 5
		skipped "miniupnpd $v" "the lab did not come up (tarball in LAB_TARBALLS? make deps?)"
		return 0
	fi
	MEASURE_NETNS=$LAB_NS_LAN
	say "lab $LAB_NAME up in ${LAB_STARTUP_MS} ms: miniupnpd $v (nftables build $LAB_MINIUPNPD)"
	for size in $SIZES; do
		if [ "$SECONDS" -ge "$CAP" ]; then
			say "-- [$v] $size mappings: not run (past the field part's cap)"
			continue
		fi
		t0=$SECONDS
		lab_fill_rules TCP $(seq $((20000 + have)) $((20000 + size - 1))) >"$TMP/fill.log" 2>&1 ||
			broken "[$v] filling $size mappings: $(tail -n 1 "$TMP/fill.log")"
		have=$size
		say "-- [$v] $size mappings ($(lab_mapping_count) rules; filled in $((SECONDS - t0)) s)"
		k="${v}_$size"
		field_sample "f_auto_$k" "[$v] portmap auto" "$P/check_igd_portmap" -u "$LAB_URL" --no-state -P "$pol" -t 300 -v
		if ! lab_daemon_alive; then
			verdict 0 "[$v] miniupnpd alive after portmap auto [$size]" "DOWN: the default run crashed it"
			FFIRST[f_auto_$k]="CRASHED the router: ${FFIRST[f_auto_$k]}"
			field_refill "$v" "$size"
		else
			measure "f_auto_$k" 1 "[$v] check_igd_portmap -u URL -t 300 [$size]" "$runs" "$CASE_BUDGET" -- \
				"$P/check_igd_portmap" -u "$LAB_URL" --no-state -P "$pol" -t 300
			ours_alive "[$v] portmap auto [$size] (every run)"
		fi
		if [ $have_upnpc = 1 ]; then
			field_sample "f_l_$k" "[$v] upnpc -l" upnpc -u "$LAB_URL" -l
			measure "f_l_$k" 0 "[$v] upnpc -u URL -l [$size] (reference, index walk)" "$runs" "$CASE_BUDGET" -- \
				upnpc -u "$LAB_URL" -l
			daemon_check "upnpc -l" || field_refill "$v" "$size"
			if [ $crashy = 1 ] && [ "$size" -gt 128 ]; then
				say "[$v] upnpc -L [$size]: not run (GetListOfPortMappings over 128 mappings crashes miniupnpd before 2.3.4)"
				FFIRST[f_L_$k]="not run: crashes $v"
			else
				field_sample "f_L_$k" "[$v] upnpc -L" upnpc -u "$LAB_URL" -L
				measure "f_L_$k" 0 "[$v] upnpc -u URL -L [$size] (reference)" "$runs" "$CASE_BUDGET" -- \
					upnpc -u "$LAB_URL" -L
				daemon_check "upnpc -L" || field_refill "$v" "$size"
			fi
		fi
	done
	say "  summary, miniupnpd $v: median wall ms / SOAP calls of one run"
	printf '  %6s  %-22s %-22s %-22s %s\n' mappings "portmap auto" "upnpc -l" "upnpc -L" "portmap says"
	for size in $SIZES; do
		k="${v}_$size"
		printf '  %6s  %-22s %-22s %-22s %s\n' "$size" \
			"${WALL[f_auto_$k]:--} / ${FCALLS[f_auto_$k]:--}" \
			"${WALL[f_l_$k]:--} / ${FCALLS[f_l_$k]:--}" \
			"${WALL[f_L_$k]:--} / ${FCALLS[f_L_$k]:--}" \
			"${FFIRST[f_auto_$k]:-not run}"
		case ${FFIRST[f_L_$k]:-} in "not run"*) printf '  %6s  (upnpc -L %s)\n' "" "${FFIRST[f_L_$k]}" ;; esac
	done
	# issue 8: on a release whose list action cannot crash, the default
	# method at 100 and 250 mappings >= 5x faster than upnpc -l and
	# within 2x of upnpc -L (ratios of medians of this run)
	if [ $crashy = 0 ]; then
		for size in $SIZES; do
			case $size in 100 | 250) ;; *) continue ;; esac
			k="${v}_$size"
			target_ratio "f_l_$k" "f_auto_$k" "$T_IPT_AUTO_RATIO" "[$v] upnpc -l / portmap auto [$size]"
			target_ratio "f_L_$k" "f_auto_$k" "$T_IPT_L_RATIO" "[$v] upnpc -L / portmap auto [$size] (within 2x)"
		done
	fi
	LAB_STOP_TIMEOUT=2 lab_down "$LAB_NAME"
}

if [ -x "$P/check_igd_portmap" ] && [ "${BENCH_VERSIONS-x}" != "" ] &&
	[[ " ${BENCH_PARTS:-field} " == *" field "* ]]; then
	CAP=$((SECONDS + ${BENCH_FIELD_MAX_SECONDS:-900}))
	say "== the miniupnpd releases in the field (nftables builds from $LAB_TARBALLS): time to a complete table by the default method vs upnpc -l / -L, SOAP calls per run"
	for v in ${BENCH_VERSIONS:-$LAB_VERSIONS}; do
		field_section "$v"
		say ""
	done
	CAP=$MAX_S
fi

# ------------------------------------------------------------ resources
say "== resources per plugin run (medians; the floor of true(1) is ${CPU[floor]:-?} ms, ${RSS[floor]:-?} KB)"
target_res pres_H "present -H"
target_res pres_m "present -m"
target_res pres_u "present -u"
target_res wan_u "wan -u"
for b in nft ipt; do
	for size in $SIZES; do
		target_res "pm_auto_${b}_$size" "[$b] portmap auto [$size]"
		target_res "pm_list_${b}_$size" "[$b] portmap list [$size]"
	done
done
say ""
say "bench: $npass PASS, $nmiss MISS, $nskip SKIP in $SECONDS s; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
