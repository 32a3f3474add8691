/* Event store: documents, events, mentions and actors in SQLite or
 * PostgreSQL (the path or a postgresql:// URL chooses; db.h hides which).
 *
 * One event per (window start date, source, target, CAMEO code): every
 * report of it is a mention (document, sentence, publisher, offsets,
 * attribution).  GDELT's counts follow from the mentions:
 *   NumMentions = mentions, NumArticles = distinct documents,
 *   NumSources  = distinct publishers.
 * Event ids are a hash of the key, so re-ingesting, or ingesting the same
 * document on two machines, gives the same ids.
 *
 * Writers.  SQLite has one writer at a time; documents are written in
 * groups of up to 5000 per transaction.  PostgreSQL may have many writers
 * on many machines at once, so each document is one transaction that first
 * takes transaction-scoped advisory locks: its document id, then every
 * event it touches in ascending id order.  Two writers of one event are
 * thereby serialised, and the recount of an event's mentions (a statement
 * run after the lock, so with a snapshot that sees the other writer's
 * commit) is exact; the fixed lock order rules out deadlocks, and a
 * deadlock or serialization failure all the same is retried. */
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


/* PostgreSQL: the same tables.  Text is compared byte-wise (COLLATE "C"), as
 * SQLite does, so ordering and exports do not depend on the server locale. */
static const char *pg_schema_v1 =
    "CREATE TABLE IF NOT EXISTS documents(doc_id TEXT COLLATE \"C\" PRIMARY KEY, date INTEGER, publisher TEXT COLLATE \"C\","
    "  url TEXT COLLATE \"C\", title TEXT COLLATE \"C\", hash TEXT NOT NULL,"
    "  ingested TEXT DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'));"
    "CREATE TABLE IF NOT EXISTS sentences(doc_id TEXT COLLATE \"C\", idx INTEGER, text TEXT COLLATE \"C\", PRIMARY KEY(doc_id, idx));"
    "CREATE TABLE IF NOT EXISTS events(event_id BIGINT PRIMARY KEY, date INTEGER NOT NULL, source TEXT COLLATE \"C\","
    "  target TEXT COLLATE \"C\", cameo TEXT COLLATE \"C\" NOT NULL, root TEXT COLLATE \"C\", quad_class INTEGER,"
    "  goldstein DOUBLE PRECISION, plover TEXT COLLATE \"C\", source_text TEXT COLLATE \"C\","
    "  src_country TEXT COLLATE \"C\", tgt_country TEXT COLLATE \"C\", target_text TEXT COLLATE \"C\","
    "  verb_text TEXT COLLATE \"C\", sentence_text TEXT COLLATE \"C\", issues TEXT COLLATE \"C\", why TEXT,"
    "  first_doc TEXT COLLATE \"C\", first_url TEXT COLLATE \"C\");"
    "CREATE TABLE IF NOT EXISTS mentions(event_id BIGINT NOT NULL, doc_id TEXT COLLATE \"C\" NOT NULL, sentence INTEGER NOT NULL,"
    "  publisher TEXT COLLATE \"C\", url TEXT COLLATE \"C\", date INTEGER, sentence_offset BIGINT, source_offset INTEGER,"
    "  target_offset INTEGER, verb_offset INTEGER, attribution TEXT COLLATE \"C\", PRIMARY KEY(event_id, doc_id, sentence));"
    "CREATE TABLE IF NOT EXISTS actors(code TEXT COLLATE \"C\" PRIMARY KEY, country TEXT COLLATE \"C\", first_date INTEGER);"
    "CREATE INDEX IF NOT EXISTS events_date ON events(date);"
    "CREATE INDEX IF NOT EXISTS events_dyad ON events(src_country, tgt_country, date);"
    "CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);"
    "CREATE OR REPLACE VIEW event_counts AS SELECT event_id, COUNT(*) AS num_mentions,"
    "  COUNT(DISTINCT doc_id) AS num_articles, COUNT(DISTINCT coalesce(publisher, doc_id)) AS num_sources"
    "  FROM mentions GROUP BY event_id;";

