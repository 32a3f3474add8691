/* Dictionary set: interning, the phrase syntax shared by every dialect, the
 * first-word index, and the public dict API.  The dialect readers live in
 * actors.c (actors, agents, discards, issues) and verbs.c. */
#include "dict.h"

#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

parley_dict *parley_dict_new(void) {
    parley_dict *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    options_defaults(&d->opts);
    /* id 0 of the code table is the empty code, so 0 can mean "none". */
    p_intern_add(&d->codes, "", 0);
    return d;
}

/* Arrays of a compiled set live in its blob; only the rest is freed. */
static void free_owned(const parley_dict *d, void *p) {
    if (d->blob && (const char *)p >= d->blob && (const char *)p < d->blob + d->blob_size) return;
    free(p);
}
#define FREE_VEC(d, vec) do { free_owned(d, (vec).v); (vec).v = NULL; (vec).n = (vec).cap = 0; } while (0)

void dict_release(parley_dict *d) {
    p_intern_free(&d->words);
    p_intern_free(&d->codes);
    p_intern_free(&d->files);
    p_intern_free(&d->cameo_idx);
    p_intern_free(&d->lex_forms);
    FREE_VEC(d, d->lex_lemma);
    FREE_VEC(d, d->lex_pos);
    for (size_t i = 0; i < d->verbs.n; i++) FREE_VEC(d, d->verbs.v[i].pats);
    FREE_VEC(d, d->phrases);
    FREE_VEC(d, d->actors);
    FREE_VEC(d, d->agents);
    FREE_VEC(d, d->verbs);
    FREE_VEC(d, d->issues);
    FREE_VEC(d, d->alts);
    FREE_VEC(d, d->synset_name);
    FREE_VEC(d, d->synset_alt);
    FREE_VEC(d, d->discard_story);
    FREE_VEC(d, d->cameo);
    FREE_VEC(d, d->vg_start);
    FREE_VEC(d, d->vg_len);
    FREE_VEC(d, d->vg_phr);
    for (size_t i = 0; i < d->sources.n; i++) free(d->sources.v[i].path);
    P_FREE_VEC(d->sources);
    P_FREE_VEC(d->diags);
    free_owned(d, d->exact_idx);
    free_owned(d, d->stem_idx);
    p_arena_free(&d->arena);
}

void parley_dict_free(parley_dict *d) {
    if (!d) return;
    dict_release(d);
    free(d);
}

void dict_report(parley_dict *d, const char *file, long line, const char *msg) {
    d->problems++;
    struct dict_diag g = {p_arena_strndup(&d->arena, file, strlen(file)), p_arena_strndup(&d->arena, msg, strlen(msg)), line};
    P_PUSH(d->diags, g);
    if (d->diag) d->diag(d->diag_ud, file, line, msg);
}

void dict_add_source(parley_dict *d, const char *path) {
    struct dict_source src = {p_strndup(path, strlen(path)), -1, 0, 0, 0, 0};
    struct stat st;
    if (stat(path, &st) == 0) {
        src.size = (int64_t)st.st_size;
        src.mtime_s = (int64_t)st.st_mtim.tv_sec;
        src.mtime_ns = (int64_t)st.st_mtim.tv_nsec;
        src.ctime_s = (int64_t)st.st_ctim.tv_sec;
        src.ctime_ns = (int64_t)st.st_ctim.tv_nsec;
    }
    P_PUSH(d->sources, src);
}

void parley_dict_set_diag(parley_dict *d, parley_diag_fn fn, void *ud) { d->diag = fn; d->diag_ud = ud; }
void parley_dict_set_strict(parley_dict *d, int strict) { d->strict = strict; }
void parley_dict_set_max_line(parley_dict *d, size_t bytes) { d->max_line = bytes; }
long parley_dict_problem_count(const parley_dict *d) { return d->problems; }

uint32_t dict_word(parley_dict *d, const char *s, size_t n) { return p_intern_add(&d->words, s, n); }
uint32_t dict_code(parley_dict *d, const char *s, size_t n) { return p_intern_add(&d->codes, s, n); }

/* The next line within the length limit; longer ones are reported and
 * skipped here, so no dialect reader ever sees one. */
int rd_next_line(rd *r, const char **s, size_t *n) {
    size_t max = r->d->max_line ? r->d->max_line : PARLEY_DICT_MAX_LINE;
    for (;;) {
        if (r->p >= r->end) return 0;
        const char *a = r->p;
        const char *e = memchr(a, '\n', (size_t)(r->end - a));
        if (!e) e = r->end;
        r->p = e < r->end ? e + 1 : e;
        r->line++;
        size_t len = (size_t)(e - a);
        if (len && a[len - 1] == '\r') len--;
        if (len > max) {
            rd_problem(r, "line of %zu bytes is over the dictionary line limit (%zu); skipped", len, max);
            continue;
        }
        *s = a;
        *n = len;
        return 1;
    }
}

