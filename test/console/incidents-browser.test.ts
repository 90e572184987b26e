/// <reference lib="dom" />
// The incident room in real headless Chromium against an in-process Vigil checking a real local HTTP server: the
// server answers 500, the monitor goes down and an incident opens; the responder finds it in /manage/incidents, posts
// an update from a template at a phone's width (the script's preview shows beside the textarea), and the public status
// page shows the update; the incident is resolved, its postmortem edited, previewed and published. axe finds no
// violation on the list, the new-incident page and the room, at 390 px and 1280 px, light and dark.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.ts";
import { browserSkipReason, launchBrowser, reloadUntilShown, signInInBrowser } from "../helpers/browser.ts";
import { startFlipTarget, type FlipTarget } from "../helpers/flip-target.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const configOf = (url: string) => `
site: { name: Acme Status }
components:
  - { id: api, name: Production API, monitors: [api-health] }
monitors:
  - { id: api-health, name: API health, type: http, url: "${url}", interval: 1s, timeout: 500ms, recheck: 200ms }
incidents:
  publish: auto
  update_templates:
    - { id: fix-deployed, name: Fix deployed, body: "A **fix** has been deployed; we are watching the results.", status: monitoring, components: { api: degraded_performance } }
`;
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };

describe.skipIf(skip !== undefined)(`the console's incident room in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let target: FlipTarget;
  let test: TestVigil;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-room-"));
    target = await startFlipTarget();
    test = await startTestVigil(configOf(target.url), { dir });
    browser = await launchBrowser();
    await addUserWithPassword({ store: test.vigil.store, clock: systemClock }, "rob@example.com", "responder");
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
    await target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function axe(page: Page, where: string): Promise<void> {
    for (const size of [phone, desktop]) {
      for (const colorScheme of ["light", "dark"] as const) {
        await page.setViewportSize(size);
        await page.emulateMedia({ colorScheme });
        const result = await new AxeBuilder({ page }).analyze();
        const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        expect(found, `${where} at ${size.width} px, ${colorScheme}`).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${where} at ${size.width} px`).toBeLessThanOrEqual(size.width);
      }
    }
  }

  it("takes a failing monitor's incident from the list through a template's update, resolution and postmortem, the public page following", async () => {
    const context = await browser.newContext({ viewport: phone });
    const page = await context.newPage();
    try {
      await signInInBrowser(page, test.vigil.url, "rob@example.com", consolePassword);

      target.set(false);
      await expect.poll(async () => (await test.get("/api/v1/incidents?open=true")).json.incidents.length, { timeout: 30_000, interval: 250 }).toBe(1);
      const id = (await test.get("/api/v1/incidents?open=true")).json.incidents[0].id as string;

      await page.click('nav a[href="/manage/incidents"]');
      await page.waitForURL(`${test.vigil.url}/manage/incidents`);
      await axe(page, "the incident list");
      await page.setViewportSize(phone);
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/incidents/${id}`), page.click(`a[href="/manage/incidents/${id}"]`)]);
      expect(await page.textContent("#room-status")).toBe("investigating");
      await axe(page, "the room");
      await page.setViewportSize(phone);

      await page.selectOption("#template", "fix-deployed");
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/incidents/${id}?template=fix-deployed`), page.click('form.template button[type=submit]')]);
      expect(await page.inputValue("#update-body")).toBe("A **fix** has been deployed; we are watching the results.");
      expect(await page.inputValue("#update-status")).toBe("monitoring");
      // The script's preview, beside the textarea, as one types.
      await page.fill("#update-body", "A **fix** has been deployed; we are watching.");
      await expect.poll(() => page.innerHTML("#update-body-preview"), { timeout: 10_000 }).toContain("<strong>fix</strong>");
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/incidents/${id}/update`), page.click('button[value="post"]')]);
      expect(await page.textContent('p.note[role="status"]')).toBe("The update is posted.");
      expect(await page.textContent("#room-status")).toBe("monitoring");

      // Live: a change made elsewhere reaches the open room's header over the event stream, without a reload.
      expect((await test.send("POST", `/api/v1/incidents/${id}/updates`, { status: "identified", body: "We found the cause." })).status).toBe(201);
      await expect.poll(() => page.textContent("#room-status"), { timeout: 15_000 }).toBe("identified");
      expect(await page.textContent("#announce")).toBe("This incident is now identified. Reload the page for its updates.");
      // The keyboard's first stop is the skip link.
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");

      const publicPage = await context.newPage();
      await reloadUntilShown(publicPage, `${test.vigil.url}/`, "A fix has been deployed; we are watching.");
      await publicPage.close();

      target.set(true);
      await page.goto(`${test.vigil.url}/manage/incidents/${id}`);
      await page.fill("#resolve-body", "Resolved.");
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/incidents/${id}/resolve`), page.click('form[action$="/resolve"] button[type=submit]')]);
      expect(await page.textContent("#room-status")).toBe("resolved");

      await page.fill("#postmortem-body", "## What happened\n\nThe API **failed** its health checks.");
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/incidents/${id}/postmortem`), page.click('form[action$="/postmortem"] button[value="preview"]')]);
      expect(await page.innerHTML("#postmortem-body-preview")).toContain("<strong>failed</strong>");
      await page.click('form[action$="/postmortem"] button[value="save"]');
      await page.waitForSelector('p.note[role="status"]');
      expect(await page.textContent('p.note[role="status"]')).toBe("The postmortem is saved.");
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage/incidents/${id}/postmortem/publish`), page.click('form[action$="/postmortem/publish"] button[type=submit]')]);
      expect(await page.textContent('p.note[role="status"]')).toBe("The postmortem is published.");
      expect((await test.get(`/api/v1/incidents/${id}/postmortem`)).json.published_at).not.toBeNull();

      await page.goto(`${test.vigil.url}/manage/incidents/new`);
      await axe(page, "the new-incident page");
    } finally {
      await context.close();
    }
  }, 180_000);
});
