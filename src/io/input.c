/* Document readers: JSON Lines, plain text, PETRARCH XML, TABARI records.
 * Each calls back once per document; a bad document is reported with its
 * id (or line) and reading goes on. */
#include "input.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../util/util.h"

static void report(const input_opts *io, const char *where, long line, const char *msg) {
    if (io->diag) io->diag(io->diag_ud, where, line, msg);
}

static int valid_utf8(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            if (!(v & P_HIGHS)) { i += 8; continue; }
        }
        unsigned c = p[i];
        if (c < 0x80) { i++; continue; }
        int k = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (k < 0 || i + (size_t)k >= n) return 0;
        for (int j = 1; j <= k; j++) if ((p[i + (size_t)j] & 0xC0) != 0x80) return 0;
        i += (size_t)k + 1;
    }
    return 1;
}

static int32_t doc_date(const input_opts *io, const char *s, const char *where, long line, const char *id) {
    if (!s || !*s) return io->default_date;
    int32_t d = parley_parse_date(s, strlen(s));
    if (!d) {
        char msg[300];
        snprintf(msg, sizeof msg, "document %s: unknown date '%.40s'; using the default date", id ? id : "?", s);
        report(io, where, line, msg);
        return io->default_date;
    }
    return d;
}

/* Fast path for the common record: a flat object of strings, numbers,
 * booleans and nulls.  Anything else (nesting, odd escapes) returns -1 and
 * the line goes to jansson, which stays the reference reader. */
typedef struct flat { const char *v[6]; size_t n[6]; int is_num[6]; } flat;
static const char *const flat_keys[6] = {"id", "date", "source", "url", "title", "text"};
static const uint8_t flat_key_len[6] = {2, 4, 6, 3, 5, 4};

static int hexval(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

static int put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) { o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F)); return 3; }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the JSON string at *pp (after the opening quote) into out (which
 * has room for the raw length).  Returns length or -1. */
static long json_str(const char **pp, const char *e, char *out) {
    const char *p = *pp;
    long k = 0;
    while (p < e) {
        /* a run with no quote, backslash or control, copied whole */
        size_t run = p_json_copy_plain_in(out + k, p, (size_t)(e - p));
        k += (long)run;
        p += run;
        if (p >= e) break;
        unsigned char c = (unsigned char)*p;
        if (c == '"') { *pp = p + 1; return k; }
        if (c < 0x20) return -1;
        if (c != '\\') { out[k++] = (char)c; p++; continue; }
        if (++p >= e) return -1;
        switch (*p) {
        case '"': out[k++] = '"'; break;
        case '\\': out[k++] = '\\'; break;
        case '/': out[k++] = '/'; break;
        case 'b': out[k++] = '\b'; break;
        case 'f': out[k++] = '\f'; break;
        case 'n': out[k++] = '\n'; break;
        case 'r': out[k++] = '\r'; break;
        case 't': out[k++] = '\t'; break;
        case 'u': {
            if (e - p < 5) return -1;
            int h[4];
            for (int q = 0; q < 4; q++) if ((h[q] = hexval(p[1 + q])) < 0) return -1;
            uint32_t cp = (uint32_t)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                if (e - p < 7 || p[1] != '\\' || p[2] != 'u') return -1;
                int g[4];
                for (int q = 0; q < 4; q++) if ((g[q] = hexval(p[3 + q])) < 0) return -1;
                uint32_t lo = (uint32_t)(g[0] << 12 | g[1] << 8 | g[2] << 4 | g[3]);
                if (lo < 0xDC00 || lo > 0xDFFF) return -1;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) return -1;
            if (cp == 0) return -1; /* NUL inside text: let jansson judge */
            k += put_utf8(out + k, cp);
            break;
        }
        default: return -1;
        }
        p++;
    }
    return -1;
}

