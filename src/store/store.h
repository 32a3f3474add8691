/* Event store internals (SQLite). */
#ifndef PARLEY_STORE_H
#define PARLEY_STORE_H

#include <sqlite3.h>

#include "../util/util.h"

#define PARLEY_SCHEMA_VERSION 4

struct parley_store {
    sqlite3 *db;
    sqlite3_stmt *doc_get, *doc_put, *doc_del_mentions, *ev_put, *men_put, *sent_put, *gc_events, *actor_put, *ev_count, *doc_events;
    sqlite3_stmt *ev_geo;           /* v4: the event's place (src/geo) */
    int window_days, one_a_day;
    int in_tx, pending;
    p_intern seen_actors;
    /* per-ingest scratch */
    const parley_doc *doc;
    const parley_dict *dict;
    int n_events;
    parley_error *err;
    parley_status st;
};

int store_exec(parley_store *s, const char *sql, parley_error *err);
int32_t store_day_number(int32_t ymd);   /* days since 1970-01-01 */
int32_t store_from_day_number(int32_t n);

#endif
