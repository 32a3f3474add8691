/* A batch: code now, store later, all at once.
 *
 * parley_store_ingest codes inside the store's write transaction, which is
 * right for one process but serialises several processes sharing a store
 * (SQLite has one writer).  Here coding happens first, with no lock held;
 * the store sees only the writes, in one transaction per batch. */
#include <stdio.h>

#include "../util/util.h"

typedef struct kept_doc { parley_doc doc; size_t first, n; } kept_doc;

struct parley_batch {
    const parley_dict *d;
    parley_coder *c;
    p_arena arena;
    P_VEC(kept_doc) docs;
    P_VEC(parley_event) evs;
};

parley_batch *parley_batch_new(const parley_dict *d, parley_coder *c) {
    if (!c) return NULL;
    parley_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->d = d;
    b->c = c;
    return b;
}

static void reset(parley_batch *b) {
    p_arena_free(&b->arena);
    memset(&b->arena, 0, sizeof b->arena);
    b->docs.n = 0;
    b->evs.n = 0;
}

void parley_batch_free(parley_batch *b) {
    if (!b) return;
    reset(b);
    P_FREE_VEC(b->docs);
    P_FREE_VEC(b->evs);
    free(b);
}

static const char *dup(parley_batch *b, const char *s) { return s ? p_arena_strndup(&b->arena, s, strlen(s)) : NULL; }

static int keep_event(void *ud, const parley_event *ev) {
    parley_batch *b = ud;
    parley_event e = *ev;
    e.doc_id = dup(b, ev->doc_id);
    e.source = dup(b, ev->source);
    e.target = dup(b, ev->target);
    e.code = dup(b, ev->code);
    e.source_text = dup(b, ev->source_text);
    e.target_text = dup(b, ev->target_text);
    e.verb_text = dup(b, ev->verb_text);
    e.sentence_text = dup(b, ev->sentence_text);
    e.issues = dup(b, ev->issues);
    e.why = dup(b, ev->why);
    e.publisher = dup(b, ev->publisher);
    e.url = dup(b, ev->url);
    P_PUSH(b->evs, e);
    return 0;
}

parley_status parley_batch_add(parley_batch *b, const parley_doc *doc, int *n_events, parley_error *err) {
    if (n_events) *n_events = 0;
    if (!b || !doc || !doc->id) { p_set_error(err, PARLEY_ERR_ARG, "batch: a document with an id is required"); return PARLEY_ERR_ARG; }
    size_t first = b->evs.n;
    parley_status st = parley_code_document(b->c, doc, keep_event, b, NULL, err);
    if (st != PARLEY_OK) { b->evs.n = first; return st; }
    kept_doc k;
    k.doc = *doc;
    k.doc.id = dup(b, doc->id);
    k.doc.source = dup(b, doc->source);
    k.doc.url = dup(b, doc->url);
    k.doc.title = dup(b, doc->title);
    k.doc.text = p_arena_strndup(&b->arena, doc->text ? doc->text : "", doc->text ? doc->text_len : 0);
    k.doc.text_len = doc->text ? doc->text_len : 0;
    k.first = first;
    k.n = b->evs.n - first;
    P_PUSH(b->docs, k);
    if (n_events) *n_events = (int)k.n;
    return PARLEY_OK;
}

size_t parley_batch_count(const parley_batch *b) { return b ? b->docs.n : 0; }

parley_status parley_batch_store(parley_batch *b, parley_store *s, parley_batch_result *res, parley_diag_fn diag, void *diag_ud,
                                 parley_error *err) {
    if (!b || !s) { p_set_error(err, PARLEY_ERR_ARG, "batch: no store"); return PARLEY_ERR_ARG; }
    parley_batch_result r = {0, 0, 0, 0};
    for (size_t i = 0; i < b->docs.n; i++) {
        kept_doc *k = &b->docs.v[i];
        int n = 0;
        parley_error e;
        parley_status st = parley_store_put(s, b->d, &k->doc, b->evs.v + k->first, k->n, &n, &e);
        if (st == PARLEY_ERR_IO) {
            /* the store rolled the group back: nothing of this batch is in */
            *err = e;
            return st;
        }
        if (st != PARLEY_OK) {
            char msg[700];
            snprintf(msg, sizeof msg, "document %.150s: %.500s", k->doc.id, e.message);
            if (diag) diag(diag_ud, NULL, 0, msg);
            r.bad++;
        } else if (n < 0) r.unchanged++;
        else { r.stored++; r.events += n; }
    }
    if (parley_store_commit(s, err) != PARLEY_OK) return PARLEY_ERR_IO;
    if (res) { res->stored += r.stored; res->unchanged += r.unchanged; res->events += r.events; res->bad += r.bad; }
    reset(b);
    return PARLEY_OK;
}
