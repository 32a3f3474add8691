/* Peer validation harnesses (TABARI project, PETRARCH XML). */
#ifndef PARLEY_VALIDATE_H
#define PARLEY_VALIDATE_H

#include <stdio.h>
#include "parley.h"

typedef struct validate_opts {
    int verbose, all;
    parley_diag_fn diag; void *diag_ud;
} validate_opts;

/* Return 0 all passed, 1 some failed, 2 could not run. */
int parley_validate_tabari(const char *project, const validate_opts *vo, FILE *out, int *passed, int *failed);
int parley_validate_petrarch(const char *xml, const validate_opts *vo, FILE *out, int *passed, int *failed);

#endif
