/* Readers for actor, agent, discard, issue and .options files (TABARI manual
 * 5.3-5.4, 6.5; PETRARCH dictionary notes).  One reader serves TABARI and
 * Phoenix actor files: they differ only in comment characters and in
 * whether words without '_' are stems (rd.stems). */
#include <stdio.h>

#include "dict.h"

/* Strips comments.  TABARI uses ';' and whole-line '#' or '/'; PETRARCH uses
 * '#'.  A '#' inside [...] is a code ([###]), not a comment. */
static size_t strip_comment(const char *s, size_t n) {
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '[') depth++;
        else if (c == ']') { if (depth) depth--; }
        else if (!depth && (c == ';' || (c == '#' && (i == 0 || p_isspace((unsigned char)s[i - 1]) || s[i - 1] == ']'))))
            n = i;
        else if (!depth && c == '/' && i + 1 < n && s[i + 1] == '/' ) n = i;
        else if (!depth && c == '<' && i + 3 < n && !strncmp(s + i, "<!--", 4)) n = i;
    }
    while (n && p_isspace((unsigned char)s[n - 1])) n--;
    return n;
}

static const char *skip_ws(const char *s, const char *e) { while (s < e && p_isspace((unsigned char)*s)) s++; return s; }

/* Parses one "[CODE ...]" block of an actor entry into `c`. Returns 1 on
 * success; reports and returns 0 on a malformed block. */
static int parse_acode(rd *r, const char *s, size_t n, acode *c) {
    memset(c, 0, sizeof *c);
    c->line = (uint32_t)r->line;
    const char *p = s, *e = s + n;
    p = skip_ws(p, e);
    const char *cs = p;
    while (p < e && !p_isspace((unsigned char)*p) && *p != '<' && *p != '>' && !(p_isdigit((unsigned char)*p) && p == cs && 0)) p++;
    /* A code that is all digits followed by '-' is a date range with no
     * code ("[991201-010114]"), which TABARI rejects. */
    size_t cl = (size_t)(p - cs);
    char code[128];
    if (cl == 0 || cl >= sizeof code) { rd_problem(r, "missing actor code in [...]"); return 0; }
    for (size_t i = 0; i < cl; i++) code[i] = (char)p_toupper((unsigned char)cs[i]);
    code[cl] = 0;
    int digits = 1, dash = 0;
    for (size_t i = 0; i < cl; i++) { if (code[i] == '-' && i) dash = 1; else if (!p_isdigit((unsigned char)code[i])) digits = 0; }
    if (digits && dash) { rd_problem(r, "date restriction without a code: [%.*s]", (int)n, s); return 0; }
    int special = !strcmp(code, "---") || !strcmp(code, "###") || !strcmp(code, "+++");
    if (!special) {
        for (size_t i = 0; i < cl; i++) {
            char ch = code[i];
            if (!p_isalnum((unsigned char)ch) && ch != '/' && ch != '~' && ch != '!') {
                rd_problem(r, "bad character '%c' in code [%.*s]", ch, (int)n, s);
                return 0;
            }
        }
        /* "AAA950601-990815": a code run into a date. */
        if (cl > 6 && p_isdigit((unsigned char)code[cl - 1]) && p < e && *skip_ws(p, e) == '-') {
            rd_problem(r, "code run into a date: [%.*s]", (int)n, s);
            return 0;
        }
    }
    c->code = dict_code(r->d, code, cl);
    p = skip_ws(p, e);
    if (p >= e) { c->flags = AC_DEFAULT; return 1; }
    char op = 0;
    if (*p == '<' || *p == '>') { op = *p; p = skip_ws(p + 1, e); }
    const char *d1 = p;
    while (p < e && p_isdigit((unsigned char)*p)) p++;
    int32_t v1 = parley_parse_date(d1, (size_t)(p - d1));
    if (!v1) { rd_problem(r, "bad date '%.*s' in [%.*s]", (int)(p - d1), d1, (int)n, s); return 0; }
    p = skip_ws(p, e);
    if (op == '<') { c->hi = v1; }
    else if (op == '>') { c->lo = v1; }
    else if (p < e && *p == '-') {
        p = skip_ws(p + 1, e);
        const char *d2 = p;
        while (p < e && p_isdigit((unsigned char)*p)) p++;
        int32_t v2 = parley_parse_date(d2, (size_t)(p - d2));
        if (!v2) { rd_problem(r, "bad date '%.*s' in [%.*s]", (int)(p - d2), d2, (int)n, s); return 0; }
        c->lo = v1;
        c->hi = v2;
        p = skip_ws(p, e);
    } else { rd_problem(r, "date without '<', '>' or a range in [%.*s]", (int)n, s); return 0; }
    if (p < e) { rd_problem(r, "unexpected text after the date in [%.*s]", (int)n, s); return 0; }
    return 1;
}

