/* libFuzzer target: the document readers (JSON Lines, TABARI records, plain
 * text, PETRARCH XML); the first byte picks the reader. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../src/io/input.h"

static int on_doc(void *ud, const parley_doc *d) {
    size_t *n = ud;
    if (d->id) *n += 1;
    if (d->text && d->text_len) *n += (unsigned char)d->text[d->text_len - 1];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    input_opts io = {20250603, 1u << 20, NULL, NULL};
    size_t n = 0;
    int which = data[0] % 4;
    if (which == 3) {
        char path[] = "/tmp/parley-fuzz-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0) return 0;
        if (write(fd, data + 1, size - 1) < 0) { close(fd); unlink(path); return 0; }
        close(fd);
        read_petrarch_xml(path, &io, on_doc, &n);
        unlink(path);
        return 0;
    }
    FILE *f = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
    if (!f) return 0;
    if (which == 0) read_jsonl(f, "fuzz", &io, on_doc, &n);
    else if (which == 1) read_tabari_records(f, "fuzz", &io, on_doc, &n);
    else read_text(f, "fuzz", &io, on_doc, &n);
    fclose(f);
    return 0;
}
