#!/bin/sh
# Fetches the SQLite amalgamation the npm package PACKAGE ships in its TARBALL (the npm
# registry is the one place CI may download from), checks the package against INTEGRITY
# (npm's dist.integrity, "sha512-<base64>"), and puts sqlite3.c, sqlite3.h, sqlite3ext.h
# and shell.c into DIR.
# usage: tests/compat/fetch_sqlite.sh PACKAGE INTEGRITY TARBALL DIR
set -eu
package=$1 integrity=$2 tarball=$3 dir=$4
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --loglevel=error --ignore-scripts --no-audit --no-fund "$package" > pack.out) ||
    { echo "fetch_sqlite: npm pack $package failed"; exit 1; }
file=$work/$(tail -n 1 "$work/pack.out")
wanted=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
got=$(sha512sum "$file" | cut -d ' ' -f 1)
if [ "$got" != "$wanted" ]; then
    echo "fetch_sqlite: $package is not the package recorded in tests/compat/rules.mk:"
    echo "  wanted sha512 $wanted"
    echo "  got    sha512 $got"
    exit 1
fi
tar -xzf "$file" -C "$work" "package/$tarball"
name=$(basename "$tarball" .tar.gz)
tar -xzf "$work/package/$tarball" -C "$work" -m --no-same-owner \
    "$name/sqlite3.c" "$name/sqlite3.h" "$name/sqlite3ext.h" "$name/shell.c"
# sqlite3.c last: make takes it as the sign that all four are here
mv "$work/$name/sqlite3.h" "$work/$name/sqlite3ext.h" "$work/$name/shell.c" "$dir/"
mv "$work/$name/sqlite3.c" "$dir/"
echo "fetch_sqlite: $package checked (sha512), $name extracted into $dir"
