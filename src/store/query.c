/* Read queries over the store, answered as JSON text (for the HTTP API).
 * Every function opens nothing and writes nothing: safe on a store opened
 * read-only, one store handle per thread. */
#include <stdio.h>
#include <stdlib.h>

#include "store.h"

static void jstr(p_buf *b, const unsigned char *s) {
    if (s) p_buf_json_str(b, (const char *)s, strlen((const char *)s));
    else p_buf_puts(b, "null");
}

static void jcol(p_buf *b, sqlite3_stmt *st, int i) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: p_buf_puts(b, "null"); break;
    case SQLITE_INTEGER: p_buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: p_buf_printf(b, "%.2f", sqlite3_column_double(st, i)); break;
    default: jstr(b, sqlite3_column_text(st, i)); break;
    }
}

static void jdate(p_buf *b, int d) { p_buf_printf(b, "\"%04d-%02d-%02d\"", d / 10000 % 10000, d / 100 % 100, d % 100); }

static int fail(parley_store *s, parley_error *err) {
    p_set_error(err, PARLEY_ERR_IO, "sqlite: %s", sqlite3_errmsg(s->db));
    return PARLEY_ERR_IO;
}

#define EVENT_COLS \
    "e.event_id, e.date, e.source, e.target, e.cameo, e.root, e.quad_class, e.goldstein, e.plover, e.source_text," \
    " e.target_text, e.verb_text, e.sentence_text, e.first_doc, e.first_url, e.num_mentions, e.num_articles, e.num_sources," \
    " e.geo_level, e.geo_basis, e.geo_written, e.geo_name, e.geo_lat, e.geo_lon, e.geo_country, e.geo_adm1," \
    " e.geo_adm1_name, e.geo_id"
#define EVENT_NCOLS 28

static void event_obj(p_buf *b, sqlite3_stmt *st) {
    static const char *names[] = {"id", "date", "source", "target", "cameo", "root", "quad_class", "goldstein", "plover",
                                  "source_text", "target_text", "verb_text", "sentence_text", "doc_id", "url",
                                  "num_mentions", "num_articles", "num_sources"};
    p_buf_putc(b, '{');
    for (int i = 0; i < 18; i++) {
        if (i) p_buf_putc(b, ',');
        p_buf_printf(b, "\"%s\":", names[i]);
        if (i == 0) p_buf_printf(b, "\"%lld\"", (long long)sqlite3_column_int64(st, 0)); /* ids exceed 2^53 */
        else if (i == 1) jdate(b, sqlite3_column_int(st, 1));
        else jcol(b, st, i);
    }
    /* the place (schema v4, docs/geo.md); a country-level guess from the
     * actors says so in "basis": "actor" */
    p_buf_puts(b, ",\"place\":");
    if (sqlite3_column_type(st, 18) == SQLITE_NULL) p_buf_puts(b, "null");
    else {
        static const char *geo[] = {"level", "basis", "written", "name", "lat", "lon", "country", "adm1_code", "adm1_name",
                                    "geonames_id"};
        for (int i = 0; i < 10; i++) {
            p_buf_printf(b, "%c\"%s\":", i ? ',' : '{', geo[i]);
            if (i == 4 || i == 5) p_buf_printf(b, "%.5f", sqlite3_column_double(st, 18 + i));
            else jcol(b, st, 18 + i);
        }
        p_buf_putc(b, '}');
    }
    p_buf_putc(b, '}');
}

/* The page of events is assembled from ordered branches: a dyad is A->B and
 * B->A, an actor is source or target.  Each branch walks its index in date
 * order and stops after offset+limit rows, so a page costs the same on a
 * million events as on a thousand (no sort of the whole match). */
