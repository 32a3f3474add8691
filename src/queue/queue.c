/* The document queue: a Redis Stream read through a consumer group.
 *
 * Delivery is at least once: a message stays pending in the group until a
 * worker acknowledges it, which the worker does only after the document's
 * events are committed.  A worker that dies leaves its messages pending;
 * any other worker takes them over with XAUTOCLAIM once they have been idle
 * longer than claim_idle_ms.  A message coded twice is harmless: event ids
 * are a hash of the event's key and the store keeps one copy of a document
 * per (id, content hash), so the result is as if it had been coded once. */
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

#include "../io/input.h"
#include "../util/util.h"

struct parley_queue {
    redisContext *rc;
    char stream[256], group[128], consumer[128];
    char cursor[64];          /* XAUTOCLAIM scan position */
    long unanswered;          /* XADDs sent, answers not read */
    long max_deliveries;      /* then a message goes to STREAM:dead */
    char where[300];          /* host:port/stream, for messages */
};

static parley_status reply_error(parley_queue *q, redisReply *r, const char *what, parley_error *err) {
    if (!r) p_set_error(err, PARLEY_ERR_IO, "redis %s: %s: %s", q->where, what, q->rc->errstr[0] ? q->rc->errstr : "no answer");
    else p_set_error(err, PARLEY_ERR_IO, "redis %s: %s: %.*s", q->where, what, (int)r->len, r->str ? r->str : "");
    freeReplyObject(r);
    return PARLEY_ERR_IO;
}

static redisReply *cmd(parley_queue *q, int argc, const char **argv) {
    return redisCommandArgv(q->rc, argc, argv, NULL);
}

parley_queue *parley_queue_open(const char *url, const char *group, const char *consumer, parley_error *err) {
    if (!url || strncmp(url, "redis://", 8)) {
        p_set_error(err, PARLEY_ERR_ARG, "queue '%s': want redis://HOST:PORT[/STREAM]", url ? url : "");
        return NULL;
    }
    char host[256] = "127.0.0.1";
    int port = 6379;
    const char *p = url + 8, *slash = strchr(p, '/'), *colon = strchr(p, ':');
    const char *hend = colon && (!slash || colon < slash) ? colon : slash ? slash : p + strlen(p);
    if (hend > p) snprintf(host, sizeof host, "%.*s", (int)(hend - p), p);
    if (colon && (!slash || colon < slash)) port = atoi(colon + 1);
    parley_queue *q = p_xcalloc(1, sizeof *q);
    snprintf(q->stream, sizeof q->stream, "%s", slash && slash[1] ? slash + 1 : "parley:docs");
    snprintf(q->group, sizeof q->group, "%s", group ? group : "");
    snprintf(q->consumer, sizeof q->consumer, "%s", consumer ? consumer : "");
    snprintf(q->cursor, sizeof q->cursor, "0-0");
    q->max_deliveries = 5;
    snprintf(q->where, sizeof q->where, "%.100s:%d/%.150s", host, port, q->stream);
    if (port <= 0 || port > 65535) { p_set_error(err, PARLEY_ERR_ARG, "queue '%s': bad port", url); free(q); return NULL; }
    struct timeval tv = {5, 0};
    q->rc = redisConnectWithTimeout(host, port, tv);
    if (!q->rc || q->rc->err) {
        p_set_error(err, PARLEY_ERR_IO, "redis %s: %s", q->where, q->rc ? q->rc->errstr : "cannot connect");
        parley_queue_close(q);
        return NULL;
    }
    if (group) {
        const char *argv[] = {"XGROUP", "CREATE", q->stream, q->group, "0", "MKSTREAM"};
        redisReply *r = cmd(q, 6, argv);
        /* BUSYGROUP: another worker made it first, which is fine */
        if (!r || (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9))) {
            reply_error(q, r, "XGROUP CREATE", err);
            parley_queue_close(q);
            return NULL;
        }
        freeReplyObject(r);
    }
    return q;
}

