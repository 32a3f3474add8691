/* parley serve: the HTTP API (and the dashboard's static files) over an
 * event store.  A thin user of libparley: every answer comes from the
 * public store and coder API.  libmicrohttpd runs a pool of threads; each
 * thread lazily opens its own read-only store handle and its own coder.
 *
 * Security: the store is opened read-only; the only writing endpoint
 * (POST /api/ingest) exists only with --allow-write and needs the token;
 * bodies, connections and request time are bounded; static paths are
 * checked character by character (no "..", no hidden files); every JSON
 * string is escaped (<, >, & included) so text can never become markup. */
#include "server.h"

#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/io/input.h"

typedef struct req {
    char *body;
    size_t len, cap;
    int too_big;
} req;

static const serve_opts *G;           /* read-only after start */
static const parley_dict *GD;
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
#define tl_store (tl()->ro)
#define tl_rw_store (tl()->rw)
#define tl_coder (tl()->coder)

int p_parse_json_doc(const char *s, size_t n, parley_doc *doc, char **owned) {
    json_error_t je;
    json_t *o = json_loadb(s, n, 0, &je);
    memset(doc, 0, sizeof *doc);
    *owned = NULL;
    if (!o || !json_is_object(o) || !json_is_string(json_object_get(o, "text"))) { json_decref(o); return -1; }
    json_t *t = json_object_get(o, "text"), *d = json_object_get(o, "date");
    size_t tl = json_string_length(t);
    *owned = malloc(tl + 1);
    if (!*owned) { json_decref(o); return -1; }
    memcpy(*owned, json_string_value(t), tl + 1);
    doc->text = *owned;
    doc->text_len = tl;
    if (json_is_string(d)) doc->date = parley_parse_date(json_string_value(d), strlen(json_string_value(d)));
    json_decref(o);
    return 0;
}

static int add_common(struct MHD_Response *r, const char *type) {
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (G->cors) MHD_add_response_header(r, "Access-Control-Allow-Origin", G->cors);
    return 0;
}

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned code, const char *type, char *buf, size_t len, int owned) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
    if (!r) { if (owned) free(buf); return MHD_NO; }
    add_common(r, type);
    if (!strncmp(type, "text/html", 9))
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned code, char *buf, size_t len) {
    return send_buf(c, code, "application/json; charset=utf-8", buf, len, 1);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned code, const char *msg) {
    char tmp[700];
    p_json_error(tmp, sizeof tmp, msg);
    return send_buf(c, code, "application/json; charset=utf-8", tmp, strlen(tmp), 0);
}

static parley_store *store(void) {
    if (!tl_store) {
        parley_error e;
        tl_store = parley_store_open_readonly(G->db, &e);
        if (!tl_store) fprintf(stderr, "parley serve: %s\n", e.message);
    }
    return tl_store;
}