parley_status parley_store_events_json(parley_store *s, const parley_event_query *q, char **out, size_t *len, parley_error *err) {
    p_buf common = {0}, sql = {0}, b = {0};
    /* every filter is a bound parameter: no user text reaches the SQL */
    if (q->code) p_buf_puts(&common, " AND cameo LIKE ?4 || '%'");
    if (q->quad) p_buf_puts(&common, " AND quad_class = ?5");
    if (q->from) p_buf_puts(&common, " AND date >= ?6");
    if (q->to) p_buf_puts(&common, " AND date <= ?7");
    if (q->text) p_buf_puts(&common, " AND event_id IN (SELECT m.event_id FROM sentences_fts f JOIN mentions m"
                                     " ON m.doc_id = f.doc_id AND m.sentence = f.idx WHERE sentences_fts MATCH ?8)");
    if (q->country) p_buf_puts(&common, " AND (src_country = ?9 OR tgt_country = ?9)");
    const char *cm = common.s ? common.s : "";
    const char *branches[4];
    int nb = 0;
    if (q->a && q->b) {
        branches[nb++] = "src_country = substr(?2,1,3) AND tgt_country = substr(?3,1,3) AND source LIKE ?2 || '%' AND target LIKE ?3 || '%'";
        branches[nb++] = "src_country = substr(?3,1,3) AND tgt_country = substr(?2,1,3) AND source LIKE ?3 || '%' AND target LIKE ?2 || '%'";
    } else if (q->actor) {
        branches[nb++] = "src_country = substr(?1,1,3) AND source LIKE ?1 || '%'";
        branches[nb++] = "tgt_country = substr(?1,1,3) AND target LIKE ?1 || '%' AND NOT (src_country = substr(?1,1,3) AND source LIKE ?1 || '%')";
    } else branches[nb++] = "1";
    p_buf_puts(&sql, "SELECT " EVENT_COLS " FROM (");
    for (int i = 0; i < nb; i++) {
        if (i) p_buf_puts(&sql, " UNION ALL ");
        p_buf_printf(&sql, "SELECT * FROM (SELECT * FROM events WHERE %s%s ORDER BY date DESC, event_id LIMIT ?12)", branches[i], cm);
    }
    p_buf_puts(&sql, ") e ORDER BY e.date DESC, e.event_id LIMIT ?10 OFFSET ?11");
    p_buf_free(&common);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql.s, -1, &st, NULL) != SQLITE_OK) { p_buf_free(&sql); return fail(s, err); }
    p_buf_free(&sql);
    if (q->actor) sqlite3_bind_text(st, 1, q->actor, -1, SQLITE_TRANSIENT);
    if (q->a && q->b) { sqlite3_bind_text(st, 2, q->a, -1, SQLITE_TRANSIENT); sqlite3_bind_text(st, 3, q->b, -1, SQLITE_TRANSIENT); }
    if (q->code) sqlite3_bind_text(st, 4, q->code, -1, SQLITE_TRANSIENT);
    if (q->quad) sqlite3_bind_int(st, 5, q->quad);
    if (q->from) sqlite3_bind_int(st, 6, q->from);
    if (q->to) sqlite3_bind_int(st, 7, q->to);
    if (q->text) sqlite3_bind_text(st, 8, q->text, -1, SQLITE_TRANSIENT);
    if (q->country) sqlite3_bind_text(st, 9, q->country, -1, SQLITE_TRANSIENT);
    int limit = q->limit > 0 && q->limit <= 1000 ? q->limit : 50;
    int offset = q->offset > 0 ? q->offset : 0;
    sqlite3_bind_int(st, 10, limit + 1);
    sqlite3_bind_int(st, 11, offset);
    sqlite3_bind_int(st, 12, offset + limit + 1);
    p_buf_puts(&b, "{\"events\":[");
    int n = 0, more = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == limit) { more = 1; break; }
        if (n++) p_buf_putc(&b, ',');
        event_obj(&b, st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) { p_buf_free(&b); return fail(s, err); }
    p_buf_printf(&b, "],\"count\":%d,\"offset\":%d,\"next_offset\":", n, offset);
    if (more) p_buf_printf(&b, "%d}", offset + n);
    else p_buf_puts(&b, "null}");
    *out = b.s;
    *len = b.n;
    return PARLEY_OK;
}

