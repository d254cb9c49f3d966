#!/usr/bin/env python3
"""A small SMTP server speaking STARTTLS, for tests: one client at a time, on 127.0.0.1:PORT.

Usage: smtp_starttls_server.py PORT CERT KEY READY_FILE
It answers EHLO/HELO, STARTTLS (then TLS, with ssl), MAIL, RCPT, DATA, RSET, NOOP and QUIT, and
writes READY_FILE once it listens. What it was sent after STARTTLS goes to stdout, one line each.
"""
import socket
import ssl
import sys


def serve(conn, ctx):
    f = conn.makefile("rwb", buffering=0)
    tls = False

    def say(line):
        f.write(line.encode() + b"\r\n")

    say("220 localhost ESMTP ecapture test")
    while True:
        raw = f.readline()
        if not raw:
            return
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if tls:
            print(line, flush=True)
        verb = line.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            if tls:
                say("250 localhost")
            else:
                say("250-localhost")
                say("250 STARTTLS")
        elif verb == "STARTTLS" and not tls:
            say("220 Ready to start TLS")
            f.close()
            conn = ctx.wrap_socket(conn, server_side=True)
            f = conn.makefile("rwb", buffering=0)
            tls = True
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            say("250 OK")
        elif verb == "DATA":
            say("354 End data with <CR><LF>.<CR><LF>")
            while True:
                body = f.readline()
                if not body or body.rstrip(b"\r\n") == b".":
                    break
                print(body.decode("utf-8", "replace").rstrip("\r\n"), flush=True)
            say("250 OK queued")
        elif verb == "QUIT":
            say("221 Bye")
            f.close()
            conn.close()
            return
        else:
            say("502 Command not implemented")


def main():
    port, cert, key, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4)
    open(ready, "w").close()
    while True:
        conn, _ = srv.accept()
        try:
            serve(conn, ctx)
        except (OSError, ssl.SSLError) as e:
            print("connection failed: %s" % e, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
