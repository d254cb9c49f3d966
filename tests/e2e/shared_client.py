#!/usr/bin/env python3
# One TLS connection used by two processes: the parent handshakes and sends GET /shared/1, then
# forks; the child reads that answer, sends GET /shared/2 and reads its answer. Prints the
# child's pid. Usage: shared_client.py PORT
import os
import socket
import ssl
import sys

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # no session tickets arriving after the handshake
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))


def get(path):
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")


def answer():
    data = b""
    while True:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")]
            if length and len(body) >= length[0]:
                return body
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("connection closed")
        data += chunk


get(b"/shared/1")
child = os.fork()
if child == 0:
    if b"/shared/1" not in answer():
        os._exit(1)
    get(b"/shared/2")
    os._exit(0 if b"/shared/2" in answer() else 1)
print(child, flush=True)
_, status = os.waitpid(child, 0)
sys.exit(0 if status == 0 else "the child failed")
