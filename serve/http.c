/* parley serve: the request core (see http.h).  No socket, no globals: the
 * same code answers the server's requests and the fuzzer's bytes.
 *
 * We decode the request target ourselves rather than take libmicrohttpd's
 * decoded URL and arguments: its decoder lets a broken escape ("%zz")
 * through as text, while we answer it with 400, and doing it here is what
 * lets the fuzzer reach the parsing at all. */
#include "http.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../src/io/input.h"

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
    if (json_is_string(d)) {
        doc->date = parley_parse_date(json_string_value(d), json_string_length(d));
        if (!doc->date) { free(*owned); *owned = NULL; json_decref(o); return -2; }
    } else if (d && !json_is_null(d)) { free(*owned); *owned = NULL; json_decref(o); return -2; }
    json_decref(o);
    return 0;
}

/* ------------------------------------------------------------ answers */

static void set(http_response *r, unsigned status, const char *type, char *body, size_t len, int is_static) {
    r->status = status;
    r->type = type;
    r->body = body;
    r->len = len;
    r->is_static = is_static;
}

static void json_ok(http_response *r, char *body, size_t len) { set(r, 200, "application/json; charset=utf-8", body, len, 0); }

static void error(http_response *r, unsigned status, const char *msg) {
    char tmp[700];
    p_json_error(tmp, sizeof tmp, msg);
    size_t n = strlen(tmp);
    char *b = malloc(n + 1);
    if (b) memcpy(b, tmp, n + 1);
    /* out of memory: an empty body still carries the status */
    set(r, status, "application/json; charset=utf-8", b ? b : (char *)"", b ? n : 0, !b);
}

void http_response_free(http_response *r) {
    if (!r->is_static) free(r->body);
    r->body = NULL;
}

/* ------------------------------------------------------ target parsing */

/* Query parameters, decoded, in the order given.  The strings live in buf. */
typedef struct args {
    int n;
    const char *k[HTTP_MAX_PARAMS], *v[HTTP_MAX_PARAMS];
    char *buf;
    const char *path;
} args;

static int hex(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

/* RFC 3986 percent-decoding into out (room for n + 1).  In a query '+' is a
 * space (HTML forms).  A broken escape, or an escaped NUL that would cut
 * the string short, makes it -1. */
static long pct_decode(const char *s, size_t n, char *out, int plus_space) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int h, l;
            if (i + 2 >= n || (h = hex((unsigned char)s[i + 1])) < 0 || (l = hex((unsigned char)s[i + 2])) < 0) return -1;
            c = (char)(h * 16 + l);
            if (!c) return -1;
            i += 2;
        } else if (c == '+' && plus_space) c = ' ';
        out[k++] = c;
    }
    out[k] = 0;
    return (long)k;
}

/* Splits and decodes the target; on failure returns the reason for a 400. */
static const char *parse_target(const char *target, args *a) {
    memset(a, 0, sizeof *a);
    size_t n = strlen(target);
    if (n > HTTP_MAX_TARGET) return "request target too long";
    /* absolute form (RFC 9112 3.2.2), which servers must accept: the path
     * after the authority counts */
    if (!strncasecmp(target, "http://", 7) || !strncasecmp(target, "https://", 8)) {
        const char *auth = strchr(target, ':') + 3;
        const char *slash = strchr(auth, '/');
        if (!slash || slash == auth) return "the request target must be a path";
        n -= (size_t)(slash - target);
        target = slash;
    }
    if (target[0] != '/') return "the request target must be a path";
    const char *q = memchr(target, '?', n);
    const char *hash = memchr(target, '#', n);
    if (hash && (!q || hash < q)) q = NULL;
    size_t plen = q ? (size_t)(q - target) : hash ? (size_t)(hash - target) : n;
    a->buf = malloc(n + HTTP_MAX_PARAMS + 2);
    if (!a->buf) return "out of memory";
    char *o = a->buf;
    long L = pct_decode(target, plen, o, 0);
    if (L < 0) return "bad percent-encoding in the path";
    a->path = o;
    o += L + 1;
    if (!q) return NULL;
    const char *p = q + 1, *end = hash && hash > q ? hash : target + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp) amp = end;
        if (amp > p) {
            if (a->n == HTTP_MAX_PARAMS) return "too many query parameters";
            const char *eq = memchr(p, '=', (size_t)(amp - p));
            const char *ke = eq ? eq : amp;
            long kl = pct_decode(p, (size_t)(ke - p), o, 1);
            if (kl < 0) return "bad percent-encoding in the query";
            a->k[a->n] = o;
            o += kl + 1;
            long vl = eq ? pct_decode(eq + 1, (size_t)(amp - eq - 1), o, 1) : (*o = 0, 0);
            if (vl < 0) return "bad percent-encoding in the query";
            a->v[a->n++] = o;
            o += vl + 1;
        }
        p = amp + 1;
    }
    return NULL;
}

