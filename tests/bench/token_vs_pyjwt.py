"""`make bench`: roomcode_token against what a Python app writes instead, in the same
process on the same connection: a join handler that looks the code up with a prepared
SELECT on the store, checks it (enabled, bound user) and signs an HS256 JWT of the same
claims with PyJWT (Debian's python3-jwt), the jti from uuid.uuid4(). Both are called the
way a handler calls them, one statement per token, on a small hot table (1,000 codes in a
WAL file database), in interleaved slices; times are CPU time of the process.

Two lines: each slice in one read transaction (the CPU cost of the token path, as the
lookups of bench.c are measured; the target applies here), and every token in its own
autocommit read transaction, as an endpoint serving requests runs it. The second adds the
same cost to both sides, the locks of a read transaction (some 5 us on a virtual machine
whose system calls are slow), so its ratio is lower. Nothing asserts a timing.

--quick (bench-smoke in `make test`): a few tokens per side, every one verified with
PyJWT and decoded as 100ms's web SDK does (atob, then JSON.parse), ending with
"bench-smoke-python: N passed, M failed"."""
import argparse
import base64
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid

import jwt

SECRET = "app-secret-0123456789abcdef0123456789"
ACCESS_KEY = "65f2d0c1a9b8e7f6a5b4c3d2"
USER_ID = "user-1"
SLICES = 10


def roomcode_join(db, typed_code, user_id):
    """The join handler with the extension: one call."""
    return db.execute("SELECT roomcode_token(?, ?, ?, ?)",
                      (typed_code, user_id, ACCESS_KEY, SECRET)).fetchone()[0]


def pyjwt_join(db, typed_code, user_id):
    """The same handler without it: look up, check, sign with PyJWT."""
    code = typed_code.strip().lower()
    row = db.execute("SELECT room_id, role, enabled, user_id FROM room_codes_store"
                     " WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise PermissionError(f"unknown room code {code!r}")
    room_id, role, enabled, bound = row
    if enabled != 1 or (bound is not None and bound != user_id):
        raise PermissionError(f"room code {code!r} does not authenticate {user_id!r}")
    iat = int(time.time()) - 10
    return jwt.encode({"access_key": ACCESS_KEY, "room_id": room_id, "user_id": user_id,
                       "role": role, "type": "app", "version": 2, "iat": iat, "nbf": iat,
                       "exp": iat + 86400, "jti": str(uuid.uuid4())}, SECRET, algorithm="HS256")


def sdk_decode(token):
    """JSON.parse(atob(payload)): standard base64 only, one character per byte."""
    part = token.split(".")[1]
    if len(part) % 4 == 1 or not re.fullmatch(r"[A-Za-z0-9+/]*", part):
        raise ValueError("atob would throw")
    return json.loads(base64.b64decode(part + "=" * (-len(part) % 4)).decode("latin-1"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--ext", default="build/roomcode")
    args = ap.parse_args()
    rounds = 1 if args.quick else args.rounds
    per_slice = 5 if args.quick else 2000
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {what}", file=sys.stderr)

    tmp = tempfile.mkdtemp(prefix="roomcode-bench-py-")
    try:
        db = sqlite3.connect(os.path.join(tmp, "token.db"), isolation_level=None)
        db.enable_load_extension(True)
        db.load_extension(os.path.abspath(args.ext))
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
        db.execute("BEGIN")
        for i in range(1000):
            db.execute("INSERT INTO room_codes(room_id, role) VALUES (?, ?)",
                       (f"room-{i // 100:03d}", ("host", "guest", "viewer")[i % 3]))
        db.execute("COMMIT")
        rows = {code: (room_id, role) for code, room_id, role in
                db.execute("SELECT code, room_id, role FROM room_codes")}
        keys = list(rows)
        check(len(keys) == 1000, "1000 codes stored")

        made = {roomcode_join: 0, pyjwt_join: 0}
        times = {(fn, txn): [] for fn in made for txn in (True, False)}
        for r in range(-1, rounds):  # round -1 warms up
            for in_txn in (True, False):
                spent = {roomcode_join: 0.0, pyjwt_join: 0.0}
                for s in range(2 * SLICES):
                    fn = roomcode_join if (s + r) % 2 == 0 else pyjwt_join
                    chunk = [keys[(s // 2 * per_slice + i) % len(keys)] for i in range(per_slice)]
                    t0 = time.process_time()
                    if in_txn:
                        db.execute("BEGIN")
                    for code in chunk:
                        fn(db, code, USER_ID)
                    if in_txn:
                        db.execute("COMMIT")
                    spent[fn] += time.process_time() - t0
                    made[fn] += len(chunk)
                if r >= 0:
                    for fn in spent:
                        times[fn, in_txn].append(spent[fn])
        want = (rounds + 1) * 2 * SLICES * per_slice
        check(made[roomcode_join] == want and made[pyjwt_join] == want, "tokens made")

        # untimed: tokens of both sides verify and carry the code's room and role
        sample = keys if args.quick else keys[::20]
        for code in sample:
            for fn in (roomcode_join, pyjwt_join):
                token = fn(db, code, USER_ID)
                claims = jwt.decode(token, SECRET, algorithms=["HS256"],
                                    options={"require": ["exp", "iat", "nbf"]})
                check((claims["room_id"], claims["role"], claims["user_id"]) ==
                      (*rows[code], USER_ID), f"{fn.__name__} claims of {code}")
                if fn is roomcode_join:
                    check(sdk_decode(token) == claims, f"SDK decoding of {code}")
        db.close()
    finally:
        shutil.rmtree(tmp)

    tokens = SLICES * per_slice
    if args.quick:
        print(f"bench-smoke-python: {passed} passed, {failed} failed")
        return 1 if failed else 0
    for in_txn, name, label in ((True, "token_vs_pyjwt", "token in Python, 1,000 codes"),
                                (False, "token_vs_pyjwt_autocommit", "  same, autocommit per token")):
        ours = tokens / statistics.median(times[roomcode_join, in_txn])
        base = tokens / statistics.median(times[pyjwt_join, in_txn])
        ratio = ours / base
        ok = ("yes" if ratio >= 4 else "NO") if in_txn else ""
        note = (f"base: PyJWT {jwt.__version__} handler, same process" if in_txn
                else "no target: both pay a read transaction a token")
        print(f"{label:42} {ours:12.0f}/s {base:12.0f}/s {ratio:8.2f}"
              f" {'>= 4.00' if in_txn else '-':>9}  {ok:3}  {note}")
        print(f"BENCH name={name} ours_per_s={ours:.0f} base_per_s={base:.0f} ratio={ratio:.3f}"
              f" target={'>=4.00' if in_txn else '-'} ok={ok.lower() if in_txn else '-'}")
    if failed:
        print(f"bench: {failed} result checks failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