/* v2 on PostgreSQL: its own text search in place of FTS5; the 'simple'
 * configuration folds case and does not stem, like FTS5's unicode61 */
static const char *pg_schema_v2 =
    "ALTER TABLE sentences ADD COLUMN IF NOT EXISTS tsv tsvector"
    "  GENERATED ALWAYS AS (to_tsvector('simple', coalesce(text, ''))) STORED;"
    "CREATE INDEX IF NOT EXISTS sentences_tsv ON sentences USING gin(tsv);";

/* v4: where the event happened (docs/geo.md), from its first mention that
 * had a place; NULL columns when none was found */
#define SCHEMA_V4(TEXT, REAL)                                                        \
    "ALTER TABLE events ADD COLUMN geo_level " TEXT ";"                              \
    "ALTER TABLE events ADD COLUMN geo_basis " TEXT ";"                              \
    "ALTER TABLE events ADD COLUMN geo_written " TEXT ";"                            \
    "ALTER TABLE events ADD COLUMN geo_name " TEXT ";"                               \
    "ALTER TABLE events ADD COLUMN geo_lat " REAL ";"                                \
    "ALTER TABLE events ADD COLUMN geo_lon " REAL ";"                                \
    "ALTER TABLE events ADD COLUMN geo_country " TEXT ";"                            \
    "ALTER TABLE events ADD COLUMN geo_country2 " TEXT ";"                           \
    "ALTER TABLE events ADD COLUMN geo_country_name " TEXT ";"                       \
    "ALTER TABLE events ADD COLUMN geo_adm1 " TEXT ";"                               \
    "ALTER TABLE events ADD COLUMN geo_adm1_name " TEXT ";"                          \
    "ALTER TABLE events ADD COLUMN geo_id BIGINT;"
static const char *schema_v4 = SCHEMA_V4("TEXT", "REAL");
static const char *pg_schema_v4 = SCHEMA_V4("TEXT COLLATE \"C\"", "DOUBLE PRECISION");

/* The step that takes a store to version `to`; v3 is the same SQL on both. */
static const char *migration_sql(const parley_store *s, int to) {
    switch (to) {
    case 1: return store_sql(s, schema_v1, pg_schema_v1);
    case 2: return store_sql(s, schema_v2, pg_schema_v2);
    case 3: return schema_v3;
    case 4: return store_sql(s, schema_v4, pg_schema_v4);
    default: return NULL;
    }
}

/* Runs a statement that returns no rows we need; 0 or -1 (failure on the
 * handle).  The statement is reset either way. */
static int run(p_stmt *st) {
    int rc = p_step(st);
    while (rc == P_ROW) rc = p_step(st);
    p_reset(st);
    return rc == P_ERR ? -1 : 0;
}

static int schema_version(parley_store *s) {
    int version = 0;
    p_stmt *st = p_db_prepare(s->db, "SELECT value FROM meta WHERE key='schema_version'", 0);
    if (st && p_step(st) == P_ROW) version = (int)strtol(p_col_text(st, 0) ? p_col_text(st, 0) : "0", NULL, 10);
    p_stmt_free(st);
    return version;
}

/* Schema versions are migrated forward one step at a time, under a lock so
 * that writers starting together on a new database do not race. */
