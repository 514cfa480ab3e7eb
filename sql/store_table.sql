-- Storage of one room_codes virtual table: a plain table any SQLite client can read.
-- {schema} and {table} are replaced (as escaped identifiers) by the extension when the
-- virtual table is created. The storage rules (docs/storage.md) live here, in plain SQL
-- that calls no function of the extension, so they hold for every writer.
--
-- CREATE VIRTUAL TABLE adopts a table of this name that already exists (a restored dump)
-- only when its definition is this one, compared with whitespace runs taken as one space:
-- any other change here makes stores created before it unadoptable, so keep edits
-- deliberate.
--
-- WITHOUT ROWID keyed by code: a lookup by code is one B-tree probe.
-- database_is_utf8 comes first so that, in a UTF-16 database (where CAST(x AS BLOB) is
-- UTF-16 and every name check below would fail), a writer is told why.
-- No control characters: the GLOB class [\x01-\x1f\x7f] is written as a range, which
-- costs two comparisons a character where a list of all 32 cost up to 32.
-- Timestamps are real instants: strftime gives back the same text only for a valid date
-- and time (the '+0 days' modifier makes SQLite 3.40 normalize 02-30 to 03-02 too, as
-- 3.52 does without it); deterministic, so allowed in a CHECK. IS, not =: strftime is
-- NULL for text that is no date at all, and a CHECK that is NULL passes. strftime costs
-- about twice a GLOB of the shape, so an updated_at equal to created_at (every new row)
-- is not parsed twice.
-- The (room_id, role, code) UNIQUE constraint is there for its automatic index, which
-- serves lookups by room and the cap count; an automatic index follows the table when it
-- is renamed, where a named index would keep its old name.
CREATE TABLE "{schema}"."{table}_store"(
  code TEXT NOT NULL PRIMARY KEY
    CONSTRAINT database_is_utf8 CHECK (CAST('a' AS BLOB) = x'61')
    CONSTRAINT code_format CHECK (typeof(code) = 'text'
           AND length(code) = 12
           AND code GLOB '[a-z][a-z][a-z]-[a-z][a-z][a-z][a-z]-[a-z][a-z][a-z]'),
  room_id TEXT NOT NULL
    CONSTRAINT room_id_format CHECK (typeof(room_id) = 'text'
           AND length(CAST(room_id AS BLOB)) BETWEEN 1 AND {max_name_bytes}
           AND instr(CAST(room_id AS BLOB), x'00') = 0
           AND NOT room_id GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*')),
  role TEXT NOT NULL
    CONSTRAINT role_format CHECK (typeof(role) = 'text'
           AND length(CAST(role AS BLOB)) BETWEEN 1 AND {max_name_bytes}
           AND instr(CAST(role AS BLOB), x'00') = 0
           AND NOT role GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*')),
  enabled INTEGER NOT NULL DEFAULT 1
    CONSTRAINT enabled_is_0_or_1 CHECK (typeof(enabled) = 'integer' AND enabled IN (0, 1)),
  user_id TEXT DEFAULT NULL
    CONSTRAINT user_id_format CHECK (user_id IS NULL
           OR (typeof(user_id) = 'text'
               AND length(CAST(user_id AS BLOB)) BETWEEN 1 AND {max_name_bytes}
               AND instr(CAST(user_id AS BLOB), x'00') = 0
               AND NOT user_id GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*'))),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    CONSTRAINT created_at_format CHECK (typeof(created_at) = 'text'
           AND created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+0 days')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    CONSTRAINT updated_at_format CHECK (updated_at IS created_at
           OR (typeof(updated_at) = 'text'
               AND updated_at IS strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+0 days'))),
  CONSTRAINT updated_at_not_before_created_at CHECK (updated_at >= created_at),
  UNIQUE (room_id, role, code)
) WITHOUT ROWID;