parley_status parley_store_event_json(parley_store *s, const char *id, char **out, size_t *len, parley_error *err) {
    char *end;
    long long eid = strtoll(id, &end, 10);
    if (!*id || *end) { p_set_error(err, PARLEY_ERR_ARG, "event id must be a number"); return PARLEY_ERR_ARG; }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT " EVENT_COLS ", e.why, e.issues FROM events e WHERE e.event_id=?",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(s, err);
    sqlite3_bind_int64(st, 1, eid);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        p_set_error(err, PARLEY_ERR_ARG, "no event %s", id);
        return PARLEY_ERR_STATE;
    }
    p_buf b = {0};
    event_obj(&b, st);
    b.n--; /* reopen the object */
    p_buf_puts(&b, ",\"why\":");
    p_buf_puts(&b, sqlite3_column_text(st, EVENT_NCOLS) ? (const char *)sqlite3_column_text(st, EVENT_NCOLS) : "[]");
    p_buf_puts(&b, ",\"issues\":");
    jstr(&b, sqlite3_column_text(st, EVENT_NCOLS + 1));
    sqlite3_finalize(st);
    p_buf_puts(&b, ",\"mentions\":[");
    if (sqlite3_prepare_v2(s->db,
                           "SELECT m.doc_id, m.sentence, m.publisher, m.url, m.attribution, m.source_offset, m.target_offset,"
                           " m.verb_offset, s.text, d.title FROM mentions m LEFT JOIN sentences s ON s.doc_id=m.doc_id AND s.idx=m.sentence"
                           " LEFT JOIN documents d ON d.doc_id=m.doc_id WHERE m.event_id=? ORDER BY m.date, m.doc_id, m.sentence LIMIT 200",
                           -1, &st, NULL) != SQLITE_OK) {
        p_buf_free(&b);
        return fail(s, err);
    }
    sqlite3_bind_int64(st, 1, eid);
    static const char *mn[] = {"doc_id", "sentence", "publisher", "url", "attribution", "source_offset", "target_offset", "verb_offset", "sentence_text", "title"};
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++) p_buf_putc(&b, ',');
        p_buf_putc(&b, '{');
        for (int i = 0; i < 10; i++) {
            if (i) p_buf_putc(&b, ',');
            p_buf_printf(&b, "\"%s\":", mn[i]);
            jcol(&b, st, i);
        }
        p_buf_putc(&b, '}');
    }
    sqlite3_finalize(st);
    p_buf_puts(&b, "]}");
    *out = b.s;
    *len = b.n;
    return PARLEY_OK;
}

parley_status parley_store_dyads_json(parley_store *s, int32_t since, int limit, char **out, size_t *len, parley_error *err) {
    sqlite3_stmt *st;
    const char *sql =
        "SELECT min(src_country,tgt_country) x, max(src_country,tgt_country) y, count(*) n,"
        " sum(coalesce(goldstein,0)) g, sum(quad_class=1), sum(quad_class=2), sum(quad_class=3), sum(quad_class=4)"
        " FROM events WHERE src_country IS NOT NULL AND tgt_country IS NOT NULL AND src_country<>tgt_country"
        " AND src_country<>'---' AND tgt_country<>'---' AND date>=?1 GROUP BY x,y ORDER BY n DESC LIMIT ?2";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return fail(s, err);
    sqlite3_bind_int(st, 1, since);
    sqlite3_bind_int(st, 2, limit > 0 && limit <= 500 ? limit : 50);
    p_buf b = {0};
    p_buf_puts(&b, "{\"dyads\":[");
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++) p_buf_putc(&b, ',');
        int cnt = sqlite3_column_int(st, 2);
        double g = sqlite3_column_double(st, 3);
        p_buf_puts(&b, "{\"a\":");
        jstr(&b, sqlite3_column_text(st, 0));
        p_buf_puts(&b, ",\"b\":");
        jstr(&b, sqlite3_column_text(st, 1));
        p_buf_printf(&b, ",\"events\":%d,\"goldstein_sum\":%.1f,\"tension\":%.2f,\"quad\":[%d,%d,%d,%d]}", cnt, g, -g / (cnt + 2.0),
                     sqlite3_column_int(st, 4), sqlite3_column_int(st, 5), sqlite3_column_int(st, 6), sqlite3_column_int(st, 7));
    }
    sqlite3_finalize(st);
    p_buf_puts(&b, "]}");
    *out = b.s;
    *len = b.n;
    return PARLEY_OK;
}

parley_status parley_store_stats_json(parley_store *s, char **out, size_t *len, parley_error *err) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM events),(SELECT count(*) FROM documents),(SELECT count(*) FROM mentions),"
                           "(SELECT min(date) FROM events),(SELECT max(date) FROM events)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(s, err);
    p_buf b = {0};
    if (sqlite3_step(st) == SQLITE_ROW)
        p_buf_printf(&b, "{\"status\":\"ok\",\"version\":\"%s\",\"schema\":%d,\"events\":%lld,\"documents\":%lld,\"mentions\":%lld,"
                         "\"first_date\":%d,\"last_date\":%d}",
                     PARLEY_VERSION, PARLEY_SCHEMA_VERSION, (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1),
                     (long long)sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3), sqlite3_column_int(st, 4));
    sqlite3_finalize(st);
    *out = b.s;
    *len = b.n;
    return PARLEY_OK;
}
