#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A verdict written into a stdout nobody reads ends by the backstop.

check_igd_portmap judges a saved table of 3000 mappings (offline, no device)
with -t T, once to a file (the reference: its exit code) and then with its
stdout a pipe that this script does not read until the plugin is gone:

  json   --format json: the document (about 1 MB) is larger than the pipe
  text   the text verdict, into a pipe shrunk to one page, 3000 bytes of it
         taken first (the text, under PIPE_BUF, waits to go in whole)

Each blocked run must end within T + 0.5 s (the backstop's moment, the
product's promise) plus SLACK seconds for a loaded machine (default 1.5,
env BLOCKED_SLACK), with the exit code of the reference run (the state its
output says), and what reached the pipe must be the start of the plugin's
own output only: no backstop line or second document written into it.
Before the fix the backstop was disarmed before the write and the plugin
blocked for ever (killed here after 20 s: FAIL).
"""
import fcntl
import os
import subprocess
import sys
import tempfile
import time

F_SETPIPE_SZ = 1031
T = 2.0
SLACK = float(os.environ.get("BLOCKED_SLACK", "1.5"))
KILL_AFTER = 20.0

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
plugins = os.environ.get("PLUGINS_DIR", os.path.join(repo, "plugins"))
portmap = os.path.join(plugins, "check_igd_portmap")
fails = 0
passes = 0


def check(what, cond, why=""):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print("FAIL %s%s" % (what, (": " + why) if why else ""))


def write_table(path, n):
    with open(path, "w") as f:
        f.write('version: 1\ncomplete: true\nexternal_address: "11.22.33.44"\n'
                'mappings:\n')
        for i in range(n):
            f.write('  - protocol: TCP\n    external_port: %d\n'
                    '    internal_client: "192.168.1.%d"\n'
                    '    internal_port: %d\n    description: "app %d"\n'
                    '    lease: 3600\n    service: 1\n'
                    % (20000 + i, 2 + i % 200, 1000 + i, i))


def drain(fd):
    out = b""
    while True:
        try:
            b = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not b:
            break
        out += b
    return out


def blocked_run(name, args, fill):
    """Run with stdout a pipe not read; fill: shrink it to a page and take
    most of it first.  Returns (exit code or None, seconds, bytes the plugin
    wrote)."""
    r, w = os.pipe()
    prefill = b""
    if fill:
        # one page, most of it taken: the verdict cannot get in
        fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
        prefill = b"#" * 3000
        os.write(w, prefill)
    start = time.monotonic()
    p = subprocess.Popen([portmap] + args, stdout=w,
                         stderr=subprocess.DEVNULL)
    os.close(w)
    try:
        rc = p.wait(timeout=KILL_AFTER)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = None
    took = time.monotonic() - start
    fl = fcntl.fcntl(r, fcntl.F_GETFL)
    fcntl.fcntl(r, fcntl.F_SETFL, fl | os.O_NONBLOCK)
    got = drain(r)
    os.close(r)
    check("%s: the prefill is read back first" % name,
          got[:len(prefill)] == prefill)
    return rc, took, got[len(prefill):]


def main():
    if not os.access(portmap, os.X_OK):
        print("blocked stdout: %s not built" % portmap)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        table = os.path.join(tmp, "big.yaml")
        write_table(table, 3000)
        base = ["--table", table, "--no-state", "-t", "%g" % T]
        for name, extra, fill in (("json", ["--format", "json"], False),
                                  ("text", [], True)):
            ref = subprocess.run([portmap] + base + extra,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)
            check("%s: reference run has a verdict" % name,
                  ref.returncode in (0, 1, 2, 3) and len(ref.stdout) > 0)
            if name == "json":
                check("json: the document is larger than a pipe",
                      len(ref.stdout) > 256 * 1024, str(len(ref.stdout)))
            rc, took, got = blocked_run(name, base + extra, fill)
            bound = T + 0.5 + SLACK
            check("%s: ends within -t + 0.5 s + %.1f s slack" % (name, SLACK),
                  rc is not None and took <= bound,
                  "still running after %.1f s, killed" % took if rc is None
                  else "took %.2f s" % took)
            check("%s: exit code %s is the verdict's %d" %
                  (name, rc, ref.returncode), rc == ref.returncode)
            check("%s: nothing but the plugin's own output" % name,
                  b"backstop" not in got and b"timed out" not in got and
                  got.count(b'{"plugin"') <= 1 and
                  got.count(b"IGD PORTMAP") <= 2, repr(got[-200:]))
            if name == "json":
                check("json: the document's start reached the pipe, not "
                      "all of it", got[:24] == ref.stdout[:24] and
                      0 < len(got) < len(ref.stdout),
                      "%r, %d of %d bytes" % (got[:40], len(got),
                                              len(ref.stdout)))
            else:
                # a text under PIPE_BUF is written whole or not at all
                check("text: none of it reached the pipe (%d bytes, written "
                      "at once)" % len(ref.stdout),
                      len(ref.stdout) < 4096 and got == b"", repr(got[:80]))
            print("%s: exit %s after %.2f s, %d bytes reached the pipe" %
                  (name, rc, took, len(got)))
    print("blocked stdout: %d passed, %d failed" % (passes, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
