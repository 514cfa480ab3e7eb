#!/bin/sh
# cross-version-test: a database made and written by Debian's sqlite3 shell (3.40) opens,
# works and is written in the current shell with DEFENSIVE on, and the other way round, in
# rollback-journal and in WAL mode. In WAL mode each shell leaves its writes in the -wal
# file (no checkpoint on close), so the other version reads them from there. Each step
# ends with PRAGMA integrity_check. First, the shells are what the matrix claims: the
# current one is CURRENT_VERSION with DEFENSIVE on by default, and the wrapper turns
# DEFENSIVE on in the old one.
# With OLDER_SQLITE_SHIM (build/compat/older_sqlite.so, see older_sqlite.c) it also checks
# that the extension refuses a SQLite older than it supports.
# usage: tests/compat/cross_version.sh OLD_SHELL CURRENT_SHELL CURRENT_VERSION
cd "$(dirname "$0")/../.." || exit 1
old=$1 current=$2 version=$3
root=$(pwd)
defensive="$root/tests/compat/sqlite3_defensive.sh"
passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Errors in one form whatever the shell's wording, as in tests/sql/run.sh.
common_form() {
    sed -E -e 's/^Runtime error (near line [0-9]+: .*) \([0-9]+\)$/Error \1/' \
        -e 's/^(Runtime|Parse) error near line/Error near line/'
}

# NAME WANTED GOT
check() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL cross-version/$1"
        printf '%s\n' "$2" > "$work/want"
        printf '%s\n' "$3" > "$work/got"
        diff -u --label wanted --label got "$work/want" "$work/got"
    fi
}

# SHELL DB: runs the SQL on stdin with the extension loaded; prints what the shell printed,
# then whether a non-empty -wal file is left
run() {
    $1 -batch -cmd ".load $root/build/roomcode" "$2" 2>&1 | common_form
    [ -s "$2-wal" ] && echo "wal file left"
}

check "current shell is $version" "$version" "$(echo 'SELECT sqlite_version();' | "$current" -batch :memory:)"
check "current shell has DEFENSIVE on by default" "          defensive on" \
    "$(echo '.dbconfig defensive' | "$current" -batch :memory:)"
check "sqlite3_defensive.sh turns DEFENSIVE on in $old" "          defensive on" \
    "$(echo '.dbconfig defensive' | "$defensive" "$old" -batch :memory:)"

# NAME MAKER OPENER JOURNAL_MODE: MAKER runs as it ships, OPENER with DEFENSIVE on
scenario() {
    name=$1 maker=$2 opener=$3 mode=$4
    db=$work/$passed-$failed.db
    wal=""
    [ "$mode" = wal ] && wal="wal file left"

    got=$(run "$maker" "$db" <<EOF
.mode list
PRAGMA journal_mode = $mode;
.dbconfig no_ckpt_on_close on
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'host');
INSERT INTO room_codes(room_id, role)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
  SELECT 'r-full', 'guest' FROM n;
SELECT 'minted', roomcode_valid(roomcode_new('r-1', 'guest'));
SELECT 'made', count(*) FROM room_codes;
EOF
)
    check "$name: made" "$mode
   no_ckpt_on_close on
minted|1
made|102${wal:+
$wal}" "$got"

    got=$(run "$opener" "$db" <<'EOF'
.mode list
.dbconfig defensive
.dbconfig no_ckpt_on_close on
PRAGMA journal_mode;
SELECT 'opened', count(*) FROM room_codes;
SELECT 'lookup', room_id, role, enabled FROM room_codes WHERE code = 'aaa-aaaa-aaa';
SELECT 'minted', roomcode_valid(roomcode_new('r-1', 'viewer'));
UPDATE room_codes SET enabled = 0 WHERE code = 'aaa-aaaa-aaa';
SELECT 'disabled', enabled FROM room_codes_store WHERE code = 'aaa-aaaa-aaa';
SELECT 'token parts', length(t) - length(replace(t, '.', '')) + 1 FROM (SELECT roomcode_token(
  'https://acme.app.100ms.live/meeting/' || code, 'user-1', 'key-1', 'secret-1') AS t
  FROM room_codes WHERE room_id = 'r-1' AND role = 'guest');
INSERT INTO room_codes(room_id, role) VALUES ('r-full', 'host');
INSERT INTO room_codes_store(code, room_id, role) VALUES ('zzz-zzzz-zzz', 'r-full', 'host');
INSERT INTO room_codes_store(code, room_id, role) VALUES ('ZZZ-zzzz-zzz', 'r-2', 'host');
SELECT 'full', count(*) FROM room_codes WHERE room_id = 'r-full';
SELECT 'integrity', * FROM pragma_integrity_check;
EOF
)
    check "$name: opened" "          defensive on
   no_ckpt_on_close on
$mode
opened|102
lookup|r-1|host|1
minted|1
disabled|0
token parts|3
Error near line 13: roomcode: room 'r-full' already has 100 room codes (limit 100)
Error near line 14: roomcode: a room has at most 100 room codes (limit 100)
Error near line 15: CHECK constraint failed: code_format
full|100
integrity|ok${wal:+
$wal}" "$got"

    got=$(run "$maker" "$db" <<'EOF'
.mode list
PRAGMA journal_mode;
SELECT 'reopened', count(*), sum(enabled) FROM room_codes;
SELECT 'minted', roomcode_valid(roomcode_new('r-3', 'host'));
SELECT 'integrity', * FROM pragma_integrity_check;
EOF
)
    check "$name: reopened" "$mode
reopened|103|102
minted|1
integrity|ok" "$got"
}

# A SQLite older than the extension supports is refused at load time, with a message.
if [ -n "$OLDER_SQLITE_SHIM" ]; then
    got=$(LD_PRELOAD=$OLDER_SQLITE_SHIM "$old" -batch :memory: ".load $root/build/roomcode" 2>&1)
    check "older SQLite refused" \
        "Error: error during initialization: roomcode: needs SQLite 3.40.0 or later, this is 3.37.2" \
        "$got"
fi

old_version=$(echo 'SELECT sqlite_version();' | "$old" -batch :memory:)
for mode in delete wal; do
    scenario "$old_version to $version, $mode" "$old" "$current" "$mode"
    scenario "$version to $old_version, $mode" "$current" "$defensive $old" "$mode"
done
echo "cross-version: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
