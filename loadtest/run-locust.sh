#!/bin/sh
# Runs loadtest/locustfile.py headless for a bounded time against a running Baton
# and prints Locust's summary. Start Baton first (`npm start` is enough).
#
#   loadtest/run-locust.sh                          60 s, 20 users, http://127.0.0.1:3000
#   loadtest/run-locust.sh http://127.0.0.1:8080    another Baton (the compose setup's nginx)
#   DURATION=5m USERS=200 SPAWN_RATE=20 loadtest/run-locust.sh
#
# Settings (environment): BASE_URL (or the first argument), DURATION (a Locust
# run time: 60s, 5m, 1h; default 60s), USERS (default 20), SPAWN_RATE (users
# started per second, default USERS/10, at least 1), CSV (a path prefix: also
# write Locust's CSV reports there). BATON_PROCESS_KEY, BATON_JOB_TYPE and
# BATON_DEPLOY are read by the locustfile itself (loadtest/README.md).
#
# Exit code: Locust's (1 when any request failed), 2 when Baton does not
# answer, 127 when Locust is not installed.
set -eu

BASE_URL=${1:-${BASE_URL:-http://127.0.0.1:3000}}
BASE_URL=${BASE_URL%/}
DURATION=${DURATION:-60s}
USERS=${USERS:-20}
SPAWN_RATE=${SPAWN_RATE:-$(( USERS / 10 > 0 ? USERS / 10 : 1 ))}
HERE=$(cd "$(dirname "$0")" && pwd)

if ! command -v locust >/dev/null 2>&1; then
  cat >&2 <<'EOF'
locust is not installed. Either of:

  sudo apt-get install python3-locust      # Debian 12+ / Ubuntu 22.04+ package
  pipx install locust                      # or: python3 -m pip install --user locust

then run this script again. loadtest/README.md has the details.
EOF
  exit 127
fi

# Fail fast, with a clear message, rather than after a minute of connection errors.
if command -v curl >/dev/null 2>&1; then
  if ! curl -fsS -o /dev/null --max-time 5 "$BASE_URL/health"; then
    echo "No Baton answers at $BASE_URL/health: start one (npm start), or pass its URL as the first argument." >&2
    exit 2
  fi
fi

echo "Locust: $USERS users (+$SPAWN_RATE/s) for $DURATION against $BASE_URL" >&2
set -- -f "$HERE/locustfile.py" --host "$BASE_URL" --headless \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$DURATION" \
  --stop-timeout 10 --only-summary
if [ -n "${CSV:-}" ]; then set -- "$@" --csv "$CSV"; fi
exec locust "$@"
