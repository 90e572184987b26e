// Public subscriptions end to end over HTTP, in a running Vigil with a real SMTP server and a local webhook
// receiver: the form, double opt-in (nothing stored before the link is used), expired and forged links, no
// enumeration, the per-IP rate limit, webhook subscribers, one-click unsubscribe, and delivery of a published
// incident to the subscribers of its components only.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { ParsedMail } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signingKey } from "../../src/app/subscriptions/signing-key.ts";
import { systemClock } from "../../src/core/clock.ts";
import { signToken } from "../../src/subscribers/token.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (smtpPort: number) => `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database, group: Infrastructure }
  - { id: api, name: Production API, depends_on: [orders-db] }
  - { id: search, name: "Search <beta>" }
  - { id: internal, name: Internal queue, hidden: true }
subscribers:
  email:
    host: 127.0.0.1
    port: ${smtpPort}
    from: "Acme Status <status@example.com>"
  rate_limit: { requests: 5, per: 10m }
  # The webhook receiver of these tests is on loopback.
  allow_private_webhooks: true
`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

describe("public subscriptions", () => {
  let smtp: SmtpInbox;
  let sink: HttpSink;
  let test: TestVigil;
  let port: number;

  /**
   * A request from `ip` (any 127.x address: each test its own client, as the rate limit counts per address), with a
   * form (repeatable fields as lists) or a JSON body.
   */
  const send = (method: "GET" | "POST", path: string, options: { ip?: string; form?: Record<string, string | string[]>; json?: unknown; body?: string; contentType?: string } = {}): Promise<Answer> => {
    let body: string | undefined = options.body;
    let contentType = options.contentType;
    if (options.form) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(options.form)) for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
      body = params.toString();
      contentType = "application/x-www-form-urlencoded";
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      contentType = "application/json";
    }
    const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, method, path, headers, localAddress: options.ip ?? "127.0.0.1" }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("error", reject);
      req.end(body);
    });
  };
  /** The site-relative path and query of a link Vigil sent. */
  const pathOf = (url: string) => {
    const u = new URL(url);
    expect(u.origin).toBe(test.vigil.url);
    return u.pathname + u.search;
  };
  /** The form action of a page (its button's target). */
  const actionOf = (html: string) => {
    const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
    expect(action).toBeDefined();
    return action!.replaceAll("&amp;", "&");
  };
  const mailsTo = async (address: string, count: number): Promise<ParsedMail[]> => {
    await expect.poll(async () => (await smtp.to(address)).length, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(count);
    return smtp.to(address);
  };
  const confirmLinkOf = (mail: ParsedMail) => {
    const link = /(http:\/\/\S+\/subscriptions\/confirm\?token=[A-Za-z0-9_.%-]+)/.exec(mail.text ?? "")?.[1];
    expect(link).toBeDefined();
    return link!;
  };
  /** Subscribes `email` through the form and the link, from `ip`; the stored row. */
  const subscribe = async (email: string, components: string[], ip: string) => {
    const before = (await smtp.to(email)).length;
    expect((await send("POST", "/subscribe", { ip, form: { email, webhook_url: "", format: "vigil", components } })).status).toBe(200);
    const mail = (await mailsTo(email, before + 1))[before]!;
    const page = await send("GET", pathOf(confirmLinkOf(mail)), { ip });
    expect((await send("POST", actionOf(page.text), { ip })).status).toBe(200);
    return (await test.vigil.store.subscribers.find("email", email))!;
  };

  beforeAll(async () => {
    smtp = await startSmtpInbox();
    sink = await startHttpSink();
    test = await startTestVigil(config(smtp.port));
    port = Number(new URL(test.vigil.url).port);
  }, 90_000);

  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
    await smtp?.close();
  });

  it("offers the form on the status page, with the public components grouped like the page, escaped", async () => {
    await test.vigil.statusPage.refresh();
    const home = await fetch(`${test.vigil.url}/`).then((r) => r.text());
    expect(home).toContain('<h2 id="get-updates">Get updates</h2>');
    expect(home).toContain('<form class="subscribe" method="post" action="/subscribe" novalidate>');
    expect(home).toContain('<input id="subscribe-email" name="email" type="email"');
    expect(home).toContain("<summary>Webhook instead</summary>");
    expect(home).toContain("<legend>Infrastructure</legend>");
    expect(home).toContain('value="orders-db"');
    expect(home).toContain("Search &lt;beta&gt;");
    expect(home).not.toContain('value="internal"');
    const page = await send("GET", "/subscribe");
    expect(page.status).toBe(200);
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.text).not.toMatch(/<script/i);
  });

  it("subscribes an e-mail address by double opt-in: nothing is stored before the link's button is pressed", async () => {
    const ip = "127.0.0.10";
    const answer = await send("POST", "/subscribe", { ip, form: { email: " Ada@Example.COM ", webhook_url: "", format: "vigil", components: ["api", "search"] } });
    expect(answer.status).toBe(200);
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.headers["content-security-policy"]).toMatch(/default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(answer.text).toContain("Check your inbox: if <strong>Ada@example.com</strong> can receive our e-mail, a confirmation link is on its way; it expires in 24 hours.");
    expect(answer.text).not.toMatch(/<script/i);

    const [mail] = await mailsTo("Ada@example.com", 1);
    expect(mail!.subject).toBe("[Acme Status] Confirm your subscription");
    expect(mail!.text).toContain("for Production API, Search <beta>");
    const link = confirmLinkOf(mail!);
    expect(await test.vigil.store.subscribers.count()).toBe(0);

    // Opening the link (as a mail scanner would) shows a button and stores nothing.
    const page = await send("GET", pathOf(link), { ip });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<button type="submit">Confirm subscription</button>');
    expect(page.text).toContain("<strong>Ada@example.com</strong>, for Production API, Search &lt;beta&gt;?");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(await test.vigil.store.subscribers.count()).toBe(0);

    const confirmed = await send("POST", actionOf(page.text), { ip });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain("You are subscribed");
    expect(confirmed.text).toMatch(/<a href="\/subscriptions\/unsubscribe\?token=[^"]+">unsubscribe<\/a>/);
    const row = await test.vigil.store.subscribers.find("email", "Ada@example.com");
    expect(row).toMatchObject({ kind: "email", address: "Ada@example.com", componentIds: ["api", "search"], format: null });
    expect(row!.id).toMatch(/^sub_[0-9a-f]{16}$/);

    // The timeline names the subscriber by id, with the kind and how many components: never the address.
    const events = (await test.vigil.store.events.list({ kind: "subscriber.confirmed" })).filter((e) => e.subject === row!.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: "public", data: { kind: "email", components: 2 } });
    expect(JSON.stringify(events[0])).not.toMatch(/example\.com/i);

    // Pressing the button again (a second click) keeps the one subscriber.
    expect((await send("POST", actionOf(page.text), { ip })).status).toBe(200);
    expect(await test.vigil.store.subscribers.count()).toBe(1);
  });

  it("refuses an expired or forged confirmation link, saying so and linking to the form, and stores nothing", async () => {
    const key = await signingKey(test.vigil.store, systemClock)();
    const expired = signToken({ action: "confirm", kind: "email", address: "late@example.com", components: null, expiresAt: new Date(Date.now() - 60_000) }, key);
    for (const method of ["GET", "POST"] as const) {
      const page = await send(method, `/subscriptions/confirm?token=${encodeURIComponent(expired)}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain("This link has expired");
      expect(page.text).toContain('<a href="/subscribe">Subscribe again</a>');
      expect(page.headers["cache-control"]).toBe("no-store");
    }
    const forged = signToken({ action: "confirm", kind: "email", address: "eve@example.com", components: null, expiresAt: new Date(Date.now() + 60_000) }, new Uint8Array(32).fill(7));
    for (const token of [forged, "not-a-token", ""]) {
      const page = await send("POST", `/subscriptions/confirm?token=${encodeURIComponent(token)}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain("This link is not valid");
    }
    // An unsubscribe link is no confirmation link.
    const unsubscribe = signToken({ action: "unsubscribe", subscriberId: "sub_0000000000000000" }, key);
    expect((await send("POST", `/subscriptions/confirm?token=${encodeURIComponent(unsubscribe)}`)).status).toBe(400);
    expect(await test.vigil.store.subscribers.find("email", "late@example.com")).toBeUndefined();
    expect(await test.vigil.store.subscribers.find("email", "eve@example.com")).toBeUndefined();
  });

  it("answers the same for an address already subscribed and a new one, and a second confirmation updates the one row", async () => {
    const existing = await subscribe("grace@example.com", ["api"], "127.0.0.11");
    const ask = (email: string) => send("POST", "/subscribe", { ip: "127.0.0.12", form: { email, webhook_url: "", format: "vigil", components: ["search"] } });
    const again = await ask("grace@example.com");
    const fresh = await ask("alice@example.com");
    expect(again.status).toBe(fresh.status);
    expect(again.text.replaceAll("grace@example.com", "ADDRESS")).toBe(fresh.text.replaceAll("alice@example.com", "ADDRESS"));
    // Same-length addresses, so that even Content-Length matches.
    const comparable = (h: IncomingHttpHeaders) => ({ ...h, date: undefined, "x-request-id": undefined });
    expect(comparable(again.headers)).toEqual(comparable(fresh.headers));
    // JSON too.
    const jsonAgain = await send("POST", "/api/v1/subscriptions", { ip: "127.0.0.12", json: { email: "grace@example.com" } });
    const jsonFresh = await send("POST", "/api/v1/subscriptions", { ip: "127.0.0.13", json: { email: "lovelace@example.com" } });
    expect(jsonAgain.status).toBe(202);
    expect(jsonFresh.status).toBe(202);
    const body = (a: Answer) => ({ ...JSON.parse(a.text), message: JSON.parse(a.text).message.replace(/expires at \S+/, "") });
    expect(body(jsonAgain)).toEqual(body(jsonFresh));
    expect(body(jsonAgain)).toMatchObject({ status: "pending" });

    // Both get a confirmation; grace's second one, used, changes the components of the same row.
    const mails = await mailsTo("grace@example.com", 3);
    await mailsTo("alice@example.com", 1);
    const page = await send("GET", pathOf(confirmLinkOf(mails[1]!)));
    expect((await send("POST", actionOf(page.text))).status).toBe(200);
    const rows = (await test.vigil.store.subscribers.list()).filter((r) => r.address === "grace@example.com");
    expect(rows).toEqual([{ ...existing, componentIds: ["search"] }]);
  });

  it("limits subscription requests per client address, with Retry-After, in the form and the JSON API", async () => {
    const ip = "127.0.0.20";
    for (let i = 0; i < 5; i++) expect((await send("POST", "/subscribe", { ip, form: { email: `limit${i}@example.com` } })).status).toBe(200);
    const refused = await send("POST", "/subscribe", { ip, form: { email: "limit5@example.com" } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(590);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(600);
    expect(refused.text).toContain("Too many requests");
    expect(refused.text).toContain("Please try again in 10 minutes.");
    const json = await send("POST", "/api/v1/subscriptions", { ip, json: { email: "limit6@example.com" } });
    expect(json.status).toBe(429);
    expect(json.headers["retry-after"]).toMatch(/^\d+$/);
    expect(JSON.parse(json.text).error).toMatchObject({ code: "rate_limited" });
    // Another client is not affected.
    expect((await send("POST", "/subscribe", { ip: "127.0.0.21", form: { email: "other@example.com" } })).status).toBe(200);
    await mailsTo("limit4@example.com", 1);
    expect(await smtp.to("limit5@example.com")).toEqual([]);
  });

  it("refuses an invalid request with 400 naming the field, showing the form again with what was typed", async () => {
    const ip = "127.0.0.30";
    const page = await send("POST", "/subscribe", { ip, form: { email: "ada.example.com", webhook_url: "", components: ["api"] } });
    expect(page.status).toBe(400);
    expect(page.text).toContain('<a href="#subscribe-email">E-mail address</a>: the e-mail address has no @');
    expect(page.text).toContain('value="ada.example.com" aria-invalid="true" aria-describedby="subscribe-error"');
    expect(page.text).toMatch(/value="api" checked>/);
    const hostile = await send("POST", "/subscribe", { ip, form: { email: '"><script>alert(1)</script>@example.com' } });
    expect(hostile.status).toBe(400);
    expect(hostile.text).not.toContain("<script>");

    const both = await send("POST", "/subscribe", { ip, form: { email: "a@example.com", webhook_url: "https://example.com/hook" } });
    expect(both.status).toBe(400);
    expect(both.text).toContain("not both");

    const cases: [unknown, string, RegExp][] = [
      [{ email: "nope" }, "body.email", /no @/],
      [{ webhook_url: "ftp://example.com/x" }, "body.webhook_url", /uses ftp:/],
      [{ email: "a@example.com", components: ["api", "ghost"] }, "body.components", /"ghost"/],
      [{ email: "a@example.com", components: ["internal"] }, "body.components", /"internal"/],
      [{}, "body.email", /empty/],
      [{ email: "a@example.com", format: "xml" }, "body.format", /./],
    ];
    for (const [json, path, message] of cases) {
      const answer = await send("POST", "/api/v1/subscriptions", { ip, json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      const error = JSON.parse(answer.text).error;
      expect(error.code).toBe("validation_failed");
      expect(error.details[0].path).toBe(path);
      expect(error.details[0].message).toMatch(message);
    }
    // Invalid requests are not counted against the limit, and send nothing.
    expect(await smtp.to("nope")).toEqual([]);
    expect((await send("POST", "/subscribe", { ip, form: { email: "valid@example.com" } })).status).toBe(200);
  });

  it("subscribes a webhook: a confirmation ping with the link, then the button stores it with its format and components", async () => {
    const hook = `${sink.url}/hooks/status?key=abc123`;
    const answer = await send("POST", "/subscribe", { ip: "127.0.0.40", form: { email: "", webhook_url: hook, format: "statuspage", components: ["search"] } });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("Check your webhook");
    await expect.poll(() => sink.requests.length, { timeout: 10_000, interval: 50 }).toBe(1);
    const ping = sink.only();
    expect(ping.method).toBe("POST");
    expect(ping.path).toBe("/hooks/status?key=abc123");
    expect(ping.headers["content-type"]).toBe("application/json");
    const body = ping.body as { event: string; confirm_url: string; expires_at: string; site: { name: string } };
    expect(body).toMatchObject({ event: "subscription.confirm", site: { name: "Acme Status" } });
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(await test.vigil.store.subscribers.find("webhook", hook)).toBeUndefined();

    const page = await send("GET", pathOf(body.confirm_url));
    expect(page.status).toBe(200);
    expect(page.text).toContain("for Search &lt;beta&gt;?");
    expect((await send("POST", actionOf(page.text))).status).toBe(200);
    expect(await test.vigil.store.subscribers.find("webhook", hook)).toMatchObject({ kind: "webhook", componentIds: ["search"], format: "statuspage" });
    sink.reset();
  });

  it("tells subscribers of a published incident's components, with its link and one-click unsubscribe; nobody else, and nobody of a draft", async () => {
    const apiFan = await subscribe("apifan@example.com", ["api"], "127.0.0.50");
    await subscribe("searchfan@example.com", ["search"], "127.0.0.50");
    const before = { api: (await smtp.to("apifan@example.com")).length, search: (await smtp.to("searchfan@example.com")).length };
    const events = async (kind: string) => (await test.get(`/api/v1/events?kind=${kind}`)).json.events as { data: Record<string, unknown> }[];
    const summaries = (await events("notification.fanout_summary")).length;

    const created = await test.send("POST", "/api/v1/incidents", { name: "API errors", body: "We are investigating **errors** on the API.", components: { api: "major_outage" } });
    expect(created.status).toBe(201);
    expect(created.json.published_at).not.toBeNull();
    const incidentId = created.json.id as string;
    await test.vigil.notifier.flush();
    const mail = (await mailsTo("apifan@example.com", before.api + 1)).at(-1)!;
    expect(mail.subject).toBe("[Acme Status] API errors: Investigating");
    expect(mail.text).toContain(`${test.vigil.url}/incidents/${incidentId}`);
    expect(mail.text).toContain("We are investigating errors on the API.");
    // The fan-out is on the timeline as one summary with its counts, read through the API; no event per subscriber.
    await expect.poll(async () => (await events("notification.fanout_summary")).length, { timeout: 10_000, interval: 100 }).toBe(summaries + 1);
    const summary = (await events("notification.fanout_summary")).at(-1)!.data;
    expect(summary).toMatchObject({ failed: 0, dead: 0, retrying: 0, kinds: { email: { failed: 0 } } });
    expect(summary["delivered"]).toBe(summary["total"]);
    expect((await events("notification.delivered")).filter((e) => String(e.data["destination"]).startsWith("subscriber:"))).toEqual([]);
    const unsubscribeUrl = /Unsubscribe: (\S+)/.exec(mail.text ?? "")?.[1];
    expect(unsubscribeUrl).toMatch(/\/subscriptions\/unsubscribe\?token=/);
    const raw = smtp.messages.filter((m) => m.to.includes("apifan@example.com")).at(-1)!.raw.replace(/\r\n[ \t]+/g, " ");
    expect(raw).toContain(`List-Unsubscribe: <${unsubscribeUrl}>`);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);

    // The search subscriber and the search webhook hear nothing about the API.
    expect(await smtp.to("searchfan@example.com")).toHaveLength(before.search);
    expect(sink.requests).toEqual([]);

    // A draft (publish: false) reaches no subscriber, not even those of its components.
    const subscribers = (await test.vigil.store.subscribers.list()).length;
    const count = smtp.count();
    const draft = await test.send("POST", "/api/v1/incidents", { name: "Quiet draft", body: "Internal only.", components: { "orders-db": "degraded_performance" }, publish: false });
    expect(draft.json.published_at).toBeNull();
    await test.vigil.incidents.step();
    await test.vigil.notifier.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscribers).toBeGreaterThanOrEqual(4);
    expect(smtp.count()).toBe(count);
    expect(smtp.messages.some((m) => m.raw.includes("Quiet draft"))).toBe(false);
    expect(sink.requests).toEqual([]);

    // RFC 8058 one-click: a mail client POSTs List-Unsubscribe=One-Click to the header's URL.
    const path = pathOf(unsubscribeUrl!);
    const page = await send("GET", path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<button type="submit">Unsubscribe</button>');
    expect(await test.vigil.store.subscribers.get(apiFan.id)).toBeDefined();
    const oneClick = await send("POST", path, { body: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded" });
    expect(oneClick.status).toBe(200);
    expect(oneClick.text).toContain("Unsubscribed");
    expect(await test.vigil.store.subscribers.get(apiFan.id)).toBeUndefined();
    const removed = (await test.vigil.store.events.list({ kind: "subscriber.removed" })).filter((e) => e.subject === apiFan.id);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ actor: "public", data: { kind: "email" } });
    // Again (a second click, a multipart one-click): the same success, nothing more recorded.
    const boundary = "----vigil";
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const twice = await send("POST", path, { body: multipart, contentType: `multipart/form-data; boundary=${boundary}` });
    expect(twice.status).toBe(200);
    expect(twice.text).toBe(oneClick.text);
    expect((await test.vigil.store.events.list({ kind: "subscriber.removed" })).filter((e) => e.subject === apiFan.id)).toHaveLength(1);
    expect((await send("POST", "/subscriptions/unsubscribe?token=forged.token")).status).toBe(400);

    // Unsubscribed: the incident's resolution no longer reaches the api fan.
    const after = (await smtp.to("apifan@example.com")).length;
    await test.send("POST", `/api/v1/incidents/${incidentId}/resolve`, { body: "Fixed." });
    await test.vigil.notifier.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await smtp.to("apifan@example.com")).toHaveLength(after);
  });

  it("reads forms only on the public pages: the JSON API still refuses them; the endpoint is in the OpenAPI document, public", async () => {
    const form = await send("POST", "/api/v1/subscriptions", { body: "email=a%40example.com", contentType: "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
    const tokens = await send("POST", "/api/v1/tokens", { body: "name=x", contentType: "application/x-www-form-urlencoded" });
    expect(tokens.status).toBe(415);
    const doc = (await test.get("/api/v1/openapi.json")).json;
    const operation = doc.paths["/api/v1/subscriptions"].post;
    expect(operation).toMatchObject({ operationId: "requestSubscription", security: [], tags: ["subscriptions"] });
    expect(Object.keys(operation.requestBody.content["application/json"].schema.properties).sort()).toEqual(["components", "email", "format", "webhook_url"]);
    expect(operation.responses["202"]).toBeDefined();
  });

  it("keeps every address out of the timeline", async () => {
    const text = JSON.stringify(await test.vigil.store.events.list({ limit: 10_000 }));
    expect(text).not.toMatch(/(apifan|searchfan|grace|alice|Ada)@example\.com/i);
    expect(text).not.toContain(sink.url);
  });
});

describe("public subscriptions turned off (no subscribers section)", () => {
  let test: TestVigil;
  beforeAll(async () => {
    test = await startTestVigil("site: { name: Acme Status }\ncomponents:\n  - { id: api, name: Production API }\n");
  }, 90_000);
  afterAll(async () => {
    await test?.dispose();
  });

  it("shows no form and answers 404 on every endpoint but unsubscribe, which keeps working for those already subscribed", async () => {
    await test.vigil.statusPage.refresh();
    const home = await fetch(`${test.vigil.url}/`).then((r) => r.text());
    expect(home).not.toContain("get-updates");
    expect(home).not.toContain("/subscribe");
    const key = await signingKey(test.vigil.store, systemClock)();
    const confirm = signToken({ action: "confirm", kind: "email", address: "a@example.com", components: null, expiresAt: new Date(Date.now() + 60_000) }, key);
    const requests: [string, string, RequestInit?][] = [
      ["GET", "/subscribe"],
      ["POST", "/subscribe", { body: "email=a%40example.com", headers: { "content-type": "application/x-www-form-urlencoded" } }],
      ["POST", "/api/v1/subscriptions", { body: JSON.stringify({ email: "a@example.com" }), headers: { "content-type": "application/json" } }],
      ["GET", `/subscriptions/confirm?token=${encodeURIComponent(confirm)}`],
      ["POST", `/subscriptions/confirm?token=${encodeURIComponent(confirm)}`],
    ];
    for (const [method, path, init] of requests) {
      const res = await fetch(`${test.vigil.url}${path}`, { method, ...init });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
    }
    expect(await test.vigil.store.subscribers.count()).toBe(0);

    // Someone subscribed before subscriptions were turned off can still leave.
    await test.vigil.store.subscribers.confirm({ id: "sub_00000000000000aa", kind: "email", address: "left@example.com", componentIds: null, format: null, confirmedAt: new Date(), createdAt: new Date() });
    const unsubscribe = signToken({ action: "unsubscribe", subscriberId: "sub_00000000000000aa" }, key);
    const res = await fetch(`${test.vigil.url}/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribe)}`, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("Unsubscribed");
    expect(text).not.toContain("Subscribe again");
    expect(await test.vigil.store.subscribers.count()).toBe(0);
  });
});
