/*
 * roomcode-node's HTTP side (libmicrohttpd): the join endpoint's POST on every path, its
 * CORS preflight, and GET /healthz. The exchange itself is join_service.c's.
 */
#ifndef ROOMCODE_JOIN_HTTP_H
#define ROOMCODE_JOIN_HTTP_H

#include <stddef.h>

typedef struct join_http_settings {
    const char *address;     /* HOST:PORT to listen on */
    const char *cors_origin; /* "*" or one origin */
    int trust_proxy;         /* limit the address a proxy appended last to X-Forwarded-For */
    int max_connections;     /* in all */
    int max_per_address;     /* from one client address (none behind a proxy) */
    /* What a token is answered with, besides itself: LiveKit's server URL, or the Jitsi
     * domain whose meeting URL carries the token. NULL for 100ms: {"token"} alone. */
    const char *livekit_url;
    const char *jitsi_domain;
} join_http_settings;

/* Starts listening; on failure returns -1 with the reason in err. */
int join_http_start(const join_http_settings *settings, char *err, size_t err_cap);
void join_http_stop(void);

#endif
