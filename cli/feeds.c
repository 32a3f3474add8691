/* parley run, enqueue and worker: thin loops over the library's sources,
 * batches and queue, with progress on the terminal and Prometheus text at
 * /api/metrics.
 *
 * Shutdown: SIGTERM and SIGINT only set a flag.  The loops look at it
 * between documents, then store and commit what they hold (and, for a
 * worker, acknowledge it) before exiting 0, so nothing in flight is lost. */
#include "feeds.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/io/input.h"

enum { EX_OK = 0, EX_SOME_BAD = 1, EX_USAGE = 2, EX_DICT = 3, EX_IO = 4 };

/* The one piece of process state: a signal handler can do nothing else. */
static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps up to s seconds, waking early on a stop request. */
static void nap(double s) {
    while (s > 0 && !stop_requested) {
        double step = s < 0.1 ? s : 0.1;
        struct timespec ts = {0, (long)(step * 1e9)};
        nanosleep(&ts, NULL);
        s -= step;
    }
}

/* ------------------------------------------------------------- metrics */

typedef struct metrics {
    pthread_mutex_t mu;
    char *text; size_t len;          /* the last rendered exposition */
    struct MHD_Daemon *daemon;
    /* counters, touched only by the main loop */
    long docs, events, unchanged, bad, errors, backlog, batches;
    double started, last_print;
    long last_docs, last_events;
    double first_work, last_work;     /* wall clock: first document taken, last commit */
    int tty;
    const char *what;
} metrics;

static enum MHD_Result on_metrics(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
                                  const char *upload, size_t *upload_len, void **con_cls) {
    (void)version; (void)upload; (void)upload_len; (void)con_cls;
    metrics *m = cls;
    struct MHD_Response *r;
    unsigned code = MHD_HTTP_OK;
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        code = MHD_HTTP_METHOD_NOT_ALLOWED;
        r = MHD_create_response_from_buffer(strlen("method not allowed\n"), (void *)"method not allowed\n", MHD_RESPMEM_PERSISTENT);
    } else if (strcmp(url, "/api/metrics")) {
        code = MHD_HTTP_NOT_FOUND;
        r = MHD_create_response_from_buffer(strlen("not found\n"), (void *)"not found\n", MHD_RESPMEM_PERSISTENT);
    } else {
        pthread_mutex_lock(&m->mu);
        r = MHD_create_response_from_buffer(m->len, m->text ? m->text : (void *)"", MHD_RESPMEM_MUST_COPY);
        pthread_mutex_unlock(&m->mu);
    }
    MHD_add_response_header(r, "Content-Type", code == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

/* "PORT" or "HOST:PORT" (default host 127.0.0.1). */
static int metrics_start(metrics *m, const char *spec) {
    pthread_mutex_init(&m->mu, NULL);
    m->started = m->last_print = now_s();
    m->tty = isatty(2);
    if (!spec || !*spec || !strcmp(spec, "0")) return 0;
    char host[64] = "127.0.0.1";
    const char *colon = strrchr(spec, ':');
    int port = atoi(colon ? colon + 1 : spec);
    if (colon) snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "parley: metrics '%s': want PORT or IPv4:PORT\n", spec);
        return -1;
    }
    m->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, on_metrics, m, MHD_OPTION_SOCK_ADDR, &sa,
                                 MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!m->daemon) { fprintf(stderr, "parley: metrics: cannot listen on %s:%d\n", host, port); return -1; }
    return 0;
}

static void metrics_stop(metrics *m) {
    if (m->daemon) MHD_stop_daemon(m->daemon);
    free(m->text);
    pthread_mutex_destroy(&m->mu);
}

static void put(char **s, size_t *n, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char **s, size_t *n, size_t *cap, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(*s ? *s + *n : NULL, *s ? *cap - *n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) return;
        if (*s && *n + (size_t)k < *cap) { *n += (size_t)k; return; }
        size_t nc = *cap ? *cap * 2 : 4096;
        while (nc < *n + (size_t)k + 1) nc *= 2;
        char *ns = realloc(*s, nc);
        if (!ns) return;
        *s = ns;
        *cap = nc;
    }
}

