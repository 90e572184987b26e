// The console's forms over plain HTTP against an in-process Vigil: rate limits, cookies behind a trusted proxy,
// the Origin check, sign-out everywhere, and what a set password does to existing sessions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser } from "../../src/auth/add-user.ts";
import { setPasswordWithLink } from "../../src/auth/set-password.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { consolePolicy } from "../../src/api/console/routes.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";

const config = `
site: { name: Acme Status }
server: { trusted_proxies: [127.0.0.1] }
components:
  - { id: api, name: Production API }
`;
const password = consolePassword;

describe("the console over HTTP", () => {
  const clock = new ManualClock("2026-12-01T09:00:00Z");
  let test: TestVigil;

  beforeAll(async () => {
    test = await startTestVigil(config, { clock });
    const deps = { store: test.vigil.store, clock };
    for (const email of ["ada@example.com", "bob@example.com"]) {
      await addUserWithPassword(deps, email, "responder");
    }
  }, 120_000);
  afterAll(async () => {
    await test?.dispose();
  });

  /** A form token and its cookie, as a browser gets them from the login page. */
  async function form(headers: Record<string, string> = {}): Promise<{ csrf: string; cookie: string; setCookie: string }> {
    const res = await fetch(`${test.vigil.url}/manage/login`, { headers });
    const html = await res.text();
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toBe(consolePolicy);
    const setCookie = res.headers.get("set-cookie") ?? "";
    return { csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "", cookie: setCookie.split(";")[0] ?? "", setCookie };
  }

  async function login(email: string, secret: string, headers: Record<string, string> = {}): Promise<Response> {
    const f = await form(headers);
    return fetch(`${test.vigil.url}/manage/login`, {
      method: "POST",
      redirect: "manual",
      headers: { ...headers, cookie: f.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: f.csrf, email, password: secret }).toString(),
    });
  }
  const sessionOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const home = (cookie: string) => fetch(`${test.vigil.url}/manage`, { headers: { cookie }, redirect: "manual" });

  it("marks cookies Secure only when a trusted proxy says the request came over HTTPS", async () => {
    expect((await form()).setCookie).not.toContain("Secure");
    expect((await form({ "x-forwarded-proto": "https" })).setCookie).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    const res = await login("ada@example.com", password, { "x-forwarded-proto": "https" });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/^vigil_session=[A-Za-z0-9_-]{43}; Path=\/manage; HttpOnly; SameSite=Lax; Max-Age=604800; Secure$/);
  }, 60_000);

  it("refuses a POST whose Origin is another site, even with the right token", async () => {
    const f = await form();
    const res = await fetch(`${test.vigil.url}/manage/login`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: f.cookie, origin: "https://evil.example.com", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: f.csrf, email: "ada@example.com", password }).toString(),
    });
    expect(res.status).toBe(403);
  }, 60_000);

  it("ends this session, or every session of the user", async () => {
    const [one, two, other] = [sessionOf(await login("ada@example.com", password)), sessionOf(await login("ada@example.com", password)), sessionOf(await login("bob@example.com", password))];
    const page = await (await home(one)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const logout = (cookie: string, fields: Record<string, string>) =>
      fetch(`${test.vigil.url}/manage/logout`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
    expect((await logout(one, { csrf: "wrong" })).status).toBe(403);
    expect((await home(one)).status).toBe(200);
    expect((await logout(one, { csrf, everywhere: "1" })).status).toBe(200);
    expect((await home(one)).status).toBe(303);
    expect((await home(two)).status).toBe(303);
    expect((await home(other)).status).toBe(200);
  }, 60_000);

  it("answers a user without a password yet and a disabled user as it answers a wrong password", async () => {
    const deps = { store: test.vigil.store, clock };
    await addUser(deps, { email: "carol@example.com", role: "viewer", actor: "test" });
    const dave = await addUserWithPassword(deps, "dave@example.com", "viewer");
    await test.vigil.store.users.setDisabled(dave.id, clock.now(), clock.now());
    const error = async (res: Response) => [res.status, /<p class="error" role="alert">([^<]*)<\/p>/.exec(await res.text())?.[1]];
    const wrong = await error(await login("ada@example.com", "wrong password here", { "x-forwarded-for": "192.0.2.200" }));
    expect(wrong).toEqual([401, "the e-mail address or the password is not right"]);
    expect(await error(await login("carol@example.com", "", { "x-forwarded-for": "192.0.2.201" }))).toEqual(wrong);
    expect(await error(await login("dave@example.com", password, { "x-forwarded-for": "192.0.2.202" }))).toEqual(wrong);
  }, 60_000);

  it("answers 429 with Retry-After after 5 failures for one account, whatever the address", async () => {
    for (let i = 0; i < 5; i++) expect((await login("bob@example.com", "wrong password here", { "x-forwarded-for": `192.0.2.${i + 1}` })).status).toBe(401);
    const limited = await login("bob@example.com", password, { "x-forwarded-for": "192.0.2.99" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("900");
    expect(await limited.text()).toContain("Too many failed attempts");
    clock.advance(15 * 60_000);
    expect((await login("bob@example.com", password, { "x-forwarded-for": "192.0.2.99" })).status).toBe(303);
  }, 60_000);

  it("counts guesses sent together before any is answered: a burst for one account gets only 5 tries", async () => {
    const forms = [];
    for (let i = 0; i < 12; i++) forms.push(await form({ "x-forwarded-for": `203.0.113.${i + 1}` }));
    const answers = await Promise.all(
      forms.map((f, i) =>
        fetch(`${test.vigil.url}/manage/login`, {
          method: "POST",
          redirect: "manual",
          headers: { "x-forwarded-for": `203.0.113.${i + 1}`, cookie: f.cookie, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ csrf: f.csrf, email: "erin@example.com", password: `wrong guess ${i}` }).toString(),
        }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
  }, 60_000);

  it("records each judged sign-in, and none of the refusals of nobody signed in that anyone could send by the thousand", async () => {
    const address = { "x-forwarded-for": "203.0.113.200" };
    const flood = "flood@example.com";
    for (let i = 0; i < 5; i++) expect((await login(flood, "wrong password here", address)).status).toBe(401);
    for (let i = 0; i < 10; i++) expect((await login(flood, "wrong password here", address)).status).toBe(429);
    const f = await form(address);
    const forged = await fetch(`${test.vigil.url}/manage/login`, {
      method: "POST",
      redirect: "manual",
      headers: { ...address, cookie: f.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: "guess", email: flood, password }).toString(),
    });
    expect(forged.status).toBe(403);
    // Written after each answer: the last one, an e-mail too long to be one, shows the earlier ones are in.
    const long = `${"x".repeat(300)}@example.com`;
    expect((await login(long, "wrong password here", { "x-forwarded-for": "203.0.113.201" })).status).toBe(401);
    await expect.poll(async () => (await test.vigil.store.audit.list({ actor: long.slice(0, 254) }, 10)).length, { timeout: 10_000 }).toBe(1);
    expect((await test.vigil.store.audit.list({ actor: flood }, 100)).map((e) => e.status)).toEqual([401, 401, 401, 401, 401]);
  }, 60_000);

  it("answers 429 after 20 failures from one address, whatever the accounts", async () => {
    for (let i = 0; i < 20; i++) expect((await login(`nobody${i}@example.com`, "wrong password here", { "x-forwarded-for": "198.51.100.7" })).status).toBe(401);
    expect((await login("ada@example.com", password, { "x-forwarded-for": "198.51.100.7" })).status).toBe(429);
    expect((await login("ada@example.com", password, { "x-forwarded-for": "198.51.100.8" })).status).toBe(303);
  }, 120_000);

  it("ends the user's sessions when a password is set again through a new link, and a session at its absolute end", async () => {
    const before = sessionOf(await login("ada@example.com", password, { "x-forwarded-for": "203.0.113.1" }));
    const user = await test.vigil.store.users.byEmail("ada@example.com");
    const { mintSecret } = await import("../../src/auth/secrets.ts");
    const link = mintSecret();
    await test.vigil.store.passwordLinks.create({ tokenHash: link.hash, userId: user?.id ?? "", createdAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 86_400_000) });
    await setPasswordWithLink({ store: test.vigil.store, clock }, { token: link.secret, password: "another long passphrase" });
    expect((await home(before)).status).toBe(303);

    const fresh = sessionOf(await login("ada@example.com", "another long passphrase", { "x-forwarded-for": "203.0.113.1" }));
    for (let i = 0; i < 15; i++) {
      expect((await home(fresh)).status).toBe(200);
      clock.advance(11 * 3_600_000); // used every 11 hours: never idle for 12
    }
    expect((await home(fresh)).status).toBe(200);
    clock.advance(3 * 3_600_000); // 168 hours: the absolute end
    expect((await home(fresh)).status).toBe(303);
  }, 120_000);
});

describe("console.session in the configuration", () => {
  it("sets the idle and absolute lifetimes of sessions", async () => {
    const clock = new ManualClock("2026-12-01T09:00:00Z");
    const test = await startTestVigil(`${config}console: { session: { idle: 10m, absolute: 1h } }\n`, { clock });
    try {
      const deps = { store: test.vigil.store, clock };
      await addUserWithPassword(deps, "ada@example.com", "viewer");
      const page = await fetch(`${test.vigil.url}/manage/login`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
      const res = await fetch(`${test.vigil.url}/manage/login`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie: (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, email: "ada@example.com", password }).toString(),
      });
      expect(res.headers.get("set-cookie")).toMatch(/; Max-Age=3600$/);
      const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const home = () => fetch(`${test.vigil.url}/manage`, { headers: { cookie }, redirect: "manual" });
      clock.advance(9 * 60_000);
      expect((await home()).status).toBe(200);
      clock.advance(10 * 60_000);
      expect((await home()).status).toBe(303);
    } finally {
      await test.dispose();
    }
  }, 120_000);

  it("refuses a lifetime that is not a positive duration, naming the key", () => {
    const parsed = parseConfigText(`${config}console: { session: { idle: 0s } }\n`, "vigil.yaml", {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path)).toContain("console.session.idle");
  });
});
