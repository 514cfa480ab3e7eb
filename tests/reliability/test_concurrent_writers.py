"""Concurrent writers on one file database: 8 processes (or 8 threads of one process),
each with its own connection and a busy timeout, race to mint codes.

The cap race: each worker tries 40 codes for the same room, so 320 attempts meet a cap
of 100. Exactly 100 must be stored, no duplicates, and every other attempt must end in
the cap error; a BUSY that a worker retried is counted, and the write forms the README
recommends must get none at all.

The write forms:
  insert         INSERT INTO room_codes(room_id, role) VALUES (...)        (autocommit)
  select         SELECT roomcode_new(...)                                  (autocommit)
  immediate      BEGIN IMMEDIATE; SELECT roomcode_new(...); COMMIT
and, for the measurement only, two forms that read before they write, so that SQLite
must upgrade a read transaction to a write one; it cannot wait for that (it could
deadlock), and returns SQLITE_BUSY at once without calling the busy handler:
  select_after_read  SELECT roomcode_new(?1, ..) WHERE (SELECT count(*) FROM room_codes
                     WHERE room_id = ?1) < 100                              (autocommit)
  deferred           BEGIN; SELECT count(*) FROM room_codes ...; SELECT roomcode_new(...); COMMIT
"""
import multiprocessing
import queue
import random
import re
import sqlite3
import threading
import time
import unittest

from reliability_support import (BUSY_TIMEOUT, CAP, JOURNAL_MODES, LONG, TempDir, connect,
                                 create_database, figure, is_busy, rule_violations)

WORKERS = 8
RACE_ATTEMPTS = 40
RACE_ROUNDS = 5 if LONG else 1  # fresh databases raced in turn
SAFE_FORMS = ("insert", "select", "immediate")
READ_FIRST_FORMS = ("select_after_read", "deferred")
MEASURE_ATTEMPTS = 500 if LONG else 40  # per worker, spread over rooms below the cap
MEASURE_ROOMS = 50

SELECT_NEW = "SELECT roomcode_new(?1, 'guest')"
SELECT_AFTER_READ = ("SELECT roomcode_new(?1, 'guest')"
                     " WHERE (SELECT count(*) FROM room_codes WHERE room_id = ?1) < 100")


def cap_message(room):
    return f"roomcode: room '{room}' already has {CAP} room codes (limit {CAP})"


def write_once(db, form, room):
    """Runs one write of the given form; returns the new code (None for the INSERT form,
    whose RETURNING sees only the NULL it was given) or raises."""
    if form == "insert":
        db.execute("INSERT INTO room_codes(room_id, role) VALUES (?, 'guest')", (room,))
        return None
    if form == "select":
        return db.execute(SELECT_NEW, (room,)).fetchone()[0]
    if form == "select_after_read":
        row = db.execute(SELECT_AFTER_READ, (room,)).fetchone()
        if row is None:
            raise sqlite3.OperationalError(cap_message(room))  # the WHERE saw a full room
        return row[0]
    begin = "BEGIN IMMEDIATE" if form == "immediate" else "BEGIN"
    db.execute(begin)
    try:
        if form == "deferred":
            db.execute("SELECT count(*) FROM room_codes WHERE room_id = ?", (room,)).fetchone()
        code = db.execute(SELECT_NEW, (room,)).fetchone()[0]
        db.execute("COMMIT")
        return code
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")


def worker(path, form, rooms, start, results):
    """Tries to store one code per entry of rooms, retrying BUSY, and reports what
    happened: the codes stored, cap refusals, every BUSY with the seconds it took, and
    anything unexpected."""
    report = {"stored": 0, "codes": [], "cap": 0, "busy": [], "statements": 0, "unexpected": []}
    try:
        db = connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
        rnd = random.Random()
        start.wait()
        for room in rooms:
            while True:
                report["statements"] += 1
                began = time.monotonic()
                try:
                    code = write_once(db, form, room)
                except sqlite3.Error as e:
                    if is_busy(e):
                        report["busy"].append(time.monotonic() - began)
                        time.sleep(rnd.uniform(0, 0.002))
                        continue
                    # a function's refusal is SQLITE_ERROR, the table's SQLITE_CONSTRAINT
                    refusal = sqlite3.IntegrityError if form == "insert" else sqlite3.OperationalError
                    if str(e) == cap_message(room) and type(e) is refusal:
                        report["cap"] += 1
                    else:
                        report["unexpected"].append(f"{type(e).__name__}: {e}")
                    break
                report["stored"] += 1
                if code is not None:
                    report["codes"].append(code)
                break
        db.close()
    except Exception as e:  # reported, so that the parent never waits forever
        report["unexpected"].append(f"worker died: {type(e).__name__}: {e}")
    results.put(report)


def run_workers(kind, path, form, plans):
    """Starts one worker per plan (a list of rooms) as processes or threads, lets them go
    at once, and returns their reports."""
    if kind == "processes":
        ctx = multiprocessing.get_context("fork")  # the parent holds no connection to path
        start, results, make = ctx.Event(), ctx.Queue(), ctx.Process
    else:
        start, results, make = threading.Event(), queue.Queue(), threading.Thread
    workers = [make(target=worker, args=(path, form, plan, start, results)) for plan in plans]
    for w in workers:
        w.start()
    start.set()
    reports = [results.get(timeout=600) for _ in workers]
    for w in workers:
        w.join()
    return reports