typedef struct pending {
    P_VEC(uint32_t) phrases;     /* phrase ids waiting for their codes */
    P_VEC(acode) codes;
    long line;
    int open;
} pending;

static void pending_flush(rd *r, pending *pd) {
    if (!pd->open) return;
    pd->open = 0;
    if (!pd->codes.n) {
        rd_problem(r, "actor entry of line %ld has no code", pd->line);
        /* The phrases were added pointing at a not-yet-created actor; make
         * them harmless null-coded actors instead of dangling. */
    }
    actor a;
    memset(&a, 0, sizeof a);
    a.ncodes = (uint16_t)pd->codes.n;
    a.codes = p_arena_alloc(&r->d->arena, (pd->codes.n ? pd->codes.n : 1) * sizeof(acode));
    if (pd->codes.n) memcpy(a.codes, pd->codes.v, pd->codes.n * sizeof(acode));
    for (size_t i = 0; i < pd->codes.n; i++) if (!(pd->codes.v[i].flags & AC_DEFAULT)) r->d->n_dated++;
    a.file = r->file;
    a.line = (uint32_t)pd->line;
    a.parent = pd->phrases.n ? pd->phrases.v[0] : 0;
    P_PUSH(r->d->actors, a);
    for (size_t i = 0; i < pd->phrases.n; i++) r->d->phrases.v[pd->phrases.v[i]].target = (uint32_t)(r->d->actors.n - 1);
    pd->phrases.n = 0;
    pd->codes.n = 0;
}

/* Reads all "[...]" blocks in s..e into pd->codes. */
static void read_code_blocks(rd *r, pending *pd, const char *s, const char *e) {
    const char *p = s;
    while (p < e) {
        p = skip_ws(p, e);
        if (p >= e) break;
        if (*p != '[') { rd_problem(r, "text outside [...] after the phrase: '%.*s'", (int)(e - p), p); return; }
        const char *q = memchr(p, ']', (size_t)(e - p));
        if (!q) { rd_problem(r, "missing ']'"); return; }
        acode c;
        if (parse_acode(r, p + 1, (size_t)(q - p - 1), &c)) P_PUSH(pd->codes, c);
        p = q + 1;
    }
}

static void add_phrase_text(rd *r, pending *pd, uint8_t kind, const char *s, size_t n) {
    pwvec w = {0};
    if (!dict_parse_phrase(r, s, n, &w, 1)) { rd_problem(r, "empty phrase"); P_FREE_VEC(w); return; }
    uint32_t id = dict_add_phrase(r->d, kind, w.v, w.n, 0);
    if (pd) P_PUSH(pd->phrases, id);
    P_FREE_VEC(w);
}

