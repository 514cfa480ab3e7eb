-- roomcode_json(code) and roomcode_room_json(room_id): codes as the 100ms API shows them,
-- {code, room_id, role, enabled, created_at, updated_at} (+ user_id when bound), and a
-- room's codes as {"data": [...]} in creation order.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
-- rows with known timestamps, written to the store as any client may
INSERT INTO room_codes_store(code, room_id, role, enabled, user_id, created_at, updated_at) VALUES
  ('zzz-zzzz-zzz', 'r-1', 'host', 1, NULL, '2026-01-02T03:04:05.006Z', '2026-01-02T03:04:05.006Z'),
  ('aaa-aaaa-aaa', 'r-1', 'guest', 0, 'user-7', '2026-01-02T03:04:05.007Z', '2026-02-03T04:05:06.789Z'),
  ('mmm-mmmm-mmm', 'r-1', 'guest', 1, NULL, '2026-01-02T03:04:05.007Z', '2026-01-02T03:04:05.007Z');
SELECT roomcode_json('zzz-zzzz-zzz');
SELECT roomcode_json('aaa-aaaa-aaa');
-- any form roomcode_normalize reads
SELECT roomcode_json('https://acme.app.100ms.live/meeting/ZZZ-ZZZZ-ZZZ') = roomcode_json('zzz-zzzz-zzz');
-- creation order: by created_at, then code for codes of the same millisecond
SELECT roomcode_room_json('r-1');
SELECT 'types', key, type FROM json_each(roomcode_json('aaa-aaaa-aaa'));
SELECT 'empty', roomcode_room_json('no-such-room');
SELECT 'unknown', roomcode_json('qqq-qqqq-qqq') IS NULL, roomcode_json(NULL) IS NULL, roomcode_room_json(NULL) IS NULL;
SELECT roomcode_json('qqq-qqqq-qq');
SELECT roomcode_json(7);
SELECT roomcode_room_json(7);
SELECT roomcode_room_json('');
-- codes made through the extension: the stored timestamps, UTC with milliseconds
INSERT INTO room_codes(room_id, role) VALUES ('r-2', 'host'), ('r-2', 'guest');
UPDATE room_codes SET enabled = 0 WHERE room_id = 'r-2' AND role = 'guest';
SELECT 'made', value->>'role', value->>'enabled', value->>'created_at' = c.created_at,
       value->>'updated_at' = c.updated_at,
       value->>'created_at' GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'
  FROM json_each(roomcode_room_json('r-2') -> '$.data') JOIN room_codes AS c ON c.code = value->>'code'
  ORDER BY 2;
SELECT 'same order', (SELECT group_concat(value->>'code') FROM json_each(roomcode_room_json('r-2') -> '$.data'))
  = (SELECT group_concat(code) FROM (SELECT code FROM room_codes WHERE room_id = 'r-2' ORDER BY created_at, code));
-- text that nests: wrap it in json() to embed it as an object
SELECT json_object('room', json(roomcode_json('zzz-zzzz-zzz'))) ->> '$.room.role';
-- names are stored verbatim and escaped by SQLite's JSON
INSERT INTO room_codes(code, room_id, role) VALUES ('qqq-qqqq-qqq', 'r "3"', 'a\b');
SELECT roomcode_json('qqq-qqqq-qqq') ->> '$.room_id', roomcode_json('qqq-qqqq-qqq') ->> '$.role';
-- they read the table, so no schema object may call them
CREATE VIEW codes_json AS SELECT roomcode_json(code) AS j FROM room_codes;
SELECT * FROM codes_json;
