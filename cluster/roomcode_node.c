/*
 * roomcode-node: a dqlite node with the roomcode extension built in. The extension is
 * registered with sqlite3_auto_extension before the node exists, so every connection
 * dqlite opens (the leader's, and a follower's once it leads) has the room_codes module
 * and the functions. dqlite replicates WAL pages, so codes are drawn, and the store's
 * triggers run, on the leader only; followers receive the resulting pages.
 *
 * Node 1 bootstraps a cluster; any other node joins one through a client request to its
 * leader (ADD, then ASSIGN as a voter), since dqlite's shell cannot add nodes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dqlite.h>
#include <sqlite3.h>

#include "dqlite_wire.h"
#include "join_http.h"
#include "join_service.h"

/* The extension's entry point, linked in from ext/ compiled with SQLITE_CORE. */
int sqlite3_roomcode_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);

#define MAX_JOIN 16
#define WIRE_TIMEOUT_MS 5000
#define HANDOVER_TIMEOUT_MS 3000

typedef struct options {
    unsigned long long id;
    const char *address;
    const char *dir;
    const char *join[MAX_JOIN];
    int n_join;
    long latency_ms;
    long join_timeout_s;
    const char *http;     /* where the join endpoint listens, or NULL */
    const char *database; /* the database the join endpoint uses */
} options;

/* The default round trip: dqlite elects a new leader after 15 times it of silence (150 to
 * 300 ms here), so a lost leader is replaced within a second on loopback or a LAN. dqlite's
 * own default takes 5 to 10 s. On a WAN, give --latency-ms the real round trip. */
#define DEFAULT_LATENCY_MS 10

static const char usage_text[] =
    "usage: roomcode-node --id N --address HOST:PORT --dir PATH [--join HOST:PORT]...\n"
    "                     [--latency-ms MS] [--join-timeout SECONDS]\n"
    "                     [--http HOST:PORT [--database NAME]]\n"
    "  --id N             this node's id, a whole number from 1; node 1 starts a new cluster\n"
    "  --address A        where this node listens and other nodes reach it: an IPv4\n"
    "                     address and a port (127.0.0.1:9001)\n"
    "  --dir PATH         this node's data folder (created with its parents if missing)\n"
    "  --join A           a node of the cluster to join through, HOST:PORT (repeat for\n"
    "                     several)\n"
    "  --latency-ms MS    typical network round trip; dqlite derives its election timeouts\n"
    "                     from it (default 10: a new leader within a second on a LAN)\n"
    "  --join-timeout S   how long to keep trying to join (default 30)\n"
    "  --http A           serve the join endpoint (POST) and GET /healthz on HOST:PORT;\n"
    "                     ROOMCODE_ACCESS_KEY and ROOMCODE_APP_SECRET must be set\n"
    "  --database NAME    the cluster's database the endpoint uses (default roomcode)\n";

