#include "util.h"

#include <errno.h>
#include <stdio.h>

void *p_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fputs("parley: out of memory\n", stderr); abort(); }
    return p;
}
void *p_xcalloc(size_t n, size_t m) {
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) { fputs("parley: out of memory\n", stderr); abort(); }
    return p;
}
void *p_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) { fputs("parley: out of memory\n", stderr); abort(); }
    return q;
}
char *p_strndup(const char *s, size_t n) {
    char *d = p_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}
void *p_grow(void *ptr, size_t *cap, size_t need, size_t elem) {
    size_t c = *cap ? *cap : 8;
    while (c < need) c *= 2;
    if (c != *cap) { ptr = p_xrealloc(ptr, c * elem); *cap = c; }
    return ptr;
}

void p_buf_printf(p_buf *b, const char *fmt, ...) {
    va_list ap;
    char tmp[512];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { p_buf_put(b, tmp, (size_t)n); return; }
    if (b->n + (size_t)n + 1 > b->cap) b->s = p_grow(b->s, &b->cap, b->n + (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}
/* Length of a valid UTF-8 sequence at s (1..4), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!k || k > n) return 0;
    for (size_t i = 1; i < k; i++) if ((s[i] & 0xC0) != 0x80) return 0;
    if (k == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))) return 0; /* overlong, surrogates */
    if (k == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;
    return k;
}

/* Bytes that JSON strings cannot carry as they are: controls, quote,
 * backslash, and < > & (escaped so JSON embedded in HTML can never close a
 * tag); 2 marks the start of a multi-byte UTF-8 sequence, checked apart. */
static const unsigned char json_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1,
    [128] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* JSON string; invalid UTF-8 (old dictionaries are Latin-1 here and there)
 * becomes U+FFFD so the output is always valid JSON. */
void p_buf_json_str(p_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    /* room for the common case (nothing escaped) in one step; an escape
     * makes room for itself.  Kept: cap >= n + what is left of s + 2. */
    if (b->n + n + 3 > b->cap) b->s = p_grow(b->s, &b->cap, b->n + n + 3, 1);
    b->s[b->n++] = '"';
    size_t i = 0;
    while (i < n) {
        /* plain ASCII, many bytes at a time, copied as they are read */
        size_t k = p_json_copy_plain_out(b->s + b->n, s + i, n - i);
        b->n += k;
        i += k;
        if (i >= n) break;
        unsigned char c = (unsigned char)s[i];
        unsigned char k0 = json_special[c];
        if (!k0) { b->s[b->n++] = (char)c; i++; continue; }
        if (k0 == 2) {
            size_t u = utf8_len((const unsigned char *)s + i, n - i);
            if (u) { for (size_t q = 0; q < u; q++) b->s[b->n++] = s[i + q]; i += u; continue; }
        }
        /* an escape: up to six bytes for one */
        if (b->n + 6 + (n - i) + 2 > b->cap) b->s = p_grow(b->s, &b->cap, b->n + 6 + (n - i) + 2, 1);
        char *o = b->s + b->n;
        size_t ol = 2;
        o[0] = '\\';
        if (k0 == 2) memcpy(o, "\\ufffd", 6), ol = 6; /* invalid UTF-8 */
        else switch (c) {
        case '"': o[1] = '"'; break;
        case '\\': o[1] = '\\'; break;
        case '\n': o[1] = 'n'; break;
        case '\t': o[1] = 't'; break;
        case '\r': o[1] = 'r'; break;
        default: o[1] = 'u', o[2] = '0', o[3] = '0', o[4] = hex[c >> 4], o[5] = hex[c & 15]; ol = 6;
        }
        b->n += ol;
        i++;
    }
    b->s[b->n++] = '"';
    b->s[b->n] = 0;
}

void p_buf_putu(p_buf *b, unsigned long v) {
    char t[24];
    size_t k = sizeof t;
    do { t[--k] = (char)('0' + v % 10); v /= 10; } while (v);
    p_buf_put(b, t + k, sizeof t - k);
}

void p_buf_puti(p_buf *b, long v) {
    if (v < 0) { p_buf_putc(b, '-'); p_buf_putu(b, 0UL - (unsigned long)v); }
    else p_buf_putu(b, (unsigned long)v);
}
void p_buf_free(p_buf *b) { free(b->s); b->s = NULL; b->n = b->cap = 0; }

void *p_arena_alloc(p_arena *a, size_t n) {
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->used + n > a->head->cap) {
        size_t cap = n > 65536 ? n : 65536;
        p_arena_blk *b = p_xmalloc(sizeof *b + cap);
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
        a->total += cap;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}
char *p_arena_strndup(p_arena *a, const char *s, size_t n) {
    char *d = p_arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}
void p_arena_free(p_arena *a) {
    p_arena_blk *b = a->head;
    while (b) { p_arena_blk *nx = b->next; free(b); b = nx; }
    a->head = NULL;
    a->total = 0;
}

uint64_t p_hash(const char *s, size_t n) {
    /* FNV-1a: short keys (words), good enough spread, no state. */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ULL; }
    return h;
}

void p_sort_u32(uint32_t *v, size_t n) {
    while (n > 24) {
        /* quicksort on the larger side's loop, recursion on the smaller */
        uint32_t a = v[0], b = v[n / 2], c = v[n - 1];
        uint32_t piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < piv) i++;
            while (v[j] > piv) j--;
            if (i >= j) break;
            uint32_t t = v[i]; v[i] = v[j]; v[j] = t;
            i++, j--;
        }
        size_t left = j + 1;
        if (left < n - left) { p_sort_u32(v, left); v += left; n -= left; }
        else { p_sort_u32(v + left, n - left); n = left; }
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
}

