/// <reference lib="dom" />
// The catalog in real headless Chromium, by keyboard alone at a phone's width: an admin adds an HTTP monitor of a real
// local server in the console, Vigil starts checking it at once, and after a restart on the same data it is still
// listed and checked again. axe finds no violation on the catalog and its form at 390 px and 1280 px, light and dark.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.ts";
import { browserSkipReason, expectAccessible, launchBrowser, phone, signInInBrowser, tabTo } from "../helpers/browser.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";
import { startFlipTarget, type FlipTarget } from "../helpers/flip-target.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const config = `
site: { name: Acme Status }
components:
  - { id: web, name: Website }
`;

describe.skipIf(skip !== undefined)(`the console's catalog in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let target: FlipTarget;
  let test: TestVigil;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-catalog-"));
    target = await startFlipTarget();
    test = await startTestVigil(config, { dir });
    await addUserWithPassword({ store: test.vigil.store, clock: systemClock }, "adam@example.com", "admin");
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
    await target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const resultsAfter = async (since: Date) =>
    ((await test.get("/api/v1/monitors/orders-health/results?limit=50")).json.results as { at: string; status: string }[]).filter((r) => new Date(r.at) > since && r.status === "up").length;

  it("adds a monitor by keyboard that is checked at once and still checked after a restart", async () => {
    const context = await browser.newContext({ viewport: phone });
    const page = await context.newPage();
    try {
      await signInInBrowser(page, test.vigil.url, "adam@example.com", consolePassword);

      await tabTo(page, 'nav a[href="/manage/catalog"]');
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/catalog`), page.keyboard.press("Enter")]);
      await expectAccessible(page, "the catalog");
      await page.setViewportSize(phone);
      await tabTo(page, 'a[href="/manage/catalog/monitors/new"]');
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/catalog/monitors/new`), page.keyboard.press("Enter")]);
      expect(await page.inputValue("#type")).toBe("http");
      await expectAccessible(page, "the monitor form");
      await page.setViewportSize(phone);

      await tabTo(page, "#f-id");
      await page.keyboard.type("orders-health");
      await page.keyboard.press("Tab");
      await page.keyboard.type("Orders API");
      await page.keyboard.press("Tab");
      await page.keyboard.type("1s");
      await tabTo(page, "#f-url");
      await page.keyboard.type(target.url);
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/catalog/monitors`), page.keyboard.press("Enter")]);
      expect(await page.textContent('p.note[role="status"]')).toBe("Added the monitor orders-health.");
      expect(await page.textContent("#m-orders-health")).toContain("added here");

      // Checked at once: results arrive and the monitor is up.
      const added = new Date(Date.now() - 1_000);
      await expect.poll(() => resultsAfter(added), { timeout: 20_000, interval: 250 }).toBeGreaterThan(1);
      await expect.poll(async () => (await test.get("/api/v1/monitors/orders-health")).json.state.status, { timeout: 20_000, interval: 250 }).toBe("up");

      await test.dispose();
      test = await startTestVigil(config, { dir });
      const restarted = new Date();
      await expect.poll(() => resultsAfter(restarted), { timeout: 20_000, interval: 250 }).toBeGreaterThan(1);
      // The session is in the store too: the console lists the monitor after the restart.
      await page.goto(`${test.vigil.url}/manage/catalog`);
      expect(await page.textContent("#m-orders-health")).toContain("Orders API");
    } finally {
      await context.close();
    }
  }, 180_000);
});
