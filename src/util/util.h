/* Small internal helpers shared by every stage: growable buffers, an arena,
 * a string interner and error formatting.  Nothing here is public API. */
#ifndef PARLEY_UTIL_H
#define PARLEY_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "parley.h"

#define P_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Does the (not NUL-terminated) span s[0..n) start with the literal lit? */
#define P_STARTS(s, n, lit) ((n) >= sizeof(lit) - 1 && !memcmp((s), (lit), sizeof(lit) - 1))

/* Growable array of T: struct { T *v; size_t n, cap; }.  Push never fails
 * silently: it aborts on OOM, since every caller would otherwise have to
 * unwind half-built dictionaries; memory exhaustion is not recoverable here. */
#define P_VEC(T) struct { T *v; size_t n, cap; }
void *p_grow(void *ptr, size_t *cap, size_t need, size_t elem);
#define P_PUSH(vec, item)                                                       \
    do {                                                                        \
        if ((vec).n == (vec).cap)                                               \
            (vec).v = p_grow((vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)); \
        (vec).v[(vec).n++] = (item);                                            \
    } while (0)
#define P_FREE_VEC(vec) do { free((vec).v); (vec).v = NULL; (vec).n = (vec).cap = 0; } while (0)

void *p_xmalloc(size_t n);
void *p_xcalloc(size_t n, size_t m);
void *p_xrealloc(void *p, size_t n);
char *p_strndup(const char *s, size_t n);

/* Byte buffer. */
typedef struct p_buf { char *s; size_t n, cap; } p_buf;
/* Inline: output is built from many short pieces (JSON keys, codes), and
 * inlined, strlen of a literal is a constant. */
static inline void p_buf_put(p_buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) b->s = p_grow(b->s, &b->cap, b->n + n + 1, 1);
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}
static inline void p_buf_puts(p_buf *b, const char *s) { p_buf_put(b, s, strlen(s)); }
static inline void p_buf_putc(p_buf *b, char c) {
    if (b->n + 2 > b->cap) b->s = p_grow(b->s, &b->cap, b->n + 2, 1);
    b->s[b->n++] = c;
    b->s[b->n] = 0;
}
void p_buf_printf(p_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void p_buf_json_str(p_buf *b, const char *s, size_t n); /* quoted, escaped */
void p_buf_putu(p_buf *b, unsigned long v);               /* decimal */
void p_buf_puti(p_buf *b, long v);
/* Eight bytes at a time: nonzero when some byte of v is b, or below n
 * (n <= 0x80; bytes >= 0x80 never count as below). */
#define P_ONES 0x0101010101010101ULL
#define P_HIGHS 0x8080808080808080ULL
static inline uint64_t p_swar_eq(uint64_t v, unsigned char b) { uint64_t x = v ^ (P_ONES * b); return (x - P_ONES) & ~x & P_HIGHS; }
static inline uint64_t p_swar_lt(uint64_t v, unsigned char n) { return (v - P_ONES * n) & ~v & P_HIGHS; }
/* Index in memory order of the first byte flagged in a non-zero mask of the
 * two above.  Borrows run toward the more significant bytes, so on a
 * little-endian machine the first flag is exact; on a big-endian one it may
 * come early, never late, which callers that go on byte by byte tolerate. */
static inline unsigned p_swar_first(uint64_t m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (unsigned)__builtin_clzll(m) / 8;
#else
    return (unsigned)__builtin_ctzll(m) / 8;
#endif
}
/* The scan under the JSON writer, the JSON reader and the sentence
 * splitter: how many leading bytes of s[0..n) come before the first that is
 * one of the k (<= 8) stop bytes packed in stops (P_STOP), or >= 0x80
 * (P_SCAN_HIGH), or < 0x20 (P_SCAN_CTRL).  Only whole blocks are looked at
 * (16 bytes with SSE2, part of every x86-64; then 8): the answer may stop
 * short of such a byte by up to 7 bytes, and callers go on byte by byte
 * from it.  With out (room for n bytes), each block read is copied there
 * too.  Inline, and the stop bytes an integer, so that with constant
 * arguments each test folds into a constant and an instruction or two. */
enum { P_SCAN_HIGH = 1, P_SCAN_CTRL = 2 };
#define P_STOP(c, at) ((uint64_t)(unsigned char)(c) << 8 * (at)) /* stop byte c in place at (0-7) */
static inline size_t p_scan_plain(const char *s, size_t n, uint64_t stops, int k, int flags, char *out) {
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i bad = _mm_setzero_si128();
        for (int q = 0; q < k && q < 8; q++) bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)(stops >> 8 * q))));
        /* both: signed, bytes >= 0x80 are negative, so "< 0x20" takes them */
        if ((flags & P_SCAN_HIGH) && (flags & P_SCAN_CTRL)) bad = _mm_or_si128(bad, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
        /* the mask takes each byte's high bit: v's own is set from 0x80 */
        else if (flags & P_SCAN_HIGH) bad = _mm_or_si128(bad, v);
        /* unsigned v < 0x20: min(v, 0x1F) == v */
        else if (flags & P_SCAN_CTRL) bad = _mm_or_si128(bad, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
        if (out) _mm_storeu_si128((__m128i *)(void *)(out + i), v);
        int m = _mm_movemask_epi8(bad);
        if (m) return i + (size_t)__builtin_ctz((unsigned)m);
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t v, m = 0;
        memcpy(&v, s + i, 8);
        if (out) memcpy(out + i, &v, 8);
        for (int q = 0; q < k && q < 8; q++) m |= p_swar_eq(v, (unsigned char)(stops >> 8 * q));
        if (flags & P_SCAN_HIGH) m |= v & P_HIGHS;
        if (flags & P_SCAN_CTRL) m |= p_swar_lt(v, 0x20);
        if (m) return i + p_swar_first(m);
    }
    return i;
}
/* A JSON writer copies these as they are (no quote, backslash, control,
 * <, >, & or byte >= 0x80); a JSON string reader, everything but a quote,
 * a backslash or a control.  Both copy to out (when not NULL) as they scan. */