static int flat_parse(const char *line, size_t n, char *scratch, flat *fl) {
    const char *p = line, *e = line + n;
    memset(fl, 0, sizeof *fl);
    while (p < e && p_isspace((unsigned char)*p)) p++;
    if (p >= e || *p++ != '{') return -1;
    char *o = scratch;
    for (;;) {
        while (p < e && p_isspace((unsigned char)*p)) p++;
        if (p < e && *p == '}' && o == scratch) { p++; break; }
        if (p >= e || *p++ != '"') return -1;
        const char *kstart = p;
        while (p < e && *p != '"' && *p != '\\') p++;
        if (p >= e || *p != '"') return -1;
        size_t kl = (size_t)(p - kstart);
        p++;
        while (p < e && p_isspace((unsigned char)*p)) p++;
        if (p >= e || *p++ != ':') return -1;
        while (p < e && p_isspace((unsigned char)*p)) p++;
        if (p >= e) return -1;
        /* the first letter and the length pick the one key it can be */
        int slot = -1;
        for (int q = 0; q < 6; q++)
            if (flat_key_len[q] == kl && flat_keys[q][0] == *kstart) { slot = memcmp(flat_keys[q], kstart, kl) ? -1 : q; break; }
        if (*p == '"') {
            p++;
            long L = json_str(&p, e, o);
            if (L < 0) return -1;
            if (slot >= 0) { fl->v[slot] = o; fl->n[slot] = (size_t)L; fl->is_num[slot] = 0; }
            o += L;
            *o++ = 0;
        } else if (*p == '{' || *p == '[') return -1;
        else {
            const char *a = p;
            while (p < e && *p != ',' && *p != '}' && !p_isspace((unsigned char)*p)) p++;
            size_t L = (size_t)(p - a);
            int num = L && (p_isdigit((unsigned char)a[0]) || a[0] == '-');
            if (!num && !(L == 4 && (!memcmp(a, "null", 4) || !memcmp(a, "true", 4))) && !(L == 5 && !memcmp(a, "false", 5))) return -1;
            if (slot >= 0 && num) { memcpy(o, a, L); fl->v[slot] = o; fl->n[slot] = L; fl->is_num[slot] = 1; o += L; *o++ = 0; }
        }
        while (p < e && p_isspace((unsigned char)*p)) p++;
        if (p < e && *p == ',') { p++; continue; }
        if (p < e && *p == '}') { p++; break; }
        return -1;
    }
    while (p < e && p_isspace((unsigned char)*p)) p++;
    return p == e ? 0 : -1;
}

/* The id of a JSON Lines record too big to parse: the value of the first
 * top-level-looking "id" key, a string without escapes or a number.  Only
 * for the message; a miss falls back to file:line. */
static int peek_id(const char *s, size_t n, char *out, size_t cap) {
    const char *p = s, *e = s + n;
    while ((p = memmem(p, (size_t)(e - p), "\"id\"", 4)) != NULL) {
        const char *q = p + 4;
        int after_key = p > s && (p[-1] == '{' || p[-1] == ',' || p_isspace((unsigned char)p[-1]));
        p = q;
        if (!after_key) continue;
        while (q < e && p_isspace((unsigned char)*q)) q++;
        if (q >= e || *q++ != ':') continue;
        while (q < e && p_isspace((unsigned char)*q)) q++;
        int str = q < e && *q == '"';
        if (str) q++;
        size_t k = 0;
        while (q < e && k + 1 < cap && k < 64 && (str ? *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 : p_isdigit((unsigned char)*q) || *q == '-'))
            out[k++] = *q++;
        out[k] = 0;
        if (k && (!str || (q < e && *q == '"'))) return 1;
    }
    return 0;
}

/* Lines of a stream, of which at most `keep` bytes are stored: a record
 * over the document limit is counted but never held in memory whole. */
typedef struct lines { FILE *f; char buf[1 << 16]; size_t a, n; } lines;

/* The next line (without its newline) into out; returns its full length,
 * or -1 at the end of the stream. */
static long long next_line(lines *L, p_buf *out, size_t keep) {
    p_buf_clear(out);
    long long total = 0;
    int any = 0;
    for (;;) {
        if (L->a == L->n) {
            L->a = 0;
            L->n = fread(L->buf, 1, sizeof L->buf, L->f);
            if (!L->n) return any ? total : -1;
        }
        any = 1;
        const char *a = L->buf + L->a;
        const char *nl = memchr(a, '\n', L->n - L->a);
        size_t len = nl ? (size_t)(nl - a) : L->n - L->a;
        if (out->n < keep) p_buf_put(out, a, len < keep - out->n ? len : keep - out->n);
        total += (long long)len;
        L->a += len + (nl != NULL);
        if (nl) return total;
    }
}

