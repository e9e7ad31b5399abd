#!/usr/bin/env bash
# End-to-end benchmark: mailprobe vs sslyze vs sslscan on the same loopback
# OpenSSL fixtures in one run, then the same at an emulated 50 ms round trip
# (a network namespace with `tc netem`, when the machine allows it), then a
# 1000-target batch for throughput and peak RSS. Not part of .ci/run.
#
#   bench/compare.sh            # everything
#   RUNS=9 bench/compare.sh     # more runs per median
#   SKIP_INSTALL=1 ...          # use sslyze/sslscan already on PATH
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="${TOOLS_DIR:-/tmp/mailprobe-bench-tools}"
if [[ -z "${SKIP_INSTALL:-}" ]]; then
  if ! command -v sslyze >/dev/null && [[ ! -x "$TOOLS/venv/bin/sslyze" ]]; then
    echo "== installing sslyze into $TOOLS/venv (pip install sslyze)"
    python3 -m venv "$TOOLS/venv" && "$TOOLS/venv/bin/pip" install -q sslyze || echo "sslyze could not be installed; its column is skipped"
  fi
  if ! command -v sslscan >/dev/null; then
    echo "== installing sslscan (apt-get install -y sslscan)"
    apt-get install -y -qq sslscan >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq sslscan >/dev/null 2>&1; } || echo "sslscan could not be installed; its column is skipped"
  fi
fi
if [[ -x "$TOOLS/venv/bin/sslyze" ]]; then export SSLYZE="$TOOLS/venv/bin/sslyze"; fi

echo "== building mailprobe (release) and the fixture servers"
cargo build --release --bin mailprobe -q
# The fixtures are the integration tests' OpenSSL servers (dev profile: the
# vendored OpenSSL is already built there).
cargo build --example fixtures -q

sslyze_version=$("$(dirname "$(command -v "${SSLYZE:-sslyze}" || echo .)")/python3" -c 'import importlib.metadata as m; print(m.version("sslyze"))' 2>/dev/null || echo '?')
sslscan_version=$(sslscan --version 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -o '[0-9][0-9.]*' | head -1 || echo '?')
echo "== versions: $(target/release/mailprobe --version), sslyze $sslyze_version, sslscan $sslscan_version"
echo "== machine: $(nproc) cores, $(uname -r)"

python3 bench/compare.py

echo
if [[ -n "${SKIP_RTT:-}" ]]; then
  echo "== 50 ms RTT: skipped (SKIP_RTT)"
elif unshare --net true 2>/dev/null && unshare --net sh -c 'ip link set lo up && tc qdisc add dev lo root netem delay 25ms' 2>/dev/null; then
  echo "== 50 ms RTT: in a fresh network namespace, loopback delayed 25 ms each way (tc netem)"
  unshare --net sh -c 'ip link set lo up && tc qdisc add dev lo root netem delay 25ms &&
    LABEL="50 ms RTT (netem)" BATCH=0 RUNS="${RTT_RUNS:-3}" OTHER_RUNS=1 python3 bench/compare.py'
else
  echo "== 50 ms RTT: tc netem is not available here (a network namespace with the sch_netem"
  echo "   qdisc needs CAP_NET_ADMIN and the kernel module); falling back to the fixtures' own"
  echo "   userspace relay, 25 ms each way plus one round trip for the TCP handshake"
  LABEL="50 ms RTT (userspace relay)" FIXTURE_DELAY_MS=25 BATCH=0 RUNS="${RTT_RUNS:-3}" OTHER_RUNS=1 \
    python3 bench/compare.py
fi
