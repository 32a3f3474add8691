#!/bin/sh
# tests/feeds/workers.sh with PostgreSQL as the shared store (issue #7's
# setup: workers on a Redis stream, one database server): a throwaway
# server from tests/lib/pg.sh on loopback, a fresh database.
# usage: sh tests/feeds/workers-pg.sh [BUILD_DIR]
. tests/lib/pg.sh
pg_start || exit 1
url=$(pg_createdb parley_workers) || { pg_stop; exit 1; }
sh tests/feeds/workers.sh "${1:-build}" "$url"
rc=$?
pg_stop
exit $rc
