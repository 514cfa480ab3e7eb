"""Helpers the Python tests share: where the built extension is, and connections that
have (or have not) loaded it."""
import os
import sqlite3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXTENSION = os.path.join(ROOT, "build", "roomcode")


def connect(path=":memory:", load=True, **kwargs):
    """A connection to path, with the extension loaded unless load is False."""
    db = sqlite3.connect(path, **kwargs)
    if load:
        db.enable_load_extension(True)
        db.load_extension(EXTENSION)
        db.enable_load_extension(False)
    return db
