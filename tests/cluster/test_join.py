"""Joins served by the cluster: three roomcode-node processes with --http on loopback.

- the join endpoint's answers (examples/join-endpoint/server.js's contract, as
  tests/sdk/test_endpoint.mjs pins it) on every node, and GET /healthz;
- the failure limit is the cluster's: failures on one node count on the others, and 40
  wrong guesses sent at once get exactly `limit` 404s;
- kill -9 of the leader while a client keeps joining through the other two: every request
  is answered (a token that verifies, or a 503 with Retry-After), none wrongly, and joins
  flow again within 1 s;
- with the default timeouts (no --latency-ms), kill -9 of the leader to the next committed
  write (a wrong guess is charged in the replicated table before it is answered 404):
  under 1 s, the median of 5 kills;
- a backup with the dqlite shell's .dump, made one file that plain SQLite with roomcode
  opens, holding every code.
Every process it starts is ended by its PID.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the cluster suite's helpers)

ROOT = run.ROOT
NODE = run.NODE
EXTENSION = os.path.join(ROOT, "build", "roomcode")
ACCESS_KEY = "cluster-access-key"
APP_SECRET = "cluster-app-secret-0123456789"
LIMIT = 5
WINDOW = 60
SAFE = "-_.!~*'()"  # what JavaScript's encodeURIComponent leaves as it is


class HttpCluster(run.Cluster):
    """Three nodes with --http, each in a folder whose parents do not exist yet."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.addresses = run.free_ports(3)
        self.http = run.free_ports(3)
        self.procs = {}
        self.logs = {i: os.path.join(tmp, f"node{i}.log") for i in (1, 2, 3)}
        self.servers = ",".join(self.addresses)
        self.argv = {}
        for i in (1, 2, 3):
            argv = [NODE, "--id", str(i), "--address", self.addresses[i - 1], "--dir",
                    os.path.join(tmp, "data", "nested", f"n{i}"), "--http", self.http[i - 1]]
            if i != 1:
                argv += ["--join", self.addresses[0]]
            self.argv[i] = argv

    def start(self, i, argv=None):
        env = dict(os.environ, ROOMCODE_ACCESS_KEY=ACCESS_KEY, ROOMCODE_APP_SECRET=APP_SECRET,
                   ROOMCODE_MAX_FAILURES=str(LIMIT), ROOMCODE_FAILURE_WINDOW=str(WINDOW),
                   ROOMCODE_TRUST_PROXY="1")
        if i == 3:
            env["ROOMCODE_TTL_SECONDS"] = "3600"  # node 3's tokens live an hour
        log = open(self.logs[i], "a")
        self.log_offset = getattr(self, "log_offset", {})
        self.log_offset[i] = log.tell()
        self.procs[i] = subprocess.Popen(argv or self.argv[i], stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, env=env)
        log.close()


def request(address, method="POST", body=None, headers=None, timeout=5.0, path="/token"):
    """(status, headers, parsed JSON or None), or (None, {}, error text)."""
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        text = r.read().decode()
        parsed = json.loads(text) if r.getheader("Content-Type", "").startswith(
            "application/json") else None
        return r.status, {k.lower(): v for k, v in r.getheaders()}, parsed
    except (OSError, http.client.HTTPException) as e:
        return None, {}, str(e)
    finally:
        conn.close()


def from_client(ip):
    return {"X-Forwarded-For": ip, "Content-Type": "application/json"}


def good_token(body, user):
    if not isinstance(body, dict) or set(body) != {"token"}:
        return False
    claims = run.verify_token(body["token"], APP_SECRET)
    return (claims is not None and claims.get("room_id") == "standup-42"
            and claims.get("role") == "guest" and claims.get("user_id") == user
            and claims.get("access_key") == ACCESS_KEY)


