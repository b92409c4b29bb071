#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/hostile/resolve.sh: host names in -H and -u are resolved within the
# run's deadline.
#
# In a private mount namespace (unshare -m, root only) /etc/hosts and
# /etc/resolv.conf are replaced by files of this test: one name, cigd-ok.test,
# maps to the hostile IGD's loopback address; every other name goes to a
# "name server" on another loopback address that reads queries and never
# answers (a resolver that hangs).  Nothing else on the machine sees these
# files, and no query leaves 127.0.0.0/8.  Checks:
#   - -u http://cigd-ok.test:PORT/... and -H cigd-ok.test work (exit 0);
#   - -u http://cigd-hang.test:PORT/... and -H cigd-hang.test end within
#     -t plus the promised margin, UNKNOWN, saying the lookup did not finish
#     within the deadline, not by the backstop.
# Without root or unshare it says SKIP (a failure under CI=true).

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PLUGINS_DIR=${PLUGINS_DIR:-$REPO/plugins}
PY=${PYTHON:-python3}
T=2
SLACK=${HOSTILE_SLACK:-1}
NET=127.$((RANDOM % 200 + 30))
PASS=0 FAIL=0

ci_mode() {
	case ${CI:-} in '' | false | 0 | no) return 1 ;; *) return 0 ;; esac
}

if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null; then
	if ci_mode; then
		echo "FAIL resolve: needs root and unshare (CI is set)"
		exit 1
	fi
	echo "SKIP resolve: needs root and unshare (private /etc/hosts)"
	echo "resolve: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/resolve.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IGD=$NET.0.10
DNS=$NET.0.53
cat > "$WORK/hosts" <<EOF
127.0.0.1 localhost
$IGD cigd-ok.test
EOF
cat > "$WORK/resolv.conf" <<EOF
nameserver $DNS
options timeout:30 attempts:1
EOF

"$PY" "$HERE/hostile_igd.py" --mode good --addr "$IGD" --ssdp \
    --ready-file "$WORK/ready" --max-seconds 120 > /dev/null 2>&1 &
PIDS+=($!)
# the name server that never answers (UDP and TCP on port 53)
"$PY" - "$DNS" "$WORK/dns.ready" <<'EOF' > /dev/null 2>&1 &
import socket, sys, threading, time
addr, ready = sys.argv[1], sys.argv[2]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((addr, 53))
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, 53))
t.listen(8)
held = []
def tcp():
    while True:
        c, _ = t.accept()
        held.append(c)
threading.Thread(target=tcp, daemon=True).start()
open(ready, "w").write("ok\n")
end = time.monotonic() + 120
u.settimeout(0.5)
while time.monotonic() < end:
    try:
        u.recvfrom(4096)
    except socket.timeout:
        pass
EOF
PIDS+=($!)
for i in $(seq 200); do
	[ -s "$WORK/ready" ] && [ -s "$WORK/dns.ready" ] && break
	sleep 0.1
done
if ! [ -s "$WORK/ready" ] || ! [ -s "$WORK/dns.ready" ]; then
	echo "FAIL resolve: the hostile IGD or the silent name server did not start"
	exit 1
fi
URL=$(cat "$WORK/ready")
PORT=${URL##*:}
PORT=${PORT%%/*}

# run NAME EXPECT REGEX plugin args...: the plugin in the private namespace
run() {
	local name=$1 expect=$2 want=$3
	shift 3
	local out="$WORK/$name.out" start end rc wall
	start=$(date +%s.%N)
	unshare -m sh -c 'mount --bind "$1" /etc/hosts &&
	    mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"' sh \
	    "$WORK/hosts" "$WORK/resolv.conf" timeout -s KILL $((T + 10)) "$@" \
	    > "$out" 2>&1
	rc=$?
	end=$(date +%s.%N)
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
	local why=()
	[ "$rc" = "$expect" ] || why+=("exit $rc, expected $expect")
	awk -v w="$wall" -v l="$((T + SLACK))" 'BEGIN { exit !(w <= l) }' ||
	    why+=("wall ${wall}s > $((T + SLACK))s")
	grep -qE -- "$want" "$out" || why+=("output does not match /$want/")
	if grep -q "backstop" "$out"; then
		why+=("ended by the backstop, not by the deadline")
	fi
	if [ ${#why[@]} -eq 0 ]; then
		PASS=$((PASS + 1))
		echo "PASS resolve/$name (exit $rc, ${wall}s)"
	else
		FAIL=$((FAIL + 1))
		echo "FAIL resolve/$name: $(printf '%s; ' "${why[@]}")"
		echo "    plugin: $*"
		head -c 800 "$out" | sed 's/^/    stdout| /'
	fi
}

P=$PLUGINS_DIR/check_igd_present W=$PLUGINS_DIR/check_igd_wan
run url-name 0 'cigd-ok\.test' \
    "$P" -u "http://cigd-ok.test:$PORT/rootDesc.xml" -t $T
run url-name-wan 0 '^IGD WAN OK' \
    "$W" -u "http://cigd-ok.test:$PORT/rootDesc.xml" -t $T --no-state
run host-name 0 '^IGD PRESENT OK' "$P" -H cigd-ok.test -t $T
run url-hang 3 'did not finish within the deadline' \
    "$P" -u "http://cigd-hang.test:$PORT/rootDesc.xml" -t $T
run url-hang-wan 3 'did not finish within the deadline' \
    "$W" -u "http://cigd-hang.test:$PORT/rootDesc.xml" -t $T --no-state
run host-hang 3 'did not finish within the deadline' \
    "$P" -H cigd-hang.test -t $T

echo "resolve: $PASS passed, $FAIL failed, 0 skipped"
[ "$FAIL" -eq 0 ]
