/* Geolocation: the gazetteer (compiled from tools/geo/build-gazetteer.js's
 * table into one memory-mapped index) and the rules that give an event its
 * place: the sentence's locative phrase, else the dateline, else the actors'
 * country, labelled as a guess.  docs/geo.md describes both.
 *
 * Names are matched through three keys computed from the coder's own
 * tokens, so a name in the index and a name in a sentence fold the same way
 * (upper case, diacritics dropped, hyphen = space):
 *   exact     "AL QUNAYTIRAH"   the words
 *   loose     "QUNAYTIRA"       a leading Arabic article or "the" dropped, no spaces,
 *                               doubled letters single, a final vowel+H without H
 *   skeleton  "KNTR"            consonants only, Q/C -> K, xH -> x, doubles
 *                               collapsed: Quneitra = Kuneitra = Qunaytirah,
 *                               Sweida = Suwayda, Deir ez-Zor = Dayr az Zawr
 * A weaker key only adds candidates; the score prefers the stronger match. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo.h"
#include "../code/coder.h"

#define GEO_MAGIC "PRLYGEO1"
#define GEO_VERSION 3u
#define GEO_ENDIAN 0x01020304u
#define GEO_LIST_MAX 48     /* candidates kept per key, best first */
#define GEO_KEY_MAX 128

enum { TIER_EXACT, TIER_LOOSE, TIER_SKEL, TIER_ADM };

typedef struct ghead {
    char magic[8];
    uint32_t version, endian, nplaces, ncountries, nbuckets, nlist, strsize, pad;
} ghead;

typedef struct gplace {
    uint32_t name, adm1, adm1_name, gid, pop;
    float lat, lon;
    char cc2[3], cc3[4], kind;  /* kind: C country, A ADM1, R region, P place, D demonym */
    uint32_t flags;             /* GF_* */
    float base;                 /* base_score(), worked out once at build time */
} gplace;

enum { GF_CAPITAL = 1, GF_SEAT = 2 };   /* GeoNames PPLC, PPLA */

typedef struct gbucket { uint64_t h; uint32_t off, n; } gbucket;

/* Zero bytes after the places, so that the buckets (64-bit hashes) that
 * follow start on an 8-byte boundary whatever the count. */
static size_t places_pad(uint64_t nplaces) { return (size_t)((8 - nplaces * sizeof(gplace) % 8) % 8); }

struct parley_gazetteer {
    void *map; size_t size;
    const ghead *h;
    const gplace *pl;
    const gbucket *bk;
    const uint32_t *list;
    const char *str;
    int32_t by_cc2[26 * 26];    /* country place index, -1 */
    int32_t *by_cc3;            /* 26^3 of them: actor codes are alpha-3 */
};

/* ------------------------------------------------------------- keys */

static int is_article(const char *s, size_t n) {
    static const char *const art2[] = {"AL", "EL", "AS", "AD", "AR", "AT", "AZ", "AN", "UL"};
    static const char *const art3[] = {"ASH", "ADH", "ATH", "THE"};
    if (n == 2) { for (size_t i = 0; i < P_ARRAY_LEN(art2); i++) if (!memcmp(art2[i], s, 2)) return 1; }
    else if (n == 3) { for (size_t i = 0; i < P_ARRAY_LEN(art3); i++) if (!memcmp(art3[i], s, 3)) return 1; }
    return 0;
}

/* A token's letters and digits; a possessive "'S" is not part of a name. */
static size_t tok_alnum(const token *t, char *out, size_t cap) {
    size_t L = t->len, k = 0;
    if (L > 2 && t->s[L - 2] == '\'' && t->s[L - 1] == 'S') L -= 2;
    for (size_t i = 0; i < L && k + 1 < cap; i++) if (p_isalnum((unsigned char)t->s[i])) out[k++] = t->s[i];
    return k;
}

static void make_skeleton(const char *lo, size_t nl, char sk[GEO_KEY_MAX]);

/* The three keys of tokens [a, b); each written NUL-terminated, prefixed by
 * its tier digit so the tiers never share a hash.  Returns 0 when the words
 * have no Latin letters at all.  With lo NULL, the exact key only; with sk
 * NULL, no skeleton (make_skeleton makes it from lo when it is needed). */
static int make_keys(const token *tk, int a, int b, char ex[GEO_KEY_MAX], char lo[GEO_KEY_MAX], char sk[GEO_KEY_MAX]) {
    size_t ne = 1, nl = 1;
    ex[0] = '0';
    if (lo) lo[0] = '1';
    if (sk) sk[0] = '2';
    for (int i = a; i < b; i++) {
        char w[GEO_KEY_MAX];
        size_t wl = tok_alnum(&tk[i], w, sizeof w);
        if (!wl) continue;
        if (ne > 1 && ne + 1 < GEO_KEY_MAX) ex[ne++] = ' ';
        for (size_t q = 0; q < wl && ne + 1 < GEO_KEY_MAX; q++) ex[ne++] = w[q];
        if (!lo || (i == a && b - a > 1 && is_article(w, wl))) continue;
        /* doubled letters are a spelling choice: Daraa = Dar'a, Raqqa = Raqa */
        for (size_t q = 0; q < wl && nl + 1 < GEO_KEY_MAX; q++) if (nl == 1 || lo[nl - 1] != w[q]) lo[nl++] = w[q];
    }
    if (!lo) { ex[ne] = 0; return ne > 1; }
    /* a final H after a vowel is a transliteration choice: Suwaydah = Suwayda */
    if (nl > 3 && lo[nl - 1] == 'H' && strchr("AEIOU", lo[nl - 2])) nl--;
    ex[ne] = 0; lo[nl] = 0;
    if (ne == 1) { if (sk) sk[1] = 0; return 0; }
    if (sk) make_skeleton(lo, nl, sk);
    return 1;
}

/* The skeleton of a loose key lo of nl bytes (tier digit first): a first
 * vowel stands for any vowel, later vowels (and Y) go, Q and C are K, an H
 * after a consonant goes (KH, SH, TH, DH, GH), a final H goes, doubled
 * letters collapse. */
static void make_skeleton(const char *lo, size_t nl, char sk[GEO_KEY_MAX]) {
    sk[0] = '2';
    size_t ns = 1;
    for (size_t i = 1; i < nl && ns + 1 < GEO_KEY_MAX; i++) {
        char ch = lo[i];
        int vowel = ch == 'A' || ch == 'E' || ch == 'I' || ch == 'O' || ch == 'U' || ch == 'Y';
        if (i == 1) { sk[ns++] = vowel ? 'A' : (ch == 'Q' || ch == 'C') ? 'K' : ch; continue; }
        if (vowel) continue;
        if (ch == 'Q' || ch == 'C') ch = 'K';
        if (ch == 'H' && (i + 1 == nl || (ns > 1 && sk[ns - 1] != 'A'))) continue;
        if (sk[ns - 1] == ch) continue;
        sk[ns++] = ch;
    }
    sk[ns] = 0;
}

