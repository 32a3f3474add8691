/* parley run / enqueue / worker: continuous ingestion and scale-out. */
#ifndef PARLEY_CLI_FEEDS_H
#define PARLEY_CLI_FEEDS_H

#include "parley.h"

typedef struct feeds_cli {
    const char *config;             /* run: the configuration file */
    const char *redis;              /* enqueue/worker: redis://HOST:PORT[/STREAM] */
    const char *db, *group, *consumer, *metrics;
    int batch;                      /* documents per commit */
    long claim_idle_ms;             /* worker: take over messages idle this long */
    int exit_when_empty;            /* worker: stop when the stream is drained */
    long max_deliveries;            /* worker: then a message is dead-lettered */
    int quiet;
    int32_t date;
    const char *const *sets; int nsets;  /* coder options (--set) */
    /* loads the dictionaries the command line selects; dict[] overrides
     * per kind (verbs, actors, agents, discards, issues, options) or NULL */
    parley_dict *(*load_dicts)(void *ud, const char *const dict[6]);
    void *ud;
    parley_diag_fn diag; void *diag_ud;
    const parley_gazetteer *gazetteer; /* NULL: events have no place */
} feeds_cli;

int feeds_cmd_run(feeds_cli *f);
int feeds_cmd_enqueue(feeds_cli *f, int nfiles, char **files);
int feeds_cmd_worker(feeds_cli *f);

#endif
