/* Text stage: sentence segmentation (ICU), normalisation and tokenisation. */
#ifndef PARLEY_TEXT_H
#define PARLEY_TEXT_H

#include "../util/util.h"

enum {
    TK_CAP = 1,      /* original word began with an upper-case letter */
    TK_COMMA = 2,
    TK_NUMBER = 4,
    TK_FIRST = 8,    /* first word of the sentence */
};

typedef struct token {
    const char *s;   /* normalised, upper case, NUL-terminated (scratch) */
    uint16_t len;
    uint8_t flags;
    uint32_t off, end;  /* byte span in the original sentence */
    uint32_t wcls;      /* word_class() of s, or 0 when not yet computed */
} token;

/* Word classes (wordclass.c): closed lists of function words as bits. */
enum {
    WC_KNOWN = 1u << 0,       /* set on every computed mask */
    WC_PREP = 1u << 1,        /* preposition or clause opener */
    WC_NOUN_PREP = 1u << 2,   /* an event word after it is a noun ("amid protests") */
    WC_FINITE_AUX = 1u << 3,
    WC_MODAL = 1u << 4,
    WC_NOT_PLACE = 1u << 5,   /* capitalised, but starts no place name */
    WC_CONNECTOR = 1u << 6,   /* particle inside a place name ("Deir ez Zor") */
    WC_ADM = 1u << 7,         /* PROVINCE, GOVERNORATE, OBLAST, ... */
    WC_DIRECTION = 1u << 8,   /* NORTHERN, RURAL, BESIEGED, ... */
    WC_LOC_AT = 1u << 9,      /* IN, AT, NEAR, ... */
    WC_LOC_TO = 1u << 10,     /* TO, INTO, ACROSS, ... */
    WC_OUTSKIRTS = 1u << 11,  /* OUTSKIRTS, SUBURBS */
    WC_THE = 1u << 12, WC_OF = 1u << 13, WC_IN = 1u << 14, WC_AND = 1u << 15, WC_OR = 1u << 16,
    WC_FROM = 1u << 17, WC_TO = 1u << 18, WC_FORMER = 1u << 19, WC_CITY = 1u << 20, WC_TOWN = 1u << 21,
    WC_VILLAGE = 1u << 22,
};
uint32_t word_class(const char *s, size_t len);
/* Does token t belong to any of the classes in bits? */
static inline int word_has(const token *t, uint32_t bits) {
    return ((t->wcls ? t->wcls : word_class(t->s, t->len)) & bits) != 0;
}

typedef struct tokenizer {
    P_VEC(token) toks;
    p_buf norm;          /* storage for normalised words */
    void *icu_norm;      /* const UNormalizer2*, process-wide singleton owned by ICU */
    int all_caps;
} tokenizer;

void tokenizer_init(tokenizer *tz);
void tokenizer_free(tokenizer *tz);
/* Tokenises one sentence following TABARI's input filter (manual 7.3):
 * upper case, diacritics removed, hyphens and ?! as blanks, commas split off,
 * commas inside numbers dropped, ';' read as ','. */
void tokenize(tokenizer *tz, const char *text, size_t len);

/* Sentence segmentation with ICU's rules and English abbreviation
 * suppressions (Mr., U.S., Gen. ...).  Calls fn for each sentence span. */
typedef struct segmenter {
    void *bi; void *u16; size_t u16cap; void *map; size_t mapcap;
    uint8_t sb_ascii[128];   /* ICU's Sentence_Break class of each ASCII byte */
} segmenter;
void segmenter_init(segmenter *sg);
void segmenter_free(segmenter *sg);
int segment(segmenter *sg, const char *text, size_t len, parley_span_fn fn, void *ud);
/* The same through ICU always: segment() skips ICU for a text whose
 * rules allow no break inside, and must give these spans (tests hold it). */
int segment_icu(segmenter *sg, const char *text, size_t len, parley_span_fn fn, void *ud);

/* Length of a news dateline at the start of text ("DAMASCUS, June 3
 * (Reuters) - "), 0 when there is none. */
size_t dateline_length(const char *text, size_t len);

#endif