int read_jsonl(FILE *f, const char *name, const input_opts *io, doc_fn fn, void *ud) {
    char *line, *scratch = NULL;
    size_t scratch_cap = 0;
    long lineno = 0, bad = 0;
    long long total;
    lines *L = p_xmalloc(sizeof *L);
    L->f = f;
    L->a = L->n = 0;
    p_buf lb = {0};
    size_t keep = io->max_doc_bytes < SIZE_MAX - 2 ? io->max_doc_bytes + 2 : SIZE_MAX;
    while ((total = next_line(L, &lb, keep)) >= 0) {
        lineno++;
        p_buf_putc(&lb, 0); /* a buffer even for an empty line */
        lb.n--;
        line = lb.s;
        ssize_t n = (ssize_t)lb.n;
        if (total > (long long)lb.n) n = (ssize_t)(total < (long long)SSIZE_MAX ? total : SSIZE_MAX); /* only the length is used below */
        while (n > 0 && (size_t)n <= lb.n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        size_t a = 0;
        while ((ssize_t)a < n && p_isspace((unsigned char)line[a])) a++;
        if ((ssize_t)a == n) continue;
        char msg[400];
        if ((size_t)n > io->max_doc_bytes) {
            char idb[72];
            if (!peek_id(line, lb.n, idb, sizeof idb)) snprintf(idb, sizeof idb, "%.40s:%ld", name, lineno);
            snprintf(msg, sizeof msg, "document %s: %zd bytes, over the document limit (%zu); skipped", idb, n, io->max_doc_bytes);
            report(io, name, lineno, msg);
            bad++;
            continue;
        }
        if (!valid_utf8(line, (size_t)n)) { report(io, name, lineno, "invalid UTF-8; document skipped"); bad++; continue; }
        if ((size_t)n + 16 > scratch_cap) { scratch_cap = (size_t)n + 16; free(scratch); scratch = p_xmalloc(scratch_cap); }
        flat fl;
        if (flat_parse(line, (size_t)n, scratch, &fl) == 0) {
            char idbuf2[64];
            const char *id = fl.v[0] ? fl.v[0] : NULL;
            if (!id) { snprintf(idbuf2, sizeof idbuf2, "%.40s:%ld", name, lineno); id = idbuf2; }
            if (!fl.v[5] || fl.is_num[5]) {
                snprintf(msg, sizeof msg, "document %.100s: no \"text\" string; skipped", id);
                report(io, name, lineno, msg);
                bad++;
                continue;
            }
            parley_doc d;
            memset(&d, 0, sizeof d);
            d.id = id;
            d.date = doc_date(io, fl.v[1] && !fl.is_num[1] ? fl.v[1] : NULL, name, lineno, id);
            d.source = fl.v[2] && !fl.is_num[2] ? fl.v[2] : NULL;
            d.url = fl.v[3] && !fl.is_num[3] ? fl.v[3] : NULL;
            d.title = fl.v[4] && !fl.is_num[4] ? fl.v[4] : NULL;
            d.text = fl.v[5];
            d.text_len = fl.n[5];
            if (fn(ud, &d)) break;
            continue;
        }
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)n, 0, &je);
        if (!o || !json_is_object(o)) {
            snprintf(msg, sizeof msg, "not a JSON object (%s); document skipped", o ? "wrong type" : je.text);
            report(io, name, lineno, msg);
            json_decref(o);
            bad++;
            continue;
        }
        json_t *jid = json_object_get(o, "id"), *jt = json_object_get(o, "text");
        char idbuf[64];
        const char *id = json_is_string(jid) ? json_string_value(jid) : NULL;
        if (!id && json_is_integer(jid)) { snprintf(idbuf, sizeof idbuf, "%lld", (long long)json_integer_value(jid)); id = idbuf; }
        if (!id) { snprintf(idbuf, sizeof idbuf, "%s:%ld", name, lineno); id = idbuf; }
        if (!json_is_string(jt)) {
            snprintf(msg, sizeof msg, "document %s: no \"text\" string; skipped", id);
            report(io, name, lineno, msg);
            json_decref(o);
            bad++;
            continue;
        }
        parley_doc d;
        memset(&d, 0, sizeof d);
        d.id = id;
        json_t *jd = json_object_get(o, "date");
        d.date = doc_date(io, json_is_string(jd) ? json_string_value(jd) : NULL, name, lineno, id);
        json_t *js = json_object_get(o, "source"), *ju = json_object_get(o, "url"), *jti = json_object_get(o, "title");
        d.source = json_is_string(js) ? json_string_value(js) : NULL;
        d.url = json_is_string(ju) ? json_string_value(ju) : NULL;
        d.title = json_is_string(jti) ? json_string_value(jti) : NULL;
        d.text = json_string_value(jt);
        d.text_len = json_string_length(jt);
        int stop = fn(ud, &d);
        json_decref(o);
        if (stop) break;
    }
    p_buf_free(&lb);
    free(L);
    free(scratch);
    return (int)bad;
}