/* Label values escaped as the exposition format asks. */
static void put_label(char **s, size_t *n, size_t *cap, const char *v) {
    for (; *v; v++) {
        if (*v == '\\' || *v == '"') put(s, n, cap, "\\%c", *v);
        else if (*v == '\n') put(s, n, cap, "\\n");
        else put(s, n, cap, "%c", *v);
    }
}

typedef struct render_ctx { char **s; size_t *n, *cap; int pass; } render_ctx;

static int render_source(void *ud, const parley_source_stats *st) {
    render_ctx *r = ud;
    const char *name = r->pass == 0 ? "parley_source_documents_total" : r->pass == 1 ? "parley_source_errors_total" : "parley_source_not_modified_total";
    long v = r->pass == 0 ? st->docs : r->pass == 1 ? st->errors : st->not_modified;
    put(r->s, r->n, r->cap, "%s{source=\"", name);
    put_label(r->s, r->n, r->cap, st->name);
    put(r->s, r->n, r->cap, "\"} %ld\n", v);
    return 0;
}

static int sum_errors(void *ud, const parley_source_stats *st) {
    *(long *)ud += st->errors;
    return 0;
}

static void metrics_update(metrics *m, const parley_sources *src) {
    if (src) {
        m->errors = 0;
        parley_sources_each(src, sum_errors, &m->errors);
    }
    char *s = NULL;
    size_t n = 0, cap = 0;
#define COUNTER(name, help, v) put(&s, &n, &cap, "# HELP " name " " help "\n# TYPE " name " counter\n" name " %ld\n", (long)(v))
#define GAUGE(name, help, fmt, v) put(&s, &n, &cap, "# HELP " name " " help "\n# TYPE " name " gauge\n" name " " fmt "\n", v)
    COUNTER("parley_documents_total", "Documents coded and stored.", m->docs);
    COUNTER("parley_events_total", "Event mentions stored.", m->events);
    COUNTER("parley_documents_unchanged_total", "Documents already stored with the same content (skipped).", m->unchanged);
    COUNTER("parley_documents_bad_total", "Documents that could not be coded or stored (reported).", m->bad);
    COUNTER("parley_source_failures_total", "Failed fetches, parses and reads over all sources.", m->errors);
    COUNTER("parley_commits_total", "Groups committed to the store.", m->batches);
    GAUGE("parley_backlog_documents", "Documents waiting to be coded and committed.", "%ld", m->backlog);
    GAUGE("parley_uptime_seconds", "Seconds since start.", "%.1f", now_s() - m->started);
#undef COUNTER
#undef GAUGE
    if (src) {
        render_ctx r = {&s, &n, &cap, 0};
        static const char *heads[] = {
            "# HELP parley_source_documents_total New documents per source.\n# TYPE parley_source_documents_total counter\n",
            "# HELP parley_source_errors_total Failures per source (see the error log for why).\n# TYPE parley_source_errors_total counter\n",
            "# HELP parley_source_not_modified_total Polls answered 304 Not Modified.\n# TYPE parley_source_not_modified_total counter\n"};
        for (r.pass = 0; r.pass < 3; r.pass++) {
            put(&s, &n, &cap, "%s", heads[r.pass]);
            parley_sources_each(src, render_source, &r);
        }
    }
    pthread_mutex_lock(&m->mu);
    free(m->text);
    m->text = s;
    m->len = n;
    pthread_mutex_unlock(&m->mu);
}

/* One line of progress: rewritten in place on a terminal, every 5 s
 * otherwise (a log file should not fill up with it). */
static void progress(metrics *m, int force) {
    double t = now_s(), dt = t - m->last_print;
    if (!force && dt < (m->tty ? 1.0 : 5.0)) return;
    if (dt <= 0) dt = 1e-9;
    fprintf(stderr, "%sparley %s: %ld documents (%.1f/s), %ld events (%.1f/s), backlog %ld, %ld unchanged, %ld bad, %ld source errors%s",
            m->tty ? "\r" : "", m->what, m->docs, (double)(m->docs - m->last_docs) / dt, m->events, (double)(m->events - m->last_events) / dt,
            m->backlog, m->unchanged, m->bad, m->errors, m->tty && !force ? "   " : "\n");
    m->last_print = t;
    m->last_docs = m->docs;
    m->last_events = m->events;
}

