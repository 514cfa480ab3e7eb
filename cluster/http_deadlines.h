/*
 * Deadlines for HTTP connections that libmicrohttpd lacks: it times a connection out only
 * on inactivity, so a client that sends a byte now and then could hold one for ever. As
 * the Node endpoint does, a request's headers must arrive within a few seconds and the
 * whole request within a few more; a watchdog thread shuts down the socket of a
 * connection past its deadline, and libmicrohttpd then closes it. The same list keeps the
 * cap on connections in all.
 */
#ifndef ROOMCODE_HTTP_DEADLINES_H
#define ROOMCODE_HTTP_DEADLINES_H

typedef struct deadline_conn deadline_conn;

/* Starts the watchdog: headers_ms for headers (and for an idle kept-alive connection's
 * next headers), request_ms for a request from its first byte to its answer. */
int deadlines_start(long headers_ms, long request_ms);
void deadlines_stop(void);

/* A new connection on socket fd, waiting for its headers; NULL when out of memory. When
 * more than cap connections are open, the oldest one waiting for headers (idle, or still
 * sending them) is shut down to make room, as the Node endpoint does: a crowd of
 * half-sent requests cannot keep everyone else out. With none waiting, the new one is. */
deadline_conn *deadlines_open(int fd, int cap);
/* Its headers are in: the request deadline runs from when they began. */
void deadlines_request(deadline_conn *d);
/* Its request is answered: waiting for the next headers from now. */
void deadlines_idle(deadline_conn *d);
/* The connection is closed (by libmicrohttpd, which then closes fd). */
void deadlines_close(deadline_conn *d);

#endif
