#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# --format json of every plugin, offline (no device, no root): each run's
# stdout is checked by check_json.py (one JSON document valid against
# schema/output.schema.json, state = exit code, the same verdict as the
# output text) and compared with the text run of the same command (the
# same exit code, the same first line).  Cases: option errors of every
# kind (the JSON document says UNKNOWN with error.stage "options" even
# when --format json comes after the bad option), every broken policy of
# tests/fixtures/policies/bad, a refused description URL on loopback,
# check_igd_exposed against a silent loopback port, and check_igd_portmap
# on saved tables (hostile descriptions, an incomplete table, 300
# mappings whose findings pass the 64-line cap of the text, changes
# between runs).  An abbreviated --format (--form json, --forma=json) asks
# for JSON as the full option does; "--format" as another option's value
# does not.  --help and --version stay text; an unknown format is a
# text usage error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PLUGINS_DIR=${PLUGINS_DIR:-$repo/plugins}
PY=/usr/bin/python3
CHECK_JSON=$here/check_json.py
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
pass=0 fail=0 docs=0

ok() {	# ok DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $d"
		head -c 600 "$tmp/json" | sed 's/^/    | /'
		echo
	fi
}

# both DESCRIPTION PLUGIN ARGS...: the text run and the JSON run of the
# same arguments (--format json appended); JSON valid, exit codes equal
both() {
	local d=$1 p=$2
	shift 2
	"$PLUGINS_DIR/check_igd_$p" "$@" >"$tmp/text" 2>/dev/null
	TRC=$?
	"$PLUGINS_DIR/check_igd_$p" "$@" --format json >"$tmp/json" 2>"$tmp/stderr"
	RC=$?
	docs=$((docs + 1))
	ok "$p $d: exit code $RC as the text run's $TRC" test "$RC" = "$TRC"
	ok "$p $d: valid JSON" json_valid --text "$tmp/text"
}
json_valid() {
	$PY "$CHECK_JSON" --exit-code "$RC" "$@" <"$tmp/json" >"$tmp/why" ||
	    { sed 's/^/    why: /' "$tmp/why"; return 1; }
}
field() {	# field PYTHON-EXPR: the value of doc[...] in the last JSON run
	$PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$tmp/json"
}

for p in present wan portmap exposed; do
	[ -x "$PLUGINS_DIR/check_igd_$p" ] || { echo "json: check_igd_$p not built"; exit 1; }
done
$PY -c 'import jsonschema' 2>/dev/null || {
	echo "json: /usr/bin/python3 has no jsonschema (make deps)"; exit 1; }
$PY -c 'import json,jsonschema,sys; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' \
    "$repo/schema/output.schema.json" ||
    { echo "FAIL the schema is not a valid draft 2020-12 schema"; exit 1; }

# ---- option errors, every plugin ----
for p in present wan portmap exposed; do
	both "unknown option" $p --bogus
	ok "$p unknown option: error.stage options" test "$(field 'd["error"]["stage"]')" = options
	both "bad timeout" $p -t abc
	both "bad range" $p -t 5:NOPE
	both "unexpected argument" $p extra
	both "bad URL" $p -u notaurl
	both "-u with -H" $p -u http://127.0.0.1:9/ -H 127.0.0.1
	both "empty policy name" $p -P ''
	# --format json before the bad option, and in the = form
	"$PLUGINS_DIR/check_igd_$p" --format=json --bogus >"$tmp/json" 2>/dev/null
	RC=$?
	docs=$((docs + 1))
	ok "$p --format=json then a bad option: exit 3" test "$RC" = 3
	ok "$p --format=json then a bad option: valid" json_valid
	# an abbreviated --format (getopt_long takes an unambiguous prefix)
	# asks for JSON as the full option does, also before a bad option
	for form in '--form json' '--forma=json' '--fo json'; do
		# shellcheck disable=SC2086
		"$PLUGINS_DIR/check_igd_$p" $form --bogus >"$tmp/json" 2>/dev/null
		RC=$?
		docs=$((docs + 1))
		ok "$p $form then a bad option: exit 3" test "$RC" = 3
		ok "$p $form then a bad option: valid JSON" json_valid
		ok "$p $form then a bad option: error.stage options" test "$(field 'd["error"]["stage"]')" = options
	done
	# "--format" taken as another option's value is no format option:
	# getopt reads -P's value, then "json" is an unexpected argument
	"$PLUGINS_DIR/check_igd_$p" -P --format json >"$tmp/json" 2>/dev/null
	RC=$?
	ok "$p -P --format json: exit 3" test "$RC" = 3
	ok "$p -P --format json: a text usage error" grep -q "^IGD [A-Z]* UNKNOWN - unexpected argument 'json'" "$tmp/json"
	# a missing value at the end: the line still asks for JSON
	"$PLUGINS_DIR/check_igd_$p" --format json -t >"$tmp/json" 2>/dev/null
	RC=$?
	docs=$((docs + 1))
	ok "$p missing value: exit 3" test "$RC" = 3
	ok "$p missing value: valid" json_valid
	ok "$p missing value: says so" eval 'field "d[\"summary\"]" | grep -q "needs a value"'
	# an unknown format is a usage error in text
	"$PLUGINS_DIR/check_igd_$p" --format xml >"$tmp/json" 2>/dev/null
	RC=$?
	ok "$p --format xml: exit 3" test "$RC" = 3
	ok "$p --format xml: a text usage error" grep -q "^IGD [A-Z]* UNKNOWN - invalid format 'xml'" "$tmp/json"
	# help and version stay text
	"$PLUGINS_DIR/check_igd_$p" --format json --help >"$tmp/json" 2>/dev/null
	RC=$?
	ok "$p --help with --format json: text, exit 3" eval 'test "$RC" = 3 && grep -q -- "--format FMT" "$tmp/json"'
