/* Sentence segmentation with ICU's break iterator.  The "en@ss=standard"
 * locale turns on ICU's English suppression list, so "U.S.", "Mr." and
 * "Gen." do not end sentences. */
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <unicode/ustring.h>

#include "text.h"

void segmenter_init(segmenter *sg) {
    memset(sg, 0, sizeof *sg);
    for (int b = 0; b < 128; b++) sg->sb_ascii[b] = (uint8_t)u_getIntPropertyValue(b, UCHAR_SENTENCE_BREAK);
}

void segmenter_free(segmenter *sg) {
    if (sg->bi) ubrk_close((UBreakIterator *)sg->bi);
    free(sg->u16);
    free(sg->map);
    memset(sg, 0, sizeof *sg);
}

/* The Sentence_Break class (UAX #29) of the code point at t[*i], with *i
 * moved past it; ICU's own table, so that the test below and the break
 * iterator read every character alike. */
static int sb_next(const segmenter *sg, const char *t, size_t n, size_t *i) {
    unsigned char b = (unsigned char)t[*i];
    if (b < 0x80) { (*i)++; return sg->sb_ascii[b]; }
    UChar32 cp;
    U8_NEXT((const uint8_t *)t, *i, n, cp);
    return u_getIntPropertyValue(cp < 0 ? 0xFFFD : cp, UCHAR_SENTENCE_BREAK);
}

/* Can ICU's sentence rules break t[0..n) anywhere but at its end?  A
 * break only ever follows a separator (LF, CR, U+2029 ...) or a terminator
 * with its closing quotes and spaces (rules SB4, SB11), and after a
 * terminator rules SB6-SB8a rule it out in the common cases: "U.S. officials"
 * (a lower-case word next), "3.5", "U.S", ".,".  This answers 0 only when
 * those rules leave no break, so a one-sentence text can skip ICU with the
 * same result; where it is unsure (a combining mark after the period) it
 * answers 1 and ICU decides.  ICU's abbreviation list and ends_with_title()
 * only ever take breaks away. */
static int maybe_multi(const segmenter *sg, const char *t, size_t n) {
    while (n && p_isspace((unsigned char)t[n - 1])) n--;
    for (size_t i = 0; i < n; i++) {
        /* many bytes at a time past plain text: letters, digits, spaces,
         * commas never start a break */
        i += p_scan_plain(t + i, n - i, P_STOP('.', 0) | P_STOP('?', 1) | P_STOP('!', 2), 3, P_SCAN_HIGH | P_SCAN_CTRL, NULL);
        if (i >= n) break;
        size_t at = i, j = i;
        int term = sb_next(sg, t, n, &j);
        if (term == U_SB_SEP || term == U_SB_CR || term == U_SB_LF) return 1;
        if (term != U_SB_ATERM && term != U_SB_STERM) { i = j - 1; continue; }
        i = j - 1;
        if (j >= n) break;
        size_t k = j;
        int next = sb_next(sg, t, n, &k);
        if (term == U_SB_ATERM) {
            if (next == U_SB_NUMERIC) continue;                      /* SB6: "3.5" */
            if (next == U_SB_UPPER && at > 0) {                      /* SB7: "U.S" */
                int32_t p = (int32_t)at;
                UChar32 pc;
                U8_PREV((const uint8_t *)t, 0, p, pc);
                int pcl = u_getIntPropertyValue(pc < 0 ? 0xFFFD : pc, UCHAR_SENTENCE_BREAK);
                if (pcl == U_SB_UPPER || pcl == U_SB_LOWER) continue;
            }
        }
        /* the terminator's closing quotes and brackets, then its spaces */
        size_t p = j, q;
        int cl = 0;
        while (p < n && (q = p, cl = sb_next(sg, t, n, &q)) == U_SB_CLOSE) p = q;
        while (p < n && (q = p, cl = sb_next(sg, t, n, &q)) == U_SB_SP) p = q;
        if (p >= n) continue;                                        /* only those to the end */
        if (cl == U_SB_SCONTINUE || cl == U_SB_ATERM || cl == U_SB_STERM) continue; /* SB8a */
        if (term == U_SB_ATERM && cl != U_SB_EXTEND && cl != U_SB_FORMAT) {
            /* SB8: no break when the next letter is lower case ("U.S. officials") */
            int x = 0;
            while (p < n) {
                q = p;
                x = sb_next(sg, t, n, &q);
                if (x == U_SB_LOWER || x == U_SB_UPPER || x == U_SB_OLETTER || x == U_SB_SEP || x == U_SB_CR ||
                    x == U_SB_LF || x == U_SB_ATERM || x == U_SB_STERM)
                    break;
                p = q;
            }
            if (p < n && x == U_SB_LOWER) continue;
        }
        return 1;
    }
    return 0;
}

