#!/usr/bin/env bash
# Builds the Go services of examples/ and runs frontend, checkout, recommendations and inventory on
# loopback ports, exporting spans over OTLP/HTTP, and sends them a little traffic: a
# /recommendations request (the call path whose trace breaks) and a /checkout request per round.
# Stops the services cleanly (SIGTERM, so they flush their spans) on exit, Ctrl+C or SIGTERM.
#
#   --examples DIR   the Go module to build (default: examples/)
#   --bin DIR        where to put the binaries (default: .cache/example-bin)
#   --rounds N       send N rounds of traffic, then stop (default: until stopped)
#   --seconds N      send traffic for N seconds, then stop
#   OTEL_EXPORTER_OTLP_ENDPOINT  where spans go (default http://127.0.0.1:4318, the embedded receiver)
#   FRONTEND_PORT CHECKOUT_PORT RECOMMENDATIONS_PORT INVENTORY_PORT  (default 18080 18081 18082 19090)
#   TRAFFIC_PAUSE    seconds between rounds (default 0.3)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLES="$REPO/examples"
BIN="$REPO/.cache/example-bin"
ROUNDS=""
SECONDS_LIMIT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --examples) EXAMPLES="$(cd "$2" && pwd)"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --seconds) SECONDS_LIMIT="$2"; shift 2 ;;
    *) echo "run-example-services: unknown argument $1" >&2; exit 2 ;;
  esac
done
export OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:4318}"
FRONTEND_PORT="${FRONTEND_PORT:-18080}"
CHECKOUT_PORT="${CHECKOUT_PORT:-18081}"
RECOMMENDATIONS_PORT="${RECOMMENDATIONS_PORT:-18082}"
INVENTORY_PORT="${INVENTORY_PORT:-19090}"
PAUSE="${TRAFFIC_PAUSE:-0.3}"

mkdir -p "$BIN"
echo "run-example-services: building $EXAMPLES into $BIN"
(cd "$EXAMPLES" && go build -o "$BIN/" ./services/frontend ./services/checkout ./services/recommendations ./services/inventory)

PIDS=()
stop() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Services flush buffered spans on SIGTERM; give them a bounded time to do it.
  for _ in $(seq 1 100); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  echo "run-example-services: stopped"
}
trap stop EXIT
trap 'exit 0' INT TERM

LOGS="$BIN/logs"
mkdir -p "$LOGS"
start() {
  local name="$1"; shift
  env "$@" "$BIN/$name" >"$LOGS/$name.log" 2>&1 &
  PIDS+=("$!")
}
start inventory PORT="$INVENTORY_PORT" GRPC_ADDR="127.0.0.1:$INVENTORY_PORT"
start recommendations PORT="$RECOMMENDATIONS_PORT" INVENTORY_ADDR="127.0.0.1:$INVENTORY_PORT"
start checkout PORT="$CHECKOUT_PORT" INVENTORY_ADDR="127.0.0.1:$INVENTORY_PORT"
start frontend PORT="$FRONTEND_PORT" CHECKOUT_URL="http://127.0.0.1:$CHECKOUT_PORT" RECOMMENDATIONS_URL="http://127.0.0.1:$RECOMMENDATIONS_PORT"

FRONTEND="http://127.0.0.1:$FRONTEND_PORT"
ready=0
for _ in $(seq 1 100); do
  if curl -fsS "$FRONTEND/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$RECOMMENDATIONS_PORT/healthz" >/dev/null 2>&1 \
    && curl -fsS "http://127.0.0.1:$CHECKOUT_PORT/healthz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.1
done
[[ $ready -eq 1 ]] || { echo "run-example-services: services did not come up; logs in $LOGS" >&2; tail -n 5 "$LOGS"/*.log >&2; exit 1; }
echo "run-example-services: frontend on $FRONTEND, spans to $OTEL_EXPORTER_OTLP_ENDPOINT"

users=(ann bob cho dee)
round=0
start_time=$SECONDS
while :; do
  [[ -n "$ROUNDS" && $round -ge $ROUNDS ]] && break
  [[ -n "$SECONDS_LIMIT" && $((SECONDS - start_time)) -ge $SECONDS_LIMIT ]] && break
  user="${users[$((round % ${#users[@]}))]}"
  curl -fsS -o /dev/null "$FRONTEND/recommendations?user_id=$user" || echo "run-example-services: /recommendations failed" >&2
  curl -sS -o /dev/null -H "end-user: $user" -d "{\"user_id\":\"$user\",\"items\":[{\"sku\":\"SKU-1001\",\"quantity\":1}]}" "$FRONTEND/checkout" \
    || echo "run-example-services: /checkout failed" >&2
  round=$((round + 1))
  sleep "$PAUSE"
done
echo "run-example-services: sent $round rounds"
