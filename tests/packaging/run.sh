#!/bin/sh
# The packaging suite (tests/packaging/run.py, with Debian's Python, which loads SQLite
# extensions). First the Debian packages it needs beyond tests/check_deps.sh's: as root it
# installs what is missing, otherwise it names them and the suite fails.
PACKAGES="dpkg-dev debhelper fakeroot lintian python3-pip python3-setuptools python3-wheel
          python3-venv"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "packaging: installing:$missing"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
            > /dev/null || { echo "packaging: 0 passed, 1 failed"; exit 1; }
    else
        echo "packaging: missing Debian packages:$missing"
        echo "run: sudo apt-get install -y$missing"
        echo "packaging: 0 passed, 1 failed"
        exit 1
    fi
fi
exec /usr/bin/python3 "$(dirname "$0")/run.py"
