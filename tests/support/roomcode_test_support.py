"""Helpers the Python tests share: where the built extension is, and connections that
have (or have not) loaded it."""
import os
import ctypes
import sqlite3
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/support/..
# ROOMCODE_EXT: another build of the extension (the ASan one, or an older release to show
# that a test fails there)
EXTENSION = os.environ.get("ROOMCODE_EXT") or os.path.join(ROOT, "build", "roomcode")


def connect(path=":memory:", load=True, **kwargs):
    """A connection to path, with the extension loaded unless load is False."""
    db = sqlite3.connect(path, **kwargs)
    if load:
        db.enable_load_extension(True)
        db.load_extension(EXTENSION)
        db.enable_load_extension(False)
    return db


SQLITE_DBCONFIG_DEFENSIVE = 1010


def set_defensive(db, on):
    """sqlite3_db_config(DEFENSIVE) on a Python connection. Python 3.11 has no setconfig(),
    so this reaches the sqlite3* handle, which CPython keeps right after the object
    header of a Connection, and calls the C API of the library _sqlite3 itself uses."""
    handle = ctypes.c_void_p.from_address(id(db) + 2 * ctypes.sizeof(ctypes.c_void_p)).value
    lib = ctypes.CDLL(sys.modules["_sqlite3"].__file__)
    lib.sqlite3_db_config.restype = ctypes.c_int
    got = ctypes.c_int(-1)
    rc = lib.sqlite3_db_config(ctypes.c_void_p(handle), SQLITE_DBCONFIG_DEFENSIVE,
                               ctypes.c_int(1 if on else 0), ctypes.byref(got))
    assert rc == 0 and got.value == (1 if on else 0), (rc, got.value)


def store_ddl(table="room_codes", triggers=True):
    """The store's DDL from sql/, filled in as the extension fills it (for stores made by
    hand, as a client without the extension would)."""
    text = ""
    for name in ["store_table.sql"] + (["store_triggers.sql"] if triggers else []):
        with open(os.path.join(ROOT, "sql", name)) as f:
            text += f.read()
    # the constants of ext/store_limits.h, which the build fills in
    return (text.replace("{schema}", "main").replace("{table}", table).replace("{cap}", "100")
            .replace("{max_name_bytes}", "256"))
