#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of check_output.py: python3 tests/tools/test_check_output.py"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_output  # noqa: E402

GOOD = [
    # (exit code, output)
    (0, b"IGD WAN OK - connected | uptime=86400s\n"),
    (0, b"IGD WAN OK - connected | uptime=86400s"),		# no final newline
    (1, b"IGD PORTMAP WARNING - 1 mapping unexpected | mappings=3;;;0\n"),
    (2, b"IGD PORTMAP CRITICAL - UPnProxy: 8.8.4.4 | mappings=4;20;50;0;\n"),
    (3, b"IGD PRESENT UNKNOWN - timeout after 3 s | time=3.001s;;;0\n"),
    # long output, perfdata at the end of the last line
    (2, b"IGD PORTMAP CRITICAL - 1 critical\n"
        b"CRITICAL: TCP 8443 -> 8.8.4.4:443 'proxy' (upnproxy-outside-lan)\n"
        b"OK: TCP 443 -> 192.168.1.10:443 'NAS https'"
        b" | mappings=2;;;0 critical=1;;;0 'time taken'=0.012s\n"),
    # every range form, every unit
    (0, b"IGD WAN OK - x | a=1;10;20 b=1;10:;~:10 c=1;10:20;@10:20 "
        b"d=-1.5;-10:-1;@~:0 e=1s f=1ms g=1us h=1% i=1B j=1KB k=1MB l=1TB "
        b"m=1c n=0.5;;;0;1 o=1;;\n"),
    # U: a value the run cannot know (a rate on a first run), no unit
    (0, b"IGD WAN OK - x | uptime=10s;300:;;0; tx_Bps=U;;;0; rx_Bps=U\n"),
    # quoted labels with spaces; punctuation in unquoted labels
    (0, b"IGD WAN OK - x | 'rx rate'=10B 'tx rate'=20B wan1_rx.bytes=3c\n"),
    # UTF-8 text in the summary
    (0, "IGD PRESENT OK - Fritz!Box 7590 \u00e9t\u00e9 | count=1\n".encode()),
    # a later line mentioning IGD that is not a status line
    (0, b"IGD PRESENT OK - 1 IGD\nIGD at 127.0.0.2 answered | count=1\n"),
    # 4095 bytes exactly
    (0, b"IGD WAN OK - " + b"x" * (4095 - len(b"IGD WAN OK -  | a=1\n")) +
        b" | a=1\n"),
]

