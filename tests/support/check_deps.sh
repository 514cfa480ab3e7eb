#!/bin/sh
# Makes sure the Debian packages a job needs are here. As root it installs what is
# missing; otherwise it prints the apt-get line to run and stops.
# usage: tests/support/check_deps.sh demo|test     check (and as root install)
#        tests/support/check_deps.sh --list demo|test   print the package names (.ci/run)
# demo: what `make` and `make demo` need. test: everything `make test` drives as well.
list=0
[ "$1" = --list ] && { list=1; shift; }
DEMO="build-essential pkg-config libsqlite3-dev sqlite3 libsodium-dev"
TEST="$DEMO python3 python3-jwt clang libclang-rt-dev clang-format valgrind"
case $1 in
demo) PACKAGES=$DEMO ;;
test) PACKAGES=$TEST ;;
*) echo "usage: $0 [--list] demo|test"; exit 2 ;;
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
