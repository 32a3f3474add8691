/* Compiled dictionaries: a finished set written to one file and read back
 * without parsing a line.
 *
 * Layout: a fixed header, then 8-byte-aligned arrays, then the root record
 * that says where each array is.  The arrays are the set's own structs with
 * every pointer replaced by the offset of what it pointed to (0 = NULL), so
 * loading is one read() into the arena and a pass that turns offsets back
 * into pointers.  Most arrays are then used where they lie; only what
 * parley_dict_free() or the interner must own is copied out.
 *
 * The file is only valid for the build that wrote it (struct layouts, the
 * in-memory hash) and for unchanged sources: the header carries a layout
 * fingerprint and the root the size and mtime of every source.  A checksum
 * over the body catches truncated or damaged files; every offset is bounds
 * checked as well, so a damaged file is an error, never a crash. */
#include "dict.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fuzzing builds (fuzz/fuzz_compiled.c) skip the checksum and the source
 * checks, so that damaged offsets reach the bounds checks behind them. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define VERIFY 0
#else
#define VERIFY 1
#endif

#define MAGIC "PARLEYDC"
#define FORMAT 2 /* 2: pattern stems among the required words */

typedef struct chdr {
    char magic[8];
    uint32_t format, endian;
    uint64_t layout;    /* struct sizes and the in-memory hash: same build */
    uint64_t size;      /* of the whole file */
    uint64_t checksum;  /* p_hash_mem of everything after the header */
    uint64_t root;      /* offset of the croot record */
} chdr;

typedef struct cvec { uint64_t off, n; } cvec;
typedef struct cintern { cvec lens, slots, chars; } cintern;
typedef struct csource { uint64_t path; int64_t size, mtime_s, mtime_ns, ctime_s, ctime_ns; } csource;
typedef struct cdiag { uint64_t file, msg; int64_t line; } cdiag;

typedef struct croot {
    cintern words, codes, files, cameo_idx, lex_forms;
    cvec phrases, actors, agents, verbs, issues, alts;
    cvec synset_name, synset_alt, discard_story, vg_start, vg_len, vg_phr, cameo, lex_lemma, lex_pos;
    cvec idx_start, idx_len, idx_phrase;   /* exact then stem chains, as phrase ids */
    uint64_t idx_cap, stem_lengths, n_anchor_words, anchor_words;
    cvec anchor_tab, alt_tab;
    cvec sources, diags;
    options opts;
    int64_t has_opts, has_time, stemming_default, problems, n_dated;
} croot;

static uint64_t layout_print(void) {
    const uint64_t sizes[] = {sizeof(chdr), sizeof(croot), sizeof(pword), sizeof(vcode), sizeof(pelem),
                              sizeof(palt), sizeof(pattern), sizeof(anchor), sizeof(verb), sizeof(acode),
                              sizeof(actor), sizeof(agent), sizeof(issue), sizeof(phrase), sizeof(cameo_row),
                              sizeof(options), sizeof(struct anchor_run), sizeof(void *)};
    /* the interner's table is copied as is, so its hash must not change */
    return p_hash((const char *)sizes, sizeof sizes) ^ p_hash_mem("parley dictionary", 17);
}

/* ---------------------------------------------------------------- write */

typedef struct wr { p_buf b; } wr;

static void w_pad(wr *w) {
    static const char zero[8];
    if (w->b.n & 7) p_buf_put(&w->b, zero, 8 - (w->b.n & 7));
}
/* Appends n elements; returns their offset, 0 for a NULL array.  An empty
 * but allocated array still gets a (zero) slot, so it reads back non-NULL. */
static uint64_t w_arr(wr *w, const void *p, size_t n, size_t elem) {
    if (!p) return 0;
    w_pad(w);
    uint64_t off = w->b.n;
    if (n) p_buf_put(&w->b, p, n * elem);
    else { static const char zero[8]; p_buf_put(&w->b, zero, 8); }
    return off;
}
static cvec w_vec(wr *w, const void *p, size_t n, size_t elem) { return (cvec){w_arr(w, p, n, elem), n}; }
static uint64_t w_str(wr *w, const char *s) { return s ? w_arr(w, s, strlen(s) + 1, 1) : 0; }
#define OFF(o) ((void *)(uintptr_t)(o))

