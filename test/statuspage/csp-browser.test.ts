/// <reference lib="dom" />
// The status page under its Content-Security-Policy in real headless Chromium: every page renders with no
// policy violation (the inline style sheet allowed by hash, /local-time.js allowed as the site's own script),
// and another site may frame /embed but not the pages.
import { createServer, type Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const config = (smtpPort: number) => `
site:
  name: Acme Status
  url: https://status.example.com
  accent_color: "#2563eb"
components:
  - { id: orders-db, name: Orders database, group: Infrastructure }
  - { id: api, name: Production API, depends_on: [orders-db] }
subscribers:
  email: { host: 127.0.0.1, port: ${smtpPort}, from: "Acme Status <status@example.com>" }
`;

describe.skipIf(skip !== undefined)(`the status page under its Content-Security-Policy in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let test: TestVigil;
  let smtp: SmtpInbox;
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let incidentId: string;

  /** Opens `url`, recording every console error and securitypolicyviolation event. */
  const open = async (url: string): Promise<{ page: Page; problems: () => Promise<string[]> }> => {
    // A reader in another zone than the page's (UTC), so that /local-time.js has something to add.
    const page = await browser.newPage({ timezoneId: "Pacific/Kiritimati" });
    const console: string[] = [];
    page.on("console", (m) => (m.type() === "error" || m.type() === "warning" ? console.push(m.text()) : undefined));
    page.on("pageerror", (e) => console.push(e.message));
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toMatch(/^default-src 'none'/);
    return { page, problems: async () => [...console, ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations))] };
  };

  beforeAll(async () => {
    smtp = await startSmtpInbox();
    test = await startTestVigil(config(smtp.port));
    const created = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "We are investigating.", components: { "orders-db": "major_outage" } });
    incidentId = created.json.id;
    await test.vigil.statusPage.refresh();
    // Another site (another origin: another port) that frames the status page and its widget.
    host = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><title>Host</title><iframe id="embed" src="${test.vigil.url}/embed"></iframe><iframe id="page" src="${test.vigil.url}/"></iframe>`);
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as { port: number }).port}/`;
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
    await test?.dispose();
    await smtp?.close();
  });

  it.each(["/", "/history", "INCIDENT", "/subscribe", "/embed"])("renders %s styled, with its scripts run, and no policy violation", async (path) => {
    const { page, problems } = await open(`${test.vigil.url}${path === "INCIDENT" ? `/incidents/${incidentId}` : path}`);
    // The inline style sheet applied: the body's margin is the page's own, not the browser's 8px.
    expect(await page.evaluate(() => getComputedStyle(document.body).margin)).not.toBe("8px");
    if (path === "/" || path === "INCIDENT") {
      // /local-time.js ran: it added the reader's own time beside the page's.
      await expect.poll(() => page.evaluate(() => document.querySelector(".local-time") !== null)).toBe(true);
    }
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it("submits the subscribe form under its form-action", async () => {
    const { page, problems } = await open(`${test.vigil.url}/subscribe`);
    await page.fill("#subscribe-email", "reader@example.com");
    await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
    expect(await page.locator("main").innerText()).toMatch(/confirm/i);
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it("lets another site frame /embed, and refuses to be framed elsewhere", async () => {
    // A reader in another zone than the page's (UTC), so that /local-time.js has something to add.
    const page = await browser.newPage({ timezoneId: "Pacific/Kiritimati" });
    const console: string[] = [];
    page.on("console", (m) => console.push(m.text()));
    await page.goto(hostUrl);
    const embed = page.frameLocator("#embed");
    await expect.poll(() => embed.locator("a").innerText({ timeout: 5_000 })).toMatch(/Acme Status|outage|Operational|Outage/i);
    await expect.poll(() => console.some((line) => /frame-ancestors/.test(line) && line.includes(`${test.vigil.url}/`))).toBe(true);
    const framed = await (await page.$("#page"))!.contentFrame();
    expect(await framed!.evaluate(() => document.body?.innerText ?? "")).not.toContain("Orders database");
    await page.close();
  });
});
