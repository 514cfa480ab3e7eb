/* The roles of a room's template, as the JSON array roomcode_create takes. */
#include "template_roles.h"

#include "room_codes_private.h"

int roomcode_template_roles(roomcode_table *t, sqlite3_value *room, sqlite3_stmt **stmt,
                            char **msg) {
    char *sql = sqlite3_mprintf("SELECT json_group_array(role) FROM (SELECT p.role FROM"
                                " \"%w\".\"%w_rooms\" AS r JOIN \"%w\".\"%w_templates\" AS p"
                                " ON p.template = r.template WHERE r.room_id = ?1"
                                " ORDER BY p.role)",
                                t->schema, t->name, t->schema, t->name);
    int rc = sql ? sqlite3_prepare_v2(t->db, sql, -1, stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(*stmt, 1, room);
    if (rc == SQLITE_OK && sqlite3_step(*stmt) != SQLITE_ROW)
        rc = sqlite3_errcode(t->db);
    if (rc != SQLITE_OK) {
        /* a table of 1.2.0 not given its templates yet has no registered room */
        if (sqlite3_errcode(t->db) != SQLITE_ERROR) {
            *msg = roomcode_db_message(t->db);
            return rc;
        }
    } else if (sqlite3_column_bytes(*stmt, 0) > 2) {
        return SQLITE_OK; /* not "[]" */
    }
    char *q = roomcode_describe(room);
    rc = roomcode_refuse(msg, q ? sqlite3_mprintf("roomcode: room %s has no template: give"
                                                  " roomcode_create its roles",
                                                  q)
                                : 0);
    sqlite3_free(q);
    return rc;
}
