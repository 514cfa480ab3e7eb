/*
 * The join endpoint over HTTP, with libmicrohttpd: the same requests and answers as
 * examples/join-endpoint/server.js (POST on any path, OPTIONS preflight, JSON answers with
 * CORS headers, a body cap of 8192 bytes: past it the body is read and dropped up to 1 MiB,
 * then answered 413), plus GET /healthz. One thread per connection,
 * since an exchange waits on the leader; connections are capped in all and per client
 * address, and a connection idle for 5 s (slow headers, a stalled body) is closed.
 *
 * The request body is read as JSON by SQLite's JSON functions on a private in-memory
 * connection, so no parser is written here either.
 */
#include "join_http.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <sqlite3.h>

#include "http_deadlines.h"
#include "join_service.h"

#define BODY_LIMIT 8192
/* A body past the cap is read on and dropped up to here, so that a client still sending
 * reads the 413 rather than a reset; past it the connection is closed. */
#define DISCARD_LIMIT (1 << 20)
/* How long a client may stall (libmicrohttpd times a connection out on inactivity). The
 * caps on connections are settings (ROOMCODE_MAX_CONNECTIONS...). */
#define IDLE_TIMEOUT_S 5
/* The Node endpoint's deadlines: headers within 5 s, the whole request within 10 s. */
#define HEADERS_MS 5000
#define REQUEST_MS 10000
#define KEY_MAX 64

static struct MHD_Daemon *daemon_;
static join_http_settings settings_;

typedef struct request {
    join_hold hold; /* its client's try, held until it is decided */
    size_t size;    /* bytes of body received */
    char body[BODY_LIMIT + 1];
} request;

static enum MHD_Result send_answer(struct MHD_Connection *conn, int status, const char *body,
                                   long retry_after, const char *allow, int close) {
    size_t n = body ? strlen(body) : 0;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(n, (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    if (body) {
        MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
        MHD_add_response_header(r, "Cache-Control", "no-store");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    }
    MHD_add_response_header(r, "Access-Control-Allow-Origin", settings_.cors_origin);
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "Retry-After");
    if (strcmp(settings_.cors_origin, "*") != 0)
        MHD_add_response_header(r, "Vary", "Origin");
    if (retry_after > 0) {
        char wait[24];
        snprintf(wait, sizeof wait, "%ld", retry_after);
        MHD_add_response_header(r, "Retry-After", wait);
    }
    if (allow)
        MHD_add_response_header(r, "Allow", allow);
    if (close)
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int status, const char *message,
                                  int close) {
    char body[512];
    snprintf(body, sizeof body, "{\"code\":%d,\"message\":", status);
    join_json_string(body, sizeof body, message);
    strcat(body, "}");
    return send_answer(conn, status, body, 0, status == 405 ? "POST, OPTIONS" : NULL, close);
}

/* The key an address is limited under: IPv4 as is, IPv6 by its /64 (written as the Node
 * endpoint writes it: four groups without leading zeros, then ::/64). */
static void key_of_text(const char *text, char *key) {
    struct in6_addr a6;
    struct in_addr a4;
    if (inet_pton(AF_INET, text, &a4) == 1) {
        inet_ntop(AF_INET, &a4, key, KEY_MAX);
    } else if (inet_pton(AF_INET6, text, &a6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
            inet_ntop(AF_INET, a6.s6_addr + 12, key, KEY_MAX);
            return;
        }
        const unsigned char *b = a6.s6_addr;
        snprintf(key, KEY_MAX, "%x:%x:%x:%x::/64", b[0] << 8 | b[1], b[2] << 8 | b[3],
                 b[4] << 8 | b[5], b[6] << 8 | b[7]);
    } else {
        snprintf(key, KEY_MAX, "%s", text);
    }
}

static void client_key(struct MHD_Connection *conn, char *key) {
    if (settings_.trust_proxy) {
        const char *fwd = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
        if (fwd) {
            /* the address the proxy in front appended last; the ones before are claims */
            const char *last = strrchr(fwd, ',');
            last = last ? last + 1 : fwd;
            while (*last == ' ' || *last == '\t')
                last++;
            char one[KEY_MAX];
            snprintf(one, sizeof one, "%s", last);
            size_t n = strlen(one);
            while (n > 0 && (one[n - 1] == ' ' || one[n - 1] == '\t'))
                one[--n] = 0;
            if (n > 0) {
                key_of_text(one, key);
                return;
            }
        }
    }
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char text[INET6_ADDRSTRLEN] = "";
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, sizeof text);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof text);
    key_of_text(text, key);
}

