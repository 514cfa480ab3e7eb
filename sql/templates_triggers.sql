-- Triggers of the templates and rooms tables (templates_tables.sql), and one on the store.
-- The extension makes them with the tables, and drops and makes them again, by these
-- names, when the virtual table is renamed. RAISE takes only a literal: the extension's
-- own write paths name the role and the room instead.

-- permissions: a JSON object whose members are among the five keys, each at most once,
-- each true or false, blanks (space, tab, CR, LF) allowed between tokens. Checked on the
-- text with plain string functions: w is the text without blanks, t its members each
-- after a comma.
CREATE TRIGGER "{schema}"."{table}_templates_permissions" BEFORE INSERT ON "{table}_templates"
WHEN typeof(NEW.permissions) = 'text' AND NOT (
  SELECT (w = '{}' OR (substr(w, 1, 1) = '{' AND substr(w, -1) = '}' AND length(w) > 2
    -- t is an exact run of ',"key":bool' members: their occurrences cannot overlap (each
    -- holds one comma, its first character), so they tile t when their lengths add up
    AND (length(t) - length(replace(t, ',"publish":true', '')))
      + (length(t) - length(replace(t, ',"publish":false', '')))
      + (length(t) - length(replace(t, ',"subscribe":true', '')))
      + (length(t) - length(replace(t, ',"subscribe":false', '')))
      + (length(t) - length(replace(t, ',"publish_data":true', '')))
      + (length(t) - length(replace(t, ',"publish_data":false', '')))
      + (length(t) - length(replace(t, ',"admin":true', '')))
      + (length(t) - length(replace(t, ',"admin":false', '')))
      + (length(t) - length(replace(t, ',"hidden":true', '')))
      + (length(t) - length(replace(t, ',"hidden":false', ''))) = length(t)
    -- each key once: two members of one key are longer than its longest member
    AND length(t) - length(replace(replace(t, ',"publish":true', ''), ',"publish":false', '')) <= 17
    AND length(t) - length(replace(replace(t, ',"subscribe":true', ''), ',"subscribe":false', '')) <= 19
    AND length(t) - length(replace(replace(t, ',"publish_data":true', ''), ',"publish_data":false', '')) <= 22
    AND length(t) - length(replace(replace(t, ',"admin":true', ''), ',"admin":false', '')) <= 15
    AND length(t) - length(replace(replace(t, ',"hidden":true', ''), ',"hidden":false', '')) <= 16))
    -- the blanks removed were between tokens, not inside a key or a boolean
    AND length(p) - length(replace(p, '"publish"', '')) = length(w) - length(replace(w, '"publish"', ''))
    AND length(p) - length(replace(p, '"subscribe"', '')) = length(w) - length(replace(w, '"subscribe"', ''))
    AND length(p) - length(replace(p, '"publish_data"', '')) = length(w) - length(replace(w, '"publish_data"', ''))
    AND length(p) - length(replace(p, '"admin"', '')) = length(w) - length(replace(w, '"admin"', ''))
    AND length(p) - length(replace(p, '"hidden"', '')) = length(w) - length(replace(w, '"hidden"', ''))
    AND length(p) - length(replace(p, 'true', '')) = length(w) - length(replace(w, 'true', ''))
    AND length(p) - length(replace(p, 'false', '')) = length(w) - length(replace(w, 'false', ''))
  FROM (SELECT p, w, ',' || substr(w, 2, length(w) - 2) AS t
        FROM (SELECT NEW.permissions AS p,
                     replace(replace(replace(replace(NEW.permissions, ' ', ''), char(9), ''),
                                     char(10), ''), char(13), '') AS w)))
BEGIN
  SELECT RAISE(ABORT, 'roomcode: permissions must be a JSON object of the keys publish, subscribe, publish_data, admin and hidden, each at most once, each true or false');
END;

CREATE TRIGGER "{schema}"."{table}_templates_permissions_update" BEFORE UPDATE OF permissions ON "{table}_templates"
WHEN typeof(NEW.permissions) = 'text' AND NOT (
  SELECT (w = '{}' OR (substr(w, 1, 1) = '{' AND substr(w, -1) = '}' AND length(w) > 2
    -- t is an exact run of ',"key":bool' members: their occurrences cannot overlap (each
    -- holds one comma, its first character), so they tile t when their lengths add up
    AND (length(t) - length(replace(t, ',"publish":true', '')))
      + (length(t) - length(replace(t, ',"publish":false', '')))
      + (length(t) - length(replace(t, ',"subscribe":true', '')))
      + (length(t) - length(replace(t, ',"subscribe":false', '')))
      + (length(t) - length(replace(t, ',"publish_data":true', '')))
      + (length(t) - length(replace(t, ',"publish_data":false', '')))
      + (length(t) - length(replace(t, ',"admin":true', '')))
      + (length(t) - length(replace(t, ',"admin":false', '')))
      + (length(t) - length(replace(t, ',"hidden":true', '')))
      + (length(t) - length(replace(t, ',"hidden":false', ''))) = length(t)
    -- each key once: two members of one key are longer than its longest member
    AND length(t) - length(replace(replace(t, ',"publish":true', ''), ',"publish":false', '')) <= 17
    AND length(t) - length(replace(replace(t, ',"subscribe":true', ''), ',"subscribe":false', '')) <= 19
    AND length(t) - length(replace(replace(t, ',"publish_data":true', ''), ',"publish_data":false', '')) <= 22
    AND length(t) - length(replace(replace(t, ',"admin":true', ''), ',"admin":false', '')) <= 15
    AND length(t) - length(replace(replace(t, ',"hidden":true', ''), ',"hidden":false', '')) <= 16))
    -- the blanks removed were between tokens, not inside a key or a boolean
    AND length(p) - length(replace(p, '"publish"', '')) = length(w) - length(replace(w, '"publish"', ''))
    AND length(p) - length(replace(p, '"subscribe"', '')) = length(w) - length(replace(w, '"subscribe"', ''))
    AND length(p) - length(replace(p, '"publish_data"', '')) = length(w) - length(replace(w, '"publish_data"', ''))
    AND length(p) - length(replace(p, '"admin"', '')) = length(w) - length(replace(w, '"admin"', ''))
    AND length(p) - length(replace(p, '"hidden"', '')) = length(w) - length(replace(w, '"hidden"', ''))
    AND length(p) - length(replace(p, 'true', '')) = length(w) - length(replace(w, 'true', ''))
    AND length(p) - length(replace(p, 'false', '')) = length(w) - length(replace(w, 'false', ''))
  FROM (SELECT p, w, ',' || substr(w, 2, length(w) - 2) AS t
        FROM (SELECT NEW.permissions AS p,
                     replace(replace(replace(replace(NEW.permissions, ' ', ''), char(9), ''),
                                     char(10), ''), char(13), '') AS w)))
