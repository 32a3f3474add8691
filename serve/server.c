/* parley serve: the HTTP API (and the dashboard's static files) over an
 * event store.  A thin user of libparley: every answer comes from the
 * public store and coder API through http_answer() (http.c); this file is
 * the libmicrohttpd glue.  libmicrohttpd runs a pool of threads; each
 * thread lazily opens its own read-only store handle and its own coder (a
 * clone of one made at start: the threads share one token cache).
 *
 * Security: the store is opened read-only; the only writing endpoint
 * (POST /api/ingest) exists only with --allow-write and needs the token;
 * bodies, connections and request time are bounded; static paths are
 * checked character by character (no "..", no hidden files); every JSON
 * string is escaped (<, >, & included) so text can never become markup. */
#include "server.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

static const serve_opts *G;           /* read-only after start */
static const parley_dict *GD;
/* the pool threads' coders are its clones: they share one token cache, so
 * a word is worked out once for all requests; only read once serving */
static parley_coder *G_CODER;
/* per-thread store handles and coder, closed when a pool thread ends */
typedef struct tls { parley_store *ro, *rw; parley_coder *coder; } tls;
static pthread_key_t tls_key;
static void tls_free(void *p) {
    tls *t = p;
    if (!t) return;
    parley_store_close(t->ro);
    parley_store_close(t->rw);
    parley_coder_free(t->coder);
    free(t);
}
static tls *tl(void) {
    tls *t = pthread_getspecific(tls_key);
    if (!t) { t = calloc(1, sizeof *t); pthread_setspecific(tls_key, t); }
    return t;
}

/* this thread's store handle, opened on first use */
static parley_store *thread_store(int writable) {
    tls *t = tl();
    if (!t) return NULL;
    parley_store **h = writable ? &t->rw : &t->ro;
    if (!*h) {
        parley_error e;
        *h = writable ? parley_store_open(G->db, &e) : parley_store_open_readonly(G->db, &e);
        if (!*h) fprintf(stderr, "parley serve: %s\n", e.message);
    }
    return *h;
}
static parley_store *get_ro(void *ud) { (void)ud; return thread_store(0); }
static parley_store *get_rw(void *ud) { (void)ud; return thread_store(1); }
static parley_coder *get_coder(void *ud) {
    (void)ud;
    tls *t = tl();
    if (!t) return NULL;
    if (!t->coder) {
        t->coder = parley_coder_clone(G_CODER);
    }
    return t->coder;
}

/* ------------------------------------------------------- answer cache */

/* GET answers are cached by URL (with its query string) and by the store's
 * state: the mtimes and size of the database and its WAL, which move on
 * every commit.  A dashboard asks the same questions again and again; a
 * commit by an ingester empties the cache at the next request. */
#define CACHE_SLOTS 4096
typedef struct centry { char *key; char *body; size_t len; } centry;
static centry cache[CACHE_SLOTS];
static size_t cache_bytes;
static char cache_stamp[128];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

static void store_stamp(char *out, size_t cap) {
    struct stat a, w;
    char wal[1100];
    snprintf(wal, sizeof wal, "%.1000s-wal", G->db);
    int ha = stat(G->db, &a) == 0, hw = stat(wal, &w) == 0;
    snprintf(out, cap, "%lld.%ld/%lld.%ld/%lld", ha ? (long long)a.st_mtim.tv_sec : 0, ha ? a.st_mtim.tv_nsec : 0L,
             hw ? (long long)w.st_mtim.tv_sec : 0, hw ? w.st_mtim.tv_nsec : 0L, hw ? (long long)w.st_size : 0);
}

static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
    return h;
}

/* Returns a malloc()ed copy of the cached answer or NULL. */
static char *cache_get(void *ud, const char *key, size_t *len) {
    (void)ud;
    /* the stamp is the SQLite file's; a PostgreSQL store changes with no
     * file here to watch (other machines write to it), so nothing is cached */
    if (strstr(G->db, "://")) return NULL;
    char stamp[128];
    store_stamp(stamp, sizeof stamp);
    pthread_mutex_lock(&cache_mu);
    if (strcmp(stamp, cache_stamp)) {
        for (size_t i = 0; i < CACHE_SLOTS; i++) { free(cache[i].key); free(cache[i].body); cache[i].key = cache[i].body = NULL; }
        cache_bytes = 0;
        snprintf(cache_stamp, sizeof cache_stamp, "%s", stamp);
    }
    centry *e = &cache[fnv(key) % CACHE_SLOTS];
    char *out = NULL;
    if (e->key && !strcmp(e->key, key)) {
        out = malloc(e->len ? e->len : 1);
        if (out) { memcpy(out, e->body, e->len); *len = e->len; }
    }
    pthread_mutex_unlock(&cache_mu);
    return out;
}

