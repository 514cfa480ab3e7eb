-- The statements the extension runs on a store (ext/store_statements.c). Each follows a
-- "-- statement: <name>" line and ends with ';'. {schema} and {table} are replaced (as
-- escaped identifiers) when a table connects; {columns} is the list of columns a reading
-- statement fetches, the others read as NULL so that every column keeps its position.

-- statement: scan
-- In code order, which the virtual table promises; without the ORDER BY a scan of few
-- columns may take the smaller (room_id, role, code) index instead.
SELECT {columns} FROM "{schema}"."{table}_store" ORDER BY code;

-- statement: by_code
SELECT {columns} FROM "{schema}"."{table}_store" WHERE code = ?1;

-- statement: by_room
SELECT {columns} FROM "{schema}"."{table}_store" WHERE room_id = ?1;

-- statement: by_room_role
SELECT {columns} FROM "{schema}"."{table}_store" WHERE room_id = ?1 AND role = ?2;

-- statement: by_user
-- user_id = ?1 implies user_id IS NOT NULL, so the partial index serves.
SELECT {columns} FROM "{schema}"."{table}_store" WHERE user_id = ?1;

-- statement: by_user_room
SELECT {columns} FROM "{schema}"."{table}_store" WHERE user_id = ?1 AND room_id = ?2;

-- statement: insert
INSERT INTO "{schema}"."{table}_store"(code, room_id, role, enabled, user_id)
VALUES (?1, ?2, ?3, ?4, ?5);

-- statement: update
-- enabled becomes ?2 when ?3, user_id becomes ?4 when ?5.
UPDATE "{schema}"."{table}_store"
   SET enabled = iif(?3, ?2, enabled), user_id = iif(?5, ?4, user_id)
 WHERE code = ?1;

-- statement: delete
DELETE FROM "{schema}"."{table}_store" WHERE code = ?1;

-- statement: restore_updated_at
-- Puts back the updated_at an undone change had touched; naming neither enabled nor
-- user_id, it leaves the touch trigger out.
UPDATE "{schema}"."{table}_store" SET updated_at = ?2 WHERE code = ?1;

-- statement: unlisted
-- The enabled codes of roles not listed, which roomcode_create disables one by one.
SELECT code, room_id, role, enabled, user_id, created_at, updated_at
  FROM "{schema}"."{table}_store"
 WHERE room_id = ?1 AND enabled = 1 AND role NOT IN (SELECT value FROM json_each(?2));

-- statement: roles_lacking
-- A code bound to one user cannot serve as the role's shared code.
SELECT r.value FROM json_each(?2) AS r WHERE NOT EXISTS
  (SELECT 1 FROM "{schema}"."{table}_store" AS c WHERE c.room_id = ?1
      AND c.role = r.value AND c.enabled = 1 AND c.user_id IS NULL)
 GROUP BY r.value ORDER BY min(r.key);

-- statement: list_enabled
SELECT code, room_id, role, enabled, user_id, created_at, updated_at
  FROM "{schema}"."{table}_store" WHERE room_id = ?1 AND enabled = 1
 ORDER BY (SELECT min(key) FROM json_each(?2) WHERE value = role), created_at, code;

-- statement: json_code
-- The 100ms API's object: enabled as a JSON boolean, user_id only when bound.
SELECT CASE WHEN user_id IS NULL
  THEN json_object('code', code, 'room_id', room_id, 'role', role,
         'enabled', json(CASE enabled WHEN 1 THEN 'true' ELSE 'false' END),
         'created_at', created_at, 'updated_at', updated_at)
  ELSE json_object('code', code, 'room_id', room_id, 'role', role,
         'enabled', json(CASE enabled WHEN 1 THEN 'true' ELSE 'false' END),
         'created_at', created_at, 'updated_at', updated_at, 'user_id', user_id) END
  FROM "{schema}"."{table}_store" WHERE code = ?1;

-- statement: json_room
-- The room's codes as the objects above, in creation order: created_at has milliseconds,
-- and codes of one millisecond follow in code order. An aggregate over a subquery with
-- ORDER BY keeps its order: SQLite does not flatten such a subquery.
SELECT json_object('data', json_group_array(json(o))) FROM (SELECT CASE WHEN user_id IS NULL
  THEN json_object('code', code, 'room_id', room_id, 'role', role,
         'enabled', json(CASE enabled WHEN 1 THEN 'true' ELSE 'false' END),
         'created_at', created_at, 'updated_at', updated_at)
  ELSE json_object('code', code, 'room_id', room_id, 'role', role,
         'enabled', json(CASE enabled WHEN 1 THEN 'true' ELSE 'false' END),
         'created_at', created_at, 'updated_at', updated_at, 'user_id', user_id) END AS o
  FROM "{schema}"."{table}_store" WHERE room_id = ?1 ORDER BY created_at, code);
