#!/usr/bin/env python3
"""Check the records tshark showed against the ones expected.

usage: check_records.py ACTUAL EXPECTED [SKIP]

EXPECTED: tab-separated lines: some attributes (pid, status, ...), then the text last.
ACTUAL: tshark -T fields output with SKIP leading columns to ignore, then the same attributes
and the text; other records may be there too. Each expected text must appear exactly once in
ACTUAL, with the same attributes. Prints one line per problem; exits 1 if there is any.
"""
import sys


def rows(path, nattrs, skip):
    out = []
    with open(path, "rb") as f:
        for line in f:
            parts = line.rstrip(b"\n").split(b"\t", skip + nattrs)
            if len(parts) == skip + nattrs + 1:
                out.append(parts[skip:])
    return out


def short(text):
    return text if len(text) <= 80 else text[:60] + b"...(%d bytes)" % len(text)


def main():
    skip = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    with open(sys.argv[2], "rb") as f:
        first = f.readline()
    nattrs = first.count(b"\t")
    expected = rows(sys.argv[2], nattrs, 0)
    actual = rows(sys.argv[1], nattrs, skip)
    problems = 0
    for exp in expected:
        text = exp[-1]
        seen = [r for r in actual if r[-1] == text]
        what = short(text).decode(errors="replace")
        if len(seen) != 1:
            print("seen %d times (want 1): %s" % (len(seen), what))
            problems += 1
            continue
        if seen[0][:-1] != exp[:-1]:
            print("%s (want %s): %s" % (
                b" ".join(seen[0][:-1]).decode(), b" ".join(exp[:-1]).decode(), what))
            problems += 1
    print("%d of %d records exactly once with the right attributes" % (
        len(expected) - problems, len(expected)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
