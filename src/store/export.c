/* Exports in the layouts other tools read (docs/formats.md):
 *   gdelt           GDELT 2.0 event table, 61 tab-separated columns
 *   gdelt-mentions  GDELT 2.0 mentions table, 16 columns
 *   icews           ICEWS coded events, 20 tab-separated columns (with header)
 *   phoenix         Phoenix CSV, 26 columns (with header)
 *   plover          PLOVER JSON Lines (actor / recipient entity lists)
 *   csv, jsonl      parley's own columns
 * Fields parley does not have (tone, geography until geocoding lands) are
 * left empty, never invented. */
#include <stdio.h>

#include "store.h"

static const char *col(p_stmt *st, int i) {
    const char *t = p_col_text(st, i);
    return t ? t : "";
}

/* Tab/CSV-safe field: tabs and newlines become spaces. */
static void put_clean(FILE *f, const char *s, char sep) {
    for (; *s; s++) {
        char c = *s;
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
        if (sep == ',' && c == '"') { fputs("\"\"", f); continue; }
        fputc(c, f);
    }
}

static void put_csv(FILE *f, const char *s) {
    fputc('"', f);
    put_clean(f, s, ',');
    fputc('"', f);
}

static void put_json(FILE *f, const char *s) {
    p_buf b = {0};
    if (s) p_buf_json_str(&b, s, strlen(s));
    else p_buf_puts(&b, "null");
    fwrite(b.s, 1, b.n, f);
    p_buf_free(&b);
}

/* CAMEO actor code -> country part and up to three role codes (3 letters each). */
static void split_actor(const char *code, char country[4], char types[3][4]) {
    memset(country, 0, 4);
    memset(types, 0, 12);
    if (!code || !*code) return;
    size_t n = strlen(code), i = 0;
    if (n >= 3 && strncmp(code, "---", 3) && strncmp(code, "IGO", 3) && strncmp(code, "NGO", 3) && strncmp(code, "IMG", 3)) {
        memcpy(country, code, 3);
        i = 3;
    } else if (n >= 3 && !strncmp(code, "---", 3)) i = 3;
    for (int t = 0; t < 3 && i + 3 <= n; t++, i += 3) memcpy(types[t], code + i, 3);
}

/* The publishers of an event, sorted, so that both engines list them alike
 * (neither orders an aggregate by itself). */
#define EVENT_SQL(PUBLISHERS) \
    "SELECT e.event_id, e.date, e.source, e.target, e.cameo, e.root, e.quad_class, e.goldstein, e.plover," \
    " e.source_text, e.target_text, e.verb_text, e.sentence_text, e.issues, e.first_doc, e.first_url," \
    " e.num_mentions, e.num_articles, e.num_sources," \
    " (SELECT min(sentence) FROM mentions m WHERE m.event_id=e.event_id AND m.doc_id=e.first_doc)," \
    " " PUBLISHERS "," \
    " e.why, e.geo_level, e.geo_name, e.geo_country2, e.geo_adm1, e.geo_adm1_name, e.geo_lat, e.geo_lon, e.geo_id," \
    " e.geo_country_name, e.geo_basis, e.geo_written, e.geo_country FROM events e ORDER BY e.date, e.event_id"
#define LITE_PUBLISHERS \
    "(SELECT group_concat(p) FROM (SELECT DISTINCT coalesce(publisher,'') AS p FROM mentions m" \
    " WHERE m.event_id=e.event_id ORDER BY p))"
#define PG_PUBLISHERS \
    "(SELECT string_agg(DISTINCT coalesce(publisher,''), ',' ORDER BY coalesce(publisher,'')) FROM mentions m" \
    " WHERE m.event_id=e.event_id)"
enum { G_LEVEL = 22, G_NAME, G_CC2, G_ADM1, G_ADM1_NAME, G_LAT, G_LON, G_ID, G_CNAME, G_BASIS, G_WRITTEN, G_CC3 };

