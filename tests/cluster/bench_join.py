"""make bench-cluster, joins: requests per second and p99 latency of the join endpoint
served by three roomcode-node processes (--http, default timeouts) on loopback, through
the leader, through one follower and through all three, beside the Node join endpoint
(examples/join-endpoint) on one SQLite file on the same machine; then kill -9 of the
leader to the next committed write, 5 times. The load is tests/cluster/bench_load.mjs
(Node, keep-alive, 16 requests in flight, the SDK's request shape). Rounds alternate the
sides; it prints medians and ratios and asserts no timing.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402
import test_join  # noqa: E402

ROOT = run.ROOT
LOAD = os.path.join(run.HERE, "bench_load.mjs")
SERVER = os.path.join(ROOT, "examples", "join-endpoint", "server.js")
ROUNDS, SECONDS, CONCURRENCY = 3, 3, 16


def load(urls, codes_file, seconds=SECONDS):
    r = subprocess.run(["node", LOAD, str(seconds), str(CONCURRENCY), codes_file] + urls,
                       capture_output=True, text=True, timeout=seconds + 60)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def node_endpoint(tmp, codes_file):
    """The Node endpoint on a file of 2,000 codes; returns (process, url)."""
    db = os.path.join(tmp, "single.db")
    subprocess.run(["sqlite3", "-cmd", f".load {test_join.EXTENSION}", db,
                    "CREATE VIRTUAL TABLE room_codes USING roomcode",
                    "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 1999)"
                    " INSERT INTO room_codes(room_id, role) SELECT printf('room-%02d', n / 100),"
                    " 'guest' FROM i"], check=True, capture_output=True, timeout=60)
    codes = subprocess.run(["sqlite3", db, "SELECT code FROM room_codes_store ORDER BY random()"],
                           capture_output=True, text=True, check=True).stdout
    open(codes_file, "w").write(codes)
    port = run.free_ports(1)[0].split(":")[1]
    env = dict(os.environ, ROOMCODE_DB=db, ROOMCODE_EXTENSION=test_join.EXTENSION,
               ROOMCODE_ACCESS_KEY=test_join.ACCESS_KEY, ROOMCODE_APP_SECRET=test_join.APP_SECRET,
               ROOMCODE_MAX_FAILURES="1000000", HOST="127.0.0.1", PORT=port)
    p = subprocess.Popen(["node", SERVER], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    line = p.stdout.readline()
    if "listening on" not in line:
        p.kill()
        raise RuntimeError(f"the Node endpoint did not start: {line}{p.stdout.read()}")
    return p, f"http://127.0.0.1:{port}/token"


def main():
    report = run.Report()
    name = "bench-cluster"
    tmp = tempfile.mkdtemp(prefix="roomcode-bench-join-")
    c = test_join.HttpCluster(tmp)
    test_join.LIMIT = 1000000  # the load sends only good codes; the limit is not measured
    endpoint = None
    try:
        if not os.path.exists(os.path.join(ROOT, "examples/join-endpoint/node_modules")):
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=os.path.dirname(SERVER), check=True, timeout=900)
        for i in (1, 2, 3):
            c.start(i)
            if i == 1:
                time.sleep(0.3)
        if not all(c.wait_ready(i) for i in (1, 2, 3)):
            report.check("three nodes start", False, "")
            return
        cluster_codes = os.path.join(tmp, "cluster-codes.txt")
        run.sql(c, "CREATE VIRTUAL TABLE room_codes USING roomcode")
        ok, _ = run.sql(c, "INSERT INTO room_codes(room_id, role) SELECT printf('room-%02d', "
                           "value / 100), 'guest' FROM (WITH RECURSIVE i(value) AS (SELECT 0 "
                           "UNION ALL SELECT value + 1 FROM i WHERE value < 1999) SELECT value "
                           "FROM i)")
        ok2, codes = run.sql(c, "SELECT code FROM room_codes_store ORDER BY random()")
        open(cluster_codes, "w").write(codes + "\n")
        if not report.check("2,000 codes in the cluster", ok and ok2 and
                            len(codes.split()) == 2000, codes[:100]):
            return
        single_codes = os.path.join(tmp, "single-codes.txt")
        endpoint, node_url = node_endpoint(tmp, single_codes)
        leader = run.wait_leader(c)
        follower = next(i for i in (1, 2, 3) if i != leader)
        sides = {
            f"cluster, the leader (node {leader})":
                ([f"http://{c.http[leader - 1]}/token"], cluster_codes),
            f"cluster, one follower (node {follower})":
                ([f"http://{c.http[follower - 1]}/token"], cluster_codes),
            "cluster, all three nodes": ([f"http://{a}/token" for a in c.http], cluster_codes),
            "Node endpoint, one SQLite file": ([node_url], single_codes),
        }
        results = {k: [] for k in sides}
        for r in range(ROUNDS):
            for side in (list(sides) if r % 2 == 0 else list(reversed(list(sides)))):
                urls, codes_file = sides[side]
                load(urls, codes_file, 1)  # warm-up, not counted
                results[side].append(load(urls, codes_file))
        print(f"{name}: joins over HTTP, {CONCURRENCY} in flight, keep-alive, {ROUNDS} rounds "
              f"of {SECONDS} s per side (medians), 3 nodes on loopback, default timeouts")
        print("| side | joins/s | p50 ms | p99 ms | failed |")
        print("|---|---|---|---|---|")
        base = statistics.median(x["rate"] for x in results["Node endpoint, one SQLite file"])
        for side, rs in results.items():
            rate = statistics.median(x["rate"] for x in rs)
            p50 = statistics.median(x["p50"] for x in rs)
            p99 = statistics.median(x["p99"] for x in rs)
            failed = sum(x["failures"] for x in rs)
            print(f"| {side} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {failed} |")
            report.check(f"{side}: every join got a token", failed == 0, failed)
            report.figure(f"{side}: {rate:,.0f} joins/s ({rate / base:.2f}x the Node endpoint "
                          f"on one file), p99 {p99:.2f} ms")
        killed = run.wait_leader(c)
        c.procs[killed].send_signal(signal.SIGKILL)
        c.procs[killed].wait(10)
        time.sleep(1)
        test_join.write_failover(report, c, killed)
    finally:
        if endpoint:
            endpoint.send_signal(signal.SIGTERM)
            endpoint.wait(10)
        c.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
        if report.figures:
            print(f"{name} figures:")
            for f in report.figures:
                print(f"  {f}")
        print(f"{name}: {report.passed} passed, {report.failed} failed")
        sys.stdout.flush()
        os._exit(1 if report.failed or report.passed == 0 else 0)


if __name__ == "__main__":
    main()
