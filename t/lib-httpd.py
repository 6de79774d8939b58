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
a 404 with a JSON error body. A response file with the header line
"X-Test-Cut-After: <n>" announces its whole body but sends only the
first n bytes, then drops the connection.

The server writes its port to <dir>/port once it listens (a temporary
file renamed into place), its pid to <dir>/pid, and appends one JSON line
per request to <dir>/requests.log: method, path, query and the raw
headers (secrets included: tests check that the key was sent in the
right header). It stops by itself after --timeout seconds (default 120).
"""

import json
import os
import signal
import socket
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
        # "X-Test-Cut-After: <n>" in a response file: announce the whole
        # body, send its first n bytes, and drop the connection (a
        # network that fails in the middle of an answer).
        cut = [v for n, v in headers if n.lower() == "x-test-cut-after"]
        headers = [(n, v) for n, v in headers
                   if n.lower() != "x-test-cut-after"]
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload[:int(cut[0])] if cut else payload)
        if cut:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

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


# --- Threads: comment lists that keep state (added for "git tokens ci") ---
#
# <dir>/threads, when it exists, lists comment threads, one a line:
#
#     <list-path> <item-prefix> [<page-size>]
#
# GET <list-path> answers the stored comments, <page-size> (default 100)
# a page at most, with Link rel="next" and x-next-page headers; POST to
# it adds a comment ({"body": ...} in the request) and answers 201 with
# it; GET, PATCH, PUT and DELETE <item-prefix><id> read, change or
# remove one (404 when there is none); ids are unique across threads.
# The comments live in
# <dir>/threads.json, {"<list-path>": [comment, ...]}, so that a test
# can seed it (someone else's comment) and read it back. A new comment's
# author is the JSON object in <dir>/whoami, stored as "user" (GitHub)
# and "author" (GitLab). When <dir>/deny exists, POST, PATCH and PUT
# answer 403 with its text as the "message". Requests to threads are
# logged to requests.log like the others; routes answer everything else.

def thread_of(root, path):
    try:
        with open(os.path.join(root, "threads"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return None
    try:
        with open(os.path.join(root, "threads.json"), encoding="utf-8") as f:
            store = json.load(f)
    except FileNotFoundError:
        store = {}
    found = None
    for line in lines:
        parts = line.split()
        if len(parts) < 2 or parts[0].startswith("#"):
            continue
        size = int(parts[2]) if len(parts) > 2 else 100
        if path == parts[0]:
            return parts[0], None, size
        rest = path[len(parts[1]):]
        if path.startswith(parts[1]) and rest.isdigit():
            # Ids are unique across threads (GitHub's are global).
            ids = [c["id"] for c in store.get(parts[0], [])]
            if int(rest) in ids:
                return parts[0], int(rest), size
            found = found or (parts[0], int(rest), size)
    return found


def thread_answer(handler, root, thread, body):
    list_path, item, size = thread
    store_file = os.path.join(root, "threads.json")
    try:
        with open(store_file, encoding="utf-8") as f:
            store = json.load(f)
    except FileNotFoundError:
        store = {}
    comments = store.setdefault(list_path, [])
    method = handler.command
    json_type = [("Content-Type", "application/json")]

    def reply(status, obj, headers=()):
        return status, json_type + list(headers), json.dumps(obj).encode()

    if method in ("POST", "PATCH", "PUT") and \
            os.path.exists(os.path.join(root, "deny")):
        with open(os.path.join(root, "deny"), encoding="utf-8") as f:
            return reply(403, {"message": f.read().strip()})
    if item is None and method == "GET":
        query = dict(parse_qsl(urlsplit(handler.path).query))
        per = min(int(query.get("per_page", size)), size)
        page = int(query.get("page", 1))
        chunk = comments[(page - 1) * per:page * per]
        headers = [("x-next-page", "")]
        if page * per < len(comments):
            nxt = "http://%s%s?per_page=%d&page=%d" % (
                handler.headers.get("Host"), list_path, per, page + 1)
            headers = [("Link", '<%s>; rel="next"' % nxt),
                       ("x-next-page", str(page + 1))]
        return reply(200, chunk, headers)
    if item is None and method == "POST":
        try:
            text = json.loads(body or b"{}")["body"]
        except (ValueError, KeyError, TypeError):
            return reply(400, {"message": "no body"})
        try:
            with open(os.path.join(root, "whoami"), encoding="utf-8") as f:
                who = json.load(f)
        except FileNotFoundError:
            who = {}
        new_id = max([c["id"] for t in store.values() for c in t] +
                     [1000]) + 1
        comment = {"id": new_id, "body": text, "user": who, "author": who,
                   "system": False}
        comments.append(comment)
        status, obj = 201, comment
    elif item is None:
        return reply(405, {"message": "method not allowed"})
    else:
        found = [c for c in comments if c["id"] == item]
        if not found:
            return reply(404, {"message": "Not Found"})
        comment = found[0]
        if method == "GET":
            return reply(200, comment)
        if method == "DELETE":
            comments.remove(comment)
            status, obj = 204, {}
        elif method in ("PATCH", "PUT"):
            try:
                comment["body"] = json.loads(body or b"{}")["body"]
            except (ValueError, KeyError, TypeError):
                return reply(400, {"message": "no body"})
            status, obj = 200, comment
        else:
            return reply(405, {"message": "method not allowed"})
    tmp = store_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(store, f)
    os.rename(tmp, store_file)
    return reply(status, obj)


routes_answer = Handler.answer


def answer_with_threads(self):
    root = self.server.root
    url = urlsplit(self.path)
    thread = thread_of(root, url.path)
    if thread is None:
        return routes_answer(self)
    length = int(self.headers.get("Content-Length") or 0)
    body = self.rfile.read(length) if length else b""
    record = {"method": self.command, "path": url.path,
              "query": url.query, "headers": dict(self.headers.items()),
              "body": body.decode("utf-8", "replace")}
    with self.server.lock:
        with open(os.path.join(root, "requests.log"), "a",
                  encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        status, headers, payload = thread_answer(self, root, thread, body)
    self.send_response(status)
    for name, value in headers:
        self.send_header(name, value)
    self.send_header("Content-Length", str(len(payload)))
    self.end_headers()
    if self.command != "HEAD":
        self.wfile.write(payload)


Handler.answer = answer_with_threads
Handler.do_GET = Handler.do_POST = Handler.do_PATCH = Handler.do_PUT = \
    Handler.do_DELETE = Handler.do_HEAD = answer_with_threads


if __name__ == "__main__":
    main()
