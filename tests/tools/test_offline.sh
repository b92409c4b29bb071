#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check_igd_portmap on saved tables (--table), no device and no root needed:
# change detection with equal mappings on two services (no false "gone"),
# findings shown even when hundreds of OK mappings fill the output, count
# thresholds, the shipped example policies on a small table, and a state
# file restart (corrupt, another device) held like a change (issue 8).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PLUGINS_DIR=${PLUGINS_DIR:-$repo/plugins}
P=$PLUGINS_DIR/check_igd_portmap
CHECK_OUTPUT=$repo/tests/tools/check_output.py
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
pass=0 fail=0

ok() {	# ok DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $d"
		printf '%s\n' "$OUT" | head -5 | sed 's/^/    | /'
	fi
}
run() {	# run ARGS...: sets OUT (stdout then stderr) and RC; the raw
	# stdout bytes stay in $tmp/stdout for the strict output checker
	"$P" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	RC=$?
	OUT=$(cat "$tmp/stdout" "$tmp/stderr")
}
valid() {	# valid: the last run's raw stdout passes check_output.py
	python3 "$CHECK_OUTPUT" --exit-code "$RC" <"$tmp/stdout"
}
mapping() {	# mapping PROTO EXT CLIENT PORT DESC [SERVICE] [LEASE]
	printf '  - protocol: %s\n    external_port: %s\n    internal_client: "%s"\n' "$1" "$2" "$3"
	printf '    internal_port: %s\n    description: "%s"\n    lease: %s\n    service: %s\n' "$4" "$5" "${7:-3600}" "${6:-1}"
}
table() {	# table FILE < mappings
	{ printf 'version: 1\ncomplete: true\nexternal_address: "11.22.33.44"\nmappings:\n'; cat; } >"$1"
}

[ -x "$P" ] || { echo "offline: check_igd_portmap not built"; exit 1; }

# equal mappings on two services: a multiset, never a false "gone"
{ mapping TCP 8080 192.168.1.2 80 web 1; mapping TCP 8080 192.168.1.2 80 web 2; } | table "$tmp/dup.yaml"
run --table "$tmp/dup.yaml" --state-file "$tmp/dup.state"
ok "duplicates: first run OK" test "$RC" = 0
run --table "$tmp/dup.yaml" --state-file "$tmp/dup.state"
ok "duplicates: second run OK" test "$RC" = 0
ok "duplicates: nothing new or gone" eval '! printf "%s" "$OUT" | grep -q "since the last run"'
{ mapping TCP 8080 192.168.1.2 80 web 1; } | table "$tmp/dup1.yaml"
run --table "$tmp/dup1.yaml" --state-file "$tmp/dup.state"
ok "duplicates: one of the two vanished is reported once" \
	test "$(printf '%s\n' "$OUT" | grep -c '^\[OK\] gone since the last run')" = 1

# a state file kept for another device is started again, not compared
printf 'check_igd-state 1\nportmap.device=uuid:another\nportmap.count=1\nm.0=TCP 1 10.0.0.9 1 *\nend\n' >"$tmp/other.state"
run --table "$tmp/dup1.yaml" --state-file "$tmp/other.state"
ok "another device: said so" eval 'printf "%s" "$OUT" | grep -q "kept for another device (uuid:another)"'
ok "another device: no false new/gone" eval '! printf "%s" "$OUT" | grep -q "since the last run"'
ok "another device: a state.unusable subcheck, WARNING (exit $RC)" test "$RC" = 1
# ... held like a change (issue 8): the next run, whose file reads well,
# still says so, until --accept
run --table "$tmp/dup1.yaml" --state-file "$tmp/other.state"
ok "another device, next run: still WARNING (exit $RC)" test "$RC" = 1
ok "another device, next run: the restart named" eval 'printf "%s" "$OUT" | head -n 1 | grep -q "change detection started again .* ago: the state file was kept for another device (uuid:another)"'
run --table "$tmp/dup1.yaml" --state-file "$tmp/other.state" --accept
ok "another device, --accept: OK (exit $RC)" test "$RC" = 0
run --table "$tmp/dup1.yaml" --state-file "$tmp/other.state"
ok "another device, after --accept: OK (exit $RC)" test "$RC" = 0

# a corrupt state file while a mapping is added: WARNING on that run and
# the next ones within the hold, not one run (issue 8); --hold 0: one run
run --table "$tmp/dup1.yaml" --state-file "$tmp/corrupt.state"
printf 'garbage\n' >"$tmp/corrupt.state"
{ mapping TCP 8080 192.168.1.2 80 web 1; mapping TCP 8081 192.168.1.2 81 added 1; } | table "$tmp/added.yaml"
run --table "$tmp/added.yaml" --state-file "$tmp/corrupt.state"
ok "corrupt state file: WARNING (exit $RC)" test "$RC" = 1
for n in 2 3; do
	run --table "$tmp/added.yaml" --state-file "$tmp/corrupt.state"
	ok "corrupt state file, run $n: still WARNING (exit $RC)" test "$RC" = 1
	ok "corrupt state file, run $n: the restart named" eval 'printf "%s" "$OUT" | head -n 1 | grep -q "change detection started again .* ago: state file .*: not a check_igd state file"'
done
printf 'garbage\n' >"$tmp/corrupt.state"
run --table "$tmp/added.yaml" --state-file "$tmp/corrupt.state" --hold 0
ok "corrupt state file, --hold 0: WARNING (exit $RC)" test "$RC" = 1
run --table "$tmp/added.yaml" --state-file "$tmp/corrupt.state" --hold 0
ok "corrupt state file, --hold 0: one run only (exit $RC)" test "$RC" = 0