static uint64_t key_hash(const char *k) { return p_hash(k, strlen(k)) | 1; /* 0 marks an empty bucket */ }

/* ------------------------------------------------------------- build */

typedef struct kpair { uint64_t h; uint32_t place; float rank; } kpair;
typedef P_VEC(kpair) kpair_vec;

static float pop_term(uint32_t pop) { float t = log10f((float)pop + 1.0f); return t > 7.0f ? 7.0f : t; }

/* What a place is worth before any context: countries and named regions
 * first, then by population ("Paris" is Paris, France). */
static float base_score_of(const gplace *p) {
    switch (p->kind) {
    case 'C': return 12.0f;
    case 'R': return 10.0f;
    case 'A': return pop_term(p->pop) - 1.5f; /* a city of the same name first */
    default: return pop_term(p->pop) + (p->flags & GF_CAPITAL ? 3.0f : p->flags & GF_SEAT ? 1.0f : 0.0f);
    }
}
/* read for every candidate of every name: a log10f each time was a tenth
 * of the geolocator's cost */
static inline float base_score(const gplace *p) { return p->base; }

static int cmp_kpair(const void *a, const void *b) {
    const kpair *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    if (x->rank != y->rank) return x->rank > y->rank ? -1 : 1;
    return x->place < y->place ? -1 : x->place > y->place;
}

static uint32_t str_add(p_buf *sb, const char *s, size_t n) {
    if (!n) return 0; /* offset 0 is the empty string */
    uint32_t off = (uint32_t)sb->n;
    p_buf_put(sb, s, n);
    p_buf_putc(sb, 0);
    return off;
}

static void add_keys(tokenizer *tz, kpair_vec *kp, const char *name, size_t n, uint32_t place, float rank) {
    tokenize(tz, name, n);
    int nt = (int)tz->toks.n;
    if (!nt || nt > 8) return;
    char ex[GEO_KEY_MAX], lo[GEO_KEY_MAX], sk[GEO_KEY_MAX];
    if (!make_keys(tz->toks.v, 0, nt, ex, lo, sk)) return;
    kpair k = {key_hash(ex), place, rank + 2};
    P_PUSH(*kp, k);
    k.h = key_hash(lo); k.rank = rank + 1;
    P_PUSH(*kp, k);
    if (strlen(sk) >= 3) { k.h = key_hash(sk); k.rank = rank; P_PUSH(*kp, k); } /* 2+ consonants */
}

parley_status parley_gazetteer_build(const char *tsv_path, const char *out_path, parley_diag_fn diag, void *ud,
                                     parley_error *err) {
    size_t len;
    char *data = p_read_file(tsv_path, &len, err);
    if (!data) return PARLEY_ERR_IO;
    P_VEC(gplace) pl = {0};
    kpair_vec kp = {0};
    p_buf sb = {0};
    p_buf_putc(&sb, 0);
    tokenizer tz;
    tokenizer_init(&tz);
    long line = 0, bad = 0;
    uint32_t ncountries = 0;
    int countries_done = 0;
    for (char *p = data, *end = data + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        *nl = 0;
        line++;
        char *f[12];
        int nf = 0;
        if (*p && *p != '#') {
            for (char *q = p; nf < 12;) {
                f[nf++] = q;
                char *t = strchr(q, '\t');
                if (!t) break;
                *t = 0;
                q = t + 1;
            }
            const char *why = NULL;
            if (nf < 11) why = "expected 11 or 12 tab-separated fields";
            else if (!strchr("CAPRD", f[0][0]) || f[0][1]) why = "kind is not C, A, P, R or D";
            else if (!*f[2]) why = "no name";
            else if (strlen(f[5]) != 2 || (f[0][0] == 'C' && strlen(f[6]) != 3)) why = "bad country code";
            else if (fabs(atof(f[3])) > 90 || fabs(atof(f[4])) > 180) why = "latitude or longitude out of range";
            else if (f[0][0] == 'C' && countries_done) why = "countries must come first";
            if (why) {
                bad++;
                if (diag) diag(ud, tsv_path, line, why);
            } else {
                if (f[0][0] != 'C') countries_done = 1;
                else ncountries++;
                gplace g;
                memset(&g, 0, sizeof g);
                g.kind = f[0][0];
                g.gid = (uint32_t)strtoul(f[1], NULL, 10);
                g.name = str_add(&sb, f[2], strlen(f[2]));
                g.lat = (float)atof(f[3]);
                g.lon = (float)atof(f[4]);
                memcpy(g.cc2, f[5], 2);
                snprintf(g.cc3, sizeof g.cc3, "%.3s", f[6]);
                g.adm1 = str_add(&sb, f[7], strlen(f[7]));
                g.adm1_name = str_add(&sb, f[8], strlen(f[8]));
                g.pop = (uint32_t)strtoul(f[9], NULL, 10);
                if (nf > 11 && !strcmp(f[11], "PPLC")) g.flags |= GF_CAPITAL;
                if (nf > 11 && !strcmp(f[11], "PPLA")) g.flags |= GF_SEAT;
                g.base = base_score_of(&g);
                uint32_t idx = (uint32_t)pl.n;
                P_PUSH(pl, g);
                float r = g.base;
                add_keys(&tz, &kp, f[2], strlen(f[2]), idx, r);
                for (char *a = f[10]; *a;) {
                    char *sc = strchr(a, ';');
                    size_t al = sc ? (size_t)(sc - a) : strlen(a);
                    if (al) add_keys(&tz, &kp, a, al, idx, r);
                    if (!sc) break;
                    a = sc + 1;
                }
                if (g.kind == 'A' && *f[7]) { /* "#SY.03": the ADM1 of a place */
                    char k[64];
                    snprintf(k, sizeof k, "#%s.%s", f[5], f[7]);
                    kpair q = {key_hash(k), idx, 100};
                    P_PUSH(kp, q);
                }
            }
        }
        p = nl + 1;
    }
    free(data);
    tokenizer_free(&tz);
    /* one key, one list: sorted by hash then rank, duplicates and the tail
     * past GEO_LIST_MAX dropped; buckets by open addressing at load <= 1/2 */
    if (kp.n) qsort(kp.v, kp.n, sizeof(kpair), cmp_kpair);
    size_t nkeys = 0;
    for (size_t i = 0; i < kp.n; i++) if (!i || kp.v[i].h != kp.v[i - 1].h) nkeys++;
    uint32_t nb = 1024;
    while (nb < 2 * nkeys) nb <<= 1;
    gbucket *bk = p_xcalloc(nb, sizeof *bk);
    P_VEC(uint32_t) list = {0};
    for (size_t i = 0; i < kp.n;) {
        size_t j = i;
        uint32_t off = (uint32_t)list.n, n = 0;
        for (; j < kp.n && kp.v[j].h == kp.v[i].h; j++) {
            int dup = 0;
            for (uint32_t q = off; q < list.n && !dup; q++) dup = list.v[q] == kp.v[j].place;
            if (!dup && n < GEO_LIST_MAX) { P_PUSH(list, kp.v[j].place); n++; }
        }
        uint32_t slot = (uint32_t)kp.v[i].h & (nb - 1);
        while (bk[slot].h) slot = (slot + 1) & (nb - 1);
        bk[slot].h = kp.v[i].h;
        bk[slot].off = off;
        bk[slot].n = n;
        i = j;
    }
    while (sb.n % 8) p_buf_putc(&sb, 0);
    ghead h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, GEO_MAGIC, 8);
    h.version = GEO_VERSION;
    h.endian = GEO_ENDIAN;
    h.nplaces = (uint32_t)pl.n;
    h.ncountries = ncountries;
    h.nbuckets = nb;
    h.nlist = (uint32_t)list.n;
    h.strsize = (uint32_t)sb.n;
    parley_status st = PARLEY_OK;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
    FILE *fp = NULL;
    if (!pl.n) { p_set_error(err, PARLEY_ERR_PARSE, "%s: no places", tsv_path); st = PARLEY_ERR_PARSE; }
    else if (!(fp = fopen(tmp, "wb"))) { p_set_error(err, PARLEY_ERR_IO, "%s: cannot write", tmp); st = PARLEY_ERR_IO; }
    else {
        static const char zeros[8];
        int ok = fwrite(&h, sizeof h, 1, fp) == 1 && (!pl.n || fwrite(pl.v, sizeof(gplace), pl.n, fp) == pl.n) &&
                 fwrite(zeros, 1, places_pad(pl.n), fp) == places_pad(pl.n) &&
                 fwrite(bk, sizeof *bk, nb, fp) == nb && (!list.n || fwrite(list.v, sizeof(uint32_t), list.n, fp) == list.n);
        if (list.n % 2) { uint32_t z = 0; ok = ok && fwrite(&z, 4, 1, fp) == 1; }
        ok = ok && fwrite(sb.s, 1, sb.n, fp) == sb.n;
        if (fclose(fp) || !ok || rename(tmp, out_path)) {
            p_set_error(err, PARLEY_ERR_IO, "%s: write failed", out_path);
            remove(tmp);
            st = PARLEY_ERR_IO;
        }
    }
    if (st == PARLEY_OK && bad) { p_set_error(err, PARLEY_ERR_PARSE, "%s: %ld bad lines skipped", tsv_path, bad); }
    P_FREE_VEC(pl);
    P_FREE_VEC(kp);
    P_FREE_VEC(list);
    free(bk);
    p_buf_free(&sb);
    return st;
}