parley_status dict_read_actors(rd *r, int agents_mode) {
    (void)agents_mode;
    pending pd;
    memset(&pd, 0, sizeof pd);
    int section = 0; /* 1 noun, 2 adjective */
    const char *s;
    size_t n;
    while (rd_next_line(r, &s, &n) && !r->failed) {
        if (n >= 8 && !strncmp(s, "~~FINISH", 8)) break;
        int indented = n && (s[0] == ' ' || s[0] == '\t');
        const char *t = skip_ws(s, s + n);
        size_t tn = (size_t)(s + n - t);
        if (tn && (t[0] == '#' || (t[0] == '/' && !indented) || t[0] == ';')) continue;
        tn = strip_comment(t, tn);
        if (!tn) continue;
        if (t[0] == '<') {
            if (P_STARTS(t, tn, "<NOUN>")) { pending_flush(r, &pd); section = 1; }
            else if (P_STARTS(t, tn, "<ADJECTIVE>")) { pending_flush(r, &pd); section = 2; }
            else if (P_STARTS(t, tn, "</NOUN>") || P_STARTS(t, tn, "</ADJECTIVE>")) section = 0;
            else rd_problem(r, "unknown section tag '%.*s'", (int)tn, t);
            continue;
        }
        if (section) { add_phrase_text(r, NULL, section == 1 ? K_NOUN : K_ADJ, t, tn); continue; }
        if (indented && t[0] == '[') {
            if (!pd.open) { rd_problem(r, "code line without an actor phrase"); continue; }
            read_code_blocks(r, &pd, t, t + tn);
            continue;
        }
        if (t[0] == '+') {
            if (!pd.open) { rd_problem(r, "synonym without an actor phrase"); continue; }
            const char *b = memchr(t, '[', tn);
            size_t pl = b ? (size_t)(b - t - 1) : tn - 1;
            add_phrase_text(r, &pd, K_ACTOR, t + 1, pl);
            if (b) read_code_blocks(r, &pd, b, t + tn);
            continue;
        }
        if (t[0] == '[') { rd_problem(r, "code without a phrase"); continue; }
        /* A new primary phrase. */
        pending_flush(r, &pd);
        pd.open = 1;
        pd.line = r->line;
        const char *b = memchr(t, '[', tn);
        size_t pl = b ? (size_t)(b - t) : tn;
        while (pl && p_isspace((unsigned char)t[pl - 1])) pl--;
        if (!pl) { rd_problem(r, "missing phrase"); pd.open = 0; continue; }
        add_phrase_text(r, &pd, K_ACTOR, t, pl);
        if (b) read_code_blocks(r, &pd, b, t + tn);
    }
    pending_flush(r, &pd);
    /* Phrases of an entry whose codes all failed still point at a valid
     * (code-less) actor, so the coder treats them as null-coded. */
    P_FREE_VEC(pd.phrases);
    P_FREE_VEC(pd.codes);
    return PARLEY_OK;
}

/* Agents: "PHRASE {PLURAL ...} [~CODE]" with "!NAME! = A, B" substitution
 * sets (Phoenix) expanded into every combination. */
typedef struct subst { char name[64]; P_VEC(char *) vals; } subst;

static void expand_subst(rd *r, const subst *subs, size_t nsubs, const char *phrase, size_t n, uint32_t agent_id, int depth) {
    /* a set whose values name a set again (or itself) must not recurse forever */
    if (depth > 3) { rd_problem(r, "substitution sets nested too deeply (a set refers to itself?)"); return; }
    const char *bang = memchr(phrase, '!', n);
    if (!bang) {
        pwvec w = {0};
        if (dict_parse_phrase(r, phrase, n, &w, 1)) dict_add_phrase(r->d, K_AGENT, w.v, w.n, agent_id);
        else rd_problem(r, "empty agent phrase");
        P_FREE_VEC(w);
        return;
    }
    const char *bang2 = memchr(bang + 1, '!', (size_t)(phrase + n - bang - 1));
    if (!bang2) { rd_problem(r, "unterminated !SET! in agent phrase"); return; }
    size_t nl = (size_t)(bang2 - bang + 1);
    for (size_t i = 0; i < nsubs; i++) {
        if (strlen(subs[i].name) != nl || strncmp(subs[i].name, bang, nl)) continue;
        for (size_t j = 0; j < subs[i].vals.n; j++) {
            p_buf b = {0};
            p_buf_put(&b, phrase, (size_t)(bang - phrase));
            p_buf_puts(&b, subs[i].vals.v[j]);
            p_buf_put(&b, bang2 + 1, (size_t)(phrase + n - bang2 - 1));
            expand_subst(r, subs, nsubs, b.s, b.n, agent_id, depth + 1);
            p_buf_free(&b);
        }
        return;
    }
    rd_problem(r, "undefined substitution set %.*s", (int)nl, bang);
}

