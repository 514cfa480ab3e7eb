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
} join_http_settings;

/* Starts listening; on failure returns -1 with the reason in err. */
int join_http_start(const join_http_settings *settings, char *err, size_t err_cap);
void join_http_stop(void);

#endif
