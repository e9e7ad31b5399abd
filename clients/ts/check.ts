// Uses the TypeScript client generated from openapi/openapi.json
// (openapi-typescript types + openapi-fetch) against a running mailprobe and
// its fixtures (.ci/clients.sh sets the environment and generates
// ./schema.d.ts beside this file in a temporary directory). Type-checked
// with `tsc --strict`; one line per check; exit 1 when any fails.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Report = components["schemas"]["Report"];
type Problem = components["schemas"]["Problem"];
type BatchLine = components["schemas"]["BatchLine"];

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};

const base = env("MAILPROBE_URL");
const legacyPort = Number(env("FIXTURE_LEGACY_PORT"));
const loginPort = Number(env("FIXTURE_LOGIN_PORT"));
const credentials = JSON.parse(env("FIXTURE_CREDENTIALS")) as components["schemas"]["Credentials"];
const refusedHost = env("REFUSED_HOST");

const client = createClient<paths>({ baseUrl: base });
let failed = 0;
let passed = 0;

function expect(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(what);
}

async function check(name: string, fn: () => Promise<string>): Promise<void> {
  try {
    const detail = await fn();
    passed += 1;
    console.log(`PASS typescript: ${name}: ${detail}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL typescript: ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}

// Every field the generated type calls required is present with its type.
function isReport(r: Report): string {
  expect(["pass", "warn", "fail"].includes(r.verdict), `verdict ${r.verdict}`);
  expect(typeof r.summary === "string" && Array.isArray(r.clients), "summary and clients");
  return r.verdict;
}

await check("GET /v1/probes (legacy fixture)", async () => {
  const { data, error, response } = await client.GET("/v1/probes", {
    params: { query: { host: "127.0.0.1", port: legacyPort, protocol: "imap" } },
  });
  expect(data !== undefined, `status ${response.status}: ${JSON.stringify(error)}`);
  const verdict = isReport(data);
  const offered = data.tls.versions.filter((v) => v.offered === true).map((v) => v.version);
  expect(offered.length === 1 && offered[0] === "TLSv1.0", `offered ${offered.join(",")}`);
  expect(data.target.port === legacyPort, "target port");
  return `Report verdict=${verdict}, offered=${offered.join(",")}`;
});

await check("POST /v1/probes with credentials", async () => {
  const { data, error, response } = await client.POST("/v1/probes", {
    // The fixture's certificate comes from a private test CA: without the
    // opt-in the service withholds the credentials (and says why).
    body: { host: "127.0.0.1", port: loginPort, transport: "starttls", credentials, allow_untrusted_login: true },
  });
  expect(data !== undefined, `status ${response.status}: ${JSON.stringify(error)}`);
  isReport(data);
  const login = data.mail.login;
  expect(login != null && login.attempted && login.ok === true, `login ${JSON.stringify(login)}`);
  return `Report login ok with ${login.mechanism ?? "?"}`;
});

await check("POST /v1/readiness", async () => {
  const { data, error, response } = await client.POST("/v1/readiness", {
    body: {
      host: "127.0.0.1",
      timeout_ms: 20000,
      ports: {
        imap_implicit: legacyPort,
        imap_starttls: loginPort,
        pop3_implicit: 0,
        pop3_starttls: 0,
        smtp: 0,
        smtps: 0,
        submission: 0,
        https: 0,
      },
    },
  });
  expect(data !== undefined, `status ${response.status}: ${JSON.stringify(error)}`);
  const states = Object.fromEntries(data.endpoints.map((e) => [e.name, e.state]));
  expect(states["imap_implicit"] === "open" && states["imap_starttls"] === "open", JSON.stringify(states));
  expect(states["https"] === "skipped", JSON.stringify(states));
  for (const e of data.endpoints) if (e.state === "open" && e.report) isReport(e.report);
  return `ReadinessReport with ${data.endpoints.length} endpoints, ${data.advice.length} advice entries`;
});

await check("GET /v1/profiles", async () => {
  const { data, response } = await client.GET("/v1/profiles");
  expect(data !== undefined, `status ${response.status}`);
  const ids = data.profiles.map((p) => p.id);
  expect(ids.includes("exchange-online"), ids.join(","));
  return `ProfileList with ${ids.length} profiles`;
});

await check("GET /v1/findings", async () => {
  const { data, response } = await client.GET("/v1/findings");
  expect(data !== undefined, `status ${response.status}`);
  const ids = data.findings.map((f) => f.id);
  expect(ids.length > 0 && new Set(ids).size === ids.length, "ids present and unique");
  return `FindingList with ${ids.length} findings`;
});

await check("refused target as Problem", async () => {
  const { data, error, response } = await client.GET("/v1/probes", {
    params: { query: { host: refusedHost, port: 993 } },
  });
  expect(data === undefined && error !== undefined, `status ${response.status}`);
  expect(response.status === 403, `status ${response.status}`);
  expect(response.headers.get("content-type") === "application/problem+json", "problem+json");
  const problem: Problem = error;
  expect(problem.type === "urn:mailprobe:problem:target-refused", problem.type);
  expect(problem.status === 403 && problem.field === "host", JSON.stringify(problem));
  return `Problem ${problem.type} (rule ${problem.rule ?? "?"})`;
});

await check("POST /v1/probes:batch NDJSON as BatchLine", async () => {
  // openapi-fetch cannot type an NDJSON body: read it as text, one BatchLine
  // per line (docs/clients.md shows the same reading).
  const { response } = await client.POST("/v1/probes:batch", {
    body: {
      targets: [
        { id: "legacy", host: "127.0.0.1", port: legacyPort },
        { id: "refused", host: refusedHost, port: 993 },
      ],
    },
    parseAs: "stream",
  });
  expect(response.status === 200 && response.body !== null, `status ${response.status}`);
  const lines: BatchLine[] = [];
  let buffered = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) lines.push(JSON.parse(line) as BatchLine);
    }
  }
  const byId = new Map(lines.map((l) => [l.id, l]));
  const legacy = byId.get("legacy");
  const refused = byId.get("refused");
  expect(legacy?.report != null, "legacy line carries a Report");
  isReport(legacy.report);
  expect(refused?.problem != null && refused.problem.status === 403, "refused line carries a Problem");
  return `${lines.length} BatchLines (a Report and a Problem)`;
});

console.log(`typescript client: ${passed} of ${passed + failed} checks passed`);
process.exit(failed === 0 ? 0 : 1);
