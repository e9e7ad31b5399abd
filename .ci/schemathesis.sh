#!/usr/bin/env bash
# Contract check: schemathesis (PyPI) against the OpenAPI document the
# service serves. The service runs on a random loopback port; only loopback
# may be probed (everything else is on the deny list), with short deadlines,
# so generated probes stay on this machine and finish fast. Checks: no 5xx,
# status codes, content types, headers and bodies as the schema says.
# Skips, saying so, when schemathesis cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${MAILPROBE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mailprobe-ci}
PYTHON=${PYTHON:-python3}
SCHEMATHESIS=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-10}
MAX_TIME=${MAX_TIME:-90}

dir=$CACHE/schemathesis
if [[ ! -f $dir/.installed || $(<"$dir/.installed") != "$SCHEMATHESIS" ]]; then
    echo "installing schemathesis==$SCHEMATHESIS into $dir"
    rm -rf "$dir"
    mkdir -p "$CACHE"
    if ! { "$PYTHON" -m venv "$dir" &&
        "$dir/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS"; }; then
        echo "SKIP: schemathesis could not be installed from PyPI"
        rm -rf "$dir"
        exit 0
    fi
    printf '%s' "$SCHEMATHESIS" >"$dir/.installed"
fi

cargo build --quiet --bin mailprobe
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Everything but 127.0.0.0/8 is denied (the deny list wins over the allow list).
deny=0.0.0.0/2,64.0.0.0/3,96.0.0.0/6,100.0.0.0/6,104.0.0.0/5,112.0.0.0/5,120.0.0.0/6,124.0.0.0/7,126.0.0.0/8,128.0.0.0/1,::/0
MAILPROBE_LISTEN=127.0.0.1:$port MAILPROBE_ALLOW_TARGETS=127.0.0.0/8 MAILPROBE_DENY_TARGETS=$deny \
    MAILPROBE_ALLOW_PORTS='*' MAILPROBE_RATE_LIMIT=0 MAILPROBE_DEFAULT_TIMEOUT_MS=1000 \
    MAILPROBE_MAX_TIMEOUT_MS=2000 MAILPROBE_LOG=warn target/debug/mailprobe &
svc=$!
trap 'kill $svc 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -sf "127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done

"$dir/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" --seed 8 --request-timeout 10 --max-time "$MAX_TIME" \
    --suppress-health-check all --warnings off --no-color
