-- UPDATE changes only enabled and user_id (and so updated_at); DELETE removes codes.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
-- rows written straight into the store, with old timestamps so that changes show
INSERT INTO room_codes_store(code, room_id, role, created_at, updated_at) VALUES
  ('aaa-aaaa-aaa', 'r-1', 'host', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'),
  ('bbb-bbbb-bbb', 'r-1', 'guest', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z');
UPDATE room_codes SET enabled = 0 WHERE code = 'aaa-aaaa-aaa';
SELECT 'disabled', code, enabled, updated_at > '2020-01-01T00:00:00.000Z' FROM room_codes ORDER BY code;
UPDATE room_codes SET enabled = 1 WHERE code = 'aaa-aaaa-aaa';
SELECT 'enabled again', enabled FROM room_codes WHERE code = 'aaa-aaaa-aaa';
-- binding to a user and clearing it
UPDATE room_codes SET user_id = 'user-1' WHERE code = 'bbb-bbbb-bbb';
SELECT 'bound', quote(user_id) FROM room_codes WHERE code = 'bbb-bbbb-bbb';
UPDATE room_codes SET user_id = NULL WHERE code = 'bbb-bbbb-bbb';
SELECT 'unbound', quote(user_id) FROM room_codes WHERE code = 'bbb-bbbb-bbb';
-- setting a value to what it is changes nothing, not even updated_at
UPDATE room_codes_store SET updated_at = '2020-01-01T00:00:00.000Z';
UPDATE room_codes SET enabled = 1, room_id = 'r-1' WHERE code = 'bbb-bbbb-bbb';
SELECT 'no change', updated_at FROM room_codes WHERE code = 'bbb-bbbb-bbb';
-- refusals
UPDATE room_codes SET room_id = 'r-2' WHERE code = 'aaa-aaaa-aaa';
UPDATE room_codes SET role = 'guest' WHERE code = 'aaa-aaaa-aaa';
UPDATE room_codes SET code = 'ccc-cccc-ccc' WHERE code = 'aaa-aaaa-aaa';
UPDATE room_codes SET created_at = '2021-01-01T00:00:00.000Z' WHERE code = 'aaa-aaaa-aaa';
UPDATE room_codes SET updated_at = '2021-01-01T00:00:00.000Z' WHERE code = 'aaa-aaaa-aaa';
UPDATE room_codes SET enabled = 2 WHERE code = 'aaa-aaaa-aaa';
UPDATE room_codes SET enabled = NULL WHERE code = 'aaa-aaaa-aaa';
UPDATE room_codes SET user_id = '' WHERE code = 'aaa-aaaa-aaa';
UPDATE room_codes SET user_id = 12 WHERE code = 'aaa-aaaa-aaa';
-- a refused row of a multi-row UPDATE leaves every row as it was
UPDATE room_codes SET enabled = iif(code = 'bbb-bbbb-bbb', 5, 0);
SELECT 'after refusals', code, room_id, role, enabled, quote(user_id) FROM room_codes ORDER BY code;
-- update by room
UPDATE room_codes SET enabled = 0 WHERE room_id = 'r-1';
SELECT 'room disabled', sum(enabled), count(*) FROM room_codes;
-- delete
DELETE FROM room_codes WHERE code = 'aaa-aaaa-aaa';
SELECT 'deleted one', group_concat(code) FROM room_codes;
DELETE FROM room_codes WHERE room_id = 'r-1';
SELECT 'deleted room', count(*) FROM room_codes, room_codes_store;
