/* Document readers: JSON Lines, plain text, PETRARCH XML, TABARI records.
 * Each calls back once per document; a bad document is reported with its
 * id (or line) and reading goes on. */
#include "input.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
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

int read_jsonl(FILE *f, const char *name, const input_opts *io, doc_fn fn, void *ud) {
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0, bad = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        size_t a = 0;
        while ((ssize_t)a < n && p_isspace((unsigned char)line[a])) a++;
        if ((ssize_t)a == n) continue;
        char msg[400];
        if ((size_t)n > io->max_doc_bytes) {
            snprintf(msg, sizeof msg, "line of %zd bytes is over the document limit (%zu); skipped", n, io->max_doc_bytes);
            report(io, name, lineno, msg);
            bad++;
            continue;
        }
        if (!valid_utf8(line, (size_t)n)) { report(io, name, lineno, "invalid UTF-8; document skipped"); bad++; continue; }
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
    free(line);
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
            snprintf(msg, sizeof msg, "text over the document limit (%zu bytes); skipped", io->max_doc_bytes);
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

int read_petrarch_xml(const char *path, const input_opts *io, doc_fn fn, void *ud) {
    xmlDoc *x = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOWARNING | XML_PARSE_NOERROR | XML_PARSE_HUGE);
    if (!x) { report(io, path, 0, "not readable as XML"); return 1; }
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
                if (t->type == XML_ELEMENT_NODE && !xmlStrcmp(t->name, (const xmlChar *)"Text")) text = xmlNodeGetContent(t);
            const char *sid = id ? (const char *)id : "?";
            if (!text || !*text) {
                char msg[200];
                snprintf(msg, sizeof msg, "document %s: empty <Text>; skipped", sid);
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
                d.text_len = strlen(s);
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
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    p_buf text = {0};
    char id[128] = "";
    int32_t date = 0;
    int in_rec = 0, bad = 0;
    for (;;) {
        n = getline(&line, &cap, f);
        if (n >= 0) lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        int blank = n < 0;
        for (ssize_t i = 0; i < n && blank == 0; i++) (void)0;
        if (n >= 0) { blank = 1; for (ssize_t i = 0; i < n; i++) if (!p_isspace((unsigned char)line[i])) { blank = 0; break; } }
        if (blank) {
            if (in_rec && text.n) {
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
            in_rec = 0;
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
        p_buf_put(&text, line, (size_t)n);
        p_buf_putc(&text, ' ');
    }
    free(line);
    p_buf_free(&text);
    return bad;
}
