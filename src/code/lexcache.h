/* The token cache: what the coder knows about one distinct token string
 * (the phrases its word can start, the dictionary words it can be an
 * inflection of, its closed-class type), computed once from the dictionary
 * and kept, since news vocabulary repeats.
 *
 * An entry depends on the dictionary and the string alone, so coders of one
 * dictionary can share a cache (parley_coder_clone): a word is looked up once
 * whichever thread meets it first.  A shared cache is read without a lock; it
 * is added to under its mutex, and an entry is published by the release store
 * of its key length, which readers load with acquire.  Published entries
 * never move or change, so a coder may hold pointers to them: a shared cache
 * neither grows nor empties.  Once it is half full, each coder keeps the
 * words it lacks in a private cache of its own, emptied between sentences.
 * A cache one coder uses alone starts small and grows between sentences. */
#ifndef PARLEY_LEXCACHE_H
#define PARLEY_LEXCACHE_H

#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include "../util/util.h"

typedef struct cache_ent {
    /* the token string: up to 16 bytes in the entry itself (short_key),
     * longer ones in the cache's arena; klen 0 marks a free slot */
    union { const char *key; uint64_t skey[2]; };
    /* cache_cand, cache_bases, cache_fpairs, cache_hpairs: the entry's lists,
     * one block in the cache's pool, read together by classify() */
    const uint32_t *data;
    uint32_t n, bn;            /* candidate pairs; dictionary words it can stand for */
    int32_t lemma; uint32_t wcls;
    /* the one-word phrases decided once: which one classify() takes (-1:
     * none), its length and rank; one_disc: 1 discard, 2 story discard */
    int32_t one; uint32_t one_chars;
    uint16_t klen; uint8_t cls, pos, adjunct, one_rank, one_disc, one_type;
    uint8_t first[2];          /* first letters of the token and of its lemma, for tok_first */
} cache_ent;
_Static_assert(sizeof(cache_ent) <= 64, "a cache entry is one cache line");

/* The block at data: n pairs (kind<<28 | phrase, hint); fn and hn; the bn
 * dictionary words the token can stand for; fn pairs (position, needed
 * word) of the phrases of two or more words with no hint (issues left out);
 * then hn pairs (hint, position), sorted, of those that need a next word.
 * The counts sit beside the words, which every sentence reads (the
 * coder asks for their line as it looks the token up). */
static inline const uint32_t *cache_cand(const cache_ent *e) { return e->data; }
static inline uint32_t cache_fn(const cache_ent *e) { return e->data[2 * e->n]; }
static inline uint32_t cache_hn(const cache_ent *e) { return e->data[2 * e->n + 1]; }
static inline const uint32_t *cache_bases(const cache_ent *e) { return e->data + 2 * e->n + 2; }
static inline const uint32_t *cache_fpairs(const cache_ent *e) { return cache_bases(e) + e->bn; }
static inline const uint32_t *cache_hpairs(const cache_ent *e) { return cache_fpairs(e) + 2 * cache_fn(e); }

typedef struct lexcache {
    cache_ent *tab;            /* open addressing; a power of two slots */
    size_t mask;
    size_t n;                  /* entries (changed under mu) */
    int own;                   /* a coder's own: no lock, emptied between sentences */
    int frozen;                /* shared: the table never moves again */
    int refs;                  /* coders using it (changed under mu, or atomically) */
    pthread_mutex_t mu;
    void *raw;                 /* tab as allocated */
    P_VEC(void *) retired;     /* tables a coder may still point into */
    /* the entries' lists, in blocks that never move */
    P_VEC(uint32_t *) blocks;
    uint32_t *blk; size_t blk_left;
    p_arena keys;              /* keys of more than SHORT_KEY bytes */
} lexcache;

/* One coder's cache starts at LEXCACHE_START slots (a coder for one request
 * stays cheap) and doubles between sentences as it fills; a shared one has
 * LEXCACHE_SLOTS from the first clone on.  Half of them are used at most:
 * 64k strings hold the working vocabulary of news. */
