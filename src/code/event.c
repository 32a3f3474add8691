/* Events out: the CAMEO ontology table and the JSON Lines record. */
#include <math.h>
#include <stdio.h>

#include "../dict/dict.h"

parley_status parley_dict_load_cameo(parley_dict *d, const char *path, parley_error *err) {
    if (d->finished) { p_set_error(err, PARLEY_ERR_STATE, "load the ontology before parley_dict_finish"); return PARLEY_ERR_STATE; }
    dict_add_source(d, path);
    size_t len;
    char *data = p_read_file(path, &len, err);
    if (!data) return PARLEY_ERR_IO;
    char *p = data, *end = data + len;
    long line = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        *nl = 0;
        line++;
        if (line > 1 && *p && *p != '#') {
            char *f[8];
            int nf = 0;
            char *q = p;
            while (nf < 8) {
                f[nf++] = q;
                char *t = strchr(q, '\t');
                if (!t) break;
                *t = 0;
                q = t + 1;
            }
            if (nf < 5) {
                dict_report(d, path, line, "expected at least 5 tab-separated fields");
            } else {
                cameo_row r;
                memset(&r, 0, sizeof r);
                r.info.code = p_arena_strndup(&d->arena, f[0], strlen(f[0]));
                r.info.root = p_arena_strndup(&d->arena, f[1], strlen(f[1]));
                r.info.name = p_arena_strndup(&d->arena, f[2], strlen(f[2]));
                r.info.goldstein = atof(f[3]);
                r.info.quad_class = atoi(f[4]);
                r.info.plover = nf > 5 ? p_arena_strndup(&d->arena, f[5], strlen(f[5])) : "";
                p_intern_add(&d->cameo_idx, f[0], strlen(f[0]));
                P_PUSH(d->cameo, r);
            }
        }
        p = nl + 1;
    }
    free(data);
    return PARLEY_OK;
}

const parley_cameo_info *parley_cameo_lookup(const parley_dict *d, const char *code) {
    if (!d || !code) return NULL;
    int32_t i = p_intern_find(&d->cameo_idx, code, strlen(code));
    return i >= 0 ? &d->cameo.v[i].info : NULL;
}

static void put_str_or_null(p_buf *b, const char *s) {
    if (s) p_buf_json_str(b, s, strlen(s));
    else p_buf_puts(b, "null");
}

/* degrees with five decimals (about a metre), without printf's cost */
static void put_deg(p_buf *b, double x) {
    long v = (long)(x * 1e5 + (x < 0 ? -0.5 : 0.5));
    if (v < 0) { p_buf_putc(b, '-'); v = -v; }
    p_buf_putu(b, (unsigned long)(v / 100000));
    char f[7] = {'.', 0, 0, 0, 0, 0, 0};
    for (int i = 5, r = (int)(v % 100000); i >= 1; i--, r /= 10) f[i] = (char)('0' + r % 10);
    p_buf_put(b, f, 6);
}