/* Whether s holds a UTF-16 surrogate (ED A0..BF ..): what SQLite's JSON decoding makes of
 * a lone \ud800 escape, which JavaScript's JSON.parse keeps as a lone surrogate. */
static int has_surrogate(const unsigned char *s) {
    for (; *s; s++) {
        if (s[0] == 0xed && s[1] >= 0xa0 && s[1] <= 0xbf)
            return 1;
    }
    return 0;
}

/* Decodes base64url text into out (NUL-terminated); returns -1 on a bad character or when
 * it does not fit. */
static int base64url_decode(const char *in, size_t n, char *out, size_t cap) {
    size_t len = 0;
    unsigned bits = 0, have = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)in[i], v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '-')
            v = 62;
        else if (c == '_')
            v = 63;
        else
            return -1;
        bits = bits << 6 | (unsigned)v;
        have += 6;
        if (have >= 8) {
            have -= 8;
            if (len + 1 >= cap)
                return -1;
            out[len++] = (char)(bits >> have & 0xff);
        }
    }
    out[len] = 0;
    return 0;
}

/* JavaScript's encodeURIComponent, as the Node endpoint writes Jitsi's meeting URL. */
static void uri_component(const char *in, char *out, size_t cap) {
    static const char keep[] = "-_.!~*'()";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && n + 4 < cap; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            (*p && strchr(keep, *p)))
            out[n++] = (char)*p;
        else
            n += (size_t)snprintf(out + n, cap - n, "%%%02X", *p);
    }
    out[n] = 0;
}

/* The answer to a token, by platform: {"token"} for 100ms, {"token", "url"} with LiveKit's
 * server URL, or with Jitsi's meeting URL (https://DOMAIN/ROOM?jwt=TOKEN, ROOM the token's
 * own room claim). */
static void platform_answer(sqlite3 *db, join_answer *a) {
    const char *url = settings_.livekit_url;
    char meeting[12288];
    if (!url && settings_.jitsi_domain) {
        char payload[4096], room[1024] = "";
        const char *dot1 = strchr(a->token, '.');
        const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
        sqlite3_stmt *st = NULL;
        if (dot2 &&
            base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), payload, sizeof payload) == 0 &&
            sqlite3_prepare_v2(db, "SELECT json_extract(?1, '$.room')", -1, &st, NULL) ==
                SQLITE_OK &&
            sqlite3_bind_text(st, 1, payload, -1, SQLITE_STATIC) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            uri_component((const char *)sqlite3_column_text(st, 0), room, sizeof room);
        sqlite3_finalize(st);
        snprintf(meeting, sizeof meeting, "https://%s/%s?jwt=%s", settings_.jitsi_domain, room,
                 a->token);
        url = meeting;
    }
    if (!url)
        return;
    snprintf(a->body, sizeof a->body, "{\"token\":");
    join_json_string(a->body, sizeof a->body, a->token);
    strcat(a->body, ",\"url\":");
    join_json_string(a->body, sizeof a->body, url);
    strcat(a->body, "}");
}

