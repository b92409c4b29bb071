#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check_igd_wan against a real miniupnpd: exit 0, the configured external
# address and status Connected, uptime perfdata; a second run with the same
# --state-file adds rate perfdata.  IGD:1 mode answers the same way.
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_wan

t_lab_up igd2 wan2 || t_abort "lab igd2 did not come up"
st=$T_TMP/wan.state
t_run check_igd_wan -u "$LAB_URL" --state-file "$st"
t_expect_rc 0 "first run: exit code"
t_expect_shape WAN
t_expect_first_line '^IGD WAN OK - '
t_expect_output_has "$LAB_EXT_IP"
t_expect_output_has Connected
t_expect_perf uptime
t_ok "the state file was written" test -s "$st"
# the facts the daemon was configured with
t_ok "perfdata link_up is the configured bitrate_up ($LAB_BITRATE_UP)" \
	eval '_t_perfdata | tr " " "\n" | grep -qx "link_up=$LAB_BITRATE_UP;;;0;"'
t_ok "perfdata link_down is the configured bitrate_down ($LAB_BITRATE_DOWN)" \
	eval '_t_perfdata | tr " " "\n" | grep -qx "link_down=$LAB_BITRATE_DOWN;;;0;"'
t_expect_perf rx_bytes
t_expect_perf tx_packets
t_expect_output_has "IP_Routed"
t_expect_output_has "(public)"
labels1=$(_t_perf_labels)
t_ok "first run: rates are U (not known yet), not left out" \
	eval '_t_perfdata | tr " " "\n" | grep -qx "tx_Bps=U;;;0;"'

sleep 1.2
t_run check_igd_wan -u "$LAB_URL" --state-file "$st"
t_expect_rc 0 "second run: exit code"
t_expect_shape WAN
t_expect_perf uptime
labels2=$(_t_perf_labels)
t_ok "both runs print the same perfdata labels in the same order (graphs keep their data sources)" \
	test "$labels1" = "$labels2"
t_ok "second run has numeric rates (tx_Bps, rx_Bps)" \
	eval '_t_perfdata | tr " " "\n" | grep -qE "^tx_Bps=[0-9.]+;" && _t_perfdata | tr " " "\n" | grep -qE "^rx_Bps=[0-9.]+;"'

# a pinned external address that differs is CRITICAL; the right one is OK
t_run check_igd_wan -u "$LAB_URL" --no-state --external-address 1.2.3.4
t_expect_rc 2 "pinned external address differs: CRITICAL"
t_expect_output_has "expected 1.2.3.4"
t_expect_json
t_run check_igd_wan -u "$LAB_URL" --no-state --external-address "$LAB_EXT_IP"
t_expect_rc 0 "pinned external address matches: OK"
t_expect_json
# thresholds from options: uptime must be over a day -> CRITICAL
t_run check_igd_wan -u "$LAB_URL" --no-state --uptime-crit 86400:
t_expect_rc 2 "uptime under --uptime-crit 86400: : CRITICAL"
t_expect_perf uptime

# state files that are corrupt, truncated, of another version, with values
# out of range (a sample time past 2^63 once made now - prev overflow, a
# time in the future, a counter past 2^64) or not writable: the plugin
# still gives its verdict, and the state file is a WARNING subcheck (the
# policy's state.unusable), never an info line under an OK
for kind in corrupt truncated version time63 future counter65; do
	bad=$T_TMP/$kind.state
	case $kind in
	corrupt) head -c 300 /dev/urandom >"$bad" ;;
	truncated) head -n 3 "$st" >"$bad" ;;
	version) sed '1s/.*/check_igd-state 99/' "$st" >"$bad" ;;
	time63) sed 's/\.time_ms=.*/.time_ms=9223372036854775808/' "$st" >"$bad" ;;
	future) sed "s/\\.time_ms=.*/.time_ms=$((($(date +%s) + 86400) * 1000))/" "$st" >"$bad" ;;
	counter65) sed 's/\.tx_bytes=.*/.tx_bytes=18446744073709551616/' "$st" >"$bad" ;;
	esac
	chmod 0600 "$bad"
	t_run check_igd_wan -u "$LAB_URL" --state-file "$bad"
	t_expect_rc 1 "$kind state file: WARNING, still the verdict"
	t_expect_shape WAN
	t_expect_first_line "^IGD WAN WARNING - state file $bad: .*; traffic rates start again"
	t_ok "$kind state file: a [WARNING] subcheck" _t_has "[WARNING] state file $bad: "
	case $kind in
	time63 | future | counter65) t_ok "$kind: named out of range" _t_has "is out of range (corrupt)" ;;
	esac
	# the next run reads a good file, but the restart is held (issue 8:
	# one WARNING run never became HARD); --accept ends it
	t_run check_igd_wan -u "$LAB_URL" --state-file "$bad"
	t_expect_rc 1 "$kind state file, second run: still WARNING (held)"
	t_expect_shape WAN
	t_ok "$kind state file was replaced by a good one" eval '! _t_has "traffic rates start again"'
	t_expect_first_line "^IGD WAN WARNING - traffic rates started again .* ago: state file $bad: .*held .* more, or until --accept"
	t_run check_igd_wan -u "$LAB_URL" --state-file "$bad" --accept
	t_expect_rc 0 "$kind state file, --accept: exit code"
	t_ok "$kind state file, --accept: nothing held" eval '! _t_has "started again"'
