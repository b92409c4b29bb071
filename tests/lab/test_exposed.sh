#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check_igd_exposed from the WAN namespace (the Internet side of the lab
# router): the real miniupnpd listens on the LAN only, so its public address
# answers neither SSDP nor the description port (OK); an IGD that does
# answer on the WAN address (the hostile IGD started in the router namespace
# on that address, port 1900 and 5000) is CRITICAL, and a non-UPnP HTTP page
# there is WARNING.  Read-only: the plugin's requests are logged by the
# hostile IGD and checked to be M-SEARCH and GET only.
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_exposed

t_lab_up igd2 exp || t_abort "lab igd2 did not come up"
pub=$LAB_WAN_ROUTER
url=http://$pub:$LAB_PORT/rootDesc.xml

# the LAN side does answer (the test is not vacuous)
t_run check_igd_present -H "$LAB_ROUTER"
t_expect_rc 0 "the router answers SSDP on its LAN address"

t_run_wan check_igd_exposed -H "$pub" --http "$url" --listen 1.5
t_expect_rc 0 "real miniupnpd from the WAN side: exit code"
t_expect_shape EXPOSED
t_expect_first_line "^IGD EXPOSED OK - $pub does not answer UPnP from here: no SSDP answer on UDP 1900"
t_expect_perf ssdp_answers
t_ok "no SSDP answer counted" eval '_t_perfdata | tr " " "\n" | grep -qx "ssdp_answers=0;;;0;"'
t_expect_json

# an IGD that answers on the public address
lab_stop_daemon
ready=$T_TMP/ready
log=$T_TMP/requests
ip netns exec "$LAB_NS_IGD" env HOSTILE_ALLOW_NON_LOOPBACK=1 \
	python3 "$T_REPO/tests/hostile/hostile_igd.py" --ssdp \
	--addr "$pub" --ssdp-port 1900 --http-port "$LAB_PORT" \
	--max-seconds 120 --ready-file "$ready" --access-log "$log" \
	>"$T_TMP/hostile.out" 2>&1 &
hpid=$!
for _ in $(seq 100); do [ -s "$ready" ] && break; sleep 0.1; done
[ -s "$ready" ] || t_abort "hostile IGD did not start: $(tail -1 "$T_TMP/hostile.out")"

t_run_wan check_igd_exposed -H "$pub" --listen 1.5
t_expect_rc 2 "an IGD answering SSDP on the WAN address: exit code"
t_expect_shape EXPOSED
t_expect_first_line "^IGD EXPOSED CRITICAL - $pub answers UPnP from outside: answers SSDP on UDP 1900"
t_expect_output_has "UPnProxy/CallStranger exposure"
t_ok "SSDP answers counted" eval '! _t_perfdata | tr " " "\n" | grep -qx "ssdp_answers=0;;;0;"'

t_run_wan check_igd_exposed -H "$pub" --listen 1.5 --http "$url"
t_expect_rc 2 "description served on the WAN address: exit code"
t_expect_output_has "serves a UPnP description from outside"
t_expect_first_has "serves its UPnP description on TCP $LAB_PORT"
t_expect_json

t_run_wan check_igd_exposed -H "$pub" --listen 1.5 --http "http://$pub:$LAB_PORT/no-such-page"
t_expect_rc 2 "SSDP answer and a 404 page: exit code (SSDP decides)"
t_expect_output_has "[WARNING] http://$pub:$LAB_PORT/no-such-page answers HTTP 404"

# the SSDP port answered by garbage only: WARNING, not OK
kill "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null
ip netns exec "$LAB_NS_IGD" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 1900))
open(sys.argv[2], "w").write("bound\n")
s.settimeout(1.0)
end = time.time() + 60
while time.time() < end:
    try:
        data, peer = s.recvfrom(2048)
    except socket.timeout:
        continue
    s.sendto(b"\x00\x01garbage", peer)
' "$pub" "$T_TMP/garbage-ready" &
gpid=$!
for _ in $(seq 100); do [ -s "$T_TMP/garbage-ready" ] && break; sleep 0.1; done
t_run_wan check_igd_exposed -H "$pub" --listen 1.5
t_expect_rc 1 "garbage on UDP 1900: exit code"
t_expect_first_line "^IGD EXPOSED WARNING - $pub answers, but not as UPnP: answers on UDP 1900 \(not SSDP\)"
t_expect_json
kill "$gpid" 2>/dev/null
wait "$gpid" 2>/dev/null

t_ok "the plugin only read (GET) from the device" \
	eval '! grep -vqE "^(GET|M-SEARCH)" "$log"'
t_ok "the access log saw the plugin's GET" grep -q '^GET' "$log"
t_done