BEGIN
  SELECT RAISE(ABORT, 'roomcode: permissions must be a JSON object of the keys publish, subscribe, publish_data, admin and hidden, each at most once, each true or false');
END;

-- A role goes from a template (DELETE, or an UPDATE of its names) only while no code of a
-- room of that template carries it, and a template keeps a role while a room uses it.
CREATE TRIGGER "{schema}"."{table}_templates_role_in_use" BEFORE DELETE ON "{table}_templates"
WHEN EXISTS (SELECT 1 FROM "{table}_rooms" AS r
             WHERE r.template = OLD.template
               AND EXISTS (SELECT 1 FROM "{table}_store" AS s
                           WHERE s.room_id = r.room_id AND s.role = OLD.role))
BEGIN
  SELECT RAISE(ABORT, 'roomcode: a role of a template cannot be removed while room codes of its rooms carry it');
END;

CREATE TRIGGER "{schema}"."{table}_templates_last_role" BEFORE DELETE ON "{table}_templates"
WHEN EXISTS (SELECT 1 FROM "{table}_rooms" WHERE template = OLD.template)
  AND NOT EXISTS (SELECT 1 FROM "{table}_templates"
                  WHERE template = OLD.template AND role <> OLD.role)
BEGIN
  SELECT RAISE(ABORT, 'roomcode: the last role of a template that rooms use cannot be removed');
END;

CREATE TRIGGER "{schema}"."{table}_templates_role_renamed" BEFORE UPDATE OF template, role ON "{table}_templates"
WHEN (NEW.template IS NOT OLD.template OR NEW.role IS NOT OLD.role)
  AND EXISTS (SELECT 1 FROM "{table}_rooms" WHERE template = OLD.template)
BEGIN
  SELECT RAISE(ABORT, 'roomcode: a template that rooms use keeps its name and roles; insert or delete roles instead');
END;

-- A room names a template that has roles, and its codes all carry roles of it. SQLite
-- runs an event's triggers newest first, so the template's check, made last, speaks first.
CREATE TRIGGER "{schema}"."{table}_rooms_codes" BEFORE INSERT ON "{table}_rooms"
WHEN EXISTS (SELECT 1 FROM "{table}_store" AS s
             WHERE s.room_id = NEW.room_id
               AND NOT EXISTS (SELECT 1 FROM "{table}_templates" AS t
                               WHERE t.template = NEW.template AND t.role = s.role))
BEGIN
  SELECT RAISE(ABORT, 'roomcode: the room has room codes of roles its template lacks');
END;

CREATE TRIGGER "{schema}"."{table}_rooms_codes_update" BEFORE UPDATE OF room_id, template ON "{table}_rooms"
WHEN EXISTS (SELECT 1 FROM "{table}_store" AS s
             WHERE s.room_id = NEW.room_id
               AND NOT EXISTS (SELECT 1 FROM "{table}_templates" AS t
                               WHERE t.template = NEW.template AND t.role = s.role))
BEGIN
  SELECT RAISE(ABORT, 'roomcode: the room has room codes of roles its template lacks');
END;

CREATE TRIGGER "{schema}"."{table}_rooms_template" BEFORE INSERT ON "{table}_rooms"
WHEN NOT EXISTS (SELECT 1 FROM "{table}_templates" WHERE template = NEW.template)
BEGIN
  SELECT RAISE(ABORT, 'roomcode: a room takes a template that has at least one role');
END;

CREATE TRIGGER "{schema}"."{table}_rooms_template_update" BEFORE UPDATE OF room_id, template ON "{table}_rooms"
WHEN NOT EXISTS (SELECT 1 FROM "{table}_templates" WHERE template = NEW.template)
BEGIN
  SELECT RAISE(ABORT, 'roomcode: a room takes a template that has at least one role');
END;

-- The codes of a registered room carry roles of its template. A code's role never changes
-- (the store's fixed trigger), so only an INSERT needs this. An unregistered room costs
-- one probe of the rooms table.
CREATE TRIGGER "{schema}"."{table}_rooms_role_of_code" BEFORE INSERT ON "{table}_store"
WHEN EXISTS (SELECT 1 FROM "{table}_rooms" AS r
             WHERE r.room_id = NEW.room_id
               AND NOT EXISTS (SELECT 1 FROM "{table}_templates" AS t
                               WHERE t.template = r.template AND t.role = NEW.role))
BEGIN
  SELECT RAISE(ABORT, 'roomcode: a room registered with a template takes only roles of its template');
END;
