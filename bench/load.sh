#!/usr/bin/env bash
# Load test: the service probing a loopback IMAP-over-TLS fixture
# (examples/load_fixture.rs) with wrk (Debian package `wrk`).
#
#   bench/load.sh                # debug build (what `cargo test` built)
#   PROFILE=release bench/load.sh
#
# Two runs:
#   1. within capacity: CONNS requests in flight, MAILPROBE_MAX_CONCURRENT_PROBES
#      above it: expect only 200s (no 429, no 5xx);
#   2. over capacity: the same load against a capacity of CAP_SMALL: expect
#      429 `over-capacity` for the excess, still no 5xx.
# Prints the status counts, latency and the service's peak RSS (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE="${PROFILE:-debug}"
CONNS="${CONNS:-200}"
DURATION="${DURATION:-20s}"
CAP_SMALL="${CAP_SMALL:-50}"
THREADS="${THREADS:-2}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian)"; apt-get install -y wrk >/dev/null 2>&1 || true
fi
if ! command -v wrk >/dev/null 2>&1; then
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

run within-capacity 256
run over-capacity "$CAP_SMALL"
grep -q ' 429=0 ' /tmp/mailprobe-load-within-capacity.txt || { echo "FAIL: 429 within capacity"; exit 1; }
echo "load: ok"