void rd_problem(rd *r, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dict_report(r->d, r->name, r->line, msg);
    if (r->d->strict && !r->failed) {
        r->failed = 1;
        p_set_error(r->err, PARLEY_ERR_PARSE, "%s:%ld: %s", r->name, r->line, msg);
    }
}

/* Upper-cases one dictionary word in place into `out`, folding the
 * hyphen to the word separator as TABARI 0.7.3+ does. Returns length. */
static size_t up_word(const char *s, size_t n, char *out, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) out[k++] = (char)p_toupper((unsigned char)s[i]);
    out[k] = 0;
    return k;
}

/* Phrase syntax (TABARI manual 5.2, 5.5.3):
 *   WORD     stem: matches any word that begins with WORD
 *   WORD_    whole word (regular endings allowed on the last word)
 *   WORD=    exactly this spelling
 *   A_B      A whole word and B immediately after it
 *   A~_B     A a stem and B immediately after it
 *   A B      B somewhere after A
 * `space_is_gap` is 0 for actor-like phrases in dialects where a space only
 * separates words (PETRARCH issues). */
int dict_parse_phrase(rd *r, const char *s, size_t n, pwvec *out, int space_is_gap) {
    size_t i = 0;
    out->n = 0;
    while (i < n) {
        while (i < n && (p_isspace((unsigned char)s[i]))) i++;
        if (i >= n) break;
        size_t a = i;
        while (i < n && !p_isspace((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '~' && s[i] != '=') i++;
        size_t wl = i - a;
        uint8_t flags = r->stems ? 0 : PW_EXACT;
        int adj = 0;
        if (i < n && s[i] == '=') { flags |= PW_EXACT | PW_NOEND; i++; }
        if (i < n && s[i] == '~') { flags &= (uint8_t)~PW_EXACT; i++; if (i < n && (s[i] == '_' || s[i] == '-')) { adj = 1; i++; } }
        else if (i < n && (s[i] == '_' || s[i] == '-')) {
            flags |= PW_EXACT;
            i++;
            if (i < n && !p_isspace((unsigned char)s[i])) adj = 1;
        }
        if (!space_is_gap) adj = 1;
        if (wl == 0) continue; /* "__" or a leading connector */
        char w[256];
        size_t k = up_word(s + a, wl, w, sizeof w);
        pword pw = {dict_word(r->d, w, k), flags};
        if (adj) pw.flags |= PW_ADJ;
        /* TABARI 5.2.3: regular endings only on the last word of a phrase */
        if (adj && (pw.flags & PW_EXACT)) pw.flags |= PW_NOEND;
        P_PUSH(*out, pw);
    }
    if (out->n) out->v[out->n - 1].flags &= (uint8_t)~PW_ADJ;
    return (int)out->n;
}

static uint32_t phrase_chars(const parley_dict *d, const pword *w, size_t n) {
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++) c += p_intern_len(&d->words, w[i].w);
    return c;
}

uint32_t dict_add_phrase(parley_dict *d, uint8_t kind, const pword *w, size_t n, uint32_t target) {
    phrase ph;
    memset(&ph, 0, sizeof ph);
    ph.w = p_arena_alloc(&d->arena, n * sizeof *w);
    memcpy(ph.w, w, n * sizeof *w);
    ph.n = (uint16_t)n;
    ph.kind = kind;
    ph.target = target;
    ph.stem_first = !(w[0].flags & PW_EXACT);
    ph.chars = phrase_chars(d, w, n);
    P_PUSH(d->phrases, ph);
    return (uint32_t)(d->phrases.n - 1);
}

/* Codes: "[CODE]", "[---]", "[###]", "[+++]", "[023?]", "[111!]", "[032:033]",
 * time shifts "[-7]" / "[+30]".  `s` is the inside of the brackets. */
int dict_parse_vcode(rd *r, const char *s, size_t n, vcode *out) {
    char buf[64];
    size_t k = 0;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) if (!p_isspace((unsigned char)s[i]) && k + 1 < sizeof buf) buf[k++] = (char)p_toupper((unsigned char)s[i]);
    buf[k] = 0;
    if (!k) return 0;
    if (!strcmp(buf, "---")) { out->flags = VC_NULL; return 1; }
    if (!strcmp(buf, "###")) { out->flags = VC_DISCARD; return 1; }
    if (!strcmp(buf, "+++")) { out->flags = VC_COMPLEX; return 1; }
    if ((buf[0] == '-' || buf[0] == '+') && p_isdigit((unsigned char)buf[1])) {
        out->flags = VC_TIME;
        out->shift = atoi(buf);
        return 1;
    }
    char *end = buf + k;
    if (end[-1] == '?') { out->flags |= VC_SUBORD; *--end = 0; }
    else if (end[-1] == '!') { out->flags |= VC_DOMINANT; *--end = 0; }
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon = 0;
        out->flags |= VC_PAIRED;
        out->c2 = dict_code(r->d, colon + 1, strlen(colon + 1));
    }
    for (char *p = buf; *p; p++)
        if (!p_isalnum((unsigned char)*p) && *p != '-') return 0;
    if (!buf[0]) return 0;
    out->c1 = dict_code(r->d, buf, strlen(buf));
    return 1;
}

