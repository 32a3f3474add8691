/* libFuzzer target: the document readers.  The first byte picks the reader
 * (bits 0-1: JSON Lines, TABARI records, plain text, PETRARCH XML) and the
 * document limit (bits 2-3: 1 MB, or small enough that the over-the-limit
 * paths run too); the rest is the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../src/io/input.h"

static int on_doc(void *ud, const parley_doc *d) {
    size_t *n = ud;
    if (d->id) *n += (unsigned char)d->id[0];
    if (d->text && d->text_len) *n += (unsigned char)d->text[d->text_len - 1];
    /* a reader never hands over more than the limit allows */
    if (d->text_len > n[1]) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static const size_t limits[4] = {1u << 20, 16, 100, 1000};
    input_opts io = {20250603, limits[(data[0] >> 2) & 3], NULL, NULL};
    size_t n[2] = {0, io.max_doc_bytes};
    int which = data[0] & 3;
    if (which == 3) {
        read_petrarch_xml_buffer((const char *)data + 1, size - 1, "fuzz", &io, on_doc, n);
        return 0;
    }
    FILE *f = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
    if (!f) return 0;
    if (which == 0) read_jsonl(f, "fuzz", &io, on_doc, n);
    else if (which == 1) read_tabari_records(f, "fuzz", &io, on_doc, n);
    else read_text(f, "fuzz", &io, on_doc, n);
    fclose(f);
    return 0;
}
