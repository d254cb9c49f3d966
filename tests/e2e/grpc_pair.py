#!/usr/bin/env python3
# A gRPC server and client over TLS (Debian's python3-grpcio: gRPC's C core on the system OpenSSL,
# through memory BIOs), no protoc: one generic unary method whose messages are raw bytes.
#   grpc_pair.py server CERT KEY PORTFILE   serves on 127.0.0.1, writes its port to PORTFILE
#   grpc_pair.py client CERT PORT N         N calls on one channel; prints "reply N" per call
import sys
from concurrent import futures

import grpc

METHOD = "/ecapture.Echo/Say"


def identity(b):
    return b


def serve(cert, key, portfile):
    def say(request, context):
        return b"reply to " + request

    handler = grpc.method_handlers_generic_handler(
        "ecapture.Echo",
        {"Say": grpc.unary_unary_rpc_method_handler(
            say, request_deserializer=identity, response_serializer=identity)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    creds = grpc.ssl_server_credentials([(open(key, "rb").read(), open(cert, "rb").read())])
    port = server.add_secure_port("127.0.0.1:0", creds)
    server.start()
    with open(portfile + ".tmp", "w") as f:
        f.write(str(port))
    import os
    os.rename(portfile + ".tmp", portfile)
    server.wait_for_termination()


def call(cert, port, n):
    creds = grpc.ssl_channel_credentials(root_certificates=open(cert, "rb").read())
    with grpc.secure_channel("127.0.0.1:%d" % port, creds,
                             options=[("grpc.ssl_target_name_override", "localhost")]) as ch:
        say = ch.unary_unary(METHOD, request_serializer=identity,
                             response_deserializer=identity)
        for i in range(1, n + 1):
            reply = say(b"call-%d" % i, timeout=20)
            if reply != b"reply to call-%d" % i:
                sys.exit("wrong reply: %r" % reply)
            print("reply %d" % i, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        call(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