/* ---- index --------------------------------------------------------- */

static void index_add(parley_dict *d, uint32_t pid) {
    phrase *ph = &d->phrases.v[pid];
    uint32_t w = ph->w[0].w;
    if (w >= d->idx_cap) {
        size_t nc = d->idx_cap ? d->idx_cap : 1024;
        while (nc <= w) nc *= 2;
        d->exact_idx = p_xrealloc(d->exact_idx, nc * sizeof *d->exact_idx);
        d->stem_idx = p_xrealloc(d->stem_idx, nc * sizeof *d->stem_idx);
        memset(d->exact_idx + d->idx_cap, 0, (nc - d->idx_cap) * sizeof *d->exact_idx);
        memset(d->stem_idx + d->idx_cap, 0, (nc - d->idx_cap) * sizeof *d->stem_idx);
        d->idx_cap = nc;
    }
    keyent *e = p_arena_alloc(&d->arena, sizeof *e);
    e->phrase = pid;
    keyent **head = ph->stem_first ? &d->stem_idx[w] : &d->exact_idx[w];
    /* Keep chains ordered longest phrase first, file order among equals,
     * so the first complete match found is the one TABARI would take. */
    while (*head && d->phrases.v[(*head)->phrase].chars >= ph->chars) head = &(*head)->next;
    e->next = *head;
    *head = e;
    if (ph->stem_first) {
        uint32_t len = p_intern_len(&d->words, w);
        d->stem_lengths |= len < 64 ? (1ULL << len) : (1ULL << 63);
    }
}

static int cmp_pattern(const void *a, const void *b) {
    const pattern *x = a, *y = b;
    if (x->chars != y->chars) return x->chars > y->chars ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return 0;
}

/* Groups verb phrases with identical words: "SAY" in a roots 01-10 file and
 * "SAY" in a roots 11-20 file are one verb whose patterns come from both. */
static void build_verb_groups(parley_dict *d) {
    p_intern keys = {0};
    p_buf k = {0};
    P_VEC(uint32_t) first = {0};   /* per key: head phrase of its chain */
    P_VEC(uint32_t) next = {0};    /* per phrase: next phrase of the same key */
    for (size_t i = 0; i < d->phrases.n; i++) P_PUSH(next, UINT32_MAX);
    for (size_t i = 0; i < d->phrases.n; i++) {
        phrase *ph = &d->phrases.v[i];
        if (ph->kind != K_VERB) continue;
        p_buf_clear(&k);
        /* the fields, not the struct bytes: pword has padding */
        for (uint16_t j = 0; j < ph->n; j++) {
            char kb[5];
            memcpy(kb, &ph->w[j].w, 4);
            kb[4] = (char)ph->w[j].flags;
            p_buf_put(&k, kb, 5);
        }
        size_t before = keys.strs.n;
        uint32_t key = p_intern_add(&keys, k.s, k.n);
        if (keys.strs.n > before) P_PUSH(first, (uint32_t)i);
        else {
            uint32_t q = first.v[key];
            while (next.v[q] != UINT32_MAX) q = next.v[q];
            next.v[q] = (uint32_t)i;
        }
    }
    for (size_t key = 0; key < first.n; key++) {
        uint32_t g = (uint32_t)d->vg_start.n;
        P_PUSH(d->vg_start, (uint32_t)d->vg_phr.n);
        uint32_t len = 0;
        for (uint32_t q = first.v[key]; q != UINT32_MAX; q = next.v[q]) {
            P_PUSH(d->vg_phr, q);
            d->phrases.v[q].vgroup = g;
            len++;
        }
        P_PUSH(d->vg_len, len);
    }
    P_FREE_VEC(first);
    P_FREE_VEC(next);
    p_buf_free(&k);
    p_intern_free(&keys);
}

