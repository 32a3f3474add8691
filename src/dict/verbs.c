/* Verb dictionaries in the three dialects.
 *
 *  TABARI      (manual 5.5-5.7, 10.4-10.5): <SYNSETS>, <TIME>, <ATTRIB>
 *              sections; a root line "VERB [code]" followed by "{forms}" and
 *              "- pattern [code]" lines; ';' comments; ~~FINISH.
 *  PETRARCH-1  (petrarch2 dictionaries notes): "&SET"/"+member" synsets,
 *              "--- LABEL [code] ---" blocks of synonymous verbs (irregular
 *              forms in {...}, "+" marking the inflected word of a multi-word
 *              verb), patterns as in TABARI; '#' comments.
 *  PETRARCH-2  the PETRARCH-1 layout with parse-oriented patterns: {noun
 *              phrase} and (PREP object) groups, and [active:passive]
 *              codes.  We read the groups as plain words in order, which is
 *              the linear reading of the same phrase, and keep the passive
 *              code for passive clauses.
 */
#include <stdio.h>

#include "dict.h"

typedef struct tok {
    uint8_t kind;       /* PE_* or 100 '{', 101 '|', 102 '}' */
    uint8_t adj;        /* next token must follow immediately */
    uint8_t wflags;
    uint32_t arg;       /* word id / synset index */
} tok;

typedef P_VEC(tok) tokvec;

static size_t strip_comment_v(const char *s, size_t n, int hash_only) {
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '[') depth++;
        else if (c == ']') { if (depth) depth--; }
        else if (!depth && c == '#' && (i == 0 || p_isspace((unsigned char)s[i - 1]) || s[i - 1] == ']')) { n = i; break; }
        else if (!depth && !hash_only && c == ';') { n = i; break; }
    }
    while (n && p_isspace((unsigned char)s[n - 1])) n--;
    return n;
}

static int find_synset(const parley_dict *d, uint32_t name) {
    for (size_t i = d->synset_name.n; i-- > 0;)
        if (d->synset_name.v[i] == name) return (int)i;
    return -1;
}

