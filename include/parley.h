/*
 * parley.h — the one public API of libparley, a CAMEO event coder.
 *
 * Pipeline: text -> sentences -> tokens -> actors/verbs -> events.
 *
 * Ownership rules, stated once and followed everywhere:
 *  - Every `parley_X_new` has a matching `parley_X_free`; free functions accept NULL.
 *  - A `parley_dict` is mutable while it is being loaded and immutable after
 *    `parley_dict_finish`.  A finished dictionary may be shared by any number
 *    of threads at once; it must outlive every coder made from it.
 *  - A `parley_coder` holds one thread's scratch state.  Never use one coder
 *    from two threads at the same time; make one coder per thread instead
 *    (clones of one coder, `parley_coder_clone`, share its token cache).
 *  - Events handed to a callback (and every string inside them) are owned by
 *    the coder and are valid only during the callback.  Copy what you keep.
 *  - Functions that can fail return a `parley_status`; details go into the
 *    caller's `parley_error` (message is a fixed buffer: nothing to free).
 *  - Diagnostics about input (a dictionary line that does not parse, a bad
 *    document) go to the diagnostic callback as "file:line: reason"; they are
 *    counted, never fatal unless the caller asks for strictness.
 *
 * The library has no global mutable state.
 */
#ifndef PARLEY_H
#define PARLEY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PARLEY_BUILDING) && defined(__GNUC__)
#define PARLEY_API __attribute__((visibility("default")))
#else
#define PARLEY_API
#endif

#define PARLEY_VERSION "0.1.0"

typedef enum parley_status {
    PARLEY_OK = 0,
    PARLEY_ERR_IO,      /* a file could not be opened or read            */
    PARLEY_ERR_PARSE,   /* input does not parse (see the error message)  */
    PARLEY_ERR_NOMEM,   /* out of memory                                 */
    PARLEY_ERR_ARG,     /* a bad argument from the caller                */
    PARLEY_ERR_LIMIT,   /* a configured limit was exceeded               */
    PARLEY_ERR_DATE,    /* a date that cannot be interpreted             */
    PARLEY_ERR_STATE,   /* call not allowed in this state (e.g. finished) */
    PARLEY_ERR_STALE    /* a compiled file no longer matches its sources  */
} parley_status;

typedef struct parley_error {
    parley_status status;
    char message[512];
} parley_error;

/* Short English name of a status ("parse error"); static storage. */
PARLEY_API const char *parley_status_str(parley_status st);

/* Diagnostic callback: file may be NULL, line 0 when not applicable. */
typedef void (*parley_diag_fn)(void *userdata, const char *file, long line,
                               const char *message);

/* ------------------------------------------------------------------ */
/* Dictionaries                                                        */
/* ------------------------------------------------------------------ */

typedef struct parley_dict parley_dict;

typedef enum parley_dict_kind {
    PARLEY_DICT_VERBS = 1,
    PARLEY_DICT_ACTORS,
    PARLEY_DICT_AGENTS,
    PARLEY_DICT_DISCARDS,
    PARLEY_DICT_ISSUES,
    PARLEY_DICT_OPTIONS   /* TABARI .options: applied as coder defaults */
} parley_dict_kind;

typedef enum parley_dialect {
    PARLEY_DIALECT_AUTO = 0,
    PARLEY_DIALECT_TABARI,
    PARLEY_DIALECT_PETRARCH1,
    PARLEY_DIALECT_PETRARCH2
} parley_dialect;

/* A new, empty dictionary set.  Returns NULL only when out of memory. */
PARLEY_API parley_dict *parley_dict_new(void);
PARLEY_API void parley_dict_free(parley_dict *d);

/* Where diagnostics about dictionary lines go (default: nowhere, counted). */
PARLEY_API void parley_dict_set_diag(parley_dict *d, parley_diag_fn fn, void *userdata);

/* Strict mode: the first malformed line makes the load fail. */
PARLEY_API void parley_dict_set_strict(parley_dict *d, int strict);

/* Longest dictionary line read, in bytes (default PARLEY_DICT_MAX_LINE; 0
 * restores it).  A longer line is reported as file:line and skipped, so a
 * mangled file (one giant line, a binary) costs no more than the limit. */
