# syntax=docker/dockerfile:1
#
# mailprobe container image.
#
#   docker build -t mailprobe .
#   docker run --rm -p 8080:8080 mailprobe
#
# Two stages: a Rust builder that compiles the dependency tree in its own
# cached layer, and a distroless runtime (glibc, libgcc, CA certificates; no
# shell, no package manager, no libssl: OpenSSL is linked into the binary)
# running as the non-root user 65532. The health check is the binary itself
# (`mailprobe healthcheck` GETs /healthz at MAILPROBE_LISTEN), so the image
# needs no curl.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS builder
WORKDIR /src

# 1. Dependencies only. Every target named by a `path = "..."` line in
#    Cargo.toml ([lib], [[bin]], and any [[test]]/[[bench]] added later) gets a
#    stub file, so the real manifest and lock file resolve and build unchanged.
#    This layer is rebuilt only when Cargo.toml or Cargo.lock change.
#    This layer also builds OpenSSL 3 from the vendored source (the legacy
#    TLS engine, linked statically: the runtime image needs no libssl), which
#    needs perl and make; the rust image has both, and the build says so
#    early if a different base lacks them.
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
COPY Cargo.toml Cargo.lock ./
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    command -v perl make >/dev/null; \
    sed -n 's/^path *= *"\([^"]*\)".*/\1/p' Cargo.toml | while read -r p; do \
        mkdir -p "$(dirname "$p")"; echo 'fn main() {}' > "$p"; \
    done; \
    test -f src/main.rs; \
    cargo build --release --locked --bin mailprobe; \
    rm -rf src

# 2. The crate itself, and the page's files it embeds (web/). `touch` makes
#    the real sources newer than the stubs' build records, whatever mtimes
#    COPY preserved.
COPY web ./web
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    find src -name '*.rs' -exec touch {} + \
    && cargo build --release --locked --bin mailprobe \
    && strip target/release/mailprobe \
    && ./target/release/mailprobe --version

# Debian 12 base, as the builder (same glibc).
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="mailprobe" \
      org.opencontainers.image.description="Probes mail servers' TLS and IMAP/POP3/SMTP handshakes and explains which clients can connect, and why not" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.base.name="gcr.io/distroless/cc-debian12:nonroot"
COPY --from=builder /src/target/release/mailprobe /usr/local/bin/mailprobe
# 65532 is distroless' "nonroot"; numeric so Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
ENV MAILPROBE_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/mailprobe", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/mailprobe"]
CMD ["serve"]