/* ---------------------------------------------------------------- shared */

static parley_coder *make_coder(feeds_cli *f, const parley_dict *d, int32_t date) {
    parley_coder *c = parley_coder_new(d);
    if (!c) return NULL;
    parley_coder_set_diag(c, f->diag, f->diag_ud);
    if (f->gazetteer) parley_coder_set_gazetteer(c, f->gazetteer);
    parley_error e;
    for (int i = 0; i < f->nsets; i++)
        if (parley_coder_option(c, f->sets[i], &e) != PARLEY_OK) {
            fprintf(stderr, "parley: --set: %s\n", e.message);
            parley_coder_free(c);
            return NULL;
        }
    char dl[64];
    snprintf(dl, sizeof dl, "date = %d", date);
    parley_coder_option(c, dl, &e);
    return c;
}

static int32_t today(void) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Stores a batch; a busy or failing store is tried again a few times
 * (several processes share it), then given up on. */
static parley_status store_batch(feeds_cli *f, parley_batch *b, parley_store *st, metrics *m, parley_error *e) {
    parley_status s = PARLEY_OK;
    for (int attempt = 0; attempt < 8; attempt++) {
        parley_batch_result r = {0, 0, 0, 0};
        s = parley_batch_store(b, st, &r, f->diag, f->diag_ud, e);
        if (s == PARLEY_OK) {
            m->docs += r.stored;
            m->unchanged += r.unchanged;
            m->events += r.events;
            m->bad += r.bad;
            m->batches++;
            return s;
        }
        if (!f->quiet) fprintf(stderr, "parley: store: %s (attempt %d of 8)\n", e->message, attempt + 1);
        struct timespec ts = {0, 200000000L * (attempt + 1)};
        nanosleep(&ts, NULL);
    }
    return s;
}

/* ------------------------------------------------------------------ run */

typedef struct cfg_src { char *where; double interval; } cfg_src;

typedef struct run_cfg {
    char *db, *state, *metrics, *log;
    char *dict[6];                   /* verbs, actors, agents, discards, issues, options */
    cfg_src feeds[256], dirs[64];
    int nfeeds, ndirs, use_stdin, group, timeout;
    double interval, host_interval;
    long max_bytes;
    int32_t date;
} run_cfg;

static void cfg_free(run_cfg *c) {
    free(c->db); free(c->state); free(c->metrics); free(c->log);
    for (int i = 0; i < 6; i++) free(c->dict[i]);
    for (int i = 0; i < c->nfeeds; i++) free(c->feeds[i].where);
    for (int i = 0; i < c->ndirs; i++) free(c->dirs[i].where);
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = 0;
    return s;
}

/* "key = value" lines; '#' starts a comment; feed and dir may repeat and
 * take an optional interval in seconds after the URL or path. */
