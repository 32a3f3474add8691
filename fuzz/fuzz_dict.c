/* libFuzzer target: every dictionary reader, every dialect.  The first byte
 * picks the kind and dialect (and, from 128 up, a line limit small enough
 * to be hit); the rest is the file. */
#include <stddef.h>
#include <stdint.h>

#include "parley.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static const parley_dict_kind kinds[] = {PARLEY_DICT_VERBS, PARLEY_DICT_ACTORS, PARLEY_DICT_AGENTS,
                                             PARLEY_DICT_DISCARDS, PARLEY_DICT_ISSUES, PARLEY_DICT_OPTIONS};
    parley_dict_kind k = kinds[data[0] % 6];
    parley_dialect dia = (parley_dialect)((data[0] / 6) % 4);
    parley_dict *d = parley_dict_new();
    if (data[0] >= 128) parley_dict_set_max_line(d, 40);
    parley_error e;
    parley_dict_load_buffer(d, k, "fuzz", (const char *)data + 1, size - 1, dia, &e);
    if (parley_dict_finish(d, &e) == PARLEY_OK) {
        /* and code a sentence with whatever was loaded */
        parley_coder *c = parley_coder_new(d);
        static const char s[] = "Arnor and Gondor met in Rohan on Tuesday, officials said, and Mordor attacked them.";
        parley_doc doc = {.id = "f", .date = 20250603};
        parley_code_sentence(c, &doc, 0, s, sizeof s - 1, NULL, NULL, NULL, &e);
        parley_coder_free(c);
    }
    parley_dict_free(d);
    return 0;
}