BAD = [
    # (exit code, output, a word expected in one of the reasons)
    (0, b"", "empty"),
    (0, b"IGD WAN OK - connected | a=1\n\n", "newline"),
    (0, b"IGD WAN OK - connected | a=1\r\n", "control"),
    (0, b"IGD WAN OK - con\x1b[31mnected | a=1\n", "control"),
    (0, b"IGD WAN OK - con\x00nected | a=1\n", "control"),
    (0, b"IGD WAN OK - con\x7fnected | a=1\n", "control"),
    (0, "IGD WAN OK - c1 \u009b31m | a=1\n".encode(), "control"),
    (0, b"IGD WAN OK - bad \xff\xfe utf8 | a=1\n", "UTF-8"),
    (0, b"IGD WAN OK - overlong \xc0\xaf | a=1\n", "UTF-8"),
    (0, b"IGD WAN OK - surrogate \xed\xa0\x80 | a=1\n", "UTF-8"),
    (0, b"IGD WAN OK - " + b"x" * 4100 + b" | a=1\n", "bytes"),
    # first line
    (0, b"WAN OK - connected | a=1\n", "first line"),
    (0, b"IGD wan OK - connected | a=1\n", "first line"),
    (0, b"IGD WAN Ok - connected | a=1\n", "first line"),
    (0, b"IGD WAN OK: connected | a=1\n", "first line"),
    (0, b"IGD WAN OK - | a=1\n", "first line"),
    (0, b" IGD WAN OK - connected | a=1\n", "first line"),
    # state and exit code
    (1, b"IGD WAN OK - connected | a=1\n", "exit code"),
    (0, b"IGD WAN CRITICAL - down | a=1\n", "exit code"),
    (139, b"IGD WAN OK - connected | a=1\n", "exit code"),
    (-1, b"IGD WAN OK - connected | a=1\n", "exit code"),
    # pipes
    (0, b"IGD WAN OK - connected\n", "'|'"),
    (0, b"IGD WAN OK - a|b | a=1\n", "'|'"),
    (0, b"IGD WAN OK - connected | a=1 | b=2\n", "'|'"),
    (0, b"IGD WAN OK - connected | a=1\nlong line\n", "spans lines"),
    (0, b"IGD WAN OK - connected |a=1\n", "space after"),
    (0, b"IGD WAN OK - connected | \n", "no perfdata"),
    (0, b"IGD WAN OK - connected | a=1 \n", "trailing space"),
    (0, b"IGD WAN OK - connected | a=1  b=2\n", "single spaces"),
    (0, b"IGD WAN OK - connected |  a=1\n", "single spaces"),
    # an injected status line
    (0, b"IGD PORTMAP OK - 1\nevil\nIGD PORTMAP OK - all fine | x=1\n",
     "status line"),
    (0, b"IGD PORTMAP OK - 1\n  igd portmap ok - all fine | x=1\n",
     "status line"),
    # labels
    (0, b"IGD WAN OK - x | a b=1\n", "no '='"),
    (0, b"IGD WAN OK - x | =1\n", "empty label"),
    (0, b"IGD WAN OK - x | a'b=1\n", "label"),
    (0, b"IGD WAN OK - x | 'a''b'=1\n", "quote"),
    (0, b"IGD WAN OK - x | 'a=b'=1\n", "label"),
    (0, b"IGD WAN OK - x | ''=1\n", "label"),
    (0, b"IGD WAN OK - x | 'open=1\n", "unterminated"),
    (0, b"IGD WAN OK - x | a=1 a=2\n", "duplicate"),
    (0, b"IGD WAN OK - x | 'a'=1 a=2\n", "duplicate"),
    # values and units
    (0, b"IGD WAN OK - x | a=\n", "value"),
    (0, b"IGD WAN OK - x | a=1,5\n", "value"),
    (0, b"IGD WAN OK - x | a=1e3\n", "value"),
    (0, b"IGD WAN OK - x | a=Us\n", "value"),		# U takes no unit
    (0, b"IGD WAN OK - x | a=u\n", "value"),
    (0, b"IGD WAN OK - x | a=UU\n", "value"),
    (0, b"IGD WAN OK - x | a=.5\n", "value"),
    (0, b"IGD WAN OK - x | a=5.\n", "value"),
    (0, b"IGD WAN OK - x | a=+5\n", "value"),
    (0, b"IGD WAN OK - x | a=1GB\n", "unit"),
    (0, b"IGD WAN OK - x | a=1kb\n", "unit"),
    (0, b"IGD WAN OK - x | a=1 s\n", "no '='"),
    # ranges, min, max, field count
    (0, b"IGD WAN OK - x | a=1;abc\n", "warn"),
    (0, b"IGD WAN OK - x | a=1;;20:10\n", "crit"),
    (0, b"IGD WAN OK - x | a=1;~:\n", "warn"),
    (0, b"IGD WAN OK - x | a=1;@\n", "warn"),
    (0, b"IGD WAN OK - x | a=1;:10\n", "warn"),
    (0, b"IGD WAN OK - x | a=1;10s\n", "warn"),
    (0, b"IGD WAN OK - x | a=1;;;x\n", "min"),
    (0, b"IGD WAN OK - x | a=1;;;;1:2\n", "max"),
    (0, b"IGD WAN OK - x | a=1;;;;;\n", "5 fields"),
]


def run_cli(exit_code, data):
    p = subprocess.run([sys.executable, os.path.join(HERE, "check_output.py"),
                        "--exit-code", str(exit_code)], input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode()


def main():
    n = 0
    for code, out in GOOD:
        errs = check_output.check(out, code)
        assert errs == [], "should be valid: %r -> %r" % (out[:100], errs)
        n += 1
    for code, out, word in BAD:
        errs = check_output.check(out, code)
        assert errs, "should be invalid: %r" % (out[:100],)
        assert any(word.lower() in e.lower() for e in errs), \
            "no reason mentions %r for %r: %r" % (word, out[:100], errs)
        n += 1
    for text, ok in [("10", True), ("10:", True), ("~:10", True),
                     ("10:20", True), ("@10:20", True), ("@~:0", True),
                     ("-5:-1", True), ("0.5:1.5", True), ("20:10", False),
                     ("", False), ("~:", False), ("@", False), ("a", False),
                     ("10:20:30", False), ("1e3", False)]:
        assert (check_output.check_range(text) is None) == ok, text
        n += 1
    # the command line
    rc, out = run_cli(0, GOOD[0][1])
    assert rc == 0 and out == "", (rc, out)
    rc, out = run_cli(1, GOOD[0][1])
    assert rc == 1 and "exit code" in out, (rc, out)
    rc, out = run_cli(0, b"")
    assert rc == 1 and "empty" in out, (rc, out)
    n += 3
    print("test_check_output: %d checks passed" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
