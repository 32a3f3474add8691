/* Gazetteer benchmark (bench/geo.sh, docs/performance.md): load time and
 * average lookup cost, each beside a baseline measured in the same run.
 *   (CPU time of this thread, not wall time: the machine is shared)
 *   load      parley_gazetteer_open (+ first lookup, so mapped pages count)
 *             vs reading the same file into memory with read(2)
 *   lookup    geo_lookup (tokens, three keys, probes, scoring) over NAMES
 *             vs tokenizing the same names (the coder's own per-word cost)
 * usage: geo_bench GAZETTEER.bin NAMES.txt [ROUNDS] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../src/geo/geo.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: the machine is shared */
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmp_d); return v[n / 2]; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: geo_bench GAZETTEER.bin NAMES.txt [ROUNDS]\n"); return 2; }
    int rounds = argc > 3 ? atoi(argv[3]) : 20;
    if (rounds < 1) rounds = 1;
    parley_error e;
    size_t nlen;
    char *names = p_read_file(argv[2], &nlen, &e);
    if (!names) { fprintf(stderr, "%s\n", e.message); return 4; }
    P_VEC(char *) nv = {0};
    for (char *p = names, *end = names + nlen; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        *nl = 0;
        if (*p) P_PUSH(nv, p);
        p = nl + 1;
    }
    double loads[64], reads[64];
    int nl = rounds < 64 ? rounds : 64;
    int found = 0;
    for (int r = 0; r < nl; r++) {
        double t0 = now();
        int fd = open(argv[1], O_RDONLY);
        if (fd < 0) { perror(argv[1]); return 4; }
        off_t sz = lseek(fd, 0, SEEK_END);
        lseek(fd, 0, SEEK_SET);
        char *buf = malloc((size_t)sz);
        ssize_t got = read(fd, buf, (size_t)sz);
        close(fd);
        free(buf);
        reads[r] = now() - t0;
        if (got != sz) { fprintf(stderr, "short read\n"); return 4; }
        t0 = now();
        parley_gazetteer *g = parley_gazetteer_open(argv[1], &e);
        if (!g) { fprintf(stderr, "%s\n", e.message); return 4; }
        geo_state *s = geo_state_new(g);
        found = geo_lookup(s, "Quneitra", 8) >= 0;
        loads[r] = now() - t0;
        geo_state_free(s);
        parley_gazetteer_free(g);
    }
    parley_gazetteer *g = parley_gazetteer_open(argv[1], &e);
    geo_state *s = geo_state_new(g);
    tokenizer tz;
    tokenizer_init(&tz);
    double look[64], tok[64];
    long hits = 0, sink = 0;
    for (size_t i = 0; i < nv.n; i++) hits += geo_lookup(s, nv.v[i], strlen(nv.v[i])) >= 0; /* warm */
    for (int r = 0; r < nl; r++) {
        double t0 = now();
        for (size_t i = 0; i < nv.n; i++) { tokenize(&tz, nv.v[i], strlen(nv.v[i])); sink += (long)tz.toks.n; }
        tok[r] = (now() - t0) / (double)nv.n;
        t0 = now();
        for (size_t i = 0; i < nv.n; i++) sink += geo_lookup(s, nv.v[i], strlen(nv.v[i]));
        look[r] = (now() - t0) / (double)nv.n;
    }
    double ml = median(loads, nl), mr = median(reads, nl), mk = median(look, nl), mt = median(tok, nl);
    printf("gazetteer: %s; %zu names, %ld resolved; median of %d rounds\n", argv[1], nv.n, hits, nl);
    printf("load (open + first lookup)   %8.2f ms   (target <= 50 ms)%s\n", ml * 1e3, found ? "" : "  [Quneitra not found]");
    printf("baseline: read(2) the file   %8.2f ms   ratio load/read %.3f\n", mr * 1e3, ml / mr);
    printf("lookup, average              %8.3f us   (target <= 5 us)\n", mk * 1e6);
    printf("baseline: tokenize the name  %8.3f us   ratio lookup/tokenize %.1f\n", mt * 1e6, mk / mt);
    tokenizer_free(&tz);
    geo_state_free(s);
    parley_gazetteer_free(g);
    P_FREE_VEC(nv);
    free(names);
    return sink == 42 ? 1 : 0;
}
