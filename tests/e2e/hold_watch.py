#!/usr/bin/env python3
"""Watch a process a capture may hold, and stop the capture's helper the moment it runs.

hold_watch.py --capture PID [--stop-capture] [--cont-after MS] [--timeout S] -- COMMAND...

Every half millisecond: the first child of the capture (its calibration helper, which runs while
a new library is planned) is sent SIGSTOP, and the capture too with --stop-capture; with
--cont-after, both get SIGCONT that long after. COMMAND is started here, and its state sampled
until it exits (and the helper ran) or the timeout ends (then it is killed). Prints key=value lines: helper (its pid,
or 0), traced_ms (how long COMMAND was seen in a tracing stop, State t), traced_after_helper_ms
(the same, counted from the helper's stop), exited (1/0), status (its exit status), elapsed_ms
(from its start to its exit).
"""
import argparse
import os
import signal
import subprocess
import time


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--capture", type=int, required=True)
    ap.add_argument("--stop-capture", action="store_true")
    ap.add_argument("--cont-after", type=float, default=0)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("command", nargs="+")
    a = ap.parse_args()
    start = time.monotonic()
    proc = subprocess.Popen(a.command)
    helper = 0
    stopped_at = None
    continued = False
    traced = traced_after = 0.0
    exited = 0
    last = start
    ended = start
    while True:
        now = time.monotonic()
        if now - start > a.timeout:
            break
        if not helper:
            kids = children(a.capture)
            if kids:
                helper = kids[0]
                os.kill(helper, signal.SIGSTOP)
                if a.stop_capture:
                    os.kill(a.capture, signal.SIGSTOP)
                stopped_at = now
        elif a.cont_after and not continued and now - stopped_at >= a.cont_after / 1000:
            if a.stop_capture:
                os.kill(a.capture, signal.SIGCONT)
            os.kill(helper, signal.SIGCONT)
            continued = True
        st = state(proc.pid) if not exited else None
        if st is None or st in ("Z", "X"):
            if not exited:
                ended = now
            exited = 1
            # The helper runs in the background: a command not held may end before it starts.
            if helper:
                break
            time.sleep(0.0005)
            continue
        if st == "t":
            traced += now - last
            if stopped_at is not None:
                traced_after += now - last
        last = now
        time.sleep(0.0005)
    elapsed = (ended if exited else time.monotonic()) - start
    if not exited:
        proc.kill()
    try:
        # A process still traced is reaped by us only once its tracer has seen its end.
        status = proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        status = -1
    print(f"helper={helper}")
    print(f"traced_ms={int(traced * 1000)}")
    print(f"traced_after_helper_ms={int(traced_after * 1000)}")
    print(f"exited={exited}")
    print(f"status={status}")
    print(f"elapsed_ms={int(elapsed * 1000)}")


if __name__ == "__main__":
    main()
