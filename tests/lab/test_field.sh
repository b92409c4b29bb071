#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The miniupnpd releases routers in the field run (nftables builds of 2.2.3,
# 2.3.3, 2.3.7 and 2.3.9, built from the upstream tarballs in LAB_TARBALLS;
# FIELD_VERSIONS picks others): present, wan and portmap against each, one
# daemon per version.  present finds it by description URL and by unicast
# SSDP; wan reads its external address and status; portmap reads an empty
# table, two ordinary mappings (by list and by walk), and a mapping to
# internal port 445 (CRITICAL, named by its rule).  miniupnpd 2.3.7 reports
# every internal port as 0 (upstream issue 768, fixed in 2.3.8): there every
# mapping, the one to 445 too, is read and counted, never OK: WARNING or
# CRITICAL, naming the quirk.  The daemon is alive after every run.
# lab-timeout: 600
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_present
t_need_plugin check_igd_wan
t_need_plugin check_igd_portmap

# internal port 0 (2.3.6-2.3.7): the table is read whole (COUNT in the
# first line), every mapping judged on what the device tells, and the
# verdict is WARNING or CRITICAL naming the quirk: never OK, never UNKNOWN.
t_expect_port0_judged() {
	t_ok "$1: WARNING or CRITICAL (exit $T_RC)" eval 'test "$T_RC" = 1 || test "$T_RC" = 2'
	t_expect_first_has "$2"
	t_expect_output_has "$3"
	t_ok "$1: the verdict names the internal-port-0 quirk" \
		eval '_t_has "reports internal port 0"'
	t_expect_output_has "internal-port-0"
}

for v in ${FIELD_VERSIONS:-$LAB_VERSIONS}; do
	t0=$(t_time_ms)
	t_field_up "$v" "f${v//./}"
	t_expect_server_version "$v"
	port0=0
	[ "$v" = 2.3.6 ] || [ "$v" = 2.3.7 ] && port0=1

	# present: by description URL and by unicast SSDP
	t_run check_igd_present -u "$LAB_URL"
	t_expect_rc 0 "$v present -u: exit code"
	t_expect_shape PRESENT
	t_expect_first_has "$LAB_FRIENDLY_NAME"
	t_run check_igd_present -H "$LAB_ROUTER" -v
	t_expect_rc 0 "$v present -H: exit code"
	t_expect_output_has "$LAB_UDN"
	t_expect_output_has "MiniUPnPd/$v"

	# wan
	t_run check_igd_wan -u "$LAB_URL" --no-state
	t_expect_rc 0 "$v wan: exit code"
	t_expect_shape WAN
	t_expect_output_has "$LAB_EXT_IP"
	t_expect_output_has Connected
	t_expect_perf uptime

	# portmap: empty, then two ordinary mappings, then one to port 445
	t_run check_igd_portmap -u "$LAB_URL" --no-state
	t_expect_rc 0 "$v portmap, empty table: exit code"
	t_expect_shape PORTMAP
	t_expect_first_has "0 mappings"

	lab_add_mapping TCP 8080 "$LAB_CLIENT" 80 "web server" 3600 || t_abort "$v: add failed"
	lab_add_mapping UDP 27015 "$LAB_CLIENT" 27015 "game" 7200 || t_abort "$v: add failed"
	for how in auto walk; do
		t_run check_igd_portmap -u "$LAB_URL" --no-state --list-method="$how" -v
		t_ok "$v portmap ($how): the daemon is alive" lab_daemon_alive
		if [ $port0 = 1 ]; then
			t_expect_port0_judged "$v portmap ($how), two mappings, internal port 0" "; 2 mappings)" "tcp=1;;;0; udp=1;;;0;"
			t_expect_output_has "TCP 8080 -> $LAB_CLIENT:0 (this host) 'web server'"
			continue
		fi
		t_expect_rc 0 "$v portmap ($how), two ordinary mappings: exit code"
		t_expect_first_line '^IGD PORTMAP OK - 2 mappings \(1 TCP, 1 UDP\), all expected'
		t_expect_output_has "TCP 8080 -> $LAB_CLIENT:80 (this host) 'web server'"
		t_expect_output_has "UDP 27015 -> $LAB_CLIENT:27015 (this host) 'game'"
	done

	lab_add_mapping TCP 4450 "$LAB_CLIENT" 445 "files" 3600 || t_abort "$v: add failed"
	t_run check_igd_portmap -u "$LAB_URL" --no-state
	t_ok "$v portmap, 445 mapped: the daemon is alive" lab_daemon_alive
	if [ $port0 = 1 ]; then
		t_expect_port0_judged "$v portmap, TCP 4450 -> :445 reported as port 0" "; 3 mappings)" "tcp=2;;;0; udp=1;;;0;"
		t_expect_output_has "TCP 4450 -> $LAB_CLIENT:0 (this host) 'files'"
	else
		t_expect_rc 2 "$v portmap, mapping to internal port 445: CRITICAL"
		# worst first: the finding, then the counts
		t_expect_first_has "CRITICAL - risky-internal-port: TCP 4450 -> $LAB_CLIENT:445"
		t_expect_first_has "3 mappings)"
		t_expect_output_has "[CRITICAL] risky-internal-port: TCP 4450 -> $LAB_CLIENT:445"
	fi
	t_ok "$v: the daemon is alive after every run" lab_daemon_alive
	lab_down "$LAB_NAME"
	t_log "# miniupnpd $v: $(($(t_time_ms) - t0)) ms"
done
t_done