/* Tokenises a pattern, synset member or alternative. */
static int lex(rd *r, const char *s, size_t n, tokvec *out, int petr2) {
    size_t i = 0;
    out->n = 0;
    while (i < n) {
        while (i < n && p_isspace((unsigned char)s[i])) i++;
        if (i >= n) break;
        tok t;
        memset(&t, 0, sizeof t);
        char c = s[i];
        if (petr2 && (c == '{' || c == '}' || c == '(' || c == ')')) { i++; continue; }
        if (c == '*' || c == '$' || c == '+' || c == '%' || c == '^' || c == '@') {
            t.kind = c == '*' ? PE_VERB : c == '$' ? PE_SRC : c == '+' ? PE_TGT : c == '%' ? PE_COMP : c == '^' ? PE_SKIP : PE_ATTR;
            i++;
        } else if (c == '{' || c == '|' || c == '}') {
            t.kind = c == '{' ? 100 : c == '|' ? 101 : 102;
            i++;
        } else if (c == '&') {
            size_t a = ++i;
            while (i < n && p_isalnum((unsigned char)s[i])) i++;
            /* Names may contain '_' ("&AIRCRAFT_CRASH" is a set in some files,
             * "&TIETYPES_MEMOS" is a set then a word in others): take the
             * longest defined name. */
            int best = -1;
            size_t best_end = i;
            for (size_t e = i;;) {
                char nm[128];
                size_t k = 0;
                for (size_t q = a; q < e && k + 1 < sizeof nm; q++) nm[k++] = (char)p_toupper((unsigned char)s[q]);
                int32_t w = p_intern_find(&r->d->words, nm, k);
                int si = w >= 0 ? find_synset(r->d, (uint32_t)w) : -1;
                if (si >= 0) { best = si; best_end = e; }
                if (e < n && s[e] == '_' && e + 1 < n && p_isalnum((unsigned char)s[e + 1])) {
                    e++;
                    while (e < n && p_isalnum((unsigned char)s[e])) e++;
                } else break;
            }
            if (best < 0) {
                rd_problem(r, "undefined synset &%.*s", (int)(i - a), s + a);
                return -1;
            }
            i = best_end;
            t.kind = PE_ALT;
            t.arg = r->d->synset_alt.v[best];
        } else {
            size_t a = i;
            while (i < n && !p_isspace((unsigned char)s[i]) && s[i] != '_' && s[i] != '~' && s[i] != '=' &&
                   !(s[i] == '-' && i > a) && s[i] != '{' && s[i] != '}' && s[i] != '|' && s[i] != '*' &&
                   !(petr2 && (s[i] == '(' || s[i] == ')')))
                i++;
            if (i == a) { rd_problem(r, "unexpected character '%c' in pattern", s[i]); return -1; }
            char w[256];
            size_t k = 0;
            for (size_t q = a; q < i && k + 1 < sizeof w; q++) w[k++] = (char)p_toupper((unsigned char)s[q]);
            /* Treebank-style "DID N'T": one word, as the tokenizer reads "didn't" */
            if (k == 3 && !memcmp(w, "N'T", 3) && out->n && out->v[out->n - 1].kind == PE_WORD) {
                tok *pv = &out->v[out->n - 1];
                char j[300];
                size_t jl = (size_t)snprintf(j, sizeof j, "%s%s", p_intern_str(&r->d->words, pv->arg), "N'T");
                if (jl < sizeof j) pv->arg = dict_word(r->d, j, jl);
                if (i < n && (s[i] == '_' || s[i] == ' ')) { /* keep the previous word's connector */ }
                continue;
            }
            t.kind = PE_WORD;
            t.arg = dict_word(r->d, w, k);
            t.wflags = r->stems ? 0 : PW_EXACT;
            if (i < n && s[i] == '=') { t.wflags |= PW_EXACT | PW_NOEND; i++; }
            if (i < n && s[i] == '~') { t.wflags &= (uint8_t)~PW_EXACT; i++; if (i < n && (s[i] == '_' || s[i] == '-')) { i++; t.adj = 1; } P_PUSH(*out, t); continue; }
            if (i < n && (s[i] == '_' || s[i] == '-')) {
                t.wflags |= PW_EXACT;
                i++;
                if (i < n && !p_isspace((unsigned char)s[i])) t.adj = 1;
                if (t.adj && i < n && p_isalnum((unsigned char)s[i])) t.wflags |= PW_NOEND; /* A_B: A exactly */
            }
            P_PUSH(*out, t);
            continue;
        }
        if (i < n && s[i] == '_') { i++; if (i < n && !p_isspace((unsigned char)s[i])) t.adj = 1; }
        P_PUSH(*out, t);
    }
    return 0;
}

/* Flattens tokens [a,b) containing only words and synsets into every word
 * sequence they denote (cartesian product over synsets), added to `alt`. */
typedef struct seqset { P_VEC(uint32_t) start; P_VEC(uint32_t) len; pwvec words; } seqset;

static void seq_expand(parley_dict *d, const tok *t, size_t nt, pwvec *cur, seqset *out, int depth) {
    if (!nt) {
        P_PUSH(out->start, (uint32_t)out->words.n);
        P_PUSH(out->len, (uint32_t)cur->n);
        for (size_t i = 0; i < cur->n; i++) P_PUSH(out->words, cur->v[i]);
        return;
    }
    if (depth > 8 || out->start.n > 20000) return;
    if (t->kind == PE_WORD) {
        pword w = {t->arg, (uint8_t)(t->wflags | (t->adj ? PW_ADJ : 0))};
        P_PUSH(*cur, w);
        seq_expand(d, t + 1, nt - 1, cur, out, depth);
        cur->n--;
    } else if (t->kind == PE_ALT) {
        const palt *al = &d->alts.v[t->arg];
        for (uint32_t s = 0; s < al->nseq; s++) {
            size_t mark = cur->n;
            for (uint32_t k = 0; k < al->len[s]; k++) {
                pword w = al->words[al->start[s] + k];
                if (k + 1 == al->len[s]) w.flags = (uint8_t)((w.flags & ~PW_ADJ) | (t->adj ? PW_ADJ : 0));
                P_PUSH(*cur, w);
            }
            seq_expand(d, t + 1, nt - 1, cur, out, depth + 1);
            cur->n = mark;
        }
    }
}

