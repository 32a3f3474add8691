/* Sentence segmentation with ICU's break iterator.  The "en@ss=standard"
 * locale turns on ICU's English suppression list, so "U.S.", "Mr." and
 * "Gen." do not end sentences. */
#include <unicode/ubrk.h>
#include <unicode/ustring.h>

#include "text.h"

void segmenter_init(segmenter *sg) { memset(sg, 0, sizeof *sg); }

void segmenter_free(segmenter *sg) {
    if (sg->bi) ubrk_close((UBreakIterator *)sg->bi);
    free(sg->u16);
    free(sg->map);
    memset(sg, 0, sizeof *sg);
}

/* Is there a sentence end anywhere but at the very end?  Cheap pre-check
 * that lets one-sentence inputs skip ICU entirely. */
static int maybe_multi(const char *t, size_t n) {
    while (n && p_isspace((unsigned char)t[n - 1])) n--;
    for (size_t i = 0; i + 1 < n; i++) {
        char c = t[i];
        if ((c == '.' || c == '?' || c == '!' || c == '\n') && (p_isspace((unsigned char)t[i + 1]) || t[i + 1] == '"')) return 1;
        if ((unsigned char)c >= 0x80) return 1;
    }
    return 0;
}

/* Does the span end with a title or abbreviation and its period? */
static int ends_with_title(const char *t, size_t n) {
    static const char *const titles[] = {
        "Gen", "Lt", "Col", "Maj", "Capt", "Cpt", "Sgt", "Adm", "Brig", "Cmdr", "Gov", "Sen", "Rep", "Rev", "Prof", "Dr",
        "Mr", "Mrs", "Ms", "St", "Jr", "Sr", "Pres", "Amb", "Atty", "Supt", "Insp", "Hon", "Messrs", "Mt", "Ft", "No",
        "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Inc", "Corp", "Co", "Ltd", "vs", "approx"};
    if (n < 3 || t[n - 1] != '.') return 0;
    size_t e = n - 1, a = e;
    while (a > 0 && p_isalpha((unsigned char)t[a - 1])) a--;
    if (a > 0 && !p_isspace((unsigned char)t[a - 1]) && t[a - 1] != '(' && t[a - 1] != '"') return 0;
    size_t wl = e - a;
    for (size_t i = 0; i < P_ARRAY_LEN(titles); i++)
        if (strlen(titles[i]) == wl && !memcmp(titles[i], t + a, wl)) return 1;
    return 0;
}

int segment(segmenter *sg, const char *text, size_t len, parley_span_fn fn, void *ud) {
    if (!maybe_multi(text, len)) {
        size_t a = 0, b = len;
        while (a < b && p_isspace((unsigned char)text[a])) a++;
        while (b > a && p_isspace((unsigned char)text[b - 1])) b--;
        if (b > a) return fn(ud, a, b - a);
        return 0;
    }
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

/* Datelines: an upper-case place ("DAMASCUS", "WASHINGTON, D.C.") then an
 * optional date and "(Agency)", ended by a dash; or "PLACE (Agency) -". */
size_t dateline_length(const char *t, size_t n) {
    size_t i = 0;
    while (i < n && p_isspace((unsigned char)t[i])) i++;
    size_t caps = 0;
    while (i < n && (p_isupper((unsigned char)t[i]) || t[i] == ' ' || t[i] == '.' || t[i] == '\'' || t[i] == '-')) {
        if (p_isupper((unsigned char)t[i])) caps++;
        i++;
    }
    if (caps < 3 || i >= n) return 0;
    size_t limit = i + 60 < n ? i + 60 : n;
    for (size_t j = i; j < limit; j++) {
        unsigned char c = (unsigned char)t[j];
        int dash = c == '-' && j + 1 < n && t[j + 1] == ' ' && j > 0 && t[j - 1] == ' ';
        int emdash = c == 0xE2 && j + 2 < n && (unsigned char)t[j + 1] == 0x80 && ((unsigned char)t[j + 2] == 0x94 || (unsigned char)t[j + 2] == 0x93);
        if (dash || emdash) {
            size_t e = j + (emdash ? 3 : 1);
            while (e < n && p_isspace((unsigned char)t[e])) e++;
            return e;
        }
        if (c == '.' && j + 1 < n && t[j + 1] == ' ' && !(j >= 1 && p_isupper((unsigned char)t[j - 1]))) return 0;
    }
    return 0;
}
