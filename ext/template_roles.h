/*
 * The roles of a registered room's template, for roomcode_create(room_id) called with its
 * roles left out.
 */
#ifndef ROOMCODE_TEMPLATE_ROLES_H
#define ROOMCODE_TEMPLATE_ROLES_H

#include "room_codes_table.h"

/*
 * Steps a new statement of t whose column 0 is the JSON array of the roles of room's
 * template, in role order; finalize it when done with the value. A room that is not
 * registered is a refusal with *msg naming it.
 */
int roomcode_template_roles(roomcode_table *t, sqlite3_value *room, sqlite3_stmt **stmt,
                            char **msg);

#endif