static int cfg_load(const char *path, run_cfg *c) {
    memset(c, 0, sizeof *c);
    c->group = 200;
    c->timeout = 20;
    c->interval = 300;
    c->host_interval = 1;
    c->max_bytes = 8L << 20;
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "parley: %s: %s\n", path, strerror(errno)); return -1; }
    char line[4096];
    long ln = 0;
    int bad = 0;
    static const char *dict_keys[6] = {"verbs", "actors", "agents", "discards", "issues", "options"};
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *hash = strchr(line, '#');
        if (hash && (hash == line || hash[-1] == ' ' || hash[-1] == '\t')) *hash = 0;
        char *k = trim(line);
        if (!*k) continue;
        char *eq = strchr(k, '=');
        if (!eq) { fprintf(stderr, "%s:%ld: want key = value\n", path, ln); bad++; continue; }
        *eq = 0;
        k = trim(k);
        char *v = trim(eq + 1);
        int known = 1;
        if (!strcmp(k, "db")) { free(c->db); c->db = strdup(v); }
        else if (!strcmp(k, "state")) { free(c->state); c->state = strdup(v); }
        else if (!strcmp(k, "metrics")) { free(c->metrics); c->metrics = strdup(v); }
        else if (!strcmp(k, "log")) { free(c->log); c->log = strdup(v); }
        else if (!strcmp(k, "feed") || !strcmp(k, "dir")) {
            int is_feed = k[0] == 'f';
            cfg_src *arr = is_feed ? c->feeds : c->dirs;
            int *n = is_feed ? &c->nfeeds : &c->ndirs;
            int lim = is_feed ? 256 : 64;
            if (*n >= lim) { fprintf(stderr, "%s:%ld: more than %d %s lines\n", path, ln, lim, k); bad++; continue; }
            char *sp = strpbrk(v, " \t");
            double iv = 0;
            if (sp) { *sp = 0; iv = atof(sp + 1); if (iv <= 0) { fprintf(stderr, "%s:%ld: the interval must be a positive number of seconds\n", path, ln); bad++; continue; } }
            arr[*n].where = strdup(v);
            arr[*n].interval = iv;
            (*n)++;
        } else if (!strcmp(k, "stdin")) c->use_stdin = !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1");
        else if (!strcmp(k, "group")) c->group = atoi(v);
        else if (!strcmp(k, "interval")) c->interval = atof(v);
        else if (!strcmp(k, "host_interval")) c->host_interval = atof(v);
        else if (!strcmp(k, "timeout")) c->timeout = atoi(v);
        else if (!strcmp(k, "max_bytes")) c->max_bytes = atol(v);
        else if (!strcmp(k, "date")) {
            c->date = parley_parse_date(v, strlen(v));
            if (!c->date) { fprintf(stderr, "%s:%ld: '%s' is not a date (YYYY-MM-DD)\n", path, ln, v); bad++; }
        } else {
            known = 0;
            for (int i = 0; i < 6; i++)
                if (!strcmp(k, dict_keys[i])) { free(c->dict[i]); c->dict[i] = strdup(v); known = 1; }
        }
        if (!known) { fprintf(stderr, "%s:%ld: unknown key '%s'\n", path, ln, k); bad++; }
    }
    fclose(f);
    if (!c->db && !bad) { fprintf(stderr, "%s: no 'db =' line\n", path); bad++; }
    if (!bad && !c->nfeeds && !c->ndirs && !c->use_stdin) { fprintf(stderr, "%s: no source (feed =, dir = or stdin = yes)\n", path); bad++; }
    if (c->group < 1) c->group = 1;
    if (c->interval <= 0) c->interval = 300;
    if (c->timeout < 1) c->timeout = 20;
    return bad ? -1 : 0;
}

/* The per-source error log: stderr, and the configured file when any. */
typedef struct run_ctx {
    feeds_cli *f;
    FILE *log;
    metrics m;
    parley_batch *batch;
    parley_store *store;
    parley_sources *src;
    int group, failed;
} run_ctx;

static void source_log(void *ud, const char *src, long line, const char *msg) {
    run_ctx *r = ud;
    (void)line;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!r->f->quiet) fprintf(stderr, "%sparley: source %s: %s\n", r->m.tty ? "\n" : "", src ? src : "?", msg);
    if (r->log) { fprintf(r->log, "%s\t%s\t%s\n", ts, src ? src : "?", msg); fflush(r->log); }
}

/* Stores the group, then tells the sources it is safe to forget it. */
static int run_flush(run_ctx *r) {
    parley_error e;
    if (parley_batch_count(r->batch) && store_batch(r->f, r->batch, r->store, &r->m, &e) != PARLEY_OK) {
        fprintf(stderr, "parley: store: %s; stopping (what was not stored is fetched again next run)\n", e.message);
        parley_sources_rollback(r->src);
        r->failed = 1;
        return -1;
    }
    if (parley_sources_commit(r->src, &e) != PARLEY_OK) {
        /* the documents are stored: at worst they are fetched again and
         * skipped by the store as unchanged */
        fprintf(stderr, "parley: %s\n", e.message);
    }
    r->m.backlog = 0;
    return 0;
}

