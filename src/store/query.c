/* Read queries over the store, answered as JSON text (for the HTTP API).
 * Every function opens nothing and writes nothing: safe on a store opened
 * read-only, one store handle per thread. */
#include <stdio.h>
#include <stdlib.h>

#include "store.h"

static void jstr(p_buf *b, const char *s) {
    if (s) p_buf_json_str(b, s, strlen(s));
    else p_buf_puts(b, "null");
}

static void jcol(p_buf *b, p_stmt *st, int i) {
    switch (p_col_type(st, i)) {
    case P_COL_NULL: p_buf_puts(b, "null"); break;
    case P_COL_INT: p_buf_printf(b, "%lld", p_col_int(st, i)); break;
    case P_COL_FLOAT: p_buf_printf(b, "%.2f", p_col_double(st, i)); break;
    default: jstr(b, p_col_text(st, i)); break;
    }
}

static void jdate(p_buf *b, int d) { p_buf_printf(b, "\"%04d-%02d-%02d\"", d / 10000 % 10000, d / 100 % 100, d % 100); }

static parley_status fail(parley_store *s, parley_error *err) { return p_db_error(s->db, err); }

#define EVENT_COLS \
    "e.event_id, e.date, e.source, e.target, e.cameo, e.root, e.quad_class, e.goldstein, e.plover, e.source_text," \
    " e.target_text, e.verb_text, e.sentence_text, e.first_doc, e.first_url, e.num_mentions, e.num_articles, e.num_sources," \
    " e.geo_level, e.geo_basis, e.geo_written, e.geo_name, e.geo_lat, e.geo_lon, e.geo_country, e.geo_adm1," \
    " e.geo_adm1_name, e.geo_id"
#define EVENT_NCOLS 28

