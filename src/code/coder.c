/* The coder: tokens -> word types -> actors, compounds, clauses -> events.
 *
 * The rules are TABARI's as its manual describes them (chapters 5-8), with
 * parley's additions (negation, undated documents, output trace) switched
 * off by `tabari_compat` so the peer validation suite sees the peer rules.
 */
#include "coder.h"
#include "../geo/geo.h"

#include <stdio.h>

/* ---------------------------------------------------------------- words */

static inline const char *W(const parley_dict *d, uint32_t w) { return p_intern_str(&d->words, w); }
static inline uint32_t WL(const parley_dict *d, uint32_t w) { return p_intern_len(&d->words, w); }

static int suffix_ok(const char *suf, size_t n, char last) {
    switch (n) {
    case 1: return suf[0] == 'S' || suf[0] == '\'' || (suf[0] == 'D' && last == 'E') || (suf[0] == 'N' && last == 'E');
    case 2: return !memcmp(suf, "ES", 2) || !memcmp(suf, "ED", 2) || !memcmp(suf, "EN", 2) || !memcmp(suf, "'S", 2) || !memcmp(suf, "S'", 2);
    case 3: return !memcmp(suf, "ING", 3) || (suf[0] == last && (!memcmp(suf + 1, "ED", 2) || !memcmp(suf + 1, "EN", 2)));
    case 4: return suf[0] == last && !memcmp(suf + 1, "ING", 3);
    default: return 0;
    }
}

/* Does text token t match dictionary word pw?  TABARI 5.2.2-5.2.3: stems
 * match any word they begin; whole words also match their regular endings
 * (S ES 'S ED EN ING, with doubled consonant, silent-e and y->i forms). */
static int word_match(const parley_dict *d, pword pw, const token *t) {
    const char *w = W(d, pw.w);
    size_t wl = WL(d, pw.w);
    if ((size_t)t->len < wl) {
        /* silent e and y->i: MAKE/MAKING, CARRY/CARRIED */
        if (!(pw.flags & PW_EXACT) || (pw.flags & PW_NOEND) || wl < 3 || (size_t)t->len + 1 < wl) return 0;
    }
    if (!(pw.flags & PW_EXACT)) return t->len >= wl && !memcmp(t->s, w, wl);
    if (t->len == wl) return !memcmp(t->s, w, wl);
    if (pw.flags & PW_NOEND) return 0;
    if (t->len > wl && !memcmp(t->s, w, wl)) return suffix_ok(t->s + wl, t->len - wl, w[wl - 1]);
    if (wl >= 3 && w[wl - 1] == 'E' && t->len == wl + 2 && !memcmp(t->s, w, wl - 1) && !memcmp(t->s + wl - 1, "ING", 3)) return 1;
    if (wl >= 3 && w[wl - 1] == 'Y' && t->len == wl + 2 && !memcmp(t->s, w, wl - 1) &&
        (!memcmp(t->s + wl - 1, "IES", 3) || !memcmp(t->s + wl - 1, "IED", 3)))
        return 1;
    return 0;
}

/* word_match, also accepting the token's dictionary lemma ("MET" for MEET_) */
static inline int word_match_ce(const parley_dict *d, pword pw, const token *t, int32_t lemma) {
    if (lemma >= 0 && (uint32_t)lemma == pw.w && !(pw.flags & PW_NOEND)) return 1;
    /* every way of matching begins the token with the word's first letter */
    const char *w = W(d, pw.w);
    if (w[0] && (!t->len || t->s[0] != w[0])) return 0;
    return word_match(d, pw, t);
}

/* --------------------------------------------------------------- cache */

static void gather_chain(parley_coder *c, keyent *e, const token *t, int32_t lemma) {
    for (; e; e = e->next) {
        const phrase *ph = &c->d->phrases.v[e->phrase];
        if (word_match_ce(c->d, ph->w[0], t, lemma)) P_PUSH(c->cand, e->phrase);
    }
}

static void lookup_exact(parley_coder *c, const char *s, size_t n, const token *t, int32_t lemma) {
    int32_t w = p_intern_find(&c->d->words, s, n);
    if (w >= 0 && (size_t)w < c->d->idx_cap) gather_chain(c, c->d->exact_idx[w], t, lemma);
}

/* Calls fn for t itself and every base word that t could be an inflection
 * of (SYRIA'S -> SYRIA, MAKING -> MAKE, CARRIED -> CARRY, STOPPED -> STOP). */
static void for_bases(const token *t, void (*fn)(void *, const char *, size_t), void *ud) {
    char b[128];
    size_t n = t->len;
    const char *s = t->s;
    fn(ud, s, n);
    if (n < 3 || n >= sizeof b - 2) return;
    if (s[n - 1] == 'S' || s[n - 1] == '\'' || s[n - 1] == 'D' || s[n - 1] == 'N') fn(ud, s, n - 1);
    if (n > 3 && (!memcmp(s + n - 2, "ES", 2) || !memcmp(s + n - 2, "ED", 2) || !memcmp(s + n - 2, "EN", 2) || !memcmp(s + n - 2, "'S", 2))) fn(ud, s, n - 2);
    if (n > 4 && !memcmp(s + n - 3, "ING", 3)) fn(ud, s, n - 3);
    if (n > 4 && (!memcmp(s + n - 2, "ED", 2) || !memcmp(s + n - 2, "EN", 2)) && s[n - 3] == s[n - 4]) fn(ud, s, n - 3);
    if (n > 5 && !memcmp(s + n - 3, "ING", 3) && s[n - 4] == s[n - 5]) fn(ud, s, n - 4);
    if (n > 4 && !memcmp(s + n - 3, "ING", 3)) { memcpy(b, s, n - 3); b[n - 3] = 'E'; fn(ud, b, n - 2); }
    if (n > 4 && (!memcmp(s + n - 3, "IES", 3) || !memcmp(s + n - 3, "IED", 3))) { memcpy(b, s, n - 3); b[n - 3] = 'Y'; fn(ud, b, n - 2); }
}

/* Parts of speech a regular inflection takes from its base: -ED and -ING
 * forms of a verb are verbs ("accused", "weighing"); an -S form WordNet does
 * not list has its singular's ("meetings"; "talks" is listed, as a noun). */
static uint8_t lex_pos_of(const parley_dict *d, const char *s, size_t n, uint8_t want) {
    int32_t f = p_intern_find(&d->lex_forms, s, n);
    return f >= 0 ? (uint8_t)(d->lex_pos.v[f] & want) : 0;
}
static uint8_t inflection_pos(const parley_dict *d, const char *s, size_t n, int listed) {
    char b[128];
    uint8_t pos = 0;
    if (n < 4 || n >= sizeof b) return 0;
    if (!memcmp(s + n - 2, "ED", 2)) {
        pos |= lex_pos_of(d, s, n - 2, LEX_V) | lex_pos_of(d, s, n - 1, LEX_V);          /* ATTACKED, ACCUSED */
        if (s[n - 3] == s[n - 4]) pos |= lex_pos_of(d, s, n - 3, LEX_V);                  /* STOPPED */
        if (s[n - 3] == 'I') { memcpy(b, s, n - 3); b[n - 3] = 'Y'; pos |= lex_pos_of(d, b, n - 2, LEX_V); }
    } else if (n > 4 && !memcmp(s + n - 3, "ING", 3)) {
        pos |= lex_pos_of(d, s, n - 3, LEX_V);                                           /* WEIGHING */
        memcpy(b, s, n - 3); b[n - 3] = 'E'; pos |= lex_pos_of(d, b, n - 2, LEX_V);      /* MAKING */
        if (s[n - 4] == s[n - 5]) pos |= lex_pos_of(d, s, n - 4, LEX_V);                  /* PLANNING */
    } else if (!listed && s[n - 1] == 'S' && s[n - 2] != 'S') {
        pos |= lex_pos_of(d, s, n - 1, 0xff);
        if (s[n - 2] == 'E') pos |= lex_pos_of(d, s, n - 2, 0xff);
        if (n > 4 && s[n - 3] == 'I' && s[n - 2] == 'E') { memcpy(b, s, n - 3); b[n - 3] = 'Y'; pos |= lex_pos_of(d, b, n - 2, 0xff); }
    }
    return pos;
}

typedef struct base_ctx { parley_coder *c; const token *t; int32_t lemma; } base_ctx;
static void base_lookup(void *ud, const char *s, size_t n) { base_ctx *b = ud; lookup_exact(b->c, s, n, b->t, b->lemma); }
static void base_collect(void *ud, const char *s, size_t n) {
    parley_coder *c = ud;
    int32_t w = p_intern_find(&c->d->words, s, n);
    if (w >= 0) P_PUSH(c->sentwords, (uint32_t)w);
}
static inline int has_word_id(const parley_coder *c, uint32_t w) {
    return p_bit(c->wbits, c->nwbits, w);
}

static int closed_class(const token *t);
static uint8_t adjunct_word(const token *t);
/* the token type a phrase gives the tokens it spans */
static inline uint8_t phrase_type(const parley_dict *d, const phrase *ph) {
    if (ph->kind == K_VERB) return d->verbs.v[ph->target].section == 1 ? T_TIME : T_VERB;
    return ph->kind == K_ACTOR ? T_ACTOR : ph->kind == K_AGENT ? T_AGENT : ph->kind == K_NOUN ? T_NOUN : T_ADJ;
}
/* classify(): at the same length, actors before agents before verbs */
static inline uint8_t phrase_rank(const phrase *ph) {
    return ph->kind == K_ACTOR ? 0 : ph->kind == K_AGENT ? 1 : ph->kind == K_VERB ? 2 : 3;
}

static const cache_ent *lex_miss(parley_coder *c, const token *t, uint64_t h);

/* The cache entry of token t (h: its p_hash_mem), computed on first sight.
 * Inline: a hit (nearly every token) is a few compares, without the frame
 * of the function that fills an entry. */
static inline const cache_ent *lex_lookup(parley_coder *c, const token *t, uint64_t h) {
    const cache_ent *e = lexcache_find(c->lc_tab, c->lc_mask, t->s, t->len, h);
    return e ? e : lex_miss(c, t, h);
}

/* Computes the entry of token t: its fields in *e, its block in c->fill. */
static void lex_fill(parley_coder *c, const token *t, cache_ent *e) {
    const parley_dict *d = c->d;
    c->cand.n = 0;
    size_t n = t->len;
    /* WordNet lemma and parts of speech of the form, when a lexicon is loaded */
    int32_t lemma = -1;
    uint8_t pos = 0;
    if (d->lex_lemma.n) {
        int32_t f = p_intern_find(&d->lex_forms, t->s, t->len);
        if (f >= 0) { lemma = d->lex_lemma.v[f]; pos = d->lex_pos.v[f]; }
        /* WordNet lists no regular inflections: "accused" or "weighing" is a
         * verb form when its base is a verb, "meetings" a noun when its
         * singular is one; the lemma stays unknown */
        pos |= inflection_pos(d, t->s, n, f >= 0);
        if (lemma >= 0) {
            int32_t lf = p_intern_find(&d->lex_forms, W(d, (uint32_t)lemma), WL(d, (uint32_t)lemma));
            if (lf >= 0) pos |= d->lex_pos.v[lf];
        }
    }
    base_ctx bc = {c, t, lemma};
    for_bases(t, base_lookup, &bc);
    if (lemma >= 0 && (size_t)lemma < d->idx_cap) gather_chain(c, d->exact_idx[lemma], t, lemma);
    /* stems: every prefix length some stem has */
    uint64_t sl = d->stem_lengths;
    for (size_t l = 1; l <= n && sl; l++) {
        if (l < 63 && !(sl & (1ULL << l))) continue;
        int32_t w = p_intern_find(&d->words, t->s, l);
        if (w >= 0 && (size_t)w < d->idx_cap) gather_chain(c, d->stem_idx[w], t, lemma);
    }
    /* remove duplicates (a phrase can be reached from two bases) */
    size_t m = 0;
    for (size_t a = 0; a < c->cand.n; a++) {
        size_t b2 = 0;
        for (; b2 < m; b2++) if (c->cand.v[b2] == c->cand.v[a]) break;
        if (b2 == m) c->cand.v[m++] = c->cand.v[a];
    }
    c->cand.n = m;
    memset(e, 0, sizeof *e);
    /* Candidates are stored as pairs (kind<<28 | phrase, hint): the hint is
     * the second word when it must follow at once as a whole word, so most
     * candidates are rejected without touching the phrase itself. */
    c->fill.n = 0;
    e->n = (uint32_t)m;
    for (size_t a = 0; a < m; a++) {
        const phrase *ph = &d->phrases.v[c->cand.v[a]];
        uint32_t hint = UINT32_MAX;
        if (ph->n >= 2 && (ph->w[0].flags & PW_ADJ) && (ph->w[1].flags & PW_EXACT)) hint = ph->w[1].w;
        P_PUSH(c->fill, (uint32_t)ph->kind << 28 | c->cand.v[a]);
        P_PUSH(c->fill, hint);
    }
    P_PUSH(c->fill, 0); /* fn, hn: set below */
    P_PUSH(c->fill, 0);
    /* dictionary words this token can stand for (for the pattern prefilter);
     * right after them, the lists classify() reads: one line of the block
     * often holds the counts and all three */
    size_t before = c->sentwords.n;
    for_bases(t, base_collect, c);
    if (lemma >= 0) P_PUSH(c->sentwords, (uint32_t)lemma);
    /* and the pattern stems it begins with */
    uint64_t psl = d->pat_stem_lengths;
    for (size_t l = 1; l <= n && psl; l++) {
        if (l < 63 && !(psl & (1ULL << l))) continue;
        int32_t w = p_intern_find(&d->words, t->s, l);
        if (w < 0 || !p_bit(d->pat_stems, d->words.strs.n, (uint32_t)w)) continue;
        size_t q = before;
        while (q < c->sentwords.n && c->sentwords.v[q] != (uint32_t)w) q++;
        if (q == c->sentwords.n) P_PUSH(c->sentwords, (uint32_t)w);
    }
    e->bn = (uint32_t)(c->sentwords.n - before);
    for (size_t a = before; a < c->sentwords.n; a++) P_PUSH(c->fill, c->sentwords.v[a]);
    c->sentwords.n = before;
    /* The same candidates split for classify().  One-word phrases always
     * match the token they were found for: the choice among them is made
     * here, once.  Longer ones without a hint are listed with a later word
     * the sentence must have (its longest whole word after the first), so
     * most are passed over without reading the phrase; those with a hint
     * are found by the next token's words. */
    e->one = -1;
    e->one_rank = 99;
    for (size_t a = 0; a < m; a++) {
        const phrase *ph = &d->phrases.v[c->cand.v[a]];
        if (ph->n != 1 || ph->kind == K_ISSUE) continue;
        if (ph->kind == K_DISCARD) { e->one_disc |= (uint8_t)(1 | (d->discard_story.v[ph->target] ? 2 : 0)); continue; }
        if (ph->kind == K_VERB && d->verbs.v[ph->target].section == 2) continue; /* attribution: not coded */
        /* "donate's": not a verb */
        if (ph->kind == K_VERB && t->len > 2 && (!memcmp(t->s + t->len - 2, "'S", 2) || t->s[t->len - 1] == '\'')) continue;
        uint8_t rank = phrase_rank(ph);
        if (e->one < 0 || ph->chars > e->one_chars || (ph->chars == e->one_chars && rank < e->one_rank)) {
            e->one = (int32_t)c->cand.v[a];
            e->one_chars = ph->chars;
            e->one_rank = rank;
            e->one_type = phrase_type(d, ph);
        }
    }
    uint32_t fn = 0;
    for (size_t a = 0; a < m; a++) {
        const uint32_t *pr = c->fill.v + 2 * a;
        const phrase *ph = &d->phrases.v[pr[0] & 0x0FFFFFFF];
        if (pr[1] != UINT32_MAX || (pr[0] >> 28) == K_ISSUE || ph->n == 1) continue;
        uint32_t need = UINT32_MAX;
        for (uint16_t k = 1; k < ph->n; k++) /* the longest: likely the rarest */
            if ((ph->w[k].flags & PW_EXACT) && (need == UINT32_MAX || WL(d, ph->w[k].w) > WL(d, need))) need = ph->w[k].w;
        P_PUSH(c->fill, (uint32_t)a);
        P_PUSH(c->fill, need);
        fn++;
    }
    size_t hoff = c->fill.n;
    for (size_t a = 0; a < m; a++) {
        /* by value: the pushes below may move the block */
        const uint32_t pr[2] = {c->fill.v[2 * a], c->fill.v[2 * a + 1]};
        if (pr[1] == UINT32_MAX || (pr[0] >> 28) == K_ISSUE) continue;
        /* insertion by hint keeps positions ascending within one hint */
        uint32_t hint = pr[1];
        size_t at = c->fill.n;
        P_PUSH(c->fill, 0);
        P_PUSH(c->fill, 0);
        uint32_t *hp = c->fill.v + hoff;
        size_t k = (at - hoff) / 2;
        while (k > 0 && hp[2 * (k - 1)] > hint) { hp[2 * k] = hp[2 * (k - 1)]; hp[2 * k + 1] = hp[2 * (k - 1) + 1]; k--; }
        hp[2 * k] = hint;
        hp[2 * k + 1] = (uint32_t)a;
    }
    c->fill.v[2 * m] = fn;
    c->fill.v[2 * m + 1] = (uint32_t)(c->fill.n - hoff) / 2;
    e->cls = (uint8_t)closed_class(t);
    e->adjunct = adjunct_word(t);
    e->wcls = word_class(t->s, t->len);
    e->lemma = lemma;
    e->pos = pos;
    /* first letters, 0x80 | (letter & 63), or 0 for none */
    e->first[0] = t->len ? (uint8_t)(0x80 | ((unsigned char)t->s[0] & 63)) : 0;
    e->first[1] = lemma >= 0 ? (uint8_t)(0x80 | ((unsigned char)W(d, (uint32_t)lemma)[0] & 63)) : 0;
}

