#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check_json.py: a strict checker of one check_igd --format json output.

    /usr/bin/python3 check_json.py --exit-code N [--schema FILE] [--text FILE] < output

Exits 0 when standard input (bytes) is valid output of a plugin run with
--format json that exited with N, else prints every reason, one a line, and
exits 1 (2 for bad usage).  Needs jsonschema (make deps installs Debian's
python3-jsonschema for /usr/bin/python3).

Rules:
  - valid UTF-8, exactly one JSON document followed by one '\\n' and nothing
    else; no NaN/Infinity, no duplicate keys, no raw control characters
  - valid against schema/output.schema.json (draft 2020-12)
  - state is the exit code (0-3), state_name its name
  - status_line is the first line of output, without its perfdata
  - output passes the text rules of check_output.py (the same verdict)
  - counts match the findings by state; every perfdata item's text is in
    output unless output was cut; a U value is null and has no unit
  - --text FILE: the text run of the same command; its first line must be
    status_line (timing figures masked) and its exit code the same (the
    caller compares exit codes)
"""

import json
import os
import re
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_output  # noqa: E402

STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
SCHEMA = os.path.join(HERE, "..", "..", "schema", "output.schema.json")


def no_dups(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in %r" % keys)
    return dict(pairs)


def bad_constant(name):
    raise ValueError("non-JSON constant " + name)


def mask(line):
    """Figures that differ between two runs: times, ages, and what a live
    device counts between the text and the JSON run: the lease time a
    mapping has left and the WAN uptime; how long ago a state file's restart
    was and how long it is still held."""
    line = re.sub(r"[0-9]+\.[0-9]+ s\b", "T s", line)
    line = re.sub(r"\blease [0-9]+s\b", "lease Ns", line)
    line = re.sub(r"age [0-9dhms ]+", "age T", line)
    line = re.sub(r"\bup [0-9][0-9dhms ]*", "up T", line)
    line = re.sub(r"\bagain [0-9][0-9dhms ]* ago\b", "again T ago", line)
    line = re.sub(r"\bheld [0-9][0-9dhms ]* more\b", "held T more", line)
    return line


def check(raw, code, schema_path, text_path):
    errs = []
    if code not in STATES:
        return ["exit code %r is not 0-3" % code]
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return ["not UTF-8: %s" % e]
    if not s.endswith("\n") or s.endswith("\n\n"):
        errs.append("must end with exactly one newline")
    body = s[:-1] if s.endswith("\n") else s
    if "\n" in body:
        errs.append("a newline inside the document (one line expected)")
    try:
        doc = json.loads(body, object_pairs_hook=no_dups,
                         parse_constant=bad_constant)
    except ValueError as e:
        return errs + ["not one JSON document: %s" % e]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    v = jsonschema.Draft202012Validator(schema)
    for e in sorted(v.iter_errors(doc), key=lambda e: list(e.path)):
        errs.append("schema: %s at %s" % (e.message[:200],
                                         "/".join(map(str, e.path))))
    if errs:
        return errs
    if doc["state"] != code:
        errs.append("state %d but exit code %d" % (doc["state"], code))
    out = doc["output"]
    first = out.split("\n", 1)[0]
    status = first.split(" |", 1)[0].rstrip(" ")
    if doc["status_line"] != status:
        errs.append("status_line %r is not the output's first line %r"
                    % (doc["status_line"], status))
    # an error before the run began (options, policy) has no perfdata
    # in text either; every other verdict is held to the text rules
    if doc["perfdata"]:
        for r in check_output.check(out.encode("utf-8"), code):
            errs.append("output: " + r)
    elif doc.get("error", {}).get("stage") not in ("options", "policy",
                                                    "memory"):
        errs.append("no perfdata, but no error before the run began")
    by = {"critical": 2, "warning": 1, "unknown": 3, "ok": 0}
    for name, st in by.items():
        n = sum(1 for f in doc["findings"] if f["state"] == st)
        if doc["counts"][name] != n:
            errs.append("counts.%s %d but %d findings" %
                        (name, doc["counts"][name], n))
    ranks = [{2: 0, 1: 1, 3: 2, 0: 3}[f["state"]] for f in doc["findings"]]
    if ranks != sorted(ranks):
        errs.append("findings not worst first")
    if doc["findings"] and doc["state"] != 0 and "error" not in doc:
        worst = max(doc["findings"], key=lambda f: {0: 0, 3: 1, 1: 2, 2: 3}[f["state"]])
        if {0: 0, 3: 1, 1: 2, 2: 3}[worst["state"]] > {0: 0, 3: 1, 1: 2, 2: 3}[doc["state"]]:
            errs.append("a finding worse than the verdict")
    cut = re.search(r"\n\.\.\. [0-9]+ more line", out) is not None
    for p in doc["perfdata"]:
        if p["value"] is None and p["unit"] != "":
            errs.append("perfdata %s: U with a unit" % p["label"])
        if not cut and " " + p["text"] not in out:
            errs.append("perfdata %s: %r not in the output" % (p["label"], p["text"]))
    if text_path is not None:
        with open(text_path, "rb") as f:
            tfirst = f.read().decode("utf-8", "replace").split("\n", 1)[0]
        tstatus = tfirst.split(" |", 1)[0].rstrip(" ")
        if mask(tstatus) != mask(doc["status_line"]):
            errs.append("text run's first line %r differs from status_line %r"
                        % (tstatus, doc["status_line"]))
    return errs


def main(argv):
    code = None
    schema = SCHEMA
    text = None
    i = 1
    while i < len(argv):
        if argv[i] == "--exit-code" and i + 1 < len(argv):
            code = int(argv[i + 1])
        elif argv[i] == "--schema" and i + 1 < len(argv):
            schema = argv[i + 1]
        elif argv[i] == "--text" and i + 1 < len(argv):
            text = argv[i + 1]
        else:
            print("usage: check_json.py --exit-code N [--schema FILE] [--text FILE]")
            return 2
        i += 2
    if code is None:
        print("usage: check_json.py --exit-code N [--schema FILE] [--text FILE]")
        return 2
    errs = check(sys.stdin.buffer.read(), code, schema, text)
    for e in errs:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
