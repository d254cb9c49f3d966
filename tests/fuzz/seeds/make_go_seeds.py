#!/usr/bin/env python3
"""Small synthetic Go executables for the go_elf corpus (a real Go binary is over 1 MB).

Each is an x86-64 ELF file with the parts ec_go_open and ec_go_target_plan read: a function
table in one of Go's formats (1.2, 1.16, 1.18, 1.20), build info (inline or pointer form), and
crypto/tls functions with real machine code (a stack check, a call to writeKeyLog, RETs).
Usage: make_go_seeds.py OUTDIR
"""
import os
import struct
import sys

BASE = 0x400000
ALIGN = 16


def pad(b, n):
    return b + b"\0" * (-len(b) % n)


def code(text_vaddr, keylog_only=False):
    """The functions, in address order: (name, bytes). writeRecordLocked calls writeKeyLog.
    KEYLOG_ONLY: writeKeyLog alone, called by nothing (inlined everywhere)."""
    funcs = [("runtime.main", b"\xc3"), ("crypto/tls.(*Config).writeKeyLog", b"\xc3")]
    if keylog_only:
        return [(name, b + b"\xcc" * (16 - len(b))) for name, b in funcs]
    keylog = text_vaddr + 16
    wr_addr = text_vaddr + 32
    rel = keylog - (wr_addr + 5)
    funcs.append(("crypto/tls.(*Conn).writeRecordLocked", b"\xe8" + struct.pack("<i", rel) + b"\xc3"))
    # cmp rsp,[r14+0x10]; jbe morestack; body: nop x3, ret; morestack: call; jmp entry
    rd = bytes.fromhex("493b6610" "7604" "909090c3" "e800000000" "ebef")
    funcs.append(("crypto/tls.(*Conn).Read", rd))
    out = []
    for name, b in funcs:
        out.append((name, b + b"\xcc" * (-len(b) % 32 if len(b) > 16 else 16 - len(b))))
    return out


def names_table(funcs):
    blob, offs = b"", []
    for name, _ in funcs:
        offs.append(len(blob))
        blob += name.encode() + b"\0"
    return blob, offs


def pclntab(fmt, funcs, text_vaddr, text_start_in_header):
    """The function table of FORMAT ('1.2', '1.16', '1.18', '1.20') for FUNCS placed in .text."""
    addrs, a = [], text_vaddr
    for _, b in funcs:
        addrs.append(a)
        a += len(b)
    end = a
    names, noffs = names_table(funcs)
    n = len(funcs)
    if fmt in ("1.18", "1.20"):
        magic = 0xFFFFFFF0 if fmt == "1.18" else 0xFFFFFFF1
        hdr_len = 8 + 8 * 8
        names_off = hdr_len
        functab_off = pad(b"\0" * (names_off + len(names)), 8).__len__()
        ftab_len = (n + 1) * 8
        funcs_off = functab_off + ftab_len  # _func records, 8 bytes each here
        ftab, fdata = b"", b""
        for i in range(n):
            ftab += struct.pack("<II", addrs[i] - text_vaddr, funcs_off - functab_off + 8 * i)
            fdata += struct.pack("<Ii", addrs[i] - text_vaddr, noffs[i])
        ftab += struct.pack("<II", end - text_vaddr, 0)
        ts = text_vaddr if text_start_in_header else 0
        hdr = struct.pack("<IBBBB", magic, 0, 0, 1, 8)
        hdr += struct.pack("<QQQQQQQQ", n, 1, ts, names_off, 0, 0, 0, functab_off)
        body = pad(hdr + names, 8)
        return body + ftab + fdata
    if fmt == "1.16":
        hdr_len = 8 + 7 * 8
        names_off = hdr_len
        functab_off = len(pad(b"\0" * (names_off + len(names)), 8))
        ftab_len = (2 * n + 1) * 8
        funcs_off = functab_off + ftab_len
        ftab, fdata = b"", b""
        for i in range(n):
            ftab += struct.pack("<QQ", addrs[i], funcs_off - functab_off + 16 * i)
            fdata += struct.pack("<QiI", addrs[i], noffs[i], 0)
        ftab += struct.pack("<Q", end)
        hdr = struct.pack("<IBBBB", 0xFFFFFFFA, 0, 0, 1, 8)
        hdr += struct.pack("<QQQQQQQ", n, 1, names_off, 0, 0, 0, functab_off)
        return pad(hdr + names, 8) + ftab + fdata
    # Go 1.2: pairs right after nfunc, funcoff and name offsets from the table's start
    functab_off = 16
    ftab_len = (2 * n + 1) * 8
    funcs_off = functab_off + ftab_len
    names_off = funcs_off + 16 * n
    ftab, fdata = b"", b""
    for i in range(n):
        ftab += struct.pack("<QQ", addrs[i], funcs_off + 16 * i)
        fdata += struct.pack("<QiI", addrs[i], names_off + noffs[i], 0)
    ftab += struct.pack("<Q", end)
    hdr = struct.pack("<IBBBBQ", 0xFFFFFFFB, 0, 0, 1, 8, n)
    return hdr + ftab + fdata + names