/* A token the coder's cache lacks: worked out and added, or, once that
 * cache is half full, kept in the coder's own table. */
static __attribute__((noinline)) const cache_ent *lex_miss(parley_coder *c, const token *t, uint64_t h) {
    const cache_ent *r;
    if (c->own && (r = lexcache_find(c->own->tab, c->own->mask, t->s, t->len, h))) return r;
    cache_ent e;
    lex_fill(c, t, &e);
    if ((r = lexcache_add(c->lc, &e, c->fill.v, c->fill.n, t->s, t->len, h))) return r;
    /* room for the rest of this sentence: the tokens hold pointers to the
     * entries until it is coded */
    if (!c->own && (!(c->own = lexcache_new(LEXCACHE_SLOTS, 1)) || lexcache_room(c->own, c->sent_n))) {
        fputs("parley: out of memory\n", stderr);
        abort();
    }
    return lexcache_add(c->own, &e, c->fill.v, c->fill.n, t->s, t->len, h);
}

static const uint32_t *candidates(const cache_ent *e, uint32_t *count) {
    *count = e->n;
    return cache_cand(e);
}

/* Matches the rest of phrase ph from token i.  Words joined by '_' must be
 * adjacent; a space allows a few words in between (not across a comma). */
static int phrase_match_at(parley_coder *c, const phrase *ph, int i, int n, int *end) {
    const token *tk = c->tz.toks.v;
    int p = i + 1;
    for (uint16_t k = 1; k < ph->n; k++) {
        int adj = (ph->w[k - 1].flags & PW_ADJ) != 0;
        int limit = adj ? p + 1 : p + 6;
        if (limit > n) limit = n;
        int q = p;
        pword pw = ph->w[k];
        for (; q < limit; q++) {
            if (tk[q].flags & TK_COMMA) { q = limit; break; }
            if (pw.flags & PW_EXACT) {
                /* cheap rejection: can this token stand for the word at all? */
                const cache_ent *ce = c->ti.v[q].ce;
                const uint32_t *bs = cache_bases(ce);
                uint32_t b = 0;
                while (b < ce->bn && bs[b] != pw.w) b++;
                if (b == ce->bn) continue;
            }
            if (word_match_ce(c->d, pw, &tk[q], c->ti.v[q].ce->lemma)) break;
        }
        if (q >= limit) return 0;
        p = q + 1;
    }
    *end = p;
    return 1;
}

/* -------------------------------------------------------------- setup */

/* A coder of d using token cache lc (a new one: NULL). */
static parley_coder *coder_make(const parley_dict *d, lexcache *lc) {
    if (!d || !d->finished) return NULL;
    parley_coder *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->d = d;
    c->opts = d->opts;
    c->base_opts = c->opts;
    c->nwbits = d->words.strs.n;
    c->wbits = calloc(c->nwbits / 64 + 1, sizeof *c->wbits);
    c->wpos = malloc((c->nwbits + 1) * sizeof *c->wpos);
    c->alt_gen = calloc(d->alts.n + 1, sizeof *c->alt_gen);
    c->alt_ok = calloc(d->alts.n + 1, 1);
    c->lc = lc ? lexcache_share(lc) : lexcache_new(LEXCACHE_START, 0);
    if (!c->wbits || !c->wpos || !c->alt_gen || !c->alt_ok || !c->lc) {
        free(c->wbits); free(c->wpos); free(c->alt_gen); free(c->alt_ok); lexcache_unref(c->lc); free(c);
        return NULL;
    }
    c->lc_tab = c->lc->tab;
    c->lc_mask = c->lc->mask;
    tokenizer_init(&c->tz);
    segmenter_init(&c->sg);
    return c;
}

parley_coder *parley_coder_new(const parley_dict *d) { return coder_make(d, NULL); }

parley_coder *parley_coder_clone(const parley_coder *c) {
    if (!c) return NULL;
    parley_coder *k = coder_make(c->d, c->lc);
    if (!k) return NULL;
    k->opts = c->opts;
    k->base_opts = c->base_opts;
    k->diag = c->diag;
    k->diag_ud = c->diag_ud;
    if (c->geo) parley_coder_set_gazetteer(k, geo_state_gazetteer(c->geo));
    return k;
}

void parley_coder_free(parley_coder *c) {
    if (!c) return;
    tokenizer_free(&c->tz);
    segmenter_free(&c->sg);
    P_FREE_VEC(c->ti);
    P_FREE_VEC(c->units);
    P_FREE_VEC(c->slots);
    P_FREE_VEC(c->slot_of);
    P_FREE_VEC(c->live);
    P_FREE_VEC(c->cand);
    P_FREE_VEC(c->sentwords);
    P_FREE_VEC(c->anchwords);
    free(c->wbits);
    free(c->wpos);
    free(c->alt_gen);
    free(c->alt_ok);
    P_FREE_VEC(c->patcand);
    P_FREE_VEC(c->patmerge);
    P_FREE_VEC(c->patfree);
    P_FREE_VEC(c->tokhash);
    P_FREE_VEC(c->tokfirst);
    lexcache_unref(c->lc);
    lexcache_unref(c->own);
    P_FREE_VEC(c->fill);
    p_buf_free(&c->why);
    p_buf_free(&c->why_tmp);
    free(c->why_slots);
    for (int k = 0; k < 2; k++) { P_FREE_VEC(c->emit_codes[k]); P_FREE_VEC(c->emit_units[k]); }
    p_buf_free(&c->why_memo);
    p_buf_free(&c->scratch);
    p_buf_free(&c->out_codes);
    geo_state_free(c->geo);
    free(c);
}

void parley_coder_set_diag(parley_coder *c, parley_diag_fn fn, void *ud) { c->diag = fn; c->diag_ud = ud; }

parley_status parley_coder_option(parley_coder *c, const char *line, parley_error *err) {
    return options_apply(&c->opts, line, err);
}

void parley_coder_reset_options(parley_coder *c) { c->opts = c->base_opts; }

/* ------------------------------------------------------------ analysis */

/* The first letter settles most calls, before any strlen. */
static inline int is_word(const token *t, const char *w) {
    if (!t->len || t->s[0] != w[0]) return 0;
    size_t n = strlen(w);
    return t->len == n && !memcmp(t->s, w, n);
}

static int closed_class(const token *t) {
    static const char *det[] = {"THE", "A", "AN"};
    static const char *pron[] = {"HE", "SHE", "IT", "ITS", "HIS", "HER", "THEY", "THEM", "THEIR", "HIM"};
    static const char *conj[] = {"AND", "BUT", "OR", "NOR"};
    static const char *aux[] = {"WAS", "WERE", "BEEN", "IS", "ARE", "BEING", "BE"};
    static const char *neg[] = {"NOT", "NEVER", "DIDN'T", "DOESN'T", "DON'T", "WON'T", "CAN'T", "CANNOT", "WOULDN'T", "HASN'T", "HAVEN'T", "ISN'T", "WASN'T", "NO"};
    if (t->flags & TK_COMMA) return T_COMMA;
    for (size_t i = 0; i < P_ARRAY_LEN(det); i++) if (is_word(t, det[i])) return T_DET;
    for (size_t i = 0; i < P_ARRAY_LEN(pron); i++) if (is_word(t, pron[i])) return T_PRON;
    for (size_t i = 0; i < P_ARRAY_LEN(conj); i++) if (is_word(t, conj[i])) return T_CONJ;
    for (size_t i = 0; i < P_ARRAY_LEN(aux); i++) if (is_word(t, aux[i])) return T_AUX;
    for (size_t i = 0; i < P_ARRAY_LEN(neg); i++) if (is_word(t, neg[i])) return T_NEG;
    if (is_word(t, "BY")) return T_BY;
    if (t->flags & TK_NUMBER) return T_NUM;
    return T_NONE;
}

/* Appends an agent code to an actor code unless it is already there on
 * CAMEO's 3-character boundaries (TABARI 5.4: "LKAREB" + "REB" stays). */
static void add_agent_code(char *out, size_t cap, const char *actor_code, const char *agent_code, int prefix) {
    char tmp[64];
    p_copy(tmp, sizeof tmp, actor_code, strlen(actor_code));
    size_t al = strlen(tmp), gl = strlen(agent_code);
    int present = 0;
    if (gl && gl <= al) {
        for (size_t off = 0; off + gl <= al; off += 3)
            if (!memcmp(tmp + off, agent_code, gl)) { present = 1; break; }
    }
    /* codes are short; truncation at `cap` is deliberate and silent */
    const char *first = present ? tmp : prefix ? agent_code : tmp;
    const char *second = present ? "" : prefix ? tmp : agent_code;
    size_t k = 0;
    for (const char *q = first; *q && k + 1 < cap; q++) out[k++] = *q;
    for (const char *q = second; *q && k + 1 < cap; q++) out[k++] = *q;
    out[k] = 0;
}

static void apply_agent(const parley_dict *d, unit *u, int32_t ag, int former) {
    const agent *a = &d->agents.v[ag];
    const char *acode = former ? "ELI" : p_intern_str(&d->codes, a->code);
    char res[64] = "";
    /* coded compounds "A/B": the agent applies to each part */
    const char *p = u->code;
    size_t k = 0;
    while (1) {
        const char *sl = strchr(p, '/');
        size_t n = sl ? (size_t)(sl - p) : strlen(p);
        char part[64], comb[64];
        p_copy(part, sizeof part, p, n);
        add_agent_code(comb, sizeof comb, part, acode, a->prefix);
        if (k && k + 1 < sizeof res) res[k++] = '/';
        for (const char *q = comb; *q && k + 1 < sizeof res; q++) res[k++] = *q;
        res[k] = 0;
        if (!sl || k + 1 >= sizeof res) break;
        p = sl + 1;
    }
    p_copy(u->code, sizeof u->code, res, strlen(res));
    u->agent = ag;
}

typedef struct sent {
    parley_coder *c;
    const parley_dict *d;
    const token *tk;
    int n;
    int32_t date;
    int discard, story_discard, complex;
    const char *complex_why;
} sent;

static int is_prep(const token *t) { return word_has(t, WC_PREP); }

/* parley: right after a preposition an event word that is not a gerund is
 * a noun ("amid fears", "despite protests", "after talks with"): TABARI's
 * determiner rule (7.4) for the noun phrases that have no determiner */
static int noun_after_prep(const sent *S, int i) {
    const token *t = &S->tk[i];
    if (i == 0 || (t->len > 4 && !memcmp(t->s + t->len - 3, "ING", 3))) return 0;
    /* up to two plain adjectives between: "of similar attacks", "amid fresh clashes" */
    int p = i - 1;
    for (int a = 0; a < 2 && p > 0 && S->c->ti.v[p].type == T_NONE; a++, p--) {
        uint8_t pos = S->c->ti.v[p].ce->pos;
        if (!(pos & LEX_A) || (pos & (LEX_V | LEX_N))) break;
    }
    return word_has(&S->tk[p], WC_NOUN_PREP);
}

/* parley: the default target is looked for up to the first adjunct -- a
 * time or circumstance phrase or a subordinate clause ("despite", "amid",
 * "after", "when", "in the face of"): an actor there did not undergo the act
 * ("NATO ministers discussed planning in the face of a Soviet refusal") */
/* 1: a word that opens an adjunct; 2: FACE or WAKE ("in the face of").
 * Decided once per distinct token, in its cache entry. */
static uint8_t adjunct_word(const token *t) {
    static const char *w[] = {"DESPITE", "AMID", "AMIDST", "DURING", "AFTER", "BEFORE", "SINCE", "UNTIL", "WHILE",
                              "WHEN", "BECAUSE", "ALTHOUGH", "THOUGH", "WHEREAS"};
    for (size_t k = 0; k < P_ARRAY_LEN(w); k++) if (is_word(t, w[k])) return 1;
    return is_word(t, "FACE") || is_word(t, "WAKE") ? 2 : 0;
}

static int adjunct_start(const sent *S, int from, int end) {
    const parley_coder *c = S->c;
    for (int q = from; q < end; q++) {
        uint8_t a = c->ti.v[q].ce->adjunct;
        if (a == 1) return q;
        /* "in the face of", "in the wake of" */
        if (a == 2 && q >= 2 && q + 1 < end && word_has(&S->tk[q - 1], WC_THE) && word_has(&S->tk[q - 2], WC_IN) &&
            word_has(&S->tk[q + 1], WC_OF))
            return q;
    }
    return end;
}

static int is_modal(const token *t) { return word_has(t, WC_MODAL); }

/* parley: "the abduction and torture of": a conjunct of a noun-used event
 * word is a noun too */
static int noun_conjunct(const sent *S, int i) {
    const tokinfo *ti = S->c->ti.v;
    if (i < 2 || !(word_has(&S->tk[i - 1], WC_AND) || word_has(&S->tk[i - 1], WC_OR))) return 0;
    for (int j = i - 2; j >= 0 && j >= i - 4; j--)
        if (ti[j].phrase >= 0 && ti[j].span_end == i - 1) return ti[j].det;
    return ti[i - 2].type == T_NOUN;
}

static int is_finite_aux(const token *t) { return word_has(t, WC_FINITE_AUX); }

/* parley: an event word that heads a noun phrase is a noun.  Its shape must
 * allow it: an -ING form, or a base form the lexicon knows as a noun ("trade",
 * "aid", "support"; a finite verb after a singular noun would end in -S).  It
 * heads a noun phrase when a plain adjective stands right before it
 * ("humanitarian support", "heavy fighting"), or a determiner or possessive
 * opened the phrase with only modifiers (names, adjectives, numbers, -ING/-ED
 * words) since ("the cocaine trade", "its recent summit meeting") */
static int np_head(const sent *S, int i) {
    const token *t = &S->tk[i];
    const tokinfo *ti = S->c->ti.v;
    int ing = t->len >= 5 && !memcmp(t->s + t->len - 3, "ING", 3);
    if (ing && i + 1 < S->n) {
        /* with an object it is a participle: "a declaration demanding reforms" */
        uint8_t nt = ti[i + 1].type;
        if (nt == T_DET || nt == T_ACTOR || nt == T_AGENT || nt == T_PRON || nt == T_NUM ||
            (nt == T_NONE && !is_prep(&S->tk[i + 1]) && !is_finite_aux(&S->tk[i + 1])))
            return 0;
    }
    if (!ing) {
        uint8_t pos = ti[i].ce->pos;
        if (!(pos & LEX_N) || ti[i].ce->lemma >= 0 || t->s[t->len - 1] == 'S' || (t->len > 3 && !memcmp(t->s + t->len - 2, "ED", 2))) return 0;
    }
    if (i > 0 && ti[i - 1].type == T_NONE) {
        uint8_t pos = ti[i - 1].ce->pos;
        if ((pos & LEX_A) && !(pos & (LEX_N | LEX_V | LEX_R))) return 1;
    }
    for (int q = i - 1; q >= 0 && q >= i - 6; q--) {
        const token *u = &S->tk[q];
        switch (ti[q].type) {
        case T_DET: return q < i - 1; /* right after the determiner is TABARI's own rule */
        case T_PRON:
            return q < i - 1 && (is_word(u, "ITS") || is_word(u, "THEIR") || is_word(u, "HIS") || is_word(u, "HER"));
        case T_COMMA: case T_AUX: case T_NEG: case T_BY: case T_TIME: return 0;
        case T_ACTOR: case T_AGENT:
            /* "the Turkish minister's visit to Egypt": the possessor acts */
            if (u->len > 2 && !memcmp(u->s + u->len - 2, "'S", 2)) return 0;
            break;
        case T_VERB:
            if (!ti[q].det && (u->len < 4 || (memcmp(u->s + u->len - 3, "ING", 3) && memcmp(u->s + u->len - 2, "ED", 2)))) return 0;
            break;
        default:
            if (is_prep(u) || is_finite_aux(u) || word_has(u, WC_TO)) return 0;
        }
    }
    return 0;
}

