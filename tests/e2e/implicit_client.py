#!/usr/bin/env python3
"""An HTTPS client whose handshakes happen inside SSL_write: CPython's ssl module with
do_handshake_on_connect=False never calls SSL_do_handshake, and calls SSL_get_error only when a
call fails. Connection 1 asks for PREFIX1, then waits for GATE (a file) and asks for PREFIX2 on
the same connection; a second connection then asks for PREFIX3.

usage: implicit_client.py PORT PREFIX TLSVERSION(1.2|1.3) GATE
"""
import os
import socket
import ssl
import sys
import time

port, prefix, version, gate = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
v = ssl.TLSVersion.TLSv1_3 if version == "1.3" else ssl.TLSVersion.TLSv1_2
ctx.minimum_version = ctx.maximum_version = v


def connect():
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    return ctx.wrap_socket(raw, do_handshake_on_connect=False)


def get(conn, path):
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    want, got = f"path {path}\n".encode(), b""
    while want not in got:
        chunk = conn.recv(4096)
        if not chunk:
            sys.exit(f"connection closed before the answer to {path}")
        got += chunk


first = connect()
get(first, f"{prefix}1")
for _ in range(600):
    if os.path.exists(gate):
        break
    time.sleep(0.05)
else:
    sys.exit("the gate never opened")
get(first, f"{prefix}2")
second = connect()
get(second, f"{prefix}3")
second.close()
first.close()
