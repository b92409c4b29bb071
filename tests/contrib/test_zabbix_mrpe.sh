#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/contrib/test_zabbix_mrpe.sh: the Zabbix template and agent key, and
# the Checkmk MRPE lines, with the real plugins on inputs that need no
# device (check_igd_portmap --table on a saved table; check_igd_present -u
# on a closed loopback port).  No root needed.
#   zabbix   contrib/zabbix/template_check_igd.yaml against Zabbix 6.0's
#            export format (keys, uuids, master items, preprocessing, value
#            map, triggers), its preprocessing run on real plugin output;
#            check_igd.run[...] through `zabbix_agentd -t` (options, and a
#            profile carrying ~ and @ ranges without UnsafeUserParameters).
#   checkmk  contrib/checkmk/mrpe.cfg read the way the Linux agent reads it,
#            its lines run and emitted as the agent's <<<mrpe>>> section,
#            and that section read back the way the server's mrpe check
#            does: state, output, long output and perfdata as run directly.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
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
# Zabbix: the template's structure, and its preprocessing on real output
###############################################################################
"$pdir/check_igd_portmap" --table "$tmp/table.yaml" --no-state -w 20 -c 50 >"$tmp/pm.out" 2>&1
echo "$?" >"$tmp/pm.rc"
"$pdir/check_igd_present" -u "$url" -t 2 >"$tmp/pr.out" 2>&1
echo "$?" >"$tmp/pr.rc"
out=$(python3 - "$root/contrib/zabbix/template_check_igd.yaml" "$tmp" <<'EOF2'
import sys, re, yaml
t = yaml.safe_load(open(sys.argv[1])); tmp = sys.argv[2]
errs = []; passes = []
def need(c, msg):
    (passes if c else errs).append(msg)
e = t.get("zabbix_export", {})
need(e.get("version") == "6.0", "export version is '6.0'")
need(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e.get("date", "")), "export date in Zabbix's form")
uuids = []
def uu(o, what):
    u = o.get("uuid", ""); uuids.append(u)
    if not re.fullmatch(r"[0-9a-f]{32}", u): errs.append(f"{what}: uuid {u!r} is not 32 hex digits")
for g in e.get("groups", []): uu(g, "group " + g.get("name", "?"))
tpls = e.get("templates", [])
need(len(tpls) == 1, "one template")
tp = tpls[0]; uu(tp, "template")
T = tp["template"]
gnames = {g["name"] for g in e.get("groups", [])}
need(all(g["name"] in gnames for g in tp.get("groups", [])), "template groups are exported groups")
vms = {v["name"]: v for v in tp.get("valuemaps", [])}
for v in vms.values():
    uu(v, "valuemap")
    need(sorted((m["value"], m["newvalue"]) for m in v["mappings"]) ==
         [("0", "OK"), ("1", "WARNING"), ("2", "CRITICAL"), ("3", "UNKNOWN")], f"value map {v['name']}: 0..3 OK..UNKNOWN")
ITEM_KEYS = {"uuid", "name", "type", "key", "delay", "history", "trends", "value_type", "units", "description",
             "preprocessing", "master_item", "valuemap", "tags", "triggers"}
PRE = {"REGEX", "JSONPATH", "MULTIPLIER", "TRIM", "DISCARD_UNCHANGED", "NOT_MATCHES_REGEX", "CHECK_NOT_SUPPORTED"}
TRIG_KEYS = {"uuid", "expression", "name", "priority", "description", "manual_close", "dependencies", "tags"}
PRIO = {"NOT_CLASSIFIED", "INFO", "WARNING", "AVERAGE", "HIGH", "DISASTER"}
VT = {"FLOAT", "CHAR", "LOG", "UNSIGNED", "TEXT"}
items = tp.get("items", []); keys = {i["key"] for i in items}
need(len(keys) == len(items), "item keys unique")
masters = [i for i in items if i.get("type", "ZABBIX_PASSIVE") != "DEPENDENT"]
need(len(masters) == 3 and all(i["key"].startswith("check_igd.run[") for i in masters),
     "3 agent items, all check_igd.run[...] (one plugin run per interval each)")