static uint32_t alt_from(parley_dict *d, seqset *ss) {
    palt al;
    memset(&al, 0, sizeof al);
    al.nseq = (uint32_t)ss->start.n;
    al.start = p_arena_alloc(&d->arena, (al.nseq + 1) * sizeof(uint32_t));
    al.len = p_arena_alloc(&d->arena, (al.nseq + 1) * sizeof(uint32_t));
    al.words = p_arena_alloc(&d->arena, (ss->words.n + 1) * sizeof(pword));
    if (al.nseq) {
        memcpy(al.start, ss->start.v, al.nseq * sizeof(uint32_t));
        memcpy(al.len, ss->len.v, al.nseq * sizeof(uint32_t));
    }
    if (ss->words.n) memcpy(al.words, ss->words.v, ss->words.n * sizeof(pword));
    for (uint32_t s = 0; s < al.nseq; s++) {
        uint32_t c = 0;
        for (uint32_t k = 0; k < al.len[s]; k++) c += p_intern_len(&d->words, al.words[al.start[s] + k].w);
        if (c > al.maxchars) al.maxchars = c;
    }
    al.fw = p_arena_alloc(&d->arena, (al.nseq + 1) * sizeof(uint32_t));
    al.fw_seq = p_arena_alloc(&d->arena, (al.nseq + 1) * sizeof(uint32_t));
    al.stem_seq = p_arena_alloc(&d->arena, (al.nseq + 1) * sizeof(uint32_t));
    for (uint32_t q = 0; q < al.nseq; q++) {
        if (!al.len[q]) continue;
        pword w0 = al.words[al.start[q]];
        if (w0.flags & PW_EXACT) { al.fw[al.nfw] = w0.w; al.fw_seq[al.nfw++] = q; }
        else {
            al.stem_seq[al.nstem++] = q;
            const char *sw = p_intern_str(&d->words, w0.w);
            al.stem_first |= 1ULL << ((unsigned char)sw[0] & 63);
        }
    }
    /* insertion sort by word keeps equal words in sequence order */
    for (uint32_t q = 1; q < al.nfw; q++) {
        uint32_t w = al.fw[q], sq = al.fw_seq[q], j = q;
        while (j > 0 && al.fw[j - 1] > w) { al.fw[j] = al.fw[j - 1]; al.fw_seq[j] = al.fw_seq[j - 1]; j--; }
        al.fw[j] = w;
        al.fw_seq[j] = sq;
    }
    P_PUSH(d->alts, al);
    return (uint32_t)(d->alts.n - 1);
}

static void seqset_free(seqset *ss) { P_FREE_VEC(ss->start); P_FREE_VEC(ss->len); P_FREE_VEC(ss->words); }

/* Synset under construction. */
typedef struct synbuild { int open; uint32_t name; seqset ss; } synbuild;

static void syn_close(parley_dict *d, synbuild *sb) {
    if (!sb->open) return;
    sb->open = 0;
    int existing = find_synset(d, sb->name);
    if (existing >= 0) {
        /* Same name defined again (e.g. in a second file): the union. */
        const palt *old = &d->alts.v[d->synset_alt.v[existing]];
        for (uint32_t s = 0; s < old->nseq; s++) {
            P_PUSH(sb->ss.start, (uint32_t)sb->ss.words.n);
            P_PUSH(sb->ss.len, old->len[s]);
            for (uint32_t k = 0; k < old->len[s]; k++) P_PUSH(sb->ss.words, old->words[old->start[s] + k]);
        }
        d->synset_alt.v[existing] = alt_from(d, &sb->ss);
    } else {
        uint32_t a = alt_from(d, &sb->ss);
        P_PUSH(d->synset_name, sb->name);
        P_PUSH(d->synset_alt, a);
    }
    seqset_free(&sb->ss);
    memset(&sb->ss, 0, sizeof sb->ss);
}

