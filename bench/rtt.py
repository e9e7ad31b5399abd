#!/usr/bin/env python3
"""Latency bench (issue 21): mailprobe, sslscan and sslyze against real
Dovecot servers, at an emulated round-trip time and on loopback, in one run.

Two Dovecot instances, started the way .ci/dovecot.sh starts them (own
config, throwaway directory, loopback):
  - tls10:  TLS 1.0 only, four suites (Exchange 2010-like);
  - modern: TLS 1.2 + 1.3, six TLS 1.2 suites, OpenSSL's three TLS 1.3
            suites, groups pinned to seven (so the group count is stable
            across OpenSSL builds).
Each tool reaches them through the userspace relay of examples/fixtures.rs
(same rule, here in Python so it can front any server): every chunk is
delayed by RTT/2 in each direction and a connection's first chunk by one
more RTT (the TCP handshake the relay's accept does not delay). The relay
counts the connections each tool opens. RTT=0 is the loopback row (the relay
still counts, adding no delay).

Prints, per server and RTT: wall time (median of RUNS for mailprobe, of
OTHER_RUNS for the others), round trips (wall / RTT) and connections. On
loopback a `floor` row follows each server: the time of as many independent
connections as mailprobe made, four at a time, each one ClientHello and the
server's first answer (the host's floor for that many connections; see
floor_hellos).

    bench/rtt.sh                    # builds, installs the tools, runs this
    RTTS=50,0 RUNS=5 python3 bench/rtt.py
    TOOLS=mailprobe RTTS=50,0 python3 bench/rtt.py   # mailprobe alone
    CHECKS=all ...                  # with the security checks (default: none)
"""

import json
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAILPROBE = os.environ.get("MAILPROBE_BIN", os.path.join(ROOT, "target/release/mailprobe"))
SSLYZE = os.environ.get("SSLYZE", "sslyze")
SSLSCAN = os.environ.get("SSLSCAN", "sslscan")
RUNS = int(os.environ.get("RUNS", "5"))
OTHER_RUNS = int(os.environ.get("OTHER_RUNS", "1"))
RTTS = [int(x) for x in os.environ.get("RTTS", "50,0").split(",")]
# Which tools run: `mailprobe` alone is the quick check.
TOOLS = os.environ.get("TOOLS", "mailprobe,sslscan,sslyze").split(",")
# The active security checks have their own connection budget (issue 18);
# the bench measures the scan and the probe without them.
CHECKS = os.environ.get("CHECKS", "none")
# On loopback, also time the host's bound for mailprobe's connection count
# (floor_hellos); FLOOR=0 skips it.
FLOOR = os.environ.get("FLOOR", "1") != "0"

TLS10_SUITES = "ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:AES256-SHA:AES128-SHA"
# No DHE suites: Dovecot 2.3 sets no DH parameters, so a DHE pick fails
# and the server closes silently (which the scanner, like any client, reads
# as a refusal of the whole hello).
MODERN_SUITES = (
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384"
)
MODERN_GROUPS = "X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072"


# ---------------------------------------------------------------- relay


