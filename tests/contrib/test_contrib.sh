#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/contrib/test_contrib.sh: the integration files under contrib/ checked
# by the real engines.
#
#   icinga2   contrib/icinga2/*.conf validated by `icinga2 daemon -C` (with the
#             ITL), a deliberately broken copy must fail, and a running daemon
#             executes every applied service against stand-in plugins that
#             record their argv: the CheckCommand argument mapping is compared
#             option by option.
#   nagios4   contrib/nagios/check_igd.cfg validated by `nagios4 -v` on a
#             self-contained temp config (no errors, no warnings).  When the
#             real plugins are built (plugins/check_igd_present), a Nagios 4
#             daemon also runs forced checks through the shipped commands:
#             a fake check_igd_wan with long output and perfdata (state,
#             output, long output and perfdata read back from status.dat, the
#             perfdata verbatim), and the real check_igd_present against a
#             closed port (CRITICAL, same text and perfdata labels as a
#             direct run).
#   zabbix    contrib/zabbix/userparameter_check_igd.conf run by
#             `zabbix_agentd -t` (zabbix-agent, which make deps installs):
#             the older text and state keys with stand-in plugins here; the
#             template's key check_igd.json with the real plugins, and the
#             template's JSONPaths on its results, in test_zabbix_mrpe.sh.
#
# Engines or plugins missing: SKIP, unless CI is set (then FAIL).  Install
# them with
#   apt-get install -y --no-install-recommends nagios4-core ssmtp icinga2-bin zabbix-agent
#
# Output: PASS/FAIL/SKIP lines, then "contrib: N passed, N failed, N skipped".
# Env: PLUGINS_DIR (default: <repo>/plugins), KEEP_TMP=1 keeps the temp dir.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
contrib=$root/contrib
plugins_dir=${PLUGINS_DIR:-$root/plugins}
install_cmd='apt-get install -y --no-install-recommends nagios4-core ssmtp icinga2-bin'

npass=0 nfail=0 nskip=0
t_pass() { printf 'PASS %s\n' "$1"; npass=$((npass + 1)); }
t_fail() {
	printf 'FAIL %s\n' "$1"
	[ $# -gt 1 ] && [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/    # /' | head -n 40
	nfail=$((nfail + 1))
}
t_skip() { printf 'SKIP %s (%s)\n' "$1" "$2"; nskip=$((nskip + 1)); }
# CI is set and not "false"/"0"/"no": every skip is a failure.
ci_mode() {
	case ${CI:-} in '' | false | 0 | no) return 1 ;; *) return 0 ;; esac
}
# An engine is missing: SKIP locally, FAIL in CI.
t_missing() {
	if ci_mode; then
		t_fail "$1" "$2 is not installed and CI is set; install: $install_cmd"
	else
		t_skip "$1" "$2 not installed; install: $install_cmd"
	fi
}
# t_check NAME EXPECTED ACTUAL
t_check() {
	if [ "$2" = "$3" ]; then
		t_pass "$1"
	else
		t_fail "$1" "expected: $2
actual:   $3"
	fi
}