static int cmp_anchor(const void *a, const void *b) {
    const anchor *x = a, *y = b;
    if (x->w != y->w) return x->w < y->w ? -1 : 1;
    return x->pat < y->pat ? -1 : x->pat > y->pat;
}

/* A bloom filter of n words (uint32_t, `stride` bytes apart, sorted), about
 * 8 bits per distinct word: one look in 8 at a word not among them gets
 * through in vain. */
static uint64_t *word_bloom(parley_dict *d, const uint32_t *w0, size_t n, size_t stride, uint8_t *bits_out) {
    const char *base = (const char *)w0;
    uint32_t distinct = 0, prev = 0;
    for (size_t a = 0; a < n; a++) {
        uint32_t w;
        memcpy(&w, base + a * stride, sizeof w);
        distinct += !a || w != prev;
        prev = w;
    }
    uint8_t bits = 6;
    while (bits < 24 && (1u << bits) < 8 * distinct) bits++;
    uint64_t *bl = p_arena_alloc(&d->arena, ((size_t)1 << bits) / 8);
    memset(bl, 0, ((size_t)1 << bits) / 8);
    for (size_t a = 0; a < n; a++) {
        uint32_t w;
        memcpy(&w, base + a * stride, sizeof w);
        uint32_t b = word_bloom_bit(w, bits);
        bl[b >> 6] |= 1ULL << (b & 63);
    }
    *bits_out = bits;
    return bl;
}

/* A cleared bitmap of n bits. */
static uint64_t *bitmap_new(parley_dict *d, size_t n) {
    uint64_t *b = p_arena_alloc(&d->arena, (n / 64 + 1) * sizeof(uint64_t));
    memset(b, 0, (n / 64 + 1) * sizeof(uint64_t));
    return b;
}

/* What a free pattern's alternative tells the coder: the fewer first words,
 * the more; one that may start with a stem, nothing. */
static uint64_t alt_cost(const palt *al) { return al->nstem ? UINT32_MAX : al->nfw; }

