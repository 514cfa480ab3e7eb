"""The cluster suite: three roomcode-node processes (build/roomcode-node, dqlite with the
extension built in) on loopback, driven through go-dqlite's `dqlite` shell, a real client.

It starts the cluster with the command lines of docs/replication.md (their ports and
folders swapped for free ones), runs the documented shell commands and checks their
output, then: every function through the shell, the `roomcode:` errors of the cap and of
uniqueness, clients racing for a room's last slots, kill -9 of the leader, the rows and
rules on the new leader, the killed node catching up after a restart, a clean stop on
SIGTERM with handover. It prints replicated latencies (roomcode_new beside a plain
INSERT) and the failover time. Every process it starts is ended by its PID.

What the dqlite shell does, and how this reads it:
- with a command argument it splits on ';', prints rows, and exits 1 on an error, whose
  text goes to stderr as `Error: ...`: each statement here is one process;
- each command gives up after 2 s, so commands that meet an election are run again;
- in dqlite 1.11 a SELECT that fails while stepping reports its first column's name, not
  SQLite's message (the failure is written after the rows' header): the text of such an
  error is not checked, only that it is one. INSERT and UPDATE keep the message.

--bench runs the measurements only, longer, and also measures the failover with dqlite's
default timeouts (`make bench-cluster`).
"""
import base64
import hashlib
import hmac
import json
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NODE = os.path.join(ROOT, "build", "roomcode-node")
DOC = os.path.join(ROOT, "docs", "replication.md")
DB = "roomcode"
VERSION = open(os.path.join(ROOT, "VERSION"), encoding="utf-8").read().strip()
DOC_PORTS = ["127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"]
DOC_HTTP = ["127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"]
DOC_DIR = "/tmp/roomcode-cluster"
TOKEN = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
CODE = r"[a-z]{3}-[a-z]{4}-[a-z]{3}"
CAP_MESSAGE = "roomcode: room 'race' already has 100 room codes (limit 100)"
# Errors of a cluster between leaders or of a busy leader, after which a client tries
# again; anything else is an answer.
TRANSIENT = re.compile(
    r"no available dqlite leader|context deadline exceeded|not leader|leadership lost|"
    r"connection refused|EOF|broken pipe|connection reset|checkpoint in progress|"
    r"i/o timeout|database is locked",
    re.I,
)
STATEMENT_DEADLINE = 20.0  # seconds a statement is retried through elections


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.figures = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}", flush=True)
        return ok

    def figure(self, text):
        self.figures.append(text)
        print(f"     {text}", flush=True)


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return [f"127.0.0.1:{p}" for p in ports]


def doc_commands():
    """The quick start of docs/replication.md, its first ```sh blocks: the packages of its
    apt-get line, its exported settings, the node command lines, and the dqlite shell and
    curl commands with their expected output (the `# ` lines under them)."""
    text = open(DOC, encoding="utf-8").read()
    quick = text[text.index("## Try it on one machine"):]
    quick = quick[:quick.index("\n## ", 3)]
    nodes, shell, env, packages = {}, [], {}, []
    for block in re.findall(r"```sh\n(.*?)```", quick, re.S):
        for line in block.splitlines():
            if line.startswith("build/roomcode-node "):
                argv = shlex.split(line.rstrip(" &"))
                nodes[int(argv[argv.index("--id") + 1])] = argv
            elif line.startswith("apt-get install "):
                packages += line.split()[2:]
            elif line.startswith("export "):
                env.update(a.split("=", 1) for a in shlex.split(line)[1:])
            elif line.startswith(("dqlite ", "curl ")):
                shell.append([shlex.split(line), []])
            elif line.startswith("# ") and shell:
                shell[-1][1].append(line[2:])
    return nodes, shell, env, packages


