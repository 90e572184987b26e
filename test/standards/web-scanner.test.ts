// Vigil's public side as a web vulnerability scanner sees it: Wapiti (Debian package wapiti) crawls and attacks a
// running Vigil on 127.0.0.1 (components, a published incident, subscriptions on) with the modules that fit a status
// page, and every finding of its JSON report must be in the allow-list below, each explained in docs/security.md
// ("Scanner findings"). Skipped when wapiti is not installed, required with VIGIL_REQUIRE_SERVERS=1 as CI sets.
// Its SSRF and XXE checks talk to a local endpoint that stands in for wapiti3.ovh (records what reaches it and answers
// the scanner's questions in its format): nothing leaves 127.0.0.1.
import { createServer, type Server } from "node:http";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";
import { debianTool, runTool } from "../helpers/tools.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const wapiti = debianTool("wapiti", "wapiti");

/** The attack modules run: what a status page with a subscribe form and JSON endpoints may get wrong. */
export const scannerModules = ["xss", "permanentxss", "exec", "file", "sql", "crlf", "redirect", "ssrf", "http_headers", "csp", "cookieflags", "methods", "backup", "htaccess", "shellshock", "csrf"];

/**
 * Findings that are not defects, each explained in docs/security.md under "Scanner findings": the category as the
 * report names it, and the path it was found on.
 */
export const allowedFindings: ReadonlyArray<{ category: string; info: string; path: string; why: string }> = [
  { category: "Cross Site Request Forgery", info: "Lack of anti CSRF token", path: "/subscribe", why: "no cookie or session exists to ride on; a forged post only asks for a confirmation link, as anyone may" },
  { category: "HTTP Secure Headers", info: "X-XSS-Protection is not set", path: "/", why: "a retired header; the Content-Security-Policy does its job" },
];

interface Finding {
  category: string;
  kind: "vulnerability" | "anomaly";
  method: string;
  path: string;
  parameter: string;
  info: string;
}

// As a deployment reached over HTTPS is configured: with Strict-Transport-Security (server.hsts).
const config = (smtpPort: number) => `
site: { name: Acme Status, url: "https://status.example.com" }
server:
  hsts: { max_age: 365d }
components:
  - { id: api, name: Production API }
  - { id: search, name: "Search <beta>" }
subscribers:
  email:
    host: 127.0.0.1
    port: ${smtpPort}
    from: "Acme Status <status@example.com>"
  # The scanner sends hundreds of forms: a limit would answer 429 instead of showing what Vigil does with them.
  rate_limit: { requests: 100000, per: 1m, recipient: { requests: 100000, per: 1m }, global: { requests: 100000, per: 1m } }
`;

/** Stands in for wapiti3.ovh: records `/ssrf/<session>/<path id>/<hex param>/` hits and answers get_ssrf.php / get_xxe.php as it does. */
function startEndpoint(): Promise<{ server: Server; url: string; hits: { method: string; url: string }[] }> {
  const hits: { method: string; url: string; ip: string; at: string }[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const asked = /\/get_(ssrf|xxe)\.php$/.exec(url.pathname);
    if (asked) {
      // {path id: {hex parameter: [{url, date, ip, method, size}]}} for the session asked about.
      const session = url.searchParams.get("id") ?? "";
      const found: Record<string, Record<string, unknown[]>> = {};
      for (const hit of hits) {
        const parts = hit.url.split("/").filter((p) => p !== "");
        if (parts[0] !== asked[1] || parts[1] !== session || parts.length < 4) continue;
        const byParam = (found[parts[2]!] ??= {});
        (byParam[parts[3]!] ??= []).push({ url: hit.url, date: hit.at, ip: hit.ip, method: hit.method, size: 0 });
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(found));
      return;
    }
    hits.push({ method: request.method ?? "GET", url: url.pathname, ip: request.socket.remoteAddress ?? "", at: new Date().toISOString() });
    response.writeHead(200, { "content-type": "text/plain" });
    response.end("ok");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits })));
}

/** Every finding of a Wapiti JSON report (vulnerabilities and anomalies). */
export function findingsOf(report: { vulnerabilities?: Record<string, unknown[]>; anomalies?: Record<string, unknown[]> }): Finding[] {
  const out: Finding[] = [];
  for (const [kind, section] of [["vulnerability", report.vulnerabilities], ["anomaly", report.anomalies]] as const) {
    for (const [category, items] of Object.entries(section ?? {})) {
      for (const item of items as Array<{ method?: string; path?: string; parameter?: string; info?: string }>) {
        out.push({ category, kind, method: item.method ?? "", path: item.path ?? "", parameter: item.parameter ?? "", info: item.info ?? "" });
      }
    }
  }
  return out;
}