#define PARLEY_DICT_MAX_LINE 65536
PARLEY_API void parley_dict_set_max_line(parley_dict *d, size_t bytes);

/* Load one file into the set.  Malformed lines are reported and skipped.
 * Returns PARLEY_ERR_IO if the file cannot be read. */
PARLEY_API parley_status parley_dict_load(parley_dict *d, parley_dict_kind kind,
                                          const char *path, parley_dialect dialect,
                                          parley_error *err);

/* Load from memory; `name` is used in diagnostics. */
PARLEY_API parley_status parley_dict_load_buffer(parley_dict *d, parley_dict_kind kind,
                                                 const char *name, const char *data,
                                                 size_t len, parley_dialect dialect,
                                                 parley_error *err);

/* Build the search structures.  After this the set is read-only. */
PARLEY_API parley_status parley_dict_finish(parley_dict *d, parley_error *err);

/* Compiled dictionaries.  A finished set is written to one file and read
 * back in a few milliseconds, where parsing the text dictionaries takes
 * about 100 ms for the Phoenix set.  The file records every source loaded
 * with parley_dict_load or parley_dict_load_lexicon/_cameo (path, size,
 * modification and change times) and every problem reported while loading
 * them.  What came from parley_dict_load_buffer is saved too, but cannot be
 * checked for freshness: the caller knows where it came from.
 *
 * parley_dict_save: `d` must be finished.  Writes a temporary file beside
 * PATH and renames it, so concurrent writers and readers never see half a
 * file.
 *
 * parley_dict_load_compiled: `d` must be new and empty (its diagnostic
 * callback, strict flag and line limit set as wanted).  On success the set
 * is finished, and the problems recorded at compile time have been replayed
 * through the callback, so a warm load reports what a cold one does.
 * PARLEY_ERR_STALE when a source changed or vanished, or the file was
 * written by another build of parley; PARLEY_ERR_PARSE when it is damaged.
 * On any failure `d` is left new and empty, ready to load the text files. */
PARLEY_API parley_status parley_dict_save(const parley_dict *d, const char *path, parley_error *err);
PARLEY_API parley_status parley_dict_load_compiled(parley_dict *d, const char *path, parley_error *err);

/* Number of malformed lines reported so far. */
PARLEY_API long parley_dict_problem_count(const parley_dict *d);

typedef struct parley_dict_stats {
    long actor_phrases, actor_codes_dated, agent_phrases, verb_forms, verb_patterns,
        synsets, discards, issue_phrases, files;
} parley_dict_stats;
PARLEY_API void parley_dict_get_stats(const parley_dict *d, parley_dict_stats *out);

/* Resolve an actor phrase as of a date (YYYYMMDD as integer, 0 = undated).
 * Writes the code (or "" when none) and a short "why" (file:line and the
 * dated entry used).  Returns 1 when the phrase is known, 0 otherwise. */
PARLEY_API int parley_dict_lookup_actor(const parley_dict *d, const char *phrase,
                                        int32_t date, char *code, size_t code_cap,
                                        char *why, size_t why_cap);

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

/* Where an event happened (docs/geo.md).  `level` is NULL when no place was
 * found (or no gazetteer is set).  A "country" level whose basis is "actor"
 * is a guess from the actors' country, never a precise point. */
typedef struct parley_place {
    const char *level;       /* "city", "region", "adm1", "country"; NULL: none */
    const char *basis;       /* "sentence", "dateline" or "actor" */
    const char *written;     /* the place as the text writes it; NULL for "actor" */
    const char *name;        /* the gazetteer's name ("Kyiv" for "Kiev") */
    const char *country;     /* ISO 3166-1 alpha-3 ("SYR"), as actor codes use */
    const char *country2;    /* ISO 3166-1 alpha-2 ("SY") */
    const char *country_name; /* "Syria" */
    const char *adm1_code;   /* GeoNames ADM1 code ("03"); "" when unknown */
    const char *adm1_name;   /* "" when unknown */
    double lat, lon;         /* WGS84 degrees */
    long geonames_id;        /* 0 for countries, ADM1s and parley's regions */
} parley_place;