/* Field-by-field copies into zeroed structs: the bytes of the file are then
 * fully defined (no padding from the stack), so the same set always gives
 * the same file and memory checkers see no uninitialised writes. */
static vcode c_vcode(vcode v) { vcode o; memset(&o, 0, sizeof o); o.c1 = v.c1; o.c2 = v.c2; o.shift = v.shift; o.flags = v.flags; return o; }
#define CLEAN_ARRAY(T, fn)                                                      \
    static uint64_t w_##fn(wr *w, const T *p, size_t n) {                      \
        if (!p) return 0;                                                      \
        T *t = p_xcalloc(n + 1, sizeof *t);                                    \
        for (size_t i = 0; i < n; i++) fn(&t[i], &p[i]);                        \
        uint64_t off = w_arr(w, t, n, sizeof *t);                              \
        free(t);                                                               \
        return off;                                                            \
    }
static void c_pword(pword *o, const pword *x) { o->w = x->w; o->flags = x->flags; }
static void c_pelem(pelem *o, const pelem *x) { o->kind = x->kind; o->adj = x->adj; o->arg = x->arg; }
static void c_acode(acode *o, const acode *x) { o->code = x->code; o->lo = x->lo; o->hi = x->hi; o->flags = x->flags; o->line = x->line; }
static void c_agent(agent *o, const agent *x) { o->code = x->code; o->prefix = x->prefix; o->file = x->file; o->line = x->line; }
static void c_issue(issue *o, const issue *x) { o->code = x->code; o->file = x->file; o->line = x->line; o->ignore = x->ignore; }
CLEAN_ARRAY(pword, c_pword)
CLEAN_ARRAY(pelem, c_pelem)
CLEAN_ARRAY(acode, c_acode)
CLEAN_ARRAY(agent, c_agent)
CLEAN_ARRAY(issue, c_issue)

static cintern w_intern(wr *w, const p_intern *t) {
    cintern c;
    c.lens = w_vec(w, t->lens.v, t->strs.n, sizeof(uint32_t));
    c.slots = w_vec(w, t->slots, t->nslots, sizeof(uint32_t));
    w_pad(w);
    c.chars.off = w->b.n;
    for (size_t i = 0; i < t->strs.n; i++) p_buf_put(&w->b, t->strs.v[i], t->lens.v[i] + 1);
    c.chars.n = w->b.n - c.chars.off;
    if (!c.chars.n) c.chars.off = 0;
    return c;
}

