/* Sources: feeds, watched directories and JSON Lines streams, polled on
 * their own intervals, handing out only documents not seen before.
 *
 * "Seen" is remembered in a small SQLite state file: the URL ("u:") and the
 * content hash ("h:") of every document handed out, each feed's validators
 * (ETag, Last-Modified) and the files of a watched directory already read.
 * All of it is written only at parley_sources_commit, after the caller has
 * committed the documents themselves: a crash before that hands the same
 * documents out again, and the store's (id, hash) check keeps them single.
 * For the same reason a feed whose poll did not finish cleanly (an article
 * that could not be fetched, a stop) keeps its old validators, so the next
 * poll gets the whole feed again instead of a 304. */
#include "feed.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../io/input.h"
#include "../util/util.h"

typedef enum { SRC_FEED, SRC_DIR, SRC_FD } src_kind;

typedef struct source {
    src_kind kind;
    char *name;                       /* URL, directory or stream name */
    double interval, next_due;
    char etag[256], lm[128];          /* committed validators */
    char p_etag[256], p_lm[128];      /* from this poll, written at commit */
    int p_valid;
    int fd, eof;
    p_buf partial;                    /* stream bytes after the last newline */
    long lines;                       /* stream lines read, for file:line */
    long docs, errors, not_modified;
    char last_error[400];
    double last_logged;
    int fails;                        /* polls failed in a row (backoff) */
} source;

typedef struct done_file { char *path; long long size, mtime; } done_file;
typedef struct host_time { char host[256]; double last; } host_time;

