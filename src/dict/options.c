#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"

void options_defaults(options *o) {
    memset(o, 0, sizeof *o);
    o->code_by = CODE_BY_CLAUSE;
    /* TABARI 8.6 defaults: the first comma phrase is never deleted. */
    o->comma_min = 2; o->comma_max = 10;
    o->comma_emin = 2; o->comma_emax = 10;
    o->comma_bmin = 128; o->comma_bmax = 0;
    o->min_words = 0;
    o->time_shift = 1;
    o->negation = 1;
    o->passive = 1;
    o->noun_patterns = 1;
    o->attribution = 1;
    o->modals = 1;
    o->adjuncts = 1;
    o->reduced_relative = 1;
    o->max_sentence_bytes = 20000;
    o->max_tokens = 1000;
    o->max_compound = 64;
}

static const char *skipws(const char *s) { while (*s && p_isspace((unsigned char)*s)) s++; return s; }

static int has_word(const char *up, const char *w) { return strstr(up, w) != NULL; }

/* Reads N from "NAME[N]" or "NAME = N". */
static int num_after(const char *up, const char *name, int *out) {
    const char *p = strstr(up, name);
    if (!p) return 0;
    p += strlen(name);
    while (*p == ' ' || *p == '[' || *p == '=' || *p == '\t') p++;
    if (!p_isdigit((unsigned char)*p)) return 0;
    *out = atoi(p);
    return 1;
}

static int truth(const char *v) {
    v = skipws(v);
    return *v == 'T' || *v == 'Y' || *v == '1' || strncmp(v, "ON", 2) == 0;
}

static void bracket_code(const char *p, char *out, size_t cap) {
    const char *a = strchr(p, '[');
    out[0] = 0;
    if (!a) return;
    const char *b = strchr(a, ']');
    if (!b) return;
    size_t k = 0;
    for (const char *q = a + 1; q < b && k + 1 < cap; q++) if (!p_isspace((unsigned char)*q)) out[k++] = *q;
    out[k] = 0;
}

