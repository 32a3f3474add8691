# parley — build, test, benchmark.  `make` builds build/parley and libparley.
CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE
PKGS    := icu-uc icu-i18n jansson libxml-2.0 sqlite3 libpq libcurl hiredis
SERVE_PKGS := libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
CPPFLAGS := -Iinclude $(PKG_CFLAGS) -DPARLEY_SOURCE_DIR='"$(CURDIR)"'

LIB_SRC := src/util/util.c src/text/tokenize.c src/text/wordclass.c src/text/segment.c \
           src/dict/options.c src/dict/dict.c src/dict/actors.c src/dict/verbs.c src/dict/cache.c \
           src/code/coder.c src/code/lexcache.c src/code/event.c src/io/input.c src/validate/validate.c \
           src/store/db.c src/store/store.c src/store/analytics.c src/store/export.c src/store/query.c \
           src/geo/geo.c src/feed/feed.c src/feed/http.c src/feed/sources.c src/queue/batch.c src/queue/queue.c
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
PIC_OBJ := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)

all: $(BUILD)/parley $(BUILD)/libparley.a $(BUILD)/libparley.so $(BUILD)/spec_runner $(BUILD)/feed_check $(BUILD)/wordclass_check $(BUILD)/segment_check $(BUILD)/clone_check $(BUILD)/data/lexicon.tsv \
     $(BUILD)/data/gazetteer.bin $(BUILD)/geo_bench

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -DPARLEY_BUILDING -MMD -MP -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -DPARLEY_BUILDING -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(BUILD)/libparley.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/libparley.so: $(PIC_OBJ)
	$(CC) -shared -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/parley: $(BUILD)/cli/parley.o $(BUILD)/cli/feeds.o $(BUILD)/serve/server.o $(BUILD)/serve/http.o $(BUILD)/serve/openapi.o $(BUILD)/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs $(SERVE_PKGS)) -lpthread -lm

$(BUILD)/geo_bench: $(BUILD)/bench/geo_bench.o $(BUILD)/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/spec_runner: $(BUILD)/tests/spec_runner.o $(BUILD)/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/feed_check: $(BUILD)/tests/feeds/feed_check.o $(BUILD)/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/wordclass_check: $(BUILD)/tests/text/wordclass_check.o
	$(CC) $(CFLAGS) -o $@ $^

$(BUILD)/segment_check: $(BUILD)/tests/text/segment_check.o $(BUILD)/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/clone_check: $(BUILD)/tests/code/clone_check.o $(BUILD)/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

# English lexicon from WordNet (Debian wordnet-base), generated, not committed
$(BUILD)/data/lexicon.tsv: tools/build-lexicon.sh
	sh tools/build-lexicon.sh $@

# the gazetteer (docs/geo.md): GeoNames-derived npm packages (tools/geo/
# package-lock.json) and Debian iso-codes -> a TSV -> the binary index;
# generated, not committed
$(BUILD)/data/gazetteer.tsv: tools/geo/build-gazetteer.js tools/geo/places.tsv tools/geo/node_modules/.package-lock.json
	node tools/geo/build-gazetteer.js $@
tools/geo/node_modules/.package-lock.json: tools/geo/package-lock.json
	cd tools/geo && npm ci --no-audit --no-fund --loglevel=error
$(BUILD)/data/gazetteer.bin: $(BUILD)/data/gazetteer.tsv $(BUILD)/parley
	$(BUILD)/parley geo --build $< $@

-include $(LIB_OBJ:.o=.d) $(BUILD)/cli/parley.d $(BUILD)/cli/feeds.d $(BUILD)/serve/server.d $(BUILD)/serve/http.d

.PHONY: all clean test asan accuracy bench fuzz dashboard

# the dashboard: front-end packages from npm (dashboard/package-lock.json),
# built into $(BUILD)/www next to the binary; nothing generated is committed
dashboard: $(BUILD)/www/index.html
$(BUILD)/www/index.html: dashboard/build.js $(wildcard dashboard/src/*) dashboard/package-lock.json
	cd dashboard && npm ci --no-audit --no-fund --loglevel=error
	node dashboard/build.js $(BUILD)/www

# libFuzzer targets (clang, ASan+UBSan).  make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS ?= 60
FUZZERS := dict compiled coder input options http geo feed segment
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
               -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
# the http target also links the server's request core (not its socket glue)
FUZZ_SRC_http := serve/http.c serve/openapi.c
build-fuzz/fuzz_%: fuzz/fuzz_%.c $(LIB_SRC) $(wildcard src/*/*.h) $(wildcard serve/*.h serve/http.c) include/parley.h
	@mkdir -p build-fuzz
	clang $(WARN) $(FUZZ_CFLAGS) $(CPPFLAGS) -o $@ $< $(FUZZ_SRC_$*) $(LIB_SRC) $(PKG_LIBS) -lm
fuzz: $(FUZZERS:%=build-fuzz/fuzz_%)
	sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)
clean:
	rm -rf build build-asan

# a token cache of at most 8,192 slots (src/code/lexcache.h): it grows once,
# and past its first 4,096 words every coder keeps the rest in a cache of its
# own, so the sanitizers see every path
asan:
	$(MAKE) BUILD=build-asan OPT=-O1 CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -DLEXCACHE_SLOTS=8192"

test: all dashboard
	sh tests/run.sh $(BUILD)

accuracy: all
	sh tests/accuracy.sh $(BUILD)

bench: all
	sh bench/run.sh $(BUILD)
	sh bench/geo.sh $(BUILD)
