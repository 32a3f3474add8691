/* libFuzzer target: option lines (TABARI .options syntax and parley's own)
 * applied to a coder, then a sentence coded under them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parley.h"

static parley_dict *dict;
static parley_coder *coder; /* reused: options reset per input, as the server does */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    dict = parley_dict_new();
    parley_error e;
    parley_dict_load(dict, PARLEY_DICT_VERBS, "tests/spec/middle-earth.verbs", PARLEY_DIALECT_AUTO, &e);
    parley_dict_load(dict, PARLEY_DICT_ACTORS, "tests/spec/middle-earth.actors", PARLEY_DIALECT_AUTO, &e);
    parley_dict_finish(dict, &e);
    coder = parley_coder_new(dict);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char line[512];
    size_t n = size < sizeof line - 1 ? size : sizeof line - 1;
    memcpy(line, data, n);
    line[n] = 0;
    parley_coder *c = coder;
    parley_coder_reset_options(c);
    parley_error e;
    parley_coder_option(c, line, &e);
    static const char s[] = "Arnor, Dale and Bree praised Gondor, which was attacked by Mordor.";
    parley_doc doc = {.id = "f", .date = 30190301};
    parley_code_sentence(c, &doc, 0, s, sizeof s - 1, NULL, NULL, NULL, &e);
    return 0;
}