tmp=$(mktemp -d /tmp/test_contrib.XXXXXX)
daemon_pids=()
cleanup() {
	local p
	for p in "${daemon_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${daemon_pids[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$p" 2>/dev/null
	done
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "# temp dir kept: $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

# wait_for SECONDS COMMAND...: poll every 0.1 s.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# Stand-in plugins: record argv as one line "NAME [arg] [arg]..." in $CALLS,
# print a check_igd-style answer and exit 0.
make_stand_ins() { # DIR CALLS_FILE
	local dir=$1 calls=$2 name
	mkdir -p "$dir"
	for name in present wan portmap exposed; do
		cat >"$dir/check_igd_$name" <<EOF
#!/bin/sh
line=\$(basename "\$0")
for a in "\$@"; do line="\$line [\$a]"; done
printf '%s\n' "\$line" >>'$calls'
echo "IGD $(echo $name | tr a-z A-Z) OK - stand-in | stand_in=1;;;;"
exit 0
EOF
		chmod +x "$dir/check_igd_$name"
	done
}

# Normalise a recorded "[opt] [value] [opt]..." argv into sorted lines
# "opt value" or "opt" (options start with '-', values do not).
norm_args() {
	printf '%s\n' "$1" | sed 's/^\[//; s/\]$//; s/\] \[/\n/g' | awk '
		/^-/ { if (o != "") print o; o = $0; next }
		{ if (o != "") { print o " " $0; o = "" } else print "(value) " $0 }
		END { if (o != "") print o }' | sort
}

###############################################################################
# Icinga 2
###############################################################################
icinga_tests() {
	local d=$tmp/icinga2 out rc t0 t1
	if ! command -v icinga2 >/dev/null 2>&1; then
		t_missing "icinga2: contrib/icinga2 validates" icinga2
		t_missing "icinga2: daemon runs the applied services" icinga2
		return
	fi
	mkdir -p "$d"/{data,log,cache,spool,run,argv}
	make_stand_ins "$d/plugins" "$d/argv/calls"
	# The example services check every 5-15 min; the run needs them now.
	# Only the intervals differ from the shipped file.
	sed -E 's/^(\s*(check|retry)_interval = ).*/\11s/' \
		"$contrib/icinga2/example-services.conf" >"$d/example-services-fast.conf"
	cat >"$d/hosts.conf" <<'EOF'
/* igd-a: defaults only: -H from the host address */
object Host "igd-a" {
	check_command = "dummy"
	address = "127.0.0.1"
	vars.igd = true
	enable_active_checks = false
}
/* igd-b: a root description URL replaces -H; policy, verbose, overrides */
object Host "igd-b" {
	check_command = "dummy"
	address = "127.0.0.2"
	vars.igd = true
	enable_active_checks = false
	vars.igd_present_url = "http://192.0.2.1:5000/rootDesc.xml"
	vars.igd_wan_url = "http://192.0.2.1:5000/rootDesc.xml"
	vars.igd_portmap_url = "http://192.0.2.1:5000/rootDesc.xml"
	vars.igd_present_policy = "/etc/check_igd/policy.yaml"
	vars.igd_wan_policy = "/etc/check_igd/policy.yaml"
	vars.igd_portmap_policy = "/etc/check_igd/policy.yaml"
	vars.igd_present_verbose = true
	vars.igd_wan_verbose = true
	vars.igd_portmap_verbose = true
	vars.igd_wan_external_address = "198.51.100.7"
	vars.igd_portmap_list_method = "walk"
	vars.igd_portmap_warning = 5
	vars.igd_present_format = "json"
	vars.igd_wan_format = "json"
	vars.igd_portmap_format = "json"
	/* igd-exposed: every option */
	vars.igd_exposed_address = "198.51.100.9"
	vars.igd_exposed_ssdp_port = 1902
	vars.igd_exposed_http = "http://198.51.100.9:5000/rootDesc.xml"
	vars.igd_exposed_listen = 2
	vars.igd_exposed_timeout = "9"
	vars.igd_exposed_verbose = true
	vars.igd_exposed_format = "json"
}
/* igd-c: multicast on an interface (no -H), census */
object Host "igd-c" {
	check_command = "dummy"
	address = "127.0.0.3"
	vars.igd = true
	enable_active_checks = false
	vars.igd_present_interface = "eth0"
	vars.igd_wan_interface = "eth0"
	vars.igd_portmap_interface = "eth0"
	vars.igd_present_census = true
	vars.igd_present_window = 5
	vars.igd_present_verbose = false
	vars.igd_wan_no_state = true
	vars.igd_portmap_no_state = true
	vars.igd_portmap_critical = 99
}
/* igd-d: explicit address and port, every WAN threshold */
object Host "igd-d" {
	check_command = "dummy"
	address = "127.0.0.4"
	vars.igd = true
	enable_active_checks = false
	vars.igd_present_address = "10.0.0.1"
	vars.igd_wan_address = "10.0.0.1"
	vars.igd_present_ssdp_port = 1901
	vars.igd_wan_ssdp_port = 1901
	vars.igd_wan_uptime_warn = "300:"
	vars.igd_wan_uptime_crit = "60:"
	vars.igd_wan_rx_warn = 1000000
	vars.igd_wan_rx_crit = 2000000
	vars.igd_wan_tx_warn = 300000
	vars.igd_wan_tx_crit = 400000
	vars.igd_wan_link_up_warn = "1000000:"
	vars.igd_wan_link_up_crit = "500000:"
	vars.igd_wan_link_down_warn = "8000000:"
	vars.igd_wan_link_down_crit = "4000000:"
}
/* igd-e: IPv6 only (address6 is $check_address$), a saved table, --save */
object Host "igd-e" {
	check_command = "dummy"
	address6 = "::1"
	vars.igd = true
	enable_active_checks = false
	vars.igd_portmap_table = "/var/lib/check_igd/saved.yaml"
	vars.igd_wan_address = "127.0.0.6"
}
/* igd-f: --save, and a prefix of another command must not leak */
object Host "igd-f" {
	check_command = "dummy"
	address = "127.0.0.7"
	vars.igd = true
	enable_active_checks = false
	vars.igd_portmap_save = "/var/lib/check_igd/router.yaml"
	vars.igd_present_warning = 2
	vars.igd_wan_policy = "/etc/check_igd/wan.yaml"
	vars.igd_present_format = "text"
	vars.igd_exposed_address = "203.0.113.7"
}
/* not an IGD: no services */
object Host "plain" {
	check_command = "dummy"
	address = "127.0.0.5"
	enable_active_checks = false
}
EOF
	# conf_main FILE EXAMPLES [EXTRA]: a main config around the shipped file.
	conf_main() {
		cat >"$1" <<EOF
include <itl>
include <plugins>
const PluginDir = "$d/plugins"
include "${3:-$contrib/icinga2/check_igd.conf}"
include "$2"
include "$d/hosts.conf"
EOF
	}
	local -a defs=(-DConfiguration.RunAsUser=root -DConfiguration.RunAsGroup=root
		-DConfiguration.DataDir="$d/data" -DConfiguration.LogDir="$d/log"
		-DConfiguration.CacheDir="$d/cache" -DConfiguration.SpoolDir="$d/spool"
		-DConfiguration.InitRunDir="$d/run" -DNodeName=check-igd-test)

	# 1. The shipped files validate, with no warnings, and apply 3 services
	#    to each of the 6 IGD hosts, igd-exposed to the 2 with a public
	#    address.
	conf_main "$d/validate.conf" "$contrib/icinga2/example-services.conf"
	t0=$(date +%s.%N)
	out=$(icinga2 daemon -C -c "$d/validate.conf" "${defs[@]}" 2>&1)
	rc=$?
	t1=$(date +%s.%N)
	echo "# icinga2 daemon -C: $(awk "BEGIN{printf \"%.2f\", $t1-$t0}") s"
	if [ $rc -ne 0 ]; then
		t_fail "icinga2: contrib/icinga2 validates (icinga2 daemon -C)" "rc=$rc
$(printf '%s\n' "$out" | grep -E 'critical|warning|error|Error' )"
	elif printf '%s\n' "$out" | grep -qE '(warning|critical)/'; then
		t_fail "icinga2: contrib/icinga2 validates without warnings" \
			"$(printf '%s\n' "$out" | grep -E '(warning|critical)/')"
	else
		t_pass "icinga2: contrib/icinga2 validates without warnings (icinga2 daemon -C)"
	fi
	t_check "icinga2: example apply rules give 3 services on each of the 6 IGD hosts, 1 on 2 public addresses" \
		"Instantiated 20 Services." \
		"$(printf '%s\n' "$out" | grep -o 'Instantiated [0-9]* Services\.')"
	for cmd in igd_present igd_wan igd_portmap igd_exposed; do
		if grep -q "^object CheckCommand \"$cmd\"" "$contrib/icinga2/check_igd.conf"; then
			t_pass "icinga2: CheckCommand $cmd defined"
		else
			t_fail "icinga2: CheckCommand $cmd defined"
		fi
	done

	# 2. The validation is real: a broken argument key must be refused.
	sed 's/set_if = "\$igd_present_census\$"/set_iff = "$igd_present_census$"/' \
		"$contrib/icinga2/check_igd.conf" >"$d/broken.conf"
	conf_main "$d/broken.conf.main" "$contrib/icinga2/example-services.conf" "$d/broken.conf"
	if grep -q set_iff "$d/broken.conf" &&
		! icinga2 daemon -C -c "$d/broken.conf.main" "${defs[@]}" >/dev/null 2>&1; then
		t_pass "icinga2: the validator refuses a broken copy (set_iff)"
	else
		t_fail "icinga2: the validator refuses a broken copy (set_iff)"
	fi

	# 3. A running daemon executes all 20 services; compare the argv.
	conf_main "$d/run.conf" "$d/example-services-fast.conf"
	cat >>"$d/run.conf" <<'EOF'
object CheckerComponent "checker" { }
EOF
	rm -f "$d/data/icinga2.state" "$d/argv/calls"
	t0=$(date +%s.%N)
	icinga2 daemon -c "$d/run.conf" "${defs[@]}" >"$d/daemon.log" 2>&1 &
	local ipid=$!
	daemon_pids+=("$ipid")
	all_called() {
		[ -f "$d/argv/calls" ] || return 1
		[ "$(sort -u "$d/argv/calls" | wc -l)" -ge 20 ]
	}
	if ! wait_for 30 all_called; then
		t_fail "icinga2: daemon runs the 20 applied services" \
			"calls: $(sort -u "$d/argv/calls" 2>/dev/null | wc -l)
$(tail -n 20 "$d/daemon.log")"
		kill "$ipid" 2>/dev/null
		return
	fi
	t1=$(date +%s.%N)
	kill "$ipid" 2>/dev/null
	echo "# icinga2 daemon: 20 services checked in $(awk "BEGIN{printf \"%.2f\", $t1-$t0}") s"
	t_pass "icinga2: daemon runs the 20 applied services"

	local st=/var/lib/icinga2
	# expect NAME PLUGIN HOSTMARK EXPECTED-LINES: HOSTMARK picks the call
	# (the -H/-u/-m value that identifies the host).
	expect_args() {
		local name=$1 plugin=$2 mark=$3 want=$4 got calls
		calls=$(sort -u "$d/argv/calls" | grep "^$plugin " | grep -F -- "$mark")
		if [ "$(printf '%s\n' "$calls" | grep -c .)" -ne 1 ]; then
			t_fail "icinga2: $name" "expected 1 call of $plugin with $mark, got:
$calls"
			return
		fi
		got=$(norm_args "${calls#"$plugin "}")
		want=$(printf '%s\n' "$want" | sed '/^$/d' | sort)
		if [ "$got" = "$want" ]; then
			t_pass "icinga2: $name"
		else
			t_fail "icinga2: $name" "expected:
$want
got:
$got"
		fi
	}
	expect_args "igd_present defaults: -H is the host address" \
		check_igd_present "[127.0.0.1]" "
-H 127.0.0.1
-t 8
-w 1
-c 3"
	expect_args "igd_wan defaults: -H, per-host state file" \
		check_igd_wan "[127.0.0.1]" "
-H 127.0.0.1
-t 8
--state-file $st/check_igd_wan-igd-a.state"
	expect_args "igd_portmap defaults: -H, state file, -w/-c" \
		check_igd_portmap "[127.0.0.1]" "
-H 127.0.0.1
-t 20
--state-file $st/check_igd_portmap-igd-a.state
-w 20
-c 50"
	expect_args "igd_present with igd_url: -u instead of -H, -P, -v, --format" \
		check_igd_present "[http://192.0.2.1:5000/rootDesc.xml]" "
-u http://192.0.2.1:5000/rootDesc.xml
-P /etc/check_igd/policy.yaml
-v
--format json
-t 8
-w 1
-c 3"
	expect_args "igd_wan with igd_url: --external-address, --format" \
		check_igd_wan "[http://192.0.2.1:5000/rootDesc.xml]" "
-u http://192.0.2.1:5000/rootDesc.xml
-P /etc/check_igd/policy.yaml
-v
--format json
-t 8
--state-file $st/check_igd_wan-igd-b.state
--external-address 198.51.100.7"
	expect_args "igd_portmap with igd_url: --list-method, host's warning, --format" \
		check_igd_portmap "[http://192.0.2.1:5000/rootDesc.xml]" "
-u http://192.0.2.1:5000/rootDesc.xml
-P /etc/check_igd/policy.yaml
-v
--format json
-t 20
--state-file $st/check_igd_portmap-igd-b.state
--list-method walk
-w 5
-c 50"
	expect_args "igd_present with igd_interface: -m, --census, --window, no -v" \
		check_igd_present "[eth0]" "
-m eth0
--census
--window 5
-t 8
-w 1
-c 3"
	expect_args "igd_wan with igd_no_state: --no-state replaces --state-file" \
		check_igd_wan "[eth0]" "
-m eth0
-t 8
--no-state"
	expect_args "igd_portmap with igd_no_state, host's critical" \
		check_igd_portmap "[eth0]" "
-m eth0
-t 20
--no-state
-w 20
-c 99"
	expect_args "igd_present with igd_present_address and igd_present_ssdp_port" \
		check_igd_present "[10.0.0.1]" "
-H 10.0.0.1
--ssdp-port 1901
-t 8
-w 1
-c 3"
	expect_args "igd_wan: every uptime/rx/tx/link threshold" \
		check_igd_wan "[10.0.0.1]" "
-H 10.0.0.1
--ssdp-port 1901
-t 8
--state-file $st/check_igd_wan-igd-d.state
--uptime-warn 300:
--uptime-crit 60:
--rx-warn 1000000
--rx-crit 2000000
--tx-warn 300000
--tx-crit 400000
--link-up-warn 1000000:
--link-up-crit 500000:
--link-down-warn 8000000:
--link-down-crit 4000000:"
	expect_args "igd_present on an IPv6-only host: -H is address6 (\$check_address\$)" \
		check_igd_present "[::1]" "
-H ::1
-t 8
-w 1
-c 3"
	expect_args "igd_portmap with igd_portmap_table: --table, no -H" \
		check_igd_portmap "[/var/lib/check_igd/saved.yaml]" "
--table /var/lib/check_igd/saved.yaml
-t 20
--state-file $st/check_igd_portmap-igd-e.state
-w 20
-c 50"
	expect_args "igd_portmap with igd_portmap_save: --save" \
		check_igd_portmap "[127.0.0.7]" "
-H 127.0.0.7
-t 20
--state-file $st/check_igd_portmap-igd-f.state
--save /var/lib/check_igd/router.yaml
-w 20
-c 50"
	expect_args "igd_present: own warning and format; igd_wan_policy does not leak into it" \
		check_igd_present "[127.0.0.7]" "
-H 127.0.0.7
--format text
-t 8
-w 2
-c 3"
	expect_args "igd_wan: igd_wan_policy" \
		check_igd_wan "[127.0.0.7]" "
-H 127.0.0.7
-P /etc/check_igd/wan.yaml
-t 8
--state-file $st/check_igd_wan-igd-f.state"
	expect_args "igd_exposed: every option (igd-exposed applied by the public address)" \
		check_igd_exposed "[198.51.100.9]" "
-H 198.51.100.9
--ssdp-port 1902
--http http://198.51.100.9:5000/rootDesc.xml
--listen 2
-t 9
-v
--format json"
	expect_args "igd_exposed: defaults, -H the public address; igd_present_format does not leak" \
		check_igd_exposed "[203.0.113.7]" "
-H 203.0.113.7"
	if [ "$(sort -u "$d/argv/calls" | grep -c '^check_igd_exposed ')" = 2 ]; then
		t_pass "icinga2: igd-exposed only on hosts with igd_exposed_address (2 calls)"
	else
		t_fail "icinga2: igd-exposed only on hosts with igd_exposed_address (2 calls)" \
			"$(grep '^check_igd_exposed ' "$d/argv/calls" | sort -u)"
	fi
	if grep -qF "[127.0.0.5]" "$d/argv/calls"; then
		t_fail "icinga2: hosts without vars.igd get no checks"
	else
		t_pass "icinga2: hosts without vars.igd get no checks"
	fi
}

###############################################################################
# Nagios 4
###############################################################################
# nagios_main, nagios_base_objects, status_field
# shellcheck source=nagioslib.sh
. "$here/nagioslib.sh"

nagios_tests() {
	local d=$tmp/nagios4 out rc t0 t1
	if ! command -v nagios4 >/dev/null 2>&1; then
		t_missing "nagios4: contrib/nagios/check_igd.cfg validates" nagios4
		t_missing "nagios4: a forced check through the shipped command" nagios4
		return
	fi
	mkdir -p "$d/validate" "$d/run"

	# 1. Validation: the shipped file with a router in igd-routers.
	make_stand_ins "$d/validate/plugins" "$d/validate/calls"
	nagios_base_objects "$d/validate/base.cfg"
	cat >"$d/validate/hosts.cfg" <<'EOF'
define host {
    host_name               router
    address                 127.0.0.1
    hostgroups              igd-routers
    max_check_attempts      1
    check_period            24x7
    contacts                nobody
    notification_period     24x7
    active_checks_enabled   0
}
EOF
	nagios_main "$d/validate" "$d/validate/base.cfg" \
		"$contrib/nagios/check_igd.cfg" "$contrib/nagios/check_igd-services.cfg" \
		"$d/validate/hosts.cfg"
	t0=$(date +%s.%N)
	out=$(nagios4 -v "$d/validate/nagios.cfg" 2>&1)
	rc=$?
	t1=$(date +%s.%N)
	echo "# nagios4 -v: $(awk "BEGIN{printf \"%.2f\", $t1-$t0}") s"
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q 'Total Warnings: 0' &&
		printf '%s\n' "$out" | grep -q 'Total Errors: *0'; then
		t_pass "nagios4: contrib/nagios/check_igd.cfg validates, 0 warnings (nagios4 -v)"
	else
		t_fail "nagios4: contrib/nagios/check_igd.cfg validates, 0 warnings (nagios4 -v)" \
			"rc=$rc
$(printf '%s\n' "$out" | grep -iE 'warning|error' | head -n 20)"
	fi
	t_check "nagios4: the example services: 3 on the router" \
		"Checked 3 services." \
		"$(printf '%s\n' "$out" | grep -o 'Checked [0-9]* services\.')"
	t_check "nagios4: 7 commands (4 with -H, 3 with -u)" \
		"7" "$(grep -c '^ *command_name *check_igd_' "$contrib/nagios/check_igd.cfg")"

	# 2. A running Nagios 4: forced checks through the shipped commands.
	if [ ! -x "$plugins_dir/check_igd_present" ]; then
		if ci_mode; then
			t_fail "nagios4: a forced check through the shipped command" \
				"plugins not built: $plugins_dir/check_igd_present missing and CI is set (run make)"
		else
			t_skip "nagios4: a forced check through the shipped command" \
				"plugins not built: $plugins_dir/check_igd_present missing (run make)"
		fi
		return
	fi
	local r=$d/run
	mkdir -p "$r/plugins"
	# A fake check_igd_wan: check_igd's output shape (first line, long
	# output, one '|' on the last line) with perfdata Icinga would rewrite.
	cat >"$r/expected.txt" <<'EOF'
IGD WAN WARNING - WANIPConn1 up for 120 s, below 300 s
device: FRITZ!Box 7590 (InternetGatewayDevice:2) at 192.168.178.1
[OK] WANIPConn1 Connected, external address 198.51.100.7
[WARNING] WANIPConn1 uptime 120 s | uptime=120s;300:;60:;0; 'rx WANIPConn1'=1250.5B/s;;;0; tx=20B;;;; rate=1.75MB;0.5:1.25;@2.5:3.5;0.5;100.25
EOF
	cat >"$r/plugins/check_igd_wan" <<EOF
#!/bin/sh
line=\$(basename "\$0")
for a in "\$@"; do line="\$line [\$a]"; done
printf '%s\n' "\$line" >>'$r/calls'
cat '$r/expected.txt'
exit 1
EOF
	chmod +x "$r/plugins/check_igd_wan"
	ln -s "$plugins_dir/check_igd_present" "$r/plugins/check_igd_present"
	# A closed loopback port for the real plugin's -u.
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 9)
	local url="http://127.0.0.1:$port/rootDesc.xml"
	nagios_base_objects "$r/base.cfg"
	cat >"$r/objects.cfg" <<EOF
define host {
    host_name               router
    address                 127.0.0.1
    max_check_attempts      1
    check_period            24x7
    contacts                nobody
    notification_period     24x7
    active_checks_enabled   0
}
define service {
    use                     generic-service
    host_name               router
    service_description     wan-fake
    check_command           check_igd_wan!--external-address 198.51.100.7 -t 5
    active_checks_enabled   0
}
define service {
    use                     generic-service
    host_name               router
    service_description     present-real
    check_command           check_igd_present_url!$url!-t 2
    active_checks_enabled   0
}
EOF
	nagios_main "$r" "$r/base.cfg" "$contrib/nagios/check_igd.cfg" "$r/objects.cfg"
	out=$(nagios4 -v "$r/nagios.cfg" 2>&1) || {
		t_fail "nagios4: run config validates" "$(printf '%s\n' "$out" | grep -iE 'warning|error')"
		return
	}
	t0=$(date +%s.%N)
	nagios4 -d "$r/nagios.cfg" >"$r/daemon.out" 2>&1
	local npid=""
	wait_for 10 test -s "$r/nagios.lock" && npid=$(cat "$r/nagios.lock")
	if [ -z "$npid" ]; then
		t_fail "nagios4: daemon starts" "$(tail -n 20 "$r/nagios.log" "$r/daemon.out" 2>/dev/null)"
		return
	fi
	daemon_pids+=("$npid")
	wait_for 10 test -p "$r/nagios.cmd"
	local now
	now=$(date +%s)
	printf '[%s] SCHEDULE_FORCED_SVC_CHECK;router;wan-fake;%s\n' "$now" "$now" >"$r/nagios.cmd"
	printf '[%s] SCHEDULE_FORCED_SVC_CHECK;router;present-real;%s\n' "$now" "$now" >"$r/nagios.cmd"
	checked() {
		[ -f "$r/status.dat" ] || return 1
		[ "$(status_field "$r/status.dat" router "$1" has_been_checked)" = 1 ]
	}
	if ! wait_for 20 checked wan-fake || ! wait_for 20 checked present-real; then
		t_fail "nagios4: forced checks ran" "$(tail -n 20 "$r/nagios.log")"
		return
	fi
	t1=$(date +%s.%N)
	echo "# nagios4: daemon start to both results: $(awk "BEGIN{printf \"%.2f\", $t1-$t0}") s"
	# Nagios removes status.dat when it stops: read it first.
	cp "$r/status.dat" "$r/status.copy"
	kill "$npid" 2>/dev/null

	local sf=$r/status.copy exp_long exp_perf
	t_check "nagios4: shipped check_igd_wan command expands -H \$HOSTADDRESS\$ \$ARG1\$" \
		"check_igd_wan [-H] [127.0.0.1] [--external-address] [198.51.100.7] [-t] [5]" \
		"$(cat "$r/calls" 2>/dev/null)"
	t_check "nagios4: fake check_igd_wan: current_state 1 (WARNING)" \
		1 "$(status_field "$sf" router wan-fake current_state)"
	t_check "nagios4: fake check_igd_wan: plugin_output is the first line" \
		"$(head -n 1 "$r/expected.txt")" "$(status_field "$sf" router wan-fake plugin_output)"
	# Nagios keeps the long output up to the "|" as it is (the blank too).
	exp_long=$(sed -n '2,$p' "$r/expected.txt" | sed 's/|.*//' | awk '{printf "%s%s", (NR > 1 ? "\\n" : ""), $0}')
	t_check "nagios4: fake check_igd_wan: long_plugin_output" \
		"$exp_long" "$(status_field "$sf" router wan-fake long_plugin_output)"
	exp_perf=$(tail -n 1 "$r/expected.txt" | sed 's/^[^|]*| *//')
	t_check "nagios4: fake check_igd_wan: performance_data stored verbatim" \
		"$exp_perf" "$(status_field "$sf" router wan-fake performance_data)"

	# The real plugin, run directly for the reference answer.
	local direct drc dtext dperf
	direct=$("$plugins_dir/check_igd_present" -u "$url" -t 2 2>&1)
	drc=$?
	dtext=$(printf '%s\n' "$direct" | head -n 1 | sed 's/ *|.*//')
	dperf=$(printf '%s\n' "$direct" | tail -n 1 | sed -n 's/^[^|]*| *//p')
	# nothing listens there: the plugin's own verdict is CRITICAL, and
	# Nagios must store that same state
	t_check "nagios4: real check_igd_present -u (closed port), run directly: exit code 2 (CRITICAL)" \
		2 "$drc"
	t_check "nagios4: real check_igd_present -u (closed port): current_state 2 (CRITICAL)" \
		2 "$(status_field "$sf" router present-real current_state)"
	t_check "nagios4: real check_igd_present: plugin_output as run directly" \
		"$dtext" "$(status_field "$sf" router present-real plugin_output)"
	labels() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n 's/=.*//p'; }
	local nperf
	nperf=$(status_field "$sf" router present-real performance_data)
	if [ -n "$nperf" ] && [ "$(labels "$nperf")" = "$(labels "$dperf")" ]; then
		t_pass "nagios4: real check_igd_present: perfdata stored (labels $(labels "$nperf" | tr '\n' ' '))"
	else
		t_fail "nagios4: real check_igd_present: perfdata stored" "direct: $dperf
