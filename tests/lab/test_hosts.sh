#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Which machine: two more LAN hosts with known MAC addresses behind a bridge
# in the LAN namespace (lab_add_hosts).  check_igd_portmap shows the MAC and
# the vendor (from ieee-data) beside each mapping to them, "MAC unknown" for
# an address no host has, the names from the LAN namespace's own hosts file
# with --names (no query leaves the lab), nothing of it with --no-hosts.
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_portmap
[ -r /usr/share/ieee-data/oui.csv ] || t_abort "ieee-data not installed (make deps)"

t_lab_up igd2 hosts || t_abort "lab igd2 did not come up"
lab_add_hosts || t_abort "lab_add_hosts failed"
lab_lan_names kids-pc.lan nas.lan || t_abort "lab_lan_names failed"
lab_add_mapping TCP 4450 "$LAB_HOST1" 445 "galleta silenciosa" || t_abort "add mapping"
lab_add_mapping TCP 8080 "$LAB_HOST2" 80 "nas web" || t_abort "add mapping"
lab_add_mapping UDP 5000 "$LAB_HOST_NOMAC" 5000 "nobody home" || t_abort "add mapping"

t_run check_igd_portmap -u "$LAB_URL" --no-state
t_expect_rc 2 "campaign description on host 1: exit code"
t_expect_shape PORTMAP
t_expect_output_has "TCP 4450 -> $LAB_HOST1:445 ($LAB_HOST1_MAC Raspberry Pi Foundation) 'galleta silenciosa'"
t_expect_output_has "TCP 8080 -> $LAB_HOST2:80 ($LAB_HOST2_MAC Synology Incorporated) 'nas web'"
t_expect_output_has "UDP 5000 -> $LAB_HOST_NOMAC:5000 (MAC unknown) 'nobody home'"

t_run check_igd_portmap -u "$LAB_URL" --no-state --names
t_expect_rc 2 "with --names: exit code"
t_expect_shape PORTMAP
t_expect_output_has "($LAB_HOST1_MAC Raspberry Pi Foundation, kids-pc.lan)"
t_expect_output_has "($LAB_HOST2_MAC Synology Incorporated, nas.lan)"
t_expect_output_has "(MAC unknown, no name)"

t_run check_igd_portmap -u "$LAB_URL" --no-state --no-hosts
t_expect_rc 2 "with --no-hosts: exit code"
t_ok "no MAC address with --no-hosts" eval '! printf "%s\n" "$T_OUT" | grep -qiE "$LAB_HOST1_MAC|MAC unknown"'
t_expect_output_has "TCP 4450 -> $LAB_HOST1:445 'galleta silenciosa'"

# a host that moved to another MAC: the monitor says what it sees now
ip -n "$LAB_PREFIX-h1" link set eth0 address b8:27:eb:00:00:99
ip netns exec "$LAB_NS_LAN" ip neigh flush dev br0 2>/dev/null
ip netns exec "$LAB_NS_LAN" ping -c 1 -W 1 "$LAB_HOST1" >/dev/null 2>&1
t_run check_igd_portmap -u "$LAB_URL" --no-state
t_expect_output_has "($(echo b8:27:eb:00:00:99) Raspberry Pi Foundation)"
t_done