/* GDELT's ActionGeo_* (8 columns, after the published layout): Type
 * 1 country, 2 US state, 3 US city, 4 world city, 5 world state (our ADM1s
 * and regions); CountryCode is ISO 3166-1 alpha-2 (GDELT writes FIPS 10-4);
 * ADM1Code is that code and the GeoNames ADM1 code; FeatureID the GeoNames
 * id, else the ADM1 code.  Empty when the event has no place. */
static void gdelt_geo(FILE *f, p_stmt *st) {
    const char *level = col(st, G_LEVEL);
    if (!*level) { for (int k = 0; k < 8; k++) fputc('\t', f); return; }
    int us = !strcmp(col(st, G_CC2), "US");
    int type = !strcmp(level, "country") ? 1 : !strcmp(level, "city") ? (us ? 3 : 4) : (us ? 2 : 5);
    fprintf(f, "%d\t", type);
    put_clean(f, col(st, G_NAME), '\t');
    if (type != 1) {
        if (*col(st, G_ADM1_NAME) && strcmp(col(st, G_ADM1_NAME), col(st, G_NAME))) { fputs(", ", f); put_clean(f, col(st, G_ADM1_NAME), '\t'); }
        fputs(", ", f);
        put_clean(f, col(st, G_CNAME), '\t');
    }
    fprintf(f, "\t%s\t", col(st, G_CC2));
    if (*col(st, G_ADM1)) fprintf(f, "%s%s", col(st, G_CC2), col(st, G_ADM1));
    else if (type == 1) fputs(col(st, G_CC2), f);
    fprintf(f, "\t\t%.4f\t%.4f\t", p_col_double(st, G_LAT), p_col_double(st, G_LON));
    if (p_col_int(st, G_ID)) fprintf(f, "%lld", p_col_int(st, G_ID));
    else if (*col(st, G_ADM1)) fprintf(f, "%s%s", col(st, G_CC2), col(st, G_ADM1));
    else fputs(col(st, G_CC2), f);
    fputc('\t', f);
}


