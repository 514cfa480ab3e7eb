-- INSERT into room_codes: minting, importing, and every refusal with its message.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(room_id, role) VALUES ('r-1', 'host');
SELECT 'minted', roomcode_valid(code), room_id, role, enabled, quote(user_id),
       created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z',
       created_at = updated_at
  FROM room_codes;
-- import: any form roomcode_normalize accepts, stored canonical
INSERT INTO room_codes(code, room_id, role) VALUES ('XVM WXWO GBL', 'r-1', 'guest');
INSERT INTO room_codes(code, room_id, role) VALUES ('https://acme.app.100ms.live/meeting/abc-defg-hij', 'r-2', 'guest');
INSERT INTO room_codes(code, room_id, role, enabled, user_id) VALUES ('kkk-kkkk-kkk', 'r-2', 'host', 0, 'user-7');
SELECT 'imported', code, room_id, role, enabled, quote(user_id) FROM room_codes WHERE code <> (SELECT code FROM room_codes WHERE role = 'host' AND room_id = 'r-1') ORDER BY code;
-- several rows at once
INSERT INTO room_codes(room_id, role) VALUES ('r-3', 'a'), ('r-3', 'b'), ('r-3', 'b');
SELECT 'multi', role, count(*) FROM room_codes WHERE room_id = 'r-3' GROUP BY role;
-- refusals
INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gbl', 'r-9', 'host');
INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gbl', 'r-1', 'guest');
INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gb', 'r-1', 'host');
INSERT INTO room_codes(code, room_id, role) VALUES (1234567890, 'r-1', 'host');
INSERT INTO room_codes(code, room_id, role) VALUES (x'00ff', 'r-1', 'host');
INSERT INTO room_codes(room_id, role) VALUES (NULL, 'host');
INSERT INTO room_codes(room_id, role) VALUES ('r-1', NULL);
INSERT INTO room_codes(room_id, role) VALUES (42, 'host');
INSERT INTO room_codes(room_id, role) VALUES (4.5, 'host');
INSERT INTO room_codes(room_id, role) VALUES (x'7231', 'host');
INSERT INTO room_codes(room_id, role) VALUES ('', 'host');
INSERT INTO room_codes(room_id, role) VALUES ('r-1', '');
INSERT INTO room_codes(room_id, role) VALUES ('r' || char(10) || '1', 'host');
INSERT INTO room_codes(room_id, role) VALUES ('r-1', 'ho' || char(9) || 'st');
INSERT INTO room_codes(room_id, role) VALUES (CAST(x'72ff31' AS TEXT), 'host');
INSERT INTO room_codes(room_id, role) VALUES (printf('%.257c', 'x'), 'host');
INSERT INTO room_codes(room_id, role, user_id) VALUES ('r-1', 'host', '');
INSERT INTO room_codes(room_id, role, user_id) VALUES ('r-1', 'host', 7);
INSERT INTO room_codes(room_id, role, enabled) VALUES ('r-1', 'host', 2);
INSERT INTO room_codes(room_id, role, enabled) VALUES ('r-1', 'host', 'yes');
INSERT INTO room_codes(room_id, role, created_at) VALUES ('r-1', 'host', '2020-01-01T00:00:00.000Z');
INSERT INTO room_codes(room_id, role, updated_at) VALUES ('r-1', 'host', '2020-01-01T00:00:00.000Z');
-- 256 bytes is the limit, counted in bytes: 128 two-byte letters fit
INSERT INTO room_codes(room_id, role) VALUES (printf('%.256c', 'x'), 'host');
INSERT INTO room_codes(room_id, role) VALUES (replace(printf('%.128c', 'x'), 'x', 'é'), 'host');
INSERT INTO room_codes(room_id, role) VALUES (replace(printf('%.129c', 'x'), 'x', 'é'), 'host');
-- a refused row in a multi-row insert leaves none of the rows
INSERT INTO room_codes(room_id, role) VALUES ('r-4', 'a'), ('r-4', NULL);
SELECT 'after refusals', count(*), count(DISTINCT code), sum(roomcode_valid(code)) FROM room_codes;
SELECT 'r-4 rows', count(*) FROM room_codes WHERE room_id = 'r-4';
-- OR IGNORE skips a refused row, as SQLite does for a constraint
INSERT OR IGNORE INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gbl', 'r-5', 'host'), ('zzz-zzzz-zzz', 'r-5', 'host');
SELECT 'or ignore', code, room_id FROM room_codes WHERE room_id = 'r-5';
-- OR REPLACE would rewrite a code's identity: refused like a plain INSERT
INSERT OR REPLACE INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gbl', 'r-6', 'host');
SELECT 'or replace', room_id FROM room_codes WHERE code = 'xvm-wxwo-gbl';