describe.skipIf(wapiti.skip !== undefined)(`Wapiti web vulnerability scan${wapiti.skip ? ` (skipped: ${wapiti.skip})` : ""}`, () => {
  let smtp: SmtpInbox;
  let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
  let test: TestVigil;
  let dir: string;
  let incidentId: string;

  beforeAll(async () => {
    smtp = await startSmtpInbox({ keepRaw: false });
    endpoint = await startEndpoint();
    test = await startTestVigil(config(smtp.port));
    dir = await mkdtemp(path.join(tmpdir(), "vigil-wapiti-"));
    const opened = await test.send("POST", "/api/v1/incidents", { name: "Search is slow", body: "We are looking into <b>slow</b> searches.", components: { search: "partial_outage" } });
    expect(opened.status).toBe(201);
    incidentId = opened.json.id;
  }, 120_000);

  afterAll(async () => {
    await test?.dispose();
    await smtp?.close();
    await new Promise((r) => endpoint?.server.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("finds nothing outside the documented allow-list", async () => {
    const base = `${test.vigil.url}/`;
    expect(new URL(base).hostname).toBe("127.0.0.1");
    // The page is rendered in the background: wait for the incident to reach it before the crawl starts.
    await expect.poll(async () => (await fetch(base)).text(), { timeout: 10_000 }).toContain("Search is slow");
    const report = path.join(dir, "report.json");
    // Links the crawler cannot find on the pages: the subscription links' pages, the JSON endpoints, the embeds.
    const starts = [`/incidents/${incidentId}`, "/history?page=2", "/badges/search.svg", "/badges/api/uptime.svg", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json", "/local-time.js", "/subscribe", "/subscriptions/confirm?token=abc", "/subscriptions/unsubscribe?token=abc", "/api/v2/summary.json", "/api/v2/incidents.json", "/badge.svg", "/widget.js", "/embed", "/history", "/history.rss", "/history.atom", "/healthz", "/readyz"];
    const args = [
      "--url", base, "--scope", "folder",
      ...starts.flatMap((s) => ["--start", `${test.vigil.url}${s}`]),
      "--module", scannerModules.join(","),
      "--format", "json", "--output", report,
      "--store-session", path.join(dir, "session"), "--store-config", path.join(dir, "config"), "--flush-session",
      "--endpoint", endpoint.url,
      "--depth", "4", "--timeout", "5", "--max-scan-time", "120", "--max-attack-time", "20",
      "--no-bugreport", "--verbose", "1",
    ];
    // Wapiti loads every module, and its technology detector downloads its database from GitHub when it finds none:
    // it finds an empty one. Any other address goes to a proxy on a closed loopback port, so it fails here.
    await mkdir(path.join(dir, "config"), { recursive: true });
    await writeFile(path.join(dir, "config", "apps.json"), "{}");
    const noWayOut = "http://127.0.0.1:9";
    const env = { ...process.env, HTTP_PROXY: noWayOut, HTTPS_PROXY: noWayOut, http_proxy: noWayOut, https_proxy: noWayOut, NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" };
    const ran = await runTool(wapiti.path as string, args, "", { env });
    const output = `${ran.stdout}${ran.stderr}`;
    expect(output).not.toMatch(/Downloading from the web|Unable to request endpoint/);
    if (ran.code !== 0) throw new Error(`wapiti failed (${ran.code}):\n${output.slice(-4000)}`);
    if (process.env.VIGIL_SCAN_LOG) console.log(output);
    const findings = findingsOf(JSON.parse(await readFile(report, "utf8")));
    // Vigil fetched nothing the scanner gave it (subscriber webhooks to loopback are refused).
    expect(endpoint.hits.filter((h) => h.url.startsWith("/ssrf/") || h.url.startsWith("/xxe/"))).toEqual([]);
    const unexplained = findings.filter((f) => !allowedFindings.some((a) => a.category === f.category && a.info === f.info && a.path === f.path));
    expect(unexplained).toEqual([]);
  }, 170_000);
});
