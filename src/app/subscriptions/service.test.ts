import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpSink, refusedUrl, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { startSmtpInbox, type SmtpInbox } from "../../../test/helpers/smtp-inbox.ts";
import { ManualClock } from "../../core/clock.ts";
import { parseConfigText, type VigilConfig } from "../../config/index.ts";
import { createLogger } from "../../observability/logger.ts";
import type { Store } from "../../store/types.ts";
import { verifyToken } from "../../subscribers/token.ts";
import { SubscriptionService } from "./service.ts";

const key = new Uint8Array(32).fill(3);

function configOf(subscribers: string): VigilConfig {
  const text = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
  - { id: search, name: Search }
  - { id: internal, name: Internal, hidden: true }
${subscribers}
`;
  const parsed = parseConfigText(text, "vigil.yaml", {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

/** A store that fails the test if anything reads or writes it. */
const untouchable = new Proxy({} as Store, {
  get(_target, property) {
    throw new Error(`the store was used: ${String(property)}`);
  },
});

function service(config: VigilConfig, options: { clock?: ManualClock; lines?: string[] } = {}) {
  const lines = options.lines ?? [];
  return new SubscriptionService({
    store: untouchable,
    clock: options.clock ?? new ManualClock("2026-03-14T09:00:00Z"),
    logger: createLogger({ destination: new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }) }),
    config: () => config,
    publicUrl: () => "https://status.example.com",
    signingKey: async () => key,
  });
}

describe("SubscriptionService.request", () => {
  let smtp: SmtpInbox;
  let sink: HttpSink;
  beforeAll(async () => {
    smtp = await startSmtpInbox();
    sink = await startHttpSink();
  });
  afterAll(async () => {
    await smtp.close();
    await sink.close();
  });

  it("sends a signed confirmation link that holds the whole subscription, and never touches the store", async () => {
    const s = service(configOf(`subscribers:\n  email: { host: 127.0.0.1, port: ${smtp.port}, from: status@example.com }\n  confirm_within: 2h`));
    const outcome = await s.request({ kind: "email", address: "Ada@Example.com", components: ["search", "api", "search"], ip: "192.0.2.1" });
    expect(outcome).toEqual({ ok: true, kind: "email", address: "Ada@example.com", expiresAt: new Date("2026-03-14T11:00:00Z"), expiresInMs: 7_200_000 });
    await s.idle();
    const [mail] = await smtp.to("Ada@example.com");
    const token = decodeURIComponent(/confirm\?token=(\S+)/.exec(mail!.text ?? "")?.[1] ?? "");
    expect(verifyToken(token, key, new Date("2026-03-14T10:59:59Z"))).toEqual({
      ok: true,
      claim: { action: "confirm", kind: "email", address: "Ada@example.com", components: ["search", "api"], expiresAt: new Date("2026-03-14T11:00:00Z") },
    });
    expect(mail!.text).toContain("for Search, Production API");
  });

  it("is off without a subscribers section, and refuses a kind not offered on its own field", async () => {
    const ip = "192.0.2.2";
    expect(await service(configOf("")).request({ kind: "email", address: "a@example.com", components: null, ip })).toEqual({ ok: false, reason: "off" });
    const webhooksOnly = service(configOf("subscribers: {}"));
    expect(webhooksOnly.offer()).toEqual({ email: false, webhook: true });
    expect(await webhooksOnly.request({ kind: "email", address: "a@example.com", components: null, ip })).toMatchObject({ ok: false, reason: "invalid", field: "email" });
    const none = service(configOf("subscribers: { webhooks: false }"));
    expect(none.offer()).toBeNull();
    expect(await none.request({ kind: "webhook", address: "https://example.com/", components: null, ip })).toEqual({ ok: false, reason: "off" });
  });

  it("refuses unknown and hidden components, naming them; an empty choice means all", async () => {
    const s = service(configOf("subscribers: { allow_private_webhooks: true }"));
    const ip = "192.0.2.3";
    expect(await s.request({ kind: "webhook", address: "https://example.com/", components: ["api", "internal"], ip })).toEqual({ ok: false, reason: "invalid", field: "components", message: 'no component on this page has the id "internal"' });
    const all = await s.request({ kind: "webhook", address: `${sink.url}/a`, components: [], ip });
    expect(all.ok).toBe(true);
    await s.idle();
    const body = sink.requests.at(-1)!.body as { confirm_url: string };
    const token = decodeURIComponent(new URL(body.confirm_url).searchParams.get("token") ?? "");
    expect(verifyToken(token, key, new Date("2026-03-14T09:00:00Z"))).toMatchObject({ ok: true, claim: { components: null } });
  });

  it("limits requests per client address in a window of the configured length, counting only valid ones", async () => {
    const clock = new ManualClock("2026-03-14T09:00:00Z");
    const s = service(configOf(`subscribers:\n  allow_private_webhooks: true\n  rate_limit: { requests: 2, per: 1m, recipient: { requests: 100, per: 1h } }`), { clock });
    const ask = (ip: string, address = `${sink.url}/limit`) => s.request({ kind: "webhook", address, components: null, ip });
    expect((await ask("192.0.2.4", "ftp://nope")).ok).toBe(false);
    expect((await ask("192.0.2.4")).ok).toBe(true);
    clock.advance(20_000);
    expect((await ask("192.0.2.4")).ok).toBe(true);
    clock.advance(10_000);
    expect(await ask("192.0.2.4")).toEqual({ ok: false, reason: "rate_limited", retryAfterMs: 30_000 });
    expect((await ask("192.0.2.5")).ok).toBe(true);
    clock.advance(30_000);
    expect((await ask("192.0.2.4")).ok).toBe(true);
    await s.idle();
  });

  it("logs a failed confirmation without the SMTP password, the address or the link", async () => {
    const lines: string[] = [];
    // The test inbox has no AUTH: the login fails, as a wrong password would.
    const s = service(configOf(`subscribers:\n  email: { host: 127.0.0.1, port: ${smtp.port}, username: vigil, password: hunter2-smtp-password, from: status@example.com }`), { lines });
    expect((await s.request({ kind: "email", address: "private.person@example.org", components: null, ip: "192.0.2.6" })).ok).toBe(true);
    await s.idle();
    const log = lines.join("\n");
    expect(log).toContain("a subscription confirmation e-mail could not be sent");
    expect(log).toContain('"domain":"example.org"');
    expect(log).not.toContain("hunter2-smtp-password");
    expect(log).not.toContain("private.person");
    expect(log).not.toContain("token=");
  });

  it("logs a failed webhook confirmation naming the host only", async () => {
    const lines: string[] = [];
    const s = service(configOf("subscribers: { allow_private_webhooks: true }"), { lines });
    const base = await refusedUrl();
    expect((await s.request({ kind: "webhook", address: `${base}/hooks/secret-path-123?key=secret-query-456`, components: null, ip: "192.0.2.7" })).ok).toBe(true);
    await s.idle();
    const log = lines.join("\n");
    expect(log).toContain(`connection refused by ${new URL(base).host}`);
    expect(log).not.toContain("secret-path-123");
    expect(log).not.toContain("secret-query-456");
  });
});

describe("SubscriptionService.request, webhook addresses", () => {
  it("refuses a webhook on a private or loopback address unless allowed, and sends it no ping", async () => {
    const sink = await startHttpSink();
    try {
      const refused = await service(configOf("subscribers: {}")).request({ kind: "webhook", address: `${sink.url}/hook`, components: null, ip: "192.0.2.8" });
      expect(refused).toMatchObject({ ok: false, reason: "invalid", field: "webhook_url", message: expect.stringMatching(/^must be reachable on the public internet: its host 127\.0\.0\.1 is a private or local address/) });
      const allowed = service(configOf("subscribers: { allow_private_webhooks: true }"));
      expect((await allowed.request({ kind: "webhook", address: `${sink.url}/hook`, components: null, ip: "192.0.2.8" })).ok).toBe(true);
      await allowed.idle();
      expect(sink.requests.map((r) => r.path)).toEqual(["/hook"]);
    } finally {
      await sink.close();
    }
  });
});

describe("SubscriptionService.view", () => {
  it("is the site's page with its public components and the form's offer, kept until the configuration changes", () => {
    const config = configOf("subscribers: {}");
    const s = service(config);
    const view = s.view();
    expect(view.page.name).toBe("Acme Status");
    expect(view.components.map((c) => c.id)).toEqual(["api", "search"]);
    expect(view.subscribe).toEqual({ email: false, webhook: true });
    expect(s.view()).toBe(view);
  });
});
