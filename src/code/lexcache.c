/* The token cache (lexcache.h): slots, the blocks of the entries' lists,
 * growth while one coder uses a cache, and the lock and publication once
 * several do. */
#include "lexcache.h"

#include <stdlib.h>

/* calloc, not aligned_alloc and memset: a large calloc is pages the system
 * zeroes when first touched, so a coder that codes one sentence does not pay
 * for the whole table.  Aligned by hand: an entry is one cache line. */
static cache_ent *slots_alloc(size_t n, void **raw) {
    char *p = calloc(n + 1, sizeof(cache_ent));
    if (!p) return NULL;
    *raw = p;
    return (cache_ent *)(p + (64 - (uintptr_t)p % 64) % 64);
}

lexcache *lexcache_new(size_t slots, int own) {
    lexcache *L = calloc(1, sizeof *L);
    if (!L) return NULL;
    L->tab = slots_alloc(slots, &L->raw);
    if (!L->tab) { free(L); return NULL; }
    L->mask = slots - 1;
    L->own = own;
    L->refs = 1;
    pthread_mutex_init(&L->mu, NULL);
    return L;
}

static void blocks_free(lexcache *L) {
    for (size_t k = 0; k < L->blocks.n; k++) free(L->blocks.v[k]);
    L->blocks.n = 0;
    L->blk = NULL;
    L->blk_left = 0;
    p_arena_free(&L->keys);
}

void lexcache_unref(lexcache *L) {
    if (!L || __atomic_sub_fetch(&L->refs, 1, __ATOMIC_ACQ_REL)) return;
    blocks_free(L);
    P_FREE_VEC(L->blocks);
    for (size_t k = 0; k < L->retired.n; k++) free(L->retired.v[k]);
    P_FREE_VEC(L->retired);
    pthread_mutex_destroy(&L->mu);
    free(L->raw);
    free(L);
}

/* t (allocated as raw) becomes L's table; the old one is freed, or, when a
 * coder may still hold pointers into it, kept until the cache is. */
static void install(lexcache *L, cache_ent *t, void *raw, size_t slots, int keep_old) {
    if (keep_old) P_PUSH(L->retired, L->raw);
    else free(L->raw);
    L->raw = raw;
    L->tab = t;
    L->mask = slots - 1;
}

/* The entries in a table of `slots` slots.  Their lists stay where they are. */
static int grow(lexcache *L, size_t slots, int keep_old) {
    void *raw;
    cache_ent *t = slots_alloc(slots, &raw);
    if (!t) return -1;
    for (size_t k = 0; k <= L->mask; k++) {
        const cache_ent *e = &L->tab[k];
        if (!e->klen) continue;
        char sb[SHORT_KEY];
        const char *key = e->key;
        if (e->klen <= SHORT_KEY) { short_key_bytes(e->skey, e->klen, sb); key = sb; }
        size_t i = (size_t)p_hash_mem(key, e->klen) & (slots - 1);
        while (t[i].klen) i = (i + 1) & (slots - 1);
        t[i] = *e;
    }
    install(L, t, raw, slots, keep_old);
    return 0;
}

lexcache *lexcache_share(lexcache *L) {
    /* under the lock: a coder kept only to be cloned may be cloned by
     * several threads at once (the server's pool) */
    pthread_mutex_lock(&L->mu);
    if (!L->frozen) {
        /* its last size: a table others read never moves */
        if (L->mask + 1 < LEXCACHE_SLOTS && grow(L, LEXCACHE_SLOTS, 1)) { pthread_mutex_unlock(&L->mu); return NULL; }
        L->frozen = 1;
    }
    __atomic_add_fetch(&L->refs, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&L->mu);
    return L;
}

/* nd words that stay where they are: entries point at them */
#define BLOCK_WORDS (1u << 16)
static uint32_t *block_alloc(lexcache *L, size_t nd) {
    if (nd > L->blk_left) {
        size_t cap = nd > BLOCK_WORDS ? nd : BLOCK_WORDS;
        uint32_t *b = p_xmalloc(cap * sizeof *b);
        P_PUSH(L->blocks, b);
        L->blk = b;
        L->blk_left = cap;
    }
    uint32_t *r = L->blk;
    L->blk += nd;
    L->blk_left -= nd;
    return r;
}

const cache_ent *lexcache_add(lexcache *L, const cache_ent *e, const uint32_t *data, size_t nd,
                              const char *s, size_t len, uint64_t h) {
    if (!L->own) pthread_mutex_lock(&L->mu);
    /* another thread may have added s since the caller looked */
    const cache_ent *o = lexcache_find(L->tab, L->mask, s, len, h);
    if (o || (!L->own && (L->n + 1) * 2 > L->mask + 1)) {
        if (!L->own) pthread_mutex_unlock(&L->mu);
        return o;
    }
    size_t i = (size_t)h & L->mask;
    while (L->tab[i].klen) i = (i + 1) & L->mask;
    cache_ent *t = &L->tab[i];
    /* every field but klen, which readers may be loading: it goes last */
    const size_t kl = offsetof(cache_ent, klen), after = kl + sizeof t->klen;
    memcpy((char *)t + sizeof t->skey, (const char *)e + sizeof t->skey, kl - sizeof t->skey);
    memcpy((char *)t + after, (const char *)e + after, sizeof *t - after);
    if (len <= SHORT_KEY) short_key(s, len, t->skey);
    else t->key = p_arena_strndup(&L->keys, s, len);
    uint32_t *b = block_alloc(L, nd);
    memcpy(b, data, nd * sizeof *b);
    t->data = b;
    L->n++;
    __atomic_store_n(&t->klen, (uint16_t)len, __ATOMIC_RELEASE);
    if (!L->own) pthread_mutex_unlock(&L->mu);
    return t;
}

int lexcache_room(lexcache *L, size_t more) {
    size_t slots = L->mask + 1;
    if (L->frozen || (L->n + more + 1) * 2 <= slots) return 0;
    if (!L->own) {
        /* one coder's: it grows up to the size a shared one has, then the
         * words past its half go to the coder's own */
        if (slots >= LEXCACHE_SLOTS) return 0;
        while ((L->n + more + 1) * 2 > slots && slots < LEXCACHE_SLOTS) slots *= 2;
        return grow(L, slots, 0);
    }
    /* a coder's own: emptied, and made bigger when one sentence needs it */
    while ((more + 1) * 2 > slots) slots *= 2;
    if (slots != L->mask + 1) {
        void *raw;
        cache_ent *t = slots_alloc(slots, &raw);
        if (!t) return -1;
        install(L, t, raw, slots, 0);
    } else {
        memset(L->tab, 0, slots * sizeof *L->tab);
    }
    L->n = 0;
    blocks_free(L);
    return 0;
}
