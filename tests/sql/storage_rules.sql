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
-- timestamps: real instants in UTC with milliseconds, updated_at not before created_at
INSERT INTO room_codes_store(code, room_id, role, created_at) VALUES ('aaa-aaaa-aab', 'r-1', 'host', '2026-11-27 23:04:47');
INSERT INTO room_codes_store(code, room_id, role, created_at) VALUES ('aaa-aaaa-aab', 'r-1', 'host', '2026-99-27T23:04:47.123Z');
INSERT INTO room_codes_store(code, room_id, role, created_at) VALUES ('aaa-aaaa-aab', 'r-1', 'host', '2026-11-27T25:04:47.123Z');
INSERT INTO room_codes_store(code, room_id, role, created_at) VALUES ('aaa-aaaa-aab', 'r-1', 'host', '2026-02-29T00:00:00.000Z');
INSERT INTO room_codes_store(code, room_id, role, updated_at) VALUES ('aaa-aaaa-aab', 'r-1', 'host', '2026-11-31T00:00:00.000Z');
INSERT INTO room_codes_store(code, room_id, role, created_at) VALUES ('aaa-aaaa-aab', 'r-1', 'host', 'yesterday');
INSERT INTO room_codes_store(code, room_id, role, created_at, updated_at) VALUES ('aaa-aaaa-aab', 'r-1', 'host', '2024-02-29T12:00:00.001Z', '2024-02-29T12:00:00.000Z');
INSERT INTO room_codes_store(code, room_id, role, created_at, updated_at) VALUES ('ppp-pppp-ppp', 'r-past', 'host', '2024-02-29T12:00:00.000Z', '2024-02-29T12:00:00.000Z');
UPDATE room_codes_store SET updated_at = '2024-02-29T11:59:59.999Z' WHERE code = 'ppp-pppp-ppp';
SELECT 'import with history', code, created_at, updated_at FROM room_codes_store WHERE code = 'ppp-pppp-ppp';
-- identity is fixed
UPDATE room_codes_store SET code = 'bbb-bbbb-bbb';
UPDATE room_codes_store SET room_id = 'r-2';
UPDATE room_codes_store SET role = 'guest';
UPDATE room_codes_store SET created_at = '2020-01-01T00:00:00.000Z';
-- ... whatever the conflict clause: a stored code is never replaced nor stored again
CREATE TEMP TABLE before AS SELECT * FROM room_codes_store;
INSERT OR REPLACE INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'guest');
REPLACE INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'host');
INSERT OR IGNORE INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'guest');
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'guest') ON CONFLICT(code) DO UPDATE SET room_id = excluded.room_id;
INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'guest') ON CONFLICT DO NOTHING;
UPDATE OR REPLACE room_codes_store SET code = 'ppp-pppp-ppp' WHERE code = 'aaa-aaaa-aaa';
UPDATE OR REPLACE room_codes_store SET created_at = NULL WHERE code = 'aaa-aaaa-aaa';
UPDATE OR IGNORE room_codes_store SET role = 'guest' WHERE code = 'aaa-aaaa-aaa';
SELECT 'unchanged', count(*), NOT EXISTS (SELECT * FROM room_codes_store EXCEPT SELECT * FROM before) FROM room_codes_store;
-- enabled and user_id may change, and updated_at follows, never going back
UPDATE room_codes_store SET enabled = 0, user_id = 'u-1' WHERE code = 'ppp-pppp-ppp';
SELECT 'changed', enabled, user_id, updated_at > '2024-02-29T12:00:00.000Z' FROM room_codes_store WHERE code = 'ppp-pppp-ppp';
UPDATE room_codes_store SET updated_at = '9999-12-31T23:59:59.999Z' WHERE code = 'ppp-pppp-ppp';
UPDATE room_codes_store SET enabled = 1 WHERE code = 'ppp-pppp-ppp';
SELECT 'never back', enabled, updated_at FROM room_codes_store WHERE code = 'ppp-pppp-ppp';
DELETE FROM room_codes_store WHERE code = 'ppp-pppp-ppp';
-- the cap: 100 per room through direct writes as well
INSERT INTO room_codes_store(code, room_id, role)
  SELECT printf('bbb-bbbb-%c%c%c', char(97 + value / 676), char(97 + value / 26 % 26), char(97 + value % 26)), 'r-1', 'guest'
  FROM generate_series(0, 99);
INSERT INTO room_codes_store(code, room_id, role)
  SELECT printf('bbb-bbbb-%c%c%c', char(97 + value / 676), char(97 + value / 26 % 26), char(97 + value % 26)), 'r-1', 'guest'
  FROM generate_series(0, 98);
-- a code that exists, in a full room: the more precise of the two messages
INSERT INTO room_codes_store(code, room_id, role) VALUES ('bbb-bbbb-aaa', 'r-1', 'guest');
SELECT 'rows', count(*) FROM room_codes_store;
