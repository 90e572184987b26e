/// <reference lib="dom" />
// The console's overview in real headless Chromium against an in-process Vigil checking a real local HTTP server: the
// server starts answering 500, the monitor goes down, an incident opens, and the open page shows both without being
// reloaded (over /manage/events); on recovery the monitor's status text changes back. axe finds no violation on the
// overview, the sign-in and the set-password pages, at a phone's width and a desktop's, light and dark. The bytes a
// phone downloads for the overview are printed (docs/console.md quotes them).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { addUser } from "../../src/auth/add-user.ts";
import { systemClock } from "../../src/core/clock.ts";
import { browserSkipReason, desktop, expectAccessible, launchBrowser, phone, signInInBrowser } from "../helpers/browser.ts";
import { startFlipTarget, type FlipTarget } from "../helpers/flip-target.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const password = consolePassword;
const configOf = (url: string) => `
site: { name: Acme Status }
components:
  - { id: api, name: Production API, monitors: [api-health] }
monitors:
  - { id: api-health, name: API health, type: http, url: "${url}", interval: 1s, timeout: 500ms, recheck: 200ms }
incidents: { publish: auto }
`;

describe.skipIf(skip !== undefined)(`the console's overview in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let target: FlipTarget;
  let test: TestVigil;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-overview-"));
    target = await startFlipTarget();
    test = await startTestVigil(configOf(target.url), { dir });
    browser = await launchBrowser();
    const deps = { store: test.vigil.store, clock: systemClock };
    await addUserWithPassword(deps, "ada@example.com", "viewer");
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
    await target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function signedIn(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await signInInBrowser(page, test.vigil.url, "ada@example.com", password);
    return page;
  }

  const monitorStatus = (page: Page) => page.textContent('[data-live="components"] [data-monitor="api-health"] [data-status]');

  const axe = expectAccessible;

  it("shows a failing monitor and its incident live, without a reload, and the recovery after", async () => {
    await expect.poll(async () => (await test.get("/api/v1/monitors/api-health")).json.state.status, { timeout: 20_000 }).toBe("up");
    const context = await browser.newContext({ viewport: phone });
    const page = await signedIn(context);
    expect(await monitorStatus(page)).toBe("Up");
    expect(await page.textContent('[data-live="failing"]')).toBe("Nothing is failing.");
    expect(await page.textContent('[data-live="components"] [data-monitor="api-health"] .regions')).toBe("local: up");
    await expect.poll(() => page.textContent("#live-state"), { timeout: 10_000 }).toBe("Live: changes appear as they happen.");
    // A mark that a reload would wipe out.
    await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
    // Every announcement, in order: a later update replaces the live region's text, as screen readers expect.
    await page.evaluate(() => {
      const announced: string[] = [];
      (window as unknown as { announced: string[] }).announced = announced;
      const region = document.getElementById("announce")!;
      new MutationObserver(() => announced.push(region.textContent ?? "")).observe(region, { childList: true, characterData: true, subtree: true });
    });
    const announced = () => page.evaluate(() => (window as unknown as { announced: string[] }).announced.join(" | "));
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => navigations.push(frame.url()));

    target.set(false);
    onTestFinished(() => target.set(true));
    await expect.poll(() => monitorStatus(page), { timeout: 20_000 }).toBe("Down");
    await expect.poll(() => page.textContent('[data-live="incidents"]'), { timeout: 20_000 }).toContain("Production API outage");
    expect(await page.textContent('[data-live="failing"]')).toContain("Monitor API health: Down");
    expect(await page.textContent('[data-live="failing"]')).toContain("Production API: Major outage");
    await expect.poll(announced, { timeout: 10_000 }).toContain("Incident opened: Production API outage.");

    // The keyboard focus stays on the incident's link when its part is replaced (the incident is updated).
    const [incident] = (await test.get("/api/v1/incidents?open=true")).json.incidents as { id: string }[];
    await page.focus(`[data-live="incidents"] a[href$="${incident!.id}"]`);
    const updated = await test.send("POST", `/api/v1/incidents/${incident!.id}/updates`, { status: "identified", body: "The API answers 500.", hold: false });
    expect(updated.status).toBe(201);
    await expect.poll(() => page.textContent(`[data-incident="${incident!.id}"] [data-incident-status]`), { timeout: 10_000 }).toBe("identified");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("href"))).toMatch(new RegExp(`${incident!.id}$`));

    target.set(true);
    await expect.poll(() => monitorStatus(page), { timeout: 20_000 }).toBe("Up");
    await expect.poll(announced, { timeout: 10_000 }).toContain("API health is up.");
    expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
    expect(navigations).toEqual([]);
    await context.close();
  }, 120_000);

  it("is complete without JavaScript", async () => {
    await expect.poll(async () => (await test.get("/api/v1/monitors/api-health")).json.state.status, { timeout: 20_000 }).toBe("up");
    const context = await browser.newContext({ viewport: phone, javaScriptEnabled: false });
    const page = await signedIn(context);
    expect(await page.textContent("h1")).toBe("Overview");
    expect(await monitorStatus(page)).toBe("Up");
    expect(await page.getAttribute("a:text('Reload')", "href")).toBe("/manage");
    await context.close();
  }, 60_000);

  it("is usable by keyboard: the first Tab reaches the skip link, which leads to the main content", async () => {
    const context = await browser.newContext({ viewport: desktop });
    const page = await signedIn(context);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    // Following the link moves to #main once the browser has handled the key: wait for it rather than read at once.
    await expect.poll(() => new URL(page.url()).hash, { timeout: 5_000 }).toBe("#main");
    const stops: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press("Tab");
      stops.push(await page.evaluate(() => document.activeElement?.textContent ?? ""));
    }
    expect(stops).toContain("Reload");
    await context.close();
  }, 60_000);

  it("follows the reader's colour scheme", async () => {
    const context = await browser.newContext({ viewport: desktop, colorScheme: "dark" });
    const page = await signedIn(context);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(13, 17, 23)");
    await page.emulateMedia({ colorScheme: "light" });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(255, 255, 255)");
    await context.close();
  }, 60_000);

  it("has no axe violations on the overview, the sign-in and the set-password pages, phone and desktop, light and dark", async () => {
    const context = await browser.newContext();
    const login = await context.newPage();
    await login.goto(`${test.vigil.url}/manage/login`);
    await axe(login, "sign-in");
    // A refused sign-in shows its error message.
    await login.fill("#email", "ada@example.com");
    await login.fill("#password", "not the password at all");
    await Promise.all([login.waitForNavigation(), login.click("button[type=submit]")]);
    await axe(login, "refused sign-in");

    const link = await addUser({ store: test.vigil.store, clock: systemClock }, { email: "bob@example.com", role: "viewer", actor: "test" });
    const setPassword = await context.newPage();
    await setPassword.goto(`${test.vigil.url}/manage/set-password?token=${link.linkSecret}`);
    expect(await setPassword.textContent("h1")).toBe("Set your password");
    await axe(setPassword, "set-password");

    const overview = await signedIn(context);
    await axe(overview, "overview");
    await context.close();
  }, 120_000);

  it("sends a phone the overview in a few kilobytes: HTML, style sheet and script", async () => {
    const context = await browser.newContext({ viewport: phone });
    const page = await signedIn(context);
    const sizes: Record<string, number> = {};
    page.on("response", (response) => {
      const type = response.request().resourceType();
      if (["document", "stylesheet", "script"].includes(type)) void response.body().then((b) => (sizes[type] = b.length));
    });
    await page.reload();
    await expect.poll(() => Object.keys(sizes).sort()).toEqual(["document", "script", "stylesheet"]);
    const total = (sizes.document ?? 0) + (sizes.stylesheet ?? 0) + (sizes.script ?? 0);
    console.log(`overview bytes (uncompressed): html ${sizes.document}, css ${sizes.stylesheet}, js ${sizes.script}, total ${total}`);
    expect(total).toBeLessThan(20_000);
    await context.close();
  }, 60_000);
});
