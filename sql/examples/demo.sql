-- The main job of roomcode, on a fresh database: `make demo` runs this in the sqlite3
-- shell with the extension loaded.
.mode box
.print
.print 1. A migration makes the table: rules, indexes and triggers come with it.
CREATE VIRTUAL TABLE room_codes USING roomcode;

.print
.print 2. Room codes for every role of a room at once - the 100ms Create Room Codes call.
SELECT code, role, enabled FROM roomcode_create('standup-42', '["host", "guest"]');

.print
.print 3. A second guest code, say for a second invite link.
SELECT roomcode_new('standup-42', 'guest') AS second_guest_code;

.print
.print 4. The room's codes - the Get Room Code call: an index lookup, never a scan.
SELECT code, role, enabled FROM room_codes WHERE room_id = 'standup-42' ORDER BY role, created_at;

.print
.print 5. Disable the first guest code - the Update Room Code call; it stops working at once.
UPDATE room_codes SET enabled = 0
 WHERE code = (SELECT code FROM room_codes WHERE room_id = 'standup-42' AND role = 'guest'
               ORDER BY created_at, code LIMIT 1);
SELECT code, role, enabled FROM room_codes WHERE room_id = 'standup-42' ORDER BY role, created_at;

.print
.print 6. A shareable Room Link, and the code a person pastes back, normalized.
SELECT roomcode_link(code, 'acme.app.100ms.live') AS room_link
  FROM room_codes WHERE room_id = 'standup-42' AND role = 'host';
SELECT roomcode_normalize('  https://acme.app.100ms.live/meeting/XVM-WXWO-GBL?name=ann ') AS pasted;

.print
.print 7. A room holds at most 100 codes, enabled and disabled together: the 101st is refused.
INSERT INTO room_codes(room_id, role) SELECT 'standup-42', 'guest' FROM generate_series(1, 97);
SELECT count(*) AS codes_in_room FROM room_codes WHERE room_id = 'standup-42';
.print (the next statement is meant to fail)
SELECT roomcode_new('standup-42', 'guest');

.print
.print 8. The storage is a plain table, readable by any SQLite client without the extension.
SELECT name FROM sqlite_schema WHERE type = 'table';