triggers = []
for i in items:
    uu(i, "item " + i["key"])
    extra = set(i) - ITEM_KEYS
    if extra: errs.append(f"item {i['key']}: keys not in the 6.0 format: {extra}")
    if i.get("value_type", "UNSIGNED") not in VT: errs.append(f"item {i['key']}: value_type")
    if i.get("type") == "DEPENDENT":
        if i.get("master_item", {}).get("key") not in {m["key"] for m in masters}:
            errs.append(f"item {i['key']}: master item missing")
        if not i.get("preprocessing"): errs.append(f"item {i['key']}: dependent item without preprocessing")
    for p in i.get("preprocessing", []):
        if p["type"] not in PRE: errs.append(f"item {i['key']}: preprocessing {p['type']}")
        if p.get("error_handler", "ORIGINAL_ERROR") not in {"ORIGINAL_ERROR", "DISCARD_VALUE", "CUSTOM_VALUE", "CUSTOM_ERROR"}:
            errs.append(f"item {i['key']}: error_handler")
    if "valuemap" in i and i["valuemap"]["name"] not in vms: errs.append(f"item {i['key']}: value map missing")
    for tr in i.get("triggers", []):
        triggers.append(tr); uu(tr, "trigger " + tr["name"])
        if set(tr) - TRIG_KEYS: errs.append(f"trigger {tr['name']}: keys {set(tr) - TRIG_KEYS}")
        if tr.get("priority") not in PRIO: errs.append(f"trigger {tr['name']}: priority")
        refs = re.findall(r"/([^/]+)/([^,)]+(?:\[[^\]]*\])?)", tr["expression"])
        if not refs or any(h != T or k not in keys for h, k in refs):
            errs.append(f"trigger {tr['name']}: expression {tr['expression']} refers to unknown items")
        if not any(k == i["key"] for _, k in refs):
            errs.append(f"trigger {tr['name']}: not about its own item")
need(len(set(uuids)) == len(uuids), f"all {len(uuids)} uuids unique")
for p in ("present", "wan", "portmap"):
    st = [i for i in items if i["key"] == f"check_igd.{p}.state"]
    need(st and st[0].get("valuemap", {}).get("name") in vms, f"{p}: state item with the value map")
    prios = {tr["priority"] for tr in (st[0].get("triggers", []) if st else [])}
    need({"WARNING", "HIGH", "AVERAGE"} <= prios, f"{p}: state triggers WARNING/HIGH/AVERAGE")
need(any("perf[new]" in tr["expression"] for tr in triggers), "a trigger on new port mappings")
for m in tp.get("macros", []):
    need(re.fullmatch(r"\{\$[A-Z0-9_.]+\}", m["macro"]) is not None, f"macro {m['macro']} well-formed")
used = set(re.findall(r"\{\$[A-Z0-9_.]+\}", " ".join(keys)))
need(used <= {m["macro"] for m in tp.get("macros", [])}, "every macro in keys has a default")

# Preprocessing applied to a real result ("<rc>\n<output>"), as the agent
# key returns it: Zabbix REGEX = first match, output template with \N.
def pre(item, value):
    for p in item["preprocessing"]:
        if p["type"] == "REGEX":
            m = re.search(p["parameters"][0], value)
            if not m: return None
            value = re.sub(r"\\(\d)", lambda g: m.group(int(g.group(1))) or "", p["parameters"][1])
    return value
def result(f): return open(f"{tmp}/{f}.rc").read().strip() + "\n" + open(f"{tmp}/{f}.out").read()
for f, p in (("pm", "portmap"), ("pr", "present")):
    r = result(f); out = open(f"{tmp}/{f}.out").read()
    byk = {i["key"]: i for i in items}
    need(pre(byk[f"check_igd.{p}.state"], r) == open(f"{tmp}/{f}.rc").read().strip(), f"{p}: state item = exit code")
    need(pre(byk[f"check_igd.{p}.summary"], r) == out.split("\n")[0].split("|")[0].rstrip(), f"{p}: summary item = status line without perfdata")
    perf = " ".join(l.split("|", 1)[1] for l in out.split("\n") if "|" in l)
    vals = dict((m.group(1), m.group(2)) for m in re.finditer(r"'?([^'= ]+)'?=([^;\s]*)", perf))
    for i in items:
        mm = re.fullmatch(rf"check_igd\.{p}\.perf\[(.+)\]", i["key"])
        if not mm: continue
        lab = mm.group(1); got = pre(i, r)
        want = vals.get(lab)
        want = None if want in (None, "U") else re.match(r"[-+0-9.eE]+", want).group(0)
        need(got == want, f"{p}: perf[{lab}] = {want} (got {got})")
