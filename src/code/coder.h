/* Coding stage internals: the per-thread coder state. */
#ifndef PARLEY_CODER_H
#define PARLEY_CODER_H

#include "../dict/dict.h"
#include "../text/text.h"
#include "lexcache.h"

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

typedef struct tokinfo {
    const cache_ent *ce;       /* lexicon entry of this token */
    uint8_t type, deleted, clause_break, in_compound, det;
    int16_t unit;              /* for actor/agent tokens */
    int32_t phrase;            /* verb/time phrase starting here, -1 */
    int span_end;              /* end of the phrase starting here */
} tokinfo;

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
    /* the token cache (lexcache.h), shared with the coder's clones, and
     * this coder's own for the words it lacks once it is half full */
    lexcache *lc, *own;
    const cache_ent *lc_tab; size_t lc_mask; /* lc's slots, one load nearer */
    size_t sent_n;              /* tokens of the sentence being coded: room own keeps */
    P_VEC(uint32_t) fill;       /* scratch: an entry's block being made */
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