struct parley_sources {
    parley_sources_opts o;
    char ua[64];
    sqlite3 *db;
    sqlite3_stmt *seen_get, *seen_put, *feed_get, *feed_put, *file_get, *file_put;
    CURL *curl;
    P_VEC(source *) srcs;
    p_intern pending;                 /* keys handed out since the last commit */
    long pending_docs;
    P_VEC(done_file) files;           /* files read since the last commit */
    P_VEC(host_time) hosts;
    /* poll scratch */
    parley_doc_fn fn; void *ud; int stopped;
    source *cur; int cur_failed;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s) {
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

static int32_t today_ymd(void) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* The per-source error log: what failed, where, and why. */
static void src_error(parley_sources *s, source *src, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void src_error(parley_sources *s, source *src, const char *fmt, ...) {
    char msg[sizeof src->last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    src->errors++;
    /* a source that keeps failing the same way is logged once, then again
     * every ten minutes; every failure is counted */
    double t = now_s();
    int repeat = !strcmp(msg, src->last_error) && t - src->last_logged < 600;
    memcpy(src->last_error, msg, sizeof msg);
    if (repeat) return;
    src->last_logged = t;
    if (s->o.log) s->o.log(s->o.log_ud, src->name, 0, src->last_error);
}

static int sql(parley_sources *s, const char *q, parley_error *err) {
    char *msg = NULL;
    if (sqlite3_exec(s->db, q, NULL, NULL, &msg) != SQLITE_OK) {
        p_set_error(err, PARLEY_ERR_IO, "%s: %s", s->o.state_path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int prep(parley_sources *s, sqlite3_stmt **st, const char *q, parley_error *err) {
    if (sqlite3_prepare_v2(s->db, q, -1, st, NULL) == SQLITE_OK) return 0;
    p_set_error(err, PARLEY_ERR_IO, "%s: %s", s->o.state_path, sqlite3_errmsg(s->db));
    return -1;
}

parley_sources *parley_sources_new(const parley_sources_opts *o, parley_error *err) {
    if (!o || !o->state_path) { p_set_error(err, PARLEY_ERR_ARG, "sources: a state file is required"); return NULL; }
    parley_sources *s = p_xcalloc(1, sizeof *s);
    s->o = *o;
    if (s->o.timeout_s <= 0) s->o.timeout_s = 20;
    if (!s->o.max_bytes) s->o.max_bytes = 8u << 20;
    if (s->o.host_interval_s < 0) s->o.host_interval_s = 0;
    snprintf(s->ua, sizeof s->ua, "parley/%s", PARLEY_VERSION);
    if (!s->o.user_agent) s->o.user_agent = s->ua;
    if (sqlite3_open_v2(o->state_path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        p_set_error(err, PARLEY_ERR_IO, "%s: %s", o->state_path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        parley_sources_free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (sql(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
               "CREATE TABLE IF NOT EXISTS seen(key TEXT PRIMARY KEY, at TEXT DEFAULT (datetime('now'))) WITHOUT ROWID;"
               "CREATE TABLE IF NOT EXISTS feeds(url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT) WITHOUT ROWID;"
               "CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER) WITHOUT ROWID;", err) ||
        prep(s, &s->seen_get, "SELECT 1 FROM seen WHERE key=?", err) ||
        prep(s, &s->seen_put, "INSERT OR IGNORE INTO seen(key) VALUES(?)", err) ||
        prep(s, &s->feed_get, "SELECT etag, last_modified FROM feeds WHERE url=?", err) ||
        prep(s, &s->feed_put, "INSERT OR REPLACE INTO feeds(url, etag, last_modified) VALUES(?,?,?)", err) ||
        prep(s, &s->file_get, "SELECT 1 FROM files WHERE path=? AND size=? AND mtime=?", err) ||
        prep(s, &s->file_put, "INSERT OR REPLACE INTO files(path, size, mtime) VALUES(?,?,?)", err)) {
        parley_sources_free(s);
        return NULL;
    }
    return s;
}

static void clear_pending(parley_sources *s) {
    p_intern_free(&s->pending);
    memset(&s->pending, 0, sizeof s->pending);
    s->pending_docs = 0;
    for (size_t i = 0; i < s->files.n; i++) free(s->files.v[i].path);
    s->files.n = 0;
    for (size_t i = 0; i < s->srcs.n; i++) s->srcs.v[i]->p_valid = 0;
}

void parley_sources_free(parley_sources *s) {
    if (!s) return;
    clear_pending(s);
    P_FREE_VEC(s->files);
    for (size_t i = 0; i < s->srcs.n; i++) {
        free(s->srcs.v[i]->name);
        p_buf_free(&s->srcs.v[i]->partial);
        free(s->srcs.v[i]);
    }
    P_FREE_VEC(s->srcs);
    P_FREE_VEC(s->hosts);
    sqlite3_stmt *sts[] = {s->seen_get, s->seen_put, s->feed_get, s->feed_put, s->file_get, s->file_put};
    for (size_t i = 0; i < P_ARRAY_LEN(sts); i++) sqlite3_finalize(sts[i]);
    sqlite3_close(s->db);
    if (s->curl) curl_easy_cleanup(s->curl);
    free(s);
}

static source *add(parley_sources *s, src_kind k, const char *name, double interval) {
    source *src = p_xcalloc(1, sizeof *src);
    src->kind = k;
    src->name = p_strndup(name, strlen(name));
    src->interval = interval > 0 ? interval : 60;
    src->fd = -1;
    P_PUSH(s->srcs, src);
    return src;
}

parley_status parley_sources_add_feed(parley_sources *s, const char *url, double interval_s, parley_error *err) {
    if (!s || !url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
        p_set_error(err, PARLEY_ERR_ARG, "feed '%s': only http:// and https:// URLs", url ? url : "");
        return PARLEY_ERR_ARG;
    }
    source *src = add(s, SRC_FEED, url, interval_s);
    sqlite3_bind_text(s->feed_get, 1, url, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s->feed_get) == SQLITE_ROW) {
        const char *e = (const char *)sqlite3_column_text(s->feed_get, 0), *l = (const char *)sqlite3_column_text(s->feed_get, 1);
        snprintf(src->etag, sizeof src->etag, "%s", e ? e : "");
        snprintf(src->lm, sizeof src->lm, "%s", l ? l : "");
    }
    sqlite3_reset(s->feed_get);
    return PARLEY_OK;
}

parley_status parley_sources_add_dir(parley_sources *s, const char *dir, double interval_s, parley_error *err) {
    struct stat st;
    if (!s || !dir || stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        p_set_error(err, PARLEY_ERR_IO, "%s: not a directory", dir ? dir : "");
        return PARLEY_ERR_IO;
    }
    add(s, SRC_DIR, dir, interval_s);
    return PARLEY_OK;
}

parley_status parley_sources_add_fd(parley_sources *s, int fd, const char *name, parley_error *err) {
    if (!s || fd < 0) { p_set_error(err, PARLEY_ERR_ARG, "stream: bad descriptor"); return PARLEY_ERR_ARG; }
    source *src = add(s, SRC_FD, name ? name : "<stdin>", 0.2);
    src->fd = fd;
    return PARLEY_OK;
}

/* ------------------------------------------------------------ seen set */

static int seen(parley_sources *s, const char *key) {
    if (p_intern_find(&s->pending, key, strlen(key)) >= 0) return 1;
    sqlite3_bind_text(s->seen_get, 1, key, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(s->seen_get) == SQLITE_ROW;
    sqlite3_reset(s->seen_get);
    return r;
}

static void url_key(const char *url, char *out, size_t cap) { snprintf(out, cap, "u:%s", url); }

static void hash_key(const parley_doc *d, char *out, size_t cap) {
    uint64_t h = p_hash(d->text ? d->text : "", d->text ? d->text_len : 0);
    if (d->title) h ^= p_hash(d->title, strlen(d->title)) * 31;
    snprintf(out, cap, "h:%016llx", (unsigned long long)h);
}

/* Hands a document out unless its URL or content was seen. */
static int offer(parley_sources *s, source *src, const parley_doc *d) {
    char hk[40];
    hash_key(d, hk, sizeof hk);
    char uk[2100] = "";
    if (d->url) url_key(d->url, uk, sizeof uk);
    if (seen(s, hk) || (uk[0] && seen(s, uk))) return 0;
    p_intern_add(&s->pending, hk, strlen(hk));
    if (uk[0]) p_intern_add(&s->pending, uk, strlen(uk));
    src->docs++;
    s->pending_docs++;
    if (s->fn(s->ud, d)) s->stopped = 1;
    /* a stream cannot be read again: its chunk is handed out to the end
     * (the caller commits it) and the poll stops after it */
    return src->kind == SRC_FD ? 0 : s->stopped;
}

/* ---------------------------------------------------------------- feeds */

/* Politeness: at least host_interval_s between two requests to one host. */
static void wait_for_host(parley_sources *s, const char *url) {
    char host[256] = "";
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t k = 0;
    while (p[k] && p[k] != '/' && p[k] != '?' && p[k] != '#' && k + 1 < sizeof host) { host[k] = p[k]; k++; }
    host[k] = 0;
    host_time *ht = NULL;
    for (size_t i = 0; i < s->hosts.n; i++)
        if (!strcmp(s->hosts.v[i].host, host)) ht = &s->hosts.v[i];
    if (!ht) {
        host_time t = {{0}, 0};
        memcpy(t.host, host, k + 1);
        P_PUSH(s->hosts, t);
        ht = &s->hosts.v[s->hosts.n - 1];
    } else sleep_s(ht->last + s->o.host_interval_s - now_s());
    ht->last = now_s();
}

static int get(parley_sources *s, const char *url, const char *etag, const char *lm, feed_http *r) {
    if (!s->curl && !(s->curl = curl_easy_init())) { snprintf(r->error, sizeof r->error, "libcurl could not start"); return -1; }
    wait_for_host(s, url);
    feed_http_get(s->curl, url, etag, lm, s->o.timeout_s, s->o.max_bytes, s->o.user_agent, r);
    return r->status ? 0 : -1;
}

static const char *host_of(const char *url, char *buf, size_t cap) {
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t k = 0;
    while (p[k] && p[k] != '/' && p[k] != ':' && k + 1 < cap) { buf[k] = p[k]; k++; }
    buf[k] = 0;
    return buf;
}

static int on_item(void *ud, const parley_feed_item *it) {
    parley_sources *s = ud;
    source *src = s->cur;
    char uk[2100];
    /* skip by URL before fetching anything */
    if (it->url) { url_key(it->url, uk, sizeof uk); if (seen(s, uk)) return 0; }
    parley_doc d;
    memset(&d, 0, sizeof d);
    char host[256];
    d.id = it->id;
    d.date = it->date ? it->date : s->o.default_date ? s->o.default_date : today_ymd();
    d.source = host_of(src->name, host, sizeof host);
    d.url = it->url;
    d.title = it->title;
    d.text = it->text;
    d.text_len = it->text_len;
    char *page = NULL;
    if (!d.text) {
        if (!it->url) return 0;
        feed_http r;
        if (get(s, it->url, NULL, NULL, &r)) {
            src_error(s, src, "article %s: %s", it->url, r.error);
            s->cur_failed = 1;
            return 0;
        }
        if (r.status != 200) {
            src_error(s, src, "article %s: HTTP %ld", it->url, r.status);
            free(r.body);
            s->cur_failed = 1;
            return 0;
        }
        size_t n = 0;
        page = parley_html_to_text(r.body ? r.body : "", r.len, &n);
        free(r.body);
        if (!page || !n) {
            /* remembered as seen: an empty page would be fetched every poll */
            src_error(s, src, "article %s: no paragraph text in the page; skipped", it->url);
            p_intern_add(&s->pending, uk, strlen(uk));
            free(page);
            return 0;
        }
        d.text = page;
        d.text_len = n;
    }
    int stop = offer(s, src, &d);
    free(page);
    return stop;
}

/* 0 when the feed was read (or unchanged), -1 when the poll failed. */
static int poll_feed(parley_sources *s, source *src) {
    feed_http r;
    if (get(s, src->name, src->etag, src->lm, &r)) { src_error(s, src, "%s", r.error); return -1; }
    if (r.status == 304) { src->not_modified++; free(r.body); return 0; }
    if (r.status != 200) { src_error(s, src, "HTTP %ld", r.status); free(r.body); return -1; }
    s->cur = src;
    s->cur_failed = 0;
    parley_error e;
    parley_status st = parley_feed_parse(r.body ? r.body : "", r.len, src->name, on_item, s, &e);
    free(r.body);
    if (st != PARLEY_OK) { src_error(s, src, "%s", e.message); return -1; }
    if (!s->cur_failed && !s->stopped) {
        memcpy(src->p_etag, r.etag, sizeof src->p_etag);
        memcpy(src->p_lm, r.last_modified, sizeof src->p_lm);
        src->p_valid = 1;
    }
    return 0;
}

/* ---------------------------------------------------- directories, fds */

typedef struct line_diag { parley_sources *s; source *src; long base; } line_diag;

static void doc_diag(void *ud, const char *file, long line, const char *msg) {
    line_diag *ld = ud;
    char m[600];
    if (file && line) snprintf(m, sizeof m, "%s:%ld: %s", file, line + ld->base, msg);
    else snprintf(m, sizeof m, "%s", msg);
    src_error(ld->s, ld->src, "%s", m);
}

static int on_doc(void *ud, const parley_doc *d) {
    parley_sources *s = ud;
    return offer(s, s->cur, d);
}

static input_opts doc_opts(parley_sources *s, line_diag *ld) {
    input_opts io = {s->o.default_date ? s->o.default_date : today_ymd(), 16u << 20, doc_diag, ld};
    return io;
}

static int has_ext(const char *n, const char *ext) {
    size_t l = strlen(n), e = strlen(ext);
    return l > e && !strcmp(n + l - e, ext);
}

static void poll_dir(parley_sources *s, source *src) {
    char **names = NULL;
    size_t nn = 0, cap = 0;
    DIR *dd = opendir(src->name);
    if (!dd) { src_error(s, src, "cannot read the directory: %s", strerror(errno)); return; }
    struct dirent *de;
    while ((de = readdir(dd))) {
        if (de->d_name[0] == '.' || (!has_ext(de->d_name, ".jsonl") && !has_ext(de->d_name, ".txt"))) continue;
        if (nn == cap) { cap = cap ? cap * 2 : 16; names = p_xrealloc(names, cap * sizeof *names); }
        names[nn++] = p_strndup(de->d_name, strlen(de->d_name));
    }
    closedir(dd);
    /* oldest name first, so files dropped in order are coded in order */
    for (size_t i = 1; i < nn; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) { char *t = names[j]; names[j] = names[j - 1]; names[j - 1] = t; }
    for (size_t i = 0; i < nn && !s->stopped; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", src->name, names[i]);
        struct stat st;
        if (stat(path, &st) || !S_ISREG(st.st_mode)) continue;
        sqlite3_bind_text(s->file_get, 1, path, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s->file_get, 2, (sqlite3_int64)st.st_size);
        sqlite3_bind_int64(s->file_get, 3, (sqlite3_int64)st.st_mtime);
        int done = sqlite3_step(s->file_get) == SQLITE_ROW;
        sqlite3_reset(s->file_get);
        for (size_t k = 0; k < s->files.n && !done; k++) done = !strcmp(s->files.v[k].path, path);
        if (done) continue;
        FILE *f = fopen(path, "rb");
        if (!f) { src_error(s, src, "%s: %s", path, strerror(errno)); continue; }
        line_diag ld = {s, src, 0};
        input_opts io = doc_opts(s, &ld);
        s->cur = src;
        if (has_ext(path, ".txt")) read_text(f, path, &io, on_doc, s);
        else read_jsonl(f, path, &io, on_doc, s);
        fclose(f);
        if (!s->stopped) {
            done_file df = {p_strndup(path, strlen(path)), (long long)st.st_size, (long long)st.st_mtime};
            P_PUSH(s->files, df);
        }
    }
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
}

/* Reads what the stream has now (never blocks) and hands out whole lines. */
static void poll_fd(parley_sources *s, source *src) {
    char buf[65536];
    size_t got = 0;
    while (!src->eof && got < (4u << 20)) {
        struct pollfd pf = {src->fd, POLLIN, 0};
        if (poll(&pf, 1, 0) <= 0) break;
        ssize_t n = read(src->fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) break;
        if (n <= 0) { src->eof = 1; break; }
        p_buf_put(&src->partial, buf, (size_t)n);
        got += (size_t)n;
    }
    size_t end = src->partial.n;
    if (!src->eof) {
        while (end && src->partial.s[end - 1] != '\n') end--;
    }
    if (!end) return;
    FILE *f = fmemopen(src->partial.s, end, "r");
    if (!f) { src_error(s, src, "cannot read the stream: %s", strerror(errno)); return; }
    line_diag ld = {s, src, src->lines};
    input_opts io = doc_opts(s, &ld);
    s->cur = src;
    read_jsonl(f, src->name, &io, on_doc, s);
    fclose(f);
    for (size_t i = 0; i < end; i++) src->lines += src->partial.s[i] == '\n';
    memmove(src->partial.s, src->partial.s + end, src->partial.n - end);
    src->partial.n -= end;
}

parley_status parley_sources_poll(parley_sources *s, parley_doc_fn fn, void *ud, double *next_s, parley_error *err) {
    if (!s || !fn) { p_set_error(err, PARLEY_ERR_ARG, "sources: nothing to call"); return PARLEY_ERR_ARG; }
    s->fn = fn;
    s->ud = ud;
    s->stopped = 0;
    double t = now_s(), next = 3600;
    for (size_t i = 0; i < s->srcs.n && !s->stopped; i++) {
        source *src = s->srcs.v[i];
        if (src->kind == SRC_FD && src->eof) continue;
        if (src->next_due > t) continue;
        double wait = src->interval;
        if (src->kind == SRC_FEED) {
            /* a failing feed is asked again after 2, 4 ... 32 intervals
             * (at most an hour, unless its interval is longer): a broken
             * server should not be polled at full rate */
            if (poll_feed(s, src)) {
                src->fails++;
                wait = src->interval * (double)(1 << (src->fails - 1 < 5 ? src->fails - 1 : 5));
                if (wait > 3600 && src->interval < 3600) wait = 3600;
            } else src->fails = 0;
        } else if (src->kind == SRC_DIR) poll_dir(s, src);
        else poll_fd(s, src);
        src->next_due = now_s() + wait;
    }
    t = now_s();
    for (size_t i = 0; i < s->srcs.n; i++) {
        source *src = s->srcs.v[i];
        if (src->kind == SRC_FD && src->eof) continue;
        double d = src->next_due - t;
        if (d < next) next = d;
    }
    if (next_s) *next_s = s->stopped ? 0 : next < 0 ? 0 : next;
    return PARLEY_OK;
}

parley_status parley_sources_commit(parley_sources *s, parley_error *err) {
    if (sql(s, "BEGIN IMMEDIATE", err)) return PARLEY_ERR_IO;
    int bad = 0;
    for (uint32_t i = 0; i < s->pending.strs.n && !bad; i++) {
        sqlite3_bind_text(s->seen_put, 1, p_intern_str(&s->pending, i), (int)p_intern_len(&s->pending, i), SQLITE_STATIC);
        bad = sqlite3_step(s->seen_put) != SQLITE_DONE;
        sqlite3_reset(s->seen_put);
    }
    for (size_t i = 0; i < s->files.n && !bad; i++) {
        sqlite3_bind_text(s->file_put, 1, s->files.v[i].path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->file_put, 2, s->files.v[i].size);
        sqlite3_bind_int64(s->file_put, 3, s->files.v[i].mtime);
        bad = sqlite3_step(s->file_put) != SQLITE_DONE;
        sqlite3_reset(s->file_put);
    }
    for (size_t i = 0; i < s->srcs.n && !bad; i++) {
        source *src = s->srcs.v[i];
        if (!src->p_valid) continue;
        sqlite3_bind_text(s->feed_put, 1, src->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s->feed_put, 2, src->p_etag, -1, SQLITE_STATIC);
        sqlite3_bind_text(s->feed_put, 3, src->p_lm, -1, SQLITE_STATIC);
        bad = sqlite3_step(s->feed_put) != SQLITE_DONE;
        sqlite3_reset(s->feed_put);
    }
    if (bad) {
        p_set_error(err, PARLEY_ERR_IO, "%s: %s", s->o.state_path, sqlite3_errmsg(s->db));
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return PARLEY_ERR_IO;
    }
    if (sql(s, "COMMIT", err)) { sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); return PARLEY_ERR_IO; }
    for (size_t i = 0; i < s->srcs.n; i++) {
        source *src = s->srcs.v[i];
        if (!src->p_valid) continue;
        memcpy(src->etag, src->p_etag, sizeof src->etag);
        memcpy(src->lm, src->p_lm, sizeof src->lm);
    }
    clear_pending(s);
    return PARLEY_OK;
}

void parley_sources_rollback(parley_sources *s) {
    if (!s) return;
    clear_pending(s);
    /* poll everything again at once: what was handed out is not stored */
    for (size_t i = 0; i < s->srcs.n; i++) s->srcs.v[i]->next_due = 0;
}

long parley_sources_pending(const parley_sources *s) { return s ? s->pending_docs : 0; }

int parley_sources_open_streams(const parley_sources *s) {
    int n = 0;
    for (size_t i = 0; s && i < s->srcs.n; i++) n += s->srcs.v[i]->kind == SRC_FD && !s->srcs.v[i]->eof;
    return n;
}

void parley_sources_each(const parley_sources *s, parley_source_stats_fn fn, void *ud) {
    for (size_t i = 0; s && i < s->srcs.n; i++) {
        const source *src = s->srcs.v[i];
        parley_source_stats st = {src->name, src->docs, src->errors, src->not_modified, src->last_error[0] ? src->last_error : NULL};
        if (fn(ud, &st)) break;
    }
}