void parley_queue_close(parley_queue *q) {
    if (!q) return;
    if (q->rc) redisFree(q->rc);
    free(q);
}

static void set_str(json_t *o, const char *k, const char *v) { if (v) json_object_set_new(o, k, json_string(v)); }

parley_status parley_queue_put(parley_queue *q, const parley_doc *doc, parley_error *err) {
    if (!q || !doc || !doc->id) { p_set_error(err, PARLEY_ERR_ARG, "queue: a document with an id is required"); return PARLEY_ERR_ARG; }
    json_t *o = json_object();
    set_str(o, "id", doc->id);
    if (doc->date) {
        char d[16];
        snprintf(d, sizeof d, "%04d-%02d-%02d", doc->date / 10000, doc->date / 100 % 100, doc->date % 100);
        set_str(o, "date", d);
    }
    set_str(o, "source", doc->source);
    set_str(o, "url", doc->url);
    set_str(o, "title", doc->title);
    json_object_set_new(o, "text", json_stringn(doc->text ? doc->text : "", doc->text ? doc->text_len : 0));
    char *js = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!js) { p_set_error(err, PARLEY_ERR_PARSE, "document %s: text is not valid UTF-8", doc->id); return PARLEY_ERR_PARSE; }
    const char *argv[] = {"XADD", q->stream, "*", "doc", js};
    size_t lens[] = {4, strlen(q->stream), 1, 3, strlen(js)};
    int rc = redisAppendCommandArgv(q->rc, 5, argv, lens);
    free(js);
    if (rc != REDIS_OK) return reply_error(q, NULL, "XADD", err);
    /* answers are read in bulk: one round trip per many documents */
    if (++q->unanswered >= 512) return parley_queue_flush(q, err);
    return PARLEY_OK;
}

parley_status parley_queue_flush(parley_queue *q, parley_error *err) {
    parley_status st = PARLEY_OK;
    while (q->unanswered > 0) {
        redisReply *r = NULL;
        if (redisGetReply(q->rc, (void **)&r) != REDIS_OK) { q->unanswered = 0; return reply_error(q, NULL, "XADD", err); }
        q->unanswered--;
        if (r->type == REDIS_REPLY_ERROR && st == PARLEY_OK) { st = reply_error(q, r, "XADD", err); continue; }
        freeReplyObject(r);
    }
    return st;
}

typedef struct msg_ctx {
    parley_queue_msg_fn fn; void *ud;
    const char *id;
    int handed;
} msg_ctx;

static int on_msg_doc(void *ud, const parley_doc *doc) {
    msg_ctx *m = ud;
    m->handed = 1;
    return m->fn(m->ud, m->id, doc);
}

/* One stream entry: [id, [field, value, ...]] (or nil for a deleted one). */
static int deliver(parley_queue *q, redisReply *e, parley_queue_msg_fn fn, void *ud, parley_diag_fn diag, void *diag_ud) {
    if (!e || e->type != REDIS_REPLY_ARRAY || e->elements < 2 || e->element[0]->type != REDIS_REPLY_STRING) return 0;
    const char *id = e->element[0]->str;
    redisReply *f = e->element[1];
    const char *data = NULL;
    size_t len = 0;
    for (size_t i = 0; f && f->type == REDIS_REPLY_ARRAY && i + 1 < f->elements; i += 2)
        if (f->element[i]->type == REDIS_REPLY_STRING && !strcmp(f->element[i]->str, "doc")) {
            data = f->element[i + 1]->str;
            len = f->element[i + 1]->len;
        }
    msg_ctx m = {fn, ud, id, 0};
    char name[320];
    snprintf(name, sizeof name, "%s#%s", q->where, id);
    if (data && len) {
        FILE *mf = fmemopen((void *)data, len, "r");
        if (mf) {
            input_opts io = {19700101, 16u << 20, diag, diag_ud};
            read_jsonl(mf, name, &io, on_msg_doc, &m);
            fclose(mf);
        }
    } else if (diag) diag(diag_ud, name, 0, "message without a \"doc\" field; acknowledged and skipped");
    /* a message that held no usable document is still handed over, so
     * the caller acknowledges it instead of seeing it again forever */
    if (!m.handed) fn(ud, id, NULL);
    return 1;
}

