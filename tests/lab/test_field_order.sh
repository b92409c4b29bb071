#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# miniupnpd 2.3.4 and later answer GetListOfPortMappings in rule order, not
# sorted by port.  On 2.3.9 (nftables build), 300 TCP mappings laid out so
# that the first page of 128 is ascending (30000-30127) and the other 172
# (20171 down to 20000) come after it: the default method must read and
# count all 300, never stop after a page that merely looks sorted.  The
# layout itself is checked first (one GetListOfPortMappings by hand: 300
# entries, the first 128 ascending, the rest not), so the test proves what
# it claims.  FIELD_ORDER_VERSION picks another version.
# lab-timeout: 600
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_portmap
v=${FIELD_ORDER_VERSION:-2.3.9}
pol=$T_TMP/nolease.yaml
printf 'version: 1\nportmap:\n  disable: [permanent-lease]\n' >"$pol"

t_field_up "$v" "o${v//./}"
t_expect_server_version "$v"
# The daemon answers newest first: write the rules in the reverse of the
# order wanted in its answers.
t0=$(t_time_ms)
lab_fill_rules TCP $(seq 20000 20171) $(seq 30127 -1 30000) || t_abort "filling 300 mappings failed"
t_ok "the daemon holds 300 mappings ($(lab_mapping_count) rules; filled in $(($(t_time_ms) - t0)) ms)" \
	test "$(lab_mapping_count)" = 300

# the layout, as the device answers it
ans=$(LAB_SOAP_TIMEOUT=60 lab_soap GetListOfPortMappings '<NewStartPort>0</NewStartPort><NewEndPort>65535</NewEndPort><NewProtocol>TCP</NewProtocol><NewManage>1</NewManage><NewNumberOfPorts>1000</NewNumberOfPorts>' |
	grep -o 'NewExternalPort>[0-9][0-9]*' | sed 's/.*>//')
t_ok "the device lists 300 entries in one answer (got $(printf '%s\n' "$ans" | grep -c .))" \
	test "$(printf '%s\n' "$ans" | grep -c .)" = 300
t_ok "its first 128 entries are 30000..30127 ascending" \
	test "$(printf '%s\n' "$ans" | head -n 128 | tr '\n' ' ')" = "$(seq 30000 30127 | tr '\n' ' ')"
t_ok "entry 129 is 20171 (lower than the first page: not sorted by port)" \
	test "$(printf '%s\n' "$ans" | sed -n 129p)" = 20171
t_ok "the daemon is alive after the list action (fixed in 2.3.4)" lab_daemon_alive

t_run check_igd_portmap -u "$LAB_URL" --no-state -P "$pol" -v
t_ok "default run: the daemon is alive" lab_daemon_alive
t_expect_rc 0 "default run, 300 mappings: exit code"
t_expect_first_line '^IGD PORTMAP OK - 300 mappings \(300 TCP, 0 UDP\), all expected'
t_expect_perf mappings
t_ok "perfdata says mappings=300" eval '_t_perfdata | tr " " "\n" | grep -q "^mappings=300;"'
t_done
