-- WHERE user_id = ? (also with room_id = ?) is an index lookup: the virtual table plans it
-- on the store's partial index of bound codes, and the store's own query uses that index.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(room_id, role) SELECT 'r-' || (value % 7), 'guest' FROM generate_series(1, 300);
INSERT INTO room_codes(room_id, role, user_id) VALUES
  ('r-1', 'host', 'user-7'), ('r-2', 'host', 'user-7'), ('r-2', 'guest', 'user-7'),
  ('r-1', 'host', 'user-8'), ('r-3', 'host', '5');
SELECT 'index', name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL;
-- the virtual table's plans (idxStr, as EXPLAIN QUERY PLAN shows it)
EXPLAIN QUERY PLAN SELECT code FROM room_codes WHERE user_id = 'user-7';
EXPLAIN QUERY PLAN SELECT code FROM room_codes WHERE user_id = 'user-7' AND room_id = 'r-2';
EXPLAIN QUERY PLAN SELECT code FROM room_codes WHERE room_id = 'r-2' AND role = 'host' AND user_id = ?;
EXPLAIN QUERY PLAN SELECT code FROM room_codes WHERE user_id IN ('user-7', 'user-8');
EXPLAIN QUERY PLAN SELECT code FROM room_codes WHERE code = 'aaa-aaaa-aaa' AND user_id = 'user-7';
-- the store statements those plans run
EXPLAIN QUERY PLAN SELECT code FROM room_codes_store WHERE user_id = ?1;
EXPLAIN QUERY PLAN SELECT code, room_id, role, enabled, user_id, created_at, updated_at FROM room_codes_store WHERE user_id = ?1 AND room_id = ?2;
-- results
SELECT 'user-7', room_id, role FROM room_codes WHERE user_id = 'user-7' ORDER BY room_id, role;
SELECT 'user-7 in r-2', role FROM room_codes WHERE user_id = 'user-7' AND room_id = 'r-2' ORDER BY role;
SELECT 'with role', count(*) FROM room_codes WHERE user_id = 'user-7' AND room_id = 'r-2' AND role = 'host';
SELECT 'in list', count(*) FROM room_codes WHERE user_id IN ('user-7', 'user-8', 'nobody');
SELECT 'in both', count(*) FROM room_codes WHERE user_id IN ('user-7', 'user-8') AND room_id IN ('r-1', 'r-9');
SELECT 'none', count(*) FROM room_codes WHERE user_id = 'nobody';
SELECT 'null', count(*) FROM room_codes WHERE user_id = NULL;
-- a key that is not text compares under the column's affinity, as for any table
SELECT 'integer key', count(*) FROM room_codes WHERE user_id = 5;
SELECT 'nocase', count(*) FROM room_codes WHERE user_id = 'USER-7' COLLATE NOCASE;
SELECT 'unbound', count(*) FROM room_codes WHERE user_id IS NULL;
-- binding and unbinding moves codes in and out of the index
UPDATE room_codes SET user_id = 'user-9' WHERE room_id = 'r-4';
UPDATE room_codes SET user_id = NULL WHERE user_id = 'user-8';
SELECT 'rebound', (SELECT count(*) FROM room_codes WHERE user_id = 'user-9') = (SELECT count(*) FROM room_codes WHERE room_id = 'r-4'),
       (SELECT count(*) FROM room_codes WHERE user_id = 'user-8');
-- the index follows a rename (under its old name until the table next connects) and goes with DROP
ALTER TABLE room_codes RENAME TO codes;
SELECT 'renamed', count(*) FROM codes WHERE user_id = 'user-7';
SELECT 'renamed index', name, tbl_name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL;
EXPLAIN QUERY PLAN SELECT code FROM codes_store WHERE user_id = ?1;
DROP TABLE codes;
SELECT 'dropped', count(*) FROM sqlite_schema;
SELECT 'integrity', * FROM pragma_integrity_check;
