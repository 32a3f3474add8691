/* Internal representation of a loaded dictionary set (see parley.h for the
 * public view).  Everything the coder reads lives here; after
 * parley_dict_finish() nothing in it changes, which is what makes a finished
 * set safe to share between threads. */
#ifndef PARLEY_DICT_H
#define PARLEY_DICT_H

#include "../util/util.h"
#include "options.h"

/* A word of a dictionary phrase or pattern.  `w` is an id in dict->words. */
enum {
    PW_EXACT = 1,   /* TABARI "WORD_": whole word (regular endings still allowed) */
    PW_NOEND = 2,   /* "WORD=": exactly this spelling                          */
    PW_ADJ = 4,     /* the next element must follow immediately                 */
};
typedef struct pword { uint32_t w; uint8_t flags; } pword;
typedef P_VEC(pword) pwvec;

/* Special event/actor codes (TABARI chapter 6). */
enum {
    VC_NULL = 1,        /* [---]  matched, codes nothing          */
    VC_DISCARD = 2,     /* [###]  the sentence is discarded        */
    VC_COMPLEX = 4,     /* [+++]  the sentence is too complex      */
    VC_SUBORD = 8,      /* [023?] used only if nothing else codes  */
    VC_DOMINANT = 16,   /* [111!] wins over non-dominant events    */
    VC_PAIRED = 32,     /* [032:033]                               */
    VC_TIME = 64,       /* <TIME> shift: c1 holds the day offset   */
    VC_PASSIVE = 128,   /* PETRARCH-2 [active:passive]: c2 codes passive clauses */
};
typedef struct vcode { uint32_t c1, c2; int32_t shift; uint8_t flags; } vcode; /* c1,c2: ids in dict->codes */

/* Pattern elements. */
enum { PE_WORD, PE_ALT, PE_SRC, PE_TGT, PE_COMP, PE_SKIP, PE_ATTR, PE_VERB };
typedef struct pelem { uint8_t kind, adj; uint32_t arg; } pelem;

/* A set of alternative word sequences ({a | b c}, or a synset). */
typedef struct palt {
    uint32_t nseq; uint32_t *start; uint32_t *len; pword *words; uint32_t maxchars;
    /* first-word index: (word, seq) pairs of whole-word sequences sorted by
     * word, and the sequences that start with a stem (always tried) */
    uint32_t *fw, *fw_seq, nfw;
    uint32_t *stem_seq, nstem;
    uint64_t stem_first;       /* bit (letter & 63) of the first letter of every stem-first sequence */
    /* bloom filter of the whole first words, 2^fbloom_bits bits: a word
     * not in it needs no probe of alt_tab (derived, never saved) */
    uint64_t *fbloom; uint8_t fbloom_bits;
} palt;

typedef struct pattern {
    pelem *el; uint16_t nel;
    uint16_t verb_at;          /* index of PE_VERB in el */
    uint32_t chars;            /* TABARI length: letters of fixed text + longest alternative */
    vcode code;
    uint32_t file, line;
    uint8_t has_src, has_tgt, has_comp, has_neg;
    uint32_t *req; uint16_t nreq;  /* words (whole or stems) the pattern cannot match without, in order */
    uint16_t nreq_pre;             /* how many of them come before the verb */
} pattern;

/* pattern `pat` filed under its word `w`, with the bloom mask of all its
 * required words (bit word_bit(w)): read with the anchor, it drops the
 * pattern before its record is touched */
typedef struct anchor {
    uint32_t w, pat; uint64_t mask[4];
    /* the pattern's first nin (<= 3) required words and how many of all
     * come before the verb: with the anchor, they decide most patterns */
    uint16_t nreq_pre, nin; uint32_t req[3];
} anchor;
static inline size_t anchor_slot(uint32_t verb, uint32_t w, size_t mask) {
    uint64_t h = ((uint64_t)verb << 32 | w) * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 40) & mask;
}
/* bit of word w in a bloom filter of 2^bits bits (dict_derive) */
static inline uint32_t word_bloom_bit(uint32_t w, uint8_t bits) { return (uint32_t)(w * 2654435761u) >> (32 - bits); }
static inline int word_bloom_has(const uint64_t *bloom, uint8_t bits, uint32_t w) {
    uint32_t b = word_bloom_bit(w, bits);
    return bloom[b >> 6] >> (b & 63) & 1;
}
typedef struct verb {          /* a verb root / synonym block; forms point here */
    vcode code;                /* code of the isolated verb */
    P_VEC(pattern) pats;
    /* Index for busy verbs: each pattern with whole-word literals is filed
     * under its longest one; the coder looks up only the words it has. */
    anchor *anch; uint32_t nanch;
    uint32_t *free_pats; uint32_t nfree;
    /* per free pattern, an alternative it cannot match without (the one
     * with the fewest first words), or UINT32_MAX (derived, never saved) */
    uint32_t *free_alt;
    /* bloom filter of the anchor words, 2^abloom_bits bits: most of a
     * sentence's words are not among a busy verb's anchors, and this says
     * so without a probe of anchor_tab (derived, never saved) */
    uint64_t *abloom; uint8_t abloom_bits;
    /* the distinct anchor words, in anchor order, and where each one's
     * anchors start (narun + 1 of those): a sentence has few of a verb's
     * anchor words, and these 4-byte words are read instead of the
     * anchors themselves (derived, never saved) */
    uint32_t *arun_w, *arun_at; uint32_t narun;
    /* per pattern: 1 if it has an actor slot ($ + % ^ @) before the verb,
     * 2 if after; it cannot match a clause with no actor there (derived) */
    uint8_t *pat_sides;
    /* VC_DISCARD | VC_COMPLEX if some pattern of the verb has them (derived) */
    uint8_t pat_flags;
    uint32_t file, line;
    uint32_t label;            /* word id of the first form, for traces */
    uint8_t section;           /* 0 verbs, 1 time, 2 attribution */
} verb;

