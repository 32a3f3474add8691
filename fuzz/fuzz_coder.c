/* libFuzzer target: the coder (segmentation, tokenizer, matching) on
 * arbitrary bytes, with the rule-spec dictionaries loaded once.  One coder
 * serves every input, as a server thread's does, so state the coder keeps
 * between documents (its token cache) is fuzzed too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "parley.h"

static parley_dict *dict;
static parley_coder *coder;

static int on_event(void *ud, const parley_event *ev) {
    /* touch every field so a bad pointer shows */
    size_t *n = ud;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    parley_event_json(dict, ev, &buf, &len, &cap);
    *n += len;
    free(buf);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    dict = parley_dict_new();
    parley_error e;
    parley_dict_load(dict, PARLEY_DICT_VERBS, "tests/spec/middle-earth.verbs", PARLEY_DIALECT_AUTO, &e);
    parley_dict_load(dict, PARLEY_DICT_ACTORS, "tests/spec/middle-earth.actors", PARLEY_DIALECT_AUTO, &e);
    parley_dict_load(dict, PARLEY_DICT_AGENTS, "tests/spec/middle-earth.agents", PARLEY_DIALECT_AUTO, &e);
    parley_dict_load(dict, PARLEY_DICT_ISSUES, "tests/spec/middle-earth.issues", PARLEY_DIALECT_AUTO, &e);
    parley_dict_finish(dict, &e);
    coder = parley_coder_new(dict);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    parley_coder *c = coder;
    parley_error e;
    size_t n = 0;
    parley_doc doc = {.id = "f", .date = 30190301, .text = (const char *)data, .text_len = size};
    parley_code_document(c, &doc, on_event, &n, NULL, &e);
    return 0;
}