/* Does the span end with a title or abbreviation and its period? */
static int ends_with_title(const char *t, size_t n) {
#define T(w) {w, sizeof w - 1}
    static const struct { const char *w; size_t n; } titles[] = {
        T("Gen"), T("Lt"), T("Col"), T("Maj"), T("Capt"), T("Cpt"), T("Sgt"), T("Adm"), T("Brig"), T("Cmdr"),
        T("Gov"), T("Sen"), T("Rep"), T("Rev"), T("Prof"), T("Dr"), T("Mr"), T("Mrs"), T("Ms"), T("St"), T("Jr"),
        T("Sr"), T("Pres"), T("Amb"), T("Atty"), T("Supt"), T("Insp"), T("Hon"), T("Messrs"), T("Mt"), T("Ft"),
        T("No"), T("Jan"), T("Feb"), T("Mar"), T("Apr"), T("Aug"), T("Sep"), T("Sept"), T("Oct"), T("Nov"), T("Dec"),
        T("Inc"), T("Corp"), T("Co"), T("Ltd"), T("vs"), T("approx")};
#undef T
    if (n < 3 || t[n - 1] != '.') return 0;
    size_t e = n - 1, a = e;
    while (a > 0 && p_isalpha((unsigned char)t[a - 1])) a--;
    if (a > 0 && !p_isspace((unsigned char)t[a - 1]) && t[a - 1] != '(' && t[a - 1] != '"') return 0;
    size_t wl = e - a;
    for (size_t i = 0; i < P_ARRAY_LEN(titles); i++)
        if (titles[i].n == wl && !memcmp(titles[i].w, t + a, wl)) return 1;
    return 0;
}

int segment(segmenter *sg, const char *text, size_t len, parley_span_fn fn, void *ud) {
    if (!maybe_multi(sg, text, len)) {
        size_t a = 0, b = len;
        while (a < b && p_isspace((unsigned char)text[a])) a++;
        while (b > a && p_isspace((unsigned char)text[b - 1])) b--;
        if (b > a) return fn(ud, a, b - a);
        return 0;
    }
    return segment_icu(sg, text, len, fn, ud);
}

