/* Prints what the library makes of a feed file (one JSON line per item)
 * or of an article page (its text), for tests/feeds/run.sh to compare
 * with the expected output.  usage: feed_check feed|html FILE */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parley.h"

static int on_item(void *ud, const parley_feed_item *it) {
    (void)ud;
    json_t *o = json_object();
    json_object_set_new(o, "id", it->id ? json_string(it->id) : json_null());
    json_object_set_new(o, "url", it->url ? json_string(it->url) : json_null());
    json_object_set_new(o, "title", it->title ? json_string(it->title) : json_null());
    json_object_set_new(o, "text", it->text ? json_stringn(it->text, it->text_len) : json_null());
    json_object_set_new(o, "date", json_integer(it->date));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    puts(s);
    free(s);
    json_decref(o);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) { fputs("usage: feed_check feed|html FILE\n", stderr); return 2; }
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 4; }
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char tmp[65536];
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (len + n > cap) { cap = (len + n) * 2; buf = realloc(buf, cap); }
        memcpy(buf + len, tmp, n);
        len += n;
    }
    fclose(f);
    int rc = 0;
    if (!strcmp(argv[1], "html")) {
        size_t tl = 0;
        char *t = parley_html_to_text(buf ? buf : "", len, &tl);
        printf("%s\n", t ? t : "");
        free(t);
    } else {
        parley_error e;
        if (parley_feed_parse(buf ? buf : "", len, argv[2], on_item, NULL, &e) != PARLEY_OK) {
            printf("error: %s\n", e.message);
            rc = 1;
        }
    }
    free(buf);
    return rc;
}