/* ------------------------------------------------------------- load */

parley_gazetteer *parley_gazetteer_open(const char *path, parley_error *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { p_set_error(err, PARLEY_ERR_IO, "%s: cannot open gazetteer", path); return NULL; }
    struct stat stt;
    if (fstat(fd, &stt) || stt.st_size < (off_t)sizeof(ghead)) {
        close(fd);
        p_set_error(err, PARLEY_ERR_PARSE, "%s: not a parley gazetteer", path);
        return NULL;
    }
    size_t size = (size_t)stt.st_size;
    void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) { p_set_error(err, PARLEY_ERR_IO, "%s: cannot map", path); return NULL; }
    const ghead *h = m;
    /* every section must lie inside the file: a truncated or foreign file is
     * refused here, so lookups never check bounds again */
    uint64_t need = sizeof(ghead) + (uint64_t)h->nplaces * sizeof(gplace) + places_pad(h->nplaces) + (uint64_t)h->nbuckets * sizeof(gbucket) +
                    ((uint64_t)h->nlist + (h->nlist & 1)) * 4 + h->strsize;
    if (memcmp(h->magic, GEO_MAGIC, 8) || h->version != GEO_VERSION || h->endian != GEO_ENDIAN || need != size ||
        !h->nbuckets || (h->nbuckets & (h->nbuckets - 1)) || h->ncountries > h->nplaces || !h->strsize) {
        munmap(m, size);
        p_set_error(err, PARLEY_ERR_PARSE, "%s: not a parley gazetteer of this version (rebuild: make)", path);
        return NULL;
    }
    /* the string pool ends in a NUL, so no name can run off its end */
    if (((const char *)m)[size - 1]) {
        munmap(m, size);
        p_set_error(err, PARLEY_ERR_PARSE, "%s: not a parley gazetteer of this version (rebuild: make)", path);
        return NULL;
    }
    parley_gazetteer *g = p_xcalloc(1, sizeof *g);
    g->map = m;
    g->size = size;
    g->h = h;
    g->pl = (const gplace *)(h + 1);
    g->bk = (const gbucket *)(const void *)((const char *)(g->pl + h->nplaces) + places_pad(h->nplaces));
    g->list = (const uint32_t *)(g->bk + h->nbuckets);
    g->str = (const char *)(g->list + h->nlist + (h->nlist & 1));
    for (size_t i = 0; i < P_ARRAY_LEN(g->by_cc2); i++) g->by_cc2[i] = -1;
    g->by_cc3 = p_xmalloc(26 * 26 * 26 * sizeof *g->by_cc3);
    for (size_t i = 0; i < 26 * 26 * 26; i++) g->by_cc3[i] = -1;
    for (uint32_t i = 0; i < h->ncountries; i++) {
        const gplace *p = &g->pl[i];
        if (p_isupper((unsigned char)p->cc2[0]) && p_isupper((unsigned char)p->cc2[1]))
            g->by_cc2[(p->cc2[0] - 'A') * 26 + (p->cc2[1] - 'A')] = (int32_t)i;
        if (p_isupper((unsigned char)p->cc3[0]) && p_isupper((unsigned char)p->cc3[1]) && p_isupper((unsigned char)p->cc3[2]))
            g->by_cc3[((p->cc3[0] - 'A') * 26 + (p->cc3[1] - 'A')) * 26 + (p->cc3[2] - 'A')] = (int32_t)i;
    }
    return g;
}

void parley_gazetteer_free(parley_gazetteer *g) {
    if (!g) return;
    munmap(g->map, g->size);
    free(g->by_cc3);
    free(g);
}

