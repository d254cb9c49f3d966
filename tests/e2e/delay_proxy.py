#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1:LISTEN to 127.0.0.1:TARGET that holds the server's first bytes of
each connection for DELAY seconds: a server that far away, on loopback."""
import socket
import sys
import threading
import time

listen_port, target_port, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])


def pipe(src, dst, first_delay):
    try:
        first = True
        while True:
            data = src.recv(65536)
            if not data:
                break
            if first and first_delay:
                time.sleep(first_delay)
            first = False
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    server = socket.create_connection(("127.0.0.1", target_port))
    threading.Thread(target=pipe, args=(client, server, 0), daemon=True).start()
    threading.Thread(target=pipe, args=(server, client, delay), daemon=True).start()


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", listen_port))
ls.listen(16)
while True:
    conn, _ = ls.accept()
    serve(conn)
