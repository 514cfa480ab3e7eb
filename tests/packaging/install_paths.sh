#!/bin/sh
# make install and make uninstall with a space in PREFIX, DESTDIR and LIBDIR: install writes
# exactly the four files where the variables say, uninstall removes exactly them, and
# neither touches a file whose name is a piece of such a path (a split "/tmp/x/my dir"
# would remove /tmp/x/my) nor creates anything inside the checkout.
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0
check() { # check NAME COMMAND...: counts, and prints what failed
    name=$1; shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}
# no space in $tmp itself: the words of a split path stay inside it
tmp=$(mktemp -d "${TMPDIR:-/tmp}/roomcode-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/dest dir"
prefix="/opt/my prefix"
libdir="$prefix/lib dir"
# decoys: what the words of the split paths would name
mkdir -p "$tmp/dest" "$tmp/dir"
for f in "$tmp/dest/keep" "$tmp/my" "$tmp/dir/keep"; do echo keep > "$f"; done
before=$(ls -A)
files() { (cd "$tmp" && find . -type f | LC_ALL=C sort | tr '\n' ' '); }
decoys="./dest/keep ./dir/keep ./my "

out=$(make --no-print-directory -s install DESTDIR="$dest" PREFIX="$prefix" LIBDIR="$libdir" 2>&1)
check "install exits 0" test $? -eq 0 || echo "$out"
want="./dest dir/opt/my prefix/include/roomcode.h ./dest dir/opt/my prefix/lib dir/libroomcode.a\
 ./dest dir/opt/my prefix/lib dir/pkgconfig/roomcode.pc ./dest dir/opt/my prefix/lib dir/roomcode.so\
 $decoys"
got=$(files)
check "install writes exactly the four files beside the decoys" test "$got" = "$want" ||
    printf 'want: %s\ngot:  %s\n' "$want" "$got"
pc="$dest$libdir/pkgconfig/roomcode.pc"
check "roomcode.pc names the paths with their spaces" \
    grep -qx "libdir=$libdir" "$pc"
check "install creates nothing in the checkout" test "$(ls -A)" = "$before"

out=$(make --no-print-directory -s uninstall DESTDIR="$dest" PREFIX="$prefix" LIBDIR="$libdir" 2>&1)
check "uninstall exits 0" test $? -eq 0 || echo "$out"
got=$(files)
check "uninstall removes exactly the four files" test "$got" = "$decoys" ||
    printf 'want: %s\ngot:  %s\n' "$decoys" "$got"
check "uninstall creates nothing in the checkout" test "$(ls -A)" = "$before"
echo "install-paths: $passed passed, $failed failed"
test "$failed" -eq 0