parley_status dict_read_agents(rd *r) {
    P_VEC(subst) subs = {0};
    const char *s;
    size_t n;
    while (rd_next_line(r, &s, &n) && !r->failed) {
        if (n >= 8 && !strncmp(s, "~~FINISH", 8)) break;
        const char *t = skip_ws(s, s + n);
        size_t tn = (size_t)(s + n - t);
        if (tn && (t[0] == '#' || t[0] == '/' || t[0] == ';')) continue;
        tn = strip_comment(t, tn);
        if (!tn) continue;
        /* "!NAME! = A, B" defines a set; "!NAME!_OF_STATE [~GOV]" uses one */
        const char *b2 = t[0] == '!' && tn > 1 ? memchr(t + 1, '!', tn - 1) : NULL;
        const char *after = b2 ? b2 + 1 : NULL;
        while (after && after < t + tn && (*after == ' ' || *after == '\t')) after++;
        if (b2 && after < t + tn && *after == '=') {
            const char *eq = after;
            subst sb;
            memset(&sb, 0, sizeof sb);
            size_t nl = (size_t)(b2 - t + 1);
            if (nl >= sizeof sb.name) { rd_problem(r, "substitution set name too long"); continue; }
            for (size_t i = 0; i < nl; i++) sb.name[i] = (char)p_toupper((unsigned char)t[i]);
            const char *p = eq + 1, *e = t + tn;
            while (p < e) {
                p = skip_ws(p, e);
                const char *a = p;
                while (p < e && *p != ',') p++;
                const char *z = p;
                while (z > a && p_isspace((unsigned char)z[-1])) z--;
                if (z > a) {
                    char *v = p_strndup(a, (size_t)(z - a));
                    for (char *c = v; *c; c++) *c = (char)p_toupper((unsigned char)*c);
                    P_PUSH(sb.vals, v);
                }
                if (p < e) p++;
            }
            P_PUSH(subs, sb);
            continue;
        }
        const char *b = NULL;
        /* the code block is the last [...] on the line */
        for (const char *q = t + tn; q > t; q--) if (q[-1] == '[') { b = q - 1; break; }
        if (!b) { rd_problem(r, "agent without a code"); continue; }
        const char *be = memchr(b, ']', (size_t)(t + tn - b));
        if (!be) { rd_problem(r, "missing ']'"); continue; }
        char code[64];
        size_t k = 0;
        for (const char *q = b + 1; q < be && k + 1 < sizeof code; q++) if (!p_isspace((unsigned char)*q)) code[k++] = (char)p_toupper((unsigned char)*q);
        code[k] = 0;
        if (k < 2 || (code[0] != '~' && code[k - 1] != '~')) { rd_problem(r, "agent code [%s] needs a '~' before or after it", code); continue; }
        agent ag;
        memset(&ag, 0, sizeof ag);
        ag.prefix = code[k - 1] == '~';
        ag.code = ag.prefix ? dict_code(r->d, code, k - 1) : dict_code(r->d, code + 1, k - 1);
        ag.file = r->file;
        ag.line = (uint32_t)r->line;
        P_PUSH(r->d->agents, ag);
        uint32_t id = (uint32_t)(r->d->agents.n - 1);
        const char *brace = memchr(t, '{', (size_t)(b - t));
        const char *pe = brace ? brace : b;
        while (pe > t && p_isspace((unsigned char)pe[-1])) pe--;
        if (pe == t) { rd_problem(r, "agent code without a phrase"); continue; }
        expand_subst(r, subs.v, subs.n, t, (size_t)(pe - t), id, 0);
        if (brace) {
            const char *ce = memchr(brace, '}', (size_t)(b - brace));
            if (!ce) { rd_problem(r, "missing '}' in agent plurals"); continue; }
            const char *p = brace + 1;
            while (p < ce) {
                p = skip_ws(p, ce);
                const char *a = p;
                while (p < ce && !p_isspace((unsigned char)*p)) p++;
                if (p > a) expand_subst(r, subs.v, subs.n, a, (size_t)(p - a), id, 0);
            }
        }
    }
    for (size_t i = 0; i < subs.n; i++) {
        for (size_t j = 0; j < subs.v[i].vals.n; j++) free(subs.v[i].vals.v[j]);
        P_FREE_VEC(subs.v[i].vals);
    }
    P_FREE_VEC(subs);
    return PARLEY_OK;
}