/* The first value of a parameter; an empty value counts as absent. */
static const char *arg(const args *a, const char *name) {
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->k[i], name)) return *a->v[i] ? a->v[i] : NULL;
    return NULL;
}

static int has_arg(const args *a, const char *name) {
    for (int i = 0; i < a->n; i++) if (!strcmp(a->k[i], name)) return 1;
    return 0;
}

static int32_t arg_date(const args *a, const char *name, int *bad) {
    const char *v = arg(a, name);
    if (!v) return 0;
    int32_t d = parley_parse_date(v, strlen(v));
    if (!d) *bad = 1;
    return d;
}

/* A whole number in [lo, hi]: digits only, so "10abc" or "1e3" is bad
 * rather than quietly read as 10 or 1. */
static int arg_int(const args *a, const char *name, int dflt, int lo, int hi, int *bad) {
    const char *v = arg(a, name);
    if (!v) return dflt;
    const char *p = v;
    int neg = *p == '-';
    if (neg) p++;
    if (!*p || strlen(p) > 9) { *bad = 1; return dflt; }
    long x = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') { *bad = 1; return dflt; }
        x = x * 10 + (*p - '0');
    }
    if (neg) x = -x;
    if (x < lo || x > hi) { *bad = 1; return dflt; }
    return (int)x;
}

static int valid_code(const char *s) {
    if (!s) return 1;
    size_t n = strlen(s);
    if (!n || n > 32) return 0;
    for (size_t i = 0; i < n; i++) if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return 0;
    return 1;
}

/* ------------------------------------------------------------ /api/code */

typedef struct code_out { p_buf_t b; int n; const parley_dict *d; } code_out;

static int on_code_event(void *ud, const parley_event *ev) {
    code_out *o = ud;
    if (o->n++) pb_putc(&o->b, ',');
    char *buf = NULL;
    size_t len = 0, cap = 0;
    parley_event_json(o->d, ev, &buf, &len, &cap);
    pb_put(&o->b, buf, len);
    free(buf);
    return o->n >= 500; /* enough for one request */
}

static void api_code(const http_env *env, const http_request *rq, const args *a, http_response *out) {
    int bad = 0;
    int32_t date = arg_date(a, "date", &bad);
    if (bad) { error(out, 400, "dates are YYYY-MM-DD"); return; }
    parley_coder *coder = env->coder(env->ud);
    if (!coder) { error(out, 500, "no coder"); return; }
    const char *text = rq->body ? rq->body : "";
    size_t tlen = rq->body ? rq->body_len : 0;
    char *owned = NULL;
    /* a JSON body {"text": ..., "date": ...} or plain text */
    size_t i = 0;
    while (i < tlen && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) i++;
    if (i < tlen && text[i] == '{') {
        parley_doc jd;
        int r = p_parse_json_doc(text, tlen, &jd, &owned);
        if (r == -2) { error(out, 400, "dates are YYYY-MM-DD"); return; }
        if (r != 0) { error(out, 400, "body is JSON but not {\"text\":...}"); return; }
        text = jd.text;
        tlen = jd.text_len;
        if (jd.date) date = jd.date;
    }
    if (!date) date = env->o->default_date;
    parley_coder_reset_options(coder);
    char dl[64];
    snprintf(dl, sizeof dl, "date = %d", date);
    parley_error e;
    parley_coder_option(coder, dl, &e);
    code_out o = {{0}, 0, env->d};
    pb_puts(&o.b, "{\"events\":[");
    parley_doc doc = {.id = "request", .date = date, .text = text, .text_len = tlen};
    int nsent = 0;
    parley_code_document(coder, &doc, on_code_event, &o, &nsent, &e);
    char tail[64];
    snprintf(tail, sizeof tail, "],\"sentences\":%d,\"count\":%d}", nsent, o.n);
    pb_puts(&o.b, tail);
    free(owned);
    if (!o.b.s) { error(out, 500, "out of memory"); return; }
    json_ok(out, o.b.s, o.b.n);
}

/* --------------------------------------------------------- /api/ingest */

typedef struct ingest_ctx { parley_store *st; parley_coder *coder; long docs, events, bad; } ingest_ctx;

