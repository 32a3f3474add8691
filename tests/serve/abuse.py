"""Hostile clients against a running `parley serve` (issue #8): slow
clients, oversized bodies, malformed requests, more connections than the
limit.  Every check wants the right status (and a JSON error when the answer
is parley's), and the server alive afterwards.  No timing assertions: waits
are bounded only so that a hang fails instead of blocking.

usage: python3 abuse.py PORT_A PORT_B
  A: --timeout 2 --max-body 4096        (slow clients, bodies, malformed)
  B: --timeout 60 --max-connections 4   (connection limit)
"""
import json
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
failures = 0


def ok(name):
    print("ok   " + name)


def no(name, why):
    global failures
    failures += 1
    print("FAIL %s: %s" % (name, why))


def read_all(s, limit=30.0):
    """Everything the server sends until it closes (or `limit` seconds)."""
    s.settimeout(limit)
    out = b""
    end = time.monotonic() + limit
    try:
        while time.monotonic() < end:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    return out


def parse(resp):
    """(status, headers dict, body) of one HTTP/1.1 answer, or (None, .., ..)."""
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ")[1])
    except (IndexError, ValueError):
        return None, {}, resp
    hdr = {}
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        hdr[k.strip().lower().decode()] = v.strip().decode()
    if "content-length" in hdr:
        body = body[: int(hdr["content-length"])]
    return status, hdr, body


def raw(port, data, limit=30.0):
    s = socket.create_connection((HOST, port), timeout=limit)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    out = read_all(s, limit)
    s.close()
    return out


def get(port, target, method="GET", body=b"", headers=""):
    req = "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s" % (method, target, headers)
    if body or method == "POST":
        req += "Content-Length: %d\r\n" % len(body)
    return parse(raw(port, req.encode("latin-1") + b"\r\n" + body))


def json_error(body):
    try:
        return isinstance(json.loads(body)["error"], str)
    except (ValueError, KeyError, TypeError):
        return False


def expect(name, port, target, want, **kw):
    st, hdr, body = get(port, target, **kw)
    if st != want:
        no(name, "want %d got %s: %r" % (want, st, body[:200]))
    elif want >= 400 and not json_error(body):
        no(name, "status %d but not a JSON error: %r" % (st, body[:200]))
    else:
        ok("%s (%d)" % (name, st))


def alive(name, port):
    st, _, body = get(port, "/api/health")
    if st == 200 and b'"events"' in body:
        ok(name)
    else:
        no(name, "health gave %s" % st)


def trickle(port, data, name):
    """Sends data one byte a second; the server must cut us off (408 or
    close) long before the end."""
    s = socket.create_connection((HOST, port), timeout=5)
    s.setblocking(False)
    got = b""
    closed = False
    for i in range(len(data)):
        try:
            s.send(data[i : i + 1])
        except (BrokenPipeError, ConnectionResetError, BlockingIOError):
            closed = True
            break
        end = time.monotonic() + 1.0
        while time.monotonic() < end and not closed:
            try:
                b = s.recv(4096)
                if not b:
                    closed = True
                got += b
            except BlockingIOError:
                time.sleep(0.05)
            except ConnectionResetError:
                closed = True
        if closed:
            break
    s.close()
    st, _, body = parse(got)
    if not closed:
        no(name, "never cut off (sent all %d bytes)" % len(data))
    elif got and (st != 408 or not json_error(body)):
        no(name, "cut off with %r" % got[:120])
    else:
        ok("%s (cut off after %d of %d bytes%s)" % (name, i + 1, len(data), ", 408" if got else ""))