int segment_icu(segmenter *sg, const char *text, size_t len, parley_span_fn fn, void *ud) {
    /* UTF-8 -> UTF-16 with a map from UTF-16 index back to byte offset. */
    if (sg->u16cap < len + 1) {
        free(sg->u16);
        free(sg->map);
        sg->u16cap = len + 1;
        sg->u16 = p_xmalloc(sg->u16cap * sizeof(UChar));
        sg->map = p_xmalloc(sg->u16cap * sizeof(uint32_t));
    }
    UChar *u = sg->u16;
    uint32_t *map = sg->map;
    size_t k = 0, i = 0;
    while (i < len) {
        UChar32 cp;
        size_t start = i;
        U8_NEXT((const uint8_t *)text, i, len, cp);
        if (cp < 0) cp = 0xFFFD;
        if (cp == '\n' && i < len && text[i] == '\n') cp = 0x2029; /* blank line = paragraph break */
        if (cp > 0xFFFF) {
            u[k] = U16_LEAD(cp); map[k++] = (uint32_t)start;
            u[k] = U16_TRAIL(cp); map[k++] = (uint32_t)start;
        } else { u[k] = (UChar)cp; map[k++] = (uint32_t)start; }
    }
    map[k] = (uint32_t)len;
    UErrorCode e = U_ZERO_ERROR;
    if (!sg->bi) {
        sg->bi = ubrk_open(UBRK_SENTENCE, "en@ss=standard", NULL, 0, &e);
        if (U_FAILURE(e)) { sg->bi = NULL; e = U_ZERO_ERROR; sg->bi = ubrk_open(UBRK_SENTENCE, "en", NULL, 0, &e); }
        if (U_FAILURE(e) || !sg->bi) return fn(ud, 0, len);
    }
    UBreakIterator *bi = sg->bi;
    ubrk_setText(bi, u, (int32_t)k, &e);
    if (U_FAILURE(e)) return fn(ud, 0, len);
    int32_t a = ubrk_first(bi);
    size_t pending = SIZE_MAX; /* start of a sentence held back after a title */
    for (int32_t b = ubrk_next(bi); b != UBRK_DONE; a = b, b = ubrk_next(bi)) {
        size_t sa = map[a], sb = map[b];
        if (pending != SIZE_MAX) sa = pending;
        while (sa < sb && p_isspace((unsigned char)text[sa])) sa++;
        while (sb > sa && p_isspace((unsigned char)text[sb - 1])) sb--;
        /* ICU's suppressions know "Mr." and "U.S." but not every news title:
         * "Gen. Theoden" or "Sen. Smith" must not end a sentence */
        if (sb > sa && ends_with_title(text + sa, sb - sa) && b != (int32_t)k) { pending = sa; continue; }
        pending = SIZE_MAX;
        if (sb > sa) { int r = fn(ud, sa, sb - sa); if (r) return r; }
    }
    if (pending != SIZE_MAX) {
        size_t sa = pending, sb = len;
        while (sb > sa && p_isspace((unsigned char)text[sb - 1])) sb--;
        if (sb > sa) return fn(ud, sa, sb - sa);
    }
    return 0;
}

/* Datelines: a place, an optional date and "(Agency)", then a separator.
 *   "DAMASCUS, March 3 (Reuters) - ", "WASHINGTON, D.C. -- ", "BLUE SPRINGS, Mo. (AP) --",
 *   "LAHORE: ", "KABUL, Afghanistan: "         upper-case place: any dash or a colon
 *   "Abuja -- ", "Raipur, India - ", "Cape Town - The ..."   mixed case: a double dash,
 *   or a single one when the place has a ", Region" part, a date or an agency, or the
 *   text goes on with "The/A/An" or a number (so "U.S. - China talks" stays whole).
 * Wire services put one at the head of a story; it names where the story was filed,
 * not who acted, so it must not reach the actor search. */
static int dl_lowparticle(const char *w, size_t n) {
    static const char *p[] = {"de", "da", "la", "el", "al", "of", "es"};
    if (n == 3) return !memcmp(w, "del", 3);
    if (n != 2) return 0;
    for (size_t k = 0; k < sizeof p / sizeof *p; k++) if (p[k][0] == w[0] && p[k][1] == w[1]) return 1;
    return 0;
}