static const char *arg(struct MHD_Connection *c, const char *name) {
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

static int32_t arg_date(struct MHD_Connection *c, const char *name, int *bad) {
    const char *v = arg(c, name);
    if (!v) return 0;
    int32_t d = parley_parse_date(v, strlen(v));
    if (!d) *bad = 1;
    return d;
}

static int valid_code(const char *s) {
    if (!s) return 1;
    size_t n = strlen(s);
    if (!n || n > 32) return 0;
    for (size_t i = 0; i < n; i++) if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return 0;
    return 1;
}

/* ------------------------------------------------------------ /api/code */

typedef struct code_out { p_buf_t b; int n; } code_out;

static int on_code_event(void *ud, const parley_event *ev) {
    code_out *o = ud;
    if (o->n++) pb_putc(&o->b, ',');
    char *buf = NULL;
    size_t len = 0, cap = 0;
    parley_event_json(GD, ev, &buf, &len, &cap);
    pb_put(&o->b, buf, len);
    free(buf);
    return o->n >= 500; /* enough for one request */
}

static enum MHD_Result api_code(struct MHD_Connection *c, req *rq) {
    if (!tl_coder) { tl_coder = parley_coder_new(GD); parley_coder_set_gazetteer(tl_coder, G->gazetteer); }
    if (!tl_coder) return send_error(c, 500, "no coder");
    const char *text = rq->body ? rq->body : "";
    size_t tlen = rq->len;
    int32_t date = arg_date(c, "date", &(int){0});
    char *owned = NULL;
    /* a JSON body {"text": ..., "date": ...} or plain text */
    size_t i = 0;
    while (i < tlen && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) i++;
    if (i < tlen && text[i] == '{') {
        parley_doc jd;
        if (p_parse_json_doc(text, tlen, &jd, &owned) != 0) return send_error(c, 400, "body is JSON but not {\"text\":...}");
        text = jd.text;
        tlen = jd.text_len;
        if (jd.date) date = jd.date;
    }
    if (!date) date = G->default_date;
    parley_coder_reset_options(tl_coder);
    char dl[64];
    snprintf(dl, sizeof dl, "date = %d", date);
    parley_error e;
    parley_coder_option(tl_coder, dl, &e);
    code_out o = {{0}, 0};
    pb_puts(&o.b, "{\"events\":[");
    parley_doc doc = {.id = "request", .date = date, .text = text, .text_len = tlen};
    int nsent = 0;
    parley_code_document(tl_coder, &doc, on_code_event, &o, &nsent, &e);
    char tail[64];
    snprintf(tail, sizeof tail, "],\"sentences\":%d,\"count\":%d}", nsent, o.n);
    pb_puts(&o.b, tail);
    free(owned);
    return send_json(c, 200, o.b.s, o.b.n);
}

/* --------------------------------------------------------- /api/ingest */

typedef struct ingest_ctx { parley_store *st; long docs, events, bad; } ingest_ctx;

static int on_ingest(void *ud, const parley_doc *doc) {
    ingest_ctx *x = ud;
    parley_error e;
    int n = 0;
    if (parley_store_ingest(x->st, tl_coder, doc, &n, &e) != PARLEY_OK) x->bad++;
    else if (n > 0) x->events += n;
    x->docs++;
    return 0;
}

static enum MHD_Result api_ingest(struct MHD_Connection *c, req *rq) {
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!auth || strncmp(auth, "Bearer ", 7) || !p_const_time_eq(auth + 7, G->token)) return send_error(c, 401, "a valid bearer token is required");
    if (!tl_coder) { tl_coder = parley_coder_new(GD); parley_coder_set_gazetteer(tl_coder, G->gazetteer); }
    parley_error e;
    if (!tl_rw_store) tl_rw_store = parley_store_open(G->db, &e);
    if (!tl_rw_store) return send_error(c, 500, "store not writable");
    FILE *f = fmemopen(rq->body ? rq->body : (char *)"", rq->len ? rq->len : 1, "rb");
    if (!f) return send_error(c, 500, "cannot read body");
    ingest_ctx x = {tl_rw_store, 0, 0, 0};
    input_opts io = {G->default_date, 16u << 20, NULL, NULL};
    x.bad += read_jsonl(f, "request", &io, on_ingest, &x);
    fclose(f);
    parley_store_commit(tl_rw_store, &e);
    char out[200];
    int n = snprintf(out, sizeof out, "{\"documents\":%ld,\"event_mentions\":%ld,\"bad\":%ld}", x.docs, x.events, x.bad);
    return send_buf(c, 200, "application/json", out, (size_t)n, 0);
}

/* ------------------------------------------------------ trend / alerts */

typedef struct rows { p_buf_t b; int n; } rows;

static int on_trend_row(void *ud, const parley_trend_row *r) {
    rows *o = ud;
    char line[400];
    snprintf(line, sizeof line,
             "%s{\"period\":\"%s\",\"events\":%d,\"quad\":[%d,%d,%d,%d],\"goldstein_sum\":%.1f,\"goldstein_mean\":%.2f,"
             "\"tension\":%.2f,\"z\":%.2f,\"flag\":%d}",
             o->n++ ? "," : "", r->period, r->events, r->quad[1], r->quad[2], r->quad[3], r->quad[4], r->goldstein_sum,
             r->goldstein_mean, r->tension, r->z, r->flag);
    pb_puts(&o->b, line);
    return 0;
}

static int on_alert_row(void *ud, const parley_alert *a) {
    rows *o = ud;
    char line[300];
    snprintf(line, sizeof line, "%s{\"a\":\"%.8s\",\"b\":\"%.8s\",\"period\":\"%s\",\"flag\":%d,\"events\":%d,\"tension\":%.2f,\"z\":%.2f}",
             o->n++ ? "," : "", a->a, a->b, a->period, a->flag, a->events, a->tension, a->z);
    pb_puts(&o->b, line);
    return o->n >= 1000;
}

/* ------------------------------------------------------------- static */

static const char *mime(const char *path) {
    const char *dot = strrchr(path, '.');
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".html")) return "text/html; charset=utf-8";
    if (!strcmp(dot, ".js")) return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".css")) return "text/css; charset=utf-8";
    if (!strcmp(dot, ".json")) return "application/json";
    if (!strcmp(dot, ".svg")) return "image/svg+xml";
    if (!strcmp(dot, ".png")) return "image/png";
    return "application/octet-stream";
}