static void syn_member(rd *r, synbuild *sb, const char *s, size_t n, int tabari) {
    tokvec tv = {0};
    if (lex(r, s, n, &tv, 0) < 0) { P_FREE_VEC(tv); return; }
    /* TABARI 5.6: no automatic endings on synset members; a member written
     * as a whole word ("+KRONER_") matches only that spelling */
    if (tabari)
        for (size_t i = 0; i < tv.n; i++)
            if (tv.v[i].kind == PE_WORD && (tv.v[i].wflags & PW_EXACT)) tv.v[i].wflags |= PW_NOEND;
    for (size_t i = 0; i < tv.n; i++)
        if (tv.v[i].kind != PE_WORD && tv.v[i].kind != PE_ALT) {
            rd_problem(r, "synset members may hold only words and synsets");
            P_FREE_VEC(tv);
            return;
        }
    pwvec cur = {0};
    if (tv.n) seq_expand(r->d, tv.v, tv.n, &cur, &sb->ss, 0);
    P_FREE_VEC(cur);
    P_FREE_VEC(tv);
}

/* Builds a pattern from its text (between "-" and "["). */
static int build_pattern(rd *r, const char *s, size_t n, const vcode *code, int petr2, pattern *out) {
    tokvec tv = {0};
    memset(out, 0, sizeof *out);
    if (lex(r, s, n, &tv, petr2) < 0) { P_FREE_VEC(tv); return 0; }
    P_VEC(pelem) el = {0};
    int nverb = 0;
    uint32_t chars = 0;
    for (size_t i = 0; i < tv.n; i++) {
        tok *t = &tv.v[i];
        if (t->kind == 101 || t->kind == 102) { rd_problem(r, "'|' or '}' outside { }"); goto fail; }
        if (t->kind == 100) {
            /* { alt | alt ... } */
            size_t j = i + 1, seg = j;
            seqset ss;
            memset(&ss, 0, sizeof ss);
            int ok = 0;
            for (; j < tv.n; j++) {
                if (tv.v[j].kind == 101 || tv.v[j].kind == 102) {
                    for (size_t q = seg; q < j; q++)
                        if (tv.v[q].kind != PE_WORD && tv.v[q].kind != PE_ALT) { rd_problem(r, "alternatives may hold only words and synsets"); seqset_free(&ss); goto fail; }
                    pwvec cur = {0};
                    if (j > seg) seq_expand(r->d, tv.v + seg, j - seg, &cur, &ss, 0);
                    P_FREE_VEC(cur);
                    seg = j + 1;
                    if (tv.v[j].kind == 102) { ok = 1; break; }
                } else if (tv.v[j].kind == 100) break;
            }
            if (!ok || !ss.start.n) { rd_problem(r, "unterminated or empty { ... } alternative"); seqset_free(&ss); goto fail; }
            pelem e = {PE_ALT, tv.v[j].adj, alt_from(r->d, &ss)};
            chars += r->d->alts.v[e.arg].maxchars;
            seqset_free(&ss);
            P_PUSH(el, e);
            i = j;
            continue;
        }
        pelem e = {t->kind, t->adj, t->arg};
        if (t->kind == PE_WORD) {
            /* words keep their match flags in the high byte of the element */
            e.adj = (uint8_t)(t->adj | (t->wflags << 1));
            chars += p_intern_len(&r->d->words, t->arg);
        } else if (t->kind == PE_ALT) chars += r->d->alts.v[t->arg].maxchars;
        else if (t->kind == PE_VERB) { nverb++; out->verb_at = (uint16_t)el.n; }
        else if (t->kind == PE_SRC) out->has_src = 1;
        else if (t->kind == PE_TGT) out->has_tgt = 1;
        else if (t->kind == PE_COMP) out->has_comp = 1;
        P_PUSH(el, e);
    }
    if (nverb != 1) { rd_problem(r, nverb ? "more than one '*' in pattern" : "pattern without the verb marker '*'"); goto fail; }
    out->el = p_arena_alloc(&r->d->arena, el.n * sizeof(pelem));
    memcpy(out->el, el.v, el.n * sizeof(pelem));
    out->nel = (uint16_t)el.n;
    out->chars = chars;
    /* Its words, whole words and stems alike, let the coder reject most
     * patterns of a busy verb with a lookup in the sentence's word set
     * before any matching (the coder lists a token's pattern stems among
     * its words). */
    uint16_t nreq = 0;
    for (size_t i = 0; i < el.n; i++) if (el.v[i].kind == PE_WORD) nreq++;
    out->req = nreq ? p_arena_alloc(&r->d->arena, nreq * sizeof(uint32_t)) : NULL;
    out->nreq = 0;
    out->nreq_pre = 0;
    for (size_t i = 0; i < el.n; i++)
        if (el.v[i].kind == PE_WORD) {
            out->req[out->nreq++] = el.v[i].arg;
            if (i < out->verb_at) out->nreq_pre++;
        }
    out->code = *code;
    out->file = r->file;
    out->line = (uint32_t)r->line;
    for (size_t i = 0; i < el.n; i++)
        if (el.v[i].kind == PE_WORD) {
            const char *w = p_intern_str(&r->d->words, el.v[i].arg);
            if (!strcmp(w, "NOT") || !strcmp(w, "NO") || !strcmp(w, "NEVER") || !strncmp(w, "DIDN'T", 6) || !strcmp(w, "REFUSED") ||
                !strcmp(w, "FAILED") || !strcmp(w, "WON'T") || !strcmp(w, "CAN'T") || !strcmp(w, "WITHOUT"))
                out->has_neg = 1;
        }
    P_FREE_VEC(el);
    P_FREE_VEC(tv);
    return 1;
fail:
    P_FREE_VEC(el);
    P_FREE_VEC(tv);
    return 0;
}

