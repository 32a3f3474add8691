/* parley — command line.  A thin user of libparley: parse arguments, read
 * documents, hand them to the coder, write what comes back. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <sys/stat.h>

#include "../src/io/input.h"
#include "../serve/server.h"
#include "feeds.h"
#include "../src/validate/validate.h"
#include "parley.h"

/* Exit codes: say what happened. */
enum { EX_OK = 0, EX_SOME_BAD = 1, EX_USAGE = 2, EX_DICT = 3, EX_IO = 4 };

static const char *usage_text =
    "usage: parley <command> [options]\n"
    "\n"
    "commands:\n"
    "  code [FILE...]           code documents into CAMEO events (JSON Lines by default)\n"
    "  validate FILE            run a TABARI .project or a PETRARCH validation XML\n"
    "  dict check FILE...       report malformed dictionary lines (file:line: reason)\n"
    "  dict stats               counts per category of the selected dictionaries\n"
    "  dict lookup PHRASE       what an actor phrase resolves to (--date YYYY-MM-DD)\n"
    "  ingest --db STORE [FILE...]  code documents and keep events in a store: a SQLite file,\n"
    "                           or a PostgreSQL URL (postgresql://user@host/db) for many writers\n"
    "  trend A B --db STORE     a dyad's series: --by day|week|month, --directed, --since, --format table|csv|json\n"
    "  alerts --db STORE        escalation / de-escalation periods of every dyad (--since, --by, --min-events)\n"
    "  export --db STORE --format gdelt|gdelt-mentions|icews|phoenix|plover|csv|jsonl\n"
    "  serve --db STORE [--port 8080] [--host 127.0.0.1] [--www DIR] [--cors ORIGIN]\n"
    "        [--allow-write --token T] [--max-body BYTES] [--threads N] [--max-connections N]\n"
    "        [--timeout SECONDS]\n"
    "                           HTTP API (see /api/openapi.json) and the dashboard\n"
    "  geo NAME [--country XX]  the gazetteer's candidates for a place name (JSON)\n"
    "  geo --build IN.tsv OUT   compile the gazetteer table (make does this)\n"
    "  run --config FILE        poll feeds, folders and stdin; code and store continuously\n"
    "                           (progress on stderr, Prometheus text at /api/metrics)\n"
    "  enqueue --redis URL [FILE...]  put JSON Lines documents on a Redis stream\n"
    "  worker --redis URL --db STORE  code documents from the stream into the store\n"
    "        [--group G] [--consumer C] [--batch N] [--claim-idle MS] [--max-deliveries N]\n"
    "        [--metrics PORT] [--exit-when-empty]\n"
    "  version                  print the version\n"
    "\n"
    "dictionary selection (default: the shipped parley dictionaries):\n"
    "  --verbs FILE[,FILE...]   --actors FILE[,FILE...]   --agents FILE[,FILE...]\n"
    "  --discards FILE[,...]    --issues FILE[,...]       --options FILE\n"
    "  --dialect auto|tabari|petrarch1|petrarch2          --strict\n"
    "  --no-defaults            load only the files named (kinds not named otherwise\n"
    "                           come from the shipped set)\n"
    "  --dict-dir DIR           shipped dictionaries from DIR (default: found next to the binary)\n"
    "  --max-dict-line BYTES    longer dictionary lines are reported and skipped (default 65536)\n"
    "  --dict-cache DIR         compiled dictionaries go to DIR (default: $PARLEY_CACHE_DIR,\n"
    "                           else ~/.cache/parley); rebuilt when a source changes\n"
    "  --no-dict-cache          always parse the text dictionaries\n"
    "\n"
    "code options:\n"
    "  --in jsonl|text|petrxml|tabari   input format (default: jsonl; by extension when FILE given)\n"
    "  --out jsonl|tsv          output format (tsv: PETRARCH's evts layout)\n"
    "  --date YYYY-MM-DD        date for undated documents (default: today)\n"
    "  --max-doc-bytes BYTES    larger documents are reported by id and skipped (default 16 MB)\n"
    "  --code-all               code every verb, not only the first event per clause\n"
    "  --set NAME=VALUE         any coder option (also TABARI .options lines)\n"
    "  -j N                     code with N threads (output stays in input order)\n"
    "  -o FILE                  write events to FILE instead of standard output\n"
    "  -q                       do not print diagnostics\n"
    "  --gazetteer FILE         places from FILE (default: data/gazetteer.bin next to the binary)\n"
    "  --no-geo                 do not locate events\n"
    "\n"
    "exit status: 0 ok; 1 some documents or dictionary lines were bad (reported);\n"
    "             2 usage; 3 dictionaries could not be loaded; 4 i/o error\n";

typedef struct cli {
    const char *verbs, *actors, *agents, *discards, *issues, *options_file, *dict_dir;
    parley_dialect dialect;
    int strict, quiet, code_all, jobs, no_defaults, no_dict_cache;
    const char *dict_cache;
    const char *in, *out_fmt, *out_path;
    int32_t date;
    const char *sets[32]; int nsets;
    const char *db, *by, *format, *host, *www, *cors, *token;
    int port, allow_write, threads, max_conn, timeout;
    long max_body, max_doc_bytes, max_dict_line;
    int directed, window, one_a_day, min_events;
    int32_t since;
    long diags;
    const char *gazetteer_path, *country;
    int no_geo, geo_build;
    parley_gazetteer *gaz;      /* loaded with the dictionaries; NULL: events have no place */
    /* run / enqueue / worker (cli/feeds.c) */
    const char *config, *redis, *group, *consumer, *metrics;
    int batch, exit_when_empty;
    long claim_idle_ms, max_deliveries;
} cli;

static void diag(void *ud, const char *file, long line, const char *msg) {
    cli *c = ud;
    __atomic_add_fetch(&c->diags, 1, __ATOMIC_RELAXED); /* coding threads report too */
    if (c->quiet) return;
    if (file && line) fprintf(stderr, "%s:%ld: %s\n", file, line, msg);
    else if (file) fprintf(stderr, "%s: %s\n", file, msg);
    else fprintf(stderr, "parley: %s\n", msg);
}

static int exists(const char *p) { return access(p, R_OK) == 0; }

/* The shipped dictionaries: --dict-dir, $PARLEY_DICT_DIR, next to the
 * binary (../dict), or the source tree it was built from. */
static const char *find_dict_dir(cli *c, char *buf, size_t cap) {
    if (c->dict_dir) return c->dict_dir;
    const char *env = getenv("PARLEY_DICT_DIR");
    if (env && *env) return env;
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *s = strrchr(exe, '/');
        if (s) {
            *s = 0;
            char guess[PATH_MAX + 16];
            snprintf(guess, sizeof guess, "%s/../dict", exe);
            char probe[PATH_MAX + 64];
            snprintf(probe, sizeof probe, "%s/verbs", guess);
            if (exists(probe) && realpath(guess, buf)) return buf;
        }
    }
#ifdef PARLEY_SOURCE_DIR
    snprintf(buf, cap, "%s/dict", PARLEY_SOURCE_DIR);
    return buf;
#else
    return "dict";
#endif
}

/* Data files: $PARLEY_DATA_DIR, beside the binary (build/data), the
 * project's data/ above the binary, or the source tree it was built from. */
static int find_data_file(const char *name, char *out, size_t cap) {
    char exe[1024];
    const char *env = getenv("PARLEY_DATA_DIR");
    out[0] = 0;
    if (env && *env) { snprintf(out, cap, "%.900s/%s", env, name); if (exists(out)) return 1; }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *sl = strrchr(exe, '/');
        if (sl) *sl = 0;
        snprintf(out, cap, "%.900s/data/%s", exe, name);
        if (exists(out)) return 1;
        snprintf(out, cap, "%.900s/../data/%s", exe, name);
        if (exists(out)) return 1;
    }
#ifdef PARLEY_SOURCE_DIR
    snprintf(out, cap, "%s/data/%s", PARLEY_SOURCE_DIR, name);
    if (exists(out)) return 1;
#endif
    out[0] = 0;
    return 0;
}

/* The dictionary files a command loads, in order: built before anything is
 * read, so that the compiled cache can be keyed by it. */
typedef struct dict_plan { int n, cap; struct plan_step { parley_dict_kind kind; parley_dialect dialect; char *path; } *v; } dict_plan;

