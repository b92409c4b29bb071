#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/contrib/test_engines.sh: the real engines schedule the real plugins
# against the lab IGD (miniupnpd in network namespaces) through the shipped
# definitions, and what the engines recorded is read back.
#
#   icinga2  a daemon in the lab's LAN namespace (the monitoring host sits in
#            the router's LAN) with contrib/icinga2/check_igd.conf and the
#            shipped example apply rules (intervals cut to seconds, state
#            files in the temp dir): state, output, perfdata (as Icinga
#            parsed it) and the expanded command of the three services read
#            through the REST API and compared with direct runs; a mapping
#            added with upnpc takes igd-portmap to a HARD WARNING (the
#            example's max_check_attempts 3, held by --hold), a mapping to
#            internal port 445 to CRITICAL.  A fourth service runs
#            igd_portmap with igd_portmap_format = "json" once a mapping's
#            description holds '|': its output, read back, is one whole
#            JSON document (check_json.py, Icinga's exit status) and
#            Icinga parsed no perfdata from it.
#   nagios4  a daemon in the LAN namespace with contrib/nagios/check_igd.cfg
#            (commands): state, output, long output and perfdata read from
#            status.dat and compared with direct runs; a mapping added with
#            upnpc gives WARNING SOFT 1, SOFT 2, then HARD 3
#            (max_check_attempts 3, Nagios' own retries every second; read
#            from nagios.log and status.dat).
#   agent    the distributed case: an Icinga 2 agent in the LAN namespace, a
#            master in a namespace of its own that has no route to the
#            router's LAN, joined to the LAN namespace by a veth pair; the
#            shipped apply rules with vars.igd_endpoint send the checks to
#            the agent (command_endpoint) and their results, read through the
#            master's REST API, carry check_source = the agent.  The master
#            is also on the Internet side: a second veth pair to the WAN
#            namespace, which routes it to the router's public address; the
#            shipped igd-exposed rule (vars.igd_exposed_address) runs
#            check_igd_exposed on the master itself: OK (miniupnpd does not
#            answer there), its TCP probe refused by the router, the
#            router's WAN interface counting the master's M-SEARCHes (nft),
#            state, output and perfdata labels as a direct run from the WAN
#            namespace.
# Checks are forced (REST API, external command file) rather than waited
# for; the test prints how long each part took.
# Needs root (SKIP without; FAIL when CI is set), icinga2-bin, nagios4-core,
# miniupnpc (upnpc), curl, openssl, python3.
# Env: PLUGINS_DIR (default <repo>/plugins), ENGINES="icinga2 nagios4 agent".
. "$(dirname "$0")/../lab/testlib.sh"
ci_on() { case ${CI:-} in '' | false | 0 | no) return 1 ;; *) return 0 ;; esac; }
e_skip() { # REASON: SKIP, or a failure under CI
	ci_on && t_abort "$1 (CI is set: no skips)"
	t_skip "SKIP: $1"
}
[ "$(id -u)" = 0 ] || e_skip "needs root (network namespaces)"
for c in icinga2 nagios4 upnpc curl openssl python3; do
	command -v "$c" >/dev/null 2>&1 || e_skip "$c not installed (make deps)"
done
CONTRIB=$T_REPO/contrib
# nagios_main, nagios_base_objects, status_field
# shellcheck source=nagioslib.sh
. "$T_REPO/tests/contrib/nagioslib.sh"
ENGINES=${ENGINES:-icinga2 nagios4 agent}
for p in check_igd_present check_igd_wan check_igd_portmap check_igd_exposed; do t_need_plugin $p; done
T_START=$(t_time_ms)
MST_NS=
# Every process in the namespaces this test made (the daemons, their
# plugins) is stopped before the namespaces go; the lab's miniupnpd is
# stopped by lab_down.
e_cleanup() {
	local ns p pids=""
	for ns in ${LAB_NS_LAN:-} $MST_NS; do
		[ -e "/run/netns/$ns" ] && pids="$pids $(ip netns pids "$ns" 2>/dev/null)"
	done
	for p in $pids; do kill "$p" 2>/dev/null; done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		alive=""
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -z "$alive" ] && break
		sleep 0.3
	done
	for p in $alive; do kill -9 "$p" 2>/dev/null; done
	[ -n "$MST_NS" ] && [ -e "/run/netns/$MST_NS" ] && ip netns delete "$MST_NS"
	lab_down_all
	if [ "${KEEP_TMP:-0}" = 1 ]; then t_log "# kept $T_TMP"; else rm -rf -- "$T_TMP"; fi
}
trap e_cleanup EXIT
trap 'e_cleanup; trap - INT; kill -INT $$' INT
trap 'e_cleanup; exit 143' TERM

# t_eq DESCRIPTION GOT WANT: one check, both values shown when it fails.
t_eq() {
	t_ok "$1" test "$2" = "$3"
	[ "$2" = "$3" ] || { t_log "#   got:  $2"; t_log "#   want: $3"; }
}
wait_for() { # SECONDS COMMAND...
	local end=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}
