"""Queries on room_codes return what its store holds. A seeded grammar generates WHERE
clauses (every operator, COLLATE on either side, LIKE, GLOB, IN, BETWEEN, NULL tests,
numbers, blobs and casts against text columns, AND/OR/NOT), ORDER BY with LIMIT/OFFSET,
aggregates, self joins, joins with plain tables, UPDATE and DELETE. Each statement runs
once on the virtual table and once on room_codes_store (same column names) on the same
connection, and the results must be equal: as sequences where the ORDER BY is total, as
multisets elsewhere, and for writes as the rows left, with their enabled and user_id.

The run is repeatable: a fixed seed and fixed data (timestamps included). To explore,
ROOMCODE_DIFF_SEED=n and ROOMCODE_DIFF_QUERIES=n change the run, and
ROOMCODE_DIFF_REPORT=1 prints how many statements of each shape failed.
"""
import collections
import os
import random
import re
import sys
import unittest

from roomcode_test_support import connect

SEED = int(os.environ.get("ROOMCODE_DIFF_SEED", "20261129"))
N_SELECTS = int(os.environ.get("ROOMCODE_DIFF_QUERIES", "3000"))
N_WRITES = max(N_SELECTS // 8, 50)  # of each: UPDATE, DELETE
REPORT = os.environ.get("ROOMCODE_DIFF_REPORT") == "1"

VTAB, STORE = "room_codes", "room_codes_store"

# Names that collide under NOCASE (ASCII only: 'ë' and 'Ë' stay apart), RTRIM, LIKE's
# case folding and wildcards, GLOB's classes, prefixes, and numeric affinity.
ROOM_COUNTS = {
    "room": 40, "Room": 25, "ROOM": 15, "room ": 15, "room  ": 4, " room": 5, "ROOM-1": 12,
    "room-1": 12, "room-10": 8, "room-1 ": 5, "r%1": 8, "r_1": 8, "r%_x": 4, "room%": 6,
    "room_": 6, "Zoë": 10, "ZOË": 10, "zoë": 8, "Zoe": 6, "é": 4, "É": 4, "5": 8, "05": 6,
    "5.0": 5, " 5": 3, "1e1": 3, "10": 5, "a": 4, "A": 4, "o'brien": 4, "x\\y": 3,
    "room*": 3, "room[1]": 3,
}
ROLES = ["host", "Host", "HOST", "host ", "guest", "gu%st", "gu_st", "viewer", "Viewer", "1",
         "01", "ë", "Ë", "room"]
USERS = [None] * 10 + ["u1", "U1", "u1 ", "user-7", "7", "07", " 7", "7.0", "Zoë", "ZOË", "host",
                       "room"]
# Keys of IN (SELECT ...) lists: one value under several types and twice, as apps bind them.
KEYS = [7, "7", "7", 7.0, " 7", "u1", "u1", "U1", None, 5, "05", "room", "room", b"room", "host",
        "Zoë", "ROOM-1", "room-1"]
TIMES = ["2025-12-31T23:59:59.999Z", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.001Z",
         "2026-03-15T12:30:00.000Z", "2026-11-29T05:00:00.000Z"]
COLUMNS = ["code", "room_id", "role", "enabled", "user_id", "created_at", "updated_at"]
TEXT_COLUMNS = [c for c in COLUMNS if c != "enabled"]
COLLATIONS = ["NOCASE", "RTRIM", "BINARY"]


def build(db, rng):
    """The table, its rows (written to the store with fixed timestamps, so every run
    holds the same data) and the plain tables the joins use."""
    db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
    rooms = [room for room, n in ROOM_COUNTS.items() for _ in range(n)]
    rng.shuffle(rooms)
    codes = set()
    letters = "abcmnz"
    while len(codes) < len(rooms):
        head = rng.choice(["aaa", "aab", "abc", "abd", "zzz", "qrs", None])
        head = head or "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3))
        codes.add(head + "-" + "".join(rng.choice(letters) for _ in range(4)) + "-" +
                  "".join(rng.choice(letters) for _ in range(3)))
    rows = []
    for code, room in zip(sorted(codes), rooms):
        created = rng.choice(TIMES)
        updated = rng.choice([t for t in TIMES if t >= created])
        rows.append((code, room, rng.choice(ROLES), rng.randrange(2), rng.choice(USERS), created,
                     updated))
    db.executemany("INSERT INTO room_codes_store VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("CREATE TABLE plain(name TEXT, n INTEGER, r REAL, b BLOB, a)")
    names = sorted(ROOM_COUNTS) + ROLES[:6] + ["ROOM-10", "zoË", "r%1 ", "missing", "7"]
    anys = [5, "5", "room", b"room", None, 5.0, 10, "05"]
    db.executemany("INSERT INTO plain VALUES (?, ?, ?, ?, ?)",
                   [(name, rng.choice([1, 5, 10, 0, None]), rng.choice([5.0, 1.5, 10.0, None]),
                     name.encode() if i % 3 else None, anys[i % len(anys)])
                    for i, name in enumerate(names)])
    # IN lists with mixed types and duplicates (no affinity), and an INTEGER key
    db.execute("CREATE TABLE keys(v)")
    db.executemany("INSERT INTO keys VALUES (?)", [(k,) for k in KEYS])
    db.execute("CREATE TABLE ids(id INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO ids VALUES (?)", [(5,), (7,), (10,)])
    # Columns with their own collations: `plain_nc.name = t.room_id` compares under NOCASE.
    db.execute("CREATE TABLE plain_nc(name TEXT COLLATE NOCASE, pad TEXT COLLATE RTRIM)")
    db.executemany("INSERT INTO plain_nc VALUES (?, ?)",
                   [("room", "room"), ("zoë", "Zoë"), ("room-1", "ROOM-1"), ("HOST", "host"),
                    ("05", "5"), ("R%1", "r%1")])
    return rows


def quote(s):
    return "'" + s.replace("'", "''") + "'"


class F:
    """A piece of SQL with its parameters (in order of their '?') and the shapes it uses."""
    __slots__ = ("sql", "params", "tags")

    def __init__(self, sql, params=(), tags=()):
        self.sql, self.params, self.tags = sql, list(params), set(tags)


def cat(*parts):
    out = F("")
    for p in parts:
        if isinstance(p, str):
            out.sql += p
        else:
            out.sql += p.sql
            out.params += p.params
            out.tags |= p.tags
    return out


class Pred:
    """A WHERE clause as a tree, so that a failing one can be shrunk to a subtree."""

    def __init__(self, op, kids=(), leaf=None):
        self.op, self.kids, self.leaf = op, list(kids), leaf

    def render(self):
        if self.op == "leaf":
            return self.leaf
        if self.op == "not":
            return cat(F("", tags=["not"]), "NOT (", self.kids[0].render(), ")")
        parts = [F("", tags=[self.op])]
        for i, k in enumerate(self.kids):
            parts += [" %s " % self.op.upper()] if i else []
            parts += ["(", k.render(), ")"]
        return cat(*parts)

    def subtrees(self):
        for k in self.kids:
            yield k
            yield from k.subtrees()


class Query:
    """SQL with {T} for the table (every occurrence) and {P0}, {P1}... for predicates, in the
    order they appear. kind is 'seq' (compare in order), 'bag' or 'write'."""

    def __init__(self, template, preds, kind, tags=()):
        self.template, self.preds, self.kind, self.tags = template, preds, kind, set(tags)

    def render(self, table):
        sql, params, tags = self.template, [], set(self.tags)
        pieces = [p.render() for p in self.preds]
        # parameters follow the placeholders' order in the text
        order = sorted(range(len(pieces)), key=lambda i: sql.index("{P%d}" % i))
        for i in order:
            params += pieces[i].params
        for i, piece in enumerate(pieces):
            sql = sql.replace("{P%d}" % i, piece.sql)
            tags |= piece.tags
        return sql.replace("{T}", table), params, tags

    def with_pred(self, i, pred):
        preds = list(self.preds)
        preds[i] = pred
        return Query(self.template, preds, self.kind, self.tags)


class Grammar:
    def __init__(self, rng, rows):
        self.rng = rng
        self.rows = rows
        self.values = {c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)}

    def pick(self, weighted):
        items, weights = zip(*weighted)
        return self.rng.choices(items, weights)[0]

    def some_text(self, col):
        """A stored value of col (or, now and then, of another column), maybe altered."""
        rng = self.rng
        source = col if rng.random() < 0.85 else rng.choice(TEXT_COLUMNS)
        s = rng.choice(self.values[source])
        if s is None:
            s = rng.choice([u for u in USERS if u])
        k = rng.randrange(10)
        if k == 1:
            s = s.upper()
        elif k == 2:
            s = s.lower()
        elif k == 3:
            s = s + " "
        elif k == 4:
            s = s.rstrip() or s
        elif k == 5:
            s = s.swapcase()
        elif k == 6:
            s = s[:max(1, len(s) // 2)]
        return s

    def value(self, col, collate=True):
        """A right-hand side for a comparison with col."""
        rng = self.rng
        if col == "enabled":
            v = self.pick([(F("1"), 3), (F("0"), 3), (F("?", [rng.randrange(2)], ["param"]), 3),
                           (F("'1'", tags=["affinity"]), 1), (F("'0'", tags=["affinity"]), 1),
                           (F("1.0", tags=["number"]), 1), (F("2"), 1), (F("-1"), 1),
                           (F("NULL", tags=["null"]), 1), (F("TRUE"), 1), (F("FALSE"), 1),
                           (F("X'01'", tags=["blob"]), 1), (F("?", ["1"], ["param", "affinity"]), 1),
                           (F("CAST('1' AS INTEGER)", tags=["cast"]), 1)])
        else:
            s = self.some_text(col)
            k = self.pick([("lit", 8), ("param", 6), ("number", 2), ("affinity", 2), ("null", 1),
                           ("blob", 1), ("expr", 1)])
            if k == "lit":
                v = F(quote(s), tags=["literal"])
            elif k == "param":
                v = F("?", [s], ["param"])
            elif k == "number":
                v = self.pick([(F("5"), 2), (F("5.0"), 1), (F("10"), 1), (F("1"), 1),
                               (F("?", [5], ["param"]), 1), (F("?", [5.0], ["param"]), 1),
                               (F("1e1"), 1), (F("-0"), 1)])
                v.tags.add("number")
            elif k == "affinity":
                # An operand with numeric affinity makes SQLite compare the text column as a
                # number: '05' = CAST(5 AS INTEGER) holds, '05' = 5 does not.
                v = self.pick([(F("CAST(5 AS INTEGER)"), 2), (F("CAST('05' AS INTEGER)"), 1),
                               (F("CAST('5' AS REAL)"), 1), (F("CAST(10 AS NUMERIC)"), 1),
                               (F("(SELECT n FROM plain WHERE n = 5 LIMIT 1)"), 1),
                               (F("CAST(? AS INTEGER)", ["5"]), 1), (F("CAST(%s AS TEXT)" % quote(s)), 1),
                               (F("CAST(? AS BLOB)", [s]), 1)])
                v.tags.add("affinity")
            elif k == "null":
                v = self.pick([(F("NULL"), 1), (F("?", [None], ["param"]), 1)])
                v.tags.add("null")
            elif k == "blob":
                b = s.encode()
                v = self.pick([(F("X'%s'" % b.hex()), 1), (F("?", [b], ["param"]), 1)])
                v.tags.add("blob")
            else:
                v = self.pick([(F("lower(?)", [s]), 1), (F("upper(%s)" % quote(s)), 1),
                               (F("trim(?)", [" " + s + " "]), 1),
                               (F("%s || ''" % quote(s)), 1)])
                v.tags.add("expr")
        if collate and rng.random() < 0.2:
            c = rng.choice(COLLATIONS)
            v = cat(v, F(" COLLATE " + c, tags=["collate-%s@value" % c.lower()]))
        return v

    def column(self, a, col, collate=True):
        f = F(a + col, tags=["col:" + col])
        if collate and self.rng.random() < 0.2:
            c = self.rng.choice(COLLATIONS)
            f = cat(f, F(" COLLATE " + c, tags=["collate-%s@column" % c.lower()]))
        return f

    def like_pattern(self, col):
        rng = self.rng
        s = self.some_text(col)
        escape = rng.random() < 0.3
        out = []
        for ch in s:
            if escape and ch in "%_\\":
                out.append("\\" + ch)
            elif rng.random() < 0.1:
                out.append("_")
            else:
                out.append(ch)
        p = "".join(out)
        k = rng.randrange(4)
        p = p + "%" if k == 1 else "%" + p if k == 2 else "%" + p + "%" if k == 3 else p
        if rng.random() < 0.3:
            p = p.swapcase()
        return F(quote(p) + (" ESCAPE '\\'" if escape else ""),
                 tags=["like-escape"] if escape else [])

    def glob_pattern(self, col):
        rng = self.rng
        s = self.some_text(col)
        out = "".join("?" if rng.random() < 0.1 else "[%s%s]" % (ch.lower(), ch.upper())
                      if ch.isalpha() and ch.isascii() and rng.random() < 0.1 else ch for ch in s)
        return F(quote(out + rng.choice(["", "*"])))

    def leaf(self, a):
        rng = self.rng
        col = self.pick([("code", 2), ("room_id", 5), ("role", 3), ("enabled", 2), ("user_id", 2),
                         ("created_at", 1), ("updated_at", 1)])
        text = col != "enabled"
        kind = self.pick([("cmp", 12), ("between", 2), ("in-list", 3), ("in-subquery", 3),
                          ("like", 2 if text else 0), ("glob", 1 if text else 0), ("null-test", 1),
                          ("function", 1), ("column-column", 1), ("truth", 0 if text else 2),
                          ("row-value", 1), ("exists", 1), ("user-lookup", 3)])
        tags = [kind]
        not_ = rng.random() < 0.2
        if kind == "cmp":
            op = rng.choice(["=", "==", "=", "IS", "IS NOT", "!=", "<>", "<", "<=", ">", ">="])
            tags.append("op:" + op)
            lhs, rhs = self.column(a, col), self.value(col)
            if rng.random() < 0.75:
                f = cat(lhs, " %s " % op, rhs)
            else:
                f = cat(rhs, " %s " % op, lhs)
                tags.append("value-first")
        elif kind == "between":
            f = cat(self.column(a, col), " NOT" if not_ else "", " BETWEEN ", self.value(col, False),
                    " AND ", self.value(col, False))
        elif kind == "in-list":
            vals = [self.value(col, False) for _ in range(rng.choice([0, 1, 2, 3, 4]))]
            parts = []
            for i, v in enumerate(vals):
                parts += [", "] if i else []
                parts.append(v)
            f = cat(self.column(a, col), " NOT" if not_ else "", " IN (", *parts, ")")
        elif kind == "in-subquery":
            sub, sub_tags = rng.choice([
                ("SELECT name FROM plain", ["plain"]),
                ("SELECT name FROM plain WHERE n = 5", ["plain"]),
                ("SELECT n FROM plain", ["affinity", "plain"]),
                ("SELECT a FROM plain", ["affinity", "plain"]),
                ("SELECT b FROM plain", ["blob", "plain"]),
                ("SELECT name FROM plain_nc", ["nocase-column"]),
                ("SELECT %s FROM {T} WHERE role = %s" % (col, quote(rng.choice(ROLES))),
                 ["self-subquery"]),
                ("SELECT %s FROM {T} WHERE enabled = 0 AND room_id LIKE 'r%%'" % col,
                 ["self-subquery"]),
            ])
            tags += sub_tags
            f = cat(self.column(a, col), " NOT" if not_ else "", " IN (%s)" % sub)
        elif kind == "like":
            f = cat(self.column(a, col, False), " NOT" if not_ else "", " LIKE ",
                    self.like_pattern(col))
        elif kind == "glob":
            f = cat(self.column(a, col, False), " NOT" if not_ else "", " GLOB ",
                    self.glob_pattern(col))
        elif kind == "null-test":
            f = cat(self.column(a, col, False),
                    rng.choice([" IS NULL", " ISNULL", " NOTNULL", " NOT NULL", " IS NOT NULL"]))
        elif kind == "function":
            if text:
                f = self.pick([
                    (cat("lower(%s%s) = " % (a, col), self.value(col)), 2),
                    (cat("upper(%s%s) = " % (a, col), self.value(col)), 1),
                    (F("length(%s%s) %s %d" % (a, col, rng.choice(["<", ">", "="]),
                                               rng.randrange(1, 13))), 1),
                    (cat("substr(%s%s, 1, 3) = " % (a, col), self.value(col)), 1),
                    (cat("trim(%s%s) = " % (a, col), self.value(col)), 1),
                    (cat("+%s%s = " % (a, col), self.value(col)), 1),
                ])
            else:
                f = F("%senabled + 0 = %d" % (a, rng.randrange(2)))
        elif kind == "column-column":
            other = rng.choice([c for c in COLUMNS if c != col])
            f = cat(self.column(a, col), " %s " % rng.choice(["=", "<", "IS NOT", ">="]),
                    self.column(a, other))
        elif kind == "user-lookup":
            # the user_id plans, alone and with room_id: IN lists of mixed types and
            # duplicates, INTEGER keys, and a room_id list beside a user_id value
            lists = ["SELECT v FROM keys", "SELECT id FROM ids", "SELECT name FROM plain",
                     "SELECT n FROM plain", "SELECT a FROM plain", "7, '7', '7', 'u1', 'u1'",
                     "7.0, ' 7', 'U1', NULL", "SELECT v FROM keys WHERE typeof(v) = 'text'"]
            user = rng.choice(["%suser_id IN (%s)" % (a, rng.choice(lists))] * 2 +
                              ["%suser_id = ?" % a])
            params = [rng.choice([k for k in KEYS if k is not None])] if user.endswith("?") else []
            room = rng.choice(["", "", " AND %sroom_id IN (%s)" % (a, rng.choice(lists)),
                               " AND %sroom_id = ?" % a])
            if room.endswith("?"):
                params.append(rng.choice(KEYS))
            f = F(user + room, params, ["in-subquery"] if "SELECT" in user + room else [])
            col = "user_id"
        elif kind == "truth":
            f = F(rng.choice(["%senabled", "NOT %senabled", "%senabled IS TRUE",
                              "%senabled IS NOT FALSE"]) % a)
        elif kind == "row-value":
            f = self.pick([
                (cat("(%sroom_id, %srole) = (" % (a, a), self.value("room_id"), ", ",
                     self.value("role"), ")"), 2),
                (cat("(%sroom_id, %senabled) > (" % (a, a), self.value("room_id"), ", 0)"), 1),
                (F("(%sroom_id, %srole) IN (SELECT room_id, role FROM {T} WHERE user_id IS NOT NULL)"
                   % (a, a), tags=["self-subquery"]), 1),
                (F("(%sroom_id, %srole) IN (SELECT p.name, 'host' FROM plain p)" % (a, a),
                   tags=["plain"]), 1),
            ])
        else:
            coll = rng.choice(["", "", " COLLATE NOCASE", " COLLATE RTRIM"])
            if coll:
                tags.append("collate-%s@column" % coll.split()[-1].lower())
            f = F("EXISTS (SELECT 1 FROM {T} x9 WHERE x9.room_id = %sroom_id%s AND x9.code <> "
                  "%scode%s)" % (a, coll, a, rng.choice(["", " AND x9.enabled = 0",
                                                         " AND x9.role = %srole" % a])),
                  tags=["correlated"])
        f.tags |= set(tags) | {"col:" + col}
        return Pred("leaf", leaf=f)

    def pred(self, a="t.", depth=0):
        rng = self.rng
        r = rng.random()
        if depth >= 2 or r < 0.45:
            return self.leaf(a)
        if r < 0.55:
            return Pred("not", [self.pred(a, depth + 1)])
        op = "and" if r < 0.8 else "or"
        return Pred(op, [self.pred(a, depth + 1) for _ in range(rng.choice([2, 2, 3]))])

    def order_by(self, a="t."):
        rng = self.rng
        terms = []
        for _ in range(rng.choice([0, 1, 1, 2])):
            col = rng.choice(COLUMNS[1:])
            coll = rng.choice(["", "", " COLLATE NOCASE", " COLLATE RTRIM"])
            terms.append(a + col + coll + rng.choice(["", " ASC", " DESC", " DESC NULLS FIRST",
                                                      " NULLS LAST"]))
        # code is unique, so ending on it makes the order total
        terms.append(a + "code" + rng.choice(["", " DESC", " COLLATE NOCASE"]))
        sql = " ORDER BY " + ", ".join(terms)
        k = rng.randrange(4)
        if k == 1:
            sql += " LIMIT %d" % rng.randrange(0, 25)
        elif k == 2:
            sql += " LIMIT %d OFFSET %d" % (rng.randrange(0, 25), rng.randrange(0, 40))
        elif k == 3 and rng.random() < 0.3:
            sql += " LIMIT -1 OFFSET %d" % rng.randrange(0, 300)
        tags = ["order-by"] + (["limit"] if "LIMIT" in sql else []) + \
               (["order-collate"] if "COLLATE" in sql else []) + (["order-desc"] if "DESC" in sql else [])
        return sql, tags

    def columns(self, a="t."):
        k = self.rng.randrange(4)
        if k == 0:
            return "*"
        cols = self.rng.sample(COLUMNS, self.rng.randrange(1, 4))
        return ", ".join(a + c for c in cols)

    def select(self):
        rng = self.rng
        kind = self.pick([("where", 30), ("order", 15), ("count", 6), ("group", 6), ("distinct", 4),
                          ("self-join", 8), ("plain-join", 8), ("left-join", 3), ("compound", 4),
                          ("cte", 3), ("scan", 2)])
        p = self.pred
        if kind == "where":
            return Query("SELECT %s FROM {T} AS t WHERE {P0}" % self.columns(), [p()], "bag", [kind])
        if kind == "order":
            order, tags = self.order_by()
            return Query("SELECT %s FROM {T} AS t WHERE {P0}%s" % (self.columns(), order), [p()],
                         "seq", [kind] + tags)
        if kind == "scan":
            order, tags = self.order_by()
            return Query("SELECT * FROM {T} AS t" + order, [], "seq", [kind] + tags)
        if kind == "count":
            return Query("SELECT count(*), sum(t.enabled), min(t.code), max(t.room_id), "
                         "count(t.user_id) FROM {T} AS t WHERE {P0}", [p()], "bag", [kind])
        if kind == "group":
            col = rng.choice(COLUMNS[1:])
            coll = rng.choice(["", " COLLATE NOCASE", " COLLATE RTRIM"])
            having = rng.choice(["", " HAVING count(*) > 1"])
            # the group's own value may come from any of its rows: show min and max instead
            return Query("SELECT count(*), min(t.%s), max(t.%s), min(t.code), sum(t.enabled) FROM "
                         "{T} AS t WHERE {P0} GROUP BY t.%s%s%s" % (col, col, col, coll, having),
                         [p()], "bag", [kind] + (["group-collate"] if coll else []))
        if kind == "distinct":
            col = rng.choice(COLUMNS[1:])
            return Query("SELECT DISTINCT t.%s FROM {T} AS t WHERE {P0}" % col, [p()], "bag", [kind])
        if kind == "self-join":
            coll = rng.choice(["", "", " COLLATE NOCASE", " COLLATE RTRIM"])
            on = rng.choice(["b.room_id = a.room_id%s", "a.room_id = b.room_id%s",
                             "b.room_id = a.room_id%s AND b.role = a.role",
                             "b.role = a.role%s AND b.room_id = a.room_id",
                             "b.code = a.code%s", "b.user_id = a.role%s"]) % coll
            tags = [kind] + (["collate-%s@join" % coll.split()[-1].lower()] if coll else [])
            return Query("SELECT a.code, b.code, b.enabled FROM {T} AS a JOIN {T} AS b ON %s "
                         "WHERE {P0} AND a.code < b.code" % on, [p("a.")], "bag", tags)
        if kind == "plain-join":
            on, tags = self.pick([
                (("t.room_id = p.name", []), 3), (("p.name = t.room_id", []), 2),
                (("t.room_id = p.n", ["affinity"]), 2), (("p.n = t.room_id", ["affinity"]), 1),
                (("t.room_id = p.a", ["affinity"]), 1), (("t.room_id = p.b", ["blob"]), 1),
                (("t.role = p.name COLLATE NOCASE", ["collate-nocase@value"]), 1),
                (("t.room_id = p.name AND t.role = 'host'", []), 1),
                (("t.code = p.name", []), 1),
                (("t.user_id = p.name", []), 1), (("t.user_id = p.n", ["affinity"]), 1),
                (("t.user_id = p.a", ["affinity"]), 1),
            ])
            other = "plain AS p"
            if rng.random() < 0.3:
                other = "plain_nc AS p"
                tags = tags + ["nocase-column"]
                if "p.n" in on or "p.a" in on or "p.b" in on:
                    on = "t.room_id = p.pad"
            join = rng.choice(["%s JOIN {T} AS t", "{T} AS t JOIN %s", "{T} AS t, %s"]) % other
            if "," in join:
                template = "SELECT t.code, p.name FROM %s WHERE %s AND {P0}" % (join, on)
            else:
                template = "SELECT t.code, p.name FROM %s ON %s WHERE {P0}" % (join, on)
            return Query(template, [p()], "bag", [kind] + tags)
        if kind == "left-join":
            on = rng.choice(["t.room_id = p.name", "t.room_id = p.name COLLATE NOCASE",
                             "t.room_id = p.n", "t.role = p.name"])
            tags = [kind] + (["collate-nocase@value"] if "NOCASE" in on else []) + \
                   (["affinity"] if "p.n" in on else [])
            return Query("SELECT p.name, t.code FROM plain AS p LEFT JOIN {T} AS t ON %s AND {P0}"
                         % on, [p()], "bag", tags)
        if kind == "compound":
            op = rng.choice(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"])
            return Query("SELECT t.code, t.room_id FROM {T} AS t WHERE {P0} %s "
                         "SELECT t.code, t.room_id FROM {T} AS t WHERE {P1}" % op, [p(), p()], "bag",
                         [kind])
        return Query("WITH c AS (SELECT * FROM {T} AS t WHERE {P0}) SELECT t.code, t.role FROM c "
                     "AS t WHERE {P1}", [p(), p()], "bag", [kind])

    def write(self, kind):
        if kind == "update":
            set_ = self.pick([("enabled = 1 - enabled", 4),
                              ("enabled = 1 - enabled, user_id = 'u-new'", 1),
                              ("user_id = NULL", 1)])
            return Query("UPDATE {T} AS t SET %s WHERE {P0}" % set_, [self.pred()], "write",
                         ["update"])
        return Query("DELETE FROM {T} AS t WHERE {P0}", [self.pred()], "write", ["delete"])


def typed(row):
    """A row whose values compare exactly: 1, 1.0 and '1' stay apart."""
    return tuple((type(v).__name__, v) for v in row)


def plan_tags(db, sql, params):
    tags = set()
    for row in db.execute("EXPLAIN QUERY PLAN " + sql, params):
        detail = row[3]
        if "VIRTUAL TABLE INDEX" in detail:
            tags.add("plan:" + detail.split(":", 1)[1])
    return tags


class Differential:
    """Runs queries on both tables of one connection and keeps what differed."""

    def __init__(self, db):
        self.db = db
        self.failures = []  # (query, detail)
        self.by_tag = collections.Counter()
        self.failed_by_tag = collections.Counter()
        self.store_errors = []
        self.ran = 0

    def outcome(self, query, table):
        sql, params, _ = query.render(table)
        db = self.db
        # The reference for LIMIT/OFFSET is the store's whole ordered result, sliced here:
        # SQLite 3.52.0 itself miscounts OFFSET in some plans of the plain table.
        window = None
        limit = re.search(r" LIMIT (-?\d+)(?: OFFSET (\d+))?$", sql)
        if table == STORE and limit:
            sql = sql[:limit.start()]
            start = int(limit.group(2) or 0)
            count = int(limit.group(1))
            window = slice(start, None if count < 0 else start + count)
        try:
            if query.kind != "write":
                rows = [typed(r) for r in db.execute(sql, params)]
                if window:
                    rows = rows[window]
                return ("rows", rows if query.kind == "seq" else sorted(rows, key=repr))
            db.execute("SAVEPOINT w")
            try:
                changed = db.execute(sql, params).rowcount
                left = db.execute("SELECT code, enabled, user_id FROM room_codes_store "
                                  "ORDER BY code").fetchall()
                return ("wrote", changed, left)
            finally:
                db.execute("ROLLBACK TO w")
                db.execute("RELEASE w")
        except Exception as e:  # sqlite3.Error, or a message that is not UTF-8
            return ("error", type(e).__name__, str(e))

    def differs(self, query):
        """The two outcomes when they differ, else None."""
        mine, theirs = self.outcome(query, VTAB), self.outcome(query, STORE)
        return None if mine == theirs else (mine, theirs)

    def check(self, query):
        self.ran += 1
        sql, params, tags = query.render(VTAB)
        if query.kind != "write":
            tags |= plan_tags(self.db, sql, params)
        self.by_tag.update(tags)
        mine, theirs = self.outcome(query, VTAB), self.outcome(query, STORE)
        if theirs[0] == "error":
            self.store_errors.append((sql, params, theirs))
        if mine != theirs:
            self.failed_by_tag.update(tags)
            self.failures.append((query, tags))

    def shrink(self, query):
        """A smaller query that still differs: each predicate replaced by a subtree while
        that keeps the difference."""
        changed = True
        while changed:
            changed = False
            for i, pred in enumerate(query.preds):
                for sub in pred.subtrees():
                    smaller = query.with_pred(i, sub)
                    if self.differs(smaller):
                        query, changed = smaller, True
                        break
                if changed:
                    break
        return query

    def report(self, what):
        """The failure message: seed, counts, the first failure shrunk, failures by shape."""
        if not self.failures:
            return ""
        first, tags = self.failures[0]
        small = self.shrink(first)
        sql, params, _ = first.render(VTAB)
        ssql, sparams, _ = small.render(VTAB)
        mine, theirs = self.differs(small) or (("same after shrinking?",), ())
        if mine[0] == theirs[0] == "wrote":
            # only the rows that ended up different, as (code, enabled, user_id)
            a, b = set(mine[2]), set(theirs[2])
            mine, theirs = (mine[:2] + (sorted(a - b),)), (theirs[:2] + (sorted(b - a),))
        lines = ["%d of %d %s differ between %s and %s (ROOMCODE_DIFF_SEED=%d)"
                 % (len(self.failures), self.ran, what, VTAB, STORE, SEED),
                 "first: %s  params=%r" % (sql, params),
                 "shrunk: %s  params=%r" % (ssql, sparams),
                 "  %s: %s" % (VTAB, short(mine)), "  %s: %s" % (STORE, short(theirs)),
                 "failures by shape (failed/ran):"]
        for tag, n in sorted(self.failed_by_tag.items(), key=lambda kv: (-kv[1], kv[0]))[:25]:
            lines.append("  %-28s %5d/%d" % (tag, n, self.by_tag[tag]))
        return "\n".join(lines)


def short(outcome):
    text = repr(outcome)
    return text if len(text) < 400 else text[:400] + "..."


def cause(tags):
    """The known defect a failing statement's shape points to: an operand whose affinity
    is not TEXT (a number compares with '05' as 5), else a collation other than BINARY."""
    if "affinity" in tags or "blob" in tags:
        return "affinity"
    if any(t.startswith("collate-nocase") or t.startswith("collate-rtrim") or
           t == "nocase-column" for t in tags):
        return "collation"
    return "other"


class QueryDifferential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = connect(isolation_level=None)
        rng = random.Random(SEED)
        cls.rows = build(cls.db, rng)
        cls.grammar = Grammar(rng, cls.rows)
        cls.before = cls.db.execute("SELECT * FROM room_codes_store ORDER BY code").fetchall()
        cls.runs = {}

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def run_kind(self, kind):
        """Generates and runs the statements of one kind, once per test class. Each kind has
        its own generator seeded from SEED, so one kind's statements do not depend on
        another's having run."""
        if kind not in self.runs:
            g = Grammar(random.Random("%d-%s" % (SEED, kind)), self.rows)
            d = Differential(self.db)
            for _ in range(N_SELECTS if kind == "select" else N_WRITES):
                d.check(g.select() if kind == "select" else g.write(kind))
            self.runs[kind] = d
            if REPORT and d.failures:
                causes = collections.Counter(cause(t) for _, t in d.failures)
                print("\n%s: %d of %d differ; by cause %s\n%s" % (kind, len(d.failures), d.ran,
                                                                 dict(causes), d.report(kind)),
                      file=sys.stderr)
        return self.runs[kind]

    def test_data_collides_as_intended(self):
        count = lambda sql: self.db.execute(sql).fetchone()[0]
        self.assertEqual(count("SELECT count(*) FROM room_codes"), sum(ROOM_COUNTS.values()))
        self.assertGreater(count("SELECT count(*) FROM room_codes WHERE room_id = 'room'"), 30)
        self.assertEqual(count("SELECT count(*) FROM room_codes_store WHERE room_id = 'room' "
                               "COLLATE NOCASE"), 80)
        self.assertEqual(count("SELECT count(DISTINCT room_id) FROM room_codes_store WHERE room_id "
                               "= 'zoë' COLLATE NOCASE"), 2)  # NOCASE folds ASCII only
        self.assertGreater(count("SELECT count(*) FROM room_codes_store WHERE room_id = "
                                 "CAST(5 AS INTEGER)"), count("SELECT count(*) FROM "
                                                             "room_codes_store WHERE room_id = 5"))
        self.assertGreater(count("SELECT count(*) FROM room_codes WHERE user_id IS NULL"), 50)
        self.assertEqual(count("SELECT count(DISTINCT enabled) FROM room_codes"), 2)

    def test_comparison_sees_a_difference(self):
        """The harness itself can fail: a row changed in the store alone is a difference."""
        d = Differential(self.db)
        q = Query("SELECT t.code, t.enabled FROM {T} AS t WHERE {P0}",
                  [Pred("leaf", leaf=F("t.room_id = 'room'"))], "bag")
        self.assertIsNone(d.differs(q))
        self.assertIsNone(d.differs(Query("SELECT 1, 1.0", [], "seq")))
        one_int = Query("SELECT CASE WHEN '{T}' = 'room_codes' THEN 1 ELSE 1.0 END", [], "bag")
        self.assertIsNotNone(d.differs(one_int))
        ordered = Query("SELECT code FROM {T} AS t ORDER BY CASE WHEN '{T}' = 'room_codes' "
                        "THEN code END, code DESC", [], "seq")
        self.assertIsNotNone(d.differs(ordered))
        self.assertIsNone(d.differs(Query(ordered.template, [], "bag")))
        # LIMIT/OFFSET: the store's whole result, sliced, is the reference
        window = "SELECT code FROM {T} AS t WHERE %s ORDER BY code LIMIT 3 OFFSET 2"
        self.assertIsNone(d.differs(Query(window % "code > 'b'", [], "seq")))
        self.assertIsNotNone(d.differs(Query(window % "('{T}' = 'room_codes' OR code > 'b')",
                                             [], "seq")))
        wrote = Query("UPDATE {T} SET enabled = 1 - enabled WHERE code = (SELECT min(code) FROM "
                      "room_codes_store) AND '{T}' = 'room_codes'", [], "write")
        self.assertIsNotNone(d.differs(wrote))
        self.assertEqual(self.db.execute("SELECT * FROM room_codes_store ORDER BY code").fetchall(),
                         self.before)

    def test_selects_match_store(self):
        d = self.run_kind("select")
        self.assertEqual(d.store_errors[:3], [], "the grammar made statements the store refuses")
        if d.failures:
            self.fail(d.report("SELECT statements"))

    def test_updates_match_store(self):
        d = self.run_kind("update")
        self.assertEqual(d.store_errors[:3], [])
        if d.failures:
            self.fail(d.report("UPDATE statements"))
        self.assertEqual(self.db.execute("SELECT * FROM room_codes_store ORDER BY code").fetchall(),
                         self.before, "ROLLBACK TO did not restore the store")

    def test_deletes_match_store(self):
        d = self.run_kind("delete")
        self.assertEqual(d.store_errors[:3], [])
        if d.failures:
            self.fail(d.report("DELETE statements"))
        self.assertEqual(self.db.execute("SELECT * FROM room_codes_store ORDER BY code").fetchall(),
                         self.before, "ROLLBACK TO did not restore the store")

    def test_grammar_reaches_every_shape(self):
        """Every shape the test claims to cover ran, and the table's lookups were planned."""
        seen = self.run_kind("select").by_tag + self.run_kind("update").by_tag + \
            self.run_kind("delete").by_tag
        wanted = ["op:=", "op:==", "op:IS", "op:IS NOT", "op:!=", "op:<>", "op:<", "op:<=", "op:>",
                  "op:>=", "between", "in-list", "in-subquery", "self-subquery", "like",
                  "like-escape", "glob", "null-test", "function", "column-column", "truth",
                  "row-value", "exists", "value-first", "param", "literal", "number", "affinity",
                  "cast", "blob", "null", "expr", "and", "or", "not", "nocase-column",
                  "order-by", "order-collate", "order-desc", "limit", "count", "group",
                  "group-collate", "distinct", "self-join", "plain-join", "left-join", "compound",
                  "cte", "scan", "update", "delete", "user-lookup"]
        wanted += ["col:" + c for c in COLUMNS]
        wanted += ["collate-%s@%s" % (c.lower(), side) for c in COLLATIONS
                   for side in ("column", "value")]
        wanted += ["collate-nocase@join", "collate-rtrim@join"]
        rare = [t for t in wanted if seen[t] < 5]
        # the plans by code, by room and by room and role, whatever words the plan uses
        plans = [t for t in seen if t.startswith("plan:")]
        for lookup in ("code=", "room_id=", "role=", "user_id="):
            if sum(seen[t] for t in plans if lookup in t) < 20:
                rare.append("a plan with " + lookup)
        self.assertEqual(rare, [], "shapes the grammar reached fewer than 5 times")


if __name__ == "__main__":
    unittest.main()
