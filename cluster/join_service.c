/*
 * The join endpoint's exchange, run on the cluster's leader over dqlite's client protocol,
 * whichever node took the request. It answers as examples/join-endpoint/server.js does:
 * the same statuses and messages, and the same failure limit (a token bucket per client
 * address), kept here in a replicated table so that it holds across nodes and failovers.
 *
 * Reads go as QUERY and writes as EXEC: dqlite 1.11 does not replicate a write sent as a
 * query. A failed QUERY reports its first column's name instead of SQLite's message, so a
 * refusal is read again with EXEC, which keeps the message.
 */
#include "join_service.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dqlite_wire.h"

#define POOL_MAX 64
#define CONNECT_TIMEOUT_MS 1000
/* How long a request waits for a leader (an election, a busy leader) before it is
 * answered 503 with Retry-After: dqlite's default election timeouts of roomcode-node elect
 * within about half of it on a LAN. */
#define LEADER_WAIT_MS 1500
#define SWEEP_EVERY 64

/* The leader's clock, in seconds with a fraction (unixepoch('subsec') needs SQLite 3.42). */
#define NOW "((julianday('now') - 2440587.5) * 86400.0)"

static const char failures_table[] = "CREATE TABLE IF NOT EXISTS roomcode_join_failures ("
                                     " client TEXT PRIMARY KEY,"
                                     " tokens REAL NOT NULL CHECK (tokens >= 0),"
                                     " at REAL NOT NULL"
                                     ") WITHOUT ROWID";

/* The bucket's tokens now (NULL when full: no row), then the token when the bucket holds a
 * try for each of the client's requests in flight on this node (?9), this one included. */
static const char exchange_sql[] =
    "SELECT t, CASE WHEN coalesce(t, ?5) >= ?9 THEN %s END FROM"
    " (SELECT (SELECT min(?5, tokens + (" NOW " - at) * ?6) FROM roomcode_join_failures"
    " WHERE client = ?7) AS t)";
/* One failure, taken from the bucket atomically on the leader; the CHECK refuses it when
 * the bucket holds less than one, which keeps the wait within window / limit. */
static const char charge_sql[] =
    "INSERT INTO roomcode_join_failures(client, tokens, at) VALUES (?1, ?2 - 1, " NOW ")"
    " ON CONFLICT(client) DO UPDATE SET tokens = min(?2, tokens + (" NOW " - at) * ?3) - 1,"
    " at = " NOW;
static const char bucket_sql[] =
    "SELECT min(?1, tokens + (" NOW " - at) * ?2) FROM roomcode_join_failures WHERE client = ?3";
/* A bucket untouched for a whole window is full again: its row says nothing. */
static const char sweep_sql[] = "DELETE FROM roomcode_join_failures WHERE at < " NOW " - ?1";

typedef struct slot {
    wire_conn c;
    uint64_t db;
    char leader[WIRE_ADDRESS_MAX];
} slot;

/* Requests undecided on this node, per client key: as in the Node endpoint, a request
 * holds one try of its client's bucket from its arrival until it is decided, and the first
 * to arrive go first, so that a burst sent at once cannot have more codes tried than the
 * bucket holds. Requests are capped at join_http.c's connection limit, so a small table
 * searched in full will do. */
#define IN_FLIGHT_MAX 1024
typedef struct flight {
    char key[64];
    unsigned long long seq; /* arrival order; 0: a free entry */
} flight;
static flight flights[IN_FLIGHT_MAX];
static unsigned long long arrivals;

static const join_config *cfg;
static char sql_exchange[1024], sql_token[256];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot *idle[POOL_MAX];
static int n_idle;
static char leader_now[WIRE_ADDRESS_MAX]; /* "" until known */
static unsigned long charges;

/* The platform's token function called with code ?1, user ?2, key ?3, secret ?4, then
 * Jitsi's domain as ?domain and the ttl as ?ttl when set. All three refuse a code in the
 * same words, so one table reads their refusals. */
static void token_call(char *out, size_t cap, int domain, int ttl) {
    static const char *const names[] = {"roomcode_token", "roomcode_livekit_token",
                                        "roomcode_jitsi_token"};
    char extra[32] = "", ttl_arg[16] = "";
    if (cfg->platform == JOIN_JITSI)
        snprintf(extra, sizeof extra, ", ?%d", domain);
    if (cfg->ttl_seconds > 0)
        snprintf(ttl_arg, sizeof ttl_arg, ", ?%d", ttl);
    snprintf(out, cap, "%s(?1, ?2, ?3, ?4%s%s)", names[cfg->platform], extra, ttl_arg);
}

