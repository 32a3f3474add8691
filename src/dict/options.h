/* Coder options: TABARI's .options commands (manual chapter 8) plus parley's
 * own switches.  Parsed here so a .options file, a validation record and the
 * CLI all share one reader. */
#ifndef PARLEY_OPTIONS_H
#define PARLEY_OPTIONS_H

#include <stdint.h>
#include "parley.h"

enum { CODE_BY_CLAUSE, CODE_BY_SENTENCE, CODE_ALL };

typedef struct options {
    int code_by;
    /* COMPLEX: thresholds (0 = off) and conditions */
    int cx_verbs, cx_actors, cx_pronouns, cx_conj, cx_comma, cx_lateverb;
    uint8_t cx_noactprior, cx_noactafter, cx_noverb, cx_nosource, cx_notarget, cx_noevent;
    /* COMMA: clause deletion limits; comma_off disables it */
    int comma_min, comma_max, comma_emin, comma_emax, comma_bmin, comma_bmax;
    uint8_t comma_off;
    /* DEFAULT: */
    char def_src[32], def_tgt[32];
    uint8_t def_src_prior, def_tgt_after;
    uint8_t convert_agents, time_shift, time_shift_set, yyyy, nonevents;
    int min_words;
    /* parley's own */
    uint8_t negation;        /* suppress negated verbs ("did not attack")       */
    uint8_t passive;         /* automatic passive-voice detection               */
    uint8_t require_dyad;    /* drop events without both source and target      */
    uint8_t tabari_compat;   /* follow TABARI's rules literally (validation)    */
    uint8_t noun_patterns;   /* noun-only event words code only via a pattern   */
    uint8_t adjuncts;        /* no default target inside "after/despite/when ..." */
    uint8_t modals;          /* verbs under could/may/should/must are not coded */
    uint8_t statements;      /* code a named speaker's statement next to its report */
    uint8_t attribution;     /* "..., X said": the speaker is next to the verb   */
    uint8_t reduced_relative;/* "N arrested in P were ...": not the clause's event */
    int max_sentence_bytes, max_tokens, max_compound;
    int32_t default_date;
} options;

void options_defaults(options *o);
/* One option line; returns PARLEY_OK or a parse error with a message. */
parley_status options_apply(options *o, const char *line, parley_error *err);

#endif