/* Assigns word types: at each position the longest phrase of any kind wins
 * (ties: more letters, then actors over agents over verbs). */
static void classify(sent *S) {
    parley_coder *c = S->c;
    const parley_dict *d = S->d;
    int n = S->n;
    for (int i = 0; i < n; i++) {
        tokinfo *ti = &c->ti.v[i];
        const cache_ent *ce = ti->ce;
        memset(ti, 0, sizeof *ti);
        ti->ce = ce;
        ti->type = ce->cls;
        ti->unit = -1;
        ti->phrase = -1;
        ti->span_end = i + 1;
    }
    for (int i = 0; i < n;) {
        if (S->tk[i].flags & TK_COMMA) { i++; continue; }
        const cache_ent *ce = c->ti.v[i].ce;
        const uint32_t *cand = cache_cand(ce);
        /* the one-word phrases were weighed when the token was first seen;
         * a longer phrase that matches always ends later */
        int best = ce->one, best_end = i + 1;
        uint32_t best_chars = ce->one_chars;
        int best_rank = ce->one_rank;
        if (ce->one_disc) { S->discard = 1; if (ce->one_disc & 2) S->story_discard = 1; }
        /* the longer candidates worth trying, in their order: those with no
         * hint whose needed word comes later in the sentence, and those
         * whose hint the next token can be (looked up, not scanned) */
        c->cand.n = 0;
        const uint32_t *fp = cache_fpairs(ce), *hp = cache_hpairs(ce);
        const uint32_t fn = cache_fn(ce), hn = cache_hn(ce);
        for (uint32_t k = 0; k < fn; k++) {
            uint32_t w = fp[2 * k + 1];
            if (w == UINT32_MAX || (has_word_id(c, w) && c->wpos[w].last > i)) P_PUSH(c->cand, fp[2 * k]);
        }
        if (hn && i + 1 < n) {
            size_t before = c->cand.n;
            const cache_ent *ne = c->ti.v[i + 1].ce;
            const uint32_t *bs = cache_bases(ne);
            for (uint32_t b = 0; b < ne->bn; b++) {
                /* most words are no phrase's second word: no search */
                if (!p_bit(d->hint_words, d->words.strs.n, bs[b])) continue;
                uint32_t lo = 0, hi = hn;
                while (lo < hi) { uint32_t mid = (lo + hi) / 2; if (hp[2 * mid] < bs[b]) lo = mid + 1; else hi = mid; }
                for (; lo < hn && hp[2 * lo] == bs[b]; lo++) P_PUSH(c->cand, hp[2 * lo + 1]);
            }
            if (c->cand.n > before && c->cand.n > 1) {
                p_sort_u32(c->cand.v, c->cand.n);
                size_t u = 1;
                for (size_t k = 1; k < c->cand.n; k++) if (c->cand.v[k] != c->cand.v[u - 1]) c->cand.v[u++] = c->cand.v[k];
                c->cand.n = u;
            }
        }
        for (size_t kk = 0; kk < c->cand.n; kk++) {
            uint32_t pk = cand[2 * c->cand.v[kk]];
            const phrase *ph = &d->phrases.v[pk & 0x0FFFFFFF];
            int end;
            if (ph->kind == K_DISCARD) {
                if (phrase_match_at(c, ph, i, n, &end)) {
                    /* discard phrases are whole words: a stem hit is not enough */
                    S->discard = 1;
                    if (d->discard_story.v[ph->target]) S->story_discard = 1;
                }
                continue;
            }
            if (ph->kind == K_VERB && d->verbs.v[ph->target].section == 2) continue; /* attribution: not coded */
            if (!phrase_match_at(c, ph, i, n, &end)) continue;
            int rank = phrase_rank(ph);
            if (best < 0 || end > best_end || (end == best_end && (ph->chars > best_chars || (ph->chars == best_chars && rank < best_rank)))) {
                best = (int)(pk & 0x0FFFFFFF);
                best_end = end;
                best_chars = ph->chars;
                best_rank = rank;
            }
        }
        if (best < 0) { i++; continue; }
        tokinfo *ti = &c->ti.v[i];
        ti->phrase = best;
        ti->span_end = best_end;
        uint8_t type = best == ce->one && best_end == i + 1 ? ce->one_type : phrase_type(d, &d->phrases.v[best]);
        for (int j = i; j < best_end; j++) c->ti.v[j].type = type;
        for (int j = i + 1; j < best_end; j++) c->ti.v[j].phrase = -2; /* inside */
        i = best_end;
    }
}

static int actor_units(sent *S) {
    parley_coder *c = S->c;
    const parley_dict *d = S->d;
    c->units.n = 0;
    for (int i = 0; i < S->n; i++) {
        tokinfo *ti = &c->ti.v[i];
        if (ti->phrase < 0) continue;
        const phrase *ph = &d->phrases.v[ti->phrase];
        if (ph->kind == K_ACTOR) {
            const actor *a = &d->actors.v[ph->target];
            const acode *used = NULL;
            int32_t code = actor_code_at(d, a, S->date, &used);
            const char *cs = code > 0 ? p_intern_str(&d->codes, (uint32_t)code) : "---";
            if (!strcmp(cs, "###")) { S->discard = 1; continue; }
            if (!strcmp(cs, "+++")) { S->complex = 1; S->complex_why = "complex actor"; continue; }
            if (!strcmp(cs, "---") || !*cs) {
                for (int j = i; j < ti->span_end; j++) c->ti.v[j].type = T_NOUN; /* null-coded actor: a noun */
                continue;
            }
            unit u;
            memset(&u, 0, sizeof u);
            u.start = u.actor_start = i;
            u.end = u.actor_end = ti->span_end;
            u.actor = ph->target;
            u.agent = -1;
            u.used = used;
            u.group = -1;
            u.ref = -1;
            p_copy(u.code, sizeof u.code, cs, strlen(cs));
            P_PUSH(c->units, u);
            for (int j = i; j < ti->span_end; j++) c->ti.v[j].unit = (int16_t)(c->units.n - 1);
        }
    }
    /* Agents (TABARI 5.4): right before an actor, right after it, or
     * "AGENT of/in [the] ACTOR". "Former" makes the agent an elite. */
    for (int i = 0; i < S->n; i++) {
        tokinfo *ti = &c->ti.v[i];
        if (ti->phrase < 0 || ti->type != T_AGENT) continue;
        const phrase *ph = &d->phrases.v[ti->phrase];
        int e = ti->span_end;
        int former = i > 0 && word_has(&S->tk[i - 1], WC_FORMER);
        int target = -1;
        int before = former ? i - 1 : i; /* "Arnor former officials" */
        if (before > 0 && c->ti.v[before - 1].unit >= 0 && c->units.v[c->ti.v[before - 1].unit].end == before &&
            c->units.v[c->ti.v[before - 1].unit].agent < 0) {
            target = c->ti.v[before - 1].unit;
            const unit *tu = &c->units.v[target];
            if (tu->actor_start > 0 && word_has(&S->tk[tu->actor_start - 1], WC_FORMER)) former = 1;
        }
        else if (e < S->n && c->ti.v[e].type == T_ACTOR && c->ti.v[e].unit >= 0 && c->units.v[c->ti.v[e].unit].start == e) {
            target = c->ti.v[e].unit;
            if (i > 0 && word_has(&S->tk[i - 1], WC_FORMER)) former = 1;
        }
        else if (e + 1 < S->n && (word_has(&S->tk[e], WC_OF) || word_has(&S->tk[e], WC_IN) ||
                                  (!c->opts.tabari_compat && word_has(&S->tk[e], WC_FROM)))) {
            int q = e + 1;
            if (q < S->n && word_has(&S->tk[q], WC_THE)) q++;
            if (q < S->n && c->ti.v[q].unit >= 0 && c->units.v[c->ti.v[q].unit].start == q) {
                target = c->ti.v[q].unit;
                c->units.v[target].agent_prep = 1;
            }
        }
        if (target >= 0) {
            unit *u = &c->units.v[target];
            if (u->agent >= 0) { continue; }
            apply_agent(d, u, (int32_t)ph->target, former);
            if (i < u->start) u->start = former ? i - 1 : i;
            if (e > u->end) u->end = e;
            for (int j = i; j < e; j++) c->ti.v[j].unit = (int16_t)target;
            continue;
        }
        if (c->opts.convert_agents || !c->opts.tabari_compat) {
            /* TABARI 8.2.6: an agent with no actor becomes an actor "~CODE". */
            const agent *a = &d->agents.v[ph->target];
            unit u;
            memset(&u, 0, sizeof u);
            u.start = u.actor_start = i;
            u.end = u.actor_end = e;
            u.actor = UINT32_MAX;
            u.agent = (int32_t)ph->target;
            u.group = -1;
            u.ref = -1;
            const char *ac = p_intern_str(&d->codes, a->code);
            /* TABARI's CONVERT AGENTS writes "~COP"; without it a lone agent
             * is an actor of unknown country, "---COP" as PETRARCH writes it */
            size_t al = strlen(ac);
            if (al > 40) al = 40;
            if (c->opts.convert_agents && a->prefix) { memcpy(u.code, ac, al); u.code[al] = '~'; u.code[al + 1] = 0; }
            else if (c->opts.convert_agents) { u.code[0] = '~'; memcpy(u.code + 1, ac, al); u.code[al + 1] = 0; }
            else { memcpy(u.code, "---", 3); memcpy(u.code + 3, ac, al); u.code[al + 3] = 0; }
            /* keep units ordered by position */
            size_t at = c->units.n;
            while (at > 0 && c->units.v[at - 1].start > i) at--;
            P_PUSH(c->units, u);
            memmove(&c->units.v[at + 1], &c->units.v[at], (c->units.n - 1 - at) * sizeof(unit));
            c->units.v[at] = u;
            for (int j = 0; j < S->n; j++) c->ti.v[j].unit = -1;
            for (size_t k = 0; k < c->units.n; k++)
                for (int j = c->units.v[k].start; j < c->units.v[k].end; j++) c->ti.v[j].unit = (int16_t)k;
            c->ti.v[i].type = T_ACTOR;
        }
    }
    return (int)c->units.n;
}

/* parley: "Syrian President Ahmed al-Sharaa", "Hamas leader Yahya Sinwar":
 * a unit right before a named actor of the same country is its title, and
 * the name (with its dated role) decides the code.  "Israel-Syria talks"
 * (two countries) stays two actors.  Off in TABARI mode, which keeps them
 * apart. */
static void merge_titles(sent *S) {
    parley_coder *c = S->c;
    if (c->opts.tabari_compat || c->units.n < 2) return;
    size_t w = 0;
    for (size_t k = 0; k < c->units.n; k++) {
        unit *u = &c->units.v[k];
        if (w > 0) {
            unit *prev = &c->units.v[w - 1];
            if (prev->end == u->start && prev->actor != UINT32_MAX && u->actor != UINT32_MAX && strlen(prev->code) >= 3 &&
                strlen(u->code) >= 3 && !strncmp(prev->code, u->code, 3)) {
                /* the name wins unless the title says more ("Bree Prime
                 * Minister Romendacil": BREGOV over the bare BRE) */
                if (strlen(u->code) >= strlen(prev->code)) {
                    int start = prev->start;
                    *prev = *u;
                    prev->start = start;
                } else prev->end = u->end;
                continue;
            }
        }
        if (w != k) c->units.v[w] = *u;
        w++;
    }
    c->units.n = w;
    for (int j = 0; j < S->n; j++) c->ti.v[j].unit = -1;
    for (size_t k = 0; k < c->units.n; k++)
        for (int j = c->units.v[k].start; j < c->units.v[k].end; j++) c->ti.v[j].unit = (int16_t)k;
}

/* Is the word at p (or after one -LY adverb) a verb or a finite auxiliary? */
static int subject_of_next_verb(const sent *S, int p) {
    const parley_coder *c = S->c;
    if (p < S->n && S->tk[p].len > 3 && !memcmp(S->tk[p].s + S->tk[p].len - 2, "LY", 2)) p++;
    if (p >= S->n) return 0;
    uint8_t pos = c->ti.v[p].ce->pos;
    return (c->ti.v[p].type == T_VERB && c->ti.v[p].phrase >= 0) || c->ti.v[p].type == T_AUX || is_finite_aux(&S->tk[p]) ||
           ((pos & LEX_V) && !(pos & LEX_N));
}

/* Compound actors (TABARI 7.5): np (, np)* and np, with np = actor unit
 * preceded by any determiners / adjectives. */
static void compounds(sent *S) {
    parley_coder *c = S->c;
    int g = 0;
    for (size_t k = 0; k + 1 < c->units.n; k++) {
        unit *a = &c->units.v[k];
        /* find the run of units linked by commas and a final AND */
        size_t j = k;
        int saw_and = 0;
        size_t last_and = k;
        while (j + 1 < c->units.n) {
            unit *x = &c->units.v[j], *y = &c->units.v[j + 1];
            int p = x->end, ok = 1, link_and = 0, link_comma = 0, loose = 0;
            for (; p < y->start; p++) {
                uint8_t ty = c->ti.v[p].type;
                if (ty == T_COMMA && !link_comma && !link_and) link_comma = 1;
                else if (ty == T_CONJ && (word_has(&S->tk[p], WC_AND) || is_word(&S->tk[p], "NOR")) && !link_and) link_and = 1;
                else if ((ty == T_DET || ty == T_ADJ) && (link_and || link_comma)) continue;
                else if (!c->opts.tabari_compat && ty == T_NONE && (link_and || link_comma) && ++loose <= 3) continue;
                else { ok = 0; break; }
            }
            if (!ok || (!link_and && !link_comma)) break;
            j++;
            if (link_and) { saw_and = 1; last_and = j; break; }
        }
        if (!saw_and) continue;
        /* parley: "after the meeting in A, B and C agreed ...": a first member
         * inside a prepositional phrase, cut off by a comma from a list that
         * is the subject of the verb right after it, ends that phrase */
        if (!c->opts.tabari_compat && last_and > k + 1 && a->start > 0 && is_prep(&S->tk[a->start - 1]) &&
            c->ti.v[a->end].type == T_COMMA && subject_of_next_verb(S, c->units.v[last_and].end))
            continue;
        /* "lawmakers in A and B": the agent belongs to every member
         * (PETRARCH; TABARI keeps it on the first, DEMO-08) */
        if (!c->opts.tabari_compat && c->units.v[k].agent >= 0 && c->units.v[k].agent_prep)
            for (size_t q = k + 1; q <= last_and; q++)
                if (c->units.v[q].agent < 0 && c->units.v[q].actor != UINT32_MAX) apply_agent(c->d, &c->units.v[q], c->units.v[k].agent, 0);
        /* parley: "legislators and senators of Gondor": the actor joined to the
         * last member through of/in/from is every lone agent's before it */
        const unit *la = &c->units.v[last_and];
        if (!c->opts.tabari_compat && la->actor != UINT32_MAX && la->agent >= 0 && la->agent_prep && la->used)
            for (size_t q = k; q < last_and; q++) {
                unit *u = &c->units.v[q];
                if (u->actor != UINT32_MAX || u->agent < 0) continue;
                u->actor = la->actor;
                u->used = la->used;
                snprintf(u->code, sizeof u->code, "%s", p_intern_str(&c->d->codes, la->used->code));
                apply_agent(c->d, u, u->agent, 0);
            }
        /* "Ukrainian and Polish officials": an agent after the last member */
        if (!c->opts.tabari_compat && c->units.v[last_and].agent >= 0 && c->units.v[last_and].end > c->units.v[last_and].actor_end)
            for (size_t q = k; q < last_and; q++)
                if (c->units.v[q].agent < 0 && c->units.v[q].actor != UINT32_MAX && c->units.v[q].end == c->units.v[q].actor_end)
                    apply_agent(c->d, &c->units.v[q], c->units.v[last_and].agent, 0);
        for (size_t q = k; q <= last_and; q++) {
            c->units.v[q].group = g;
            for (int p = c->units.v[q].start; p < (q < last_and ? c->units.v[q + 1].start : c->units.v[q].end); p++) c->ti.v[p].in_compound = 1;
        }
        (void)a;
        g++;
        k = last_and;
    }
}

/* Every new slot goes through here so slot_at() stays a lookup. */
static void slot_push(parley_coder *c, slot s) {
    P_PUSH(c->slots, s);
    if (c->slot_of.v[s.start] < 0) c->slot_of.v[s.start] = (int)c->slots.n - 1;
}

