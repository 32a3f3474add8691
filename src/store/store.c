/* Event store: documents, events, mentions and actors in SQLite.
 *
 * One event per (window start date, source, target, CAMEO code): every
 * report of it is a mention (document, sentence, publisher, offsets,
 * attribution).  GDELT's counts follow from the mentions:
 *   NumMentions = mentions, NumArticles = distinct documents,
 *   NumSources  = distinct publishers.
 * Event ids are a hash of the key, so re-ingesting, or ingesting the same
 * document on two machines, gives the same ids. */
#include "store.h"

#include "../code/coder.h"

#include <stdio.h>

static const char *schema_v1 =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS documents(doc_id TEXT PRIMARY KEY, date INTEGER, publisher TEXT, url TEXT,"
    "  title TEXT, hash TEXT NOT NULL, ingested TEXT DEFAULT (datetime('now'))) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS sentences(doc_id TEXT, idx INTEGER, text TEXT, PRIMARY KEY(doc_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS events(event_id INTEGER PRIMARY KEY, date INTEGER NOT NULL, source TEXT, target TEXT,"
    "  cameo TEXT NOT NULL, root TEXT, quad_class INTEGER, goldstein REAL, plover TEXT, source_text TEXT,"
    "  src_country TEXT, tgt_country TEXT,"
    "  target_text TEXT, verb_text TEXT, sentence_text TEXT, issues TEXT, why TEXT, first_doc TEXT, first_url TEXT);"
    "CREATE TABLE IF NOT EXISTS mentions(event_id INTEGER NOT NULL, doc_id TEXT NOT NULL, sentence INTEGER NOT NULL,"
    "  publisher TEXT, url TEXT, date INTEGER, sentence_offset INTEGER, source_offset INTEGER, target_offset INTEGER,"
    "  verb_offset INTEGER, attribution TEXT, PRIMARY KEY(event_id, doc_id, sentence)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS actors(code TEXT PRIMARY KEY, country TEXT, first_date INTEGER) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS events_date ON events(date);"
    "CREATE INDEX IF NOT EXISTS events_dyad ON events(src_country, tgt_country, date);"
    "CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);"
    "CREATE VIEW IF NOT EXISTS event_counts AS SELECT event_id, COUNT(*) AS num_mentions,"
    "  COUNT(DISTINCT doc_id) AS num_articles, COUNT(DISTINCT coalesce(publisher, doc_id)) AS num_sources"
    "  FROM mentions GROUP BY event_id;";

static const char *schema_v2 =
    /* v2: full-text search over every sentence that reported an event */
    "CREATE VIRTUAL TABLE IF NOT EXISTS sentences_fts USING fts5(doc_id UNINDEXED, idx UNINDEXED, text);"
    "CREATE TRIGGER IF NOT EXISTS sentences_fts_ai AFTER INSERT ON sentences BEGIN"
    "  INSERT INTO sentences_fts(doc_id, idx, text) VALUES (new.doc_id, new.idx, new.text); END;"
    "CREATE TRIGGER IF NOT EXISTS sentences_fts_ad AFTER DELETE ON sentences BEGIN"
    "  DELETE FROM sentences_fts WHERE doc_id = old.doc_id AND idx = old.idx; END;"
    "INSERT INTO sentences_fts(doc_id, idx, text) SELECT doc_id, idx, text FROM sentences;";

static const char *schema_v3 =
    "ALTER TABLE events ADD COLUMN num_mentions INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE events ADD COLUMN num_articles INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE events ADD COLUMN num_sources INTEGER NOT NULL DEFAULT 0;"
    "UPDATE events SET num_mentions = (SELECT count(*) FROM mentions m WHERE m.event_id = events.event_id),"
    "  num_articles = (SELECT count(DISTINCT doc_id) FROM mentions m WHERE m.event_id = events.event_id),"
    "  num_sources = (SELECT count(DISTINCT coalesce(publisher, doc_id)) FROM mentions m WHERE m.event_id = events.event_id);"
    "DROP VIEW IF EXISTS event_counts;"
    /* trend and alerts read only indexed columns: no table lookups */
    "CREATE INDEX IF NOT EXISTS events_trend ON events(src_country, tgt_country, date, quad_class, goldstein, source, target);"
    "CREATE INDEX IF NOT EXISTS events_src ON events(src_country, date);"
    "CREATE INDEX IF NOT EXISTS events_tgt ON events(tgt_country, date);"
    "DROP INDEX IF EXISTS events_dyad;"
    "CREATE VIEW event_counts AS SELECT event_id, num_mentions, num_articles, num_sources FROM events;";

/* v4: where the event happened (docs/geo.md), from its first mention that
 * had a place; NULL columns when none was found */
static const char *schema_v4 =
    "ALTER TABLE events ADD COLUMN geo_level TEXT;"
    "ALTER TABLE events ADD COLUMN geo_basis TEXT;"
    "ALTER TABLE events ADD COLUMN geo_written TEXT;"
    "ALTER TABLE events ADD COLUMN geo_name TEXT;"
    "ALTER TABLE events ADD COLUMN geo_lat REAL;"
    "ALTER TABLE events ADD COLUMN geo_lon REAL;"
    "ALTER TABLE events ADD COLUMN geo_country TEXT;"
    "ALTER TABLE events ADD COLUMN geo_country2 TEXT;"
    "ALTER TABLE events ADD COLUMN geo_country_name TEXT;"
    "ALTER TABLE events ADD COLUMN geo_adm1 TEXT;"
    "ALTER TABLE events ADD COLUMN geo_adm1_name TEXT;"
    "ALTER TABLE events ADD COLUMN geo_id INTEGER;";

int store_exec(parley_store *s, const char *sql, parley_error *err) {
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        p_set_error(err, PARLEY_ERR_IO, "sqlite: %s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int prep(parley_store *s, sqlite3_stmt **st, const char *sql, parley_error *err) {
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        p_set_error(err, PARLEY_ERR_IO, "sqlite: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    return 0;
}

/* Schema versions are migrated forward one step at a time. */
static int migrate(parley_store *s, parley_error *err) {
    int version = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (version > PARLEY_SCHEMA_VERSION) {
        p_set_error(err, PARLEY_ERR_STATE, "the store has schema version %d; this parley knows up to %d", version, PARLEY_SCHEMA_VERSION);
        return -1;
    }
    if (version < 1) {
        if (store_exec(s, "BEGIN", err) || store_exec(s, schema_v1, err) ||
            store_exec(s, "INSERT OR REPLACE INTO meta VALUES('schema_version','1')", err) || store_exec(s, "COMMIT", err))
            return -1;
    }
    if (version < 2) {
        if (store_exec(s, "BEGIN", err) || store_exec(s, schema_v2, err) ||
            store_exec(s, "INSERT OR REPLACE INTO meta VALUES('schema_version','2')", err) || store_exec(s, "COMMIT", err))
            return -1;
    }
    if (version < 3) {
        /* v3: the GDELT counts live on the event row, kept current at each
         * mention, so listing events never aggregates all mentions */
        if (store_exec(s, "BEGIN", err) || store_exec(s, schema_v3, err) ||
            store_exec(s, "INSERT OR REPLACE INTO meta VALUES('schema_version','3')", err) || store_exec(s, "COMMIT", err))
            return -1;
    }
    if (version < 4) {
        if (store_exec(s, "BEGIN", err) || store_exec(s, schema_v4, err) ||
            store_exec(s, "INSERT OR REPLACE INTO meta VALUES('schema_version','4')", err) || store_exec(s, "COMMIT", err))
            return -1;
    }
    return 0;
}

parley_store *parley_store_open(const char *path, parley_error *err) {
    parley_store *s = calloc(1, sizeof *s);
    if (!s) { p_set_error(err, PARLEY_ERR_NOMEM, "out of memory"); return NULL; }
    s->window_days = 1;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        p_set_error(err, PARLEY_ERR_IO, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* WAL: readers (the server) never block the ingester; NORMAL sync is
     * crash-safe in WAL mode (a power cut loses at most the last commit). */
    if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=20000;", err) ||
        migrate(s, err) ||
        prep(s, &s->doc_get, "SELECT hash FROM documents WHERE doc_id=?", err) ||
        prep(s, &s->doc_put, "INSERT OR REPLACE INTO documents(doc_id,date,publisher,url,title,hash) VALUES(?,?,?,?,?,?)", err) ||
        prep(s, &s->doc_del_mentions, "DELETE FROM mentions WHERE doc_id=?", err) ||
        prep(s, &s->ev_put,
             "INSERT OR IGNORE INTO events(event_id,date,source,target,cameo,root,quad_class,goldstein,plover,source_text,"
             "target_text,verb_text,sentence_text,issues,why,first_doc,first_url,src_country,tgt_country)"
             " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err) ||
        prep(s, &s->men_put,
             "INSERT OR IGNORE INTO mentions(event_id,doc_id,sentence,publisher,url,date,sentence_offset,source_offset,"
             "target_offset,verb_offset,attribution) VALUES(?,?,?,?,?,?,?,?,?,?,?)", err) ||
        prep(s, &s->sent_put, "INSERT OR IGNORE INTO sentences(doc_id,idx,text) VALUES(?,?,?)", err) ||
        prep(s, &s->gc_events, "DELETE FROM events WHERE num_mentions = 0", err) ||
        prep(s, &s->ev_count,
             "UPDATE events SET num_mentions = (SELECT count(*) FROM mentions m WHERE m.event_id = ?1),"
             " num_articles = (SELECT count(DISTINCT doc_id) FROM mentions m WHERE m.event_id = ?1),"
             " num_sources = (SELECT count(DISTINCT coalesce(publisher, doc_id)) FROM mentions m WHERE m.event_id = ?1)"
             " WHERE event_id = ?1", err) ||
        prep(s, &s->doc_events, "SELECT DISTINCT event_id FROM mentions WHERE doc_id = ?", err) ||
        prep(s, &s->ev_geo,
             "UPDATE events SET geo_level=?2, geo_basis=?3, geo_written=?4, geo_name=?5, geo_lat=?6, geo_lon=?7,"
             " geo_country=?8, geo_country2=?9, geo_adm1=?10, geo_adm1_name=?11, geo_id=?12, geo_country_name=?13"
             " WHERE event_id=?1 AND geo_level IS NULL", err) ||
        prep(s, &s->actor_put, "INSERT OR IGNORE INTO actors(code,country,first_date) VALUES(?,?,?)", err)) {
        parley_store_close(s);
        return NULL;
    }
    return s;
}

parley_store *parley_store_open_readonly(const char *path, parley_error *err) {
    parley_store *s = calloc(1, sizeof *s);
    if (!s) { p_set_error(err, PARLEY_ERR_NOMEM, "out of memory"); return NULL; }
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        p_set_error(err, PARLEY_ERR_IO, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 2000);
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (version < PARLEY_SCHEMA_VERSION || version > PARLEY_SCHEMA_VERSION) {
        p_set_error(err, PARLEY_ERR_STATE, "%s: not a parley store of schema %d (found %d); run parley ingest once to migrate", path, PARLEY_SCHEMA_VERSION, version);
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    return s;
}

void parley_store_close(parley_store *s) {
    if (!s) return;
    if (s->in_tx) sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_stmt *sts[] = {s->doc_get, s->doc_put, s->doc_del_mentions, s->ev_put, s->men_put, s->sent_put, s->gc_events, s->actor_put, s->ev_count, s->doc_events, s->ev_geo};
    for (size_t i = 0; i < P_ARRAY_LEN(sts); i++) sqlite3_finalize(sts[i]);
    sqlite3_close(s->db);
    p_intern_free(&s->seen_actors);
    free(s);
}

void parley_store_set_window(parley_store *s, int days, int one_a_day) {
    s->window_days = days > 0 ? days : 1;
    s->one_a_day = one_a_day;
}

int32_t store_day_number(int32_t ymd) { return p_day_number(ymd); }
int32_t store_from_day_number(int32_t n) { return p_from_day_number(n); }

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

/* A failed write (disk full, read-only file, I/O error) ends the open
 * group: SQLite may already have rolled it back, and what is left of it
 * cannot be trusted to hold whole documents.  Rolling back keeps the store
 * as of the last commit; those documents' hashes were never committed, so a
 * re-run stores them again. */
static void abandon_group(parley_store *s, parley_error *err, int rc) {
    /* the message first: the rollback below replaces it */
    char why[256];
    snprintf(why, sizeof why, "%s", sqlite3_errmsg(s->db));
    int pending = s->pending + 1;
    if (s->in_tx && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = 0;
    s->pending = 0;
    s->st = PARLEY_ERR_IO;
    const char *what = rc == SQLITE_FULL ? "disk full" : rc == SQLITE_READONLY ? "the store is read-only" : "write failed";
    p_set_error(err, PARLEY_ERR_IO, "sqlite: %s (%s); the last %d documents were not stored: run again once fixed", what, why, pending);
}

static int step_done(parley_store *s, sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        rc = sqlite3_reset(st);
        abandon_group(s, s->err, rc);
        return -1;
    }
    sqlite3_reset(st);
    return 0;
}

/* The event's place: the first mention with one sets it (schema v4). */
static int store_put_place(parley_store *s, sqlite3_int64 id, const parley_place *pl) {
    sqlite3_stmt *st = s->ev_geo;
    sqlite3_bind_int64(st, 1, id);
    /* ?2..?5 and ?8..?11, ?13: texts; "" is stored as NULL */
    const char *txt[] = {pl->level, pl->basis, pl->written, pl->name, NULL, NULL, pl->country, pl->country2,
                         pl->adm1_code, pl->adm1_name, NULL, pl->country_name};
    for (int i = 0; i < (int)P_ARRAY_LEN(txt); i++)
        if (i != 4 && i != 5 && i != 10) bind_text(st, 2 + i, txt[i] && *txt[i] ? txt[i] : NULL);
    sqlite3_bind_double(st, 6, pl->lat);
    sqlite3_bind_double(st, 7, pl->lon);
    if (pl->geonames_id) sqlite3_bind_int64(st, 12, pl->geonames_id);
    else sqlite3_bind_null(st, 12);
    return step_done(s, st);
}

/* "according to X", "X reported", "citing five sources": who the text says
 * the report comes from, as written. */
static void attribution(const char *t, char *out, size_t cap) {
    out[0] = 0;
    const char *p = strstr(t, "according to ");
    if (!p) p = strstr(t, "According to ");
    if (p) {
        p += 13;
        static const char *skip[] = {"a report by ", "a report from ", "reports by ", "the ", "a "};
        for (size_t i = 0; i < P_ARRAY_LEN(skip); i++) if (!strncmp(p, skip[i], strlen(skip[i]))) p += strlen(skip[i]);
        size_t k = 0;
        while (*p && *p != ',' && *p != '.' && *p != ';' && k + 1 < cap) out[k++] = *p++;
        out[k] = 0;
        return;
    }
    p = strstr(t, "citing ");
    if (p) {
        size_t k = 0;
        while (*p && *p != ',' && *p != '.' && k + 1 < cap) out[k++] = *p++;
        out[k] = 0;
        return;
    }
    static const char *verbs[] = {" reported", " said", " quoted"};
    for (size_t v = 0; v < P_ARRAY_LEN(verbs); v++) {
        const char *q = strstr(t, verbs[v]);
        if (!q) continue;
        /* the capitalised words just before the verb, after the last comma */
        const char *a = q;
        while (a > t && a[-1] != ',') a--;
        while (*a == ' ') a++;
        if (a >= q || !(*a >= 'A' && *a <= 'Z') || q - a > 80) continue;
        size_t k = 0;
        while (a < q && k + 1 < cap) out[k++] = *a++;
        out[k] = 0;
        return;
    }
}

static uint64_t event_key(int32_t date, const char *src, const char *tgt, const char *code) {
    char buf[256];
    snprintf(buf, sizeof buf, "%d|%.60s|%.60s|%.16s", date, src ? src : "", tgt ? tgt : "", code);
    return p_hash(buf, strlen(buf)) & 0x7FFFFFFFFFFFFFFFULL;
}

typedef struct ingest_ctx { parley_store *s; const parley_dict *d; } ingest_ctx;

static int on_store_event(void *ud, const parley_event *ev) {
    parley_store *s = ud;
    if (s->st != PARLEY_OK) return 1;
    int32_t date = ev->date ? ev->date : 19700101;
    /* the window: events of the same dyad and code within N days share
     * the window's first day */
    int32_t dn = store_day_number(date);
    int32_t bucket = store_from_day_number(dn - (dn % s->window_days + s->window_days) % s->window_days);
    const char *key_src = ev->source, *key_tgt = ev->target;
    char pub_key[300];
    if (s->one_a_day) {
        /* Phoenix one-a-day: one event per dyad, code, day and publisher */
        snprintf(pub_key, sizeof pub_key, "%.60s@%.200s", ev->source ? ev->source : "", ev->publisher ? ev->publisher : "");
        key_src = pub_key;
    }
    uint64_t id = event_key(bucket, key_src, key_tgt, ev->code);
    char root[3] = {ev->code[0], ev->code[0] ? ev->code[1] : 0, 0};
    sqlite3_stmt *st = s->ev_put;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
    sqlite3_bind_int(st, 2, bucket);
    bind_text(st, 3, ev->source);
    bind_text(st, 4, ev->target);
    bind_text(st, 5, ev->code);
    bind_text(st, 6, root);
    const parley_cameo_info *ci = parley_cameo_lookup(s->dict, ev->code);
    if (ci) {
        sqlite3_bind_int(st, 7, ci->quad_class);
        sqlite3_bind_double(st, 8, ci->goldstein);
        bind_text(st, 9, *ci->plover ? ci->plover : NULL);
    } else {
        sqlite3_bind_null(st, 7);
        sqlite3_bind_null(st, 8);
        sqlite3_bind_null(st, 9);
    }
    bind_text(st, 10, ev->source_text);
    bind_text(st, 11, ev->target_text);
    bind_text(st, 12, ev->verb_text);
    bind_text(st, 13, ev->sentence_text);
    bind_text(st, 14, ev->issues);
    bind_text(st, 15, ev->why);
    bind_text(st, 16, ev->doc_id);
    bind_text(st, 17, ev->url);
    char sc[4] = {0}, tc[4] = {0};
    if (ev->source && strlen(ev->source) >= 3) memcpy(sc, ev->source, 3);
    if (ev->target && strlen(ev->target) >= 3) memcpy(tc, ev->target, 3);
    bind_text(st, 18, sc[0] ? sc : NULL);
    bind_text(st, 19, tc[0] ? tc : NULL);
    if (step_done(s, st)) return 1;
    if (ev->place.level && store_put_place(s, (sqlite3_int64)id, &ev->place)) return 1;
    char attr[200];
    attribution(ev->sentence_text ? ev->sentence_text : "", attr, sizeof attr);
    st = s->men_put;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
    bind_text(st, 2, ev->doc_id);
    sqlite3_bind_int(st, 3, ev->sentence);
    bind_text(st, 4, ev->publisher);
    bind_text(st, 5, ev->url);
    sqlite3_bind_int(st, 6, date);
    sqlite3_bind_int64(st, 7, ev->sentence_offset);
    sqlite3_bind_int(st, 8, ev->source_offset);
    sqlite3_bind_int(st, 9, ev->target_offset);
    sqlite3_bind_int(st, 10, ev->verb_offset);
    bind_text(st, 11, attr[0] ? attr : NULL);
    if (step_done(s, st)) return 1;
    sqlite3_bind_int64(s->ev_count, 1, (sqlite3_int64)id);
    if (step_done(s, s->ev_count)) return 1;
    st = s->sent_put;
    bind_text(st, 1, ev->doc_id);
    sqlite3_bind_int(st, 2, ev->sentence);
    bind_text(st, 3, ev->sentence_text);
    if (step_done(s, st)) return 1;
    const char *codes[2] = {ev->source, ev->target};
    for (int k = 0; k < 2; k++) {
        if (!codes[k]) continue;
        /* each code is written once per session: most events repeat actors */
        size_t cl = strlen(codes[k]);
        if (p_intern_find(&s->seen_actors, codes[k], cl) >= 0) continue;
        p_intern_add(&s->seen_actors, codes[k], cl);
        char country[4] = {0};
        if (strlen(codes[k]) >= 3 && strncmp(codes[k], "---", 3)) memcpy(country, codes[k], 3);
        st = s->actor_put;
        bind_text(st, 1, codes[k]);
        bind_text(st, 2, country[0] ? country : NULL);
        sqlite3_bind_int(st, 3, date);
        if (step_done(s, st)) return 1;
    }
    s->n_events++;
    return 0;
}

static void doc_hash(const parley_doc *doc, char out[17]) {
    uint64_t h = p_hash(doc->text ? doc->text : "", doc->text ? doc->text_len : 0);
    if (doc->title) h ^= p_hash(doc->title, strlen(doc->title)) * 31;
    h ^= (uint64_t)(uint32_t)doc->date * 0x9E3779B97F4A7C15ULL;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Starts storing a document: returns 1 when it is stored already with the
 * same content (nothing to do), 0 when its events may follow, -1 on error. */
static int begin_doc(parley_store *s, const parley_dict *d, const parley_doc *doc, parley_error *err) {
    char hash[17];
    doc_hash(doc, hash);
    sqlite3_bind_text(s->doc_get, 1, doc->id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s->doc_get);
    int same = rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(s->doc_get, 0), hash);
    int existed = rc == SQLITE_ROW;
    sqlite3_reset(s->doc_get);
    if (same) return 1;
    if (!s->in_tx) {
        if (store_exec(s, "BEGIN IMMEDIATE", err)) return -1;
        s->in_tx = 1;
    }
    s->st = PARLEY_OK;
    s->err = err;
    s->doc = doc;
    s->dict = d;
    s->n_events = 0;
    if (existed) {
        /* changed content: its old mentions go, events left without any too */
        /* the events it mentioned are recounted once its mentions are gone */
        P_VEC(int64_t) touched = {0};
        sqlite3_bind_text(s->doc_events, 1, doc->id, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s->doc_events) == SQLITE_ROW) P_PUSH(touched, sqlite3_column_int64(s->doc_events, 0));
        sqlite3_reset(s->doc_events);
        sqlite3_bind_text(s->doc_del_mentions, 1, doc->id, -1, SQLITE_TRANSIENT);
        if (step_done(s, s->doc_del_mentions)) { P_FREE_VEC(touched); return -1; }
        for (size_t k = 0; k < touched.n; k++) {
            sqlite3_bind_int64(s->ev_count, 1, touched.v[k]);
            if (step_done(s, s->ev_count)) { P_FREE_VEC(touched); return -1; }
        }
        P_FREE_VEC(touched);
        sqlite3_stmt *ds = NULL;
        if (sqlite3_prepare_v2(s->db, "DELETE FROM sentences WHERE doc_id=?", -1, &ds, NULL) == SQLITE_OK) {
            sqlite3_bind_text(ds, 1, doc->id, -1, SQLITE_TRANSIENT);
            sqlite3_step(ds);
        }
        sqlite3_finalize(ds);
        if (step_done(s, s->gc_events)) return -1;
    }
    sqlite3_stmt *st = s->doc_put;
    bind_text(st, 1, doc->id);
    sqlite3_bind_int(st, 2, doc->date);
    bind_text(st, 3, doc->source);
    bind_text(st, 4, doc->url);
    bind_text(st, 5, doc->title);
    bind_text(st, 6, hash);
    if (step_done(s, st)) return -1;
    return 0;
}

/* Commit in groups: one transaction per document would make the disk sync
 * dominate; a crash loses at most the uncommitted group, and re-running
 * re-ingests exactly those documents (their hashes were never committed). */
static parley_status end_doc(parley_store *s, parley_error *err) {
    if (++s->pending >= 5000) return parley_store_commit(s, err);
    return PARLEY_OK;
}

parley_status parley_store_ingest(parley_store *s, parley_coder *c, const parley_doc *doc, int *n_events, parley_error *err) {
    if (n_events) *n_events = 0;
    if (!s || !c || !doc || !doc->id) { p_set_error(err, PARLEY_ERR_ARG, "store, coder and a document with an id are required"); return PARLEY_ERR_ARG; }
    int b = begin_doc(s, c->d, doc, err);
    if (b < 0) return s->st != PARLEY_OK ? s->st : PARLEY_ERR_IO;
    if (b > 0) { if (n_events) *n_events = -1; return PARLEY_OK; }
    parley_status cst = parley_code_document(c, doc, on_store_event, s, NULL, err);
    if (cst != PARLEY_OK) return cst;
    if (s->st != PARLEY_OK) return s->st;
    if (n_events) *n_events = s->n_events;
    return end_doc(s, err);
}

parley_status parley_store_put(parley_store *s, const parley_dict *d, const parley_doc *doc, const parley_event *evs, size_t n,
                               int *n_events, parley_error *err) {
    if (n_events) *n_events = 0;
    if (!s || !doc || !doc->id) { p_set_error(err, PARLEY_ERR_ARG, "store and a document with an id are required"); return PARLEY_ERR_ARG; }
    int b = begin_doc(s, d, doc, err);
    if (b < 0) return s->st != PARLEY_OK ? s->st : PARLEY_ERR_IO;
    if (b > 0) { if (n_events) *n_events = -1; return PARLEY_OK; }
    for (size_t i = 0; i < n; i++)
        if (on_store_event(s, &evs[i])) break;
    if (s->st != PARLEY_OK) return s->st;
    if (n_events) *n_events = s->n_events;
    return end_doc(s, err);
}

parley_status parley_store_commit(parley_store *s, parley_error *err) {
    if (!s->in_tx) return PARLEY_OK;
    int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        s->pending--; /* abandon_group counts the document being stored */
        abandon_group(s, err, rc & 0xff);
        return PARLEY_ERR_IO;
    }
    s->in_tx = 0;
    s->pending = 0;
    return PARLEY_OK;
}