int join_service_start(const join_config *config) {
    cfg = config;
    char call[128];
    token_call(call, sizeof call, 10, 8);
    snprintf(sql_exchange, sizeof sql_exchange, exchange_sql, call);
    token_call(call, sizeof call, 5, cfg->platform == JOIN_JITSI ? 6 : 5);
    snprintf(sql_token, sizeof sql_token, "SELECT %s", call);
    return 0;
}

void join_service_stop(void) {
    pthread_mutex_lock(&lock);
    while (n_idle > 0) {
        slot *s = idle[--n_idle];
        wire_close(&s->c);
        free(s);
    }
    pthread_mutex_unlock(&lock);
}

int join_take(join_hold *h, const char *client) {
    snprintf(h->key, sizeof h->key, "%s", client);
    h->slot = -1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < IN_FLIGHT_MAX; i++) {
        if (flights[i].seq == 0) {
            h->slot = i;
            h->seq = flights[i].seq = ++arrivals;
            snprintf(flights[i].key, sizeof flights[i].key, "%s", client);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return h->slot < 0 ? -1 : 0;
}

void join_give_back(join_hold *h) {
    pthread_mutex_lock(&lock);
    if (h->slot >= 0 && flights[h->slot].seq == h->seq)
        flights[h->slot].seq = 0;
    h->slot = -1;
    pthread_mutex_unlock(&lock);
}

/* 1 + the client's requests that arrived before h's and are still undecided. */
static int rank_of(const join_hold *h) {
    int n = 1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < IN_FLIGHT_MAX; i++) {
        if (flights[i].seq != 0 && flights[i].seq < h->seq && !strcmp(flights[i].key, h->key))
            n++;
    }
    pthread_mutex_unlock(&lock);
    return n;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms) {
    struct timespec t = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* Asks this node which node leads; "" when it knows none. */
static int find_leader(char *out, size_t cap, char *err, size_t err_cap) {
    wire_conn c;
    uint64_t id = 0;
    out[0] = 0;
    if (wire_connect(&c, cfg->self, CONNECT_TIMEOUT_MS) != 0 ||
        wire_leader(&c, &id, out, cap) != 0) {
        snprintf(err, err_cap, "this node (%s): %s", cfg->self, c.err);
        wire_close(&c);
        out[0] = 0;
        return -1;
    }
    wire_close(&c);
    if (id == 0 || !out[0]) {
        snprintf(err, err_cap, "no leader known");
        out[0] = 0;
        return -1;
    }
    return 0;
}

/* A connection to the current leader, from the pool or new. */
static slot *acquire(char *err, size_t err_cap) {
    char leader[WIRE_ADDRESS_MAX];
    pthread_mutex_lock(&lock);
    snprintf(leader, sizeof leader, "%s", leader_now);
    while (n_idle > 0) {
        slot *s = idle[--n_idle];
        if (leader[0] && !strcmp(s->leader, leader)) {
            pthread_mutex_unlock(&lock);
            return s;
        }
        wire_close(&s->c);
        free(s);
    }
    pthread_mutex_unlock(&lock);
    if (!leader[0]) {
        if (find_leader(leader, sizeof leader, err, err_cap) != 0)
            return NULL;
        pthread_mutex_lock(&lock);
        snprintf(leader_now, sizeof leader_now, "%s", leader);
        pthread_mutex_unlock(&lock);
    }
    slot *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_cap, "out of memory");
        return NULL;
    }
    snprintf(s->leader, sizeof s->leader, "%s", leader);
    if (wire_connect(&s->c, leader, CONNECT_TIMEOUT_MS) != 0 ||
        wire_open(&s->c, cfg->database, &s->db) != 0 ||
        wire_exec(&s->c, s->db, failures_table, NULL, 0) != 0) {
        snprintf(err, err_cap, "leader %s: %s", leader, s->c.err);
        wire_close(&s->c);
        free(s);
        return NULL;
    }
    return s;
}

static void release(slot *s) {
    pthread_mutex_lock(&lock);
    if (n_idle < POOL_MAX && !strcmp(s->leader, leader_now)) {
        idle[n_idle++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&lock);
    if (s) {
        wire_close(&s->c);
        free(s);
    }
}

/* Drops a connection that failed, and the leader it went to: the next try asks again. */
static void discard(slot *s) {
    pthread_mutex_lock(&lock);
    if (!s || !strcmp(s->leader, leader_now))
        leader_now[0] = 0;
    pthread_mutex_unlock(&lock);
    if (s) {
        wire_close(&s->c);
        free(s);
    }
}

/* Whether a failed request is worth sending again, maybe to another leader: the
 * connection broke (code 0), or the node is not (or no longer) the leader, or busy. */
static int transient(const wire_conn *c) {
    int primary = (int)(c->code & 0xff);
    return c->code == 0 || primary == 5 /* BUSY */ || primary == 6 /* LOCKED */ ||
           primary == 10 /* IOERR: not leader, leadership lost */;
}

int join_json_string(char *out, size_t cap, const char *text) {
    size_t n = strlen(out);
    if (n + 2 >= cap)
        return -1;
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char esc[8] = {0};
        if (*p == '"' || *p == '\\')
            snprintf(esc, sizeof esc, "\\%c", *p);
        else if (*p < 0x20)
            snprintf(esc, sizeof esc, "\\u%04x", *p);
        else
            esc[0] = (char)*p;
        size_t k = strlen(esc);
        if (n + k + 2 >= cap)
            return -1;
        memcpy(out + n, esc, k);
        n += k;
    }
    out[n++] = '"';
    out[n] = 0;
    return 0;
}

