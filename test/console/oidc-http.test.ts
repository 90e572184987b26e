// Single sign-on over plain HTTP, on each store, against a real OpenID provider (oidc-provider) on 127.0.0.1: the
// sign-in is driven through the provider's own login and consent pages with manual redirects and a cookie jar.
// Role mapping, each refusal (domain, unverified e-mail, no role, disabled user, a tampered state, an ID token whose
// signature the provider's keys do not verify), an existing password user, and the audit entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";
import { ssoConfig, startTestProvider, startVigilWithProvider, type TestProvider } from "../helpers/oidc-provider.ts";

const callbackPath = "/manage/oidc/callback";

/** Cookies by origin (enough for two servers that each set their own names). */
class Jar {
  #byOrigin = new Map<string, Map<string, string>>();
  header(url: string): string {
    return [...(this.#byOrigin.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  keep(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const jar = this.#byOrigin.get(origin) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      if (value === "" || /max-age=0/i.test(line) || /expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.#byOrigin.set(origin, jar);
  }
  get(url: string, name: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin)?.get(name);
  }
  set(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    this.#byOrigin.set(origin, (this.#byOrigin.get(origin) ?? new Map<string, string>()).set(name, value));
  }
}

async function go(jar: Jar, url: string, body?: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { cookie: jar.header(url) };
  if (body) headers["content-type"] = "application/x-www-form-urlencoded";
  const res = await fetch(url, { method: body ? "POST" : "GET", redirect: "manual", headers, ...(body ? { body: new URLSearchParams(body).toString() } : {}) });
  jar.keep(url, res);
  return res;
}


for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`single sign-on on ${backend.name}`, () => {
    const clock = new ManualClock("2026-12-01T09:00:00Z");
    let target: StoreTarget;
    let provider: TestProvider;
    let test: TestVigil;
    const vigil = (path: string) => `${test.vigil.url}${path}`;

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      ({ provider, test } = await startVigilWithProvider({ databaseUrl: target.url, clock }));
    }, 120_000);
    afterAll(async () => {
      await test?.dispose();
      await provider?.close();
      await target?.dispose();
    });

    /**
     * Starts at /manage/oidc/start, signs in at the provider as `login` (its pages: login, then consent), and stops at
     * Vigil's callback; `tamper` may change the callback's URL first. The callback's answer, and the jar.
     */
    async function viaProvider(login: string, tamper: (url: URL) => void = () => {}): Promise<{ res: Response; jar: Jar; callback: URL }> {
      const jar = new Jar();
      let res = await go(jar, vigil("/manage/oidc/start"));
      expect(res.status).toBe(303);
      let url = new URL(res.headers.get("location") as string);
      for (let hop = 0; hop < 12; hop++) {
        if (url.href.startsWith(vigil(callbackPath))) {
          tamper(url);
          return { res: await go(jar, url.href), jar, callback: url };
        }
        res = await go(jar, url.href);
        if (res.status >= 300 && res.status < 400) {
          url = new URL(res.headers.get("location") as string, url);
          continue;
        }
        const html = await res.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
        if (action === undefined || prompt === undefined) throw new Error(`the provider answered ${res.status} without a form: ${html.slice(0, 300)}`);
        res = await go(jar, new URL(action, url).href, prompt === "login" ? { prompt, login, password: "any password" } : { prompt });
        url = new URL(res.headers.get("location") as string, url);
      }
      throw new Error("too many redirects");
    }
    const whoAmI = async (jar: Jar) => {
      const html = await (await go(jar, vigil("/manage"))).text();
      return { email: /<strong id="who">([^<]*)</.exec(html)?.[1], role: /<strong id="role">([^<]*)</.exec(html)?.[1] };
    };
    const refusal = async (res: Response) => /<p>([^<]*)<\/p>/.exec(await res.text())?.[1];
    const audited = async () => (await test.vigil.store.audit.list({ action: "signInOidc" }, 50)).reverse();

    it("refuses an ID token that the provider's published keys do not verify, then discovers again and signs in", async () => {
      provider.foreignJwks = true;
      const bad = await viaProvider("olga");
      provider.foreignJwks = false;
      expect(bad.res.status).toBe(403);
      expect(await refusal(bad.res)).toBe("Vigil could not verify the sign-in with Acme SSO. Start it again.");
      expect(bad.jar.get(test.vigil.url, "vigil_session")).toBeUndefined();
      const good = await viaProvider("olga");
      expect(good.res.status).toBe(303);
    }, 60_000);

    it("shows the link on the login page, and keeps the flow in a signed, short-lived, httpOnly cookie", async () => {
      const page = await (await fetch(vigil("/manage/login"))).text();
      expect(page).toContain('<a id="sso" href="/manage/oidc/start">Sign in with Acme SSO</a>');
      const start = await fetch(vigil("/manage/oidc/start"), { redirect: "manual" });
      const cookie = start.headers.getSetCookie().find((c) => c.startsWith("vigil_oidc=")) as string;
      expect(cookie).toMatch(/^vigil_oidc=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; Path=\/manage; HttpOnly; SameSite=Lax; Max-Age=600$/);
      const location = new URL(start.headers.get("location") as string);
      expect(location.origin + location.pathname).toBe(`${provider.issuer}/auth`);
      expect(Object.fromEntries(location.searchParams)).toMatchObject({
        client_id: "vigil",
        response_type: "code",
        redirect_uri: vigil(callbackPath),
        scope: "openid email profile",
        code_challenge_method: "S256",
      });
      for (const name of ["state", "nonce", "code_challenge"]) expect(location.searchParams.get(name)).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    });

    it("maps the provider's groups to roles: the owners' group makes an owner, the responders' a responder, the highest wins", async () => {
      for (const [login, email, role] of [
        ["olga", "olga@example.com", "owner"],
        ["rita", "rita@example.com", "responder"],
        ["both", "bo@example.com", "owner"],
      ] as const) {
        const { res, jar } = await viaProvider(login);
        expect(res.status).toBe(303);
        expect(res.headers.get("location")).toBe("/manage");
        expect(jar.get(test.vigil.url, "vigil_oidc")).toBeUndefined();
        expect(await whoAmI(jar)).toEqual({ email, role });
        const user = await test.vigil.store.users.byEmail(email);
        expect(user).toMatchObject({ role, passwordHash: null });
      }
    }, 60_000);

    it("signs an existing password user in by their e-mail in any case, gives them the mapped role, and skips their second factor", async () => {
      const pat = await addUserWithPassword({ store: test.vigil.store, clock }, "pat@example.com", "viewer");
      const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
      await test.vigil.store.secondFactors.begin(pat.id, secret);
      expect(await test.vigil.store.secondFactors.enable(pat.id, secret, clock.now(), 0, [])).toBe(true);
      const { res, jar } = await viaProvider("pat");
      expect(res.status).toBe(303);
      expect(await whoAmI(jar)).toEqual({ email: "pat@example.com", role: "admin" });
      expect(await test.vigil.store.users.byEmail("pat@example.com")).toMatchObject({ id: pat.id, role: "admin" });
      expect((await test.vigil.store.users.list()).filter((u) => u.email.toLowerCase() === "pat@example.com")).toHaveLength(1);
      const changes = await test.vigil.store.events.list({ kind: "user.role_changed", subject: pat.id });
      expect(changes.map((e) => e.data)).toEqual([{ from: "viewer", to: "admin", via: "oidc" }]);
      // The password still works too, and asks for the code.
      const form = await fetch(vigil("/manage/login"));
      const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
      const formCookie = form.headers.getSetCookie().find((c) => c.startsWith("vigil_form="))?.split(";")[0] ?? "";
      const withPassword = await fetch(vigil("/manage/login"), {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: formCookie },
        body: new URLSearchParams({ csrf, email: "pat@example.com", password: consolePassword }).toString(),
      });
      expect(withPassword.headers.get("location")).toBe("/manage/login/code");
    }, 60_000);

    it("refuses a domain not allowed, an unverified e-mail, no matching group, and a disabled user, with 403 and no session", async () => {
      const dora = await addUserWithPassword({ store: test.vigil.store, clock }, "dora@example.com", "owner");
      await test.vigil.store.users.setDisabled(dora.id, clock.now(), clock.now());
      for (const [login, message] of [
        ["eve", "This e-mail address&#39;s domain may not sign in to this console."],
        ["uma", "The sign-in provider does not say that this e-mail address is verified."],
        ["nora", "Your account at the sign-in provider gives you no role in this console."],
        ["dora", "This console user is disabled."],
      ] as const) {
        const { res, jar } = await viaProvider(login);
        expect(res.status, login).toBe(403);
        const html = await res.text();
        expect(html).toContain(message);
        expect(html).not.toMatch(/code=|eyJ/);
        expect(jar.get(test.vigil.url, "vigil_session"), login).toBeUndefined();
      }
      expect(await test.vigil.store.users.byEmail("eve@elsewhere.test")).toBeUndefined();
      expect(await test.vigil.store.users.byEmail("uma@example.com")).toBeUndefined();
      expect(await test.vigil.store.users.byEmail("nora@example.com")).toBeUndefined();
    }, 60_000);

    it("refuses a tampered state, a callback without the cookie, and a forged cookie", async () => {
      const tampered = await viaProvider("olga", (url) => url.searchParams.set("state", `${url.searchParams.get("state")}x`));
      expect(tampered.res.status).toBe(403);
      expect(await refusal(tampered.res)).toMatch(/^This sign-in was not started in this browser/);
      expect(tampered.jar.get(test.vigil.url, "vigil_session")).toBeUndefined();

      // The provider's answer replayed in a browser that did not start the sign-in.
      let stolen: URL | undefined;
      await viaProvider("olga", (url) => {
        stolen = new URL(url);
        url.searchParams.set("state", "spent");
      });
      expect((await go(new Jar(), (stolen as URL).href)).status).toBe(403);

      // A cookie made up with the right state but no valid signature.
      const forged = new Jar();
      const payload = Buffer.from(JSON.stringify({ state: "s".repeat(43), nonce: "n".repeat(43), verifier: "v".repeat(43), expiresAt: Date.now() + 60_000 })).toString("base64url");
      forged.set(test.vigil.url, "vigil_oidc", `${payload}.${"A".repeat(43)}`);
      expect((await go(forged, vigil(`${callbackPath}?code=abc&state=${"s".repeat(43)}`))).status).toBe(403);
    }, 60_000);

    it("refuses the callback after 10 minutes", async () => {
      const jar = new Jar();
      const start = await go(jar, vigil("/manage/oidc/start"));
      const state = new URL(start.headers.get("location") as string).searchParams.get("state");
      clock.advance(10 * 60_000);
      const late = await go(jar, vigil(`${callbackPath}?code=abc&state=${state}`));
      expect(late.status).toBe(403);
      expect(await refusal(late)).toMatch(/took longer than 10 minutes/);
    });

    it("writes an audit entry for every callback, naming the e-mail and the outcome, never a code or token", async () => {
      // Entries are written once the answer has gone out.
      await expect.poll(async () => (await audited()).length).toBe(15);
      const entries = await audited();
      const rows = entries.map((e) => [e.actor, e.status, e.summary.outcome]);
      expect(rows).toEqual([
        ["anonymous", 403, "not_verified"],
        ["olga@example.com", 303, "created as owner"],
        ["olga@example.com", 303, "signed in"],
        ["rita@example.com", 303, "created as responder"],
        ["bo@example.com", 303, "created as owner"],
        ["PAT@Example.com", 303, "signed in, role set to admin"],
        ["eve@elsewhere.test", 403, "domain_not_allowed"],
        ["uma@example.com", 403, "email_unverified"],
        ["nora@example.com", 403, "no_role"],
        ["dora@example.com", 403, "user_disabled"],
        ["anonymous", 403, "state_mismatch"],
        ["anonymous", 403, "state_mismatch"],
        ["anonymous", 403, "state_mismatch"],
        ["anonymous", 403, "state_mismatch"],
        ["anonymous", 403, "state_mismatch"],
      ]);
      expect(entries.every((e) => e.action === "session" && e.via === "session" && e.summary.path === callbackPath)).toBe(true);
      const pat = await test.vigil.store.users.byEmail("pat@example.com");
      expect(entries.find((e) => e.actor === "PAT@Example.com")?.targetId).toBe(pat?.id);
      expect(JSON.stringify(entries)).not.toMatch(/code=|eyJ|state=/);
    });
  });
}

describe("single sign-on while the provider cannot be reached", () => {
  it("answers 502 without keeping the failure, and discovers the provider once it answers", async () => {
    const provider = await startTestProvider();
    const test = await startTestVigil(ssoConfig(provider.issuer));
    try {
      // Listening, but answering 503 to the discovery request until attached.
      const down = await fetch(`${test.vigil.url}/manage/oidc/start`, { redirect: "manual" });
      expect(down.status).toBe(502);
      expect(await down.text()).toContain("Acme SSO could not be reached. Try again, or sign in with a password.");
      expect(down.headers.getSetCookie().some((c) => c.startsWith("vigil_oidc="))).toBe(false);
      provider.attach(`${test.vigil.url}${callbackPath}`);
      const up = await fetch(`${test.vigil.url}/manage/oidc/start`, { redirect: "manual" });
      expect(up.status).toBe(303);
      expect(new URL(up.headers.get("location") as string).origin).toBe(provider.issuer);
    } finally {
      await test.dispose();
      await provider.close();
    }
  }, 120_000);
});