/* Slots: compounds count once; pronouns point at what they refer to. */
static void build_slots(sent *S) {
    parley_coder *c = S->c;
    c->slots.n = 0;
    if (c->slot_of.cap < (size_t)S->n + 1) c->slot_of.v = p_grow(c->slot_of.v, &c->slot_of.cap, (size_t)S->n + 1, sizeof(int));
    c->slot_of.n = (size_t)S->n;
    for (int i = 0; i < S->n; i++) c->slot_of.v[i] = -1;
    int first_compound_slot = -1;
    int u = 0, nu = (int)c->units.n;
    int ui = 0;
    for (int i = 0; i < S->n; i++) {
        while (ui < nu && c->units.v[ui].end <= i) ui++;
        if (ui < nu && c->units.v[ui].start == i) {
            slot s;
            memset(&s, 0, sizeof s);
            s.start = i;
            s.first = ui;
            s.count = 1;
            if (c->units.v[ui].group >= 0) {
                int g = c->units.v[ui].group;
                while (ui + s.count < nu && c->units.v[ui + s.count].group == g) s.count++;
                s.compound = s.count > 1;
            }
            s.end = c->units.v[ui + s.count - 1].end;
            if (s.compound && first_compound_slot < 0) first_compound_slot = (int)c->slots.n;
            slot_push(c, s);
            ui += s.count;
            i = s.end - 1;
            continue;
        }
        if (c->ti.v[i].type == T_PRON && !c->ti.v[i].deleted) {
            /* TABARI 7.7 coreference */
            const token *t = &S->tk[i];
            int ref = -1;
            if (is_word(t, "HE") || is_word(t, "SHE") || is_word(t, "IT") || is_word(t, "HIM")) ref = c->slots.n ? 0 : -1;
            else if (is_word(t, "ITS") || is_word(t, "HIS") || is_word(t, "HER")) ref = c->slots.n ? (int)c->slots.n - 1 : -1;
            else ref = first_compound_slot >= 0 ? first_compound_slot : (c->slots.n ? 0 : -1);
            if (ref >= 0 && (is_word(t, "HE") || is_word(t, "SHE") || is_word(t, "IT") || is_word(t, "HIM"))) {
                /* "the first actor in the sentence": the first slot */
                ref = 0;
            }
            if (ref < 0) continue;
            slot s = c->slots.v[ref];
            s.start = i;
            s.end = i + 1;
            slot_push(c, s);
        }
    }
    (void)u;
}

/* TABARI 7.8: comma-delimited nonrestrictive clauses are deleted. */
static int delete_commas(sent *S) {
    parley_coder *c = S->c;
    const options *o = &c->opts;
    if (o->comma_off) return 0;
    int deleted = 0;
    int prev = -1; /* previous comma; -1 sentence start; -2 after a deleted clause */
    for (int i = 0; i <= S->n; i++) {
        int is_comma = i < S->n && c->ti.v[i].type == T_COMMA && !c->ti.v[i].in_compound;
        if (!is_comma && i < S->n) continue;
        int a = prev + 1, b = i;
        int words = b - a;
        int del = 0;
        if (prev == -2) del = 0;
        else if (prev < 0 && i < S->n) del = words >= o->comma_bmin && words <= o->comma_bmax;
        else if (prev >= 0 && i == S->n) del = words > o->comma_emin && words <= o->comma_emax;
        else if (prev >= 0) del = words > o->comma_min && words <= o->comma_max;
        if (del && words > 0) {
            for (int p = a; p < b; p++) c->ti.v[p].deleted = 1;
            if (prev >= 0) c->ti.v[prev].deleted = 1;
            deleted++;
            /* the closing comma went with the clause: what follows joins
             * the main clause and is not comma-delimited (TABARI 8.6 chaining) */
            if (prev >= 0 && i < S->n) { c->ti.v[i].deleted = 1; prev = -2; continue; }
        }
        if (prev == -2) { prev = i; continue; }
        prev = i;
    }
    return deleted;
}

/* Compound nouns and adjectives keep their conjunction out of the clause
 * split (TABARI 7.5.1). */
static void clause_breaks(sent *S) {
    parley_coder *c = S->c;
    for (int i = 0; i < S->n; i++) {
        tokinfo *ti = &c->ti.v[i];
        if (ti->type != T_CONJ || ti->in_compound || ti->deleted) continue;
        int p = i - 1;
        while (p >= 0 && c->ti.v[p].deleted) p--;
        int q = i + 1;
        while (q < S->n && (c->ti.v[q].type == T_ADJ || c->ti.v[q].type == T_DET)) q++;
        if (p >= 0 && q < S->n) {
            uint8_t a = c->ti.v[p].type, b = c->ti.v[q].type;
            if ((a == T_NOUN && b == T_NOUN) || (a == T_ADJ && c->ti.v[i + 1].type == T_ADJ)) continue;
        }
        ti->clause_break = 1;
    }
}

/* ------------------------------------------------------------ patterns */

typedef struct mstate {
    sent *S;
    const int *live; int nlive;   /* positions of the clause, deleted tokens removed */
    int src, tgt, comp;            /* slot indices found, -1 */
    uint32_t chars;                /* letters matched through alternatives */
    long steps;
} mstate;

/* parley: a verb under could/may/might/should/must/can ("could spark",
 * "should sit", "may well lead") is a possibility or an obligation, not an
 * act that took place.  "will"/"would" are left to the dictionaries, whose
 * WILL_ / WOULD_ patterns make intentions (03) of them. */
static int modal_before(const sent *S, const mstate *m, int li) {
    const parley_coder *c = S->c;
    for (int q = li - 1; q >= 0 && q >= li - 4; q--) {
        const token *t = &S->tk[m->live[q]];
        uint8_t ty = c->ti.v[m->live[q]].type;
        if (is_modal(t)) return !(is_word(t, "MAY") && (t->flags & TK_CAP) && !(t->flags & TK_FIRST) && !c->tz.all_caps); /* the month */
        if (ty == T_ACTOR || ty == T_AGENT || ty == T_COMMA || ty == T_CONJ || (ty == T_VERB && c->ti.v[m->live[q]].phrase >= 0)) return 0;
        if (!(ty == T_NEG || ty == T_AUX || is_word(t, "HAVE") || is_word(t, "WELL") || is_word(t, "ALSO") || is_word(t, "STILL") ||
              is_word(t, "NOW") || is_word(t, "SOON") || (t->len > 3 && !memcmp(t->s + t->len - 2, "LY", 2))))
            return 0;
    }
    return 0;
}

static int pattern_spells_modal(const parley_dict *d, const pattern *pt) {
    for (uint16_t q = 0; q < pt->nel; q++) {
        if (pt->el[q].kind != PE_WORD) continue;
        const char *w = p_intern_str(&d->words, pt->el[q].arg);
        if (!strcmp(w, "COULD") || !strcmp(w, "MIGHT") || !strcmp(w, "MAY") || !strcmp(w, "SHOULD") || !strcmp(w, "MUST") || !strcmp(w, "CAN"))
            return 1;
    }
    return 0;
}

/* parley: a past participle right after a noun, followed by a preposition,
 * whose noun phrase still waits for its own finite verb, modifies that noun
 * ("two clubbers arrested in Bali were paraded", "a soldier killed in action
 * in Iraq is remembered"): it reports a background fact, not the event of
 * the clause, and its subject is not known */
static int rr_clause(const sent *S, const mstate *m, int li, int ve) {
    const parley_coder *c = S->c;
    const token *t = &S->tk[m->live[li]];
    const cache_ent *ce = c->ti.v[m->live[li]].ce;
    int participle = t->len > 3 && !memcmp(t->s + t->len - 2, "ED", 2);
    if (!participle && ce->lemma >= 0 && (ce->pos & LEX_V)) participle = 1; /* irregular: held, shot, flown */
    if (!participle || li == 0 || ve >= m->nlive) return -1;
    int p = m->live[li - 1];
    const tokinfo *pt = &c->ti.v[p];
    /* a named actor before the verb is its subject ("President X arrived in Y");
     * a lone agent ("miners", "soldiers") is a common noun */
    int lone = pt->type == T_ACTOR && pt->unit >= 0 && c->units.v[pt->unit].actor == UINT32_MAX;
    if (!lone && pt->type != T_AGENT && pt->type != T_NOUN &&
        !(pt->type == T_NONE && (!pt->ce->pos || (pt->ce->pos & LEX_N)) && !is_prep(&S->tk[p]) && !is_finite_aux(&S->tk[p])))
        return -1;
    if (!is_prep(&S->tk[m->live[ve]]) && c->ti.v[m->live[ve]].type != T_BY) return -1;
    for (int q = ve + 1; q < m->nlive; q++) {
        const tokinfo *tq = &c->ti.v[m->live[q]];
        const token *tk = &S->tk[m->live[q]];
        if (tq->type == T_COMMA || tq->type == T_CONJ) return -1;
        /* a clause of its own begins: the finite verb is not the noun's */
        if (is_word(tk, "THAT") || is_word(tk, "WHICH") || is_word(tk, "WHO") || is_word(tk, "WHAT") || is_word(tk, "WHETHER") ||
            is_word(tk, "IF") || is_word(tk, "WHERE") || is_word(tk, "WHEN") || is_word(tk, "BECAUSE") || is_word(tk, "WHILE") || is_word(tk, "AS"))
            return -1;
        if (is_finite_aux(tk)) return q;
    }
    return -1;
}

/* The verb at live li is background when it opens such a clause itself, or
 * stands inside one that a participle before it opened ("a bill aimed at
 * forcing Rohan to pay is ...") */
static int reduced_relative(const sent *S, const mstate *m, int li, int ve) {
    if (rr_clause(S, m, li, ve) >= 0) return 1;
    for (int p = li - 1; p > 0 && p >= li - 5; p--) {
        const tokinfo *tp = &S->c->ti.v[m->live[p]];
        if (tp->type == T_COMMA || tp->type == T_CONJ || tp->type == T_AUX || is_finite_aux(&S->tk[m->live[p]])) break;
        if ((tp->ce->pos & LEX_V) && rr_clause(S, m, p, p + 1) > li) return 1;
    }
    return 0;
}

static int code_root_is(const parley_dict *d, vcode vc, const char *root) {
    uint32_t code = vc.c1 ? vc.c1 : vc.c2;
    if (!code) return 0;
    const char *cc = p_intern_str(&d->codes, code);
    return cc[0] == root[0] && cc[1] == root[1];
}

/* parley: a statement verb after a comma ("..., his family said", "..., said
 * the minister") has its speaker next to it, not earlier in the sentence.
 * Returns the slot that spoke, -1 to keep the default source, or -2 when
 * the speaker is someone with no actor code (then there is no event). */
static int attribution_source(const sent *S, int i, int vend, int src) {
    const parley_coder *c = S->c;
    int k = -1;
    for (int q = i - 1; q >= 0; q--) {
        if (c->ti.v[q].type == T_COMMA) { k = q; break; }
        if (c->ti.v[q].type == T_VERB && c->ti.v[q].phrase >= 0 && !c->ti.v[q].det) return -1;
    }
    if (k < 0 || (src >= 0 && c->slots.v[src].start > k)) return -1;
    int near = -1;
    for (size_t s = 0; s < c->slots.n; s++) {
        int st = c->slots.v[s].start;
        if (st > k && st < i) near = (int)s;
    }
    if (near >= 0) return near;
    if (k == i - 1) {
        /* ", said the Gondorian envoy": the speaker follows the verb */
        for (size_t s = 0; s < c->slots.n; s++) {
            int st = c->slots.v[s].start;
            if (st >= vend && st < vend + 4) return (int)s;
        }
        return -1;
    }
    for (int q = k + 1; q < i; q++) {
        const tokinfo *tq = &c->ti.v[q];
        if (tq->type == T_NOUN || (tq->type == T_VERB && tq->det) || (tq->type == T_NONE && (tq->ce->pos & LEX_N) && !is_prep(&S->tk[q]) && !is_finite_aux(&S->tk[q]) && !(S->tk[q].flags & TK_NUMBER)))
            return -2;
    }
    return -1;
}

static int slot_at(const parley_coder *c, int tokpos) { return c->slot_of.v[tokpos]; }

/* The slot of a possessive ("its", "their", "Rohan's") that opens the noun
 * phrase an event word at i heads, with only modifiers between; -1 if none */
static int possessor_slot(const sent *S, int i) {
    const parley_coder *c = S->c;
    for (int q = i - 1; q >= 0 && q >= i - 6; q--) {
        const token *u = &S->tk[q];
        uint8_t ty = c->ti.v[q].type;
        /* "his"/"her" are left out: they mostly point back at the subject anyway */
        int poss = (ty == T_PRON && (is_word(u, "ITS") || is_word(u, "THEIR"))) ||
                   ((ty == T_ACTOR || ty == T_AGENT) && u->len > 2 && !memcmp(u->s + u->len - 2, "'S", 2));
        if (poss) {
            for (size_t k = 0; k < c->slots.n; k++)
                if (c->slots.v[k].start <= q && q < c->slots.v[k].end && !c->ti.v[c->slots.v[k].start].deleted) return (int)k;
            return -1;
        }
        if (ty == T_NONE ? (is_prep(u) || is_finite_aux(u) || word_has(u, WC_TO)) : !(ty == T_CONJ || ty == T_NUM || ty == T_ADJ || ty == T_NOUN ||
                                                                                    (ty == T_VERB && c->ti.v[q].det)))
            return -1;
    }
    return -1;
}

/* live index of the end of a slot starting at live index li */
static int slot_end_live(const mstate *m, int li, int slot) {
    const parley_coder *c = m->S->c;
    int e = c->slots.v[slot].end;
    while (li < m->nlive && m->live[li] < e) li++;
    return li;
}

static int seq_match(mstate *m, const pword *w, uint32_t nw, int li, int lim, int *out_end) {
    const token *tk = m->S->tk;
    int p = li;
    for (uint32_t k = 0; k < nw; k++) {
        if (k == 0) {
            if (p >= lim || !word_match_ce(m->S->d, w[0], &tk[m->live[p]], m->S->c->ti.v[m->live[p]].ce->lemma)) return 0;
            p++;
            continue;
        }
        int adj = (w[k - 1].flags & PW_ADJ) != 0;
        int q = p;
        int qlim = adj ? p + 1 : lim;
        if (qlim > lim) qlim = lim;
        for (; q < qlim; q++) if (word_match_ce(m->S->d, w[k], &tk[m->live[q]], m->S->c->ti.v[m->live[q]].ce->lemma)) break;
        if (q >= qlim) return 0;
        p = q + 1;
    }
    *out_end = p;
    return 1;
}

/* Are all the bits of a pattern's literal mask among the sentence's? */
static inline int mask_in(const uint64_t pm[4], const uint64_t smask[4]) {
    return !((pm[0] & ~smask[0]) | (pm[1] & ~smask[1]) | (pm[2] & ~smask[2]) | (pm[3] & ~smask[3]));
}

/* Required word q of a pattern (nreq_pre of them before the verb) is in
 * the sentence on its side of the verb [i, span_end). */
static inline int req_in_place(const parley_coder *c, uint32_t w, uint16_t q, uint16_t nreq_pre, int i, int span_end) {
    return has_word_id(c, w) && (q < nreq_pre ? c->wpos[w].first < i : c->wpos[w].last >= span_end);
}

/* Can the anchored pattern still match, on what its anchor says? */
static inline int anchor_ok(const parley_coder *c, const anchor *an, const uint64_t smask[4], int i, int span_end) {
    if (!mask_in(an->mask, smask)) return 0;
    for (uint16_t q = 0; q < an->nin; q++)
        if (!req_in_place(c, an->req[q], q, an->nreq_pre, i, span_end)) return 0;
    return 1;
}

/* First-letter bits of a token and of its lemma ("WENT" can be GO). */
static inline uint64_t tok_first(const cache_ent *e) {
    return (e->first[0] ? 1ULL << (e->first[0] & 63) : 0) | (e->first[1] ? 1ULL << (e->first[1] & 63) : 0);
}

/* Can alternative a start anywhere in this sentence?  Worked out once per
 * sentence: most alternatives start with words the sentence lacks, and then
 * no position need be tried. */
