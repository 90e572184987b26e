import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";
import { skipReasonUnless } from "./server-process.ts";

const executable = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

/** Why the browser tests cannot run here, or undefined when they can (or must: VIGIL_REQUIRE_SERVERS=1). */
export function browserSkipReason(): string | undefined {
  return skipReasonUnless(executable !== undefined, "Chromium is not installed (apt-get install chromium)");
}

/** Debian's Chromium, headless, driven by playwright-core (which never downloads a browser of its own). */
export async function launchBrowser(): Promise<Browser> {
  if (!executable) throw new Error("VIGIL_REQUIRE_SERVERS=1 but Chromium is not installed (apt-get install chromium)");
  return chromium.launch({
    executablePath: executable,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"],
  });
}

/** axe-core's source, to inject into a page. */
export function axeSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
}

/** The screen sizes the console's pages are checked at: a phone and a desktop. */
export const phone = { width: 390, height: 844 };
export const desktop = { width: 1280, height: 900 };

/** axe-core finds no violation on `page` at a phone's and a desktop's width, light and dark, and nothing scrolls sideways. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  for (const size of [phone, desktop]) {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme });
      const result = await new AxeBuilder({ page }).analyze();
      const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      expect(found, `${where} at ${size.width} px, ${colorScheme}`).toEqual([]);
      // Nothing wider than the screen: no sideways scrolling on a phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${where} at ${size.width} px`).toBeLessThanOrEqual(size.width);
    }
  }
}

/**
 * Loads `url` in `page` until its body contains `text`: the public status page is re-rendered within seconds
 * of a change (longer while its render thread first starts, which a loaded machine slows), not at once.
 */
export async function reloadUntilShown(page: Page, url: string, text: string, timeout = 30_000): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.goto(url);
        return page.textContent("body");
      },
      { timeout, interval: 500 },
    )
    .toContain(text);
}

/** Signs in on the console's sign-in page with an e-mail and password, and waits for the overview. */
export async function signInInBrowser(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/manage/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(`${baseUrl}/manage`), page.click("button[type=submit]")]);
}

/** Presses Tab until the focused element matches `selector`, as a keyboard user moves (at most `max` presses). */
export async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let presses = 0; presses < max; presses++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}