static int run_doc(void *ud, const parley_doc *doc) {
    run_ctx *r = ud;
    parley_error e;
    int n = 0;
    if (parley_batch_add(r->batch, doc, &n, &e) != PARLEY_OK) {
        char msg[700];
        snprintf(msg, sizeof msg, "document %.150s: %.500s", doc->id ? doc->id : "?", e.message);
        if (r->f->diag) r->f->diag(r->f->diag_ud, NULL, 0, msg);
        r->m.bad++;
    }
    r->m.backlog = (long)parley_batch_count(r->batch);
    if ((int)parley_batch_count(r->batch) >= r->group && run_flush(r)) return 1;
    return stop_requested != 0;
}

int feeds_cmd_run(feeds_cli *f) {
    if (!f->config) { fprintf(stderr, "parley run: --config FILE is required\n"); return EX_USAGE; }
    run_cfg cfg;
    if (cfg_load(f->config, &cfg)) { cfg_free(&cfg); return EX_USAGE; }
    if (f->db) { free(cfg.db); cfg.db = strdup(f->db); }
    if (f->metrics) { free(cfg.metrics); cfg.metrics = strdup(f->metrics); }
    int rc = EX_OK;
    run_ctx r;
    memset(&r, 0, sizeof r);
    r.f = f;
    r.group = f->batch > 0 ? f->batch : cfg.group;
    r.m.what = "run";
    parley_error e;
    int32_t date = cfg.date ? cfg.date : f->date ? f->date : 0;
    parley_dict *d = f->load_dicts(f->ud, (const char *const *)cfg.dict);
    parley_coder *coder = d ? make_coder(f, d, date ? date : today()) : NULL;
    if (!d || !coder) { rc = d ? EX_USAGE : EX_DICT; goto out; }
    if (cfg.log && !(r.log = fopen(cfg.log, "a"))) { fprintf(stderr, "parley: %s: %s\n", cfg.log, strerror(errno)); rc = EX_IO; goto out; }
    char state[4096];
    snprintf(state, sizeof state, "%s", cfg.state ? cfg.state : "");
    if (!state[0]) snprintf(state, sizeof state, "%s.sources", cfg.db);
    parley_sources_opts so = {state, cfg.timeout, (size_t)cfg.max_bytes, cfg.host_interval, NULL, date, source_log, &r};
    if (!(r.src = parley_sources_new(&so, &e))) { fprintf(stderr, "parley: %s\n", e.message); rc = EX_IO; goto out; }
    for (int i = 0; i < cfg.nfeeds; i++)
        if (parley_sources_add_feed(r.src, cfg.feeds[i].where, cfg.feeds[i].interval > 0 ? cfg.feeds[i].interval : cfg.interval, &e) != PARLEY_OK) {
            fprintf(stderr, "parley: %s\n", e.message);
            rc = EX_USAGE;
            goto out;
        }
    for (int i = 0; i < cfg.ndirs; i++)
        if (parley_sources_add_dir(r.src, cfg.dirs[i].where, cfg.dirs[i].interval > 0 ? cfg.dirs[i].interval : 10, &e) != PARLEY_OK) {
            fprintf(stderr, "parley: %s\n", e.message);
            rc = EX_IO;
            goto out;
        }
    if (cfg.use_stdin) parley_sources_add_fd(r.src, 0, "<stdin>", &e);
    if (!(r.store = parley_store_open(cfg.db, &e))) { fprintf(stderr, "parley: %s\n", e.message); rc = EX_IO; goto out; }
    if (!(r.batch = parley_batch_new(d, coder))) { rc = EX_IO; goto out; }
    if (metrics_start(&r.m, cfg.metrics)) { rc = EX_USAGE; goto out; }
    catch_signals();
    int only_stdin = cfg.use_stdin && !cfg.nfeeds && !cfg.ndirs;
    metrics_update(&r.m, r.src);
    while (!stop_requested && !r.failed) {
        double next = 1;
        parley_sources_poll(r.src, run_doc, &r, &next, &e);
        if (!r.failed) run_flush(&r);
        metrics_update(&r.m, r.src);
        progress(&r.m, 0);
        /* standard input alone: its end is the end of the work */
        if (only_stdin && !parley_sources_open_streams(r.src)) break;
        nap(next < 0.5 ? next : 0.5);
    }
    if (!r.failed) run_flush(&r);
    metrics_update(&r.m, r.src);
    progress(&r.m, 1);
    if (r.failed) rc = EX_IO;
    else if (stop_requested && !f->quiet) fprintf(stderr, "parley run: stopped on a signal; everything fetched was stored\n");
out:
    if (r.m.started > 0) metrics_stop(&r.m);
    parley_batch_free(r.batch);
    parley_store_close(r.store);
    parley_sources_free(r.src);
    parley_coder_free(coder);
    parley_dict_free(d);
    if (r.log) fclose(r.log);
    cfg_free(&cfg);
    return rc;
}

