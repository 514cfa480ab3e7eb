-- Triggers of the storage table (see store_table.sql). They are created from inside the
-- virtual table's xCreate, and dropped and recreated by xRename, so their bodies may name
-- the table: SQLite refuses triggers on the virtual table itself, and on a shadow table
-- from ordinary SQL under SQLITE_DBCONFIG_DEFENSIVE.
--
-- RAISE takes only a literal, so these messages cannot name the room or the code; the
-- extension's own write paths detect these cases and report them with the values.

-- At most 100 codes per room, enabled and disabled together: the insert is refused when
-- the room already has a 100th code (OFFSET 99), which is count(*) >= 100 without
-- aggregating, on the (room_id, role, code) index.
CREATE TRIGGER "{schema}"."{table}_store_cap" BEFORE INSERT ON "{table}_store"
WHEN EXISTS (SELECT 1 FROM "{table}_store" WHERE room_id = NEW.room_id LIMIT 1 OFFSET 99)
BEGIN
  SELECT RAISE(ABORT, 'roomcode: a room has at most 100 room codes (limit 100)');
END;

-- A code's identity never changes: only enabled, user_id (and updated_at) may.
CREATE TRIGGER "{schema}"."{table}_store_fixed" BEFORE UPDATE ON "{table}_store"
WHEN NEW.code IS NOT OLD.code OR NEW.room_id IS NOT OLD.room_id
  OR NEW.role IS NOT OLD.role OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'roomcode: code, room_id, role and created_at of a room code never change');
END;

-- updated_at follows every change of enabled or user_id that did not set it itself.
CREATE TRIGGER "{schema}"."{table}_store_touch" AFTER UPDATE OF enabled, user_id ON "{table}_store"
WHEN (NEW.enabled IS NOT OLD.enabled OR NEW.user_id IS NOT OLD.user_id)
  AND NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE "{table}_store" SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
   WHERE code = NEW.code;
END;
