#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check_output.py: a strict checker of one check_igd plugin output.

    check_output.py --exit-code N < output

Exits 0 when the output (standard input, read as bytes) is valid for a plugin
that exited with N, else prints every reason, one a line, and exits 1 (2 for
bad usage).  Python 3 standard library only.

Rules (stricter than the Monitoring Plugins guidelines on purpose):
  - valid UTF-8; no control characters (C0, DEL, C1) except '\\n'
  - fewer than 4096 bytes; not empty; ends with at most one '\\n'
  - the first line matches '^IGD [A-Z]+ (OK|WARNING|CRITICAL|UNKNOWN) - .'
    (a summary follows) and the state is the one of the exit code (0 OK, 1 WARNING, 2 CRITICAL,
    3 UNKNOWN); any other exit code is invalid
  - no later line starts (after blanks) with 'IGD <WORD> <STATE>'
  - exactly one '|' in the whole output; everything after it is perfdata,
    so it sits on the last line (the first one when there is no long output)
  - perfdata: ' ' then items separated by single spaces, no trailing space;
    each item label=value[UOM][;[warn][;[crit][;[min][;[max]]]]]
      label  unquoted: no space, '=', quote or '|'; or 'quoted' (spaces
             allowed; no quote, '=' or '|' inside; not empty)
      value  decimal number with '.', optional '-' (no exponent), or 'U'
             (a value that cannot be known, as the guidelines allow; no UOM)
      UOM    none, s, ms, us, %, B, KB, MB, TB, c
      warn/crit  empty or a range: 10, 10:, ~:10, 10:20, @10:20 (start <=
             end); min/max empty or a number
    labels unique