typedef struct parley_event {
    const char *doc_id;
    int sentence;            /* 0-based index of the sentence in the document */
    int32_t date;            /* YYYYMMDD */
    const char *source;      /* actor code, NULL when absent */
    const char *target;      /* actor code, NULL when absent */
    const char *code;        /* CAMEO event code, e.g. "043" */
    const char *source_text, *target_text, *verb_text;
    const char *sentence_text;
    const char *issues;      /* "CODE,CODE" or NULL */
    const char *why;         /* JSON array text: trace of what made the event */
    int passive, negated;
    /* byte offsets: of the sentence in the document text (-1: the title),
     * and of the source, target and verb in the sentence (-1: absent) */
    long sentence_offset;
    int source_offset, target_offset, verb_offset;
    const char *publisher, *url;  /* from the document, may be NULL */
    parley_place place;      /* set when the coder has a gazetteer */
} parley_event;

/* Return nonzero from the callback to stop coding the current input. */
typedef int (*parley_event_fn)(void *userdata, const parley_event *ev);

/* What became of a sentence (for validation harnesses and statistics). */
typedef enum parley_sentence_fate {
    PARLEY_FATE_CODED = 0,   /* produced at least one event                  */
    PARLEY_FATE_NOEVENT,     /* nothing codeable                             */
    PARLEY_FATE_DISCARD,     /* a discard phrase ([###] or discard list)    */
    PARLEY_FATE_STORY_DISCARD,
    PARLEY_FATE_COMPLEX,     /* a complexity filter or [+++] diverted it     */
    PARLEY_FATE_TOO_SHORT,   /* fewer words than the minimum                 */
    PARLEY_FATE_TOO_LONG     /* over the sentence length limit; skipped      */
} parley_sentence_fate;

/* ------------------------------------------------------------------ */
/* Coding                                                              */
/* ------------------------------------------------------------------ */

typedef struct parley_coder parley_coder;

/* A coder for one thread.  Takes the coder options given in any loaded
 * .options file as its defaults.  NULL when out of memory. */
PARLEY_API parley_coder *parley_coder_new(const parley_dict *d);
/* A coder for another thread with c's dictionary, options, gazetteer and
 * diagnostic callback, sharing c's token cache (what each distinct word of
 * the text can be in the dictionary, worked out on first sight): coders
 * cloned from one another work each word out once, whichever meets it
 * first.  Cloning reads c: not while another thread codes with it (a coder
 * kept only to be cloned may be cloned by several threads at once).  The
 * cache is freed with the last coder that uses it.  NULL when out of memory. */
PARLEY_API parley_coder *parley_coder_clone(const parley_coder *c);
PARLEY_API void parley_coder_free(parley_coder *c);
PARLEY_API void parley_coder_set_diag(parley_coder *c, parley_diag_fn fn, void *userdata);

/* Apply one option line: TABARI .options syntax ("SET: CODE BY SENTENCE",
 * "COMPLEX: VERBS[5] NOACTPRIOR", "COMMA: OFF", "DEFAULT: SOURCE [X] PRIOR")
 * or a parley option "name = value" (code_all, require_dyad, negation,
 * passive, max_sentence_bytes, max_tokens, ...). */
PARLEY_API parley_status parley_coder_option(parley_coder *c, const char *line,
                                             parley_error *err);

/* ------------------------------------------------------------------ */
/* Geolocation (optional: a coder without a gazetteer leaves places empty) */
/* ------------------------------------------------------------------ */

typedef struct parley_gazetteer parley_gazetteer;

/* Compiles the gazetteer source table (TSV written by
 * tools/geo/build-gazetteer.js, docs/geo.md) into the binary index at
 * `out_path`.  Bad lines go to `diag` as "file:line: reason" and are skipped. */
PARLEY_API parley_status parley_gazetteer_build(const char *tsv_path, const char *out_path, parley_diag_fn diag,
                                                void *userdata, parley_error *err);

/* Opens a compiled gazetteer (memory-mapped, read-only: share it between any
 * number of coders and threads; it must outlive them).  NULL with err set. */
PARLEY_API parley_gazetteer *parley_gazetteer_open(const char *path, parley_error *err);
PARLEY_API void parley_gazetteer_free(parley_gazetteer *g);

/* Places resolved only for sentences that produced an event.  NULL turns
 * geolocation off. */
PARLEY_API void parley_coder_set_gazetteer(parley_coder *c, const parley_gazetteer *g);

