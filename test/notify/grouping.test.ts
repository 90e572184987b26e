// Routing over time in a running Vigil: a group's first message goes at once and later ones wait the group interval,
// arriving as one message; a still-open group is re-sent after the repeat interval; an update reminder goes straight
// to the responders and never to the public; a silence mutes what it matches, recorded with its reason; the groups
// are kept in the store with the dispatch cursor; a webhook subscriber hears the published incident.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (sink: string) => `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database }
  - { id: mail, name: Mail }
incidents: { update_due_after: 8s }
notifications:
  grouping: { group_interval: 5s, repeat_interval: 4s }
  channels:
    - { id: oncall, type: webhook, url: "${sink}/hook" }
subscribers: { webhooks: true, allow_private_webhooks: true }
`;

interface Hook {
  event: string;
  title: string;
  text: string;
  incident: { id: string } | null;
}

describe("grouping, reminders and silences", () => {
  let sink: HttpSink;
  let test: TestVigil;
  const hooks = () => sink.requests.filter((r) => r.path === "/hook").map((r) => ({ ...(r.body as Hook), at: r.at }));
  const publicHooks = () => sink.requests.filter((r) => r.path === "/public").map((r) => r.body as { event: string; url: string });

  beforeAll(async () => {
    sink = await startHttpSink();
    test = await startTestVigil(config(sink.url));
    const now = new Date();
    await test.vigil.store.subscribers.confirm({ id: "sub_public", kind: "webhook", address: `${sink.url}/public`, componentIds: ["orders-db"], format: "vigil", confirmedAt: now, createdAt: now });
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
  });

  it("sends a group's first message at once and batches the next ones into one after the group interval", async () => {
    const created = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "Looking into it.", components: { "orders-db": "major_outage" } });
    await expect.poll(() => hooks().length, { timeout: 10_000, interval: 50 }).toBe(1);
    const first = hooks()[0]!;
    expect(first.event).toBe("incident.created");
    await test.send("POST", `/api/v1/incidents/${created.json.id}/updates`, { status: "identified", body: "A bad deploy." });
    // Two updates that change nothing of its condition (it is still failing): a move to monitoring would go at once.
    await test.send("POST", `/api/v1/incidents/${created.json.id}/updates`, { status: "identified", body: "Rolling back." });
    await expect.poll(() => hooks().length, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(2);
    const batch = hooks()[1]!;
    // One message for both updates, no sooner than the interval after the first send.
    expect(batch.event).toBe("incident.updated");
    expect(batch.text).toContain("Also since the last notification (1):");
    // Measured where the dispatcher plans each delivery (the outbox row), not where it lands: a loaded machine may
    // deliver the first one late, and that says nothing of the grouping.
    const planned = (await test.get("/api/v1/deliveries")).json.deliveries as { idempotency_key: string; created_at: string }[];
    const keys = sink.requests.filter((r) => r.path === "/hook").map((r) => String(r.headers["idempotency-key"]));
    const plannedAt = (key: string) => Date.parse(planned.find((d) => d.idempotency_key === key)!.created_at);
    expect(plannedAt(keys[1]!) - plannedAt(keys[0]!)).toBeGreaterThanOrEqual(4_900);
    // The groups are stored, with the cursor, for a restart.
    const stored = (await test.vigil.store.state.get("notifier.groups")) as { groups: Record<string, { channelId: string }> };
    expect(Object.values(stored.groups).map((g) => g.channelId)).toContain("oncall");
    // The public heard of the published incident, with its public page.
    await expect.poll(() => publicHooks().map((h) => h.event), { timeout: 10_000, interval: 50 }).toContain("incident.created");
    expect(publicHooks()[0]!.url).toBe(`https://status.example.com/incidents/${created.json.id}`);
  }, 30_000);

  it("reminds responders of an update due at once, re-sends a still-open group, and tells the public neither", async () => {
    await expect.poll(() => hooks().map((h) => h.event), { timeout: 20_000, interval: 100 }).toContain("incident.update_due");
    const due = hooks().find((h) => h.event === "incident.update_due")!;
    expect(due.text).toMatch(/^Reminder: the public last heard about Orders database outage at \d\d:\d\d UTC/);
    await expect.poll(() => hooks().filter((h) => h.title.startsWith("Still open: ")).length, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(1);
    expect(publicHooks().map((h) => h.event)).not.toContain("incident.update_due");
    expect(publicHooks().every((h) => !("title" in h) || !String((h as { title?: string }).title).startsWith("Still open"))).toBe(true);
  }, 45_000);

  it("mutes what an active silence matches and records why", async () => {
    const silence = await test.send("POST", "/api/v1/silences", { matchers: { component: "mail" }, duration: "1h", comment: "mail migration" });
    expect(silence.status, JSON.stringify(silence.json)).toBe(201);
    const before = hooks().length;
    const created = await test.send("POST", "/api/v1/incidents", { name: "Mail delays", body: "Slow.", components: { mail: "degraded_performance" } });
    await expect
      .poll(async () => (await test.get("/api/v1/deliveries?status=muted&destination=oncall")).json.deliveries.map((d: { last_error: string }) => d.last_error), { timeout: 10_000, interval: 100 })
      .toContainEqual(expect.stringMatching(new RegExp(`^muted: silenced by ${silence.json.id} until .*mail migration`)));
    expect(hooks().slice(before).filter((h) => h.incident?.id === created.json.id)).toEqual([]);
  }, 30_000);
});
