#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/contrib/test_zabbix_mrpe.sh: the Zabbix template and agent key, and
# the Checkmk MRPE lines, with the real plugins on inputs that need no
# root: the hostile IGD's good mode on loopback (a plausible IGD:2),
# check_igd_portmap --table on a saved table, check_igd_present -u on a
# closed loopback port.
#   zabbix   check_igd.json[PLUGIN,OPTIONS|PROFILE] through `zabbix_agentd
#            -t` and the shipped user parameters: the plugin's --format json
#            document (first and second runs, WARNING, CRITICAL, UNKNOWN,
#            a bad option), a profile carrying ~ and @ ranges, and the
#            wrapper's own UNKNOWN documents (no profile, a plugin killed
#            mid-document).  Then zabbix_template.py: the template against
#            Zabbix 6.0's export format, and every dependent item's
#            preprocessing (JSONPath as Zabbix evaluates it) run on each of
#            those results: it must give the document's state, status line,
#            counts and perfdata values, every perfdata/count item must get
#            a number from some real result, and only the trigger of the
#            state fires.
#   checkmk  contrib/checkmk/mrpe.cfg read the way the Linux agent reads it,
#            its lines run and emitted as the agent's <<<mrpe>>> section,
#            and that section read back the way the server's mrpe check
#            does: state, output, long output and perfdata as run directly.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/contrib
# Debian's python3 (jsonschema, yaml)
py=/usr/bin/python3
[ -x "$py" ] || py=python3
pdir=${PLUGINS_DIR:-$root/plugins}
npass=0 nfail=0
ok() { printf 'PASS %s\n' "$1"; npass=$((npass + 1)); }
bad() { printf 'FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    # /' | head -n 30; nfail=$((nfail + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected: $2
actual:   $3"; fi; }
tmp=$(mktemp -d /tmp/test_zm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
[ -x "$pdir/check_igd_portmap" ] || { echo "FAIL plugins not built ($pdir)"; exit 1; }

# Inputs: a saved table with a WARNING finding (permanent lease), and a
# closed loopback port.
cat >"$tmp/table.yaml" <<'EOF2'
version: 1
complete: true
external_address: "11.22.33.44"
mappings:
  - protocol: TCP
    external_port: 8080
    internal_client: "192.168.1.2"
    internal_port: 80
    description: "web"
    lease: 0
    service: 1
  - protocol: UDP
    external_port: 3478
    internal_client: "192.168.1.3"
    internal_port: 3478
    description: "voip"
    lease: 3600
    service: 1
EOF2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/rootDesc.xml"

###############################################################################
# Zabbix: the agent key check_igd.json[...] through zabbix_agentd -t with the
# real plugins, and the template's preprocessing run on what it returned
###############################################################################
# A device on loopback: the hostile IGD in its good mode (a plausible
# IGD:2 with WAN figures and mappings), so that every perfdata label the
# template reads has a real value in some result.
"$py" "$root/tests/hostile/hostile_igd.py" --mode good --addr 127.0.0.1 --max-seconds 120 \
	--ready-file "$tmp/igd.ready" >"$tmp/igd.out" 2>&1 &
igd_pid=$!
trap 'kill "$igd_pid" 2>/dev/null; wait "$igd_pid" 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/igd.ready" ] && break; sleep 0.1; done
good=$(head -n 1 "$tmp/igd.ready" 2>/dev/null)
[ -n "$good" ] || bad "the loopback IGD started" "$(tail -n 3 "$tmp/igd.out")"

z=$tmp/zabbix cases=$tmp/cases
mkdir -p "$z/profiles" "$z/standin" "$cases" "$tmp/state"
chmod 0700 "$tmp/state"
have_agent=0
if command -v zabbix_agentd >/dev/null 2>&1; then
	have_agent=1
elif [ -n "${CI:-}" ]; then
	bad "zabbix: zabbix_agentd installed (CI)"
else
	echo "SKIP zabbix: zabbix_agentd not installed: the wrapper is run directly"
fi
# The shipped user parameters, the wrapper from the tree.
agent_conf() { # PLUGINDIR CONF
	sed "s|/usr/lib/check_igd/check_igd_zabbix|CHECK_IGD_PLUGINDIR=$1 CHECK_IGD_PROFILEDIR=$z/profiles $root/contrib/zabbix/check_igd_zabbix|" \
		"$root/contrib/zabbix/userparameter_check_igd.conf" >"$2.up"
	printf 'LogType=console\nPidFile=%s/agent.pid\nAllowRoot=1\nTimeout=10\nInclude=%s\n' "$z" "$2.up" >"$2"
}
agent_conf "$pdir" "$z/agent.conf"
# zget KEY [CONF]: the value the agent returns for KEY (zabbix_agentd -t;
# without the agent, the wrapper run as the UserParameter line runs it).
zget() {
	if [ "$have_agent" = 1 ]; then
		zabbix_agentd -c "${2:-$z/agent.conf}" -t "$1" 2>&1 | sed -n '/\[[a-z]|/,$p' | sed '1s/^.*\[[a-z]|//; $s/\]$//'
	else
		local a b
		a=$(printf '%s' "$1" | sed 's/^check_igd\.json\[\([a-z]*\),.*/\1/')
		b=$(printf '%s' "$1" | sed 's/^check_igd\.json\[[a-z]*,"\{0,1\}//; s/"\{0,1\}\]$//')
		CHECK_IGD_PLUGINDIR=$pdir CHECK_IGD_PROFILEDIR=$z/profiles sh "$root/contrib/zabbix/check_igd_zabbix" "$a" "$b"
	fi
}
# zcase NAME PLUGIN OPTIONS [DIRECT]: the agent's value for
# check_igd.json[PLUGIN,"OPTIONS"] into the case files; DIRECT=1 also runs
# the plugin directly with OPTIONS for its exit code.
zcase() {
	printf '%s\n' "$2" >"$cases/$1.plugin"
	zget "check_igd.json[$2,\"$3\"]" >"$cases/$1.value"
	if [ "${4:-0}" = 1 ]; then
		# shellcheck disable=SC2086 # options split on blanks, as the wrapper does
		"$pdir/check_igd_$2" $3 >/dev/null 2>&1
		echo "$?" >"$cases/$1.rc"
	else
		echo - >"$cases/$1.rc"
	fi
}
zcase present-good present "-u $good -t 8 -w 6 -c 7" 1
zcase present-closed present "-u $url -t 2" 1
zcase wan-first wan "-u $good -t 8 --state-file $tmp/state/wan" 1
sleep 1.2	# rates need a second between samples
zcase wan-rates wan "-u $good -t 8 --state-file $tmp/state/wan"
zcase portmap-first portmap "-u $good -t 8 --state-file $tmp/state/pm"
zcase portmap-again portmap "-u $good -t 8 --state-file $tmp/state/pm"
zcase portmap-table portmap "--table $tmp/table.yaml --no-state -w 20 -c 50" 1
zcase portmap-badopt portmap "--table $tmp/table.yaml --bogus" 1

# A profile carries ranges with ~ and @, which the agent refuses in a key
# parameter (UnsafeUserParameters=0).
printf -- '--table\n%s\n--no-state\n# ranges the agent would refuse in a key\n-w\n~:1\n-c\n@10:20\n' "$tmp/table.yaml" >"$z/profiles/lab1.args"
if [ "$have_agent" = 1 ]; then
	r=$(zget "check_igd.json[portmap,\"--table $tmp/table.yaml --no-state -w ~:5\"]")
	case $r in *"Special characters"*|*"not allowed"*|*ZBX_NOTSUPPORTED*) ok "zabbix: the agent refuses ~ in a key parameter (why profiles exist)" ;;
	*) bad "zabbix: the agent refuses ~ in a key parameter" "$r" ;; esac
fi
printf 'portmap\n' >"$cases/portmap-profile.plugin"
zget 'check_igd.json[portmap,lab1]' >"$cases/portmap-profile.value"
"$pdir/check_igd_portmap" --table "$tmp/table.yaml" --no-state -w '~:1' -c '@10:20' >"$tmp/prof.out" 2>&1
echo "$?" >"$cases/portmap-profile.rc"
check "zabbix: check_igd.json[portmap,PROFILE] passes ~:1 and @10:20 (the status line as run directly)" \
	"$(head -n 1 "$tmp/prof.out" | sed 's/ *|.*//')" \
	"$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["status_line"])' "$cases/portmap-profile.value" 2>&1)"
# No profile, a plugin that dies: UNKNOWN documents of the wrapper's own.
printf 'portmap\n' >"$cases/portmap-noprofile.plugin"
echo 3 >"$cases/portmap-noprofile.rc"
zget 'check_igd.json[portmap,nosuch]' >"$cases/portmap-noprofile.value"
check "zabbix: an unknown profile is UNKNOWN, said plainly" \
	"IGD PORTMAP UNKNOWN - check_igd_zabbix: no profile $z/profiles/nosuch.args" \
	"$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["status_line"])' "$cases/portmap-noprofile.value" 2>&1)"
# a stand-in that dies (SIGSEGV) halfway through its document
cat >"$z/standin/check_igd_wan" <<'EOF2'
#!/bin/sh
printf '%s' '{"plugin":"check_igd_wan","version":"0.2.0","check":"WAN","sta'
kill -SEGV $$
EOF2
chmod +x "$z/standin/check_igd_wan"
agent_conf "$z/standin" "$z/standin.conf"
printf 'wan\n' >"$cases/wan-crash.plugin"
echo 3 >"$cases/wan-crash.rc"
if [ "$have_agent" = 1 ]; then
	zget 'check_igd.json[wan,"-u http://127.0.0.1:9/"]' "$z/standin.conf" >"$cases/wan-crash.value"
else
	CHECK_IGD_PLUGINDIR=$z/standin sh "$root/contrib/zabbix/check_igd_zabbix" wan "-u http://127.0.0.1:9/" >"$cases/wan-crash.value"
fi
check "zabbix: a plugin killed mid-document is UNKNOWN, said plainly" \
	"IGD WAN UNKNOWN - check_igd_zabbix: check_igd_wan exited 139 without a JSON document" \
	"$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["status_line"])' "$cases/wan-crash.value" 2>&1)"
r=$(zget 'check_igd.json[nosuch,"-H 192.0.2.1"]')
check "zabbix: an unknown plugin in the key is a plain sentence (the items become unsupported)" \
	'check_igd_zabbix: unknown plugin "nosuch" (present, wan, portmap or exposed)' "$r"
check "zabbix: the agent's value for a run is the plugin's --format json document, one line" \
	1 "$(grep -c . "$cases/portmap-table.value")"
check "zabbix: ... the same document as the plugin prints with --format json (time masked)" \
	"$("$pdir/check_igd_portmap" --table "$tmp/table.yaml" --no-state -w 20 -c 50 --format json | sed 's/time=[0-9.]*s/time=Xs/g; s/"value":[0-9.]*,"unit":"s"/"value":X,"unit":"s"/g')" \
	"$(sed 's/time=[0-9.]*s/time=Xs/g; s/"value":[0-9.]*,"unit":"s"/"value":X,"unit":"s"/g' "$cases/portmap-table.value")"

# A long table: 300 mappings (the hostile IGD's many mode) arrive whole
# through the agent (about 140 KB; Zabbix stores only 64 KB of a text value
# on MySQL, the dependent items are computed from the whole).
"$py" "$root/tests/hostile/hostile_igd.py" --mode many --addr 127.0.0.1 --max-seconds 60 \
	--ready-file "$tmp/many.ready" >"$tmp/many.out" 2>&1 &
many_pid=$!
for _ in $(seq 100); do [ -s "$tmp/many.ready" ] && break; sleep 0.1; done
zcase portmap-many portmap "-u $(head -n 1 "$tmp/many.ready" 2>/dev/null) -t 8 --no-state" 1
kill "$many_pid" 2>/dev/null
wait "$many_pid" 2>/dev/null
check "zabbix: a 300-mapping table arrives whole through the agent ($(wc -c <"$cases/portmap-many.value") bytes)" \
	"300 300" "$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["facts"]["mappings"]), [p["value"] for p in d["perfdata"] if p["label"] == "mappings"][0])' "$cases/portmap-many.value" 2>&1)"

out=$("$py" "$here/zabbix_template.py" "$root/contrib/zabbix/template_check_igd.yaml" \
	"$root/schema/output.schema.json" "$cases" 2>&1)
npass=$((npass + $(printf '%s\n' "$out" | grep -c '^PASS')))
nfail=$((nfail + $(printf '%s\n' "$out" | grep -c '^FAIL')))
printf '%s\n' "$out" | grep -E '^(PASS|FAIL)'
printf '%s\n' "$out" | grep -qE '^(PASS|FAIL)' || bad "zabbix template checker ran" "$out"
kill "$igd_pid" 2>/dev/null

###############################################################################
# Checkmk MRPE
###############################################################################
cat >"$tmp/mrpe.cfg" <<EOF2
# test lines in the shipped file's format
IGD%20port%20mappings (interval=900) $pdir/check_igd_portmap --table $tmp/table.yaml --no-state -w '~:1' -c '@10:20'
IGD%20present $pdir/check_igd_present -u $url -t 2
EOF2
out=$(python3 - "$root/contrib/checkmk/mrpe.cfg" "$tmp/mrpe.cfg" "$tmp" <<'EOF2'
import sys, re, subprocess, urllib.parse
shipped, testcfg, tmp = sys.argv[1:4]
res = []
def need(c, m): res.append(("PASS " if c else "FAIL ") + "checkmk: " + m)
def agent_lines(path):
    # The agent: non-blank, non-comment lines; first word the description,
    # then optional "(k=v:...)" parameters, the rest a shell command line.
    for line in open(path):
        if re.match(r"^\s*($|#)", line): continue
        descr, rest = line.rstrip("\n").split(None, 1)
        params = {}
        m = re.match(r"^\(([^)]*)\)\s+(.*)$", rest)
        if m:
            params = dict(kv.split("=", 1) for kv in m.group(1).split(":") if "=" in kv)
            rest = m.group(2)
        yield descr, params, rest
lines = list(agent_lines(shipped))
need(len(lines) == 3, "the shipped mrpe.cfg has 3 check lines")
for d, p, cmd in lines:
    need(" " not in urllib.parse.unquote(d) or "%20" in d, f"{urllib.parse.unquote(d)}: description is one word")
    need(re.fullmatch(r"\d+", p.get("interval", "")) is not None, f"{urllib.parse.unquote(d)}: interval={p.get('interval')}")
    prog = cmd.split()[0]
    need(re.fullmatch(r"/usr/lib/nagios/plugins/check_igd_(present|wan|portmap)", prog) is not None, f"{urllib.parse.unquote(d)}: runs {prog}")
    t = re.search(r"-t (\d+)", cmd)
    need(t is not None and int(t.group(1)) < 60, f"{urllib.parse.unquote(d)}: -t below the agent's 60 s")
# Run the test lines as the agent does (shell evaluation, exit code, output
# with newlines as \x01; cached lines get "cached(MTIME,INTERVAL) "), then
# read the section back as the server does.
section = ["<<<mrpe>>>"]
direct = {}
for d, p, cmd in agent_lines(testcfg):
    r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)
    out = r.stdout.rstrip("\n")
    direct[urllib.parse.unquote(d)] = (r.returncode, out)
    line = "(%s) %s %d %s" % (cmd.split()[0].rsplit("/", 1)[-1], d, r.returncode, out.replace("\n", "\x01"))
    if "interval" in p: line = "cached(1700000000,%s) " % p["interval"] + line
    section.append(line)
for line in section[1:]:
    cache = re.match(r"^cached\((\d+),(\d+)\) ", line)
    if cache: line = line[cache.end():]
    w = line.split(" ", 3)
    name = w[0][1:-1] if w[0].startswith("(") else None
    if name: w = w[1:] + []; w = line.split(" ", 4)[1:]
    descr, state, text = urllib.parse.unquote(w[0]), int(w[1]), w[2] if len(w) > 2 else ""
    if len(w) > 3: text = w[2] + " " + w[3]
    text = text.replace("\x01", "\n")
    rc, out = direct[descr]
    need(state == rc, f"{descr}: state {state} = exit code {rc}")
    first = out.split("\n")[0].split("|")[0].rstrip()
    need(text.split("\n")[0].split("|")[0].rstrip() == first, f"{descr}: status line as run directly")
    body, _, perf = text.partition("|")
    dbody, _, dperf = out.partition("|")
    need(body == dbody and perf == dperf, f"{descr}: long output and perfdata intact ({len(text.splitlines())} lines)")
    need(name in ("check_igd_portmap", "check_igd_present"), f"{descr}: plugin name ({name})")
print("\n".join(res))
EOF2
)
printf '%s\n' "$out"
npass=$((npass + $(printf '%s\n' "$out" | grep -c '^PASS')))
nfail=$((nfail + $(printf '%s\n' "$out" | grep -c '^FAIL')))
[ -n "$out" ] || bad "mrpe checker ran"
echo "zabbix+mrpe: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