/* The candidates for a place name, best first, as a JSON array; `country`
 * (alpha-2 or alpha-3, may be NULL) is the story's country.  *out is
 * malloc()ed; the caller frees it.  At most `limit` candidates (0: 10). */
PARLEY_API parley_status parley_geo_lookup_json(const parley_gazetteer *g, const char *name, const char *country,
                                                int limit, char **out, size_t *len, parley_error *err);

/* Restore the options the coder was created with. */
PARLEY_API void parley_coder_reset_options(parley_coder *c);

typedef struct parley_doc {
    const char *id;
    int32_t date;          /* YYYYMMDD; 0 = unknown (coder uses its default) */
    const char *source;    /* publisher, may be NULL */
    const char *url;       /* may be NULL */
    const char *title;     /* may be NULL: coded as sentence 0 when present */
    const char *text;      /* UTF-8, need not be NUL-terminated */
    size_t text_len;
} parley_doc;

/* Code one sentence (already split).  `fate` may be NULL. */
PARLEY_API parley_status parley_code_sentence(parley_coder *c, const parley_doc *doc,
                                              int sentence_index, const char *text,
                                              size_t len, parley_event_fn fn,
                                              void *userdata, parley_sentence_fate *fate,
                                              parley_error *err);

/* Split a document into sentences and code each.  A document with a story
 * discard produces nothing.  Returns the number of sentences coded in
 * *n_sentences when non-NULL. */
PARLEY_API parley_status parley_code_document(parley_coder *c, const parley_doc *doc,
                                              parley_event_fn fn, void *userdata,
                                              int *n_sentences, parley_error *err);

/* Sentence segmentation on its own: calls fn(ud, start, len) per sentence of
 * `text` (UTF-8); datelines ("DAMASCUS, June 3 (Reuters) -") are skipped. */
typedef int (*parley_span_fn)(void *userdata, size_t start, size_t len);
PARLEY_API parley_status parley_split_sentences(parley_coder *c, const char *text,
                                                size_t len, parley_span_fn fn,
                                                void *userdata, parley_error *err);

/* ------------------------------------------------------------------ */
/* Output and ontology                                                 */
/* ------------------------------------------------------------------ */

/* Append the event as one JSON object (no newline) to a growable buffer.
 * *buf is realloc()ed as needed; the caller frees it.  The CAMEO ontology
 * (root, quad_class, goldstein) comes from `d`. */
PARLEY_API parley_status parley_event_json(const parley_dict *d, const parley_event *ev,
                                           char **buf, size_t *len, size_t *cap);

typedef struct parley_cameo_info {
    const char *code, *name, *root, *plover;
    double goldstein;
    int quad_class;
} parley_cameo_info;

/* Ontology entry of a CAMEO code; NULL when unknown (or no ontology loaded). */
PARLEY_API const parley_cameo_info *parley_cameo_lookup(const parley_dict *d,
                                                        const char *code);

/* Load the English lexicon (form, lemma, parts of speech; built at setup
 * from WordNet, see docs/design.md).  Optional; improves verb-form matching
 * and the noun/verb decision.  Call before parley_dict_finish. */
PARLEY_API parley_status parley_dict_load_lexicon(parley_dict *d, const char *path, parley_error *err);

/* Load the ontology table (TSV, see docs/cameo.md) into a dictionary set. */
PARLEY_API parley_status parley_dict_load_cameo(parley_dict *d, const char *path,
                                                parley_error *err);

/* ------------------------------------------------------------------ */
/* Event store (SQLite or PostgreSQL)                                  */
/* ------------------------------------------------------------------ */

typedef struct parley_store parley_store;

/* Opens (creating or migrating) an event store.  `path` is a SQLite file,
 * or a PostgreSQL connection URL ("postgresql://user@host:port/db", also
 * "postgres://"; libpq's URL syntax) to a database that exists: the tables
 * are created in it.  Many processes, on many machines, may write to one
 * PostgreSQL store at once (each document is its own transaction there);
 * a SQLite store has one writer at a time.  Returns NULL with err set on
 * failure (for PostgreSQL with libpq's reason: connection refused,
 * authentication failed, no such database...; a password in the URL is
 * never repeated).  One handle per thread. */
