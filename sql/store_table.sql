-- Storage of one room_codes virtual table: a plain table any SQLite client can read.
-- {schema} and {table} are replaced (as escaped identifiers) by the extension when the
-- virtual table is created. The rules of SPEC.md live here, in plain SQL that calls no
-- function of the extension, so they hold for every writer.
--
-- WITHOUT ROWID keyed by code: a lookup by code is one B-tree probe.
-- No control characters: the GLOB class [\x01-\x1f\x7f] is written as a range, which
-- costs two comparisons a character where a list of all 32 cost up to 32.
-- The (room_id, role, code) UNIQUE constraint is there for its automatic index, which
-- serves lookups by room and the cap count; an automatic index follows the table when it
-- is renamed, where a named index would keep its old name.
CREATE TABLE "{schema}"."{table}_store"(
  code TEXT NOT NULL PRIMARY KEY
    CONSTRAINT code_format CHECK (typeof(code) = 'text'
           AND length(code) = 12
           AND code GLOB '[a-z][a-z][a-z]-[a-z][a-z][a-z][a-z]-[a-z][a-z][a-z]'),
  room_id TEXT NOT NULL
    CONSTRAINT room_id_format CHECK (typeof(room_id) = 'text'
           AND length(CAST(room_id AS BLOB)) BETWEEN 1 AND 256
           AND instr(CAST(room_id AS BLOB), x'00') = 0
           AND NOT room_id GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*')),
  role TEXT NOT NULL
    CONSTRAINT role_format CHECK (typeof(role) = 'text'
           AND length(CAST(role AS BLOB)) BETWEEN 1 AND 256
           AND instr(CAST(role AS BLOB), x'00') = 0
           AND NOT role GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*')),
  enabled INTEGER NOT NULL DEFAULT 1
    CONSTRAINT enabled_is_0_or_1 CHECK (typeof(enabled) = 'integer' AND enabled IN (0, 1)),
  user_id TEXT DEFAULT NULL
    CONSTRAINT user_id_format CHECK (user_id IS NULL
           OR (typeof(user_id) = 'text'
               AND length(CAST(user_id AS BLOB)) BETWEEN 1 AND 256
               AND instr(CAST(user_id AS BLOB), x'00') = 0
               AND NOT user_id GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*'))),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    CONSTRAINT created_at_format CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    CONSTRAINT updated_at_format CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
  UNIQUE (room_id, role, code)
) WITHOUT ROWID;