parley_status parley_dict_save(const parley_dict *d, const char *path, parley_error *err) {
    if (!d->finished) { p_set_error(err, PARLEY_ERR_STATE, "only a finished dictionary set can be saved"); return PARLEY_ERR_STATE; }
    wr w = {{0}};
    chdr h;
    memset(&h, 0, sizeof h);
    p_buf_put(&w.b, (const char *)&h, sizeof h);
    croot r;
    memset(&r, 0, sizeof r);
    r.words = w_intern(&w, &d->words);
    r.codes = w_intern(&w, &d->codes);
    r.files = w_intern(&w, &d->files);
    r.cameo_idx = w_intern(&w, &d->cameo_idx);
    r.lex_forms = w_intern(&w, &d->lex_forms);

    phrase *ph = p_xcalloc(d->phrases.n + 1, sizeof *ph);
    for (size_t i = 0; i < d->phrases.n; i++) {
        const phrase *x = &d->phrases.v[i];
        ph[i].w = OFF(w_c_pword(&w, x->w, x->n));
        ph[i].n = x->n;
        ph[i].verb_word = x->verb_word;
        ph[i].kind = x->kind;
        ph[i].stem_first = x->stem_first;
        ph[i].target = x->target;
        ph[i].own = c_vcode(x->own);
        ph[i].has_own = x->has_own;
        ph[i].chars = x->chars;
        ph[i].vgroup = x->vgroup;
    }
    r.phrases = w_vec(&w, ph, d->phrases.n, sizeof *ph);
    free(ph);

    actor *ac = p_xcalloc(d->actors.n + 1, sizeof *ac);
    for (size_t i = 0; i < d->actors.n; i++) {
        const actor *x = &d->actors.v[i];
        ac[i].codes = OFF(w_c_acode(&w, x->codes, x->ncodes));
        ac[i].ncodes = x->ncodes;
        ac[i].file = x->file;
        ac[i].line = x->line;
        ac[i].parent = x->parent;
    }
    r.actors = w_vec(&w, ac, d->actors.n, sizeof *ac);
    free(ac);

    verb *vb = p_xcalloc(d->verbs.n + 1, sizeof *vb);
    for (size_t i = 0; i < d->verbs.n; i++) {
        const verb *v = &d->verbs.v[i];
        vb[i].code = c_vcode(v->code);
        vb[i].nanch = v->nanch;
        vb[i].nfree = v->nfree;
        vb[i].file = v->file;
        vb[i].line = v->line;
        vb[i].label = v->label;
        vb[i].section = v->section;
        pattern *pt = p_xcalloc(v->pats.n + 1, sizeof *pt);
        for (size_t k = 0; k < v->pats.n; k++) {
            const pattern *x = &v->pats.v[k];
            pt[k].el = OFF(w_c_pelem(&w, x->el, x->nel));
            pt[k].nel = x->nel;
            pt[k].verb_at = x->verb_at;
            pt[k].chars = x->chars;
            pt[k].code = c_vcode(x->code);
            pt[k].file = x->file;
            pt[k].line = x->line;
            pt[k].has_src = x->has_src;
            pt[k].has_tgt = x->has_tgt;
            pt[k].has_comp = x->has_comp;
            pt[k].has_neg = x->has_neg;
            pt[k].req = OFF(w_arr(&w, x->req, x->nreq, sizeof(uint32_t)));
            pt[k].nreq = x->nreq;
            pt[k].nreq_pre = x->nreq_pre;
        }
        vb[i].pats.v = OFF(w_arr(&w, v->pats.v ? pt : NULL, v->pats.n, sizeof *pt));
        vb[i].pats.n = vb[i].pats.cap = v->pats.n;
        free(pt);
        vb[i].anch = OFF(w_arr(&w, v->anch, v->nanch, sizeof(anchor)));
        vb[i].free_pats = OFF(w_arr(&w, v->free_pats, v->nfree, sizeof(uint32_t)));
    }
    r.verbs = w_vec(&w, vb, d->verbs.n, sizeof *vb);
    free(vb);

    palt *al = p_xcalloc(d->alts.n + 1, sizeof *al);
    for (size_t i = 0; i < d->alts.n; i++) {
        const palt *a = &d->alts.v[i];
        uint32_t nw = 0;
        for (uint32_t s = 0; s < a->nseq; s++)
            if (a->start[s] + a->len[s] > nw) nw = a->start[s] + a->len[s];
        al[i].nseq = a->nseq;
        al[i].maxchars = a->maxchars;
        al[i].nfw = a->nfw;
        al[i].nstem = a->nstem;
        al[i].stem_first = a->stem_first;
        al[i].start = OFF(w_arr(&w, a->start, a->nseq, sizeof(uint32_t)));
        al[i].len = OFF(w_arr(&w, a->len, a->nseq, sizeof(uint32_t)));
        al[i].words = OFF(w_c_pword(&w, a->words, nw));
        al[i].fw = OFF(w_arr(&w, a->fw, a->nfw, sizeof(uint32_t)));
        al[i].fw_seq = OFF(w_arr(&w, a->fw_seq, a->nfw, sizeof(uint32_t)));
        al[i].stem_seq = OFF(w_arr(&w, a->stem_seq, a->nstem, sizeof(uint32_t)));
    }
    r.alts = w_vec(&w, al, d->alts.n, sizeof *al);
    free(al);

    cameo_row *cr = p_xcalloc(d->cameo.n + 1, sizeof *cr);
    for (size_t i = 0; i < d->cameo.n; i++) {
        const parley_cameo_info *x = &d->cameo.v[i].info;
        cr[i].info.code = OFF(w_str(&w, x->code));
        cr[i].info.name = OFF(w_str(&w, x->name));
        cr[i].info.root = OFF(w_str(&w, x->root));
        cr[i].info.plover = OFF(w_str(&w, x->plover));
        cr[i].info.goldstein = x->goldstein;
        cr[i].info.quad_class = x->quad_class;
    }
    r.cameo = w_vec(&w, cr, d->cameo.n, sizeof *cr);
    free(cr);

    r.agents = (cvec){w_c_agent(&w, d->agents.v, d->agents.n), d->agents.n};
    r.issues = (cvec){w_c_issue(&w, d->issues.v, d->issues.n), d->issues.n};
    r.synset_name = w_vec(&w, d->synset_name.v, d->synset_name.n, sizeof(uint32_t));
    r.synset_alt = w_vec(&w, d->synset_alt.v, d->synset_alt.n, sizeof(uint32_t));
    r.discard_story = w_vec(&w, d->discard_story.v, d->discard_story.n, 1);
    r.vg_start = w_vec(&w, d->vg_start.v, d->vg_start.n, sizeof(uint32_t));
    r.vg_len = w_vec(&w, d->vg_len.v, d->vg_len.n, sizeof(uint32_t));
    r.vg_phr = w_vec(&w, d->vg_phr.v, d->vg_phr.n, sizeof(uint32_t));
    r.lex_lemma = w_vec(&w, d->lex_lemma.v, d->lex_lemma.n, sizeof(int32_t));
    r.lex_pos = w_vec(&w, d->lex_pos.v, d->lex_pos.n, 1);

    /* the first-word index: per slot, exact chains then stem chains, each
     * a run of phrase ids in chain order (the order the coder relies on) */
    size_t nslot = 2 * d->idx_cap;
    uint32_t *start = p_xcalloc(nslot + 1, sizeof *start), *len = p_xcalloc(nslot + 1, sizeof *len);
    P_VEC(uint32_t) ids = {0};
    for (size_t s = 0; s < nslot; s++) {
        const keyent *e = s < d->idx_cap ? d->exact_idx[s] : d->stem_idx[s - d->idx_cap];
        start[s] = (uint32_t)ids.n;
        for (; e; e = e->next) P_PUSH(ids, e->phrase);
        len[s] = (uint32_t)(ids.n - start[s]);
    }
    r.idx_cap = d->idx_cap;
    r.idx_start = w_vec(&w, start, nslot, sizeof *start);
    r.idx_len = w_vec(&w, len, nslot, sizeof *len);
    r.idx_phrase = w_vec(&w, ids.v ? ids.v : start, ids.n, sizeof(uint32_t));
    free(start);
    free(len);
    P_FREE_VEC(ids);

    r.stem_lengths = d->stem_lengths;
    r.n_anchor_words = d->n_anchor_words;
    r.anchor_words = w_arr(&w, d->anchor_words, d->n_anchor_words / 64 + 1, sizeof(uint64_t));
    r.anchor_tab = w_vec(&w, d->anchor_tab, d->anchor_tab_mask + 1, sizeof *d->anchor_tab);
    r.alt_tab = w_vec(&w, d->alt_tab, d->alt_tab_mask + 1, sizeof *d->alt_tab);

    csource *cs = p_xmalloc((d->sources.n + 1) * sizeof *cs);
    for (size_t i = 0; i < d->sources.n; i++) {
        const struct dict_source *s = &d->sources.v[i];
        cs[i] = (csource){w_str(&w, s->path), s->size, s->mtime_s, s->mtime_ns, s->ctime_s, s->ctime_ns};
    }
    r.sources = w_vec(&w, cs, d->sources.n, sizeof *cs);
    free(cs);
    cdiag *cd = p_xmalloc((d->diags.n + 1) * sizeof *cd);
    for (size_t i = 0; i < d->diags.n; i++)
        cd[i] = (cdiag){w_str(&w, d->diags.v[i].file), w_str(&w, d->diags.v[i].msg), d->diags.v[i].line};
    r.diags = w_vec(&w, cd, d->diags.n, sizeof *cd);
    free(cd);

    r.opts = d->opts;
    r.has_opts = d->has_opts;
    r.has_time = d->has_time;
    r.stemming_default = d->stemming_default;
    r.problems = d->problems;
    r.n_dated = d->n_dated;
    uint64_t root = w_arr(&w, &r, 1, sizeof r);

    memcpy(h.magic, MAGIC, 8);
    h.format = FORMAT;
    h.endian = 0x01020304;
    h.layout = layout_print();
    h.size = w.b.n;
    h.root = root;
    h.checksum = p_hash_mem(w.b.s + sizeof h, w.b.n - sizeof h);
    memcpy(w.b.s, &h, sizeof h);

    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    parley_status st = PARLEY_OK;
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0) { close(fd); unlink(tmp); }
        p_set_error(err, PARLEY_ERR_IO, "%s: %s", tmp, strerror(errno));
        st = PARLEY_ERR_IO;
    } else {
        int bad = fwrite(w.b.s, 1, w.b.n, f) != w.b.n;
        bad |= fflush(f) != 0;
        int e = errno;
        bad |= fclose(f) != 0;
        if (bad || rename(tmp, path) != 0) {
            p_set_error(err, PARLEY_ERR_IO, "%s: %s", bad ? tmp : path, strerror(bad ? e : errno));
            unlink(tmp);
            st = PARLEY_ERR_IO;
        }
    }
    p_buf_free(&w.b);
    return st;
}