static const char *gstr(const parley_gazetteer *g, uint32_t off) { return off < g->h->strsize ? g->str + off : ""; }

/* The gazetteer's buckets are tens of megabytes: nearly every probe is a
 * trip to memory.  News names the same places (and the same capitalised
 * words that are none) again and again, so each geo_state remembers its
 * recent answers, keyed by the key's hash, which is all a bucket holds. */
#define GMEMO_SIZE 16384
typedef struct gmemo { uint64_t h; uint32_t off, n; } gmemo;

static const uint32_t *probe(const parley_gazetteer *g, gmemo *mm, const char *key, uint32_t *n) {
    uint64_t h = key_hash(key);
    gmemo *me = mm ? &mm[(h >> 17) & (GMEMO_SIZE - 1)] : NULL;
    if (me && me->h == h) { *n = me->n; return me->n ? g->list + me->off : NULL; }
    uint32_t mask = g->h->nbuckets - 1, off = 0;
    *n = 0;
    for (uint32_t s = (uint32_t)h & mask;; s = (s + 1) & mask) {
        const gbucket *b = &g->bk[s];
        if (!b->h) break;
        if (b->h == h) {
            if (b->off > g->h->nlist || b->n > g->h->nlist - b->off) break;
            *n = b->n;
            off = b->off;
            break;
        }
    }
    if (me) { me->h = h; me->off = off; me->n = *n; }
    return *n ? g->list + off : NULL;
}

static int country_of_cc3(const parley_gazetteer *g, const char *cc3) {
    for (int i = 0; i < 3; i++) if (!p_isupper((unsigned char)cc3[i])) return -1;
    return g->by_cc3[((cc3[0] - 'A') * 26 + (cc3[1] - 'A')) * 26 + (cc3[2] - 'A')];
}

static int country_of_cc2(const parley_gazetteer *g, const char *cc2) {
    if (!p_isupper((unsigned char)cc2[0]) || !p_isupper((unsigned char)cc2[1])) return -1;
    return g->by_cc2[(cc2[0] - 'A') * 26 + (cc2[1] - 'A')];
}

/* ------------------------------------------------------------- scoring */

#define CTX_MAX 24
/* The story's countries (named in the text: weighed by mentions) and the
 * event's actors' countries (a weaker hint: "American diplomats met in
 * Paris" is still Paris, France). */
typedef struct geo_ctx { char cc[CTX_MAX][2]; float w[CTX_MAX]; int n; float max; char actor[2][2]; } geo_ctx;

static void ctx_add(geo_ctx *c, const char *cc2, float w) {
    for (int i = 0; i < c->n; i++)
        if (c->cc[i][0] == cc2[0] && c->cc[i][1] == cc2[1]) { c->w[i] += w; if (c->w[i] > c->max) c->max = c->w[i]; return; }
    if (c->n == CTX_MAX) return;
    c->cc[c->n][0] = cc2[0]; c->cc[c->n][1] = cc2[1]; c->w[c->n++] = w;
    if (w > c->max) c->max = w;
}

static float ctx_bonus(const geo_ctx *c, const char *cc2) {
    if (!c) return 0;
    for (int i = 0; i < c->n; i++)
        if (c->cc[i][0] == cc2[0] && c->cc[i][1] == cc2[1]) return 15.0f + 10.0f * c->w[i] / (c->max > 0 ? c->max : 1);
    for (int i = 0; i < 2; i++) if (c->actor[i][0] == cc2[0] && c->actor[i][1] == cc2[1]) return 4.0f;
    return 0;
}

enum { WANT_ANY, WANT_ADM1, WANT_CITY };

typedef struct cand { uint32_t place; int tier; float score; } cand;

/* Candidates for tokens [a, b), scored, best first.  filter_cc/filter_adm1
 * restrict ("Paris, Texas"); want says what a following word asked for
 * ("Idlib province").  Returns the count.  *short_skel (may be NULL) is set
 * when a short sound-alike was judged by the context: only then can the
 * story's countries change an empty answer. */
static int candidates(const parley_gazetteer *g, gmemo *mm, const token *tk, int a, int b, const geo_ctx *ctx, int want,
                      const char *filter_cc, const char *filter_adm1, int max_tier, cand *out, int cap, int *short_skel) {
    char keys[3][GEO_KEY_MAX];
    /* the loose key only when that tier is asked for; its skeleton only
     * when the tiers before it found nothing */
    if (!make_keys(tk, a, b, keys[0], max_tier >= TIER_LOOSE ? keys[1] : NULL, NULL)) return 0;
    int have_skel = 0;
    int n = 0;
    float best = 0;
    /* an exact name always beats a sound-alike, whatever the context */
    static const float tier_w[3] = {60, 55, 10};
    for (int t = 0; t <= max_tier; t++) {
        /* sound-alikes only when no spelling of the name is known: each
         * candidate read is a cache miss, and the coder pays for them */
        if (t == TIER_SKEL && n) break;
        if (t == TIER_SKEL && !have_skel) { make_skeleton(keys[1], strlen(keys[1]), keys[2]); have_skel = 1; }
        if (t == TIER_SKEL && (!keys[2][1] || !keys[2][2])) break;
        uint32_t m;
        const uint32_t *l = probe(g, mm, keys[t], &m);
        for (uint32_t i = 0; i < m; i++) {
            if (l[i] >= g->h->nplaces) continue;
            const gplace *p = &g->pl[l[i]];
            /* lists are best first: once no bonus could bring a place near
             * the best one, the rest of the list is not read */
            if (n && tier_w[t] + base_score(p) + 45.0f < best - 30.0f) break;
            if (filter_cc && strncmp(p->cc2, filter_cc, 2)) continue;
            if (filter_adm1 && (p->kind != 'P' || strcmp(gstr(g, p->adm1), filter_adm1))) continue;
            /* a sound-alike must be a real town, not a hamlet */
            if (t == TIER_SKEL && p->kind == 'P' && p->pop < 5000) continue;
            /* country names are known in full: "Israeli" is not Israel */
            if (t == TIER_SKEL && p->kind == 'C') continue;
            if (p->kind == 'D') continue; /* "Syrian" names no place */
            /* two consonants say little: only a place in the story's countries */
            if (t == TIER_SKEL && strlen(keys[2]) < 4) {
                if (short_skel) *short_skel = 1;
                if (!ctx_bonus(ctx, p->cc2)) continue;
            }
            int seen = 0;
            for (int q = 0; q < n && !seen; q++) seen = out[q].place == l[i];
            if (seen || n == cap) continue;
            float s = tier_w[t] + base_score(p) + ctx_bonus(ctx, p->cc2);
            if (want == WANT_ADM1 && (p->kind == 'A' || p->kind == 'R')) s += 20;
            if (want == WANT_CITY && p->kind == 'P') s += 20;
            out[n].place = l[i];
            out[n].tier = t;
            out[n].score = s;
            n++;
            if (s > best) best = s;
        }
    }
    for (int i = 1; i < n; i++) /* insertion sort: lists are short */
        for (int j = i; j > 0 && out[j].score > out[j - 1].score; j--) { cand x = out[j]; out[j] = out[j - 1]; out[j - 1] = x; }
    return n;
}

