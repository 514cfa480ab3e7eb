/*
 * The join endpoint's work on a cluster: exchange a room code for a token on the leader,
 * under a failure limit kept in the replicated database, so that every node answers the
 * same and moving between nodes resets nothing. Transport (HTTP) lives in join_http.c.
 */
#ifndef ROOMCODE_JOIN_SERVICE_H
#define ROOMCODE_JOIN_SERVICE_H

#include <stddef.h>
#include <stdint.h>

/* The video stack whose tokens the endpoint signs (ROOMCODE_PLATFORM). */
typedef enum { JOIN_100MS, JOIN_LIVEKIT, JOIN_JITSI } join_platform;

typedef struct join_config {
    join_platform platform;
    const char *jitsi_domain; /* Jitsi's domain claim (ROOMCODE_JITSI_DOMAIN) */
    const char *self;         /* this node's dqlite address: it names the leader */
    const char *database;     /* the database's name in the cluster */
    const char *access_key;
    char *app_secret;      /* wiped at exit */
    long long ttl_seconds; /* 0: roomcode_token's default */
    long max_failures;     /* failed exchanges at once per client address */
    long failure_window;   /* seconds in which max_failures are regained */
} join_config;

/* An answer: HTTP status, JSON body, and Retry-After seconds (0: none). */
typedef struct join_answer {
    int status;
    long retry_after;
    char token[4096]; /* the token of a 200 */
    char body[12288];
} join_answer;

/* Connections to the leader, shared by the threads that answer requests. */
int join_service_start(const join_config *config);
void join_service_stop(void);

/* A request of client (its limit key) on this node, from its arrival until it is decided:
 * it holds a try of the client's bucket meanwhile, as in the Node endpoint. */
typedef struct join_hold {
    int slot; /* -1: none */
    unsigned long long seq;
    char key[64];
} join_hold;

/* Counts the request in flight; returns -1 when too many requests are in flight. */
int join_take(join_hold *h, const char *client);
/* Ends the hold (again is harmless). */
void join_give_back(join_hold *h);

/* Exchanges code for user_id (NULL: none) for the request holding h. */
void join_exchange(const char *code, const char *user_id, join_hold *h, join_answer *out);

/* Whether this node can serve joins now: a leader known and the database answering. */
void join_health(join_answer *out);

/* Appends text to out as a JSON string (quotes included); returns 0, or -1 when it does
 * not fit. */
int join_json_string(char *out, size_t cap, const char *text);

#endif