void dict_derive(parley_dict *d) {
    size_t nw = d->words.strs.n;
    d->hint_words = bitmap_new(d, nw);
    for (size_t i = 0; i < d->phrases.n; i++) {
        const phrase *ph = &d->phrases.v[i];
        if (ph->n >= 2 && (ph->w[0].flags & PW_ADJ) && (ph->w[1].flags & PW_EXACT) && ph->w[1].w < nw)
            p_bit_set(d->hint_words, ph->w[1].w);
    }
    d->pat_stems = bitmap_new(d, nw);
    d->pat_stem_lengths = 0;
    for (size_t i = 0; i < d->verbs.n; i++) {
        const verb *v = &d->verbs.v[i];
        for (size_t k = 0; k < v->pats.n; k++) {
            const pattern *pt = &v->pats.v[k];
            for (uint16_t q = 0; q < pt->nel; q++) {
                const pelem *e = &pt->el[q];
                if (e->kind != PE_WORD || ((e->adj >> 1) & PW_EXACT) || e->arg >= nw) continue;
                uint32_t len = p_intern_len(&d->words, e->arg);
                p_bit_set(d->pat_stems, e->arg);
                d->pat_stem_lengths |= len < 63 ? 1ULL << len : 1ULL << 63;
            }
        }
    }
    for (size_t i = 0; i < d->verbs.n; i++) {
        verb *v = &d->verbs.v[i];
        v->free_alt = v->nfree ? p_arena_alloc(&d->arena, v->nfree * sizeof(uint32_t)) : NULL;
        for (uint32_t k = 0; k < v->nfree; k++) {
            uint32_t best = UINT32_MAX;
            if (v->free_pats[k] < v->pats.n) {
                const pattern *pt = &v->pats.v[v->free_pats[k]];
                for (uint16_t q = 0; q < pt->nel; q++) {
                    const pelem *e = &pt->el[q];
                    if (e->kind != PE_ALT || e->arg >= d->alts.n) continue;
                    if (best == UINT32_MAX || alt_cost(&d->alts.v[e->arg]) < alt_cost(&d->alts.v[best])) best = e->arg;
                }
            }
            v->free_alt[k] = best;
        }
    }
    for (size_t i = 0; i < d->verbs.n; i++) {
        verb *v = &d->verbs.v[i];
        v->abloom = v->nanch ? word_bloom(d, &v->anch[0].w, v->nanch, sizeof *v->anch, &v->abloom_bits) : NULL;
        v->narun = 0;
        for (uint32_t a = 0; a < v->nanch; a++) v->narun += !a || v->anch[a].w != v->anch[a - 1].w;
        v->arun_w = v->narun ? p_arena_alloc(&d->arena, v->narun * sizeof(uint32_t)) : NULL;
        v->arun_at = p_arena_alloc(&d->arena, (v->narun + 1) * sizeof(uint32_t));
        uint32_t r = 0;
        for (uint32_t a = 0; a < v->nanch; a++)
            if (!a || v->anch[a].w != v->anch[a - 1].w) { v->arun_w[r] = v->anch[a].w; v->arun_at[r++] = a; }
        v->arun_at[r] = v->nanch;
        v->pat_sides = v->pats.n ? p_arena_alloc(&d->arena, v->pats.n) : NULL;
        v->pat_flags = 0;
        for (size_t k = 0; k < v->pats.n; k++) {
            const pattern *pt = &v->pats.v[k];
            v->pat_flags |= pt->code.flags & (VC_DISCARD | VC_COMPLEX);
            uint8_t sides = 0;
            for (uint16_t q = 0; q < pt->nel; q++) {
                uint8_t kind = pt->el[q].kind;
                if (kind == PE_SRC || kind == PE_TGT || kind == PE_COMP || kind == PE_SKIP || kind == PE_ATTR)
                    sides |= q < pt->verb_at ? 1 : 2;
            }
            v->pat_sides[k] = sides;
        }
    }
    for (size_t i = 0; i < d->alts.n; i++) {
        palt *a = &d->alts.v[i];
        a->fbloom = a->nfw ? word_bloom(d, a->fw, a->nfw, sizeof *a->fw, &a->fbloom_bits) : NULL;
    }
    /* can a verb form discard a sentence or call it complex: by its own
     * code, or by the code or a pattern of any block that lists it.  The
     * indices are checked: a damaged compiled file that got past its
     * checksum must not crash the load (an index out of range flags) */
    for (size_t i = 0; i < d->phrases.n; i++) {
        phrase *ph = &d->phrases.v[i];
        ph->may_flag = 0;
        if (ph->kind != K_VERB) continue;
        uint32_t g = ph->vgroup, g0 = g < d->vg_start.n ? d->vg_start.v[g] : 0, gn = g < d->vg_len.n ? d->vg_len.v[g] : 0;
        if (ph->target >= d->verbs.n || g >= d->vg_start.n || g >= d->vg_len.n || g0 > d->vg_phr.n || gn > d->vg_phr.n - g0) {
            ph->may_flag = 1;
            continue;
        }
        uint8_t f = (ph->has_own ? ph->own : d->verbs.v[ph->target].code).flags;
        for (uint32_t gi = 0; gi < gn; gi++) {
            uint32_t p = d->vg_phr.v[g0 + gi];
            if (p >= d->phrases.n || d->phrases.v[p].target >= d->verbs.n) { f |= VC_COMPLEX; continue; }
            const phrase *gph = &d->phrases.v[p];
            const verb *gv = &d->verbs.v[gph->target];
            f |= (gph->has_own ? gph->own : gv->code).flags | gv->pat_flags;
        }
        ph->may_flag = (f & (VC_DISCARD | VC_COMPLEX)) != 0;
    }
}