/* ----------------------------------------------------------------- read */

typedef struct ld { char *base; size_t size; int bad; } ld;

/* The address of n elements at off, or NULL (off 0); marks the load bad
 * when they do not lie inside the file. */
static void *at(ld *l, uint64_t off, uint64_t n, size_t elem) {
    if (!off) { if (n) l->bad = 1; return NULL; }   /* the writer stores NULL only for empty arrays */
    if (off & 7 || off >= l->size || n > (l->size - off) / elem) { l->bad = 1; return NULL; }
    return l->base + off;
}
#define AT(l, ptr, n) at((l), (uint64_t)(uintptr_t)(ptr), (n), sizeof *(ptr))

static void r_intern(ld *l, const cintern *c, p_intern *t) {
    memset(t, 0, sizeof *t);
    const uint32_t *lens = at(l, c->lens.off, c->lens.n, sizeof(uint32_t));
    const uint32_t *slots = at(l, c->slots.off, c->slots.n, sizeof(uint32_t));
    const char *chars = at(l, c->chars.off, c->chars.n, 1);
    if (l->bad || (c->slots.n & (c->slots.n - 1))) { l->bad = 1; return; }
    /* owned copies: p_intern_free frees these */
    t->nslots = c->slots.n;
    if (slots) {
        t->slots = p_xmalloc(c->slots.n * sizeof *slots);
        memcpy(t->slots, slots, c->slots.n * sizeof *slots);
    }
    for (uint64_t i = 0; i < c->slots.n; i++)
        if (t->slots[i] > c->lens.n) { l->bad = 1; return; }
    t->lens.n = t->lens.cap = t->strs.n = t->strs.cap = c->lens.n;
    t->lens.v = p_xmalloc((c->lens.n + 1) * sizeof(uint32_t));
    t->strs.v = p_xmalloc((c->lens.n + 1) * sizeof(char *));
    uint64_t pos = 0;
    for (uint64_t i = 0; i < c->lens.n; i++) {
        t->lens.v[i] = lens[i];
        if (lens[i] >= c->chars.n - pos || chars[pos + lens[i]]) { l->bad = 1; return; }
        t->strs.v[i] = chars + pos;
        pos += (uint64_t)lens[i] + 1;
    }
}