/* Splits "TEXT [code] rest" at the last '[' ... ']' pair. */
static int split_code(const char *s, size_t n, size_t *text_len, const char **code, size_t *code_len) {
    const char *b = NULL;
    for (size_t i = n; i-- > 0;) if (s[i] == '[') { b = s + i; break; }
    if (!b) return 0;
    const char *e = memchr(b, ']', (size_t)(s + n - b));
    if (!e) return -1;
    *text_len = (size_t)(b - s);
    while (*text_len && p_isspace((unsigned char)s[*text_len - 1])) (*text_len)--;
    *code = b + 1;
    *code_len = (size_t)(e - b - 1);
    return 1;
}

static uint32_t new_verb(rd *r, const vcode *code, uint8_t section) {
    verb v;
    memset(&v, 0, sizeof v);
    v.code = *code;
    v.file = r->file;
    v.line = (uint32_t)r->line;
    v.section = section;
    P_PUSH(r->d->verbs, v);
    return (uint32_t)(r->d->verbs.n - 1);
}

/* Adds a verb form (single or multi-word, '+' marks the inflected word). */
static int add_form(rd *r, const char *s, size_t n, uint32_t vid, const vcode *own) {
    char tmp[512];
    size_t k = 0;
    int verb_word = 0, words = 0, plus_at = -1;
    for (size_t i = 0; i < n && k + 1 < sizeof tmp; i++) {
        if (s[i] == '+') { plus_at = words; continue; }
        if ((s[i] == '_' || s[i] == ' ') && k && tmp[k - 1] != '_' && i + 1 < n) words++;
        tmp[k++] = s[i];
    }
    if (plus_at >= 0) verb_word = plus_at;
    pwvec w = {0};
    if (!dict_parse_phrase(r, tmp, k, &w, 1)) { P_FREE_VEC(w); rd_problem(r, "empty verb form"); return 0; }
    uint32_t pid = dict_add_phrase(r->d, K_VERB, w.v, w.n, vid);
    phrase *ph = &r->d->phrases.v[pid];
    ph->verb_word = (uint16_t)(verb_word < (int)w.n ? verb_word : 0);
    if (plus_at >= 0) ph->w[ph->verb_word].flags &= (uint8_t)~PW_NOEND; /* "+CLEAR_UP": CLEARED UP */
    if (own) { ph->own = *own; ph->has_own = 1; }
    if (!r->d->verbs.v[vid].label) r->d->verbs.v[vid].label = w.v[0].w + 1;
    P_FREE_VEC(w);
    return 1;
}

