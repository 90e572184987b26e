// Single sign-on in real headless Chromium, on each store: from Vigil's login page through a real OpenID provider's
// (oidc-provider) login and consent pages, back to /manage signed in with the role the provider's groups map to.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { startVigilWithProvider, type TestProvider } from "../helpers/oidc-provider.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import type { TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);


for (const backend of storeBackends()) {
  describe.skipIf(skip !== undefined || !backend.available)(`single sign-on in Chromium on ${backend.name}${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let target: StoreTarget;
    let provider: TestProvider;
    let test: TestVigil;
    let browser: Browser;

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      ({ provider, test } = await startVigilWithProvider({ databaseUrl: target.url }));
      browser = await launchBrowser();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await test?.dispose();
      await provider?.close();
      await target?.dispose();
    });

    it("clicks Sign in with Acme SSO, signs in at the provider, and lands on /manage with the mapped role", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${test.vigil.url}/manage/login`);
      await Promise.all([page.waitForURL(`${provider.issuer}/interaction/**`), page.click("text=Sign in with Acme SSO")]);
      await page.fill("input[name=login]", "rita");
      await page.fill("input[name=password]", "any password");
      await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
      // The provider's consent page, then back to Vigil.
      expect(new URL(page.url()).origin).toBe(provider.issuer);
      await Promise.all([page.waitForURL(`${test.vigil.url}/manage`), page.click("button[type=submit]")]);
      expect(new URL(page.url()).pathname).toBe("/manage");
      expect(await page.textContent("#who")).toBe("rita@example.com");
      expect(await page.textContent("#role")).toBe("responder");
      const cookies = await context.cookies(`${test.vigil.url}/manage`);
      expect(cookies.find((c) => c.name === "vigil_session")).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/manage" });
      expect(cookies.find((c) => c.name === "vigil_oidc")).toBeUndefined();
      await context.close();
    }, 60_000);
  });
}