static void cache_put(void *ud, const char *key, const char *body, size_t len) {
    (void)ud;
    if (len > (1u << 20) || strstr(G->db, "://")) return;
    pthread_mutex_lock(&cache_mu);
    centry *e = &cache[fnv(key) % CACHE_SLOTS];
    if (cache_bytes + len > (64u << 20)) { pthread_mutex_unlock(&cache_mu); return; }
    if (e->key) { cache_bytes -= e->len; free(e->key); free(e->body); }
    e->key = strdup(key);
    e->body = malloc(len ? len : 1);
    if (e->key && e->body) { memcpy(e->body, body, len); e->len = len; cache_bytes += len; }
    else { free(e->key); free(e->body); e->key = e->body = NULL; }
    pthread_mutex_unlock(&cache_mu);
}

/* ------------------------------------------------- request deadlines */

/* libmicrohttpd's connection timeout counts idle time only, so a client
 * that sends one byte a second could hold a connection (and its memory)
 * for ever.  We also give each request a deadline: from the moment we wait
 * for it, it must arrive in full (request line, headers, body) within
 * --timeout seconds.  A watchdog thread answers late ones 408 and shuts
 * their socket down; libmicrohttpd then sees the end of the stream and
 * closes the connection itself, so it stays the only owner of the fd. */
