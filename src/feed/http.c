/* One HTTP(S) GET with libcurl: conditional (ETag / Last-Modified),
 * bounded in time and size, http and https only, redirects followed a few
 * times.  Everything that goes wrong ends up in r->error in words. */
#include "feed.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"

typedef struct sink { feed_http *r; size_t max; int over; } sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud) {
    sink *k = ud;
    size_t n = size * nmemb;
    if (k->r->len + n > k->max) { k->over = 1; return 0; } /* 0 aborts the transfer */
    char *nb = realloc(k->r->body, k->r->len + n + 1);
    if (!nb) return 0;
    k->r->body = nb;
    memcpy(nb + k->r->len, data, n);
    k->r->len += n;
    nb[k->r->len] = 0;
    return n;
}

/* Copies a header's value (without CR/LF) when the line is that header. */
static void header_value(const char *line, size_t n, const char *name, char *out, size_t cap) {
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) || line[nl] != ':') return;
    const char *v = line + nl + 1;
    const char *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t')) v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) e--;
    size_t k = (size_t)(e - v) < cap - 1 ? (size_t)(e - v) : cap - 1;
    memcpy(out, v, k);
    out[k] = 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud) {
    feed_http *r = ud;
    size_t n = size * nmemb;
    /* a redirect's headers come first: keep only the last response's */
    if (n > 5 && !strncmp(data, "HTTP/", 5)) { r->etag[0] = 0; r->last_modified[0] = 0; }
    header_value(data, n, "ETag", r->etag, sizeof r->etag);
    header_value(data, n, "Last-Modified", r->last_modified, sizeof r->last_modified);
    return n;
}

void feed_http_get(void *curl, const char *url, const char *etag, const char *last_modified, int timeout_s,
                   size_t max_bytes, const char *user_agent, feed_http *r) {
    CURL *h = curl;
    memset(r, 0, sizeof *r);
    curl_easy_reset(h);
    sink k = {r, max_bytes, 0};
    struct curl_slist *hdr = NULL;
    char line[400];
    if (etag && *etag) { snprintf(line, sizeof line, "If-None-Match: %s", etag); hdr = curl_slist_append(hdr, line); }
    if (last_modified && *last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", last_modified);
        hdr = curl_slist_append(hdr, line);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* timeouts without SIGALRM: safe in threads */
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout_s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(timeout_s < 10 ? timeout_s : 10));
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    /* a server that trickles bytes forever is a timeout too */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)timeout_s);
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hdr);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        return;
    }
    if (k.over) snprintf(r->error, sizeof r->error, "response over the size limit (%zu bytes)", max_bytes);
    else if (rc == CURLE_OPERATION_TIMEDOUT) snprintf(r->error, sizeof r->error, "timeout after %d s", timeout_s);
    else snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(rc));
    free(r->body);
    r->body = NULL;
    r->len = 0;
    r->status = 0;
}
