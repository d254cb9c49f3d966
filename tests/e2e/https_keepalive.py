#!/usr/bin/env python3
"""One process keeping one HTTPS connection open (Python's ssl module: the system's OpenSSL) and
making a request on it every INTERVAL seconds: GET /PREFIX-1, /PREFIX-2, ... until killed. Prints
each path once answered; a connection the server closes is opened again (printed as "reconnect").

usage: https_keepalive.py PORT PREFIX INTERVAL
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
    c = None
    i = 0
    while True:
        i += 1
        path = "/%s-%d" % (prefix, i)
        try:
            if c is None:
                c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
            c.request("GET", path)
            c.getresponse().read()
            print(path, flush=True)
        except (OSError, http.client.HTTPException) as e:
            print("error %s: %s; reconnect" % (path, e), flush=True)
            c.close()
            c = None
        time.sleep(interval)


if __name__ == "__main__":
    main()