def check_answers(report, c):
    cases = [
        ('{"code": "abc-defg-hij"', 400, "request body is not JSON"),
        ("", 400, "request body is not JSON"),
        ("[]", 400, "request body must be a JSON object"),
        ("null", 400, "request body must be a JSON object"),
        ('"abc-defg-hij"', 400, "request body must be a JSON object"),
        ('{"user_id": "ann"}', 400, "code must be a string"),
        ('{"code": 5}', 400, "code must be a string"),
        ('{"code": "abc-defg-hij", "user_id": 7}', 400, "user_id must be a string when given"),
        ('{"code": "abc-defg-hij", "user_id": "a\\ud800"}', 400,
         "user_id must be well-formed Unicode"),
        ('{"code": "dis-able-dab"}', 403, "room code is disabled"),
        ('{"code": "bou-ndto-ann"}', 403, "room code is bound to a user"),
        ('{"code": "bou-ndto-ann", "user_id": "bob"}', 403, "room code is bound to another user"),
        ('{"code": "zzz-zzzz-zzz"}', 404, "room code does not exist"),
        ('{"code": "not a code"}', 404, "not a room code"),
        ('{"code": "abc-defg-hij", "user_id": "%s"}' % ("x" * 257), 400,
         "user_id '%s'... is longer than 256 bytes" % ("x" * 64)),
    ]
    for n, address in enumerate(c.http, 1):
        wrong = []
        for k, (body, status, message) in enumerate(cases):
            # a client address per node: these failures stay under the limit
            got = request(address, body=body, headers=from_client(f"192.0.2.{n * 20 + k // 4}"))
            if got[0] != status or got[2] != {"code": status, "message": message} or \
                    got[1].get("content-type") != "application/json; charset=utf-8" or \
                    got[1].get("cache-control") != "no-store" or \
                    got[1].get("access-control-allow-origin") != "*":
                wrong.append(f"{body}: {got}")
        report.check(f"node {n}: every refusal is the Node endpoint's status and JSON body",
                     not wrong, "; ".join(wrong)[:600])
        s, _, b = request(address, body={"code": "abc-defg-hij", "user_id": "ann"})
        s2, _, b2 = request(address, body={"code": " ABC.defg.HIJ ", "user_id": ""})
        report.check(f"node {n}: a good code gets a token that verifies; a typed form and an "
                     "empty user_id too",
                     s == 200 and good_token(b, "ann") and s2 == 200 and isinstance(b2, dict)
                     and run.verify_token(b2.get("token", ""), APP_SECRET) is not None,
                     f"{s} {b} / {s2} {b2}")
    lives = []
    for address in (c.http[0], c.http[2]):
        s, _, b = request(address, body={"code": "abc-defg-hij", "user_id": "ann"})
        claims = run.verify_token(b["token"], APP_SECRET) if s == 200 else {}
        lives.append(claims.get("exp", 0) - claims.get("nbf", 0))
    report.check("ROOMCODE_TTL_SECONDS: node 3's tokens live 3600 s, node 1's a day",
                 lives == [86400, 3600], lives)
    s, h, b = request(c.http[1], method="GET")
    report.check("GET on the join path is 405 with Allow", s == 405 and h.get("allow") ==
                 "POST, OPTIONS" and b == {"code": 405, "message": "use POST"}, f"{s} {h} {b}")
    s, h, b = request(c.http[2], method="OPTIONS", headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"})
    report.check("the CORS preflight", s == 204 and h.get("access-control-allow-methods") ==
                 "POST, OPTIONS" and h.get("access-control-allow-headers") == "Content-Type",
                 f"{s} {h}")
    at_cap = '{"code": "abc-defg-hij"}'
    at_cap += " " * (8192 - len(at_cap))
    s1, _, _ = request(c.http[0], body=at_cap)
    s2, _, b2 = request(c.http[0], body=at_cap + " ")
    report.check("the body cap: 8192 bytes pass, 8193 are 413",
                 s1 == 200 and s2 == 413 and b2 == {
                     "code": 413, "message": "request body larger than 8192 bytes"},
                 f"{s1} {s2} {b2}")
    sock = half_sent(c.http[0], {"Content-Length": "2000000"})
    sock.settimeout(5)
    head = sock.recv(4096).decode()
    sock.close()
    report.check("a declared body over 1 MiB is answered 413 before it is sent, and the "
                 "connection closed", head.startswith("HTTP/1.1 413") and
                 "Connection: close" in head and "request body larger than 8192 bytes" in head,
                 head[:300])
    host, port = c.http[0].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    cut = False
    try:
        for _ in range(40):  # 2.5 MiB
            sock.sendall(chunk)
        sock.sendall(b"0\r\n\r\n")
        cut = sock.recv(4096) == b""
    except OSError:
        cut = True
    sock.close()
    s, _, _ = request(c.http[0], body={"code": "abc-defg-hij"})
    report.check("a streamed body past 1 MiB is cut (libmicrohttpd cannot answer mid-body); "
                 "the node serves on", cut and s == 200, f"cut {cut}, then {s}")
    for n, address in enumerate(c.http, 1):
        s, _, b = request(address, method="GET", path="/healthz")
        report.check(f"node {n}: /healthz says it serves and names the leader",
                     s == 200 and b.get("ok") is True and b.get("leader") in c.addresses,
                     f"{s} {b}")


def check_limit(report, c):
    statuses = []
    for k in range(LIMIT):
        statuses.append(request(c.http[k % 3], body={"code": "zzz-zzzz-zzz"},
                                headers=from_client("198.51.100.1"))[0])
    s, h, b = request(c.http[2], body={"code": "abc-defg-hij"}, headers=from_client(
        "198.51.100.1"))
    report.check(f"{LIMIT} failures spread over the three nodes, then a good code from the same "
                 "address on another node is 429 with Retry-After within window / limit",
                 statuses == [404] * LIMIT and s == 429 and re.fullmatch(
                     r"too many failed room codes from this address: try again in (\d+) s",
                     b.get("message", "")) and 1 <= int(h.get("retry-after", 0)) <= WINDOW // LIMIT,
                 f"{statuses} {s} {h.get('retry-after')} {b}")
    s, _, _ = request(c.http[0], body={"code": "abc-defg-hij"}, headers=from_client(
        "198.51.100.77"))
    report.check("another address is not limited", s == 200, s)

    def burst(nodes, ip, n):
        results = []
        lock = threading.Lock()
        gate = threading.Event()

        def guess(k):
            gate.wait()
            r = request(nodes[k % len(nodes)], body={"code": "zzz-zzzz-zz" + chr(97 + k % 26)},
                        headers=from_client(ip), timeout=15)
            with lock:
                results.append(r[0])

        threads = [threading.Thread(target=guess, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        gate.set()
        for t in threads:
            t.join(30)
        return results

    # 30: under the node's cap of 32 connections from one address (all come from 127.0.0.1)
    one = burst(c.http[:1], "198.51.100.2", 30)
    report.check(f"30 wrong guesses at once on one node: exactly {LIMIT} are answered 404, the "
                 "rest 429", one.count(404) == LIMIT and one.count(429) == 30 - LIMIT,
                 f"{sorted(one, key=str)}")
    three = burst(c.http, "198.51.100.4", 40)
    report.check(f"40 wrong guesses at once over three nodes: at most {LIMIT} are answered 404 "
                 "(each node holds tries for its own requests in flight), the rest 429",
                 1 <= three.count(404) <= LIMIT and three.count(404) + three.count(429) == 40,
                 f"{sorted(three, key=str)}")


def half_sent(address, headers, source="127.0.0.1"):
    """A connection that sent a POST's headers and none of its body."""
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=5, source_address=(source, 0))
    headers = {"Content-Length": "100", **headers}
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock.sendall(f"POST /token HTTP/1.1\r\nHost: x\r\n{lines}\r\n".encode())
    return sock


def dribble(address, headers_done, out):
    """Sends a request a byte a second (the headers, or, with headers_done, the body) and
    records after how many seconds the node cut the connection."""
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=5, source_address=("127.0.0.3", 0))
    start = time.monotonic()
    head = b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
    sock.sendall(head + b"\r\n" if headers_done else b"POST /token HTTP/1.1\r\n")
    sock.settimeout(1.0)
    try:
        for _ in range(30):
            sock.send(b"x" if headers_done else b"X-Slow: 1\r\n"[:1])
            try:
                if sock.recv(1) == b"":
                    break
            except socket.timeout:
                pass
    except OSError:
        pass
    out.append(time.monotonic() - start)
    sock.close()


def check_in_flight(report, c):
    """Requests in flight hold a try each, as the Node endpoint's do; connections are capped
    per address, so half-sent requests from one address keep nobody else out."""
    held = [half_sent(c.http[0], {"X-Forwarded-For": "198.51.100.3"}) for _ in range(LIMIT)]
    time.sleep(0.3)
    s, _, b = request(c.http[0], body={"code": "abc-defg-hij"}, headers=from_client(
        "198.51.100.3"))
    for sock in held:
        sock.close()
    s2 = None
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and s2 != 200:
        time.sleep(0.1)
        s2 = request(c.http[0], body={"code": "abc-defg-hij"}, headers=from_client(
            "198.51.100.3"))[0]
    report.check(f"{LIMIT} requests of one address in flight hold its {LIMIT} tries: a good "
                 "code from it is 429 until they end, then 200", s == 429 and s2 == 200,
                 f"{s} {b} then {s2}")


def open_idle(address, source, n):
    """n connections from source that send nothing."""
    host, port = address.rsplit(":", 1)
    return [socket.create_connection((host, int(port)), timeout=5, source_address=(source, 0))
            for _ in range(n)]


def is_closed(sock):
    sock.settimeout(0.02)
    try:
        return sock.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def check_connection_caps(report, tmp):
    """A node not behind a proxy (no ROOMCODE_TRUST_PROXY): 50 connections per address, 1000
    in all, where a new connection makes the oldest one still waiting for headers give
    way; and a bucket of 2 per second, refilled."""
    address, web = run.free_ports(2)
    env = dict(os.environ, ROOMCODE_ACCESS_KEY=ACCESS_KEY, ROOMCODE_APP_SECRET=APP_SECRET,
               ROOMCODE_MAX_FAILURES="2", ROOMCODE_FAILURE_WINDOW="1")
    log = open(os.path.join(tmp, "caps.log"), "w")
    p = subprocess.Popen([NODE, "--id", "1", "--address", address, "--dir",
                          os.path.join(tmp, "caps"), "--http", web], stdout=log, stderr=log,
                         env=env)
    socks = []
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and request(web, method="GET", path="/healthz")[0] != 200:
            time.sleep(0.1)
        for statement in ["CREATE VIRTUAL TABLE room_codes USING roomcode",
                          "INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', "
                          "'r', 'guest')"]:
            subprocess.run(["dqlite", "-s", address, run.DB, statement], capture_output=True,
                           timeout=20)
        good = {"code": "abc-defg-hij"}
        wrong = [request(web, body={"code": "zzz-zzzz-zzz"})[0] for _ in range(3)]
        time.sleep(1.3)  # the bucket (2 per second) is full again, its row still there
        again = [request(web, body=b)[0] for b in (good, {"code": "zzz-zzzz-zzz"},
                                                   {"code": "zzz-zzzz-zzz"}, good)]
        report.check("a bucket refilled over its window gives its tries again (2 per 1 s here)",
                     wrong == [404, 404, 429] and again == [200, 404, 404, 429],
                     f"{wrong} {again}")
        crowd = open_idle(web, "127.0.0.2", 60)
        socks += crowd
        time.sleep(0.3)
        closed = sum(is_closed(x) for x in crowd)
        t = time.monotonic()
        s = request(web, method="GET", path="/healthz")[0]
        took = time.monotonic() - t
        report.check("60 idle connections from one address: the node keeps 50 and closes the "
                     "rest; another address is answered at once",
                     closed == 10 and s == 200 and took < 1.0, f"{closed} closed, {s} in {took:.2f} s")
        kept = [x for x in crowd if not is_closed(x)]
        for k in range(19):  # 950 more, 50 from each of 19 addresses: 1000 open
            socks += open_idle(web, f"127.0.1.{k + 1}", 50)
        time.sleep(0.5)
        before = sum(is_closed(x) for x in kept)
        t = time.monotonic()
        s = request(web, method="GET", path="/healthz")[0]
        took = time.monotonic() - t
        time.sleep(0.3)
        report.check("at 1000 connections a new one is served and the oldest idle one gives way",
                     before == 0 and s == 200 and took < 1.0 and is_closed(kept[0])
                     and not is_closed(kept[1]), f"{before} {s} in {took:.2f} s")
    finally:
        for x in socks:
            x.close()
        p.send_signal(signal.SIGTERM)
        p.wait(20)
        log.close()


def joins_through_failover(report, c):
    """A client joins through the two followers while the leader is killed."""
    old = run.wait_leader(c)
    others = [c.http[i - 1] for i in (1, 2, 3) if i != old]
    log = []
    stop = threading.Event()

    def client(address):
        while not stop.is_set():
            t = time.monotonic()
            s, h, b = request(address, body={"code": "abc-defg-hij", "user_id": "ann"},
                              headers=from_client("203.0.113.50"), timeout=10)
            log.append((t, time.monotonic(), s, h.get("retry-after"), b))

    threads = [threading.Thread(target=client, args=(a,)) for a in others]
    for t in threads:
        t.start()
    time.sleep(0.5)
    killed_at = time.monotonic()
    c.procs[old].send_signal(signal.SIGKILL)
    c.procs[old].wait(10)
    time.sleep(2.5)
    stop.set()
    for t in threads:
        t.join(15)
    bad = [(s, b) for _, _, s, ra, b in log
           if not ((s == 200 and good_token(b, "ann")) or (s == 503 and ra == "1" and b == {
               "code": 503, "message": "token service unavailable, try again"}))]
    after = [end for start, end, s, _, _ in log if s == 200 and start >= killed_at]
    unavailable = sum(1 for *_, s, _, _ in log if s == 503)
    first = after[0] - killed_at if after else None
    report.check("kill -9 of the leader during joins through the other two: every request "
                 "answered with a token that verifies or a retryable 503, none wrong",
                 not bad and len(log) > 20, f"{len(log)} requests, wrong: {bad[:3]}")
    report.check("joins flow again within 1 s of the kill", first is not None and first < 1.0,
                 f"first token {first} s after the kill")
    report.figure(f"joins through the followers across kill -9 of the leader (node {old}): "
                  f"{len(log)} requests, {unavailable} answered 503, first token "
                  f"{first if first is None else round(first, 2)} s after the kill")
    return old


def write_failover(report, c, first_killed):
    """kill -9 of the leader to the first committed write, 5 times, default timeouts."""
    times = []
    killed = first_killed
    for k in range(5):
        c.start(killed)
        if not c.wait_ready(killed):
            report.check(f"node {killed} restarts", False, c.log_since_start(killed)[-300:])
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and request(
                c.http[killed - 1], method="GET", path="/healthz")[0] != 200:
            time.sleep(0.05)
        time.sleep(0.5)  # the restarted node catches up before the next election
        killed = run.wait_leader(c)
        started = time.monotonic()
        c.procs[killed].send_signal(signal.SIGKILL)
        c.procs[killed].wait(10)
        survivors = [c.http[i - 1] for i in (1, 2, 3) if i != killed]
        took = None
        n = 0
        while time.monotonic() - started < 10:
            n += 1
            s, _, _ = request(survivors[n % 2], body={"code": "zzz-zzzz-zzz"},
                              headers=from_client(f"10.{k}.{n // 250}.{n % 250}"), timeout=5)
            if s == 404:
                took = time.monotonic() - started
                break
        times.append(took if took is not None else float("inf"))
    median = statistics.median(times)
    report.check("default timeouts: kill -9 of the leader to the next committed write, median "
                 "of 5 kills, under 1 s", median < 1.0, f"{times}")
    report.figure("kill -9 of the leader to the next committed write (default timeouts): "
                  + ", ".join(f"{t:.2f}" for t in times) + f" s; median {median:.2f} s")
    c.start(killed)
    c.wait_ready(killed)


def add_and_remove(report, c, tmp):
    """docs/replication.md's way to add a node (a new id with --join) and remove it (stop,
    then the shell's .remove)."""
    address = run.free_ports(1)[0]
    c.logs[4] = os.path.join(tmp, "node4.log")
    # --join resolves a host name (only the node's own --address must be an IPv4 address)
    c.argv[4] = [NODE, "--id", "4", "--address", address, "--dir", os.path.join(tmp, "n4"),
                 "--join", "localhost:" + c.addresses[1].split(":")[1]]
    c.start(4)
    ready = c.wait_ready(4)
    ok, members = run.sql(c, ".cluster")
    report.check("a fourth node joins through any member (named localhost:PORT) and is listed "
                 "as a voter",
                 ready and ok and f"4|{address}|voter" in members.splitlines(), members)
    status = c.stop(4, signal.SIGTERM)
    ok, text = run.sql(c, f".remove {address}")
    ok2, members = run.sql(c, ".cluster")
    report.check("stopped, then removed with .remove ADDRESS, it is no longer a member",
                 status == 0 and ok and ok2 and address not in members
                 and len(members.splitlines()) == 3, f"{status} {text} {members}")
    del c.procs[4]


def without_quorum(report, c):
    """With two of three nodes stopped no leader can be elected: the last node answers
    joins 503 with Retry-After (which the SDK retries) and /healthz 503."""
    leader = run.wait_leader(c)
    last = next(i for i in (1, 2, 3) if i != leader)
    for i in (1, 2, 3):
        if i != last:
            c.stop(i, signal.SIGTERM)
    # a leader cut off from the majority steps down after an election timeout; until then
    # it still answers (as any Raft leader does)
    stopped = time.monotonic()
    while time.monotonic() - stopped < 5:
        hs, hh, hb = request(c.http[last - 1], method="GET", path="/healthz")
        if hs != 200:
            break
        time.sleep(0.05)
    report.figure(f"no quorum: /healthz turned {hs} {time.monotonic() - stopped:.2f} s after "
                  "the other two nodes stopped")
    t = time.monotonic()
    s, h, b = request(c.http[last - 1], body={"code": "abc-defg-hij"})
    took = time.monotonic() - t
    report.check("no quorum: a join is answered 503 with Retry-After: 1 within 2 s",
                 s == 503 and h.get("retry-after") == "1" and b == {
                     "code": 503, "message": "token service unavailable, try again"}
                 and took < 2.0, f"{s} {h.get('retry-after')} {b} in {took:.2f} s")
    report.check("no quorum: /healthz is 503 with Retry-After and the reason",
                 hs == 503 and hh.get("retry-after") == "1" and hb.get("ok") is False
                 and hb.get("error"), f"{hs} {hb}")
    return last


def check_platforms(report, tmp):
    """ROOMCODE_PLATFORM=livekit and jitsi on a node of their own: the Node endpoint's
    answers, {token, url}, with tokens that verify."""
    address, web = run.free_ports(2)
    folder = os.path.join(tmp, "platforms")
    servers = address
    base = dict(os.environ, ROOMCODE_APP_SECRET=APP_SECRET)
    sides = [
        ("livekit", {"ROOMCODE_PLATFORM": "livekit", "ROOMCODE_ACCESS_KEY": "APIkey",
                     "ROOMCODE_LIVEKIT_URL": "wss://lk.example.com"}),
        ("jitsi", {"ROOMCODE_PLATFORM": "jitsi", "ROOMCODE_APP_ID": "my-app",
                   "ROOMCODE_JITSI_DOMAIN": "meet.example.com"}),
    ]
    for k, (name, env) in enumerate(sides):
        log = open(os.path.join(tmp, f"{name}.log"), "w")
        p = subprocess.Popen([NODE, "--id", "1", "--address", address, "--dir", folder, "--http",
                              web], stdout=log, stderr=log, env=dict(base, **env))
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and request(web, method="GET",
                                                          path="/healthz")[0] != 200:
                time.sleep(0.1)
            if k == 0:
                for statement in [
                    "CREATE VIRTUAL TABLE room_codes USING roomcode",
                    "INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', "
                    "'Town Hall', 'guest')",
                    "INSERT INTO room_codes_templates(template, role, permissions) VALUES "
                    "('webinar', 'guest', '{}')",
                    "INSERT INTO room_codes_rooms(room_id, template) VALUES ('Closed', 'webinar')",
                    "INSERT INTO room_codes(code, room_id, role) VALUES ('clo-sedr-oom', "
                    "'Closed', 'guest')",
                    "UPDATE room_codes_rooms SET enabled = 0 WHERE room_id = 'Closed'",
                ]:
                    subprocess.run(["dqlite", "-s", servers, run.DB, statement],
                                   capture_output=True, timeout=20)
            s, _, b = request(web, body={"code": "abc-defg-hij", "user_id": "ann"})
            token = b.get("token", "") if isinstance(b, dict) else ""
            claims = run.verify_token(token, APP_SECRET) or {}
            if name == "livekit":
                ok = (s == 200 and set(b) == {"token", "url"} and b["url"] == "wss://lk.example.com"
                      and claims.get("iss") == "APIkey" and claims.get("sub") == "ann"
                      and claims.get("video", {}).get("room") == "Town Hall")
            else:
                ok = (s == 200 and set(b) == {"token", "url"} and claims.get("iss") == "my-app"
                      and claims.get("sub") == "meet.example.com" and b["url"] ==
                      f"https://meet.example.com/{quote(claims.get('room', ''), safe=SAFE)}"
                      f"?jwt={token}")
            s2, _, b2 = request(web, body={"code": "zzz-zzzz-zzz"})
            s3, _, b3 = request(web, body={"code": "clo-sedr-oom"})
            report.check(f"ROOMCODE_PLATFORM={name}: {{token, url}} with a token that verifies; "
                         "refusals as on 100ms, a disabled room's too", ok and s2 == 404 and b2 == {
                             "code": 404, "message": "room code does not exist"} and s3 == 403
                         and b3 == {"code": 403, "message": "room is disabled"},
                         f"{s} {b} {claims} / {s2} {b2} / {s3} {b3}")
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(20)
            log.close()


def backup(report, c, tmp):
    folder = os.path.join(tmp, "backup")
    os.makedirs(folder)
    ok, leader = run.sql(c, ".leader")
    r = subprocess.run(["dqlite", "-s", c.servers, run.DB, f".dump {leader} {run.DB}"],
                       cwd=folder, capture_output=True, text=True, timeout=20)
    path = os.path.join(folder, run.DB)
    subprocess.run(["sqlite3", path, "PRAGMA journal_mode = DELETE"], capture_output=True,
                   timeout=20)
    files = sorted(os.listdir(folder))
    ok2, count = run.sql(c, "SELECT count(*) FROM room_codes")
    db = sqlite3.connect(path)
    db.enable_load_extension(True)
    db.load_extension(EXTENSION)
    rows = db.execute("SELECT count(*) FROM room_codes").fetchone()[0]
    token = db.execute("SELECT roomcode_token('abc-defg-hij', 'ann', ?, ?)",
                       (ACCESS_KEY, APP_SECRET)).fetchone()[0]
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    failures = db.execute("SELECT count(*) FROM roomcode_join_failures").fetchone()[0]
    db.close()
    report.check("a backup (.dump of the leader, then journal_mode DELETE) is one file that "
                 "SQLite with roomcode opens, with every code",
                 ok and ok2 and r.returncode == 0 and files == [run.DB] and integrity == "ok"
                 and str(rows) == count and good_token({"token": token}, "ann")
                 and failures > 0, f"{r.stdout} {r.stderr} {files} {rows} vs {count}")


def main():
    report = run.Report()
    started = time.monotonic()
    name = "cluster-join"
    tmp = tempfile.mkdtemp(prefix="roomcode-join-")
    c = HttpCluster(tmp)
    try:
        for i in (1, 2, 3):
            c.start(i)
            if i == 1:
                time.sleep(0.3)
        for i in (1, 2, 3):
            report.check(f"node {i} with --http is ready, its folder made with its parents",
                         c.wait_ready(i) and os.path.isdir(c.argv[i][6]),
                         c.log_since_start(i)[-400:])
        for statement in [
            "CREATE VIRTUAL TABLE room_codes USING roomcode",
            "INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'standup-42', 'guest')",
            "INSERT INTO room_codes(code, room_id, role, enabled) VALUES ('dis-able-dab', 'standup-42', 'host', 0)",
            "INSERT INTO room_codes(code, room_id, role, user_id) VALUES ('bou-ndto-ann', 'standup-42', 'guest', 'ann')",
        ]:
            ok, text = run.sql(c, statement)
            if not report.check(f"setup: {statement[:60]}", ok, text):
                return
        check_answers(report, c)
        check_limit(report, c)
        slow_headers, slow_body = [], []
        # on a follower: the leader is killed while the body still trickles
        follower = c.http[next(i for i in (3, 2, 1) if i != run.wait_leader(c)) - 1]
        slow = [threading.Thread(target=dribble, args=(follower, False, slow_headers)),
                threading.Thread(target=dribble, args=(follower, True, slow_body))]
        for t in slow:
            t.start()
        check_in_flight(report, c)
        check_connection_caps(report, tmp)
        check_platforms(report, tmp)
        slow[0].join(10)
        report.check("headers sent a byte a second are cut after 5 s",
                     slow_headers and 4.5 <= slow_headers[0] <= 6.8, slow_headers)
        killed = joins_through_failover(report, c)
        slow[1].join(10)
        report.check("a body sent a byte a second is cut 10 s after the request began",
                     slow_body and 9.5 <= slow_body[0] <= 11.8, slow_body)
        write_failover(report, c, killed)
        backup(report, c, tmp)
        add_and_remove(report, c, tmp)
        last = without_quorum(report, c)
        status = c.stop(last, signal.SIGTERM)
        report.check(f"node {last}, alone, exits 0 on SIGTERM", status == 0,
                     f"status {status}: {c.log_since_start(last)[-300:]!r}")
        logs = "".join(open(p).read() for p in c.logs.values())
        report.check("no node printed the app secret", APP_SECRET not in logs)
    finally:
        c.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"{name}: finished in {time.monotonic() - started:.1f} s")
        if report.figures:
            print(f"{name} figures:")
            for f in report.figures:
                print(f"  {f}")
        print(f"{name}: {report.passed} passed, {report.failed} failed")
        sys.stdout.flush()
        os._exit(1 if report.failed or report.passed == 0 else 0)


if __name__ == "__main__":
    main()