# 300 OK mappings then one to a host outside the LAN: the finding is shown
{ for i in $(seq 1 300); do mapping TCP $((20000 + i)) 192.168.1.5 $((20000 + i)) "app $i"; done
  mapping TCP 4444 8.8.4.4 4444 proxy; } | table "$tmp/big.yaml"
run --table "$tmp/big.yaml" --no-state
ok "big: CRITICAL" test "$RC" = 2
ok "big: the finding's line is in the output" \
	eval 'printf "%s" "$OUT" | grep -q "CRITICAL\] upnproxy-outside-lan: TCP 4444 -> 8.8.4.4:4444"'
ok "big: output well-formed and under 4 KB" valid

# a policy that cannot be read is UNKNOWN, never judged by another policy
run --table "$tmp/big.yaml" --no-state -w 10 -c 100 -P /dev/null
ok "unreadable policy: UNKNOWN" test "$RC" = 3
ok "unreadable policy: says why" eval 'printf "%s" "$OUT" | grep -q "^IGD PORTMAP UNKNOWN - policy error: /dev/null: not a regular file$"'

# count thresholds: -c 100 on 301 mappings is CRITICAL and the summary says why
run --table "$tmp/big.yaml" --no-state -w 10 -c 100
ok "count: CRITICAL" test "$RC" = 2
ok "count: the line names the thresholds" eval 'printf "%s" "$OUT" | grep -q "301 mappings (thresholds 10, 100)"'
ok "count: output well-formed" valid

# a table saved incomplete is never OK, and says why
{ mapping TCP 8080 192.168.1.2 80 web; } | table "$tmp/inc.yaml"
sed -i 's/^complete: true$/complete: false/' "$tmp/inc.yaml"
run --table "$tmp/inc.yaml" --no-state
ok "incomplete saved table: UNKNOWN" test "$RC" = 3
ok "incomplete saved table: output well-formed" valid
ok "incomplete saved table: says so" eval 'printf "%s" "$OUT" | grep -q "table incomplete: 1 mapping read (saved table; it was saved incomplete)"'

# worst first: 100 permanent-lease WARNING mappings, then one CRITICAL
# (issue 8.6): the status line names the CRITICAL, the long output lists
# it first, and the cap never hides it
{ for i in $(seq 1 100); do mapping TCP $((30000 + i)) 192.168.1.7 $((30000 + i)) "perm $i" 1 0; done
  mapping TCP 5555 8.8.4.4 53 proxy; } | table "$tmp/worst.yaml"
run --table "$tmp/worst.yaml" --no-state
ok "worst first: CRITICAL" test "$RC" = 2
ok "worst first: output well-formed" valid
ok "worst first: the status line names the worst finding, then the counts" \
	test "$(printf '%s\n' "$OUT" | head -n 1 | sed 's/ | .*//')" = \
	"IGD PORTMAP CRITICAL - upnproxy-outside-lan: TCP 5555 -> 8.8.4.4:53 'proxy' lease 3600s (+100 warning; 101 mappings)"
ok "worst first: the CRITICAL line comes first" \
	eval 'printf "%s\n" "$OUT" | sed -n 2p | grep -q "^\[CRITICAL\] upnproxy-outside-lan: TCP 5555 -> 8.8.4.4:53"'
ok "worst first: then the WARNINGs, in table order" \
	eval 'printf "%s\n" "$OUT" | sed -n 3p | grep -q "^\[WARNING\] permanent-lease: TCP 30001 "'
ok "worst first: the cut says how many lines it left out" \
	eval 'printf "%s\n" "$OUT" | grep -qE "^\.\.\. [0-9]+ more lines"'

# shipped policies judge a small mixed table
for pol in "$repo"/policies/*.yaml; do
	# a client inside the policy's first IPv4 LAN prefix
	net=$(grep -oE '^  lan: \[[0-9.]+' "$pol" | grep -oE '[0-9.]+$')
	c=${net%.*}.2
	{ mapping TCP 8080 "$c" 80 web; mapping TCP 4450 "$c" 445 files; } | table "$tmp/mixed.yaml"
	run --table "$tmp/mixed.yaml" --no-state -P "$pol"
	ok "$(basename "$pol"): port 445 is CRITICAL" test "$RC" = 2
	ok "$(basename "$pol"): output well-formed" valid
	ok "$(basename "$pol"): names risky-internal-port" eval 'printf "%s" "$OUT" | grep -q "risky-internal-port: TCP 4450"'
done

# a table saved from a device reporting internal port 0 (MiniUPnPd 2.3.7):
# loads, judged on everything else, the rule on port 445 cannot judge it
# (WARNING by default, never OK, never UNKNOWN for the whole table)
run --table "$repo/tests/fixtures/tables/miniupnpd-2.3.7-iport0.yaml" --no-state
ok "port 0 table: WARNING" test "$RC" = 1
ok "port 0 table: names the quirk on the first line" \
	eval 'printf "%s" "$OUT" | head -n 1 | grep -q "^IGD PORTMAP WARNING - risky-internal-port: cannot judge, the device reports internal port 0 .*; 4 mappings)"'
ok "port 0 table: output well-formed" valid

echo "offline: $pass passed, $fail failed"
[ "$fail" = 0 ]
