#!/usr/bin/env bash
# Load test: the service probing a loopback IMAP-over-TLS fixture
# (examples/load_fixture.rs) with wrk (Debian package `wrk`).
#
#   bench/load.sh                # debug build (what `cargo test` built)
#   PROFILE=release bench/load.sh
#   ONLY=batch-mix bench/load.sh # run 3 only (needs no wrk)
#
# Two runs:
#   1. within capacity: CONNS requests in flight, MAILPROBE_MAX_CONCURRENT_PROBES
#      above it: expect only 200s (no 429, no 5xx);
#   2. over capacity: the same load against a capacity of CAP_SMALL: expect
#      429 `over-capacity` for the excess, still no 5xx;
#   3. batch mix (issue 15), at the default caps: BATCH_CALLERS callers (API
#      keys) each start batches of 1000 targets aimed at a silent server;
#      expect the batches beyond MAILPROBE_MAX_BATCHES(_PER_CALLER) to get
#      429, and a single probe and /readyz to get 200 while the rest run.
# Prints the status counts, latency and the service's peak RSS (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE="${PROFILE:-debug}"
CONNS="${CONNS:-200}"
DURATION="${DURATION:-20s}"
CAP_SMALL="${CAP_SMALL:-50}"
THREADS="${THREADS:-2}"

ONLY="${ONLY:-}"
if [[ "$ONLY" != batch-mix ]] && ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian)"; apt-get install -y wrk >/dev/null 2>&1 || true
fi
if [[ "$ONLY" != batch-mix ]] && ! command -v wrk >/dev/null 2>&1; then
    echo "SKIP: wrk is not installed and could not be installed"; exit 0
fi

flag=()
[[ "$PROFILE" == release ]] && flag=(--release)
cargo build "${flag[@]}" --bin mailprobe --example load_fixture
bin="target/${PROFILE}/mailprobe"
fixture_bin="target/${PROFILE}/examples/load_fixture"
ulimit -n 20000 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

fifo="$(mktemp -u)"; mkfifo "$fifo"
"$fixture_bin" >"$fifo" & pids+=($!)
read -r fixture_port <"$fifo"; rm -f "$fifo"
echo "fixture: 127.0.0.1:${fixture_port}"

run() {
    local name="$1" cap="$2"
    local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    MAILPROBE_LISTEN="127.0.0.1:${port}" MAILPROBE_ALLOW_TARGETS=127.0.0.0/8 MAILPROBE_ALLOW_PORTS='*' \
        MAILPROBE_RATE_LIMIT=0 MAILPROBE_MAX_CONCURRENT_PROBES="$cap" MAILPROBE_LOG=warn \
        "$bin" & local svc=$!; pids+=("$svc")
    for _ in $(seq 100); do curl -sf "127.0.0.1:${port}/healthz" >/dev/null && break; sleep 0.1; done
    local url="http://127.0.0.1:${port}/v1/probes?host=127.0.0.1&port=${fixture_port}&transport=implicit&timeout_ms=10000"
    local rss0; rss0="$(awk '/VmRSS/ {print $2}' "/proc/${svc}/status")"
    echo "== ${name}: ${CONNS} in flight for ${DURATION}, capacity ${cap}"
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 30s -s bench/status.lua "$url" | tee "/tmp/mailprobe-load-${name}.txt"
    local hwm rss1; hwm="$(awk '/VmHWM/ {print $2}' "/proc/${svc}/status")"; rss1="$(awk '/VmRSS/ {print $2}' "/proc/${svc}/status")"
    curl -sf "127.0.0.1:${port}/healthz" >/dev/null && echo "healthz after: ok"
    echo "RSS ${name}: start $((rss0/1024)) MiB, end $((rss1/1024)) MiB, peak $((hwm/1024)) MiB"
    kill -TERM "$svc"; wait "$svc" 2>/dev/null || true
    grep -q ' 5xx=0 ' "/tmp/mailprobe-load-${name}.txt" || { echo "FAIL: 5xx answers"; exit 1; }
}

batch_mix() {
    local callers="${BATCH_CALLERS:-10}"
    # A server that accepts and never speaks: every batch probe holds its
    # slot until its own deadline.
    local silent_fifo; silent_fifo="$(mktemp -u)"; mkfifo "$silent_fifo"
    python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4096)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' >"$silent_fifo" & pids+=($!)
    local silent_port; read -r silent_port <"$silent_fifo"; rm -f "$silent_fifo"
    local keys=() k
    for i in $(seq "$callers"); do keys+=("bench-caller-key-$(printf %04d "$i")-0123456789"); done
    local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    MAILPROBE_LISTEN="127.0.0.1:${port}" MAILPROBE_ALLOW_TARGETS=127.0.0.0/8 MAILPROBE_ALLOW_PORTS='*' \
        MAILPROBE_API_KEYS="$(IFS=,; echo "${keys[*]}")" MAILPROBE_LOG=warn \
        "$bin" & local svc=$!; pids+=("$svc")
    for _ in $(seq 100); do curl -sf "127.0.0.1:${port}/healthz" >/dev/null && break; sleep 0.1; done
    local body; body="$(python3 -c "
import json; t={'host':'127.0.0.1','port':${silent_port},'protocol':'imap','transport':'implicit','timeout_ms':60000}
print(json.dumps({'targets':[t]*1000}))")"
    echo "== batch mix: ${callers} callers x 2 batches of 1000 targets at a silent server, default caps"
    local statuses; statuses="$(mktemp)"
    for k in "${keys[@]}"; do
        for _ in 1 2; do
            curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -H "Authorization: Bearer $k" \
                -H 'Content-Type: application/json' -d "$body" "127.0.0.1:${port}/v1/probes:batch" >>"$statuses" &
        done
    done
    sleep 5
    local ready single
    ready="$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:${port}/readyz")"
    single="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${keys[0]}" \
        "127.0.0.1:${port}/v1/probes?host=127.0.0.1&port=${fixture_port}&transport=implicit&timeout_ms=10000")"
    curl -s "127.0.0.1:${port}/readyz"; echo
    echo "batch mix: /readyz ${ready}, single probe ${single}"
    wait_batches=20; sleep "$wait_batches"
    echo "batch answers: $(sort "$statuses" | uniq -c | tr '\n' ' ')"
    kill -TERM "$svc"; wait "$svc" 2>/dev/null || true
    [[ "$ready" == 200 && "$single" == 200 ]] || { echo "FAIL: batch mix starved single probes"; exit 1; }
    grep -q '^429$' "$statuses" || { echo "FAIL: no batch refused beyond the caps"; exit 1; }
}

if [[ "$ONLY" != batch-mix ]]; then
    run within-capacity 256
    run over-capacity "$CAP_SMALL"
    grep -q ' 429=0 ' /tmp/mailprobe-load-within-capacity.txt || { echo "FAIL: 429 within capacity"; exit 1; }
fi
batch_mix
echo "load: ok"
