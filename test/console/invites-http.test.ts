// Invitations over HTTP against an in-process Vigil on a manual clock, sending through a real SMTP server: the owners'
// users page, the e-mail and its one-time link, which signs the invitee in with the invited role, and its expiry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simpleParser, type ParsedMail } from "mailparser";
import { ManualClock } from "../../src/core/clock.ts";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";

const password = consolePassword;
const form = { "content-type": "application/x-www-form-urlencoded" };
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];
const unescape = (text: string | undefined) => text?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const errorIn = (html: string) => unescape(/<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1]);
const noticeIn = (html: string) => /<p class="note" role="status">([^<]*)<\/p>/.exec(html)?.[1];
const configWith = (email: string) => `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
${email}`;

/** A Vigil with an owner (ada) and a responder (rob), both with passwords. */
async function withUsers(configText: string, clock: ManualClock): Promise<TestVigil> {
  const test = await startTestVigil(configText, { clock });
  const deps = { store: test.vigil.store, clock };
  for (const [email, role] of [["ada@example.com", "owner"], ["rob@example.com", "responder"]] as const) {
    await addUserWithPassword(deps, email, role);
  }
  return test;
}

async function signIn(test: TestVigil, email: string): Promise<string> {
  const page = await fetch(`${test.vigil.url}/manage/login`);
  const res = await fetch(`${test.vigil.url}/manage/login`, {
    method: "POST",
    redirect: "manual",
    headers: { ...form, cookie: cookieOf(page, "vigil_form") ?? "" },
    body: new URLSearchParams({ csrf: csrfIn(await page.text()), email, password }).toString(),
  });
  return cookieOf(res, "vigil_session") ?? "";
}

async function post(test: TestVigil, session: string, path: string, fields: Record<string, string>): Promise<Response> {
  const page = await fetch(`${test.vigil.url}/manage/account`, { headers: { cookie: session } });
  return fetch(`${test.vigil.url}${path}`, { method: "POST", redirect: "manual", headers: { ...form, cookie: session }, body: new URLSearchParams({ csrf: csrfIn(await page.text()), ...fields }).toString() });
}

