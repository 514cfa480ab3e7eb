-- Triggers and named index of the storage table (see store_table.sql). The extension
-- creates them when it creates or adopts the store, and drops and recreates them, by these
-- names only, when the virtual table is renamed (a named index keeps its name through
-- ALTER TABLE, which would leave "<old>_store_user_id" behind); a writer's own triggers
-- and indexes on the store are left alone.
-- {cap} is the most codes a room may hold (ROOMCODE_MAX_PER_ROOM in ext/store_limits.h,
-- filled in at build time by sql/to_c.awk).
--
-- RAISE takes only a literal, so these messages cannot name the room or the code; the
-- extension's own write paths report these cases with the values (the build makes each
-- message a constant, roomcode_sql_raised_<trigger>, by which it recognizes them).

-- At most {cap} codes per room, enabled and disabled together: the insert is refused when
-- the room already has a {cap}th code (OFFSET {cap} - 1), which is count(*) >= {cap}
-- without aggregating, on the (room_id, role, code) index.
CREATE TRIGGER "{schema}"."{table}_store_cap" BEFORE INSERT ON "{table}_store"
WHEN EXISTS (SELECT 1 FROM "{table}_store" WHERE room_id = NEW.room_id LIMIT 1 OFFSET {cap} - 1)
BEGIN
  SELECT RAISE(ABORT, 'roomcode: a room has at most {cap} room codes (limit {cap})');
END;

-- A stored code keeps its identity: an INSERT of a code that exists is refused, whatever
-- its conflict clause. Otherwise INSERT OR REPLACE (or REPLACE) would delete the row and
-- store the code again for another room or role with a new created_at, and no UPDATE
-- trigger would see it. OR IGNORE and UPSERT are refused as well: a BEFORE trigger runs
-- before SQLite looks for the conflict. SQLite runs an event's triggers newest first, so
-- this one, made after the cap's, is the one that speaks for a code that exists in a full
-- room.
CREATE TRIGGER "{schema}"."{table}_store_no_replace" BEFORE INSERT ON "{table}_store"
WHEN EXISTS (SELECT 1 FROM "{table}_store" WHERE code = NEW.code)
BEGIN
  SELECT RAISE(ABORT, 'roomcode: room code already exists; update its enabled or user_id instead');
END;

-- A code's identity never changes: only enabled, user_id (and updated_at) may. This runs
-- before UPDATE OR REPLACE would put a default in place of a NULL, so it sees the NULL.
CREATE TRIGGER "{schema}"."{table}_store_fixed" BEFORE UPDATE ON "{table}_store"
WHEN NEW.code IS NOT OLD.code OR NEW.room_id IS NOT OLD.room_id
  OR NEW.role IS NOT OLD.role OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'roomcode: code, room_id, role and created_at of a room code never change');
END;

-- updated_at follows every change of enabled or user_id that did not set it itself. It
-- never goes back, even when the clock does, so it stays at or after created_at.
CREATE TRIGGER "{schema}"."{table}_store_touch" AFTER UPDATE OF enabled, user_id ON "{table}_store"
WHEN (NEW.enabled IS NOT OLD.enabled OR NEW.user_id IS NOT OLD.user_id)
  AND NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE "{table}_store"
     SET updated_at = max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), OLD.updated_at)
   WHERE code = NEW.code;
END;

-- The codes of a user (WHERE user_id = ?, also with room_id = ?) are an index lookup. Only
-- bound codes are indexed, which are usually few: a lookup by user_id = ? implies
-- user_id IS NOT NULL, so SQLite uses this partial index for it. Stores made by 1.1.0 lack
-- it; the extension adds it when such a table connects (ext/store_schema.c,
-- roomcode_store_upgrade).
CREATE INDEX "{schema}"."{table}_store_user_id" ON "{table}_store"(user_id, room_id)
WHERE user_id IS NOT NULL;
