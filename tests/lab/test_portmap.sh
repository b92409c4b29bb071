#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check_igd_portmap against a real miniupnpd, IGD:2 and IGD:1 modes, with
# mappings created by raw SOAP: a clean table is OK; a mapping to internal
# port 445 is CRITICAL and named by its rule; a description carrying '|',
# quotes and a newline leaves the output well-formed; a mapping added between
# two runs is reported as new; --save then --table judges the same table.
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_portmap
CHECK_OUTPUT=$T_REPO/tests/tools/check_output.py

t_expect_valid_output() {
	# the raw stdout bytes t_run kept (not $T_OUT: $(...) strips trailing
	# newlines, so the checker's newline rule could never fire)
	local tmp=$T_TMP/out
	t_ok "output passes the strict output checker ($(python3 "$CHECK_OUTPUT" --exit-code "$T_RC" <"$tmp" 2>&1 | head -1))" \
		eval 'python3 "$CHECK_OUTPUT" --quiet --exit-code "$T_RC" <"$tmp"'
}

for mode in igd2 igd1; do
	t_lab_up "$mode" "pm$mode" || t_abort "lab $mode did not come up"
	st=$T_TMP/$mode.state

	t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" -v
	t_expect_rc 0 "$mode empty table: exit code"
	t_expect_shape PORTMAP
	t_expect_first_has "0 mappings"
	t_expect_perf mappings
	t_expect_valid_output
	if [ "$mode" = igd1 ]; then
		t_expect_output_has "by walk"
	else
		t_expect_output_has "by list"
	fi
	t_expect_json	# -v, an empty table

	lab_add_mapping TCP 8080 "$LAB_CLIENT" 80 "web server" 3600 || t_abort "add failed"
	lab_add_mapping UDP 27015 "$LAB_CLIENT" 27015 "game" 7200 || t_abort "add failed"
	t_run check_igd_portmap -u "$LAB_URL" --state-file "$st"
	t_expect_rc 1 "$mode two ordinary mappings, both new since the last run: WARNING"
	# worst first: the first new mapping, then the counts
	t_expect_first_has "WARNING - new since the last run: "
	t_expect_first_has "2 mappings; 2 new"
	t_expect_output_has "TCP 8080 -> $LAB_CLIENT:80 (this host) 'web server'"

	# the new mappings stay an alarm past the engine's soft states (hold)
	t_run check_igd_portmap -u "$LAB_URL" --state-file "$st"
	t_expect_rc 1 "$mode same table again: still WARNING (held)"
	t_expect_output_has "ago (held): TCP 8080"
	t_expect_first_has "2 new"
	# until the table is accepted as the baseline
	t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --accept
	t_expect_rc 0 "$mode --accept: OK"
	t_expect_output_has "this table is now the baseline"
	t_run check_igd_portmap -u "$LAB_URL" --state-file "$st"
	t_expect_rc 0 "$mode same table after --accept: OK"
	t_expect_first_line '^IGD PORTMAP OK - 2 mappings \(1 TCP, 1 UDP\), all expected'
	t_expect_output_has "'web server' lease"

	lab_add_mapping TCP 4450 "$LAB_CLIENT" 445 "files" 3600 || t_abort "add failed"
	t_run check_igd_portmap -u "$LAB_URL" --state-file "$st"
	t_expect_rc 2 "$mode mapping to internal port 445: CRITICAL"
	t_expect_output_has "[CRITICAL] risky-internal-port: TCP 4450 -> $LAB_CLIENT:445"
	t_expect_output_has "new since the last run: TCP 4450"
	t_expect_perf critical
	t_expect_valid_output

	# a description made to forge output; miniupnpd keeps at most 63 bytes
	lab_add_mapping TCP 9090 "$LAB_CLIENT" 90 $'x|y\'"z\nIGD PORTMAP OK - ok | a=1' 3600 || t_abort "add failed"
	t_run check_igd_portmap -u "$LAB_URL" --no-state
	t_expect_rc 2 "$mode with the forged description: still CRITICAL"
	t_expect_valid_output
	t_ok "$mode: exactly one status line" test "$(printf '%s\n' "$T_OUT" | grep -c '^IGD ')" = 1
	t_ok "$mode: the forged text is on the mapping's line, defanged" _t_has "'x!y'\"z IGD PORTMAP OK - ok ! a=1'"
	t_expect_json	# findings, the forged description escaped in JSON

	# --save, then --table judges the same table offline
	# --no-hosts: a saved table has no host annotations, and the first line
	# names a mapping
	t_run check_igd_portmap -u "$LAB_URL" --no-state --no-hosts --save "$T_TMP/$mode.yaml"
	first_live=$(_t_first_line)
	rc_live=$T_RC
	t_ok "$mode: --save wrote the table" test -s "$T_TMP/$mode.yaml"
	T_OUT=$("$PLUGINS_DIR/check_igd_portmap" --table "$T_TMP/$mode.yaml" --no-state)
	T_RC=$?
	T_CMD="check_igd_portmap --table $T_TMP/$mode.yaml"
	t_ok "$mode: --table gives the same exit code ($T_RC vs $rc_live)" test "$T_RC" = "$rc_live"
	t_ok "$mode: --table gives the same first line" test "$(_t_first_line)" = "$first_live"

	# walk and list agree on IGD:2
	if [ "$mode" = igd2 ]; then
		for lm in walk list; do
			t_run check_igd_portmap -u "$LAB_URL" --no-state --list-method=$lm
			t_expect_rc 2 "$mode --list-method=$lm: CRITICAL (port 445)"
			t_expect_shape PORTMAP
			t_expect_first_has "CRITICAL - risky-internal-port: TCP 4450 -> $LAB_CLIENT:445"
			t_expect_first_has "4 mappings)"
			t_expect_output_has "risky-internal-port"
			t_expect_valid_output
		done
	fi

	# discovery by unicast SSDP
	t_run check_igd_portmap -H "$LAB_ROUTER" --no-state
	t_expect_rc 2 "$mode -H: CRITICAL"
	t_ok "$mode: the daemon is still running" lab_daemon_alive
	lab_down "$LAB_NAME"
done
t_done
