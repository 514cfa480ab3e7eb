-- roomcode_new(room_id, role [, user_id]) stores one enabled code and returns it.
.mode list
SELECT roomcode_new('r-1', 'host');
CREATE VIRTUAL TABLE room_codes USING roomcode;
CREATE TEMP TABLE made(code);
INSERT INTO made SELECT roomcode_new('r-1', 'host');
INSERT INTO made SELECT roomcode_new('r-1', 'guest');
INSERT INTO made SELECT roomcode_new('r-1', 'guest');
INSERT INTO made SELECT roomcode_new('r-1', 'guest', 'user-9');
SELECT 'returned', count(*), sum(roomcode_valid(code)), count(DISTINCT code) FROM made;
SELECT 'stored', c.room_id, c.role, c.enabled, quote(c.user_id) FROM made AS m JOIN room_codes AS c ON c.code = m.code ORDER BY c.role, c.user_id;
-- refusals, with the same messages as INSERT
SELECT roomcode_new(NULL, 'host');
SELECT roomcode_new('r-1', 5);
SELECT roomcode_new('r-1', 'host', '');
SELECT roomcode_new('', 'host');
SELECT 'unchanged', count(*) FROM room_codes;
-- a writing function: no schema object may call it
CREATE VIEW v AS SELECT roomcode_new('r-1', 'host');
SELECT * FROM v;
CREATE TABLE t(x);
CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT roomcode_new('r-1', 'host'); END;
INSERT INTO t VALUES (1);
SELECT 'after view and trigger', count(*) FROM room_codes;
-- a room_codes that is not a roomcode table
DROP TABLE room_codes;
CREATE TABLE room_codes(code, room_id, role);
SELECT roomcode_new('r-1', 'host');
