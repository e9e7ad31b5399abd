#!/usr/bin/env bash
# Contract check with the tools portals use (issue 22):
#  1. openapi-spec-validator (PyPI) validates openapi/openapi.json against
#     the OpenAPI 3.1 schema;
#  2. openapi-python-client (PyPI) and openapi-typescript + openapi-fetch
#     (npm; `tsc --strict` type-checks the harness) generate clients from it,
#     into a temporary directory (never checked in);
#  3. each client is used against the service on a random loopback port and
#     two fixtures (clients/python/check.py, clients/ts/check.ts): a GET
#     probe, a POST probe with credentials, readiness, profiles, findings, a
#     refused target's problem+json as the `Problem` model, and the batch's
#     NDJSON lines as `BatchLine`.
# Tools are pinned and installed once into ~/.cache/mailprobe-ci (as the
# schemathesis and deployment validators are), each install bounded by
# CLIENTS_INSTALL_TIMEOUT seconds. Only an unreachable registry is a SKIP;
# every other failure fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${MAILPROBE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mailprobe-ci}
PYTHON=${PYTHON:-python3}
INSTALL_TIMEOUT=${CLIENTS_INSTALL_TIMEOUT:-300}
PY_TOOLS="openapi-spec-validator==0.9.0 openapi-python-client==0.29.1"
SPEC=openapi/openapi.json

skip() {
    echo "SKIP: $1"
    echo "SKIP: the generated clients were NOT checked"
    exit 0
}

# Python tools: one venv per pinned set.
pydir=$CACHE/clients-python
if [[ ! -f $pydir/.installed || $(<"$pydir/.installed") != "$PY_TOOLS" ]]; then
    echo "installing $PY_TOOLS into $pydir"
    rm -rf "$pydir"
    mkdir -p "$CACHE"
    # shellcheck disable=SC2086 # the pins are separate arguments
    if ! { "$PYTHON" -m venv "$pydir" &&
        timeout "$INSTALL_TIMEOUT" "$pydir/bin/pip" install --quiet --disable-pip-version-check $PY_TOOLS; }; then
        rm -rf "$pydir"
        skip "$PY_TOOLS could not be installed from PyPI"
    fi
    printf '%s' "$PY_TOOLS" >"$pydir/.installed"
fi

# TypeScript tools: node_modules per package-lock.json, by its digest.
lock_sum=$(sha256sum clients/ts/package-lock.json | cut -c1-16)
tsdir=$CACHE/clients-ts-$lock_sum
if [[ ! -f $tsdir/.installed ]]; then
    echo "installing clients/ts/package-lock.json (npm ci) into $tsdir"
    rm -rf "$tsdir"
    mkdir -p "$tsdir"
    cp clients/ts/package.json clients/ts/package-lock.json "$tsdir/"
    if ! (cd "$tsdir" && timeout "$INSTALL_TIMEOUT" npm ci --no-audit --no-fund --loglevel=error); then
        rm -rf "$tsdir"
        skip "the TypeScript tools could not be installed from npm"
    fi
    touch "$tsdir/.installed"
fi

echo "-- validate $SPEC (openapi-spec-validator)"
"$pydir/bin/openapi-spec-validator" "$SPEC"

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

echo "-- generate the Python client (openapi-python-client)"
printf 'post_hooks: []\n' >"$work/python-client.yaml"
"$pydir/bin/openapi-python-client" generate --path "$SPEC" --meta none \
    --config "$work/python-client.yaml" --output-path "$work/py/mailprobe_client" \
    >"$work/python-generate.log" 2>&1 || {
    cat "$work/python-generate.log"
    exit 1
}
if grep -q '^ERROR' "$work/python-generate.log"; then
    cat "$work/python-generate.log"
    echo "FAIL: openapi-python-client reported errors"
    exit 1