nagios: $nperf"
	fi
}

###############################################################################
# Zabbix agent
###############################################################################
zabbix_tests() {
	local d=$tmp/zabbix out
	if ! command -v zabbix_agentd >/dev/null 2>&1; then
		# make deps installs it: under CI its absence is a failure
		if ci_mode; then
			t_fail "zabbix: user parameters run (zabbix_agentd -t)" \
				"zabbix_agentd not installed and CI is set (make deps, or apt-get install -y --no-install-recommends zabbix-agent)"
		else
			t_skip "zabbix: user parameters run (zabbix_agentd -t)" \
				"zabbix_agentd not installed (apt-get install -y --no-install-recommends zabbix-agent)"
		fi
		return
	fi
	mkdir -p "$d/plugins"
	cat >"$d/plugins/check_igd_wan" <<EOF
#!/bin/sh
line=\$(basename "\$0")
for a in "\$@"; do line="\$line [\$a]"; done
printf '%s\n' "\$line" >>'$d/calls'
echo 'IGD WAN WARNING - uptime 120 s below 300 s'
echo '[WARNING] WANIPConn1 uptime 120 s | uptime=120s;300:;60:;0;'
exit 1
EOF
	cat >"$d/plugins/check_igd_present" <<'EOF'
#!/bin/sh
echo 'IGD PRESENT CRITICAL - no IGD answered 192.0.2.1 within 2.0 s | time=0s;1;3;0; igds=0;;;0;'
exit 2
EOF
	cat >"$d/plugins/check_igd_portmap" <<'EOF'
#!/bin/sh
echo 'IGD PORTMAP OK - 4 mappings | mappings=4;20;50;0;'
exit 0
EOF
	chmod +x "$d/plugins"/*
	sed "s|/usr/lib/nagios/plugins/|$d/plugins/|g" \
		"$contrib/zabbix/userparameter_check_igd.conf" >"$d/userparameter.conf"
	cat >"$d/agent.conf" <<EOF
LogType=console
PidFile=$d/agent.pid
AllowRoot=1
Timeout=10
Include=$d/userparameter.conf
EOF
	zget() { zabbix_agentd -c "$d/agent.conf" -t "$1" 2>&1 | sed -n 's/.*\[[a-z]|\(.*\)\]$/\1/p'; }
	t_check "zabbix: check_igd.wan[...] = exit code and first line" \
		"1 IGD WAN WARNING - uptime 120 s below 300 s" \
		"$(zget 'check_igd.wan["-H 192.0.2.1 --external-address 198.51.100.7 -t 8"]')"
	t_check "zabbix: the key parameter is split into options" \
		"check_igd_wan [-H] [192.0.2.1] [--external-address] [198.51.100.7] [-t] [8]" \
		"$(head -n 1 "$d/calls" 2>/dev/null)"
	t_check "zabbix: check_igd.wan.state[...] = exit code" \
		"1" "$(zget 'check_igd.wan.state["-H 192.0.2.1"]')"
	t_check "zabbix: check_igd.present[...] drops the perfdata" \
		"2 IGD PRESENT CRITICAL - no IGD answered 192.0.2.1 within 2.0 s" \
		"$(zget 'check_igd.present[-H 192.0.2.1]')"
	t_check "zabbix: check_igd.present.state[...]" \
		"2" "$(zget 'check_igd.present.state[-H 192.0.2.1]')"
	t_check "zabbix: check_igd.portmap[...] with a range" \
		"0 IGD PORTMAP OK - 4 mappings" \
		"$(zget 'check_igd.portmap["-H 192.0.2.1 -w 20 -c 50"]')"
	t_check "zabbix: check_igd.portmap.state[...]" \
		"0" "$(zget 'check_igd.portmap.state[-H 192.0.2.1]')"
}

start=$(date +%s.%N)
icinga_tests
nagios_tests
zabbix_tests
end=$(date +%s.%N)
echo "# total: $(awk "BEGIN{printf \"%.2f\", $end-$start}") s"
echo "contrib: $npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