phase() { # NAME: how long the part took
	t_log "# time: $1 took $(($(t_time_ms) - PHASE_T0)) ms"
	PHASE_T0=$(t_time_ms)
}
upnpc_add() { # EXTPORT INTPORT DESC: a mapping added as a LAN program would
	lab_exec_lan upnpc -u "$LAB_URL" -e "$3" -a "$LAB_CLIENT" "$2" "$1" TCP 3600 >"$T_TMP/upnpc.out" 2>&1 ||
		{ cat "$T_TMP/upnpc.out"; return 1; }
	grep -q "is redirected to internal $LAB_CLIENT:$2" "$T_TMP/upnpc.out" || { cat "$T_TMP/upnpc.out"; return 1; }
}
upnpc_del() { lab_exec_lan upnpc -u "$LAB_URL" -d "$1" TCP >/dev/null 2>&1; }

# Times, counters, ages and leases vary from run to run; nothing else may.
mask() {
	sed -E 's/[0-9]+(\.[0-9]+)? ?(s|m|h|d)\b/N\2/g; s/\(state file [^)]*\)/(state file F)/g'
}
# direct PLUGIN ARGS...: the plugin run by hand in the LAN namespace, for
# reference; sets D_OUT D_RC D_FIRST (status line, masked) D_LONG (long
# output, masked, lines joined with \n) D_LABELS (sorted perfdata labels).
labels() { tr ' ' '\n' | sed -n "s/^'\{0,1\}\([^=']*\)'\{0,1\}=.*/\1/p" | LC_ALL=C sort | tr '\n' ' '; }
direct() {
	D_OUT=$(lab_exec_lan "$PLUGINS_DIR/$1" "${@:2}" 2>&1)
	D_RC=$?
	D_FIRST=$(printf '%s\n' "$D_OUT" | head -n 1 | sed 's/ *|.*//' | mask)
	D_LONG=$(printf '%s\n' "$D_OUT" | sed -n '2,$p' | sed 's/ *|.*//' | mask |
		awk '{ printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }')
	D_LABELS=$(printf '%s\n' "$D_OUT" | sed -n 's/^[^|]*|//p' | labels)
}

t_lab_up igd2 eng || t_abort "lab igd2 did not come up"
upnpc_add 8080 80 "engines web" || t_abort "upnpc could not add a mapping"
PHASE_T0=$(t_time_ms)
phase "lab up and a first mapping"

# --------------------------------------------------------------- Icinga 2
# Reading the REST API: one service's attributes as JSON; jf picks a field.
# Debian's python3 (a pyenv shim earlier on PATH costs seconds a call on a
# loaded machine).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# A snapshot of a service read once: every field the test uses, one
# "NAME<tab>VALUE" line each (newlines in values as \n; the expanded
# command and the perfdata one line per item).
cat >"$T_TMP/jf.py" <<'EOF'
import json, sys
r = json.load(sys.stdin)["results"]
a = r[0]["attrs"] if r else {}
c = a.get("last_check_result") or {}
def put(k, v):
    print("%s\t%s" % (k, str(v).replace("\n", "\\n")))
for k in ("state", "state_type", "check_attempt"):
    if k in a: put(k, int(a[k]))
if c:
    put("exit_status", int(c["exit_status"]))
    put("execution_end", c["execution_end"])
    put("check_source", c.get("check_source"))
    put("output", c.get("output", ""))
    put("first", c.get("output", "").split("\n")[0])
    perf = c.get("performance_data") or []
    put("labels", " ".join(sorted(p.split("=", 1)[0].strip("'") for p in perf)) + " ")
    for p in perf: put("perf", p)
    for x in c.get("command") or []: put("cmd", x)
