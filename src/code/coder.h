/* Coding stage internals: the per-thread coder state. */
#ifndef PARLEY_CODER_H
#define PARLEY_CODER_H

#include "../dict/dict.h"
#include "../text/text.h"

/* Word types, after TABARI manual 7.1. */
enum {
    T_NONE, T_ACTOR, T_AGENT, T_VERB, T_NOUN, T_ADJ, T_DET, T_PRON, T_CONJ,
    T_AUX, T_BY, T_COMMA, T_NUM, T_TIME, T_ATTRIB, T_NULL, T_NEG
};

typedef struct unit {
    int start, end;            /* token span, agents included */
    int actor_start, actor_end;
    char code[64];             /* resolved code ("" = none), may hold "A/B" */
    uint32_t actor;            /* index in dict->actors, UINT32_MAX if none */
    int32_t agent;             /* index in dict->agents, -1 if none */
    const acode *used;         /* dated entry that applied */
    int group;                 /* compound group, -1 if single */
    int ref;                   /* pronoun: referenced unit, -1 otherwise */
    int agent_prep;            /* agent joined through of/in/from */
} unit;

typedef struct slot {          /* what $ + % ^ and the default search see */
    int start, end;            /* token span of this mention */
    int first, count;          /* units (indices into units[]) it stands for */
    int compound;
} slot;

typedef struct cache_ent cache_ent;
typedef struct tokinfo {
    const cache_ent *ce;       /* lexicon entry of this token */
    uint8_t type, deleted, clause_break, in_compound, det;
    int16_t unit;              /* for actor/agent tokens */
    int32_t phrase;            /* verb/time phrase starting here, -1 */
    int span_end;              /* end of the phrase starting here */
} tokinfo;

/* What the coder knows about one distinct token string: the phrases its
 * word can start, the dictionary words it can be an inflection of, and its
 * closed-class type.  Cached per coder: news vocabulary repeats. */
struct cache_ent {
    /* the token string: up to 16 bytes in the entry itself (short_key in
     * coder.c), longer ones in the cache arena; klen 0 marks a free slot */
    union { const char *key; uint64_t skey[2]; };
    uint32_t off, n;           /* candidates: pairs (kind<<28 | phrase, hint) */
    uint32_t fn, hn;
    /* after the pairs in the pool: the bn dictionary words the token can
     * stand for (cache_boff); after them fn pairs (position, needed word) of
     * the phrases of two or more words with no hint (issues left out), then
     * hn pairs (hint, position), sorted, of those that need a next word */
    uint32_t bn;
    int32_t lemma; uint32_t wcls;
    /* the one-word phrases decided once: which one classify() takes (-1:
     * none), its length and rank; one_disc: 1 discard, 2 story discard */
    int32_t one; uint32_t one_chars;
    uint16_t klen; uint8_t cls, pos, adjunct, one_rank, one_disc, one_type;
    uint8_t first[2];          /* first letters of the token and of its lemma, for tok_first */
};
_Static_assert(sizeof(cache_ent) <= 64, "a cache entry is one cache line");
static inline uint32_t cache_boff(const cache_ent *e) { return e->off + 2 * e->n; }
static inline uint32_t cache_foff(const cache_ent *e) { return e->off + 2 * e->n + e->bn; }
static inline uint32_t cache_hoff(const cache_ent *e) { return e->off + 2 * e->n + e->bn + 2 * e->fn; }

typedef P_VEC(const char *) code_list;
typedef P_VEC(int) unit_list;

struct parley_coder {
    const parley_dict *d;
    options opts, base_opts;
    tokenizer tz;
    segmenter sg;
    P_VEC(tokinfo) ti;
    P_VEC(unit) units;
    P_VEC(slot) slots;
    P_VEC(int) slot_of;         /* token -> first slot starting there, -1 */
    P_VEC(int) live;
    P_VEC(uint32_t) cand;       /* scratch for candidate phrases */
    P_VEC(uint32_t) sentwords;  /* dictionary words the sentence's tokens can be, each once */
    uint64_t *wbits;            /* bit per dictionary word: set for the sentwords */
    /* per sentword: first and last token that can be it (side by side: a
     * word's pair is one memory access) */
    struct wspan { int32_t first, last; } *wpos;
    uint32_t *alt_gen; uint8_t *alt_ok; uint32_t gen; /* per alternative, this sentence: can a first word occur? */
    uint64_t sfirst;            /* bit (letter & 63) of the first letter of each token and lemma */
    P_VEC(uint32_t) anchwords;  /* the sentwords some verb pattern is filed under */
    P_VEC(uint64_t) tokhash;    /* the sentence's token hashes (cache slots prefetched) */
    P_VEC(uint64_t) tokfirst;   /* per token: tok_first(), its and its lemma's first letters */
    size_t nwbits;              /* words covered by wbits */
    P_VEC(uint32_t) patcand;    /* scratch: candidate patterns of one verb */
    P_VEC(uint32_t) patmerge;   /* scratch: those merged with the verb's free patterns */
    P_VEC(uint32_t) patfree;    /* scratch: the verb's free patterns still possible */
    /* token -> candidate phrase cache */
    cache_ent *cache; size_t cache_cap, cache_n;
    P_VEC(uint32_t) cache_pool;
    p_arena cache_arena;
    p_buf why, why_tmp, scratch, out_codes;
    /* `why` lines already written, JSON-escaped, keyed by what they
     * describe (a pattern; an actor with its dated entry and agent) */
    struct why_slot { uint64_t h; uint32_t koff, klen, voff, vlen; } *why_slots;
    p_buf why_memo;
    code_list emit_codes[2];       /* scratch: an event's source and target codes */
    unit_list emit_units[2];       /* and their units */
    parley_diag_fn diag; void *diag_ud;
    struct geo_state *geo;      /* NULL: no gazetteer (src/geo) */
};

#endif