def main():
    a, b = int(sys.argv[1]), int(sys.argv[2])

    # ---- slow clients: one byte a second, headers or body
    trickle(a, b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 60 + b"\r\n\r\n", "slow headers")
    trickle(a, b"POST /api/code HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n\r\n" + b"Mordor attacked Gondor. " * 3, "slow body")
    alive("alive after slow clients", a)

    # ---- oversized bodies
    expect("declared body over --max-body", a, "/api/code", 413, method="POST", body=b"a" * 10000)
    chunks = b"".join(b"400\r\n" + b"b" * 0x400 + b"\r\n" for _ in range(8)) + b"0\r\n\r\n"
    st, _, body = parse(raw(a, b"POST /api/code HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks))
    if st == 413 and json_error(body):
        ok("chunked body over --max-body (413)")
    else:
        no("chunked body over --max-body", "got %s %r" % (st, body[:100]))
    expect("body at the limit", a, "/api/code?date=3019-03-01", 200, method="POST", body=b"Arnor praised Gondor. " * 20)
    expect("NUL bytes in a body", a, "/api/code", 200, method="POST", body=b"Arnor\0praised\0Gondor.\0" * 10)

    # ---- malformed requests: parley's own answers are JSON 400s
    for target in ["/api/events?from=%zz", "/api/events?q=%", "/api/events?q=%4", "/api/%G0", "/api/events?a=%00MOR",
                   "/api/events?" + "&".join("p%d=1" % i for i in range(40)), "/api/" + "x" * 9000,
                   "*", "http:///api/health", "http://example.org"]:
        expect("bad target %.40s" % target, a, target, 400)
    for q in ["limit=abc", "limit=1e3", "limit=10abc", "limit=0", "limit=-5", "offset=-1", "offset=1x", "offset=99999999999",
              "quad=x", "quad=9", "from=2025-13-45", "to=yesterday", "from=2025-02-30"]:
        expect("events %s" % q, a, "/api/events?" + q, 400)
    expect("dyads limit=abc", a, "/api/dyads?limit=abc", 400)
    expect("dyads since=soon", a, "/api/dyads?since=soon", 400)
    expect("trend since=x", a, "/api/trend?a=MOR&b=GON&since=x", 400)
    expect("alerts min_events=many", a, "/api/alerts?min_events=many", 400)
    expect("code date=never", a, "/api/code?date=never", 400, method="POST", body=b"Arnor praised Gondor.")
    expect("code JSON date", a, "/api/code", 400, method="POST", body=b'{"text":"Arnor praised Gondor.","date":"13/13/13"}')
    expect("good paging still fine", a, "/api/events?limit=2&offset=1&quad=0", 200)
    expect("encoded query decoded", a, "/api/events?a=M%4FR&b=GON&q=dusk+OR+night", 200)
    expect("absolute-form target", a, "http://127.0.0.1/api/events?a=MOR&b=GON", 200)
    # what libmicrohttpd answers itself (never our code): a status or a close
    for name, data, want in [
        ("no request line", b"BLAH\r\n\r\n", (400, None)),
        ("method only", b"GET\r\n\r\n", (400, None)),
        ("bad version", b"GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n", (505, 400)),
        ("huge header", b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 400000 + b"\r\n\r\n", (431, 413)),
        ("many headers", b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(30000)) + b"\r\n", (431, 413)),
        ("huge target", b"GET /" + b"t" * 300000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", (414, 431)),
        ("binary junk", bytes(range(256)) * 8 + b"\r\n\r\n", (400, None)),
    ]:
        st, _, body = parse(raw(a, data))
        if st in want or (st is None and not body):
            ok("%s (%s)" % (name, st if st else "closed"))
        else:
            no(name, "got %s %r" % (st, body[:100]))
    alive("alive after malformed requests", a)

    # ---- connections: fill the limit with clients that are mid-request
    held = []
    for i in range(4):
        s = socket.create_connection((HOST, b), timeout=30)
        # one full keep-alive request first, so the server has surely taken
        # the connection, then half of a second request to hold it
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(4096)
        st, hdr, _ = parse(buf)
        need = int(hdr.get("content-length", "0")) - len(buf.partition(b"\r\n\r\n")[2])
        while need > 0:
            need -= len(s.recv(need))
        s.sendall(b"GET /api/health HTTP/1.1\r\n")
        held.append(s)
    for i in range(3):
        st, hdr, body = get(b, "/api/health")
        if st == 503 and json_error(body):
            ok("connection %d over the limit answered 503" % (5 + i))
        else:
            no("connection %d over the limit" % (5 + i), "got %s %r" % (st, body[:100]))
    for s in held:
        s.close()
    # a burst far over the limit: every client gets 200 or 503, none hangs
    res = []

    def one():
        try:
            res.append(get(b, "/api/events?limit=5")[0])
        except OSError as e:
            res.append(repr(e))
    # connections are only counted free once the server has seen the closes
    for _ in range(100):
        if get(b, "/api/health")[0] == 200:
            break
        time.sleep(0.1)
    th = [threading.Thread(target=one) for _ in range(150)]
    for t in th:
        t.start()
    for t in th:
        t.join(60)
    odd = [r for r in res if r not in (200, 503)]
    if len(res) == 150 and not odd and 200 in res:
        ok("burst of 150: %d answered 200, %d answered 503" % (res.count(200), res.count(503)))
    else:
        no("burst of 150", "%d answers, unexpected: %r" % (len(res), odd[:5]))
    alive("alive after the burst", b)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