static const char *level_of(char kind) {
    switch (kind) {
    case 'C': return "country";
    case 'A': return "adm1";
    case 'R': return "region";
    default: return "city";
    }
}

/* ------------------------------------------------------------- lookup */

parley_status parley_geo_lookup_json(const parley_gazetteer *g, const char *name, const char *country, int limit,
                                     char **out, size_t *len, parley_error *err) {
    if (!g || !name || !out) { p_set_error(err, PARLEY_ERR_ARG, "no gazetteer or name"); return PARLEY_ERR_ARG; }
    if (limit <= 0) limit = 10;
    geo_ctx ctx = {0}, *cp = NULL;
    if (country && *country) {
        int ci = strlen(country) == 3 ? country_of_cc3(g, country) : country_of_cc2(g, country);
        if (ci < 0) { p_set_error(err, PARLEY_ERR_ARG, "unknown country code %s", country); return PARLEY_ERR_ARG; }
        ctx_add(&ctx, g->pl[ci].cc2, 1);
        cp = &ctx;
    }
    tokenizer tz;
    tokenizer_init(&tz);
    tokenize(&tz, name, strlen(name));
    cand c[GEO_LIST_MAX * 3];
    int n = tz.toks.n ? candidates(g, NULL, tz.toks.v, 0, (int)tz.toks.n, cp, WANT_ANY, NULL, NULL, TIER_SKEL, c, (int)P_ARRAY_LEN(c), NULL) : 0;
    tokenizer_free(&tz);
    static const char *const tiers[] = {"exact", "loose", "skeleton"};
    p_buf b = {0};
    p_buf_putc(&b, '[');
    for (int i = 0; i < n && i < limit; i++) {
        const gplace *p = &g->pl[c[i].place];
        if (i) p_buf_putc(&b, ',');
        p_buf_puts(&b, "{\"name\":");
        const char *nm = gstr(g, p->name);
        p_buf_json_str(&b, nm, strlen(nm));
        p_buf_printf(&b, ",\"level\":\"%s\",\"lat\":%.5f,\"lon\":%.5f,\"country\":\"%.3s\",\"country2\":\"%.2s\",\"adm1_code\":",
                     level_of(p->kind), (double)p->lat, (double)p->lon, p->cc3, p->cc2);
        const char *a1 = gstr(g, p->adm1), *an = gstr(g, p->adm1_name);
        p_buf_json_str(&b, a1, strlen(a1));
        p_buf_puts(&b, ",\"adm1_name\":");
        p_buf_json_str(&b, an, strlen(an));
        p_buf_printf(&b, ",\"geonames_id\":%u,\"population\":%u,\"match\":\"%s\",\"score\":%.1f}", p->gid, p->pop,
                     tiers[c[i].tier], (double)c[i].score);
    }
    p_buf_putc(&b, ']');
    *out = b.s;
    if (len) *len = b.n;
    return PARLEY_OK;
}

/* ------------------------------------------------------------- events */

struct geo_state {
    const parley_gazetteer *g;
    tokenizer tz;                 /* datelines and story context */
    /* the current document */
    uint64_t doc_key;             /* hash of the document's id and text start */
    int doc_ready;
    const parley_doc *doc;        /* the current document, for need_ctx */
    int ctx_ready;                /* its context is read only when a choice needs it */
    geo_ctx ctx;
    int dl_place;                 /* dateline place index, -1 */
    char dl_written[64];
    /* the last sentence */
    uint64_t s_key; int s_ready;
    int s_place;                  /* -1: none */
    int s_level_adm1;             /* the phrase asked for the ADM1 ("Idlib province") */
    char s_written[128];
    char a_written[128];
    /* the sentence being placed, with the coder's tokens: when it is the
     * whole of a one-sentence document, the story's context is read from
     * them instead of tokenizing the text again */
    const char *sent_text; size_t sent_len;
    const token *sent_tk; int sent_n, sent_caps;
    gmemo memo[GMEMO_SIZE];       /* recent bucket answers (probe) */
};

const parley_gazetteer *geo_state_gazetteer(const geo_state *s) { return s->g; }

geo_state *geo_state_new(const parley_gazetteer *g) {
    geo_state *s = p_xcalloc(1, sizeof *s);
    s->g = g;
    tokenizer_init(&s->tz);
    return s;
}

void geo_state_free(geo_state *s) {
    if (!s) return;
    tokenizer_free(&s->tz);
    free(s);
}

void parley_coder_set_gazetteer(parley_coder *c, const parley_gazetteer *g) {
    if (!c) return;
    geo_state_free(c->geo);
    c->geo = g ? geo_state_new(g) : NULL;
}

/* Adds the place to the event's `why` (a JSON array in wb). */
void geo_why(p_buf *wb, p_buf *tmp, const parley_place *pl) {
    if (!pl->level || !wb->n || wb->s[wb->n - 1] != ']') return;
    wb->n--;
    /* no coordinates here: they are in the place itself, and formatting
     * doubles would be most of the cost of this line */
    p_buf_clear(tmp);
    p_buf_puts(tmp, "place ");
    p_buf_puts(tmp, pl->name);
    p_buf_puts(tmp, " (");
    p_buf_puts(tmp, pl->level);
    if (pl->adm1_name && *pl->adm1_name && strcmp(pl->level, "adm1")) { p_buf_puts(tmp, ", "); p_buf_puts(tmp, pl->adm1_name); }
    p_buf_puts(tmp, ", ");
    p_buf_puts(tmp, pl->country);
    p_buf_puts(tmp, ") from the ");
    p_buf_puts(tmp, pl->basis);
    if (pl->written) { p_buf_puts(tmp, " \""); p_buf_puts(tmp, pl->written); p_buf_putc(tmp, '"'); }
    if (!strcmp(pl->basis, "actor")) p_buf_puts(tmp, ": a country-level guess, not a located place");
    if (wb->n > 1) p_buf_putc(wb, ',');
    p_buf_json_str(wb, tmp->s, tmp->n);
    p_buf_putc(wb, ']');
}

/* The word lists (months, particles, ADM1 words, directions, locative
 * prepositions) are word classes: src/text/wordclass.c. */

