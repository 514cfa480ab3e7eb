"""The SQL examples of every page in docs/ run, each page top to bottom on a fresh database
of its own, and give what their `-- result:` and `-- error:` lines say; the reference's
Python join endpoint runs as shown. (Other pages' code is run by its own suite: loading.md
by tests/clients, install.md by tests/packaging, orm.md by tests/orm, replication.md by
tests/cluster, authentication.md's shell commands by tests/sdk.)"""
import glob
import os
import re
import sqlite3
import tempfile
import unittest

from roomcode_test_support import ROOT, connect

PLACEHOLDERS = {
    "<code>": r"[a-z]{3}-[a-z]{4}-[a-z]{3}",
    "<token>": r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
}


def doc_pages():
    """The docs/ pages that show SQL examples."""
    pages = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [p for p in pages if "```sql\n" in open(p, encoding="utf-8").read()]


def page_examples(path):
    """(statement, expected rows or None, expected error or None, line) in order."""
    text = open(path, encoding="utf-8").read()
    start = 0
    examples = []
    for block in re.finditer(r"```sql\n(.*?)```", text, re.S):
        first_line = text.count("\n", 0, start + block.start()) + 2
        pending = ""
        for offset, line in enumerate(block.group(1).splitlines()):
            if line.startswith("-- result: ") or line.startswith("-- error: "):
                kind, value = line[3:].split(": ", 1)
                stmt, rows, error, at = examples[-1]
                if kind == "result":
                    examples[-1] = (stmt, (rows or []) + [value], error, at)
                else:
                    examples[-1] = (stmt, rows, value, at)
                continue
            pending += line + "\n"
            if sqlite3.complete_statement(pending):
                examples.append((pending.strip(), None, None, first_line + offset))
                pending = ""
    return examples


def matches(expected, got):
    pattern = re.escape(expected)
    for name, regex in PLACEHOLDERS.items():
        pattern = pattern.replace(re.escape(name), regex)
    return re.fullmatch(pattern, got) is not None


class DocsExamples(unittest.TestCase):
    def test_the_reference_shows_results(self):
        examples = page_examples(os.path.join(ROOT, "docs", "sql-reference.md"))
        checked = sum(1 for _, rows, error, _ in examples if rows or error)
        self.assertGreaterEqual(checked, 25, "the SQL reference should show results for its examples")

    def test_examples_give_their_results(self):
        for page in doc_pages():
            self.run_page(page)

    def run_page(self, page):
        db = connect()
        for stmt, rows, error, line in page_examples(page):
            where = f"{os.path.relpath(page, ROOT)}:{line}"
            with self.subTest(where=where, sql=stmt):
                if error:
                    with self.assertRaises(sqlite3.Error) as caught:
                        db.execute(stmt).fetchall()
                    self.assertEqual(str(caught.exception), error)
                    continue
                got = ["|".join("" if v is None else str(v) for v in row)
                       for row in db.execute(stmt).fetchall()]
                if rows is not None:
                    self.assertEqual(len(got), len(rows), got)
                    for want, have in zip(rows, got):
                        self.assertTrue(matches(want, have), f"want {want!r}, got {have!r}")
        db.close()

    def test_unmatched_results_fail(self):
        self.assertFalse(matches("<code>", "xvm-wxwo-gb"))
        self.assertFalse(matches("1|0|0", "1|0|1"))
        self.assertTrue(matches("<code>", "xvm-wxwo-gbl"))


class PythonJoinEndpoint(unittest.TestCase):
    """The Python join endpoint of docs/sql-reference.md, run as it stands from the
    repository's root: a token for an enabled code, PermissionError with the roomcode:
    message for a disabled or unknown one."""

    def test_join_token_as_shown(self):
        import jwt
        text = open(os.path.join(ROOT, "docs", "sql-reference.md"), encoding="utf-8").read()
        blocks = re.findall(r"```python\n(.*?)```", text, re.S)
        self.assertEqual(len(blocks), 1)
        namespace = {}
        exec(compile(blocks[0], "docs/sql-reference.md", "exec"), namespace)
        join_token = namespace["join_token"]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "codes.db")
            db = connect(path)
            db.executescript("CREATE VIRTUAL TABLE room_codes USING roomcode;"
                             "INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'r', 'guest');"
                             "INSERT INTO room_codes(code, room_id, role, enabled) VALUES ('off-offo-ffx', 'r', 'guest', 0);")
            db.close()
            here = os.getcwd()
            os.chdir(ROOT)  # the example loads ./build/roomcode
            try:
                token = join_token(path, "ABC DEFG HIJ", "user-9", "key", "secret")
                claims = jwt.decode(token, "secret", algorithms=["HS256"])
                self.assertEqual((claims["room_id"], claims["role"], claims["user_id"]),
                                 ("r", "guest", "user-9"))
                for code, message in [("off-offo-ffx", "roomcode: room code 'off-offo-ffx' is disabled"),
                                      ("zzz-zzzz-zzz", "roomcode: unknown room code 'zzz-zzzz-zzz'")]:
                    with self.assertRaises(PermissionError) as caught:
                        join_token(path, code, "user-9", "key", "secret")
                    self.assertEqual(str(caught.exception), message)
            finally:
                os.chdir(here)
