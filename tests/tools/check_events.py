#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check_events.py - validate a check_igd_portmap event log (--events FILE).

Every line must be one whole JSON object ending in a newline, carrying
every documented field with its type; a changed event carries the old
values, the others do not.  Prints one summary line per event,
    EVENT PROTOCOL EXTERNAL_PORT CLIENT:PORT mac=MAC rule=RULE state=STATE
    [was OLDCLIENT:OLDPORT] [late]
for tests to grep, and exits 1 (with the reason on stderr) at the first
bad line.  Standard library only: run it with Debian's /usr/bin/python3.
Usage: check_events.py FILE
"""
import json
import re
import sys

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
STATES = {"ok", "warning", "critical", "unknown"}
# field: (types allowed, may be null)
FIELDS = {
    "time": (str, False),
    "program": (str, False),
    "event": (str, False),
    "device_udn": (str, True),
    "device_url": (str, False),
    "protocol": (str, False),
    "external_port": (int, False),
    "remote_host": (str, False),
    "internal_client": (str, False),
    "internal_port": (int, False),
    "description": (str, False),
    "enabled": (bool, True),
    "lease": (int, True),
    "first_seen": (str, True),
    "mac": (str, True),
    "vendor": (str, True),
    "name": (str, True),
    "host": (str, False),
    "rule": (str, True),
    "state": (str, True),
    "unjudged_by": (str, True),
    "change_state": (str, False),
    "truncated": (bool, False),
    "late": (bool, False),
}
# only on a line written late (by a later run than the one that saw the
# change: the log could not be written then)
LATE = {"logged_at": str}
OLD = {"old_internal_client": str, "old_internal_port": int,
       "old_description": str}


def fail(n, why, line):
    sys.stderr.write("line %d: %s: %.200r\n" % (n, why, line))
    sys.exit(1)


def check(n, raw):
    if not raw.endswith(b"\n"):
        fail(n, "no newline at the end (a cut line)", raw)
    try:
        ev = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        fail(n, "not JSON (%s)" % e, raw)
    if not isinstance(ev, dict):
        fail(n, "not an object", raw)
    for k, (typ, nullable) in FIELDS.items():
        if k not in ev:
            fail(n, "no field %s" % k, raw)
        v = ev[k]
        if v is None:
            if not nullable:
                fail(n, "%s is null" % k, raw)
            continue
        # bool is an int in Python: keep them apart
        if typ is int and isinstance(v, bool) or not isinstance(v, typ):
            fail(n, "%s is not %s" % (k, typ.__name__), raw)
    if ev["event"] not in ("new", "changed", "gone"):
        fail(n, "unknown event %r" % ev["event"], raw)
    if ("logged_at" in ev) != ev["late"]:
        fail(n, "logged_at on late lines only, and on every one", raw)
    if ev["late"] and list(ev)[-1] != "logged_at":
        fail(n, "logged_at is not the last member", raw)
    for k in ("time", "first_seen", "logged_at"):
        if ev.get(k) is not None and not TIME.match(ev[k]):
            fail(n, "%s is not RFC 3339 UTC" % k, raw)
    if ev["late"] and ev["logged_at"] < ev["time"]:
        fail(n, "logged before the change was seen", raw)
    if ev["protocol"] not in ("TCP", "UDP"):
        fail(n, "protocol %r" % ev["protocol"], raw)
    if ev["change_state"] not in STATES or (ev["state"] is not None and
                                            ev["state"] not in STATES):
        fail(n, "a state that is not a state", raw)
    if ev["mac"] is not None and not re.match(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$",
                                              ev["mac"]):
        fail(n, "mac %r" % ev["mac"], raw)
    gone = ev["event"] == "gone"
    # a gone mapping's state is the one it had when last seen (null when
    # an older version saved it); the others are judged now
    if (not gone and ev["state"] is None) or gone != (ev["lease"] is None):
        fail(n, "state null on a new or changed event, or lease null on "
             "one that is not gone", raw)
    for k, typ in OLD.items():
        if (k in ev) != (ev["event"] == "changed"):
            fail(n, "%s on a %s event" % (k, ev["event"]), raw)
        if k in ev and (not isinstance(ev[k], typ) or isinstance(ev[k], bool)):
            fail(n, "%s is not %s" % (k, typ.__name__), raw)
    extra = set(ev) - set(FIELDS) - set(OLD) - set(LATE)
    if extra:
        fail(n, "unexpected fields %s" % sorted(extra), raw)
    return ev


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: check_events.py FILE\n")
        sys.exit(2)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        fail(data.count(b"\n") + 1, "no newline at the end (a cut line)",
             data[-200:])
    for n, raw in enumerate(data.splitlines(keepends=True), 1):
        ev = check(n, raw)
        s = "%s %s %d %s:%d mac=%s rule=%s state=%s" % (
            ev["event"], ev["protocol"], ev["external_port"],
            ev["internal_client"], ev["internal_port"], ev["mac"],
            ev["rule"], ev["state"])
        if ev["event"] == "changed":
            s += " was %s:%d" % (ev["old_internal_client"],
                                 ev["old_internal_port"])
        if ev["late"]:
            s += " late"
        print(s)


if __name__ == "__main__":
    main()
