/* Runs spec files: "sentence -> expected events" cases (format in
 * tests/spec/README.md) against the library, with the dictionaries named
 * on the command line.  Prints each failure and ends with "N passed, M failed".
 *
 * usage: spec_runner [--floor PCT] [--verbs F] [--actors F] [--agents F]
 *                    [--discards F] [--dict-dir D] SPEC...
 * With --floor the exit status is 0 when the pass rate reaches PCT percent
 * (used for the gold sets, whose rate is tracked rather than required). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parley.h"

typedef struct got { char items[64][128]; int n; char issues[256]; } got;

static int collect(void *ud, const parley_event *ev) {
    got *g = ud;
    if (!g->n && ev->issues) snprintf(g->issues, sizeof g->issues, "%s", ev->issues);
    if (g->n < 64)
        snprintf(g->items[g->n++], 128, "%s %s %s", ev->source ? ev->source : "-", ev->target ? ev->target : "-", ev->code);
    return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static void load_dir(parley_dict *d, parley_dict_kind k, const char *dir, const char *sub, const char *ext) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *dd = opendir(path);
    if (!dd) return;
    struct dirent *de;
    char names[64][256];
    int n = 0;
    while ((de = readdir(dd)) && n < 64) {
        size_t l = strlen(de->d_name), el = strlen(ext);
        if (l > el && !strcmp(de->d_name + l - el, ext)) snprintf(names[n++], 256, "%s", de->d_name);
    }
    closedir(dd);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    for (int i = 0; i < n; i++) {
        char f[1300];
        snprintf(f, sizeof f, "%.1000s/%.250s", path, names[i]);
        parley_error e;
        if (parley_dict_load(d, k, f, PARLEY_DIALECT_AUTO, &e) != PARLEY_OK) fprintf(stderr, "%s\n", e.message);
    }
}

int main(int argc, char **argv) {
    parley_dict *d = parley_dict_new();
    double floor_pct = -1;
    int nspec = 0;
    char *specs[64];
    parley_error e;
    for (int i = 1; i < argc; i++) {
        parley_dict_kind k = 0;
        if (!strcmp(argv[i], "--verbs")) k = PARLEY_DICT_VERBS;
        else if (!strcmp(argv[i], "--actors")) k = PARLEY_DICT_ACTORS;
        else if (!strcmp(argv[i], "--agents")) k = PARLEY_DICT_AGENTS;
        else if (!strcmp(argv[i], "--discards")) k = PARLEY_DICT_DISCARDS;
        else if (!strcmp(argv[i], "--issues")) k = PARLEY_DICT_ISSUES;
        else if (!strcmp(argv[i], "--floor") && i + 1 < argc) { floor_pct = atof(argv[++i]); continue; }
        else if (!strcmp(argv[i], "--lexicon") && i + 1 < argc) {
            if (parley_dict_load_lexicon(d, argv[++i], &e) != PARLEY_OK) { fprintf(stderr, "%s\n", e.message); return 2; }
            continue;
        }
        else if (!strcmp(argv[i], "--dict-dir") && i + 1 < argc) {
            const char *dir = argv[++i];
            load_dir(d, PARLEY_DICT_VERBS, dir, "verbs", ".verbs");
            load_dir(d, PARLEY_DICT_ACTORS, dir, "actors", ".actors");
            load_dir(d, PARLEY_DICT_AGENTS, dir, "agents", ".agents");
            load_dir(d, PARLEY_DICT_DISCARDS, dir, "discards", ".discards");
            continue;
        } else { if (nspec < 64) specs[nspec++] = argv[i]; continue; }
        if (i + 1 >= argc) return 2;
        if (parley_dict_load(d, k, argv[++i], PARLEY_DIALECT_AUTO, &e) != PARLEY_OK) { fprintf(stderr, "%s\n", e.message); return 2; }
    }
    if (parley_dict_finish(d, &e) != PARLEY_OK) { fprintf(stderr, "%s\n", e.message); return 2; }
    parley_coder *c = parley_coder_new(d);
    int pass = 0, fail = 0;
    for (int s = 0; s < nspec; s++) {
        FILE *f = fopen(specs[s], "r");
        if (!f) { perror(specs[s]); return 2; }
        char line[4096], sentence[4096] = "", exp[64][128], want_issues[256] = "";
        int nexp = 0, have = 0, lineno = 0, case_line = 0;
        int32_t date = 20250603;
        char opts[8][128];
        int nopts = 0;
        for (;;) {
            char *ok = fgets(line, sizeof line, f);
            if (ok) lineno++;
            size_t n = ok ? strlen(line) : 0;
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
            /* a blank line, a directive or the end of the file closes a case */
            int blank = !ok || n == 0 || line[0] == '@';
            if (blank && have) {
                got g = {.n = 0, .issues = ""};
                parley_coder_reset_options(c);
                for (int k = 0; k < nopts; k++) parley_coder_option(c, opts[k], &e);
                parley_doc doc = {.id = "spec", .date = date};
                parley_code_sentence(c, &doc, 0, sentence, strlen(sentence), collect, &g, NULL, &e);
                qsort(g.items, (size_t)g.n, sizeof g.items[0], cmp);
                qsort(exp, (size_t)nexp, sizeof exp[0], cmp);
                int good = g.n == nexp;
                for (int k = 0; good && k < nexp; k++) good = !strcmp(g.items[k], exp[k]);
                if (want_issues[0] && strcmp(want_issues, g.issues)) good = 0;
                if (good) pass++;
                else {
                    fail++;
                    printf("FAIL %s:%d: %s\n  want:", specs[s], case_line, sentence);
                    for (int k = 0; k < nexp; k++) printf(" [%s]", exp[k]);
                    if (!nexp) printf(" none");
                    printf("\n  got: ");
                    for (int k = 0; k < g.n; k++) printf(" [%s]", g.items[k]);
                    if (!g.n) printf(" none");
                    if (want_issues[0]) printf("  issues want [%s] got [%s]", want_issues, g.issues);
                    printf("\n");
                }
                have = 0;
                nexp = 0;
                want_issues[0] = 0;
            }
            if (!ok) break;
            if ((blank && line[0] != '@') || line[0] == '#') continue;
            if (!strncmp(line, "@date ", 6)) { date = parley_parse_date(line + 6, strlen(line + 6)); continue; }
            if (!strncmp(line, "@set ", 5)) { if (nopts < 8) snprintf(opts[nopts++], 128, "%.120s", line + 5); continue; }
            if (!strcmp(line, "@reset")) { nopts = 0; continue; }
            if (!strncmp(line, "-> issues ", 10)) { snprintf(want_issues, sizeof want_issues, "%.200s", line + 10); continue; }
            if (!strncmp(line, "->", 2)) {
                const char *v = line + 2;
                while (*v == ' ') v++;
                if (strcmp(v, "none") && nexp < 64) {
                    char a[64], b[64], cc[64];
                    if (sscanf(v, "%63s %63s %63s", a, b, cc) == 3) snprintf(exp[nexp++], 128, "%.40s %.40s %.40s", a, b, cc);
                }
                continue;
            }
            snprintf(sentence, sizeof sentence, "%s", line);
            have = 1;
            case_line = lineno;
        }
        fclose(f);
    }
    parley_coder_free(c);
    parley_dict_free(d);
    if (floor_pct >= 0) {
        /* tracked rate, not a pass/fail list: say it in other words */
        double pct = pass + fail ? 100.0 * pass / (pass + fail) : 0;
        printf("gold: %d of %d cases as expected (%.1f%%; floor %.1f%%)\n", pass, pass + fail, pct, floor_pct);
        return pct + 1e-9 >= floor_pct ? 0 : 1;
    }
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