/* A capitalised name span starting at j ("Deir ez Zor", "al Bab", "Gaza
 * City"); returns its end (exclusive), j when there is none. */
static int name_span(const token *tk, int n, int j, int all_caps) {
    int k = j;
    while (k < n && k - j < 6) {
        const token *t = &tk[k];
        if (t->flags & (TK_COMMA | TK_NUMBER)) break;
        int cap = (t->flags & TK_CAP) != 0;
        if (cap && !all_caps && k == j && word_has(t, WC_NOT_PLACE)) break;
        if (cap && (!all_caps || !word_has(t, WC_CONNECTOR) || k > j)) { k++; continue; }
        /* a lower-case article inside a name: "Deir ez Zor", "al Bab" */
        if (!cap && k + 1 < n && (tk[k + 1].flags & TK_CAP) && word_has(t, WC_CONNECTOR) &&
            !word_has(t, WC_OF)) { k++; continue; }
        break;
    }
    return k;
}

static void need_ctx(geo_state *s);

/* Could the story's countries change the choice?  The best and a candidate
 * of another country are closer than the largest context bonus. */
static int ambiguous(const parley_gazetteer *g, const cand *c, int m) {
    for (int i = 1; i < m; i++)
        if (c[0].score - c[i].score < 30.0f && memcmp(g->pl[c[0].place].cc2, g->pl[c[i].place].cc2, 2)) return 1;
    return 0;
}

/* Best place for the name span [a, e): longest prefix that resolves.
 * *wend gets the end of the words used. */
static int resolve_span(const parley_gazetteer *g, gmemo *mm, const token *tk, int n, int a, int e, const geo_ctx *ctx, int want,
                        int *wend, int *adm1_hint, geo_state *lazy) {
    /* "Idlib province", "Homs Governorate": the ADM1 word is a hint, not a name */
    int hint = want;
    if (e - a > 1 && word_has(&tk[e - 1], WC_ADM)) { e--; hint = WANT_ADM1; }
    else if (e < n && word_has(&tk[e], WC_ADM)) hint = WANT_ADM1;
    if (e - a > 1 && word_has(&tk[e - 1], WC_CITY) && hint == WANT_ANY) hint = WANT_CITY;
    *adm1_hint = hint == WANT_ADM1;
    for (int L = e - a; L >= 1; L--) {
        int b = a + L;
        /* "Paris, Texas", "Tripoli, Lebanon": the qualifier narrows the name */
        const char *fcc = NULL, *fadm = NULL;
        char fccb[3] = {0};
        if (b == e && b + 1 < n && (tk[b].flags & TK_COMMA) && (tk[b + 1].flags & TK_CAP)) {
            int qe = name_span(tk, n, b + 1, 0);
            cand q[8];
            int qn = qe > b + 1 ? candidates(g, mm, tk, b + 1, qe, NULL, WANT_ANY, NULL, NULL, TIER_EXACT, q, 8, NULL) : 0;
            if (qn && q[0].tier == TIER_EXACT) {
                const gplace *qp = &g->pl[q[0].place];
                /* the qualifier with its own words only: a US state beats a
                 * town of the same name */
                for (int i = 0; i < qn; i++)
                    if (q[i].tier == TIER_EXACT && (g->pl[q[i].place].kind == 'A' || g->pl[q[i].place].kind == 'C')) {
                        qp = &g->pl[q[i].place];
                        break;
                    }
                if (qp->kind == 'A' || qp->kind == 'C') {
                    memcpy(fccb, qp->cc2, 2);
                    fcc = fccb;
                    if (qp->kind == 'A') fadm = gstr(g, qp->adm1);
                }
            }
        }
        cand c[GEO_LIST_MAX * 3];
        /* a sound-alike of the whole name only, not of every shorter part */
        int mt = L == e - a ? TIER_SKEL : TIER_LOOSE;
        int short_skel = 0;
        int m = candidates(g, mm, tk, a, b, ctx, hint, fcc, fadm, mt, c, (int)P_ARRAY_LEN(c), &short_skel);
        if (!m && fcc) m = candidates(g, mm, tk, a, b, ctx, hint, NULL, NULL, mt, c, (int)P_ARRAY_LEN(c), &short_skel);
        /* nothing found: only a short sound-alike needs the story's
         * countries to be accepted, so only then is the story worth reading */
        if (lazy && !lazy->ctx_ready && ((m > 1 && ambiguous(g, c, m)) || (!m && short_skel))) {
            /* "Tripoli": read the story's countries, then choose again */
            need_ctx(lazy);
            m = candidates(g, mm, tk, a, b, ctx, hint, fcc, fadm, mt, c, (int)P_ARRAY_LEN(c), NULL);
            if (!m && fcc) m = candidates(g, mm, tk, a, b, ctx, hint, NULL, NULL, mt, c, (int)P_ARRAY_LEN(c), NULL);
        }
        if (!m) continue;
        /* a one-word sound-alike in running text is too weak on its own */
        if (c[0].tier == TIER_SKEL && !ctx_bonus(ctx, g->pl[c[0].place].cc2)) continue;
        *wend = b;
        int best = (int)c[0].place;
        /* "Idlib province" named by its seat: the seat's ADM1 */
        if (hint == WANT_ADM1 && g->pl[best].kind == 'P') {
            char k[64];
            snprintf(k, sizeof k, "#%.2s.%s", g->pl[best].cc2, gstr(g, g->pl[best].adm1));
            uint32_t an;
            const uint32_t *al = probe(g, mm, k, &an);
            if (an && al[0] < g->h->nplaces) best = (int)al[0];
        }
        return best;
    }
    return -1;
}

/* Locative phrases, strongest first: where the action is, then where it
 * went, then where it came from. */
static int prep_rank(const token *tk, int n, int i) {
    const token *t = &tk[i];
    if (word_has(t, WC_LOC_AT)) return 3;
    /* "north of Aleppo", "on the outskirts of Homs" */
    if (word_has(t, WC_OF) && i > 0 &&
        word_has(&tk[i - 1], WC_DIRECTION | WC_OUTSKIRTS))
        return 3;
    if (word_has(t, WC_LOC_TO)) return 2;
    (void)n;
    if (word_has(t, WC_FROM)) return 1;
    return 0;
}