static void answer_error(join_answer *out, int status, const char *message, long retry_after) {
    out->status = status;
    out->retry_after = retry_after;
    snprintf(out->body, sizeof out->body, "{\"code\":%d,\"message\":", status);
    if (join_json_string(out->body, sizeof out->body, message) != 0)
        snprintf(out->body, sizeof out->body, "{\"code\":%d,\"message\":\"error\"}", status);
    else
        strcat(out->body, "}");
}

static void unavailable(join_answer *out, const char *why) {
    fprintf(stderr, "roomcode-node: join: %s\n", why);
    answer_error(out, 503, "token service unavailable, try again", 1);
}

/* What a roomcode refusal means to the person joining (the Node endpoint's table):
 * status and message, the message NULL for "the extension's own words". 0: no refusal. */
static int refusal_for(const char *m, const char **text) {
    static const struct {
        const char *prefix, *contains;
        int status;
        const char *text;
    } table[] = {
        {"roomcode: unknown room code ", NULL, 404, "room code does not exist"},
        {"roomcode: malformed room code ", NULL, 404, "not a room code"},
        {"roomcode: room code '", "' is disabled", 403, "room code is disabled"},
        {"roomcode: room code '", "' is bound to a user:", 403, "room code is bound to a user"},
        {"roomcode: room code '", "' is bound to another user ", 403,
         "room code is bound to another user"},
        {"roomcode: room code '", "' has a stored ", 403, "room code cannot be used"},
        {"roomcode: room code '", ", which is disabled", 403, "room is disabled"},
        {"roomcode: user_id ", NULL, 400, NULL},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strncmp(m, table[i].prefix, strlen(table[i].prefix)) != 0)
            continue;
        if (table[i].contains && !strstr(m, table[i].contains))
            continue;
        *text = table[i].text ? table[i].text : m + strlen("roomcode: ");
        return table[i].status;
    }
    return 0;
}

static long wait_seconds(double tokens) {
    if (tokens < 0)
        tokens = 0; /* the wait is bounded by window / limit, as a bucket never owes */
    double rate = (double)cfg->max_failures / (double)cfg->failure_window;
    long w = (long)ceil((1.0 - tokens) / rate);
    return w < 1 ? 1 : w;
}

static void too_many(join_answer *out, long wait) {
    char message[128];
    snprintf(message, sizeof message,
             "too many failed room codes from this address: try again in %ld s", wait);
    answer_error(out, 429, message, wait);
}