typedef struct conn {
    struct conn *prev, *next;
    int fd;
    double deadline;   /* monotonic seconds */
    int receiving;     /* no answer queued yet */
    int refused;       /* over --max-connections: answered 503 */
} conn;
static pthread_mutex_t conn_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conn_cv = PTHREAD_COND_INITIALIZER;
static conn *conns;
static int nconns;     /* live, not refused */
static int watchdog_stop;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static conn *conn_of(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* the connection now waits for a request (1) or has its answer (0) */
static void conn_receiving(struct MHD_Connection *c, int on) {
    conn *k = conn_of(c);
    if (!k || k->refused) return;
    pthread_mutex_lock(&conn_mu);
    k->receiving = on;
    k->deadline = now_s() + G->timeout;
    pthread_mutex_unlock(&conn_mu);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **sc, enum MHD_ConnectionNotificationCode toe) {
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn *k = calloc(1, sizeof *k);
        if (!k || !ci) { free(k); return; }
        k->fd = ci->connect_fd;
        k->receiving = 1;
        k->deadline = now_s() + G->timeout;
        pthread_mutex_lock(&conn_mu);
        k->next = conns;
        if (conns) conns->prev = k;
        conns = k;
        if (nconns >= G->max_connections) {
            /* over the limit: say so at once rather than leave the client
             * waiting; libmicrohttpd closes the connection on the EOF */
            static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
                                       "Retry-After: 1\r\nConnection: close\r\nContent-Length: 39\r\n\r\n{\"error\":\"too many connections, retry\"}";
            k->refused = 1;
            k->receiving = 0;
            if (send(k->fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) { /* the client is gone anyway */ }
            shutdown(k->fd, SHUT_RDWR);
        } else nconns++;
        pthread_mutex_unlock(&conn_mu);
        *sc = k;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *sc) {
        /* called before libmicrohttpd closes the fd: once this returns the
         * watchdog can no longer touch it */
        conn *k = *sc;
        pthread_mutex_lock(&conn_mu);
        if (k->prev) k->prev->next = k->next;
        else conns = k->next;
        if (k->next) k->next->prev = k->prev;
        if (!k->refused) nconns--;
        pthread_mutex_unlock(&conn_mu);
        free(k);
        *sc = NULL;
    }
}

static void *watchdog(void *arg) {
    (void)arg;
    static const char late[] = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
                               "Connection: close\r\nContent-Length: 40\r\n\r\n{\"error\":\"request not received in time\"}";
    pthread_mutex_lock(&conn_mu);
    while (!watchdog_stop) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += 200 * 1000 * 1000;
        if (t.tv_nsec >= 1000000000L) { t.tv_sec++; t.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&conn_cv, &conn_mu, &t);
        double now = now_s();
        for (conn *k = conns; k; k = k->next) {
            if (!k->receiving || now < k->deadline) continue;
            k->receiving = 0;
            if (send(k->fd, late, sizeof late - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) { /* the client is gone anyway */ }
            shutdown(k->fd, SHUT_RDWR);
        }
    }
    pthread_mutex_unlock(&conn_mu);
    return NULL;
}

/* ------------------------------------------------------------- glue */

typedef struct req {
    char *target;      /* raw, as the client sent it */
    char *body;
    size_t len, cap;
    int seen, too_big;
} req;

/* libmicrohttpd hands us the request target before it decodes it; we keep
 * it raw and let http.c decode it (see there why). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    (void)cls; (void)c;
    req *rq = calloc(1, sizeof *rq);
    if (rq) rq->target = strdup(uri ? uri : "");
    return rq;
}

static enum MHD_Result queue(struct MHD_Connection *c, http_response *hr) {
    struct MHD_Response *r = MHD_create_response_from_buffer(hr->len, hr->body, hr->is_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!r) { http_response_free(hr); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", hr->type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (G->cors) MHD_add_response_header(r, "Access-Control-Allow-Origin", G->cors);
    if (!strncmp(hr->type, "text/html", 9))
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'");
    enum MHD_Result ret = MHD_queue_response(c, hr->status, r);
    MHD_destroy_response(r);
    conn_receiving(c, 0);
    return ret;
}

static enum MHD_Result answer(struct MHD_Connection *c, const char *method, req *rq) {
    const http_env env = {.o = G, .d = GD, .ro = get_ro, .rw = get_rw, .coder = get_coder, .cache_get = cache_get, .cache_put = cache_put};
    http_request hq = {method, rq->target, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"), rq->body, rq->len, rq->too_big};
    http_response hr;
    http_answer(&env, &hq, &hr);
    return queue(c, &hr);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
                               const char *upload, size_t *upload_size, void **con_cls) {
    (void)cls; (void)version; (void)url;
    req *rq = *con_cls;
    if (!rq || !rq->target) return MHD_NO;
    if (!rq->seen) {
        rq->seen = 1;
        /* a declared body over the limit is refused before it is sent */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > G->max_body) {
            rq->too_big = 1;
            return answer(c, method, rq);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_big) {
            if (rq->len + *upload_size > G->max_body) {
                rq->too_big = 1;
                free(rq->body);
                rq->body = NULL;
                rq->len = rq->cap = 0;
            } else {
                if (rq->len + *upload_size + 1 > rq->cap) {
                    size_t nc = rq->cap ? rq->cap : 4096;
                    while (nc < rq->len + *upload_size + 1) nc *= 2;
                    char *nb = realloc(rq->body, nc);
                    if (!nb) return MHD_NO;
                    rq->body = nb;
                    rq->cap = nc;
                }
                memcpy(rq->body + rq->len, upload, *upload_size);
                rq->len += *upload_size;
                rq->body[rq->len] = 0;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(c, method, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls; (void)toe;
    req *rq = *con_cls;
    if (rq) { free(rq->target); free(rq->body); free(rq); }
    *con_cls = NULL;
    /* keep-alive: the next request gets a fresh deadline */
    conn_receiving(c, 1);
}

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

int serve_run(const serve_opts *o, const parley_dict *d) {
    G = o;
    GD = d;
    pthread_key_create(&tls_key, tls_free);
    G_CODER = parley_coder_new(d);
    if (!G_CODER) { fputs("parley serve: out of memory\n", stderr); return 3; }
    parley_coder_set_gazetteer(G_CODER, o->gazetteer);
    parley_error e;
    parley_store *probe = parley_store_open_readonly(o->db, &e);
    if (!probe) { fprintf(stderr, "parley serve: %s\n", e.message); parley_coder_free(G_CODER); return 3; }
    parley_store_close(probe);
    /* --max-connections is enforced in on_connection, which answers the
     * excess 503; libmicrohttpd's own limit sits above it so that those
     * connections are accepted and answered, and only a flood beyond the
     * slack waits in the listen backlog.  Every pool thread needs a share. */
    unsigned threads = (unsigned)o->threads, limit = (unsigned)o->max_connections + 64;
    if (threads > limit) threads = limit;
    struct MHD_Daemon *dm = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, (uint16_t)o->port, NULL, NULL, handler, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
        MHD_OPTION_SOCK_ADDR, o->addr, MHD_OPTION_END);
    if (!dm) { fprintf(stderr, "parley serve: cannot listen on port %d: %s\n", o->port, strerror(errno)); parley_coder_free(G_CODER); return 4; }
    pthread_t wd;
    int have_wd = pthread_create(&wd, NULL, watchdog, NULL) == 0;
    if (!have_wd) fprintf(stderr, "parley serve: no watchdog thread; only idle connections time out\n");
    fprintf(stderr, "parley serve: http://%s:%d/ (store %s, %s)\n", o->host, o->port, o->db, o->allow_write ? "read-write" : "read-only");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop_flag) pause();
    MHD_stop_daemon(dm);
    if (have_wd) {
        pthread_mutex_lock(&conn_mu);
        watchdog_stop = 1;
        pthread_cond_signal(&conn_cv);
        pthread_mutex_unlock(&conn_mu);
        pthread_join(wd, NULL);
    }
    for (size_t i = 0; i < CACHE_SLOTS; i++) { free(cache[i].key); free(cache[i].body); }
    parley_coder_free(G_CODER);
    fprintf(stderr, "parley serve: stopped\n");
    return 0;
}
