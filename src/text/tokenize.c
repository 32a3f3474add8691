/* Tokeniser: TABARI's input filter (manual 7.3) done in one pass, with ICU
 * for whatever is not ASCII (case, diacritics, typographic punctuation). */
#include <unicode/uchar.h>
#include <unicode/unorm2.h>

#include "text.h"

void tokenizer_init(tokenizer *tz) {
    memset(tz, 0, sizeof *tz);
    UErrorCode e = U_ZERO_ERROR;
    tz->icu_norm = (void *)unorm2_getNFKDInstance(&e);
    if (U_FAILURE(e)) tz->icu_norm = NULL;
}

void tokenizer_free(tokenizer *tz) {
    P_FREE_VEC(tz->toks);
    p_buf_free(&tz->norm);
}

static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *used) {
    unsigned c = s[0];
    if (c < 0x80) { *used = 1; return c; }
    int k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (k < 0 || (size_t)k >= n) { *used = 1; return 0xFFFD; }
    uint32_t cp = c & (0x3F >> k);
    for (int i = 1; i <= k; i++) {
        if ((s[i] & 0xC0) != 0x80) { *used = 1; return 0xFFFD; }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *used = (size_t)k + 1;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
    return cp;
}

/* Classes of characters for the filter. */
enum { C_WORD, C_SPACE, C_COMMA, C_DROP, C_APOS };

/* Maps one non-ASCII code point to ASCII where news text means ASCII
 * (quotes, dashes, accented Latin letters); returns the class. */
static int fold_cp(const tokenizer *tz, uint32_t cp, char *out, size_t *outn) {
    *outn = 0;
    switch (cp) {
    case 0x2018: case 0x2019: case 0x02BC: case 0x2032: out[0] = '\''; *outn = 1; return C_APOS;
    case 0x201C: case 0x201D: case 0x00AB: case 0x00BB: case 0x201E: return C_DROP;
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212: return C_SPACE;
    case 0x00A0: case 0x2009: case 0x200A: case 0x202F: case 0x3000: case 0x200B: return C_SPACE;
    case 0x2026: return C_SPACE;
    case 0xFFFD: return C_SPACE;
    case 0x00DF: out[0] = 'S'; out[1] = 'S'; *outn = 2; return C_WORD;
    case 0x00C6: case 0x00E6: out[0] = 'A'; out[1] = 'E'; *outn = 2; return C_WORD;
    case 0x0152: case 0x0153: out[0] = 'O'; out[1] = 'E'; *outn = 2; return C_WORD;
    case 0x00D8: case 0x00F8: out[0] = 'O'; *outn = 1; return C_WORD;
    case 0x0141: case 0x0142: out[0] = 'L'; *outn = 1; return C_WORD;
    case 0x0110: case 0x0111: out[0] = 'D'; *outn = 1; return C_WORD;
    case 0x0131: out[0] = 'I'; *outn = 1; return C_WORD;
    default: break;
    }
    if (u_isspace((UChar32)cp)) return C_SPACE;
    if (tz->icu_norm) {
        UChar buf[8];
        UErrorCode e = U_ZERO_ERROR;
        int32_t n = unorm2_getDecomposition((const UNormalizer2 *)tz->icu_norm, (UChar32)cp, buf, 8, &e);
        if (U_SUCCESS(e) && n > 0 && buf[0] < 0x80) {
            /* Base letter plus combining marks: keep the base. */
            size_t k = 0;
            for (int32_t i = 0; i < n && k < 4; i++) if (buf[i] < 0x80) out[k++] = (char)p_toupper(buf[i]);
            *outn = k;
            return k ? C_WORD : C_DROP;
        }
    }
    if (u_ispunct((UChar32)cp) || u_charType((UChar32)cp) == U_MATH_SYMBOL) return C_SPACE;
    if (u_charType((UChar32)cp) == U_NON_SPACING_MARK) return C_DROP;
    /* Other scripts: keep the letter, upper-cased, in UTF-8. */
    UChar32 up = u_toupper((UChar32)cp);
    if (up < 0x800) { out[0] = (char)(0xC0 | (up >> 6)); out[1] = (char)(0x80 | (up & 0x3F)); *outn = 2; }
    else if (up < 0x10000) { out[0] = (char)(0xE0 | (up >> 12)); out[1] = (char)(0x80 | ((up >> 6) & 0x3F)); out[2] = (char)(0x80 | (up & 0x3F)); *outn = 3; }
    else { out[0] = (char)(0xF0 | (up >> 18)); out[1] = (char)(0x80 | ((up >> 12) & 0x3F)); out[2] = (char)(0x80 | ((up >> 6) & 0x3F)); out[3] = (char)(0x80 | (up & 0x3F)); *outn = 4; }
    return C_WORD;
}

static int ascii_class(int c) {
    if (p_isalnum(c)) return C_WORD;
    switch (c) {
    case ',': case ';': return C_COMMA;
    case '"': return C_DROP;
    case '\'': return C_APOS;
    case '.': case '&': case '/': case '$': case '%': case '@': case '+': case '#': return C_WORD;
    default: return C_SPACE; /* whitespace, - ? ! : ( ) [ ] { } < > * = _ | ~ ` ^ \ */
    }
}

/* ASCII letters and digits: 1 any, 2 lower case, 4 upper case; 0 for
 * everything else, bytes >= 0x80 included */
enum { A_ALNUM = 1, A_LOWER = 2, A_UPPER = 4 };
static const unsigned char alnum_tab[256] = {
    ['0'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['A'] = 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    ['a'] = 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};

/* High bit of each byte of v that lies in [lo, hi]; every byte of v must be
 * below 0x80, so no sum carries into the next byte. */
static inline uint64_t swar_in(uint64_t v, unsigned char lo, unsigned char hi) {
    uint64_t ge = v + P_ONES * (unsigned char)(0x80 - lo), gt = v + P_ONES * (unsigned char)(0x7F - hi);
    return ge & ~gt & P_HIGHS;
}

void tokenize(tokenizer *tz, const char *text, size_t len) {
    tz->toks.n = 0;
    /* a token takes at least one input byte: room for all of them at once,
     * so that each is written in place */
    if (tz->toks.cap < len + 1) tz->toks.v = p_grow(tz->toks.v, &tz->toks.cap, len + 1, sizeof(token));
    token *const tv = tz->toks.v;
    size_t nt = 0;
    p_buf_clear(&tz->norm);
    /* One input byte never makes more than 4 output bytes (a comma makes
     * ",\0"; a folded code point at most 4): reserve once, with room for a
     * block store past the end, and write freely. */
    if (tz->norm.cap < 4 * len + 32) tz->norm.s = p_grow(tz->norm.s, &tz->norm.cap, 4 * len + 32, 1);
    /* Words are stored back to back in that reserve, which never moves
     * during the call, so tokens point into it directly. */
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    int lower_seen = 0, upper_seen = 0;
    token *cur = tv;
    int in_word = 0;
    size_t wstart = 0;
#define END_WORD()                                                               \
    do {                                                                         \
        if (in_word) {                                                           \
            /* TABARI: a period after a lower-case letter ends a sentence or an  \
             * abbreviation like "Mr.": drop it. "U.N." keeps its periods. */    \
            size_t L = tz->norm.n - wstart;                                      \
            while (L > 0 && (tz->norm.s[wstart + L - 1] == '\'' )) L--;           \
            if (L > UINT16_MAX) L = UINT16_MAX; /* a token's length is 16 bits */ \
            cur->len = (uint16_t)L;                                               \
            tz->norm.n = wstart + L;                                             \
            tz->norm.s[tz->norm.n++] = 0;                                        \
            cur->s = tz->norm.s + wstart;                                         \
            if (L) nt++;                                                         \
            else tz->norm.n = wstart;                                            \
            in_word = 0;                                                         \
        }                                                                        \
    } while (0)
    while (i < len) {
        unsigned c = s[i];
        if (alnum_tab[c]) {
            /* the common case, a run of ASCII letters and digits, in one loop */
            if (!in_word) {
                cur = &tv[nt];
                cur->flags = 0;
                cur->wcls = 0;
                cur->off = (uint32_t)i;
                in_word = 1;
                wstart = tz->norm.n;
                if (p_isupper((int)c)) cur->flags |= TK_CAP;
                else if (p_isdigit((int)c)) cur->flags |= TK_NUMBER;
            }
            char *o = tz->norm.s + tz->norm.n;
            const unsigned char *q = s + i, *qe = s + len;
            unsigned seen = 0;
            int ended = 0;
#if defined(__SSE2__)
            /* sixteen bytes at a time while they are there (most words fit
             * in one step): the output reserve has room for a whole 16-byte
             * store past any word.  Signed compares: bytes >= 0x80 are
             * negative, in no range, so they end the run like punctuation. */
            while (qe - q >= 16) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
                __m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
                __m128i lo = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1)));
                __m128i dg = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
                unsigned al = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(up, lo), dg));
                unsigned k = al == 0xFFFF ? 16 : (unsigned)__builtin_ctz(~al);
                /* lower case loses bit 0x20 */
                _mm_storeu_si128((__m128i *)(void *)o, _mm_sub_epi8(v, _mm_and_si128(lo, _mm_set1_epi8(0x20))));
                unsigned keep = (1u << k) - 1; /* k <= 16: no overflow */
                if ((unsigned)_mm_movemask_epi8(lo) & keep) seen |= A_LOWER;
                if ((unsigned)_mm_movemask_epi8(up) & keep) seen |= A_UPPER;
                o += k;
                q += k;
                if (k < 16) { ended = 1; break; }
            }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* eight bytes at a time while they are there: the output reserve
             * has room for a whole 8-byte store past any word (the first k
             * bytes in memory are the low 8k bits: little-endian only) */
            while (!ended && qe - q >= 8) {
                uint64_t v;
                memcpy(&v, q, 8);
                if (v & P_HIGHS) break;
                uint64_t lo = swar_in(v, 'a', 'z'), up = swar_in(v, 'A', 'Z'), al = lo | up | swar_in(v, '0', '9');
                uint64_t w = v & ~(lo >> 2); /* lower case loses bit 0x20 */
                memcpy(o, &w, 8);
                unsigned k = al == P_HIGHS ? 8 : (unsigned)__builtin_ctzll(~al & P_HIGHS) / 8;
                uint64_t keep = k == 8 ? ~0ULL : (1ULL << (8 * k)) - 1;
                if (lo & keep) seen |= A_LOWER;
                if (up & keep) seen |= A_UPPER;
                o += k;
                q += k;
                if (k < 8) break;
            }