/* The place a sentence attaches to its action, or -1. */
static int sentence_place(geo_state *s, const token *tk, int n, const char *text, int *adm1) {
    const parley_gazetteer *g = s->g;
    int all_caps = 1;
    for (int i = 0; i < n && all_caps; i++) if (!(tk[i].flags & (TK_CAP | TK_COMMA | TK_NUMBER))) all_caps = 0;
    int best = -1, best_rank = 0;
    for (int i = 0; i + 1 < n; i++) {
        int r = prep_rank(tk, n, i);
        /* a stronger phrase wins; at the same strength, a country gives way
         * to a more precise place ("in northern Syria near Aleppo") */
        if (r < best_rank || !r || (r == best_rank && g->pl[best].kind != 'C')) continue;
        int j = i + 1;
        if (word_has(&tk[j], WC_THE)) j++;
        /* "in the southern city of Sweida", "in northern Syria" */
        int k = j, dir = 0;
        while (k < n && k - j < 4 && !(tk[k].flags & (TK_CAP | TK_COMMA)) &&
               !(k + 1 < n && (tk[k + 1].flags & TK_CAP) && word_has(&tk[k], WC_CONNECTOR) && !word_has(&tk[k], WC_OF))) {
            if (word_has(&tk[k], WC_DIRECTION)) dir++;
            k++;
        }
        if (k > j && !(dir == k - j) && !word_has(&tk[k - 1], WC_OF)) continue;
        int want = WANT_ANY;
        for (int q = j; q < k; q++) {
            if (word_has(&tk[q], WC_ADM)) want = WANT_ADM1;
            if (word_has(&tk[q], WC_CITY) || word_has(&tk[q], WC_TOWN) || word_has(&tk[q], WC_VILLAGE)) want = WANT_CITY;
        }
        j = k;
        if (j >= n || !(tk[j].flags & TK_CAP)) {
            /* "in al-Bab": a lower-case article before the name */
            if (!(j + 1 < n && word_has(&tk[j], WC_CONNECTOR) && (tk[j + 1].flags & TK_CAP))) continue;
        }
        int e = name_span(tk, n, j, all_caps);
        if (e == j) continue;
        /* "the US state of Texas", "the Syrian province of Idlib": the
         * name after "of" is the place */
        if (e + 2 < n && word_has(&tk[e + 1], WC_OF) && (tk[e + 2].flags & TK_CAP) &&
            (word_has(&tk[e], WC_ADM) || word_has(&tk[e], WC_CITY) || word_has(&tk[e], WC_TOWN))) {
            want = word_has(&tk[e], WC_ADM) ? WANT_ADM1 : WANT_CITY;
            j = e + 2;
            e = name_span(tk, n, j, all_caps);
        }
        int wend, hint;
        int p = resolve_span(g, s->memo, tk, n, j, e, &s->ctx, want, &wend, &hint, s);
        if (p < 0 || (r == best_rank && g->pl[p].kind == 'C')) continue;
        best = p;
        best_rank = r;
        *adm1 = hint;
        size_t a = tk[j].off, b = tk[wend - 1].end;
        snprintf(s->s_written, sizeof s->s_written, "%.*s", (int)(b - a), text + a);
        if (r == 3 && g->pl[p].kind != 'C') break;
    }
    return best;
}

/* The story's countries: country names and the actors' countries, weighed
 * by how often they come up.  Read once per document. */
static void doc_context(geo_state *s, const parley_doc *doc) {
    const parley_gazetteer *g = s->g;
    char actor[2][2];
    memcpy(actor, s->ctx.actor, sizeof actor);
    memset(&s->ctx, 0, sizeof s->ctx);
    memcpy(s->ctx.actor, actor, sizeof actor);
    s->dl_place = -1;
    s->dl_written[0] = 0;
    const char *parts[2] = {doc ? doc->title : NULL, doc ? doc->text : NULL};
    size_t lens[2] = {parts[0] ? strlen(parts[0]) : 0, parts[1] ? doc->text_len : 0};
    for (int pi = 0; pi < 2; pi++) {
        if (!lens[pi]) continue;
        size_t L = lens[pi] > 65536 ? 65536 : lens[pi];
        const token *tk;
        int n, all_caps;
        /* the text is the sentence, give or take the white space around
         * it (which makes no tokens): its tokens are at hand */
        size_t a = 0, b = L;
        while (a < b && p_isspace((unsigned char)parts[pi][a])) a++;
        while (b > a && p_isspace((unsigned char)parts[pi][b - 1])) b--;
        if (pi == 1 && L == lens[1] && s->sent_tk && s->sent_text == parts[1] + a && s->sent_len == b - a) {
            tk = s->sent_tk;
            n = s->sent_n;
            all_caps = s->sent_caps;
        } else {
            tokenize(&s->tz, parts[pi], L);
            tk = s->tz.toks.v;
            n = (int)s->tz.toks.n;
            all_caps = s->tz.all_caps;
        }
        for (int i = 0; i < n; i++) {
            if (!(tk[i].flags & TK_CAP) || all_caps) continue;
            for (int L2 = 3; L2 >= 1; L2--) {
                if (i + L2 > n) continue;
                /* names are capitalised throughout ("United Arab Emirates") */
                int caps = 1;
                for (int q = i + 1; q < i + L2 && caps; q++) caps = (tk[q].flags & TK_CAP) != 0;
                if (!caps) continue;
                char ex[GEO_KEY_MAX];
                if (!make_keys(tk, i, i + L2, ex, NULL, NULL)) continue;
                uint32_t m;
                const uint32_t *l = probe(g, s->memo, ex, &m);
                /* a country's name or demonym counts 1, unless the same words
                 * also name a region or a big town elsewhere ("Georgia"); a
                 * region or a town of 100,000 that is the first candidate, and
                 * whose name no big place in another country shares, 1/2 */
                int country = -1, other = 0, split = 0;
                for (uint32_t q = 0; q < m; q++) {
                    if (l[q] >= g->h->nplaces) continue;
                    const gplace *p = &g->pl[l[q]];
                    if (p->kind == 'C' || p->kind == 'D') { if (country < 0) country = (int)l[q]; }
                    else if (p->kind == 'A' || p->pop >= 100000) {
                        if (!other) other = (int)l[q] + 1;
                        /* "Tripoli" must not vote for the country it is being chosen for */
                        else if (memcmp(g->pl[other - 1].cc2, p->cc2, 2)) split = 1;
                    }
                }
                if (split) other = 0;
                int hit = 0;
                if (country >= 0 && !other) { ctx_add(&s->ctx, g->pl[country].cc2, 1); hit = 1; }
                else if (country < 0 && other && m && l[0] == (uint32_t)(other - 1)) { ctx_add(&s->ctx, g->pl[other - 1].cc2, 0.5f); hit = 1; }
                else if (country >= 0) hit = 1;
                if (hit) { i += L2 - 1; break; }
            }
        }
    }
    /* the dateline: "DAMASCUS, June 3 (Reuters) -" */
    if (parts[1] && lens[1]) {
        size_t dl = dateline_length(parts[1], lens[1]);
        if (dl) {
            size_t e = 0;
            while (e < dl && parts[1][e] != ',' && parts[1][e] != '(' && !(parts[1][e] == '-' && e + 1 < dl && parts[1][e + 1] == ' '))
                e++;
            tokenize(&s->tz, parts[1], e);
            int n = (int)s->tz.toks.n;
            if (n && n <= 5) {
                int wend, hint;
                int p = resolve_span(g, s->memo, s->tz.toks.v, n, 0, n, &s->ctx, WANT_ANY, &wend, &hint, NULL);
                if (p >= 0) {
                    s->dl_place = p;
                    size_t a = s->tz.toks.v[0].off, b = s->tz.toks.v[wend - 1].end;
                    snprintf(s->dl_written, sizeof s->dl_written, "%.*s", (int)(b - a), parts[1] + a);
                    ctx_add(&s->ctx, g->pl[p].cc2, 2);
                }
            }
        }
    }
}

