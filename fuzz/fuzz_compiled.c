/* libFuzzer target: the compiled-dictionary reader on damaged files.  A
 * small dictionary set written here is compiled once; each input is a list
 * of 5-byte patches (position, value) applied to a copy of that file, the
 * first byte also choosing a truncation.  Built with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, the reader skips its checksum,
 * so the patches reach the offset checks: the load must fail cleanly or
 * give a set whose statistics can be read and that frees without a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parley.h"

static const char verbs[] =
    "--- ATTACK ### [190]\n- * GONDOR [191]\n- {ROHAN | DALE} * [192]\nATTACK\n"
    "--- MEET ### [040]\n- * WITH $ [042]\nMEET\nMET\n"
    "&ALLY\n+ROHAN\n+ERIADOR_\n"
    "--- PRAISE ### [051]\n- &ALLY * [052]\nPRAISE\n";
static const char actors[] =
    "GONDOR_ [GON]\nROHAN_ [ROH]\nMORDOR_ [MOR]\nDENETHOR_\n\t[GONGOV <30190315]\n\t[---]\n"
    "ARAGORN_\n\t[GONREB <30190501]\n\t[GONGOV >30190501]\n";
static const char agents[] = "SOLDIER [~MIL]\nKING_ [~GOV]\n";

static char path[64];
static char *base;
static size_t base_n;
static void cleanup(void) { unlink(path); free(base); }

static void build_base(void) {
    snprintf(path, sizeof path, "/tmp/fuzz_compiled.%ld.pdc", (long)getpid());
    atexit(cleanup);
    parley_dict *d = parley_dict_new();
    parley_error e;
    parley_dict_load_buffer(d, PARLEY_DICT_VERBS, "v", verbs, sizeof verbs - 1, PARLEY_DIALECT_TABARI, &e);
    parley_dict_load_buffer(d, PARLEY_DICT_ACTORS, "a", actors, sizeof actors - 1, PARLEY_DIALECT_TABARI, &e);
    parley_dict_load_buffer(d, PARLEY_DICT_AGENTS, "g", agents, sizeof agents - 1, PARLEY_DIALECT_TABARI, &e);
    if (parley_dict_finish(d, &e) != PARLEY_OK || parley_dict_save(d, path, &e) != PARLEY_OK) abort();
    parley_dict_free(d);
    FILE *f = fopen(path, "rb");
    if (!f) abort();
    base = malloc(1 << 20);
    base_n = fread(base, 1, 1 << 20, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!base) build_base();
    if (size < 1) return 0;
    char *copy = malloc(base_n);
    memcpy(copy, base, base_n);
    size_t n = data[0] < 16 ? base_n * data[0] / 16 : base_n;
    for (size_t i = 1; i + 5 <= size; i += 5) {
        uint32_t pos;
        memcpy(&pos, data + i, 4);
        copy[pos % base_n] = (char)data[i + 4];
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(copy, 1, n, f);
    fclose(f);
    free(copy);
    parley_dict *d = parley_dict_new();
    parley_error e;
    if (parley_dict_load_compiled(d, path, &e) == PARLEY_OK) {
        parley_dict_stats st;
        parley_dict_get_stats(d, &st);
        (void)parley_dict_problem_count(d);
    }
    parley_dict_free(d);
    return 0;
}
