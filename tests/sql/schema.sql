-- The table's life in a schema: DEFENSIVE, an app's trigger under trusted_schema=OFF,
-- rename, drop, attached schemas.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode('extra');
CREATE VIRTUAL TABLE room_codes USING roomcode;
SELECT 'schema', type, name, tbl_name FROM sqlite_schema ORDER BY type, name;
-- DEFENSIVE: the store is a plain table (current SQLite loads no trigger on a table a
-- module claims as its shadow under DEFENSIVE), so its own constraints and triggers
-- refuse bad rows from direct writers, and the virtual table writes as usual
.dbconfig defensive on
INSERT INTO room_codes_store(code, room_id, role) VALUES ('AAA-aaaa-aaa', 'r-1', 'host');
INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'host');
UPDATE room_codes_store SET enabled = 2;
INSERT OR REPLACE INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-9', 'host');
SELECT 'defensive write', roomcode_valid(roomcode_new('r-1', 'guest')), count(*) FROM room_codes;
UPDATE room_codes SET enabled = 0 WHERE code = 'aaa-aaaa-aaa';
SELECT 'defensive read', code, enabled FROM room_codes_store WHERE code = 'aaa-aaaa-aaa';
SELECT 'create under defensive', count(*) FROM roomcode_create('r-2', '["host"]');
-- an app's own trigger mints codes, also with trusted_schema=OFF
PRAGMA trusted_schema = OFF;
CREATE TABLE rooms(id TEXT PRIMARY KEY);
CREATE TRIGGER rooms_codes AFTER INSERT ON rooms BEGIN
  INSERT INTO room_codes(room_id, role) VALUES (NEW.id, 'host'), (NEW.id, 'guest');
END;
INSERT INTO rooms VALUES ('r-3');
SELECT 'app trigger', role FROM room_codes WHERE room_id = 'r-3' ORDER BY role;
PRAGMA trusted_schema = ON;
-- rename carries the store and its triggers, and keeps an app's own trigger on the store
CREATE TABLE audit(code);
CREATE TRIGGER audit_codes AFTER INSERT ON room_codes_store BEGIN INSERT INTO audit VALUES (NEW.code); END;
ALTER TABLE room_codes RENAME TO codes;
SELECT 'renamed', type, name, tbl_name FROM sqlite_schema WHERE name LIKE '%codes%' ORDER BY type, name;
SELECT 'renamed rows', count(*) FROM codes;
INSERT INTO codes(room_id, role) VALUES ('r-1', 'viewer');
SELECT 'renamed cap', count(*) FROM codes WHERE room_id = 'r-1';
SELECT 'audited', count(*) FROM audit;
-- the old name is free again
CREATE VIRTUAL TABLE room_codes USING roomcode;
SELECT 'new table', count(*) FROM room_codes;
-- drop removes the store
DROP TABLE codes;
SELECT 'dropped', name FROM sqlite_schema WHERE name LIKE 'codes%';
-- attached schemas
ATTACH ':memory:' AS aux;
CREATE VIRTUAL TABLE aux.room_codes USING roomcode;
INSERT INTO aux.room_codes(code, room_id, role) VALUES ('bbb-bbbb-bbb', 'r-9', 'host');
SELECT 'aux', code, room_id FROM aux.room_codes WHERE code = 'bbb-bbbb-bbb';
SELECT 'main untouched', count(*) FROM main.room_codes;
SELECT 'aux store', name FROM aux.sqlite_schema WHERE type = 'table' ORDER BY name;
ALTER TABLE aux.room_codes RENAME TO codes2;
SELECT 'aux renamed', name FROM aux.sqlite_schema ORDER BY name;
INSERT INTO aux.codes2(code, room_id, role) VALUES ('bbb-bbbb-bbb', 'r-9', 'host');
DROP TABLE aux.codes2;
SELECT 'aux dropped', count(*) FROM aux.sqlite_schema;
-- roomcode_new writes to the room_codes an unqualified name resolves to: temp first
CREATE VIRTUAL TABLE temp.room_codes USING roomcode;
SELECT 'temp first', roomcode_valid(roomcode_new('r-7', 'host')),
       (SELECT count(*) FROM temp.room_codes WHERE room_id = 'r-7'),
       (SELECT count(*) FROM main.room_codes WHERE room_id = 'r-7');
SELECT 'integrity', * FROM pragma_integrity_check;
