/*
 * dqlite's client wire protocol, version 1, as far as a node needs it. A message is an
 * 8-byte header (body length in 8-byte words as uint32, type, schema, 2 unused bytes)
 * and a body of little-endian uint64 fields and NUL-terminated text padded to 8 bytes.
 * The client opens with its protocol version as one uint64.
 */
#include "dqlite_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PROTOCOL_VERSION 1

#define REQUEST_LEADER 0
#define REQUEST_OPEN 3
#define REQUEST_EXEC_SQL 8
#define REQUEST_QUERY_SQL 9
#define REQUEST_ADD 12
#define REQUEST_ASSIGN 13
#define REQUEST_CLUSTER 16
#define REQUEST_TRANSFER 17

#define RESPONSE_FAILURE 0
#define RESPONSE_SERVER 1
#define RESPONSE_SERVERS 3
#define RESPONSE_DB 4
#define RESPONSE_RESULT 6
#define RESPONSE_ROWS 7
#define RESPONSE_EMPTY 8

#define CLUSTER_FORMAT_V1 1 /* id, address and role of each node */

/* Answers of these requests are small; anything larger is not a dqlite node talking. */
#define BODY_MAX (64 * 1024)

/* The end of a query's rows, and the end of one batch of them when more follow. */
#define ROWS_DONE 0xffffffffffffffffULL
#define ROWS_PART 0xeeeeeeeeeeeeeeeeULL

typedef struct buffer {
    unsigned char data[BODY_MAX];
    size_t len; /* bytes written, or bytes available when reading */
    size_t pos; /* read position */
} buffer;

static void set_err(wire_conn *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

static void put_u64(buffer *b, uint64_t v) {
    for (int i = 0; i < 8; i++)
        b->data[b->len++] = (unsigned char)(v >> (8 * i));
}

static int put_text(buffer *b, const char *s) {
    size_t n = strlen(s) + 1;
    size_t padded = (n + 7) / 8 * 8;
    if (b->len + padded > sizeof b->data)
        return -1;
    memcpy(b->data + b->len, s, n);
    memset(b->data + b->len + n, 0, padded - n);
    b->len += padded;
    return 0;
}

static int get_u64(buffer *b, uint64_t *v) {
    if (b->pos + 8 > b->len)
        return -1;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)b->data[b->pos + i] << (8 * i);
    b->pos += 8;
    return 0;
}

static int get_text(buffer *b, char *out, size_t cap) {
    const unsigned char *start = b->data + b->pos;
    const unsigned char *nul = memchr(start, 0, b->len - b->pos);
    if (!nul)
        return -1;
    size_t n = (size_t)(nul - start);
    if (n + 1 > cap)
        return -1;
    memcpy(out, start, n + 1);
    b->pos += (n + 1 + 7) / 8 * 8;
    if (b->pos > b->len)
        b->pos = b->len;
    return 0;
}

