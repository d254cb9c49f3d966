#!/usr/bin/env python3
"""Drive an interactive shell through a pseudo-terminal, as a person typing.

usage: pty_shell.py SHELL COMMANDS_FILE PID_FILE [UID GID [GATE]]

Starts SHELL interactively (bash --norc --noprofile -i, zsh -f -i) on a new pty, as UID/GID if
given, with a prompt we know. Each line of COMMANDS_FILE is typed followed by Enter, and the next
is typed only once the shell prompts again. At the end it types `exit 0` and waits for the
shell. The shell's pid goes to PID_FILE once it shows its first prompt; everything the terminal showed goes
to stdout. With GATE, the first command is typed only once the file GATE exists (the shell
waits at its first prompt meanwhile). Exits non-zero if the shell stops prompting.
"""
import os
import pty
import select
import signal
import sys
import time

PROMPT = b"EC-PROMPT> "


def main():
    shell, commands_file, pid_file = sys.argv[1:4]
    uid = int(sys.argv[4]) if len(sys.argv) > 4 else None
    gid = int(sys.argv[5]) if len(sys.argv) > 5 else None
    gate = sys.argv[6] if len(sys.argv) > 6 else None
    with open(commands_file, "rb") as f:
        commands = [line.rstrip(b"\n") for line in f]
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TERM": "dumb",
        "PS1": PROMPT.decode(),
        "PS2": PROMPT.decode(),
        "HISTFILE": "/dev/null",
        "LANG": "C.UTF-8",
    }
    if os.path.basename(shell) == "zsh":
        argv = [shell, "-f", "-i"]
    else:
        argv = [shell, "--norc", "--noprofile", "-i"]
    pid, fd = pty.fork()
    if pid == 0:
        if gid is not None:
            os.setgroups([])
            os.setgid(gid)
        if uid is not None:
            os.setuid(uid)
        os.chdir("/tmp")
        os.execve(shell, argv, env)
    # Non-blocking: a blocking write of a long line would wait for the shell to read it while
    # the shell waits for us to read its echo of that line (both sides' buffers full).
    os.set_blocking(fd, False)
    seen = bytearray()

    def pump(pending, want_prompts, timeout):
        """Write PENDING while reading, until WANT_PROMPTS prompts have been seen."""
        end = time.time() + timeout
        out = bytes(pending)
        while time.time() < end:
            if not out and seen.count(PROMPT) >= want_prompts:
                return True
            r, w, _ = select.select([fd], [fd] if out else [], [], 0.2)
            if r:
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    data = None
                except OSError:
                    return False
                if data is not None:
                    if not data:
                        return False
                    seen.extend(data)
            if w and out:
                try:
                    out = out[os.write(fd, out[:1024]):]
                except BlockingIOError:
                    pass
        return False

    ok = pump(b"", 1, 20)
    with open(pid_file + ".tmp", "w") as f:
        f.write("%d\n" % pid)
    os.rename(pid_file + ".tmp", pid_file)
    end = time.time() + 60
    while ok and gate and not os.path.exists(gate):
        pump(b"", 1, 0.2)
        if time.time() > end:
            sys.stderr.write("the gate %s never opened\n" % gate)
            ok = False
    for i, cmd in enumerate(commands):
        if not ok:
            break
        ok = pump(cmd + b"\r", i + 2, 60)
        if not ok:
            sys.stderr.write("no prompt after command %d\n" % (i + 1))
    if ok:
        pump(b"exit 0\r", 10**9, 2)
    # Never leave a shell waiting for input behind (nor wait for it forever).
    end = time.time() + (10 if ok else 0)
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.time() >= end:
            if ok:
                sys.stderr.write("the shell did not exit\n")
                ok = False
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        pump(b"", 10**9, 0.2)
    sys.stdout.buffer.write(bytes(seen))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
