#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/contrib/test_events_collectors.sh: the collector files for the event
# log (contrib/events/) checked by the tools themselves where Debian 12 has
# them, no device needed (check_igd_portmap judges saved tables, --table):
#
#   rsyslog   the imfile snippet, included from a master configuration the
#             way /etc/rsyslog.d/ is, passes `rsyslogd -N1`; a copy with a
#             brace removed fails it.  Then a real rsyslogd (foreground, its
#             own work directory, only this snippet: no system socket) ships
#             the lines three check_igd_portmap runs append, byte for byte,
#             and keeps shipping after the log is rotated (moved away, the
#             next run creates a new one).
#   logrotate the file passes `logrotate -d` (as the nagios user, su).
#   Filebeat, Fluent Bit: not packaged by Debian 12; their files are checked
#             as YAML (Debian's python3-yaml) with the keys the tools need,
#             and by `filebeat test config` / `fluent-bit --dry-run` when
#             those are on PATH.
#
# Tools missing (rsyslog, logrotate, python3-yaml: make deps installs them):
# SKIP, unless CI is set (then FAIL).
# Output: PASS/FAIL/SKIP lines, then "events collectors: N passed, N failed,
# N skipped".  Env: PLUGINS_DIR (default: <repo>/plugins).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ev_dir=$root/contrib/events
plugins_dir=${PLUGINS_DIR:-$root/plugins}
PY=/usr/bin/python3

