"""pyftpdlib for the benchmark (Debian's python3-pyftpdlib; run with /usr/bin/python3).

    pyftpd-server.py ROOT CERT KEY PASV_MIN PASV_MAX

The default single-process asynchronous FTPServer (like Node: one thread, an event loop),
TLS_FTPHandler so explicit FTPS is allowed but not required, anonymous login rooted at ROOT with
write permission, logging at ERROR only. Prints {"type": "listening", "port": N}.
"""
import json
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    root, cert, key, pasv_min, pasv_max = sys.argv[1:6]
    logger = logging.getLogger("pyftpdlib")
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.ERROR)
    logger.addHandler(handler)
    logger.setLevel(logging.ERROR)

    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(root, perm="elradfmwMT")

    class Handler(TLS_FTPHandler):
        pass

    Handler.authorizer = authorizer
    Handler.certfile = cert
    Handler.keyfile = key
    Handler.tls_control_required = False
    Handler.tls_data_required = False
    Handler.passive_ports = range(int(pasv_min), int(pasv_max) + 1)
    Handler.banner = "pyftpdlib ready"

    server = FTPServer(("127.0.0.1", 0), Handler, backlog=1024)
    server.max_cons = 4000
    server.max_cons_per_ip = 0
    port = server.socket.getsockname()[1]
    print(json.dumps({"type": "listening", "port": port}), flush=True)
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