def totals(reports):
    busy = [t for r in reports for t in r["busy"]]
    return {
        "stored": sum(r["stored"] for r in reports),
        "codes": [c for r in reports for c in r["codes"]],
        "cap": sum(r["cap"] for r in reports),
        "busy": len(busy),
        # a BUSY well before the timeout came without the busy handler waiting
        "busy_immediate": sum(1 for t in busy if t < BUSY_TIMEOUT / 2),
        "statements": sum(r["statements"] for r in reports),
        "unexpected": [u for r in reports for u in r["unexpected"]],
    }


class CapRace(unittest.TestCase):
    """8 workers x 40 attempts at one room, for each kind, journal mode and safe form."""

    def race(self, kind, journal_mode, form):
        for round_ in range(RACE_ROUNDS):
            with self.subTest(round=round_):
                self.race_once(kind, journal_mode, form)

    def race_once(self, kind, journal_mode, form):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        path = tmp.file("race.db")
        create_database(path, journal_mode)
        room = "r-race"
        reports = run_workers(kind, path, form, [[room] * RACE_ATTEMPTS] * WORKERS)
        t = totals(reports)
        figure(f"cap race, {WORKERS} {kind}, {journal_mode}, {form}: {t['stored']} stored,"
               f" {t['cap']} cap refusals, {t['busy']} BUSY in {t['statements']} statements")
        self.assertEqual(t["unexpected"], [])
        self.assertEqual(t["stored"], CAP)
        self.assertEqual(t["cap"], WORKERS * RACE_ATTEMPTS - CAP)
        # The recommended forms take the write lock up front, where SQLite's busy handler
        # waits; so no BUSY ever reaches the caller.
        self.assertEqual(t["busy"], 0, "a recommended write form got SQLITE_BUSY")
        db = connect(path)
        try:
            self.assertEqual(rule_violations(db), [])
            rows = db.execute("SELECT code, room_id, role, enabled FROM room_codes").fetchall()
            self.assertEqual(len(rows), CAP)
            self.assertEqual(len({r[0] for r in rows}), CAP)
            self.assertEqual({r[1:] for r in rows}, {(room, "guest", 1)})
            if form != "insert":
                self.assertEqual(sorted(t["codes"]), sorted(r[0] for r in rows))
            self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], journal_mode)
        finally:
            db.close()


def _add_race_tests():
    for kind in ("processes", "threads"):
        for mode in JOURNAL_MODES:
            for form in SAFE_FORMS:
                def test(self, kind=kind, mode=mode, form=form):
                    self.race(kind, mode, form)
                test.__name__ = f"test_{kind}_{mode}_{form}"
                setattr(CapRace, test.__name__, test)


_add_race_tests()


class BusyMeasurement(unittest.TestCase):
    """How many immediate BUSY each write form gets under contention, with rooms below
    the cap so that every attempt writes. Safe forms: none. Read-first forms: counted
    (they depend on timing, so only reported), and after retrying every code is stored."""

    def measure(self, kind, journal_mode):
        lines = []
        for form in SAFE_FORMS + READ_FIRST_FORMS:
            tmp = TempDir()
            self.addCleanup(tmp.cleanup)
            path = tmp.file("busy.db")
            create_database(path, journal_mode)
            plans = [[f"r-{(w * 7 + i) % MEASURE_ROOMS}" for i in range(MEASURE_ATTEMPTS)]
                     for w in range(WORKERS)]
            t = totals(run_workers(kind, path, form, plans))
            attempts = WORKERS * MEASURE_ATTEMPTS
            line = (f"{kind:9} {journal_mode:6} {form:17} {t['busy']:5} BUSY"
                    f" ({t['busy_immediate']} immediate) in {t['statements']} statements"
                    f" for {attempts} codes")
            lines.append(line)
            figure("busy " + line)
            with self.subTest(form=form):
                self.assertEqual(t["unexpected"], [])
                self.assertEqual(t["stored"], attempts)
                if form in SAFE_FORMS:
                    self.assertEqual(t["busy"], 0, "a recommended write form got SQLITE_BUSY")
                db = connect(path)
                try:
                    self.assertEqual(rule_violations(db), [])
                    self.assertEqual(db.execute("SELECT count(*) FROM room_codes").fetchone()[0],
                                     attempts)
                finally:
                    db.close()
        return lines

    def test_processes_wal(self):
        self.measure("processes", "wal")

    def test_processes_delete(self):
        self.measure("processes", "delete")

    @unittest.skipUnless(LONG, "long form only")
    def test_threads_wal(self):
        self.measure("threads", "wal")

    @unittest.skipUnless(LONG, "long form only")
    def test_threads_delete(self):
        self.measure("threads", "delete")


if __name__ == "__main__":
    unittest.main()
