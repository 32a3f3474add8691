/* parley serve: the HTTP API as a function of the request, without a
 * socket.  server.c feeds it what libmicrohttpd received; the fuzz target
 * (fuzz/fuzz_http.c) feeds it arbitrary bytes.  Everything between the raw
 * request target and the answer happens here: splitting path and query,
 * percent-decoding, routing, parameter checks, the POST bodies. */
#ifndef PARLEY_SERVE_HTTP_H
#define PARLEY_SERVE_HTTP_H

#include "server.h"

/* What an answer needs from its surroundings.  The getters return handles
 * owned by the caller (per thread in the server), or NULL when unavailable. */
typedef struct http_env {
    const serve_opts *o;
    const parley_dict *d;
    parley_store *(*ro)(void *ud);      /* read-only store */
    parley_store *(*rw)(void *ud);      /* writable store (only asked with --allow-write) */
    parley_coder *(*coder)(void *ud);
    void *ud;
    /* optional answer cache for GET /api/...; key = decoded path and query.
     * get returns a malloc()ed copy or NULL. */
    char *(*cache_get)(void *ud, const char *key, size_t *len);
    void (*cache_put)(void *ud, const char *key, const char *body, size_t len);
} http_env;

typedef struct http_request {
    const char *method;
    const char *target;          /* raw request target: path and query, still percent-encoded */
    const char *authorization;   /* the Authorization header, or NULL */
    const char *body;            /* may hold NUL bytes; NULL when there is none */
    size_t body_len;
    int body_too_big;            /* the body went over --max-body and was dropped */
} http_request;

typedef struct http_response {
    unsigned status;
    const char *type;            /* Content-Type, a static string */
    char *body;                  /* malloc()ed unless is_static; see http_response_free */
    size_t len;
    int is_static;
} http_response;

/* Always fills *out (errors are JSON {"error": ...} with a 4xx/5xx status). */
void http_answer(const http_env *env, const http_request *rq, http_response *out);
void http_response_free(http_response *r);

/* Limits of the request target (docs/formats.md "Limits"). */
enum { HTTP_MAX_TARGET = 8192, HTTP_MAX_PARAMS = 32 };

#endif
