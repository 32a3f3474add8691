/* libFuzzer target: geolocation.  The first byte picks what the rest is:
 *   'T'  a gazetteer table: compiled, opened and asked for a name
 *   'B'  a compiled index (a valid header is prepended half the time):
 *        opened and asked for names
 *   else a document coded with the rule-spec dictionaries and a small
 *        gazetteer, so every event is placed; its first line is also looked up */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parley.h"

static parley_dict *dict;
static parley_gazetteer *gaz;
static char tsv[64], bin[64], tmp_tsv[64], tmp_bin[64];
static unsigned char head[48]; /* a real index's header */

static const char table[] =
    "# kind\tid\tname\tlat\tlon\tcc2\tcc3\tadm1\tadm1_name\tpop\talts\tfeature\n"
    "C\t0\tSyria\t35\t38\tSY\tSYR\t\t\t0\tSyrian Arab Republic\t\n"
    "C\t0\tGondor\t44\t10\tGO\tGON\t\t\t0\t\t\n"
    "D\t0\tSyrian\t35\t38\tSY\tSYR\t\t\t0\t\t\n"
    "A\t0\tAl Qunaytirah\t33.1\t35.8\tSY\tSYR\t03\tAl Qunaytirah\t36000\t\t\n"
    "P\t173334\tAl Qunaytirah\t33.12\t35.82\tSY\tSYR\t03\tAl Qunaytirah\t36143\tQuneitra;Kuneitra\tPPLA\n"
    "P\t2\tMinas Tirith\t44.1\t10.2\tGO\tGON\t01\t\t50000\tthe White City\tPPLC\n"
    "P\t3\tOsgiliath\t44.2\t10.5\tGO\tGON\t01\t\t9000\tOsgiliat\t\n"
    "R\t0\tGolan Heights\t33\t35.75\tSY\tSYR\t\t\t0\tthe Golan\t\n";

static void write_file(const char *path, const uint8_t *d, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (n) fwrite(d, 1, n, f);
    fclose(f);
}

static int on_event(void *ud, const parley_event *ev) {
    size_t *n = ud;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    parley_event_json(dict, ev, &buf, &len, &cap);
    *n += len + (ev->place.name ? strlen(ev->place.name) + strlen(ev->place.adm1_name) : 0);
    free(buf);
    return 0;
}

static void ask(const parley_gazetteer *g, const char *name) {
    char *out = NULL;
    size_t len;
    parley_error e;
    if (parley_geo_lookup_json(g, name, NULL, 5, &out, &len, &e) == PARLEY_OK) free(out);
    if (parley_geo_lookup_json(g, name, "SYR", 5, &out, &len, &e) == PARLEY_OK) free(out);
}

static void cleanup(void) {
    parley_gazetteer_free(gaz);
    remove(tsv); remove(bin); remove(tmp_tsv); remove(tmp_bin);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    dict = parley_dict_new();
    parley_error e;
    parley_dict_load(dict, PARLEY_DICT_VERBS, "tests/spec/middle-earth.verbs", PARLEY_DIALECT_AUTO, &e);
    parley_dict_load(dict, PARLEY_DICT_ACTORS, "tests/spec/middle-earth.actors", PARLEY_DIALECT_AUTO, &e);
    parley_dict_load(dict, PARLEY_DICT_AGENTS, "tests/spec/middle-earth.agents", PARLEY_DIALECT_AUTO, &e);
    parley_dict_finish(dict, &e);
    int pid = (int)getpid();
    snprintf(tsv, sizeof tsv, "/tmp/fuzz-geo-%d.tsv", pid);
    snprintf(bin, sizeof bin, "/tmp/fuzz-geo-%d.bin", pid);
    snprintf(tmp_tsv, sizeof tmp_tsv, "/tmp/fuzz-geo-%d-in.tsv", pid);
    snprintf(tmp_bin, sizeof tmp_bin, "/tmp/fuzz-geo-%d-in.bin", pid);
    write_file(tsv, (const uint8_t *)table, sizeof table - 1);
    parley_gazetteer_build(tsv, bin, NULL, NULL, &e);
    gaz = parley_gazetteer_open(bin, &e);
    FILE *f = fopen(bin, "rb");
    if (f) { if (fread(head, 1, sizeof head, f) != sizeof head) memset(head, 0, sizeof head); fclose(f); }
    atexit(cleanup);
    return gaz ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    parley_error e;
    if (size && (data[0] == 'T' || data[0] == 'B')) {
        if (data[0] == 'T') {
            write_file(tmp_tsv, data + 1, size - 1);
            if (parley_gazetteer_build(tmp_tsv, tmp_bin, NULL, NULL, &e) != PARLEY_OK) return 0;
        } else {
            /* a real header half the time, so the section checks are reached */
            uint8_t *b = malloc(size + sizeof head);
            size_t n = 0;
            if (size > 1 && (data[1] & 1)) { memcpy(b, head, sizeof head); n = sizeof head; }
            memcpy(b + n, data + 1, size - 1);
            write_file(tmp_bin, b, n + size - 1);
            free(b);
        }
        parley_gazetteer *g = parley_gazetteer_open(tmp_bin, &e);
        if (!g) return 0;
        static const char *const names[] = {"Quneitra", "Kuneitra", "Golan Heights", "al-Qunaytirah", "Minas Tirith", "Syria"};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) ask(g, names[i]);
        parley_gazetteer_free(g);
        return 0;
    }
    parley_coder *c = parley_coder_new(dict);
    parley_coder_set_gazetteer(c, gaz);
    size_t n = 0;
    parley_doc doc = {.id = "f", .date = 30190301, .text = (const char *)data, .text_len = size};
    parley_code_document(c, &doc, on_event, &n, NULL, &e);
    parley_coder_free(c);
    const uint8_t *nl = memchr(data, '\n', size);
    size_t l = nl ? (size_t)(nl - data) : size;
    if (l > 200) l = 200;
    char name[201];
    memcpy(name, data, l);
    name[l] = 0;
    ask(gaz, name);
    return 0;
}
