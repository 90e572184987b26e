// statuspage.show_regions in real Chromium: a Vigil checks a target that answers from its own region (local), while an
// agent of eu-west reports it down through the real agent API. The page then shows both regions by name with what each
// sees, passes axe-core, and says nothing of regions once the option is turned off.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { axeSource, browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();

const configFor = (targetUrl: string, showRegions: boolean) => `
site: { name: Acme Status, url: "https://status.example.com" }
statuspage: { show_regions: ${showRegions} }
regions:
  - { id: eu-west, name: Europe West, location: Frankfurt }
components:
  - { id: api, name: Production API, monitors: [api-health] }
  - { id: orders-db, name: Orders database, hidden: true, monitors: [db-health] }
monitors:
  - { id: api-health, type: http, url: "${targetUrl}", interval: 1s, timeout: 1s }
  - { id: db-health, type: http, url: "${targetUrl}db", interval: 1s, timeout: 1s, regions: [eu-west] }
`;

// What the eu-west agent's probe said: an address and an error message that must never reach the page.
const probeError = { kind: "connect", message: "connect ECONNREFUSED 10.9.8.7:443" } as const;

describe.skipIf(skip !== undefined)(`regions on the status page in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let target: Server;
  let targetUrl: string;
  let dir: string;
  let vigil: TestVigil;
  let browser: Browser;
  let agentToken: string;
  let seq = 0;

  beforeAll(async () => {
    target = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const address = target.address();
    targetUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
    dir = await mkdtemp(path.join(tmpdir(), "vigil-regions-page-"));
    vigil = await startTestVigil(configFor(targetUrl, true), { dir });
    agentToken = (await createToken({ store: vigil.vigil.store, clock: systemClock }, { name: "probe-fra-1", scope: "agent", actor: "test", region: "eu-west" })).token;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await vigil?.dispose();
    await new Promise((resolve) => target?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  /** Sends eu-west's results through the agent API, just now: `api-health` down, the hidden component's `db-health` up. */
  async function reportDownFromEuWest(): Promise<void> {
    const now = Date.now();
    const results = [-400, 0].flatMap((ago) =>
      [
        { seq: ++seq, monitor: "api-health", at: new Date(now + ago).toISOString(), status: "down", latency_ms: 3, facts: {}, error: probeError },
        { seq: ++seq, monitor: "db-health", at: new Date(now + ago).toISOString(), status: "up", latency_ms: 3, facts: {} },
      ],
    );
    const res = await fetch(`${vigil.vigil.url}/api/v1/agent/results`, {
      method: "POST",
      headers: { authorization: `Bearer ${agentToken}`, "content-type": "application/json" },
      body: JSON.stringify({ agent: { id: "agt_fra1", version: "1.0.0", started_at: new Date(now - 60_000).toISOString(), buffer: { results: 0, dropped: 0 }, checks_per_second: 2 }, results }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stored: results.length, rejected: [] });
  }

  const regionItems = (page: Page) => page.locator('ul[aria-label="Production API by region"] > li').allInnerTexts();
  const open = async (colorScheme: "light" | "dark" = "light"): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "en-US", colorScheme });
    await page.goto(`${vigil.vigil.url}/`);
    return page;
  };

  it("shows each region's name and what it sees, passes axe-core, and leaves out hidden components, addresses and probe errors", async () => {
    // The server's own region sees the target up.
    await expect.poll(async () => (await vigil.get("/api/v1/monitors/api-health")).json.state?.regions?.local?.status, { timeout: 20_000, interval: 100 }).toBe("up");
    await reportDownFromEuWest();
    // Europe West is down for the API while local sees it up: no quorum, so no event tells the page; it looks itself.
    await expect.poll(async () => (await vigil.get("/api/v1/monitors/api-health")).json.state?.regions?.["eu-west"]?.status, { timeout: 20_000, interval: 100 }).toBe("down");
    expect((await vigil.get("/api/v1/monitors/api-health")).json.state.status).toBe("up");
    await expect
      .poll(async () => {
        const page = await open();
        const items = await regionItems(page);
        await page.close();
        return items.map((t) => t.replace(/\s+/g, " ").trim());
      }, { timeout: 20_000, interval: 250 })
      .toEqual(["local: Operational", "Europe West: Down"]);

    const page = await open();
    const html = await page.content();
    for (const secret of ["Orders database", "db-health", "eu-west", "10.9.8.7", "ECONNREFUSED", "Frankfurt", "127.0.0.1"]) expect(html).not.toContain(secret);
    await page.close();
    for (const colorScheme of ["light", "dark"] as const) {
      const scanned = await open(colorScheme);
      // Through the DevTools protocol, which the page's Content-Security-Policy (no inline script) does not cover.
      await scanned.evaluate(axeSource());
      const result = await scanned.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
        return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
      });
      const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
      expect({ colorScheme, serious }).toEqual({ colorScheme, serious: [] });
      expect(await scanned.locator('ul[aria-label="Production API by region"] > li').count()).toBe(2);
      await scanned.close();
    }
    // The public JSON API v2 keeps Statuspage's shape: no region there.
    const summary = await (await fetch(`${vigil.vigil.url}/api/v2/summary.json`)).text();
    expect(summary).not.toMatch(/region|Europe West/i);
  });

  it("shows nothing about regions with statuspage.show_regions off", async () => {
    await writeFile(path.join(dir, "vigil.yaml"), configFor(targetUrl, false));
    expect((await vigil.vigil.reload("test")).applied).toBe(true);
    await expect
      .poll(async () => {
        const page = await open();
        const html = await page.content();
        await page.close();
        return html;
      }, { timeout: 20_000, interval: 250 })
      .not.toMatch(/region|Europe West/i);
    const page = await open();
    expect(await page.locator("h3", { hasText: "Production API" }).count()).toBe(1);
    expect(await page.locator("main").innerText()).not.toMatch(/local: |Operational\s*Down/);
    await page.close();
  });
});