/* -------------------------------------------------------------- enqueue */

typedef struct enq_ctx { parley_queue *q; long n, bad; int failed; } enq_ctx;

static int enq_doc(void *ud, const parley_doc *doc) {
    enq_ctx *x = ud;
    parley_error e;
    parley_status s = parley_queue_put(x->q, doc, &e);
    if (s == PARLEY_ERR_IO) { fprintf(stderr, "parley: %s\n", e.message); x->failed = 1; return 1; }
    if (s != PARLEY_OK) { fprintf(stderr, "parley: %s\n", e.message); x->bad++; return 0; }
    x->n++;
    return 0;
}

int feeds_cmd_enqueue(feeds_cli *f, int nfiles, char **files) {
    if (!f->redis) { fprintf(stderr, "parley enqueue: --redis redis://HOST:PORT[/STREAM] is required\n"); return EX_USAGE; }
    parley_error e;
    parley_queue *q = parley_queue_open(f->redis, NULL, NULL, &e);
    if (!q) { fprintf(stderr, "parley: %s\n", e.message); return EX_IO; }
    enq_ctx x = {q, 0, 0, 0};
    input_opts io = {f->date ? f->date : today(), 16u << 20, f->diag, f->diag_ud};
    int rc = EX_OK;
    if (!nfiles) x.bad += read_jsonl(stdin, "<stdin>", &io, enq_doc, &x);
    for (int i = 0; i < nfiles && !x.failed; i++) {
        FILE *in = !strcmp(files[i], "-") ? stdin : fopen(files[i], "rb");
        if (!in) { fprintf(stderr, "parley: %s: %s\n", files[i], strerror(errno)); rc = EX_IO; continue; }
        x.bad += read_jsonl(in, files[i], &io, enq_doc, &x);
        if (in != stdin) fclose(in);
    }
    if (parley_queue_flush(q, &e) != PARLEY_OK) { fprintf(stderr, "parley: %s\n", e.message); x.failed = 1; }
    parley_queue_close(q);
    if (!f->quiet) fprintf(stderr, "parley: %ld documents enqueued, %ld bad\n", x.n, x.bad);
    if (x.failed) return EX_IO;
    return rc ? rc : x.bad ? EX_SOME_BAD : EX_OK;
}

/* --------------------------------------------------------------- worker */

typedef struct work_ctx {
    feeds_cli *f;
    parley_batch *batch;
    char **ids; size_t nids, cap;
    long bad;
} work_ctx;

static int work_msg(void *ud, const char *id, const parley_doc *doc) {
    work_ctx *w = ud;
    if (w->nids == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        char **ni = realloc(w->ids, w->cap * sizeof *ni);
        if (!ni) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
        w->ids = ni;
    }
    /* one message, one id, even when a message held several lines */
    if (!w->nids || strcmp(w->ids[w->nids - 1], id)) w->ids[w->nids++] = strdup(id);
    if (!doc) { w->bad++; return 0; }
    parley_error e;
    int n = 0;
    if (parley_batch_add(w->batch, doc, &n, &e) != PARLEY_OK) {
        char msg[700];
        snprintf(msg, sizeof msg, "document %.150s (message %s): %.450s", doc->id ? doc->id : "?", id, e.message);
        if (w->f->diag) w->f->diag(w->f->diag_ud, NULL, 0, msg);
        w->bad++;
    }
    return 0;
}

