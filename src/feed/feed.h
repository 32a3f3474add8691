/* Feeds and sources: internals shared by feed.c and sources.c. */
#ifndef PARLEY_FEED_H
#define PARLEY_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "parley.h"

/* RFC 822 or RFC 3339 date -> YYYYMMDD, 0 when neither. */
int32_t feed_parse_date(const char *s);

/* One HTTP GET with a conditional request.  body is malloc()ed (caller
 * frees); status 0 with `error` set when no answer came (timeout, refused,
 * over the size limit). */
typedef struct feed_http {
    long status;
    char *body; size_t len;
    char etag[256], last_modified[128];
    char error[256];
} feed_http;
void feed_http_get(void *curl, const char *url, const char *etag, const char *last_modified, int timeout_s,
                   size_t max_bytes, const char *user_agent, feed_http *r);

#endif