static int on_ingest(void *ud, const parley_doc *doc) {
    ingest_ctx *x = ud;
    parley_error e;
    int n = 0;
    if (parley_store_ingest(x->st, x->coder, doc, &n, &e) != PARLEY_OK) x->bad++;
    else if (n > 0) x->events += n;
    x->docs++;
    return 0;
}

static void api_ingest(const http_env *env, const http_request *rq, http_response *out) {
    const char *auth = rq->authorization;
    if (!auth || strncmp(auth, "Bearer ", 7) || !p_const_time_eq(auth + 7, env->o->token)) { error(out, 401, "a valid bearer token is required"); return; }
    parley_coder *coder = env->coder(env->ud);
    parley_store *st = env->rw(env->ud);
    if (!coder || !st) { error(out, 500, "store not writable"); return; }
    FILE *f = fmemopen(rq->body && rq->body_len ? (char *)rq->body : (char *)"", rq->body_len ? rq->body_len : 1, "rb");
    if (!f) { error(out, 500, "cannot read body"); return; }
    ingest_ctx x = {st, coder, 0, 0, 0};
    input_opts io = {env->o->default_date, env->o->max_body, NULL, NULL};
    x.bad += read_jsonl(f, "request", &io, on_ingest, &x);
    fclose(f);
    parley_error e;
    parley_store_commit(st, &e);
    char tmp[200];
    int n = snprintf(tmp, sizeof tmp, "{\"documents\":%ld,\"event_mentions\":%ld,\"bad\":%ld}", x.docs, x.events, x.bad);
    char *b = malloc((size_t)n + 1);
    if (!b) { error(out, 500, "out of memory"); return; }
    memcpy(b, tmp, (size_t)n + 1);
    json_ok(out, b, (size_t)n);
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

static void serve_static(const http_env *env, const char *url, http_response *out) {
    if (!env->o->www) { error(out, 404, "no dashboard files (build them with make dashboard)"); return; }
    if (!strcmp(url, "/")) url = "/index.html";
    if (strlen(url) > 200 || !safe_path(url)) { error(out, 404, "not found"); return; }
    char path[1300];
    snprintf(path, sizeof path, "%.1000s%s", env->o->www, url);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > (16 << 20)) { error(out, 404, "not found"); return; }
    FILE *f = fopen(path, "rb");
    if (!f) { error(out, 404, "not found"); return; }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
    fclose(f);
    if (!buf) { error(out, 500, "out of memory"); return; }
    set(out, 200, mime(path), buf, n, 0);
}

/* ------------------------------------------------------------- router */

static void route_api(const http_env *env, const args *a, http_response *out);

static void route(const http_env *env, const http_request *rq, const args *a, http_response *out) {
    const char *method = rq->method ? rq->method : "";
    const char *url = a->path;
    int is_get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (!strcmp(method, "OPTIONS")) { set(out, 204, "text/plain", (char *)"", 0, 1); return; }
    if (strncmp(url, "/api/", 5)) {
        if (!is_get) { error(out, 405, "method not allowed"); return; }
        serve_static(env, url, out);
        return;
    }
    if (!strcmp(url, "/api/openapi.json") && is_get) { set(out, 200, "application/json", (char *)serve_openapi, strlen(serve_openapi), 1); return; }
    if (!strcmp(url, "/api/code")) {
        if (strcmp(method, "POST")) { error(out, 405, "POST text or {\"text\":...} to /api/code"); return; }
        api_code(env, rq, a, out);
        return;
    }
    if (!strcmp(url, "/api/ingest")) {
        if (!env->o->allow_write) { error(out, 403, "this server is read-only (start it with --allow-write --token T)"); return; }
        if (strcmp(method, "POST")) { error(out, 405, "POST JSON Lines to /api/ingest"); return; }
        api_ingest(env, rq, out);
        return;
    }
    if (!is_get) { error(out, 405, "method not allowed"); return; }
    route_api(env, a, out);
}