static int write_all(wire_conn *c, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            set_err(c, "sending: %s", w < 0 ? strerror(errno) : "connection closed");
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(wire_conn *c, unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t r = recv(c->fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            set_err(c, "no answer in time");
            return -1;
        }
        if (r <= 0) {
            set_err(c, "receiving: %s", r < 0 ? strerror(errno) : "connection closed");
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Splits HOST:PORT or [HOST]:PORT; host and port are copied into the given buffers. */
static int split_address(const char *address, char *host, size_t host_cap, char *port,
                         size_t port_cap) {
    const char *colon;
    const char *h = address;
    size_t hlen;
    if (address[0] == '[') {
        const char *close = strchr(address, ']');
        if (!close || close[1] != ':')
            return -1;
        h = address + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(address, ':');
        if (!colon)
            return -1;
        hlen = (size_t)(colon - address);
    }
    if (hlen == 0 || hlen >= host_cap || strlen(colon + 1) == 0 || strlen(colon + 1) >= port_cap)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = 0;
    strcpy(port, colon + 1);
    return 0;
}

static int connect_with_timeout(wire_conn *c, const struct addrinfo *ai, int timeout_ms) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        set_err(c, "socket: %s", strerror(errno));
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        rc = poll(&p, 1, timeout_ms);
        if (rc == 0) {
            set_err(c, "connecting: no answer in %d ms", timeout_ms);
            close(fd);
            return -1;
        }
        int soerr = 0;
        socklen_t len = sizeof soerr;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        if (rc < 0 || soerr != 0) {
            set_err(c, "connecting: %s", strerror(rc < 0 ? errno : soerr));
            close(fd);
            return -1;
        }
    } else if (rc < 0) {
        set_err(c, "connecting: %s", strerror(errno));
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, flags);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int wire_connect(wire_conn *c, const char *address, int timeout_ms) {
    char host[WIRE_ADDRESS_MAX], port[16];
    c->fd = -1;
    c->err[0] = 0;
    if (split_address(address, host, sizeof host, port, sizeof port) != 0) {
        set_err(c, "address '%s' is not HOST:PORT", address);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        set_err(c, "address '%s': %s", address, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai && c->fd < 0; ai = ai->ai_next)
        c->fd = connect_with_timeout(c, ai, timeout_ms);
    freeaddrinfo(res);
    if (c->fd < 0)
        return -1;
    buffer *b = calloc(1, sizeof *b);
    if (!b) {
        set_err(c, "out of memory");
        wire_close(c);
        return -1;
    }
    put_u64(b, PROTOCOL_VERSION);
    rc = write_all(c, b->data, b->len);
    free(b);
    if (rc != 0) {
        wire_close(c);
        return -1;
    }
    return 0;
}

int wire_check_listen(wire_conn *c, const char *address) {
    char host[WIRE_ADDRESS_MAX], port[16];
    c->fd = -1;
    c->err[0] = 0;
    if (split_address(address, host, sizeof host, port, sizeof port) != 0) {
        set_err(c, "address '%s' is not HOST:PORT", address);
        return -1;
    }
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        set_err(c, "address '%s': %s", address, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    rc = fd >= 0 ? bind(fd, res->ai_addr, res->ai_addrlen) : -1;
    if (rc != 0)
        set_err(c, "cannot listen on %s: %s", address, strerror(errno));
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return rc == 0 ? 0 : -1;
}

void wire_close(wire_conn *c) {
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Sends a request whose body is in req and reads the answer into res. A FAILURE answer
 * becomes the error text; any other type than `expect` is a protocol error. */
static int read_message(wire_conn *c, int expect, buffer *res);

static int round_trip(wire_conn *c, int type, buffer *req, int expect, buffer *res) {
    unsigned char header[8];
    uint32_t words = (uint32_t)(req->len / 8);
    for (int i = 0; i < 4; i++)
        header[i] = (unsigned char)(words >> (8 * i));
    header[4] = (unsigned char)type;
    header[5] = header[6] = header[7] = 0;
    if (write_all(c, header, sizeof header) != 0 || write_all(c, req->data, req->len) != 0)
        return -1;
    return read_message(c, expect, res);
}

/* Reads one answer; a FAILURE becomes the error text and code. */
static int read_message(wire_conn *c, int expect, buffer *res) {
    unsigned char header[8];
    uint32_t words;
    c->code = 0;
    if (read_all(c, header, sizeof header) != 0)
        return -1;
    words = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 |
            (uint32_t)header[3] << 24;
    if ((size_t)words * 8 > sizeof res->data) {
        set_err(c, "answer of %u words is too long", (unsigned)words);
        return -1;
    }
    res->len = (size_t)words * 8;
    res->pos = 0;
    if (read_all(c, res->data, res->len) != 0)
        return -1;
    if (header[4] == RESPONSE_FAILURE) {
        uint64_t code = 0;
        char message[256] = "";
        if (get_u64(res, &code) != 0 || get_text(res, message, sizeof message) != 0)
            snprintf(message, sizeof message, "(unreadable message)");
        set_err(c, "%s", message);
        c->code = code ? code : 1;
        return -1;
    }
    if (header[4] != expect) {
        set_err(c, "answer of type %d where %d was expected", header[4], expect);
        return -1;
    }
    return 0;
}

/* The two buffers of one request live on the heap: a node's stack is not the place for
 * 128 KiB. */
typedef struct exchange {
    buffer req, res;
} exchange;

static exchange *exchange_new(wire_conn *c) {
    exchange *x = calloc(1, sizeof *x);
    if (!x)
        set_err(c, "out of memory");
    return x;
}

int wire_leader(wire_conn *c, uint64_t *id, char *address, size_t cap) {
    exchange *x = exchange_new(c);
    if (!x)
        return -1;
    put_u64(&x->req, 0);
    int rc = round_trip(c, REQUEST_LEADER, &x->req, RESPONSE_SERVER, &x->res);
    if (rc == 0 && (get_u64(&x->res, id) != 0 || get_text(&x->res, address, cap) != 0)) {
        set_err(c, "malformed leader answer");
        rc = -1;
    }
    free(x);
    return rc;
}

int wire_cluster(wire_conn *c, wire_server *servers, int cap, int *n) {
    exchange *x = exchange_new(c);
    if (!x)
        return -1;
    put_u64(&x->req, CLUSTER_FORMAT_V1);
    int rc = round_trip(c, REQUEST_CLUSTER, &x->req, RESPONSE_SERVERS, &x->res);
    uint64_t count = 0;
    if (rc == 0 && (get_u64(&x->res, &count) != 0 || count > (uint64_t)cap)) {
        set_err(c, "malformed cluster answer");
        rc = -1;
    }
    for (uint64_t i = 0; rc == 0 && i < count; i++) {
        wire_server *s = &servers[i];
        if (get_u64(&x->res, &s->id) != 0 ||
            get_text(&x->res, s->address, sizeof s->address) != 0 ||
            get_u64(&x->res, &s->role) != 0) {
            set_err(c, "malformed cluster answer");
            rc = -1;
        }
    }
    if (rc == 0)
        *n = (int)count;
    free(x);
    return rc;
}

static int request_empty(wire_conn *c, int type, uint64_t id, const char *address, int role) {
    exchange *x = exchange_new(c);
    if (!x)
        return -1;
    put_u64(&x->req, id);
    int rc = 0;
    if (address && put_text(&x->req, address) != 0) {
        set_err(c, "address '%s' is too long", address);
        rc = -1;
    }
    if (role >= 0)
        put_u64(&x->req, (uint64_t)role);
    if (rc == 0)
        rc = round_trip(c, type, &x->req, RESPONSE_EMPTY, &x->res);
    free(x);
    return rc;
}

int wire_add(wire_conn *c, uint64_t id, const char *address) {
    return request_empty(c, REQUEST_ADD, id, address, -1);
}

int wire_assign(wire_conn *c, uint64_t id, uint64_t role) {
    return request_empty(c, REQUEST_ASSIGN, id, NULL, (int)role);
}

int wire_transfer(wire_conn *c, uint64_t id) {
    return request_empty(c, REQUEST_TRANSFER, id, NULL, -1);
}

int wire_open(wire_conn *c, const char *name, uint64_t *db) {
    exchange *x = exchange_new(c);
    if (!x)
        return -1;
    int rc = put_text(&x->req, name);
    put_u64(&x->req, 0);
    if (rc == 0)
        rc = put_text(&x->req, "volatile");
    if (rc == 0)
        rc = round_trip(c, REQUEST_OPEN, &x->req, RESPONSE_DB, &x->res);
    if (rc == 0 && get_u64(&x->res, db) != 0) {
        set_err(c, "malformed open answer");
        rc = -1;
    }
    if (rc == 0)
        *db &= 0xffffffffu; /* uint32 id, uint32 unused */
    free(x);
    return rc;
}

/* Parameters as a tuple of format 0: their count and one type byte each, padded to a
 * word, then each value in a word (text padded to words). */
static int put_params(wire_conn *c, buffer *b, const wire_value *params, int n) {
    size_t head = (size_t)(1 + n + 7) / 8 * 8;
    if (n > 255 || b->len + head > sizeof b->data) {
        set_err(c, "too many parameters");
        return -1;
    }
    memset(b->data + b->len, 0, head);
    b->data[b->len] = (unsigned char)n;
    for (int i = 0; i < n; i++)
        b->data[b->len + 1 + i] = (unsigned char)params[i].type;
    b->len += head;
    for (int i = 0; i < n; i++) {
        const wire_value *v = &params[i];
        if (b->len + 8 > sizeof b->data) {
            set_err(c, "parameters too long");
            return -1;
        }
        if (v->type == 1) {
            put_u64(b, (uint64_t)v->i);
        } else if (v->type == 2) {
            uint64_t bits;
            memcpy(&bits, &v->f, sizeof bits);
            put_u64(b, bits);
        } else if (v->type == 3) {
            if (put_text(b, v->text) != 0) {
                set_err(c, "parameters too long");
                return -1;
            }
        } else {
            put_u64(b, 0);
        }
    }
    return 0;
}

static int statement(wire_conn *c, exchange *x, uint64_t db, const char *sql,
                     const wire_value *params, int n) {
    put_u64(&x->req, db);
    if (put_text(&x->req, sql) != 0) {
        set_err(c, "statement too long");
        return -1;
    }
    return put_params(c, &x->req, params, n);
}

int wire_exec(wire_conn *c, uint64_t db, const char *sql, const wire_value *params, int n) {
    exchange *x = exchange_new(c);
    if (!x)
        return -1;
    int rc = statement(c, x, db, sql, params, n);
    if (rc == 0)
        rc = round_trip(c, REQUEST_EXEC_SQL, &x->req, RESPONSE_RESULT, &x->res);
    free(x);
    return rc;
}

/* Reads one row of ncol columns: a header of 4 bits per column (its type), padded to a
 * word, then a word or padded text per column. Keeps it in row when keep is set. */
static int get_row(wire_conn *c, buffer *b, int ncol, wire_row *row, int keep) {
    size_t head = ((size_t)ncol * 4 + 63) / 64 * 8;
    if (b->pos + head > b->len) {
        set_err(c, "malformed row");
        return -1;
    }
    const unsigned char *types = b->data + b->pos;
    b->pos += head;
    size_t used = 0;
    for (int i = 0; i < ncol; i++) {
        int type = (types[i / 2] >> (4 * (i % 2))) & 0x0f;
        wire_value v = {.type = type};
        uint64_t u = 0;
        if (type == 3 || type == 10) {
            const unsigned char *start = b->data + b->pos;
            const unsigned char *nul = memchr(start, 0, b->len - b->pos);
            if (!nul) {
                set_err(c, "malformed row");
                return -1;
            }
            size_t len = (size_t)(nul - start);
            if (keep && i < WIRE_COLUMNS_MAX) {
                if (used + len + 1 > sizeof row->store) {
                    set_err(c, "row too long");
                    return -1;
                }
                memcpy(row->store + used, start, len + 1);
                v.text = row->store + used;
                used += len + 1;
            }
            b->pos += (len + 1 + 7) / 8 * 8;
            if (b->pos > b->len)
                b->pos = b->len;
            v.type = 3;
        } else if (type == 4) {
            uint64_t len = 0;
            if (get_u64(b, &len) != 0 || len > b->len - b->pos) {
                set_err(c, "malformed row");
                return -1;
            }
            b->pos += (size_t)(len + 7) / 8 * 8;
            if (b->pos > b->len)
                b->pos = b->len;
        } else {
            if (get_u64(b, &u) != 0) {
                set_err(c, "malformed row");
                return -1;
            }
            /* both readings of a number, whichever type SQLite gave it */
            if (type == 2) {
                memcpy(&v.f, &u, sizeof v.f);
                v.i = (int64_t)v.f;
            } else if (type != 5) {
                v.i = (int64_t)u;
                v.f = (double)v.i;
            }
        }
        if (keep && i < WIRE_COLUMNS_MAX)
            row->v[i] = v;
    }
    if (keep)
        row->n = ncol < WIRE_COLUMNS_MAX ? ncol : WIRE_COLUMNS_MAX;
    return 0;
}

int wire_query(wire_conn *c, uint64_t db, const char *sql, const wire_value *params, int n,
               wire_row *row) {
    row->n = 0;
    exchange *x = exchange_new(c);
    if (!x)
        return -1;
    int rc = statement(c, x, db, sql, params, n);
    if (rc == 0)
        rc = round_trip(c, REQUEST_QUERY_SQL, &x->req, RESPONSE_ROWS, &x->res);
    uint64_t ncol = 0;
    if (rc == 0 && (get_u64(&x->res, &ncol) != 0 || ncol > 255)) {
        set_err(c, "malformed rows answer");
        rc = -1;
    }
    for (uint64_t i = 0; i < ncol && rc == 0; i++) {
        char name[256];
        if (get_text(&x->res, name, sizeof name) != 0) {
            set_err(c, "malformed rows answer");
            rc = -1;
        }
    }
    /* Rows until the DONE mark. The statements sent here give a row or two; a second
     * batch (PART) means an answer larger than any of them. */
    for (int got = 0; rc == 0; got = 1) {
        uint64_t mark = 0;
        size_t save = x->res.pos;
        if (get_u64(&x->res, &mark) != 0) {
            set_err(c, "malformed rows answer");
            rc = -1;
        } else if (mark == ROWS_DONE) {
            break;
        } else if (mark == ROWS_PART) {
            set_err(c, "answer larger than expected");
            rc = -1;
        } else {
            x->res.pos = save;
            rc = get_row(c, &x->res, (int)ncol, row, !got);
        }
    }
    free(x);
    return rc;
}
