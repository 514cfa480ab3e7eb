-- At most 100 codes per room, enabled and disabled together; a refused statement
-- leaves none of its rows, in autocommit and inside a transaction.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(room_id, role) SELECT 'r-42', 'guest' FROM generate_series(1, 99);
UPDATE room_codes SET enabled = 0 WHERE room_id = 'r-42';
INSERT INTO room_codes(room_id, role) VALUES ('r-42', 'host');
SELECT 'full room', count(*), sum(enabled) FROM room_codes WHERE room_id = 'r-42';
INSERT INTO room_codes(room_id, role) VALUES ('r-42', 'host');
SELECT roomcode_new('r-42', 'host');
INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-42', 'host');
SELECT 'still', count(*) FROM room_codes WHERE room_id = 'r-42';
-- other rooms are not affected
INSERT INTO room_codes(room_id, role) VALUES ('r-43', 'host');
SELECT 'other room', count(*) FROM room_codes WHERE room_id = 'r-43';
-- deleting frees a slot
DELETE FROM room_codes WHERE code = (SELECT code FROM room_codes WHERE room_id = 'r-42' LIMIT 1);
SELECT 'freed', roomcode_valid(roomcode_new('r-42', 'host'));
SELECT 'full again', count(*) FROM room_codes WHERE room_id = 'r-42';
-- the 101st row of one statement refuses the whole statement, in autocommit ...
INSERT INTO room_codes(room_id, role) SELECT 'r-44', 'guest' FROM generate_series(1, 101);
SELECT 'autocommit', count(*) FROM room_codes WHERE room_id = 'r-44';
-- ... and inside a transaction, where the rows before it stay
BEGIN;
INSERT INTO room_codes(room_id, role) VALUES ('r-44', 'host');
INSERT INTO room_codes(room_id, role) SELECT 'r-44', 'guest' FROM generate_series(1, 100);
SELECT 'in transaction', count(*) FROM room_codes WHERE room_id = 'r-44';
COMMIT;
SELECT 'committed', count(*) FROM room_codes WHERE room_id = 'r-44';
-- exactly 100 in one statement is fine
INSERT INTO room_codes(room_id, role) SELECT 'r-45', 'guest' FROM generate_series(1, 100);
SELECT 'hundred', count(*), count(DISTINCT code) FROM room_codes WHERE room_id = 'r-45';
-- the store's trigger refuses direct writers too
INSERT INTO room_codes_store(code, room_id, role) VALUES ('zzz-zzzz-zzz', 'r-45', 'guest');
SELECT 'integrity', * FROM pragma_integrity_check;
