"""ARCHITECTURE.md matches ext/: every file of ext/ is named there, and no header of ext/
includes itself through others (the layers have one direction)."""
import os
import re
import unittest

from roomcode_test_support import ROOT

EXT = os.path.join(ROOT, "ext")


def ext_files():
    return sorted(n for n in os.listdir(EXT) if n.endswith((".c", ".h")))


def includes(name):
    with open(os.path.join(EXT, name), encoding="utf-8") as f:
        found = re.findall(r'^#include "([^"]+)"', f.read(), re.M)
    return [n for n in found if os.path.exists(os.path.join(EXT, n))]


def include_cycle(graph):
    """A list of files that include each other in a circle, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, path + [nxt])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for node in graph:
        if node not in state:
            cycle = visit(node, [node])
            if cycle:
                return cycle
    return None


class Architecture(unittest.TestCase):
    def test_every_ext_file_is_named(self):
        with open(os.path.join(ROOT, "ARCHITECTURE.md"), encoding="utf-8") as f:
            text = f.read()
        # "room_codes_table.c/.h" names both files
        named = set(re.findall(r"[a-z_]+\.[ch]\b", text))
        for stem in re.findall(r"([a-z_]+)\.c/\.h", text):
            named.update({stem + ".c", stem + ".h"})
        missing = [n for n in ext_files() if n not in named]
        self.assertEqual(missing, [], "files of ext/ that ARCHITECTURE.md does not name")
        self.assertGreater(len(ext_files()), 20)

    def test_no_include_cycle(self):
        graph = {n: includes(n) for n in ext_files()}
        self.assertIsNone(include_cycle(graph))
        # the check can fail: a circle made by hand is found
        self.assertEqual(include_cycle({"a.h": ["b.h"], "b.h": ["a.h"]}), ["a.h", "b.h", "a.h"])

    def test_registration_is_private_to_the_entry_point(self):
        users = sorted(n for n in ext_files() if "registration.h" in includes(n))
        # the entry point calls, the files that define a registration include it
        self.assertIn("roomcode.c", users)
        with open(os.path.join(EXT, "roomcode.c"), encoding="utf-8") as f:
            entry = f.read()
        for name in ext_files():
            if name == "roomcode.c" or not name.endswith(".c"):
                continue
            with open(os.path.join(EXT, name), encoding="utf-8") as f:
                body = f.read()
            calls = re.findall(r"\broomcode_register_\w+\(db", body)
            self.assertEqual(calls, [], f"{name} calls a registration")
        self.assertIn("roomcode_register_table(db", entry)


if __name__ == "__main__":
    unittest.main()
