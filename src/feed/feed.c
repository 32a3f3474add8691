/* Feeds: RSS 2.0 / RSS 1.0 / Atom parsing, and article HTML reduced to text.
 *
 * Both work on memory only (no network, no files), so the fuzz target and
 * the tests drive exactly the code the poller uses.  libxml2 is asked never
 * to touch the network and never to substitute entities, so a hostile feed
 * cannot make us fetch a DTD or expand an entity bomb. */
#include "feed.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include "../util/util.h"

static int name_is(const xmlNode *n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static const char *ns_href(const xmlNode *n) { return n->ns && n->ns->href ? (const char *)n->ns->href : ""; }

/* Whitespace runs become one space; leading/trailing space goes. */
static void put_squeezed(p_buf *b, const char *s, int *pending_space) {
    for (; *s; s++) {
        if (p_isspace((unsigned char)*s)) { *pending_space = 1; continue; }
        if (*pending_space && b->n && b->s[b->n - 1] != '\n') p_buf_putc(b, ' ');
        *pending_space = 0;
        p_buf_putc(b, *s);
    }
}

/* ---------------------------------------------------------- HTML -> text */

/* Page furniture that is never article text. */
static int skipped_element(const char *name) {
    static const char *skip[] = {"script", "style", "nav", "header", "footer", "aside", "noscript",
                                 "form", "iframe", "svg", "template", "button", "select", "figcaption"};
    for (size_t i = 0; i < P_ARRAY_LEN(skip); i++)
        if (!strcmp(name, skip[i])) return 1;
    return 0;
}

static void text_of(const xmlNode *n, p_buf *b, int *sp) {
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content) put_squeezed(b, (const char *)n->content, sp);
        } else if (n->type == XML_ELEMENT_NODE && !skipped_element((const char *)n->name)) {
            if (!strcmp((const char *)n->name, "br")) *sp = 1;
            text_of(n->children, b, sp);
        }
    }
}

static int is_para(const char *name) {
    /* headings are left out: the headline comes with the item's title */
    return !strcmp(name, "p") || !strcmp(name, "blockquote") || !strcmp(name, "li");
}

/* Paragraph-level blocks, in document order, one per line pair.  A block
 * inside another (a <p> in a <blockquote>) is taken once, at the outer one. */
static int collect_paras(const xmlNode *n, p_buf *b) {
    int found = 0;
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || skipped_element((const char *)n->name)) continue;
        if (is_para((const char *)n->name)) {
            size_t before = b->n;
            if (b->n) p_buf_puts(b, "\n\n");
            size_t start = b->n;
            int sp = 0;
            text_of(n->children, b, &sp);
            if (b->n == start) b->n = before; /* empty paragraph: nothing */
            else found = 1;
            if (b->s) b->s[b->n] = 0;
            continue;
        }
        found |= collect_paras(n->children, b);
    }
    return found;
}

char *parley_html_to_text(const char *html, size_t len, size_t *out_len) {
    if (out_len) *out_len = 0;
    if (!html || len > INT32_MAX) return NULL;
    htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    p_buf b = {0};
    if (doc) {
        xmlNode *root = xmlDocGetRootElement(doc);
        /* an article page keeps its text in paragraphs; a feed snippet may
         * be bare text with <br>: then everything outside furniture counts */
        if (root && !collect_paras(root, &b)) {
            b.n = 0;
            int sp = 0;
            text_of(root, &b, &sp);
        }
        xmlFreeDoc(doc);
    }
    p_buf_putc(&b, 0);
    b.n--;
    if (out_len) *out_len = b.n;
    return b.s;
}

/* ---------------------------------------------------------------- dates */

/* RFC 822 ("Tue, 03 Jun 2025 10:00:00 GMT") or RFC 3339
 * ("2025-06-03T10:00:00Z") -> YYYYMMDD; 0 when neither. */
