-- roomcode_rotate(code): disables the code and returns a fresh enabled code of the same
-- room, role and user, both or neither; a disabled, unknown or malformed code is refused
-- and the database stays as it was.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'r-1', 'host');
INSERT INTO room_codes(code, room_id, role, user_id) VALUES ('abc-defg-hik', 'r-1', 'guest', 'u-7');
SELECT 'rotated', roomcode_valid(roomcode_rotate('abc-defg-hij'));
SELECT 'old', enabled, updated_at >= created_at FROM room_codes WHERE code = 'abc-defg-hij';
SELECT 'new', room_id, role, enabled, user_id IS NULL, code <> 'abc-defg-hij'
  FROM room_codes WHERE room_id = 'r-1' AND role = 'host' AND enabled = 1;
-- a bound code's successor is bound to the same user; any form roomcode_normalize reads
SELECT 'bound', roomcode_valid(roomcode_rotate('https://acme.app.100ms.live/meeting/ABC-DEFG-HIK'));
SELECT 'bound', role, enabled, user_id FROM room_codes WHERE room_id = 'r-1' AND role = 'guest' ORDER BY enabled;
-- refusals change nothing
CREATE TEMP TABLE before AS SELECT * FROM room_codes_store;
SELECT roomcode_rotate('abc-defg-hij');
SELECT roomcode_rotate('zzz-zzzz-zzz');
SELECT roomcode_rotate('abc-defg-hi');
SELECT roomcode_rotate(NULL);
SELECT roomcode_rotate(42);
SELECT 'unchanged', count(*) FROM (SELECT * FROM before EXCEPT SELECT * FROM room_codes_store
                                   UNION ALL SELECT * FROM room_codes_store EXCEPT SELECT * FROM before);
-- a full room: the disabled code still counts toward the cap, so its successor would be the
-- 101st; the call is refused and the code stays enabled (delete disabled codes to make room)
INSERT INTO room_codes(room_id, role) SELECT 'full', 'guest' FROM generate_series(1, 99);
INSERT INTO room_codes(code, room_id, role) VALUES ('fff-ffff-fff', 'full', 'host');
SELECT roomcode_rotate('fff-ffff-fff');
SELECT 'full', count(*), sum(enabled), (SELECT enabled FROM room_codes WHERE code = 'fff-ffff-fff') FROM room_codes WHERE room_id = 'full';
DELETE FROM room_codes WHERE code = (SELECT code FROM room_codes WHERE room_id = 'full' AND role = 'guest' LIMIT 1);
SELECT 'freed', roomcode_valid(roomcode_rotate('fff-ffff-fff'));
SELECT 'freed', count(*), sum(enabled) FROM room_codes WHERE room_id = 'full';
-- a write refused part way (an app's trigger on the store refuses the disabling UPDATE):
-- the new code is gone again, in autocommit, inside BEGIN, and inside a statement that
-- writes (where SQLite refuses a savepoint)
INSERT INTO room_codes(code, room_id, role) VALUES ('lll-llll-lll', 'locked', 'host');
CREATE TRIGGER no_disable BEFORE UPDATE OF enabled ON room_codes_store WHEN OLD.room_id = 'locked'
BEGIN SELECT RAISE(ABORT, 'app: locked room'); END;
SELECT roomcode_rotate('lll-llll-lll');
SELECT 'autocommit', count(*), sum(enabled) FROM room_codes WHERE room_id = 'locked';
BEGIN;
SELECT roomcode_rotate('lll-llll-lll');
SELECT 'in transaction', count(*), sum(enabled) FROM room_codes WHERE room_id = 'locked';
COMMIT;
CREATE TABLE wanted(code TEXT);
INSERT INTO wanted VALUES ('lll-llll-lll');
UPDATE wanted SET code = roomcode_rotate(code);
SELECT 'writing statement', count(*), sum(enabled) FROM room_codes WHERE room_id = 'locked';
SELECT 'wanted', code FROM wanted;
DROP TRIGGER no_disable;
-- inside a writing statement it works as well
UPDATE wanted SET code = roomcode_rotate(code);
SELECT 'writing statement', count(*), sum(enabled), (SELECT enabled FROM room_codes WHERE code = (SELECT code FROM wanted)) FROM room_codes WHERE room_id = 'locked';
-- inside BEGIN, a ROLLBACK takes the rotation back
BEGIN;
SELECT 'in transaction', roomcode_valid(roomcode_rotate((SELECT code FROM wanted)));
ROLLBACK;
SELECT 'rolled back', count(*), sum(enabled) FROM room_codes WHERE room_id = 'locked';
-- one statement over several codes sees the codes as they were when it started: each
-- enabled code is rotated once, never its successor
INSERT INTO room_codes(room_id, role) SELECT 'many', 'guest' FROM generate_series(1, 5);
SELECT 'many', count(roomcode_rotate(code)) FROM room_codes WHERE room_id = 'many' AND enabled = 1;
SELECT 'many', count(*), sum(enabled) FROM room_codes WHERE room_id = 'many';
-- it writes, so no schema object may call it
CREATE TABLE rooms(id TEXT);
CREATE TRIGGER rooms_rotate AFTER INSERT ON rooms BEGIN SELECT roomcode_rotate(NEW.id); END;
INSERT INTO rooms VALUES ('abc-defg-hij');
SELECT 'integrity', * FROM pragma_integrity_check;