fi
# The one warning expected: an NDJSON body has no generated type (the
# harness reads it as BatchLine lines). Any other warning fails.
warnings=$(grep -c '^WARNING' "$work/python-generate.log" || true)
if [[ $warnings != 0 ]] && ! { [[ $warnings == 1 ]] &&
    grep -q '^WARNING parsing POST /v1/probes:batch' "$work/python-generate.log" &&
    grep -q 'Unsupported content_type application/x-ndjson' "$work/python-generate.log"; }; then
    cat "$work/python-generate.log"
    echo "FAIL: openapi-python-client warned about more than the NDJSON batch body"
    exit 1
fi

echo "-- generate the TypeScript client (openapi-typescript) and type-check it (tsc --strict)"
mkdir -p "$work/ts"
cp clients/ts/check.ts clients/ts/tsconfig.json clients/ts/package.json "$work/ts/"
ln -s "$tsdir/node_modules" "$work/ts/node_modules"
"$tsdir/node_modules/.bin/openapi-typescript" "$SPEC" -o "$work/ts/schema.d.ts" --silent
(cd "$work/ts" && "$tsdir/node_modules/.bin/tsc" -p .)

echo "-- service and fixtures on loopback"
cargo build --quiet --bin mailprobe --example fixture
bin=${CARGO_TARGET_DIR:-target}/debug
start_fixture() { # name, output file; prints nothing, waits for the port line
    "$bin/examples/fixture" "$1" >"$2" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        grep -q 'listening on 127.0.0.1:' "$2" && return 0
        sleep 0.1
    done
    cat "$2"
    echo "FAIL: fixture $1 did not start"
    exit 1
}
start_fixture exchange2010 "$work/legacy.out"
start_fixture dovecot-login "$work/login.out"
legacy_port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/legacy.out" | cut -d: -f2)
login_port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/login.out" | cut -d: -f2)
credentials=$(sed -n 's/^credentials: //p' "$work/login.out")

port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Only 127.0.0.0/8 may be probed; 127.0.0.2 is denied too, so the refused
# target is refused by policy without a packet leaving this machine.
refused=127.0.0.2
deny=$refused/32,0.0.0.0/2,64.0.0.0/3,96.0.0.0/6,100.0.0.0/6,104.0.0.0/5,112.0.0.0/5,120.0.0.0/6,124.0.0.0/7,126.0.0.0/8,128.0.0.0/1,::/0
# The service refuses unknown MAILPROBE_* variables: this script's own
# MAILPROBE_CI_CACHE is not for it.
env -u MAILPROBE_CI_CACHE MAILPROBE_LISTEN=127.0.0.1:$port MAILPROBE_ALLOW_TARGETS=127.0.0.0/8 MAILPROBE_DENY_TARGETS=$deny \
    MAILPROBE_ALLOW_PORTS='*' MAILPROBE_RATE_LIMIT=0 MAILPROBE_LOG=warn "$bin/mailprobe" &
pids+=($!)
up=
for _ in $(seq 100); do
    curl -sf "127.0.0.1:$port/healthz" >/dev/null && up=1 && break
    sleep 0.1
done
[[ -n $up ]] || {
    echo "FAIL: the service did not start"
    exit 1
}

export MAILPROBE_URL=http://127.0.0.1:$port FIXTURE_LEGACY_PORT=$legacy_port \
    FIXTURE_LOGIN_PORT=$login_port FIXTURE_CREDENTIALS=$credentials REFUSED_HOST=$refused

status=0
echo "-- the Python client against the service"
PYTHONPATH=$work/py timeout 300 "$pydir/bin/python" clients/python/check.py | tee "$work/python.out" || status=1
echo "-- the TypeScript client against the service"
(cd "$work/ts" && timeout 300 node out/check.js) | tee "$work/ts.out" || status=1

pass=$(cat "$work/python.out" "$work/ts.out" | grep -c '^PASS' || true)
fail=$(cat "$work/python.out" "$work/ts.out" | grep -c '^FAIL' || true)
# A client that died before its checks ran counts as failed.
[[ $((pass + fail)) == 14 ]] || { status=1; fail=$((14 - pass)); }
echo "clients: $pass passed, $fail failed"
exit $status
