-- Templates and rooms of one room_codes virtual table: plain tables any SQLite client can
-- read and write, named after the virtual table. {schema} and {table} are replaced (as
-- escaped identifiers) by the extension, which creates them with the virtual table, and
-- adds them on the first connect with write access to a table made before they existed.
-- Their rules (docs/sql-reference.md, "Templates and rooms") are here and in
-- templates_triggers.sql, in plain SQL that calls no function of the extension, so they
-- hold for every writer.
--
-- A template is its rows here: one per role, with that role's permissions, a JSON object
-- of booleans. Triggers check its form (templates_triggers.sql), without JSON functions:
-- SQLite 3.40 does not mark them innocuous, and one in a CHECK or trigger makes the whole
-- schema fail to load under PRAGMA trusted_schema=OFF.
CREATE TABLE IF NOT EXISTS "{schema}"."{table}_templates"(
  template TEXT NOT NULL
    CONSTRAINT template_format CHECK (typeof(template) = 'text'
           AND length(CAST(template AS BLOB)) BETWEEN 1 AND 256
           AND instr(CAST(template AS BLOB), x'00') = 0
           AND NOT template GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*')),
  role TEXT NOT NULL
    CONSTRAINT role_format CHECK (typeof(role) = 'text'
           AND length(CAST(role AS BLOB)) BETWEEN 1 AND 256
           AND instr(CAST(role AS BLOB), x'00') = 0
           AND NOT role GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*')),
  permissions TEXT NOT NULL DEFAULT '{}'
    CONSTRAINT permissions_is_text CHECK (typeof(permissions) = 'text'),
  PRIMARY KEY (template, role)
) WITHOUT ROWID;

-- A room registered with a template. A room that is not here is unregistered: its codes
-- take any role, as before templates existed. The (template, room_id) UNIQUE constraint is
-- there for its automatic index: the rooms of a template, which the triggers look up.
CREATE TABLE IF NOT EXISTS "{schema}"."{table}_rooms"(
  room_id TEXT NOT NULL PRIMARY KEY
    CONSTRAINT room_id_format CHECK (typeof(room_id) = 'text'
           AND length(CAST(room_id AS BLOB)) BETWEEN 1 AND 256
           AND instr(CAST(room_id AS BLOB), x'00') = 0
           AND NOT room_id GLOB ('*[' || char(1) || '-' || char(31, 127) || ']*')),
  template TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1
    CONSTRAINT enabled_is_0_or_1 CHECK (typeof(enabled) = 'integer' AND enabled IN (0, 1)),
  UNIQUE (template, room_id)
) WITHOUT ROWID;
