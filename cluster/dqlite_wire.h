/*
 * The few requests of dqlite's client wire protocol (version 1) that a node needs for
 * itself: find the leader, list the cluster, add a node, assign it a role, and transfer
 * leadership. libdqlite 1.11 ships no client API in C, so they are spoken here directly.
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

#endif