print("\n".join("PASS zabbix template: " + p for p in passes))
print("\n".join("FAIL zabbix template: " + e for e in errs))
EOF2
)
printf '%s\n' "$out" | grep '^PASS' | while read -r _ l; do :; done
npass=$((npass + $(printf '%s\n' "$out" | grep -c '^PASS')))
nfail=$((nfail + $(printf '%s\n' "$out" | grep -c '^FAIL')))
printf '%s\n' "$out" | grep -E '^(PASS|FAIL)'
[ -n "$out" ] || bad "zabbix template checker ran"

# The agent key, through zabbix_agentd -t, with the real plugins.
if command -v zabbix_agentd >/dev/null 2>&1; then
	z=$tmp/zabbix; mkdir -p "$z/profiles"
	sed "s|/usr/lib/check_igd/check_igd_zabbix|CHECK_IGD_PLUGINDIR=$pdir CHECK_IGD_PROFILEDIR=$z/profiles $root/contrib/zabbix/check_igd_zabbix|" \
		"$root/contrib/zabbix/userparameter_check_igd.conf" >"$z/up.conf"
	printf 'LogType=console\nPidFile=%s/agent.pid\nAllowRoot=1\nTimeout=10\nInclude=%s/up.conf\n' "$z" "$z" >"$z/agent.conf"
	zget() { zabbix_agentd -c "$z/agent.conf" -t "$1" 2>&1 | sed -n '/\[[a-z]|/,$p' | sed '1s/^.*\[[a-z]|//; $s/\]$//'; }
	nt() { sed 's/time=[0-9.]*s/time=Xs/'; }
	check "zabbix: check_igd.run[portmap,OPTIONS] = exit code and the whole output" \
		"$(cat "$tmp/pm.rc")
$(nt <"$tmp/pm.out")" "$(zget "check_igd.run[portmap,\"--table $tmp/table.yaml --no-state -w 20 -c 50\"]" | nt)"
	check "zabbix: check_igd.run[present,...]: the real plugin's verdict" \
		"$(cat "$tmp/pr.rc")
$(sed 's/time=[0-9.]*s/time=Xs/' "$tmp/pr.out")" \
		"$(zget "check_igd.run[present,\"-u $url -t 2\"]" | sed 's/time=[0-9.]*s/time=Xs/')"
	# A range with ~ is refused in a key parameter (UnsafeUserParameters=0) ...
	r=$(zget "check_igd.run[portmap,\"--table $tmp/table.yaml --no-state -w ~:5\"]")
	case $r in *"Special characters"*|*"not allowed"*|*ZBX_NOTSUPPORTED*) ok "zabbix: the agent refuses ~ in a key parameter (why profiles exist)" ;;
	*) bad "zabbix: the agent refuses ~ in a key parameter" "$r" ;; esac
	# ... and works through a profile.
	printf -- '--table\n%s\n--no-state\n# ranges the agent would refuse in a key\n-w\n~:1\n-c\n@10:20\n' "$tmp/table.yaml" >"$z/profiles/lab1.args"
	"$pdir/check_igd_portmap" --table "$tmp/table.yaml" --no-state -w '~:1' -c '@10:20' >"$tmp/prof.out" 2>&1
	prc=$?
	check "zabbix: check_igd.run[portmap,PROFILE] passes ~:1 and @10:20 (exit $prc, as run directly)" \
		"$prc
$(nt <"$tmp/prof.out")" "$(zget 'check_igd.run[portmap,lab1]' | nt)"
	check "zabbix: an unknown profile is UNKNOWN, said plainly" \
		"3
IGD PORTMAP UNKNOWN - check_igd_zabbix: no profile $z/profiles/nosuch.args" "$(zget 'check_igd.run[portmap,nosuch]')"
else
	if [ -n "${CI:-}" ]; then bad "zabbix: zabbix_agentd installed (CI)"; else echo "SKIP zabbix: zabbix_agentd not installed"; fi
fi

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