parley_status options_apply(options *o, const char *line, parley_error *err) {
    char up[1024];
    size_t k = 0;
    line = skipws(line);
    for (const char *s = line; *s && k + 1 < sizeof up; s++) {
        if (*s == '#' || (s[0] == '/' && s[1] == '/')) break;
        up[k++] = (char)p_toupper((unsigned char)*s);
    }
    while (k && p_isspace((unsigned char)up[k - 1])) k--;
    up[k] = 0;
    if (!k) return PARLEY_OK;

    if (strncmp(up, "SET", 3) == 0 && (up[3] == ':' || up[3] == ' ')) {
        const char *v = strchr(up, '=');
        if (has_word(up, "CODE BY CLAUSE")) o->code_by = CODE_BY_CLAUSE;
        else if (has_word(up, "CODE BY SENTENCE")) o->code_by = CODE_BY_SENTENCE;
        else if (has_word(up, "CODE ALL")) o->code_by = CODE_ALL;
        else if (has_word(up, "MINIMUM WORDS")) { int n; if (num_after(up, "MINIMUM WORDS", &n)) o->min_words = n; }
        else if (has_word(up, "CONVERT AGENT")) o->convert_agents = v ? (uint8_t)truth(v + 1) : 1;
        else if (has_word(up, "TIME SHIFT")) { o->time_shift = v ? (uint8_t)truth(v + 1) : 1; o->time_shift_set = 1; }
        else if (has_word(up, "YYYY")) o->yyyy = v ? (uint8_t)truth(v + 1) : 1;
        /* Interactive-session switches (usage files, labels, haiku, ...) have
         * no meaning for a batch coder; they are accepted and ignored. */
        return PARLEY_OK;
    }
    if (strncmp(up, "COMPLEX", 7) == 0) {
        o->cx_verbs = o->cx_actors = o->cx_pronouns = o->cx_conj = o->cx_comma = o->cx_lateverb = 0;
        num_after(up, "VERBS", &o->cx_verbs);
        num_after(up, "ACTORS", &o->cx_actors);
        num_after(up, "PRONOUNS", &o->cx_pronouns);
        num_after(up, "CONJ", &o->cx_conj);
        num_after(up, "COMMA", &o->cx_comma);
        num_after(up, "LATEVERB", &o->cx_lateverb);
        o->cx_noactprior = (uint8_t)has_word(up, "NOACTPRIOR");
        o->cx_noactafter = (uint8_t)has_word(up, "NOACTAFTER");
        o->cx_noverb = (uint8_t)has_word(up, "NOVERB");
        o->cx_nosource = (uint8_t)has_word(up, "NOSOURCE");
        o->cx_notarget = (uint8_t)has_word(up, "NOTARGET");
        o->cx_noevent = (uint8_t)has_word(up, "NOEVENT");
        return PARLEY_OK;
    }
    if (strncmp(up, "COMMA", 5) == 0) {
        if (has_word(up, "OFF")) { o->comma_off = 1; return PARLEY_OK; }
        o->comma_off = 0;
        /* Parse NAME = N pairs; EMIN before MIN so "MIN" does not catch "EMIN". */
        const char *p = up + 5;
        while (*p) {
            while (*p && !p_isalpha((unsigned char)*p)) p++;
            const char *nm = p;
            while (p_isalpha((unsigned char)*p)) p++;
            size_t nl = (size_t)(p - nm);
            while (*p == ' ' || *p == '=') p++;
            if (!p_isdigit((unsigned char)*p)) continue;
            int v = atoi(p);
            while (p_isdigit((unsigned char)*p)) p++;
            if (nl == 3 && !strncmp(nm, "MIN", 3)) o->comma_min = v;
            else if (nl == 3 && !strncmp(nm, "MAX", 3)) o->comma_max = v;
            else if (nl == 4 && !strncmp(nm, "EMIN", 4)) o->comma_emin = v;
            else if (nl == 4 && !strncmp(nm, "EMAX", 4)) o->comma_emax = v;
            else if (nl == 4 && !strncmp(nm, "BMIN", 4)) o->comma_bmin = v;
            else if (nl == 4 && !strncmp(nm, "BMAX", 4)) o->comma_bmax = v;
        }
        return PARLEY_OK;
    }
    if (strncmp(up, "DEFA", 4) == 0) {
        if (has_word(up, "OFF")) { o->def_src[0] = o->def_tgt[0] = 0; o->def_src_prior = o->def_tgt_after = 0; return PARLEY_OK; }
        const char *s = strstr(up, "SOURCE"), *t = strstr(up, "TARGET");
        if (s) { bracket_code(s, o->def_src, sizeof o->def_src); o->def_src_prior = (uint8_t)(strstr(s, "PRIOR") && (!t || strstr(s, "PRIOR") < t)); }
        if (t) { bracket_code(t, o->def_tgt, sizeof o->def_tgt); o->def_tgt_after = (uint8_t)(strstr(t, "AFTER") != NULL); }
        return PARLEY_OK;
    }
    if (strncmp(up, "NONEVENTS", 9) == 0) { o->nonevents = (uint8_t)(has_word(up, "TRUE") ? 1 : has_word(up, "ONLY") ? 2 : 0); return PARLEY_OK; }
    if (strncmp(up, "LABEL", 5) == 0 || strncmp(up, "OUTPUT", 6) == 0 || strncmp(up, "FORWARD", 7) == 0 ||
        strncmp(up, "ISSUE", 5) == 0 || strncmp(up, "FREQ", 4) == 0 || up[0] == '~')
        return PARLEY_OK; /* presentation-only commands of the TABARI console */

    /* parley's own: name = value */
    const char *eq = strchr(up, '=');
    if (eq) {
        char name[64];
        size_t n = 0;
        for (const char *s = up; s < eq && n + 1 < sizeof name; s++) if (!p_isspace((unsigned char)*s)) name[n++] = (char)(*s == '-' ? '_' : *s);
        name[n] = 0;
        const char *v = skipws(eq + 1);
        if (!strcmp(name, "CODE_ALL")) { o->code_by = truth(v) ? CODE_ALL : CODE_BY_CLAUSE; return PARLEY_OK; }
        if (!strcmp(name, "CODE_BY")) { o->code_by = has_word(v, "SENT") ? CODE_BY_SENTENCE : has_word(v, "ALL") ? CODE_ALL : CODE_BY_CLAUSE; return PARLEY_OK; }
        if (!strcmp(name, "NEGATION")) { o->negation = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "PASSIVE")) { o->passive = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "REQUIRE_DYAD")) { o->require_dyad = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "ADJUNCTS")) { o->adjuncts = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "MODALS")) { o->modals = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "STATEMENTS")) { o->statements = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "ATTRIBUTION")) { o->attribution = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "REDUCED_RELATIVE")) { o->reduced_relative = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "NOUN_PATTERNS")) { o->noun_patterns = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "TABARI_COMPAT")) { o->tabari_compat = (uint8_t)truth(v); return PARLEY_OK; }
        if (!strcmp(name, "MAX_SENTENCE_BYTES")) { o->max_sentence_bytes = atoi(v); return PARLEY_OK; }
        if (!strcmp(name, "MAX_TOKENS")) { o->max_tokens = atoi(v); return PARLEY_OK; }
        if (!strcmp(name, "MAX_COMPOUND")) { o->max_compound = atoi(v); return PARLEY_OK; }
        if (!strcmp(name, "MIN_WORDS")) { o->min_words = atoi(v); return PARLEY_OK; }
        if (!strcmp(name, "DATE")) {
            int32_t d = parley_parse_date(v, strlen(v));
            if (!d) { p_set_error(err, PARLEY_ERR_DATE, "bad date '%s'", v); return PARLEY_ERR_DATE; }
            o->default_date = d;
            return PARLEY_OK;
        }
    }
    p_set_error(err, PARLEY_ERR_PARSE, "unknown option '%s'", line);
    return PARLEY_ERR_PARSE;
}
