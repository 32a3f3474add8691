/* libFuzzer target: the feed parser (RSS 2.0, RSS 1.0, Atom) and the
 * article HTML reducer, the two places where text from the network is
 * parsed.  The first byte picks which. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parley.h"

static int on_item(void *ud, const parley_feed_item *it) {
    size_t *n = ud;
    /* touch every field so a dangling pointer shows up under ASan */
    if (it->id) *n += strlen(it->id);
    if (it->url) *n += strlen(it->url);
    if (it->title) *n += strlen(it->title);
    if (it->text && it->text_len) *n += (unsigned char)it->text[it->text_len - 1];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    size_t n = 0;
    if (data[0] & 1) {
        size_t len = 0;
        char *t = parley_html_to_text((const char *)data + 1, size - 1, &len);
        if (t && len) n += (unsigned char)t[len - 1];
        free(t);
    } else {
        parley_error e;
        parley_feed_parse((const char *)data + 1, size - 1, "fuzz", on_item, &n, &e);
    }
    return n == (size_t)-1;
}