parley_status parley_event_json(const parley_dict *d, const parley_event *ev, char **buf, size_t *len, size_t *cap) {
    p_buf b = {*buf, *len, *cap};
    const parley_cameo_info *ci = parley_cameo_lookup(d, ev->code);
    p_buf_puts(&b, "{\"doc_id\":");
    put_str_or_null(&b, ev->doc_id);
    p_buf_puts(&b, ",\"sentence\":");
    p_buf_puti(&b, ev->sentence);
    p_buf_puts(&b, ",\"date\":");
    if (ev->date > 0 && ev->date <= 99991231) {
        /* formatted by hand: printf was a tenth of the coder's time */
        char t[12] = {'"', 0, 0, 0, 0, '-', 0, 0, '-', 0, 0, '"'};
        int y = ev->date / 10000, m = ev->date / 100 % 100, dd = ev->date % 100;
        t[1] = (char)('0' + y / 1000), t[2] = (char)('0' + y / 100 % 10), t[3] = (char)('0' + y / 10 % 10), t[4] = (char)('0' + y % 10);
        t[6] = (char)('0' + m / 10), t[7] = (char)('0' + m % 10), t[9] = (char)('0' + dd / 10), t[10] = (char)('0' + dd % 10);
        p_buf_put(&b, t, sizeof t);
    } else if (ev->date) p_buf_printf(&b, "\"%04d-%02d-%02d\"", ev->date / 10000, ev->date / 100 % 100, ev->date % 100);
    else p_buf_puts(&b, "null");
    p_buf_puts(&b, ",\"source\":");
    put_str_or_null(&b, ev->source);
    p_buf_puts(&b, ",\"target\":");
    put_str_or_null(&b, ev->target);
    p_buf_puts(&b, ",\"cameo\":");
    put_str_or_null(&b, ev->code);
    char root[3] = {0};
    if (ev->code && ev->code[0] && ev->code[1]) { root[0] = ev->code[0]; root[1] = ev->code[1]; }
    p_buf_puts(&b, ",\"root\":");
    put_str_or_null(&b, root[0] ? root : NULL);
    if (ci) {
        p_buf_puts(&b, ",\"quad_class\":");
        p_buf_puti(&b, ci->quad_class);
        p_buf_puts(&b, ",\"goldstein\":");
        /* the scale has one decimal: tenths, rounded, as %.1f prints them */
        long t = lround(ci->goldstein * 10);
        if (t < 0) p_buf_putc(&b, '-'), t = -t;
        p_buf_putu(&b, (unsigned long)(t / 10));
        p_buf_putc(&b, '.');
        p_buf_putc(&b, (char)('0' + t % 10));
        p_buf_puts(&b, ",\"plover\":");
        put_str_or_null(&b, *ci->plover ? ci->plover : NULL);
    }
    else p_buf_puts(&b, ",\"quad_class\":null,\"goldstein\":null,\"plover\":null");
    p_buf_puts(&b, ",\"source_text\":");
    put_str_or_null(&b, ev->source_text);
    p_buf_puts(&b, ",\"target_text\":");
    put_str_or_null(&b, ev->target_text);
    p_buf_puts(&b, ",\"verb_text\":");
    put_str_or_null(&b, ev->verb_text);
    p_buf_puts(&b, ",\"sentence_text\":");
    put_str_or_null(&b, ev->sentence_text);
    p_buf_puts(&b, ",\"issues\":[");
    if (ev->issues) {
        const char *p = ev->issues;
        int first = 1;
        while (*p) {
            const char *q = strchr(p, ',');
            size_t l = q ? (size_t)(q - p) : strlen(p);
            if (!first) p_buf_putc(&b, ',');
            p_buf_json_str(&b, p, l);
            first = 0;
            if (!q) break;
            p = q + 1;
        }
    }
    p_buf_puts(&b, "],\"place\":");
    const parley_place *pl = &ev->place;
    if (pl->level) {
        /* level and basis are parley's own words: nothing to escape */
        p_buf_puts(&b, "{\"level\":\"");
        p_buf_puts(&b, pl->level);
        p_buf_puts(&b, "\",\"basis\":\"");
        p_buf_puts(&b, pl->basis ? pl->basis : "");
        p_buf_puts(&b, "\",\"written\":");
        put_str_or_null(&b, pl->written);
        p_buf_puts(&b, ",\"name\":");
        put_str_or_null(&b, pl->name);
        p_buf_puts(&b, ",\"lat\":");
        put_deg(&b, pl->lat);
        p_buf_puts(&b, ",\"lon\":");
        put_deg(&b, pl->lon);
        p_buf_puts(&b, ",\"country\":");
        put_str_or_null(&b, pl->country);
        p_buf_puts(&b, ",\"adm1_code\":");
        put_str_or_null(&b, pl->adm1_code && *pl->adm1_code ? pl->adm1_code : NULL);
        p_buf_puts(&b, ",\"adm1_name\":");
        put_str_or_null(&b, pl->adm1_name && *pl->adm1_name ? pl->adm1_name : NULL);
        if (pl->geonames_id) { p_buf_puts(&b, ",\"geonames_id\":"); p_buf_puti(&b, pl->geonames_id); p_buf_putc(&b, '}'); }
        else p_buf_puts(&b, ",\"geonames_id\":null}");
    } else p_buf_puts(&b, "null");
    p_buf_puts(&b, ",\"why\":");
    p_buf_puts(&b, ev->why ? ev->why : "[]");
    p_buf_putc(&b, '}');
    *buf = b.s;
    *len = b.n;
    *cap = b.cap;
    return PARLEY_OK;
}
