/* Document readers used by the CLI and the server. */
#ifndef PARLEY_INPUT_H
#define PARLEY_INPUT_H

#include <stdio.h>
#include "parley.h"

typedef int (*doc_fn)(void *ud, const parley_doc *doc); /* nonzero: stop */

typedef struct input_opts {
    int32_t default_date;
    size_t max_doc_bytes;   /* a larger document is reported with its id and skipped */
    parley_diag_fn diag; void *diag_ud;
} input_opts;

/* Each returns the number of bad documents reported (and skipped). */
int read_jsonl(FILE *f, const char *name, const input_opts *io, doc_fn fn, void *ud);
int read_text(FILE *f, const char *name, const input_opts *io, doc_fn fn, void *ud);
int read_petrarch_xml(const char *path, const input_opts *io, doc_fn fn, void *ud);
int read_petrarch_xml_buffer(const char *data, size_t len, const char *name, const input_opts *io, doc_fn fn, void *ud);
int read_tabari_records(FILE *f, const char *name, const input_opts *io, doc_fn fn, void *ud);

#endif
