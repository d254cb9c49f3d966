#!/usr/bin/env python3
"""Exit 1 (and say where) if stdin or the files named hold a byte a terminal acts on: a C0 control
other than newline, tab (and carriage return with --allow-cr), DEL, a C1 control as a raw byte or
as UTF-8 (U+0080-U+009F), a bidirectional control (U+061C, U+200E/F, U+202A-E, U+2066-9), U+2028/9,
or bytes that are not UTF-8. The rule of include/ecapture/escape.h, checked independently."""
import sys

BIDI = {0x061C, 0x200E, 0x200F, 0x2028, 0x2029} | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def check(name, data, allow_cr):
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        return f"{name}: not UTF-8 at byte {e.start}: {data[max(0, e.start - 40):e.start + 10]!r}"
    for i, ch in enumerate(text):
        c = ord(ch)
        ok_c0 = ch in "\n\t" or (allow_cr and ch == "\r")
        if (c < 0x20 and not ok_c0) or c == 0x7F or 0x80 <= c <= 0x9F or c in BIDI:
            return f"{name}: U+{c:04X} at character {i}: {text[max(0, i - 40):i + 10]!r}"
    return None


def main():
    args = sys.argv[1:]
    allow_cr = "--allow-cr" in args
    args = [a for a in args if a != "--allow-cr"]
    inputs = [(a, open(a, "rb").read()) for a in args] or [("stdin", sys.stdin.buffer.read())]
    bad = [m for m in (check(n, d, allow_cr) for n, d in inputs) if m]
    for m in bad:
        print(m, file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