class Relay:
    """A delaying TCP relay in front of `upstream` that counts connections."""

    def __init__(self, upstream, rtt_ms):
        self.upstream = upstream
        self.one_way = rtt_ms / 2000.0
        self.connections = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def count(self):
        with self.lock:
            return self.connections

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        first = [True]
        lock = threading.Lock()
        threads = [
            threading.Thread(target=self._pipe, args=(client, server, first, lock), daemon=True),
            threading.Thread(target=self._pipe, args=(server, client, first, lock), daemon=True),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for s in (client, server):
            s.close()

    def _pipe(self, src, dst, first, lock):
        q = queue.Queue()

        def writer():
            while True:
                due, chunk = q.get()
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if chunk is None:
                    try:
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    return
                try:
                    dst.sendall(chunk)
                except OSError:
                    return

        w = threading.Thread(target=writer, daemon=True)
        w.start()
        while True:
            try:
                chunk = src.recv(16384)
            except OSError:
                chunk = b""
            with lock:
                extra = 2 * self.one_way if first[0] else 0.0
                first[0] = False
            q.put((time.monotonic() + self.one_way + extra, chunk or None))
            if not chunk:
                break
        w.join()


# ---------------------------------------------------------------- Dovecot


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """One throwaway Dovecot, configured as .ci/dovecot.sh does, on an implicit TLS port."""

    def __init__(self, name, extra, openssl_conf=None):
        self.dir = tempfile.mkdtemp(prefix=f"mailprobe-dovecot.bench-{name}.")
        os.chmod(self.dir, 0o755)
        for d in ("run", "state", "home"):
            os.makedirs(os.path.join(self.dir, d))
        os.chmod(os.path.join(self.dir, "home"), 0o777)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", f"{self.dir}/key.pem", "-out", f"{self.dir}/cert.pem"],
            check=True, capture_output=True,
        )
        with open(f"{self.dir}/passwd", "w") as f:
            f.write("alice@example.com:{PLAIN}bench-Secret-7f3a::::::\n")
        self.port = free_port()
        env = dict(os.environ)
        imports = ""
        if openssl_conf:
            path = f"{self.dir}/openssl.cnf"
            with open(path, "w") as f:
                f.write(openssl_conf)
            env["OPENSSL_CONF"] = path
            imports = f"import_environment = TZ OPENSSL_CONF={path}\n"
        conf = f"""base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.dir}/cert.pem
ssl_key = <{self.dir}/key.pem
{extra}
{imports}disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.dir}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={self.dir}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
"""
        with open(f"{self.dir}/dovecot.conf", "w") as f:
            f.write(conf)
        subprocess.run(["dovecot", "-c", f"{self.dir}/dovecot.conf"], check=True, env=env)
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot {name} did not listen; see {self.dir}/dovecot.log")

    def stop(self):
        pid_file = f"{self.dir}/run/master.pid"
        if os.path.exists(pid_file):
            with open(pid_file) as f:
                pid = int(f.read().strip())
            try:
                os.kill(pid, 15)
            except OSError:
                pass
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except OSError:
                    break
                time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_servers():
    tls10 = Dovecot(
        "tls10",
        f"ssl_min_protocol = TLSv1\nssl_cipher_list = {TLS10_SUITES}:@SECLEVEL=0",
        openssl_conf="openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
        "[ssl_sect]\nsystem_default = system_default_sect\n[system_default_sect]\n"
        "MinProtocol = TLSv1\nMaxProtocol = TLSv1\nCipherString = DEFAULT:@SECLEVEL=0\n",
    )
    modern = Dovecot(
        "modern",
        f"ssl_min_protocol = TLSv1.2\nssl_cipher_list = {MODERN_SUITES}\nssl_curve_list = {MODERN_GROUPS}",
    )
    return [("TLS 1.0 only, 4 suites", tls10), ("TLS 1.2 + 1.3, 6 + 3 suites, 7 groups", modern)]


# ---------------------------------------------------------------- tools


def env():
    e = {k: v for k, v in os.environ.items() if not k.startswith("MAILPROBE_")}
    e["MAILPROBE_ALLOW_TARGETS"] = "127.0.0.0/8"
    e["MAILPROBE_ALLOW_PORTS"] = "*"
    return e


def run_mailprobe(port, out):
    with open(out, "w") as f:
        subprocess.run(
            [MAILPROBE, "probe", f"127.0.0.1:{port}", "--protocol", "imap", "--transport", "implicit",
             "--json", "--timeout-ms", "30000", "--checks", CHECKS],
            stdout=f, stderr=subprocess.DEVNULL, env=env(), check=False,
        )