parley_status parley_dict_finish(parley_dict *d, parley_error *err) {
    if (d->finished) { p_set_error(err, PARLEY_ERR_STATE, "dictionary already finished"); return PARLEY_ERR_STATE; }
    for (size_t i = 0; i < d->phrases.n; i++) index_add(d, (uint32_t)i);
    build_verb_groups(d);
    /* TABARI 5.7.1: patterns are tried longest first whatever the file order. */
    for (size_t i = 0; i < d->verbs.n; i++)
        if (d->verbs.v[i].pats.n > 1) qsort(d->verbs.v[i].pats.v, d->verbs.v[i].pats.n, sizeof(pattern), cmp_pattern);
    for (size_t i = 0; i < d->verbs.n; i++) {
        verb *v = &d->verbs.v[i];
        if (!v->pats.n) continue;
        v->anch = p_arena_alloc(&d->arena, v->pats.n * sizeof(anchor));
        v->free_pats = p_arena_alloc(&d->arena, v->pats.n * sizeof(uint32_t));
        for (uint32_t k = 0; k < v->pats.n; k++) {
            const pattern *pt = &v->pats.v[k];
            if (!pt->nreq) { v->free_pats[v->nfree++] = k; continue; }
            anchor an = {pt->req[0], k, {0, 0, 0, 0}, pt->nreq_pre, 0, {0, 0, 0}};
            for (uint16_t q = 0; q < pt->nreq; q++) {
                if (q < 3) an.req[an.nin++] = pt->req[q];
                uint32_t b = word_bit(pt->req[q]);
                an.mask[b >> 6] |= 1ULL << (b & 63);
                if (p_intern_len(&d->words, pt->req[q]) > p_intern_len(&d->words, an.w)) an.w = pt->req[q];
            }
            v->anch[v->nanch++] = an;
        }
        qsort(v->anch, v->nanch, sizeof(anchor), cmp_anchor);
    }
    dict_derive(d);
    d->n_anchor_words = d->words.strs.n;
    d->anchor_words = p_arena_alloc(&d->arena, (d->n_anchor_words / 64 + 1) * sizeof(uint64_t));
    memset(d->anchor_words, 0, (d->n_anchor_words / 64 + 1) * sizeof(uint64_t));
    for (size_t i = 0; i < d->verbs.n; i++)
        for (uint32_t a = 0; a < d->verbs.v[i].nanch; a++) {
            uint32_t w = d->verbs.v[i].anch[a].w;
            d->anchor_words[w >> 6] |= 1ULL << (w & 63);
        }
    size_t nruns = 0;
    for (size_t i = 0; i < d->verbs.n; i++)
        for (uint32_t a = 0; a < d->verbs.v[i].nanch; a++)
            if (!a || d->verbs.v[i].anch[a].w != d->verbs.v[i].anch[a - 1].w) nruns++;
    size_t cap = 16;
    while (cap < 2 * nruns) cap *= 2;
    d->anchor_tab = p_arena_alloc(&d->arena, cap * sizeof *d->anchor_tab);
    memset(d->anchor_tab, 0, cap * sizeof *d->anchor_tab);
    d->anchor_tab_mask = cap - 1;
    for (size_t i = 0; i < d->verbs.n; i++) {
        const verb *v = &d->verbs.v[i];
        for (uint32_t a = 0; a < v->nanch;) {
            uint32_t b = a;
            while (b < v->nanch && v->anch[b].w == v->anch[a].w) b++;
            size_t k = anchor_slot((uint32_t)i, v->anch[a].w, d->anchor_tab_mask);
            while (d->anchor_tab[k].count) k = (k + 1) & d->anchor_tab_mask;
            d->anchor_tab[k] = (struct anchor_run){(uint32_t)i, v->anch[a].w, a, b - a};
            a = b;
        }
    }
    nruns = 0;
    for (size_t i = 0; i < d->alts.n; i++) nruns += d->alts.v[i].nfw;
    cap = 16;
    while (cap < 2 * nruns) cap *= 2;
    d->alt_tab = p_arena_alloc(&d->arena, cap * sizeof *d->alt_tab);
    memset(d->alt_tab, 0, cap * sizeof *d->alt_tab);
    d->alt_tab_mask = cap - 1;
    for (size_t i = 0; i < d->alts.n; i++) {
        const palt *al = &d->alts.v[i];
        for (uint32_t a = 0; a < al->nfw;) {
            uint32_t b = a;
            while (b < al->nfw && al->fw[b] == al->fw[a]) b++;
            size_t k = anchor_slot((uint32_t)i, al->fw[a], d->alt_tab_mask);
            while (d->alt_tab[k].count) k = (k + 1) & d->alt_tab_mask;
            d->alt_tab[k] = (struct anchor_run){(uint32_t)i, al->fw[a], a, b - a};
            a = b;
        }
    }
    /* Make sure every word id has an index slot so lookups need no bounds test. */
    if (d->idx_cap <= d->words.strs.n) {
        size_t nc = d->idx_cap ? d->idx_cap : 1024;
        while (nc <= d->words.strs.n) nc *= 2;
        d->exact_idx = p_xrealloc(d->exact_idx, nc * sizeof *d->exact_idx);
        d->stem_idx = p_xrealloc(d->stem_idx, nc * sizeof *d->stem_idx);
        memset(d->exact_idx + d->idx_cap, 0, (nc - d->idx_cap) * sizeof *d->exact_idx);
        memset(d->stem_idx + d->idx_cap, 0, (nc - d->idx_cap) * sizeof *d->stem_idx);
        d->idx_cap = nc;
    }
    d->finished = 1;
    return PARLEY_OK;
}

/* ---- loading -------------------------------------------------------- */