#endif
            while (!ended && q < qe) {
                unsigned t = alnum_tab[*q];
                if (!t) break;
                seen |= t;
                *o++ = (char)(*q & ~((t & A_LOWER) << 4)); /* lower case loses bit 0x20 */
                q++;
            }
            if (seen & A_LOWER) lower_seen = 1;
            if (seen & A_UPPER) upper_seen = 1;
            size_t j = (size_t)(q - s);
            tz->norm.n += j - i;
            cur->end = (uint32_t)j;
            i = j;
            /* a word ended by a space, the common case, without another
             * turn of the outer loop */
            if (i < len && s[i] == ' ') { END_WORD(); i++; }
            continue;
        }
        if (c == ' ') { END_WORD(); i++; continue; } /* the commonest separator, without the class tests */
        char fold[8];
        size_t fl = 0, used = 1;
        int cls;
        if (c < 0x80) {
            cls = ascii_class((int)c);
            if (cls == C_WORD || cls == C_APOS) { fold[0] = (char)p_toupper((int)c); fl = 1; }
            if (p_islower((int)c)) lower_seen = 1;
            else if (p_isupper((int)c)) upper_seen = 1;
        } else {
            uint32_t cp = utf8_decode(s + i, len - i, &used);
            cls = fold_cp(tz, cp, fold, &fl);
            if (u_islower((UChar32)cp)) lower_seen = 1;
            else if (u_isupper((UChar32)cp)) upper_seen = 1;
        }
        if (c == '.' && in_word) {
            /* Period rules: keep inside abbreviations/numbers, drop after a
             * lower-case letter or at the end of the text. */
            unsigned prev = i ? s[i - 1] : ' ';
            size_t j = i + 1;
            int at_end = 1;
            for (; j < len; j++) if (!p_isspace(s[j]) && s[j] != '"' && s[j] != '\'' && s[j] != ')') { at_end = 0; break; }
            int next_alnum = i + 1 < len && p_isalnum(s[i + 1]);
            if (p_islower((int)prev) || (at_end && !(i >= 2 && s[i - 2] == '.')) ) { END_WORD(); i++; continue; }
            if (!next_alnum && !p_isupper((int)prev)) { END_WORD(); i++; continue; }
            tz->norm.s[tz->norm.n++] = '.';
            i++;
            continue;
        }
        if (c == ',' && in_word && i + 1 < len && p_isdigit(s[i + 1]) && i > 0 && p_isdigit(s[i - 1])) { i++; continue; } /* 1,500 */
        if (c == '\'' || cls == C_APOS) {
            /* apostrophe inside a word (SYRIA'S, DIDN'T) is kept; elsewhere a quote */
            if (in_word && i + used < len && (p_isalpha(s[i + used]))) { tz->norm.s[tz->norm.n++] = '\''; i += used; continue; }
            END_WORD();
            i += used;
            continue;
        }
        if (cls == C_WORD) {
            if (!in_word) {
                cur = &tv[nt];
                cur->flags = 0;
                cur->wcls = 0;
                cur->off = (uint32_t)i;
                in_word = 1;
                wstart = tz->norm.n;
                if (c < 0x80 ? p_isupper((int)c) : 0) cur->flags |= TK_CAP;
                else if (c >= 0x80) { size_t u2; uint32_t cp = utf8_decode(s + i, len - i, &u2); if (u_isupper((UChar32)cp)) cur->flags |= TK_CAP; }
                if (p_isdigit((int)c)) cur->flags |= TK_NUMBER;
            }
            for (size_t q = 0; q < fl; q++) tz->norm.s[tz->norm.n++] = fold[q];
            cur->end = (uint32_t)(i + used);
            i += used;
            continue;
        }
        END_WORD();
        if (cls == C_COMMA) {
            token *t = &tv[nt++];
            t->off = (uint32_t)i;
            t->end = (uint32_t)(i + 1);
            t->flags = TK_COMMA;
            t->wcls = 0;
            t->len = 1;
            t->s = tz->norm.s + tz->norm.n;
            tz->norm.s[tz->norm.n++] = ',';
            tz->norm.s[tz->norm.n++] = 0;
        }
        i += used;
    }
    END_WORD();
#undef END_WORD
    tz->toks.n = nt;
    if (nt) tv[0].flags |= TK_FIRST;
    tz->all_caps = upper_seen && !lower_seen;
}