describe("invitations through an SMTP server", () => {
  const clock = new ManualClock("2026-12-01T09:00:00Z");
  let inbox: SmtpInbox;
  let test: TestVigil;
  let owner: string;

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    test = await withUsers(configWith(`console:\n  email: { host: 127.0.0.1, port: ${inbox.port}, from: "Vigil <vigil@example.com>" }\n`), clock);
    owner = await signIn(test, "ada@example.com");
  }, 120_000);
  afterAll(async () => {
    await test?.dispose();
    await inbox?.close();
  });

  /** Invites through the form; the answer's status and page. */
  async function invite(email: string, role: string): Promise<{ status: number; html: string }> {
    const res = await post(test, owner, "/manage/users/invite", { email, role });
    return { status: res.status, html: await res.text() };
  }
  /** The e-mails to `to`, whatever the case of its letters, oldest first. */
  const mailsTo = (to: string): Promise<ParsedMail[]> => Promise.all(inbox.messages.filter((m) => m.to.some((t) => t.toLowerCase() === to.toLowerCase())).map((m) => simpleParser(m.raw)));
  /** The invitation link in the last e-mail to `to`, on this Vigil. */
  async function linkTo(to: string): Promise<string> {
    const mails = await mailsTo(to);
    const text = mails.at(-1)?.text ?? "";
    return /Choose your password here: (\S+)/.exec(text)?.[1] ?? "";
  }
  /** Follows an invitation link and chooses a password; the answer to the POST. */
  async function accept(link: string, secret = password): Promise<Response> {
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    return fetch(`${test.vigil.url}/manage/invite`, {
      method: "POST",
      redirect: "manual",
      headers: { ...form, cookie: cookieOf(page, "vigil_form") ?? "" },
      body: new URLSearchParams({ csrf: csrfIn(html), token: new URL(link).searchParams.get("token") ?? "", password: secret }).toString(),
    });
  }

  it("lets only owners open the users page, which lists every user with role and status", async () => {
    const page = await fetch(`${test.vigil.url}/manage/users`, { headers: { cookie: owner } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<tr><td>ada@example.com</td><td>owner</td><td>active</td><td>off</td><td>");
    expect(html).toContain("<tr><td>rob@example.com</td><td>responder</td><td>active</td><td>off</td><td>");
    expect(html).toContain('action="/manage/users/invite"');
    const responder = await signIn(test, "rob@example.com");
    const refused = await fetch(`${test.vigil.url}/manage/users`, { headers: { cookie: responder } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("Managing users needs the owner role; you are responder.");
    expect((await post(test, responder, "/manage/users/invite", { email: "x@example.com", role: "owner" })).status).toBe(403);
    expect(await test.vigil.store.users.byEmail("x@example.com")).toBeUndefined();
    expect((await fetch(`${test.vigil.url}/manage/users`, { redirect: "manual" })).headers.get("location")).toBe("/manage/login");
  }, 60_000);

  it("e-mails a one-time link that sets the password and signs the invitee in with the invited role", async () => {
    const sent = await invite("Bob@Example.com", "admin");
    expect(sent.status).toBe(200);
    expect(noticeIn(sent.html)).toBe("Invitation sent to Bob@Example.com (admin); the link works once, until 2026-12-04T09:00:00.000Z.");
    expect(sent.html).toContain("<tr><td>Bob@Example.com</td><td>admin</td><td>invited, until 2026-12-04T09:00:00.000Z</td><td>off</td><td>");
    const [mail] = await mailsTo("Bob@Example.com");
    expect(mail?.subject).toBe("[Acme Status] You are invited to the Vigil console");
    expect(mail?.from?.value).toEqual([{ name: "Vigil", address: "vigil@example.com" }]);
    expect(mail?.text).toContain(`You are invited to the Vigil console of Acme Status (${test.vigil.url}/manage) as admin.`);
    expect(mail?.text).toContain("This link works once, until 2026-12-04T09:00:00Z.");
    const link = await linkTo("Bob@Example.com");
    expect(link).toMatch(new RegExp(`^${test.vigil.url}/manage/invite\\?token=[A-Za-z0-9_-]{43}$`));

    const page = await (await fetch(link)).text();
    expect(page).toContain('<strong id="invited-role">admin</strong>');
    const short = await accept(link, "short");
    expect(short.status).toBe(400);
    expect(errorIn(await short.text())).toContain("at least 12 characters");
    const accepted = await accept(link);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe("/manage");
    const home = await fetch(`${test.vigil.url}/manage`, { headers: { cookie: cookieOf(accepted, "vigil_session") ?? "" } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<strong id="role">admin</strong>');

    const again = await fetch(link);
    expect(again.status).toBe(404);
    expect(await again.text()).toContain("this link is not valid: it was used already, has expired, or was never issued");
    expect((await invite("bob@example.com", "admin")).status).toBe(409);
    // A set-password page does not take an invitation link.
    expect((await fetch(link.replace("/manage/invite", "/manage/set-password"))).status).toBe(404);
  }, 60_000);

  it("refuses an expired link with a page that says so; inviting again sends a new link and spends the old one", async () => {
    expect((await invite("carol@example.com", "viewer")).status).toBe(200);
    const first = await linkTo("carol@example.com");
    clock.advance(72 * 3_600_000);
    owner = await signIn(test, "ada@example.com"); // the owner's session ended meanwhile (12 hours idle)
    const expired = await fetch(first);
    expect(expired.status).toBe(410);
    const html = await expired.text();
    expect(html).toContain("<h1>Invitation expired</h1>");
    expect(html).toContain("This invitation expired on 2026-12-04T09:00:00.000Z. Ask an owner of this Vigil to invite you again.");
    const listed = await (await fetch(`${test.vigil.url}/manage/users`, { headers: { cookie: owner } })).text();
    expect(listed).toContain("<td>carol@example.com</td><td>viewer</td><td>invitation expired</td>");

    const other = await invite("carol@example.com", "owner");
    expect(other.status).toBe(409);
    expect(errorIn(other.html)).toBe("carol@example.com was invited as viewer already; invite them again as viewer");
    expect((await invite("carol@example.com", "viewer")).status).toBe(200);
    const second = await linkTo("carol@example.com");
    expect(second).not.toBe(first);
    expect((await accept(second)).status).toBe(303);
  }, 60_000);

  it("names a bad e-mail address or role", async () => {
    const email = await invite("not-an-address", "viewer");
    expect(email.status).toBe(400);
    expect(errorIn(email.html)).toBe('email: "not-an-address" is not an e-mail address');
    const role = await invite("dan@example.com", "root");
    expect(errorIn(role.html)).toBe('role: expected one of owner, admin, responder, viewer, got "root"');
  }, 60_000);

  it("lets an owner reset another user's second factor", async () => {
    const rob = (await test.vigil.store.users.byEmail("rob@example.com"))!;
    await test.vigil.store.secondFactors.begin(rob.id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    await test.vigil.store.secondFactors.enable(rob.id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", clock.now(), 1, []);
    const listed = await (await fetch(`${test.vigil.url}/manage/users`, { headers: { cookie: owner } })).text();
    expect(listed).toMatch(/<td>rob@example\.com<\/td><td>responder<\/td><td>active<\/td><td>on <form method="post" action="\/manage\/users\/reset-2fa">/);
    const reset = await post(test, owner, "/manage/users/reset-2fa", { user: rob.id });
    expect(reset.status).toBe(200);
    expect(noticeIn(await reset.text())).toBe("The second factor of rob@example.com is off: they sign in with their password alone until they set it up again.");
    expect(await test.vigil.store.secondFactors.get(rob.id)).toBeUndefined();
  }, 60_000);
});

describe("invitations without an SMTP server", () => {
  it("are refused on the users page with a message that says why, and nothing is stored", async () => {
    const clock = new ManualClock("2026-12-01T09:00:00Z");
    const test = await withUsers(configWith(""), clock);
    try {
      const owner = await signIn(test, "ada@example.com");
      const page = await (await fetch(`${test.vigil.url}/manage/users`, { headers: { cookie: owner } })).text();
      expect(page).toContain('<p class="note" id="no-mail">Invitations are sent by e-mail, and no SMTP server is set for the console (<code>console.email</code> in the configuration).');
      expect(page).not.toContain('action="/manage/users/invite"');
      const res = await post(test, owner, "/manage/users/invite", { email: "bob@example.com", role: "viewer" });
      expect(res.status).toBe(400);
      expect(errorIn(await res.text())).toBe("invitations are sent by e-mail, and no SMTP server is set for the console (console.email in the configuration); `vigil user invite` prints the link instead");
      expect(await test.vigil.store.users.byEmail("bob@example.com")).toBeUndefined();
    } finally {
      await test.dispose();
    }
  }, 120_000);
});