PARLEY_API parley_store *parley_store_open(const char *path, parley_error *err);
PARLEY_API void parley_store_close(parley_store *s);

/* De-duplication window in days (default 1: the same dyad and code on the
 * same day is one event); one_a_day keeps only the first event per dyad,
 * code and day for a publisher (Phoenix's filter). */
PARLEY_API void parley_store_set_window(parley_store *s, int days, int one_a_day);

/* Codes `doc` with `c` and stores document, events and mentions.  A
 * document already stored with the same content is skipped (*n_events = -1);
 * changed content replaces the old mentions.  Writes are grouped in
 * transactions; call parley_store_commit at the end. */
PARLEY_API parley_status parley_store_ingest(parley_store *s, parley_coder *c, const parley_doc *doc, int *n_events,
                                             parley_error *err);
PARLEY_API parley_status parley_store_commit(parley_store *s, parley_error *err);

/* Stores a document with events coded elsewhere (e.g. by coder threads):
 * same rules as parley_store_ingest.  The ontology fields come from `d`. */
PARLEY_API parley_status parley_store_put(parley_store *s, const parley_dict *d, const parley_doc *doc,
                                          const parley_event *evs, size_t n, int *n_events, parley_error *err);

/* Dyad series.  a, b: actor code prefixes (country codes such as "ISR");
 * by: "day", "week" or "month"; directed: only a->b, else both ways.
 * One callback per period, oldest first. */
typedef struct parley_trend_row {
    const char *period;        /* "2025-03-03" (week start, ISO Monday) */
    int events, quad[5];       /* quad[1..4] counts */
    double goldstein_sum, goldstein_mean, tension, z;
    int flag;                  /* +1 escalation, -1 de-escalation, 0 none */
} parley_trend_row;
typedef int (*parley_trend_fn)(void *ud, const parley_trend_row *row);
PARLEY_API parley_status parley_store_trend(parley_store *s, const char *a, const char *b, const char *by, int directed,
                                            int32_t since, parley_trend_fn fn, void *ud, parley_error *err);

/* Escalation / de-escalation flags over every dyad (country pairs). */
typedef struct parley_alert { const char *a, *b, *period; int flag, events; double tension, z; } parley_alert;
typedef int (*parley_alert_fn)(void *ud, const parley_alert *al);
PARLEY_API parley_status parley_store_alerts(parley_store *s, const char *by, int32_t since, int min_events,
                                             parley_alert_fn fn, void *ud, parley_error *err);

/* Exports: "gdelt", "gdelt-mentions", "icews", "phoenix", "plover", "csv",
 * "jsonl", written to `out` (a FILE *). */
PARLEY_API parley_status parley_store_export(parley_store *s, const parley_dict *d, const char *format, void *out,
                                             parley_error *err);

/* Read-only handle for servers: no schema changes, no writes.  One handle
 * per thread. */
PARLEY_API parley_store *parley_store_open_readonly(const char *path, parley_error *err);

/* Queries answered as JSON text (for the HTTP API).  *out is malloc()ed;
 * the caller frees it. */
typedef struct parley_event_query {
    const char *actor;        /* source or target code prefix ("ISR", "ISRGOV") */
    const char *a, *b;        /* dyad: both countries, either direction */
    const char *code;         /* CAMEO code or root prefix ("19", "043") */
    const char *country;      /* either side's country */
    const char *text;         /* full-text search: SQLite FTS5 syntax, or on
                                 PostgreSQL websearch_to_tsquery syntax (the
                                 same for words, "phrases" and OR) */
    int quad;                 /* 1-4, 0 = any */
    int32_t from, to;         /* YYYYMMDD, 0 = open */
    int limit, offset;        /* page (limit 1-1000, default 50) */
} parley_event_query;
PARLEY_API parley_status parley_store_events_json(parley_store *s, const parley_event_query *q, char **out, size_t *len,
                                                  parley_error *err);
/* One event with its mentions (document, sentence text, publisher,
 * offsets, attribution) and `why`; PARLEY_ERR_STATE when there is none. */
PARLEY_API parley_status parley_store_event_json(parley_store *s, const char *id, char **out, size_t *len, parley_error *err);
/* Top country dyads by volume since a date, with tension. */
PARLEY_API parley_status parley_store_dyads_json(parley_store *s, int32_t since, int limit, char **out, size_t *len,
                                                 parley_error *err);