EOF
ic_nodes_certs() { # DIR NODE...: a CA and a certificate per node (CN = node)
	local d=$1 n
	shift
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=engines-ca \
		-keyout "$d/ca.key" -out "$d/ca.crt" >/dev/null 2>&1 || return 1
	for n in "$@"; do
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$n" -keyout "$d/$n.key" \
			-out "$d/$n.csr" >/dev/null 2>&1 &&
			openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
				-CAcreateserial -days 2 -out "$d/$n.crt" >/dev/null 2>&1 || return 1
	done
}
# ic_start DIR NODE NETNS: an Icinga 2 daemon with DIR/main.conf, as root,
# every directory in DIR (zones.d too, as /etc/icinga2/zones.d).
ic_start() {
	local d=$1
	mkdir -p "$d"/{data,log,cache,spool,run,state}
	ip netns exec "$3" icinga2 daemon -c "$d/main.conf" \
		-DConfiguration.RunAsUser=root -DConfiguration.RunAsGroup=root \
		-DConfiguration.DataDir="$d/data" -DConfiguration.LogDir="$d/log" \
		-DConfiguration.CacheDir="$d/cache" -DConfiguration.SpoolDir="$d/spool" \
		-DConfiguration.InitRunDir="$d/run" -DConfiguration.ZonesDir="$d/zones.d" \
		-DNodeName="$2" >"$d/daemon.log" 2>&1 &
	IC_PID=$!
}
gone() { # PID: not running (gone, or a zombie of this shell)
	[ ! -e "/proc/$1" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}
ic_stop() { # PID: stop it and wait until it has gone
	kill "$1" 2>/dev/null
	wait_for 10 gone "$1" || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# The API of the daemon being read: IC_NS, IC_PORT.
IC_PW=engines-test
ic_api() { # PATH [CURL ARGS...]
	local p=$1
	shift
	ip netns exec "$IC_NS" curl -sk --max-time 10 -u "root:$IC_PW" -H 'Accept: application/json' \
		"$@" "https://127.0.0.1:$IC_PORT$p"
}
ic_snap() { # SERVICE: its attributes now, into $T_TMP/ic-SERVICE
	ic_api "/v1/objects/services?service=router!$1&attrs=last_check_result&attrs=state&attrs=state_type&attrs=check_attempt" |
		"$PY" "$T_TMP/jf.py" >"$T_TMP/ic-$1" 2>/dev/null
}
icf() { # SERVICE FIELD: from the last snapshot of SERVICE (every line of it)
	awk -F '\t' -v k="$2" '$1 == k { sub(/^[^\t]*\t/, ""); gsub(/\\n/, "\n"); print }' "$T_TMP/ic-$1"
}
icpair() { # SERVICE ARG VALUE: the expanded command has ARG followed by VALUE
	icf "$1" cmd | awk -v a="$2" -v v="$3" 'p && $0 == v { f = 1 } { p = ($0 == a) } END { exit !f }'
}
ic_force() { # SERVICE: a check now, whatever the schedule
	ic_api /v1/actions/reschedule-check -X POST \
		-d '{ "type": "Service", "filter": "host.name == \"router\" && service.name == \"'"$1"'\"", "force": true }' >/dev/null
}
ic_checked_since() { # SERVICE EPOCH: a result that ended after EPOCH
	ic_snap "$1" && awk -F '\t' -v t="$2" '$1 == "execution_end" && $2 > t { f = 1 } END { exit !f }' "$T_TMP/ic-$1"
}
# ic_force_wait SERVICE...: force each and wait for a result newer than now
ic_force_wait() {
	local s since
	since=$(date +%s.%N)
	for s in "$@"; do ic_force "$s"; done
	for s in "$@"; do
		wait_for 40 ic_checked_since "$s" "$since" || return 1
	done
}
# ic_config DIR NODE PORT: the head of main.conf of a node with the API
ic_config_head() {
	cat <<EOF
include <itl>
include <plugins>
const PluginDir = "$PLUGINS_DIR"
include "$CONTRIB/icinga2/check_igd.conf"
object ApiUser "root" { password = "$IC_PW"; permissions = [ "*" ] }
EOF
}
# The shipped apply rules, intervals cut: no scheduled check within the
# test (each is forced), retries every second; state files into DIR/state.
ic_services() { # DIR
	sed -E 's/^(\s*check_interval = ).*/\1300s/; s/^(\s*retry_interval = ).*/\11s/
		s|"/var/lib/icinga2/|"'"$1"'/state/|' "$CONTRIB/icinga2/example-services.conf"
}
ic_api_up() { ic_api /v1/status/ApiListener >/dev/null; }

# The three services compared with direct runs of the plugins with the same
# options (state files apart).  PREFIX names the engine in the messages.
ic_compare() {
	local pre=$1 s args
	for s in present wan portmap; do
		case $s in
		present) args="-H $LAB_ROUTER -t 8 -w 6 -c 7" ;;
		wan) args="-H $LAB_ROUTER -t 8 --state-file $T_TMP/direct-$pre-wan.state" ;;
		portmap) args="-H $LAB_ROUTER -t 20 -w 20 -c 50 --state-file $T_TMP/direct-$pre-portmap.state" ;;
		esac
		# shellcheck disable=SC2086
		direct check_igd_$s $args
		t_eq "$pre: igd-$s exit_status = a direct run's" "$(icf igd-$s exit_status)" "$D_RC"
		t_eq "$pre: igd-$s status line = a direct run's" "$(icf igd-$s first | mask)" "$D_FIRST"
		t_eq "$pre: igd-$s perfdata labels as Icinga parsed them = a direct run's" \
			"$(icf igd-$s labels)" "$D_LABELS"
		t_ok "$pre: igd-$s command has -H $LAB_ROUTER (\$check_address\$)" icpair igd-$s -H "$LAB_ROUTER"
	done
}

