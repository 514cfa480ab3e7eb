/*
 * The few requests of dqlite's client wire protocol (version 1) that a node needs: find the
 * leader, list the cluster, add a node, assign it a role, transfer leadership, and run one
 * SQL statement with parameters on the leader (the join endpoint's work). libdqlite 1.11
 * ships no client API in C, so they are spoken here directly.
 * Every call is blocking with a bounded wait and reports a failure as text in the
 * connection's err.
 */
#ifndef ROOMCODE_DQLITE_WIRE_H
#define ROOMCODE_DQLITE_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Role codes of the protocol (DQLITE_VOTER ... in dqlite's protocol.h). */
#define WIRE_ROLE_VOTER 0
#define WIRE_ROLE_STANDBY 1
#define WIRE_ROLE_SPARE 2

#define WIRE_ADDRESS_MAX 256
#define WIRE_SERVERS_MAX 64

typedef struct wire_conn {
    int fd;
    uint64_t code; /* the node's error code of the last FAILURE answer, 0 for others */
    char err[512];
} wire_conn;

typedef struct wire_server {
    uint64_t id;
    char address[WIRE_ADDRESS_MAX];
    uint64_t role;
} wire_server;

/* Connects to a node at HOST:PORT (or [IPV6]:PORT) and sends the protocol version; every
 * later read or write on the connection waits at most timeout_ms. Returns 0 or -1. */
int wire_connect(wire_conn *c, const char *address, int timeout_ms);
void wire_close(wire_conn *c);
/* Whether this process could listen on address now; a node checks before it starts, since
 * dqlite reports a taken address without a message. Returns 0 or -1. */
int wire_check_listen(wire_conn *c, const char *address);

/* The leader this node knows of: id 0 and an empty address when it knows none. */
int wire_leader(wire_conn *c, uint64_t *id, char *address, size_t cap);
/* The cluster's configuration as the leader has it (fails on a follower). */
int wire_cluster(wire_conn *c, wire_server *servers, int cap, int *n);
/* The leader adds a node as a spare; ASSIGN then gives it a role, catching it up first
 * when the role is voter. */
int wire_add(wire_conn *c, uint64_t id, const char *address);
int wire_assign(wire_conn *c, uint64_t id, uint64_t role);
/* The leader hands leadership to voter id and answers once it has. */
int wire_transfer(wire_conn *c, uint64_t id);

/* A statement's parameter or a column of a row: SQLite's type codes (SQLITE_INTEGER 1,
 * SQLITE_FLOAT 2, SQLITE_TEXT 3, SQLITE_NULL 5). A number of a row is in both i and f. */
typedef struct wire_value {
    int type;
    int64_t i;
    double f;
    const char *text;
} wire_value;

#define WIRE_COLUMNS_MAX 8

/* The first row of a query's answer; texts point into store. */
typedef struct wire_row {
    int n; /* columns, 0 when the query gave no row */
    wire_value v[WIRE_COLUMNS_MAX];
    char store[8192];
} wire_row;

/* Opens database name on the connected node (the leader) and gives its id. */
int wire_open(wire_conn *c, const char *name, uint64_t *db);
/* Runs one statement with parameters; a failure's text and SQLite code are in c->err and
 * c->code. */
int wire_exec(wire_conn *c, uint64_t db, const char *sql, const wire_value *params, int n);
int wire_query(wire_conn *c, uint64_t db, const char *sql, const wire_value *params, int n,
               wire_row *row);

#endif