size_t dateline_length(const char *t, size_t n) {
    size_t i = 0;
    while (i < n && p_isspace((unsigned char)t[i])) i++;
    size_t s0 = i;
    /* a dateline ends at a dash or a colon within 70 bytes: most texts
     * have none there and are passed over by one block scan */
    size_t lim = s0 + 70 < n ? s0 + 70 : n;
    size_t k = s0 + p_scan_plain(t + s0, lim - s0, P_STOP('-', 0) | P_STOP(':', 1), 2, P_SCAN_HIGH, NULL);
    while (k < lim && t[k] != '-' && t[k] != ':' && (unsigned char)t[k] < 0x80) k++;
    if (k >= lim) return 0;
    /* the place: its first word, all capitals or not */
    size_t caps = 0;
    while (i < n && (p_isupper((unsigned char)t[i]) || t[i] == ' ' || t[i] == '.' || t[i] == '\'' || t[i] == '-')) {
        if (p_isupper((unsigned char)t[i])) caps++;
        if (t[i] == '-' && i + 1 < n && t[i + 1] == '-') break;
        if (t[i] == ' ' && i + 1 < n && t[i + 1] == '-') break;
        i++;
    }
    int upper = caps >= 3 && (i >= n || !p_islower((unsigned char)t[i]));
    if (!upper) {
        if (s0 >= n || !p_isupper((unsigned char)t[s0])) return 0;
        i = s0;
    }
    size_t limit = s0 + 70 < n ? s0 + 70 : n;
    int region = 0, words = 0, depth = 0; /* depth: '(' less ')' in t[i..j) */
    for (size_t j = i; j < limit; j++) {
        unsigned char c = (unsigned char)t[j];
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        int dash2 = c == '-' && j + 2 < n && t[j + 1] == '-' && j > 0 && t[j - 1] == ' ';
        int dash = c == '-' && j + 1 < n && t[j + 1] == ' ' && j > 0 && t[j - 1] == ' ';
        int emdash = c == 0xE2 && j + 2 < n && (unsigned char)t[j + 1] == 0x80 && ((unsigned char)t[j + 2] == 0x94 || (unsigned char)t[j + 2] == 0x93);
        int colon = c == ':' && upper && j + 1 < n && t[j + 1] == ' ';
        if (dash || dash2 || emdash || colon) {
            size_t e = j + (emdash ? 3 : dash2 ? 2 : 1);
            while (e < n && p_isspace((unsigned char)t[e])) e++;
            if (e >= n) return 0;
            unsigned char nx = (unsigned char)t[e];
            if (!(p_isupper(nx) || nx == '"' || nx == '\'' || nx == 0xE2 || (nx >= '0' && nx <= '9'))) return 0;
            if (!upper && dash && !region) {
                /* a single dash after a bare mixed-case name: only before "The", "A", "An" or a number */
                size_t w = e;
                while (w < n && p_isalpha((unsigned char)t[w])) w++;
                int det = (w - e == 3 && !memcmp(t + e, "The", 3)) || (w - e == 1 && t[e] == 'A') || (w - e == 2 && !memcmp(t + e, "An", 2));
                if (!det && !(nx >= '0' && nx <= '9')) return 0;
            }
            return e;
        }
        if (c == '(' || c == ',' || (c >= '0' && c <= '9')) { region = 1; continue; }
        if (c == ')' || c == ' ' || c == '\'' || c == '-') continue;
        if (p_isalpha(c)) {
            /* a word: capitalised, a short particle ("de", "al"), or (in the agency) anything */
            size_t w = j;
            while (w < n && (p_isalpha((unsigned char)t[w]) || t[w] == '-')) w++;
            if (!p_isupper(c) && !depth && !dl_lowparticle(t + j, w - j)) return 0;
            if (++words > 8) return 0;
            /* an abbreviation's period ("Mo.", "Feb.", "D.C.") does not end the dateline */
            if (w < n && t[w] == '.') {
                if (w - j > 5 && !upper) return 0;
                if (w - j > 5 && !p_isupper((unsigned char)t[w - 1])) return 0;
                w++;
            }
            j = w - 1;
            continue;
        }
        if (c == '.' && j >= 1 && p_isupper((unsigned char)t[j - 1])) continue;
        return 0;
    }
    return 0;
}
