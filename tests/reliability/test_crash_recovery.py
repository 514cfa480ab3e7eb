"""A writer killed with SIGKILL at random moments, in WAL and rollback-journal mode.

The writer (a forked child) runs transactions that create, disable, re-enable, bind,
and delete codes in a few rooms, through every write path: roomcode_new, INSERT with and
without a code, roomcode_create, UPDATE and DELETE on room_codes. It keeps its own log:

  before COMMIT   {"n": N, "rooms": {room: [rows after the transaction], ...}}
  after COMMIT    {"c": N}              (appended and fsync'd once COMMIT has returned)

and for a single statement in autocommit, {"n": N, "auto": {op}} before it and
{"c": N, "rooms": {...}} after it. After each kill the test opens the database and checks
that integrity_check is ok, that every storage rule holds, and that the database holds
exactly what the log committed, plus, at most, the one transaction in flight, applied
whole or not at all (a kill between COMMIT and the log line leaves it either way).
"""
import json
import os
import random
import select
import signal
import sqlite3
import time
import unittest

from reliability_support import (BUSY_TIMEOUT, JOURNAL_MODES, LONG, TempDir, connect,
                                 create_database, figure, rule_violations, snapshot)

KILLS = 500 if LONG else 40  # per journal mode
MAX_DELAY = 0.080 if LONG else 0.030  # seconds the writer runs before it is killed, drawn uniformly
ROOMS = ("r-a", "r-b", "r-c")
NEAR_CAP = 97  # codes in ROOMS[0] at the start
ROLES = ("host", "guest", "viewer")
COLUMNS = "code, room_id, role, enabled, user_id, created_at, updated_at"

# (operation, weight): deletions balance creations, so rooms fill up, meet the cap, and
# empty again over a run.
OPERATIONS = (("new", 3), ("new_user", 1), ("mint", 3), ("import", 2), ("create", 1),
              ("disable", 3), ("enable", 1), ("bind", 1), ("delete", 5), ("purge", 1))
AUTO_OPERATIONS = ("mint", "new", "disable", "delete")


def room_rows(db, room):
    return [list(r) for r in db.execute(
        f"SELECT {COLUMNS} FROM room_codes WHERE room_id = ? ORDER BY code", (room,))]


def some_code(db, rnd, room):
    codes = [r[0] for r in db.execute("SELECT code FROM room_codes WHERE room_id = ?", (room,))]
    return rnd.choice(codes) if codes else None


FUNCTION_OPERATIONS = {"new", "new_user", "create"}


def is_cap(error, op):
    """The cap's refusal, in the class of what refused: a function's refusals are
    SQLITE_ERROR (OperationalError), the table's SQLITE_CONSTRAINT (IntegrityError)."""
    expected = sqlite3.OperationalError if op in FUNCTION_OPERATIONS else sqlite3.IntegrityError
    return type(error) is expected and "room codes (limit 100)" in str(error)


def operate(db, rnd, op, room, code=None):
    """One write; returns 1 when the cap refused it (part of the game), else 0.
    Operations on one code take code, or a random code of the room."""
    role = rnd.choice(ROLES)
    try:
        if op == "new":
            db.execute("SELECT roomcode_new(?, ?)", (room, role)).fetchone()
        elif op == "new_user":
            db.execute("SELECT roomcode_new(?, ?, ?)", (room, role, f"u-{rnd.randrange(9)}")).fetchone()
        elif op == "mint":
            db.execute("INSERT INTO room_codes(room_id, role) VALUES (?, ?)", (room, role))
        elif op == "import":  # a typed-in form, stored canonical
            db.execute("INSERT INTO room_codes(code, room_id, role)"
                       " VALUES (upper(replace(roomcode_generate(), '-', ' ')), ?, ?)", (room, role))
        elif op == "create":
            roles = json.dumps(rnd.sample(ROLES, rnd.randint(1, len(ROLES))))
            db.execute("SELECT count(*) FROM roomcode_create(?, ?)", (room, roles)).fetchone()
        elif op == "purge":
            db.execute("DELETE FROM room_codes WHERE room_id = ? AND enabled = 0", (room,))
        else:
            code = code or some_code(db, rnd, room)
            if code is None:
                return 0
            if op in ("disable", "enable"):
                db.execute("UPDATE room_codes SET enabled = ? WHERE code = ?",
                           (int(op == "enable"), code))
            elif op == "bind":
                db.execute("UPDATE room_codes SET user_id = ? WHERE code = ?",
                           (rnd.choice([None, "u-1", "u-2"]), code))
            elif op == "delete":
                db.execute("DELETE FROM room_codes WHERE code = ?", (code,))
    except sqlite3.Error as e:
        if not is_cap(e, op):
            raise
        return 1
    return 0


def append(log, record, sync=False):
    os.write(log, (json.dumps(record) + "\n").encode())
    if sync:
        os.fsync(log)


def writer(path, log_path, seed, ready):
    """Writes until killed. Never returns."""
    status = 0
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        rnd = random.Random(seed)
        names = [name for name, _ in OPERATIONS]
        weights = [w for _, w in OPERATIONS]
        db = connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
        os.write(ready, b"r")
        for n in range(1, 1 << 30):
            if rnd.random() < 0.8:
                rooms = rnd.sample(ROOMS, rnd.randint(1, 2))
                db.execute("BEGIN IMMEDIATE")
                cap = sum(operate(db, rnd, op, rnd.choice(rooms))
                          for op in rnd.choices(names, weights, k=rnd.randint(1, 6)))
                append(log, {"n": n, "rooms": {r: room_rows(db, r) for r in rooms}})
                db.execute("COMMIT")
                append(log, {"c": n, "cap": cap}, sync=True)
            else:
                room, op = rnd.choice(ROOMS), rnd.choice(AUTO_OPERATIONS)
                code = some_code(db, rnd, room) if op in ("disable", "delete") else None
                if op in ("disable", "delete") and code is None:
                    op = "mint"
                append(log, {"n": n, "auto": {"op": op, "room": room, "code": code}})
                cap = operate(db, rnd, op, room, code)
                append(log, {"c": n, "cap": cap, "rooms": {room: room_rows(db, room)}}, sync=True)
    except BaseException as e:  # noqa: B902 - anything here is a failure to report
        append(log, {"error": f"{type(e).__name__}: {e}"}, sync=True)
        status = 3
    finally:
        os._exit(status)


