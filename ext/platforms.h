/*
 * The functions that serve room codes to any video platform: roomcode_check and
 * roomcode_resolve (verdict_sql.c), roomcode_livekit_token and roomcode_jitsi_token
 * (platform_token_sql.c). Registered by the entry point; each takes its own reference to
 * conn.
 */
#ifndef ROOMCODE_PLATFORMS_H
#define ROOMCODE_PLATFORMS_H

#include "roomcode_internal.h"

int roomcode_register_verdict(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_platform_tokens(sqlite3 *db, roomcode_conn *conn);

#endif