static int migrate(parley_store *s, parley_error *err) {
    int version = schema_version(s);
    if (version == PARLEY_SCHEMA_VERSION) return 0;
    if (version > PARLEY_SCHEMA_VERSION) {
        p_set_error(err, PARLEY_ERR_STATE, "the store has schema version %d; this parley knows up to %d", version, PARLEY_SCHEMA_VERSION);
        return -1;
    }
    if (p_db_exec(s->db, store_sql(s, "BEGIN IMMEDIATE",
                                   "BEGIN; SELECT pg_advisory_xact_lock(0, 1886546802);"
                                   "CREATE TABLE IF NOT EXISTS meta(key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT)")))
        return p_db_error(s->db, err), -1;
    version = schema_version(s); /* again, now that no one else migrates */
    for (int to = version + 1; to <= PARLEY_SCHEMA_VERSION; to++) {
        char set[200];
        snprintf(set, sizeof set, "INSERT INTO meta(key,value) VALUES('schema_version','%d')"
                                  " ON CONFLICT(key) DO UPDATE SET value=excluded.value", to);
        if (p_db_exec(s->db, migration_sql(s, to)) || p_db_exec(s->db, set)) {
            parley_error e;
            p_db_error(s->db, &e);
            p_db_exec(s->db, "ROLLBACK");
            p_set_error(err, PARLEY_ERR_IO, "cannot migrate the store to schema %d: %s", to, e.message);
            return -1;
        }
    }
    if (p_db_exec(s->db, "COMMIT")) return p_db_error(s->db, err), -1;
    return 0;
}

static int prep(parley_store *s, p_stmt **st, const char *sql) {
    *st = p_db_prepare(s->db, sql, 1);
    return *st ? 0 : -1;
}

parley_store *parley_store_open(const char *path, parley_error *err) {
    parley_store *s = calloc(1, sizeof *s);
    if (!s) { p_set_error(err, PARLEY_ERR_NOMEM, "out of memory"); return NULL; }
    s->window_days = 1;
    if (!(s->db = p_db_open(path, 0, err))) { free(s); return NULL; }
    s->pg = p_db_dialect(s->db) == P_PG;
    /* WAL: readers (the server) never block the ingester; NORMAL sync is
     * crash-safe in WAL mode (a power cut loses at most the last commit). */
    if (!s->pg && p_db_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
                                   " PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=20000;")) {
        p_db_error(s->db, err);
        parley_store_close(s);
        return NULL;
    }
    if (migrate(s, err)) { parley_store_close(s); return NULL; }
    if (prep(s, &s->doc_get, "SELECT hash FROM documents WHERE doc_id=?") ||
        prep(s, &s->doc_put, "INSERT INTO documents(doc_id,date,publisher,url,title,hash) VALUES(?,?,?,?,?,?)"
                             " ON CONFLICT(doc_id) DO UPDATE SET date=excluded.date, publisher=excluded.publisher,"
                             " url=excluded.url, title=excluded.title, hash=excluded.hash, ingested=excluded.ingested") ||
        prep(s, &s->doc_del_mentions, "DELETE FROM mentions WHERE doc_id=?") ||
        prep(s, &s->doc_del_sentences, "DELETE FROM sentences WHERE doc_id=?") ||
        prep(s, &s->ev_put,
             "INSERT INTO events(event_id,date,source,target,cameo,root,quad_class,goldstein,plover,source_text,"
             "target_text,verb_text,sentence_text,issues,why,first_doc,first_url,src_country,tgt_country)"
             " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING") ||
        prep(s, &s->men_put,
             "INSERT INTO mentions(event_id,doc_id,sentence,publisher,url,date,sentence_offset,source_offset,"
             "target_offset,verb_offset,attribution) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING") ||
        prep(s, &s->sent_put, "INSERT INTO sentences(doc_id,idx,text) VALUES(?,?,?) ON CONFLICT DO NOTHING") ||
        prep(s, &s->gc_event, "DELETE FROM events WHERE event_id = ? AND num_mentions = 0") ||
        prep(s, &s->ev_count,
             "UPDATE events SET num_mentions = (SELECT count(*) FROM mentions m WHERE m.event_id = ?1),"
             " num_articles = (SELECT count(DISTINCT doc_id) FROM mentions m WHERE m.event_id = ?1),"
             " num_sources = (SELECT count(DISTINCT coalesce(publisher, doc_id)) FROM mentions m WHERE m.event_id = ?1)"
             " WHERE event_id = ?1") ||
        prep(s, &s->doc_events, "SELECT DISTINCT event_id FROM mentions WHERE doc_id = ?") ||
        prep(s, &s->ev_geo,
             "UPDATE events SET geo_level=?2, geo_basis=?3, geo_written=?4, geo_name=?5, geo_lat=?6, geo_lon=?7,"
             " geo_country=?8, geo_country2=?9, geo_adm1=?10, geo_adm1_name=?11, geo_id=?12, geo_country_name=?13"
             " WHERE event_id=?1 AND geo_level IS NULL") ||
        prep(s, &s->actor_put, "INSERT INTO actors(code,country,first_date) VALUES(?,?,?) ON CONFLICT DO NOTHING") ||
        (s->pg && (prep(s, &s->lock_doc, "SELECT pg_advisory_xact_lock(1, hashtext(?))") ||
                   prep(s, &s->lock_event, "SELECT pg_advisory_xact_lock(?)")))) {
        p_db_error(s->db, err);
        parley_store_close(s);
        return NULL;
    }
    return s;
}