/* Counts and date range of the store. */
PARLEY_API parley_status parley_store_stats_json(parley_store *s, char **out, size_t *len, parley_error *err);

/* ------------------------------------------------------------------ */
/* Continuous ingestion: feeds, sources, batches, the Redis queue      */
/* ------------------------------------------------------------------ */

/* One item of a feed, valid only during the callback. */
typedef struct parley_feed_item {
    const char *id;          /* guid / atom:id, else the link */
    const char *url;         /* the item's link, may be NULL */
    const char *title;       /* plain text, may be NULL */
    const char *text;        /* plain text (HTML reduced), NULL when the feed gives only a link */
    size_t text_len;
    int32_t date;            /* YYYYMMDD from pubDate/published/updated, 0 when absent */
} parley_feed_item;
typedef int (*parley_feed_item_fn)(void *userdata, const parley_feed_item *it); /* nonzero: stop */

/* Parses an RSS 2.0, RSS 1.0 or Atom document held in memory (no network,
 * no entity expansion).  PARLEY_ERR_PARSE with "url:line: reason" when the
 * XML is not well-formed or is not a feed.  `feed_url` names it in errors. */
PARLEY_API parley_status parley_feed_parse(const char *xml, size_t len, const char *feed_url,
                                           parley_feed_item_fn fn, void *userdata, parley_error *err);

/* Article HTML -> plain text: script, style, nav, header, footer and
 * aside dropped, paragraphs kept, separated by blank lines.  Returns a
 * malloc()ed NUL-terminated string (the caller frees it), "" when there is
 * no text, NULL only when out of memory. */
PARLEY_API char *parley_html_to_text(const char *html, size_t len, size_t *out_len);

/* Sources: feeds over HTTP(S), watched directories, a JSON Lines stream
 * (e.g. standard input).  A poll hands out only documents not seen before
 * (by URL and by content hash); what was handed out is remembered in the
 * state file only at parley_sources_commit, which the caller calls after
 * it has committed those documents to the store, so a crash in between
 * hands them out again (and the store skips what it already has).
 * One parley_sources per thread. */
typedef struct parley_sources parley_sources;
typedef struct parley_sources_opts {
    const char *state_path;   /* SQLite file for seen documents, ETags, files done */
    int timeout_s;            /* per HTTP request (default 20) */
    size_t max_bytes;         /* per HTTP response (default 8 MB) */
    double host_interval_s;   /* at least this long between two requests to one host (default 1) */
    const char *user_agent;   /* default "parley/VERSION" */
    int32_t default_date;     /* for undated items (default: the poll's day) */
    /* per-source error log: file = the source's name, message = what failed and why */
    parley_diag_fn log; void *log_ud;
} parley_sources_opts;

PARLEY_API parley_sources *parley_sources_new(const parley_sources_opts *o, parley_error *err);
PARLEY_API void parley_sources_free(parley_sources *s);
/* interval_s: seconds between polls of this source. */
PARLEY_API parley_status parley_sources_add_feed(parley_sources *s, const char *url, double interval_s, parley_error *err);
/* New *.jsonl and *.txt files (names not starting with '.') in `dir`. */
PARLEY_API parley_status parley_sources_add_dir(parley_sources *s, const char *dir, double interval_s, parley_error *err);
/* JSON Lines read from `fd` as they arrive (the descriptor is not closed). */
PARLEY_API parley_status parley_sources_add_fd(parley_sources *s, int fd, const char *name, parley_error *err);

typedef int (*parley_doc_fn)(void *userdata, const parley_doc *doc); /* nonzero: stop the poll */
/* Polls every source that is due and calls fn per new document (valid
 * during the call).  *next_s: seconds until the next source is due.
 * Failures of single sources go to the log and the poll goes on. */
PARLEY_API parley_status parley_sources_poll(parley_sources *s, parley_doc_fn fn, void *userdata,
                                             double *next_s, parley_error *err);
/* Remember everything handed out since the last commit (durably) / forget it. */
PARLEY_API parley_status parley_sources_commit(parley_sources *s, parley_error *err);
PARLEY_API void parley_sources_rollback(parley_sources *s);
/* Documents handed out and not committed yet; nonzero while a stream
 * source is still open. */
