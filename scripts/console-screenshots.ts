// Takes the console's screenshots in docs/images from a real run: Vigil on the embedded store in a temp directory (as
// the tests start it), a local HTTP target that starts failing so that an incident opens, a responder who signs in with
// Debian's Chromium and posts an update from a template, and an admin filling in a monitor in the catalog. Run with `npm run screenshots` (Chromium at /usr/bin/chromium
// or CHROMIUM_PATH).
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { systemClock } from "../src/core/clock.ts";
import { addUserWithPassword } from "../test/helpers/console-users.ts";
import { startTestVigil } from "../test/helpers/vigil.ts";

const out = fileURLToPath(new URL("../docs/images", import.meta.url));
const password = "correct horse battery staple";
const executable = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (executable === undefined) throw new Error("Chromium is not installed (apt-get install chromium), or set CHROMIUM_PATH");

let failing = false;
const target = createServer((_req, res) => res.writeHead(failing ? 500 : 200, { "content-type": "text/plain" }).end(failing ? "error" : "ok"));
await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
const port = (target.address() as { port: number }).port;
const configText = `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database, group: Infrastructure, monitors: [orders-db-http] }
  - { id: api, name: Production API, depends_on: [orders-db], monitors: [api-http] }
  - { id: web, name: Storefront, depends_on: [api], monitors: [web-http] }
monitors:
  - { id: orders-db-http, type: http, url: "http://127.0.0.1:${port}/db", interval: 2s, timeout: 1s }
  - { id: api-http, type: http, url: "http://127.0.0.1:${port}/api", interval: 2s, timeout: 1s }
  - { id: web-http, type: http, url: "http://127.0.0.1:${port}/web", interval: 2s, timeout: 1s }
incidents:
  publish: auto
  update_templates:
    - { id: fix-deployed, name: Fix deployed, body: "A fix has been deployed; we are watching the results.", status: monitoring }
`;

const test = await startTestVigil(configText);
const vigil = test.vigil;
const browser = await chromium.launch({ executablePath: executable, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
try {
  await addUserWithPassword({ store: vigil.store, clock: systemClock }, "rob@example.com", "responder", password);
  await mkdir(out, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${vigil.url}/manage/login`);
  await page.fill("#email", "rob@example.com");
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(`${vigil.url}/manage`), page.click("button[type=submit]")]);

  failing = true;
  let id: string | undefined;
  for (let i = 0; i < 120 && id === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const open = await vigil.store.incidents.list({ openOnly: true, limit: 10 });
    id = open[0]?.id;
  }
  if (id === undefined) throw new Error("no incident opened within a minute");
  // Let the dependents' monitors confirm too, so the overview shows the whole picture.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  await page.goto(`${vigil.url}/manage`);
  await page.screenshot({ path: path.join(out, "console-overview.png"), fullPage: true });

  await page.goto(`${vigil.url}/manage/incidents/${id}?template=fix-deployed`);
  await Promise.all([page.waitForURL(`${vigil.url}/manage/incidents/${id}/update`), page.click('button[value="post"]')]);
  await page.goto(`${vigil.url}/manage/incidents/${id}`);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(out, "console-incident-dark.png") });

  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${vigil.url}/manage/incidents/${id}`);
  await page.screenshot({ path: path.join(out, "console-incident-phone.png") });
  await context.close();

  // An admin adds a monitor in the catalog, on a phone.
  await addUserWithPassword({ store: vigil.store, clock: systemClock }, "adam@example.com", "admin", password);
  const admin = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const form = await admin.newPage();
  await form.goto(`${vigil.url}/manage/login`);
  await form.fill("#email", "adam@example.com");
  await form.fill("#password", password);
  await Promise.all([form.waitForURL(`${vigil.url}/manage`), form.click("button[type=submit]")]);
  await form.goto(`${vigil.url}/manage/catalog/monitors/new?type=http`);
  await form.fill("#f-id", "checkout-health");
  await form.fill("#f-name", "Checkout health");
  await form.fill("#f-interval", "30s");
  await form.fill("#f-url", "https://checkout.example.com/health");
  await form.fill("#f-headers", "accept: application/json");
  await form.screenshot({ path: path.join(out, "console-catalog-phone.png"), fullPage: true });
  await admin.close();
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await test.dispose();
  await new Promise((resolve) => target.close(resolve));
}
