#!/usr/bin/env python3
"""Play Wireshark's part on an extcap's control pipes, as its GUI does (ui/qt/interface_toolbar):
open CONTROL_IN (the extcap reads it) for writing in the main thread and CONTROL_OUT (the extcap
writes it) for reading in another, each waiting for the extcap; send "initialized"; then send
what the test asks for, and log every frame the extcap sends.

usage: control_pipe.py CONTROL_IN CONTROL_OUT RECEIVED COMMANDS

RECEIVED gets one line per frame received: NUM<TAB>COMMAND<TAB>PAYLOAD (newlines and
backslashes in the payload escaped). COMMANDS is a FIFO the test writes lines to:
    set NUM [TEXT]   a "set" frame for control NUM (a button: no TEXT)
    raw HEX          these bytes as they are (a malformed frame)
    quit             close the pipes and exit
Frame: 'T', 3-byte big-endian length (payload + 2), control number, command, payload.
"""
import os
import struct
import sys
import threading

SET, INITIALIZED = 1, 0


def frame(num, cmd, payload=b""):
    n = len(payload) + 2
    return b"T" + struct.pack(">I", n)[1:] + bytes([num, cmd]) + payload


def reader(path, out_path):
    with open(path, "rb", buffering=0) as f, open(
        out_path, "a", buffering=1, encoding="utf-8", errors="backslashreplace"
    ) as out:
        buf = b""
        while True:
            data = f.read(65536)
            if not data:
                return
            buf += data
            while len(buf) >= 6:
                if buf[0:1] != b"T":
                    out.write("BAD\tsync\t%r\n" % buf[:16])
                    return
                n = struct.unpack(">I", b"\0" + buf[1:4])[0]
                if len(buf) < 4 + n:
                    break
                num, cmd, payload = buf[4], buf[5], buf[6 : 4 + n]
                text = payload.decode(errors="replace").replace("\\", "\\\\").replace("\n", "\\n")
                out.write("%d\t%d\t%s\n" % (num, cmd, text))
                buf = buf[4 + n :]


def main():
    control_in, control_out, received, commands = sys.argv[1:5]
    t = threading.Thread(target=reader, args=(control_out, received), daemon=True)
    t.start()
    fd = os.open(control_in, os.O_WRONLY)
    os.write(fd, frame(0, INITIALIZED))
    # Read and write: never at end of file between two writers (a line written while a
    # reader closes its end would be lost).
    with os.fdopen(os.open(commands, os.O_RDWR), "r") as cmds:
        for line in cmds:
            words = line.rstrip("\n").split(" ", 2)
            if words[0] == "quit":
                os.close(fd)
                t.join(5)
                return
            if words[0] == "set":
                text = words[2] if len(words) > 2 else ""
                os.write(fd, frame(int(words[1]), SET, text.encode()))
            elif words[0] == "raw":
                os.write(fd, bytes.fromhex(words[1]))


if __name__ == "__main__":
    main()