def read_log(log_path):
    """The log's records; a last line cut by the kill is dropped (it was written before
    COMMIT, so its transaction had not been committed)."""
    with open(log_path) as f:
        lines = f.read().split("\n")
    records = []
    for i, line in enumerate(lines):
        if not line:
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            if i != len(lines) - 1:
                raise
    return records


def as_state(rooms):
    return {room: {r[0]: tuple(r[1:]) for r in rows} for room, rows in rooms.items()}


def apply_rooms(expected, rooms):
    """expected with every listed room replaced by its listed rows."""
    out = {code: row for code, row in expected.items() if row[0] not in rooms}
    for rows in as_state(rooms).values():
        out.update(rows)
    return out


def auto_effect_ok(expected, actual, op):
    """Whether actual is expected with the single autocommit statement op applied."""
    added = {c: actual[c] for c in actual.keys() - expected.keys()}
    removed = expected.keys() - actual.keys()
    changed = {c for c in actual.keys() & expected.keys() if actual[c] != expected[c]}
    if op["op"] in ("mint", "new"):
        return (not removed and not changed and len(added) == 1
                and all(r[0] == op["room"] and r[2] == 1 and r[3] is None for r in added.values()))
    if op["op"] == "delete":
        return not added and not changed and removed == {op["code"]}
    if op["op"] == "disable":
        if added or removed or changed != {op["code"]}:
            return False
        was, now = expected[op["code"]], actual[op["code"]]
        return now[:2] == was[:2] and now[2] == 0 and now[3:5] == was[3:5]
    return False


def check_against_log(test, baseline, records, actual):
    """Checks actual against the log; returns (in flight, applied) for the figures."""
    expected = dict(baseline)
    pending = None
    for record in records:
        test.assertNotIn("error", record, f"the writer failed: {record.get('error')}")
        if "n" in record:
            test.assertIsNone(pending, "two transactions in flight")
            pending = record
        else:
            test.assertEqual(record["c"], pending["n"])
            expected = apply_rooms(expected, record.get("rooms") or pending["rooms"])
            pending = None
    if pending is None:
        test.assertEqual(actual, expected, "the database differs from the committed log")
        return False, False
    if actual == expected:
        return True, False
    if "rooms" in pending:
        test.assertEqual(actual, apply_rooms(expected, pending["rooms"]),
                         "the transaction in flight was applied in part")
    else:
        test.assertTrue(auto_effect_ok(expected, actual, pending["auto"]),
                        f"the statement in flight, {pending['auto']}, left a wrong state")
    return True, True


class CrashRecovery(unittest.TestCase):

    def crash_loop(self, journal_mode):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        path = tmp.file("crash.db")
        create_database(path, journal_mode)
        db = connect(path)  # one room starts near the cap, so that the cap is met early
        db.execute("WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?)"
                   " INSERT INTO room_codes(room_id, role) SELECT ?, 'guest' FROM i",
                   (NEAR_CAP, ROOMS[0]))
        db.commit()
        baseline = snapshot(db)
        db.close()
        rnd = random.Random()
        seed = rnd.randrange(1 << 32)
        rnd.seed(seed)
        in_flight = applied = commits = cap = 0
        started = time.monotonic()
        for kill in range(KILLS):
            log_path = tmp.file(f"log-{kill}.jsonl")
            ready_r, ready_w = os.pipe()
            pid = os.fork()  # no connection of this process is open at this point
            if pid == 0:
                os.close(ready_r)
                writer(path, log_path, rnd.randrange(1 << 32), ready_w)
            os.close(ready_w)
            readable, _, _ = select.select([ready_r], [], [], 120)
            os.close(ready_r)
            self.assertTrue(readable, "the writer did not start")
            time.sleep(rnd.uniform(0, MAX_DELAY))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            records = read_log(log_path)
            msg = f"{journal_mode}, kill {kill}, seed {seed}"
            self.assertTrue(os.WIFSIGNALED(status), f"{msg}: the writer exited: {records[-1:]}")

            db = connect(path)
            try:
                self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], journal_mode)
                self.assertEqual(rule_violations(db), [], msg)
                actual = snapshot(db)
            finally:
                db.close()
            with self.subTest(kill=kill):
                was_in_flight, was_applied = check_against_log(self, baseline, records, actual)
            in_flight += was_in_flight
            applied += was_applied
            commits += sum(1 for r in records if "c" in r)
            cap += sum(r.get("cap", 0) for r in records if "c" in r)
            baseline = actual
        figure(f"crash {journal_mode}: {KILLS} SIGKILLs survived in"
               f" {time.monotonic() - started:.1f}s; {commits} logged commits"
               f" ({cap} writes in them refused by the cap);"
               f" {in_flight} kills with a write in flight, of which {applied} had committed;"
               f" {len(baseline)} codes at the end (seed {seed})")

    def test_wal(self):
        self.crash_loop("wal")

    def test_rollback_journal(self):
        self.crash_loop("delete")


if __name__ == "__main__":
    unittest.main()
