/// <reference lib="dom" />
// The TOTP second factor in real headless Chromium, against an in-process Vigil on a manual clock: a user enrols from
// the secret read off the page, signs out, signs in with the password and a code computed from that secret; a wrong
// code is refused; a recovery code works once.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../src/auth/totp.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
`;
const password = consolePassword;

describe.skipIf(skip !== undefined)(`the second factor in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const clock = new ManualClock("2026-12-01T09:00:05Z");
  let test: TestVigil;
  let browser: Browser;

  beforeAll(async () => {
    test = await startTestVigil(config, { clock });
    const deps = { store: test.vigil.store, clock };
    await addUserWithPassword(deps, "ada@example.com", "owner");
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
  });

  async function submit(page: Page, selector = "button[type=submit]") {
    const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
    return response?.status();
  }
  async function withPassword(page: Page) {
    await page.goto(`${test.vigil.url}/manage/login`);
    await page.fill("#email", "ada@example.com");
    await page.fill("#password", password);
    return submit(page);
  }
  async function signOut(page: Page) {
    await page.goto(`${test.vigil.url}/manage`);
    await submit(page, "text=Sign out");
    expect(await page.textContent("h1")).toBe("Signed out");
  }

  it("enrols, then signs in with the password and a code; a wrong code is refused; a recovery code works once", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect(await withPassword(page)).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/manage");
    await submit(page, `nav a[href="/manage/account"]`);
    expect(await page.textContent("#second-factor")).toContain("Second factor: off");
    await submit(page, "text=Set up a second factor");
    expect(new URL(page.url()).pathname).toBe("/manage/account/totp");
    const secret = ((await page.textContent("#totp-secret")) ?? "").replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getAttribute("#totp-uri", "href")).toBe(`otpauth://totp/Acme%20Status:ada%40example.com?issuer=Acme%20Status&secret=${secret}&algorithm=SHA1&digits=6&period=30`);
    await page.fill("#code", totpCode(secret, new Date(clock.now().getTime() + 5 * 60_000)));
    expect(await submit(page)).toBe(400);
    expect(await page.textContent(".error")).toBe("that code is not right (or was used already)");
    await page.fill("#code", totpCode(secret, clock.now()));
    expect(await submit(page)).toBe(200);
    expect(await page.textContent("h1")).toBe("Second factor on");
    const codes = await page.$$eval("#recovery-codes li", (items) => items.map((li) => li.textContent ?? ""));
    expect(codes).toHaveLength(10);
    await signOut(page);

    clock.advance(30_000);
    expect(await withPassword(page)).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/manage/login/code");
    expect(await page.textContent("h1")).toBe("Enter your code");
    // Without the code, the console is still closed.
    await page.goto(`${test.vigil.url}/manage`);
    expect(new URL(page.url()).pathname).toBe("/manage/login");
    expect(await withPassword(page)).toBe(200);
    await page.fill("#code", totpCode(secret, new Date(clock.now().getTime() - 5 * 60_000)));
    expect(await submit(page)).toBe(401);
    expect(await page.textContent(".error")).toBe("that code is not right (or was used already)");
    await page.fill("#code", totpCode(secret, clock.now()));
    expect(await submit(page)).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/manage");
    expect(await page.textContent("#who")).toBe("ada@example.com");
    await signOut(page);

    const recovery = codes[0] as string;
    expect(await withPassword(page)).toBe(200);
    await page.fill("#code", recovery);
    expect(await submit(page)).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/manage");
    await signOut(page);
    expect(await withPassword(page)).toBe(200);
    await page.fill("#code", recovery);
    expect(await submit(page)).toBe(401);
    expect(new URL(page.url()).pathname).toBe("/manage/login/code");
    await context.close();
  }, 120_000);
});