int geo_lookup(geo_state *s, const char *name, size_t len) {
    tokenize(&s->tz, name, len);
    int n = (int)s->tz.toks.n, wend, hint;
    return n ? resolve_span(s->g, s->memo, s->tz.toks.v, n, 0, n, NULL, WANT_ANY, &wend, &hint, NULL) : -1;
}

/* An actor's words that name a town or region as a whole (exact match
 * only: "Hamas" must not sound like "Homs"). */
static int actor_text_place(geo_state *s, const char *text) {
    if (!text || !*text) return -1;
    size_t len = strlen(text);
    tokenize(&s->tz, text, len);
    const token *tk = s->tz.toks.v;
    int n = (int)s->tz.toks.n, a = 0;
    if (a < n && word_has(&tk[a], WC_THE)) a++;
    if (a >= n || n - a > 4 || !(tk[a].flags & TK_CAP)) return -1;
    for (int i = a; i < n; i++) if (!(tk[i].flags & TK_CAP)) return -1;
    cand c[GEO_LIST_MAX * 3];
    int m = candidates(s->g, s->memo, tk, a, n, &s->ctx, WANT_ANY, NULL, NULL, TIER_EXACT, c, (int)P_ARRAY_LEN(c), NULL);
    if (!m || c[0].tier != TIER_EXACT || s->g->pl[c[0].place].kind == 'C') return -1;
    size_t x = tk[a].off, y = tk[n - 1].end;
    snprintf(s->a_written, sizeof s->a_written, "%.*s", (int)(y - x), text + x);
    return (int)c[0].place;
}

static void need_ctx(geo_state *s) {
    if (s->ctx_ready) return;
    s->ctx_ready = 1;
    doc_context(s, s->doc);
}

static void fill(const parley_gazetteer *g, parley_place *pl, int idx, const char *basis, const char *written) {
    const gplace *p = &g->pl[idx];
    pl->level = level_of(p->kind);
    pl->basis = basis;
    pl->written = written;
    pl->name = gstr(g, p->name);
    pl->country = p->cc3;
    pl->country2 = p->cc2;
    int ci = country_of_cc2(g, p->cc2);
    pl->country_name = ci >= 0 ? gstr(g, g->pl[ci].name) : "";
    pl->adm1_code = gstr(g, p->adm1);
    pl->adm1_name = gstr(g, p->adm1_name);
    pl->lat = p->lat;
    pl->lon = p->lon;
    pl->geonames_id = (long)p->gid;
}

void geo_place_event(geo_state *s, const parley_doc *doc, const char *text, size_t len, const token *tk, int n,
                     int all_caps, parley_event *ev) {
    memset(&ev->place, 0, sizeof ev->place);
    if (!s) return;
    s->sent_text = text;
    s->sent_len = len;
    s->sent_tk = tk;
    s->sent_n = n;
    s->sent_caps = all_caps;
    const parley_gazetteer *g = s->g;
    /* keyed by content, not by pointer: callers reuse document buffers */
    uint64_t dk = 0;
    if (doc) {
        dk = p_hash_mem(doc->id ? doc->id : "", doc->id ? strlen(doc->id) : 0) * 31 + doc->text_len;
        if (doc->text) dk = dk * 31 + p_hash_mem(doc->text, doc->text_len < 128 ? doc->text_len : 128);
        if (doc->title) dk = dk * 31 + p_hash_mem(doc->title, strlen(doc->title));
    }
    if (!s->doc_ready || s->doc_key != dk) {
        s->doc_key = dk;
        s->doc_ready = 1;
        s->s_ready = 0;
        s->ctx_ready = 0;
        memset(&s->ctx, 0, sizeof s->ctx);
        s->dl_place = -1;
    }
    s->doc = doc;
    /* the actors' countries weigh on this sentence's choice */
    geo_ctx saved = s->ctx;
    const char *actors[2] = {ev->target, ev->source};
    int actor_country[2] = {-1, -1};
    for (int i = 0; i < 2; i++)
        if (actors[i] && strlen(actors[i]) >= 3) {
            char c3[4] = {actors[i][0], actors[i][1], actors[i][2], 0};
            actor_country[i] = country_of_cc3(g, c3);
            if (actor_country[i] >= 0) memcpy(s->ctx.actor[i], g->pl[actor_country[i]].cc2, 2);
        }
    uint64_t sk = p_hash_mem(text, len);
    if (!s->s_ready || s->s_key != sk) {
        s->s_place = sentence_place(s, tk, n, text, &s->s_level_adm1);
        s->s_key = sk;
        s->s_ready = 1;
    }
    /* "Russian forces shelled Kharkiv": an actor that is a town is the place */
    int actor_place = -1;
    if (s->s_place < 0) {
        const char *texts[2] = {ev->target_text, ev->source_text};
        for (int i = 0; i < 2 && actor_place < 0; i++) actor_place = actor_text_place(s, texts[i]);
    }
    /* the dateline is read only when the sentence names no place */
    if (s->s_place < 0 && actor_place < 0 && doc && doc->text && dateline_length(doc->text, doc->text_len)) need_ctx(s);
    saved = s->ctx;
    memset(saved.actor, 0, sizeof saved.actor);
    s->ctx = saved;
    if (s->s_place >= 0) fill(g, &ev->place, s->s_place, "sentence", s->s_written);
    else if (actor_place >= 0) fill(g, &ev->place, actor_place, "sentence", s->a_written);
    else if (s->dl_place >= 0) fill(g, &ev->place, s->dl_place, "dateline", s->dl_written);
    else if (actor_country[0] >= 0 || actor_country[1] >= 0) {
        fill(g, &ev->place, actor_country[0] >= 0 ? actor_country[0] : actor_country[1], "actor", NULL);
    }
}