parley_store *parley_store_open_readonly(const char *path, parley_error *err) {
    parley_store *s = calloc(1, sizeof *s);
    if (!s) { p_set_error(err, PARLEY_ERR_NOMEM, "out of memory"); return NULL; }
    if (!(s->db = p_db_open(path, 1, err))) { free(s); return NULL; }
    s->pg = p_db_dialect(s->db) == P_PG;
    int version = schema_version(s);
    if (version != PARLEY_SCHEMA_VERSION) {
        char shown[300];
        snprintf(shown, sizeof shown, "%s", s->pg ? "the database" : path);
        p_set_error(err, PARLEY_ERR_STATE, "%s: not a parley store of schema %d (found %d); run parley ingest once to migrate", shown,
                    PARLEY_SCHEMA_VERSION, version);
        parley_store_close(s);
        return NULL;
    }
    return s;
}

void parley_store_close(parley_store *s) {
    if (!s) return;
    if (s->in_tx && s->db) p_db_exec(s->db, "COMMIT");
    p_stmt *sts[] = {s->doc_get, s->doc_put, s->doc_del_mentions, s->doc_del_sentences, s->ev_put, s->men_put, s->sent_put,
                     s->gc_event, s->actor_put, s->ev_count, s->doc_events, s->lock_doc, s->lock_event, s->ev_geo};
    for (size_t i = 0; i < P_ARRAY_LEN(sts); i++) p_stmt_free(sts[i]);
    p_db_close(s->db);
    p_intern_free(&s->seen_actors);
    P_FREE_VEC(s->rows);
    p_arena_free(&s->strs);
    free(s);
}

void parley_store_set_window(parley_store *s, int days, int one_a_day) {
    s->window_days = days > 0 ? days : 1;
    s->one_a_day = one_a_day;
}

int32_t store_day_number(int32_t ymd) { return p_day_number(ymd); }
int32_t store_from_day_number(int32_t n) { return p_from_day_number(n); }

/* A failed write (disk full, read-only store, lost connection) ends the
 * open group: the engine may already have rolled it back, and what is left
 * of it cannot be trusted to hold whole documents.  Rolling back keeps the
 * store as of the last commit; those documents' hashes were never
 * committed, so a re-run stores them again. */
static parley_status abandon_group(parley_store *s, parley_error *err) {
    /* the message first: the rollback below may replace it */
    const char *engine = s->pg ? "postgresql" : "sqlite";
    char why[600];
    const char *m = p_db_errmsg(s->db);
    snprintf(why, sizeof why, "%s", !strncmp(m, engine, strlen(engine)) ? m + strlen(engine) + 2 : m);
    p_db_failure f = p_db_failed(s->db);
    int pending = s->pending + 1;
    if (p_db_in_tx(s->db)) p_db_exec(s->db, "ROLLBACK");
    s->in_tx = 0;
    s->pending = 0;
    /* actors written in the lost group are written again when next seen */
    p_intern_free(&s->seen_actors);
    memset(&s->seen_actors, 0, sizeof s->seen_actors);
    const char *what = f == P_FAIL_FULL ? "disk full" : f == P_FAIL_READONLY ? "the store is read-only"
                     : f == P_FAIL_CONN ? "connection lost" : "write failed";
    p_set_error(err, PARLEY_ERR_IO, "%s: %s (%s); the last %d documents were not stored: run again once fixed", engine, what, why,
                pending);
    return PARLEY_ERR_IO;
}

