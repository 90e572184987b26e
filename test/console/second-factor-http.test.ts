// The console's TOTP second factor over plain HTTP against an in-process Vigil on a manual clock: enrolment, the code
// step bound to a 5-minute challenge, the ±1 step window, replays, recovery codes, the login limits, turning it off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetSecondFactor } from "../../src/auth/reset-second-factor.ts";
import { totpCode } from "../../src/auth/totp.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";

const config = `
site: { name: Acme Status }
server: { trusted_proxies: [127.0.0.1] }
components:
  - { id: api, name: Production API }
`;
const password = consolePassword;
const form = { "content-type": "application/x-www-form-urlencoded" };
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];
const errorIn = (html: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

describe("the second factor over HTTP", () => {
  const clock = new ManualClock("2026-12-01T09:00:10Z");
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

  const url = (path: string) => `${test.vigil.url}${path}`;
  /** Posts a form with a pre-sign-in token, as the browser does from the login page. */
  async function preSignIn(path: string, fields: Record<string, string>, extra: { cookie?: string; address?: string } = {}): Promise<Response> {
    const page = await fetch(url("/manage/login"));
    const formCookie = cookieOf(page, "vigil_form") ?? "";
    const csrf = csrfIn(await page.text());
    const cookie = [formCookie, extra.cookie].filter(Boolean).join("; ");
    return fetch(url(path), { method: "POST", redirect: "manual", headers: { ...form, cookie, "x-forwarded-for": extra.address ?? "192.0.2.10" }, body: new URLSearchParams({ csrf, ...fields }).toString() });
  }
  /** Signs in with the password; the session cookie, or the challenge cookie when a code is needed. */
  async function password1(email: string, address?: string): Promise<{ res: Response; session?: string; challenge?: string }> {
    const res = await preSignIn("/manage/login", { email, password }, { ...(address ? { address } : {}) });
    return { res, session: cookieOf(res, "vigil_session"), challenge: cookieOf(res, "vigil_login") };
  }
  const code = (challenge: string, value: string, address?: string) => preSignIn("/manage/login/code", { code: value }, { cookie: challenge, ...(address ? { address } : {}) });
  async function signedInPost(session: string, path: string, fields: Record<string, string>): Promise<Response> {
    const page = await fetch(url("/manage/account"), { headers: { cookie: session } });
    return fetch(url(path), { method: "POST", redirect: "manual", headers: { ...form, cookie: session }, body: new URLSearchParams({ csrf: csrfIn(await page.text()), ...fields }).toString() });
  }
  /** Enrols `email` through the account pages; its secret and recovery codes. */
  async function enrol(email: string): Promise<{ secret: string; codes: string[] }> {
    const { session } = await password1(email);
    const setup = await signedInPost(session as string, "/manage/account/totp/setup", {});
    expect(setup.status).toBe(303);
    expect(setup.headers.get("location")).toBe("/manage/account/totp");
    const page = await (await fetch(url("/manage/account/totp"), { headers: { cookie: session as string } })).text();
    const secret = (/<code id="totp-secret">([^<]+)<\/code>/.exec(page)?.[1] ?? "").replace(/ /g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(page).toContain(`otpauth://totp/Acme%20Status:${encodeURIComponent(email)}?issuer=Acme%20Status&amp;secret=${secret}`);
    const wrong = await signedInPost(session as string, "/manage/account/totp/confirm", { code: "000000" === totpCode(secret, clock.now()) ? "111111" : "000000" });
    expect(wrong.status).toBe(400);
    expect(errorIn(await wrong.text())).toBe("that code is not right (or was used already)");
    const done = await signedInPost(session as string, "/manage/account/totp/confirm", { code: totpCode(secret, clock.now()) });
    expect(done.status).toBe(200);
    const codes = [...(await done.text()).matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1] as string);
    expect(codes).toHaveLength(10);
    // Once on, the secret is never shown again.
    const after = await fetch(url("/manage/account/totp"), { headers: { cookie: session as string }, redirect: "manual" });
    expect(after.status).toBe(303);
    const account = await (await fetch(url("/manage/account"), { headers: { cookie: session as string } })).text();
    expect(account).toContain("Second factor: <strong>on</strong>");
    expect(account).not.toContain(secret);
    return { secret, codes };
  }

  it("asks for a code after the password; the challenge alone opens nothing, and a code is accepted once per step", async () => {
    const { secret } = await enrol("ada@example.com");
    const first = await password1("ada@example.com");
    expect(first.res.status).toBe(303);
    expect(first.res.headers.get("location")).toBe("/manage/login/code");
    expect(first.session).toBeUndefined();
    expect(first.res.headers.getSetCookie().find((c) => c.startsWith("vigil_login="))).toMatch(/^vigil_login=[A-Za-z0-9_-]{43}; Path=\/manage; HttpOnly; SameSite=Lax; Max-Age=300$/);
    expect((await fetch(url("/manage"), { headers: { cookie: first.challenge as string }, redirect: "manual" })).headers.get("location")).toBe("/manage/login");

    // The code that confirmed enrolment was for this step: it is not accepted again.
    const replay = await code(first.challenge as string, totpCode(secret, clock.now()));
    expect(replay.status).toBe(401);
    expect(errorIn(await replay.text())).toBe("that code is not right (or was used already)");
    clock.advance(30_000);
    const ok = await code(first.challenge as string, totpCode(secret, clock.now()));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/manage");
    const session = cookieOf(ok, "vigil_session") as string;
    expect((await fetch(url("/manage"), { headers: { cookie: session } })).status).toBe(200);
    // The audit log names who signed in with the code (the form itself names nobody).
    const signedInBy = async () => (await test.vigil.store.audit.list({}, 500)).find((e) => e.summary["path"] === "/manage/login/code" && e.status === 303)?.actor;
    await expect.poll(signedInBy, { timeout: 10_000 }).toBe("ada@example.com");
    // The challenge is spent, and the same code in a new sign-in is a replay.
    expect((await code(first.challenge as string, totpCode(secret, clock.now()))).status).toBe(401);
    const again = await password1("ada@example.com");
    expect((await code(again.challenge as string, totpCode(secret, clock.now()))).status).toBe(401);
  }, 60_000);

  it("accepts the code of the step before or after, not two steps away, and not a step older than one used", async () => {
    const { secret } = { secret: (await test.vigil.store.secondFactors.get((await test.vigil.store.users.byEmail("ada@example.com"))!.id))!.secret as string };
    clock.advance(120_000);
    const { challenge } = await password1("ada@example.com", "192.0.2.20");
    expect((await code(challenge as string, totpCode(secret, new Date(clock.now().getTime() - 60_000)), "192.0.2.20")).status).toBe(401);
    expect((await code(challenge as string, totpCode(secret, new Date(clock.now().getTime() + 60_000)), "192.0.2.20")).status).toBe(401);
    const ahead = totpCode(secret, new Date(clock.now().getTime() + 30_000));
    expect((await code(challenge as string, ahead, "192.0.2.20")).status).toBe(303);
    // The step before now is older than the one just used.
    const next = await password1("ada@example.com", "192.0.2.20");
    expect((await code(next.challenge as string, totpCode(secret, new Date(clock.now().getTime() - 30_000)), "192.0.2.20")).status).toBe(401);
  }, 60_000);

  it("refuses a code after the challenge's 5 minutes, and a made-up challenge", async () => {
    const secret = (await test.vigil.store.secondFactors.get((await test.vigil.store.users.byEmail("ada@example.com"))!.id))!.secret as string;
    clock.advance(60_000);
    const { challenge } = await password1("ada@example.com", "192.0.2.30");
    clock.advance(5 * 60_000);
    const late = await code(challenge as string, totpCode(secret, clock.now()), "192.0.2.30");
    expect(late.status).toBe(401);
    expect(errorIn(await late.text())).toBe("Signing in took too long, or was finished already. Sign in again.");
    expect(cookieOf(late, "vigil_login")).toBe("vigil_login=");
    expect((await code("vigil_login=" + "A".repeat(43), totpCode(secret, clock.now()), "192.0.2.30")).status).toBe(401);
  }, 60_000);

  it("takes each recovery code once in place of a code", async () => {
    const { secret, codes } = await enrol("bob@example.com");
    const recovery = codes[3] as string;
    const one = await password1("bob@example.com", "192.0.2.40");
    const used = await code(one.challenge as string, recovery.toUpperCase(), "192.0.2.40");
    expect(used.status).toBe(303);
    const two = await password1("bob@example.com", "192.0.2.40");
    expect((await code(two.challenge as string, recovery, "192.0.2.40")).status).toBe(401);
    const account = await (await fetch(url("/manage/account"), { headers: { cookie: cookieOf(used, "vigil_session") as string } })).text();
    expect(account).toContain("9 recovery code(s) left");
    clock.advance(30_000);
    expect((await code(two.challenge as string, totpCode(secret, clock.now()), "192.0.2.40")).status).toBe(303);
  }, 60_000);

  it("counts wrong codes as failed sign-ins: past 5 for the account, 429 even for the right code", async () => {
    const secret = (await test.vigil.store.secondFactors.get((await test.vigil.store.users.byEmail("bob@example.com"))!.id))!.secret as string;
    clock.advance(60_000);
    const { challenge } = await password1("bob@example.com", "192.0.2.50");
    const wrong = totpCode(secret, new Date(clock.now().getTime() + 10 * 60_000));
    for (let i = 0; i < 5; i++) expect((await code(challenge as string, wrong, `192.0.2.${51 + i}`)).status).toBe(401);
    // The audit log records each attempt, never the code typed: a code refused now may be right a minute later.
    const attempts = (await test.vigil.store.audit.list({}, 500)).filter((row) => row.summary["path"] === "/manage/login/code");
    expect(attempts.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(attempts)).not.toContain(wrong);
    expect(attempts[0]?.summary["body"]).toMatchObject({ code: "***" });
    const limited = await code(challenge as string, totpCode(secret, clock.now()), "192.0.2.60");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await password1("bob@example.com", "192.0.2.61")).res.status).toBe(429);
    clock.advance(15 * 60_000);
    const { challenge: fresh } = await password1("bob@example.com", "192.0.2.62");
    expect((await code(fresh as string, totpCode(secret, clock.now()), "192.0.2.62")).status).toBe(303);
  }, 60_000);

  it("turns the second factor off with a current code only; then the password alone signs in", async () => {
    const secret = (await test.vigil.store.secondFactors.get((await test.vigil.store.users.byEmail("ada@example.com"))!.id))!.secret as string;
    clock.advance(60_000);
    const { challenge } = await password1("ada@example.com", "192.0.2.70");
    const signed = await code(challenge as string, totpCode(secret, clock.now()), "192.0.2.70");
    const session = cookieOf(signed, "vigil_session") as string;
    const wrong = await signedInPost(session, "/manage/account/totp/disable", { code: totpCode(secret, new Date(clock.now().getTime() + 10 * 60_000)) });
    expect(wrong.status).toBe(400);
    clock.advance(30_000);
    const off = await signedInPost(session, "/manage/account/totp/disable", { code: totpCode(secret, clock.now()) });
    expect(off.status).toBe(200);
    expect(await off.text()).toContain("Second factor: <strong>off</strong>");
    expect((await password1("ada@example.com", "192.0.2.71")).session).toMatch(/^vigil_session=/);
    const ada = (await test.vigil.store.users.byEmail("ada@example.com"))!;
    expect(await test.vigil.store.secondFactors.get(ada.id)).toBeUndefined();
    // The timeline says what happened, never with the secret.
    const events = await test.vigil.store.events.list({ subject: ada.id, limit: 1000 });
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(["user.second_factor_enabled", "user.second_factor_disabled", "user.signed_in"]));
    expect(JSON.stringify(events)).not.toContain(secret);
  }, 60_000);

  it("ends the user's other sessions when the second factor goes on or off, and every one when an owner resets it", async () => {
    await addUserWithPassword({ store: test.vigil.store, clock }, "cy@example.com", "responder");
    const alive = async (session: string) => (await fetch(url("/manage"), { headers: { cookie: session }, redirect: "manual" })).status === 200;
    const withCode = async (secret: string, address: string) => {
      clock.advance(30_000);
      const { challenge } = await password1("cy@example.com", address);
      return cookieOf(await code(challenge as string, totpCode(secret, clock.now()), address), "vigil_session") as string;
    };
    // Signed in with the password alone elsewhere, then the second factor goes on: that session ends.
    const elsewhere = (await password1("cy@example.com", "192.0.2.90")).session as string;
    expect(await alive(elsewhere)).toBe(true);
    const { secret } = await enrol("cy@example.com");
    expect(await alive(elsewhere)).toBe(false);
    // Turned off in one session: the other ends, this one stays.
    const [one, two] = [await withCode(secret, "192.0.2.91"), await withCode(secret, "192.0.2.92")];
    clock.advance(30_000);
    const off = await signedInPost(one, "/manage/account/totp/disable", { code: totpCode(secret, clock.now()) });
    expect(off.status).toBe(200);
    expect(await off.text()).toContain("Your other sessions are signed out.");
    expect([await alive(one), await alive(two)]).toEqual([true, false]);
    // Reset by an owner (a lost phone): every session of the user ends.
    clock.advance(30_000);
    const again = await enrol("cy@example.com");
    const three = await withCode(again.secret, "192.0.2.93");
    await resetSecondFactor({ store: test.vigil.store, clock }, { email: "cy@example.com", actor: "test" });
    expect(await alive(three)).toBe(false);
  }, 60_000);

  it("refuses the account forms without the session's CSRF token", async () => {
    const { session } = await password1("ada@example.com", "192.0.2.80");
    const res = await fetch(url("/manage/account/totp/setup"), { method: "POST", redirect: "manual", headers: { ...form, cookie: session as string }, body: "csrf=guess" });
    expect(res.status).toBe(403);
  }, 60_000);
});
