-- roomcode_create(room_id, roles): a shared enabled code for every listed role, unlisted
-- roles' codes disabled, the room's enabled codes returned; idempotent.
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
CREATE TEMP TABLE first AS SELECT * FROM roomcode_create('r-1', '["host", "guest"]');
SELECT 'first', role, roomcode_valid(code), room_id, enabled, quote(user_id) FROM first;
-- again: nothing changes, the same codes come back
CREATE TEMP TABLE second AS SELECT * FROM roomcode_create('r-1', '["host", "guest"]');
SELECT 'idempotent', count(*) FROM first JOIN second USING (code, role, enabled);
SELECT 'stored', count(*) FROM room_codes WHERE room_id = 'r-1';
-- the roles change: viewer is added, guest is dropped (its code disabled, not deleted)
SELECT 'changed', role FROM roomcode_create('r-1', '["viewer", "host"]');
SELECT 'all', role, enabled FROM room_codes WHERE room_id = 'r-1' ORDER BY role;
-- a role listed twice gets one code; a user-bound code is not a role's shared code
UPDATE room_codes SET user_id = 'user-1' WHERE room_id = 'r-1' AND role = 'viewer';
SELECT 'dedup', role, quote(user_id) FROM roomcode_create('r-1', '["viewer", "viewer", "host"]') ORDER BY role, user_id;
-- other rooms are untouched
SELECT 'other room', role FROM roomcode_create('r-2', '["host"]');
SELECT 'r-1 enabled', count(*) FROM room_codes WHERE room_id = 'r-1' AND enabled = 1;
-- refusals
SELECT * FROM roomcode_create('r-1', '[]');
SELECT * FROM roomcode_create('r-1', '{"host": 1}');
SELECT * FROM roomcode_create('r-1', 'host');
SELECT * FROM roomcode_create('r-1', '["host", 3]');
SELECT * FROM roomcode_create('r-1', '["host", ""]');
SELECT * FROM roomcode_create('r-1', NULL);
SELECT * FROM roomcode_create('r-1', x'5b5d');
SELECT * FROM roomcode_create(NULL, '["host"]');
SELECT * FROM roomcode_create(7, '["host"]');
SELECT * FROM roomcode_create('r-1');
SELECT * FROM roomcode_create;
-- a refusal part way leaves the room as it was: 98 codes, two roles to add, one to disable
INSERT INTO room_codes(room_id, role) SELECT 'r-3', 'guest' FROM generate_series(1, 98);
SELECT * FROM roomcode_create('r-3', '["a", "b", "c"]');
SELECT 'r-3 unchanged', count(*), sum(enabled) FROM room_codes WHERE room_id = 'r-3';
BEGIN;
SELECT * FROM roomcode_create('r-3', '["a", "b", "c"]');
SELECT 'r-3 unchanged in transaction', count(*), sum(enabled) FROM room_codes WHERE room_id = 'r-3';
COMMIT;
-- also when used by a statement that writes
CREATE TABLE log(code);
INSERT INTO log SELECT code FROM roomcode_create('r-3', '["a", "b", "c"]');
SELECT 'r-3 unchanged by insert-select', count(*), sum(enabled), (SELECT count(*) FROM log) FROM room_codes WHERE room_id = 'r-3';
SELECT 'r-3 fits', count(*) FROM roomcode_create('r-3', '["a", "b"]');
-- writes, so no view or trigger may run it
CREATE VIEW v AS SELECT * FROM roomcode_create('r-9', '["host"]');
SELECT * FROM v;
