#!/usr/bin/env python3
"""The fixture web server for the feed tests: serves ROOT on loopback with
ETags (answering If-None-Match with 304), plus three failing paths:
/status/500 answers 500, /slow waits longer than any test timeout, and
anything missing is 404.  Each request is logged as "METHOD PATH STATUS".
usage: server.py ROOT PORTFILE LOGFILE   (binds port 0, writes the port)"""
import hashlib
import http.server
import os
import sys
import time

root, portfile, logfile = sys.argv[1], sys.argv[2], sys.argv[3]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b"", ctype="text/plain", etag=None):
        with open(logfile, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/status/500":
            return self.answer(500, b"internal error\n")
        if path == "/slow":
            time.sleep(8)
            try:
                return self.answer(200, b"<rss></rss>")
            except OSError:  # the client gave up first, as it should
                return None
        full = os.path.realpath(os.path.join(root, path.lstrip("/")))
        if not full.startswith(os.path.realpath(root) + os.sep) or not os.path.isfile(full):
            return self.answer(404, b"not found\n")
        body = open(full, "rb").read()
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            return self.answer(304, etag=etag)
        ctype = "text/html" if full.endswith(".html") else "application/xml"
        self.answer(200, body, ctype, etag)


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients that give up (timeouts, size limits) are expected here


srv = Server(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
