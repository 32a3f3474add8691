/* Geolocation stage internals: the gazetteer index and per-coder place
 * resolution (docs/geo.md). */
#ifndef PARLEY_GEO_H
#define PARLEY_GEO_H

#include "../text/text.h"

/* One coder's resolution state: its own tokenizer for datelines and story
 * context, the current document's context and the last sentence's answer.
 * Never shared between threads (like the coder that owns it). */
typedef struct geo_state geo_state;

geo_state *geo_state_new(const parley_gazetteer *g);
void geo_state_free(geo_state *s);
const parley_gazetteer *geo_state_gazetteer(const geo_state *s);

/* Adds the event's place to its `why` array (JSON text in wb). */
void geo_why(p_buf *wb, p_buf *tmp, const parley_place *pl);

/* Fills ev->place for an event coded from sentence `text` (tokens `tk`,
 * from the coder's tokenizer, and its all_caps).  Strings set in ev->place
 * live until the next call with another sentence or the state is freed;
 * gazetteer names live as long as the gazetteer. */
void geo_place_event(geo_state *s, const parley_doc *doc, const char *text, size_t len, const token *tk, int n,
                     int all_caps, parley_event *ev);

/* The name lookup the coder makes, on its own (bench/geo_bench.c): tokens,
 * keys, probes and scoring for `name`; the best place index or -1. */
int geo_lookup(geo_state *s, const char *name, size_t len);

#endif