parley_status parley_dict_load_compiled(parley_dict *d, const char *path, parley_error *err) {
    if (d->finished || d->phrases.n || d->sources.n) {
        p_set_error(err, PARLEY_ERR_STATE, "a compiled dictionary loads only into a new, empty set");
        return PARLEY_ERR_STATE;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { p_set_error(err, PARLEY_ERR_IO, "%s: %s", path, strerror(errno)); return PARLEY_ERR_IO; }
    struct stat st;
    chdr h;
    if (fstat(fd, &st) != 0 || read(fd, &h, sizeof h) != (ssize_t)sizeof h || memcmp(h.magic, MAGIC, 8)) {
        close(fd);
        p_set_error(err, PARLEY_ERR_PARSE, "%s: not a compiled parley dictionary", path);
        return PARLEY_ERR_PARSE;
    }
    if (h.format != FORMAT || h.endian != 0x01020304 || h.layout != layout_print()) {
        close(fd);
        p_set_error(err, PARLEY_ERR_STALE, "%s: written by another build of parley", path);
        return PARLEY_ERR_STALE;
    }
    if (h.size != (uint64_t)st.st_size || h.size < sizeof h + sizeof(croot)) {
        close(fd);
        p_set_error(err, PARLEY_ERR_PARSE, "%s: truncated (%lld of %llu bytes)", path, (long long)st.st_size,
                    (unsigned long long)h.size);
        return PARLEY_ERR_PARSE;
    }

    /* everything goes into a scratch set first: on failure `d` is untouched */
    parley_dict *n = parley_dict_new();
    if (!n) { close(fd); p_set_error(err, PARLEY_ERR_NOMEM, "out of memory"); return PARLEY_ERR_NOMEM; }
    p_intern_free(&n->codes);
    memset(&n->codes, 0, sizeof n->codes);
    ld l = {p_arena_alloc(&n->arena, h.size), h.size, 0};
    memcpy(l.base, &h, sizeof h);
    size_t got = sizeof h;
    while (got < h.size) {
        ssize_t k = read(fd, l.base + got, h.size - got);
        if (k <= 0) { if (k < 0 && errno == EINTR) continue; break; }
        got += (size_t)k;
    }
    close(fd);
    parley_status rc = PARLEY_OK;
    if (got != h.size || (VERIFY && p_hash_mem(l.base + sizeof h, h.size - sizeof h) != h.checksum)) {
        p_set_error(err, PARLEY_ERR_PARSE, "%s: damaged (checksum)", path);
        rc = PARLEY_ERR_PARSE;
        goto out;
    }
    const croot *r = at(&l, h.root, 1, sizeof(croot));
    if (!r) { p_set_error(err, PARLEY_ERR_PARSE, "%s: damaged (root)", path); rc = PARLEY_ERR_PARSE; goto out; }

    /* a source that changed makes the file stale (ctime too: copying with
     * preserved times or touch -d cannot set it back) */
    const csource *cs = at(&l, r->sources.off, r->sources.n, sizeof *cs);
    for (uint64_t i = 0; cs && i < r->sources.n && !l.bad; i++) {
        const char *sp = at(&l, cs[i].path, 1, 1);
        if (!sp || !memchr(sp, 0, l.size - cs[i].path)) { l.bad = 1; break; }
        struct stat ss;
        if (VERIFY && (stat(sp, &ss) != 0 || (int64_t)ss.st_size != cs[i].size || (int64_t)ss.st_mtim.tv_sec != cs[i].mtime_s ||
            (int64_t)ss.st_mtim.tv_nsec != cs[i].mtime_ns || (int64_t)ss.st_ctim.tv_sec != cs[i].ctime_s ||
            (int64_t)ss.st_ctim.tv_nsec != cs[i].ctime_ns)) {
            p_set_error(err, PARLEY_ERR_STALE, "%s: %s changed since it was compiled", path, sp);
            rc = PARLEY_ERR_STALE;
            goto out;
        }
        struct dict_source src = {p_strndup(sp, strlen(sp)), cs[i].size, cs[i].mtime_s, cs[i].mtime_ns, cs[i].ctime_s, cs[i].ctime_ns};
        P_PUSH(n->sources, src);
    }

    n->blob = l.base;
    n->blob_size = l.size;
    r_intern(&l, &r->words, &n->words);
    r_intern(&l, &r->codes, &n->codes);
    r_intern(&l, &r->files, &n->files);
    r_intern(&l, &r->cameo_idx, &n->cameo_idx);
    r_intern(&l, &r->lex_forms, &n->lex_forms);
    if (l.bad) goto damaged;

#define USE(field, rv) do {                                                  \
        n->field.v = at(&l, (rv).off, (rv).n, sizeof *n->field.v);           \
        n->field.n = n->field.cap = (rv).n;                                  \
    } while (0)
    USE(phrases, r->phrases);
    USE(actors, r->actors);
    USE(agents, r->agents);
    USE(verbs, r->verbs);
    USE(issues, r->issues);
    USE(alts, r->alts);
    USE(synset_name, r->synset_name);
    USE(synset_alt, r->synset_alt);
    USE(discard_story, r->discard_story);
    USE(vg_start, r->vg_start);
    USE(vg_len, r->vg_len);
    USE(vg_phr, r->vg_phr);
    USE(cameo, r->cameo);
    USE(lex_lemma, r->lex_lemma);
    USE(lex_pos, r->lex_pos);
#undef USE
    if (l.bad) goto damaged;
    for (size_t i = 0; i < n->phrases.n; i++) n->phrases.v[i].w = AT(&l, n->phrases.v[i].w, n->phrases.v[i].n);
    for (size_t i = 0; i < n->actors.n; i++) n->actors.v[i].codes = AT(&l, n->actors.v[i].codes, n->actors.v[i].ncodes);
    for (size_t i = 0; i < n->verbs.n; i++) {
        verb *v = &n->verbs.v[i];
        /* the count is read once: in a damaged file the patterns may lie
         * over the verb itself, and converting them would rewrite it */
        size_t np = v->pats.n;
        pattern *pv = AT(&l, v->pats.v, np);
        v->pats.v = pv;
        v->pats.cap = np;
        for (size_t k = 0; pv && k < np; k++) {
            pattern *pt = &pv[k];
            pt->el = AT(&l, pt->el, pt->nel);
            pt->req = AT(&l, pt->req, pt->nreq);
        }
        if (v->pats.v != pv || v->pats.n != np || v->pats.cap != np) { l.bad = 1; break; }
        v->anch = AT(&l, v->anch, v->nanch);
        v->free_pats = AT(&l, v->free_pats, v->nfree);
    }
    for (size_t i = 0; i < n->alts.n; i++) {
        palt *a = &n->alts.v[i];
        a->start = AT(&l, a->start, a->nseq);
        a->len = AT(&l, a->len, a->nseq);
        uint64_t nw = 0;
        for (uint32_t q = 0; a->start && a->len && q < a->nseq; q++)
            if ((uint64_t)a->start[q] + a->len[q] > nw) nw = (uint64_t)a->start[q] + a->len[q];
        a->words = AT(&l, a->words, nw);
        a->fw = AT(&l, a->fw, a->nfw);
        a->fw_seq = AT(&l, a->fw_seq, a->nfw);
        a->stem_seq = AT(&l, a->stem_seq, a->nstem);
    }
    /* dict_derive() writes into the phrase, verb and alternative records;
     * in a damaged file an array it reads must not lie over one of them
     * (the checksum turns such files away; the fuzzer skips it) */
    if (!l.bad) {
        const struct { const char *p; size_t n; } wr[3] = {{(const char *)n->phrases.v, n->phrases.n * sizeof *n->phrases.v},
                                                         {(const char *)n->verbs.v, n->verbs.n * sizeof *n->verbs.v},
                                                         {(const char *)n->alts.v, n->alts.n * sizeof *n->alts.v}};
#define APART(ptr, cnt)                                                                                             \
    do {                                                                                                            \
        const char *p_ = (const char *)(ptr);                                                                       \
        size_t b_ = (size_t)(cnt) * sizeof *(ptr);                                                                  \
        for (int k_ = 0; p_ && b_ && k_ < 3; k_++)                                                                  \
            if (wr[k_].n && p_ < wr[k_].p + wr[k_].n && wr[k_].p < p_ + b_) l.bad = 1;                               \
    } while (0)
        for (size_t i = 0; i < n->phrases.n && !l.bad; i++) APART(n->phrases.v[i].w, n->phrases.v[i].n);
        for (size_t i = 0; i < n->verbs.n && !l.bad; i++) {
            const verb *v = &n->verbs.v[i];
            APART(v->pats.v, v->pats.n);
            for (size_t k = 0; k < v->pats.n && !l.bad; k++) {
                APART(v->pats.v[k].el, v->pats.v[k].nel);
                APART(v->pats.v[k].req, v->pats.v[k].nreq);
            }
            APART(v->anch, v->nanch);
            APART(v->free_pats, v->nfree);
        }
        for (size_t i = 0; i < n->alts.n && !l.bad; i++) {
            const palt *a = &n->alts.v[i];
            APART(a->start, a->nseq);
            APART(a->len, a->nseq);
            APART(a->fw, a->nfw);
            APART(a->fw_seq, a->nfw);
            APART(a->stem_seq, a->nstem);
        }
#undef APART
    }
    for (size_t i = 0; i < n->cameo.n; i++) {
        parley_cameo_info *ci = &n->cameo.v[i].info;
        ci->code = AT(&l, ci->code, 1);
        ci->name = AT(&l, ci->name, 1);
        ci->root = AT(&l, ci->root, 1);
        ci->plover = AT(&l, ci->plover, 1);
    }
    if (l.bad) goto damaged;

    n->idx_cap = r->idx_cap;
    const uint32_t *start = at(&l, r->idx_start.off, 2 * r->idx_cap, sizeof(uint32_t));
    const uint32_t *len = at(&l, r->idx_len.off, 2 * r->idx_cap, sizeof(uint32_t));
    const uint32_t *ids = at(&l, r->idx_phrase.off, r->idx_phrase.n, sizeof(uint32_t));
    if (l.bad || r->idx_start.n != 2 * r->idx_cap || r->idx_cap < n->words.strs.n) goto damaged;
    n->exact_idx = p_xcalloc(r->idx_cap + 1, sizeof(keyent *));
    n->stem_idx = p_xcalloc(r->idx_cap + 1, sizeof(keyent *));
    keyent *ke = r->idx_phrase.n ? p_arena_alloc(&n->arena, r->idx_phrase.n * sizeof *ke) : NULL;
    for (size_t s = 0; s < 2 * r->idx_cap; s++) {
        if (!len[s]) continue;
        if (start[s] > r->idx_phrase.n || len[s] > r->idx_phrase.n - start[s]) goto damaged;
        for (uint32_t k = 0; k < len[s]; k++) {
            keyent *e = &ke[start[s] + k];
            e->phrase = ids[start[s] + k];
            e->next = k + 1 < len[s] ? e + 1 : NULL;
            if (e->phrase >= n->phrases.n) goto damaged;
        }
        if (s < r->idx_cap) n->exact_idx[s] = &ke[start[s]];
        else n->stem_idx[s - r->idx_cap] = &ke[start[s]];
    }
    n->stem_lengths = r->stem_lengths;
    n->n_anchor_words = r->n_anchor_words;
    n->anchor_words = at(&l, r->anchor_words, r->n_anchor_words / 64 + 1, sizeof(uint64_t));
    n->anchor_tab = at(&l, r->anchor_tab.off, r->anchor_tab.n, sizeof *n->anchor_tab);
    n->anchor_tab_mask = r->anchor_tab.n - 1;
    n->alt_tab = at(&l, r->alt_tab.off, r->alt_tab.n, sizeof *n->alt_tab);
    n->alt_tab_mask = r->alt_tab.n - 1;
    if (l.bad || !r->anchor_tab.n || !r->alt_tab.n) goto damaged;

    n->opts = r->opts;
    n->has_opts = (int)r->has_opts;
    n->has_time = (int)r->has_time;
    n->stemming_default = (uint8_t)r->stemming_default;
    n->n_dated = (long)r->n_dated;
    const cdiag *cd = at(&l, r->diags.off, r->diags.n, sizeof *cd);
    for (uint64_t i = 0; cd && i < r->diags.n; i++) {
        const char *f = at(&l, cd[i].file, 1, 1), *m = at(&l, cd[i].msg, 1, 1);
        if (!f || !m || !memchr(f, 0, l.size - cd[i].file) || !memchr(m, 0, l.size - cd[i].msg)) goto damaged;
        struct dict_diag g = {f, m, (long)cd[i].line};
        P_PUSH(n->diags, g);
    }
    n->problems = (long)r->problems;
    dict_derive(n);
    n->finished = 1;

    /* success: `d` takes the contents, keeping its own settings */
    parley_diag_fn fn = d->diag;
    void *ud = d->diag_ud;
    int strict = d->strict;
    size_t max_line = d->max_line;
    dict_release(d);
    *d = *n;
    free(n);
    d->diag = fn;
    d->diag_ud = ud;
    d->strict = strict;
    d->max_line = max_line;
    if (d->diag)
        for (size_t i = 0; i < d->diags.n; i++) d->diag(d->diag_ud, d->diags.v[i].file, d->diags.v[i].line, d->diags.v[i].msg);
    return PARLEY_OK;

damaged:
    p_set_error(err, PARLEY_ERR_PARSE, "%s: damaged (bad offsets)", path);
    rc = PARLEY_ERR_PARSE;
    /* a verb's pattern array may still hold an offset: it is never owned */
    if (!n->verbs.v) n->verbs.n = 0;
    for (size_t i = 0; i < n->verbs.n; i++) n->verbs.v[i].pats.v = NULL;
out:
    parley_dict_free(n);
    return rc;
}
