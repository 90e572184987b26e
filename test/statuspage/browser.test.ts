/// <reference lib="dom" />
// The status page as a person sees it, in real headless Chromium: components, an active incident and its
// updates, uptime-bar tooltips by keyboard, a new install's bars, times for a reader in another zone, dark mode, no console errors, phone and desktop widths, and an
// axe-core scan with no serious or critical violation. Screenshots go to test-artifacts/.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeSource, browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const artifacts = path.resolve("test-artifacts");

const config = `
site:
  name: Acme Status
  url: https://status.example.com
  time_zone: Europe/Paris
  accent_color: "#2563eb"
  links: [{ label: Acme, url: "https://example.com" }]
components:
  - { id: orders-db, name: Orders database, group: Infrastructure }
  - { id: cache, name: Cache, group: Infrastructure }
  - { id: api, name: Production API, depends_on: [orders-db] }
  - { id: checkout, name: Checkout, depends_on: [api] }
  - { id: search, name: Search, depends_on: [{ id: api, soft: true }] }
`;

describe.skipIf(skip !== undefined)(`the status page in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let test: TestVigil;
  let browser: Browser;
  let incidentId: string;
  const errors: string[] = [];

  const open = async (url: string, options: { width?: number; colorScheme?: "light" | "dark"; timezoneId?: string } = {}): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.colorScheme ?? "light", timezoneId: options.timezoneId ?? "Europe/Paris", locale: "en-US" });
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`${url}: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`${url}: ${error.message}`));
    const response = await page.goto(`${test.vigil.url}${url}`);
    expect(response?.status()).toBe(200);
    return page;
  };

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    test = await startTestVigil(config);
    const created = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "We are investigating failed orders.", components: { "orders-db": "major_outage" } });
    incidentId = created.json.id;
    await test.send("POST", `/api/v1/incidents/${incidentId}/updates`, { status: "identified", body: "The primary ran out of disk; **failing over** now." });
    await test.vigil.statusPage.refresh();
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
  });

  it("shows the overall status, the components by group, and the active incident with all its updates", async () => {
    const page = await open("/");
    await expect(page.locator("h1").innerText()).resolves.toContain("Acme Status");
    const main = await page.locator("main").innerText();
    expect(main).toMatch(/Major Service Outage/);
    for (const name of ["Infrastructure", "Orders database", "Cache", "Production API", "Checkout", "Search"]) expect(main).toContain(name);
    expect(main).toContain("Orders database outage");
    expect(main).toContain("failing over");
    expect(main).toContain("We are investigating failed orders.");
    // Status is said in words, not by colour alone.
    expect(main).toMatch(/Major outage/i);
    expect(main).toMatch(/Degraded performance/i);
    const times = await page.locator("time[datetime]").evaluateAll((els) => els.map((e) => e.getAttribute("datetime")));
    expect(times.length).toBeGreaterThan(0);
    for (const t of times) expect(Date.parse(t ?? "")).not.toBeNaN();
    await page.screenshot({ path: path.join(artifacts, "status-page-desktop.png"), fullPage: true });
    await page.close();
  });

  it("opens an uptime bar's tooltip by keyboard", async () => {
    const page = await open("/");
    const cells = page.locator("[tabindex='0'][aria-label]");
    // One mark per run of like days: at least one per component.
    expect(await cells.count()).toBeGreaterThanOrEqual(6);
    // Tab until today's cell of the first bar has focus (the days before the component existed say "no data"),
    // as a keyboard user would.
    let focused = "";
    for (let i = 0; i < 300 && !/uptime/i.test(focused); i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? "");
    }
    expect(focused).toMatch(/uptime/i);
    const tip = await page.evaluate(() => {
      const el = document.activeElement?.querySelector("[role='tooltip'], .tip");
      return el ? { visible: getComputedStyle(el).display !== "none" && getComputedStyle(el).visibility !== "hidden", text: (el as HTMLElement).innerText } : null;
    });
    expect(tip?.visible).toBe(true);
    expect(tip?.text).toMatch(/%/);
    await page.screenshot({ path: path.join(artifacts, "status-page-tooltip.png") });
    await page.close();
  });

  it("renders dark mode from prefers-color-scheme, and fits a phone", async () => {
    const light = await open("/");
    const dark = await open("/", { colorScheme: "dark" });
    const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const lightBg = await background(light);
    const darkBg = await background(dark);
    expect(darkBg).not.toBe(lightBg);
    const luminance = (rgb: string) => (rgb.match(/\d+/g) ?? []).slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
    expect(luminance(darkBg)).toBeLessThan(luminance(lightBg));
    await dark.screenshot({ path: path.join(artifacts, "status-page-dark.png"), fullPage: true });
    const phone = await open("/", { width: 360 });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: path.join(artifacts, "status-page-phone.png"), fullPage: true });
    for (const p of [light, dark, phone]) await p.close();
  });

  // The page's zone is Europe/Paris. For any instant, one of these two readers is on another calendar day than Paris
  // (UTC+14 and UTC−11), so a day heading or a bar's day taken from the reader's zone would show.
  it.each(["Pacific/Kiritimati", "Pacific/Pago_Pago"])(
    "keeps every date and time in the page's zone, named in the footer, and adds the reader's own time beside each time (%s)",
    async (timezoneId) => {
      const page = await open("/", { timezoneId });
      const paris = (iso: string, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", ...options }).format(new Date(iso));
      const footer = page.locator("footer");
      await expect.poll(() => footer.innerText()).toContain(`your time zone, ${timezoneId}`);
      expect(await footer.innerText()).toMatch(/Times are shown in Europe\/Paris time \(CE[S]?T, UTC\+0[12]:00\), and so are the days/);
      const times = await page.locator("time[datetime]").evaluateAll((els) =>
        els.map((e) => ({
          datetime: e.getAttribute("datetime") ?? "",
          text: e.textContent ?? "",
          local: e.nextElementSibling?.classList.contains("local-time") ? (e.nextElementSibling.textContent ?? "") : null,
          // What the reader's browser says of the instant in the reader's zone.
          expected: new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" }).format(new Date(e.getAttribute("datetime") ?? "")),
        })),
      );
      expect(times.length).toBeGreaterThan(3);
      for (const t of times) {
        // The page's text stays: the Paris day and clock time, with the Paris zone's abbreviation.
        expect(t.text).toContain(`${paris(t.datetime, { day: "numeric", month: "short", year: "numeric" })}, ${paris(t.datetime, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })} CE`);
        expect(t.local).toBe(` (${t.expected} your time)`);
      }
      // Day headings and the bars' days are Paris days.
      const today = paris(new Date().toISOString(), { day: "numeric", month: "short", year: "numeric" });
      expect(await page.locator("#past-incidents ~ .days .past-day h3").first().innerText()).toBe(today);
      const firstDay = page.locator(".past-day").first();
      expect(await firstDay.innerText()).toContain("Orders database outage");
      const marks = await page.locator(".bar").first().locator("[role='img']").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
      expect(marks.at(-1)).toMatch(new RegExp(`^${today}: `));
      await page.close();
    },
  );

  it("draws a new install's bar as 90 marks: days before monitoring began are short 'no data yet' marks, one named mark per run, and the uptime says since when", async () => {
    const page = await open("/");
    const bar = page.locator(".bar[aria-label^='Cache:']");
    const today = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", day: "numeric", month: "short", year: "numeric" }).format(new Date());
    // The accessibility tree stays small: one named mark for the 89 days without data, one for today.
    const names = await bar.getByRole("img").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/ \(89 days\): no data yet, monitoring began on /);
    expect(names[0]).toContain(`monitoring began on ${today}`);
    expect(names[1]).toMatch(new RegExp(`^${today}: operational, 100 % uptime, no incidents$`));
    const legend = page.locator(".component", { has: bar }).locator(".uptime");
    expect(await legend.innerText()).toBe(`100.00 % uptime since ${today}`);
    // What the eye sees: 90 marks along the bottom of the bar; higher up only today's (operational marks are taller).
    const png = (await bar.screenshot()).toString("base64");
    const rows = await page.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("no 2d context");
      context.drawImage(image, 0, 0);
      const background = (getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? []).map(Number);
      // Per row, whether each pixel is ink (far from the background).
      const row = (y: number) => {
        const pixels = context.getImageData(0, y, image.width, 1).data;
        return Array.from({ length: image.width }, (_, x) => [0, 1, 2].reduce((sum, c) => sum + Math.abs((pixels[x * 4 + c] ?? 0) - (background[c] ?? 0)), 0) > 90);
      };
      return { bottom: row(image.height - 2), middle: row(Math.round(image.height * 0.6)) };
    }, png);
    const marks = (ink: boolean[]) => ink.filter((on, x) => on && !ink[x - 1]).length;
    expect(marks(rows.bottom)).toBe(90);
    expect(marks(rows.middle)).toBe(1);
    await page.screenshot({ path: path.join(artifacts, "status-page-new-install.png") });
    await page.close();
  });

  it("shows the incident's own page", async () => {
    const page = await open(`/incidents/${incidentId}`);
    const text = await page.locator("main").innerText();
    expect(text).toContain("Orders database outage");
    expect(text.indexOf("failing over")).toBeLessThan(text.indexOf("We are investigating failed orders."));
    // A reader in the page's zone (Europe/Paris here) sees the page's times as they are, with nothing added.
    expect(await page.locator("main time[datetime]").first().innerText()).toMatch(/ CES?T$/);
    expect(await page.locator(".local-time").count()).toBe(0);
    await page.screenshot({ path: path.join(artifacts, "incident-page.png"), fullPage: true });
    await page.close();
  });

  it.each([
    ["/", "light"],
    ["/", "dark"],
    ["/incidents/INCIDENT", "light"],
    ["/history", "light"],
  ] as const)("has no serious or critical accessibility violation on %s (%s)", async (url, colorScheme) => {
    const page = await open(url.replace("INCIDENT", incidentId), { colorScheme });
    // Through the DevTools protocol, which the page's Content-Security-Policy (no inline script) does not cover.
    await page.evaluate(axeSource());
    const result = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
      return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    });
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    expect(serious).toEqual([]);
    await page.close();
  });

  it("logged no console error on any page", () => {
    expect(errors).toEqual([]);
  });
});