class Cluster:
    """Three nodes started from the documented command lines, on free ports and in a
    temporary folder."""

    def __init__(self, tmp, node_argv, env=None):
        self.tmp = tmp
        # the doc's folder, in a fresh folder: the node makes the missing parents
        self.data = os.path.join(tmp, "fresh", "roomcode-cluster")
        self.addresses = free_ports(3)
        self.http = free_ports(3)
        self.env = dict(os.environ, **(env or {}))
        self.argv = {i: self.localize(a) for i, a in node_argv.items()}
        self.procs = {}
        self.logs = {i: os.path.join(tmp, f"node{i}.log") for i in self.argv}
        self.servers = ",".join(self.addresses)

    def localize(self, argv):
        out = []
        for a in argv:
            for doc, mine in zip(DOC_PORTS + DOC_HTTP, self.addresses + self.http):
                a = a.replace(doc, mine)
            a = a.replace(DOC_DIR, self.data)
            out.append(NODE if a == "build/roomcode-node" else a)
        return out

    def start(self, i, argv=None):
        log = open(self.logs[i], "a")
        self.log_offset = getattr(self, "log_offset", {})
        self.log_offset[i] = log.tell()
        self.procs[i] = subprocess.Popen(
            argv or self.argv[i], stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self.env
        )
        log.close()

    def log_since_start(self, i):
        with open(self.logs[i]) as f:
            f.seek(self.log_offset[i])
            return f.read()

    def wait_ready(self, i, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f"node {i} ready on" in self.log_since_start(i):
                return True
            if self.procs[i].poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def node_of(self, address):
        return self.addresses.index(address) + 1 if address in self.addresses else None

    def stop(self, i, sig=signal.SIGTERM, timeout=10.0):
        """Sends sig to node i and waits for it; returns its exit status (None if it had
        to be killed)."""
        p = self.procs.get(i)
        if p is None or p.poll() is not None:
            return p.returncode if p else None
        p.send_signal(sig)
        try:
            return p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return None

    def stop_all(self):
        for i in list(self.procs):
            self.stop(i)


def run_dqlite(servers, command, timeout=10.0):
    """One dqlite shell process for one statement: (ok, text). text is the rows, or the
    `Error: ...` line."""
    try:
        r = subprocess.run(
            ["dqlite", "-s", servers, DB, command],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return False, "Error: the dqlite shell did not finish in time"
    if r.returncode == 0:
        return True, r.stdout.rstrip("\n")
    errors = [l for l in r.stderr.splitlines() if l.startswith("Error:")]
    return False, errors[0] if errors else f"Error: exit status {r.returncode}"


def sql(cluster, command, deadline=STATEMENT_DEADLINE, counts=None):
    """Runs a statement, again after transient errors (elections), until an answer."""
    end = time.monotonic() + deadline
    while True:
        ok, text = run_dqlite(cluster.servers, command)
        if ok or not TRANSIENT.search(text) or time.monotonic() > end:
            return ok, text
        if counts is not None:
            counts["transient"] = counts.get("transient", 0) + 1
        time.sleep(0.05)


def session(cluster, statements, timeout=120.0):
    """Statements piped into one shell process (one connection), one per line: returns
    the seconds it took and the results (rows or `Error: ...`), one per statement."""
    started = time.monotonic()
    r = subprocess.run(
        ["dqlite", "-s", cluster.servers, DB],
        input="\n".join(statements) + "\n",
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    took = time.monotonic() - started
    results = [x.rstrip("\n") for x in r.stdout.split("dqlite> ")[1:]]
    return took, results[: len(statements)]


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_token(token, secret):
    parts = token.split(".")
    if len(parts) != 3:
        return None
    mac = hmac.new(secret.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(mac, b64url(parts[2])):
        return None
    return json.loads(b64url(parts[1]))


def snapshot(cluster):
    return sql(
        cluster,
        "SELECT code, room_id, role, enabled, ifnull(user_id, '-'), created_at, updated_at "
        "FROM room_codes ORDER BY code",
    )


def leader(cluster):
    ok, text = sql(cluster, ".leader")
    return cluster.node_of(text.strip()) if ok else None


def wait_leader(cluster, not_node=None, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        n = leader(cluster)
        if n is not None and n != not_node and cluster.procs[n].poll() is None:
            return n
        time.sleep(0.05)
    return None


def time_until_write(cluster, room, timeout=30.0):
    """Seconds until a roomcode_new succeeds (from the caller's clock start), and the code."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ok, text = run_dqlite(cluster.servers, f"SELECT roomcode_new('{room}', 'host')", 5.0)
        if ok and re.fullmatch(CODE, text):
            return text
        time.sleep(0.02)
    return None


# ---------------------------------------------------------------------------------------


def check_flags(report, tmp):
    """Bad flags are refused with a message naming them, before anything starts."""
    cases = [
        (["--bogus"], 2, "roomcode-node: unknown argument '--bogus'"),
        (["--id", "0", "--address", "127.0.0.1:1", "--dir", tmp], 2,
         "roomcode-node: --id must be a whole number from 1, not '0'"),
        (["--id", "1", "--address", "localhost", "--dir", tmp], 2,
         "roomcode-node: --address must be HOST:PORT with a port from 1 to 65535, not 'localhost'"),
        (["--id", "1", "--address", "127.0.0.1:70000", "--dir", tmp], 2,
         "not '127.0.0.1:70000'"),
        (["--id", "1", "--address", "127.0.0.1:1"], 2, "roomcode-node: --dir is required"),
        (["--id", "1", "--address", "127.0.0.1:1", "--dir", tmp, "--join", "127.0.0.1:2"], 2,
         "node 1 starts a new cluster and cannot join one"),
        (["--id", "2", "--address", "127.0.0.1:1", "--dir", os.path.join(tmp, "none")], 2,
         "only node 1 starts a new cluster; give --join HOST:PORT of a running node"),
        (["--id", "2", "--address", "127.0.0.1:1", "--dir", tmp, "--latency-ms", "fast"], 2,
         "--latency-ms must be a whole number from 1 to 60000, not 'fast'"),
        (["--id", "1", "--address", "localhost:9101", "--dir", tmp], 2,
         "roomcode-node: --address must be an IPv4 address and a port (dqlite 1.11 neither "
         "resolves host names nor speaks IPv6), not 'localhost:9101'"),
        (["--id", "1", "--address", "[::1]:9304", "--dir", tmp], 2,
         "neither resolves host names nor speaks IPv6), not '[::1]:9304'"),
        (["--id", "2", "--address", "127.0.0.1:1", "--dir", tmp, "--join", "node1"], 2,
         "roomcode-node: --join must be HOST:PORT with a port from 1 to 65535, not 'node1'"),
        (["--id", "1", "--address", "127.0.0.1:1", "--dir", tmp, "--http", "8787"], 2,
         "roomcode-node: --http must be HOST:PORT with a port from 1 to 65535, not '8787'"),
        (["--id", "1", "--address", "127.0.0.1:1", "--dir", tmp, "--http", "127.0.0.1:1"], 2,
         "roomcode-node: --http needs ROOMCODE_APP_SECRET in the environment"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROOMCODE_")}
    for args, status, message in cases:
        r = subprocess.run([NODE] + args, capture_output=True, text=True, timeout=10, env=env)
        report.check(
            "refuses " + " ".join(args).replace(tmp, "DIR"),
            r.returncode == status and message in r.stderr,
            f"status {r.returncode}, stderr {r.stderr.strip()[:300]!r}",
        )
    keys = dict(env, ROOMCODE_ACCESS_KEY="k", ROOMCODE_APP_SECRET="s")
    for extra, message in [
        ({"ROOMCODE_ACCESS_KEY": ""}, "roomcode-node: --http needs ROOMCODE_ACCESS_KEY in the "
         "environment"),
        ({"ROOMCODE_PLATFORM": "zoom"},
         "roomcode-node: ROOMCODE_PLATFORM must be one of 100ms, livekit, jitsi, not 'zoom'"),
        ({"ROOMCODE_PLATFORM": "livekit"},
         "roomcode-node: --http needs ROOMCODE_LIVEKIT_URL in the environment"),
        ({"ROOMCODE_PLATFORM": "livekit", "ROOMCODE_LIVEKIT_URL": "lk.example.com"},
         "roomcode-node: ROOMCODE_LIVEKIT_URL must be a ws, wss, http or https URL of your "
         "LiveKit server, not 'lk.example.com'"),
        ({"ROOMCODE_PLATFORM": "jitsi"},
         "roomcode-node: --http needs ROOMCODE_APP_ID in the environment"),
        ({"ROOMCODE_PLATFORM": "jitsi", "ROOMCODE_APP_ID": "app"},
         "roomcode-node: --http needs ROOMCODE_JITSI_DOMAIN in the environment"),
        ({"ROOMCODE_PLATFORM": "jitsi", "ROOMCODE_APP_ID": "app",
          "ROOMCODE_JITSI_DOMAIN": "https://meet.example.com"},
         "roomcode-node: ROOMCODE_JITSI_DOMAIN must be the host name of your Jitsi Meet "
         "(meet.example.com), not 'https://meet.example.com'"),
        ({"ROOMCODE_MAX_FAILURES": "0"},
         "roomcode-node: ROOMCODE_MAX_FAILURES must be a whole number from 1 to 1000000000, "
         "not '0'"),
        ({"ROOMCODE_MAX_CONNECTIONS": "many"},
         "roomcode-node: ROOMCODE_MAX_CONNECTIONS must be a whole number from 1 to 10000, "
         "not 'many'"),
    ]:
        r = subprocess.run([NODE, "--id", "1", "--address", "127.0.0.1:1", "--dir",
                            os.path.join(tmp, "none"), "--http", "127.0.0.1:1"],
                           capture_output=True, text=True, timeout=10, env=dict(keys, **extra))
        report.check(f"refuses --http with {extra}", r.returncode == 2 and message in r.stderr,
                     f"status {r.returncode}, stderr {r.stderr.strip()[:300]!r}")
    report.check("the folder of a refused node 2 was not created",
                 not os.path.exists(os.path.join(tmp, "none")))


def check_docs(report, cluster, shell_commands):
    """The documented shell commands, with their documented output."""
    for argv, expected in shell_commands:
        command = argv[-1]
        if argv[0] == "curl":
            r = subprocess.run(cluster.localize(argv), capture_output=True, text=True,
                               timeout=20)
            expected = [cluster.localize([e])[0] for e in expected]
            pattern = [re.escape(e).replace(re.escape("<token>"), TOKEN) for e in expected]
            lines = r.stdout.splitlines()
            report.check(f"docs: {' '.join(argv)[:70]}", r.returncode == 0 and len(lines) ==
                         len(pattern) and all(re.fullmatch(p, l) for p, l in zip(pattern, lines)),
                         f"got {r.stdout!r} {r.stderr!r}, expected {expected!r}")
            continue
        ok, text = sql(cluster, command)
        lines = text.splitlines() if text else []
        if command.startswith("."):
            lines.sort()  # .cluster lists nodes in the order they joined
        expected = [cluster.localize([e])[0] for e in expected]
        pattern = [re.escape(e).replace(re.escape("<code>"), CODE) for e in expected]
        good = ok and len(lines) == len(pattern) and all(
            re.fullmatch(p, l) for p, l in zip(pattern, lines))
        report.check(f"docs: {command[:70]}", good, f"got {text!r}, expected {expected!r}")


def check_functions(report, c):
    ok, version = sql(c, "SELECT roomcode_version()")
    report.check("roomcode_version() on the leader", ok and version == VERSION, version)
    ok, rows = sql(c, "SELECT role, code FROM roomcode_create('standup-7', '[\"host\", \"guest\"]')")
    first = rows.splitlines()
    ok2, rows2 = sql(c, "SELECT role, code FROM roomcode_create('standup-7', '[\"host\", \"guest\"]')")
    report.check("roomcode_create again returns the same codes", ok and ok2 and rows == rows2
                 and len(first) == 2, f"{rows!r} then {rows2!r}")
    guest = first[1].split("|")[1] if len(first) == 2 else "?"
    ok, minted = sql(c, "SELECT roomcode_new('standup-7', 'guest', 'user-7')")
    report.check("roomcode_new returns a code", ok and re.fullmatch(CODE, minted), minted)
    ok, found = sql(c, f"SELECT room_id, role, enabled, user_id FROM room_codes WHERE code = '{minted}'")
    report.check("the new code is stored, bound to user-7", found == "standup-7|guest|1|user-7",
                 found)
    ok, token = sql(c, f"SELECT roomcode_token('{guest}', 'user-9', 'key-1', 'secret-1', 600)")
    claims = verify_token(token, "secret-1") if ok else None
    report.check(
        "roomcode_token signs an HS256 token that verifies",
        claims is not None and claims.get("room_id") == "standup-7"
        and claims.get("role") == "guest" and claims.get("user_id") == "user-9"
        and claims.get("exp") - claims.get("iat") == 600,
        token[:80],
    )
    ok, text = sql(c, f"INSERT INTO room_codes(code, room_id, role) VALUES ('{guest}', 'town-hall', 'host')")
    report.check("uniqueness: the roomcode: error reaches the client",
                 not ok and f"roomcode: room code '{guest}' already exists" in text, text)
    ok, text = sql(c, "INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gb', 'town-hall', 'host')")
    report.check("a malformed code is refused with its message",
                 not ok and "roomcode: malformed room code 'xvm-wxwo-gb'" in text, text)
    ok, text = sql(c, f"UPDATE room_codes SET enabled = 0 WHERE code = '{guest}'")
    ok2, row = sql(c, f"SELECT enabled, updated_at > created_at FROM room_codes WHERE code = '{guest}'")
    report.check("UPDATE through the table; the store's trigger moved updated_at",
                 ok and row == "0|1", f"{text!r} {row!r}")
    ok, text = sql(c, f"SELECT roomcode_token('{guest}', 'user-9', 'key-1', 'secret-1')")
    report.check("roomcode_token refuses the disabled code (an error; dqlite 1.11 loses the "
                 "text of a failing SELECT)", not ok and text.startswith("Error:"), text)
    ok, text = sql(c, "SELECT (SELECT count(*) FROM room_codes_store) = (SELECT count(*) FROM room_codes)")
    report.check("the store is readable as a plain table", ok and text == "1", text)
    return guest


def race(report, c):
    """Clients race for the last 10 slots of a room: 3 mint with roomcode_new, 3 insert
    through the table until they see the cap."""
    ok, text = sql(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 90) "
                      "INSERT INTO room_codes(room_id, role) SELECT 'race', 'guest' FROM n")
    ok2, count = sql(c, "SELECT count(*) FROM room_codes WHERE room_id = 'race'")
    report.check("90 codes in one INSERT ... SELECT", ok and count == "90", f"{text!r} {count!r}")
    lock = threading.Lock()
    tally = {"minted": [], "mint_errors": 0, "inserted": 0, "cap": 0, "locked": 0, "other": []}
    start = threading.Barrier(6)

    def minter():
        start.wait()
        for _ in range(6):
            ok, text = run_dqlite(c.servers, "SELECT roomcode_new('race', 'guest')")
            with lock:
                if ok:
                    tally["minted"].append(text)
                else:
                    tally["mint_errors"] += 1

    def inserter():
        start.wait()
        end = time.monotonic() + 30
        while time.monotonic() < end:
            ok, text = run_dqlite(c.servers, "INSERT INTO room_codes(room_id, role) VALUES ('race', 'host')")
            with lock:
                if ok:
                    tally["inserted"] += 1
                elif CAP_MESSAGE in text:
                    tally["cap"] += 1
                    return
                elif "database is locked" in text:
                    tally["locked"] += 1
                else:
                    tally["other"].append(text)
                    if not TRANSIENT.search(text):
                        return

    threads = [threading.Thread(target=minter) for _ in range(3)]
    threads += [threading.Thread(target=inserter) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    minted = tally["minted"]
    report.figure(f"race: {len(minted)} codes from roomcode_new, {tally['mint_errors']} of its "
                  f"calls refused; {tally['inserted']} INSERTs, {tally['cap']} cap errors, "
                  f"{tally['locked']} 'database is locked' (retried)")
    ok, count = sql(c, "SELECT count(*), count(DISTINCT code), sum(roomcode_valid(code)) "
                       "FROM room_codes WHERE room_id = 'race'")
    report.check("exactly 100 codes in the raced room, distinct and valid", count == "100|100|100",
                 count)
    report.check("every inserting client met the cap's roomcode: message", tally["cap"] == 3,
                 f"{tally['cap']} of 3; other errors {tally['other'][:3]}")
    listed = ", ".join(f"'{m}'" for m in minted) or "''"
    ok, stored = sql(c, f"SELECT count(*) FROM room_codes WHERE room_id = 'race' AND code IN ({listed})")
    report.check("every code a client received is stored", all(re.fullmatch(CODE, m) for m in minted)
                 and stored == str(len(minted)), f"{stored} of {len(minted)}")
    if not tally["other"]:
        report.check("the 10 last slots went to 10 successful calls",
                     len(minted) + tally["inserted"] == 10,
                     f"{len(minted)} + {tally['inserted']}")
    ok, text = sql(c, "INSERT INTO room_codes(room_id, role) VALUES ('race', 'host')")
    report.check("the 101st code: the cap's roomcode: message reaches the client",
                 not ok and CAP_MESSAGE in text, text)
    ok, text = sql(c, "SELECT roomcode_new('race', 'host')")
    report.check("the 101st code by roomcode_new is refused", not ok, text)


def rules_hold(report, c, label, guest):
    ok, text = sql(c, "INSERT INTO room_codes(room_id, role) VALUES ('race', 'host')")
    report.check(f"{label}: the cap still holds", not ok and CAP_MESSAGE in text, text)
    ok, text = sql(c, f"INSERT INTO room_codes(code, room_id, role) VALUES ('{guest}', 'elsewhere', 'host')")
    report.check(f"{label}: uniqueness still holds",
                 not ok and f"roomcode: room code '{guest}' already exists" in text, text)
    ok, code = sql(c, "SELECT roomcode_new('after', 'guest')")
    ok2, token = sql(c, f"SELECT roomcode_token('{code}', 'user-1', 'key-2', 'secret-2')") if ok else (False, "")
    claims = verify_token(token, "secret-2") if ok2 else None
    report.check(f"{label}: roomcode_new and roomcode_token work on the new leader",
                 claims is not None and claims.get("room_id") == "after", f"{code!r} {token[:60]!r}")


def bench(report, c, rounds, n):
    """Replicated roomcode_new beside a plain replicated INSERT of a random code into a
    table of the store's columns and indexes, without its checks and triggers: median
    seconds per statement, one client, each statement its own transaction (the shell's
    BEGIN ... COMMIT). A session of 1 statement is timed beside one of n, so the shell's
    start is left out."""
    sql(c, "CREATE TABLE IF NOT EXISTS plain_codes(code TEXT PRIMARY KEY, room_id TEXT NOT NULL, "
           "role TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1, user_id TEXT, "
           "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (room_id, role, code)) "
           "WITHOUT ROWID")
    per = {"roomcode_new": [], "plain INSERT": []}
    serial = [0]

    def statements(kind, count):
        out = []
        for _ in range(count):
            serial[0] += 1
            room = f"bench-{serial[0]}"
            if kind == "roomcode_new":
                out.append(f"SELECT roomcode_new('{room}', 'guest')")
            else:
                out.append("INSERT INTO plain_codes(code, room_id, role, created_at, updated_at) "
                           f"VALUES (lower(hex(randomblob(5))), '{room}', 'guest', "
                           "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
                           "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
        return out

    errors = 0
    for _ in range(rounds):
        for kind in per:
            t1, r1 = session(c, statements(kind, 1))
            tn, rn = session(c, statements(kind, n))
            errors += sum(1 for r in r1 + rn if r.startswith("Error"))
            per[kind].append((tn - t1) / (n - 1))
    new = statistics.median(per["roomcode_new"])
    plain = statistics.median(per["plain INSERT"])
    report.figure(f"replicated roomcode_new: {new * 1000:.2f} ms; plain replicated INSERT: "
                  f"{plain * 1000:.2f} ms; ratio {new / plain:.2f} (median of {rounds} rounds of "
                  f"{n}, 3 nodes on loopback" + (f"; {errors} statements failed" if errors else "")
                  + ")")


def failover(report, c, label):
    """kill -9 of the leader: seconds until a write succeeds again. Returns (killed, code)."""
    old = wait_leader(c)
    started = time.monotonic()
    c.procs[old].send_signal(signal.SIGKILL)
    c.procs[old].wait(10)
    code = time_until_write(c, "failover")
    took = time.monotonic() - started
    new = wait_leader(c, not_node=old)
    report.check(f"{label}: a new leader is elected and takes writes",
                 code is not None and new is not None and new != old,
                 f"old {old}, new {new}, code {code}")
    report.figure(f"{label}: kill -9 of the leader (node {old}) to the first committed "
                  f"roomcode_new: {took:.2f} s (node {new} leads)")
    return old, code, took


def rotate_to(report, c, target, guest):
    """Clean stops (SIGTERM, handover) of the leader, each restarted, until node target
    leads: the handover goes to the next node by id."""
    for _ in range(3):
        current = wait_leader(c)
        if current == target:
            return True
        started = time.monotonic()
        status = c.stop(current, signal.SIGTERM)
        log = c.log_since_start(current)
        code = time_until_write(c, "handover")
        took = time.monotonic() - started
        report.check(f"SIGTERM stops node {current} cleanly after handing over leadership",
                     status == 0 and "handed leadership to node" in log and code is not None,
                     f"status {status}, log {log.strip()[-200:]!r}")
        report.figure(f"SIGTERM of the leader (node {current}) to the first committed write: "
                      f"{took:.2f} s")
        c.start(current)
        report.check(f"node {current} restarts", c.wait_ready(current), c.log_since_start(current))
    return wait_leader(c) == target


def main():
    bench_only = "--bench" in sys.argv[1:]
    name = "bench-cluster" if bench_only else "cluster"
    report = Report()
    started = time.monotonic()
    missing = [p for p, ok in ((NODE, os.path.exists(NODE)), ("dqlite", shutil.which("dqlite")))
               if not ok]
    if missing:
        print(f"{name}: missing {', '.join(missing)}: apt-get install libdqlite-dev go-dqlite; "
              "make cluster")
        print(f"{name}: 0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="roomcode-cluster-")
    clusters = []
    try:
        node_argv, shell_commands, env, packages = doc_commands()
        if not report.check("docs/replication.md gives the command lines of nodes 1, 2 and 3",
                            sorted(node_argv) == [1, 2, 3], sorted(node_argv)):
            return 1
        needed = subprocess.run(["sh", os.path.join(ROOT, "tests/support/check_deps.sh"),
                                 "--list", "demo"], capture_output=True, text=True).stdout.split()
        needed += subprocess.run(["sh", os.path.join(ROOT, "tests/support/check_deps.sh"),
                                  "--list", "cluster"], capture_output=True, text=True).stdout.split()
        report.check("the quick start's apt-get line names every package a clean machine needs "
                     "(tests/support/check_deps.sh demo and cluster)",
                     needed and set(needed) <= set(packages), f"{packages} vs {needed}")
        if not bench_only:
            check_flags(report, tmp)
        c = Cluster(tmp, node_argv, env)
        clusters.append(c)
        for i in (1, 2, 3):
            c.start(i)
        for i in (1, 2, 3):
            report.check(f"node {i} is ready", c.wait_ready(i), c.log_since_start(i)[-400:])
        report.check("the nodes made their folders and the missing parents",
                     all(os.path.isdir(os.path.join(c.data, f"n{i}")) for i in (1, 2, 3)))
        if bench_only:
            sql(c, "CREATE VIRTUAL TABLE room_codes USING roomcode")
            bench(report, c, rounds=5, n=200)
            times = []
            for k in range(5):
                old, _, took = failover(report, c, f"failover {k + 1} (default timeouts)")
                times.append(took)
                c.start(old)
                c.wait_ready(old)
                time.sleep(1)  # let it catch up, so the next election starts from 3 nodes
            report.figure(f"kill -9 of the leader to the first committed roomcode_new through "
                          f"the dqlite shell (its retries included), default timeouts: median "
                          f"{statistics.median(times):.2f} s of 5")
            return 0
        r = subprocess.run([NODE, "--id", "4", "--address", c.addresses[0], "--dir",
                            os.path.join(tmp, "n4"), "--join", c.addresses[1]],
                           capture_output=True, text=True, timeout=10)
        report.check("a node on a taken address is refused with the address",
                     r.returncode == 1 and f"cannot listen on {c.addresses[0]}" in r.stderr,
                     r.stderr.strip())
        spare = free_ports(1)[0]
        r = subprocess.run([NODE, "--id", "4", "--address", spare, "--dir",
                            os.path.join(tmp, "n4h"), "--join", c.addresses[1], "--http",
                            c.http[0]], capture_output=True, text=True, timeout=20, env=c.env)
        ok, members = sql(c, ".cluster")
        report.check("a node whose --http port is taken stops before it joins",
                     r.returncode == 1 and f"cannot listen on --http {c.http[0]}" in r.stderr
                     and ok and spare not in members, f"{r.returncode} {r.stderr.strip()} {members}")
        check_docs(report, c, shell_commands)
        guest = check_functions(report, c)
        race(report, c)
        bench(report, c, rounds=3, n=40)
        ok, before = snapshot(c)
        report.check("a snapshot of every row before the kill", ok and len(before.splitlines()) > 100,
                     before[:200])
        killed, code, _ = failover(report, c, "failover")
        ok, after = snapshot(c)
        kept = [l for l in after.splitlines() if not l.startswith(f"{code}|")]
        report.check("every row, timestamps included, is on the new leader as it was",
                     ok and kept == before.splitlines(),
                     f"{len(kept)} rows vs {len(before.splitlines())}")
        rules_hold(report, c, "after failover", guest)
        ok, current = snapshot(c)
        c.start(killed)
        report.check(f"the killed node {killed} restarts", c.wait_ready(killed),
                     c.log_since_start(killed))
        report.check(f"node {killed} leads after clean stops of the others",
                     rotate_to(report, c, killed, guest), "")
        ok, caught_up = snapshot(c)
        # the rows written by the handovers' first writes came after the comparison point
        caught_up = "\n".join(l for l in caught_up.splitlines() if "|handover|" not in l)
        report.check(f"node {killed}, restarted, has every row", ok and caught_up == current,
                     f"{len(caught_up.splitlines())} rows vs {len(current.splitlines())}")
        rules_hold(report, c, f"on node {killed}", guest)
        for i in (1, 2, 3):
            status = c.stop(i, signal.SIGTERM)
            report.check(f"node {i} exits 0 on SIGTERM", status == 0,
                         f"status {status}: {c.log_since_start(i)[-300:]!r}")
        return 0
    finally:
        for c in clusters:
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
