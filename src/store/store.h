/* Event store internals (SQLite or PostgreSQL, through db.h). */
#ifndef PARLEY_STORE_H
#define PARLEY_STORE_H

#include "../util/util.h"
#include "db.h"

#define PARLEY_SCHEMA_VERSION 4

/* One event of the document being stored, its key computed and its text
 * copied (a coder's strings live only during its callback). */
typedef struct store_row {
    int64_t id;
    int32_t bucket, date;
    int sentence, source_offset, target_offset, verb_offset, quad;
    long sentence_offset;
    double goldstein;
    int has_ontology;
    char root[3], sc[4], tc[4];
    const char *source, *target, *code, *plover, *source_text, *target_text, *verb_text, *sentence_text, *issues, *why,
        *doc_id, *url, *publisher, *attribution;
    parley_place place;     /* strings kept like the others; level NULL: none */
} store_row;

struct parley_store {
    p_db *db;
    int pg;                 /* PostgreSQL: one transaction per document, with locks */
    p_stmt *doc_get, *doc_put, *doc_del_mentions, *doc_del_sentences, *ev_put, *men_put, *sent_put, *gc_event, *actor_put,
        *ev_count, *doc_events, *lock_doc, *lock_event;
    p_stmt *ev_geo;         /* v4: the event's place (src/geo) */
    int window_days, one_a_day;
    int in_tx, pending;
    p_intern seen_actors;
    /* the document being stored */
    P_VEC(store_row) rows;
    p_arena strs;
    const parley_dict *dict;
};

int32_t store_day_number(int32_t ymd);   /* days since 1970-01-01 */
int32_t store_from_day_number(int32_t n);
/* The dialect's SQL: most statements are the same text for both. */
static inline const char *store_sql(const parley_store *s, const char *sqlite_sql, const char *pg_sql) {
    return s->pg ? pg_sql : sqlite_sql;
}

#endif