void parley_queue_set_max_deliveries(parley_queue *q, long n) {
    if (q) q->max_deliveries = n > 0 ? n : 5;
}

/* A message delivered max_deliveries times and never acknowledged is
 * taking its workers down (or is otherwise cursed): it is copied to the
 * dead-letter stream STREAM:dead with the reason, acknowledged, and
 * reported, so the queue keeps moving. */
static void bury_cursed(parley_queue *q, long idle_ms, int max, parley_diag_fn diag, void *diag_ud) {
    char idle[24], count[16];
    snprintf(idle, sizeof idle, "%ld", idle_ms);
    snprintf(count, sizeof count, "%d", max);
    const char *argv[] = {"XPENDING", q->stream, q->group, "IDLE", idle, "-", "+", count};
    redisReply *r = cmd(q, 8, argv);
    if (!r || r->type != REDIS_REPLY_ARRAY) { freeReplyObject(r); return; }
    char dead[300];
    snprintf(dead, sizeof dead, "%s:dead", q->stream);
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 4 || e->element[3]->type != REDIS_REPLY_INTEGER) continue;
        long long n = e->element[3]->integer;
        if (n < q->max_deliveries) continue;
        const char *id = e->element[0]->str;
        const char *rg[] = {"XRANGE", q->stream, id, id};
        redisReply *m = cmd(q, 4, rg);
        const char *doc = "";
        size_t dl = 0;
        if (m && m->type == REDIS_REPLY_ARRAY && m->elements == 1 && m->element[0]->elements >= 2) {
            redisReply *f = m->element[0]->element[1];
            for (size_t k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements; k += 2)
                if (!strcmp(f->element[k]->str, "doc")) { doc = f->element[k + 1]->str; dl = f->element[k + 1]->len; }
        }
        char why[120];
        snprintf(why, sizeof why, "delivered %lld times, never acknowledged", n);
        const char *add[] = {"XADD", dead, "*", "id", id, "doc", doc, "reason", why};
        size_t lens[] = {4, strlen(dead), 1, 2, strlen(id), 3, dl, 6, strlen(why)};
        redisReply *a = redisCommandArgv(q->rc, 9, add, lens);
        int moved = a && a->type == REDIS_REPLY_STRING;
        freeReplyObject(a);
        if (moved) {
            const char *ack[] = {"XACK", q->stream, q->group, id};
            freeReplyObject(cmd(q, 4, ack));
            if (diag) {
                char msg[500];
                snprintf(msg, sizeof msg, "message %s: %s; moved to %s", id, why, dead);
                diag(diag_ud, q->where, 0, msg);
            }
        }
        freeReplyObject(m);
    }
    freeReplyObject(r);
}