int32_t p_intern_find(const p_intern *t, const char *s, size_t n) {
    if (!t->nslots) return -1;
    size_t mask = t->nslots - 1, i = (size_t)p_hash_mem(s, n) & mask;
    for (;;) {
        uint32_t id = t->slots[i];
        if (!id) return -1;
        id--;
        if (t->lens.v[id] == n && memcmp(t->strs.v[id], s, n) == 0) return (int32_t)id;
        i = (i + 1) & mask;
    }
}
static void intern_rehash(p_intern *t, size_t nslots) {
    free(t->slots);
    t->slots = p_xcalloc(nslots, sizeof *t->slots);
    t->nslots = nslots;
    for (uint32_t id = 0; id < t->strs.n; id++) {
        size_t i = (size_t)p_hash_mem(t->strs.v[id], t->lens.v[id]) & (nslots - 1);
        while (t->slots[i]) i = (i + 1) & (nslots - 1);
        t->slots[i] = id + 1;
    }
}
uint32_t p_intern_add(p_intern *t, const char *s, size_t n) {
    int32_t f = p_intern_find(t, s, n);
    if (f >= 0) return (uint32_t)f;
    if ((t->strs.n + 1) * 2 > t->nslots) intern_rehash(t, t->nslots ? t->nslots * 2 : 1024);
    uint32_t id = (uint32_t)t->strs.n;
    P_PUSH(t->strs, p_arena_strndup(&t->arena, s, n));
    P_PUSH(t->lens, (uint32_t)n);
    size_t i = (size_t)p_hash_mem(s, n) & (t->nslots - 1);
    while (t->slots[i]) i = (i + 1) & (t->nslots - 1);
    t->slots[i] = id + 1;
    return id;
}
void p_intern_free(p_intern *t) {
    free(t->slots);
    P_FREE_VEC(t->strs);
    P_FREE_VEC(t->lens);
    p_arena_free(&t->arena);
    t->slots = NULL;
    t->nslots = 0;
}

void p_set_error(parley_error *err, parley_status st, const char *fmt, ...) {
    if (!err) return;
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

char *p_read_file(const char *path, size_t *len, parley_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) { p_set_error(err, PARLEY_ERR_IO, "%s: %s", path, strerror(errno)); return NULL; }
    p_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) p_buf_put(&b, tmp, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) { p_set_error(err, PARLEY_ERR_IO, "%s: read error", path); p_buf_free(&b); return NULL; }
    if (!b.s) b.s = p_xcalloc(1, 1);
    *len = b.n;
    return b.s;
}

const char *parley_status_str(parley_status st) {
    switch (st) {
    case PARLEY_OK: return "ok";
    case PARLEY_ERR_IO: return "i/o error";
    case PARLEY_ERR_PARSE: return "parse error";
    case PARLEY_ERR_NOMEM: return "out of memory";
    case PARLEY_ERR_ARG: return "bad argument";
    case PARLEY_ERR_LIMIT: return "limit exceeded";
    case PARLEY_ERR_DATE: return "bad date";
    case PARLEY_ERR_STATE: return "bad state";
    case PARLEY_ERR_STALE: return "stale compiled file";
    }
    return "unknown";
}

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}
int32_t parley_parse_date(const char *s, size_t len) {
    char d[16];
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (p_isdigit((unsigned char)s[i])) { if (k >= 8) return 0; d[k++] = s[i]; }
        else if (s[i] == '-' || s[i] == '/') { if (k != 4 && k != 6) return 0; }
        else if (p_isspace((unsigned char)s[i]) && (k == 0 || i + 1 == len)) continue;
        else return 0;
    }
    int y, m, day;
    if (k == 8) { y = (d[0]-'0')*1000 + (d[1]-'0')*100 + (d[2]-'0')*10 + (d[3]-'0'); m = (d[4]-'0')*10 + (d[5]-'0'); day = (d[6]-'0')*10 + (d[7]-'0'); }
    else if (k == 6) {
        y = (d[0]-'0')*10 + (d[1]-'0');
        /* TABARI's pivot: two-digit years 00-30 are 2000-2030. */
        y += y <= 30 ? 2000 : 1900;
        m = (d[2]-'0')*10 + (d[3]-'0'); day = (d[4]-'0')*10 + (d[5]-'0');
    } else return 0;
    if (y < 1000 || m < 1 || m > 12 || day < 1 || day > days_in_month(y, m)) return 0;
    return y * 10000 + m * 100 + day;
}

/* Days since 1970-01-01 and back (Howard Hinnant's civil-date algorithms). */
int32_t p_day_number(int32_t ymd) {
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

int32_t p_from_day_number(int32_t z) {
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = (int)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return y * 10000 + (int32_t)m * 100 + (int32_t)d;
}
