/// <reference lib="dom" />
// The audit log page in real headless Chromium: a write done through the API shows on /manage/audit, and its filters
// (a plain GET form, no script, under the console's strict content security policy) narrow the list.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
`;
const password = consolePassword;

describe.skipIf(skip !== undefined)(`the audit log page in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const clock = new ManualClock("2026-12-01T09:00:00Z");
  let test: TestVigil;
  let browser: Browser;

  beforeAll(async () => {
    test = await startTestVigil(config, { clock });
    await addUserWithPassword({ store: test.vigil.store, clock }, "ada@example.com", "admin");
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
  });

  it("lists a write done through the API and filters by actor and action", async () => {
    const silence = await test.send("POST", "/api/v1/silences", { matchers: { component: "api" }, duration: "1h", comment: "deploy of api 4.2" });
    expect(silence.status).toBe(201);

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    await page.goto(`${test.vigil.url}/manage/login`);
    await page.fill("#email", "ada@example.com");
    await page.fill("#password", password);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    await Promise.all([page.waitForNavigation(), page.click(`nav a[href="/manage/audit"]`)]);
    expect(new URL(page.url()).pathname).toBe("/manage/audit");
    expect(await page.locator("script").count()).toBe(0);

    const rows = page.locator("#entries tbody tr");
    const silenceRow = rows.filter({ hasText: "createSilence" });
    expect(await silenceRow.count()).toBe(1);
    expect(await silenceRow.locator(".actor").textContent()).toBe("token:test-writer");
    expect(await silenceRow.locator(".action").textContent()).toBe("silences.write");
    expect(await silenceRow.textContent()).toContain(`silences ${silence.json.id}`);
    // Ada's own sign-in is there too.
    expect(await rows.filter({ hasText: "signIn" }).count()).toBe(1);

    await page.fill("#actor", "token:test-writer");
    await Promise.all([page.waitForNavigation(), page.click("#filters button[type=submit]")]);
    expect(new URL(page.url()).searchParams.get("actor")).toBe("token:test-writer");
    const actors = await page.locator("#entries tbody .actor").allTextContents();
    expect(actors).toEqual(["token:test-writer"]);
    expect(await page.getAttribute("#csv", "href")).toBe("/manage/audit.csv?actor=token%3Atest-writer");

    await page.fill("#action", "createIncident");
    await Promise.all([page.waitForNavigation(), page.click("#filters button[type=submit]")]);
    expect(await page.textContent("#empty")).toBe("No entries match.");
    await page.fill("#action", "silences.write");
    await Promise.all([page.waitForNavigation(), page.click("#filters button[type=submit]")]);
    expect(await page.locator("#entries tbody .operation").allTextContents()).toEqual(["createSilence"]);

    // No script ran and nothing broke the policy (the 400 below is logged by Chromium as a failed load).
    expect(problems).toEqual([]);
    await page.fill("#since", "yesterday");
    const [bad] = await Promise.all([page.waitForNavigation(), page.click("#filters button[type=submit]")]);
    expect(bad?.status()).toBe(400);
    expect(await page.textContent(".error")).toContain("since: expected an ISO 8601 time with a zone");
    await context.close();
  }, 120_000);
});