def buildinfo(version, inline, vaddr):
    hdr = b"\xff Go buildinf:" + bytes([8, 2 if inline else 0])
    if inline:
        v = version.encode()
        return pad(hdr, 32) + bytes([len(v)]) + v + b"\0"
    # pointer form: +16 points at a string header (ptr, len) that points at the text
    strhdr_addr = vaddr + 32
    text_addr = vaddr + 48
    return (pad(hdr, 16) + struct.pack("<QQ", strhdr_addr, 0) +
            struct.pack("<QQ", text_addr, len(version)) + version.encode())


def elf(fmt, version, inline, sections=True, text_start_in_header=False, keylog_only=False):
    text_off = 0x200
    text_vaddr = BASE + text_off
    funcs = code(text_vaddr, keylog_only)
    text = b"".join(b for _, b in funcs)
    tab_off = text_off + len(pad(text, 64))
    tab = pclntab(fmt, funcs, text_vaddr, text_start_in_header)
    bi_off = tab_off + len(pad(tab, 64))
    bi = buildinfo(version, inline, BASE + bi_off)
    shstr_off = bi_off + len(pad(bi, 16))
    shstr = b"\0.text\0.gopclntab\0.go.buildinfo\0.shstrtab\0"
    sh_off = shstr_off + len(pad(shstr, 8))

    phdrs = [
        (1, 5, text_off, text_vaddr, len(text)),
        (1, 4, tab_off, BASE + tab_off, len(tab)),
        (1, 6, bi_off, BASE + bi_off, len(bi)),
    ]
    shnum = 5 if sections else 0
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, text_vaddr, 64, sh_off if sections else 0, 0,
                      64, 56, len(phdrs), 64, shnum, 4 if sections else 0)
    ph = b"".join(struct.pack("<IIQQQQQQ", t, fl, off, va, va, sz, sz, 0x1000)
                  for t, fl, off, va, sz in phdrs)
    img = bytearray(pad(eh + ph, 1) + b"\0" * (text_off - len(eh) - len(ph)))
    img += pad(text, 64) + pad(tab, 64) + pad(bi, 16) + pad(shstr, 8)
    if sections:
        def sh(name, typ, flags, addr, off, size, align):
            return struct.pack("<IIQQQQIIQQ", name, typ, flags, addr, off, size, 0, 0, align, 0)
        img += sh(0, 0, 0, 0, 0, 0, 0)
        img += sh(1, 1, 6, text_vaddr, text_off, len(text), 16)
        img += sh(7, 1, 2, BASE + tab_off, tab_off, len(tab), 8)
        img += sh(18, 1, 3, BASE + bi_off, bi_off, len(bi), 16)
        img += sh(32, 3, 0, 0, shstr_off, len(shstr), 1)
    return bytes(img)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        "go120": elf("1.20", "go1.21.0", True),
        "go118_textstart": elf("1.18", "go1.19.8", True, text_start_in_header=True),
        "go116_ptr_buildinfo": elf("1.16", "go1.16.15", False),
        "go12": elf("1.2", "go1.15.2", False),
        "go120_no_sections": elf("1.20", "go1.22.1", True, sections=False,
                                 text_start_in_header=True),
        "go116_no_version": elf("1.16", "", True),
        "go120_keylog_uncalled": elf("1.20", "go1.21.0", True, keylog_only=True),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
