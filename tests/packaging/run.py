#!/usr/bin/python3
"""The packaging suite: builds the Debian package, the npm tarball, the Python wheel and
the static library once (make deb npm python static; node-sqlite fetches a Node that has
node:sqlite), then checks that every artifact carries VERSION, that
make install/uninstall write and remove exactly their files, what the .deb holds and
depends on (and that lintian has no error or warning), that the module loads from each
artifact, and runs the commands of docs/install.md (doc_sections.py) in a temporary home.

The npm section installs better-sqlite3 12.11.1 into ~/my-app with the npm cache and
node-gyp settings of the user running the suite: when another suite has compiled that
version, its prebuild waits in the npm cache (tests/support/cache_prebuilds.cjs) and
prebuild-install unpacks it instead of compiling again; the roomcode tarball is installed by
the page's own npm command either way.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile

import doc_sections

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.path.join(ROOT, "build")
VERSION = open(os.path.join(ROOT, "VERSION"), encoding="utf-8").read().strip()
ARCH = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
DEB = os.path.join(BUILD, f"libsqlite3-mod-roomcode_{VERSION}_{ARCH}.deb")
NODE_DEB = os.path.join(BUILD, f"roomcode-node_{VERSION}_{ARCH}.deb")
TGZ = os.path.join(BUILD, f"roomcode-{VERSION}.tgz")
WHEEL = os.path.join(BUILD, f"roomcode-{VERSION}-py3-none-linux_{os.uname().machine}.whl")
NODE_SQLITE = os.path.join(BUILD, "node-sqlite", "node")  # make node-sqlite
# A statement that uses a function and the table: "<version>|<codes>"
USE_SQL = ("CREATE VIRTUAL TABLE room_codes USING roomcode;"
           "SELECT count(*) FROM roomcode_create('standup-42', '[\"host\", \"guest\"]');"
           "SELECT roomcode_version() || '|' || count(*) FROM room_codes "
           "WHERE roomcode_valid(code);")

counts = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"ok - {name}" if ok else f"FAIL - {name}: {detail}", flush=True)
    return ok


def equal(name, got, want):
    return check(name, got == want, f"got {got!r}, want {want!r}")


def run(args, timeout=120, **kw):
    kw.setdefault("cwd", ROOT)
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(args, 124, e.stdout or "", f"timed out after {timeout} s")


def sqlite_use(module, extra=""):
    """Loads module in Debian's sqlite3 shell and uses a function and the table."""
    r = run(["sqlite3", ":memory:", "-cmd", f".load {module}", USE_SQL + extra], timeout=30)
    return r.stdout.strip().splitlines() if r.returncode == 0 else [r.stderr.strip()]


def files_under(top):
    found = set()
    for d, _, names in os.walk(top):
        found.update(os.path.relpath(os.path.join(d, n), top) for n in names)
    return found


def check_versions(tmp):
    r = run(["sqlite3", ":memory:", "-cmd", ".load build/roomcode", "SELECT roomcode_version()"])
    equal("version: roomcode_version() is VERSION", r.stdout.strip(), VERSION)
    r = run(["dpkg-parsechangelog", "-l", "debian/changelog", "-S", "Version"])
    equal("version: debian/changelog is VERSION", r.stdout.strip(), VERSION)


