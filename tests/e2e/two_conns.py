#!/usr/bin/env python3
"""Two keep-alive HTTPS connections of one process (Python's ssl module: the system's OpenSSL),
used in turn: GET /PREFIX-a-1 on the first, /PREFIX-b-1 on the second, /PREFIX-a-2 on the
first... each answered before the next is sent, so their records alternate. Prints each path
once answered.

usage: two_conns.py PORT PREFIX N
"""
import http.client
import ssl
import sys


def main():
    port, prefix, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conns = {name: http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
             for name in ("a", "b")}
    for i in range(1, n + 1):
        for name, c in conns.items():
            path = "/%s-%s-%d" % (prefix, name, i)
            c.request("GET", path)
            c.getresponse().read()
            print(path, flush=True)
    for c in conns.values():
        c.close()


if __name__ == "__main__":
    main()