parley_status parley_queue_read(parley_queue *q, int max, int block_ms, long claim_idle_ms, parley_queue_msg_fn fn, void *ud, int *n,
                                parley_diag_fn diag, void *diag_ud, parley_error *err) {
    if (n) *n = 0;
    if (!q || !fn || !q->group[0] || !q->consumer[0]) {
        p_set_error(err, PARLEY_ERR_ARG, "queue: reading needs a group and a consumer");
        return PARLEY_ERR_ARG;
    }
    char count[16], idle[24], block[16];
    snprintf(count, sizeof count, "%d", max > 0 ? max : 64);
    int got = 0;
    if (claim_idle_ms > 0) {
        bury_cursed(q, claim_idle_ms, max > 0 ? max : 64, diag, diag_ud);
        snprintf(idle, sizeof idle, "%ld", claim_idle_ms);
        const char *argv[] = {"XAUTOCLAIM", q->stream, q->group, q->consumer, idle, q->cursor, "COUNT", count};
        redisReply *r = cmd(q, 8, argv);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 2) return reply_error(q, r, "XAUTOCLAIM", err);
        if (r->element[0]->type == REDIS_REPLY_STRING) snprintf(q->cursor, sizeof q->cursor, "%s", r->element[0]->str);
        redisReply *es = r->element[1];
        for (size_t i = 0; es->type == REDIS_REPLY_ARRAY && i < es->elements; i++) got += deliver(q, es->element[i], fn, ud, diag, diag_ud);
        freeReplyObject(r);
        if (got) { if (n) *n = got; return PARLEY_OK; }
    }
    snprintf(block, sizeof block, "%d", block_ms > 0 ? block_ms : 0);
    const char *argv[] = {"XREADGROUP", "GROUP", q->group, q->consumer, "COUNT", count, "BLOCK", block, "STREAMS", q->stream, ">"};
    struct timeval tv = {(block_ms / 1000) + 10, 0};
    redisSetTimeout(q->rc, tv);
    redisReply *r = cmd(q, 11, argv);
    if (!r || r->type == REDIS_REPLY_ERROR) return reply_error(q, r, "XREADGROUP", err);
    if (r->type == REDIS_REPLY_ARRAY)
        for (size_t s = 0; s < r->elements; s++) {
            redisReply *sr = r->element[s];
            if (sr->type != REDIS_REPLY_ARRAY || sr->elements < 2) continue;
            redisReply *es = sr->element[1];
            for (size_t i = 0; es->type == REDIS_REPLY_ARRAY && i < es->elements; i++) got += deliver(q, es->element[i], fn, ud, diag, diag_ud);
        }
    freeReplyObject(r);
    if (n) *n = got;
    return PARLEY_OK;
}

parley_status parley_queue_ack(parley_queue *q, const char *const *ids, size_t n, parley_error *err) {
    if (!q || !n) return PARLEY_OK;
    const char **argv = p_xmalloc((n + 3) * sizeof *argv);
    argv[0] = "XACK";
    argv[1] = q->stream;
    argv[2] = q->group;
    for (size_t i = 0; i < n; i++) argv[i + 3] = ids[i];
    redisReply *r = redisCommandArgv(q->rc, (int)(n + 3), argv, NULL);
    free(argv);
    if (!r || r->type != REDIS_REPLY_INTEGER) return reply_error(q, r, "XACK", err);
    freeReplyObject(r);
    return PARLEY_OK;
}

parley_status parley_queue_backlog(parley_queue *q, long *lag, long *pending, parley_error *err) {
    if (lag) *lag = 0;
    if (pending) *pending = 0;
    const char *argv[] = {"XINFO", "GROUPS", q->stream};
    redisReply *r = cmd(q, 3, argv);
    if (!r || r->type != REDIS_REPLY_ARRAY) return reply_error(q, r, "XINFO GROUPS", err);
    for (size_t g = 0; g < r->elements; g++) {
        redisReply *m = r->element[g];
        if (m->type != REDIS_REPLY_ARRAY) continue;
        int ours = 0;
        long lg = 0, pd = 0;
        for (size_t i = 0; i + 1 < m->elements; i += 2) {
            const char *k = m->element[i]->str;
            redisReply *v = m->element[i + 1];
            if (!k) continue;
            if (!strcmp(k, "name") && v->str && !strcmp(v->str, q->group)) ours = 1;
            else if (!strcmp(k, "pending") && v->type == REDIS_REPLY_INTEGER) pd = (long)v->integer;
            else if (!strcmp(k, "lag") && v->type == REDIS_REPLY_INTEGER) lg = (long)v->integer;
        }
        if (ours) {
            if (lag) *lag = lg;
            if (pending) *pending = pd;
        }
    }
    freeReplyObject(r);
    return PARLEY_OK;
}