static int alt_possible_now(parley_coder *c, uint32_t a);
static inline int alt_possible(parley_coder *c, uint32_t a) {
    return c->alt_gen[a] == c->gen ? c->alt_ok[a] : alt_possible_now(c, a);
}
static int alt_possible_now(parley_coder *c, uint32_t a) {
    const parley_dict *d = c->d;
    const palt *al = &d->alts.v[a];
    int ok = al->nstem > 0 && (al->stem_first & c->sfirst);
    if (!ok && al->nfw <= c->sentwords.n) {
        for (uint32_t q = 0; q < al->nfw && !ok; q++) ok = has_word_id(c, al->fw[q]);
    } else {
        for (size_t w = 0; w < c->sentwords.n && !ok; w++) {
            uint32_t wid = c->sentwords.v[w];
            if (!al->nfw || !word_bloom_has(al->fbloom, al->fbloom_bits, wid)) continue;
            for (size_t h = anchor_slot(a, wid, d->alt_tab_mask); d->alt_tab[h].count; h = (h + 1) & d->alt_tab_mask)
                if (d->alt_tab[h].owner == a && d->alt_tab[h].w == wid) { ok = 1; break; }
        }
    }
    c->alt_gen[a] = c->gen;
    c->alt_ok[a] = (uint8_t)ok;
    return ok;
}

/* Matches elements el[k..ke) in live positions [li, lim).  `anchored`: the
 * first element must start exactly at li.  `must_end`: when >= 0 the last
 * element must end exactly there. */
static int match_elems(mstate *m, const pelem *el, int k, int ke, int li, int lim, int anchored, int must_end) {
    if (++m->steps > 20000) return 0;
    if (k == ke) return must_end < 0 || li == must_end;
    const pelem *e = &el[k];
    int adj = e->kind == PE_WORD ? (e->adj & 1) : e->adj;
    int last = lim;
    if (anchored) last = li + 1 < lim ? li + 1 : lim;
    parley_coder *c = m->S->c;
    if (e->kind == PE_ALT && !alt_possible(c, e->arg)) return 0;
    if (e->kind == PE_WORD && e->arg < c->nwbits) {
        /* a word (whole, or a stem: every pattern stem is among the words a
         * token can stand for): only the tokens from the first to the last
         * that can stand for it need a look, and none when the sentence has
         * no such token (the scan below would pass over every one) */
        if (!has_word_id(c, e->arg)) return 0;
        int32_t lo = c->wpos[e->arg].first, hi = c->wpos[e->arg].last;
        while (li < last && m->live[li] < lo) li++;
        while (last > li && m->live[last - 1] > hi) last--;
    }
    if (e->kind == PE_WORD) {
        /* every way of matching a word starts the token (or its lemma) with
         * the word's first letter (word_match_ce): the scan passes over the
         * other tokens on one test */
        const char *w = W(m->S->d, e->arg);
        uint64_t wletter = w[0] ? 1ULL << ((unsigned char)w[0] & 63) : ~0ULL;
        const int *live = m->live;
        const uint64_t *tf = c->tokfirst.v;
        pword pw = {e->arg, (uint8_t)(e->adj >> 1)};
        for (int p = li; p < last; p++) {
            if (!(tf[live[p]] & wletter)) continue;
            const tokinfo *tp = &c->ti.v[live[p]];
            /* a word of an actor is the actor's; a lone agent's words ("aid"
             * in "military aid") stay visible to patterns */
            if (tp->unit >= 0 && c->units.v[tp->unit].actor != UINT32_MAX) continue;
            {
                /* the token must be able to stand for this word */
                const uint32_t *bs = cache_bases(tp->ce);
                uint32_t q = 0;
                while (q < tp->ce->bn && bs[q] != pw.w) q++;
                if (q == tp->ce->bn) continue;
            }
            if (!word_match_ce(m->S->d, pw, &m->S->tk[live[p]], tp->ce->lemma)) continue;
            if (match_elems(m, el, k + 1, ke, p + 1, lim, adj, must_end)) return 1;
        }
        return 0;
    }
    /* alternatives and actor slots; every case continues or returns */
    for (int p = li; p < last; p++) {
        switch (e->kind) {
        case PE_ALT: {
            const palt *al = &m->S->d->alts.v[e->arg];
            /* only the alternatives whose first word this token can be, plus
             * those that start with a stem */
            const tokinfo *tp = &c->ti.v[m->live[p]];
            if (tp->unit >= 0) continue;
            uint64_t tfirst = c->tokfirst.v[m->live[p]];
            int stems = al->nstem && (al->stem_first & tfirst);
            uint32_t cands[64];
            uint32_t nc = 0;
            if (stems)
                for (uint32_t q = 0; q < al->nstem && nc < 64; q++) cands[nc++] = al->stem_seq[q];
            const uint32_t *bs = cache_bases(tp->ce);
            const parley_dict *dd = m->S->d;
            for (uint32_t b = 0; b < tp->ce->bn; b++) {
                if (!al->nfw || !word_bloom_has(al->fbloom, al->fbloom_bits, bs[b])) continue;
                size_t h = anchor_slot(e->arg, bs[b], dd->alt_tab_mask);
                for (; dd->alt_tab[h].count; h = (h + 1) & dd->alt_tab_mask) {
                    const struct anchor_run *ar = &dd->alt_tab[h];
                    if (ar->owner != e->arg || ar->w != bs[b]) continue;
                    for (uint32_t q = 0; q < ar->count && nc < 64; q++) cands[nc++] = al->fw_seq[ar->start + q];
                    break;
                }
            }
            for (uint32_t ci = 0; ci < nc; ci++) {
                uint32_t s = cands[ci];
                int end;
                if (!seq_match(m, al->words + al->start[s], al->len[s], p, lim, &end)) continue;
                uint32_t ch = 0;
                for (uint32_t q = 0; q < al->len[s]; q++) ch += WL(m->S->d, al->words[al->start[s] + q].w);
                uint32_t save = m->chars;
                m->chars += ch;
                if (match_elems(m, el, k + 1, ke, end, lim, adj, must_end)) return 1;
                m->chars = save;
            }
            continue;
        }
        case PE_SRC: case PE_TGT: case PE_COMP: case PE_SKIP: case PE_ATTR: {
            int s = slot_at(c, m->live[p]);
            if (s < 0) continue;
            if (e->kind == PE_COMP && !c->slots.v[s].compound) continue;
            int save_src = m->src, save_tgt = m->tgt, save_comp = m->comp;
            if (e->kind == PE_SRC) m->src = s;
            else if (e->kind == PE_TGT) m->tgt = s;
            else if (e->kind == PE_COMP) m->comp = s;
            if (match_elems(m, el, k + 1, ke, slot_end_live(m, p, s), lim, adj, must_end)) return 1;
            m->src = save_src; m->tgt = save_tgt; m->comp = save_comp;
            /* "$ and + are assigned to the first actor encountered" */
            return 0;
        }
        default: continue;
        }
    }
    return 0;
}

/* Tries one pattern against verb at live positions [vs, ve) of the clause. */
static int pattern_match(mstate *m, const pattern *pt, int vs, int ve) {
    m->src = m->tgt = m->comp = -1;
    m->chars = 0;
    m->steps = 0;
    const pelem *el = pt->el;
    int va = pt->verb_at;
    /* pre-verb part: must end before the verb; adjacent if it says so */
    if (va > 0) {
        const pelem *lastpre = &el[va - 1];
        int adj_to_verb = lastpre->kind == PE_WORD ? (lastpre->adj & 1) : lastpre->adj;
        if (adj_to_verb) {
            if (!match_elems(m, el, 0, va, 0, vs, 0, vs)) return 0;
        } else if (!match_elems(m, el, 0, va, 0, vs, 0, -1)) return 0;
    }
    if (va + 1 < pt->nel) {
        int verb_adj = el[va].adj & 1;
        int s0 = m->src, t0 = m->tgt, c0 = m->comp;
        uint32_t ch0 = m->chars;
        if (!match_elems(m, el, va + 1, pt->nel, ve, m->nlive, verb_adj, -1)) { m->src = s0; m->tgt = t0; m->comp = c0; m->chars = ch0; return 0; }
    }
    return 1;
}

/* --------------------------------------------------------------- events */

typedef struct evout {
    const parley_doc *doc;
    int sentence;
    const char *text; size_t len;
    parley_event_fn fn; void *ud;
    int emitted, stop;
    p_buf seen;            /* events already emitted for this sentence */
} evout;

typedef struct pending_ev {
    int src, tgt;          /* slots, -1 */
    vcode code;
    int verb_tok, verb_end;
    const pattern *pat;    /* NULL: the verb's own code */
    const phrase *vph;
    int passive, clause, comp_designated;
    int32_t date;
} pending_ev;

static void slot_codes(const parley_coder *c, int s, code_list *out, unit_list *units) {
    out->n = 0;
    units->n = 0;
    if (s < 0) return;
    const slot *sl = &c->slots.v[s];
    /* a compound source and target give count x count events: the cap keeps
     * one crafted list from turning a sentence into millions of events */
    int n = c->opts.max_compound > 0 && sl->count > c->opts.max_compound ? c->opts.max_compound : sl->count;
    for (int k = 0; k < n; k++) {
        const unit *u = &c->units.v[sl->first + k];
        P_PUSH(*out, u->code);
        P_PUSH(*units, sl->first + k);
    }
}

static void span_text(p_buf *b, const char *text, const token *tk, int a, int e) {
    if (a >= e) return;
    p_buf_put(b, text + tk[a].off, tk[e - 1].end - tk[a].off);
}

static void pattern_text(p_buf *b, const parley_dict *d, const pattern *pt) {
    for (uint16_t i = 0; i < pt->nel; i++) {
        const pelem *e = &pt->el[i];
        if (i) p_buf_putc(b, ' ');
        switch (e->kind) {
        case PE_WORD: p_buf_puts(b, W(d, e->arg)); break;
        case PE_ALT: {
            const palt *al = &d->alts.v[e->arg];
            p_buf_putc(b, '{');
            for (uint32_t s = 0; s < al->nseq && s < 4; s++) {
                if (s) p_buf_puts(b, "|");
                for (uint32_t q = 0; q < al->len[s]; q++) { if (q) p_buf_putc(b, ' '); p_buf_puts(b, W(d, al->words[al->start[s] + q].w)); }
            }
            if (al->nseq > 4) p_buf_puts(b, "|...");
            p_buf_putc(b, '}');
            break;
        }
        case PE_SRC: p_buf_putc(b, '$'); break;
        case PE_TGT: p_buf_putc(b, '+'); break;
        case PE_COMP: p_buf_putc(b, '%'); break;
        case PE_SKIP: p_buf_putc(b, '^'); break;
        case PE_ATTR: p_buf_putc(b, '@'); break;
        case PE_VERB: p_buf_putc(b, '*'); break;
        }
    }
}

/* The `why` lines of a pattern or an actor are the same each time it is
 * used, and building and escaping them was a sixth of an event's cost:
 * each coder keeps the escaped line, keyed by the bytes of what it says. */
#define WHY_SLOTS 4096
#define WHY_MEMO_MAX (1u << 20)

static const struct why_slot *why_find(parley_coder *c, const void *key, size_t klen, uint64_t *h) {
    *h = p_hash_mem(key, klen) | 1;
    if (!c->why_slots) return NULL;
    const struct why_slot *w = &c->why_slots[*h & (WHY_SLOTS - 1)];
    return w->h == *h && w->klen == klen && !memcmp(c->why_memo.s + w->koff, key, klen) ? w : NULL;
}

/* remembers wb's bytes from `at` on as the line for key */
static void why_keep(parley_coder *c, uint64_t h, const void *key, size_t klen, const p_buf *wb, size_t at) {
    size_t vlen = wb->n - at;
    if (!c->why_slots && !(c->why_slots = calloc(WHY_SLOTS, sizeof *c->why_slots))) return;
    if (c->why_memo.n + klen + vlen > WHY_MEMO_MAX) {
        memset(c->why_slots, 0, WHY_SLOTS * sizeof *c->why_slots);
        p_buf_clear(&c->why_memo);
        if (klen + vlen > WHY_MEMO_MAX) return;
    }
    struct why_slot *w = &c->why_slots[h & (WHY_SLOTS - 1)];
    w->h = h;
    w->koff = (uint32_t)c->why_memo.n;
    w->klen = (uint32_t)klen;
    p_buf_put(&c->why_memo, key, klen);
    w->voff = (uint32_t)c->why_memo.n;
    w->vlen = (uint32_t)vlen;
    p_buf_put(&c->why_memo, wb->s + at, vlen);
}

static void why_actor(p_buf *b, parley_coder *c, int unit_i, const char *role) {
    const parley_dict *d = c->d;
    const unit *u = &c->units.v[unit_i];
    p_buf_puts(b, ",");
    /* what the line says: dated entry, entry, agent, role, resolved code
     * (in this order, the key has no padding) */
    struct why_actor_key { const acode *used; uint32_t actor; int32_t agent; char role; char code[sizeof u->code]; } k;
    k.used = u->used;
    k.actor = u->actor;
    k.agent = u->agent;
    k.role = role[0];
    size_t cl = strnlen(u->code, sizeof u->code);
    memcpy(k.code, u->code, cl);
    size_t klen = offsetof(struct why_actor_key, code) + cl;
    uint64_t h;
    const struct why_slot *w = why_find(c, &k, klen, &h);
    if (w) { p_buf_put(b, c->why_memo.s + w->voff, w->vlen); return; }
    size_t at = b->n;
    p_buf *b2 = &c->why_tmp;
    p_buf_clear(b2);
    if (u->actor != UINT32_MAX) {
        const actor *a = &d->actors.v[u->actor];
        p_buf_puts(b2, role);
        p_buf_putc(b2, ' ');
        p_buf_puts(b2, u->code);
        p_buf_puts(b2, ": ");
        p_buf_puts(b2, p_intern_str(&d->files, a->file));
        p_buf_putc(b2, ':');
        p_buf_putu(b2, u->used ? u->used->line : a->line);
        if (u->used && !(u->used->flags & AC_DEFAULT)) {
            p_buf_puts(b2, " (dated ");
            p_buf_puti(b2, u->used->lo);
            p_buf_puts(b2, "..");
            p_buf_puti(b2, u->used->hi);
            p_buf_putc(b2, ')');
        }
    }
    if (u->agent >= 0) {
        const agent *g = &d->agents.v[u->agent];
        p_buf_puts(b2, b2->n ? " + agent " : "agent ");
        p_buf_puts(b2, p_intern_str(&d->files, g->file));
        p_buf_putc(b2, ':');
        p_buf_putu(b2, g->line);
    }
    p_buf_json_str(b, b2->s ? b2->s : "", b2->n);
    why_keep(c, h, &k, klen, b, at);
}

/* The verb's line: the pattern that coded it, or the bare verb and code. */
static void why_verb(p_buf *wb, parley_coder *c, const pending_ev *pe, const char *code) {
    const parley_dict *d = c->d;
    struct { const void *what; const char *code; } k = {pe->pat, pe->pat ? NULL : code};
    if (!pe->pat) k.what = &d->verbs.v[pe->vph->target];
    uint64_t h;
    const struct why_slot *w = why_find(c, &k, sizeof k, &h);
    if (w) { p_buf_put(wb, c->why_memo.s + w->voff, w->vlen); return; }
    size_t at = wb->n;
    p_buf *v = &c->why_tmp;
    p_buf_clear(v);
    if (pe->pat) {
        p_buf_puts(v, "verb pattern ");
        p_buf_puts(v, p_intern_str(&d->files, pe->pat->file));
        p_buf_putc(v, ':');
        p_buf_putu(v, pe->pat->line);
        p_buf_puts(v, ": - ");
        pattern_text(v, d, pe->pat);
        p_buf_puts(v, " [");
        p_buf_puts(v, p_intern_str(&d->codes, pe->pat->code.c1));
        p_buf_putc(v, ']');
    } else {
        const verb *vb = &d->verbs.v[pe->vph->target];
        p_buf_puts(v, "verb ");
        p_buf_puts(v, p_intern_str(&d->files, vb->file));
        p_buf_putc(v, ':');
        p_buf_putu(v, vb->line);
        p_buf_puts(v, ": ");
        p_buf_puts(v, vb->label ? W(d, vb->label - 1) : "?");
        p_buf_puts(v, " [");
        p_buf_puts(v, code);
        p_buf_putc(v, ']');
    }
    p_buf_json_str(wb, v->s, v->n);
    why_keep(c, h, &k, sizeof k, wb, at);
}

