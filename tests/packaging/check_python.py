"""Checks of the Python package roomcode, run by run.py with the virtual environment's
Python that docs/install.md set up (the wheel installed). Prints [name, ok, detail] rows
as JSON. usage: check_python.py VERSION"""
import json
import os
import sqlite3
import sys

import roomcode

version = sys.argv[1]
results = []


def check(name, ok, detail=""):
    results.append([name, bool(ok), "" if ok else str(detail)])


check("version: the installed package is VERSION", roomcode.__version__ == version,
      roomcode.__version__)
path = roomcode.loadable_path()
check("loadable_path() is the module inside the virtual environment",
      os.path.isfile(path + ".so") and path.startswith(sys.prefix + os.sep), path)

db = sqlite3.connect(":memory:")
roomcode.load(db)
db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
code = db.execute("SELECT roomcode_new('standup-42', 'host')").fetchone()[0]
row = db.execute("SELECT room_id, roomcode_valid(code) FROM room_codes WHERE code = ?",
                 (code,)).fetchone()
check("load(conn): a function and the table work", row == ("standup-42", 1), row)
try:
    db.load_extension(path)
    check("load(conn) disables extension loading after its call", False, "loading still allowed")
except sqlite3.OperationalError as e:
    check("load(conn) disables extension loading after its call", str(e) == "not authorized", e)


class NoExtensions:
    """A connection of a Python built without extension loading."""


try:
    roomcode.load(NoExtensions())
    check("load(conn) where Python cannot load extensions says so", False, "no error")
except sqlite3.NotSupportedError as e:
    check("load(conn) where Python cannot load extensions says so",
          str(e).startswith("roomcode: this Python's sqlite3 module cannot load extensions"), e)

print(json.dumps(results))
