/*
 * The payloads of the tokens other video platforms accept for a room code: a LiveKit access
 * token and the JWT of Jitsi Meet's token authentication. Pure code, no SQLite: the SQL
 * side (platform_token_sql.c) looks the code up and signs what these write through the
 * one signing path of token.h. Strings are written as roomcode_token's claims are: ASCII
 * JSON, UTF-8 checked.
 */
#ifndef ROOMCODE_PLATFORM_CLAIMS_H
#define ROOMCODE_PLATFORM_CLAIMS_H

#include <stddef.h>
#include <stdint.h>

/* A role's permissions, each 0 or 1 (docs/platforms.md says what each grants). */
typedef struct roomcode_permissions {
    int publish, subscribe, publish_data, admin, hidden;
} roomcode_permissions;

typedef struct roomcode_livekit_claims {
    const char *api_key; /* UTF-8, NUL-terminated, like the three below */
    const char *identity;
    const char *room;
    const char *role;
    int64_t nbf; /* unix seconds */
    int64_t ttl; /* exp = nbf + ttl, saturating */
    roomcode_permissions perm;
    const char *name; /* the display name, or NULL for none */
} roomcode_livekit_claims;

typedef struct roomcode_jitsi_claims {
    const char *app_id; /* iss and aud */
    const char *user_id;
    const char *domain;  /* sub */
    const char *room_id; /* written as Jitsi names the room (roomcode_jitsi_room_name) */
    int64_t nbf;
    int64_t ttl;
    int moderator;
    const char *name; /* context.user.name, or NULL for none */
} roomcode_jitsi_claims;

/* The most bytes a payload takes, its NUL included, for claims whose strings hold
 * name_bytes bytes together. */
size_t roomcode_livekit_json_max(size_t name_bytes);
size_t roomcode_jitsi_json_max(size_t name_bytes);

/* Write the payload JSON and a NUL into out and return its length; 0 when a string is
 * not valid UTF-8, with *bad naming its claim. */
size_t roomcode_livekit_json(char *out, const roomcode_livekit_claims *c, const char **bad);
size_t roomcode_jitsi_json(char *out, const roomcode_jitsi_claims *c, const char **bad);

/*
 * The room name Jitsi Meet compares a token's room with: its client lowercases the room
 * name and percent-encodes it as encodeURIComponent does (lowercase hex), and prosody
 * lowercases the claim. Writes it and a NUL into out (3 bytes per byte of room_id, and
 * one), returns its length. Only ASCII letters are lowercased here: Jitsi also lowercases
 * other letters and applies NFKC, so a room_id with non-ASCII letters should be stored in
 * that form already (docs/platforms.md).
 */
size_t roomcode_jitsi_room_name(char *out, const char *room_id);

#endif