int feeds_cmd_worker(feeds_cli *f) {
    if (!f->redis || !f->db) { fprintf(stderr, "parley worker: --redis URL and --db STORE are required\n"); return EX_USAGE; }
    char consumer[160];
    if (f->consumer) snprintf(consumer, sizeof consumer, "%s", f->consumer);
    else {
        char host[100] = "host";
        gethostname(host, sizeof host - 1);
        snprintf(consumer, sizeof consumer, "%.100s-%ld", host, (long)getpid());
    }
    int rc = EX_OK;
    parley_error e;
    const char *nodict[6] = {0};
    parley_dict *d = f->load_dicts(f->ud, nodict);
    parley_coder *coder = d ? make_coder(f, d, f->date ? f->date : today()) : NULL;
    parley_queue *q = NULL;
    parley_store *st = NULL;
    work_ctx w;
    memset(&w, 0, sizeof w);
    w.f = f;
    metrics m;
    memset(&m, 0, sizeof m);
    m.what = "worker";
    if (!d || !coder) { rc = d ? EX_USAGE : EX_DICT; goto out; }
    if (!(q = parley_queue_open(f->redis, f->group ? f->group : "parley", consumer, &e))) { fprintf(stderr, "parley: %s\n", e.message); rc = EX_IO; goto out; }
    if (!(st = parley_store_open(f->db, &e))) { fprintf(stderr, "parley: %s\n", e.message); rc = EX_IO; goto out; }
    if (f->max_deliveries > 0) parley_queue_set_max_deliveries(q, f->max_deliveries);
    w.batch = parley_batch_new(d, coder);
    if (metrics_start(&m, f->metrics)) { rc = EX_USAGE; goto out; }
    catch_signals();
    int batch = f->batch > 0 ? f->batch : 64;
    long claim = f->claim_idle_ms > 0 ? f->claim_idle_ms : 60000;
    double last_backlog = 0;
    while (!stop_requested) {
        int n = 0;
        if (parley_queue_read(q, batch, 1000, claim, work_msg, &w, &n, f->diag, f->diag_ud, &e) != PARLEY_OK) {
            fprintf(stderr, "parley: %s\n", e.message);
            rc = EX_IO;
            break;
        }
        if (n) {
            if (m.first_work == 0) m.first_work = wall_s();
            /* commit first, acknowledge after: a crash in between means
             * the messages come again and the store finds them unchanged */
            if (store_batch(f, w.batch, st, &m, &e) != PARLEY_OK) {
                fprintf(stderr, "parley: store: %s; stopping without acknowledging %zu messages\n", e.message, w.nids);
                rc = EX_IO;
                break;
            }
            if (parley_queue_ack(q, (const char *const *)w.ids, w.nids, &e) != PARLEY_OK) {
                fprintf(stderr, "parley: %s\n", e.message);
                rc = EX_IO;
                break;
            }
            m.bad += w.bad;
            m.last_work = wall_s();
            w.bad = 0;
            for (size_t i = 0; i < w.nids; i++) free(w.ids[i]);
            w.nids = 0;
        }
        double t = now_s();
        if (!n || t - last_backlog > 1) {
            long lag = 0, pending = 0;
            if (parley_queue_backlog(q, &lag, &pending, &e) == PARLEY_OK) m.backlog = lag + pending;
            last_backlog = t;
            if (!n && f->exit_when_empty && lag == 0 && pending == 0) break;
        }
        metrics_update(&m, NULL);
        progress(&m, 0);
    }
    if (w.nids && rc == EX_OK) {
        /* stopped between reading and storing: finish those messages */
        if (store_batch(f, w.batch, st, &m, &e) == PARLEY_OK) parley_queue_ack(q, (const char *const *)w.ids, w.nids, &e);
    }
    progress(&m, 1);
    /* for bench/workers.sh: wall-clock span of the work, comparable
     * across processes (startup and the final wait left out) */
    if (m.first_work > 0)
        fprintf(stderr, "parley worker: timing first=%.3f last=%.3f documents=%ld\n", m.first_work, m.last_work, m.docs + m.unchanged);
out:
    for (size_t i = 0; i < w.nids; i++) free(w.ids[i]);
    free(w.ids);
    if (m.started > 0) metrics_stop(&m);
    parley_batch_free(w.batch);
    parley_store_close(st);
    parley_queue_close(q);
    parley_coder_free(coder);
    parley_dict_free(d);
    return rc;
}