/* Only [A-Za-z0-9._-] segments, none starting with '.', joined by '/'. */
static int safe_path(const char *url) {
    if (url[0] != '/') return 0;
    const char *p = url + 1;
    int seg_start = 1;
    for (; *p; p++) {
        char ch = *p;
        if (ch == '/') { if (seg_start) return 0; seg_start = 1; continue; }
        if (seg_start && ch == '.') return 0;
        seg_start = 0;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-')) return 0;
    }
    return 1;
}

static enum MHD_Result serve_static(struct MHD_Connection *c, const char *url) {
    if (!G->www) return send_error(c, 404, "no dashboard files (build them with make dashboard)");
    if (!strcmp(url, "/")) url = "/index.html";
    if (strlen(url) > 200 || !safe_path(url)) return send_error(c, 404, "not found");
    char path[1024];
    snprintf(path, sizeof path, "%s%s", G->www, url);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > (16 << 20)) return send_error(c, 404, "not found");
    FILE *f = fopen(path, "rb");
    if (!f) return send_error(c, 404, "not found");
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
    fclose(f);
    if (!buf) return send_error(c, 500, "out of memory");
    return send_buf(c, 200, mime(path), buf, n, 1);
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
static char *cache_get(const char *key, size_t *len) {
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

static void cache_put(const char *key, const char *body, size_t len) {
    if (len > (1u << 20)) return;
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

typedef struct keybuf { p_buf_t b; } keybuf;
static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v) {
    (void)kind;
    keybuf *kb = cls;
    pb_putc(&kb->b, '&');
    pb_puts(&kb->b, k);
    pb_putc(&kb->b, '=');
    if (v) pb_puts(&kb->b, v);
    return MHD_YES;
}

/* ------------------------------------------------------------- router */

static enum MHD_Result route_api(struct MHD_Connection *c, const char *url, const char *key);

static enum MHD_Result route(struct MHD_Connection *c, const char *url, const char *method, req *rq) {
    int is_get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (!strcmp(method, "OPTIONS")) return send_buf(c, 204, "text/plain", (char *)"", 0, 0);
    if (strncmp(url, "/api/", 5)) {
        if (!is_get) return send_error(c, 405, "method not allowed");
        return serve_static(c, url);
    }
    if (!strcmp(url, "/api/openapi.json") && is_get) return send_buf(c, 200, "application/json", (char *)serve_openapi, strlen(serve_openapi), 0);
    if (!strcmp(url, "/api/code")) {
        if (strcmp(method, "POST")) return send_error(c, 405, "POST text or {\"text\":...} to /api/code");
        return api_code(c, rq);
    }
    if (!strcmp(url, "/api/ingest")) {
        if (!G->allow_write) return send_error(c, 403, "this server is read-only (start it with --allow-write --token T)");
        if (strcmp(method, "POST")) return send_error(c, 405, "POST JSON Lines to /api/ingest");
        return api_ingest(c, rq);
    }
    if (!is_get) return send_error(c, 405, "method not allowed");
    keybuf kb = {{0}};
    pb_puts(&kb.b, url);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, key_arg, &kb);
    size_t clen;
    char *cached = kb.b.s ? cache_get(kb.b.s, &clen) : NULL;
    if (cached) { free(kb.b.s); return send_json(c, 200, cached, clen); }
    enum MHD_Result res = route_api(c, url, kb.b.s);
    free(kb.b.s);
    return res;
}