def check_install(tmp):
    dest = os.path.join(tmp, "dest")
    make_vars = [f"DESTDIR={dest}", "PREFIX=/opt/roomcode", "LIBDIR=/opt/roomcode/lib64"]
    r = run(["make", "--no-print-directory", "install"] + make_vars)
    if not check("install: make install with DESTDIR, PREFIX and LIBDIR", r.returncode == 0,
                 r.stdout + r.stderr):
        return
    want = {"opt/roomcode/lib64/roomcode.so", "opt/roomcode/lib64/libroomcode.a",
            "opt/roomcode/include/roomcode.h", "opt/roomcode/lib64/pkgconfig/roomcode.pc"}
    equal("install: exactly the four files, where the variables say", files_under(dest), want)
    pc = os.path.join(dest, "opt/roomcode/lib64/pkgconfig")
    env = dict(os.environ, PKG_CONFIG_PATH=pc)
    r = run(["pkg-config", "--modversion", "roomcode"], env=env)
    equal("version: roomcode.pc is VERSION", r.stdout.strip(), VERSION)
    r = run(["pkg-config", "--static", "--cflags", "--libs", "roomcode"], env=env)
    flags = r.stdout.split()
    check("install: roomcode.pc names the install paths, and libsodium when static",
          flags[:3] == ["-I/opt/roomcode/include", "-L/opt/roomcode/lib64", "-lroomcode"]
          and "-lsodium" in flags[3:], flags)
    r = run(["pkg-config", "--print-requires-private", "roomcode"], env=env)
    equal("install: roomcode.pc Requires.private", r.stdout.strip(), "libsodium")
    header = open(os.path.join(dest, "opt/roomcode/include/roomcode.h"), encoding="utf-8").read()
    check("install: roomcode.h declares sqlite3_roomcode_init",
          re.search(r"int sqlite3_roomcode_init\(sqlite3 \*db, char \*\*err,\s*const "
                    r"sqlite3_api_routines \*api\);", header) is not None)
    symbols = run(["nm", os.path.join(dest, "opt/roomcode/lib64/libroomcode.a")]).stdout
    check("install: libroomcode.a defines sqlite3_roomcode_init",
          re.search(r" T sqlite3_roomcode_init$", symbols, re.M) is not None)
    # Built with SQLITE_CORE it calls SQLite directly; a loadable build goes through sqlite3_api.
    check("install: libroomcode.a calls SQLite directly (SQLITE_CORE)",
          re.search(r" U sqlite3_create_module_v2$", symbols, re.M) is not None
          and "sqlite3_api" not in symbols, "no direct call to sqlite3_create_module_v2")
    equal("install: the installed module loads and works",
          sqlite_use(os.path.join(dest, "opt/roomcode/lib64/roomcode")), ["2", f"{VERSION}|2"])
    r = run(["make", "--no-print-directory", "uninstall"] + make_vars)
    check("install: make uninstall", r.returncode == 0, r.stdout + r.stderr)
    equal("install: make uninstall leaves no file", files_under(dest), set())


def check_deb(tmp):
    fields = run(["dpkg-deb", "--field", DEB, "Package", "Version", "Architecture", "Depends"])
    got = dict(line.split(": ", 1) for line in fields.stdout.strip().splitlines())
    equal("deb: package name", got.get("Package"), "libsqlite3-mod-roomcode")
    equal("version: the .deb is VERSION", got.get("Version"), VERSION)
    equal("deb: architecture", got.get("Architecture"), ARCH)
    depends = [d.split(" ")[0] for d in got.get("Depends", "").split(", ")]
    equal("deb: Depends from shlibs (libc6, libsodium23)", sorted(depends), ["libc6", "libsodium23"])
    listing = run(["dpkg-deb", "--contents", DEB]).stdout
    contents = {line.split()[-1] for line in listing.splitlines() if not line.startswith("d")}
    equal("deb: contents", contents, {"./usr/lib/sqlite3/roomcode.so",
                                      "./usr/share/doc/libsqlite3-mod-roomcode/changelog.gz",
                                      "./usr/share/doc/libsqlite3-mod-roomcode/copyright"})
    root = os.path.join(tmp, "deb-root")
    r = run(["dpkg-deb", "--extract", DEB, root])
    check("deb: extracts", r.returncode == 0, r.stderr)
    equal("deb: the extracted module loads and works",
          sqlite_use(os.path.join(root, "usr/lib/sqlite3/roomcode")), ["2", f"{VERSION}|2"])
    copyright_text = open(os.path.join(root, "usr/share/doc/libsqlite3-mod-roomcode/copyright")).read()
    check("deb: copyright is MIT (Expat), the roomcode authors",
          "License: Expat" in copyright_text and "the roomcode authors" in copyright_text)
    if not check("deb: lintian is installed", shutil.which("lintian") is not None,
                 "apt-get install lintian"):
        return
    r = run(["lintian", "--pedantic", "-I", DEB], timeout=180)
    tags = [line for line in r.stdout.splitlines() if re.match(r"^[EWIPX]: ", line)]
    for line in tags:
        print(f"  lintian: {line}")
    serious = [line for line in tags if line.startswith(("E: ", "W: "))]
    check("deb: lintian reports no error or warning", not serious and r.returncode == 0,
          "; ".join(serious) or r.stderr)


