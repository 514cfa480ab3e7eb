"""roomcode for Python's sqlite3, in sqlite-vec's style: loadable_path() names the module
this package carries, load(conn) loads it into a connection."""
import os
import sqlite3

try:
    from importlib.metadata import PackageNotFoundError, version
    try:
        __version__ = version("roomcode")
    except PackageNotFoundError:
        __version__ = None
except ImportError:  # Python 3.7
    __version__ = None

__all__ = ["loadable_path", "load"]


def loadable_path():
    """The module's path without its suffix, as SQLite's load_extension takes it (SQLite
    adds .so and derives the entry point, sqlite3_roomcode_init, from the name)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "roomcode")


def load(conn):
    """Loads roomcode into conn, a sqlite3.Connection. Extension loading is enabled for this
    call only and disabled again after it, so SQL cannot load anything (SQLite's default)."""
    if not hasattr(conn, "enable_load_extension"):
        raise sqlite3.NotSupportedError(
            "roomcode: this Python's sqlite3 module cannot load extensions (it was built "
            "without --enable-loadable-sqlite-extensions); use one that can, such as "
            "Debian's /usr/bin/python3")
    conn.enable_load_extension(True)
    try:
        conn.load_extension(loadable_path())
    finally:
        conn.enable_load_extension(False)
