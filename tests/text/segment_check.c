/* segment() skips ICU for texts whose sentence rules allow no break inside;
 * it must give exactly the spans ICU gives.  Checked over generated texts
 * (names, terminators, closing quotes, spaces and what follows them, ASCII
 * and not) and over the "text" of every JSON Lines record in the files
 * named on the command line. */
#include <jansson.h>
#include <stdio.h>

#include "../../src/text/text.h"

typedef struct spans { size_t v[64][2]; int n; } spans;

static int on_span(void *ud, size_t start, size_t len) {
    spans *s = ud;
    if (s->n < 64) { s->v[s->n][0] = start; s->v[s->n][1] = len; }
    s->n++;
    return 0;
}

static long checked, multi, fails;

static void check(segmenter *sg, const char *t, size_t n) {
    spans a = {0}, b = {0};
    segment(sg, t, n, on_span, &a);
    segment_icu(sg, t, n, on_span, &b);
    checked++;
    if (b.n > 1) multi++;
    if (a.n == b.n && !memcmp(a.v, b.v, sizeof a.v)) return;
    if (fails++ < 10) printf("FAIL segment gives %d sentences, ICU %d: \"%.*s\"\n", a.n, b.n, (int)n, t);
}

int main(int argc, char **argv) {
    segmenter sg;
    segmenter_init(&sg);
    static const char *const head[] = {"Gondor attacked Mordor", "Envoys of the U.S", "Mr", "It rose 3", "Arnor",
                                       "Envoys met in Minas Tirith", "Did Rohan win", "Sauron (the enemy", "Café"};
    static const char *const term[] = {".", "?", "!", "?!", "...", "\xE2\x80\xA6", "\xE3\x80\x82", ".\xCC\x81", ".\"",
                                       ".\xE2\x80\x9D", ".)", "?)", ".')", "!\"", "", ","};
    static const char *const gap[] = {" ", "", "  ", "\xC2\xA0", "\n", "\r\n", "\n\n", "\t", " (", ", ", " - ",
                                      "\xE2\x80\xA8", " \"", "\xE2\x80\x89"};
    static const char *const tail[] = {"The envoys left", "the envoys left", "5 envoys left", "5 Envoys left", "(the envoys left)",
                                       "\xC3\x89owyn rode", "\xC3\xA9lan vital", "\"We will fight\", he said", "'tis so",
                                       ": talks", "; talks", "- talks", "\xE2\x80\x9CWe\xE2\x80\x9D", "S", "s", "",
                                       "\xD8\xA7\xD9\x84 Rohan", "\xE2\x80\x94 again"};
    char buf[512];
    for (size_t h = 0; h < P_ARRAY_LEN(head); h++)
        for (size_t t = 0; t < P_ARRAY_LEN(term); t++)
            for (size_t g = 0; g < P_ARRAY_LEN(gap); g++)
                for (size_t l = 0; l < P_ARRAY_LEN(tail); l++)
                    for (int end = 0; end < 2; end++) {
                        int n = snprintf(buf, sizeof buf, "%s%s%s%s%s", head[h], term[t], gap[g], tail[l], end ? ". " : "");
                        check(&sg, buf, (size_t)n);
                    }
    for (int f = 1; f < argc; f++) {
        FILE *in = fopen(argv[f], "r");
        if (!in) { printf("FAIL cannot read %s\n", argv[f]); fails++; continue; }
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, in) > 0) {
            json_t *j = json_loads(line, 0, NULL);
            const char *t = json_string_value(json_object_get(j, "text"));
            if (t) check(&sg, t, json_string_length(json_object_get(j, "text")));
            json_decref(j);
        }
        free(line);
        fclose(in);
    }
    segmenter_free(&sg);
    printf("%s segment() = ICU on %ld texts (%ld of several sentences), %ld differ\n", fails ? "FAIL" : "ok  ", checked, multi, fails);
    return fails ? 1 : 0;
}