static parley_dialect sniff_dialect(parley_dict_kind kind, const char *name, const char *data, size_t len) {
    (void)kind;
    size_t scan = len < 200000 ? len : 200000;
    const char *p = data, *e = data + scan;
    int petr1 = 0, petr2 = 0, tabari = 0, pats = 0;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl) nl = e;
        if (nl - p >= 4 && !strncmp(p, "--- ", 4)) petr1++;
        if (nl - p >= 2 && p[0] == '-' && p[1] == ' ') {
            pats++;
            /* the comment part does not count */
            const char *h = memchr(p, '#', (size_t)(nl - p));
            const char *q = h ? h : nl;
            if (memchr(p, '(', (size_t)(q - p)) || (memchr(p, '{', (size_t)(q - p)) && !memchr(p, '|', (size_t)(q - p)))) petr2++;
        }
        if (nl - p >= 9 && (!strncmp(p, "<SYNSETS>", 9) || !strncmp(p, "~~FINISH", 8))) tabari++;
        p = nl + 1;
    }
    if (petr1) {
        /* PETRARCH-2 writes noun phrases in { } and prepositions in ( ). */
        return pats && petr2 * 10 >= pats ? PARLEY_DIALECT_PETRARCH2 : PARLEY_DIALECT_PETRARCH1;
    }
    if (tabari) return PARLEY_DIALECT_TABARI;
    size_t nl = strlen(name);
    if ((nl > 6 && !strcasecmp(name + nl - 6, ".verbs")) || (nl > 7 && !strcasecmp(name + nl - 7, ".actors")) ||
        (nl > 7 && !strcasecmp(name + nl - 7, ".agents")))
        return PARLEY_DIALECT_TABARI;
    return PARLEY_DIALECT_PETRARCH1;
}

/* Our own shipped files declare "# parley-dialect: native": PETRARCH-1 layout
 * with TABARI's stem rules, the combination our authors write in. */
static int is_native(const char *data, size_t len) {
    size_t scan = len < 4096 ? len : 4096;
    for (size_t i = 0; i + 22 <= scan; i++)
        if (data[i] == '#' && !strncmp(data + i, "# parley-dialect: native", 24 <= scan - i ? 24 : scan - i)) return 1;
    return 0;
}

parley_status parley_dict_load_buffer(parley_dict *d, parley_dict_kind kind, const char *name, const char *data,
                                      size_t len, parley_dialect dialect, parley_error *err) {
    if (d->finished) { p_set_error(err, PARLEY_ERR_STATE, "dictionary set is finished; load before parley_dict_finish"); return PARLEY_ERR_STATE; }
    rd r;
    memset(&r, 0, sizeof r);
    r.d = d;
    r.name = name;
    r.file = p_intern_add(&d->files, name, strlen(name));
    r.p = data;
    r.end = data + len;
    r.err = err;
    if (dialect == PARLEY_DIALECT_AUTO) dialect = sniff_dialect(kind, name, data, len);
    int native = is_native(data, len);
    r.stems = dialect == PARLEY_DIALECT_TABARI || native;
    parley_status st = PARLEY_OK;
    switch (kind) {
    case PARLEY_DICT_VERBS: st = dict_read_verbs(&r, dialect); break;
    case PARLEY_DICT_ACTORS: st = dict_read_actors(&r, 0); break;
    case PARLEY_DICT_AGENTS: st = dict_read_agents(&r); break;
    case PARLEY_DICT_DISCARDS: st = dict_read_discards(&r); break;
    case PARLEY_DICT_ISSUES: st = dict_read_issues(&r); break;
    case PARLEY_DICT_OPTIONS: st = dict_read_options(&r); break;
    default: p_set_error(err, PARLEY_ERR_ARG, "unknown dictionary kind %d", (int)kind); return PARLEY_ERR_ARG;
    }
    if (st == PARLEY_OK && r.failed) st = PARLEY_ERR_PARSE;
    return st;
}

parley_status parley_dict_load(parley_dict *d, parley_dict_kind kind, const char *path, parley_dialect dialect,
                               parley_error *err) {
    if (d->finished) { p_set_error(err, PARLEY_ERR_STATE, "dictionary set is finished; load before parley_dict_finish"); return PARLEY_ERR_STATE; }
    /* stat before reading: a file changed in between makes the record stale, never the reverse */
    dict_add_source(d, path);
    size_t len;
    char *data = p_read_file(path, &len, err);
    if (!data) return PARLEY_ERR_IO;
    parley_status st = parley_dict_load_buffer(d, kind, path, data, len, dialect, err);
    free(data);
    return st;
}

void parley_dict_get_stats(const parley_dict *d, parley_dict_stats *o) {
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < d->phrases.n; i++) {
        switch (d->phrases.v[i].kind) {
        case K_ACTOR: o->actor_phrases++; break;
        case K_AGENT: o->agent_phrases++; break;
        case K_VERB: o->verb_forms++; break;
        case K_DISCARD: o->discards++; break;
        case K_ISSUE: o->issue_phrases++; break;
        default: break;
        }
    }
    for (size_t i = 0; i < d->verbs.n; i++) o->verb_patterns += (long)d->verbs.v[i].pats.n;
    o->synsets = (long)d->synset_name.n;
    o->actor_codes_dated = d->n_dated;
    o->files = (long)d->files.strs.n;
}

