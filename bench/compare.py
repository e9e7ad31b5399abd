#!/usr/bin/env python3
"""End-to-end comparison: mailprobe vs sslyze vs sslscan on the same
loopback fixtures, in the same run. Driven by bench/compare.sh, which
builds the binaries and installs the tools; see docs/testing.md,
Performance.

For each fixture (Exchange 2010-like TLS 1.0 only; modern TLS 1.2 + 1.3):
  - RUNS full scans per tool, median wall time;
  - TCP connections each scan made, counted at the fixture (accept());
  - versions and suites each found, compared with mailprobe's.
Then (BATCH=1) a 1000-target batch over several fixtures on different
loopback addresses: throughput and peak RSS.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAILPROBE = os.environ.get("MAILPROBE_BIN", os.path.join(ROOT, "target/release/mailprobe"))
FIXTURES = os.environ.get("FIXTURES_BIN", os.path.join(ROOT, "target/debug/examples/fixtures"))
SSLYZE = os.environ.get("SSLYZE", "sslyze")
SSLSCAN = os.environ.get("SSLSCAN", "sslscan")
RUNS = int(os.environ.get("RUNS", "5"))
LABEL = os.environ.get("LABEL", "loopback")
BATCH = int(os.environ.get("BATCH", "1"))
BATCH_TARGETS = int(os.environ.get("BATCH_TARGETS", "1000"))

VERSIONS = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


class Fixtures:
    def __init__(self, names):
        delay = os.environ.get("FIXTURE_DELAY_MS")
        self.proc = subprocess.Popen(
            [FIXTURES] + (["--delay-ms", delay] if delay else []) + names, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.addrs = {}
        for line in self.proc.stdout:
            line = line.strip()
            if line == "ready":
                break
            name, ip, port = line.split()
            self.addrs[f"{name}@{ip}"] = (name, ip, int(port))

    def counts(self):
        self.proc.stdin.write("counts\n")
        self.proc.stdin.flush()
        out = {}
        for line in self.proc.stdout:
            line = line.strip()
            if line == "end":
                return out
            key, n = line.split()
            out[key] = int(n)
        raise RuntimeError("fixtures exited")

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def env():
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("MAILPROBE_"):
            del e[k]
    e["MAILPROBE_ALLOW_TARGETS"] = "127.0.0.0/8"
    e["MAILPROBE_ALLOW_PORTS"] = "*"
    return e


def run_mailprobe(ip, port, out):
    subprocess.run(
        [MAILPROBE, "probe", f"{ip}:{port}", "--json", "--timeout-ms", "30000"],
        stdout=out, stderr=subprocess.DEVNULL, env=env(), check=False,
    )


def mailprobe_found(path):
    with open(path) as f:
        r = json.load(f)
    found = {}
    for v in r["tls"]["versions"]:
        if v.get("offered"):
            found[v["version"]] = {s["name"] for s in v["suites"]}, {
                s.get("openssl_name") or s["name"] for s in v["suites"]
            }
            assert len(found[v["version"]][0]) == len(v["suites"])
    return found, r["stats"]


def run_sslyze(ip, port, out_json):
    subprocess.run(
        [SSLYZE, "--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3",
         "--certinfo", "--elliptic_curves", f"--json_out={out_json}", f"{ip}:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )


SSLYZE_KEYS = {
    "ssl_2_0_cipher_suites": "SSLv2", "ssl_3_0_cipher_suites": "SSLv3",
    "tls_1_0_cipher_suites": "TLSv1.0", "tls_1_1_cipher_suites": "TLSv1.1",
    "tls_1_2_cipher_suites": "TLSv1.2", "tls_1_3_cipher_suites": "TLSv1.3",
}


def sslyze_found(path):
    with open(path) as f:
        r = json.load(f)
    res = r["server_scan_results"][0]["scan_result"]
    found = {}
    for key, version in SSLYZE_KEYS.items():
        attempt = res.get(key) or {}
        result = attempt.get("result") or {}
        names = {c["cipher_suite"]["name"] for c in result.get("accepted_cipher_suites", [])}
        if names:
            found[version] = names
    return found


def run_sslscan(ip, port, out_xml):
    subprocess.run(
        [SSLSCAN, "--no-colour", f"--xml={out_xml}", f"{ip}:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )


def sslscan_found(path):
    found = {}
    for c in ET.parse(path).getroot().iter("cipher"):
        if c.get("status") in ("accepted", "preferred"):
            found.setdefault(c.get("sslversion"), set()).add(c.get("cipher"))
    return found


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def compare(mine, theirs, by_openssl):
    """Same versions and, per version, the same suites?"""
    mv = set(mine)
    tv = set(theirs)
    if mv != tv:
        return f"versions differ: mailprobe {sorted(mv)} vs {sorted(tv)}"
    for v in mv:
        iana, openssl = mine[v]
        if not by_openssl:
            if iana != theirs[v]:
                return f"{v} suites differ: only mailprobe {sorted(iana - theirs[v])}, only other {sorted(theirs[v] - iana)}"
            continue
        # sslscan names a suite the OpenSSL way when its OpenSSL knows it,
        # else by IANA name (its build lacks RC4/3DES): accept either.
        either = iana | openssl
        unknown = theirs[v] - either
        if unknown or len(theirs[v]) != len(iana):
            return f"{v} suites differ: mailprobe {sorted(openssl)}, other {sorted(theirs[v])}"
    return "same versions and suites"


def scan_comparison(fx):
    tmp = tempfile.mkdtemp(prefix="mailprobe-bench-")
    have_sslyze = subprocess.run(["sh", "-c", f"command -v {SSLYZE}"], capture_output=True).returncode == 0
    have_sslscan = subprocess.run(["sh", "-c", f"command -v {SSLSCAN}"], capture_output=True).returncode == 0
    rows = []
    for key, (name, ip, port) in fx.addrs.items():
        result = {"fixture": name}
        # mailprobe
        times, conns = [], []
        for i in range(RUNS):
            path = os.path.join(tmp, f"{name}-mp-{i}.json")
            before = fx.counts()[key]
            with open(path, "w") as out:
                times.append(timed(lambda: run_mailprobe(ip, port, out)))
            conns.append(fx.counts()[key] - before)
        found, stats = mailprobe_found(path)
        result["mailprobe"] = (statistics.median(times), statistics.median(conns), stats)
        accepted = sum(len(s[0]) + 1 for s in found.values())
        result["budget"] = accepted + 8
        result["found"] = {v: len(s[0]) for v, s in found.items()}
        for tool, have, run, parse, by_openssl, ext in (
            ("sslyze", have_sslyze, run_sslyze, sslyze_found, False, "json"),
            ("sslscan", have_sslscan, run_sslscan, sslscan_found, True, "xml"),
        ):
            if not have:
                result[tool] = None
                continue
            times, conns = [], []
            runs = int(os.environ.get("OTHER_RUNS", str(max(1, min(RUNS, 3)))))
            for i in range(runs):
                path = os.path.join(tmp, f"{name}-{tool}-{i}.{ext}")
                before = fx.counts()[key]
                times.append(timed(lambda: run(ip, port, path)))
                conns.append(fx.counts()[key] - before)
            try:
                same = compare(found, parse(path), by_openssl)
            except Exception as e:  # a tool's output we cannot read
                same = f"could not read {tool} output: {e}"
            result[tool] = (statistics.median(times), statistics.median(conns), same)
        rows.append(result)
    return rows


def print_rows(rows):
    print(f"\n== full scan, {LABEL} (median of {RUNS} mailprobe runs, up to 3 per other tool)")
    for r in rows:
        t, c, stats = r["mailprobe"]
        print(f"\n{r['fixture']}: accepted {r['found']}")
        scan = stats.get('scan_connections', '?')
        within = "within" if isinstance(scan, int) and scan <= r['budget'] else "OVER"
        print(f"  mailprobe  {t*1000:8.0f} ms  {c:4.0f} connections (report: {stats['connections']} connections, "
              f"{stats['handshakes']} handshakes; the wire scan {scan}, {within} the budget "
              f"sum(suites+1)+8 = {r['budget']}; the rest: client trials, real handshakes, mail dialogue)")
        for tool in ("sslyze", "sslscan"):
            if r[tool] is None:
                print(f"  {tool:<10} not installed; skipped")
                continue
            tt, tc, same = r[tool]
            print(f"  {tool:<10} {tt*1000:8.0f} ms  {tc:4.0f} connections  -> mailprobe {tt/t:5.1f}x faster, "
                  f"{tc/max(c,1):4.1f}x fewer connections; {same}")


def batch(fx_names):
    fx = Fixtures(fx_names)
    try:
        keys = list(fx.addrs.items())
        tmp = tempfile.mkdtemp(prefix="mailprobe-batch-")
        targets = os.path.join(tmp, "targets.txt")
        with open(targets, "w") as f:
            for i in range(BATCH_TARGETS):
                _, (_, ip, port) = keys[i % len(keys)]
                f.write(f"{ip}:{port}\n")
        before = fx.counts()
        out = os.path.join(tmp, "out.ndjson")
        timing = os.path.join(tmp, "time.txt")
        t = time.perf_counter()
        with open(out, "w") as o:
            subprocess.run(["/usr/bin/time", "-v", "-o", timing, MAILPROBE, "probe", "--targets", targets],
                           stdout=o, stderr=subprocess.DEVNULL, env=env(), check=False)
        wall = time.perf_counter() - t
        after = fx.counts()
        rss_kb = 0
        with open(timing) as f:
            for line in f:
                if "Maximum resident set size" in line:
                    rss_kb = int(line.split(":")[1])
        lines = reports = problems = errors = 0
        with open(out) as f:
            for line in f:
                lines += 1
                r = json.loads(line)
                if "report" in r:
                    reports += 1
                    errors += len(r["report"].get("errors", []))
                else:
                    problems += 1
        conns = sum(after[k] - before[k] for k in after)
        print(f"\n== batch: {BATCH_TARGETS} targets over {len(keys)} fixtures on {len({k[1][1] for k in keys})} loopback addresses")
        print(f"  {lines} lines ({reports} reports, {problems} problems), {errors} step errors in reports")
        print(f"  {wall:.1f} s wall, {BATCH_TARGETS / wall:.0f} targets/s, {conns} connections ({conns / wall:.0f}/s)")
        print(f"  peak RSS {rss_kb / 1024:.0f} MB")
    finally:
        fx.stop()


def main():
    fx = Fixtures(["exchange2010", "modern"])
    try:
        print_rows(scan_comparison(fx))
    finally:
        fx.stop()
    if BATCH:
        names = ["exchange2010@127.0.0.1", "modern@127.0.0.2", "tls13only@127.0.0.3",
                 "dhe1024@127.0.0.4", "serverpreference@127.0.0.5", "ssl3tls10@127.0.0.6",
                 "clientpreference@127.0.0.7", "modern@127.0.0.8"]
        batch(names)


if __name__ == "__main__":
    sys.exit(main())