int32_t feed_parse_date(const char *s) {
    if (!s) return 0;
    while (p_isspace((unsigned char)*s)) s++;
    if (p_isdigit((unsigned char)s[0]) && strlen(s) >= 10 && s[4] == '-') return parley_parse_date(s, 10);
    const char *p = strchr(s, ',');
    p = p ? p + 1 : s;
    while (p_isspace((unsigned char)*p)) p++;
    int day = 0, year = 0;
    char mon[4] = {0};
    if (sscanf(p, "%2d %3s %4d", &day, mon, &year) != 3) return 0;
    static const char *months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int m = 0; m < 12; m++) {
        if (strncasecmp(mon, months[m], 3)) continue;
        if (year < 100) year += year <= 30 ? 2000 : 1900;
        if (year < 1000 || year > 9999 || day < 1 || day > 31) return 0;
        int32_t ymd = year * 10000 + (m + 1) * 100 + day;
        /* 31 Feb comes back as another day: not a date */
        return p_from_day_number(p_day_number(ymd)) == ymd ? ymd : 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- feeds */

typedef struct item_fields { xmlChar *id, *link, *title, *text, *date; } item_fields;

static void take(xmlChar **slot, const xmlNode *n) {
    if (*slot) return; /* the first one wins */
    *slot = xmlNodeGetContent(n);
}

static void free_fields(item_fields *f) {
    xmlFree(f->id); xmlFree(f->link); xmlFree(f->title); xmlFree(f->text); xmlFree(f->date);
    memset(f, 0, sizeof *f);
}

/* Item text may be markup (escaped HTML in <description>, or XHTML
 * content); either way the reader wants plain text. */
static char *plain(const xmlChar *s, size_t *len) {
    if (!s) { *len = 0; return NULL; }
    const char *t = (const char *)s;
    if (strchr(t, '<') || strchr(t, '&')) return parley_html_to_text(t, strlen(t), len);
    p_buf b = {0};
    int sp = 0;
    put_squeezed(&b, t, &sp);
    p_buf_putc(&b, 0);
    b.n--;
    *len = b.n;
    return b.s;
}

static int emit(const item_fields *f, parley_feed_item_fn fn, void *ud) {
    parley_feed_item it;
    memset(&it, 0, sizeof it);
    size_t tl = 0, hl = 0;
    char *title = plain(f->title, &hl);
    char *text = plain(f->text, &tl);
    it.url = f->link ? (const char *)f->link : NULL;
    it.id = f->id && *f->id ? (const char *)f->id : it.url;
    it.title = title && *title ? title : NULL;
    it.text = text && *text ? text : NULL;
    it.text_len = it.text ? tl : 0;
    it.date = feed_parse_date((const char *)f->date);
    int stop = 0;
    /* an item with neither id nor link cannot be told apart from the next
     * poll's copy of it: it would be coded again each time */
    if (it.id || it.text) {
        char fallback[40];
        if (!it.id) {
            snprintf(fallback, sizeof fallback, "%016llx", (unsigned long long)p_hash(it.text, it.text_len));
            it.id = fallback;
        }
        stop = fn(ud, &it);
    }
    free(title);
    free(text);
    return stop;
}

static void rss_item(const xmlNode *item, item_fields *f) {
    for (const xmlNode *c = item->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        const char *nm = (const char *)c->name;
        if (!strcmp(nm, "title")) take(&f->title, c);
        else if (!strcmp(nm, "link")) take(&f->link, c);
        else if (!strcmp(nm, "guid")) take(&f->id, c);
        else if (!strcmp(nm, "encoded") || !strcmp(nm, "description")) {
            /* content:encoded is the full text, description often a teaser */
            if (!strcmp(nm, "encoded")) { xmlFree(f->text); f->text = NULL; }
            take(&f->text, c);
        } else if (!strcmp(nm, "pubDate") || (!strcmp(nm, "date") && strstr(ns_href(c), "purl.org/dc"))) take(&f->date, c);
    }
    if (f->link) { /* links are often wrapped in whitespace */
        char *s = (char *)f->link;
        size_t a = 0, n = strlen(s);
        while (a < n && p_isspace((unsigned char)s[a])) a++;
        while (n > a && p_isspace((unsigned char)s[n - 1])) n--;
        memmove(s, s + a, n - a);
        s[n - a] = 0;
    }
}

static void atom_entry(const xmlNode *e, item_fields *f) {
    xmlChar *summary = NULL;
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        const char *nm = (const char *)c->name;
        if (!strcmp(nm, "title")) take(&f->title, c);
        else if (!strcmp(nm, "id")) take(&f->id, c);
        else if (!strcmp(nm, "link")) {
            xmlChar *rel = xmlGetProp(c, (const xmlChar *)"rel");
            if (!rel || !strcmp((const char *)rel, "alternate"))
                if (!f->link) f->link = xmlGetProp(c, (const xmlChar *)"href");
            xmlFree(rel);
        } else if (!strcmp(nm, "content")) {
            if (!f->text) {
                /* type="xhtml" content is markup in the tree, not text */
                xmlChar *type = xmlGetProp(c, (const xmlChar *)"type");
                if (type && !strcmp((const char *)type, "xhtml")) {
                    xmlBufferPtr buf = xmlBufferCreate();
                    for (xmlNode *k = c->children; k; k = k->next) xmlNodeDump(buf, c->doc, k, 0, 0);
                    f->text = xmlStrdup(xmlBufferContent(buf));
                    xmlBufferFree(buf);
                } else take(&f->text, c);
                xmlFree(type);
            }
        } else if (!strcmp(nm, "summary")) take(&summary, c);
        else if (!strcmp(nm, "published")) { xmlFree(f->date); f->date = xmlNodeGetContent(c); }
        else if (!strcmp(nm, "updated")) take(&f->date, c);
    }
    if (!f->text) f->text = summary;
    else xmlFree(summary);
}