int read_text(FILE *f, const char *name, const input_opts *io, doc_fn fn, void *ud) {
    p_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        p_buf_put(&b, tmp, n);
        if (b.n > io->max_doc_bytes) {
            char msg[200];
            snprintf(msg, sizeof msg, "document %.100s: text over the document limit (%zu bytes); skipped", name, io->max_doc_bytes);
            report(io, name, 0, msg);
            p_buf_free(&b);
            return 1;
        }
    }
    if (!b.n) { report(io, name, 0, "empty input"); p_buf_free(&b); return 1; }
    if (!valid_utf8(b.s, b.n)) { report(io, name, 0, "invalid UTF-8; document skipped"); p_buf_free(&b); return 1; }
    parley_doc d;
    memset(&d, 0, sizeof d);
    d.id = name;
    d.date = io->default_date;
    d.text = b.s;
    d.text_len = b.n;
    fn(ud, &d);
    p_buf_free(&b);
    return 0;
}

#define XML_FLAGS (XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOWARNING | XML_PARSE_NOERROR | XML_PARSE_HUGE)

static int read_petrarch_doc(xmlDoc *x, const char *path, const input_opts *io, doc_fn fn, void *ud);

int read_petrarch_xml(const char *path, const input_opts *io, doc_fn fn, void *ud) {
    xmlDoc *x = xmlReadFile(path, NULL, XML_FLAGS);
    if (!x) { report(io, path, 0, "not readable as XML"); return 1; }
    return read_petrarch_doc(x, path, io, fn, ud);
}

int read_petrarch_xml_buffer(const char *data, size_t len, const char *name, const input_opts *io, doc_fn fn, void *ud) {
    xmlDoc *x = len <= INT_MAX ? xmlReadMemory(data, (int)len, name, NULL, XML_FLAGS) : NULL;
    if (!x) { report(io, name, 0, "not readable as XML"); return 1; }
    return read_petrarch_doc(x, name, io, fn, ud);
}

/* Takes x and frees it. */
static int read_petrarch_doc(xmlDoc *x, const char *path, const input_opts *io, doc_fn fn, void *ud) {
    int bad = 0;
    xmlNode *root = xmlDocGetRootElement(x);
    /* <Sentence> elements anywhere below the root */
    xmlNode *stack[64];
    int sp = 0;
    if (root) stack[sp++] = root;
    while (sp) {
        xmlNode *n = stack[--sp];
        for (xmlNode *k = n->last; k; k = k->prev)
            if (k->type == XML_ELEMENT_NODE && sp < 63 && xmlStrcmp(k->name, (const xmlChar *)"Sentence")) stack[sp++] = k;
        for (xmlNode *k = n->children; k; k = k->next) {
            if (k->type != XML_ELEMENT_NODE || xmlStrcmp(k->name, (const xmlChar *)"Sentence")) continue;
            xmlChar *id = xmlGetProp(k, (const xmlChar *)"id"), *date = xmlGetProp(k, (const xmlChar *)"date");
            xmlChar *text = NULL;
            for (xmlNode *t = k->children; t; t = t->next)
                if (t->type == XML_ELEMENT_NODE && !xmlStrcmp(t->name, (const xmlChar *)"Text")) {
                    xmlFree(text); /* a second <Text> replaces the first */
                    text = xmlNodeGetContent(t);
                }
            const char *sid = id ? (const char *)id : "?";
            size_t tlen = text ? strlen((const char *)text) : 0;
            if (!tlen || tlen > io->max_doc_bytes) {
                char msg[300];
                if (!tlen) snprintf(msg, sizeof msg, "document %.100s: empty <Text>; skipped", sid);
                else snprintf(msg, sizeof msg, "document %.100s: %zu bytes, over the document limit (%zu); skipped", sid, tlen, io->max_doc_bytes);
                report(io, path, xmlGetLineNo(k), msg);
                bad++;
            } else {
                parley_doc d;
                memset(&d, 0, sizeof d);
                d.id = sid;
                d.date = doc_date(io, (const char *)date, path, xmlGetLineNo(k), sid);
                char *s = (char *)text;
                for (char *q = s; *q; q++) if (*q == '\n' || *q == '\t' || *q == '\r') *q = ' ';
                d.text = s;
                d.text_len = tlen;
                d.title = NULL;
                fn(ud, &d);
            }
            xmlFree(id);
            xmlFree(date);
            xmlFree(text);
        }
        (void)0;
    }
    xmlFreeDoc(x);
    return bad;
}