static int usage_error(const char *fmt, const char *value) {
    fprintf(stderr, "roomcode-node: ");
    fprintf(stderr, fmt, value);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

static int parse_whole(const char *text, unsigned long long min, unsigned long long max,
                       unsigned long long *out) {
    if (!*text || !isdigit((unsigned char)text[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* HOST:PORT or [HOST]:PORT with a port from 1 to 65535. */
static int valid_address(const char *a) {
    const char *colon = a[0] == '[' ? strstr(a, "]:") : strrchr(a, ':');
    if (!colon || colon == a)
        return 0;
    const char *port = colon + (a[0] == '[' ? 2 : 1);
    unsigned long long p;
    return parse_whole(port, 1, 65535, &p) == 0;
}

/* dqlite 1.11 takes a node's address as a dotted IPv4 address only (it neither resolves
 * names nor speaks IPv6), and fails on anything else without a message. */
static int ipv4_address(const char *a) {
    const char *colon = strrchr(a, ':');
    char host[64];
    struct in_addr ip;
    size_t n = colon ? (size_t)(colon - a) : 0;
    if (a[0] == '[' || !colon || n == 0 || n >= sizeof host)
        return 0;
    memcpy(host, a, n);
    host[n] = 0;
    return inet_pton(AF_INET, host, &ip) == 1;
}

static int parse_options(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    o->join_timeout_s = 30;
    o->latency_ms = DEFAULT_LATENCY_MS;
    o->database = "roomcode";
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (!strcmp(flag, "--help") || !strcmp(flag, "-h")) {
            fputs(usage_text, stdout);
            exit(0);
        }
        int known = !strcmp(flag, "--id") || !strcmp(flag, "--address") || !strcmp(flag, "--dir") ||
                    !strcmp(flag, "--join") || !strcmp(flag, "--latency-ms") ||
                    !strcmp(flag, "--join-timeout") || !strcmp(flag, "--http") ||
                    !strcmp(flag, "--database");
        if (!known)
            return usage_error("unknown argument '%s'", flag);
        if (i + 1 >= argc)
            return usage_error("%s needs a value", flag);
        const char *value = argv[++i];
        unsigned long long v;
        if (!strcmp(flag, "--id")) {
            if (parse_whole(value, 1, ULLONG_MAX, &v) != 0)
                return usage_error("--id must be a whole number from 1, not '%s'", value);
            o->id = v;
        } else if (!strcmp(flag, "--address")) {
            if (!valid_address(value))
                return usage_error("--address must be HOST:PORT with a port from 1 to 65535, "
                                   "not '%s'",
                                   value);
            if (!ipv4_address(value))
                return usage_error("--address must be an IPv4 address and a port (dqlite 1.11 "
                                   "neither resolves host names nor speaks IPv6), not '%s'",
                                   value);
            o->address = value;
        } else if (!strcmp(flag, "--http")) {
            if (!valid_address(value))
                return usage_error("--http must be HOST:PORT with a port from 1 to 65535, "
                                   "not '%s'",
                                   value);
            o->http = value;
        } else if (!strcmp(flag, "--database")) {
            if (!*value || strlen(value) > 200)
                return usage_error("--database must be a name of 1 to 200 bytes, not '%s'", value);
            o->database = value;
        } else if (!strcmp(flag, "--dir")) {
            if (!*value)
                return usage_error("--dir must not be empty%s", "");
            o->dir = value;
        } else if (!strcmp(flag, "--join")) {
            /* only this node connects there, and it resolves names */
            if (!valid_address(value))
                return usage_error("--join must be HOST:PORT with a port from 1 to 65535, "
                                   "not '%s'",
                                   value);
            if (o->n_join == MAX_JOIN)
                return usage_error("at most 16 --join addresses, not more (at '%s')", value);
            o->join[o->n_join++] = value;
        } else if (!strcmp(flag, "--latency-ms")) {
            if (parse_whole(value, 1, 60000, &v) != 0)
                return usage_error("--latency-ms must be a whole number from 1 to 60000, "
                                   "not '%s'",
                                   value);
            o->latency_ms = (long)v;
        } else {
            if (parse_whole(value, 1, 3600, &v) != 0)
                return usage_error("--join-timeout must be a whole number of seconds from 1 "
                                   "to 3600, not '%s'",
                                   value);
            o->join_timeout_s = (long)v;
        }
    }
    if (!o->id)
        return usage_error("--id is required%s", "");
    if (!o->address)
        return usage_error("--address is required%s", "");
    if (!o->dir)
        return usage_error("--dir is required%s", "");
    if (o->id == 1 && o->n_join > 0)
        return usage_error("node 1 starts a new cluster and cannot join one: give the joining "
                           "node another --id%s",
                           "");
    return 0;
}

/* Whether this data folder already holds a node's Raft state (its metadata files). */
static int has_raft_state(const char *dir) {
    char path[PATH_MAX];
    struct stat st;
    for (int i = 1; i <= 2; i++) {
        snprintf(path, sizeof path, "%s/metadata%d", dir, i);
        if (stat(path, &st) == 0)
            return 1;
    }
    return 0;
}

/* mkdir -p: the folder and any missing parents; an existing folder is fine. */
static int make_dirs(const char *dir) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int env_whole(const char *name, long long fallback, long long min, long long max,
                     long long *out) {
    const char *raw = getenv(name);
    unsigned long long v;
    if (!raw || !*raw) {
        *out = fallback;
        return 0;
    }
    if (parse_whole(raw, (unsigned long long)min, (unsigned long long)max, &v) != 0) {
        fprintf(stderr, "roomcode-node: %s must be a whole number from %lld to %lld, not '%s'\n",
                name, min, max, raw);
        return -1;
    }
    *out = (long long)v;
    return 0;
}

/* A setting the endpoint cannot do without. */
static const char *required_env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "roomcode-node: --http needs %s in the environment\n", name);
        return NULL;
    }
    return v;
}

/* A LiveKit server URL: ws, wss, http or https, with a host. */
static int livekit_url_ok(const char *u) {
    static const char *const schemes[] = {"ws://", "wss://", "http://", "https://"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if (!strncasecmp(u, schemes[i], n))
            return u[n] && u[n] != '/' && u[n] != ':' && !strpbrk(u, " \t\r\n");
    }
    return 0;
}

/* A Jitsi domain: a host name (labels of letters, digits and inner hyphens, at most 253
 * characters), an optional :port, as Jitsi's sub claim and meeting URLs carry it. */
static int jitsi_domain_ok(const char *d) {
    const char *colon = strchr(d, ':');
    size_t host = colon ? (size_t)(colon - d) : strlen(d);
    if (host == 0 || host > 253)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < host; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.') {
            if (label == 0 || d[i - 1] == '-')
                return 0;
            label = 0;
        } else if (isalnum(c) || (c == '-' && label > 0)) {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    if (label == 0 || d[host - 1] == '-')
        return 0;
    if (!colon)
        return 1;
    size_t digits = strlen(colon + 1);
    return digits >= 1 && digits <= 5 && strspn(colon + 1, "0123456789") == digits;
}

/* The join endpoint's settings, from the environment with the Node endpoint's names. The
 * secret is copied and removed from the environment: nothing started later inherits it. */
static int join_settings(const options *o, join_config *jc, join_http_settings *hs) {
    const char *platform = getenv("ROOMCODE_PLATFORM");
    if (!platform || !*platform || !strcmp(platform, "100ms")) {
        jc->platform = JOIN_100MS;
    } else if (!strcmp(platform, "livekit")) {
        jc->platform = JOIN_LIVEKIT;
    } else if (!strcmp(platform, "jitsi")) {
        jc->platform = JOIN_JITSI;
    } else {
        fprintf(stderr,
                "roomcode-node: ROOMCODE_PLATFORM must be one of 100ms, livekit, jitsi, not '%s'\n",
                platform);
        return -1;
    }
    const char *secret = required_env("ROOMCODE_APP_SECRET");
    const char *key =
        required_env(jc->platform == JOIN_JITSI ? "ROOMCODE_APP_ID" : "ROOMCODE_ACCESS_KEY");
    if (!secret || !key)
        return -1;
    memset(hs, 0, sizeof *hs);
    if (jc->platform == JOIN_LIVEKIT) {
        hs->livekit_url = required_env("ROOMCODE_LIVEKIT_URL");
        if (!hs->livekit_url)
            return -1;
        if (!livekit_url_ok(hs->livekit_url)) {
            fprintf(stderr,
                    "roomcode-node: ROOMCODE_LIVEKIT_URL must be a ws, wss, http or https URL of "
                    "your LiveKit server, not '%s'\n",
                    hs->livekit_url);
            return -1;
        }
    } else if (jc->platform == JOIN_JITSI) {
        jc->jitsi_domain = hs->jitsi_domain = required_env("ROOMCODE_JITSI_DOMAIN");
        if (!jc->jitsi_domain)
            return -1;
        if (!jitsi_domain_ok(jc->jitsi_domain)) {
            fprintf(stderr,
                    "roomcode-node: ROOMCODE_JITSI_DOMAIN must be the host name of your Jitsi Meet "
                    "(meet.example.com), not '%s'\n",
                    jc->jitsi_domain);
            return -1;
        }
    }
    long long ttl, limit, window, conns, per_address;
    if (env_whole("ROOMCODE_TTL_SECONDS", 0, 1, 366 * 86400, &ttl) != 0 ||
        env_whole("ROOMCODE_MAX_FAILURES", 10, 1, 1000000000, &limit) != 0 ||
        env_whole("ROOMCODE_FAILURE_WINDOW", 60, 1, 86400 * 366, &window) != 0 ||
        env_whole("ROOMCODE_MAX_CONNECTIONS", 1000, 1, 10000, &conns) != 0 ||
        env_whole("ROOMCODE_MAX_CONNECTIONS_PER_ADDRESS", 50, 1, 10000, &per_address) != 0)
        return -1;
    hs->address = o->http;
    hs->cors_origin = getenv("ROOMCODE_CORS_ORIGIN");
    if (!hs->cors_origin || !*hs->cors_origin)
        hs->cors_origin = "*";
    const char *trust = getenv("ROOMCODE_TRUST_PROXY");
    hs->trust_proxy = trust && !strcmp(trust, "1");
    hs->max_connections = (int)conns;
    hs->max_per_address = (int)per_address;
    jc->self = o->address;
    jc->database = o->database;
    jc->access_key = key;
    jc->app_secret = strdup(secret);
    jc->ttl_seconds = ttl;
    jc->max_failures = (long)limit;
    jc->failure_window = (long)window;
    if (!jc->app_secret)
        return -1;
    unsetenv("ROOMCODE_APP_SECRET");
    return 0;
}

/* Registers roomcode for every connection of this process and checks, on a connection of
 * its own, that it loads (SQLite version, libsodium), before any node exists. */
static int register_extension(char *version, size_t cap) {
    int rc = sqlite3_auto_extension((void (*)(void))sqlite3_roomcode_init);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "roomcode-node: sqlite3_auto_extension failed: %s\n", sqlite3_errstr(rc));
        return -1;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT roomcode_version()", -1, &stmt, NULL);
    if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        snprintf(version, cap, "%s", (const char *)sqlite3_column_text(stmt, 0));
    else
        fprintf(stderr, "roomcode-node: the roomcode extension did not load: %s\n",
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    int ok = rc == SQLITE_OK && stmt != NULL;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return ok ? 0 : -1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to ms for SIGTERM or SIGINT (blocked in every thread); returns the signal, or
 * 0 when none came. */
static int wait_signal(const sigset_t *stop, long ms) {
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    int sig;
    do
        sig = sigtimedwait(stop, NULL, &t);
    while (sig < 0 && errno == EINTR);
    return sig > 0 ? sig : 0;
}

typedef enum { JOIN_DONE, JOIN_RETRY, JOIN_FATAL } join_result;

/* One attempt through one known node: ask it for the leader, then ask the leader to add
 * this node (unless it has it already) and make it a voter. */
static join_result join_through(const options *o, const char *via, char *err, size_t cap) {
    wire_conn c;
    uint64_t leader_id;
    char leader[WIRE_ADDRESS_MAX];
    if (wire_connect(&c, via, WIRE_TIMEOUT_MS) != 0 ||
        wire_leader(&c, &leader_id, leader, sizeof leader) != 0) {
        snprintf(err, cap, "%s: %s", via, c.err);
        wire_close(&c);
        return JOIN_RETRY;
    }
    wire_close(&c);
    if (leader_id == 0 || !leader[0]) {
        snprintf(err, cap, "%s knows no leader yet", via);
        return JOIN_RETRY;
    }
    if (wire_connect(&c, leader, WIRE_TIMEOUT_MS) != 0) {
        snprintf(err, cap, "leader %s: %s", leader, c.err);
        return JOIN_RETRY;
    }
    static wire_server servers[WIRE_SERVERS_MAX];
    int n = 0;
    if (wire_cluster(&c, servers, WIRE_SERVERS_MAX, &n) != 0) {
        snprintf(err, cap, "leader %s: %s", leader, c.err);
        wire_close(&c);
        return JOIN_RETRY;
    }
    const wire_server *self = NULL;
    for (int i = 0; i < n; i++) {
        if (servers[i].id == o->id) {
            self = &servers[i];
        } else if (!strcmp(servers[i].address, o->address)) {
            snprintf(err, cap, "address %s belongs to node %" PRIu64 " of the cluster, not to %llu",
                     o->address, servers[i].id, o->id);
            wire_close(&c);
            return JOIN_FATAL;
        }
    }
    if (self && strcmp(self->address, o->address) != 0) {
        snprintf(err, cap, "node %llu is already in the cluster at %s, not at %s", o->id,
                 self->address, o->address);
        wire_close(&c);
        return JOIN_FATAL;
    }
    if (self && self->role == WIRE_ROLE_VOTER) {
        wire_close(&c);
        return JOIN_DONE;
    }
    if (!self && wire_add(&c, o->id, o->address) != 0) {
        snprintf(err, cap, "leader %s refused to add node %llu: %s", leader, o->id, c.err);
        wire_close(&c);
        return JOIN_RETRY;
    }
    /* The leader catches this node up before it counts as a voter, then answers. */
    if (wire_assign(&c, o->id, WIRE_ROLE_VOTER) != 0) {
        snprintf(err, cap, "leader %s did not make node %llu a voter: %s", leader, o->id, c.err);
        wire_close(&c);
        return JOIN_RETRY;
    }
    wire_close(&c);
    return JOIN_DONE;
}

/* Keeps trying every --join address until one attempt succeeds, a fatal answer comes, the
 * time runs out, or a stop signal arrives (returned in *sig). A node restarting with its
 * state is a member already: it tries once, to make sure it is a voter, and runs on if no
 * leader answers (the whole cluster may be restarting with it). */
static int join_cluster(const options *o, int member, const sigset_t *stop, int *sig) {
    char err[1024] = "";
    double deadline = now_s() + (double)o->join_timeout_s;
    for (;;) {
        for (int i = 0; i < o->n_join; i++) {
            join_result r = join_through(o, o->join[i], err, sizeof err);
            if (r == JOIN_DONE)
                return 0;
            if (r == JOIN_FATAL) {
                fprintf(stderr, "roomcode-node: cannot join: %s\n", err);
                return -1;
            }
        }
        if (member) {
            fprintf(stderr,
                    "roomcode-node: runs on as the member its folder says it is; could not "
                    "confirm it is a voter: %s\n",
                    err);
            return 0;
        }
        if (now_s() >= deadline) {
            fprintf(stderr, "roomcode-node: could not join in %ld s; last error: %s\n",
                    o->join_timeout_s, err);
            return -1;
        }
        *sig = wait_signal(stop, 250);
        if (*sig)
            return -1;
    }
}

static int by_id(const void *a, const void *b) {
    const wire_server *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* When this node leads, hands leadership to another voter so the cluster need not wait
 * for an election timeout. It tries the voters in id order starting after its own id
 * (wrapping), so which node takes over is predictable; one that does not answer is
 * skipped. Best effort: if none takes it, an election happens as after a crash. */
static void hand_over(const options *o) {
    wire_conn c;
    uint64_t leader_id = 0;
    char leader[WIRE_ADDRESS_MAX];
    if (wire_connect(&c, o->address, HANDOVER_TIMEOUT_MS) != 0 ||
        wire_leader(&c, &leader_id, leader, sizeof leader) != 0 || leader_id != o->id) {
        wire_close(&c);
        return;
    }
    static wire_server servers[WIRE_SERVERS_MAX];
    int n = 0;
    if (wire_cluster(&c, servers, WIRE_SERVERS_MAX, &n) != 0) {
        fprintf(stderr, "roomcode-node: no handover: %s\n", c.err);
        wire_close(&c);
        return;
    }
    qsort(servers, (size_t)n, sizeof servers[0], by_id);
    int start = 0;
    while (start < n && servers[start].id <= o->id)
        start++;
    for (int k = 0; k < n; k++) {
        const wire_server *s = &servers[(start + k) % n];
        if (s->id == o->id || s->role != WIRE_ROLE_VOTER)
            continue;
        if (c.fd < 0 && wire_connect(&c, o->address, HANDOVER_TIMEOUT_MS) != 0)
            break;
        if (wire_transfer(&c, s->id) == 0) {
            fprintf(stderr, "roomcode-node: node %llu handed leadership to node %" PRIu64 "\n",
                    o->id, s->id);
            wire_close(&c);
            return;
        }
        fprintf(stderr, "roomcode-node: handover to node %" PRIu64 " failed: %s\n", s->id, c.err);
        /* a failed transfer may leave the connection mid-answer: start afresh */
        wire_close(&c);
    }
    wire_close(&c);
}

int main(int argc, char **argv) {
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0)
        return rc;
    int member = has_raft_state(o.dir);
    if (o.id != 1 && o.n_join == 0 && !member) {
        fprintf(stderr,
                "roomcode-node: node %llu has no state in '%s' and no --join: only node 1 "
                "starts a new cluster; give --join HOST:PORT of a running node\n",
                o.id, o.dir);
        return 2;
    }
    static join_config jc;
    static join_http_settings hs;
    if (o.http && join_settings(&o, &jc, &hs) != 0)
        return 2;
    if (make_dirs(o.dir) != 0) {
        fprintf(stderr, "roomcode-node: cannot create --dir '%s': %s\n", o.dir, strerror(errno));
        return 1;
    }

    /* A follower writing to a leader that just died must get EPIPE, not die of SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    /* Blocked before dqlite starts its thread, which inherits the mask: only this thread
     * takes SIGTERM and SIGINT, through sigtimedwait. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    char version[32] = "";
    if (register_extension(version, sizeof version) != 0)
        return 1;

    wire_conn probe;
    if (wire_check_listen(&probe, o.address) != 0) {
        fprintf(stderr, "roomcode-node: %s\n", probe.err);
        return 1;
    }
    /* The endpoint listens before the node joins, so that a taken --http port stops the
     * node before it becomes a member; until the node serves, joins are answered 503. */
    if (o.http) {
        char err[512] = "";
        if (join_service_start(&jc) != 0 || join_http_start(&hs, err, sizeof err) != 0) {
            fprintf(stderr, "roomcode-node: %s\n", err);
            return 1;
        }
    }

    dqlite_node *node = NULL;
    rc = dqlite_node_create(o.id, o.address, o.dir, &node);
    if (rc != 0) {
        fprintf(stderr, "roomcode-node: cannot create node %llu: %s\n", o.id,
                node ? dqlite_node_errmsg(node) : "out of memory");
        dqlite_node_destroy(node);
        return 1;
    }
    rc = dqlite_node_set_bind_address(node, o.address);
    if (rc == 0)
        rc = dqlite_node_set_network_latency_ms(node, (unsigned)o.latency_ms);
    if (rc == 0)
        rc = dqlite_node_start(node);
    if (rc != 0) {
        fprintf(stderr, "roomcode-node: cannot start node %llu on %s: %s\n", o.id, o.address,
                dqlite_node_errmsg(node));
        dqlite_node_destroy(node);
        return 1;
    }

    int sig = 0;
    int status = 0;
    if (o.n_join > 0 && join_cluster(&o, member, &stop, &sig) != 0 && !sig) {
        status = 1;
    } else if (!sig) {
        printf("roomcode-node: node %llu ready on %s (roomcode %s, SQLite %s)", o.id, o.address,
               version, sqlite3_libversion());
        if (o.http)
            printf("; joins on http://%s", o.http);
        printf("\n");
        fflush(stdout);
        do
            sig = wait_signal(&stop, 3600 * 1000L);
        while (!sig);
    }
    if (o.http) {
        join_http_stop();
        join_service_stop();
    }
    if (sig)
        hand_over(&o);
    dqlite_node_stop(node);
    dqlite_node_destroy(node);
    if (jc.app_secret) {
        memset(jc.app_secret, 0, strlen(jc.app_secret));
        free(jc.app_secret);
    }
    if (sig && status == 0)
        fprintf(stderr, "roomcode-node: node %llu stopped (%s)\n", o.id,
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return status;
}