npass=0 nfail=0 nskip=0
t_pass() { printf 'PASS %s\n' "$1"; npass=$((npass + 1)); }
t_fail() {
	printf 'FAIL %s\n' "$1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    # /'
	nfail=$((nfail + 1))
}
t_skip() {
	case ${CI:-} in
	'' | false | 0 | no) printf 'SKIP %s\n' "$1"; nskip=$((nskip + 1)) ;;
	*) t_fail "$1 (CI is set: no skipping)" ;;
	esac
}
t_check() {	# t_check DESC CMD...
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then t_pass "$d"; else t_fail "$d" "$out"; fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cigd-evcoll.XXXXXX") || exit 1
rs_pid=
cleanup() {
	[ -n "$rs_pid" ] && kill "$rs_pid" 2>/dev/null && wait "$rs_pid" 2>/dev/null
	rm -rf -- "$tmp"
}
trap cleanup EXIT

# --- rsyslog
if ! command -v rsyslogd >/dev/null 2>&1; then
	t_skip "rsyslog: rsyslogd missing (apt-get install rsyslog; make deps)"
else
	mkdir -p "$tmp/rs" "$tmp/log"
	printf 'global(workDirectory="%s/rs")\ninclude(file="%s")\n' \
		"$tmp" "$ev_dir/rsyslog-check_igd-events.conf" >"$tmp/master.conf"
	t_check "rsyslog: the imfile snippet passes rsyslogd -N1" rsyslogd -N1 -f "$tmp/master.conf"
	sed 's/^ruleset(name="check_igd_events") {/ruleset(name="check_igd_events")/' \
		"$ev_dir/rsyslog-check_igd-events.conf" >"$tmp/broken.conf"
	printf 'global(workDirectory="%s/rs")\ninclude(file="%s/broken.conf")\n' \
		"$tmp" "$tmp" >"$tmp/master-broken.conf"
	if rsyslogd -N1 -f "$tmp/master-broken.conf" >/dev/null 2>&1; then
		t_fail "rsyslog: a snippet with a brace removed fails rsyslogd -N1"
	else
		t_pass "rsyslog: a snippet with a brace removed fails rsyslogd -N1"
	fi

	# the snippet with the paths in tmp and without the forwarding action
	# (no traffic leaves the machine)
	sed -e "s#/var/log/check_igd/#$tmp/log/#g" \
		-e '/action(type="omfwd"/,/resumeRetryCount/d' \
		"$ev_dir/rsyslog-check_igd-events.conf" >"$tmp/run.conf"
	printf 'global(workDirectory="%s/rs")\ninclude(file="%s/run.conf")\n' \
		"$tmp" "$tmp" >"$tmp/master-run.conf"
	if [ ! -x "$plugins_dir/check_igd_portmap" ]; then
		t_skip "rsyslog end to end: $plugins_dir/check_igd_portmap not built (make)"
	else
		rsyslogd -n -f "$tmp/master-run.conf" -i "$tmp/rs/pid" >"$tmp/rs.out" 2>&1 &
		rs_pid=$!
		# saved tables: the first makes the baseline, each later one changes
		table() {	# table N PORT CLIENT: a saved table of one mapping
			printf 'version: 1\nlocation: "http://192.0.2.1:5000/rootDesc.xml"\ncomplete: true\nmappings:\n  - protocol: TCP\n    external_port: %s\n    internal_client: "%s"\n    internal_port: 80\n    description: "run %s \\"q\\" \\\\ \\t"\n    lease: 3600\n    enabled: true\n' \
				"$2" "$3" "$1" >"$tmp/t$1.yaml"
		}
		pm() {
			"$plugins_dir/check_igd_portmap" --table "$tmp/t$1.yaml" \
				--state-file "$tmp/state" --events "$tmp/log/events.jsonl" >"$tmp/pm$1.out" 2>&1
		}
		# wait up to 30 s for the shipped copy to have N lines
		shipped() {
			local i
			for ((i = 0; i < 300; i++)); do
				[ -f "$tmp/log/events-shipped.jsonl" ] &&
					[ "$(wc -l <"$tmp/log/events-shipped.jsonl")" -ge "$1" ] && return 0
				sleep 0.1
			done
			return 1
		}
		table 1 8080 192.168.1.10
		table 2 8080 192.168.1.66	# changed
		table 3 9090 192.168.1.66	# 8080 gone, 9090 new
		pm 1; pm 2; pm 3
		n=$(wc -l <"$tmp/log/events.jsonl")
		if [ "$n" != 3 ]; then
			t_fail "rsyslog end to end: three runs logged 3 lines" "$(cat "$tmp/log/events.jsonl" "$tmp"/pm*.out)"
		elif shipped 3 && cmp -s "$tmp/log/events.jsonl" "$tmp/log/events-shipped.jsonl"; then
			t_pass "rsyslog end to end: imfile shipped the 3 lines byte for byte"
		else
			t_fail "rsyslog end to end: imfile shipped the 3 lines byte for byte" \
				"$(diff "$tmp/log/events.jsonl" "$tmp/log/events-shipped.jsonl" 2>&1; cat "$tmp/rs.out")"
		fi
		# rotation: moved away, the next run creates a new log
		mv "$tmp/log/events.jsonl" "$tmp/log/events.jsonl.1"
		table 4 9090 192.168.1.77	# changed again
		pm 4
		if [ "$(wc -l <"$tmp/log/events.jsonl" 2>/dev/null)" = 1 ] && shipped 4 &&
			[ "$(tail -n 1 "$tmp/log/events-shipped.jsonl")" = "$(cat "$tmp/log/events.jsonl")" ]; then
			t_pass "rsyslog end to end: after a rotation the new log's line is shipped"
		else
			t_fail "rsyslog end to end: after a rotation the new log's line is shipped" \
				"$(cat "$tmp/log/events.jsonl" "$tmp/log/events-shipped.jsonl" "$tmp/pm4.out" "$tmp/rs.out" 2>&1)"
		fi
		if [ -x "$PY" ] && out=$("$PY" "$root/tests/tools/check_events.py" "$tmp/log/events-shipped.jsonl" 2>&1); then
			t_pass "rsyslog end to end: every shipped line parses and carries its fields"
		else
			t_fail "rsyslog end to end: every shipped line parses and carries its fields" "${out:-$PY missing}"
		fi
		kill "$rs_pid" 2>/dev/null
		wait "$rs_pid" 2>/dev/null
		rs_pid=
	fi
fi

# --- logrotate
if ! command -v logrotate >/dev/null 2>&1; then
	t_skip "logrotate: missing (apt-get install logrotate; make deps)"
elif ! id nagios >/dev/null 2>&1; then
	t_skip "logrotate: no nagios user (nagios4-core; make deps)"
else
	t_check "logrotate: the file passes logrotate -d" \
		logrotate -d -s "$tmp/logrotate.state" "$ev_dir/logrotate-check_igd-events"
fi

# --- Filebeat and Fluent Bit: YAML with the keys the tools need
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	t_skip "Filebeat, Fluent Bit: $PY has no yaml (python3-yaml; make deps)"
else
	t_check "Filebeat: a filestream input with the ndjson parser on the log (YAML)" "$PY" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
i = d["filebeat.inputs"][0]
assert i["type"] == "filestream" and i["id"], i
assert i["paths"] == ["/var/log/check_igd/events.jsonl"], i["paths"]
assert any("ndjson" in p for p in i["parsers"]), i["parsers"]
' "$ev_dir/filebeat-check_igd-events.yml"
	t_check "Fluent Bit: a tail input with a JSON parser on the log (YAML)" "$PY" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
parsers = {p["name"]: p for p in d["parsers"]}
i = d["pipeline"]["inputs"][0]
assert i["name"] == "tail" and i["path"] == "/var/log/check_igd/events.jsonl", i
assert parsers[i["parser"]]["format"] == "json", parsers
assert d["pipeline"]["outputs"][0]["match"] == i["tag"].split(".")[0] + ".*"
' "$ev_dir/fluent-bit-check_igd-events.yaml"
fi
if command -v filebeat >/dev/null 2>&1; then
	t_check "Filebeat: filebeat test config" filebeat test config -c "$ev_dir/filebeat-check_igd-events.yml"
else
	printf 'NOTE Filebeat is not packaged by Debian 12: its file is checked as YAML only\n'
fi
if command -v fluent-bit >/dev/null 2>&1; then
	t_check "Fluent Bit: fluent-bit --dry-run" fluent-bit --dry-run -c "$ev_dir/fluent-bit-check_igd-events.yaml"
else
	printf 'NOTE Fluent Bit is not packaged by Debian 12: its file is checked as YAML only\n'
fi

printf 'events collectors: %d passed, %d failed, %d skipped\n' "$npass" "$nfail" "$nskip"
[ "$nfail" -eq 0 ]