def run_sslyze(port, out):
    subprocess.run(
        [SSLYZE, "--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3",
         "--certinfo", "--elliptic_curves", f"--json_out={out}", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )


def run_sslscan(port, out):
    subprocess.run(
        [SSLSCAN, "--no-colour", f"--xml={out}", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )


def client_hello():
    """A TLS ClientHello (TLS 1.0 to 1.3, every suite of Python's OpenSSL at
    security level 0), taken from Python's ssl through a memory BIO."""
    import ssl
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def floor_hellos(port, n, cap=4):
    """The host's floor for n connections: n independent connections, cap at
    a time (mailprobe's per-target cap), each sending one ClientHello and
    closing once the server's first answer arrives, the least any scan
    connection costs. On loopback the time is the server's per-connection
    work (Dovecot starts a login process for each), not the round trips, so
    a probe that makes n connections cannot be much faster than this."""
    import asyncio

    hello = client_hello()

    async def one(sem):
        async with sem:
            r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
            try:
                w.write(hello)
                await w.drain()
                await asyncio.wait_for(r.read(1), 10)
            finally:
                w.close()

    async def all_of_them():
        sem = asyncio.Semaphore(cap)
        await asyncio.gather(*[one(sem) for _ in range(n)])

    asyncio.run(all_of_them())


def have(tool):
    return shutil.which(tool) is not None


def measure(relay, fn, runs, tmp, tag):
    times, conns = [], []
    for i in range(runs):
        before = relay.count()
        t = time.perf_counter()
        fn(relay.port, os.path.join(tmp, f"{tag}-{i}"))
        times.append(time.perf_counter() - t)
        time.sleep(0.3)  # let the relay count the last accepts
        conns.append(relay.count() - before)
    return statistics.median(times), statistics.median(conns)


def mailprobe_summary(path):
    try:
        with open(path) as f:
            r = json.load(f)
    except (OSError, ValueError):
        return "no report"
    found = []
    for v in r["tls"]["versions"]:
        if v.get("offered"):
            found.append(f"{v['version']}:{len(v['suites'])}")
    basis = {}
    for c in r.get("clients", []):
        basis[c["basis"]] = basis.get(c["basis"], 0) + 1
    return f"found {' '.join(found)}; report stats {r['stats']['connections']} connections; clients {basis}"


def main():
    servers = start_servers()
    tmp = tempfile.mkdtemp(prefix="mailprobe-rtt-")
    tools = [("mailprobe", run_mailprobe, RUNS)]
    for name, fn in (("sslscan", run_sslscan), ("sslyze", run_sslyze)):
        if name not in TOOLS:
            continue
        if have(SSLSCAN if name == "sslscan" else SSLYZE):
            tools.append((name, fn, OTHER_RUNS))
        else:
            print(f"({name} not installed: its rows are skipped)")
    rows = []
    try:
        for rtt in RTTS:
            label = f"{rtt} ms RTT" if rtt else "loopback"
            print(f"\n== {label} (mailprobe median of {RUNS}, others of {OTHER_RUNS})")
            print(f"{'server':<40} {'tool':<10} {'wall ms':>8} {'RTTs':>6} {'conns':>6}  note")
            for sname, srv in servers:
                relay = Relay(("127.0.0.1", srv.port), rtt)
                results = {}
                for tname, fn, runs in tools:
                    wall, conns = measure(relay, fn, runs, tmp, f"{srv.port}-{rtt}-{tname}")
                    results[tname] = wall
                    rtts = f"{wall * 1000 / rtt:6.1f}" if rtt else "     -"
                    note = ""
                    if tname == "mailprobe":
                        note = mailprobe_summary(os.path.join(tmp, f"{srv.port}-{rtt}-{tname}-{runs - 1}"))
                    else:
                        note = f"mailprobe {wall / results['mailprobe']:.1f}x faster"
                    print(f"{sname:<40} {tname:<10} {wall * 1000:8.0f} {rtts} {conns:6.0f}  {note}")
                    rows.append((label, sname, tname, wall, conns))
                    if tname == "mailprobe":
                        mailprobe_conns = int(conns)
                if not rtt and FLOOR:
                    n = mailprobe_conns
                    wall, conns = measure(relay, lambda port, _out: floor_hellos(port, n), RUNS, tmp, "floor")
                    note = f"{n} independent hellos, 4 at a time: the host's floor for {n} connections"
                    if "sslscan" in results:
                        note += f"; mailprobe at this bound would be {results['sslscan'] / wall:.1f}x sslscan"
                    print(f"{sname:<40} {'floor':<10} {wall * 1000:8.0f} {'-':>6} {conns:6.0f}  {note}")
    finally:
        for _, srv in servers:
            srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
