#!/usr/bin/env bash
# Supply chain: licences (permissive allow-list), banned crates, sources
# (crates.io only). cargo-deny comes from crates.io, built once into
# ~/.cache/mailprobe-ci/cargo-deny. Skips, saying so, when it cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."

root="${HOME}/.cache/mailprobe-ci/cargo-deny"
deny="${root}/bin/cargo-deny"
if [[ ! -x "$deny" ]] && command -v cargo-deny >/dev/null 2>&1; then
    deny="$(command -v cargo-deny)"
fi
if [[ ! -x "$deny" ]]; then
    # Built from source: about 10 minutes on 2 busy cores the first time,
    # cached after. DENY_INSTALL_TIMEOUT bounds it (seconds).
    echo "installing cargo-deny from crates.io into $root (once; up to ${DENY_INSTALL_TIMEOUT:-900} s)"
    if ! timeout "${DENY_INSTALL_TIMEOUT:-900}" cargo install cargo-deny --version 0.20.2 --locked --root "$root" \
        >/tmp/mailprobe-cargo-deny-install.log 2>&1; then
        echo "SKIP: cargo-deny could not be installed (see /tmp/mailprobe-cargo-deny-install.log)"
        exit 0
    fi
fi
"$deny" --version
# The licence, ban and source checks need only Cargo.lock and the crates'
# manifests, but for every platform in the lock file (windows-*, android-*),
# which a Linux build never downloads: fetch them from crates.io first, then
# check offline (no advisory database here).
cargo fetch --locked --quiet
"$deny" --offline check licenses bans sources
