#!/usr/bin/env bash
# A short cargo-fuzz run per target (fuzz/fuzz_targets): the TLS reply
# reader (no panic, bounded, same answer however the bytes are split) and the
# IMAP decoders (no panic). Needs a nightly toolchain; cargo-fuzz comes from
# crates.io into ~/.cache/mailprobe-ci/cargo-fuzz. The first build of the
# instrumented crate takes about 9 minutes on 2 cores, so this is not part of
# .ci/run by default. Skips, saying so, when nightly or cargo-fuzz is missing.
#
#   FUZZ_SECONDS=60 .ci/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-30}
root="${HOME}/.cache/mailprobe-ci/cargo-fuzz"
export PATH="$root/bin:$PATH"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "SKIP: no nightly toolchain (cargo-fuzz needs one)"
    exit 0
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz from crates.io into $root"
    if ! cargo install cargo-fuzz --version 0.13.2 --locked --root "$root" >/tmp/mailprobe-cargo-fuzz-install.log 2>&1; then
        echo "SKIP: cargo-fuzz could not be installed (see /tmp/mailprobe-cargo-fuzz-install.log)"
        exit 0
    fi
fi
for target in reply_reader imap_response; do
    echo "== fuzz $target for ${SECONDS_PER_TARGET}s"
    cargo +nightly fuzz run "$target" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=1024
done