static void emit(sent *S, evout *eo, const pending_ev *pe) {
    parley_coder *c = S->c;
    const parley_dict *d = S->d;
    code_list sc = c->emit_codes[0], tc = c->emit_codes[1];
    unit_list su = c->emit_units[0], tu = c->emit_units[1];
    slot_codes(c, pe->src, &sc, &su);
    slot_codes(c, pe->tgt, &tc, &tu);
    const char *nul = NULL;
    int nodef_src = !sc.n, nodef_tgt = !tc.n;
    if (!sc.n && c->opts.def_src[0]) { P_PUSH(sc, c->opts.def_src); P_PUSH(su, -1); }
    if (!tc.n && c->opts.def_tgt[0]) { P_PUSH(tc, c->opts.def_tgt); P_PUSH(tu, -1); }
    int need_both = c->opts.tabari_compat || c->opts.require_dyad;
    if (!sc.n && !need_both) { P_PUSH(sc, nul); P_PUSH(su, -1); }
    if (!tc.n && !need_both) { P_PUSH(tc, nul); P_PUSH(tu, -1); }
    (void)nodef_src; (void)nodef_tgt;
    /* A compound that is its own target: "A and B restored ties" is A->B
     * (and B->A with the second code of a pair); "%" asks for both ways. */
    int self_paired = pe->src >= 0 && pe->src == pe->tgt && !pe->comp_designated;
    for (size_t a = 0; a < sc.n && !eo->stop; a++)
        for (size_t b = 0; b < tc.n && !eo->stop; b++)
            for (int pass = 0; pass < 2 && !eo->stop; pass++) {
                if (pass == 1 && !(pe->code.flags & VC_PAIRED)) break;
                /* the reverse of a paired event needs both actors; parley: both
                 * identified -- "B met A" is inferred, and an inferred event
                 * with a side of no country places nothing ("---MIL") */
                if (pass == 1 && (!sc.v[a] || !tc.v[b])) break;
                if (pass == 1 && !c->opts.tabari_compat && (!strncmp(sc.v[a], "---", 3) || !strncmp(tc.v[b], "---", 3))) break;
                uint32_t cid = pass == 0 ? pe->code.c1 : pe->code.c2;
                const char *code = p_intern_str(&d->codes, cid);
                /* "A and B" as both sides of a paired code: A->B first code,
                 * B->A second (TABARI 6.6.3), not every direction twice */
                if (self_paired && a >= b) continue;
                const char *sa = pass == 0 ? sc.v[a] : tc.v[b];
                const char *ta = pass == 0 ? tc.v[b] : sc.v[a];
                int ua = pass == 0 ? su.v[a] : tu.v[b];
                int ub = pass == 0 ? tu.v[b] : su.v[a];
                if (sa && ta && !strcmp(sa, ta)) continue;
                if (!sa && !ta) continue;
                /* coded compounds "A/B" fan out */
                char sbuf[64], tbuf[64];
                const char *sp = sa ? sa : "", *tp = ta ? ta : "";
                for (const char *x = sp;;) {
                    const char *xs = strchr(x, '/');
                    size_t xl = xs ? (size_t)(xs - x) : strlen(x);
                    p_copy(sbuf, sizeof sbuf, x, xl);
                    for (const char *y = tp;;) {
                        const char *ys = strchr(y, '/');
                        size_t yl = ys ? (size_t)(ys - y) : strlen(y);
                        p_copy(tbuf, sizeof tbuf, y, yl);
                        /* "\nSRC|TGT|CODE\n": the story-level duplicate key */
                        char key[200];
                        {
                            p_buf kb = {key, 0, sizeof key};
                            size_t sl = sa ? strlen(sbuf) : 1, tl = ta ? strlen(tbuf) : 1, cl = strlen(code);
                            if (sl + tl + cl + 5 > sizeof key) cl = 0; /* codes are short; never reached */
                            kb.s[kb.n++] = '\n';
                            memcpy(kb.s + kb.n, sa ? sbuf : "-", sl), kb.n += sl;
                            kb.s[kb.n++] = '|';
                            memcpy(kb.s + kb.n, ta ? tbuf : "-", tl), kb.n += tl;
                            kb.s[kb.n++] = '|';
                            memcpy(kb.s + kb.n, code, cl), kb.n += cl;
                            kb.s[kb.n++] = '\n';
                            kb.s[kb.n] = 0;
                        }
                        int dup = eo->seen.n && strstr(eo->seen.s, key) != NULL;
                        if (!dup) p_buf_put(&eo->seen, key, strlen(key));
                        if (!dup && !(sa && ta && !strcmp(sbuf, tbuf))) {
                            p_buf *wb = &c->why;
                            p_buf_clear(wb);
                            p_buf_putc(wb, '[');
                            why_verb(wb, c, pe, code);
                            if (ua >= 0) why_actor(wb, c, ua, "source");
                            else if (sa) { p_buf_puts(wb, ","); p_buf_json_str(wb, "source: default", 15); }
                            if (ub >= 0) why_actor(wb, c, ub, "target");
                            if (pe->passive) { p_buf_puts(wb, ","); p_buf_json_str(wb, "rule: passive voice (source and target swapped)", 48); }
                            if (pass == 1) { p_buf_puts(wb, ","); p_buf_json_str(wb, "rule: paired code", 17); }
                            if (pe->src >= 0 && c->slots.v[pe->src].compound) { p_buf_puts(wb, ","); p_buf_json_str(wb, "rule: compound source", 21); }
                            if (pe->tgt >= 0 && c->slots.v[pe->tgt].compound) { p_buf_puts(wb, ","); p_buf_json_str(wb, "rule: compound target", 21); }
                            p_buf_putc(wb, ']');
                            p_buf *tb = &c->scratch;
                            p_buf_clear(tb);
                            int ps = pass == 0 ? pe->src : pe->tgt, pt2 = pass == 0 ? pe->tgt : pe->src;
                            size_t so = 0, to = 0, vo = 0;
                            if (ps >= 0) span_text(tb, eo->text, S->tk, c->slots.v[ps].start, c->slots.v[ps].end);
                            p_buf_putc(tb, 0);
                            to = tb->n;
                            if (pt2 >= 0) span_text(tb, eo->text, S->tk, c->slots.v[pt2].start, c->slots.v[pt2].end);
                            p_buf_putc(tb, 0);
                            vo = tb->n;
                            span_text(tb, eo->text, S->tk, pe->verb_tok, pe->verb_end);
                            p_buf_putc(tb, 0);
                            size_t txo = tb->n;
                            p_buf_put(tb, eo->text, eo->len);
                            p_buf_putc(tb, 0);
                            parley_event ev;
                            memset(&ev, 0, sizeof ev);
                            ev.doc_id = eo->doc && eo->doc->id ? eo->doc->id : "";
                            ev.sentence = eo->sentence;
                            ev.date = pe->date;
                            ev.source = sa ? sbuf : NULL;
                            ev.target = ta ? tbuf : NULL;
                            ev.code = code;
                            ev.source_text = ps >= 0 ? tb->s + so : NULL;
                            ev.target_text = pt2 >= 0 ? tb->s + to : NULL;
                            ev.verb_text = tb->s + vo;
                            ev.sentence_text = tb->s + txo;
                            ev.issues = c->out_codes.n ? c->out_codes.s : NULL;
                            ev.why = wb->s;
                            ev.passive = pe->passive;
                            ev.sentence_offset = eo->doc && eo->doc->text && eo->text >= eo->doc->text &&
                                                         eo->text <= eo->doc->text + eo->doc->text_len
                                                     ? (long)(eo->text - eo->doc->text) : -1;
                            ev.source_offset = ps >= 0 ? (int)S->tk[c->slots.v[ps].start].off : -1;
                            ev.target_offset = pt2 >= 0 ? (int)S->tk[c->slots.v[pt2].start].off : -1;
                            ev.verb_offset = (int)S->tk[pe->verb_tok].off;
                            ev.publisher = eo->doc ? eo->doc->source : NULL;
                            ev.url = eo->doc ? eo->doc->url : NULL;
                            /* places only for sentences that made an event (src/geo) */
                            if (c->geo) {
                                geo_place_event(c->geo, eo->doc, eo->text, eo->len, S->tk, S->n, c->tz.all_caps, &ev);
                                geo_why(wb, &c->why_tmp, &ev.place);
                                ev.why = wb->s;
                            }
                            eo->emitted++;
                            if (eo->fn && eo->fn(eo->ud, &ev)) eo->stop = 1;
                        }
                        if (!ys) break;
                        y = ys + 1;
                    }
                    if (!xs) break;
                    x = xs + 1;
                }
            }
    /* the coder keeps their storage for the next event */
    c->emit_codes[0] = sc, c->emit_codes[1] = tc;
    c->emit_units[0] = su, c->emit_units[1] = tu;
}

/* A slot made only of agents with no actor ("---GOV"). */
static int slot_lone(const parley_coder *c, int k) {
    const slot *sl = &c->slots.v[k];
    for (int q = 0; q < sl->count; q++) if (c->units.v[sl->first + q].actor != UINT32_MAX) return 0;
    return 1;
}

static int slot_first_code_eq(const parley_coder *c, int a, int b) {
    if (a < 0 || b < 0) return 0;
    return !strcmp(c->units.v[c->slots.v[a].first].code, c->units.v[c->slots.v[b].first].code);
}

/* Has a main (not subordinate) event already a statement (root 01) by the
 * speaker in slot src? */
static int statement_by(const parley_coder *c, const pending_ev *v, size_t n, int src) {
    for (size_t k = 0; k < n; k++)
        if (!(v[k].code.flags & VC_SUBORD) && v[k].src >= 0 && (v[k].src == src || slot_first_code_eq(c, v[k].src, src)) &&
            code_root_is(c->d, v[k].code, "01"))
            return 1;
    return 0;
}

/* ------------------------------------------------------------- driver */

static void issues_scan(sent *S) {
    parley_coder *c = S->c;
    const parley_dict *d = S->d;
    p_buf_clear(&c->out_codes);
    if (!d->issues.n) return;
    int seen_ignore_end = -1;
    for (int i = 0; i < S->n; i++) {
        uint32_t nc;
        const uint32_t *cand = candidates(c->ti.v[i].ce, &nc);
        for (uint32_t k = 0; k < nc; k++) {
            if ((cand[2 * k] >> 28) != K_ISSUE) continue;
            const phrase *ph = &d->phrases.v[cand[2 * k] & 0x0FFFFFFF];
            int end;
            if (!phrase_match_at(c, ph, i, S->n, &end)) continue;
            const issue *is = &d->issues.v[ph->target];
            if (is->ignore) { seen_ignore_end = end; continue; }
            if (i < seen_ignore_end) continue;
            const char *code = p_intern_str(&d->codes, is->code);
            /* no duplicates */
            size_t cl = strlen(code);
            int dup = 0;
            for (const char *p = c->out_codes.s; p && *p;) {
                const char *q = strchr(p, ',');
                size_t l = q ? (size_t)(q - p) : strlen(p);
                if (l == cl && !memcmp(p, code, cl)) { dup = 1; break; }
                if (!q) break;
                p = q + 1;
            }
            if (dup) continue;
            if (c->out_codes.n) p_buf_putc(&c->out_codes, ',');
            p_buf_puts(&c->out_codes, code);
        }
    }
}

static int32_t add_days(int32_t ymd, int days) { return p_from_day_number(p_day_number(ymd) + days); }

/* Is any of TABARI's complexity filters (manual 8.7) on? */
static int any_cx_filter(const options *o) {
    return o->cx_verbs || o->cx_actors || o->cx_pronouns || o->cx_conj || o->cx_comma || o->cx_lateverb || o->cx_noactprior ||
           o->cx_noactafter || o->cx_noverb || o->cx_nosource || o->cx_notarget || o->cx_noevent;
}

/* Could a verb of the sentence, coded in any clause, discard it or call it
 * complex?  Its own code or one of its patterns, in any block that lists
 * the form (the clause loop may take any of them): phrase.may_flag, made
 * at load. */
static int verb_may_flag(const sent *S) {
    const parley_coder *c = S->c;
    for (int i = 0; i < S->n; i++) {
        const tokinfo *ti = &c->ti.v[i];
        if (ti->type == T_VERB && ti->phrase >= 0 && S->d->phrases.v[ti->phrase].may_flag) return 1;
    }
    return 0;
}

/* With no named actor, can coding the sentence still make an event (from
 * a default actor), discard it or call it complex (through a verb)?  The
 * two early exits of parley_code_sentence ask this. */
static int may_act_unnamed(const options *o, const sent *S) {
    return o->def_src[0] || o->def_tgt[0] || verb_may_flag(S);
}