static inline size_t p_json_copy_plain_out(char *out, const char *s, size_t n) {
    return p_scan_plain(s, n, P_STOP('"', 0) | P_STOP('\\', 1) | P_STOP('<', 2) | P_STOP('>', 3) | P_STOP('&', 4), 5,
                        P_SCAN_HIGH | P_SCAN_CTRL, out);
}
static inline size_t p_json_copy_plain_in(char *out, const char *s, size_t n) {
    return p_scan_plain(s, n, P_STOP('"', 0) | P_STOP('\\', 1), 2, P_SCAN_CTRL, out);
}
/* Copies s[0..n) into dst[cap] NUL-terminated, cut at cap - 1 bytes. */
static inline void p_copy(char *dst, size_t cap, const char *s, size_t n) {
    if (!cap) return;
    if (n >= cap) n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}
static inline void p_buf_clear(p_buf *b) { b->n = 0; if (b->s) b->s[0] = 0; }
void p_buf_free(p_buf *b);

/* Arena: many small allocations freed together. */
typedef struct p_arena_blk { struct p_arena_blk *next; size_t used, cap; char data[]; } p_arena_blk;
typedef struct p_arena { p_arena_blk *head; size_t total; } p_arena;
void *p_arena_alloc(p_arena *a, size_t n);
char *p_arena_strndup(p_arena *a, const char *s, size_t n);
void p_arena_free(p_arena *a);

/* String interner: maps byte strings to dense ids (0..n-1). */
typedef struct p_intern {
    uint32_t *slots;     /* id+1, 0 = empty */
    size_t nslots;
    P_VEC(const char *) strs;
    P_VEC(uint32_t) lens;
    p_arena arena;
} p_intern;
/* p_hash is FNV-1a and is persisted (document hashes, event ids): never
 * change it.  p_hash_mem is for in-memory tables only and may change. */
uint64_t p_hash(const char *s, size_t n);
/* Bit i of a bitmap of nbits bits (0 past its end). */
static inline int p_bit(const uint64_t *bits, size_t nbits, size_t i) { return i < nbits && (bits[i >> 6] >> (i & 63) & 1); }
static inline void p_bit_set(uint64_t *bits, size_t i) { bits[i >> 6] |= 1ULL << (i & 63); }
/* inline: the coder hashes every token of every sentence */
static inline uint64_t p_hash_mem(const char *s, size_t n) {
    /* fixed-size loads only (overlapping at the ends), as wyhash does: words
     * are short, and a byte loop or a variable memcpy costs more than this */
    const uint64_t K = 0x9E3779B97F4A7C15ULL;
    uint64_t h = (uint64_t)n * K, v;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) { memcpy(&v, s + i, 8); h = (h ^ v) * K; h ^= h >> 32; }
        memcpy(&v, s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        v = (uint64_t)a << 32 | b;
    } else if (n) {
        v = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 | (uint64_t)(unsigned char)s[n - 1] << 16;
    } else {
        v = 0;
    }
    h = (h ^ v) * 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 31);
}
/* Sorts n unsigned ints ascending; no callback, so the compiler inlines the
 * comparisons (qsort's indirect calls dominated the coder's profile). */
void p_sort_u32(uint32_t *v, size_t n);
int32_t p_intern_find(const p_intern *t, const char *s, size_t n); /* -1 if absent */
uint32_t p_intern_add(p_intern *t, const char *s, size_t n);
void p_intern_free(p_intern *t);
static inline const char *p_intern_str(const p_intern *t, uint32_t id) { return t->strs.v[id]; }
static inline uint32_t p_intern_len(const p_intern *t, uint32_t id) { return t->lens.v[id]; }

void p_set_error(parley_error *err, parley_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* YYYYMMDD <-> days since 1970-01-01 */
int32_t p_day_number(int32_t ymd);
int32_t p_from_day_number(int32_t days);

/* Reads a whole file; returns NULL and sets err on failure. */
char *p_read_file(const char *path, size_t *len, parley_error *err);

static inline int p_isspace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static inline int p_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int p_isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int p_islower(int c) { return c >= 'a' && c <= 'z'; }
static inline int p_isalpha(int c) { return p_isupper(c) || p_islower(c); }
static inline int p_isalnum(int c) { return p_isalpha(c) || p_isdigit(c); }
static inline int p_toupper(int c) { return p_islower(c) ? c - 32 : c; }

#endif
