/*
 * The storage's constants, set here only: the build fills them into the SQL of sql/
 * ({cap}, {max_name_bytes}; sql/to_c.awk), and the C checks that give the full
 * messages before the store's own rules would refuse use the same values.
 */
#ifndef ROOMCODE_STORE_LIMITS_H
#define ROOMCODE_STORE_LIMITS_H

/* The most codes a room may hold, enabled and disabled together. */
#define ROOMCODE_MAX_PER_ROOM 100

/* The longest room_id, role or user_id, in UTF-8 bytes. */
#define ROOMCODE_MAX_NAME_BYTES 256

/* A constant above as text, for messages. */
#define ROOMCODE_TEXT_OF(x) ROOMCODE_TEXT_OF_(x)
#define ROOMCODE_TEXT_OF_(x) #x

#endif
