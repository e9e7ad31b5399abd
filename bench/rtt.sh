#!/usr/bin/env bash
# Latency bench (issue 21): mailprobe vs sslscan vs sslyze against two real
# Dovecot servers (TLS 1.0 only with four suites; TLS 1.2 + 1.3), behind a
# relay adding 50 ms of round-trip time, and on loopback. See bench/rtt.py.
#
#   bench/rtt.sh                 # RTTS=50,0 RUNS=5 OTHER_RUNS=1
#   RTTS=100,50,0 bench/rtt.sh
#   SKIP_INSTALL=1 bench/rtt.sh  # use the tools already on PATH
#   TOOLS=mailprobe bench/rtt.sh # mailprobe alone (quick)
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS_PATH="${TOOLS_DIR:-/tmp/mailprobe-bench-tools}"
if [[ -z "${SKIP_INSTALL:-}" ]]; then
  command -v dovecot >/dev/null || apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null 2>&1 || true
  command -v sslscan >/dev/null || apt-get install -y -qq sslscan >/dev/null 2>&1 || true
  if ! command -v sslyze >/dev/null && [[ ! -x "$TOOLS_PATH/venv/bin/sslyze" ]]; then
    python3 -m venv "$TOOLS_PATH/venv" && "$TOOLS_PATH/venv/bin/pip" install -q sslyze || true
  fi
fi
if [[ -x "$TOOLS_PATH/venv/bin/sslyze" ]]; then export SSLYZE="$TOOLS_PATH/venv/bin/sslyze"; fi
cargo build --release --bin mailprobe -q
echo "== $(target/release/mailprobe --version), $(dovecot --version 2>/dev/null | cut -d' ' -f1 | sed 's/^/Dovecot /'), $(sslscan --version 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -o '[0-9][0-9.]*' | head -1 | sed 's/^/sslscan /'), machine: $(nproc) cores"
python3 bench/rtt.py
