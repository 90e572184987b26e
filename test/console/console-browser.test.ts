/// <reference lib="dom" />
// The console's sign-in in real headless Chromium, against an in-process Vigil on a manual clock: a user bootstrapped
// by `vigil user add` sets their password through the link, signs in, sees /manage and signs out; a wrong password and
// an unknown user get the same page; a cross-site POST without the form's token is refused; an idle session ends.
import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { runVigil } from "../helpers/cli.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
`;
const password = "correct horse battery staple";

describe.skipIf(skip !== undefined)(`the console's sign-in in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const clock = new ManualClock("2026-12-01T09:00:00Z");
  let test: TestVigil;
  let browser: Browser;
  let evil: Server;
  let evilUrl: string;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-console-"));
    test = await startTestVigil(config, { clock, dir });
    browser = await launchBrowser();
    // Another site whose page posts a form to the console (it cannot know the form's token).
    evil = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<form id="f" method="post" action="${test.vigil.url}/manage/login"><input name="email" value="ada@example.com"><input name="password" value="x"><input name="csrf" value="guess"></form><script>document.getElementById("f").submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    const address = evil.address();
    evilUrl = `http://localhost:${typeof address === "object" && address ? address.port : 0}/`;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => evil?.close(resolve));
    await test?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function bootstrap(email: string): Promise<string> {
    const added = await runVigil(["user", "add", "--email", email, "--role", "owner", "--json", "--config", path.join(dir, "vigil.yaml"), "--data", path.join(dir, "data")]);
    expect(added.code, added.stderr).toBe(0);
    const link = new URL((JSON.parse(added.stdout) as { set_password_url: string }).set_password_url);
    return `${test.vigil.url}${link.pathname}${link.search}`;
  }

  async function signIn(context: BrowserContext, email: string, secret: string) {
    const page = await context.newPage();
    await page.goto(`${test.vigil.url}/manage/login`);
    await page.fill("#email", email);
    await page.fill("#password", secret);
    const [response] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    return { page, status: response?.status() };
  }

  it("bootstraps a user by the CLI, sets the password once through the link, signs in, sees /manage, signs out", async () => {
    const link = await bootstrap("ada@example.com");
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link);
    expect(await page.textContent("h1")).toBe("Set your password");
    await page.fill("#password", "short");
    // The browser's own minlength check would stop a short one: remove it to see the server's answer.
    await page.evaluate(() => document.querySelector("#password")?.removeAttribute("minlength"));
    await page.click("button[type=submit]");
    expect(await page.textContent(".error")).toContain("at least 12 characters");
    await page.fill("#password", password);
    await page.click("button[type=submit]");
    expect(await page.textContent("h1")).toBe("Password set");
    // The link works once.
    const again = await page.goto(link);
    expect(again?.status()).toBe(404);
    expect(await page.textContent("body")).toContain("not valid");

    const cookieFree = await page.goto(`${test.vigil.url}/manage`);
    expect(new URL(cookieFree?.url() ?? "").pathname).toBe("/manage/login");

    const { page: home } = await signIn(context, "ADA@example.com", password);
    expect(new URL(home.url()).pathname).toBe("/manage");
    expect(await home.textContent("#who")).toBe("ada@example.com");
    expect(await home.textContent("#role")).toBe("owner");
    const cookie = (await context.cookies()).find((c) => c.name === "vigil_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false, path: "/manage" });
    const stored = await test.vigil.store.users.byEmail("ada@example.com");
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$/);

    await home.click("text=Sign out");
    expect(await home.textContent("h1")).toBe("Signed out");
    await home.goto(`${test.vigil.url}/manage`);
    expect(new URL(home.url()).pathname).toBe("/manage/login");
    await context.close();
  }, 120_000);

  it("answers a wrong password and an unknown user with the same page", async () => {
    const context = await browser.newContext();
    const wrong = await signIn(context, "ada@example.com", "not the password at all");
    const unknown = await signIn(context, "nobody@example.com", "not the password at all");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const text = async (p: typeof wrong.page) => (await p.textContent(".error"))?.trim();
    expect(await text(wrong.page)).toBe("the e-mail address or the password is not right");
    expect(await text(unknown.page)).toBe(await text(wrong.page));
    expect(await wrong.page.inputValue("#password")).toBe("");
    await context.close();
  }, 60_000);

  it("refuses a form posted from another site", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Visiting the console first gives the browser a form cookie; the other site still cannot read it.
    await page.goto(`${test.vigil.url}/manage/login`);
    const [response] = await Promise.all([page.waitForNavigation({ url: /\/manage\/login$/ }), page.goto(evilUrl)]);
    expect(response?.status()).toBe(403);
    expect(await page.textContent("h1")).toBe("Form refused");
    await context.close();
  }, 60_000);

  it("sends a session idle past its idle time back to sign in", async () => {
    const context = await browser.newContext();
    const { page } = await signIn(context, "ada@example.com", password);
    expect(new URL(page.url()).pathname).toBe("/manage");
    clock.advance(11 * 3_600_000);
    await page.goto(`${test.vigil.url}/manage`);
    expect(new URL(page.url()).pathname).toBe("/manage"); // used within the idle time: still signed in
    clock.advance(12 * 3_600_000);
    await page.goto(`${test.vigil.url}/manage`);
    expect(new URL(page.url()).pathname).toBe("/manage/login");
    await context.close();
  }, 60_000);
});
