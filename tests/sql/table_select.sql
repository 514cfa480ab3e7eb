-- SELECT: lookups by code and by room (and role) use the store's indexes, never a scan.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(code, room_id, role) VALUES
  ('aaa-aaaa-aaa', 'r-1', 'host'), ('bbb-bbbb-bbb', 'r-1', 'guest'), ('ccc-cccc-ccc', 'r-1', 'guest'),
  ('ddd-dddd-ddd', 'r-2', 'host'), ('eee-eeee-eee', 'r-2', 'guest');
UPDATE room_codes SET enabled = 0 WHERE code = 'ccc-cccc-ccc';
SELECT 'by code', room_id, role, enabled FROM room_codes WHERE code = 'bbb-bbbb-bbb';
SELECT 'by code, none', count(*) FROM room_codes WHERE code = 'zzz-zzzz-zzz';
SELECT 'by room', code, role FROM room_codes WHERE room_id = 'r-1' ORDER BY code;
SELECT 'by room and role', code FROM room_codes WHERE room_id = 'r-1' AND role = 'guest' ORDER BY code;
SELECT 'enabled only', code FROM room_codes WHERE room_id = 'r-1' AND role = 'guest' AND enabled = 1;
SELECT 'in list', code FROM room_codes WHERE code IN ('aaa-aaaa-aaa', 'eee-eeee-eee', 'nope') ORDER BY code;
SELECT 'limit offset', code FROM room_codes ORDER BY code LIMIT 2 OFFSET 1;
SELECT 'all', count(*) FROM room_codes;
-- the store is readable as a plain table, with the same column names
SELECT 'store', code, room_id FROM room_codes_store WHERE room_id = 'r-2' ORDER BY code;
-- a join, as an app's join endpoint does it
CREATE TABLE rooms(id TEXT PRIMARY KEY, name TEXT);
INSERT INTO rooms VALUES ('r-1', 'Standup'), ('r-2', 'Town hall');
SELECT 'join', r.name, c.role FROM room_codes AS c JOIN rooms AS r ON r.id = c.room_id WHERE c.code = 'eee-eeee-eee';
.print -- plans
EXPLAIN QUERY PLAN SELECT * FROM room_codes WHERE code = ?;
EXPLAIN QUERY PLAN SELECT * FROM room_codes WHERE room_id = ?;
EXPLAIN QUERY PLAN SELECT * FROM room_codes WHERE room_id = ? AND role = ?;
EXPLAIN QUERY PLAN SELECT * FROM room_codes WHERE role = ?;
EXPLAIN QUERY PLAN SELECT * FROM room_codes AS c JOIN rooms AS r ON r.id = c.room_id WHERE c.code = ?;