/* Dated actor code (TABARI 6.5.2): lo/hi inclusive, 0 = open. */
typedef struct acode { uint32_t code; int32_t lo, hi; uint8_t flags; uint32_t line; } acode;
enum { AC_DEFAULT = 1 };
typedef struct actor {
    acode *codes; uint16_t ncodes;
    uint32_t file, line;
    uint32_t parent;          /* word-phrase id of the primary phrase, for output */
} actor;

typedef struct agent { uint32_t code; uint8_t prefix; uint32_t file, line; } agent;  /* prefix: CODE~ */

typedef struct issue { uint32_t code; uint32_t file, line; uint8_t ignore; } issue;

/* Every phrase (actor, agent, verb form, noun, ...) is indexed by its first
 * word so that a text token finds its candidates with a few hash lookups. */
enum { K_ACTOR, K_AGENT, K_VERB, K_NOUN, K_ADJ, K_DISCARD, K_ISSUE, K_NKINDS };
typedef struct phrase {
    pword *w; uint16_t n;
    uint16_t verb_word;        /* for verb forms: which word carries the inflection */
    uint8_t kind, stem_first;
    uint32_t target;           /* index into actors / agents / verbs / ...  */
    vcode own;                 /* verb forms with their own code (PETRARCH-1) */
    uint8_t has_own;
    uint8_t may_flag;          /* verb forms: a code of theirs or of their group's patterns discards or is complex (derived) */
    uint32_t chars;
    uint32_t vgroup;           /* verb forms: the same form in other blocks/files */
} phrase;

typedef struct keyent { uint32_t phrase; struct keyent *next; } keyent;

typedef struct cameo_row { parley_cameo_info info; } cameo_row;

struct dict_source { char *path; int64_t size, mtime_s, mtime_ns, ctime_s, ctime_ns; };
struct dict_diag { const char *file, *msg; long line; };