icinga2_e2e() {
	local d=$T_TMP/icinga2
	IC_NS=$LAB_NS_LAN
	IC_PORT=$(lab_exec_lan "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	ic_nodes_certs "$d/pki" engines-master || t_abort "openssl could not make certificates"
	mkdir -p "$d"
	ic_services "$d" >"$d/services.conf"
	{
		ic_config_head
		cat <<EOF
include "$d/services.conf"
object CheckerComponent "checker" { }
object Endpoint "engines-master" { }
object Zone "master" { endpoints = [ "engines-master" ] }
object ApiListener "api" {
	bind_host = "127.0.0.1"
	bind_port = $IC_PORT
	cert_path = "$d/pki/engines-master.crt"
	key_path = "$d/pki/engines-master.key"
	ca_path = "$d/pki/ca.crt"
}
object Host "router" {
	check_command = "dummy"
	address = "$LAB_ROUTER"
	enable_active_checks = false
	vars.igd = true
	// a loaded test machine may answer slower than the example's 1 s
	vars.igd_present_warning = 6
	vars.igd_present_critical = 7
}
// igd_portmap_format = "json": checked once, forced, near the end
object Service "igd-portmap-json" {
	host_name = "router"
	check_command = "igd_portmap"
	check_interval = 300s
	vars.igd_portmap_format = "json"
	vars.igd_portmap_no_state = true
	vars.igd_portmap_timeout = "20"
}
EOF
	} >"$d/main.conf"
	ic_start "$d" engines-master "$LAB_NS_LAN"
	local pid=$IC_PID
	if ! wait_for 30 ic_api_up || ! ic_force_wait igd-present igd-wan igd-portmap; then
		t_ok "icinga2: the three services checked (REST API)" false
		tail -n 20 "$d/daemon.log" | sed 's/^/#   /'
		ic_stop "$pid"
		return
	fi
	phase "icinga2: start and three forced checks"
	ic_compare icinga2
	t_ok "icinga2: igd-portmap output lists the lab mapping" eval 'icf igd-portmap output | grep -q "engines web"'
	t_ok "icinga2: igd-portmap perfdata mappings=1 with -w/-c from the apply rule" \
		eval 'icf igd-portmap perf | grep -qx "mappings=1;20;50;0;"'
	t_ok "icinga2: igd-present perfdata answer_time in seconds with -w/-c from the host" \
		eval 'icf igd-present perf | grep -qE "^answer_time=[0-9.]+s;6;7;0;$"'
	t_ok "icinga2: igd-portmap command has the apply rule's state file" \
		icpair igd-portmap --state-file "$d/state/check_igd_portmap-router.state"
	t_ok "icinga2: the state file is there after the first run" test -s "$d/state/check_igd_portmap-router.state"
	phase "icinga2: direct runs and comparison"

	# A new mapping: WARNING, held, so that Icinga's own retries (every
	# second, max_check_attempts 3) take it to a HARD state.  What Icinga
	# did is read from its event stream (every check result and state
	# change of igd-portmap, in order), not sampled.
	ip netns exec "$IC_NS" curl -skN -u "root:$IC_PW" -H 'Accept: application/json' -X POST \
		-d '{ "queue": "engines", "types": [ "CheckResult", "StateChange" ], "filter": "event.service == \"igd-portmap\"" }' \
		"https://127.0.0.1:$IC_PORT/v1/events" >"$d/events.json" 2>/dev/null &
	local evpid=$!
	# the stream is live once it carries a result (the table unchanged: OK).
	# curl subscribes in the background: a check forced before the
	# subscription is in place is not in the stream, so force again until
	# one is (every such result is R0; they are folded into one below).
	ic_stream_live() { ic_force "igd-portmap"; wait_for 5 grep -q CheckResult "$d/events.json"; }
	wait_for 40 ic_stream_live || t_ok "icinga2: the event stream carries results" false
	upnpc_add 8081 81 "engines new" || t_abort "upnpc could not add a mapping"
	ic_force "igd-portmap"
	ic_events() { # the stream so far: "R<exit>" per result, "S<state>/<SOFT|HARD>" per change
		"$PY" -c 'import json, sys
out = []
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    if e["type"] == "CheckResult": out.append("R%d" % e["check_result"]["exit_status"])
    else: out.append("S%d/%s" % (e["state"], ("SOFT", "HARD")[int(e["state_type"])]))
print(" ".join(out))' "$d/events.json"
	}
	ic_hard() { ic_events | grep -q 'S1/HARD'; }
	t_ok "icinga2: igd-portmap reaches a HARD state through Icinga's retries" wait_for 40 ic_hard
	kill "$evpid" 2>/dev/null
	t_eq "icinga2: OK, then the new mapping: 3 WARNING results, SOFT, SOFT, then HARD (events)" \
		"$(ic_events | sed -E 's/^(R0 )+/R0 /; s/ S1\/HARD.*/ S1\/HARD/')" "R0 R1 S1/SOFT R1 S1/SOFT R1 S1/HARD"
	ic_snap igd-portmap
	t_eq "icinga2: ... igd-portmap now HARD WARNING (state/type)" "$(icf igd-portmap state)/$(icf igd-portmap state_type)" 1/1
	t_ok "icinga2: the HARD WARNING's status line names the held new mapping" \
		eval 'icf igd-portmap first | grep -qE "^IGD PORTMAP WARNING - new [0-9]+s ago \(held\): TCP 8081 -> .*engines new"'
	phase "icinga2: new mapping to HARD WARNING"
	# A mapping to internal port 445 (SMB): CRITICAL at once.
	upnpc_add 4445 445 "engines smb" || t_abort "upnpc could not add a mapping"
	ic_force_wait igd-portmap || t_ok "icinga2: igd-portmap checked after the SMB mapping" false
	t_eq "icinga2: a mapping to internal port 445 makes igd-portmap CRITICAL" "$(icf igd-portmap exit_status)" 2
	t_ok "icinga2: the CRITICAL output names risky-internal-port and the mapping" \
		eval 'icf igd-portmap output | grep -q "risky-internal-port.*engines smb"'
	phase "icinga2: risky mapping"
	# --format json through Icinga: a mapping whose description holds '|'
	# (kept in the facts; the text form writes it '!'), and the JSON's
	# "output" member holds the text form's ' | ' before its perfdata.  Icinga ends plugin output at the first raw '|', so
	# the document must reach it whole: one JSON document that passes
	# check_json.py with Icinga's exit status, and no perfdata parsed.
	upnpc_add 4446 446 "engines a|b" || t_abort "upnpc could not add a mapping"
	if ic_force_wait igd-portmap-json; then
		ic_api "/v1/objects/services?service=router!igd-portmap-json&attrs=last_check_result" >"$d/json-svc.json"
		"$PY" -c 'import json, sys
c = json.load(open(sys.argv[1]))["results"][0]["attrs"]["last_check_result"]
open(sys.argv[2], "w").write(c["output"] + "\n")
try:
    d = json.loads(c["output"])
    whole = "engines a|b" in json.dumps(d, ensure_ascii=False) and " | " in d["output"]
except ValueError:
    whole = False
print("%d %d %s" % (c["exit_status"], len(c.get("performance_data") or []), "whole" if whole else "cut"))' \
			"$d/json-svc.json" "$d/json-out" >"$d/json-res" 2>"$d/json-err"
		t_eq "icinga2: igd-portmap-json: output is one JSON document holding 'engines a|b' and its output's ' | '; perfdata items Icinga parsed" \
			"$(cut -d' ' -f2- "$d/json-res")" "0 whole"
		t_ok "icinga2: igd-portmap-json: output passes check_json.py with Icinga's exit status" \
			"$PY" "$T_REPO/tests/tools/check_json.py" --exit-code "$(cut -d' ' -f1 "$d/json-res")" <"$d/json-out"
		t_eq "icinga2: igd-portmap-json: exit status 2 (the SMB mapping)" "$(cut -d' ' -f1 "$d/json-res")" 2
		[ -s "$d/json-err" ] && sed 's/^/#   /' "$d/json-err" | tail -n 3
	else
		t_ok "icinga2: igd-portmap-json checked" false
	fi
	upnpc_del 4446
	phase "icinga2: igd-portmap-json"
	upnpc_del 4445
	upnpc_del 8081
	ic_stop "$pid"
	phase "icinga2: stop"
}

# --------------------------------------------------------------- Nagios 4
nagios4_e2e() {
	local n=$T_TMP/nagios4 npid="" out
	mkdir -p "$n"
	nagios_base_objects "$n/base.cfg"
	cat >"$n/objects.cfg" <<EOF
define host {
    host_name               router
    address                 $LAB_ROUTER
    max_check_attempts      1
    check_period            24x7
    contacts                nobody
    notification_period     24x7
    active_checks_enabled   0
}
; as the stock generic-service: max_check_attempts 3.  interval_length=1
; makes the intervals seconds: no scheduled check within the test (each
; is forced), Nagios' own retries every second.
define service {
    name                    igd-service
    register                0
    host_name               router
    check_period            24x7
    max_check_attempts      3
    check_interval          300
    retry_interval          1
    notification_period     24x7
    notifications_enabled   0
    notification_interval   0
    contacts                nobody
}
define service {
    use                     igd-service
    service_description     IGD present
    check_command           check_igd_present!-t 8 -w 6 -c 7
}
define service {
    use                     igd-service
    service_description     IGD WAN
    check_command           check_igd_wan!-t 8 --state-file $n/wan.state
}
define service {
    use                     igd-service
    service_description     IGD port mappings
    check_command           check_igd_portmap!-t 20 -w 20 -c 50 --state-file $n/portmap.state
}
EOF
	NAGIOS_USER1=$PLUGINS_DIR nagios_main "$n" "$n/base.cfg" "$n/objects.cfg" "$CONTRIB/nagios/check_igd.cfg"
	out=$(nagios4 -v "$n/nagios.cfg" 2>&1)
	t_ok "nagios4 -v: the shipped commands and the test's objects are valid, no warnings" \
		eval 'printf "%s\n" "$out" | grep -q "Total Warnings: *0" && printf "%s\n" "$out" | grep -q "Total Errors: *0"'
	printf '%s\n' "$out" | grep -iE -A2 'warning|error' | sed 's/^/#   /'
	lab_exec_lan nagios4 -d "$n/nagios.cfg" >"$n/daemon.out" 2>&1
	wait_for 10 test -s "$n/nagios.lock" && npid=$(cat "$n/nagios.lock")
	[ -n "$npid" ] || { t_ok "nagios4 daemon started" false; cat "$n/daemon.out"; return; }
	sf() { status_field "$n/status.dat" router "$1" "$2"; }	# SERVICE FIELD
	nforce() { # SERVICE...: forced checks through the external command file
		local s now
		now=$(date +%s)
		[ -p "$n/nagios.cmd" ] || { t_log "# no command pipe $n/nagios.cmd"; return 1; }
		for s in "$@"; do
			timeout 5 sh -c 'printf "%s\n" "$1" >"$2"' - \
				"[$now] SCHEDULE_FORCED_SVC_CHECK;router;$s;$now" "$n/nagios.cmd"
		done
	}
	checked_since() { [ "$(sf "$1" last_check)" -ge "$2" ] 2>/dev/null && [ "$(sf "$1" has_been_checked)" = 1 ]; }
	local s since
	since=$(date +%s)
	wait_for 60 test -p "$n/nagios.cmd" || t_ok "nagios4: the external command pipe is there" false
	nforce "IGD present" "IGD WAN" "IGD port mappings"
	for s in "IGD present" "IGD WAN" "IGD port mappings"; do
		wait_for 40 checked_since "$s" "$since" ||
			{ t_ok "nagios4: '$s' checked" false; tail -n 20 "$n/nagios.log" | sed 's/^/#   /'; return; }
	done
	# once more: a run with a previous state, as the direct runs below
	sleep 1
	since=$(date +%s)
	nforce "IGD present" "IGD WAN" "IGD port mappings"
	for s in "IGD present" "IGD WAN" "IGD port mappings"; do
		wait_for 40 checked_since "$s" "$since" || t_ok "nagios4: '$s' checked again" false
	done
	phase "nagios4: start and two rounds of forced checks"
	local name args
	for s in present wan portmap; do
		case $s in
		present) name="IGD present"; args="-H $LAB_ROUTER -t 8 -w 6 -c 7" ;;
		wan) name="IGD WAN"; args="-H $LAB_ROUTER -t 8 --state-file $T_TMP/direct-n-wan.state" ;;
		portmap) name="IGD port mappings"; args="-H $LAB_ROUTER -t 20 -w 20 -c 50 --state-file $T_TMP/direct-n-portmap.state" ;;
		esac
		# shellcheck disable=SC2086
		lab_exec_lan "$PLUGINS_DIR/check_igd_$s" $args >/dev/null 2>&1	# the first run
		# shellcheck disable=SC2086
		direct check_igd_$s $args
		t_eq "nagios4: '$name' current_state = a direct run's" "$(sf "$name" current_state)" "$D_RC"
		t_eq "nagios4: '$name' plugin_output = a direct run's status line" \
			"$(sf "$name" plugin_output | mask)" "$D_FIRST"
		t_eq "nagios4: '$name' long_plugin_output = a direct run's long output (\\n-joined)" \
			"$(sf "$name" long_plugin_output | sed 's/ *$//' | mask)" "$D_LONG"
		t_eq "nagios4: '$name' performance_data labels = a direct run's" \
			"$(sf "$name" performance_data | labels)" "$D_LABELS"
	done
	t_ok "nagios4: long_plugin_output of the port mappings names the lab mapping" \
		eval 'sf "IGD port mappings" long_plugin_output | grep -q "engines web"'
	t_ok "nagios4: performance_data of the port mappings: mappings=1;20;50;0;" \
		eval 'sf "IGD port mappings" performance_data | tr " " "\n" | grep -qx "mappings=1;20;50;0;"'
	phase "nagios4: direct runs and comparison"

	# A new mapping, added as any LAN program would: WARNING, and held, so
	# that Nagios' retries take it SOFT 1, SOFT 2, HARD 3.
	local pm="IGD port mappings"
	upnpc_add 8082 82 "engines nagios" || t_abort "upnpc could not add a mapping"
	nforce "$pm"
	hard() { [ "$(sf "$pm" state_type)" = 1 ] && [ "$(sf "$pm" current_attempt)" = 3 ]; }
	t_ok "nagios4: port mappings reach a HARD state at attempt 3" wait_for 40 hard
	t_eq "nagios4: ... HARD WARNING (state/type/attempt/max)" \
		"$(sf "$pm" current_state)/$(sf "$pm" state_type)/$(sf "$pm" current_attempt)/$(sf "$pm" max_attempts)" 1/1/3/3
	local alerts
	alerts=$(grep -o "SERVICE ALERT: router;$pm;[A-Z]*;[A-Z]*;[0-9]" "$n/nagios.log" | cut -d';' -f3-5 | tr '\n' ' ')
	t_eq "nagios4: the alerts in nagios.log: WARNING SOFT 1, SOFT 2, HARD 3" "$alerts" \
		"WARNING;SOFT;1 WARNING;SOFT;2 WARNING;HARD;3 "
	t_ok "nagios4: the HARD WARNING's plugin_output names the held new mapping" \
		eval 'sf "$pm" plugin_output | grep -qE "^IGD PORTMAP WARNING - new [0-9]+s ago \(held\): TCP 8082 -> .*engines nagios"'
	t_ok "nagios4: ... and its long_plugin_output starts with it" \
		eval 'sf "$pm" long_plugin_output | grep -qE "^\[WARNING\] new [0-9]+s ago \(held\): TCP 8082 "'
	t_ok "nagios4: ... performance_data new=1" \
		eval 'sf "$pm" performance_data | tr " " "\n" | grep -qx "new=1;;;0;"'
	upnpc_del 8082
	ic_stop "$npid"
	phase "nagios4: new mapping to HARD WARNING, stop"
}