static enum MHD_Result route_api(struct MHD_Connection *c, const char *url, const char *key) {
    parley_store *st = store();
    if (!st) return send_error(c, 503, "the event store cannot be opened");
    parley_error e;
    char *out = NULL;
    size_t len = 0;
    parley_status s;
    if (!strcmp(url, "/api/health")) s = parley_store_stats_json(st, &out, &len, &e);
    else if (!strcmp(url, "/api/events")) {
        parley_event_query q;
        memset(&q, 0, sizeof q);
        int bad = 0;
        q.actor = arg(c, "actor");
        q.a = arg(c, "a");
        q.b = arg(c, "b");
        q.code = arg(c, "code");
        if (!q.code) q.code = arg(c, "root");
        q.country = arg(c, "country");
        q.text = arg(c, "q");
        q.quad = arg(c, "quad") ? atoi(arg(c, "quad")) : 0;
        q.from = arg_date(c, "from", &bad);
        q.to = arg_date(c, "to", &bad);
        q.limit = arg(c, "limit") ? atoi(arg(c, "limit")) : 50;
        q.offset = arg(c, "offset") ? atoi(arg(c, "offset")) : 0;
        if (bad) return send_error(c, 400, "dates are YYYY-MM-DD");
        if (!valid_code(q.actor) || !valid_code(q.a) || !valid_code(q.b) || !valid_code(q.code) || !valid_code(q.country))
            return send_error(c, 400, "actor and event codes are letters and digits");
        if ((q.a && !q.b) || (q.b && !q.a)) return send_error(c, 400, "a dyad needs both a and b");
        if (q.quad < 0 || q.quad > 4 || q.limit < 0 || q.limit > 1000 || q.offset < 0) return send_error(c, 400, "bad quad, limit (1-1000) or offset");
        if (q.text && strlen(q.text) > 200) return send_error(c, 400, "search text too long");
        s = parley_store_events_json(st, &q, &out, &len, &e);
        if (s != PARLEY_OK && q.text) return send_error(c, 400, "bad search expression");
    } else if (!strncmp(url, "/api/events/", 12)) {
        s = parley_store_event_json(st, url + 12, &out, &len, &e);
        if (s == PARLEY_ERR_STATE) return send_error(c, 404, "no such event");
        if (s == PARLEY_ERR_ARG) return send_error(c, 400, e.message);
    } else if (!strcmp(url, "/api/dyads")) {
        int bad = 0;
        int32_t since = arg_date(c, "since", &bad);
        if (bad) return send_error(c, 400, "dates are YYYY-MM-DD");
        s = parley_store_dyads_json(st, since, arg(c, "limit") ? atoi(arg(c, "limit")) : 50, &out, &len, &e);
    } else if (!strcmp(url, "/api/trend") || !strcmp(url, "/api/alerts")) {
        int bad = 0;
        int32_t since = arg_date(c, "since", &bad);
        const char *by = arg(c, "by") ? arg(c, "by") : "week";
        if (bad) return send_error(c, 400, "dates are YYYY-MM-DD");
        if (strcmp(by, "day") && strcmp(by, "week") && strcmp(by, "month")) return send_error(c, 400, "by is day, week or month");
        rows o = {{0}, 0};
        if (url[5] == 't') {
            const char *a = arg(c, "a"), *b = arg(c, "b");
            if (!a || !b || !valid_code(a) || !valid_code(b)) return send_error(c, 400, "trend needs a and b (actor codes)");
            pb_puts(&o.b, "{\"series\":[");
            s = parley_store_trend(st, a, b, by, arg(c, "directed") != NULL, since, on_trend_row, &o, &e);
        } else {
            pb_puts(&o.b, "{\"alerts\":[");
            s = parley_store_alerts(st, by, since, arg(c, "min_events") ? atoi(arg(c, "min_events")) : 5, on_alert_row, &o, &e);
        }
        pb_puts(&o.b, "]}");
        out = o.b.s;
        len = o.b.n;
    } else return send_error(c, 404, "no such endpoint (see /api/openapi.json)");
    if (s != PARLEY_OK) { free(out); return send_error(c, 500, e.message); }
    if (key) cache_put(key, out, len);
    return send_json(c, 200, out, len);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
                               const char *upload, size_t *upload_size, void **con_cls) {
    (void)cls; (void)version;
    req *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_big) {
            if (rq->len + *upload_size > G->max_body) {
                rq->too_big = 1;
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
    if (rq->too_big) return send_error(c, 413, "request body too large");
    return route(c, url, method, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls; (void)c; (void)toe;
    req *rq = *con_cls;
    if (rq) { free(rq->body); free(rq); }
    *con_cls = NULL;
}

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

int serve_run(const serve_opts *o, const parley_dict *d) {
    G = o;
    GD = d;
    pthread_key_create(&tls_key, tls_free);
    parley_error e;
    parley_store *probe = parley_store_open_readonly(o->db, &e);
    if (!probe) { fprintf(stderr, "parley serve: %s\n", e.message); return 3; }
    parley_store_close(probe);
    struct MHD_Daemon *dm = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, (uint16_t)o->port, NULL, NULL, handler, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->max_connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
        MHD_OPTION_SOCK_ADDR, o->addr, MHD_OPTION_END);
    if (!dm) { fprintf(stderr, "parley serve: cannot listen on port %d: %s\n", o->port, strerror(errno)); return 4; }
    fprintf(stderr, "parley serve: http://%s:%d/ (store %s, %s)\n", o->host, o->port, o->db, o->allow_write ? "read-write" : "read-only");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop_flag) pause();
    MHD_stop_daemon(dm);
    for (size_t i = 0; i < CACHE_SLOTS; i++) { free(cache[i].key); free(cache[i].body); }
    fprintf(stderr, "parley serve: stopped\n");
    return 0;
}
