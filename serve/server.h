/* parley serve: options and the small helpers the server keeps to itself. */
#ifndef PARLEY_SERVE_H
#define PARLEY_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parley.h"

typedef struct serve_opts {
    const char *db, *host, *cors, *www, *token;
    int port, threads, max_connections, allow_write;
    int timeout;          /* seconds: idle time, and time to receive one request */
    size_t max_body;
    int32_t default_date;
    const struct sockaddr *addr;
    const parley_gazetteer *gazetteer;   /* NULL: coded events have no place */
} serve_opts;

int serve_run(const serve_opts *o, const parley_dict *d);
extern const char serve_openapi[];

/* growable byte buffer (the server's own; it does not use library internals) */
typedef struct p_buf_t { char *s; size_t n, cap; } p_buf_t;
static inline void pb_put(p_buf_t *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n + 1) c *= 2;
        char *ns = realloc(b->s, c);
        if (!ns) return;
        b->s = ns;
        b->cap = c;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}
static inline void pb_puts(p_buf_t *b, const char *s) { pb_put(b, s, strlen(s)); }
static inline void pb_putc(p_buf_t *b, char c) { pb_put(b, &c, 1); }

/* {"error": msg} with msg escaped */
static inline void p_json_error(char *out, size_t cap, const char *msg) {
    size_t k = 0;
    const char *pre = "{\"error\":\"";
    for (const char *p = pre; *p && k + 1 < cap; p++) out[k++] = *p;
    for (const char *p = msg; *p && k + 8 < cap; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\') { out[k++] = '\\'; out[k++] = (char)ch; }
        else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') k += (size_t)snprintf(out + k, cap - k, "\\u%04x", ch);
        else out[k++] = (char)ch;
    }
    if (k + 3 < cap) { out[k++] = '"'; out[k++] = '}'; }
    out[k] = 0;
}

/* constant-time token comparison */
static inline int p_const_time_eq(const char *a, const char *b) {
    if (!a || !b) return 0;
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++) d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return d == 0 && lb > 0;
}

/* {"text": ..., "date": ...} -> doc (text points into *owned, which the
 * caller frees).  Returns 0 on success, -2 for a date that is not a date,
 * -1 for anything else. */
int p_parse_json_doc(const char *s, size_t n, parley_doc *doc, char **owned);

#endif