/* Next line with content of a line-per-entry file (discards, issues):
 * leading blanks skipped, comments and blank lines passed over. */
static int content_line(rd *r, const char **t, size_t *tn) {
    const char *s;
    size_t n;
    while (rd_next_line(r, &s, &n) && !r->failed) {
        const char *a = skip_ws(s, s + n);
        size_t an = (size_t)(s + n - a);
        if (an && (a[0] == '#' || a[0] == ';')) continue;
        an = strip_comment(a, an);
        if (!an) continue;
        *t = a;
        *tn = an;
        return 1;
    }
    return 0;
}

parley_status dict_read_discards(rd *r) {
    const char *t;
    size_t tn;
    while (content_line(r, &t, &tn)) {
        uint8_t story = 0;
        if (t[0] == '+') { story = 1; t++; tn--; }
        pwvec w = {0};
        /* A discard phrase is consecutive words. */
        if (!dict_parse_phrase(r, t, tn, &w, 0)) { rd_problem(r, "empty discard phrase"); P_FREE_VEC(w); continue; }
        for (size_t i = 0; i < w.n; i++) w.v[i].flags |= PW_EXACT;
        uint32_t id = (uint32_t)r->d->discard_story.n;
        P_PUSH(r->d->discard_story, story);
        dict_add_phrase(r->d, K_DISCARD, w.v, w.n, id);
        P_FREE_VEC(w);
    }
    return PARLEY_OK;
}

/* PETRARCH issues: <ISSUE CATEGORY=...> blocks of "phrase [CODE]", "n:" and
 * "v:" part-of-speech marks (dropped: our words match inflections anyway),
 * '+' joining words, and "~phrase" lines that block a match. */
parley_status dict_read_issues(rd *r) {
    const char *t;
    size_t tn;
    while (content_line(r, &t, &tn)) {
        if (t[0] == '<') continue;
        uint8_t ignore = 0;
        if (t[0] == '~') { ignore = 1; t++; tn--; }
        const char *b = memchr(t, '[', tn);
        uint32_t code = 0;
        size_t pl = tn;
        if (b) {
            const char *be = memchr(b, ']', (size_t)(t + tn - b));
            if (!be) { rd_problem(r, "missing ']'"); continue; }
            code = dict_code(r->d, b + 1, (size_t)(be - b - 1));
            pl = (size_t)(b - t);
        } else if (!ignore) { rd_problem(r, "issue phrase without a code"); continue; }
        char tmp[512];
        size_t k = 0;
        for (size_t i = 0; i < pl && k + 1 < sizeof tmp; i++) {
            if ((t[i] == 'n' || t[i] == 'v' || t[i] == 'N' || t[i] == 'V') && i + 1 < pl && t[i + 1] == ':' &&
                (i == 0 || t[i - 1] == ' ' || t[i - 1] == '+')) { i++; continue; }
            tmp[k++] = t[i] == '+' ? ' ' : t[i];
        }
        pwvec w = {0};
        if (!dict_parse_phrase(r, tmp, k, &w, 0)) { P_FREE_VEC(w); rd_problem(r, "empty issue phrase"); continue; }
        for (size_t i = 0; i < w.n; i++) w.v[i].flags |= PW_EXACT;
        issue is = {code, r->file, (uint32_t)r->line, ignore};
        P_PUSH(r->d->issues, is);
        dict_add_phrase(r->d, K_ISSUE, w.v, w.n, (uint32_t)(r->d->issues.n - 1));
        P_FREE_VEC(w);
    }
    return PARLEY_OK;
}

parley_status dict_read_options(rd *r) {
    const char *s;
    size_t n;
    while (rd_next_line(r, &s, &n)) {
        char line[1024];
        if (n >= sizeof line) { rd_problem(r, "option line too long"); continue; }
        memcpy(line, s, n);
        line[n] = 0;
        const char *t = line;
        while (*t && p_isspace((unsigned char)*t)) t++;
        if (!*t || *t == '#' || (t[0] == '/' && t[1] == '/') || t[0] == '~') continue;
        parley_error e;
        if (options_apply(&r->d->opts, t, &e) != PARLEY_OK) rd_problem(r, "%s", e.message);
    }
    r->d->has_opts = 1;
    return PARLEY_OK;
}
