/*
 * The watchdog of http_deadlines.h. Connections sit in one list under one lock; the
 * watchdog looks every 250 ms. A socket is shut down, never closed, here: libmicrohttpd
 * owns the descriptor, and closes it only after telling deadlines_close, which takes the
 * same lock, so a descriptor number is never shut down after it was reused.
 */
#include "http_deadlines.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define CHECK_EVERY_MS 250

struct deadline_conn {
    int fd;
    int waiting_headers; /* 1 until the headers are in, again once answered */
    double since;        /* when the current headers began to be awaited */
    deadline_conn *prev, *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static deadline_conn *head; /* newest first */
static int open_count;
static double headers_s, request_s;
static int running;
static pthread_t watchdog;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *watch(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    while (running) {
        double t = now_s();
        for (deadline_conn *d = head; d; d = d->next) {
            double limit = d->waiting_headers ? headers_s : request_s;
            if (d->fd >= 0 && t - d->since > limit) {
                shutdown(d->fd, SHUT_RDWR);
                d->fd = -1; /* once */
            }
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += CHECK_EVERY_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&wake, &lock, &until);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int deadlines_start(long headers_ms, long request_ms) {
    headers_s = (double)headers_ms / 1000.0;
    request_s = (double)request_ms / 1000.0;
    running = 1;
    if (pthread_create(&watchdog, NULL, watch, NULL) != 0) {
        running = 0;
        return -1;
    }
    return 0;
}

void deadlines_stop(void) {
    pthread_mutex_lock(&lock);
    int was = running;
    running = 0;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    if (was)
        pthread_join(watchdog, NULL);
}

deadline_conn *deadlines_open(int fd, int cap) {
    deadline_conn *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->fd = fd;
    d->waiting_headers = 1;
    d->since = now_s();
    pthread_mutex_lock(&lock);
    d->next = head;
    if (head)
        head->prev = d;
    head = d;
    if (++open_count > cap) {
        deadline_conn *oldest = NULL;
        for (deadline_conn *x = head->next; x; x = x->next) {
            if (x->waiting_headers && x->fd >= 0)
                oldest = x;
        }
        if (!oldest)
            oldest = d;
        shutdown(oldest->fd, SHUT_RDWR);
        oldest->fd = -1;
    }
    pthread_mutex_unlock(&lock);
    return d;
}

void deadlines_request(deadline_conn *d) {
    if (!d)
        return;
    pthread_mutex_lock(&lock);
    d->waiting_headers = 0;
    pthread_mutex_unlock(&lock);
}

void deadlines_idle(deadline_conn *d) {
    if (!d)
        return;
    pthread_mutex_lock(&lock);
    d->waiting_headers = 1;
    d->since = now_s();
    pthread_mutex_unlock(&lock);
}

void deadlines_close(deadline_conn *d) {
    if (!d)
        return;
    pthread_mutex_lock(&lock);
    if (d->prev)
        d->prev->next = d->next;
    else
        head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    open_count--;
    pthread_mutex_unlock(&lock);
    free(d);
}
