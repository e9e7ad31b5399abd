#!/usr/bin/env bash
# A throwaway Dovecot on loopback for the interop test (tests/it/dovecot.rs).
#
#   eval "$(.ci/dovecot.sh start)"   # exports DOVECOT_INTEROP_{IMAP,IMAPS,IMAPS_TLS10,DIR}, or nothing
#   .ci/dovecot.sh stop "$DOVECOT_INTEROP_DIR"
#
# (Not MAILPROBE_*: the service rejects unknown MAILPROBE_ variables.)
# Installs dovecot-imapd from Debian when it is missing and we may (root with
# apt-get); otherwise prints nothing to eval and the interop test skips. The
# hermetic tests never need it.
#
# Two instances: a modern one (TLS 1.2+, STARTTLS and implicit TLS) and one
# that speaks only TLS 1.0 on an implicit port, as Exchange 2010 does, for the
# legacy TLS engine. Debian's Dovecot 2.3 has ssl_min_protocol but no maximum,
# so the second instance gets its own OpenSSL configuration (MaxProtocol =
# TLSv1 in a system_default section), passed through import_environment.
set -u

start() {
    if ! command -v dovecot >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        # A fresh machine may have no package lists yet: update once, then retry.
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dovecot-imapd >&2 \
            || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dovecot-imapd >&2; } \
            || true
    fi
    if ! command -v dovecot >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
        echo "dovecot: not installable here; the interop test will skip" >&2
        return 0
    fi
    local dir port imaps
    dir=$(mktemp -d /tmp/mailprobe-dovecot.XXXXXX)
    mkdir -p "$dir/run" "$dir/state" "$dir/home"
    chmod 0777 "$dir/home"
    chmod 0755 "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
    # One account; the test also tries a wrong password.
    echo 'alice@example.com:{PLAIN}interop-Secret-7f3a::::::' >"$dir/passwd"
    port=$(shuf -i 20000-59000 -n 1)
    imaps=$((port + 1))
    cat >"$dir/dovecot.conf" <<EOF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/home/%u
}
mail_location = maildir:~/Maildir
mail_plugins = quota
protocol imap {
  mail_plugins = \$mail_plugins imap_quota
}
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=1G
}
namespace inbox {
  inbox = yes
  separator = .
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Trash {
    special_use = \\Trash
  }
  mailbox Junk {
    special_use = \\Junk
  }
}
service imap-login {
  inet_listener imap {
    port = $port
  }
  inet_listener imaps {
    port = $imaps
    ssl = yes
  }
}
EOF
    seed "$dir" >&2
    # The TLS 1.0-only instance: same account and certificate, own dirs. Its plaintext
    # listener is switched off with port 0 (deleting the block falls back to
    # Dovecot's built-in 143, which another instance on the machine may hold).
    local tls10=$((port + 2))
    mkdir -p "$dir/tls10/run" "$dir/tls10/state"
    printf '%s\n' 'openssl_conf = openssl_init' '[openssl_init]' 'ssl_conf = ssl_sect' \
        '[ssl_sect]' 'system_default = system_default_sect' '[system_default_sect]' \
        'MinProtocol = TLSv1' 'MaxProtocol = TLSv1' 'CipherString = DEFAULT:@SECLEVEL=0' \
        >"$dir/tls10/openssl.cnf"
    sed -e "s|^base_dir = .*|base_dir = $dir/tls10/run|" \
        -e "s|^state_dir = .*|state_dir = $dir/tls10/state|" \
        -e "s|^log_path = .*|log_path = $dir/tls10/dovecot.log|" \
        -e "s|^ssl_min_protocol = .*|ssl_min_protocol = TLSv1\nssl_cipher_list = ALL:@SECLEVEL=0\nimport_environment = TZ OPENSSL_CONF=$dir/tls10/openssl.cnf|" \
        -e "s|port = $port\$|port = 0|" \
        -e "s|port = $imaps|port = $tls10|" \
        "$dir/dovecot.conf" >"$dir/tls10/dovecot.conf"
    if ! dovecot -c "$dir/dovecot.conf" >&2; then
        echo "dovecot: did not start (see $dir/dovecot.log); the interop test will skip" >&2
        return 0
    fi
    if ! OPENSSL_CONF="$dir/tls10/openssl.cnf" dovecot -c "$dir/tls10/dovecot.conf" >&2; then
        echo "dovecot: the TLS 1.0 instance did not start (see $dir/tls10/dovecot.log)" >&2
        tls10=
    fi
    for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            settle "$dir"
            local exports="DOVECOT_INTEROP_IMAP=127.0.0.1:$port DOVECOT_INTEROP_IMAPS=127.0.0.1:$imaps"
            if [ -n "$tls10" ] && (exec 3<>"/dev/tcp/127.0.0.1/$tls10") 2>/dev/null; then
                exports="$exports DOVECOT_INTEROP_IMAPS_TLS10=127.0.0.1:$tls10"
            fi
            echo "export $exports DOVECOT_INTEROP_DIR=$dir"
            return 0
        fi
        sleep 0.1
    done
    echo "dovecot: no listener on $port; the interop test will skip" >&2
    stop "$dir"
}