int read_tabari_records(FILE *f, const char *name, const input_opts *io, doc_fn fn, void *ud) {
    char *line;
    ssize_t n;
    lines *L = p_xmalloc(sizeof *L);
    L->f = f;
    L->a = L->n = 0;
    p_buf lb = {0};
    /* a line cut at keep bytes is over the limit anyway */
    size_t keep = io->max_doc_bytes < SIZE_MAX - 2 ? io->max_doc_bytes + 2 : SIZE_MAX;
    long lineno = 0;
    p_buf text = {0};
    char id[128] = "";
    int32_t date = 0;
    int in_rec = 0, bad = 0, too_big = 0;
    for (;;) {
        long long total = next_line(L, &lb, keep);
        p_buf_putc(&lb, 0); /* a buffer even for an empty line */
        lb.n--;
        line = lb.s;
        n = total < 0 ? -1 : (ssize_t)lb.n;
        if (n >= 0) lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        int blank = n < 0;
        for (ssize_t i = 0; i < n && blank == 0; i++) (void)0;
        if (n >= 0) { blank = 1; for (ssize_t i = 0; i < n; i++) if (!p_isspace((unsigned char)line[i])) { blank = 0; break; } }
        if (blank) {
            if (in_rec && too_big) bad++;
            else if (in_rec && text.n) {
                /* drop slash-star comments as TABARI does */
                p_buf clean = {0};
                int cm = 0;
                for (size_t i = 0; i < text.n; i++) {
                    if (!cm && i + 1 < text.n && text.s[i] == '/' && text.s[i + 1] == '*') { cm = 1; i++; continue; }
                    if (cm && i + 1 < text.n && text.s[i] == '*' && text.s[i + 1] == '/') { cm = 0; i++; continue; }
                    if (!cm) p_buf_putc(&clean, text.s[i]);
                }
                parley_doc d;
                memset(&d, 0, sizeof d);
                d.id = id;
                d.date = date;
                d.text = clean.s ? clean.s : "";
                d.text_len = clean.n;
                fn(ud, &d);
                p_buf_free(&clean);
            }
            in_rec = too_big = 0;
            p_buf_clear(&text);
            if (n < 0) break;
            continue;
        }
        if (!in_rec) {
            int digits = 0;
            while (digits < n && p_isdigit((unsigned char)line[digits])) digits++;
            if ((digits == 6 || digits == 8) && digits < n && p_isspace((unsigned char)line[digits])) {
                date = parley_parse_date(line, (size_t)digits);
                const char *a = line + digits;
                while (*a && p_isspace((unsigned char)*a)) a++;
                snprintf(id, sizeof id, "%s", a);
                if (!date) {
                    char msg[200];
                    snprintf(msg, sizeof msg, "record %s: bad date; using the default date", id);
                    report(io, name, lineno, msg);
                    date = io->default_date;
                    bad++;
                }
                in_rec = 1;
            }
            continue;
        }
        if (too_big) continue;
        if (text.n + (size_t)n + 1 > io->max_doc_bytes) {
            char msg[300];
            snprintf(msg, sizeof msg, "document %.100s: record over the document limit (%zu bytes); skipped", id, io->max_doc_bytes);
            report(io, name, lineno, msg);
            too_big = 1;
            p_buf_clear(&text);
            continue;
        }
        p_buf_put(&text, line, (size_t)n);
        p_buf_putc(&text, ' ');
    }
    p_buf_free(&lb);
    free(L);
    p_buf_free(&text);
    return bad;
}
