/* libFuzzer target: every dictionary reader, every dialect, and the
 * compiled form of whatever they build.  The first byte picks the kind and
 * dialect (and, from 128 up, a line limit small enough to be hit); the rest
 * is the file.  A set that finishes is coded, written compiled, read back
 * and coded again: both codings must give the same events. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parley.h"

typedef struct out { parley_dict *d; char *s; size_t n, cap; } out;

static int collect(void *ud, const parley_event *ev) {
    out *o = ud;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (parley_event_json(o->d, ev, &buf, &len, &cap) == PARLEY_OK) {
        if (o->n + len + 1 > o->cap) {
            o->cap = (o->n + len + 1) * 2;
            o->s = realloc(o->s, o->cap);
            if (!o->s) abort();
        }
        memcpy(o->s + o->n, buf, len);
        o->n += len;
        o->s[o->n++] = '\n';
    }
    free(buf);
    return 0;
}

static void code(parley_dict *d, out *o) {
    static const char s[] = "Arnor and Gondor met in Rohan on Tuesday, officials said, and Mordor attacked them.";
    parley_doc doc = {.id = "f", .date = 20250603};
    parley_error e;
    parley_coder *c = parley_coder_new(d);
    o->d = d;
    parley_code_sentence(c, &doc, 0, s, sizeof s - 1, collect, o, NULL, &e);
    parley_coder_free(c);
}

static char path[64];
static void remove_path(void) { unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static const parley_dict_kind kinds[] = {PARLEY_DICT_VERBS, PARLEY_DICT_ACTORS, PARLEY_DICT_AGENTS,
                                             PARLEY_DICT_DISCARDS, PARLEY_DICT_ISSUES, PARLEY_DICT_OPTIONS};
    parley_dict_kind k = kinds[data[0] % 6];
    parley_dialect dia = (parley_dialect)((data[0] / 6) % 4);
    parley_dict *d = parley_dict_new();
    if (data[0] >= 128) parley_dict_set_max_line(d, 40);
    parley_error e;
    parley_dict_load_buffer(d, k, "fuzz", (const char *)data + 1, size - 1, dia, &e);
    if (parley_dict_finish(d, &e) == PARLEY_OK) {
        out a = {0}, b = {0};
        code(d, &a);
        if (!path[0]) {
            snprintf(path, sizeof path, "/tmp/fuzz_dict.%ld.pdc", (long)getpid());
            atexit(remove_path);
        }
        if (parley_dict_save(d, path, &e) != PARLEY_OK) abort();
        parley_dict *w = parley_dict_new();
        if (parley_dict_load_compiled(w, path, &e) != PARLEY_OK) { fprintf(stderr, "%s\n", e.message); abort(); }
        if (parley_dict_problem_count(w) != parley_dict_problem_count(d)) abort();
        code(w, &b);
        if (a.n != b.n || (a.n && memcmp(a.s, b.s, a.n))) {
            fprintf(stderr, "text:\n%.*s\ncompiled:\n%.*s\n", (int)a.n, a.s, (int)b.n, b.s);
            abort();
        }
        parley_dict_free(w);
        free(a.s);
        free(b.s);
    }
    parley_dict_free(d);
    return 0;
}
