#!/usr/bin/env bash
# HTTP benchmarks on this machine, server and load generator sharing its cores:
#   GET /healthz (the empty-handler ceiling), POST /api/v1/responses (one answer per request),
#   POST /api/v1/responses/batch (BATCH answers per request), and the raw SQLite insert rate.
# Usage: scripts/bench-http.sh [seconds per run, default 10]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${CONNECTIONS:-64}
export BATCH=${BATCH:-1000}
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }
swift build -c release --product advocate >/dev/null
bin=.build/release/advocate
data=$(mktemp -d /tmp/advocate-bench-http.XXXXXX)
port=${PORT:-18080}
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT

token=$($bin token create --name bench --workspace bench --data "$data" | tail -n 1)
$bin serve --data "$data" --port "$port" --log-level error & server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
export SURVEY=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/surveys" -H "Authorization: Bearer $token" \
  -H "Content-Type: application/json" -d '{"name": "Bench", "product_name": "Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

auth=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t2 -c$connections -d${duration}s, SQLite in $data"
run() { wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" | grep -E "Requests/sec|Non-2xx|50%|99%|Socket errors" | sed 's/^/    /'; }
echo "GET /healthz"; run "http://127.0.0.1:$port/healthz"
echo "POST /api/v1/responses (one answer, new contact each)"; run "${auth[@]}" -s scripts/bench/single.lua "http://127.0.0.1:$port"
echo "POST /api/v1/responses/batch ($BATCH answers per request; responses/s = requests/s x $BATCH)"
CONNECTIONS_BATCH=${CONNECTIONS_BATCH:-8}
wrk -t2 -c"$CONNECTIONS_BATCH" -d"${duration}s" --latency "${auth[@]}" -s scripts/bench/batch.lua "http://127.0.0.1:$port" \
  | grep -E "Requests/sec|Non-2xx|50%|99%|Socket errors" | sed 's/^/    /'
stored=$(curl -sf "http://127.0.0.1:$port/api/v1/surveys/$SURVEY/report" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["responses"])')
echo "responses stored after the runs: $stored"
kill $server; wait $server 2>/dev/null || true
echo "raw SQLite insert (same disk, same run):"; $bin bench sqlite-insert | sed 's/^/    /'
