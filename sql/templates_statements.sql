-- The statements the extension runs on the templates and rooms tables
-- (ext/templates_store.c). Each follows a "-- statement: <name>" line and ends with ';'.
-- {schema} and {table} are replaced (as escaped identifiers) by the extension.

-- statement: room_template
-- The template a room is registered with, to name it when a code's role is refused.
SELECT template FROM "{schema}"."{table}_rooms" WHERE room_id = ?1;