static void event_obj(p_buf *b, p_stmt *st) {
    static const char *names[] = {"id", "date", "source", "target", "cameo", "root", "quad_class", "goldstein", "plover",
                                  "source_text", "target_text", "verb_text", "sentence_text", "doc_id", "url",
                                  "num_mentions", "num_articles", "num_sources"};
    p_buf_putc(b, '{');
    for (int i = 0; i < 18; i++) {
        if (i) p_buf_putc(b, ',');
        p_buf_printf(b, "\"%s\":", names[i]);
        if (i == 0) p_buf_printf(b, "\"%lld\"", p_col_int(st, 0)); /* ids exceed 2^53 */
        else if (i == 1) jdate(b, (int)p_col_int(st, 1));
        else jcol(b, st, i);
    }
    /* the place (schema v4, docs/geo.md); a country-level guess from the
     * actors says so in "basis": "actor" */
    p_buf_puts(b, ",\"place\":");
    if (p_col_null(st, 18)) p_buf_puts(b, "null");
    else {
        static const char *geo[] = {"level", "basis", "written", "name", "lat", "lon", "country", "adm1_code", "adm1_name",
                                    "geonames_id"};
        for (int i = 0; i < 10; i++) {
            p_buf_printf(b, "%c\"%s\":", i ? ',' : '{', geo[i]);
            if (i == 4 || i == 5) p_buf_printf(b, "%.5f", p_col_double(st, 18 + i));
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
    /* full text: FTS5 in SQLite, a tsvector column in PostgreSQL (whose
     * web-search syntax reads the same plain words, "phrases" and OR) */
    if (q->text) p_buf_puts(&common, store_sql(s, " AND event_id IN (SELECT m.event_id FROM sentences_fts f JOIN mentions m"
                                                  " ON m.doc_id = f.doc_id AND m.sentence = f.idx WHERE sentences_fts MATCH ?8)",
                                               " AND event_id IN (SELECT m.event_id FROM sentences f JOIN mentions m"
                                                  " ON m.doc_id = f.doc_id AND m.sentence = f.idx"
                                                  " WHERE f.tsv @@ websearch_to_tsquery('simple', ?8))"));
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
    } else branches[nb++] = "1=1";
    p_buf_puts(&sql, "SELECT " EVENT_COLS " FROM (");
    for (int i = 0; i < nb; i++) {
        if (i) p_buf_puts(&sql, " UNION ALL ");
        p_buf_printf(&sql, "SELECT * FROM (SELECT * FROM events WHERE %s%s ORDER BY date DESC, event_id LIMIT ?12) b%d", branches[i], cm, i);
    }
    p_buf_puts(&sql, ") e ORDER BY e.date DESC, e.event_id LIMIT ?10 OFFSET ?11");
    p_buf_free(&common);
    p_stmt *st = p_db_prepare(s->db, sql.s, 0);
    p_buf_free(&sql);
    if (!st) return fail(s, err);
    if (q->actor) p_bind_text(st, 1, q->actor);
    if (q->a && q->b) { p_bind_text(st, 2, q->a); p_bind_text(st, 3, q->b); }
    if (q->code) p_bind_text(st, 4, q->code);
    if (q->quad) p_bind_int(st, 5, q->quad);
    if (q->from) p_bind_int(st, 6, q->from);
    if (q->to) p_bind_int(st, 7, q->to);
    if (q->text) p_bind_text(st, 8, q->text);
    if (q->country) p_bind_text(st, 9, q->country);
    int limit = q->limit > 0 && q->limit <= 1000 ? q->limit : 50;
    int offset = q->offset > 0 ? q->offset : 0;
    p_bind_int(st, 10, limit + 1);
    p_bind_int(st, 11, offset);
    p_bind_int(st, 12, offset + limit + 1);
    p_buf_puts(&b, "{\"events\":[");
    int n = 0, more = 0, rc;
    while ((rc = p_step(st)) == P_ROW) {
        if (n == limit) { more = 1; break; }
        if (n++) p_buf_putc(&b, ',');
        event_obj(&b, st);
    }
    p_stmt_free(st);
    if (rc == P_ERR) { p_buf_free(&b); return fail(s, err); }
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
    p_stmt *st = p_db_prepare(s->db, "SELECT " EVENT_COLS ", e.why, e.issues FROM events e WHERE e.event_id=?", 0);
    if (!st) return fail(s, err);
    p_bind_int(st, 1, eid);
    int rc = p_step(st);
    if (rc != P_ROW) {
        p_stmt_free(st);
        if (rc == P_ERR) return fail(s, err);
        p_set_error(err, PARLEY_ERR_ARG, "no event %s", id);
        return PARLEY_ERR_STATE;
    }
    p_buf b = {0};
    event_obj(&b, st);
    b.n--; /* reopen the object */
    p_buf_puts(&b, ",\"why\":");
    p_buf_puts(&b, p_col_text(st, EVENT_NCOLS) ? p_col_text(st, EVENT_NCOLS) : "[]");
    p_buf_puts(&b, ",\"issues\":");
    jstr(&b, p_col_text(st, EVENT_NCOLS + 1));
    p_stmt_free(st);
    p_buf_puts(&b, ",\"mentions\":[");
    st = p_db_prepare(s->db,
                      "SELECT m.doc_id, m.sentence, m.publisher, m.url, m.attribution, m.source_offset, m.target_offset,"
                      " m.verb_offset, s.text, d.title FROM mentions m LEFT JOIN sentences s ON s.doc_id=m.doc_id AND s.idx=m.sentence"
                      " LEFT JOIN documents d ON d.doc_id=m.doc_id WHERE m.event_id=? ORDER BY m.date, m.doc_id, m.sentence LIMIT 200",
                      0);
    if (!st) {
        p_buf_free(&b);
        return fail(s, err);
    }
    p_bind_int(st, 1, eid);
    static const char *mn[] = {"doc_id", "sentence", "publisher", "url", "attribution", "source_offset", "target_offset", "verb_offset", "sentence_text", "title"};
    int n = 0;
    while ((rc = p_step(st)) == P_ROW) {
        if (n++) p_buf_putc(&b, ',');
        p_buf_putc(&b, '{');
        for (int i = 0; i < 10; i++) {
            if (i) p_buf_putc(&b, ',');
            p_buf_printf(&b, "\"%s\":", mn[i]);
            jcol(&b, st, i);
        }
        p_buf_putc(&b, '}');
    }
    p_stmt_free(st);
    if (rc == P_ERR) { p_buf_free(&b); return fail(s, err); }
    p_buf_puts(&b, "]}");
    *out = b.s;
    *len = b.n;
    return PARLEY_OK;
}

parley_status parley_store_dyads_json(parley_store *s, int32_t since, int limit, char **out, size_t *len, parley_error *err) {
    /* portable SQL: CASE for SQLite's two-argument min/max and for summing
     * comparisons (PostgreSQL does not add booleans) */
    const char *sql =
        "SELECT CASE WHEN src_country < tgt_country THEN src_country ELSE tgt_country END x,"
        " CASE WHEN src_country < tgt_country THEN tgt_country ELSE src_country END y, count(*) n,"
        " sum(coalesce(goldstein,0)) g, sum(CASE WHEN quad_class=1 THEN 1 ELSE 0 END), sum(CASE WHEN quad_class=2 THEN 1 ELSE 0 END),"
        " sum(CASE WHEN quad_class=3 THEN 1 ELSE 0 END), sum(CASE WHEN quad_class=4 THEN 1 ELSE 0 END)"
        " FROM events WHERE src_country IS NOT NULL AND tgt_country IS NOT NULL AND src_country<>tgt_country"
        " AND src_country<>'---' AND tgt_country<>'---' AND date>=?1 GROUP BY x,y ORDER BY n DESC, x, y LIMIT ?2";
    p_stmt *st = p_db_prepare(s->db, sql, 0);
    if (!st) return fail(s, err);
    p_bind_int(st, 1, since);
    p_bind_int(st, 2, limit > 0 && limit <= 500 ? limit : 50);
    p_buf b = {0};
    p_buf_puts(&b, "{\"dyads\":[");
    int n = 0, rc;
    while ((rc = p_step(st)) == P_ROW) {
        if (n++) p_buf_putc(&b, ',');
        int cnt = (int)p_col_int(st, 2);
        double g = p_col_double(st, 3);
        p_buf_puts(&b, "{\"a\":");
        jstr(&b, p_col_text(st, 0));
        p_buf_puts(&b, ",\"b\":");
        jstr(&b, p_col_text(st, 1));
        p_buf_printf(&b, ",\"events\":%d,\"goldstein_sum\":%.1f,\"tension\":%.2f,\"quad\":[%d,%d,%d,%d]}", cnt, g, -g / (cnt + 2.0),
                     (int)p_col_int(st, 4), (int)p_col_int(st, 5), (int)p_col_int(st, 6), (int)p_col_int(st, 7));
    }
    p_stmt_free(st);
    if (rc == P_ERR) { p_buf_free(&b); return fail(s, err); }
    p_buf_puts(&b, "]}");
    *out = b.s;
    *len = b.n;
    return PARLEY_OK;
}

parley_status parley_store_stats_json(parley_store *s, char **out, size_t *len, parley_error *err) {
    p_stmt *st = p_db_prepare(s->db,
                              "SELECT (SELECT count(*) FROM events),(SELECT count(*) FROM documents),(SELECT count(*) FROM mentions),"
                              "(SELECT min(date) FROM events),(SELECT max(date) FROM events)",
                              0);
    if (!st) return fail(s, err);
    p_buf b = {0};
    int rc = p_step(st);
    if (rc == P_ROW)
        p_buf_printf(&b, "{\"status\":\"ok\",\"version\":\"%s\",\"schema\":%d,\"events\":%lld,\"documents\":%lld,\"mentions\":%lld,"
                         "\"first_date\":%d,\"last_date\":%d}",
                     PARLEY_VERSION, PARLEY_SCHEMA_VERSION, p_col_int(st, 0), p_col_int(st, 1), p_col_int(st, 2),
                     (int)p_col_int(st, 3), (int)p_col_int(st, 4));
    p_stmt_free(st);
    if (rc == P_ERR) { p_buf_free(&b); return fail(s, err); }
    *out = b.s;
    *len = b.n;
    return PARLEY_OK;
}