parley_status parley_code_sentence(parley_coder *c, const parley_doc *doc, int sentence_index, const char *text,
                                   size_t len, parley_event_fn fn, void *ud, parley_sentence_fate *fate,
                                   parley_error *err) {
    parley_sentence_fate f = PARLEY_FATE_NOEVENT;
    if (fate) *fate = f;
    if (!c || (!text && len)) { p_set_error(err, PARLEY_ERR_ARG, "no coder or text"); return PARLEY_ERR_ARG; }
    const options *o = &c->opts;
    if (o->max_sentence_bytes > 0 && len > (size_t)o->max_sentence_bytes) {
        if (fate) *fate = PARLEY_FATE_TOO_LONG;
        p_set_error(err, PARLEY_ERR_LIMIT, "sentence of %zu bytes is over the limit of %d (max_sentence_bytes)", len, o->max_sentence_bytes);
        return PARLEY_ERR_LIMIT;
    }
    tokenize(&c->tz, text, len);
    sent S;
    memset(&S, 0, sizeof S);
    S.c = c;
    S.d = c->d;
    S.tk = c->tz.toks.v;
    S.n = (int)c->tz.toks.n;
    S.date = doc && doc->date ? doc->date : o->default_date;
    if (o->max_tokens > 0 && S.n > o->max_tokens) {
        if (fate) *fate = PARLEY_FATE_TOO_LONG;
        p_set_error(err, PARLEY_ERR_LIMIT, "sentence of %d tokens is over the limit of %d (max_tokens)", S.n, o->max_tokens);
        return PARLEY_ERR_LIMIT;
    }
    if (o->min_words > 0 && S.n < o->min_words) { if (fate) *fate = PARLEY_FATE_TOO_SHORT; return PARLEY_OK; }
    if (c->ti.cap < (size_t)S.n + 1) c->ti.v = p_grow(c->ti.v, &c->ti.cap, (size_t)S.n + 1, sizeof(tokinfo));
    c->ti.n = (size_t)S.n;
    if (++c->gen == 0) { memset(c->alt_gen, 0, (c->d->alts.n + 1) * sizeof *c->alt_gen); c->gen = 1; }
    /* the previous sentence's words leave the bitmap */
    for (size_t k = 0; k < c->sentwords.n; k++) c->wbits[c->sentwords.v[k] >> 6] = 0;
    c->sentwords.n = 0;
    /* the caches make room now if ever (one coder's grows, a coder's own
     * empties): not while the sentence holds pointers to their entries */
    c->sent_n = (size_t)S.n;
    if (lexcache_room(c->lc, (size_t)S.n) || (c->own && lexcache_room(c->own, (size_t)S.n))) {
        fputs("parley: out of memory\n", stderr);
        abort();
    }
    c->lc_tab = c->lc->tab; /* moved if it grew, or when the coder was first cloned */
    c->lc_mask = c->lc->mask;
    c->sfirst = 0;
    /* the cache is bigger than the processor's caches: ask for every slot
     * the sentence needs before reading any, so the misses overlap */
    if (c->tokhash.cap < (size_t)S.n) c->tokhash.v = p_grow(c->tokhash.v, &c->tokhash.cap, (size_t)S.n, sizeof(uint64_t));
    if (c->tokfirst.cap < (size_t)S.n) c->tokfirst.v = p_grow(c->tokfirst.v, &c->tokfirst.cap, (size_t)S.n, sizeof(uint64_t));
    for (int i = 0; i < S.n; i++) {
        uint64_t h = p_hash_mem(S.tk[i].s, S.tk[i].len);
        c->tokhash.v[i] = h;
        __builtin_prefetch(&c->lc_tab[h & c->lc_mask]);
    }
    /* then every entry, asking for the block of each (its words) */
    for (int i = 0; i < S.n; i++) {
        const cache_ent *e = lex_lookup(c, &S.tk[i], c->tokhash.v[i]);
        c->ti.v[i].ce = e;
        __builtin_prefetch(cache_bases(e) - 2); /* the counts, then the words */
    }
    /* each word the sentence can hold, once: its first and last token, its
     * bit in the sentence's mask, and whether some pattern is filed under it */
    uint64_t smask[4] = {0, 0, 0, 0};
    c->anchwords.n = 0;
    for (int i = 0; i < S.n; i++) {
        const cache_ent *e = c->ti.v[i].ce;
        c->tz.toks.v[i].wcls = e->wcls;
        c->tokfirst.v[i] = tok_first(e);
        c->sfirst |= c->tokfirst.v[i];
        const uint32_t *bs = cache_bases(e);
        for (uint32_t k = 0; k < e->bn; k++) {
            uint32_t w = bs[k];
            if (w >= c->nwbits) continue;
            if (has_word_id(c, w)) { c->wpos[w].last = i; continue; }
            c->wbits[w >> 6] |= 1ULL << (w & 63);
            c->wpos[w].first = c->wpos[w].last = i;
            P_PUSH(c->sentwords, w);
            uint32_t b = word_bit(w);
            smask[b >> 6] |= 1ULL << (b & 63);
            if (p_bit(c->d->anchor_words, c->d->n_anchor_words, w)) P_PUSH(c->anchwords, w);
        }
    }
    classify(&S);
    if (S.discard) { if (fate) *fate = S.story_discard ? PARLEY_FATE_STORY_DISCARD : PARLEY_FATE_DISCARD; return PARLEY_OK; }
    const parley_dict *d = c->d;
    /* outside TABARI mode an event needs a named actor, and those come only
     * from actor phrases: a sentence with none (and nothing that could still
     * discard it, call it complex or shift its date) codes nothing, and the
     * verb, actor, compound, comma and clause work below is passed over */
    if (!o->tabari_compat && !S.complex && !any_cx_filter(o)) {
        int maybe = 0;
        for (int i = 0; i < S.n && !maybe; i++) {
            const tokinfo *ti = &c->ti.v[i];
            /* classify() gave an actor phrase's tokens T_ACTOR: no phrase record is read */
            maybe = ti->phrase >= 0 && (ti->type == T_TIME || ti->type == T_ACTOR);
        }
        if (!maybe && !may_act_unnamed(o, &S)) { if (fate) *fate = PARLEY_FATE_NOEVENT; return PARLEY_OK; }
    }
    /* verbs that are really nouns (TABARI 7.4), special verb codes */
    for (int i = 0; i < S.n; i++) {
        tokinfo *ti = &c->ti.v[i];
        /* classify() gave the tokens of a verb phrase its type: the phrase
         * record is read for verbs only */
        if (ti->phrase < 0 || (ti->type != T_VERB && ti->type != T_TIME)) continue;
        const phrase *ph = &d->phrases.v[ti->phrase];
        if (ph->kind != K_VERB) continue;
        const verb *vb = &d->verbs.v[ph->target];
        if (ti->type == T_TIME) {
            vcode vc = ph->has_own ? ph->own : vb->code;
            if (vc.flags & VC_DISCARD) S.discard = 1;
            continue;
        }
        int noun = 0;
        /* TABARI 7.4: after a determiner the word is a noun.  parley keeps it
         * as a noun-headed event ("a meeting between", "the airstrikes on")
         * but codes it only through a pattern, never by the bare word */
        if (i > 0 && c->ti.v[i - 1].type == T_DET) {
            if (o->tabari_compat) noun = 1;
            else ti->span_end = -ti->span_end; /* marker: pattern required */
        }
        /* parley: a word the lexicon knows only as a noun ("talks", "criticism",
         * "statements") names an event only in a construction a pattern spells
         * out ("held talks", "talks between A and B"); bare, it is usually a
         * topic ("the fight against terrorism", "amid criticism") */
        else if (o->noun_patterns && !o->tabari_compat &&
                 (((ti->ce->pos & LEX_N) && !(ti->ce->pos & LEX_V)) || np_head(&S, i) || noun_after_prep(&S, i) || noun_conjunct(&S, i)))
            ti->span_end = -ti->span_end;
        if ((S.tk[i].flags & TK_CAP) && !(S.tk[i].flags & TK_FIRST) && !c->tz.all_caps) noun = 1;
        int pattern_only = ti->span_end < 0;
        if (pattern_only) ti->span_end = -ti->span_end;
        ti->det = (uint8_t)pattern_only;
        vcode vc = ph->has_own ? ph->own : vb->code;
        if (noun) { for (int j = i; j < ti->span_end; j++) c->ti.v[j].type = T_NOUN; ti->phrase = -1; continue; }
        if ((vc.flags & VC_NULL) && !vb->pats.n) {
            /* null with no patterns in every block that lists it: not a verb */
            int live = 0;
            uint32_t g0 = d->vg_start.v[ph->vgroup], gn = d->vg_len.v[ph->vgroup];
            for (uint32_t gi = 0; gi < gn && !live; gi++) {
                const phrase *gph = &d->phrases.v[d->vg_phr.v[g0 + gi]];
                const verb *gv = &d->verbs.v[gph->target];
                vcode gc = gph->has_own ? gph->own : gv->code;
                live = gv->pats.n || !(gc.flags & VC_NULL);
            }
            if (!live) { for (int j = i; j < ti->span_end; j++) c->ti.v[j].type = T_NULL; continue; }
        }
        if (vc.flags & VC_DISCARD) S.discard = 1;
        if (vc.flags & VC_COMPLEX) { S.complex = 1; S.complex_why = "complex verb"; }
    }
    if (S.discard) { if (fate) *fate = PARLEY_FATE_DISCARD; return PARLEY_OK; }
    actor_units(&S);
    if (S.discard) { if (fate) *fate = PARLEY_FATE_DISCARD; return PARLEY_OK; }
    merge_titles(&S);
    compounds(&S);
    int ncomma = delete_commas(&S);
    build_slots(&S);
    clause_breaks(&S);
    issues_scan(&S);

    /* time shift (TABARI 10.5): the first time phrase moves the date */
    int32_t date = S.date;
    if (d->has_time && o->time_shift && date) {
        for (int i = 0; i < S.n; i++) {
            tokinfo *ti = &c->ti.v[i];
            if (ti->type != T_TIME || ti->phrase < 0) continue;
            const phrase *ph = &d->phrases.v[ti->phrase];
            const verb *vb = &d->verbs.v[ph->target];
            vcode vc = ph->has_own ? ph->own : vb->code;
            /* time patterns: the longest that matches */
            if (vc.flags & VC_COMPLEX) { S.complex = 1; S.complex_why = "time phrase"; break; }
            if (vc.flags & VC_TIME) { date = add_days(date, vc.shift); break; }
        }
    }

    /* complexity filters (TABARI 8.7) that need no coding */
    int nverbs = 0, nactors = (int)c->units.n, npron = 0, nconj = 0, first_verb = -1;
    for (int i = 0; i < S.n; i++) {
        const tokinfo *ti = &c->ti.v[i];
        if (ti->type == T_VERB && ti->phrase >= 0) {
            nverbs++;
            const phrase *vp = &d->phrases.v[ti->phrase];
            vcode vc = vp->has_own ? vp->own : d->verbs.v[vp->target].code;
            if (first_verb < 0 && !(vc.flags & VC_NULL)) first_verb = i;
        }
        if (ti->type == T_PRON) npron++;
        if (ti->type == T_CONJ) nconj++;
    }
    if (!S.complex) {
        if (o->cx_verbs && nverbs >= o->cx_verbs) S.complex = 1, S.complex_why = "too many verbs";
        else if (o->cx_actors && nactors >= o->cx_actors) S.complex = 1, S.complex_why = "too many actors";
        else if (o->cx_pronouns && npron >= o->cx_pronouns) S.complex = 1, S.complex_why = "too many pronouns";
        else if (o->cx_conj && nconj >= o->cx_conj) S.complex = 1, S.complex_why = "too many conjunctions";
        else if (o->cx_comma && ncomma >= o->cx_comma) S.complex = 1, S.complex_why = "too many comma clauses";
        else if (o->cx_lateverb && (first_verb < 0 || first_verb >= o->cx_lateverb)) S.complex = 1, S.complex_why = "late verb";
        else if (o->cx_noverb && first_verb < 0) S.complex = 1, S.complex_why = "no verb";
        else if (o->cx_noactprior && first_verb >= 0 && (!c->units.n || c->units.v[0].start > first_verb) && !o->def_src[0])
            S.complex = 1, S.complex_why = "no actor before the first verb";
        else if (o->cx_noactafter && first_verb >= 0 && (!c->units.n || c->units.v[c->units.n - 1].end <= first_verb))
            S.complex = 1, S.complex_why = "no actor after the first verb";
    }
    if (S.complex) { if (fate) *fate = PARLEY_FATE_COMPLEX; return PARLEY_OK; }

    /* ---- code clause by clause ---- */
    P_VEC(pending_ev) evs = {0};
    int clause = 0, cstart = 0;
    int carried_src = -1;
    int stop_sentence = 0;
    int have_sub = -1;
    int second_pass = 0;
    /* an event needs an actor slot to fill (or a default actor), and
     * outside TABARI mode one that names more than a lone agent: without
     * one, the clause loop and its comma-clause second pass can only
     * discard the sentence or call it complex, and only through a verb
     * that has such a code; with none of those it is passed over */
    int named = 0;
    for (size_t k = 0; k < c->slots.n && !named; k++) named = o->tabari_compat || !slot_lone(c, (int)k);
    if (!named && !may_act_unnamed(o, &S)) goto clauses_done;
again:
    while (cstart < S.n && !stop_sentence) {
        int cend = cstart;
        while (cend < S.n && !c->ti.v[cend].clause_break) cend++;
        if (c->live.cap < (size_t)S.n) c->live.v = p_grow(c->live.v, &c->live.cap, (size_t)S.n, sizeof *c->live.v);
        size_t nl = 0;
        for (int i = cstart; i < cend; i++) if (!c->ti.v[i].deleted) c->live.v[nl++] = i;
        c->live.n = nl;
        mstate m;
        memset(&m, 0, sizeof m);
        m.S = &S;
        m.live = c->live.v;
        m.nlive = (int)c->live.n;
        int clause_first_slot = -1;
        for (size_t k = 0; k < c->slots.n; k++)
            if (c->slots.v[k].start >= cstart && c->slots.v[k].start < cend && !c->ti.v[c->slots.v[k].start].deleted) { clause_first_slot = (int)k; break; }
        int coded_in_clause = 0;
        /* the first and last live positions that start an actor slot: a
         * pattern with a slot before (after) the verb needs one there */
        int slot_lo = m.nlive, slot_hi = -1;
        for (int li = 0; li < m.nlive; li++)
            if (slot_at(c, m.live[li]) >= 0) { if (slot_lo == m.nlive) slot_lo = li; slot_hi = li; }
        for (int li = 0; li < m.nlive && !stop_sentence; li++) {
            int i = m.live[li];
            tokinfo *ti = &c->ti.v[i];
            if (ti->type != T_VERB || ti->phrase < 0) continue;
            const phrase *ph = &d->phrases.v[ti->phrase];
            int ve = li;
            while (ve < m.nlive && m.live[ve] < ti->span_end) ve++;
            uint8_t sides = (uint8_t)((slot_lo < li ? 1 : 0) | (slot_hi >= ve ? 2 : 0));
            const pattern *best = NULL;
            const phrase *best_ph = ph;
            int bsrc = -1, btgt = -1, bcomp = -1;
            uint32_t best_len = 0;
            int best_alt = 0;
            /* every block that lists this verb form contributes its patterns */
            uint32_t g0 = d->vg_start.v[ph->vgroup], gn = d->vg_len.v[ph->vgroup];
            for (uint32_t gi = 0; gi < gn; gi++) {
                const phrase *gph = &d->phrases.v[d->vg_phr.v[g0 + gi]];
                const verb *vb = &d->verbs.v[gph->target];
                if (vb->section) continue;
                const pattern *gbest = NULL;
                uint32_t gbest_len = best_len;
                int gbest_alt = best_alt;
                /* candidate patterns: those with no required word, and those
                 * filed under a word the sentence has, unless the bloom masks
                 * or the first required words say one is missing or on the
                 * wrong side of the verb; in length order.
                 * (Passing over a pattern here never changes the choice:
                 * those after it are no longer, and the length rule below
                 * stops at them as it would have stopped at it.) */
                c->patcand.n = 0;
                /* few anchors: test each against the sentence's bitmap; many:
                 * look each sentence word up among them */
                if (vb->nanch && vb->narun <= 4 * c->anchwords.n) {
                    for (uint32_t r = 0; r < vb->narun; r++) {
                        if (!has_word_id(c, vb->arun_w[r])) continue;
                        for (uint32_t a = vb->arun_at[r]; a < vb->arun_at[r + 1]; a++)
                            if (anchor_ok(c, &vb->anch[a], smask, i, ti->span_end)) P_PUSH(c->patcand, vb->anch[a].pat);
                    }
                } else if (vb->nanch) {
                    uint32_t vi = (uint32_t)(vb - d->verbs.v);
                    for (size_t w = 0; w < c->anchwords.n; w++) {
                        uint32_t wid = c->anchwords.v[w];
                        if (!word_bloom_has(vb->abloom, vb->abloom_bits, wid)) continue;
                        size_t k = anchor_slot(vi, wid, d->anchor_tab_mask);
                        for (; d->anchor_tab[k].count; k = (k + 1) & d->anchor_tab_mask) {
                            const struct anchor_run *ar = &d->anchor_tab[k];
                            if (ar->owner != vi || ar->w != wid) continue;
                            for (uint32_t q = 0; q < ar->count; q++) {
                                const anchor *an = &vb->anch[ar->start + q];
                                if (anchor_ok(c, an, smask, i, ti->span_end)) P_PUSH(c->patcand, an->pat);
                            }
                            break;
                        }
                    }
                }
                /* the anchored few are sorted, then merged with the free
                 * patterns, which are in order already */
                size_t na = c->patcand.n, nf = 0;
                if (na > 1) p_sort_u32(c->patcand.v, na);
                /* a free pattern with an alternative the sentence cannot
                 * hold is passed over like a missing literal */
                if (c->patfree.cap < vb->nfree) c->patfree.v = p_grow(c->patfree.v, &c->patfree.cap, vb->nfree, sizeof(uint32_t));
                for (uint32_t k = 0; k < vb->nfree; k++)
                    if (vb->free_alt[k] == UINT32_MAX || alt_possible(c, vb->free_alt[k])) c->patfree.v[nf++] = vb->free_pats[k];
                const uint32_t *cands = c->patcand.v;
                size_t ncands = na;
                if (nf && !na) cands = c->patfree.v, ncands = nf;
                else if (nf) {
                    if (c->patmerge.cap < na + nf) c->patmerge.v = p_grow(c->patmerge.v, &c->patmerge.cap, na + nf, sizeof(uint32_t));
                    uint32_t *out = c->patmerge.v;
                    size_t a = 0, f = 0, o = 0;
                    const uint32_t *fr = c->patfree.v;
                    while (a < na && f < nf) out[o++] = c->patcand.v[a] < fr[f] ? c->patcand.v[a++] : fr[f++];
                    while (a < na) out[o++] = c->patcand.v[a++];
                    while (f < nf) out[o++] = fr[f++];
                    cands = out;
                    ncands = o;
                }
                for (size_t kk = 0; kk < ncands; kk++) {
                    uint32_t pi = cands[kk];
                    const pattern *pt = &vb->pats.v[pi];
                    /* with an alternative-matched best, patterns of the same
                     * length are still tried: a fixed pattern wins the tie */
                    if ((best || gbest) && (pt->chars < gbest_len || (pt->chars == gbest_len && !gbest_alt))) break;
                    if (vb->pat_sides[pi] & ~sides) continue;
                    /* each required word must occur on its side of the verb; the
                     * anchor checked the first three (a free pattern has none) */
                    int missing = 0;
                    for (uint16_t q = 3; q < pt->nreq && !missing; q++) missing = !req_in_place(c, pt->req[q], q, pt->nreq_pre, i, ti->span_end);
                    if (missing) continue;
                    if (!pattern_match(&m, pt, li, ve)) continue;
                    /* with alternatives, the letters actually matched decide */
                    uint32_t fixed = pt->chars;
                    uint32_t altmax = 0;
                    for (uint16_t q = 0; q < pt->nel; q++) if (pt->el[q].kind == PE_ALT) altmax += d->alts.v[pt->el[q].arg].maxchars;
                    uint32_t actual = fixed - altmax + m.chars;
                    if (!(best || gbest) || actual > gbest_len || (actual == gbest_len && gbest_alt && !altmax)) {
                        gbest = pt; gbest_len = actual; gbest_alt = altmax != 0;
                        best = pt; best_ph = gph; best_len = actual; best_alt = gbest_alt;
                        bsrc = m.src; btgt = m.tgt; bcomp = m.comp;
                    }
                    if (!altmax) break;
                }
            }
            /* no pattern: the first block with a code for the bare verb
             * (a noun-headed use, after a determiner, needs a pattern) */
            vcode own = ph->has_own ? ph->own : d->verbs.v[ph->target].code;
            /* after a preposition the noun's pattern must name a side: "amid
             * fears that ..." is the circumstance, not a statement of fear */
            if (best && ti->det && !(best->has_src || best->has_tgt || best->has_comp) && o->noun_patterns && noun_after_prep(&S, i)) best = NULL;
            if (!best && ti->det) { own.flags |= VC_NULL; gn = 0; }
            if (!best && (own.flags & VC_NULL))
                for (uint32_t gi = 0; gi < gn; gi++) {
                    const phrase *gph = &d->phrases.v[d->vg_phr.v[g0 + gi]];
                    vcode o2 = gph->has_own ? gph->own : d->verbs.v[gph->target].code;
                    if (!(o2.flags & VC_NULL) && !d->verbs.v[gph->target].section) { own = o2; best_ph = gph; break; }
                }
            ph = best_ph;
            vcode vc = best ? best->code : own;
            if (vc.flags & VC_DISCARD) { S.discard = 1; stop_sentence = 1; break; }
            if (vc.flags & VC_COMPLEX) { S.complex = 1; S.complex_why = "complex pattern"; stop_sentence = 1; break; }
            if ((vc.flags & VC_NULL) || (!vc.c1 && !(vc.flags & VC_PASSIVE))) continue;
            /* parley: plain negation cancels the event unless the pattern
             * itself spells out the negation */
            int negated = 0;
            if (o->negation && !o->tabari_compat && !(best && best->has_neg)) {
                for (int q = li - 1; q >= 0 && q >= li - 3; q--) {
                    int tq = m.live[q];
                    if (c->ti.v[tq].type == T_NEG) { negated = 1; break; }
                    if (c->ti.v[tq].type == T_ACTOR || c->ti.v[tq].type == T_COMMA) break;
                }
            }
            if (negated) continue;
            if (o->modals && !o->tabari_compat && modal_before(&S, &m, li) && !(best && pattern_spells_modal(d, best))) continue;
            /* statement verbs take a clause ("said on Monday the talks were useful") */
            if (o->reduced_relative && !o->tabari_compat && !code_root_is(d, vc, "01") && reduced_relative(&S, &m, li, ve)) continue;
            pending_ev pe;
            memset(&pe, 0, sizeof pe);
            pe.code = vc;
            pe.verb_tok = i;
            pe.verb_end = ti->span_end;
            pe.pat = best;
            pe.vph = ph;
            pe.clause = clause;
            pe.date = date;
            pe.src = bsrc;
            pe.tgt = btgt;
            if (bcomp >= 0) { pe.src = pe.tgt = bcomp; pe.comp_designated = 1; }
            int designated = bsrc >= 0 || btgt >= 0 || bcomp >= 0;
            /* default source: first actor before the verb in the clause
             * (TABARI 5.8), else the subject carried from earlier clauses */
            /* parley: a named actor is preferred to a lone agent ("---MIL"
             * from "military aid"); lone agents serve when nothing else does */
            int pass0 = o->tabari_compat ? 1 : 0;
            /* parley: "after its recent missile tests": the possessor of an
             * event noun is who acted */
            if (pe.src < 0 && bcomp < 0 && o->noun_patterns && !o->tabari_compat) {
                int ps = possessor_slot(&S, i);
                if (ps >= 0 && !(pe.tgt >= 0 && slot_first_code_eq(c, ps, pe.tgt))) pe.src = ps;
            }
            if (pe.src < 0) {
                for (int pass = pass0; pass < 2 && pe.src < 0; pass++)
                    for (size_t k = 0; k < c->slots.n; k++) {
                        const slot *sl = &c->slots.v[k];
                        if (sl->start < cstart || sl->start >= i || c->ti.v[sl->start].deleted) continue;
                        if (pe.tgt >= 0 && slot_first_code_eq(c, (int)k, pe.tgt)) continue;
                        if (!pass && slot_lone(c, (int)k)) continue;
                        pe.src = (int)k;
                        break;
                    }
                if (pe.src < 0 && clause > 0 && carried_src >= 0 && !(pe.tgt >= 0 && slot_first_code_eq(c, carried_src, pe.tgt))) pe.src = carried_src;
                /* parley: in reported speech ("A said B attacked C") the
                 * subject of the reported verb is the first actor after the
                 * last verb before it, not the speaker */
                if (!o->tabari_compat && pe.src >= 0 && c->slots.v[pe.src].start >= cstart) {
                    int lastv = -1;
                    for (int q = c->slots.v[pe.src].end; q < i; q++)
                        if (c->ti.v[q].type == T_VERB && !c->ti.v[q].deleted && c->ti.v[q].phrase >= 0) lastv = q;
                    /* the actor nearest before the reported verb is its subject:
                     * "A said B attacked C", "A accused B after it praised C" */
                    if (lastv >= 0)
                        for (size_t k = 0; k < c->slots.n; k++) {
                            const slot *sl = &c->slots.v[k];
                            if (sl->start > lastv && sl->start < i && !c->ti.v[sl->start].deleted && !(pe.tgt >= 0 && slot_first_code_eq(c, (int)k, pe.tgt))) pe.src = (int)k;
                        }
                }
            }
            if (o->attribution && !o->tabari_compat && bsrc < 0 && bcomp < 0 && code_root_is(d, vc, "01")) {
                int r = attribution_source(&S, i, ti->span_end, pe.src);
                if (r == -2) continue;
                if (r >= 0) pe.src = r;
            }
            if (pe.src < 0 && o->tabari_compat && !(o->def_src[0] && o->def_src_prior)) {
                /* TABARI is greedy: with no actor before the verb the source is
                 * the first actor after it; of a compound, its first member */
                for (size_t k = 0; k < c->slots.n; k++) {
                    const slot *sl = &c->slots.v[k];
                    if (sl->start < ti->span_end || sl->start >= cend || c->ti.v[sl->start].deleted) continue;
                    if (pe.tgt >= 0 && slot_first_code_eq(c, (int)k, pe.tgt)) continue;
                    if (sl->compound) {
                        slot one = *sl, rest = *sl;
                        one.count = 1; one.compound = 0; one.end = c->units.v[sl->first].end;
                        rest.first = sl->first + 1; rest.count = sl->count - 1; rest.compound = rest.count > 1;
                        rest.start = c->units.v[rest.first].start;
                        slot_push(c, one);
                        pe.src = (int)c->slots.n - 1;
                        if (pe.tgt < 0 && bcomp < 0) { slot_push(c, rest); pe.tgt = (int)c->slots.n - 1; }
                    } else pe.src = (int)k;
                    break;
                }
            }
            if (pe.tgt < 0 && bcomp < 0) {
                int tlim = o->adjuncts && !o->tabari_compat ? adjunct_start(&S, ti->span_end, cend) : cend;
                for (int pass = pass0; pass < 2 && pe.tgt < 0; pass++) {
                    for (size_t k = 0; k < c->slots.n; k++) {
                        const slot *sl = &c->slots.v[k];
                        if (sl->start < ti->span_end || sl->start >= tlim || c->ti.v[sl->start].deleted) continue;
                        if (pe.src >= 0 && slot_first_code_eq(c, (int)k, pe.src)) continue;
                        if (!pass && slot_lone(c, (int)k)) continue;
                        pe.tgt = (int)k;
                        break;
                    }
                    if (pe.tgt < 0)
                        for (size_t k = 0; k < c->slots.n; k++) {
                            const slot *sl = &c->slots.v[k];
                            if (sl->start < cstart || sl->start >= i || c->ti.v[sl->start].deleted) continue;
                            if (pe.src >= 0 && (slot_first_code_eq(c, (int)k, pe.src) || (int)k == pe.src)) continue;
                            if (!pass && slot_lone(c, (int)k)) continue;
                            pe.tgt = (int)k;
                            break;
                        }
                }
                /* "A and B met": the compound is its own target.  parley keeps
                 * this to relations that take two sides (consult, cooperate,
                 * fight: roots 03-06, 19), not "A and B declined to comment" */
                if (pe.tgt < 0 && pe.src >= 0 && c->slots.v[pe.src].compound) {
                    const char *cc = p_intern_str(&d->codes, vc.c1 ? vc.c1 : vc.c2);
                    int two_sided = cc[0] == '0' && cc[1] >= '3' && cc[1] <= '6';
                    two_sided |= cc[0] == '1' && cc[1] == '9';
                    if (o->tabari_compat || two_sided) pe.tgt = pe.src;
                }
            }
            /* passive voice (TABARI 7.9) */
            if (o->passive && !designated) {
                int aux = 0;
                for (int q = li - 1; q >= 0 && q >= li - 2; q--) {
                    const token *t = &S.tk[m.live[q]];
                    if (is_word(t, "WAS") || is_word(t, "WERE") || is_word(t, "BEEN") ||
                        (!o->tabari_compat && (is_word(t, "IS") || is_word(t, "ARE") || is_word(t, "BEING"))))
                        aux = 1;
                }
                int by = (ve < m.nlive && c->ti.v[m.live[ve]].type == T_BY) ||
                         (ve + 1 < m.nlive && c->ti.v[m.live[ve + 1]].type == T_BY && c->ti.v[m.live[ve]].type == T_NONE);
                if (aux && by) { int t = pe.src; pe.src = pe.tgt; pe.tgt = t; pe.passive = 1; }
            }
            /* PETRARCH-2 [active:passive] codes: the clause's voice picks one */
            if (pe.code.flags & VC_PASSIVE) {
                if (pe.passive && pe.code.c2) pe.code.c1 = pe.code.c2;
                if (!pe.code.c1) continue;
            }
            if (o->def_src[0] && o->def_src_prior) {
                int prior = 0;
                for (size_t k = 0; k < c->slots.n; k++) if (c->slots.v[k].start < i && c->slots.v[k].start >= cstart) prior = 1;
                if (!prior && !designated) pe.src = -1;
            }
            if (o->def_tgt[0] && o->def_tgt_after) {
                int after = 0;
                for (size_t k = 0; k < c->slots.n; k++)
                    if (c->slots.v[k].start >= ti->span_end && c->slots.v[k].start < cend && !c->ti.v[c->slots.v[k].start].deleted &&
                        !(pe.src >= 0 && slot_first_code_eq(c, (int)k, pe.src)))
                        after = 1;
                if (!after && !designated) pe.tgt = -1;
            }
            int need_both = o->tabari_compat || o->require_dyad;
            int has_src = pe.src >= 0 || o->def_src[0];
            int has_tgt = pe.tgt >= 0 || o->def_tgt[0];
            if (need_both && (!has_src || !has_tgt)) continue;
            if (!need_both && !has_src) continue; /* an event needs at least its actor */
            if (pe.src >= 0 && pe.src == pe.tgt && !c->slots.v[pe.src].compound) continue;
            /* parley: an event needs one side whose identity is known; "police
             * said" or "officials met residents" alone (only agents of no
             * country) is not an event anyone can place */
            if (!o->tabari_compat && pe.src >= 0 && slot_lone(c, pe.src) && (pe.tgt < 0 || slot_lone(c, pe.tgt))) continue;
            /* parley: a statement is its speaker's; "police said" (agents of no
             * country) places no statement, whatever country it mentions */
            if (o->attribution && !o->tabari_compat && pe.src >= 0 && slot_lone(c, pe.src) && code_root_is(d, pe.code, "01")) continue;
            if (vc.flags & VC_SUBORD) { if (have_sub < 0) { P_PUSH(evs, pe); have_sub = (int)evs.n - 1; } continue; }
            P_PUSH(evs, pe);
            coded_in_clause = 1;
            if (pe.src >= 0) carried_src = pe.src;
            if (o->code_by == CODE_BY_SENTENCE) stop_sentence = 1;
            if (o->code_by != CODE_ALL) break;
        }
        if (!coded_in_clause && clause_first_slot >= 0 && clause == 0) carried_src = clause_first_slot;
        else if (carried_src < 0 && clause_first_slot >= 0) carried_src = clause_first_slot;
        clause++;
        cstart = cend + 1;
    }
    /* TABARI's CODE NONRESTRICTIVE (manual 8.6), on by default in parley: when
     * the main text codes nothing, the comma clauses are coded after all
     * ("..., the Syrian Observatory said" is then the statement) */
    if (!evs.n && ncomma && !second_pass && !S.discard && !S.complex && !o->tabari_compat) {
        second_pass = 1;
        for (int k = 0; k < S.n; k++) { c->ti.v[k].deleted = 0; c->ti.v[k].clause_break = 0; }
        clause_breaks(&S);
        clause = 0;
        cstart = 0;
        carried_src = -1;
        stop_sentence = 0;
        have_sub = -1;
        goto again;
    }
clauses_done:
    if (S.discard) { P_FREE_VEC(evs); if (fate) *fate = PARLEY_FATE_DISCARD; return PARLEY_OK; }
    if (S.complex) { P_FREE_VEC(evs); if (fate) *fate = PARLEY_FATE_COMPLEX; return PARLEY_OK; }
    /* subordinate events only when nothing else coded; dominant ones win */
    int has_main = 0, has_dom = 0;
    for (size_t k = 0; k < evs.n; k++) {
        if (!(evs.v[k].code.flags & VC_SUBORD)) has_main = 1;
        if (evs.v[k].code.flags & VC_DOMINANT) has_dom = 1;
    }
    if ((o->cx_nosource || o->cx_notarget || o->cx_noevent) && !evs.n && o->cx_noevent) {
        P_FREE_VEC(evs);
        if (fate) *fate = PARLEY_FATE_COMPLEX;
        return PARLEY_OK;
    }
    evout eo;
    memset(&eo, 0, sizeof eo);
    eo.doc = doc;
    eo.sentence = sentence_index;
    eo.text = text;
    eo.len = len;
    eo.fn = fn;
    eo.ud = ud;
    for (size_t k = 0; k < evs.n && !eo.stop; k++) {
        const pending_ev *pe = &evs.v[k];
        /* statements = true: a named speaker's statement is an event of its own
         * next to what it reports (as the CAMEO_ConfliBERT coders code it) */
        if ((pe->code.flags & VC_SUBORD) && has_main && !(c->opts.statements && pe->src >= 0 && !slot_lone(c, pe->src) && !statement_by(c, evs.v, evs.n, pe->src))) continue;
        if (has_dom && !(pe->code.flags & VC_DOMINANT)) continue;
        emit(&S, &eo, pe);
    }
    P_FREE_VEC(evs);
    p_buf_free(&eo.seen);
    f = eo.emitted ? PARLEY_FATE_CODED : PARLEY_FATE_NOEVENT;
    if (fate) *fate = f;
    (void)err;
    return PARLEY_OK;
}