done

# ---- broken policies: stage policy ----
npol=0
for f in "$repo"/tests/fixtures/policies/bad/*.yaml; do
	for p in present wan portmap; do
		both "policy $(basename "$f")" $p -P "$f" -u http://127.0.0.1:9/
		ok "$p policy $(basename "$f"): error.stage policy" test "$(field 'd["error"]["stage"]')" = policy
	done
	npol=$((npol + 1))
done
both "missing policy file" portmap -P "$tmp/none.yaml" --table "$tmp/none"

# ---- no device (loopback, nothing listens) ----
for p in present wan portmap; do
	both "refused description URL" $p -u http://127.0.0.1:9/rootDesc.xml -t 3
done
ok "portmap refused: error.stage description" test "$(field 'd["error"]["stage"]')" = description
both "silent public address" exposed -H 127.0.0.1 --ssdp-port 9 --listen 0.3 -t 2
ok "exposed silent: OK" test "$RC" = 0

# ---- saved tables ----
mapping() {	# mapping PROTO EXT CLIENT PORT DESC [LEASE]
	printf '  - protocol: %s\n    external_port: %s\n    internal_client: "%s"\n' "$1" "$2" "$3"
	printf '    internal_port: %s\n    description: "%s"\n    lease: %s\n    service: 1\n' "$4" "$5" "${6:-3600}"
}
table() {	# table FILE [COMPLETE] < mappings
	{ printf 'version: 1\ncomplete: %s\nexternal_address: "11.22.33.44"\nmappings:\n' "${2:-true}"; cat; } >"$1"
}
printf 'version: 1\ncomplete: true\nmappings: []\n' >"$tmp/empty.yaml"
both "empty table" portmap --table "$tmp/empty.yaml" --no-state
ok "empty table: OK" test "$RC" = 0
ok "empty table: no mappings" test "$(field 'len(d["facts"]["mappings"])')" = 0

long=$(head -c 1500 /dev/zero | tr '\0' 'x')
{
	mapping TCP 4450 192.168.1.23 445 'gal\x01\"leta\u00e9\u202e\t|end'
	mapping UDP 53 8.8.4.4 53 'proxy\x1b[31m' 0
	mapping TCP 8080 192.168.1.5 80 "$long"
} | table "$tmp/hostile.yaml"
both "hostile descriptions" portmap --table "$tmp/hostile.yaml" --no-state
ok "hostile: the raw description kept" test "$(field 'd["facts"]["mappings"][0]["description"] == "gal\x01\"leta\u00e9\u202e\t|end"')" = True
ok "hostile: a long description cut at 1024 bytes" test "$(field '(len(d["facts"]["mappings"][2]["description"]), d["facts"]["mappings"][2]["description_cut"])')" = "(1024, True)"
ok "hostile: rule of each mapping" test "$(field '[m["rule"] for m in d["facts"]["mappings"]]')" = "['risky-internal-port', 'upnproxy-outside-lan', None]"
ok "hostile: findings name the mapping" test "$(field '[(f["rule"], f["item"]) for f in d["findings"]][:2]')" = "[('risky-internal-port', 0), ('upnproxy-outside-lan', 1)]"

{ mapping TCP 80 192.168.1.5 80 web; } | table "$tmp/part.yaml" false
both "incomplete saved table" portmap --table "$tmp/part.yaml" --no-state
ok "incomplete: UNKNOWN" test "$RC" = 3
ok "incomplete: facts say so" test "$(field 'd["facts"]["table"]["complete"]')" = False

for i in $(seq 1 300); do mapping UDP $((10000 + i)) 8.8.8.8 $((10000 + i)) "p$i"; done | table "$tmp/many.yaml"
both "300 threats" portmap --table "$tmp/many.yaml" --no-state
ok "300 threats: every finding in JSON (text keeps 64 lines)" test "$(field '(len(d["findings"]), d["counts"]["critical"], len(d["facts"]["mappings"]))')" = "(300, 300, 300)"

{ mapping TCP 80 192.168.1.5 80 web; } | table "$tmp/t1.yaml"
{ mapping TCP 80 192.168.1.5 80 web; mapping TCP 22 192.168.1.6 22 ssh; } | table "$tmp/t2.yaml"
"$PLUGINS_DIR/check_igd_portmap" --table "$tmp/t1.yaml" --state-file "$tmp/chg.state" >/dev/null
cp "$tmp/chg.state" "$tmp/chg2.state"
"$PLUGINS_DIR/check_igd_portmap" --table "$tmp/t2.yaml" --state-file "$tmp/chg.state" >"$tmp/text"
TRC=$?
"$PLUGINS_DIR/check_igd_portmap" --table "$tmp/t2.yaml" --state-file "$tmp/chg2.state" --format json >"$tmp/json"
RC=$?
docs=$((docs + 1))
ok "new mapping: exit codes equal ($RC, $TRC)" test "$RC" = "$TRC"
ok "new mapping: valid" json_valid --text "$tmp/text"
ok "new mapping: finding portmap.new on item 1" test "$(field '[(f["rule"], f["item"]) for f in d["findings"] if f["rule"] == "portmap.new"]')" = "[('portmap.new', 1)]"
ok "new mapping: the event on the mapping" test "$(field 'd["facts"]["mappings"][1]["event"]')" = new

echo "json: $pass passed, $fail failed ($docs documents validated, $npol broken policies)"
[ "$fail" = 0 ]