static void route_api(const http_env *env, const args *a, http_response *out) {
    const char *url = a->path;
    /* the cache key: the decoded path and parameters, as given */
    p_buf_t key = {0};
    if (env->cache_get) {
        pb_puts(&key, url);
        for (int i = 0; i < a->n; i++) { pb_putc(&key, '&'); pb_puts(&key, a->k[i]); pb_putc(&key, '='); pb_puts(&key, a->v[i]); }
        size_t clen;
        char *cached = key.s ? env->cache_get(env->ud, key.s, &clen) : NULL;
        if (cached) { free(key.s); json_ok(out, cached, clen); return; }
    }
    parley_store *st = env->ro(env->ud);
    if (!st) { free(key.s); error(out, 503, "the event store cannot be opened"); return; }
    parley_error e;
    char *body = NULL;
    size_t len = 0;
    parley_status s = PARLEY_OK;
    int bad = 0;
    const char *why = NULL;     /* set: answer 400 with it */
    unsigned status = 0;        /* set with why: answer this instead */
    if (!strcmp(url, "/api/health")) s = parley_store_stats_json(st, &body, &len, &e);
    else if (!strcmp(url, "/api/events")) {
        parley_event_query q;
        memset(&q, 0, sizeof q);
        q.actor = arg(a, "actor");
        q.a = arg(a, "a");
        q.b = arg(a, "b");
        q.code = arg(a, "code");
        if (!q.code) q.code = arg(a, "root");
        q.country = arg(a, "country");
        q.text = arg(a, "q");
        int badnum = 0;
        q.quad = arg_int(a, "quad", 0, 0, 4, &badnum);
        q.limit = arg_int(a, "limit", 50, 1, 1000, &badnum);
        q.offset = arg_int(a, "offset", 0, 0, 1000000000, &badnum);
        q.from = arg_date(a, "from", &bad);
        q.to = arg_date(a, "to", &bad);
        if (bad) why = "dates are YYYY-MM-DD";
        else if (!valid_code(q.actor) || !valid_code(q.a) || !valid_code(q.b) || !valid_code(q.code) || !valid_code(q.country))
            why = "actor and event codes are letters and digits";
        else if ((q.a && !q.b) || (q.b && !q.a)) why = "a dyad needs both a and b";
        else if (badnum) why = "bad quad (0-4), limit (1-1000) or offset (a whole number)";
        else if (q.text && strlen(q.text) > 200) why = "search text too long";
        else {
            s = parley_store_events_json(st, &q, &body, &len, &e);
            if (s != PARLEY_OK && q.text) why = "bad search expression";
        }
    } else if (!strncmp(url, "/api/events/", 12)) {
        s = parley_store_event_json(st, url + 12, &body, &len, &e);
        if (s == PARLEY_ERR_STATE) { why = "no such event"; status = 404; }
        else if (s == PARLEY_ERR_ARG) why = e.message;
    } else if (!strcmp(url, "/api/dyads")) {
        int32_t since = arg_date(a, "since", &bad);
        int limit = arg_int(a, "limit", 50, 1, 500, &bad);
        if (bad) why = "since is YYYY-MM-DD, limit 1-500";
        else s = parley_store_dyads_json(st, since, limit, &body, &len, &e);
    } else if (!strcmp(url, "/api/trend") || !strcmp(url, "/api/alerts")) {
        int32_t since = arg_date(a, "since", &bad);
        const char *by = arg(a, "by") ? arg(a, "by") : "week";
        int min_events = arg_int(a, "min_events", 5, 1, 1000000, &bad);
        rows o = {{0}, 0};
        if (bad) why = "since is YYYY-MM-DD, min_events a whole number";
        else if (strcmp(by, "day") && strcmp(by, "week") && strcmp(by, "month")) why = "by is day, week or month";
        else if (url[5] == 't') {
            const char *x = arg(a, "a"), *y = arg(a, "b");
            if (!x || !y || !valid_code(x) || !valid_code(y)) why = "trend needs a and b (actor codes)";
            else {
                pb_puts(&o.b, "{\"series\":[");
                s = parley_store_trend(st, x, y, by, has_arg(a, "directed"), since, on_trend_row, &o, &e);
            }
        } else {
            pb_puts(&o.b, "{\"alerts\":[");
            s = parley_store_alerts(st, by, since, min_events, on_alert_row, &o, &e);
        }
        if (!why) {
            pb_puts(&o.b, "]}");
            if (!o.b.s) { s = PARLEY_ERR_NOMEM; snprintf(e.message, sizeof e.message, "out of memory"); }
        }
        body = o.b.s;
        len = o.b.n;
    } else { why = "no such endpoint (see /api/openapi.json)"; status = 404; }
    if (why) { free(body); error(out, status ? status : 400, why); free(key.s); return; }
    if (s != PARLEY_OK) { free(body); error(out, 500, e.message); free(key.s); return; }
    if (key.s && env->cache_put) env->cache_put(env->ud, key.s, body, len);
    free(key.s);
    json_ok(out, body, len);
}

void http_answer(const http_env *env, const http_request *rq, http_response *out) {
    memset(out, 0, sizeof *out);
    if (rq->body_too_big) { error(out, 413, "request body too large"); return; }
    args a;
    const char *why = parse_target(rq->target ? rq->target : "", &a);
    if (why) error(out, 400, why);
    else route(env, rq, &a, out);
    free(a.buf);
}
