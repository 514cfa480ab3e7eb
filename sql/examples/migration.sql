-- An example migration of an app that keeps its rooms in SQLite. It may run more than
-- once: every statement is idempotent. Load the extension first (.load ./build/roomcode).
CREATE TABLE IF NOT EXISTS rooms(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  roles TEXT NOT NULL DEFAULT '["host", "guest"]' CHECK (json_valid(roles))
);

CREATE VIRTUAL TABLE IF NOT EXISTS room_codes USING roomcode;

-- Every new room gets a code per role at once. The table is innocuous, so this trigger
-- works also under PRAGMA trusted_schema=OFF.
CREATE TRIGGER IF NOT EXISTS rooms_get_codes AFTER INSERT ON rooms
BEGIN
  INSERT INTO room_codes(room_id, role) SELECT NEW.id, value FROM json_each(NEW.roles);
END;

-- Rooms that existed before this migration get theirs too; rooms that have codes keep
-- them (roomcode_create only fills in what is missing).
SELECT count(*) AS room_codes_synced
  FROM rooms, roomcode_create(rooms.id, rooms.roles);
