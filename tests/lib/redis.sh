# Starts a throwaway redis-server for a test: loopback only, no persistence,
# its own directory, an unprivileged user when the test runs as root, and a
# port derived from the caller's PID (the next ones tried when taken).
# usage: . tests/lib/redis.sh; redis_start DIR || exit 1; ... ; redis_stop
# sets REDIS_PORT and REDIS_URL (redis://127.0.0.1:PORT).
redis_start() {
  REDIS_DIR=$1
  mkdir -p "$REDIS_DIR"
  command -v redis-server >/dev/null || { echo "redis-server is not installed (sh scripts/setup.sh)"; return 1; }
  run_as=""
  if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    # nobody must reach its directory: the parent is usually a 0700 mktemp
    chmod o+x "$(dirname "$REDIS_DIR")" && chown nobody "$REDIS_DIR" 2>/dev/null && run_as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
  fi
  try=0
  while [ $try -lt 20 ]; do
    REDIS_PORT=$((20000 + ($$ * 13 + try * 7919) % 40000))
    $run_as redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" \
      --daemonize no --logfile "$REDIS_DIR/redis.log" --pidfile "$REDIS_DIR/redis.pid" &
    REDIS_PID=$!
    i=0
    while [ $i -lt 50 ]; do
      # ours, not another test's server that holds the port
      if redis-cli -p $REDIS_PORT info server 2>/dev/null | grep -q "^process_id:$REDIS_PID"; then
        REDIS_URL=redis://127.0.0.1:$REDIS_PORT
        return 0
      fi
      kill -0 $REDIS_PID 2>/dev/null || break   # port taken: it exited
      i=$((i + 1)); sleep 0.1
    done
    kill $REDIS_PID 2>/dev/null; wait $REDIS_PID 2>/dev/null
    try=$((try + 1))
  done
  echo "could not start redis-server"; tail -5 "$REDIS_DIR/redis.log" 2>/dev/null
  return 1
}

redis_stop() {
  [ -n "$REDIS_PID" ] || return 0
  kill $REDIS_PID 2>/dev/null
  wait $REDIS_PID 2>/dev/null
  REDIS_PID=""
}