#ifndef LEXCACHE_SLOTS
#define LEXCACHE_SLOTS (1u << 17)
#endif
#define LEXCACHE_START (LEXCACHE_SLOTS < (1u << 12) ? LEXCACHE_SLOTS : (1u << 12))

/* A key of up to 16 bytes is kept in the entry: up to 8 as the bytes
 * p_hash_mem reads of it (the first and last four, or the first, middle and
 * last), up to 16 as its first and last eight.  For one length these are the
 * whole string, so a lookup compares two words, with no call to memcmp and
 * no load of a string stored elsewhere. */
#define SHORT_KEY 16
static inline void short_key(const char *s, size_t n, uint64_t k[2]) {
    k[1] = 0;
    if (n > 8) {
        memcpy(&k[0], s, 8);
        memcpy(&k[1], s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        k[0] = (uint64_t)a << 32 | b;
    } else {
        k[0] = n ? (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 | (uint64_t)(unsigned char)s[n - 1] << 16 : 0;
    }
}

static inline void short_key_bytes(const uint64_t k[2], size_t n, char out[SHORT_KEY]) {
    if (n > 8) {
        memcpy(out, &k[0], 8);
        memcpy(out + n - 8, &k[1], 8);
    } else if (n >= 4) {
        uint32_t a = (uint32_t)(k[0] >> 32), b = (uint32_t)k[0];
        memcpy(out, &a, 4);
        memcpy(out + n - 4, &b, 4);
    } else if (n) {
        out[0] = (char)(k[0] & 0xFF);
        out[n / 2] = (char)(k[0] >> 8 & 0xFF);
        out[n - 1] = (char)(k[0] >> 16 & 0xFF);
    }
}

/* The entry of string s (h: its p_hash_mem) in a cache's slots (tab, mask:
 * the cache's own, which never change) or NULL.  Takes no lock: an entry is
 * read only after its published key length.  Always inline: nearly every
 * token is a hit, a few compares. */
static inline __attribute__((always_inline)) const cache_ent *lexcache_find(const cache_ent *tab, size_t mask, const char *s,
                                                                            size_t len, uint64_t h) {
    size_t i = (size_t)h & mask;
    if (len <= SHORT_KEY) {
        uint64_t sk[2];
        short_key(s, len, sk);
        for (uint16_t kl; (kl = __atomic_load_n(&tab[i].klen, __ATOMIC_ACQUIRE)); i = (i + 1) & mask)
            if (kl == len && tab[i].skey[0] == sk[0] && tab[i].skey[1] == sk[1]) return &tab[i];
    } else {
        for (uint16_t kl; (kl = __atomic_load_n(&tab[i].klen, __ATOMIC_ACQUIRE)); i = (i + 1) & mask)
            if (kl == len && !memcmp(tab[i].key, s, len)) return &tab[i];
    }
    return NULL;
}

/* A cache of `slots` slots (a power of two); own: a coder's own, used by
 * it alone.  NULL when out of memory. */
lexcache *lexcache_new(size_t slots, int own);
/* Another user of L (for a clone).  The first makes the table its final
 * size, for a table other threads read never moves; the old one is kept
 * (the cache's first coder may be in a sentence).  NULL when out of memory. */
lexcache *lexcache_share(lexcache *L);
void lexcache_unref(lexcache *L);
/* Adds the entry for s: e's fields (key, data and klen are set here) and its
 * nd-word block.  Returns the cache's entry for s, which another thread may
 * have added first, or NULL when a cache that is not a coder's own is half
 * full.  A coder's own must have room (lexcache_room). */
const cache_ent *lexcache_add(lexcache *L, const cache_ent *e, const uint32_t *data, size_t nd,
                              const char *s, size_t len, uint64_t h);
/* Between sentences, room for `more` entries: one coder's cache grows (up
 * to LEXCACHE_SLOTS); a coder's own is emptied (and made bigger when one
 * sentence needs it).  -1 when out of memory. */
int lexcache_room(lexcache *L, size_t more);

#endif
