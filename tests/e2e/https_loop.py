#!/usr/bin/env python3
"""One long-lived process (its pid stays the same) making HTTPS requests through Python's ssl
module (the system's OpenSSL), each on a new connection: GET /PREFIX-1, /PREFIX-2, ... every
INTERVAL seconds, until killed. Prints each path once answered.

usage: https_loop.py PORT PREFIX INTERVAL
"""
import http.client
import ssl
import sys
import time


def main():
    port, prefix, interval = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    i = 0
    while True:
        i += 1
        path = "/%s-%d" % (prefix, i)
        try:
            c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
            c.request("GET", path, headers={"Connection": "close"})
            c.getresponse().read()
            c.close()
            print(path, flush=True)
        except OSError as e:
            print("error %s: %s" % (path, e), flush=True)
        time.sleep(interval)


if __name__ == "__main__":
    main()