/* Reads the body as the Node endpoint does and runs the exchange. */
static void join_body(request *req, join_answer *out) {
    /* json_type() raises on text that is not JSON: each part asks json_valid() first */
    static const char probe[] =
        "SELECT v, CASE WHEN v THEN json_type(?1) END, CASE WHEN v THEN json_type(?1, '$.code') "
        "END, CASE WHEN v THEN json_extract(?1, '$.code') END, CASE WHEN v THEN json_type(?1, "
        "'$.user_id') END, CASE WHEN v THEN json_extract(?1, '$.user_id') END FROM (SELECT "
        "json_valid(?1) AS v)";
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    const char *fault = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, probe, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, req->body, (int)req->size, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        fault = db ? sqlite3_errmsg(db) : "out of memory";
    int status = 0;
    const char *message = NULL;
    if (fault) {
        fprintf(stderr, "roomcode-node: join: reading a body: %s\n", fault);
        status = 503;
        message = "token service unavailable, try again";
    } else if (!sqlite3_column_int(st, 0)) {
        status = 400, message = "request body is not JSON";
    } else if (strcmp((const char *)sqlite3_column_text(st, 1), "object") != 0) {
        status = 400, message = "request body must be a JSON object";
    } else if (sqlite3_column_type(st, 2) == SQLITE_NULL ||
               strcmp((const char *)sqlite3_column_text(st, 2), "text") != 0) {
        status = 400, message = "code must be a string";
    } else {
        const char *user_type = (const char *)sqlite3_column_text(st, 4);
        const char *user_id = NULL;
        if (user_type && strcmp(user_type, "null") != 0) {
            if (strcmp(user_type, "text") != 0) {
                status = 400, message = "user_id must be a string when given";
            } else {
                user_id = (const char *)sqlite3_column_text(st, 5);
                if (has_surrogate((const unsigned char *)user_id))
                    status = 400, message = "user_id must be well-formed Unicode";
                else if (!*user_id)
                    user_id = NULL; /* the SDK's empty user_id: none given */
            }
        }
        if (!status) {
            join_exchange((const char *)sqlite3_column_text(st, 3), user_id, &req->hold, out);
            if (out->status == 200)
                platform_answer(db, out);
            sqlite3_finalize(st);
            sqlite3_close(db);
            return;
        }
    }
    out->status = status;
    out->retry_after = status == 503 ? 1 : 0;
    snprintf(out->body, sizeof out->body, "{\"code\":%d,\"message\":", status);
    join_json_string(out->body, sizeof out->body, message);
    strcat(out->body, "}");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static deadline_conn *deadline_of(struct MHD_Connection *conn) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state) {
    (void)cls, (void)version;
    request *req = *state;
    if (!req) {
        deadlines_request(deadline_of(conn));
        if (!strcmp(method, "OPTIONS")) {
            struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
            if (!r)
                return MHD_NO;
            MHD_add_response_header(r, "Access-Control-Allow-Origin", settings_.cors_origin);
            MHD_add_response_header(r, "Access-Control-Expose-Headers", "Retry-After");
            if (strcmp(settings_.cors_origin, "*") != 0)
                MHD_add_response_header(r, "Vary", "Origin");
            MHD_add_response_header(r, "Access-Control-Allow-Methods", "POST, OPTIONS");
            MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type");
            MHD_add_response_header(r, "Access-Control-Max-Age", "600");
            enum MHD_Result rc = MHD_queue_response(conn, 204, r);
            MHD_destroy_response(r);
            return rc;
        }
        if (!strcmp(method, "GET") && !strcmp(url, "/healthz")) {
            join_answer a;
            join_health(&a);
            return send_answer(conn, a.status, a.body, a.retry_after, NULL, 0);
        }
        if (strcmp(method, "POST") != 0)
            return send_error(conn, 405, "use POST", 0);
        /* A declared body past what is read and dropped is refused before it comes */
        const char *length =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > DISCARD_LIMIT) {
            char message[64];
            snprintf(message, sizeof message, "request body larger than %d bytes", BODY_LIMIT);
            return send_error(conn, 413, message, 1);
        }
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        /* in flight from its headers on, as the Node endpoint takes its try */
        char key[KEY_MAX];
        client_key(conn, key);
        if (join_take(&req->hold, key) != 0) {
            free(req);
            return MHD_NO;
        }
        *state = req;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        size_t n = *upload_size;
        if (req->size + n <= BODY_LIMIT)
            memcpy(req->body + req->size, upload, n);
        req->size += n;
        *upload_size = 0;
        /* A streamed body past it: libmicrohttpd 0.9.75 cannot answer in the middle of a
         * body, so the connection is cut */
        return req->size > DISCARD_LIMIT ? MHD_NO : MHD_YES;
    }
    if (req->size > BODY_LIMIT) {
        char message[64];
        snprintf(message, sizeof message, "request body larger than %d bytes", BODY_LIMIT);
        return send_error(conn, 413, message, 0);
    }
    req->body[req->size] = 0;
    join_answer a;
    join_body(req, &a);
    return send_answer(conn, a.status, a.body, a.retry_after, NULL, 0);
}

