#!/usr/bin/env python3
"""A scripted HTTP server for git-tokens' tests, bound to 127.0.0.1.

    lib-httpd.py [--start] [--timeout <seconds>] [--tls <cert> <key>] <dir>
    lib-httpd.py --stop <dir>

With --start it goes to the background and prints its base URL
(http://127.0.0.1:<port>) once it listens, so that a test can say
HTTPD_URL=$(python3 lib-httpd.py --start dir); --stop ends it. With
--tls it speaks HTTPS with that certificate and key (PEM files).

<dir>/routes lists the answers, one route a line (first match wins):

    <path> <query> <response-file> [<response-file>...]

<query> is "-" (any query) or "k=v&k2=v2": every listed pair must be in
the request's query (others may be too). A route with several response
files answers with them in turn; the last one repeats. A response file
holds a status line ("200" or "429"), optional "Name: value" header
lines, a blank line, then the body. A request that matches no route gets
a 404 with a JSON error body.

The server writes its port to <dir>/port once it listens (a temporary
file renamed into place), its pid to <dir>/pid, and appends one JSON line
per request to <dir>/requests.log: method, path, query and the raw
headers (secrets included: tests check that the key was sent in the
right header). It stops by itself after --timeout seconds (default 120).
"""

import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl, urlsplit


def load_routes(root):
    routes = []
    with open(os.path.join(root, "routes"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) < 3:
                raise SystemExit("lib-httpd: bad route line: %r" % line)
            want = [] if parts[1] == "-" else parse_qsl(parts[1])
            routes.append({"path": parts[0], "query": want,
                           "files": parts[2:], "served": 0})
    return routes


def parse_response(path):
    with open(path, "rb") as f:
        data = f.read()
    head, _, body = data.partition(b"\n\n")
    lines = head.decode("utf-8").split("\n")
    status = int(lines[0].strip())
    headers = []
    for h in lines[1:]:
        if h.strip():
            name, _, value = h.partition(":")
            headers.append((name.strip(), value.strip()))
    return status, headers, body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def answer(self):
        root = self.server.root
        url = urlsplit(self.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = {"method": self.command, "path": url.path,
                  "query": url.query, "headers": dict(self.headers.items()),
                  "body": body.decode("utf-8", "replace")}
        with self.server.lock:
            with open(os.path.join(root, "requests.log"), "a",
                      encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
            route = None
            for r in self.server.routes:
                if r["path"] == url.path and \
                        all(kv in query for kv in r["query"]):
                    route = r
                    break
            if route is None:
                status, headers = 404, [("Content-Type", "application/json")]
                payload = json.dumps({"type": "error", "error": {
                    "type": "not_found_error",
                    "message": "no route for " + url.path}}).encode()
            else:
                i = min(route["served"], len(route["files"]) - 1)
                route["served"] += 1
                status, headers, payload = parse_response(
                    os.path.join(root, route["files"][i]))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = answer


def stop(root):
    try:
        with open(os.path.join(root, "pid"), encoding="utf-8") as f:
            os.kill(int(f.read()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


def start(root, scheme):
    """Fork a server; print its URL once its port file appears."""
    for name in ("port", "pid"):
        try:
            os.unlink(os.path.join(root, name))
        except FileNotFoundError:
            pass
    pid = os.fork()
    if pid == 0:
        os.setsid()
        out = os.open(os.path.join(root, "server.out"),
                      os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        # Hold none of the test's pipes open: prove waits for them.
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        return False
    deadline = time.time() + 20
    port = os.path.join(root, "port")
    while time.time() < deadline:
        if os.path.exists(port):
            with open(port, encoding="utf-8") as f:
                print("%s://127.0.0.1:%d" % (scheme, int(f.read())))
            return True
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            break
        time.sleep(0.02)
    raise SystemExit("lib-httpd: the server did not start (see %s)" %
                     os.path.join(root, "server.out"))


def main():
    args = sys.argv[1:]
    timeout = 120.0
    daemon = False
    tls = None
    if "--tls" in args:
        i = args.index("--tls")
        tls = args[i + 1:i + 3]
        del args[i:i + 3]
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    if "--stop" in args:
        args.remove("--stop")
        if len(args) != 1:
            raise SystemExit(__doc__)
        stop(args[0])
        return
    if "--start" in args:
        args.remove("--start")
        daemon = True
    if len(args) != 1:
        raise SystemExit(__doc__)
    root = args[0]
    if daemon and start(root, "https" if tls else "http"):
        return
    server = HTTPServer(("127.0.0.1", 0), Handler)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.root = root
    server.routes = load_routes(root)
    server.lock = threading.Lock()
    with open(os.path.join(root, "pid"), "w", encoding="utf-8") as f:
        f.write("%d\n" % os.getpid())
    tmp = os.path.join(root, "port.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, os.path.join(root, "port"))
    # Stop by ourselves: a test that dies must not leave us behind.
    timer = threading.Timer(timeout, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
