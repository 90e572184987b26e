/// <reference lib="dom" />
// Subscribing as a person does, in real headless Chromium with a real SMTP server: fill the status page's form,
// pick a component, submit, open the link from the e-mail, press Confirm, then unsubscribe with the button. No
// JavaScript is needed for any of it (the pages have none), and axe-core finds no violation on the form, the
// confirm page and the pages after. Screenshots go to test-artifacts/.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeSource, browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const artifacts = path.resolve("test-artifacts");

const config = (smtpPort: number) => `
site:
  name: Acme Status
  time_zone: Europe/Paris
  accent_color: "#2563eb"
  links: [{ label: Acme, url: "https://example.com" }]
components:
  - { id: orders-db, name: Orders database, group: Infrastructure }
  - { id: cache, name: Cache, group: Infrastructure }
  - { id: api, name: Production API, depends_on: [orders-db] }
  - { id: search, name: Search }
subscribers:
  email: { host: 127.0.0.1, port: ${smtpPort}, from: "Acme Status <status@example.com>" }
`;

type AxeResult = { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };

describe.skipIf(skip !== undefined)(`subscribing in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let test: TestVigil;
  let smtp: SmtpInbox;
  let browser: Browser;
  const errors: string[] = [];

  const open = async (url: string, options: { colorScheme?: "light" | "dark"; width?: number } = {}): Promise<Page> => {
    // The subscription pages forbid every script by CSP; axe is injected past it, as a browser extension would be.
    const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.colorScheme ?? "light", locale: "en-US", bypassCSP: true });
    page.on("console", (message) => {
      // Chromium reports the refused form's 400 (on purpose, below) as a failed resource.
      if (message.type() === "error" && !/status of 400 \(Bad Request\)/.test(message.text())) errors.push(`${url}: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`${url}: ${error.message}`));
    const response = await page.goto(url.startsWith("http") ? url : `${test.vigil.url}${url}`);
    expect(response?.status()).toBe(200);
    return page;
  };

  /** Every axe violation (WCAG 2.1 A and AA, and best practice), described. */
  const violations = async (page: Page): Promise<string[]> => {
    await page.addScriptTag({ content: axeSource() });
    const result = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe;
      return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  };

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    smtp = await startSmtpInbox();
    test = await startTestVigil(config(smtp.port));
    await test.vigil.statusPage.refresh();
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
    await smtp?.close();
  });

  it.each(["light", "dark"] as const)("has no accessibility violation on the status page with its form (%s)", async (colorScheme) => {
    const page = await open("/", { colorScheme });
    await page.locator("summary", { hasText: "Webhook instead" }).click();
    expect(await violations(page)).toEqual([]);
    await page.locator("section[aria-labelledby=get-updates]").screenshot({ path: path.join(artifacts, `subscribe-form-${colorScheme}.png`) });
    await page.close();
  });

  it("subscribes with the form, confirms from the e-mail's link, and unsubscribes with the button", async () => {
    const page = await open("/");
    // No script on the form or after it: it is a plain HTML form.
    expect(await page.evaluate(() => document.querySelectorAll("form script, script:not([src='/local-time.js'])").length)).toBe(0);
    await page.getByLabel("E-mail address").fill("reader@example.com");
    await page.getByRole("checkbox", { name: "Production API", exact: true }).check();
    await Promise.all([page.waitForURL(`${test.vigil.url}/subscribe`), page.getByRole("button", { name: "Subscribe" }).click()]);
    await expect.poll(() => page.locator("h2").innerText()).toBe("Check your inbox");
    expect(await page.locator("main").innerText()).toContain("if reader@example.com can receive our e-mail, a confirmation link is on its way; it expires in 24 hours");
    await page.screenshot({ path: path.join(artifacts, "subscribe-sent.png"), fullPage: true });
    expect(await test.vigil.store.subscribers.count()).toBe(0);

    await expect.poll(async () => (await smtp.to("reader@example.com")).length, { timeout: 10_000, interval: 50 }).toBe(1);
    const [mail] = await smtp.to("reader@example.com");
    expect(mail!.text).toContain("for Production API");
    const link = /(http:\/\/\S+\/subscriptions\/confirm\?token=\S+)/.exec(mail!.text ?? "")?.[1];
    expect(link).toBeDefined();

    // The link (from the HTML part, as a reader would click it) opens a page with a button; only the button confirms.
    const confirm = await open(link!);
    expect(await confirm.locator("h2").innerText()).toBe("Confirm your subscription");
    expect(await confirm.locator("main").innerText()).toContain("reader@example.com, for Production API?");
    expect(await violations(confirm)).toEqual([]);
    await confirm.screenshot({ path: path.join(artifacts, "subscribe-confirm.png"), fullPage: true });
    expect(await test.vigil.store.subscribers.count()).toBe(0);
    await confirm.getByRole("button", { name: "Confirm subscription" }).click();
    await expect.poll(() => confirm.locator("h2").innerText()).toBe("You are subscribed");
    expect(await confirm.locator("main").innerText()).toMatch(/subscribed/);
    expect(await violations(confirm)).toEqual([]);
    const row = await test.vigil.store.subscribers.find("email", "reader@example.com");
    expect(row).toMatchObject({ componentIds: ["api"] });

    // The subscribed page's unsubscribe link: a page with a button.
    await confirm.getByRole("link", { name: "unsubscribe" }).click();
    await expect.poll(() => confirm.locator("h2").innerText()).toBe("Unsubscribe");
    expect(await violations(confirm)).toEqual([]);
    await confirm.getByRole("button", { name: "Unsubscribe" }).click();
    await expect.poll(() => confirm.locator("h2").innerText()).toBe("Unsubscribed");
    expect(await confirm.locator("main").innerText()).toContain("You will receive no more status updates from Acme Status at this address.");
    expect(await test.vigil.store.subscribers.get(row!.id)).toBeUndefined();
    await confirm.screenshot({ path: path.join(artifacts, "subscribe-unsubscribed.png"), fullPage: true });
    for (const p of [page, confirm]) await p.close();
  });

  it("shows the form again with the error, focusable from the message, and without violations", async () => {
    const page = await open("/subscribe");
    await page.getByLabel("E-mail address").fill("not an address");
    await page.getByRole("checkbox", { name: "Search", exact: true }).check();
    await page.getByRole("button", { name: "Subscribe" }).click();
    await expect.poll(() => page.locator(".form-error").innerText()).toContain("the e-mail address contains a space");
    expect(await page.getByLabel("E-mail address").inputValue()).toBe("not an address");
    expect(await page.getByRole("checkbox", { name: "Search", exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel("E-mail address").getAttribute("aria-invalid")).toBe("true");
    expect(await violations(page)).toEqual([]);
    await page.locator(".form-error a").click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("subscribe-email");
    await page.screenshot({ path: path.join(artifacts, "subscribe-error.png"), fullPage: true });
    await page.close();
  });

  it("fits a phone", async () => {
    const page = await open("/subscribe", { width: 360 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it("logged no console error on any page", () => {
    expect(errors).toEqual([]);
  });
});
