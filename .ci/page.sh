#!/usr/bin/env bash
# The page for people (issue 20) in a real headless browser:
#  - Debian's chromium and chromium-driver, installed when missing (SKIP,
#    loudly, when they cannot be);
#  - axe-core from npm, pinned, installed once into ~/.cache/mailprobe-ci;
#  - the service on a random loopback port (only 127.0.0.0/8 may be probed;
#    127.0.0.2 is denied so a refused target is refused by policy), and the
#    Exchange-2010-like and modern fixtures;
#  - .ci/page_check.py drives the browser over WebDriver: both views, a
#    shared URL, a refused target, the API key field with a 401 and a 429,
#    credentials kept out of URL and curl, no
#    request to another origin, no CSP violation, axe-core, a phone-sized
#    screen. Screenshots go to target/page/.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${MAILPROBE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mailprobe-ci}
PYTHON=${PYTHON:-python3}
INSTALL_TIMEOUT=${PAGE_INSTALL_TIMEOUT:-600}
AXE_VERSION=4.14.1
TARGET=${CARGO_TARGET_DIR:-target}

skip() {
    echo "SKIP: $1"
    echo "SKIP: the page was NOT checked in a browser"
    exit 0
}

chromium_bin=$(command -v chromium || command -v chromium-browser || true)
driver_bin=$(command -v chromedriver || true)
if [[ -z $chromium_bin || -z $driver_bin ]]; then
    echo "installing chromium and chromium-driver (apt-get)"
    if ! { [[ $(id -u) == 0 ]] && timeout "$INSTALL_TIMEOUT" apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive timeout "$INSTALL_TIMEOUT" apt-get install -y -qq chromium chromium-driver >/dev/null; }; then
        skip "chromium and chromium-driver could not be installed"
    fi
    chromium_bin=$(command -v chromium)
    driver_bin=$(command -v chromedriver)
fi

axedir=$CACHE/page-axe-$AXE_VERSION
if [[ ! -f $axedir/.installed ]]; then
    echo "installing axe-core@$AXE_VERSION into $axedir"
    rm -rf "$axedir"
    mkdir -p "$axedir"
    if ! (cd "$axedir" && timeout "$INSTALL_TIMEOUT" npm install --no-audit --no-fund --loglevel=error \
        --save-exact "axe-core@$AXE_VERSION" >/dev/null); then
        rm -rf "$axedir"
        skip "axe-core@$AXE_VERSION could not be installed from npm"
    fi
    touch "$axedir/.installed"
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

cargo build --quiet --bin mailprobe --example fixture
bin=$TARGET/debug
start_fixture() { # name, output file; waits for the port line
    : >"$2"
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
start_fixture modern "$work/modern.out"
legacy_port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/legacy.out" | cut -d: -f2)
modern_port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/modern.out" | cut -d: -f2)

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
refused=127.0.0.2
deny=$refused/32,0.0.0.0/2,64.0.0.0/3,96.0.0.0/6,100.0.0.0/6,104.0.0.0/5,112.0.0.0/5,120.0.0.0/6,124.0.0.0/7,126.0.0.0/8,128.0.0.0/1,::/0
env -u MAILPROBE_CI_CACHE MAILPROBE_LISTEN="127.0.0.1:$port" MAILPROBE_ALLOW_TARGETS=127.0.0.0/8 MAILPROBE_DENY_TARGETS="$deny" \
    MAILPROBE_ALLOW_PORTS='*' MAILPROBE_RATE_LIMIT=0 MAILPROBE_LOG=warn "$bin/mailprobe" &
pids+=($!)

# A second service that requires an API key and allows one request a minute:
# the page's key field, its 401 and its 429.
keyed_port=$(free_port)
api_key=page-check-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(12))')
env -u MAILPROBE_CI_CACHE MAILPROBE_LISTEN="127.0.0.1:$keyed_port" MAILPROBE_ALLOW_TARGETS=127.0.0.0/8 MAILPROBE_DENY_TARGETS="$deny" \
    MAILPROBE_ALLOW_PORTS='*' MAILPROBE_RATE_LIMIT=1 MAILPROBE_API_KEYS="$api_key" MAILPROBE_LOG=warn "$bin/mailprobe" &
pids+=($!)

driver_port=$(free_port)
"$driver_bin" --port="$driver_port" --allowed-ips=127.0.0.1 >"$work/chromedriver.log" 2>&1 &
pids+=($!)

wait_up() { # url, what
    for _ in $(seq 100); do
        curl -sf "$1" >/dev/null && return 0
        sleep 0.1
    done
    echo "FAIL: $2 did not start"
    exit 1
}
wait_up "127.0.0.1:$port/healthz" "the service"
wait_up "127.0.0.1:$keyed_port/healthz" "the service with an API key"
wait_up "127.0.0.1:$driver_port/status" "chromedriver"

mkdir -p "$TARGET/page"
MAILPROBE_URL=http://127.0.0.1:$port WEBDRIVER_URL=http://127.0.0.1:$driver_port CHROMIUM=$chromium_bin \
    KEYED_URL=http://127.0.0.1:$keyed_port API_KEY=$api_key \
    FIXTURE_LEGACY_PORT=$legacy_port FIXTURE_MODERN_PORT=$modern_port REFUSED_HOST=$refused \
    AXE_JS=$axedir/node_modules/axe-core/axe.min.js SHOTS=$TARGET/page \
    timeout 600 "$PYTHON" .ci/page_check.py
echo "screenshots: $TARGET/page/"