static void completed(void *cls, struct MHD_Connection *conn, void **state,
                      enum MHD_RequestTerminationCode why) {
    (void)cls, (void)why;
    deadlines_idle(deadline_of(conn));
    request *req = *state;
    if (req)
        join_give_back(&req->hold);
    free(req);
    *state = NULL;
}

static void connection_event(void *cls, struct MHD_Connection *conn, void **context,
                             enum MHD_ConnectionNotificationCode event) {
    (void)cls;
    if (event == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *context = info ? deadlines_open(info->connect_fd, settings_.max_connections) : NULL;
    } else {
        deadlines_close(*context);
        *context = NULL;
    }
}

/* Splits HOST:PORT or [HOST]:PORT and resolves it to one address to listen on. */
static int resolve(const char *address, struct sockaddr_storage *out, char *err, size_t cap) {
    char host[256];
    const char *colon;
    const char *h = address;
    size_t hlen;
    if (address[0] == '[') {
        const char *close = strchr(address, ']');
        if (!close || close[1] != ':') {
            snprintf(err, cap, "--http must be HOST:PORT, not '%s'", address);
            return -1;
        }
        h = address + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(address, ':');
        hlen = colon ? (size_t)(colon - address) : 0;
    }
    if (!colon || hlen == 0 || hlen >= sizeof host) {
        snprintf(err, cap, "--http must be HOST:PORT, not '%s'", address);
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = 0;
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc != 0) {
        snprintf(err, cap, "cannot listen on --http %s: %s", address, gai_strerror(rc));
        return -1;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

int join_http_start(const join_http_settings *settings, char *err, size_t err_cap) {
    settings_ = *settings;
    struct sockaddr_storage sa;
    if (resolve(settings->address, &sa, err, err_cap) != 0)
        return -1;
    unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (sa.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    uint16_t port = sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                             : ((struct sockaddr_in *)&sa)->sin_port;
    /* libmicrohttpd's own cap is a little above ours, so that a new connection is
     * accepted and the oldest waiting one gives way (http_deadlines.c). Behind a proxy every
     * connection comes from the proxy's address: no cap per address then, as in the Node
     * endpoint. */
    daemon_ = MHD_start_daemon(
        flags, ntohs(port), NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(settings->max_connections + 16),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)(settings->trust_proxy ? 0 : settings->max_per_address),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_THREAD_STACK_SIZE,
        (size_t)(256 * 1024), MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, connection_event, NULL, MHD_OPTION_END);
    if (!daemon_) {
        snprintf(err, err_cap, "cannot listen on --http %s (taken, or not an address here)",
                 settings->address);
        return -1;
    }
    if (deadlines_start(HEADERS_MS, REQUEST_MS) != 0) {
        snprintf(err, err_cap, "cannot start the connection watchdog");
        join_http_stop();
        return -1;
    }
    return 0;
}

void join_http_stop(void) {
    if (daemon_)
        MHD_stop_daemon(daemon_);
    daemon_ = NULL;
    deadlines_stop();
}
