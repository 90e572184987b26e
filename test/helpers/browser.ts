import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser } from "playwright-core";
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
