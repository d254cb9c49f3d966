#!/usr/bin/env python3
"""Seeds that are not ELF files: OpenSSL version texts (ssl_version), real TLS hellos made by
Python's ssl module in memory (tls_parse), record field layouts (record), frames of records as
the writer lays them out, several per input (dissector), process comments (comment), the
toolbar's control pipe streams as Wireshark writes them (control_frame), and the calibration
helper's answers as a library may garble them (helper_parse).
Usage: make_text_seeds.py CORPUS_DIR
"""
import os
import ssl
import struct
import sys


def write(d, name, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def versions(d):
    texts = [
        "OpenSSL 3.0.22 25 Aug 2026",
        "OpenSSL 1.1.1w  11 Sep 2023",
        "OpenSSL 1.0.2zi  1 Aug 2023",
        "OpenSSL 3.0.13+quic 30 Jan 2024",
        "OpenSSL 3.4.0-dev  xx XXX xxxx",
        "LibreSSL 3.8.2",
    ]
    for i, t in enumerate(texts):
        write(d, "text%d" % i, t.encode() + b"\n")


def hellos(d):
    """ClientHello and the server's first flight, TLS 1.3 and 1.2, from a handshake in memory."""
    cert = os.environ.get("SEED_CERT")
    key = os.environ.get("SEED_KEY")
    for tag, ver in (("tls13", ssl.TLSVersion.TLSv1_3), ("tls12", ssl.TLSVersion.TLSv1_2)):
        cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        cctx.check_hostname = False
        cctx.verify_mode = ssl.CERT_NONE
        cctx.maximum_version = ver
        cin, cout = ssl.MemoryBIO(), ssl.MemoryBIO()
        c = cctx.wrap_bio(cin, cout, server_hostname="seed.example")
        try:
            c.do_handshake()
        except ssl.SSLWantReadError:
            pass
        ch = cout.read()
        write(d, "client_hello_" + tag, ch)
        if not (cert and key):
            continue
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(cert, key)
        sin, sout = ssl.MemoryBIO(), ssl.MemoryBIO()
        s = sctx.wrap_bio(sin, sout, server_side=True)
        sin.write(ch)
        try:
            s.do_handshake()
        except ssl.SSLWantReadError:
            pass
        flight = sout.read()
        # the ServerHello record alone: the parser reads the first record
        rec_len = struct.unpack(">H", flight[3:5])[0]
        write(d, "server_hello_" + tag, flight[:5 + rec_len])


def records(d):
    """Inputs of fuzz_record: a prefix length, then the fields in its order, then the data."""
    def rec(before, family, cmd, data, comm=b"curl"):
        b = bytes([before, 1, 0, 1]) + struct.pack("<H", 0)
        b += struct.pack("<IIIiI", 1234, 1235, 0, 5, len(data))
        b += struct.pack("<Q", 0x7F0012345678)
        b += comm.ljust(16, b"\0")[:16]
        b += bytes([family]) + bytes(range(16)) + bytes(range(16, 32))
        b += struct.pack("<HH", 443, 51000)
        if cmd is None:
            b += struct.pack("<H", 0xFFFF)
        else:
            b += struct.pack("<H", len(cmd)) + cmd
        return b + data

    write(d, "v4", rec(0, 1, b"curl -sk https://127.0.0.1/", b"GET / HTTP/1.1\r\n\r\n"))
    write(d, "v6_after", rec(7, 2, b"", b"HTTP/1.1 200 OK\r\n"))
    write(d, "no_tuple", rec(3, 0, None, b"\x00\x00\x00\x00\x01\x00\x00\x00ls -l"))
    write(d, "long_cmdline", rec(0, 1, None, b"x")[:-3] + struct.pack("<H", 0xFFFE) + b"\x05")
    write(d, "comm_escapes", rec(1, 3, b'a "b" \\c', b"", comm=b"\x1b]0;x\x07name\xff"))


def tag(t, v):
    padded = v + b"\0" * (-len(v) % 4)
    return struct.pack(">HH", t, len(padded)) + padded


def record(rtype, direction, source, data, conn=0x7F00AA, v4=True, tuple_=True,
           cmd=b"curl -sk https://127.0.0.1/", comm=b"curl", flags=0, data_len=None):
    """One exported-PDU frame as the record writer makes it (ecapture/record.h)."""
    b = tag(12, b"ecapture")
    if tuple_:
        a, z = (bytes([127, 0, 0, 1]), bytes([127, 0, 0, 2])) if v4 else (
            bytes(15) + b"\1", bytes(15) + b"\2")
        if direction == 1:
            a, z = z, a
        sport, dport = (51000, 443) if direction == 0 else (443, 51000)
        b += tag(20 if v4 else 22, a) + tag(21 if v4 else 23, z)
        b += tag(24, struct.pack(">I", 2)) + tag(25, struct.pack(">I", sport))
        b += tag(26, struct.pack(">I", dport))
    b += struct.pack(">HH", 0, 0)
    b += b"EC" + bytes([1, rtype]) + struct.pack(">IIIi", 1234, 1234, 0, 5)
    b += bytes([direction, source]) + struct.pack(">HIQ", flags,
                                                   len(data) if data_len is None else data_len,
                                                   conn)
    b += comm.ljust(16, b"\0") + struct.pack(">H", len(cmd)) + cmd
    return b + data


def dissector(d):
    sep = b"\n--ecfuzz--\n"
    req = b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl\r\n\r\n"
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    write(d, "http_exchange", record(1, 0, 1, req) + sep + record(1, 1, 1, resp))
    # a response split over two records: reassembly
    write(d, "http_split", record(1, 0, 1, req) + sep + record(1, 1, 1, resp[:20]) + sep +
          record(1, 1, 1, resp[20:]))
    write(d, "http2_preface", record(1, 0, 4, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" +
                                     bytes.fromhex("000000040000000000"), v4=False))
    write(d, "no_tuple_truncated", record(1, 0, 2, b"GET / HTTP/1.1\r\n", tuple_=False,
                                          flags=1, data_len=4096))
    # database clients' plaintext, told by their first message: PostgreSQL, MySQL, Redis (RESP)
    startup = b"user\0postgres\0database\0postgres\0\0"
    startup = struct.pack(">II", 8 + len(startup), 0x30000) + startup
    query = b"SELECT 'x' AS q\0"
    write(d, "pgsql", record(1, 0, 1, startup) + sep +
          record(1, 0, 1, b"Q" + struct.pack(">I", 4 + len(query)) + query) + sep +
          record(1, 1, 1, b"Z" + struct.pack(">I", 5) + b"I"))
    login = struct.pack("<I", 0x00bfaa84) + struct.pack("<I", 1 << 24) + b"\x21" + bytes(23)
    login += b"root\0\0mysql_native_password\0"
    login = struct.pack("<I", len(login))[:3] + b"\x02" + login
    com_query = b"\x03SELECT 'x' AS q"
    write(d, "mysql_login", record(1, 0, 1, login) + sep +
          record(1, 0, 1, struct.pack("<I", len(com_query))[:3] + b"\0" + com_query))
    write(d, "resp", record(1, 0, 1, b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n") + sep +
          record(1, 1, 1, b"$3\r\nab") + sep + record(1, 1, 1, b"c\r\n"))
    audit = struct.pack(">IB3x", 0, 0) + b"ls -la /tmp"
    write(d, "bash", record(2, 1, 16, audit, tuple_=False, cmd=b"-bash", comm=b"bash"))
    sql = struct.pack(">IB3x", 1064, 1) + b"SELECT * FROM t WHERE a = 'x'"
    write(d, "mysql", record(3, 1, 32, sql, tuple_=False, cmd=b"/usr/sbin/mysqld",
                             comm=b"mysqld"))
    pg = struct.pack(">IB3x", 0x80000000, 2) + b"SELECT 1"
    write(d, "postgres", record(3, 1, 34, pg, tuple_=False, cmd=b"postgres: main",
                                comm=b"postgres"))


def comments(d):
    """Inputs of fuzz_comment: comm, pid, tid, uid, fd, a cmdline flag and the cmdline; and
    comments as a file may hold them, for the parser alone."""
    def fields(comm, fd, cmd):
        b = comm.ljust(16, b"\0")[:16] + struct.pack("<IIIi", 1234, 1235, 0, fd)
        return b + (bytes([1]) + cmd if cmd is not None else bytes([0]))

    write(d, "curl", fields(b"curl", 5, b"curl -sk https://127.0.0.1/"))
    write(d, "no_fd_no_cmdline", fields(b"kworker/0:1", -1, None))
    write(d, "quotes", fields(b'a "b" \\', 3, b'sh -c "echo \\"hi\\""'))
    write(d, "escapes", fields(b"\x1b[31mred\xff\xfe", 0, b"\x1b]0;title\x07"))
    write(d, "raw_comment", b'my prog pid=1 tid=2 uid=3 fd=-1 cmdline="a \\"b\\""')
    write(d, "raw_decoy", b"x pid=1 tid=1 uid=1 pid=2 tid=2 uid=2 fd=4")


def control_frames(d):
    def frame(num, cmd, payload=b""):
        n = len(payload) + 2
        return b"T" + struct.pack(">I", n)[1:] + bytes([num, cmd]) + payload

    write(d, "init_set", frame(0, 0) + frame(1, 1, b"123,456") + frame(2, 1, b"1000"))
    write(d, "button", frame(3, 1))
    write(d, "junk", b"xyT\x00\x00\x01z" + frame(1, 1, b"abc"))
    write(d, "partial", frame(1, 1, b"12")[:5])


def helper_outputs(d):
    """The calibration helper's stdout (calibrate/main.c): its answers, an error, and what a
    library it ran may mix in (lines without '=', a repeated key, an empty key, CRLF)."""
    ok = (b"libgnutls=/usr/lib/x86_64-linux-gnu/libgnutls.so.30\n"
          b"sandbox_uid=65534\nsandbox=session nobody pidns netns nnp seccomp\n"
          b"sandbox_missing=\nversion_text=3.7.9\nsession_key=24\nrecord_version=1\n"
          b"elapsed_us=5123\nstatus=ok\n")
    write(d, "gnutls_ok", ok)
    write(d, "openssl_ok", b"libssl=/usr/lib/x86_64-linux-gnu/libssl.so.3\nsandbox_uid=65534\n"
          b"version_num=0x300000d0\nssl_session=1232\ns3=168\nelapsed_us=812\nstatus=ok\n")
    write(d, "error", b"sandbox_uid=65534\nstatus=error\n"
          b"error=cannot load /x/libssl.so.3: libcrypto.so.3: cannot open shared object file\n")
    write(d, "library_noise", b"hello from a constructor\n" + ok + b"bye")
    write(d, "repeated", b"status=ok\nx=1\nstatus=error\n")
    write(d, "odd_keys", b"=empty key\nk==v=w\r\n\n\n=\nno newline at end=")


def main():
    out = sys.argv[1]
    versions(os.path.join(out, "ssl_version"))
    hellos(os.path.join(out, "tls_parse"))
    records(os.path.join(out, "record"))
    dissector(os.path.join(out, "dissector"))
    comments(os.path.join(out, "comment"))
    control_frames(os.path.join(out, "control_frame"))
    helper_outputs(os.path.join(out, "helper_parse"))


if __name__ == "__main__":
    main()