/* The event's place: the first mention with one sets it (schema v4). */
static int store_put_place(parley_store *s, int64_t id, const parley_place *pl) {
    p_stmt *st = s->ev_geo;
    p_bind_int(st, 1, id);
    /* ?2..?5 and ?8..?11, ?13: texts; "" is stored as NULL */
    const char *txt[] = {pl->level, pl->basis, pl->written, pl->name, NULL, NULL, pl->country, pl->country2,
                         pl->adm1_code, pl->adm1_name, NULL, pl->country_name};
    for (int i = 0; i < (int)P_ARRAY_LEN(txt); i++)
        if (i != 4 && i != 5 && i != 10) p_bind_text(st, 2 + i, txt[i] && *txt[i] ? txt[i] : NULL);
    p_bind_double(st, 6, pl->lat);
    p_bind_double(st, 7, pl->lon);
    if (pl->geonames_id) p_bind_int(st, 12, pl->geonames_id);
    else p_bind_null(st, 12);
    return run(st);
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

static void doc_hash(const parley_doc *doc, char out[17]) {
    uint64_t h = p_hash(doc->text ? doc->text : "", doc->text ? doc->text_len : 0);
    if (doc->title) h ^= p_hash(doc->title, strlen(doc->title)) * 31;
    h ^= (uint64_t)(uint32_t)doc->date * 0x9E3779B97F4A7C15ULL;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}


static const char *keep_str(parley_store *s, const char *t) {
    return t ? p_arena_strndup(&s->strs, t, strlen(t)) : NULL;
}

/* Keys and copies one event of the document being stored. */
static void add_row(parley_store *s, const parley_dict *d, const parley_event *ev) {
    store_row r;
    memset(&r, 0, sizeof r);
    r.date = ev->date ? ev->date : 19700101;
    /* the window: events of the same dyad and code within N days share
     * the window's first day */
    int32_t dn = store_day_number(r.date);
    r.bucket = store_from_day_number(dn - (dn % s->window_days + s->window_days) % s->window_days);
    const char *key_src = ev->source;
    char pub_key[300];
    if (s->one_a_day) {
        /* Phoenix one-a-day: one event per dyad, code, day and publisher */
        snprintf(pub_key, sizeof pub_key, "%.60s@%.200s", ev->source ? ev->source : "", ev->publisher ? ev->publisher : "");
        key_src = pub_key;
    }
    r.id = (int64_t)event_key(r.bucket, key_src, ev->target, ev->code);
    r.root[0] = ev->code[0];
    r.root[1] = ev->code[0] ? ev->code[1] : 0;
    const parley_cameo_info *ci = parley_cameo_lookup(d, ev->code);
    if (ci) {
        r.has_ontology = 1;
        r.quad = ci->quad_class;
        r.goldstein = ci->goldstein;
        r.plover = *ci->plover ? keep_str(s, ci->plover) : NULL;
    }
    if (ev->source && strlen(ev->source) >= 3) memcpy(r.sc, ev->source, 3);
    if (ev->target && strlen(ev->target) >= 3) memcpy(r.tc, ev->target, 3);
    char attr[200];
    attribution(ev->sentence_text ? ev->sentence_text : "", attr, sizeof attr);
    r.attribution = attr[0] ? keep_str(s, attr) : NULL;
#define KEEP(f) r.f = keep_str(s, ev->f)
    KEEP(source); KEEP(target); KEEP(code); KEEP(source_text); KEEP(target_text); KEEP(verb_text);
    KEEP(sentence_text); KEEP(issues); KEEP(why); KEEP(doc_id); KEEP(url); KEEP(publisher);
#undef KEEP
    r.sentence = ev->sentence;
    r.sentence_offset = ev->sentence_offset;
    r.source_offset = ev->source_offset;
    r.target_offset = ev->target_offset;
    r.verb_offset = ev->verb_offset;
    if (ev->place.level) {
        r.place = ev->place;
#define KEEP(f) r.place.f = keep_str(s, ev->place.f)
        KEEP(level); KEEP(basis); KEEP(written); KEEP(name); KEEP(country); KEEP(country2); KEEP(country_name);
        KEEP(adm1_code); KEEP(adm1_name);
#undef KEEP
    }
    P_PUSH(s->rows, r);
}

typedef struct row_ctx { parley_store *s; const parley_dict *d; } row_ctx;

static int on_coded_event(void *ud, const parley_event *ev) {
    row_ctx *x = ud;
    add_row(x->s, x->d, ev);
    return 0;
}

static void start_rows(parley_store *s) {
    s->rows.n = 0;
    p_arena_free(&s->strs);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int write_row(parley_store *s, const store_row *r) {
    p_stmt *st = s->ev_put;
    p_bind_int(st, 1, r->id);
    p_bind_int(st, 2, r->bucket);
    p_bind_text(st, 3, r->source);
    p_bind_text(st, 4, r->target);
    p_bind_text(st, 5, r->code);
    p_bind_text(st, 6, r->root);
    if (r->has_ontology) {
        p_bind_int(st, 7, r->quad);
        p_bind_double(st, 8, r->goldstein);
    } else {
        p_bind_null(st, 7);
        p_bind_null(st, 8);
    }
    p_bind_text(st, 9, r->plover);
    p_bind_text(st, 10, r->source_text);
    p_bind_text(st, 11, r->target_text);
    p_bind_text(st, 12, r->verb_text);
    p_bind_text(st, 13, r->sentence_text);
    p_bind_text(st, 14, r->issues);
    p_bind_text(st, 15, r->why);
    p_bind_text(st, 16, r->doc_id);
    p_bind_text(st, 17, r->url);
    p_bind_text(st, 18, r->sc[0] ? r->sc : NULL);
    p_bind_text(st, 19, r->tc[0] ? r->tc : NULL);
    if (run(st)) return -1;
    if (r->place.level && store_put_place(s, r->id, &r->place)) return -1;
    st = s->men_put;
    p_bind_int(st, 1, r->id);
    p_bind_text(st, 2, r->doc_id);
    p_bind_int(st, 3, r->sentence);
    p_bind_text(st, 4, r->publisher);
    p_bind_text(st, 5, r->url);
    p_bind_int(st, 6, r->date);
    p_bind_int(st, 7, r->sentence_offset);
    p_bind_int(st, 8, r->source_offset);
    p_bind_int(st, 9, r->target_offset);
    p_bind_int(st, 10, r->verb_offset);
    p_bind_text(st, 11, r->attribution);
    if (run(st)) return -1;
    p_bind_int(s->ev_count, 1, r->id);
    if (run(s->ev_count)) return -1;
    st = s->sent_put;
    p_bind_text(st, 1, r->doc_id);
    p_bind_int(st, 2, r->sentence);
    p_bind_text(st, 3, r->sentence_text);
    return run(st);
}

typedef P_VEC(int64_t) idvec;
typedef P_VEC(const char *) strvec;

/* Writes the document and its rows inside the open transaction.  Returns 1
 * when it is stored already with the same content, 0 when written, -1 on a
 * failure (left on the handle).  New actor codes go into *actors. */
static int write_doc(parley_store *s, const parley_doc *doc, const char *hash, strvec *actors) {
    if (s->pg) {
        if (p_db_exec(s->db, "BEGIN")) return -1;
        s->in_tx = 1;
        p_bind_text(s->lock_doc, 1, doc->id);
        if (run(s->lock_doc)) return -1;
    } else if (!s->in_tx) {
        if (p_db_exec(s->db, "BEGIN IMMEDIATE")) return -1;
        s->in_tx = 1;
    }
    /* checked inside the transaction (after the lock): two writers of one
     * document agree on which of them stores it */
    p_bind_text(s->doc_get, 1, doc->id);
    int rc = p_step(s->doc_get);
    if (rc == P_ERR) { p_reset(s->doc_get); return -1; }
    int existed = rc == P_ROW;
    int same = existed && p_col_text(s->doc_get, 0) && !strcmp(p_col_text(s->doc_get, 0), hash);
    p_reset(s->doc_get);
    if (same) return 1;
    idvec touched = {0}, locks = {0};
    int ret = -1;
    if (existed) {
        /* changed content: its old mentions go; the events they counted
         * are recounted, and dropped when no mention is left */
        p_bind_text(s->doc_events, 1, doc->id);
        while ((rc = p_step(s->doc_events)) == P_ROW) P_PUSH(touched, p_col_int(s->doc_events, 0));
        p_reset(s->doc_events);
        if (rc == P_ERR) goto out;
    }
    if (s->pg) {
        for (size_t k = 0; k < touched.n; k++) P_PUSH(locks, touched.v[k]);
        for (size_t k = 0; k < s->rows.n; k++) P_PUSH(locks, s->rows.v[k].id);
        if (locks.n) qsort(locks.v, locks.n, sizeof *locks.v, cmp_i64);
        for (size_t k = 0; k < locks.n; k++) {
            if (k && locks.v[k] == locks.v[k - 1]) continue;
            p_bind_int(s->lock_event, 1, locks.v[k]);
            if (run(s->lock_event)) goto out;
        }
    }
    if (existed) {
        p_bind_text(s->doc_del_mentions, 1, doc->id);
        if (run(s->doc_del_mentions)) goto out;
        for (size_t k = 0; k < touched.n; k++) {
            p_bind_int(s->ev_count, 1, touched.v[k]);
            p_bind_int(s->gc_event, 1, touched.v[k]);
            if (run(s->ev_count) || run(s->gc_event)) goto out;
        }
        p_bind_text(s->doc_del_sentences, 1, doc->id);
        if (run(s->doc_del_sentences)) goto out;
    }
    p_stmt *st = s->doc_put;
    p_bind_text(st, 1, doc->id);
    p_bind_int(st, 2, doc->date);
    p_bind_text(st, 3, doc->source);
    p_bind_text(st, 4, doc->url);
    p_bind_text(st, 5, doc->title);
    p_bind_text(st, 6, hash);
    if (run(st)) goto out;
    for (size_t k = 0; k < s->rows.n; k++)
        if (write_row(s, &s->rows.v[k])) goto out;
    /* each actor code is written once per session: most events repeat
     * actors.  Sorted, so that concurrent writers insert in one order. */
    for (size_t k = 0; k < s->rows.n; k++) {
        const char *codes[2] = {s->rows.v[k].source, s->rows.v[k].target};
        for (int j = 0; j < 2; j++) {
            if (!codes[j] || p_intern_find(&s->seen_actors, codes[j], strlen(codes[j])) >= 0) continue;
            int dup = 0;
            for (size_t a = 0; a < actors->n && !dup; a++) dup = !strcmp(actors->v[a], codes[j]);
            if (!dup) P_PUSH(*actors, codes[j]);
        }
    }
    if (actors->n) qsort(actors->v, actors->n, sizeof *actors->v, cmp_str);
    for (size_t a = 0; a < actors->n; a++) {
        const char *code = actors->v[a];
        int32_t first = s->rows.v[0].date;
        for (size_t k = 0; k < s->rows.n; k++)
            if ((s->rows.v[k].source && !strcmp(s->rows.v[k].source, code)) || (s->rows.v[k].target && !strcmp(s->rows.v[k].target, code))) {
                first = s->rows.v[k].date;
                break;
            }
        char country[4] = {0};
        if (strlen(code) >= 3 && strncmp(code, "---", 3)) memcpy(country, code, 3);
        p_bind_text(s->actor_put, 1, code);
        p_bind_text(s->actor_put, 2, country[0] ? country : NULL);
        p_bind_int(s->actor_put, 3, first);
        if (run(s->actor_put)) goto out;
    }
    ret = 0;
out:
    P_FREE_VEC(touched);
    P_FREE_VEC(locks);
    return ret;
}

/* Stores the rows collected for `doc`.  SQLite: into the open group,
 * committed every 5000 documents (one transaction per document would make
 * the disk sync dominate; a crash loses at most the uncommitted group, and
 * re-running re-ingests exactly those documents, whose hashes were never
 * committed).  PostgreSQL: one transaction, retried on a deadlock or
 * serialization failure. */
static parley_status store_rows(parley_store *s, const parley_doc *doc, int *n_events, parley_error *err) {
    char hash[17];
    doc_hash(doc, hash);
    strvec actors = {0};
    parley_status st = PARLEY_OK;
    for (int attempt = 0;; attempt++) {
        actors.n = 0;
        int r = write_doc(s, doc, hash, &actors);
        if (r >= 0 && s->pg) {
            if (p_db_exec(s->db, "COMMIT")) r = -1;
            else s->in_tx = 0;
        }
        if (r >= 0) {
            for (size_t a = 0; a < actors.n; a++) p_intern_add(&s->seen_actors, actors.v[a], strlen(actors.v[a]));
            if (n_events) *n_events = r ? -1 : (int)s->rows.n;
            if (r == 0 && !s->pg && ++s->pending >= 5000) st = parley_store_commit(s, err);
            break;
        }
        if (s->pg && p_db_failed(s->db) == P_FAIL_RETRY && attempt < 50) {
            p_db_exec(s->db, "ROLLBACK");
            s->in_tx = 0;
            continue;
        }
        st = abandon_group(s, err);
        break;
    }
    P_FREE_VEC(actors);
    return st;
}

/* 1 when the document is stored already with this content.  A shortcut
 * only (it saves coding the document); store_rows decides under the lock. */
static int unchanged(parley_store *s, const parley_doc *doc) {
    char hash[17];
    doc_hash(doc, hash);
    p_bind_text(s->doc_get, 1, doc->id);
    int same = p_step(s->doc_get) == P_ROW && p_col_text(s->doc_get, 0) && !strcmp(p_col_text(s->doc_get, 0), hash);
    p_reset(s->doc_get);
    return same;
}

parley_status parley_store_ingest(parley_store *s, parley_coder *c, const parley_doc *doc, int *n_events, parley_error *err) {
    if (n_events) *n_events = 0;
    if (!s || !c || !doc || !doc->id) { p_set_error(err, PARLEY_ERR_ARG, "store, coder and a document with an id are required"); return PARLEY_ERR_ARG; }
    if (!s->doc_get) { p_set_error(err, PARLEY_ERR_STATE, "the store is open read-only"); return PARLEY_ERR_STATE; }
    if (unchanged(s, doc)) { if (n_events) *n_events = -1; return PARLEY_OK; }
    start_rows(s);
    row_ctx x = {s, c->d};
    parley_status cst = parley_code_document(c, doc, on_coded_event, &x, NULL, err);
    if (cst != PARLEY_OK) return cst;
    return store_rows(s, doc, n_events, err);
}

parley_status parley_store_put(parley_store *s, const parley_dict *d, const parley_doc *doc, const parley_event *evs, size_t n,
                               int *n_events, parley_error *err) {
    if (n_events) *n_events = 0;
    if (!s || !doc || !doc->id) { p_set_error(err, PARLEY_ERR_ARG, "store and a document with an id are required"); return PARLEY_ERR_ARG; }
    if (!s->doc_get) { p_set_error(err, PARLEY_ERR_STATE, "the store is open read-only"); return PARLEY_ERR_STATE; }
    start_rows(s);
    for (size_t i = 0; i < n; i++) add_row(s, d, &evs[i]);
    return store_rows(s, doc, n_events, err);
}

parley_status parley_store_commit(parley_store *s, parley_error *err) {
    if (!s->in_tx) return PARLEY_OK;
    if (p_db_exec(s->db, "COMMIT")) {
        s->pending--; /* abandon_group counts the document being stored */
        return abandon_group(s, err);
    }
    s->in_tx = 0;
    s->pending = 0;
    return PARLEY_OK;
}