# --------------------------------------------------------------- agent
# An Icinga 2 agent in the LAN namespace, the master in its own namespace
# joined to the LAN namespace only (a /30 of its own, no route to the
# router): a result for the router can only come from the agent.
agent_e2e() {
	local d=$T_TMP/agent m=$T_TMP/master net=${LAB_NET%.0}.1 apid mpid
	local aip=$net.1 mip=$net.2 aport=5665
	MST_NS=$LAB_PREFIX-mst
	ip netns add "$MST_NS" &&
		ip -n "$MST_NS" link set lo up &&
		ip -n "$LAB_NS_LAN" link add eng-agent type veth peer name eng-master netns "$MST_NS" &&
		ip -n "$LAB_NS_LAN" addr add "$aip/30" dev eng-agent &&
		ip -n "$MST_NS" addr add "$mip/30" dev eng-master &&
		ip -n "$LAB_NS_LAN" link set eng-agent up &&
		ip -n "$MST_NS" link set eng-master up || t_abort "could not make the master's namespace"
	# The Internet side: the master reaches the router's public address
	# (only) through the WAN namespace, as through an ISP; the router's
	# default route (via the WAN namespace) takes the answers back.
	local inet=198.18.0
	ip -n "$MST_NS" link add eng-inet type veth peer name eng-isp netns "$LAB_NS_WAN" &&
		ip -n "$MST_NS" addr add "$inet.2/30" dev eng-inet &&
		ip -n "$LAB_NS_WAN" addr add "$inet.1/30" dev eng-isp &&
		ip -n "$MST_NS" link set eng-inet up &&
		ip -n "$LAB_NS_WAN" link set eng-isp up &&
		ip -n "$MST_NS" route add "$LAB_WAN_ROUTER/32" via "$inet.1" &&
		lab_exec_wan sysctl -qw net.ipv4.ip_forward=1 || t_abort "could not link the master to the WAN side"
	# What arrives at the router's WAN interface from the master: SSDP.
	lab_exec_igd nft -f - <<NFT || t_abort "could not add the nft counter in the router"
table inet engines {
	chain input {
		type filter hook input priority -10; policy accept;
		iifname "$LAB_IGD_WAN_IF" ip saddr $inet.2 udp dport 1900 counter
	}
}
NFT
	t_ok "agent: the master's namespace has no route to the router's LAN address" \
		eval '! ip -n "$MST_NS" route get "$LAB_ROUTER" >/dev/null 2>&1'
	ic_nodes_certs "$T_TMP/pki" engines-master engines-agent || t_abort "openssl could not make certificates"
	mkdir -p "$d" "$m"
	{
		ic_config_head
		cat <<EOF
object Endpoint "engines-master" { }
object Endpoint "engines-agent" { }
object Zone "master" { endpoints = [ "engines-master" ] }
object Zone "engines-agent" { endpoints = [ "engines-agent" ]; parent = "master" }
object ApiListener "api" {
	bind_host = "$aip"
	bind_port = $aport
	accept_commands = true
	accept_config = false
	cert_path = "$T_TMP/pki/engines-agent.crt"
	key_path = "$T_TMP/pki/engines-agent.key"
	ca_path = "$T_TMP/pki/ca.crt"
}
EOF
	} >"$d/main.conf"
	# as on a real master: the objects in zones.d/master (a checkable sent
	# to a command endpoint must be in a zone)
	mkdir -p "$m/zones.d/master"
	ic_services "$m" >"$m/zones.d/master/services.conf"
	cat >"$m/zones.d/master/hosts.conf" <<EOF
object Host "router" {
	check_command = "dummy"
	address = "$LAB_ROUTER"
	enable_active_checks = false
	vars.igd = true
	vars.igd_endpoint = "engines-agent"
	vars.igd_present_warning = 6
	vars.igd_present_critical = 7
	// the public address: igd-exposed, run by the master (outside the LAN)
	vars.igd_exposed_address = "$LAB_WAN_ROUTER"
	vars.igd_exposed_http = "http://$LAB_WAN_ROUTER:$LAB_PORT/rootDesc.xml"
	vars.igd_exposed_listen = "1.5"
}
EOF
	{
		ic_config_head
		cat <<EOF
object CheckerComponent "checker" { }
object Endpoint "engines-master" { }
object Endpoint "engines-agent" { host = "$aip"; port = $aport }
object Zone "master" { endpoints = [ "engines-master" ] }
object Zone "engines-agent" { endpoints = [ "engines-agent" ]; parent = "master" }
object ApiListener "api" {
	bind_host = "127.0.0.1"
	bind_port = 5665
	cert_path = "$T_TMP/pki/engines-master.crt"
	key_path = "$T_TMP/pki/engines-master.key"
	ca_path = "$T_TMP/pki/ca.crt"
}
EOF
	} >"$m/main.conf"
	ic_start "$d" engines-agent "$LAB_NS_LAN"
	apid=$IC_PID
	ic_start "$m" engines-master "$MST_NS"
	mpid=$IC_PID
	IC_NS=$MST_NS
	IC_PORT=5665
	agent_connected() {
		ic_api "/v1/objects/endpoints?endpoint=engines-agent&attrs=connected" | grep -q '"connected":true'
	}
	if ! wait_for 40 agent_connected; then
		t_ok "agent: the master connected to the agent" false
		tail -n 15 "$m/daemon.log" "$d/daemon.log" | sed 's/^/#   /'
		return
	fi
	if ! ic_force_wait igd-present igd-wan igd-portmap igd-exposed; then
		t_ok "agent: the four services checked (master's REST API)" false
		tail -n 15 "$m/daemon.log" "$d/daemon.log" | sed 's/^/#   /'
		return
	fi
	phase "agent: namespaces, two daemons, connection, four forced checks"
	local s
	for s in igd-present igd-wan igd-portmap; do
		t_eq "agent: $s executed on the agent (check_source)" "$(icf $s check_source)" engines-agent
	done
	ic_compare agent
	t_ok "agent: igd-portmap output (from the agent) lists the lab mapping" \
		eval 'icf igd-portmap output | grep -q "engines web"'
	t_ok "agent: the agent wrote the apply rule's state file" test -s "$m/state/check_igd_portmap-router.state"

	# igd-exposed: on the master, from the Internet side.
	t_eq "agent: igd-exposed executed on the master, outside the LAN (check_source)" \
		"$(icf igd-exposed check_source)" engines-master
	D_OUT=$(lab_exec_wan "$PLUGINS_DIR/check_igd_exposed" -H "$LAB_WAN_ROUTER" \
		--http "http://$LAB_WAN_ROUTER:$LAB_PORT/rootDesc.xml" --listen 1.5 2>&1)
	D_RC=$?
	D_FIRST=$(printf '%s\n' "$D_OUT" | head -n 1 | sed 's/ *|.*//' | mask)
	D_LABELS=$(printf '%s\n' "$D_OUT" | sed -n 's/^[^|]*|//p' | labels)
	t_eq "agent: igd-exposed exit_status 0 (miniupnpd does not answer on the public address)" \
		"$(icf igd-exposed exit_status)" 0
	t_eq "agent: igd-exposed exit_status = a direct run's from the WAN namespace" "$(icf igd-exposed exit_status)" "$D_RC"
	t_eq "agent: igd-exposed status line = a direct run's from the WAN namespace" \
		"$(icf igd-exposed first | mask)" "$D_FIRST"
	t_eq "agent: igd-exposed perfdata labels as Icinga parsed them = a direct run's" \
		"$(icf igd-exposed labels)" "$D_LABELS"
	t_ok "agent: igd-exposed command has -H $LAB_WAN_ROUTER (igd_exposed_address)" \
		icpair igd-exposed -H "$LAB_WAN_ROUTER"
	t_ok "agent: igd-exposed reached the router: no SSDP answer, its TCP probe refused by the router (not lost)" \
		eval 'icf igd-exposed first | grep -qF "does not answer UPnP from here: no SSDP answer on UDP 1900" &&
			icf igd-exposed first | grep -qF "TCP $LAB_PORT refused"'
	local seen
	seen=$(lab_exec_igd nft list table inet engines | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
	t_ok "agent: the router's WAN interface saw the master's M-SEARCHes (${seen:-none} on UDP 1900; 3 per run)" \
		test "${seen:-0}" -ge 3
	ic_stop "$mpid"
	ic_stop "$apid"
	phase "agent: comparison, stop"
}

case " $ENGINES " in *" icinga2 "*) icinga2_e2e ;; esac
case " $ENGINES " in *" nagios4 "*) nagios4_e2e ;; esac
case " $ENGINES " in *" agent "*) agent_e2e ;; esac
t_log "# time: whole test $(($(t_time_ms) - T_START)) ms"
t_done
