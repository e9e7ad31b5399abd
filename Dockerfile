# syntax=docker/dockerfile:1
# mailprobe: multi-stage build. The builder caches the dependency tree in its
# own layer; the runtime is debian-slim with a non-root user and no shell tools
# beyond the base image (the health check is the binary itself).

FROM rust:1-bookworm AS builder
WORKDIR /src
# Build the dependencies first, against a stub crate, so source edits do not
# rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && echo '' > src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src ./src
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
    && strip target/release/mailprobe

FROM debian:bookworm-slim AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="mailprobe" \
      org.opencontainers.image.description="Probes mail servers' TLS and IMAP/POP3/SMTP handshakes and explains which clients can connect" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mailprobe
COPY --from=builder /src/target/release/mailprobe /usr/local/bin/mailprobe
USER 10001:10001
ENV MAILPROBE_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/mailprobe", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/mailprobe"]
CMD ["serve"]
