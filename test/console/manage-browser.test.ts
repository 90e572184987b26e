/// <reference lib="dom" />
// The console's management pages in real headless Chromium: a maintenance scheduled on a phone, then renamed, shows on
// the public page, a silence is created and expired, a token's secret is shown once, a delivery given up is queued
// again, and axe-core finds no violation on each page at 390 and 1280 px, light and dark.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { browserSkipReason, expectAccessible, launchBrowser, phone, reloadUntilShown, signInInBrowser } from "../helpers/browser.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
  - { id: web, name: Website }
notifications:
  channels:
    - { id: oncall, type: webhook, url: "http://127.0.0.1:9/hook" }
`;

describe.skipIf(skip !== undefined)(`the console's management pages in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const clock = new ManualClock("2026-12-01T09:00:00Z");
  let test: TestVigil;
  let browser: Browser;

  beforeAll(async () => {
    test = await startTestVigil(config, { clock });
    await addUserWithPassword({ store: test.vigil.store, clock }, "ada@example.com", "owner");
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
  });

  async function signedIn(): Promise<Page> {
    const context = await browser.newContext({ viewport: phone });
    const page = await context.newPage();
    await signInInBrowser(page, test.vigil.url, "ada@example.com", consolePassword);
    return page;
  }

  async function axe(page: Page, where: string): Promise<void> {
    await expectAccessible(page, where);
    await page.setViewportSize(phone);
  }

  it("schedules and renames a maintenance on a phone, which the public page then shows", async () => {
    const page = await signedIn();
    await Promise.all([page.waitForURL(/\/manage\/maintenances$/), page.click('nav a[href="/manage/maintenances"]')]);
    expect(await page.locator("script").count()).toBe(0);
    await page.fill("#m-name", "Database upgrade");
    await page.fill("#m-body", "The primary moves to new hardware.");
    await page.check('input[name=components][value="api"]');
    await page.fill("#m-from", "2026-12-02T02:00");
    await page.fill("#m-until", "2026-12-02T03:00");
    await Promise.all([page.waitForNavigation(), page.click("#schedule button[type=submit]")]);
    expect(await page.textContent('[role="status"]')).toBe("Scheduled: Database upgrade.");
    expect(await page.locator("#scheduled tbody tr").filter({ hasText: "Database upgrade" }).count()).toBe(1);
    await axe(page, "/manage/maintenances");

    const status = await page.context().newPage();
    await reloadUntilShown(status, `${test.vigil.url}/`, "Database upgrade");

    // Renamed in its edit form: the public page shows the new name.
    await Promise.all([page.waitForURL(/\/manage\/maintenances\/mnt_/), page.getByRole("link", { name: "Edit: Database upgrade" }).click()]);
    expect(await page.inputValue("#m-from")).toBe("2026-12-02T02:00");
    await axe(page, "/manage/maintenances/:id");
    await page.fill("#m-name", "Database and cache upgrade");
    await Promise.all([page.waitForNavigation(), page.click("#edit button[type=submit]")]);
    expect(await page.textContent('[role="status"]')).toBe("Saved: Database and cache upgrade.");
    await reloadUntilShown(status, `${test.vigil.url}/`, "Database and cache upgrade");
    await page.context().close();
  }, 120_000);

  it("creates and expires a silence", async () => {
    const page = await signedIn();
    await page.goto(`${test.vigil.url}/manage/silences`);
    await page.fill("#s-component", "api");
    await page.fill("#s-duration", "1h");
    await page.fill("#s-comment", "deploy of api 4.2");
    await Promise.all([page.waitForNavigation(), page.click("#create button[type=submit]")]);
    const current = page.locator("#current tbody tr").filter({ hasText: "deploy of api 4.2" });
    expect(await current.count()).toBe(1);
    await axe(page, "/manage/silences");
    await Promise.all([page.waitForNavigation(), current.getByRole("button", { name: /Expire/ }).click()]);
    expect(await page.locator("#current-none").count()).toBe(1);
    expect(await page.locator("#expired tbody tr").filter({ hasText: "deploy of api 4.2" }).count()).toBe(1);
    await page.context().close();
  }, 120_000);

  it("creates a token and shows its secret once", async () => {
    const page = await signedIn();
    await page.goto(`${test.vigil.url}/manage/tokens`);
    await page.fill("#t-name", "deploys");
    await page.selectOption("#t-role", "responder");
    await Promise.all([page.waitForNavigation(), page.click("#create button[type=submit]")]);
    const secret = (await page.textContent("#secret")) ?? "";
    expect(secret.length).toBeGreaterThan(20);
    await axe(page, "/manage/tokens (with a secret)");
    await page.goto(`${test.vigil.url}/manage/tokens`);
    expect(await page.locator("#secret").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator("#tokens tbody tr").filter({ hasText: "deploys" }).count()).toBe(1);
    await page.context().close();
  }, 120_000);

  it("queues a delivery given up again from the channels page", async () => {
    await test.vigil.store.outbox.enqueue([{ eventId: "1", destination: "oncall", idempotencyKey: "k-dead", orderKey: "o-dead", nextAttemptAt: clock.now(), message: { kind: "incident.created", title: "[Major] API outage" }, createdAt: clock.now() }]);
    const [dead] = await test.vigil.store.outbox.list({ destination: "oncall" });
    await test.vigil.store.outbox.update(dead!.id, { status: "dead", attempts: 3, lastError: "127.0.0.1:9 refused the connection", updatedAt: clock.now() });
    const page = await signedIn();
    await Promise.all([page.waitForURL(/\/manage\/channels$/), page.click('nav a[href="/manage/channels"]')]);
    await axe(page, "/manage/channels with a delivery given up");
    await Promise.all([page.waitForURL(/\/retry$/), page.click('button[aria-label="Retry [Major] API outage to oncall"]')]);
    expect(await page.textContent('p[role="status"]')).toBe("Delivery of [Major] API outage to oncall is queued again.");
    expect(await page.locator(`#d-${dead!.id}`).count()).toBe(0);
    expect((await test.vigil.store.outbox.get(dead!.id))?.status).not.toBe("dead");
    await page.context().close();
  }, 120_000);

  it("finds no accessibility violation on the subscribers, channels, account and users pages", async () => {
    const page = await signedIn();
    for (const path of ["/manage/subscribers", "/manage/channels", "/manage/account", "/manage/users"]) {
      await page.goto(`${test.vigil.url}${path}`);
      expect(await page.getAttribute(`nav a[href="${path}"]`, "aria-current")).toBe("page");
      await axe(page, path);
    }
    await page.context().close();
  }, 120_000);
});