/* One try on one connection. Returns 0 when *out holds the answer, 1 to try again. */
static int exchange_on(slot *s, const char *code, const char *user_id, join_hold *h,
                       join_answer *out) {
    const char *client = h->key;
    int in_flight = rank_of(h);
    double rate = (double)cfg->max_failures / (double)cfg->failure_window;
    wire_value p[10] = {
        {.type = 3, .text = code},
        {.type = user_id ? 3 : 5, .text = user_id},
        {.type = 3, .text = cfg->access_key},
        {.type = 3, .text = cfg->app_secret},
        {.type = 1, .i = cfg->max_failures},
        {.type = 2, .f = rate},
        {.type = 3, .text = client},
        {.type = 1, .i = cfg->ttl_seconds},
        {.type = 1, .i = in_flight},
        {.type = 3, .text = cfg->jitsi_domain},
    };
    wire_row row;
    if (wire_query(&s->c, s->db, sql_exchange, p, cfg->platform == JOIN_JITSI ? 10 : 9, &row) ==
        0) {
        join_give_back(h); /* decided: a success or a 429 owes nothing */
        if (row.n != 2)
            return unavailable(out, "unexpected answer to the exchange"), 0;
        /* the tries left once the client's other requests in flight here hold theirs */
        double left =
            (row.v[0].type == 5 ? (double)cfg->max_failures : row.v[0].f) - (double)(in_flight - 1);
        if (left < 1.0)
            return too_many(out, wait_seconds(left)), 0;
        if (row.v[1].type != 3)
            return unavailable(out, "the exchange gave no token"), 0;
        if (strlen(row.v[1].text) >= sizeof out->token)
            return unavailable(out, "token too long"), 0;
        out->status = 200;
        out->retry_after = 0;
        snprintf(out->token, sizeof out->token, "%s", row.v[1].text);
        snprintf(out->body, sizeof out->body, "{\"token\":");
        join_json_string(out->body, sizeof out->body, out->token);
        strcat(out->body, "}");
        return 0;
    }
    if (transient(&s->c))
        return 1;
    /* The bucket allowed the exchange and roomcode_token refused: its words, again. */
    wire_value tp[6] = {p[0], p[1], p[2], p[3]};
    int n = 4;
    if (cfg->platform == JOIN_JITSI)
        tp[n++] = p[9];
    if (cfg->ttl_seconds > 0)
        tp[n++] = p[7];
    if (wire_exec(&s->c, s->db, sql_token, tp, n) == 0)
        return 1; /* the code changed in between: decide again */
    if (transient(&s->c))
        return 1;
    char message[512];
    snprintf(message, sizeof message, "%s", s->c.err);
    const char *text = NULL;
    int status = refusal_for(message, &text);
    /* decided: a refusal's try is the charge below, which the bucket pays or refuses */
    join_give_back(h);
    if (status == 0)
        return unavailable(out, message), 0;
    if (status == 400)
        return answer_error(out, 400, text, 0), 0;
    wire_value cp[3] = {p[6], p[4], p[5]};
    if (wire_exec(&s->c, s->db, charge_sql, cp, 3) != 0) {
        if (transient(&s->c))
            return 1;
        if ((s->c.code & 0xff) != 19 /* CONSTRAINT: the bucket is empty */)
            return unavailable(out, s->c.err), 0;
        wire_value bp[3] = {p[4], p[5], p[6]};
        double tokens = 0;
        if (wire_query(&s->c, s->db, bucket_sql, bp, 3, &row) == 0 && row.n == 1 &&
            row.v[0].type != 5)
            tokens = row.v[0].f;
        return too_many(out, wait_seconds(tokens)), 0;
    }
    if (strstr(message, " has a stored "))
        fprintf(stderr, "roomcode-node: join: %s\n", message);
    answer_error(out, status, text, 0);
    pthread_mutex_lock(&lock);
    int sweep = ++charges % SWEEP_EVERY == 0;
    pthread_mutex_unlock(&lock);
    if (sweep) {
        wire_value wp[1] = {{.type = 1, .i = cfg->failure_window}};
        wire_exec(&s->c, s->db, sweep_sql, wp, 1); /* best effort */
    }
    return 0;
}

void join_exchange(const char *code, const char *user_id, join_hold *h, join_answer *out) {
    double deadline = now_s() + LEADER_WAIT_MS / 1000.0;
    char err[1024] = "no leader known";
    for (;;) {
        slot *s = acquire(err, sizeof err);
        if (s) {
            if (exchange_on(s, code, user_id, h, out) == 0) {
                release(s);
                return;
            }
            snprintf(err, sizeof err, "leader %s: %s", s->leader, s->c.err);
        }
        discard(s);
        if (now_s() >= deadline)
            return unavailable(out, err);
        pause_ms(20);
    }
}

void join_health(join_answer *out) {
    char err[1024] = "";
    wire_row row;
    slot *s = NULL;
    /* twice: the first try may go to a leader remembered from before a failover */
    for (int attempt = 0; attempt < 2 && !s; attempt++) {
        s = acquire(err, sizeof err);
        if (s &&
            wire_query(&s->c, s->db, "SELECT count(*) FROM sqlite_master", NULL, 0, &row) != 0) {
            snprintf(err, sizeof err, "leader %s: %s", s->leader, s->c.err);
            discard(s);
            s = NULL;
        } else if (!s) {
            discard(NULL);
        }
    }
    char node[WIRE_ADDRESS_MAX + 2] = "", database[512] = "";
    join_json_string(node, sizeof node, cfg->self);
    join_json_string(database, sizeof database, cfg->database);
    if (!s) {
        out->status = 503;
        out->retry_after = 1;
        snprintf(out->body, sizeof out->body, "{\"ok\":false,\"node\":%s,\"error\":", node);
        join_json_string(out->body, sizeof out->body, err);
        strcat(out->body, "}");
        return;
    }
    out->status = 200;
    out->retry_after = 0;
    snprintf(out->body, sizeof out->body,
             "{\"ok\":true,\"node\":%s,\"leader\":\"%s\",\"database\":%s}", node, s->leader,
             database);
    release(s);
}
