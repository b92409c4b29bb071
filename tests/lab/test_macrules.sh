#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# MAC rules against real LAN hosts (issue 11): a policy allows host 1 by its
# full MAC address, flags host 2 by its vendor prefix (00:11:32, Synology)
# and gives a defined state to a client whose MAC is unknown (an address no
# host has: critical); the default for anything else is critical.  Checks the exit
# code, each mapping's line (rule and state) in the long output, and that
# --format json carries each mapping's MAC and the rule that judged it.
# A policy uses only neighbour entries the kernel confirms now (reachable,
# permanent): with host 1's entry made stale, the allow rule by its MAC no
# longer passes and the mapping falls to the rule for unknown MACs, its
# JSON host saying mac_state stale.
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_portmap
[ -r /usr/share/ieee-data/oui.csv ] || t_abort "ieee-data not installed (make deps)"
[ -x /usr/bin/python3 ] || t_abort "no /usr/bin/python3 (make deps)"
here=$(cd "$(dirname "$0")" && pwd)
CHECK_JSON=$here/../tools/check_json.py

t_lab_up igd2 macrules || t_abort "lab igd2 did not come up"
lab_add_hosts || t_abort "lab_add_hosts failed"
lab_add_mapping TCP 4460 "$LAB_HOST1" 22 "pi ssh" || t_abort "add mapping"
lab_add_mapping TCP 8090 "$LAB_HOST2" 80 "nas web" || t_abort "add mapping"
lab_add_mapping UDP 5010 "$LAB_HOST_NOMAC" 5010 "nobody home" || t_abort "add mapping"

pol=$T_TMP/macrules.yaml
cat >"$pol" <<YAML
version: 1
portmap:
  default: critical
  rules:
    - name: pi-by-mac
      state: ok
      internal_mac: "$LAB_HOST1_MAC"
    - name: synology-prefix
      state: warning
      internal_mac: "00:11:32"
    - name: no-mac-seen
      state: critical
      internal_mac: unknown
YAML

# the monitor's entries stay reachable for the test (traffic inside the
# lab, as lab_add_hosts does; the plugin sends nothing)
ip netns exec "$LAB_NS_LAN" sysctl -qw net.ipv4.neigh.br0.base_reachable_time_ms=600000 ||
	t_abort "cannot set the LAN's reachable time"
for a in "$LAB_HOST1" "$LAB_HOST2"; do
	ip netns exec "$LAB_NS_LAN" ping -c 1 -W 1 "$a" >/dev/null 2>&1
done
t_run check_igd_portmap -u "$LAB_URL" --no-state -P "$pol"
t_expect_rc 2 "MAC rules (unknown MAC: critical): exit code"
t_expect_shape PORTMAP
t_expect_first_has "no-mac-seen: UDP 5010 -> $LAB_HOST_NOMAC:5010 (MAC unknown) 'nobody home'"
t_expect_output_has "[CRITICAL] no-mac-seen: UDP 5010 -> $LAB_HOST_NOMAC:5010 (MAC unknown) 'nobody home'"
t_expect_output_has "[WARNING] synology-prefix: TCP 8090 -> $LAB_HOST2:80 ($LAB_HOST2_MAC Synology Incorporated) 'nas web'"
t_expect_output_has "ok (pi-by-mac): TCP 4460 -> $LAB_HOST1:22 ($LAB_HOST1_MAC Raspberry Pi Foundation) 'pi ssh'"
text_out=$T_TMP/text.out
printf '%s\n' "$T_OUT" >"$text_out"

# The same run as one JSON document: valid, the same verdict, and for each
# mapping the MAC address the monitor saw (null when unknown) and the rule
# and state that judged it.
t_run check_igd_portmap -u "$LAB_URL" --no-state -P "$pol" --format json
t_expect_rc 2 "--format json: exit code"
cp "$T_TMP/out" "$T_TMP/json.out"
t_ok "check_json.py accepts the document" \
	/usr/bin/python3 "$CHECK_JSON" --exit-code "$T_RC" --text "$text_out" <"$T_TMP/out"
mapping_py=$T_TMP/mapping_is.py
cat >"$mapping_py" <<'PY'
import json, sys
proto, port, mac, rule, state = sys.argv[1:6]
doc = json.load(sys.stdin)
hits = [m for m in doc["facts"]["mappings"]
        if m["protocol"] == proto and m["external_port"] == int(port)]
if len(hits) != 1:
    sys.exit("%d mappings %s %s" % (len(hits), proto, port))
m = hits[0]
host = m["host"] or {}
want_mac = None if mac == "null" else mac
got = (host.get("mac"), m["rule"], m["state_name"])
if got != (want_mac, rule, state):
    sys.exit("mapping %s %s: got %r, want %r" % (proto, port, got, (want_mac, rule, state)))
if want_mac is None and host.get("mac_status") != "unknown":
    sys.exit("mapping %s %s: mac_status %r" % (proto, port, host.get("mac_status")))
PY
mapping_is() { # PROTO PORT MAC-OR-null RULE STATE_NAME
	/usr/bin/python3 "$mapping_py" "$@" <"$T_TMP/json.out"
}
t_ok "json: host 1 mapping has its MAC, rule pi-by-mac, OK" \
	mapping_is TCP 4460 "$LAB_HOST1_MAC" pi-by-mac OK
t_ok "json: host 2 mapping has its MAC, rule synology-prefix, WARNING" \
	mapping_is TCP 8090 "$LAB_HOST2_MAC" synology-prefix WARNING
t_ok "json: no-MAC mapping has mac null (unknown), rule no-mac-seen, CRITICAL" \
	mapping_is UDP 5010 null no-mac-seen CRITICAL

# Host 1's entry stale (the kernel no longer vouches for it: the host may
# have left and another taken its address): never allowed by its MAC.
ip -n "$LAB_NS_LAN" neigh change "$LAB_HOST1" lladdr "$LAB_HOST1_MAC" nud stale dev br0 ||
	t_abort "cannot make host 1's entry stale"
t_run check_igd_portmap -u "$LAB_URL" --no-state -P "$pol" -v
t_expect_rc 2 "stale entry: exit code"
t_expect_output_has "[CRITICAL] no-mac-seen: TCP 4460 -> $LAB_HOST1:22 ($LAB_HOST1_MAC Raspberry Pi Foundation) 'pi ssh'"
t_ok "no allow by the stale entry" eval '! _t_has "ok (pi-by-mac)"'
t_run check_igd_portmap -u "$LAB_URL" --no-state -P "$pol" --format json
cp "$T_TMP/out" "$T_TMP/json.out"
t_ok "json (stale): host 1 mapping keeps its MAC, rule no-mac-seen, CRITICAL" \
	mapping_is TCP 4460 "$LAB_HOST1_MAC" no-mac-seen CRITICAL
t_ok "json (stale): host 1 mac_state stale, host 2 reachable" \
	/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); s={m["external_port"]: (m["host"] or {}).get("mac_state") for m in d["facts"]["mappings"]}; sys.exit(0 if (s[4460], s[8090]) == ("stale", "reachable") else "mac_state %r" % s)' <"$T_TMP/json.out"
t_done
