/* parley_coder_clone: a clone codes as a coder of its own would, with the
 * options and gazetteer of the coder it was cloned from, while it shares
 * that coder's token cache with its siblings, from several threads at once
 * and after the original is freed.
 *
 * usage: clone_check CORPUS.jsonl GAZETTEER VERBS AGENTS ACTORS...
 * Codes the first 4,000 records of CORPUS (JSON Lines, "id", "date",
 * "text") once with a coder of its own, then with clones in two threads,
 * each taking every other record, and compares the events' JSON. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parley.h"

#define MAXDOCS 4000
#define OPTION "negation = false"

typedef struct rec { char *id, *text; int32_t date; char *out; size_t len, cap; } rec;

typedef struct sink { const parley_dict *d; rec *r; } sink;
static int on_event(void *ud, const parley_event *ev) {
    sink *s = ud;
    parley_event_json(s->d, ev, &s->r->out, &s->r->len, &s->r->cap);
    return 0;
}

static void code_one(const parley_dict *d, parley_coder *c, rec *r) {
    parley_doc doc = {.id = r->id, .date = r->date, .text = r->text, .text_len = strlen(r->text)};
    sink s = {d, r};
    parley_error e;
    r->len = 0;
    if (r->out) r->out[0] = 0;
    parley_code_document(c, &doc, on_event, &s, NULL, &e);
}

typedef struct job { const parley_dict *d; parley_coder *c; rec *recs; size_t n, first; } job;
static void *run_job(void *arg) {
    job *j = arg;
    for (size_t i = j->first; i < j->n; i += 2) code_one(j->d, j->c, &j->recs[i]);
    return NULL;
}

static void keep(rec *to, const rec *from) {
    to->out = from->len ? strdup(from->out) : NULL;
    to->len = from->len;
}

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: clone_check CORPUS GAZETTEER VERBS AGENTS ACTORS...\n"); return 2; }
    parley_error e;
    parley_dict *d = parley_dict_new();
    int bad = parley_dict_load(d, PARLEY_DICT_VERBS, argv[3], PARLEY_DIALECT_AUTO, &e) != PARLEY_OK ||
              parley_dict_load(d, PARLEY_DICT_AGENTS, argv[4], PARLEY_DIALECT_AUTO, &e) != PARLEY_OK;
    for (int i = 5; i < argc && !bad; i++) bad = parley_dict_load(d, PARLEY_DICT_ACTORS, argv[i], PARLEY_DIALECT_AUTO, &e) != PARLEY_OK;
    if (bad || parley_dict_finish(d, &e) != PARLEY_OK) { fprintf(stderr, "clone_check: %s\n", e.message); return 2; }
    parley_gazetteer *g = parley_gazetteer_open(argv[2], &e);
    if (!g) { fprintf(stderr, "clone_check: %s\n", e.message); return 2; }

    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    rec *recs = calloc(MAXDOCS, sizeof *recs), *want = calloc(MAXDOCS, sizeof *want), *plain = calloc(MAXDOCS, sizeof *plain);
    size_t n = 0;
    char line[1 << 16];
    while (n < MAXDOCS && fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        const char *id = json_string_value(json_object_get(o, "id")), *text = json_string_value(json_object_get(o, "text"));
        const char *date = json_string_value(json_object_get(o, "date"));
        if (id && text) {
            recs[n].id = strdup(id);
            recs[n].text = strdup(text);
            recs[n].date = date ? parley_parse_date(date, strlen(date)) : 0;
            n++;
        }
        json_decref(o);
    }
    fclose(f);

    /* what each record gives: a coder of its own with the option and the
     * gazetteer; and one without the option, to show that it matters */
    parley_coder *own = parley_coder_new(d), *bare = parley_coder_new(d);
    parley_coder_set_gazetteer(own, g);
    parley_coder_set_gazetteer(bare, g);
    parley_coder_option(own, OPTION, &e);
    size_t differ = 0, placed = 0;
    for (size_t i = 0; i < n; i++) {
        code_one(d, own, &recs[i]);
        keep(&want[i], &recs[i]);
        code_one(d, bare, &recs[i]);
        keep(&plain[i], &recs[i]);
        differ += want[i].len != plain[i].len || (want[i].len && strcmp(want[i].out, plain[i].out));
        placed += want[i].len && strstr(want[i].out, "\"place\":{\"level\"") != NULL;
    }
    parley_coder_free(own);
    parley_coder_free(bare);

    /* clones of a coder freed before they code, in two threads at once */
    parley_coder *first = parley_coder_new(d);
    parley_coder_set_gazetteer(first, g);
    parley_coder_option(first, OPTION, &e);
    parley_coder *mid = parley_coder_clone(first);
    parley_coder_free(first);
    job jobs[2] = {{d, parley_coder_clone(mid), recs, n, 0}, {d, parley_coder_clone(mid), recs, n, 1}};
    parley_coder_free(mid);
    pthread_t th[2];
    for (int t = 0; t < 2; t++) pthread_create(&th[t], NULL, run_job, &jobs[t]);
    for (int t = 0; t < 2; t++) pthread_join(th[t], NULL);
    size_t same = 0, events = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = recs[i].len == want[i].len && (!recs[i].len || !strcmp(recs[i].out, want[i].out));
        if (!ok && same == i) /* the first difference */
            fprintf(stderr, "clone_check: record %s differs:\n  own:   %.300s\n  clone: %.300s\n", recs[i].id, want[i].out ? want[i].out : "",
                    recs[i].out ? recs[i].out : "");
        same += ok;
        events += want[i].len > 0;
    }
    printf("%zu records, %zu with events, %zu with a place; \"%s\" changes %zu; clones in two threads agree on %zu\n", n, events,
           placed, OPTION, differ, same);
    int rc = n == 0 || events < n / 10 || !placed || !differ || same != n;

    for (int t = 0; t < 2; t++) parley_coder_free(jobs[t].c);
    for (size_t i = 0; i < n; i++) { free(recs[i].id); free(recs[i].text); free(recs[i].out); free(want[i].out); free(plain[i].out); }
    free(recs);
    free(want);
    free(plain);
    parley_gazetteer_free(g);
    parley_dict_free(d);
    return rc;
}
