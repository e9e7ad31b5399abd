// mailprobe's page, part 1 of 2: DOM helpers and the words and judgements
// of display (a client's status, a suite's strength), shared by the views in
// page.js. Plain script, no module loader: it sets `window.mailprobeUi`.
"use strict";

(function () {
  const PORT_FIELDS = [
    ["imap_implicit", "IMAP, implicit TLS (993)"],
    ["imap_starttls", "IMAP, STARTTLS (143)"],
    ["pop3_implicit", "POP3, implicit TLS (995)"],
    ["pop3_starttls", "POP3, STLS (110)"],
    ["smtp", "SMTP relay (25)"],
    ["smtps", "SMTP submission, implicit TLS (465)"],
    ["submission", "SMTP submission, STARTTLS (587)"],
    ["https", "HTTPS (443)"],
  ];

  // ---- small DOM helpers ------------------------------------------------

  /** An element with attributes and children (strings become text nodes). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const $ = (id) => document.getElementById(id);
  const tag = (tone, text) => h("span", { class: "tag " + tone }, text);
  const code = (text) => h("code", {}, text);
  const yesNo = (v, yes, no, unknown) =>
    v === true ? tag("good", yes || "yes") : v === false ? tag("bad", no || "no") : tag("none", unknown || "not observed");
  function section(id, title, ...children) {
    return h("section", { id, "aria-labelledby": id + "-h" }, h("h2", { id: id + "-h" }, title), children);
  }
  function table(caption, headers, rows, attrs) {
    return h(
      "div",
      { class: "scroll" },
      h(
        "table",
        attrs || {},
        caption ? h("caption", { class: "visually-hidden" }, caption) : null,
        h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, rows),
      ),
    );
  }
  function facts(pairs) {
    return h(
      "dl",
      { class: "facts" },
      pairs.filter((p) => p).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v === null || v === undefined || v === "" ? "not observed" : v)]),
    );
  }
  function list(items, empty) {
    if (!items || items.length === 0) return h("span", {}, empty || "none");
    return h("ul", { class: "caps" }, items.map((i) => h("li", {}, i)));
  }

  // ---- words for codes ----------------------------------------------------

  const VERDICT = { pass: ["good", "PASS"], warn: ["warn", "WARNING"], fail: ["bad", "FAIL"] };
  const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"];
  const SEVERITY_TONE = { critical: "bad", high: "bad", medium: "warn", low: "info", info: "info" };
  const STEP_WORDS = {
    dns: "Name lookup",
    tcp_connect: "TCP connection",
    greeting: "Server greeting",
    capability: "Capabilities",
    starttls: "STARTTLS upgrade",
    id: "IMAP ID",
    login: "Login test",
    logout: "Logout",
    tls_handshake: "TLS handshake (modern client)",
    legacy_tls_handshake: "TLS handshake (legacy engine)",
    tls13_handshake: "TLS 1.3 handshake",
    tls12_handshake: "TLS 1.2 handshake",
    tls_scan: "TLS scan (versions and suites)",
    mail_dialogue: "Mail dialogue",
    client_trials: "Client profiles' own hellos",
    tls_handshakes: "Real handshakes per version",
    probe: "The whole probe",
  };
  const KIND_WORDS = {
    timeout: "ran out of time",
    dns: "the name did not resolve",
    refused: "the connection was refused",
    reset: "the server closed or reset the connection",
    protocol: "the server did not speak the expected protocol",
    tls: "the TLS handshake failed",
    io: "a network error",
    limit: "the server's answer exceeded a safety limit",
  };
  const PATH_WORDS = {
    imap_migration: "IMAP migration",
    cutover: "Cutover migration (Outlook Anywhere)",
    hybrid: "Hybrid migration (MRS over HTTPS)",
    pst_import: "PST import",
  };
  const ENDPOINT_WORDS = Object.fromEntries(PORT_FIELDS);
  const words = (map, key) => map[key] || String(key).replace(/_/g, " ");

  /**
   * A client's status: `connects`, `at_risk` or `cannot`. Uses the Report's
   * explicit `status` when it has one; otherwise derives it from `connects`
   * and `risks` (a client that connects but carries a risk is at risk).
   */
  function clientStatus(c) {
    if (typeof c.status === "string") {
      const s = c.status.toLowerCase();
      if (s.includes("cannot") || s.includes("fail") || s === "no") return "cannot";
      if (s.includes("risk")) return "at_risk";
      if (s.includes("connect") || s === "ok" || s === "yes") return "connects";
    }
    if (!c.connects) return "cannot";
    return c.risks && c.risks.length ? "at_risk" : "connects";
  }
  const STATUS_VIEW = { connects: ["good", "connects"], at_risk: ["warn", "at risk"], cannot: ["bad", "cannot connect"] };
  const STATUS_RANK = { cannot: 0, at_risk: 1, connects: 2 };

  /**
   * A suite's strength for display: insecure (broken ciphers or export
   * strength), weak (no forward secrecy or no AEAD), strong (AEAD with
   * forward secrecy) — the same lines RFC 9325 draws.
   */
  function suiteStrength(s) {
    const c = (s.cipher || "").toUpperCase();
    const n = (s.name || "").toUpperCase();
    if (/RC4|3DES|DES_|NULL|EXPORT|IDEA|RC2/.test(c) || /EXPORT|NULL|ANON/.test(n) || (s.bits && s.bits < 112))
      return ["bad", "insecure"];
    if (!s.aead || !s.forward_secrecy) return ["warn", "weak"];
    return ["good", "strong"];
  }
  const OLD_VERSIONS = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"];

  window.mailprobeUi = { h, append, $, tag, code, yesNo, section, table, facts, list, VERDICT, SEVERITY_ORDER, SEVERITY_TONE, STEP_WORDS, KIND_WORDS, PATH_WORDS, ENDPOINT_WORDS, words, clientStatus, STATUS_VIEW, STATUS_RANK, suiteStrength, OLD_VERSIONS, PORT_FIELDS };
})();
