"""What a loaded connection registers is exactly the list in docs/sql-reference.md: names, argument
counts and flags (as sqlite-vec's test-loadable.py does), so the docs cannot drift."""
import os
import re
import unittest

from roomcode_test_support import ROOT, connect

# SQLite's function flags, as pragma_function_list reports them
DETERMINISTIC = 0x000000800
DIRECTONLY = 0x000080000
INNOCUOUS = 0x000200000
FLAG_NAMES = {"deterministic": DETERMINISTIC, "direct-only": DIRECTONLY, "innocuous": INNOCUOUS}


def documented_registry():
    """{name: (kind, {arg counts}, flags)} from the table in docs/sql-reference.md."""
    text = open(os.path.join(ROOT, "docs", "sql-reference.md"), encoding="utf-8").read()
    section = text[text.index("### What the extension registers"):]
    section = section[:section.index("\n\n", section.index("| name |"))]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\|\s*`(\w+)`\s*\|([^|]+)\|([^|]*)\|([^|]*)\|", line)
        if not m:
            continue
        name, kind, args, flags = m.groups()
        counts = {int(a) for a in re.findall(r"\d+", args)}
        mask = 0
        for flag in filter(None, (f.strip() for f in flags.split(","))):
            mask |= FLAG_NAMES[flag]
        rows[name] = (kind.strip(), counts, mask)
    return rows


class Registration(unittest.TestCase):
    def setUp(self):
        self.db = connect()
        self.documented = documented_registry()

    def tearDown(self):
        self.db.close()

    def test_functions_match_the_docs(self):
        got = {}
        for name, narg, flags in self.db.execute(
                "SELECT name, narg, flags FROM pragma_function_list WHERE name LIKE 'roomcode%'"):
            counts, masks = got.setdefault(name, (set(), set()))
            counts.add(narg)
            masks.add(flags & (DETERMINISTIC | DIRECTONLY | INNOCUOUS))
        want = {n: v for n, v in self.documented.items() if v[0] == "function"}
        self.assertEqual(set(got), set(want))
        for name, (counts, masks) in got.items():
            with self.subTest(name=name):
                self.assertEqual(counts, want[name][1])
                self.assertEqual(masks, {want[name][2]}, f"flags of {name}")

    def test_modules_match_the_docs(self):
        modules = {name for (name,) in self.db.execute(
            "SELECT name FROM pragma_module_list WHERE name LIKE 'roomcode%'")}
        want = {n for n, v in self.documented.items() if not v[0].startswith("function")}
        self.assertEqual(modules, want)

    def test_table_valued_function_takes_two_arguments(self):
        self.assertEqual(self.documented["roomcode_create"][1], {2})
        cols = [r[1] for r in self.db.execute("PRAGMA table_xinfo(roomcode_create)")]
        self.assertEqual(cols[:7], ["code", "room_id", "role", "enabled", "user_id",
                                    "created_at", "updated_at"])
        self.assertEqual(len(cols) - 7, 2)

    def test_readme_index_names_every_function(self):
        text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
        index = text[text.index("## Functions at a glance"):]
        index = index[:index.index("\n## ")]
        listed = set(re.findall(r"\b(roomcode(?:_\w+)?)\(", index))
        listed |= {"roomcode"} if "USING roomcode" in index else set()
        self.assertEqual(listed, set(self.documented))

    def test_documented_table_parsed(self):
        # the parser must see the rows, or the checks above compare empty sets
        self.assertGreaterEqual(len(self.documented), 9)
