// mailprobe's page, part 2 of 2: the probe and readiness views over the same
// JSON the API returns (helpers in ui.js). No framework, no build step,
// nothing from another origin. Every string from a Report (server greetings,
// error texts) is set as text, never parsed as HTML: a hostile server must
// not script this page.
"use strict";

(function () {
  const { h, append, $, tag, code, yesNo, section, table, facts, list, words } = window.mailprobeUi;
  const { VERDICT, SEVERITY_ORDER, SEVERITY_TONE, STEP_WORDS, KIND_WORDS, PATH_WORDS, ENDPOINT_WORDS } = window.mailprobeUi;
  const { clientStatus, STATUS_VIEW, STATUS_RANK, suiteStrength, OLD_VERSIONS, PORT_FIELDS } = window.mailprobeUi;
  const KEY_STORE = "mailprobe.apiKey";
  const PROBE_PARAMS = ["host", "port", "protocol", "transport", "sni", "profiles", "timeout_ms"];

  // ---- API key -----------------------------------------------------------

  function apiKey() {
    try {
      return sessionStorage.getItem(KEY_STORE) || "";
    } catch (_) {
      return "";
    }
  }
  function authHeaders() {
    const k = apiKey();
    return k ? { Authorization: "Bearer " + k } : {};
  }

  // ---- running a request ---------------------------------------------------

  let running = null;

  /** POSTs JSON; shows elapsed time while waiting (the call is synchronous). */
  async function run(path, body, label, button) {
    if (running) return null;
    $("problem").replaceChildren();
    $("result").replaceChildren();
    const started = performance.now();
    const status = $("status");
    const elapsed = () => {
      const ms = Math.round(performance.now() - started);
      return ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(1) + " s";
    };
    const tick = () => {
      status.textContent = label + " running for " + elapsed();
    };
    tick();
    // Screen readers hear the start and the end, not every tick.
    status.setAttribute("aria-live", "off");
    running = setInterval(tick, 100);
    button.disabled = true;
    $("result").setAttribute("aria-busy", "true");
    let out = null;
    try {
      const res = await fetch(path, {
        method: "POST",
        headers: Object.assign({ "Content-Type": "application/json", Accept: "application/json" }, authHeaders()),
        body: JSON.stringify(body),
      });
      const text = await res.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch (_) {
        json = null;
      }
      if (res.ok && json) out = json;
      else showProblem(res, json, text);
    } catch (e) {
      showProblem(null, null, String(e));
    } finally {
      clearInterval(running);
      running = null;
      button.disabled = false;
      $("result").removeAttribute("aria-busy");
      status.setAttribute("aria-live", "polite");
      status.textContent = out ? label + " finished in " + elapsed() + "." : label + " did not give a result (" + elapsed() + ").";
    }
    return out;
  }

  /** A problem+json (or any failure) as its title and detail. */
  function showProblem(res, json, text) {
    const box = h("div", { class: "problem", id: "problem-box" });
    if (json && json.title) {
      append(box, [
        h("h2", {}, json.title),
        h("p", { class: "detail" }, json.detail || ""),
        json.field ? h("p", {}, "Field: ", code(json.field)) : null,
        json.setting ? h("p", {}, "Setting that would permit it: ", code(json.setting)) : null,
        json.retry_after ? h("p", {}, "Try again in " + json.retry_after + " s.") : null,
        h("p", { class: "hint" }, "HTTP " + (json.status || (res && res.status)) + (json.type ? " · " + json.type : "")),
      ]);
    } else if (res) {
      box.append(h("h2", {}, "The service answered HTTP " + res.status), h("p", {}, (text || "").slice(0, 500)));
    } else {
      box.append(h("h2", {}, "The service did not answer"), h("p", {}, text));
    }
    $("problem").replaceChildren(box);
    if (res && res.status === 401) {
      $("apikey-box").open = true;
      $("api-key").focus();
    }
  }

  // ---- curl and download -------------------------------------------------

  const shellQuote = (s) => "'" + String(s).replace(/'/g, "'\\''") + "'";
  /** The same request as a curl command: no credentials, the key as a variable. */
  function curlFor(path, body) {
    const shown = Object.assign({}, body);
    delete shown.credentials;
    delete shown.allow_plaintext_login;
    delete shown.allow_untrusted_login;
    const parts = ["curl -sS -X POST " + shellQuote(location.origin + path), "-H 'Content-Type: application/json'"];
    if (apiKey()) parts.push('-H "Authorization: Bearer $MAILPROBE_API_KEY"');
    parts.push("--data " + shellQuote(JSON.stringify(shown)));
    return parts.join(" \\\n  ");
  }
  function resultActions(path, body, json, filename) {
    const pre = h("pre", { class: "curl", id: "curl-text", hidden: true });
    const copy = h("button", { type: "button", class: "secondary", id: "copy-curl" }, "Copy as curl");
    copy.addEventListener("click", async () => {
      pre.textContent = curlFor(path, body);
      pre.hidden = false;
      try {
        await navigator.clipboard.writeText(pre.textContent);
        copy.textContent = "Copied as curl";
      } catch (_) {
        copy.textContent = "Copy the curl text below";
      }
    });
    const download = h("button", { type: "button", class: "secondary", id: "download-json" }, "Download JSON");
    download.addEventListener("click", () => {
      const url = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: "application/json" }));
      const a = h("a", { href: url, download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
    const share = h("a", { href: location.href, id: "share-link" }, "Link to this result");
    return h("div", { class: "result-actions" }, copy, download, share, pre);
  }

  /** Moves focus and view to a new result, its verdict at the top. */
  function showResult(out) {
    out.focus({ preventScroll: true });
    out.scrollIntoView({ block: "start" });
  }

  // ---- the probe view ------------------------------------------------------

  function probeBody() {
    const v = (id) => $(id).value.trim();
    const body = { host: v("p-host"), protocol: v("p-protocol") };
    if (v("p-port")) body.port = Number(v("p-port"));
    if (v("p-transport")) body.transport = v("p-transport");
    if (v("p-sni")) body.sni = v("p-sni");
    const profiles = v("p-profiles").split(",").map((s) => s.trim()).filter(Boolean);
    if (profiles.length) body.profiles = profiles;
    if (v("p-timeout")) body.timeout_ms = Number(v("p-timeout"));
    if (v("p-ca")) body.ca_bundle_pem = $("p-ca").value;
    if (v("p-user") || $("p-pass").value) {
      body.credentials = { username: v("p-user"), password: $("p-pass").value };
      if ($("p-untrusted").checked) body.allow_untrusted_login = true;
      if ($("p-plaintext").checked) body.allow_plaintext_login = true;
    }
    return body;
  }

  /** The shareable URL: the query, never credentials or the CA bundle. */
  function probeUrl(body) {
    const q = new URLSearchParams();
    for (const k of PROBE_PARAMS) {
      if (body[k] === undefined) continue;
      q.set(k, Array.isArray(body[k]) ? body[k].join(",") : String(body[k]));
    }
    return "/?" + q.toString();
  }

  async function submitProbe(ev) {
    if (ev) ev.preventDefault();
    const body = probeBody();
    if (!body.host) {
      showProblem(null, { title: "A host is needed", detail: "Enter the mail server's host name or IP address.", field: "host", status: 400 });
      $("p-host").focus();
      return;
    }
    history.replaceState(null, "", probeUrl(body));
    const where = body.host + (body.port ? ":" + body.port : "");
    const report = await run("/v1/probes", body, "Probe of " + where, $("p-submit"));
    if (report) renderReport(report, body);
  }

  function renderReport(r, body) {
    const out = $("result");
    const [tone, word] = VERDICT[r.verdict] || ["info", String(r.verdict).toUpperCase()];
    const t = r.target || {};
    const stats = r.stats || {};
    out.replaceChildren();
    // `append` skips the sections a Report has no facts for (null).
    append(out, [
      h(
        "section",
        { class: "verdict tone-" + tone, id: "verdict", "aria-labelledby": "verdict-word" },
        h("p", { class: "word", id: "verdict-word" }, word),
        h("p", { class: "summary", id: "summary" }, r.summary),
        h(
          "p",
          { class: "meta" },
          t.protocol + " on " + t.host + ":" + t.port + " (" + t.transport + ")" +
            (t.addresses && t.addresses.length ? " · " + t.addresses.join(", ") : "") +
            " · " + r.duration_ms + " ms · " + (stats.connections || 0) + " connections",
        ),
      ),
      resultActions("/v1/probes", body, r, "mailprobe-" + t.host + "-" + t.port + ".json"),
      renderClients(r.clients || []),
      renderVersions(r.tls || {}),
      renderCertificate((r.tls || {}).certificate),
      renderMail(r.mail || {}, r.tls || {}),
      renderFindings(r.findings || []),
      renderTimings(r.timings || [], r.duration_ms, stats),
      renderErrors(r.errors || []),
    ]);
    showResult(out);
  }

  function renderClients(clients) {
    const sorted = clients
      .map((c, i) => ({ c, i, s: clientStatus(c) }))
      .sort((a, b) => (b.c.decides_verdict ? 1 : 0) - (a.c.decides_verdict ? 1 : 0) || STATUS_RANK[a.s] - STATUS_RANK[b.s] || a.i - b.i);
    const rows = sorted.map(({ c, s }) => {
      // A compliance profile is a guideline, not a client: it is met or not.
      const [tone, text] =
        c.kind === "compliance" && typeof c.compliant === "boolean"
          ? c.compliant
            ? ["good", "compliant"]
            : ["bad", "not compliant"]
          : STATUS_VIEW[s];
      const n = c.negotiated;
      return h(
        "tr",
        { class: c.decides_verdict ? "decides" : null, "data-profile": c.profile, "data-status": s },
        h("th", { scope: "row" }, c.name, c.decides_verdict ? h("div", { class: "hint" }, "decides the verdict") : null),
        h("td", {}, tag(tone, text)),
        h("td", {}, n ? [n.version, h("br"), code(n.suite ? n.suite.name : "")] : "no handshake"),
        h(
          "td",
          {},
          c.reason ? h("p", {}, c.reason) : s === "connects" ? "" : null,
          c.risks && c.risks.length ? h("ul", { class: "risks" }, c.risks.map((x) => h("li", {}, x))) : null,
          c.error_as_seen ? [h("div", { class: "hint" }, "What " + c.name + " shows:"), h("p", { class: "seen" }, c.error_as_seen)] : null,
          c.basis === "incomplete" ? h("div", { class: "hint" }, "Not every fact this verdict needs was observed.") : null,
        ),
      );
    });
    return section("clients", "Which clients connect", table("Clients", ["Client", "Status", "Negotiates", "Why, and what the client shows"], rows, { id: "client-matrix" }));
  }

  function renderVersions(tls) {
    const versions = tls.versions || [];
    const blocks = versions.map((v) => {
      const old = OLD_VERSIONS.includes(v.version);
      const state =
        v.offered === true
          ? old
            ? tag("bad", "offered (obsolete)")
            : tag("good", "offered")
          : v.offered === false
            ? tag("none", "not offered")
            : tag("none", "not determined");
      const suites = v.suites || [];
      const order = v.server_preference === true ? "in the server's order of preference" : v.server_preference === false ? "the server follows the client's order" : "";
      return h(
        "div",
        { class: "version", "data-version": v.version },
        h("h3", {}, v.version, state, suites.length ? h("span", { class: "hint" }, suites.length + " suites" + (order ? ", " + order : "")) : null),
        suites.length
          ? table(
              v.version + " suites",
              ["#", "Suite", "Key exchange", "Cipher", "Bits", "Strength"],
              suites.map((s, i) => {
                const [tone, text] = suiteStrength(s);
                return h(
                  "tr",
                  {},
                  h("td", {}, String(i + 1)),
                  h("td", {}, code(s.name), h("div", { class: "hint" }, s.iana + (s.openssl_name ? " · " + s.openssl_name : ""))),
                  h("td", {}, s.kx + (s.forward_secrecy ? " (forward secrecy)" : "")),
                  h("td", {}, s.cipher + (s.mac && !s.aead ? " / " + s.mac : "")),
                  h("td", {}, String(s.bits)),
                  h("td", {}, tag(tone, text)),
                );
              }),
            )
          : null,
      );
    });
    return section(
      "versions",
      "TLS versions and cipher suites",
      blocks.length ? blocks : h("p", {}, "No TLS facts were observed."),
      facts([
        ["Groups", list(tls.groups)],
        tls.dh_bits ? ["Smallest DH group", tls.dh_bits + " bits"] : null,
        tls.handshake ? ["Modern handshake", tls.handshake.version + " · " + tls.handshake.suite + (tls.handshake.group ? " · " + tls.handshake.group : "")] : null,
      ]),
    );
  }

  function renderCertificate(c) {
    if (!c) return section("certificate", "Certificate", h("p", {}, "No certificate was observed."));
    const chain = (c.chain || []).map((x, i) =>
      h(
        "li",
        {},
        h("h3", {}, i === 0 ? "Server certificate" : "Certificate " + (i + 1) + (x.is_ca ? " (CA)" : "")),
        facts([
          ["Subject", code(x.subject)],
          ["Issuer", code(x.issuer)],
          x.sans && x.sans.length ? ["Names (SAN)", list(x.sans)] : null,
          ["Key", x.key_type + " " + x.key_bits + " bits" + (x.curve ? " (" + x.curve + ")" : "")],
          ["Signature", x.signature_algorithm],
          ["Valid until", x.not_after + " (" + x.days_left + " days left)"],
          ["SHA-256", code(x.sha256)],
        ]),
      ),
    );
    const issues = c.issues || [];
    return section(
      "certificate",
      "Certificate",
      facts([
        ["Trusted", [yesNo(c.trusted, "trusted" + (c.trust_store ? " (" + c.trust_store + ")" : ""), "not trusted"), c.trust_error ? h("p", {}, c.trust_error) : null]],
        ["Name", [yesNo(c.name_match, "matches", "does not match"), " ", c.name_checked ? code(c.name_checked) : null, c.name_matched_by ? [" by ", code(c.name_matched_by)] : null]],
        ["Days left", c.days_left === null || c.days_left === undefined ? null : [String(c.days_left), " ", c.expired ? tag("bad", "expired") : c.days_left < 30 ? tag("warn", "expires soon") : tag("good", "valid")]],
        ["Key", c.chain && c.chain[0] ? c.chain[0].key_type + " " + c.chain[0].key_bits + " bits" : null],
        ["Issues", issues.length ? h("ul", { class: "caps", id: "cert-issues" }, issues.map((x) => h("li", {}, x))) : "none"],
      ]),
      h("ol", { class: "chain", "aria-label": "Certificate chain, server first" }, chain),
    );
  }

  function renderMail(m, tls) {
    const st = m.starttls;
    const login = m.login;
    const sw = m.software_guess;
    return section(
      "mail",
      "Mail dialogue",
      facts([
        ["Greeting", m.greeting ? code(m.greeting) : null],
        m.tls
          ? [
              "TLS under the dialogue",
              [
                m.tls.version + " · ",
                code(m.tls.suite ? m.tls.suite.name : ""),
                m.tls.engine === "legacy"
                  ? h("div", { class: "hint" }, "Carried by the legacy engine (OpenSSL): it says nothing about what a modern client gets; see the clients above.")
                  : null,
              ],
            ]
          : null,
        ["Software", sw ? sw.name + (sw.version ? " " + sw.version : "") : "not identified"],
        ["Capabilities before TLS", list(m.capabilities_before_tls, "none seen")],
        ["Capabilities after TLS", list(m.capabilities_after_tls, "none seen")],
        ["STARTTLS", st ? [yesNo(st.advertised, "advertised", "not advertised"), " ", yesNo(st.accepted, "accepted", "refused"), st.response ? [" ", code(st.response)] : null] : "not used"],
        ["Login before TLS", m.login_disabled === true ? tag("good", "disabled (LOGINDISABLED)") : m.login_disabled === false ? tag("warn", "allowed") : null],
        ["Authentication", list(m.auth_mechanisms, "none advertised")],
        ["Login test", login ? (login.attempted ? [yesNo(login.ok, "accepted", "refused", "no answer"), login.mechanism ? " (" + login.mechanism + ")" : "", login.server_text ? [" ", code(login.server_text)] : null] : login.reason || "not attempted") : "not requested"],
      ]),
      m.transcript && m.transcript.length
        ? h("details", {}, h("summary", {}, "Transcript"), h("pre", { class: "curl" }, m.transcript.join("\n")))
        : null,
    );
  }

  function renderFindings(findings) {
    const sorted = findings.slice().sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
    return section(
      "findings",
      "Findings",
      sorted.length
        ? sorted.map((f) =>
            h(
              "article",
              { class: "finding sev-" + f.severity, "data-id": f.id },
              h("h3", {}, tag(SEVERITY_TONE[f.severity] || "info", f.severity), f.title),
              h("p", {}, f.detail),
              h("div", { class: "remedy" }, h("strong", {}, "How to fix: "), f.remedy),
              f.references && f.references.length
                ? h("ul", { class: "refs" }, f.references.map((u) => h("li", {}, /^https?:\/\//.test(u) ? h("a", { href: u, rel: "noreferrer noopener" }, u) : u)))
                : null,
              h("div", { class: "hint" }, code(f.id)),
            ),
          )
        : h("p", {}, "No findings."),
    );
  }

  /** The probe's steps on one time axis, drawn from `start_ms` and `ms`. */
  function renderTimings(timings, total, stats) {
    const NS = "http://www.w3.org/2000/svg";
    const steps = timings.filter((t) => t.step !== "probe");
    const end = Math.max(total || 0, ...steps.map((t) => (t.start_ms || 0) + t.ms), 1);
    const W = 640, label = 210, rowH = 22, top = 8;
    const svg = document.createElementNS(NS, "svg");
    const H = top + steps.length * rowH + 24;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("class", "timeline");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "timings-h");
    const s = (name, attrs, text) => {
      const el = document.createElementNS(NS, name);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
      if (text !== undefined) el.textContent = text;
      svg.append(el);
      return el;
    };
    const x = (ms) => label + ((W - label - 10) * ms) / end;
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      s("line", { class: "grid", x1: x(end * f), x2: x(end * f), y1: top, y2: H - 18 });
      s("text", { x: x(end * f), y: H - 4, "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle" }, Math.round(end * f) + " ms");
    }
    steps.forEach((t, i) => {
      const y = top + i * rowH;
      s("text", { x: 0, y: y + 15 }, words(STEP_WORDS, t.step));
      const bar = s("rect", { class: "bar", x: x(t.start_ms || 0), y: y + 3, width: Math.max(2, x((t.start_ms || 0) + t.ms) - x(t.start_ms || 0)), height: rowH - 8, rx: 2 });
      bar.append(Object.assign(document.createElementNS(NS, "title"), { textContent: t.step + ": " + (t.start_ms || 0) + "–" + ((t.start_ms || 0) + t.ms) + " ms" }));
    });
    return section(
      "timings",
      "Where the time went",
      h("p", {}, "Steps whose bars overlap ran side by side, each on its own connections. " + (stats.connections || 0) + " connections in all (" + (stats.scan_connections || 0) + " for the TLS scan), " + (stats.handshakes || 0) + " TLS handshakes started."),
      svg,
      h(
        "details",
        {},
        h("summary", {}, "The steps as a table"),
        table(
          "Timings",
          ["Step", "Starts at", "Takes"],
          timings.map((t) => h("tr", {}, h("td", {}, words(STEP_WORDS, t.step)), h("td", {}, (t.start_ms || 0) + " ms"), h("td", {}, t.ms + " ms"))),
        ),
      ),
    );
  }

  function renderErrors(errors) {
    return section(
      "errors",
      "What did not complete",
      errors.length
        ? h("ul", { class: "errors" }, errors.map((e) => h("li", {}, h("strong", {}, words(STEP_WORDS, e.step)), ": " + words(KIND_WORDS, e.kind) + ". ", h("span", { class: "hint" }, e.message))))
        : h("p", {}, "Every step completed."),
    );
  }

  // ---- the readiness view --------------------------------------------------

  function readinessBody() {
    const v = (id) => $(id).value.trim();
    const body = {};
    if (v("r-host")) body.host = v("r-host");
    if (v("r-domain")) body.email_domain = v("r-domain");
    const ports = {};
    for (const [k] of PORT_FIELDS) if (v("r-port-" + k)) ports[k] = Number(v("r-port-" + k));
    if (Object.keys(ports).length) body.ports = ports;
    if (v("r-timeout")) body.timeout_ms = Number(v("r-timeout"));
    if (v("r-ca")) body.ca_bundle_pem = $("r-ca").value;
    return body;
  }
  function readinessUrl(body) {
    const q = new URLSearchParams({ view: "readiness" });
    if (body.host) q.set("host", body.host);
    if (body.email_domain) q.set("email_domain", body.email_domain);
    for (const [k, p] of Object.entries(body.ports || {})) q.set(k, String(p));
    if (body.timeout_ms) q.set("timeout_ms", String(body.timeout_ms));
    return "/?" + q.toString();
  }

  async function submitReadiness(ev) {
    if (ev) ev.preventDefault();
    const body = readinessBody();
    if (!body.host && !body.email_domain) {
      showProblem(null, { title: "A host or an email domain is needed", detail: "Enter the mail host, or the email domain to discover it from.", field: "host", status: 400 });
      $("r-host").focus();
      return;
    }
    history.replaceState(null, "", readinessUrl(body));
    const r = await run("/v1/readiness", body, "Readiness check of " + (body.host || body.email_domain), $("r-submit"));
    if (r) renderReadiness(r, body);
  }

  function renderReadiness(r, body) {
    const advice = r.advice || [];
    const anyYes = advice.some((a) => a.viable === "yes");
    const imap = advice.find((a) => a.path === "imap_migration");
    const tone = imap && imap.viable === "yes" ? "good" : anyYes ? "warn" : "bad";
    const out = $("result");
    out.replaceChildren();
    // `append` skips the sections a Report has no facts for (null).
    append(out, [
      h(
        "section",
        { class: "verdict tone-" + tone, id: "verdict", "aria-labelledby": "verdict-word" },
        h("p", { class: "word", id: "verdict-word" }, "IMAP migration: " + (imap ? { yes: "viable", no: "not viable" }[imap.viable] || "unknown" : "unknown")),
        h("p", { class: "meta" }, "Host " + (r.host || "not found") + (r.discovery ? " (discovered from " + r.discovery.domain + ")" : "")),
        h("p", { class: "summary", id: "summary" }, r.summary),
        h("p", { class: "meta" }, (r.addresses || []).join(", ") + " · " + r.duration_ms + " ms"),
      ),
      resultActions("/v1/readiness", body, r, "mailprobe-readiness-" + (r.host || "domain") + ".json"),
      renderEndpoints(r.endpoints || []),
      renderPaths(advice),
      renderComparisons(r.comparisons || []),
      r.discovery ? renderDiscovery(r.discovery) : null,
      r.exchange_http ? renderExchangeHttp(r.exchange_http) : null,
      r.address_families && r.address_families.note ? section("families", "IPv4 and IPv6", h("p", {}, r.address_families.note)) : null,
    ]);
    showResult(out);
  }

  function renderEndpoints(endpoints) {
    const rows = endpoints.map((e) => {
      // A closed port's Report only repeats the connect failure: its error says it.
      const rep = e.state === "open" ? e.report : null;
      const [tone, word] = rep ? VERDICT[rep.verdict] || ["info", rep.verdict] : ["none", e.state];
      const link = rep
        ? h("a", { href: probeUrl({ host: rep.target.host, port: e.port, protocol: e.protocol, transport: e.transport }) }, "probe this endpoint")
        : null;
      return h(
        "tr",
        { "data-endpoint": e.name, "data-state": e.state },
        h("td", {}, String(e.port)),
        h("th", { scope: "row" }, words(ENDPOINT_WORDS, e.name)),
        h("td", {}, e.state === "open" ? tag("good", "open") : tag("none", e.state)),
        h("td", {}, rep ? tag(tone, word) : "—"),
        h("td", {}, rep ? rep.summary : e.error || "", link ? [" ", link] : null),
      );
    });
    return section("endpoints", "Endpoints", table("Endpoints", ["Port", "Service", "State", "Verdict", "What it means"], rows, { id: "endpoint-grid" }));
  }

  function renderPaths(advice) {
    const tone = { yes: ["good", "viable"], no: ["bad", "not viable"], unknown: ["warn", "unknown"] };
    return section(
      "paths",
      "Migration paths",
      advice.map((a) => {
        const [t, text] = tone[a.viable] || ["info", a.viable];
        return h(
          "article",
          { class: "finding", "data-path": a.path },
          h("h3", {}, tag(t, text), words(PATH_WORDS, a.path)),
          a.why && a.why.length ? h("ul", {}, a.why.map((w) => h("li", {}, w))) : null,
          a.caveats && a.caveats.length ? [h("p", { class: "hint" }, "Also check:"), h("ul", {}, a.caveats.map((w) => h("li", {}, w)))] : null,
        );
      }),
    );
  }

  function renderComparisons(cs) {
    const rows = cs.map((c) =>
      h(
        "tr",
        { "data-service": c.service },
        h("th", { scope: "row" }, c.service, h("div", { class: "hint" }, words(ENDPOINT_WORDS, c.a) + " vs " + words(ENDPOINT_WORDS, c.b))),
        h(
          "td",
          {},
          c.compared
            ? [
                c.differences.length
                  ? h("ul", {}, c.differences.map((d) => h("li", {}, tag("warn", d.aspect + " differs"), " ", String(d.a), " / ", String(d.b))))
                  : tag("good", "the same"),
                c.same && c.same.length ? h("div", { class: "hint" }, "Same: " + c.same.join(", ")) : null,
                c.not_observed && c.not_observed.length ? h("div", { class: "hint" }, "Not observed: " + c.not_observed.join(", ")) : null,
              ]
            : c.note,
        ),
      ),
    );
    return section("comparisons", "Implicit TLS against STARTTLS (993 vs 143, ...)", table("Comparisons", ["Service", "Result"], rows));
  }

  function renderDiscovery(d) {
    const rows = (d.lookups || []).map((l) =>
      h(
        "tr",
        {},
        h("td", {}, l.kind),
        h("td", {}, code(l.query)),
        h("td", {}, l.found ? tag("good", "found") : tag("none", "nothing")),
        h("td", {}, l.records && l.records.length ? h("ul", {}, l.records.map((x) => h("li", {}, x))) : l.error || ""),
      ),
    );
    return section(
      "discovery",
      "Discovery",
      facts([
        ["Email domain", d.domain],
        ["Nameserver", d.nameserver],
        ["Chosen host", d.chosen_host],
        ["Why", d.chosen_because],
      ]),
      table("Lookups", ["Kind", "Query", "Found", "Records"], rows),
    );
  }

  function renderExchangeHttp(x) {
    const rows = (x.checks || []).map((c) =>
      h("tr", {}, h("td", {}, code(c.method + " " + c.path)), h("td", {}, c.answers ? tag("good", "answers") : tag("bad", "no answer")), h("td", {}, c.status ? "HTTP " + c.status : c.error || "")),
    );
    return section("exchange-http", "Exchange over HTTPS (" + x.host + ":" + x.port + ")", table("Exchange HTTPS checks", ["Request", "Result", "Detail"], rows));
  }

  // ---- views, URL and start --------------------------------------------------

  function showView(name) {
    const readiness = name === "readiness";
    $("probe-view").hidden = readiness;
    $("readiness-view").hidden = !readiness;
    $("nav-probe").removeAttribute("aria-current");
    $("nav-readiness").removeAttribute("aria-current");
    $(readiness ? "nav-readiness" : "nav-probe").setAttribute("aria-current", "page");
    document.title = (readiness ? "Readiness" : "Probe") + " · mailprobe";
  }

  function start() {
    const ports = $("r-ports");
    for (const [k, text] of PORT_FIELDS) {
      ports.append(h("div", { class: "field" }, h("label", { for: "r-port-" + k }, text), h("input", { id: "r-port-" + k, type: "number", min: 1, max: 65535, inputmode: "numeric" })));
    }
    const key = $("api-key");
    key.value = apiKey();
    key.addEventListener("input", () => {
      try {
        if (key.value) sessionStorage.setItem(KEY_STORE, key.value);
        else sessionStorage.removeItem(KEY_STORE);
      } catch (_) {
        /* storage disabled: the key lives in the field only */
      }
    });
    $("probe-form").addEventListener("submit", submitProbe);
    $("readiness-form").addEventListener("submit", submitReadiness);

    const q = new URLSearchParams(location.search);
    const view = q.get("view") === "readiness" ? "readiness" : "probe";
    showView(view);
    if (view === "readiness") {
      if (q.get("host")) $("r-host").value = q.get("host");
      if (q.get("email_domain")) $("r-domain").value = q.get("email_domain");
      for (const [k] of PORT_FIELDS) if (q.get(k)) $("r-port-" + k).value = q.get(k);
      if (q.get("timeout_ms")) $("r-timeout").value = q.get("timeout_ms");
      if (q.get("host") || q.get("email_domain")) submitReadiness();
    } else {
      const set = (id, k) => {
        if (q.get(k) !== null) $(id).value = q.get(k);
      };
      set("p-host", "host");
      set("p-port", "port");
      set("p-protocol", "protocol");
      set("p-transport", "transport");
      set("p-sni", "sni");
      set("p-profiles", "profiles");
      set("p-timeout", "timeout_ms");
      if (q.get("profiles") || q.get("timeout_ms")) document.querySelector("#probe-view details.advanced").open = true;
      if (q.get("host")) submitProbe();
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
