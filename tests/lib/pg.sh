# A throwaway PostgreSQL server for tests, on loopback, in a temporary data
# directory, on a port derived from the caller's PID.  Source this file,
# then:
#   pg_start            start the server (installs Debian's postgresql with
#                       apt when it is missing and we are root); 0 on success
#   pg_createdb NAME    create a database; prints its postgresql:// URL
#   pg_psql URL SQL     run SQL, print rows unaligned ("a|b"), no headers
#   pg_stop             stop the server and remove its files
# After pg_start: PG_HOST, PG_PORT, PG_USER, PG_DIR, PG_BIN are set.
# initdb refuses to run as root, so as root the server runs as the
# `postgres` user (or nobody) through setpriv.  fsync is off: the tests
# kill clients, never the server, and the data directory is thrown away.
# Used by tests/store/pg.sh and by anything else needing a real server.

pg_find_bin() {
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

pg_install() {
  [ "$(id -u)" = 0 ] || { echo "pg.sh: PostgreSQL is not installed (run scripts/setup.sh as root)" >&2; return 1; }
  command -v apt-get >/dev/null 2>&1 || { echo "pg.sh: PostgreSQL is not installed and there is no apt-get" >&2; return 1; }
  echo "pg.sh: installing postgresql (apt)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client; } >&2 || return 1
}

# run a command as the server's (unprivileged) user
pg_as() {
  if [ -n "$PG_UID" ]; then setpriv --reuid="$PG_UID" --regid="$PG_GID" --clear-groups "$@"; else "$@"; fi
}

pg_start() {
  PG_BIN=$(pg_find_bin) || { pg_install && PG_BIN=$(pg_find_bin); } || { echo "pg.sh: no PostgreSQL server binaries (initdb, pg_ctl)" >&2; return 1; }
  PG_UID=""; PG_GID=""
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then PG_UID=$(id -u postgres); PG_GID=$(id -g postgres); else PG_UID=65534; PG_GID=65534; fi
  fi
  PG_DIR=$(mktemp -d /tmp/parley-pg.XXXXXX) || return 1
  chmod 755 "$PG_DIR"
  [ -n "$PG_UID" ] && chown "$PG_UID:$PG_GID" "$PG_DIR"
  PG_USER=parley
  PG_HOST=127.0.0.1
  (cd "$PG_DIR" && pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" -A trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1) ||
    { echo "pg.sh: initdb failed:" >&2; tail -5 "$PG_DIR/initdb.log" >&2; rm -rf "$PG_DIR"; return 1; }
  # a port from our PID; another one if it is taken
  base=$((40000 + $$ % 20000))
  for try in 0 1 2 3 4 5 6 7; do
    PG_PORT=$((base + try * 97))
    [ $PG_PORT -gt 65000 ] && PG_PORT=$((PG_PORT - 25000))
    if (cd "$PG_DIR" && pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
          -o "-c listen_addresses=$PG_HOST -p $PG_PORT -k $PG_DIR -c fsync=off -c full_page_writes=off -c shared_buffers=32MB -c max_connections=40" \
          start >/dev/null 2>&1); then
      return 0
    fi
  done
  echo "pg.sh: the server did not start:" >&2; tail -5 "$PG_DIR/server.log" >&2
  rm -rf "$PG_DIR"
  return 1
}

pg_createdb() {
  pg_as "$PG_BIN/../bin/psql" -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE \"$1\"" >/dev/null 2>&1 ||
    psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE \"$1\"" >/dev/null || return 1
  echo "postgresql://$PG_USER@$PG_HOST:$PG_PORT/$1"
}

pg_psql() { psql -X -q -At "$1" -c "$2"; }

pg_stop() {
  [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ] || return 0
  (cd "$PG_DIR" && pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1)
  rm -rf "$PG_DIR"
  PG_DIR=""
}

# pg_start, or: exit 77 ("skipped") with the reason when no server can be
# had outside CI; in CI (CI=true) that is a failure, exit 1.
pg_start_or_skip() {
  pg_start && return 0
  if [ "$CI" = true ]; then echo "FAIL: no PostgreSQL server could be started, and CI must run the PostgreSQL checks" >&2; exit 1; fi
  echo "skipped: no PostgreSQL server could be started (sh scripts/setup.sh installs one)" >&2
  exit 77
}
