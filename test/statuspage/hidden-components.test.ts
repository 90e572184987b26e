// A hidden component is never named in public: an outage of a hidden database is told on the page, in /api/v2, in the
// feeds, in the default public update, in subscribers' e-mails and webhooks (both formats) by the visible components
// that depend on it, while responders (the v1 API, team channels) still see the real root.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (sink: string, smtpPort: number) => `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database, hidden: true, monitors: [orders-db-check] }
  - { id: api, name: Production API, depends_on: [orders-db] }
  - { id: cache, name: Cache }
monitors:
  - { id: orders-db-check, type: http, url: "${sink}/health", interval: 1s, timeout: 500ms, recheck: 200ms }
incidents: { monitor_after: 0s, resolve_after: 1h, public_evidence: true }
notifications:
  grouping: { group_interval: 1ms }
  channels:
    - { id: team, type: webhook, url: "${sink}/team" }
subscribers:
  email: { host: 127.0.0.1, port: ${smtpPort}, from: status@example.com }
  webhooks: true
  allow_private_webhooks: true
`;

const secret = "Orders database";

describe("hidden components in public text", () => {
  let sink: HttpSink;
  let smtp: SmtpInbox;
  let test: TestVigil;
  let healthy = true;
  const bodiesAt = (path: string): any[] => sink.requests.filter((r) => r.path === path).map((r) => r.body);

  beforeAll(async () => {
    sink = await startHttpSink();
    sink.reply((request) => (request.path === "/health" ? { status: healthy ? 200 : 500, body: healthy ? "ok" : "down" } : { status: 200, body: "ok" }));
    smtp = await startSmtpInbox();
    test = await startTestVigil(config(sink.url, smtp.port));
    const now = new Date();
    const store = test.vigil.store.subscribers;
    await store.confirm({ id: "sub_mail", kind: "email", address: "ada@example.com", componentIds: null, format: null, confirmedAt: now, createdAt: now });
    await store.confirm({ id: "sub_hook", kind: "webhook", address: `${sink.url}/public`, componentIds: ["api"], format: null, confirmedAt: now, createdAt: now });
    await store.confirm({ id: "sub_sp", kind: "webhook", address: `${sink.url}/public-sp`, componentIds: null, format: "statuspage", confirmedAt: now, createdAt: now });
  }, 120_000);

  afterAll(async () => {
    await test?.dispose();
    await smtp?.close();
    await sink?.close();
  });

  it("names the visible dependents wherever the public reads about the hidden root's outage", async () => {
    await expect.poll(async () => (await test.get("/api/v1/monitors/orders-db-check")).json.state?.status, { timeout: 20_000, interval: 100 }).toBe("up");
    healthy = false;

    // Responders see the real root and the name Vigil gave the incident.
    await expect.poll(async () => (await test.get("/api/v1/incidents")).json.incidents?.[0]?.name, { timeout: 20_000, interval: 100 }).toBe(`${secret} outage`);
    const incident = (await test.get("/api/v1/incidents")).json.incidents[0];
    expect(incident.root_components).toEqual(["orders-db"]);
    await expect.poll(() => bodiesAt("/team").some((b) => b.incident?.name === `${secret} outage`), { timeout: 20_000, interval: 100 }).toBe(true);

    // The public: title, components and the default update name the Production API.
    const read = async (path: string) => (await fetch(`${test.vigil.url}${path}`)).text();
    await expect.poll(async () => JSON.parse(await read("/api/v2/incidents.json")).incidents[0]?.name, { timeout: 20_000, interval: 100 }).toBe("Production API outage");
    const v2 = JSON.parse(await read("/api/v2/incidents.json")).incidents[0];
    expect(v2.components.map((c: { id: string }) => c.id)).toEqual(["api"]);
    expect(v2.incident_updates[0].body).toBe("We are investigating a partial outage affecting Production API. An internal dependency of Production API failing: HTTP 500.");
    for (const update of v2.incident_updates) for (const a of update.affected_components ?? []) expect(a.code).not.toBe("orders-db");
    const incidentPage = await read(`/incidents/${incident.id}`);
    expect(incidentPage).toContain('<ul class="affected"><li><span>Production API</span>');
    expect(await read("/")).toContain("Affects: Production API");
    const publicTexts = {
      summary: await read("/api/v2/summary.json"),
      incidents: incidentPage,
      home: await read("/"),
      history: await read("/history"),
      rss: await read("/history.rss"),
      atom: await read("/history.atom"),
    };
    expect(publicTexts.rss).toContain("Production API outage");
    for (const [where, text] of Object.entries(publicTexts)) {
      expect(text, where).not.toContain(secret);
      expect(text, where).not.toContain("orders-db");
    }

    // Subscribers: the e-mail, Vigil's webhook (to a subscriber of the API) and the Statuspage-format one.
    await expect.poll(async () => (await smtp.to("ada@example.com")).length, { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
    const mail = (await smtp.to("ada@example.com"))[0]!;
    expect(mail.subject).toBe("[Acme Status] Production API outage: Investigating");
    await expect.poll(() => bodiesAt("/public").length, { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
    await expect.poll(() => bodiesAt("/public-sp").some((b) => b.incident !== undefined), { timeout: 20_000, interval: 100 }).toBe(true);
    const hook = bodiesAt("/public")[0];
    expect(hook.name).toBe("Production API outage");
    expect(hook.components.map((c: { name: string }) => c.name)).toEqual(["Production API"]);
    const subscriberTexts = { mail: `${mail.subject}\n${mail.text}\n${mail.html}`, hook: JSON.stringify(bodiesAt("/public")), statuspage: JSON.stringify(bodiesAt("/public-sp")) };
    for (const [where, text] of Object.entries(subscriberTexts)) {
      expect(text, where).not.toContain(secret);
      expect(text, where).not.toContain("orders-db");
    }
  }, 60_000);
});