static void add_forms_braced(rd *r, const char *s, size_t n, uint32_t vid, const vcode *own) {
    const char *e = s + n, *p = s;
    while (p < e) {
        while (p < e && (p_isspace((unsigned char)*p) || *p == '{' || *p == '}')) p++;
        const char *a = p;
        while (p < e && !p_isspace((unsigned char)*p) && *p != '}') p++;
        if (p > a) add_form(r, a, (size_t)(p - a), vid, own);
    }
}

parley_status dict_read_verbs(rd *r, parley_dialect dialect) {
    int petr = dialect != PARLEY_DIALECT_TABARI;
    int petr2 = dialect == PARLEY_DIALECT_PETRARCH2;
    synbuild sb;
    memset(&sb, 0, sizeof sb);
    int section = 0;        /* 0 verbs, 1 time, 2 attrib, 3 synsets (TABARI) */
    int64_t cur = -1;       /* current verb (TABARI root / PETR block) */
    vcode block_code;
    memset(&block_code, 0, sizeof block_code);
    int block_has_verb = 0;
    const char *s;
    size_t n;
    long transforms = 0;
    while (rd_next_line(r, &s, &n) && !r->failed) {
        if (n >= 8 && !strncmp(s, "~~FINISH", 8)) break;
        const char *t = s;
        while (t < s + n && p_isspace((unsigned char)*t)) t++;
        size_t tn = (size_t)(s + n - t);
        if (!tn) continue;
        if (t[0] == '#' || (!petr && (t[0] == '/' || t[0] == ';'))) continue;
        /* The PETRARCH-1 block header is "--- LABEL [code] ---": check it
         * before stripping, since the trailing "---" is not a comment. */
        if (petr && tn >= 4 && P_STARTS(t, tn, "---") && t[3] != ']') {
            syn_close(r->d, &sb);
            size_t tl;
            const char *c;
            size_t cl;
            vcode vc;
            memset(&vc, 0, sizeof vc);
            vc.flags = VC_NULL;
            if (split_code(t, tn, &tl, &c, &cl) == 1 && !dict_parse_vcode(r, c, cl, &vc)) { rd_problem(r, "bad code in block header"); vc.flags = VC_NULL; }
            if (petr2 && (vc.flags & VC_PAIRED)) vc.flags = (uint8_t)((vc.flags & ~VC_PAIRED) | VC_PASSIVE); /* [active:passive] */
            block_code = vc;
            cur = new_verb(r, &vc, (uint8_t)(section == 1 || section == 2 ? section : 0));
            block_has_verb = 0;
            continue;
        }
        tn = strip_comment_v(t, tn, petr);
        if (!tn) continue;
        if (tn >= 4 && P_STARTS(t, tn, "<!--")) continue; /* XML-style comment lines */
        if (t[0] == '<') {
            syn_close(r->d, &sb);
            if (P_STARTS(t, tn, "<SYNSETS>") || P_STARTS(t, tn, "<SYNSET>")) section = 3;
            else if (P_STARTS(t, tn, "<TIME>")) { section = 1; r->d->has_time = 1; }
            else if (P_STARTS(t, tn, "<ATTRIB>")) section = 2;
            else if (tn > 1 && t[1] == '/') section = 0;
            else rd_problem(r, "unknown section tag '%.*s'", (int)tn, t);
            cur = -1;
            continue;
        }
        if (t[0] == '&') {
            syn_close(r->d, &sb);
            size_t a = 1, e = 1;
            while (e < tn && (p_isalnum((unsigned char)t[e]) || t[e] == '_')) e++;
            size_t nl = e - a;
            while (nl && t[a + nl - 1] == '_') nl--; /* "&NAME_" = no plurals: same set */
            if (!nl) { rd_problem(r, "synset without a name"); continue; }
            char nm[128];
            size_t k = 0;
            for (size_t q = a; q < a + nl && k + 1 < sizeof nm; q++) nm[k++] = (char)p_toupper((unsigned char)t[q]);
            sb.open = 1;
            sb.name = dict_word(r->d, nm, k);
            continue;
        }
        if (t[0] == '+' && sb.open) { syn_member(r, &sb, t + 1, tn - 1, !petr); continue; }
        if (t[0] == '+' && section == 3) { rd_problem(r, "synset member before any &NAME"); continue; }
        syn_close(r->d, &sb);
        if (t[0] == '~') { transforms++; continue; }
        if (t[0] == '-' && tn > 1 && (p_isspace((unsigned char)t[1]) || t[1] == '%' || t[1] == '$' || t[1] == '+' || t[1] == '*')) {
            if (cur < 0) { rd_problem(r, "pattern before any verb"); continue; }
            size_t tl;
            const char *c;
            size_t cl;
            int sc = split_code(t + 1, tn - 1, &tl, &c, &cl);
            if (sc <= 0) { rd_problem(r, sc < 0 ? "missing ']' in pattern code" : "pattern without a [code]"); continue; }
            vcode vc;
            if (!cl) { rd_problem(r, "empty code [] in pattern"); continue; }
            if (petr2 && cl && c[0] == ':') {
                /* "[:173]": only the passive reading codes */
                if (!dict_parse_vcode(r, c + 1, cl - 1, &vc)) { rd_problem(r, "bad code [%.*s]", (int)cl, c); continue; }
                vc.c2 = vc.c1;
                vc.c1 = 0;
                vc.flags |= VC_PASSIVE;
            } else if (!dict_parse_vcode(r, c, cl, &vc)) { rd_problem(r, "bad code [%.*s]", (int)cl, c); continue; }
            if (petr2 && (vc.flags & VC_PAIRED)) vc.flags = (uint8_t)((vc.flags & ~VC_PAIRED) | VC_PASSIVE);
            pattern p;
            if (!build_pattern(r, t + 1, tl, &vc, petr2, &p)) continue;
            P_PUSH(r->d->verbs.v[cur].pats, p);
            continue;
        }
        if (section == 3) { rd_problem(r, "unexpected line in <SYNSETS>"); continue; }
        if (t[0] == '{') {
            if (cur < 0) { rd_problem(r, "verb forms before any verb"); continue; }
            add_forms_braced(r, t, tn, (uint32_t)cur, NULL);
            continue;
        }
        /* A verb line. */
        size_t tl = tn;
        const char *c = NULL;
        size_t cl = 0;
        int sc = split_code(t, tn, &tl, &c, &cl);
        if (sc < 0) { rd_problem(r, "missing ']'"); continue; }
        vcode vc;
        int has_code = 0;
        if (sc == 1) {
            if (!dict_parse_vcode(r, c, cl, &vc)) { rd_problem(r, "bad code [%.*s]", (int)cl, c); continue; }
            if (petr2 && (vc.flags & VC_PAIRED)) vc.flags = (uint8_t)((vc.flags & ~VC_PAIRED) | VC_PASSIVE);
            has_code = 1;
        }
        const char *brace = memchr(t, '{', tl);
        size_t head = brace ? (size_t)(brace - t) : tl;
        while (head && p_isspace((unsigned char)t[head - 1])) head--;
        if (!head) { rd_problem(r, "verb line without a verb"); continue; }
        if (!petr) {
            /* TABARI: every root starts its own pattern list. */
            if (!has_code) { memset(&vc, 0, sizeof vc); vc.flags = VC_NULL; rd_problem(r, "verb root without a [code]"); }
            cur = new_verb(r, &vc, (uint8_t)(section == 1 || section == 2 ? section : 0));
            add_form(r, t, head, (uint32_t)cur, NULL);
            if (brace) add_forms_braced(r, brace, (size_t)(t + tl - brace), (uint32_t)cur, NULL);
        } else {
            if (cur < 0) { memset(&block_code, 0, sizeof block_code); block_code.flags = VC_NULL; cur = new_verb(r, &block_code, 0); }
            add_form(r, t, head, (uint32_t)cur, has_code ? &vc : NULL);
            if (brace) add_forms_braced(r, brace, (size_t)(t + tl - brace), (uint32_t)cur, has_code ? &vc : NULL);
            block_has_verb = 1;
        }
    }
    syn_close(r->d, &sb);
    (void)block_has_verb;
    if (transforms) {
        r->line = 0;
        rd_problem(r, "%ld PETRARCH-2 transformation rule(s) ('~' lines) read but not applied", transforms);
        if (!r->d->strict) r->d->problems--; /* informational: not a malformed line */
    }
    return PARLEY_OK;
}
