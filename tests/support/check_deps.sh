#!/bin/sh
# Makes sure the Debian packages a job needs are here: the one list of them (.ci/run
# installs `--list test`). As root it installs what is missing; otherwise it prints the
# apt-get line to run and stops.
# usage: tests/support/check_deps.sh [--list] PROFILE
# PROFILE: demo (what `make` and `make demo` need), test (everything `make test` drives),
# or one suite's own: clients, packaging, cluster, orm, browser.
list=0
[ "$1" = --list ] && { list=1; shift; }
DEMO="build-essential pkg-config libsqlite3-dev sqlite3 libsodium-dev"
CORE="python3 python3-jwt clang libclang-rt-dev clang-format valgrind"
# the clients docs/loading.md is run in (tests/clients), those that come from Debian
CLIENTS="php-cli php-sqlite3 python3-apsw sqlite-utils ruby ruby-sqlite3 libdbd-sqlite3-perl
         tcl libsqlite3-tcl"
# make deb and lintian (and the build dependencies of roomcode-node's package); Debian's
# pip, setuptools, wheel and venv build and install the Python package offline
# (tests/packaging)
PACKAGING="dpkg-dev debhelper fakeroot lintian python3-pip python3-setuptools python3-wheel
           python3-venv libdqlite-dev libmicrohttpd-dev"
# dqlite and libmicrohttpd, to build build/roomcode-node (its --http join endpoint), and
# go-dqlite's `dqlite` shell and curl as the clients
CLUSTER="libdqlite-dev go-dqlite libmicrohttpd-dev curl"
# the ORM recipes of docs/orm.md (tests/orm)
ORM="python3-sqlalchemy python3-django"
# the join page in a real browser (tests/browser): Debian's Chromium, driven by
# playwright-core from npm, which must never download a browser of its own
BROWSER="chromium"
case $1 in
demo) PACKAGES=$DEMO ;;
test) PACKAGES="$DEMO $CORE $CLIENTS $PACKAGING $CLUSTER $ORM $BROWSER" ;;
clients) PACKAGES=$CLIENTS ;;
packaging) PACKAGES=$PACKAGING ;;
cluster) PACKAGES=$CLUSTER ;;
orm) PACKAGES=$ORM ;;
browser) PACKAGES=$BROWSER ;;
*) echo "usage: $0 [--list] demo|test|clients|packaging|cluster|orm|browser"; exit 2 ;;
esac
if [ "$list" = 1 ]; then
    echo $PACKAGES
    exit 0
fi
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Node may come from Debian or elsewhere: ask for the commands, not the packages. npm also
# fetches the current SQLite that tests/compat builds with cc (build-essential).
if [ "$1" = test ]; then
    command -v node > /dev/null 2>&1 || missing="$missing nodejs"
    command -v npm > /dev/null 2>&1 || missing="$missing npm"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing > /dev/null || exit 1
else
    echo "missing Debian packages:$missing"
    echo "run: sudo apt-get install -y$missing"
    exit 1
fi