def check_node_deb(tmp):
    """The second package: roomcode-node, its systemd unit and /etc/default file."""
    fields = run(["dpkg-deb", "--field", NODE_DEB, "Package", "Version", "Depends"])
    got = dict(line.split(": ", 1) for line in fields.stdout.strip().splitlines())
    equal("node deb: package name and version", (got.get("Package"), got.get("Version")),
          ("roomcode-node", VERSION))
    depends = sorted(d.split(" ")[0] for d in got.get("Depends", "").split(", "))
    equal("node deb: Depends from shlibs", depends,
          ["libc6", "libdqlite0", "libmicrohttpd12", "libsodium23", "libsqlite3-0"])
    listing = run(["dpkg-deb", "--contents", NODE_DEB]).stdout
    contents = {line.split()[-1] for line in listing.splitlines() if not line.startswith("d")}
    equal("node deb: contents", contents, {
        "./usr/bin/roomcode-node", "./lib/systemd/system/roomcode-node.service",
        "./etc/default/roomcode-node", "./usr/share/man/man1/roomcode-node.1.gz",
        "./usr/share/doc/roomcode-node/changelog.gz", "./usr/share/doc/roomcode-node/copyright"})
    root = os.path.join(tmp, "node-deb-root")
    run(["dpkg-deb", "--extract", NODE_DEB, root])
    unit = open(os.path.join(root, "lib/systemd/system/roomcode-node.service")).read()
    check("node deb: the unit reads its flags from /etc/default/roomcode-node",
          "EnvironmentFile=/etc/default/roomcode-node\n" in unit and
          "ExecStart=/usr/bin/roomcode-node $ROOMCODE_NODE_FLAGS\n" in unit, unit)
    if shutil.which("systemd-analyze"):
        r = run(["systemd-analyze", "verify", "--man=no",
                 os.path.join(root, "lib/systemd/system/roomcode-node.service")], timeout=60)
        serious = [l for l in (r.stdout + r.stderr).splitlines()
                   if "roomcode-node.service" in l and "/usr/bin/roomcode-node" not in l]
        check("node deb: systemd-analyze verify finds nothing wrong in the unit", not serious,
              r.stdout + r.stderr)
    # the shipped /etc/default file's flags, as the unit passes them (split on spaces), run
    # the packaged binary: a one-node cluster that gets ready, stopped by SIGTERM
    data = os.path.join(tmp, "varlib")
    script = (f". '{os.path.join(root, 'etc/default/roomcode-node')}'; "
              "ROOMCODE_NODE_FLAGS=$(echo \"$ROOMCODE_NODE_FLAGS\" | sed "
              f"-e 's|/var/lib/roomcode-node|{data}|' -e 's|127.0.0.1:9001|127.0.0.1:{free_port()}|'); "
              f"exec '{os.path.join(root, 'usr/bin/roomcode-node')}' $ROOMCODE_NODE_FLAGS")
    p = subprocess.Popen(["sh", "-c", script],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = p.stdout.readline()
    p.send_signal(signal.SIGTERM)
    rest = p.communicate(timeout=20)[0]
    check("node deb: the packaged node starts with the shipped flags and stops on SIGTERM",
          "node 1 ready on" in line and p.returncode == 0, line + rest)
    r = run(["lintian", "--pedantic", "-I", NODE_DEB], timeout=180)
    tags = [line for line in r.stdout.splitlines() if re.match(r"^[EWIPX]: ", line)]
    for line in tags:
        print(f"  lintian: {line}")
    serious = [line for line in tags if line.startswith(("E: ", "W: "))]
    check("node deb: lintian reports no error or warning", not serious and r.returncode == 0,
          "; ".join(serious) or r.stderr)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check_tarball(tmp):
    listing = run(["tar", "-tzf", TGZ]).stdout.split()
    check("npm: the tarball carries the linux-x64 module",
          "package/lib/linux-x64/roomcode.so" in listing, listing)
    check("npm: the tarball carries the licence and the README",
          {"package/LICENSE", "package/README.md"} <= set(listing), listing)
    meta = json.loads(run(["tar", "-xzOf", TGZ, "package/package.json"]).stdout or "{}")
    equal("npm: package name", meta.get("name"), "roomcode")
    equal("version: package.json is VERSION", meta.get("version"), VERSION)
    equal("npm: package.json limits it to linux, x64, glibc",
          (meta.get("os"), meta.get("cpu"), meta.get("libc"), meta.get("license")),
          (["linux"], ["x64"], ["glibc"], "MIT"))
    with tempfile.TemporaryDirectory() as tmp:
        run(["tar", "-xzf", TGZ, "-C", tmp])
        module = os.path.join(tmp, "package/lib/linux-x64/roomcode.so")
        header = run(["readelf", "-h", "-d", module]).stdout
        check("npm: the module is x86-64 ELF, linked against glibc",
              "X86-64" in header and "[libc.so.6]" in header, header[:400])


def check_wheel(tmp):
    if not check("python: the wheel is tagged for this platform", os.path.exists(WHEEL),
                 f"{WHEEL} missing; found {[f for f in os.listdir(BUILD) if f.endswith('.whl')]}"):
        return
    with zipfile.ZipFile(WHEEL) as z:
        names = set(z.namelist())
        meta = z.read(f"roomcode-{VERSION}.dist-info/METADATA").decode()
        wheel = z.read(f"roomcode-{VERSION}.dist-info/WHEEL").decode()
    check("python: the wheel carries the module and the package",
          {"roomcode/__init__.py", "roomcode/roomcode.so", "roomcode/LICENSE"} <= names, names)
    equal("version: the wheel's metadata is VERSION",
          re.search(r"^Version: (.*)$", meta, re.M).group(1), VERSION)
    check("python: the wheel is not pure", "Root-Is-Purelib: false" in wheel, wheel)


def check_docs(tmp):
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    env = dict(os.environ, HOME=home, PATH="/usr/bin:/bin:" + os.environ.get("PATH", ""))
    # a user's shell: no pkg-config path, and no make of ours around the page's make
    for name in ("PKG_CONFIG_PATH", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(name, None)
    env["npm_config_cache"] = os.path.join(os.environ.get("HOME", "/root"), ".npm")
    # where node-gyp finds Node's headers when it must compile (no download here)
    nodedir = subprocess.run(["npm", "config", "get", "nodedir"], capture_output=True,
                             text=True).stdout.strip()
    if nodedir and nodedir not in ("undefined", "null"):
        env["npm_config_nodedir"] = nodedir
    page = open(os.path.join(ROOT, "docs", "install.md"), encoding="utf-8").read()
    sections = doc_sections.parse(page)
    for section in sections:
        name = f"docs: {section.title}"
        if section.errors:
            check(name, False, "; ".join(section.errors))
            continue
        for why in section.not_run:
            print(f"  {name}: a block not run: {why}")
        out_dir = os.path.join(tmp, "doc-out")
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(out_dir)
        at = time.monotonic()
        r = run(["bash", "-c", doc_sections.script(section, out_dir)], env=env, timeout=300)
        print(f"  {name}: {time.monotonic() - at:.1f} s")
        if not check(f"{name}: its commands run", r.returncode == 0,
                     f"exit {r.returncode}\n{r.stderr[-3000:]}"):
            continue
        for index, want in sorted(section.outputs.items()):
            # what the block's last commands print: the end of its output
            got = open(os.path.join(out_dir, f"{index}.out")).read().splitlines()
            want_lines = want.splitlines()
            equal(f"{name}: output of block {index + 1}", got[-len(want_lines):], want_lines)
    equal("docs: make uninstall left nothing in ~/.local", files_under(os.path.join(home, ".local")),
          set())
    titles = [s.title for s in sections]
    equal("docs: the page's sections", titles, ["From source", "make install", "Static linking",
                                                 "The Debian package", "npm", "Python"])
    return home, env


def check_clients(home, env):
    """What the page's sections left in the temporary home: the npm project and the venv."""
    app = os.path.join(home, "my-app")
    if check("npm: the page's project exists", os.path.isdir(os.path.join(app, "node_modules"))):
        shutil.copy(os.path.join(HERE, "check_node.cjs"), app)
        record_json("npm", run(["node", "check_node.cjs"], cwd=app, env=env, timeout=60))
        # the page's node:sqlite example, with a Node that has node:sqlite
        node = run([NODE_SQLITE, "--version"]).stdout.strip()
        r = run([NODE_SQLITE, "node-sqlite.mjs"], cwd=app, env=env, timeout=60)
        equal(f"npm: load(db) of a node:sqlite DatabaseSync (Node {node})",
              (r.stdout.strip(), r.returncode), (VERSION, 0))
    python = os.path.join(home, "venv", "bin", "python")
    if check("python: the page's virtual environment exists", os.path.exists(python)):
        record_json("python", run([python, os.path.join(HERE, "check_python.py"), VERSION],
                                  cwd=home, env=env, timeout=60))


def record_json(what, r):
    try:
        results = json.loads(r.stdout)
    except ValueError:
        check(f"{what}: the client checks ran", False, r.stdout + r.stderr)
        return
    for name, ok, detail in results:
        check(f"{what}: {name}", ok, detail)


def main():
    os.chdir(ROOT)
    started = time.monotonic()
    r = run(["make", "--no-print-directory", "all", "static", "deb", "npm", "python", "node-sqlite"],
            timeout=600)
    if not check("make deb npm python static node-sqlite", r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]):
        print(f"packaging: {counts['passed']} passed, {counts['failed']} failed")
        return 1
    print(f"  built in {time.monotonic() - started:.1f} s")
    tmp = tempfile.mkdtemp(prefix="roomcode-packaging-")
    try:
        for phase in (check_versions, check_install, check_deb, check_node_deb, check_tarball,
                      check_wheel):
            at = time.monotonic()
            phase(tmp)
            print(f"  {phase.__name__}: {time.monotonic() - at:.1f} s")
        at = time.monotonic()
        home, env = check_docs(tmp)
        check_clients(home, env)
        print(f"  docs and clients: {time.monotonic() - at:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"packaging: {counts['passed']} passed, {counts['failed']} failed")
    return 0 if counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