PARLEY_API long parley_sources_pending(const parley_sources *s);
PARLEY_API int parley_sources_open_streams(const parley_sources *s);

typedef struct parley_source_stats { const char *name; long docs, errors, not_modified; const char *last_error; } parley_source_stats;
typedef int (*parley_source_stats_fn)(void *userdata, const parley_source_stats *st);
PARLEY_API void parley_sources_each(const parley_sources *s, parley_source_stats_fn fn, void *userdata);

/* A batch codes documents outside any store transaction and then stores
 * them together, so several processes sharing one store hold its write
 * lock only to write.  The batch copies what it keeps. */
typedef struct parley_batch parley_batch;
PARLEY_API parley_batch *parley_batch_new(const parley_dict *d, parley_coder *c);
PARLEY_API void parley_batch_free(parley_batch *b);
/* Codes `doc` now; *n_events: events found. */
PARLEY_API parley_status parley_batch_add(parley_batch *b, const parley_doc *doc, int *n_events, parley_error *err);
PARLEY_API size_t parley_batch_count(const parley_batch *b);
typedef struct parley_batch_result { long stored, unchanged, events, bad; } parley_batch_result;
/* Stores every kept document and commits.  On success the batch is empty
 * and *res (added to) says what happened; on PARLEY_ERR_IO nothing of the
 * batch is stored and it is kept, so the caller may try again.  Documents
 * the store refuses go to the diagnostic callback and count as bad. */
PARLEY_API parley_status parley_batch_store(parley_batch *b, parley_store *s, parley_batch_result *res,
                                            parley_diag_fn diag, void *diag_ud, parley_error *err);

/* A document queue on a Redis Stream with a consumer group.
 * url: redis://HOST:PORT[/STREAM] (stream default "parley:docs").
 * group/consumer may be NULL for a producer. */
typedef struct parley_queue parley_queue;
PARLEY_API parley_queue *parley_queue_open(const char *url, const char *group, const char *consumer, parley_error *err);
PARLEY_API void parley_queue_close(parley_queue *q);
/* Adds one document (written as one JSON object). Buffered: call
 * parley_queue_flush to wait for the server's answers. */
PARLEY_API parley_status parley_queue_put(parley_queue *q, const parley_doc *doc, parley_error *err);
PARLEY_API parley_status parley_queue_flush(parley_queue *q, parley_error *err);
/* Up to `max` documents for this consumer: first messages pending longer
 * than claim_idle_ms with any consumer (a dead worker's; see
 * parley_queue_set_max_deliveries), then new ones,
 * waiting up to block_ms.  fn gets each message's id and document (JSON);
 * documents that are not valid JSON are reported to `diag`, and handed to
 * fn with doc == NULL so the caller can acknowledge them. Returns the
 * number of messages in *n. */
typedef int (*parley_queue_msg_fn)(void *userdata, const char *msg_id, const parley_doc *doc);
PARLEY_API parley_status parley_queue_read(parley_queue *q, int max, int block_ms, long claim_idle_ms,
                                           parley_queue_msg_fn fn, void *userdata, int *n,
                                           parley_diag_fn diag, void *diag_ud, parley_error *err);
/* Messages delivered this many times (default 5) without acknowledgement
 * are moved to the stream STREAM:dead (fields id, doc, reason), reported
 * and acknowledged, instead of being claimed again forever. */
PARLEY_API void parley_queue_set_max_deliveries(parley_queue *q, long n);
/* Acknowledges messages: call only after their events are committed. */
PARLEY_API parley_status parley_queue_ack(parley_queue *q, const char *const *ids, size_t n, parley_error *err);
/* Messages not yet delivered to the group (lag) and delivered but not
 * acknowledged (pending). */
PARLEY_API parley_status parley_queue_backlog(parley_queue *q, long *lag, long *pending, parley_error *err);

/* Dates: "YYYY-MM-DD", "YYYYMMDD", "YYMMDD" (00-30 -> 20xx) -> YYYYMMDD.
 * Returns 0 when the text is not a valid date. */
PARLEY_API int32_t parley_parse_date(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* PARLEY_H */
