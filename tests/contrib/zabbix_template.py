#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""zabbix_template.py: contrib/zabbix/template_check_igd.yaml checked
against Zabbix 6.0's export format, and its preprocessing run on real
results of the agent key check_igd.json[...].

    /usr/bin/python3 zabbix_template.py TEMPLATE SCHEMA CASEDIR

CASEDIR holds, per case NAME: NAME.plugin (present, wan or portmap),
NAME.value (what the agent returned for check_igd.json[...]) and NAME.rc
(the exit code of the same plugin run with the same options directly, or
"-" when no direct run applies).  Prints PASS/FAIL lines.

The preprocessing steps are evaluated the way Zabbix does (JSONPath as its
manual describes it: definite paths give a value, a filter gives a list,
.first() its first element, no match is an error; REGEX with an output
template; MATCHES_REGEX; IN_RANGE; error handlers).  A JSONPath using
anything outside that subset is a failure, not a pass.
"""
import json
import os
import re
import sys

import jsonschema
import yaml

TEMPLATE, SCHEMA, CASES = sys.argv[1:4]
passes, errs = [], []


def need(cond, msg):
    (passes if cond else errs).append(msg)


# ------------------------------------------------------------------ JSONPath
class PathError(Exception):
    pass


class Unsupported(Exception):
    pass


_TOK = re.compile(r"""
    \.(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_(])   # .name
  | \[\s*'(?P<qname>[^']*)'\s*\]                       # ['name']
  | \[\s*(?P<index>-?[0-9]+)\s*\]                      # [0]
  | \[\?\(\s*@\.(?P<fkey>[A-Za-z_][A-Za-z0-9_]*)\s*
        (?P<op>==|!=)\s*(?P<lit>'[^']*'|-?[0-9]+(?:\.[0-9]+)?)\s*\)\]   # [?(@.k == 'v')]
  | \.(?P<func>first|length)\(\)                       # .first() .length()
""", re.X)


# How Zabbix renders a JSON null found by a path is not pinned down here:
# every result is computed both ways (the text "null", or an error) and
# the two must agree, which the template's MATCHES_REGEX step after each
# perfdata JSONPath (both steps DISCARD_VALUE) makes true.
NULL_AS_ERROR = False


def jsonpath(path, doc):
    """The value Zabbix's JSONPath step gives (a string), or PathError."""
    if not path.startswith("$"):
        raise Unsupported(path)
    pos, vals, definite = 1, [doc], True
    while pos < len(path):
        m = _TOK.match(path, pos)
        if not m:
            raise Unsupported("%s at %r" % (path, path[pos:]))
        pos = m.end()
        if m.group("name") is not None or m.group("qname") is not None:
            k = m.group("name") if m.group("name") is not None else m.group("qname")
            vals = [v[k] for v in vals if isinstance(v, dict) and k in v]
        elif m.group("index") is not None:
            i = int(m.group("index"))
            vals = [v[i] for v in vals if isinstance(v, list) and -len(v) <= i < len(v)]
        elif m.group("fkey") is not None:
            k, op, lit = m.group("fkey"), m.group("op"), m.group("lit")
            lit = lit[1:-1] if lit.startswith("'") else float(lit)
            out = []
            for v in vals:
                for e in (v if isinstance(v, list) else v.values() if isinstance(v, dict) else []):
                    if isinstance(e, dict) and k in e:
                        x = e[k]
                        if isinstance(lit, float) and isinstance(x, (int, float)) and not isinstance(x, bool):
                            eq = float(x) == lit
                        else:
                            eq = x == lit
                        if eq == (op == "=="):
                            out.append(e)
            vals, definite = out, False
        else:
            f = m.group("func")
            if definite:
                if len(vals) != 1 or not isinstance(vals[0], list):
                    raise PathError("%s: %s() of no array" % (path, f))
                arr = vals[0]
            else:
                arr = vals
            if f == "first":
                if not arr:
                    raise PathError("%s: no data matches" % path)
                vals = [arr[0]]
            else:
                vals = [len(arr)]
            definite = True
    if not vals:
        raise PathError("%s: no data matches" % path)
    v = vals[0] if definite else vals
    if v is None and NULL_AS_ERROR:
        raise PathError("%s: null" % path)
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"))


class Discard(Exception):
    pass


def preprocess(item, value):
    """The item's value after its steps; None when discarded; raises
    PathError (the item would become unsupported) on an unhandled error."""
    for p in item.get("preprocessing", []):
        try:
            t, a = p["type"], p["parameters"]
            if t == "JSONPATH":
                try:
                    doc = json.loads(value)
                except ValueError:
                    raise PathError("value is not JSON")
                value = jsonpath(a[0], doc)
            elif t == "REGEX":
                m = re.search(a[0], value)
                if not m:
                    raise PathError("no match for %s" % a[0])
                value = re.sub(r"\\(\d)", lambda g: m.group(int(g.group(1))) or "", a[1])
            elif t == "MATCHES_REGEX":
                if not re.search(a[0], value):
                    raise PathError("%r does not match %s" % (value, a[0]))
            elif t == "IN_RANGE":
                try:
                    x = float(value)
                except ValueError:
                    raise PathError("%r is not a number" % value)
                if not float(a[0]) <= x <= float(a[1]):
                    raise PathError("%s out of %s..%s" % (value, a[0], a[1]))
            else:
                raise Unsupported("preprocessing %s" % t)
        except PathError:
            h = p.get("error_handler", "ORIGINAL_ERROR")
            if h == "DISCARD_VALUE":
                return None
            raise
    return value


# ------------------------------------------------------------------ format
t = yaml.safe_load(open(TEMPLATE))
e = t.get("zabbix_export", {})
need(e.get("version") == "6.0", "export version is '6.0'")
need(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e.get("date", "")), "export date in Zabbix's form")
uuids = []


def uu(o, what):
    u = o.get("uuid", "")
    uuids.append(u)
    if not re.fullmatch(r"[0-9a-f]{32}", u):
        errs.append(f"{what}: uuid {u!r} is not 32 hex digits")


for g in e.get("groups", []):
    uu(g, "group " + g.get("name", "?"))
tpls = e.get("templates", [])
need(len(tpls) == 1, "one template")
tp = tpls[0]
uu(tp, "template")
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
PRE = {"REGEX", "JSONPATH", "MULTIPLIER", "TRIM", "DISCARD_UNCHANGED", "MATCHES_REGEX", "NOT_MATCHES_REGEX",
       "CHECK_NOT_SUPPORTED", "IN_RANGE"}
PRE_ARGS = {"JSONPATH": 1, "REGEX": 2, "MATCHES_REGEX": 1, "IN_RANGE": 2}
TRIG_KEYS = {"uuid", "expression", "name", "priority", "description", "manual_close", "dependencies", "tags"}
PRIO = {"NOT_CLASSIFIED", "INFO", "WARNING", "AVERAGE", "HIGH", "DISASTER"}
VT = {"FLOAT", "CHAR", "LOG", "UNSIGNED", "TEXT"}
items = tp.get("items", [])
byk = {i["key"]: i for i in items}
need(len(byk) == len(items), "item keys unique")
masters = [i for i in items if i.get("type", "ZABBIX_PASSIVE") != "DEPENDENT"]
need(sorted(i["key"] for i in masters) ==
     sorted('check_igd.json[%s,"{$IGD.%s.OPTIONS}"]' % (p, p.upper()) for p in ("present", "wan", "portmap")),
     "3 agent items, check_igd.json[PLUGIN,\"{$IGD.PLUGIN.OPTIONS}\"] (one plugin run per interval each)")
need(all(i.get("value_type") == "TEXT" and i.get("trends") == "0" for i in masters), "agent items hold text (the JSON), no trends")
triggers = []
for i in items:
    uu(i, "item " + i["key"])
    extra = set(i) - ITEM_KEYS
    if extra:
        errs.append(f"item {i['key']}: keys not in the 6.0 format: {extra}")
    if i.get("value_type", "UNSIGNED") not in VT:
        errs.append(f"item {i['key']}: value_type")
    if i.get("type") == "DEPENDENT":
        if i.get("master_item", {}).get("key") not in {m["key"] for m in masters}:
            errs.append(f"item {i['key']}: master item missing")
        pre = i.get("preprocessing") or []
        if not pre or pre[0]["type"] != "JSONPATH":
            errs.append(f"item {i['key']}: dependent item whose first step is not JSONPATH")
    for p in i.get("preprocessing", []):
        if p["type"] not in PRE:
            errs.append(f"item {i['key']}: preprocessing {p['type']}")
        if p["type"] in PRE_ARGS and len(p.get("parameters", [])) != PRE_ARGS[p["type"]]:
            errs.append(f"item {i['key']}: {p['type']} takes {PRE_ARGS[p['type']]} parameters")
        if p.get("error_handler", "ORIGINAL_ERROR") not in {"ORIGINAL_ERROR", "DISCARD_VALUE", "CUSTOM_VALUE", "CUSTOM_ERROR"}:
            errs.append(f"item {i['key']}: error_handler")
    if "valuemap" in i and i["valuemap"]["name"] not in vms:
        errs.append(f"item {i['key']}: value map missing")
    for tr in i.get("triggers", []):
        triggers.append((i, tr))
        uu(tr, "trigger " + tr["name"])
        if set(tr) - TRIG_KEYS:
            errs.append(f"trigger {tr['name']}: keys {set(tr) - TRIG_KEYS}")
        if tr.get("priority") not in PRIO:
            errs.append(f"trigger {tr['name']}: priority")
        refs = re.findall(r"/([^/]+)/([^,)]+(?:\[[^\]]*\])?)", tr["expression"])
        if not refs or any(h != T or k not in byk for h, k in refs):
            errs.append(f"trigger {tr['name']}: expression {tr['expression']} refers to unknown items")
        if not any(k == i["key"] for _, k in refs):
            errs.append(f"trigger {tr['name']}: not about its own item")
need(not [x for x in errs if x.startswith(("item ", "trigger "))], f"all {len(items)} items and {len(triggers)} triggers in the 6.0 format")
need(len(set(uuids)) == len(uuids), f"all {len(uuids)} uuids unique")
for p in ("present", "wan", "portmap"):
    st = byk.get(f"check_igd.{p}.state", {})
    need(st.get("valuemap", {}).get("name") in vms, f"{p}: state item with the value map")
    prios = {tr["priority"] for tr in st.get("triggers", [])}
    need({"WARNING", "HIGH", "AVERAGE"} <= prios, f"{p}: state triggers WARNING/HIGH/AVERAGE")
    for k in (f"check_igd.{p}.summary", f"check_igd.{p}.count[critical]", f"check_igd.{p}.count[warning]",
              f"check_igd.{p}.count[unknown]"):
        need(k in byk, f"{p}: item {k}")
need(any("perf[new]" in tr["expression"] for _, tr in triggers), "a trigger on new port mappings")
for m in tp.get("macros", []):
    need(re.fullmatch(r"\{\$[A-Z0-9_.]+\}", m["macro"]) is not None, f"macro {m['macro']} well-formed")
used = set(re.findall(r"\{\$[A-Z0-9_.]+\}", " ".join(byk)))
need(used <= {m["macro"] for m in tp.get("macros", [])}, "every macro in keys has a default")

# ------------------------------------------------------------------ on real results
schema = json.load(open(SCHEMA))
names = sorted(f[:-6] for f in os.listdir(CASES) if f.endswith(".value"))
need(len(names) >= 6, f"{len(names)} real results to run the preprocessing on")
numeric = {}        # perf/count item key -> cases where it gave a number


def perf_of(doc, label):
    for x in doc.get("perfdata", []):
        if x.get("label") == label:
            return x.get("value")
    return "absent"


def fmt(v):
    return v if isinstance(v, str) else json.dumps(v)


for n in names:
    plugin = open(f"{CASES}/{n}.plugin").read().strip()
    value = open(f"{CASES}/{n}.value").read().rstrip("\n")
    rc = open(f"{CASES}/{n}.rc").read().strip()
    try:
        doc = json.loads(value)
    except ValueError as ex:
        errs.append(f"{n}: the agent's value is not one JSON document ({ex}): {value[:200]}")
        continue
    try:
        jsonschema.validate(doc, schema)
        passes.append(f"{n}: the agent's value is valid by schema/output.schema.json")
    except jsonschema.ValidationError as ex:
        errs.append(f"{n}: not valid by the schema: {ex.message}")
    if rc != "-":
        need(str(doc.get("state")) == rc, f"{n}: the document's state {doc.get('state')} = {rc} (a direct run's exit code; 3 for the wrapper's own documents)")
    mine = [i for i in items if i.get("type") == "DEPENDENT" and i["master_item"]["key"].startswith(f"check_igd.json[{plugin},")]
    bad = []
    for i in mine:
        k = i["key"]
        both = []
        for NULL_AS_ERROR in (False, True):
            try:
                both.append(preprocess(i, value))
            except Unsupported as ex:
                both.append(("unsupported", str(ex)))
            except PathError as ex:
                both.append(("error", str(ex)))
        NULL_AS_ERROR = False
        got = both[0]
        if isinstance(got, tuple) and got[0] == "unsupported":
            bad.append(f"{k}: JSONPath outside what Zabbix supports / this checker models: {got[1]}")
            continue
        if both[0] != both[1] and not (isinstance(both[0], tuple) and isinstance(both[1], tuple)):
            bad.append(f"{k}: a null gives {both[0]!r} as text, {both[1]!r} as an error: the result depends on it")
            continue
        if k.endswith(".state"):
            want = str(doc["state"])
        elif k.endswith(".summary"):
            want = doc["status_line"]
        elif ".count[" in k:
            want = str(doc["counts"][k.split("[")[1][:-1]])
        elif ".perf[" in k:
            v = perf_of(doc, k.split("[")[1][:-1])
            want = None if v in ("absent", None) else fmt(v)
        else:
            bad.append(f"{k}: an item this checker does not know")
            continue
        if got != want:
            bad.append(f"{k}: got {got!r}, want {want!r}")
        elif got is not None and (".perf[" in k or ".count[" in k):
            numeric.setdefault(k, []).append(n)
    need(not bad, f"{n} ({plugin}, state {doc.get('state')}): {len(mine)} dependent items give the document's values" +
         ("" if not bad else ": " + "; ".join(bad)))
    # Triggers on the state: exactly the one for the state fires (none on OK).
    fired = []
    for i, tr in triggers:
        m = re.fullmatch(r"last\(/[^/]+/(check_igd\.%s\.state)\)=([0-3])" % plugin, tr["expression"])
        if m and str(doc["state"]) == m.group(2):
            fired.append(tr["priority"])
    want = {0: [], 1: ["WARNING"], 2: ["HIGH"], 3: ["AVERAGE"]}[doc["state"]]
    need(fired == want, f"{n}: state triggers firing: {fired} (want {want})")
for i in items:
    if ".perf[" in i["key"] or ".count[" in i["key"]:
        need(i["key"] in numeric, f"{i['key']}: a value from a real result ({', '.join(numeric.get(i['key'], [])) or 'none: the JSONPath never matched a number'})")

print("\n".join("PASS zabbix template: " + p for p in passes))
print("\n".join("FAIL zabbix template: " + e for e in errs))
