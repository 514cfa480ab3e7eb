-- The rules hold in the store itself, for a writer that bypasses the virtual table
-- (here: plain SQL on the store, DEFENSIVE off; see schema.sql for DEFENSIVE on).
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'host');
SELECT 'direct row', code, room_id, role, enabled, quote(user_id), created_at = updated_at FROM room_codes;
-- format
INSERT INTO room_codes_store(code, room_id, role) VALUES ('AAA-AAAA-AAB', 'r-1', 'host');
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaaaaaaaab', 'r-1', 'host');
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-a1b', 'r-1', 'host');
INSERT INTO room_codes_store(code, room_id, role) VALUES (NULL, 'r-1', 'host');
-- uniqueness across rooms
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'guest');
-- names
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aab', '', 'host');
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aab', 'r' || char(0) || '1', 'host');
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aab', 'r-1', 'ho' || char(127) || 'st');
INSERT INTO room_codes_store(code, room_id, role, user_id) VALUES ('aaa-aaaa-aab', 'r-1', 'host', printf('%.257c', 'u'));
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aab', x'7231', 'host');
-- state
INSERT INTO room_codes_store(code, room_id, role, enabled) VALUES ('aaa-aaaa-aab', 'r-1', 'host', 2);
INSERT INTO room_codes_store(code, room_id, role, enabled) VALUES ('aaa-aaaa-aab', 'r-1', 'host', 0.5);
UPDATE room_codes_store SET enabled = NULL;
-- timestamps
INSERT INTO room_codes_store(code, room_id, role, created_at) VALUES ('aaa-aaaa-aab', 'r-1', 'host', '2026-11-27 23:04:47');
-- identity is fixed
UPDATE room_codes_store SET code = 'bbb-bbbb-bbb';
UPDATE room_codes_store SET room_id = 'r-2';
UPDATE room_codes_store SET role = 'guest';
UPDATE room_codes_store SET created_at = '2020-01-01T00:00:00.000Z';
-- enabled and user_id may change, and updated_at follows
UPDATE room_codes_store SET updated_at = '2020-01-01T00:00:00.000Z';
UPDATE room_codes_store SET enabled = 0, user_id = 'u-1';
SELECT 'changed', enabled, user_id, updated_at > '2020-01-01T00:00:00.000Z' FROM room_codes_store;
-- the cap: 100 per room through direct writes as well
INSERT INTO room_codes_store(code, room_id, role)
  SELECT printf('bbb-bbbb-%c%c%c', char(97 + value / 676), char(97 + value / 26 % 26), char(97 + value % 26)), 'r-1', 'guest'
  FROM generate_series(0, 99);
INSERT INTO room_codes_store(code, room_id, role)
  SELECT printf('bbb-bbbb-%c%c%c', char(97 + value / 676), char(97 + value / 26 % 26), char(97 + value % 26)), 'r-1', 'guest'
  FROM generate_series(0, 98);
SELECT 'rows', count(*) FROM room_codes_store;