int parley_dict_lookup_actor(const parley_dict *d, const char *phrase_text, int32_t date, char *code, size_t code_cap,
                             char *why, size_t why_cap) {
    /* Normalise like the coder does: upper case, hyphens and underscores
     * as word breaks; then find the longest actor phrase equal to it. */
    char up[512];
    size_t k = 0;
    for (const char *s = phrase_text; *s && k + 1 < sizeof up; s++) {
        char c = (char)p_toupper((unsigned char)*s);
        if (c == '-' || c == '_') c = ' ';
        up[k++] = c;
    }
    up[k] = 0;
    const char *words[64];
    size_t wl[64], nw = 0;
    for (char *p = up; *p && nw < 64;) {
        while (*p == ' ') p++;
        if (!*p) break;
        words[nw] = p;
        while (*p && *p != ' ') p++;
        wl[nw] = (size_t)(p - words[nw]);
        nw++;
    }
    if (code_cap) code[0] = 0;
    if (why_cap) why[0] = 0;
    for (size_t i = 0; i < d->phrases.n; i++) {
        const phrase *ph = &d->phrases.v[i];
        if (ph->kind != K_ACTOR || ph->n != nw) continue;
        size_t j = 0;
        for (; j < nw; j++) {
            const char *w = p_intern_str(&d->words, ph->w[j].w);
            size_t n = p_intern_len(&d->words, ph->w[j].w);
            if (ph->w[j].flags & PW_EXACT) { if (n != wl[j] || memcmp(w, words[j], n)) break; }
            else if (n > wl[j] || memcmp(w, words[j], n)) break;
        }
        if (j < nw) continue;
        const actor *a = &d->actors.v[ph->target];
        const acode *used = NULL;
        int32_t c = actor_code_at(d, a, date, &used);
        const char *cs = c > 0 ? p_intern_str(&d->codes, (uint32_t)c) : "";
        snprintf(code, code_cap, "%s", cs);
        if (used && !(used->flags & AC_DEFAULT))
            snprintf(why, why_cap, "%s:%u: dated entry %d-%d", p_intern_str(&d->files, a->file), used->line, used->lo, used->hi);
        else
            snprintf(why, why_cap, "%s:%u: %s", p_intern_str(&d->files, a->file), used ? used->line : a->line,
                     used ? "undated entry" : "no entry for this date");
        return 1;
    }
    return 0;
}

/* The lexicon file (see docs/design.md): one line per word form,
 * "FORM<TAB>LEMMA<TAB>POS" with POS letters from n v a r; LEMMA "-" when the
 * form is its own lemma.  Built at setup from WordNet's index and exception
 * files, so regular and irregular forms ("met", "fought", "seized") reach
 * the dictionary word of their lemma. */
parley_status parley_dict_load_lexicon(parley_dict *d, const char *path, parley_error *err) {
    if (d->finished) { p_set_error(err, PARLEY_ERR_STATE, "load the lexicon before parley_dict_finish"); return PARLEY_ERR_STATE; }
    dict_add_source(d, path);
    size_t len;
    char *data = p_read_file(path, &len, err);
    if (!data) return PARLEY_ERR_IO;
    char *p = data, *end = data + len;
    long line = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        line++;
        char *t1 = memchr(p, '\t', (size_t)(nl - p));
        char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1)) : NULL;
        if (!t1 || !t2) {
            if (nl > p) dict_report(d, path, line, "expected FORM<TAB>LEMMA<TAB>POS");
            p = nl + 1;
            continue;
        }
        uint8_t pos = 0;
        for (char *q = t2 + 1; q < nl; q++)
            pos |= *q == 'n' ? LEX_N : *q == 'v' ? LEX_V : *q == 'a' ? LEX_A : *q == 'r' ? LEX_R : 0;
        uint32_t f = p_intern_add(&d->lex_forms, p, (size_t)(t1 - p));
        int32_t lem = -1;
        if (!(t2 - t1 == 2 && t1[1] == '-')) lem = (int32_t)dict_word(d, t1 + 1, (size_t)(t2 - t1 - 1));
        while (d->lex_lemma.n <= f) { P_PUSH(d->lex_lemma, -1); P_PUSH(d->lex_pos, 0); }
        if (lem >= 0) d->lex_lemma.v[f] = lem;
        d->lex_pos.v[f] |= pos;
        p = nl + 1;
    }
    free(data);
    return PARLEY_OK;
}