static void plan_add(dict_plan *p, parley_dict_kind k, parley_dialect dia, const char *path) {
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->v = realloc(p->v, (size_t)p->cap * sizeof *p->v);
        if (!p->v) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
    }
    p->v[p->n++] = (struct plan_step){k, dia, strdup(path)};
}
static void plan_free(dict_plan *p) {
    for (int i = 0; i < p->n; i++) free(p->v[i].path);
    free(p->v);
}
static void plan_list(dict_plan *p, parley_dict_kind k, const char *list, parley_dialect dia) {
    char *copy = strdup(list);
    for (char *s = strtok(copy, ","); s; s = strtok(NULL, ",")) plan_add(p, k, dia, s);
    free(copy);
}
/* Every file of a kind in DIR/sub (sorted), e.g. dict/verbs/ *.verbs. */
static void plan_dir(dict_plan *p, parley_dict_kind k, const char *dir, const char *sub, const char *ext) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    extern int parley_cli_list_dir(const char *dir, const char *ext, char ***out);
    char **files = NULL;
    int n = parley_cli_list_dir(path, ext, &files);
    for (int i = 0; i < n; i++) {
        plan_add(p, k, PARLEY_DIALECT_AUTO, files[i]);
        free(files[i]);
    }
    free(files);
}

#include <dirent.h>
static int cmp_strp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
int parley_cli_list_dir(const char *dir, const char *ext, char ***out) {
    DIR *dd = opendir(dir);
    if (!dd) return 0;
    struct dirent *de;
    int n = 0, cap = 0;
    char **v = NULL;
    size_t el = strlen(ext);
    while ((de = readdir(dd))) {
        size_t l = strlen(de->d_name);
        if (l <= el || strcmp(de->d_name + l - el, ext)) continue;
        if (n == cap) { cap = cap ? cap * 2 : 16; v = realloc(v, (size_t)cap * sizeof *v); }
        size_t pl = strlen(dir) + l + 2;
        v[n] = malloc(pl);
        snprintf(v[n], pl, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(dd);
    if (n) qsort(v, (size_t)n, sizeof *v, cmp_strp);
    *out = v;
    return n;
}

/* The gazetteer (built next to the binary by make, like the lexicon):
 * optional; without it events carry no place. */
static void load_gazetteer(cli *c) {
    if (c->no_geo || c->gaz) return;
    char path[PATH_MAX + 64];
    const char *p = c->gazetteer_path;
    if (!p && find_data_file("gazetteer.bin", path, sizeof path)) p = path;
    if (!p) {
        if (!c->quiet) fprintf(stderr, "parley: data/gazetteer.bin not found (make builds it): events will have no place\n");
        return;
    }
    parley_error e;
    c->gaz = parley_gazetteer_open(p, &e);
    if (!c->gaz) fprintf(stderr, "parley: %s\n", e.message);
}

/* The compiled-dictionary cache: one file per distinct plan (files, kinds,
 * dialects, the settings that change what loading does, the working
 * directory for relative paths, the version), named by a hash of it.  The
 * library checks that no source changed; a stale or damaged file is simply
 * rebuilt. */
static int cache_path(cli *c, const dict_plan *p, const char *lexicon, const char *cameo, char *out, size_t cap) {
    if (c->no_dict_cache) return 0;
    char dir[PATH_MAX];
    const char *env = getenv("PARLEY_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (c->dict_cache) snprintf(dir, sizeof dir, "%s", c->dict_cache);
    else if (env && *env) snprintf(dir, sizeof dir, "%s", env);
    else if (xdg && *xdg == '/') snprintf(dir, sizeof dir, "%s/parley", xdg);
    else if (home && *home == '/') snprintf(dir, sizeof dir, "%s/.cache/parley", home);
    else return 0;
    uint64_t h = 14695981039346656037ULL;   /* FNV-1a over the plan */
#define MIX(str) do { for (const char *q_ = (str); *q_; q_++) { h ^= (unsigned char)*q_; h *= 1099511628211ULL; } h ^= 0xff; h *= 1099511628211ULL; } while (0)
    char num[64], cwd[PATH_MAX];
    MIX("parley " PARLEY_VERSION);
    MIX(getcwd(cwd, sizeof cwd) ? cwd : "?");
    snprintf(num, sizeof num, "%d %ld", c->strict, c->max_dict_line);
    MIX(num);
    for (int i = 0; i < p->n; i++) {
        snprintf(num, sizeof num, "%d %d", (int)p->v[i].kind, (int)p->v[i].dialect);
        MIX(num);
        MIX(p->v[i].path);
    }
    MIX(lexicon);
    MIX(cameo);
#undef MIX
    /* the cache directory and its parent (~/.cache) may not exist yet */
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) { *slash = 0; mkdir(dir, 0755); *slash = '/'; }
    mkdir(dir, 0755);
    snprintf(out, cap, "%s/dict-%016llx.pdc", dir, (unsigned long long)h);
    return 1;
}

/* Keeps the cache directory bounded: after a new compiled file is written,
 * all but the CACHE_KEEP most recently used are removed (a warm load
 * touches its file, so "used" is read or written). */
#define CACHE_KEEP 16
typedef struct cached_file { char *path; time_t used; } cached_file;
static int cmp_cached(const void *a, const void *b) {
    const cached_file *x = a, *y = b;
    return x->used < y->used ? 1 : x->used > y->used ? -1 : strcmp(x->path, y->path);
}
static void cache_prune(const char *file) {
    char dir[PATH_MAX + 256];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (!slash) return;
    *slash = 0;
    char **names = NULL;
    int n = parley_cli_list_dir(dir, ".pdc", &names);
    cached_file *v = calloc((size_t)n + 1, sizeof *v);
    int k = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        const char *base = strrchr(names[i], '/');
        if (v && base && !strncmp(base + 1, "dict-", 5) && stat(names[i], &st) == 0) v[k++] = (cached_file){names[i], st.st_mtime};
        else free(names[i]);
    }
    if (v) {
        qsort(v, (size_t)k, sizeof *v, cmp_cached);
        for (int i = 0; i < k; i++) {
            if (i >= CACHE_KEEP) unlink(v[i].path);
            free(v[i].path);
        }
    }
    free(v);
    free(names);
}

static parley_dict *load_dicts(cli *c) {
    parley_dict *d = parley_dict_new();
    if (!d) return NULL;
    parley_dict_set_diag(d, diag, c);
    parley_dict_set_strict(d, c->strict);
    parley_dict_set_max_line(d, (size_t)c->max_dict_line);
    char buf[PATH_MAX];
    const char *dir = find_dict_dir(c, buf, sizeof buf);
    /* each kind not named on the command line comes from the shipped set,
     * unless --no-defaults asks for exactly the named files */
    int dflt = !c->no_defaults;
    dict_plan plan = {0};
    static const char *const subdir[] = {"verbs", "actors", "agents", "discards", "issues"};
    const char *named[] = {c->verbs, c->actors, c->agents, c->discards, c->issues};
    const parley_dict_kind kinds[] = {PARLEY_DICT_VERBS, PARLEY_DICT_ACTORS, PARLEY_DICT_AGENTS, PARLEY_DICT_DISCARDS, PARLEY_DICT_ISSUES};
    for (int k = 0; k < 5; k++) {
        char ext[16];
        snprintf(ext, sizeof ext, ".%s", subdir[k]);
        if (named[k]) plan_list(&plan, kinds[k], named[k], c->dialect);
        else if (dflt) plan_dir(&plan, kinds[k], dir, subdir[k], ext);
    }
    if (c->options_file) plan_list(&plan, PARLEY_DICT_OPTIONS, c->options_file, PARLEY_DIALECT_TABARI);
    /* the lexicon (built next to the binary) and the CAMEO ontology */
    char lexicon[PATH_MAX + 64], cameo[PATH_MAX + 64], cached[PATH_MAX + 128];
    find_data_file("lexicon.tsv", lexicon, sizeof lexicon);
    find_data_file("cameo.tsv", cameo, sizeof cameo);
    parley_error e;
    int use_cache = cache_path(c, &plan, lexicon, cameo, cached, sizeof cached);
    if (use_cache && parley_dict_load_compiled(d, cached, &e) == PARLEY_OK) {
        utime(cached, NULL);
        plan_free(&plan);
        load_gazetteer(c);
        return d;
    }
    int rc = 0;
    for (int i = 0; i < plan.n && !rc; i++)
        if (parley_dict_load(d, plan.v[i].kind, plan.v[i].path, plan.v[i].dialect, &e) != PARLEY_OK) {
            fprintf(stderr, "parley: %s\n", e.message);
            rc = -1;
        }
    plan_free(&plan);
    if (lexicon[0] && parley_dict_load_lexicon(d, lexicon, &e) != PARLEY_OK)
        fprintf(stderr, "parley: %s\n", e.message);
    if (cameo[0] && parley_dict_load_cameo(d, cameo, &e) != PARLEY_OK)
        fprintf(stderr, "parley: %s\n", e.message);
    else if (!cameo[0] && !c->quiet)
        fprintf(stderr, "parley: data/cameo.tsv not found: events will lack quad_class and goldstein\n");
    if (rc) { parley_dict_free(d); return NULL; }
    if (parley_dict_finish(d, &e) != PARLEY_OK) { fprintf(stderr, "parley: %s\n", e.message); parley_dict_free(d); return NULL; }
    /* a cache that cannot be written costs only the next run's parsing time */
    if (use_cache) {
        if (parley_dict_save(d, cached, &e) == PARLEY_OK) cache_prune(cached);
        else if (c->dict_cache) fprintf(stderr, "parley: dictionary cache not written: %s\n", e.message);
    }
    load_gazetteer(c);
    return d;
}

/* ------------------------------------------------------------- code */

/* The reader copies documents into chunks of CHUNK_DOCS documents, each
 * coded whole by one coder (with -j N, N-1 threads and the main thread,
 * each with its own coder, all clones of one); every chunk has its own
 * output, written in chunk order, so output order is input order whatever
 * N is.  `code` streams chunks through a ring (below); ingest works in
 * batches of chunks and adds one thread: storing runs on the main thread
 * while the next batch is coded. */

typedef struct outbuf { char *s; size_t n, cap; } outbuf;

static void ob_put(outbuf *o, const char *s, size_t n) {
    if (o->n + n + 1 > o->cap) {
        size_t c = o->cap ? o->cap : 65536;
        while (c < o->n + n + 1) c *= 2;
        char *ns = realloc(o->s, c);
        if (!ns) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
        o->s = ns;
        o->cap = c;
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
}

/* The results of one chunk. */
typedef struct kept_event { size_t doc; parley_event ev; } kept_event;
typedef struct wres {
    outbuf out;                         /* JSON lines, or kept strings (ingest) */
    kept_event *kept; size_t nkept, capkept;
    const parley_doc *docs; size_t ndocs;
} wres;

typedef struct worker {
    cli *c;
    const parley_dict *d;
    parley_coder *coder;
    char *jb; size_t jl, jc;
    long events, bad;
    int keep;                           /* ingest: keep events instead of printing */
    wres *res;                          /* the chunk being coded */
    size_t cur_doc;
    struct run *r;
    pthread_t th;
    char pad[64];                       /* no false sharing between threads' counters */
} worker;

/* ingest: strings are copied into the result buffer; pointers hold
 * offset+1 until the buffer stops moving */
static const char *keep_str(wres *r, const char *s) {
    if (!s) return NULL;
    size_t off = r->out.n;
    ob_put(&r->out, s, strlen(s) + 1);
    return (const char *)(uintptr_t)(off + 1);
}
static const char *unkeep(const wres *r, const char *p) { return p ? r->out.s + ((uintptr_t)p - 1) : NULL; }

static int on_event(void *ud, const parley_event *ev) {
    worker *w = ud;
    wres *r = w->res;
    w->events++;
    if (w->keep) {
        if (r->nkept == r->capkept) {
            r->capkept = r->capkept ? r->capkept * 2 : 1024;
            r->kept = realloc(r->kept, r->capkept * sizeof *r->kept);
            if (!r->kept) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
        }
        kept_event *k = &r->kept[r->nkept++];
        k->doc = w->cur_doc;
        k->ev = *ev;
        k->ev.doc_id = keep_str(r, ev->doc_id);
        k->ev.source = keep_str(r, ev->source);
        k->ev.target = keep_str(r, ev->target);
        k->ev.code = keep_str(r, ev->code);
        k->ev.source_text = keep_str(r, ev->source_text);
        k->ev.target_text = keep_str(r, ev->target_text);
        k->ev.verb_text = keep_str(r, ev->verb_text);
        k->ev.sentence_text = keep_str(r, ev->sentence_text);
        k->ev.issues = keep_str(r, ev->issues);
        k->ev.why = keep_str(r, ev->why);
        k->ev.publisher = keep_str(r, ev->publisher);
        k->ev.url = keep_str(r, ev->url);
        k->ev.place.written = keep_str(r, ev->place.written); /* the rest lives in the gazetteer */
        return 0;
    }
    if (w->c->out_fmt && !strcmp(w->c->out_fmt, "tsv")) {
        /* PETRARCH evts: date, source, target, code, ids, issues */
        char line[1024];
        int n = snprintf(line, sizeof line, "%08d\t%s\t%s\t%s\t%s-%d\t%s\n", ev->date, ev->source ? ev->source : "---",
                         ev->target ? ev->target : "---", ev->code, ev->doc_id, ev->sentence, ev->issues ? ev->issues : "");
        if (n > 0) ob_put(&r->out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        return 0;
    }
    w->jl = 0;
    parley_event_json(w->d, ev, &w->jb, &w->jl, &w->jc);
    ob_put(&r->out, w->jb, w->jl);
    ob_put(&r->out, "\n", 1);
    return 0;
}

static void code_chunk(worker *w, wres *r) {
    w->res = r;
    r->nkept = 0;
    r->out.n = 0;
    for (size_t i = 0; i < r->ndocs; i++) {
        parley_error e;
        w->cur_doc = i;
        if (parley_code_document(w->coder, &r->docs[i], on_event, w, NULL, &e) != PARLEY_OK) {
            char msg[800];
            snprintf(msg, sizeof msg, "document %.200s: %.500s", r->docs[i].id ? r->docs[i].id : "?", e.message);
            diag(w->c, NULL, 0, msg);
            w->bad++;
        }
    }
}

/* Documents copied out of the reader's buffers: their strings go into one
 * buffer, which may move while it fills, so they are kept as offsets (+1
 * for those that may be NULL) until docbuf_fix() turns them into pointers. */
typedef struct docbuf {
    parley_doc *docs; size_t ndocs, cap;
    char *strs; size_t slen, scap;
} docbuf;

static size_t docbuf_keep(docbuf *b, const char *s, size_t n) {
    if (b->slen + n + 1 > b->scap) {
        size_t c = b->scap ? b->scap : (64u << 10);
        while (c < b->slen + n + 1) c *= 2;
        char *ns = realloc(b->strs, c);
        if (!ns) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
        b->strs = ns;
        b->scap = c;
    }
    size_t off = b->slen;
    memcpy(b->strs + off, s, n);
    b->strs[off + n] = 0;
    b->slen += n + 1;
    return off;
}

static void docbuf_add(docbuf *b, const parley_doc *doc) {
    if (b->ndocs == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->docs = realloc(b->docs, b->cap * sizeof *b->docs);
        if (!b->docs) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
    }
    parley_doc d = *doc;
    const char *id = doc->id ? doc->id : "";
    d.id = (const char *)(uintptr_t)docbuf_keep(b, id, strlen(id));
    d.text = (const char *)(uintptr_t)docbuf_keep(b, doc->text ? doc->text : "", doc->text ? doc->text_len : 0);
    d.source = doc->source ? (const char *)(uintptr_t)(docbuf_keep(b, doc->source, strlen(doc->source)) + 1) : NULL;
    d.url = doc->url ? (const char *)(uintptr_t)(docbuf_keep(b, doc->url, strlen(doc->url)) + 1) : NULL;
    d.title = doc->title ? (const char *)(uintptr_t)(docbuf_keep(b, doc->title, strlen(doc->title)) + 1) : NULL;
    b->docs[b->ndocs++] = d;
}

static void docbuf_fix(docbuf *b) {
    for (size_t i = 0; i < b->ndocs; i++) {
        parley_doc *d = &b->docs[i];
        d->id = b->strs + (size_t)d->id;
        d->text = b->strs + (size_t)d->text;
        d->source = d->source ? b->strs + (size_t)d->source - 1 : NULL;
        d->url = d->url ? b->strs + (size_t)d->url - 1 : NULL;
        d->title = d->title ? b->strs + (size_t)d->title - 1 : NULL;
    }
}

typedef struct bbuf {
    docbuf db;
    wres *chunks; size_t nchunks, capchunks;
} bbuf;

typedef struct run {
    cli *c;
    const parley_dict *d;
    FILE *out;
    int nworkers;       /* threads besides the main one */
    worker *w;          /* w[0]: the main thread's; w[1..nworkers]: the threads' */
    bbuf buf[2];        /* reading fills one while the other is coded */
    int cur;
    /* the batch being coded: chunks are taken under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    bbuf *active;
    size_t next_chunk;
    int busy, quit;
    bbuf *ready;        /* coded, not yet written */
    long docs_total;
    parley_store *store;                /* ingest: events go here */
    long stored, skipped, store_bad;
    int store_failed;                   /* a write failed: stop reading */
    /* code -j N (N > 1): a ring of chunks instead of batches (see "Streaming") */
    struct slot *ring; size_t nring;
    struct slot *filling;               /* the chunk the reader is filling, or NULL */
    unsigned long fill_seq, write_seq;  /* the chunk being read; the first not yet written */
    int writing;                        /* a thread is in ring_write */
} run;

#define BATCH_DOCS 4096
#define BATCH_BYTES (8u << 20)
/* a chunk: small enough that the text read, the coder's output and its
 * write stay in the processor's cache */
#define CHUNK_DOCS 32
#define CHUNK_BYTES (64u << 10)
#define TAIL_DOCS 128
#define TAIL_CHUNK_DOCS 8

static void *worker_main(void *arg) {
    worker *w = arg;
    run *r = w->r;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->quit && (!r->active || r->next_chunk >= r->active->nchunks)) pthread_cond_wait(&r->cv_work, &r->mu);
        if (r->quit) break;
        bbuf *b = r->active;
        size_t k = r->next_chunk++;
        r->busy++;
        pthread_mutex_unlock(&r->mu);
        code_chunk(w, &b->chunks[k]);
        pthread_mutex_lock(&r->mu);
        if (--r->busy == 0 && r->next_chunk >= b->nchunks) pthread_cond_signal(&r->cv_done);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* The main thread codes chunks of the active batch until none is left,
 * then waits for the threads' last ones; the batch becomes ready. */
static void finish_active(run *r) {
    pthread_mutex_lock(&r->mu);
    bbuf *b = r->active;
    while (b && r->next_chunk < b->nchunks) {
        size_t k = r->next_chunk++;
        r->busy++;
        pthread_mutex_unlock(&r->mu);
        code_chunk(&r->w[0], &b->chunks[k]);
        pthread_mutex_lock(&r->mu);
        r->busy--;
    }
    while (r->busy > 0) pthread_cond_wait(&r->cv_done, &r->mu);
    r->active = NULL;
    pthread_mutex_unlock(&r->mu);
    if (b) r->ready = b;
}

/* Stores the ready batch, chunk by chunk, in input order. */
static void drain(run *r) {
    bbuf *b = r->ready;
    if (!b) return;
    for (size_t ci = 0; ci < b->nchunks; ci++) {
        wres *res = &b->chunks[ci];
        for (size_t k = 0; k < res->nkept; k++) {
            parley_event *e = &res->kept[k].ev;
            e->doc_id = unkeep(res, e->doc_id); e->source = unkeep(res, e->source); e->target = unkeep(res, e->target);
            e->code = unkeep(res, e->code); e->source_text = unkeep(res, e->source_text); e->target_text = unkeep(res, e->target_text);
            e->verb_text = unkeep(res, e->verb_text); e->sentence_text = unkeep(res, e->sentence_text); e->issues = unkeep(res, e->issues);
            e->why = unkeep(res, e->why); e->publisher = unkeep(res, e->publisher); e->url = unkeep(res, e->url);
            e->place.written = unkeep(res, e->place.written);
        }
        size_t k = 0;
        for (size_t i = 0; i < res->ndocs; i++) {
            size_t a = k;
            while (k < res->nkept && res->kept[k].doc == i) k++;
            parley_event *evs = malloc((k - a + 1) * sizeof *evs);
            if (!evs) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
            for (size_t q = a; q < k; q++) evs[q - a] = res->kept[q].ev;
            parley_error e;
            int n = 0;
            parley_status ps = r->store_failed ? PARLEY_OK : parley_store_put(r->store, r->d, &res->docs[i], evs, k - a, &n, &e);
            if (ps == PARLEY_ERR_IO) {
                /* the store, not the document, is at fault (disk full,
                 * read-only): every later document would fail the same way */
                fprintf(stderr, "parley: stopping at document %.200s: %s\n", res->docs[i].id, e.message);
                r->store_failed = 1;
            } else if (r->store_failed) {
                n = 0;
            } else if (ps != PARLEY_OK) {
                char msg[800];
                snprintf(msg, sizeof msg, "document %.200s: %.500s", res->docs[i].id, e.message);
                diag(r->c, NULL, 0, msg);
                r->store_bad++;
            } else if (n < 0) r->skipped++;
            else r->stored += n;
            free(evs);
        }
    }
    r->ready = NULL;
}

static void flush_batch(run *r) {
    bbuf *b = &r->buf[r->cur];
    if (!b->db.ndocs) return;
    finish_active(r);
    docbuf_fix(&b->db);
    /* chunks of CHUNK_DOCS, but the batch's last TAIL_DOCS documents in
     * chunks of TAIL_CHUNK_DOCS: the threads reach the end of the batch
     * together, and the one that finishes first waits less for the other */
    size_t ndocs = b->db.ndocs;
    size_t tail = ndocs < TAIL_DOCS ? ndocs : TAIL_DOCS, head = ndocs - tail;
    size_t nhead = (head + CHUNK_DOCS - 1) / CHUNK_DOCS;
    size_t nch = nhead + (tail + TAIL_CHUNK_DOCS - 1) / TAIL_CHUNK_DOCS;
    if (nch > b->capchunks) {
        wres *nc = realloc(b->chunks, nch * sizeof *nc);
        if (!nc) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
        memset(nc + b->capchunks, 0, (nch - b->capchunks) * sizeof *nc);
        b->chunks = nc;
        b->capchunks = nch;
    }
    b->nchunks = nch;
    for (size_t k = 0, a = 0; k < nch; k++) {
        size_t len = k < nhead ? CHUNK_DOCS : TAIL_CHUNK_DOCS;
        if (k < nhead && a + len > head) len = head - a;
        if (a + len > ndocs) len = ndocs - a;
        b->chunks[k].docs = b->db.docs + a;
        b->chunks[k].ndocs = len;
        a += len;
    }
    pthread_mutex_lock(&r->mu);
    r->active = b;
    r->next_chunk = 0;
    pthread_cond_broadcast(&r->cv_work);
    pthread_mutex_unlock(&r->mu);
    /* the previous batch is stored while this one is coded */
    drain(r);
    r->cur ^= 1;
    r->buf[r->cur].db.ndocs = 0;
    r->buf[r->cur].db.slen = 0;
}

static int on_doc(void *ud, const parley_doc *doc) {
    run *r = ud;
    bbuf *b = &r->buf[r->cur];
    r->docs_total++;
    docbuf_add(&b->db, doc);
    if (b->db.ndocs >= BATCH_DOCS || b->db.slen >= BATCH_BYTES) flush_batch(r);
    return r->store_failed;
}

/* ---- Streaming (code).  The reader fills a ring of chunks
 * of CHUNK_DOCS documents; a chunk is coded as soon as it is full, by a
 * thread that takes the oldest waiting one, or by the reader itself when
 * the ring is full (it takes the newest: the text it has just read is
 * still in its cache).  Whoever finishes a chunk writes every chunk done
 * from the first unwritten one on, so output keeps input order; a
 * written chunk is free for the reader again.  No batch ends, so no
 * thread waits for the others at one. */
enum { SL_FREE, SL_FILL, SL_READY, SL_CODING, SL_DONE };
typedef struct slot {
    _Alignas(64) docbuf db;             /* a line of its own: two threads write neighbouring slots */
    wres res;
    unsigned long seq;
    int state;
} slot;
#define RING_CHUNKS 16

static slot *ring_at(run *r, unsigned long seq) { return &r->ring[seq % r->nring]; }

/* Under r->mu: writes the done chunks from write_seq on and frees them,
 * unless another thread is at it (it will see the chunk done here before it
 * stops).  The write itself is made without the lock: the other threads
 * take and hand over chunks meanwhile. */
static void ring_write(run *r) {
    if (r->writing) return;
    r->writing = 1;
    for (;;) {
        slot *sl = ring_at(r, r->write_seq);
        if (r->write_seq >= r->fill_seq || sl->seq != r->write_seq || sl->state != SL_DONE) break;
        if (sl->res.out.n) {
            pthread_mutex_unlock(&r->mu);
            fwrite(sl->res.out.s, 1, sl->res.out.n, r->out);
            pthread_mutex_lock(&r->mu);
        }
        sl->res.out.n = 0;
        sl->state = SL_FREE;
        r->write_seq++;
        pthread_cond_broadcast(&r->cv_done);
    }
    r->writing = 0;
}

/* Under r->mu: a waiting chunk, the oldest (newest: 0) or NULL. */
static slot *ring_take(run *r, int oldest) {
    slot *best = NULL;
    for (size_t k = 0; k < r->nring; k++) {
        slot *sl = &r->ring[k];
        if (sl->state == SL_READY && (!best || (oldest ? sl->seq < best->seq : sl->seq > best->seq))) best = sl;
    }
    if (best) best->state = SL_CODING;
    return best;
}

/* Codes one taken chunk (mu not held), then marks it done and writes. */
static void ring_code(run *r, worker *w, slot *sl) {
    code_chunk(w, &sl->res);
    pthread_mutex_lock(&r->mu);
    sl->state = SL_DONE;
    ring_write(r);
    pthread_mutex_unlock(&r->mu);
}

static void *ring_worker_main(void *arg) {
    worker *w = arg;
    run *r = w->r;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        slot *sl;
        while (!(sl = ring_take(r, 1)) && !r->quit) pthread_cond_wait(&r->cv_work, &r->mu);
        if (!sl) break;
        pthread_mutex_unlock(&r->mu);
        ring_code(r, w, sl);
        pthread_mutex_lock(&r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* The reader's chunk is full (or the input ended): hand it over. */
static void ring_publish(run *r) {
    slot *sl = r->filling;
    if (!sl || !sl->db.ndocs) return;
    docbuf_fix(&sl->db);
    sl->res.docs = sl->db.docs;
    sl->res.ndocs = sl->db.ndocs;
    pthread_mutex_lock(&r->mu);
    sl->state = SL_READY;
    r->fill_seq++;
    pthread_cond_signal(&r->cv_work);
    pthread_mutex_unlock(&r->mu);
    r->filling = NULL;
}

/* Under r->mu, for the reader while it waits: codes the newest waiting
 * chunk, or, with none, sleeps until a chunk is written. */
static void ring_help(run *r) {
    slot *t = ring_take(r, 0);
    if (!t) { pthread_cond_wait(&r->cv_done, &r->mu); return; }
    pthread_mutex_unlock(&r->mu);
    ring_code(r, &r->w[0], t);
    pthread_mutex_lock(&r->mu);
}

/* The reader's next chunk: the ring's next slot once it is free, coding
 * waiting chunks until it is. */
static slot *ring_next_free(run *r) {
    slot *sl = ring_at(r, r->fill_seq);
    pthread_mutex_lock(&r->mu);
    while (sl->state != SL_FREE) ring_help(r);
    sl->state = SL_FILL;
    sl->seq = r->fill_seq;
    pthread_mutex_unlock(&r->mu);
    sl->db.ndocs = 0;
    sl->db.slen = 0;
    return sl;
}

/* The end of the input: the last chunk is handed over, and the reader
 * codes with the threads until everything is written. */
static void ring_finish(run *r) {
    ring_publish(r);
    pthread_mutex_lock(&r->mu);
    if (r->filling) { r->filling->state = SL_FREE; r->filling = NULL; } /* taken, left empty */
    while (r->write_seq < r->fill_seq) ring_help(r);
    pthread_mutex_unlock(&r->mu);
}

static int ring_on_doc(void *ud, const parley_doc *doc) {
    run *r = ud;
    r->docs_total++;
    if (!r->filling) r->filling = ring_next_free(r);
    slot *sl = r->filling;
    docbuf_add(&sl->db, doc);
    if (sl->db.ndocs >= CHUNK_DOCS || sl->db.slen >= CHUNK_BYTES) ring_publish(r);
    return 0;
}

static const char *guess_in(const char *path) {
    size_t n = strlen(path);
    if (n > 4 && !strcasecmp(path + n - 4, ".xml")) return "petrxml";
    if (n > 4 && !strcasecmp(path + n - 4, ".txt")) return "text";
    if (n > 5 && !strcasecmp(path + n - 5, ".text")) return "tabari";
    return "jsonl";
}

static int32_t today(void) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static int code_run(cli *c, int nfiles, char **files, parley_store *store) {
    parley_dict *d = load_dicts(c);
    if (!d) return EX_DICT;
    long dict_bad = c->diags;
    run r;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.d = d;
    r.store = store;
    int jobs = c->jobs > 0 ? (c->jobs > 64 ? 64 : c->jobs) : 1;
    r.nworkers = jobs - 1 + (store != NULL);
    r.w = calloc((size_t)r.nworkers + 1, sizeof *r.w);
    if (!r.w) { fputs("parley: out of memory\n", stderr); parley_dict_free(d); return EX_IO; }
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv_work, NULL);
    pthread_cond_init(&r.cv_done, NULL);
    int32_t date = c->date ? c->date : today();
    char dl[64];
    snprintf(dl, sizeof dl, "date = %d", date);
    parley_error e;
    /* the threads' coders are clones of the first: one token cache */
    parley_coder *first = parley_coder_new(d);
    if (!first) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
    parley_coder_set_gazetteer(first, c->gaz);
    parley_coder_set_diag(first, diag, c);
    if (c->code_all) parley_coder_option(first, "code_all = true", &e);
    for (int i = 0; i < c->nsets; i++)
        if (parley_coder_option(first, c->sets[i], &e) != PARLEY_OK) { fprintf(stderr, "parley: --set: %s\n", e.message); parley_coder_free(first); return EX_USAGE; }
    parley_coder_option(first, dl, &e);
    for (int t = 0; t <= r.nworkers; t++) {
        worker *w = &r.w[t];
        w->c = c;
        w->d = d;
        w->r = &r;
        w->coder = t ? parley_coder_clone(first) : first;
        if (!w->coder) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
        w->keep = store != NULL;
    }
    /* code streams chunks through a ring (of one chunk with no threads:
     * read a chunk, code it, write it); ingest, whose main thread stores
     * while the threads code, works in batches */
    int stream = !store;
    doc_fn on_doc_fn = on_doc;
    if (stream) {
        r.nring = !r.nworkers ? 1 : RING_CHUNKS > 4 * (size_t)(r.nworkers + 1) ? RING_CHUNKS : 4 * (size_t)(r.nworkers + 1);
        r.ring = aligned_alloc(64, r.nring * sizeof *r.ring);
        if (!r.ring) { fputs("parley: out of memory\n", stderr); exit(EX_IO); }
        memset(r.ring, 0, r.nring * sizeof *r.ring);
        on_doc_fn = ring_on_doc;
    }
    for (int t = 1; t <= r.nworkers; t++)
        if (pthread_create(&r.w[t].th, NULL, stream ? ring_worker_main : worker_main, &r.w[t]) != 0) {
            fputs("parley: cannot start a thread\n", stderr);
            exit(EX_IO);
        }
    r.out = stdout;
    if (c->out_path && !(r.out = fopen(c->out_path, "w"))) { fprintf(stderr, "parley: %s: %s\n", c->out_path, strerror(errno)); return EX_IO; }
    input_opts io = {date, c->max_doc_bytes > 0 ? (size_t)c->max_doc_bytes : 16u << 20, diag, c};
    int rc = EX_OK;
    long bad = 0;
    if (!nfiles) {
        const char *in = c->in ? c->in : "jsonl";
        if (!strcmp(in, "text")) bad += read_text(stdin, "<stdin>", &io, on_doc_fn, &r);
        else if (!strcmp(in, "tabari")) bad += read_tabari_records(stdin, "<stdin>", &io, on_doc_fn, &r);
        else if (!strcmp(in, "petrxml")) bad += read_petrarch_xml("/dev/stdin", &io, on_doc_fn, &r);
        else bad += read_jsonl(stdin, "<stdin>", &io, on_doc_fn, &r);
    }
    for (int i = 0; i < nfiles; i++) {
        const char *in = c->in ? c->in : guess_in(files[i]);
        if (r.store_failed) break;
        if (!strcmp(in, "petrxml")) { bad += read_petrarch_xml(files[i], &io, on_doc_fn, &r); continue; }
        FILE *f = !strcmp(files[i], "-") ? stdin : fopen(files[i], "rb");
        if (!f) { fprintf(stderr, "parley: %s: %s\n", files[i], strerror(errno)); rc = EX_IO; continue; }
        if (!strcmp(in, "text")) bad += read_text(f, files[i], &io, on_doc_fn, &r);
        else if (!strcmp(in, "tabari")) bad += read_tabari_records(f, files[i], &io, on_doc_fn, &r);
        else bad += read_jsonl(f, files[i], &io, on_doc_fn, &r);
        if (f != stdin) fclose(f);
    }
    if (stream) ring_finish(&r);
    else {
        flush_batch(&r);
        finish_active(&r);
        drain(&r);
    }
    pthread_mutex_lock(&r.mu);
    r.quit = 1;
    pthread_cond_broadcast(&r.cv_work);
    pthread_mutex_unlock(&r.mu);
    for (int t = 1; t <= r.nworkers; t++) pthread_join(r.w[t].th, NULL);
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.cv_work);
    pthread_cond_destroy(&r.cv_done);
    long events = 0;
    for (int t = 0; t <= r.nworkers; t++) {
        events += r.w[t].events;
        bad += r.w[t].bad;
        parley_coder_free(r.w[t].coder);
        free(r.w[t].jb);
    }
    if (r.out != stdout) { if (fclose(r.out) != 0) rc = EX_IO; }
    else if (fflush(stdout) != 0) rc = EX_IO;
    if (store) {
        parley_error ce;
        if (r.store_failed) rc = EX_IO;
        else if (parley_store_commit(store, &ce) != PARLEY_OK) { fprintf(stderr, "parley: %s\n", ce.message); rc = EX_IO; }
        bad += r.store_bad;
        if (!c->quiet)
            fprintf(stderr, "parley: %ld documents (%ld unchanged, skipped), %ld event mentions stored, %ld bad documents\n", r.docs_total,
                    r.skipped, r.stored, bad);
    } else if (!c->quiet)
        fprintf(stderr, "parley: %ld documents, %ld events, %ld bad documents, %ld dictionary problems\n", r.docs_total, events, bad, dict_bad);
    free(r.w);
    for (size_t k = 0; k < r.nring; k++) {
        free(r.ring[k].db.docs);
        free(r.ring[k].db.strs);
        free(r.ring[k].res.out.s);
        free(r.ring[k].res.kept);
    }
    free(r.ring);
    for (int k = 0; k < 2; k++) {
        for (size_t q = 0; q < r.buf[k].capchunks; q++) { free(r.buf[k].chunks[q].out.s); free(r.buf[k].chunks[q].kept); }
        free(r.buf[k].chunks);
        free(r.buf[k].db.docs);
        free(r.buf[k].db.strs);
    }
    parley_dict_free(d);
    if (rc) return rc;
    return (bad || dict_bad) ? EX_SOME_BAD : EX_OK;
}

static int cmd_code(cli *c, int nfiles, char **files) { return code_run(c, nfiles, files, NULL); }

static int cmd_validate(cli *c, const char *path) {
    validate_opts vo;
    memset(&vo, 0, sizeof vo);
    vo.diag = diag;
    vo.diag_ud = c;
    int pass = 0, fail = 0;
    size_t n = strlen(path);
    if (n > 4 && !strcasecmp(path + n - 4, ".xml")) return parley_validate_petrarch(path, &vo, stdout, &pass, &fail);
    return parley_validate_tabari(path, &vo, stdout, &pass, &fail);
}

static int cmd_dict(cli *c, int argc, char **argv) {
    if (argc < 1) { fputs(usage_text, stderr); return EX_USAGE; }
    if (!strcmp(argv[0], "check")) {
        if (argc < 2) { fprintf(stderr, "parley dict check: name one or more files\n"); return EX_USAGE; }
        parley_dict *d = parley_dict_new();
        parley_dict_set_diag(d, diag, c);
        parley_dict_set_strict(d, c->strict);
        parley_dict_set_max_line(d, (size_t)c->max_dict_line);
        int rc = EX_OK;
        for (int i = 1; i < argc; i++) {
            const char *p = argv[i];
            size_t n = strlen(p);
            parley_dict_kind k = PARLEY_DICT_ACTORS;
            char low[PATH_MAX];
            size_t q = 0;
            for (; q < n && q + 1 < sizeof low; q++) low[q] = (char)(p[q] >= 'A' && p[q] <= 'Z' ? p[q] + 32 : p[q]);
            low[q] = 0;
            if (strstr(low, "verb") || strstr(low, "cameo.2.0")) k = PARLEY_DICT_VERBS;
            else if (strstr(low, "agent")) k = PARLEY_DICT_AGENTS;
            else if (strstr(low, "discard")) k = PARLEY_DICT_DISCARDS;
            else if (strstr(low, "issue")) k = PARLEY_DICT_ISSUES;
            else if (strstr(low, "option")) k = PARLEY_DICT_OPTIONS;
            parley_error e;
            long before = c->diags;
            if (parley_dict_load(d, k, p, c->dialect, &e) != PARLEY_OK) { fprintf(stderr, "parley: %s\n", e.message); rc = EX_DICT; }
            printf("%s: %ld problem(s)\n", p, c->diags - before);
        }
        long total = parley_dict_problem_count(d);
        parley_dict_free(d);
        if (rc) return rc;
        return total ? EX_SOME_BAD : EX_OK;
    }
    parley_dict *d = load_dicts(c);
    if (!d) return EX_DICT;
    int rc = EX_OK;
    if (!strcmp(argv[0], "stats")) {
        parley_dict_stats s;
        parley_dict_get_stats(d, &s);
        printf("files              %ld\nactor phrases      %ld\ndated actor codes  %ld\nagent phrases      %ld\n"
               "verb forms         %ld\nverb patterns      %ld\nsynsets            %ld\ndiscard phrases    %ld\n"
               "issue phrases      %ld\nproblems           %ld\n",
               s.files, s.actor_phrases, s.actor_codes_dated, s.agent_phrases, s.verb_forms, s.verb_patterns, s.synsets, s.discards,
               s.issue_phrases, parley_dict_problem_count(d));
    } else if (!strcmp(argv[0], "lookup")) {
        if (argc < 2) { fprintf(stderr, "parley dict lookup: name a phrase\n"); rc = EX_USAGE; }
        else {
            char code[64], why[512];
            int32_t date = c->date ? c->date : today();
            if (parley_dict_lookup_actor(d, argv[1], date, code, sizeof code, why, sizeof why))
                printf("{\"phrase\":\"%s\",\"date\":\"%04d-%02d-%02d\",\"code\":%s%s%s,\"why\":\"%s\"}\n", argv[1], date / 10000, date / 100 % 100,
                       date % 100, *code ? "\"" : "", *code ? code : "null", *code ? "\"" : "", why);
            else { printf("{\"phrase\":\"%s\",\"code\":null,\"why\":\"not in the actor dictionaries\"}\n", argv[1]); rc = EX_SOME_BAD; }
        }
    } else { fputs(usage_text, stderr); rc = EX_USAGE; }
    parley_dict_free(d);
    return rc;
}

/* ------------------------------------------------------------ store */

static parley_store *open_store(cli *c) {
    if (!c->db) { fprintf(stderr, "parley: --db FILE or --db postgresql://... is required\n"); return NULL; }
    parley_error e;
    parley_store *st = parley_store_open(c->db, &e);
    if (!st) fprintf(stderr, "parley: %s\n", e.message);
    return st;
}

/* ingest = code (on coder threads) + store (on this thread), pipelined */
static int cmd_ingest(cli *c, int nfiles, char **files) {
    parley_store *st = open_store(c);
    if (!st) return EX_IO;
    parley_store_set_window(st, c->window, c->one_a_day);
    int rc = code_run(c, nfiles, files, st);
    parley_store_close(st);
    return rc;
}

typedef struct trend_out { const char *fmt; int n; } trend_out;

static int on_trend(void *ud, const parley_trend_row *r) {
    trend_out *o = ud;
    const char *flag = r->flag > 0 ? "ESCALATION" : r->flag < 0 ? "DE-ESCALATION" : "";
    if (!strcmp(o->fmt, "csv")) {
        if (!o->n) puts("period,events,verbal_coop,material_coop,verbal_conflict,material_conflict,goldstein_sum,goldstein_mean,tension,z,flag");
        printf("%s,%d,%d,%d,%d,%d,%.1f,%.2f,%.2f,%.2f,%s\n", r->period, r->events, r->quad[1], r->quad[2], r->quad[3], r->quad[4],
               r->goldstein_sum, r->goldstein_mean, r->tension, r->z, flag);
    } else if (!strcmp(o->fmt, "json")) {
        printf("{\"period\":\"%s\",\"events\":%d,\"quad\":[%d,%d,%d,%d],\"goldstein_sum\":%.1f,\"goldstein_mean\":%.2f,"
               "\"tension\":%.2f,\"z\":%.2f,\"flag\":%d}\n",
               r->period, r->events, r->quad[1], r->quad[2], r->quad[3], r->quad[4], r->goldstein_sum, r->goldstein_mean, r->tension, r->z, r->flag);
    } else {
        if (!o->n) printf("%-10s %6s %4s %4s %4s %4s %8s %7s %6s  %s\n", "period", "events", "VCp", "MCp", "VCf", "MCf", "gold.sum", "tension", "z", "flag");
        printf("%-10s %6d %4d %4d %4d %4d %8.1f %7.2f %6.2f  %s\n", r->period, r->events, r->quad[1], r->quad[2], r->quad[3], r->quad[4],
               r->goldstein_sum, r->tension, r->z, flag);
    }
    o->n++;
    return 0;
}

static int cmd_trend(cli *c, int npos, char **pos) {
    if (npos != 2) { fprintf(stderr, "parley trend: name two actors, e.g. parley trend ISR SYR --db events.db\n"); return EX_USAGE; }
    parley_store *st = open_store(c);
    if (!st) return EX_IO;
    trend_out o = {c->format ? c->format : "table", 0};
    parley_error e;
    parley_status s = parley_store_trend(st, pos[0], pos[1], c->by ? c->by : "week", c->directed, c->since, on_trend, &o, &e);
    parley_store_close(st);
    if (s != PARLEY_OK) { fprintf(stderr, "parley: %s\n", e.message); return s == PARLEY_ERR_ARG ? EX_USAGE : EX_IO; }
    if (!o.n && !c->quiet) fprintf(stderr, "parley: no events for %s-%s\n", pos[0], pos[1]);
    return EX_OK;
}

static int on_alert(void *ud, const parley_alert *a) {
    trend_out *o = ud;
    const char *flag = a->flag > 0 ? "ESCALATION" : "DE-ESCALATION";
    if (!strcmp(o->fmt, "csv")) {
        if (!o->n) puts("dyad,period,flag,events,tension,z");
        printf("%s-%s,%s,%s,%d,%.2f,%.2f\n", a->a, a->b, a->period, flag, a->events, a->tension, a->z);
    } else if (!strcmp(o->fmt, "json"))
        printf("{\"a\":\"%s\",\"b\":\"%s\",\"period\":\"%s\",\"flag\":\"%s\",\"events\":%d,\"tension\":%.2f,\"z\":%.2f}\n", a->a, a->b, a->period,
               flag, a->events, a->tension, a->z);
    else {
        if (!o->n) printf("%-9s %-10s %-14s %6s %7s %6s\n", "dyad", "period", "flag", "events", "tension", "z");
        printf("%-4s%-5s %-10s %-14s %6d %7.2f %6.2f\n", a->a, a->b, a->period, flag, a->events, a->tension, a->z);
    }
    o->n++;
    return 0;
}

static int cmd_alerts(cli *c) {
    parley_store *st = open_store(c);
    if (!st) return EX_IO;
    trend_out o = {c->format ? c->format : "table", 0};
    parley_error e;
    parley_status s = parley_store_alerts(st, c->by ? c->by : "week", c->since, c->min_events > 0 ? c->min_events : 5, on_alert, &o, &e);
    parley_store_close(st);
    if (s != PARLEY_OK) { fprintf(stderr, "parley: %s\n", e.message); return s == PARLEY_ERR_ARG ? EX_USAGE : EX_IO; }
    if (!o.n && !c->quiet) fprintf(stderr, "parley: no alerts\n");
    return EX_OK;
}

static int cmd_export(cli *c) {
    parley_store *st = open_store(c);
    if (!st) return EX_IO;
    FILE *out = stdout;
    if (c->out_path && !(out = fopen(c->out_path, "w"))) { fprintf(stderr, "parley: %s: %s\n", c->out_path, strerror(errno)); parley_store_close(st); return EX_IO; }
    parley_error e;
    parley_status s = parley_store_export(st, NULL, c->format ? c->format : "jsonl", out, &e);
    if (out != stdout) fclose(out);
    parley_store_close(st);
    if (s != PARLEY_OK) { fprintf(stderr, "parley: %s\n", e.message); return s == PARLEY_ERR_ARG ? EX_USAGE : EX_IO; }
    return EX_OK;
}

#include <arpa/inet.h>
#include <netinet/in.h>

static int cmd_serve(cli *c) {
    if (!c->db) { fprintf(stderr, "parley serve: --db FILE or --db postgresql://... is required\n"); return EX_USAGE; }
    if (c->allow_write && (!c->token || strlen(c->token) < 16)) {
        fprintf(stderr, "parley serve: --allow-write needs --token with at least 16 characters\n");
        return EX_USAGE;
    }
    parley_dict *d = load_dicts(c);
    if (!d) return EX_DICT;
    serve_opts o;
    memset(&o, 0, sizeof o);
    o.db = c->db;
    o.host = c->host ? c->host : "127.0.0.1";
    o.port = c->port > 0 ? c->port : 8080;
    o.threads = c->threads > 0 ? c->threads : 4;
    o.max_connections = c->max_conn > 0 ? c->max_conn : 512;
    o.timeout = c->timeout > 0 ? c->timeout : 15;
    o.max_body = c->max_body > 0 ? (size_t)c->max_body : 256 * 1024;
    o.cors = c->cors;
    o.allow_write = c->allow_write;
    o.token = c->token;
    o.default_date = c->date ? c->date : today();
    char www[PATH_MAX + 32];
    if (c->www) o.www = c->www;
    else {
        char exe[1024];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = 0;
            char *sl = strrchr(exe, '/');
            if (sl) *sl = 0;
            snprintf(www, sizeof www, "%.1000s/www", exe);
            if (exists(www)) o.www = www;
        }
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o.port);
    if (inet_pton(AF_INET, o.host, &sa.sin_addr) != 1) { fprintf(stderr, "parley serve: --host must be an IPv4 address\n"); parley_dict_free(d); return EX_USAGE; }
    o.addr = (const struct sockaddr *)&sa;
    o.gazetteer = c->gaz;
    int rc = serve_run(&o, d);
    parley_dict_free(d);
    return rc;
}

/* parley geo NAME [--country XX]: candidates as JSON, for checking by hand;
 * parley geo --build IN.tsv OUT: the build step that compiles the table. */
static int cmd_geo(cli *c, int npos, char **pos) {
    parley_error e;
    if (c->geo_build) {
        if (npos != 2) { fprintf(stderr, "parley geo --build: name IN.tsv and OUT\n"); return EX_USAGE; }
        parley_status st = parley_gazetteer_build(pos[0], pos[1], diag, c, &e);
        if (st == PARLEY_OK && c->diags) { fprintf(stderr, "parley: %s\n", e.message); return EX_SOME_BAD; }
        if (st != PARLEY_OK) { fprintf(stderr, "parley: %s\n", e.message); return st == PARLEY_ERR_IO ? EX_IO : EX_SOME_BAD; }
        return EX_OK;
    }
    if (npos != 1) { fprintf(stderr, "parley geo: name one place (quote names of several words)\n"); return EX_USAGE; }
    load_gazetteer(c);
    if (!c->gaz) return EX_IO;
    char *out = NULL;
    size_t len = 0;
    int rc = EX_OK;
    if (parley_geo_lookup_json(c->gaz, pos[0], c->country, 10, &out, &len, &e) != PARLEY_OK) {
        fprintf(stderr, "parley geo: %s\n", e.message);
        rc = EX_USAGE;
    } else {
        printf("%s\n", out);
        if (len <= 2) rc = EX_SOME_BAD; /* no candidate */
    }
    free(out);
    return rc;
}

static int run_command(cli *c, const char *cmd, int npos, char **pos);
/* ------------------------------------------- run, enqueue, worker */

/* The configuration file of `run` may name dictionaries; the command line
 * wins where both do. */
static parley_dict *feeds_load_dicts(void *ud, const char *const dict[6]) {
    cli *c = ud;
    const char **kinds[6] = {&c->verbs, &c->actors, &c->agents, &c->discards, &c->issues, &c->options_file};
    for (int k = 0; k < 6; k++)
        if (dict[k] && !*kinds[k]) *kinds[k] = dict[k];
    return load_dicts(c);
}

static int cmd_feeds(cli *c, const char *cmd, int npos, char **pos) {
    feeds_cli f;
    memset(&f, 0, sizeof f);
    f.config = c->config;
    f.redis = c->redis;
    f.db = c->db;
    f.group = c->group;
    f.consumer = c->consumer;
    f.metrics = c->metrics;
    f.batch = c->batch;
    f.claim_idle_ms = c->claim_idle_ms;
    f.exit_when_empty = c->exit_when_empty;
    f.max_deliveries = c->max_deliveries;
    f.quiet = c->quiet;
    f.date = c->date;
    f.sets = c->sets;
    f.nsets = c->nsets;
    f.load_dicts = feeds_load_dicts;
    f.ud = c;
    f.diag = diag;
    f.diag_ud = c;
    load_gazetteer(c);
    f.gazetteer = c->gaz;
    if (!strcmp(cmd, "run")) return feeds_cmd_run(&f);
    if (!strcmp(cmd, "enqueue")) return feeds_cmd_enqueue(&f, npos, pos);
    return feeds_cmd_worker(&f);
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE : EX_OK;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) { printf("parley %s\n", PARLEY_VERSION); return EX_OK; }
    cli c;
    memset(&c, 0, sizeof c);
    const char *cmd = argv[1];
    char *pos[256];
    int npos = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
#define ARG(name, field) if (!strcmp(a, name)) { if (i + 1 >= argc) { fprintf(stderr, "parley: %s needs a value\n", name); return EX_USAGE; } field = argv[++i]; continue; }
        ARG("--verbs", c.verbs) ARG("--actors", c.actors) ARG("--agents", c.agents) ARG("--discards", c.discards)
        ARG("--issues", c.issues) ARG("--options", c.options_file) ARG("--dict-dir", c.dict_dir) ARG("--dict-cache", c.dict_cache) ARG("--in", c.in)
        ARG("--out", c.out_fmt) ARG("-o", c.out_path) ARG("--db", c.db) ARG("--by", c.by) ARG("--format", c.format)
        ARG("--host", c.host) ARG("--www", c.www) ARG("--cors", c.cors) ARG("--token", c.token)
        ARG("--gazetteer", c.gazetteer_path) ARG("--country", c.country)
        ARG("--config", c.config) ARG("--redis", c.redis) ARG("--group", c.group) ARG("--consumer", c.consumer)
        ARG("--metrics", c.metrics)
#undef ARG
        if (!strcmp(a, "--batch") && i + 1 < argc) { c.batch = atoi(argv[++i]); continue; }
        if (!strcmp(a, "--claim-idle") && i + 1 < argc) { c.claim_idle_ms = atol(argv[++i]); continue; }
        if (!strcmp(a, "--max-deliveries") && i + 1 < argc) { c.max_deliveries = atol(argv[++i]); continue; }
        if (!strcmp(a, "--exit-when-empty")) { c.exit_when_empty = 1; continue; }
        if (!strcmp(a, "--dialect") && i + 1 < argc) {
            const char *v = argv[++i];
            c.dialect = !strcmp(v, "tabari") ? PARLEY_DIALECT_TABARI : !strcmp(v, "petrarch1") ? PARLEY_DIALECT_PETRARCH1
                      : !strcmp(v, "petrarch2") ? PARLEY_DIALECT_PETRARCH2 : PARLEY_DIALECT_AUTO;
            continue;
        }
        if (!strcmp(a, "--date") && i + 1 < argc) {
            const char *v = argv[++i];
            c.date = parley_parse_date(v, strlen(v));
            if (!c.date) { fprintf(stderr, "parley: --date: '%s' is not a date (YYYY-MM-DD)\n", v); return EX_USAGE; }
            continue;
        }
        if (!strcmp(a, "--set") && i + 1 < argc) { if (c.nsets < 32) c.sets[c.nsets++] = argv[++i]; continue; }
        if (!strcmp(a, "--strict")) { c.strict = 1; continue; }
        if (!strcmp(a, "--no-defaults")) { c.no_defaults = 1; continue; }
        if (!strcmp(a, "--no-dict-cache")) { c.no_dict_cache = 1; continue; }
        if (!strcmp(a, "--no-geo")) { c.no_geo = 1; continue; }
        if (!strcmp(a, "--build")) { c.geo_build = 1; continue; }
        if (!strcmp(a, "--directed")) { c.directed = 1; continue; }
        if (!strcmp(a, "--allow-write")) { c.allow_write = 1; continue; }
        if (!strcmp(a, "--port") && i + 1 < argc) { c.port = atoi(argv[++i]); continue; }
        if (!strcmp(a, "--threads") && i + 1 < argc) { c.threads = atoi(argv[++i]); continue; }
        if (!strcmp(a, "--max-connections") && i + 1 < argc) { c.max_conn = atoi(argv[++i]); continue; }
        if (!strcmp(a, "--max-body") && i + 1 < argc) { c.max_body = atol(argv[++i]); continue; }
        if (!strcmp(a, "--timeout") && i + 1 < argc) { c.timeout = atoi(argv[++i]); continue; }
        if (!strcmp(a, "--max-doc-bytes") && i + 1 < argc) { c.max_doc_bytes = atol(argv[++i]); continue; }
        if (!strcmp(a, "--max-dict-line") && i + 1 < argc) { c.max_dict_line = atol(argv[++i]); continue; }
        if (!strcmp(a, "--one-a-day")) { c.one_a_day = 1; continue; }
        if (!strcmp(a, "--window") && i + 1 < argc) { c.window = atoi(argv[++i]); continue; }
        if (!strcmp(a, "--min-events") && i + 1 < argc) { c.min_events = atoi(argv[++i]); continue; }
        if (!strcmp(a, "--since") && i + 1 < argc) {
            const char *v = argv[++i];
            c.since = parley_parse_date(v, strlen(v));
            if (!c.since) { fprintf(stderr, "parley: --since: '%s' is not a date (YYYY-MM-DD)\n", v); return EX_USAGE; }
            continue;
        }
        if (!strcmp(a, "-j") && i + 1 < argc) { c.jobs = atoi(argv[++i]); if (c.jobs < 1) c.jobs = 1; continue; }
        if (!strncmp(a, "-j", 2) && a[2]) { c.jobs = atoi(a + 2); if (c.jobs < 1) c.jobs = 1; continue; }
        if (!strcmp(a, "--code-all")) { c.code_all = 1; continue; }
        if (!strcmp(a, "-q")) { c.quiet = 1; continue; }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(usage_text, stdout); return EX_OK; }
        if (a[0] == '-' && a[1]) { fprintf(stderr, "parley: unknown option %s\n", a); return EX_USAGE; }
        if (npos < 256) pos[npos++] = argv[i];
    }
    int rc = !strcmp(cmd, "geo") ? cmd_geo(&c, npos, pos) : run_command(&c, cmd, npos, pos);
    parley_gazetteer_free(c.gaz);
    return rc;
}

static int run_command(cli *c, const char *cmd, int npos, char **pos) {
    if (!strcmp(cmd, "code")) return cmd_code(c, npos, pos);
    if (!strcmp(cmd, "validate")) {
        if (npos != 1) { fprintf(stderr, "parley validate: name one .project or .xml file\n"); return EX_USAGE; }
        return cmd_validate(c, pos[0]);
    }
    if (!strcmp(cmd, "dict")) return cmd_dict(c, npos, pos);
    if (!strcmp(cmd, "ingest")) return cmd_ingest(c, npos, pos);
    if (!strcmp(cmd, "trend")) return cmd_trend(c, npos, pos);
    if (!strcmp(cmd, "alerts")) return cmd_alerts(c);
    if (!strcmp(cmd, "export")) return cmd_export(c);
    if (!strcmp(cmd, "serve")) return cmd_serve(c);
    if (!strcmp(cmd, "run") || !strcmp(cmd, "enqueue") || !strcmp(cmd, "worker")) return cmd_feeds(c, cmd, npos, pos);
    fprintf(stderr, "parley: unknown command '%s'\n\n%s", cmd, usage_text);
    return EX_USAGE;
}
