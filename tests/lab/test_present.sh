#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check_igd_present against a real miniupnpd, in IGD:2 and IGD:1 modes:
# multicast (-m), unicast SSDP (-H) and description URL (-u) all find it
# (exit 0, "IGD PRESENT OK - ..." with the configured friendly name and
# model), each well before -t ran out; with the daemon stopped, -H ROUTER
# -t 3 is CRITICAL by the deadline plus its margin.
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_present
# Timing: each bound is a promise (-t deadline plus margin; returning before
# the window ran out) beyond the time of a run that answers at once, measured
# in the same test (under valgrind that is seconds).

for mode in igd2 igd1; do
	t_lab_up "$mode" "pres-$mode" || t_abort "lab $mode did not come up"
	t_log "# lab $LAB_NAME ($mode) up in $LAB_STARTUP_MS ms: $LAB_URL"
	t_measure_wrap check_igd_present -u "$LAB_URL" -t 10
	for how in "-m $LAB_LAN_IF" "-H $LAB_ROUTER" "-u $LAB_URL"; do
		# shellcheck disable=SC2086
		t_run check_igd_present $how -t 10
		t_expect_rc 0 "$mode $how: exit code"
		t_expect_shape PRESENT
		t_expect_first_line '^IGD PRESENT OK - '
		t_expect_first_has "$LAB_FRIENDLY_NAME"
		t_expect_first_has "$LAB_MODEL_NAME"
		t_expect_output_has "$LAB_UDN"
		# it returns as soon as the device answered (not at -t 10)
		t_expect_before_window 10
	done
	want=InternetGatewayDevice:2
	[ "$mode" = igd1 ] && want=InternetGatewayDevice:1
	t_run check_igd_present -v -u "$LAB_URL"
	t_expect_rc 0 "$mode -v -u: exit code"
	t_ok "$mode: the device type is reported as IGD:${want#*:}" \
		_t_has "IGD:${want#*:}"
	t_expect_json	# -v

	# policy pins: the right UDN is OK; another UDN or model is CRITICAL,
	# and a multicast search waits for the pinned UDN until the deadline
	printf 'version: 1\npresent:\n  udn: "%s"\n  model: "%s"\n' \
		"$LAB_UDN" "$LAB_MODEL_NAME" >"$T_TMP/pin-ok.yaml"
	printf 'version: 1\npresent:\n  udn: "uuid:00000000-0000-0000-0000-000000000000"\n' \
		>"$T_TMP/pin-udn.yaml"
	printf 'version: 1\npresent:\n  model: "OtherRouter"\n  mismatch_state: warning\n' \
		>"$T_TMP/pin-model.yaml"
	t_run check_igd_present -m "$LAB_LAN_IF" -P "$T_TMP/pin-ok.yaml" -t 10
	t_expect_rc 0 "$mode pinned UDN and model match: OK"
	# the pinned device answered: no waiting for others until -t 10
	t_expect_before_window 10
	t_run check_igd_present -m "$LAB_LAN_IF" -P "$T_TMP/pin-udn.yaml" -t 4
	t_expect_rc 2 "$mode pinned UDN absent: CRITICAL"
	t_expect_output_has "policy expects uuid:00000000"
	t_ok "$mode: it waited for the pinned UDN, keeping a third of -t to read descriptions (took $T_MS ms)" \
		test "$T_MS" -ge 2400
	t_expect_by_deadline 4
	t_run check_igd_present -u "$LAB_URL" -P "$T_TMP/pin-model.yaml"
	t_expect_rc 1 "$mode pinned model differs, mismatch_state warning: WARNING"
	t_expect_output_has "model is $LAB_MODEL_NAME, policy expects OtherRouter"

	t_measure_wrap check_igd_present -u "$LAB_URL" -t 10
	lab_stop_daemon
	t_ok "$mode: the daemon is stopped" eval '! lab_daemon_alive'
	t_run check_igd_present -H "$LAB_ROUTER" -t 3
	t_expect_rc 2 "$mode, daemon stopped, -H -t 3: exit code"
	t_expect_shape PRESENT
	t_expect_first_line '^IGD PRESENT CRITICAL - '
	t_expect_by_deadline 3

	# and it is back once the daemon is
	lab_start_daemon || t_abort "$mode: daemon did not restart"
	t_run check_igd_present -H "$LAB_ROUTER"
	t_expect_rc 0 "$mode, daemon restarted, -H: exit code"
	lab_down "$LAB_NAME"
done
t_done
