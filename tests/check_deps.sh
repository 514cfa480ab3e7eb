#!/bin/sh
# Makes sure the Debian packages that building and testing need are here. As root it
# installs what is missing; otherwise it prints the apt-get line to run and stops.
PACKAGES="build-essential pkg-config libsqlite3-dev sqlite3 libsodium-dev python3 python3-jwt
          clang libclang-rt-dev clang-format valgrind"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Node may come from Debian or elsewhere: ask for the commands, not the packages. npm also
# fetches the current SQLite that tests/compat builds with cc (build-essential).
command -v node > /dev/null 2>&1 || missing="$missing nodejs"
command -v npm > /dev/null 2>&1 || missing="$missing npm"
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