parley_status parley_feed_parse(const char *xml, size_t len, const char *feed_url, parley_feed_item_fn fn, void *ud,
                                parley_error *err) {
    if (!xml || !fn || len > INT32_MAX) { p_set_error(err, PARLEY_ERR_ARG, "feed: no input"); return PARLEY_ERR_ARG; }
    xmlParserCtxtPtr ctx = xmlNewParserCtxt();
    if (!ctx) { p_set_error(err, PARLEY_ERR_NOMEM, "out of memory"); return PARLEY_ERR_NOMEM; }
    xmlDocPtr doc = xmlCtxtReadMemory(ctx, xml, (int)len, feed_url, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = &ctx->lastError;
        char msg[300];
        snprintf(msg, sizeof msg, "%s", e->message ? e->message : "not well-formed");
        size_t ml = strlen(msg);
        while (ml && (msg[ml - 1] == '\n' || msg[ml - 1] == ' ')) msg[--ml] = 0;
        p_set_error(err, PARLEY_ERR_PARSE, "%s:%d: XML parse error: %s", feed_url ? feed_url : "feed", e->line, msg);
        xmlFreeParserCtxt(ctx);
        return PARLEY_ERR_PARSE;
    }
    xmlFreeParserCtxt(ctx);
    const xmlNode *root = xmlDocGetRootElement(doc);
    parley_status st = PARLEY_OK;
    const xmlNode *items = NULL;
    int atom = 0;
    if (name_is(root, "rss")) {
        for (const xmlNode *c = root->children; c; c = c->next)
            if (name_is(c, "channel")) { items = c->children; break; }
        if (!items) { p_set_error(err, PARLEY_ERR_PARSE, "%s: RSS without a <channel>", feed_url ? feed_url : "feed"); st = PARLEY_ERR_PARSE; }
    } else if (name_is(root, "RDF")) {
        items = root->children; /* RSS 1.0: items are siblings of the channel */
    } else if (name_is(root, "feed")) {
        items = root->children;
        atom = 1;
    } else {
        p_set_error(err, PARLEY_ERR_PARSE, "%s: not a feed (root element <%s>, want <rss>, <rdf:RDF> or <feed>)",
                    feed_url ? feed_url : "feed", root ? (const char *)root->name : "none");
        st = PARLEY_ERR_PARSE;
    }
    for (const xmlNode *c = items; c && st == PARLEY_OK; c = c->next) {
        if (!name_is(c, atom ? "entry" : "item")) continue;
        item_fields f = {0};
        if (atom) atom_entry(c, &f);
        else rss_item(c, &f);
        int stop = emit(&f, fn, ud);
        free_fields(&f);
        if (stop) break;
    }
    xmlFreeDoc(doc);
    return st;
}
