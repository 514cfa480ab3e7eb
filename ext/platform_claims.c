/*
 * LiveKit and Jitsi token payloads, written in one pass into a buffer sized from an upper
 * bound, as token.c writes 100ms's. Claim order follows each platform's own SDK examples;
 * no verifier depends on it.
 */
#include "platform_claims.h"

#include <string.h>

#include "token.h"

#define ROOMCODE_JITSI_MAX_ROOM 256 /* bytes, as every stored name */
/* Text around the values, generously: the longest frame plus every number. */
#define LIVEKIT_FRAME                                                                              \
    "{\"iss\":\"\",\"sub\":\"\",\"nbf\":,\"exp\":,\"video\":{\"room\":\"\",\"roomJoin\":true,"     \
    "\"canPublish\":false,\"canSubscribe\":false,\"canPublishData\":false,"                        \
    "\"roomAdmin\":false,\"hidden\":false},\"attributes\":{\"role\":\"\"},\"name\":\"\"}"
#define JITSI_FRAME                                                                                \
    "{\"iss\":\"\",\"aud\":\"\",\"sub\":\"\",\"room\":\"\",\"nbf\":,\"exp\":,"                     \
    "\"moderator\":false,\"context\":{\"user\":{\"id\":\"\",\"name\":\"\","                        \
    "\"moderator\":\"false\",\"affiliation\":\"member\"}}}"

static char *put(char *d, const char *s) {
    size_t n = strlen(s);
    memcpy(d, s, n);
    return d + n;
}

static const char *boolean(int v) { return v ? "true" : "false"; }

/* A string claim's body; NULL (with *bad) when s is not valid UTF-8. */
static char *put_string(char *d, const char *s, const char *claim, const char **bad) {
    char *end = d ? roomcode_json_string_body(d, s) : 0;
    if (d && !end)
        *bad = claim;
    return end;
}

size_t roomcode_livekit_json_max(size_t name_bytes) {
    return sizeof LIVEKIT_FRAME + 2 * ROOMCODE_INT64_DIGITS + ROOMCODE_JSON_ESCAPE_MAX * name_bytes;
}

size_t roomcode_livekit_json(char *out, const roomcode_livekit_claims *c, const char **bad) {
    char *d = put(out, "{\"iss\":\"");
    d = put_string(d, c->api_key, "api_key", bad);
    d = d ? put_string(put(d, "\",\"sub\":\""), c->identity, "identity", bad) : 0;
    if (d) {
        d = roomcode_put_int(put(d, "\",\"nbf\":"), c->nbf);
        d = roomcode_put_int(put(d, ",\"exp\":"), roomcode_add_saturating(c->nbf, c->ttl));
        d = put_string(put(d, ",\"video\":{\"room\":\""), c->room, "room_id", bad);
    }
    if (d) {
        d = put(d, "\",\"roomJoin\":true,\"canPublish\":");
        d = put(d, boolean(c->perm.publish));
        d = put(put(d, ",\"canSubscribe\":"), boolean(c->perm.subscribe));
        d = put(put(d, ",\"canPublishData\":"), boolean(c->perm.publish_data));
        d = put(put(d, ",\"roomAdmin\":"), boolean(c->perm.admin));
        d = put(put(d, ",\"hidden\":"), boolean(c->perm.hidden));
        /* Attributes are what LiveKit shows other participants of a participant. */
        d = put_string(put(d, "},\"attributes\":{\"role\":\""), c->role, "role", bad);
    }
    if (d)
        d = put(d, "\"}");
    /* LiveKit shows the name to other participants; the identity stays the key. */
    if (d && c->name) {
        d = put_string(put(d, ",\"name\":\""), c->name, "name", bad);
        d = d ? put(d, "\"") : 0;
    }
    if (!d) {
        out[0] = '\0';
        return 0;
    }
    d = put(d, "}");
    *d = '\0';
    return (size_t)(d - out);
}

size_t roomcode_jitsi_room_name(char *out, const char *room_id) {
    static const char hex[] = "0123456789abcdef";
    char *d = out;
    for (const unsigned char *p = (const unsigned char *)room_id; *p; p++) {
        unsigned char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        /* encodeURIComponent keeps letters, digits and - _ . ! ~ * ' ( ) */
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.!~*'()", c)) {
            *d++ = (char)c;
        } else {
            d[0] = '%';
            d[1] = hex[c >> 4];
            d[2] = hex[c & 15];
            d += 3;
        }
    }
    *d = '\0';
    return (size_t)(d - out);
}

size_t roomcode_jitsi_json_max(size_t name_bytes) {
    /* the app id twice, the room name percent-encoded (3 ASCII bytes a byte) */
    return sizeof JITSI_FRAME + 2 * ROOMCODE_INT64_DIGITS +
           2 * ROOMCODE_JSON_ESCAPE_MAX * name_bytes;
}

size_t roomcode_jitsi_json(char *out, const roomcode_jitsi_claims *c, const char **bad) {
    char *d = put(out, "{\"iss\":\"");
    d = put_string(d, c->app_id, "app_id", bad);
    d = d ? put_string(put(d, "\",\"aud\":\""), c->app_id, "app_id", bad) : 0;
    d = d ? put_string(put(d, "\",\"sub\":\""), c->domain, "domain", bad) : 0;
    if (d) {
        /* The room_id must be valid UTF-8, as every claim; its name is ASCII, which the
         * string writer then escapes as any claim ('~' included, kept by encodeURIComponent). */
        char name[3 * ROOMCODE_JITSI_MAX_ROOM + 1];
        if (strlen(c->room_id) > ROOMCODE_JITSI_MAX_ROOM ||
            !roomcode_json_string_body(d, c->room_id)) {
            *bad = "room_id";
            d = 0;
        } else {
            roomcode_jitsi_room_name(name, c->room_id);
            d = put_string(put(d, "\",\"room\":\""), name, "room_id", bad);
        }
    }
    if (d) {
        d = roomcode_put_int(put(d, "\",\"nbf\":"), c->nbf);
        d = roomcode_put_int(put(d, ",\"exp\":"), roomcode_add_saturating(c->nbf, c->ttl));
        /* top-level moderator: read by token moderation modules; context.user.moderator
         * (a string, as 8x8's and presence_identity's readers want) and affiliation: read
         * by Jitsi's token affiliation modules */
        d = put(put(d, ",\"moderator\":"), boolean(c->moderator));
        d = put_string(put(d, ",\"context\":{\"user\":{\"id\":\""), c->user_id, "user_id", bad);
    }
    /* the name Jitsi shows for the participant */
    if (d && c->name)
        d = put_string(put(d, "\",\"name\":\""), c->name, "name", bad);
    if (!d) {
        out[0] = '\0';
        return 0;
    }
    d = put(put(d, "\",\"moderator\":\""), boolean(c->moderator));
    d = put(put(d, "\",\"affiliation\":\""), c->moderator ? "owner" : "member");
    d = put(d, "\"}}}");
    *d = '\0';
    return (size_t)(d - out);
}