"""

import re
import sys

STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
MAX_BYTES = 4096
UOMS = {"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"}

NUM = r"-?[0-9]+(?:\.[0-9]+)?"
FIRST_RE = re.compile(r"^IGD [A-Z]+ (OK|WARNING|CRITICAL|UNKNOWN) - [^\s|]")
LATER_RE = re.compile(r"^\s*IGD\s+\S+\s+(OK|WARNING|CRITICAL|UNKNOWN)\b",
                      re.IGNORECASE)
NUM_RE = re.compile("^" + NUM + "$")
VALUE_RE = re.compile("^(" + NUM + ")([A-Za-z%]*)$")
RANGE_RE = re.compile(r"^(@?)(?:(~|" + NUM + r"):)?(" + NUM + r")?$")
UNQUOTED_LABEL_RE = re.compile(r"^[^\s='|]+$")
QUOTED_LABEL_RE = re.compile(r"^'([^'=|]+)'$")


def _is_control(ch):
    o = ord(ch)
    return (o < 0x20 and ch != "\n") or o == 0x7F or 0x80 <= o <= 0x9F


def check_range(text):
    """None if text is a valid range, else a reason."""
    m = RANGE_RE.match(text)
    if not m:
        return "not a range"
    _, start, end = m.groups()
    if start is None and end is None:
        return "empty range"
    if start is not None and end is None and start == "~":
        return "'~:' has no end"
    if start is not None and end is not None and start != "~":
        if float(start) > float(end):
            return "start above end"
    return None


def check_perf_item(item):
    """(label, None) if valid, else (label or None, reason)."""
    if item.startswith("'"):
        close = item.find("'", 1)
        if close < 0:
            return None, "unterminated quoted label"
        label = item[:close + 1]
        rest = item[close + 1:]
        if not QUOTED_LABEL_RE.match(label):
            return label, "bad quoted label %r" % label
        if not rest.startswith("="):
            return label, "quote inside label or no '=' after label"
        rest = rest[1:]
    else:
        if "=" not in item:
            return None, "no '=' in %r" % item
        label, rest = item.split("=", 1)
        if not label:
            return None, "empty label"
        if not UNQUOTED_LABEL_RE.match(label):
            return label, "bad unquoted label %r" % label
    fields = rest.split(";")
    if len(fields) > 5:
        return label, "more than 5 fields"
    m = VALUE_RE.match(fields[0])
    if fields[0] == "U":
        m = None
    elif not m:
        return label, "bad value %r" % fields[0]
    if m is not None and m.group(2) not in UOMS:
        return label, "bad unit of measure %r" % m.group(2)
    for name, f in zip(("warn", "crit"), fields[1:3]):
        if f:
            r = check_range(f)
            if r:
                return label, "bad %s range %r: %s" % (name, f, r)
    for name, f in zip(("min", "max"), fields[3:5]):
        if f and not NUM_RE.match(f):
            return label, "bad %s %r" % (name, f)
    return label, None


def check(data, exit_code):
    """Return the list of reasons why data (bytes) is invalid output for a
    plugin that exited with exit_code; empty when it is valid."""
    errs = []
    if exit_code not in STATES:
        errs.append("exit code %r is not 0..3" % (exit_code,))
    if not data:
        return errs + ["empty output"]
    if len(data) >= MAX_BYTES:
        errs.append("output is %d bytes (limit %d)" % (len(data), MAX_BYTES))
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        errs.append("invalid UTF-8 at byte %d" % e.start)
        text = data.decode("utf-8", errors="replace")
    ctl = [i for i, ch in enumerate(text) if _is_control(ch)]
    if ctl:
        errs.append("control character %r at offset %d (%d in all)"
                    % (text[ctl[0]], ctl[0], len(ctl)))
    if text.endswith("\n\n"):
        errs.append("output ends with more than one newline")
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")

    first = lines[0]
    m = FIRST_RE.match(first)
    if not m:
        errs.append("first line does not match 'IGD CHECK STATE - summary': "
                    "%r" % first[:80])
    elif exit_code in STATES and m.group(1) != STATES[exit_code]:
        errs.append("first line says %s but the exit code is %d (%s)"
                    % (m.group(1), exit_code, STATES[exit_code]))
    for n, ln in enumerate(lines[1:], 2):
        if LATER_RE.match(ln):
            errs.append("line %d looks like a status line: %r" % (n, ln[:80]))

    pipes = body.count("|")
    if pipes != 1:
        errs.append("%d '|' in the output (exactly one wanted)" % pipes)
        return errs
    before, perf = body.split("|", 1)
    if "\n" in perf:
        errs.append("text after the '|' spans lines: perfdata must be at the "
                    "end of the last line")
        return errs
    if not perf.startswith(" "):
        errs.append("no space after the '|'")
    items_text = perf[1:] if perf.startswith(" ") else perf
    if not items_text:
        errs.append("no perfdata after the '|'")
        return errs
    if items_text.endswith(" "):
        errs.append("trailing space after the perfdata")
    items = _split_items(items_text)
    if items is None:
        errs.append("perfdata items are not separated by single spaces or a "
                    "quoted label is unterminated: %r" % items_text[:80])
        return errs
    seen = set()
    for it in items:
        label, why = check_perf_item(it)
        if why:
            errs.append("perfdata item %r: %s" % (it[:60], why))
        if label is not None:
            key = label[1:-1] if label.startswith("'") else label
            if key in seen:
                errs.append("duplicate perfdata label %r" % key)
            seen.add(key)
    return errs


def _split_items(s):
    """Split on single spaces outside quoted labels; None on two spaces in a
    row or an unterminated quote.  A trailing space is reported elsewhere."""
    items, cur, quoted = [], [], False
    for ch in s:
        if ch == "'":
            if not cur:
                quoted = True
            elif quoted:
                quoted = False
            cur.append(ch)
        elif ch == " " and not quoted:
            if not cur:
                return None
            items.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if quoted:
        return None
    if cur:
        items.append("".join(cur))
    return items


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exit-code", type=int, required=True)
    ap.add_argument("--quiet", action="store_true")
    opts = ap.parse_args(argv)
    data = sys.stdin.buffer.read()
    errs = check(data, opts.exit_code)
    if errs:
        if not opts.quiet:
            for e in errs:
                print("check_output: " + e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