done
# the policy sets the state
printf 'version: 1\nstate: { unusable: critical }\n' >"$T_TMP/crit.yaml"
printf 'garbage\n' >"$T_TMP/g.state"
t_run check_igd_wan -u "$LAB_URL" -P "$T_TMP/crit.yaml" --state-file "$T_TMP/g.state"
t_expect_rc 2 "state.unusable: critical: CRITICAL"
mkdir -p "$T_TMP/ro"
chmod 0555 "$T_TMP/ro"
if [ "$(id -u)" = 0 ]; then
	# root ignores permissions: make the path unusable instead
	rm -rf "$T_TMP/ro" && printf 'x' >"$T_TMP/ro"
fi
t_run check_igd_wan -u "$LAB_URL" --state-file "$T_TMP/ro/wan.state"
t_expect_rc 1 "unwritable state file: WARNING, still the verdict"
t_expect_output_has "[WARNING] cannot save the state file"
t_run check_igd_wan -u "$LAB_URL" --state-file /nonexistent/x
t_expect_rc 1 "--state-file /nonexistent/x: WARNING (was exit 0)"

# overlapping runs on one state file never leave it half written
sleep 1.1
pids=()
for i in 1 2 3 4 5 6; do
	# shellcheck disable=SC2086
	lab_exec_lan ${LAB_WRAP:-} "$PLUGINS_DIR/check_igd_wan" -u "$LAB_URL" \
	    --state-file "$st" >"$T_TMP/overlap$i.out" 2>"$T_TMP/overlap$i.err" &
	pids+=("$!")
done
# each run's own exit code and output: not a bare wait (the lab's daemon is
# a child of this shell), one wait per run
for i in 1 2 3 4 5 6; do
	wait "${pids[$((i - 1))]}"
	orc=$?
	oout=$(cat "$T_TMP/overlap$i.out")
	[ "$orc" = 0 ] || t_log "#   overlapping run $i: $oout $(head -c 400 "$T_TMP/overlap$i.err")"
	t_ok "overlapping run $i: exit code is 0 (got $orc)" test "$orc" = 0
	t_ok "overlapping run $i: 'IGD WAN OK - ...' with one '|', on its last line" \
	    eval 'printf "%s\n" "$oout" | head -n 1 | grep -q "^IGD WAN OK - " &&
	    [ "$(printf "%s" "$oout" | tr -cd "|" | wc -c)" = 1 ] &&
	    printf "%s\n" "$oout" | tail -n 1 | grep -qF "|"'
done
t_run check_igd_wan -u "$LAB_URL" --state-file "$st"
t_expect_rc 0 "after 6 overlapping runs: exit code"
t_expect_shape WAN
t_ok "after 6 overlapping runs the state file is intact" eval '! _t_has "state file"'
t_ok "no temporary files left beside the state file" \
	test "$(find "$T_TMP" -maxdepth 1 -name 'wan.state?*' | wc -l)" = 0

# discovery by unicast SSDP, and without any state file
t_run check_igd_wan -H "$LAB_ROUTER" --state-file "$T_TMP/h.state"
t_expect_rc 0 "-H: exit code"
t_expect_output_has "$LAB_EXT_IP"
lab_down "$LAB_NAME"

t_lab_up igd1 wan1 || t_abort "lab igd1 did not come up"
t_run check_igd_wan -u "$LAB_URL" --state-file "$T_TMP/v1.state"
t_expect_rc 0 "IGD:1: exit code"
t_expect_shape WAN
t_expect_output_has "$LAB_EXT_IP"
t_expect_output_has Connected
t_expect_perf uptime
t_done