typedef struct docsplit {
    parley_coder *c;
    const parley_doc *doc;
    const char *base;
    parley_event_fn fn; void *ud;
    int idx, stop;
    parley_error *err;
    parley_status st;
} docsplit;

static int on_sentence(void *ud, size_t start, size_t len) {
    docsplit *ds = ud;
    parley_error e;
    parley_sentence_fate fate;
    parley_status st = parley_code_sentence(ds->c, ds->doc, ds->idx, ds->base + start, len, ds->fn, ds->ud, &fate, &e);
    if (st != PARLEY_OK && ds->c->diag) {
        char msg[700];
        snprintf(msg, sizeof msg, "document %s sentence %d: %s", ds->doc->id ? ds->doc->id : "?", ds->idx, e.message);
        ds->c->diag(ds->c->diag_ud, NULL, 0, msg);
    }
    ds->idx++;
    if (fate == PARLEY_FATE_STORY_DISCARD) { ds->stop = 1; return 1; }
    return 0;
}

typedef struct span_shift { parley_span_fn fn; void *ud; size_t off; } span_shift;

static int on_shifted_span(void *ud, size_t start, size_t len) {
    span_shift *w = ud;
    return w->fn(w->ud, start + w->off, len);
}

parley_status parley_split_sentences(parley_coder *c, const char *text, size_t len, parley_span_fn fn, void *ud,
                                     parley_error *err) {
    (void)err;
    /* A dateline is not a sentence and must not be searched for actors. */
    size_t dl = dateline_length(text, len);
    span_shift w = {fn, ud, dl};
    segment(&c->sg, text + dl, len - dl, on_shifted_span, &w);
    return PARLEY_OK;
}

parley_status parley_code_document(parley_coder *c, const parley_doc *doc, parley_event_fn fn, void *ud, int *n_sentences,
                                   parley_error *err) {
    if (!c || !doc) { p_set_error(err, PARLEY_ERR_ARG, "no coder or document"); return PARLEY_ERR_ARG; }
    docsplit ds;
    memset(&ds, 0, sizeof ds);
    ds.c = c;
    ds.doc = doc;
    ds.fn = fn;
    ds.ud = ud;
    ds.err = err;
    if (doc->title && *doc->title) {
        ds.base = doc->title;
        on_sentence(&ds, 0, strlen(doc->title));
        if (ds.stop) { if (n_sentences) *n_sentences = ds.idx; return PARLEY_OK; }
    }
    ds.base = doc->text;
    if (doc->text && doc->text_len) parley_split_sentences(c, doc->text, doc->text_len, on_sentence, &ds, err);
    if (n_sentences) *n_sentences = ds.idx;
    return PARLEY_OK;
}
