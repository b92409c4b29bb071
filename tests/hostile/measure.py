#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""measure.py: run one command, report its exit code, wall time and peak RSS.

    measure.py --kill-after SECONDS --stdout FILE --stderr FILE -- CMD ARGS...

Prints one line "EXIT WALL_SECONDS MAXRSS_KB" on standard output.  EXIT is
the command's exit code, 128+N when signal N ended it, or "killed" when it
still ran after --kill-after seconds (its process group is then killed).
Peak RSS comes from GNU time (/usr/bin/time -f %M) when it is installed:
ru_maxrss of a child forked straight from this Python process would count
the interpreter's own pages (a child keeps its pre-exec high-water mark,
about 14 MiB here even for /bin/true).  Without GNU time, VmHWM of
/proc/PID/status is polled every 2 ms (a peak in the last 2 ms may be
missed).  Python 3 standard library only.
"""

import argparse
import os
import signal
import subprocess
import sys
import time


def vm_hwm(pid):
    """VmHWM of pid in KiB, 0 when unreadable."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for ln in f:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def stuck_report(pgid, secs):
    """What each process of group pgid is doing: state, wait channel,
    current system call (number and arguments) and kernel stack."""
    lines = ["measure: still running after %.1f s, killing process group %d"
             % (secs, pgid)]
    for ent in os.listdir("/proc"):
        if not ent.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % ent) as f:
                stat = f.read()
            rest = stat.rsplit(")", 1)[1].split()
            if int(rest[2]) != pgid:
                continue
            comm = stat.split("(", 1)[1].rsplit(")", 1)[0]
            info = {}
            for name in ("wchan", "syscall", "stack"):
                try:
                    with open("/proc/%s/%s" % (ent, name)) as f:
                        info[name] = f.read().strip().replace("\n", " <- ")
                except OSError as e:
                    info[name] = "(%s)" % e.strerror
            lines.append("measure: pid %s %s state %s wchan %s syscall %s "
                         "stack %s" % (ent, comm, rest[0], info["wchan"],
                                       info["syscall"], info["stack"][:400]))
        except (OSError, IndexError, ValueError):
            continue
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kill-after", type=float, required=True)
    ap.add_argument("--stdout", required=True)
    ap.add_argument("--stderr", required=True)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    o = ap.parse_args()
    cmd = o.cmd[1:] if o.cmd and o.cmd[0] == "--" else o.cmd
    if not cmd:
        ap.error("no command")
    gnu_time = "/usr/bin/time"
    use_time = os.access(gnu_time, os.X_OK) and not os.environ.get(
        "MEASURE_NO_GNU_TIME")
    rss_file = o.stdout + ".rss"
    if use_time:
        cmd = [gnu_time, "-f", "%M", "-o", rss_file, "--"] + cmd
    peak = 0
    with open(o.stdout, "wb") as out, open(o.stderr, "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, start_new_session=True)
        end = t0 + o.kill_after
        rc = None
        while rc is None and time.monotonic() < end:
            if not use_time:
                peak = max(peak, vm_hwm(p.pid))
                time.sleep(0.002)
                rc = p.poll()
            else:
                try:
                    rc = p.wait(timeout=max(0.0, end - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
        if rc is None:
            err.write(stuck_report(p.pid, time.monotonic() - t0).encode())
            err.flush()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            p.wait()
            status = "killed"
        else:
            status = str(rc if rc >= 0 else 128 - rc)
        wall = time.monotonic() - t0
    rss = peak
    if use_time:
        try:
            with open(rss_file) as f:
                lines = [ln for ln in f.read().split() if ln.isdigit()]
            rss = int(lines[-1]) if lines else 0
            os.unlink(rss_file)
        except OSError:
            rss = 0
    print("%s %.3f %d" % (status, wall, rss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
