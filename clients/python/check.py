"""Uses the Python client that openapi-python-client generates from
openapi/openapi.json against a running mailprobe and its fixtures
(.ci/clients.sh sets the environment). One line per check; exit 1 when
any fails.

The generated package (`mailprobe_client`) is on PYTHONPATH, never in the
repository: it is made afresh from the checked-in document on every run.
"""

import json
import os
import sys
import traceback

import httpx

from mailprobe_client import Client
from mailprobe_client.api.catalogue import get_findings, get_profiles
from mailprobe_client.api.probes import get_probe, post_probe
from mailprobe_client.api.readiness import post_readiness
from mailprobe_client.models import (
    BatchLine,
    Credentials,
    EndpointState,
    FindingList,
    GetProbeProtocol,
    PortOverrides,
    ProbeRequest,
    Problem,
    ProfileList,
    Protocol,
    ReadinessReport,
    ReadinessRequest,
    Report,
    TlsVersion,
    Transport,
    Verdict,
)
from mailprobe_client.types import Unset

BASE = os.environ["MAILPROBE_URL"]
LEGACY_PORT = int(os.environ["FIXTURE_LEGACY_PORT"])
LOGIN_PORT = int(os.environ["FIXTURE_LOGIN_PORT"])
CREDENTIALS = json.loads(os.environ["FIXTURE_CREDENTIALS"])
REFUSED_HOST = os.environ["REFUSED_HOST"]

client = Client(base_url=BASE, timeout=httpx.Timeout(60.0))
failed = 0


def check(name, fn):
    global failed
    try:
        detail = fn()
        print(f"PASS python: {name}: {detail}")
    except Exception:  # noqa: BLE001 - every failure is reported, then counted
        failed += 1
        print(f"FAIL python: {name}")
        traceback.print_exc(limit=4, file=sys.stdout)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def get_probe_legacy():
    r = get_probe.sync_detailed(
        client=client, host="127.0.0.1", port=LEGACY_PORT, protocol=GetProbeProtocol.IMAP
    )
    expect(r.status_code == 200, f"status {r.status_code}: {r.content[:300]!r}")
    report = r.parsed
    expect(isinstance(report, Report), f"parsed as {type(report).__name__}")
    expect(report.target.port == LEGACY_PORT and report.target.protocol == Protocol.IMAP, "target")
    expect(isinstance(report.verdict, Verdict), "verdict is the Verdict enum")
    offered = [v.version for v in report.tls.versions if v.offered]
    expect(offered == [TlsVersion.TLSV1_0], f"offered versions {offered}")
    return f"Report verdict={report.verdict.value}, offered={[v.value for v in offered]}"


def post_probe_with_credentials():
    body = ProbeRequest(
        host="127.0.0.1",
        port=LOGIN_PORT,
        transport=Transport.STARTTLS,
        credentials=Credentials(
            username=CREDENTIALS["username"], password=CREDENTIALS["password"]
        ),
        # The fixture's certificate comes from a private test CA: without this
        # opt-in the service withholds the credentials (and says why).
        allow_untrusted_login=True,
    )
    r = post_probe.sync_detailed(client=client, body=body)
    expect(r.status_code == 200, f"status {r.status_code}: {r.content[:300]!r}")
    report = r.parsed
    expect(isinstance(report, Report), f"parsed as {type(report).__name__}")
    login = report.mail.login
    expect(not isinstance(login, Unset) and login is not None, "mail.login present")
    expect(login.attempted and login.ok is True, f"login {login.to_dict()}")
    expect(CREDENTIALS["password"] not in r.content.decode(), "password not echoed")
    return f"Report login ok with {login.mechanism}"


def readiness():
    closed = dict(pop3_implicit=0, pop3_starttls=0, smtp=0, smtps=0, submission=0, https=0)
    body = ReadinessRequest(
        host="127.0.0.1",
        timeout_ms=20000,
        ports=PortOverrides(imap_implicit=LEGACY_PORT, imap_starttls=LOGIN_PORT, **closed),
    )
    r = post_readiness.sync_detailed(client=client, body=body)
    expect(r.status_code == 200, f"status {r.status_code}: {r.content[:300]!r}")
    rr = r.parsed
    expect(isinstance(rr, ReadinessReport), f"parsed as {type(rr).__name__}")
    states = {e.name: e.state for e in rr.endpoints}
    expect(states.get("imap_implicit") == EndpointState.OPEN, f"states {states}")
    expect(states.get("imap_starttls") == EndpointState.OPEN, f"states {states}")
    expect(states.get("https") == EndpointState.SKIPPED, f"states {states}")
    expect(all(isinstance(e.report, Report) for e in rr.endpoints if e.state == EndpointState.OPEN), "open endpoints carry Reports")
    return f"ReadinessReport with {len(rr.endpoints)} endpoints, {len(rr.advice)} advice entries"


def profiles():
    r = get_profiles.sync_detailed(client=client)
    expect(r.status_code == 200 and isinstance(r.parsed, ProfileList), f"status {r.status_code}")
    ids = [p.id for p in r.parsed.profiles]
    expect("exchange-online" in ids, f"profile ids {ids}")
    return f"ProfileList with {len(ids)} profiles"


def findings():
    r = get_findings.sync_detailed(client=client)
    expect(r.status_code == 200 and isinstance(r.parsed, FindingList), f"status {r.status_code}")
    ids = [f.id for f in r.parsed.findings]
    expect(ids and len(set(ids)) == len(ids), "ids present and unique")
    return f"FindingList with {len(ids)} findings"


def refused_target():
    r = get_probe.sync_detailed(client=client, host=REFUSED_HOST, port=993)
    expect(r.status_code == 403, f"status {r.status_code}")
    problem = r.parsed
    expect(isinstance(problem, Problem), f"parsed as {type(problem).__name__}")
    expect(problem.type_ == "urn:mailprobe:problem:target-refused", f"type {problem.type_}")
    expect(problem.status == 403 and problem.field == "host", f"{problem.to_dict()}")
    return f"Problem {problem.type_} (rule {problem.rule})"


def batch_ndjson():
    # The generator cannot type an NDJSON body; each line is a BatchLine
    # (docs/clients.md shows the same reading).
    body = {"targets": [{"id": "legacy", "host": "127.0.0.1", "port": LEGACY_PORT},
                        {"id": "refused", "host": REFUSED_HOST, "port": 993}]}
    lines = []
    with client.get_httpx_client().stream("POST", "/v1/probes:batch", json=body) as r:
        expect(r.status_code == 200, f"status {r.status_code}")
        for raw in r.iter_lines():
            if raw.strip():
                lines.append(BatchLine.from_dict(json.loads(raw)))
    by_id = {line.id: line for line in lines}
    expect(isinstance(by_id["legacy"].report, Report), "legacy line carries a Report")
    expect(isinstance(by_id["refused"].problem, Problem), "refused line carries a Problem")
    return f"{len(lines)} BatchLines (a Report and a Problem)"


check("GET /v1/probes (legacy fixture)", get_probe_legacy)
check("POST /v1/probes with credentials", post_probe_with_credentials)
check("POST /v1/readiness", readiness)
check("GET /v1/profiles", profiles)
check("GET /v1/findings", findings)
check("refused target as Problem", refused_target)
check("POST /v1/probes:batch NDJSON as BatchLine", batch_ndjson)
print(f"python client: {7 - failed} of 7 checks passed")
sys.exit(1 if failed else 0)
