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
} token;

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
typedef struct segmenter { void *bi; void *u16; size_t u16cap; void *map; size_t mapcap; } segmenter;
void segmenter_init(segmenter *sg);
void segmenter_free(segmenter *sg);
int segment(segmenter *sg, const char *text, size_t len, parley_span_fn fn, void *ud);

/* Length of a news dateline at the start of text ("DAMASCUS, June 3
 * (Reuters) - "), 0 when there is none. */
size_t dateline_length(const char *text, size_t len);

#endif
