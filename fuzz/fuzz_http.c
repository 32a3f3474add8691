/* libFuzzer target: the HTTP API's request core (serve/http.c), the code
 * every request reaches after libmicrohttpd has read it: target decoding,
 * routing, parameter checks, POST bodies for /api/code and /api/ingest.
 * The input reads like a request, so seeds are readable:
 *     METHOD TARGET\n
 *     Authorization: VALUE\n      (optional header lines, up to a blank line)
 *     \n
 *     body
 * The init builds a small store from the store tests' documents (and a
 * dashboard folder with one file) in a fresh temporary directory. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../serve/http.h"
#include "../src/io/input.h"

#define TOKEN "fuzz-token-0123456789abcdef"

static parley_dict *dict;
static parley_store *ro, *rw;
static parley_coder *coder;
static serve_opts opts;
static char dir[64], db[128], www[128];

static parley_store *get_ro(void *ud) { (void)ud; return ro; }
static parley_store *get_rw(void *ud) {
    (void)ud;
    parley_error e;
    if (!rw) rw = parley_store_open(db, &e);
    return rw;
}
static parley_coder *get_coder(void *ud) { (void)ud; return coder; }

static int on_seed_doc(void *ud, const parley_doc *doc) {
    parley_error e;
    int n = 0;
    parley_store_ingest(ud, coder, doc, &n, &e);
    return 0;
}

static void cleanup(void) {
    parley_store_close(ro);
    parley_store_close(rw);
    parley_coder_free(coder);
    parley_dict_free(dict);
    char p[200];
    static const char *const files[] = {"/events.db", "/events.db-wal", "/events.db-shm", "/www/index.html"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) { snprintf(p, sizeof p, "%s%s", dir, files[i]); unlink(p); }
    rmdir(www);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    /* memory-backed when there is /dev/shm: the ingest endpoint commits */
    snprintf(dir, sizeof dir, "%s/parley-fuzz-http-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir)) { perror("mkdtemp"); abort(); }
    snprintf(db, sizeof db, "%s/events.db", dir);
    snprintf(www, sizeof www, "%s/www", dir);
    mkdir(www, 0700);
    char index[160];
    snprintf(index, sizeof index, "%s/index.html", www);
    FILE *f = fopen(index, "w");
    if (f) { fputs("<!doctype html><title>parley</title>\n", f); fclose(f); }
    atexit(cleanup);

    dict = parley_dict_new();
    parley_error e;
    parley_dict_load(dict, PARLEY_DICT_VERBS, "tests/spec/middle-earth.verbs", PARLEY_DIALECT_AUTO, &e);
    parley_dict_load(dict, PARLEY_DICT_ACTORS, "tests/spec/middle-earth.actors", PARLEY_DIALECT_AUTO, &e);
    parley_dict_load(dict, PARLEY_DICT_AGENTS, "tests/spec/middle-earth.agents", PARLEY_DIALECT_AUTO, &e);
    if (parley_dict_finish(dict, &e) != PARLEY_OK) { fprintf(stderr, "fuzz_http: %s (run from the source tree)\n", e.message); abort(); }
    coder = parley_coder_new(dict);
    parley_store *st = parley_store_open(db, &e);
    FILE *in = fopen("tests/store/dedupe.jsonl", "rb");
    if (!st || !in) { fprintf(stderr, "fuzz_http: cannot build the store (run from the source tree)\n"); abort(); }
    input_opts io = {30190301, 1u << 20, NULL, NULL};
    read_jsonl(in, "seed", &io, on_seed_doc, st);
    fclose(in);
    parley_store_commit(st, &e);
    parley_store_close(st);
    ro = parley_store_open_readonly(db, &e);
    if (!ro) { fprintf(stderr, "fuzz_http: %s\n", e.message); abort(); }

    opts.db = db;
    opts.www = www;
    opts.token = TOKEN;
    opts.allow_write = 1;
    opts.max_body = 64 * 1024;
    opts.default_date = 30190301;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* split into request line, headers and body (NUL-terminated copies) */
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *end = buf + size, *p = buf;
    char *nl = memchr(p, '\n', size);
    char *line_end = nl ? nl : end;
    *line_end = 0;
    char *method = p, *target = "";
    char *sp = strchr(method, ' ');
    if (sp) { *sp = 0; target = sp + 1; }
    const char *auth = NULL;
    const char *body = NULL;
    size_t body_len = 0;
    p = nl ? nl + 1 : end;
    while (p < end) {
        char *e = memchr(p, '\n', (size_t)(end - p));
        char *le = e ? e : end;
        *le = 0;
        if (le == p) { p = e ? e + 1 : end; body = p; body_len = (size_t)(end - p); break; }
        if (!strncmp(p, "Authorization: ", 15)) auth = p + 15;
        p = e ? e + 1 : end;
    }
    /* the server hands over at most --max-body bytes, else a flag */
    http_request rq = {method, target, auth, body, body_len, body_len > opts.max_body};
    if (rq.body_too_big) { rq.body = NULL; rq.body_len = 0; }
    http_env env = {.o = &opts, .d = dict, .ro = get_ro, .rw = get_rw, .coder = get_coder};
    http_response r;
    http_answer(&env, &rq, &r);
    /* every answer has a status, a type and (for errors) a JSON body */
    if (r.status < 200 || r.status > 599 || !r.type || (r.len && !r.body)) abort();
    if (r.status >= 400 && (r.len < 10 || memcmp(r.body, "{\"error\":\"", 10))) abort();
    http_response_free(&r);
    free(buf);
    return 0;
}