# The account's mailbox for the migration preflight test (issue 19), in
# Maildir++ written directly, then indexed once by doveadm so UIDs and
# UIDVALIDITY are settled before any test looks: nested folders, a
# non-ASCII name (modified UTF-7 on disk), special-use folders (by the
# namespace above) and one that looks special but is not marked
# ("Deleted Items"), 300 small messages (the first 50 unread), one
# message over Exchange Online's 35 MiB limit and one just under it.
seed() {
    local dir=$1 md="$1/home/alice@example.com/Maildir" f i
    local folders=(".Archiv" ".Archiv.2023" ".Archiv.2023.Q1" ".Entw&APw-rfe-Alt" ".Sent" ".Drafts" ".Trash" ".Junk" ".Deleted Items")
    mkdir -p "$md/cur" "$md/new" "$md/tmp"
    for f in "${folders[@]}"; do mkdir -p "$md/$f/cur" "$md/$f/new" "$md/$f/tmp"; done
    msg() { # folder n flags [body-bytes]
        local path="$md/$1/cur/1700000000.seed$2.localhost:2,$3"
        {
            printf 'From: Bob <bob@example.com>\r\nTo: alice@example.com\r\n'
            printf 'Subject: =?UTF-8?B?R3LDvMOfZQ==?= %s\r\n' "$2"
            printf 'Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <seed%s@example.com>\r\n\r\n' "$2"
            if [ -n "${4:-}" ]; then
                head -c "$4" /dev/urandom | base64 -w 76 | sed 's/$/\r/'
            else
                printf 'Seed message %s.\r\n' "$2"
            fi
        } >"$path"
    }
    for i in $(seq 1 300); do
        if [ "$i" -le 50 ]; then msg . "$i" ""; else msg . "$i" S; fi
    done
    msg . 301 S $((27 * 1024 * 1024))   # about 36.6 MB once in base64: over 35 MiB
    msg . 302 S $((25 * 1024 * 1024))   # about 33.9 MB: within 10% under the limit
    for i in $(seq 1 12); do msg .Sent "s$i" S; done
    for i in $(seq 1 5); do msg .Archiv.2023.Q1 "q$i" S; done
    for i in $(seq 1 3); do msg ".Entw&APw-rfe-Alt" "e$i" ""; done
    for i in $(seq 1 4); do msg ".Deleted Items" "d$i" S; done
    chown -R nobody:nogroup "$dir/home"
}

# Once Dovecot runs (doveadm asks its auth service): index the seeded
# mailbox, so the first EXAMINE finds UIDs assigned.
settle() {
    doveadm -c "$1/dovecot.conf" force-resync -u alice@example.com '*' >&2 \
        || echo "dovecot: doveadm force-resync failed (the preflight test may see UIDs assigned late)" >&2
}

stop() {
    local dir=${1:-}
    case $dir in /tmp/mailprobe-dovecot.*) ;; *) return 0 ;; esac
    local run pid
    for run in "$dir/run" "$dir/tls10/run"; do
        if [ -f "$run/master.pid" ]; then
            pid=$(cat "$run/master.pid")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    done
    rm -rf "$dir"
}

case ${1:-start} in
start) start ;;
stop) stop "${2:-}" ;;
*) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
