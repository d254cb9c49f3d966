#!/usr/bin/env python3
"""Print what the Interface Statistics Blocks of a pcapng file say, one line per interface
(its last block, should there be several):

    NAME<TAB>IFRECV<TAB>IFDROP<TAB>OSDROP<TAB>COMMENT

NAME is the interface's if_name from its Interface Description Block; a missing option prints
as -. Only what the tests need of pcapng: one section, either byte order.

usage: isb_stats.py FILE
"""
import struct
import sys

SHB, IDB, ISB = 0x0A0D0D0A, 0x00000001, 0x00000005


def options(buf, endian):
    out = {}
    at = 0
    while at + 4 <= len(buf):
        code, length = struct.unpack_from(endian + "HH", buf, at)
        if code == 0:
            break
        out[code] = buf[at + 4 : at + 4 + length]
        at += 4 + ((length + 3) & ~3)
    return out


def main():
    data = open(sys.argv[1], "rb").read()
    endian, names, at, last = "<", [], 0, {}
    while at + 12 <= len(data):
        btype = struct.unpack_from("<I", data, at)[0]
        if btype == SHB:
            endian = "<" if struct.unpack_from("<I", data, at + 8)[0] == 0x1A2B3C4D else ">"
        length = struct.unpack_from(endian + "I", data, at + 4)[0]
        body = data[at + 8 : at + length - 4]
        if btype == IDB:
            opts = options(body[8:], endian)
            names.append(opts.get(2, b"?").decode(errors="replace"))
        elif btype == ISB:
            if_id = struct.unpack_from(endian + "I", body, 0)[0]
            opts = options(body[12:], endian)

            def u64(code):
                v = opts.get(code)
                return str(struct.unpack(endian + "Q", v)[0]) if v and len(v) == 8 else "-"

            name = names[if_id] if if_id < len(names) else "?"
            comment = opts.get(1, b"-").decode(errors="replace")
            last[if_id] = "\t".join([name, u64(4), u64(5), u64(7), comment])
        if length < 12:
            break
        at += length
    for if_id in sorted(last):
        print(last[if_id])


if __name__ == "__main__":
    main()
