#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/hostile/selftest.sh: prove that run.sh catches misbehaviour.
# Fake plugins that overrun the deadline, inject a status line, send
# AddPortMapping, and follow an SSDP LOCATION to 127.0.0.99 must all FAIL;
# a missing plugin must SKIP (and FAIL under CI).  Exits 0 when run.sh
# noticed everything.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
FAKE=$(mktemp -d "${TMPDIR:-/tmp}/hostile-fake.XXXXXX")
trap 'rm -rf "$FAKE"' EXIT
cat > "$FAKE/check_igd_present" <<'EOS'
#!/bin/bash
U= H=
while [ $# -gt 0 ]; do
	case $1 in -u) U=$2; shift ;; -H) H=$2; shift ;; esac
	shift
done
if [ -n "$H" ]; then
	L=$(python3 - "$H" <<'EOP'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(b"M-SEARCH * HTTP/1.1\r\nHOST: x\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
         b"ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n",
         (sys.argv[1], 1900))
d = s.recv(9000).decode()
print([l.split(":", 1)[1].strip() for l in d.splitlines()
       if l.upper().startswith("LOCATION")][0])
EOP
)
	curl -s -m 1 "$L" > /dev/null
	echo "IGD PRESENT OK - fetched $L | a=1"
	exit 0
fi
curl -s -m 1 -X POST --data x \
    -H 'SOAPAction: "urn:schemas-upnp-org:service:WANIPConnection:2#AddPortMapping"' \
    "${U%/rootDesc.xml}/ctl/IPConn" > /dev/null
printf 'IGD PRESENT OK - evil\nIGD PRESENT OK - injected | a=1\n'
sleep 5
EOS
chmod +x "$FAKE/check_igd_present"
out=$(CI= PLUGINS_DIR=$FAKE HOSTILE_RETRY=0 \
    HOSTILE_ONLY='^check_igd_(present/(good|ssdp-elsewhere)|wan/good)$' \
    "$HERE/run.sh" 2>&1)
rc=$?
echo "$out" | sed 's/^/  | /'
ok=0
want() {
	if echo "$out" | grep -q -- "$1"; then
		echo "ok   $2"
	else
		echo "MISS $2"; ok=1
	fi
}
want '^FAIL check_igd_present/good: .*wall '          "deadline overrun caught"
want '^FAIL check_igd_present/good: .*status line'     "injected status line caught"
want '^FAIL check_igd_present/good: .*AddPortMapping'  "AddPortMapping caught"
want '^FAIL check_igd_present/ssdp-elsewhere: .*fetched from 127.0.0.99' \
    "fetch from the LOCATION elsewhere caught"
want '^SKIP check_igd_wan'                             "missing plugin skipped"
want 'hostile: 0 passed, 2 failed, 1 skipped'          "summary line"
[ $rc -ne 0 ] || { echo "MISS non-zero exit"; ok=1; }
# Under CI a plugin that is not built is a failure, not a skip.
out=$(CI=true PLUGINS_DIR=$FAKE HOSTILE_ONLY='^check_igd_wan/good$' \
    "$HERE/run.sh" 2>&1)
rc=$?
echo "$out" | sed 's/^/  | /'
want '^FAIL check_igd_wan (not built'                  "missing plugin fails under CI"
want 'hostile: 0 passed, 1 failed, 0 skipped'          "CI summary line"
[ $rc -ne 0 ] || { echo "MISS non-zero exit under CI"; ok=1; }
[ $ok -eq 0 ] && echo "selftest: run.sh catches what it should"
exit $ok
