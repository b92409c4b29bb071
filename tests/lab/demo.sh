#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/lab/demo.sh - bring up a lab IGD (miniupnpd, IGD:2), add a few port
# mappings (one of them suspicious), run the plugins against it showing each
# command, its output and exit code, then tear everything down.  Needs root.
# Env: PLUGINS_DIR (default REPO/plugins), LAB_NAME (default "demo").
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
PLUGINS_DIR=${PLUGINS_DIR:-$(cd "$here/../.." && pwd)/plugins}
. "$here/lab.sh"

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (network namespaces)" >&2
	exit 1
fi
lab_down_on_exit
name=${LAB_NAME:-demo}
echo "== bringing up lab '$name' (miniupnpd, IGD:2)"
lab_up igd2 "$name" || exit 1
lab_status "$name"
echo "  up in $LAB_STARTUP_MS ms"

echo
echo "== adding port mappings by raw SOAP (the plugins never do)"
add() {
	printf '  %-4s %5s -> %s:%-5s %-22s ' "$1" "$2" "$3" "$4" "\"$5\""
	if lab_add_mapping "$@"; then echo ok; else echo FAILED; fi
}
add TCP 8080 "$LAB_CLIENT" 80 "web"
add UDP 27015 "$LAB_CLIENT" 27015 "game server" 86400
add TCP 4450 "$LAB_CLIENT" 445 "galleta silenciosa" 0

run() {
	local p=$PLUGINS_DIR/$1
	shift
	echo
	if [ ! -x "$p" ]; then
		echo "== $(basename "$p"): not built yet ($p missing), skipped"
		return 0
	fi
	echo "== \$ $(basename "$p") $*"
	lab_exec_lan "$p" "$@"
	echo "== exit code $?"
}
st=$(mktemp -d)
run check_igd_present -u "$LAB_URL"
run check_igd_present -H "$LAB_ROUTER"
run check_igd_wan -u "$LAB_URL" --state-file "$st/wan.state"
run check_igd_portmap -u "$LAB_URL" --state-file "$st/portmap.state"
rm -rf -- "$st"

echo
echo "== tearing down lab '$name'"
lab_down "$name"