parley_status parley_store_export(parley_store *s, const parley_dict *d, const char *format, void *out, parley_error *err) {
    FILE *f = out;
    (void)d;
    int fmt = !strcmp(format, "gdelt") ? 1 : !strcmp(format, "gdelt-mentions") ? 2 : !strcmp(format, "icews") ? 3
            : !strcmp(format, "phoenix") ? 4 : !strcmp(format, "plover") ? 5 : !strcmp(format, "csv") ? 6
            : !strcmp(format, "jsonl") ? 7 : 0;
    if (!fmt) { p_set_error(err, PARLEY_ERR_ARG, "unknown export format '%s' (gdelt, gdelt-mentions, icews, phoenix, plover, csv, jsonl)", format); return PARLEY_ERR_ARG; }
    const char *sql = fmt == 2 ? "SELECT m.event_id, e.date, m.date, m.publisher, coalesce(m.url, m.doc_id), m.sentence,"
                                 " m.source_offset, m.target_offset, m.verb_offset, m.attribution, m.sentence_offset"
                                 " FROM mentions m JOIN events e USING(event_id) ORDER BY e.date, m.event_id, m.doc_id, m.sentence"
                               : store_sql(s, EVENT_SQL(LITE_PUBLISHERS), EVENT_SQL(PG_PUBLISHERS));
    p_stmt *st = p_db_prepare(s->db, sql, 0);
    if (!st) return p_db_error(s->db, err);
    if (fmt == 3)
        fputs("Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\tCAMEO Code\tIntensity\t"
              "Target Name\tTarget Sectors\tTarget Country\tStory ID\tSentence Number\tPublisher\tCity\tDistrict\t"
              "Province\tCountry\tLatitude\tLongitude\n", f);
    if (fmt == 4)
        fputs("EventID,Date,Year,Month,Day,SourceActorFull,SourceActorEntity,SourceActorRole,SourceActorAttribute,"
              "TargetActorFull,TargetActorEntity,TargetActorRole,TargetActorAttribute,EventCode,EventRootCode,QuadClass,"
              "GoldsteinScore,Issues,Lat,Lon,LocationName,StateName,CountryCode,SentenceID,URLs,NewsSources\n", f);
    if (fmt == 6)
        fputs("event_id,date,source,target,cameo,root,quad_class,goldstein,num_mentions,num_articles,num_sources,"
              "source_text,target_text,verb_text,sentence_text,first_doc,url\n", f);
    int rc;
    while ((rc = p_step(st)) == P_ROW) {
        if (fmt == 2) {
            /* GlobalEventID EventTimeDate MentionTimeDate MentionType MentionSourceName MentionIdentifier
             * SentenceID Actor1CharOffset Actor2CharOffset ActionCharOffset InRawText Confidence MentionDocLen
             * MentionDocTone MentionDocTranslationInfo Extras */
            long long so = p_col_int(st, 10);
            long long a1 = p_col_null(st, 6) || (int)p_col_int(st, 6) < 0 ? -1 : so + (int)p_col_int(st, 6);
            long long a2 = p_col_null(st, 7) || (int)p_col_int(st, 7) < 0 ? -1 : so + (int)p_col_int(st, 7);
            long long av = so + (int)p_col_int(st, 8);
            fprintf(f, "%lld\t%d000000\t%d000000\t1\t", p_col_int(st, 0), (int)p_col_int(st, 1), (int)p_col_int(st, 2));
            put_clean(f, col(st, 3), '\t');
            fputc('\t', f);
            put_clean(f, col(st, 4), '\t');
            fprintf(f, "\t%d\t%lld\t%lld\t%lld\t1\t100\t\t\t\t", (int)p_col_int(st, 5) + 1, a1, a2, av);
            if (!p_col_null(st, 9)) { fputs("<ATTRIBUTION>", f); put_clean(f, col(st, 9), '\t'); fputs("</ATTRIBUTION>", f); }
            fputc('\n', f);
            continue;
        }
        long long id = p_col_int(st, 0);
        int date = (int)p_col_int(st, 1);
        const char *src = col(st, 2), *tgt = col(st, 3), *code = col(st, 4), *root = col(st, 5);
        int quad = (int)p_col_int(st, 6);
        double gold = p_col_double(st, 7);
        int gnull = p_col_null(st, 7);
        int nm = (int)p_col_int(st, 16), na = (int)p_col_int(st, 17), ns = (int)p_col_int(st, 18);
        char sc[4], tc[4], st3[3][4], tt3[3][4];
        split_actor(src, sc, st3);
        split_actor(tgt, tc, tt3);
        char base[4] = {code[0], code[0] ? code[1] : 0, code[0] && code[1] ? code[2] : 0, 0};
        if (fmt == 1) {
            /* 61 columns of the GDELT 2.0 event table */
            fprintf(f, "%lld\t%d\t%d\t%d\t%.4f\t", id, date, date / 100, date / 10000,
                    date / 10000 + ((date / 100 % 100) - 1) / 12.0 + (date % 100) / 365.0);
            const char *ac[2] = {src, tgt};
            const char *an[2] = {col(st, 9), col(st, 10)};
            char (*ty[2])[4] = {st3, tt3};
            const char *cc[2] = {sc, tc};
            for (int k = 0; k < 2; k++) {
                put_clean(f, ac[k], '\t');
                fputc('\t', f);
                put_clean(f, an[k], '\t');
                fprintf(f, "\t%s\t\t\t\t\t%s\t%s\t%s\t", cc[k], ty[k][0], ty[k][1], ty[k][2]);
            }
            fprintf(f, "1\t%s\t%s\t%s\t%d\t", code, base, root, quad);
            if (!gnull) fprintf(f, "%.1f", gold);
            fprintf(f, "\t%d\t%d\t%d\t\t", nm, ns, na);
            /* Actor1Geo_*, Actor2Geo_*: 8 columns each, empty (actors are not
             * located); ActionGeo_*: the event's place */
            for (int k = 0; k < 16; k++) fputc('\t', f);
            gdelt_geo(f, st);
            fprintf(f, "%d000000\t", date);
            put_clean(f, *col(st, 15) ? col(st, 15) : col(st, 14), '\t');
            fputc('\n', f);
        } else if (fmt == 3) {
            fprintf(f, "%lld\t%04d-%02d-%02d\t", id, date / 10000, date / 100 % 100, date % 100);
            put_clean(f, col(st, 9), '\t');
            fprintf(f, "\t%s%s%s%s%s\t%s\t", st3[0], st3[1][0] ? "," : "", st3[1], st3[2][0] ? "," : "", st3[2], sc);
            put_clean(f, col(st, 11), '\t');
            fprintf(f, "\t%s\t", code);
            if (!gnull) fprintf(f, "%.1f", gold);
            fputc('\t', f);
            put_clean(f, col(st, 10), '\t');
            fprintf(f, "\t%s%s%s%s%s\t%s\t", tt3[0], tt3[1][0] ? "," : "", tt3[1], tt3[2][0] ? "," : "", tt3[2], tc);
            put_clean(f, col(st, 14), '\t');
            fprintf(f, "\t%d\t", (int)p_col_int(st, 19) + 1);
            put_clean(f, col(st, 20), '\t');
            /* City, District, Province, Country, Latitude, Longitude */
            const char *level = col(st, G_LEVEL);
            fputc('\t', f);
            if (!strcmp(level, "city")) put_clean(f, col(st, G_NAME), '\t');
            fputs("\t\t", f);
            put_clean(f, !strcmp(level, "adm1") || !strcmp(level, "region") ? col(st, G_NAME) : col(st, G_ADM1_NAME), '\t');
            fputc('\t', f);
            put_clean(f, col(st, G_CNAME), '\t');
            if (*level) fprintf(f, "\t%.4f\t%.4f\n", p_col_double(st, G_LAT), p_col_double(st, G_LON));
            else fputs("\t\t\n", f);
        } else if (fmt == 4) {
            fprintf(f, "%lld,%d,%d,%d,%d,", id, date, date / 10000, date / 100 % 100, date % 100);
            put_csv(f, src); fprintf(f, ",%s,%s,%s,", sc, st3[0], st3[1]);
            put_csv(f, tgt); fprintf(f, ",%s,%s,%s,", tc, tt3[0], tt3[1]);
            fprintf(f, "%s,%s,%d,", code, root, quad);
            if (!gnull) fprintf(f, "%.1f", gold);
            fputc(',', f);
            put_csv(f, col(st, 13));
            fputs(",,,,,,", f);
            fprintf(f, "%s-%d,", col(st, 14), (int)p_col_int(st, 19));
            put_csv(f, col(st, 15));
            fputc(',', f);
            put_csv(f, col(st, 20));
            fputc('\n', f);
        } else if (fmt == 5) {
            fprintf(f, "{\"id\":\"parley-%lld\",\"date\":\"%04d-%02d-%02d\",\"actor\":[", id, date / 10000, date / 100 % 100, date % 100);
            if (*src) { fputs("{\"code\":", f); put_json(f, src); fputs(",\"country\":", f); put_json(f, *sc ? sc : NULL); fputs(",\"sector_code\":", f); put_json(f, *st3[0] ? st3[0] : NULL); fputs(",\"raw_text\":", f); put_json(f, col(st, 9)); fputc('}', f); }
            fputs("],\"recipient\":[", f);
            if (*tgt) { fputs("{\"code\":", f); put_json(f, tgt); fputs(",\"country\":", f); put_json(f, *tc ? tc : NULL); fputs(",\"sector_code\":", f); put_json(f, *tt3[0] ? tt3[0] : NULL); fputs(",\"raw_text\":", f); put_json(f, col(st, 10)); fputc('}', f); }
            fputs("],\"event\":[", f);
            if (*col(st, 8)) put_json(f, col(st, 8));
            fprintf(f, "],\"cameo\":\"%s\",\"quad_code\":%d,\"event_scale\":", code, quad);
            if (!gnull) fprintf(f, "%.1f", gold); else fputs("null", f);
            fputs(",\"event_text\":[", f);
            put_json(f, col(st, 11));
            fputs("],\"text\":", f);
            put_json(f, col(st, 12));
            fputs(",\"cite_info\":{\"doc_id\":", f);
            put_json(f, col(st, 14));
            fputs(",\"url\":", f);
            put_json(f, *col(st, 15) ? col(st, 15) : NULL);
            fprintf(f, ",\"num_mentions\":%d,\"num_articles\":%d,\"num_sources\":%d},\"coder\":\"parley %s\"}\n", nm, na, ns, PARLEY_VERSION);
        } else if (fmt == 6) {
            fprintf(f, "%lld,%04d-%02d-%02d,", id, date / 10000, date / 100 % 100, date % 100);
            put_csv(f, src); fputc(',', f); put_csv(f, tgt);
            fprintf(f, ",%s,%s,%d,", code, root, quad);
            if (!gnull) fprintf(f, "%.1f", gold);
            fprintf(f, ",%d,%d,%d,", nm, na, ns);
            for (int k = 9; k <= 12; k++) { put_csv(f, col(st, k)); fputc(',', f); }
            put_csv(f, col(st, 14)); fputc(',', f); put_csv(f, col(st, 15));
            fputc('\n', f);
        } else {
            fprintf(f, "{\"event_id\":%lld,\"date\":\"%04d-%02d-%02d\",\"source\":", id, date / 10000, date / 100 % 100, date % 100);
            put_json(f, *src ? src : NULL); fputs(",\"target\":", f); put_json(f, *tgt ? tgt : NULL);
            fprintf(f, ",\"cameo\":\"%s\",\"root\":\"%s\",\"quad_class\":%d,\"goldstein\":", code, root, quad);
            if (!gnull) fprintf(f, "%.1f", gold); else fputs("null", f);
            fprintf(f, ",\"num_mentions\":%d,\"num_articles\":%d,\"num_sources\":%d,\"source_text\":", nm, na, ns);
            put_json(f, col(st, 9)); fputs(",\"target_text\":", f); put_json(f, col(st, 10));
            fputs(",\"verb_text\":", f); put_json(f, col(st, 11)); fputs(",\"sentence_text\":", f); put_json(f, col(st, 12));
            fputs(",\"doc_id\":", f); put_json(f, col(st, 14)); fputs(",\"why\":", f);
            fputs(*col(st, 21) ? col(st, 21) : "[]", f);
            fputs(",\"place\":", f);
            if (*col(st, G_LEVEL)) {
                fputs("{\"level\":", f); put_json(f, col(st, G_LEVEL));
                fputs(",\"basis\":", f); put_json(f, col(st, G_BASIS));
                fputs(",\"written\":", f); put_json(f, *col(st, G_WRITTEN) ? col(st, G_WRITTEN) : NULL);
                fputs(",\"name\":", f); put_json(f, col(st, G_NAME));
                fprintf(f, ",\"lat\":%.5f,\"lon\":%.5f,\"country\":", p_col_double(st, G_LAT), p_col_double(st, G_LON));
                put_json(f, col(st, G_CC3));
                fputs(",\"adm1_code\":", f); put_json(f, *col(st, G_ADM1) ? col(st, G_ADM1) : NULL);
                fputs(",\"adm1_name\":", f); put_json(f, *col(st, G_ADM1_NAME) ? col(st, G_ADM1_NAME) : NULL);
                if (p_col_int(st, G_ID)) fprintf(f, ",\"geonames_id\":%lld}", p_col_int(st, G_ID));
                else fputs(",\"geonames_id\":null}", f);
            } else fputs("null", f);
            fputs("}\n", f);
        }
    }
    p_stmt_free(st);
    if (rc == P_ERR) return p_db_error(s->db, err);
    return ferror(f) ? PARLEY_ERR_IO : PARLEY_OK;
}