struct parley_dict {
    p_intern words;            /* upper-case words and stems */
    p_intern codes;            /* actor / event / agent codes */
    p_intern files;            /* file names for traces */
    p_arena arena;
    P_VEC(phrase) phrases;
    P_VEC(actor) actors;
    P_VEC(agent) agents;
    P_VEC(verb) verbs;
    P_VEC(issue) issues;
    P_VEC(palt) alts;
    P_VEC(uint32_t) synset_name;   /* word id of &NAME per synset alt */
    P_VEC(uint32_t) synset_alt;
    P_VEC(uint8_t) discard_story;  /* per K_DISCARD phrase target */
    /* index: word id -> chain of phrases, exact and stem first words */
    keyent **exact_idx, **stem_idx; size_t idx_cap;
    uint64_t stem_lengths;         /* bit i set: some stem has length i (<64) */
    uint64_t *anchor_words;        /* bit per word id: some verb pattern is filed under it */
    /* bit per word id: a pattern has it as a stem (a word without '_'); the
     * coder lists these among the words a token can stand for, so that a
     * pattern's stems, like its whole words, are looked up, not scanned for */
    uint64_t *pat_stems;
    uint64_t pat_stem_lengths;     /* bit i: some such stem has i letters (63: 63 or more) */
    uint64_t *hint_words;          /* bit per word id: the second word, adjacent and whole, of some phrase */
    size_t n_anchor_words;         /* word ids covered */
    /* (verb, word) -> run of that verb's anchors filed under the word:
     * open addressing, so a verb with thousands of patterns costs one probe
     * per sentence word instead of a binary search */
    struct anchor_run { uint32_t owner, w, start, count; } *anchor_tab; /* owner: verb or alternative index */
    size_t anchor_tab_mask;
    /* the same for alternatives: (alternative, first word) -> run in fw */
    struct anchor_run *alt_tab;
    size_t alt_tab_mask;
    uint8_t stemming_default;
    options opts;                  /* from .options files */
    int has_opts, has_time;
    /* verb groups: every verb phrase with the same words (from several blocks
     * or files) is one group, and the coder tries the patterns of all */
    P_VEC(uint32_t) vg_start, vg_len, vg_phr;
    P_VEC(cameo_row) cameo;
    p_intern cameo_idx;
    parley_diag_fn diag; void *diag_ud;
    int strict; long problems;
    size_t max_line;               /* bytes; 0: PARLEY_DICT_MAX_LINE */
    int finished;
    long n_dated;
    /* Files loaded, with their size and time when read, and every problem
     * reported: a compiled file (cache.c) checks the first and replays the
     * second. */
    P_VEC(struct dict_source) sources;
    P_VEC(struct dict_diag) diags;
    /* A set read by parley_dict_load_compiled points into this copy of the
     * file (held by the arena): those arrays are not freed one by one. */
    const char *blob; size_t blob_size;
    /* English lexicon (WordNet, built at setup): form -> lemma, parts of speech */
    p_intern lex_forms;
    P_VEC(int32_t) lex_lemma;      /* per form: word id of its lemma in `words`, -1 */
    P_VEC(uint8_t) lex_pos;        /* per form: LEX_N | LEX_V | LEX_A | LEX_R */
};
enum { LEX_N = 1, LEX_V = 2, LEX_A = 4, LEX_R = 8 };

/* Reading helpers shared by the dialect readers. */
typedef struct rd {
    parley_dict *d;
    const char *name; uint32_t file;
    const char *p, *end;
    long line;
    int stems;                 /* TABARI semantics: words without '_' are stems */
    parley_error *err;
    int failed;
} rd;
int rd_next_line(rd *r, const char **s, size_t *n);
void rd_problem(rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Counts, records and forwards a problem with a dictionary file. */
void dict_report(parley_dict *d, const char *file, long line, const char *msg);
/* Records a file about to be read (for the compiled file's checks). */
void dict_add_source(parley_dict *d, const char *path);
/* Frees everything a set holds, leaving the struct itself. */
void dict_release(parley_dict *d);

uint32_t dict_word(parley_dict *d, const char *s, size_t n);
uint32_t dict_code(parley_dict *d, const char *s, size_t n);
int dict_parse_phrase(rd *r, const char *s, size_t n, pwvec *out, int space_is_gap);
uint32_t dict_add_phrase(parley_dict *d, uint8_t kind, const pword *w, size_t n, uint32_t target);
int dict_parse_vcode(rd *r, const char *s, size_t n, vcode *out);

parley_status dict_read_actors(rd *r, int agents_mode);
parley_status dict_read_agents(rd *r);
parley_status dict_read_verbs(rd *r, parley_dialect dialect);
parley_status dict_read_discards(rd *r);
parley_status dict_read_issues(rd *r);
parley_status dict_read_options(rd *r);

static inline uint32_t word_bit(uint32_t w) { return (w * 2654435761u) >> 24; } /* 0..255 */

/* Date-resolved code of an actor: 0 = null-coded; *line gets the entry used. */
static inline int32_t actor_code_at(const parley_dict *d, const actor *a, int32_t date, const acode **used) {
    (void)d;
    const acode *dflt = NULL;
    for (uint16_t i = 0; i < a->ncodes; i++) {
        const acode *c = &a->codes[i];
        if (c->flags & AC_DEFAULT) { if (!dflt) dflt = c; continue; }
        if (date == 0) continue;
        if ((c->lo == 0 || date >= c->lo) && (c->hi == 0 || date <= c->hi)) { if (used) *used = c; return (int32_t)c->code; }
    }
    if (dflt) { if (used) *used = dflt; return (int32_t)dflt->code; }
    if (date == 0 && a->ncodes) {  /* undated text: the most recent dated role */
        const acode *best = &a->codes[0];
        for (uint16_t i = 1; i < a->ncodes; i++) if (a->codes[i].hi == 0 || a->codes[i].hi > best->hi) best = &a->codes[i];
        if (used) *used = best;
        return (int32_t)best->code;
    }
    if (used) *used = NULL;
    return -1;
}

/* Builds what is derived from the rest and never saved: the verbs' and
 * alternatives' bloom filters, the pattern stem set and the hint words
 * (parley_dict_finish and the compiled loader). */
void dict_derive(parley_dict *d);

#endif
