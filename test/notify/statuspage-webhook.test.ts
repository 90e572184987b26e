// Statuspage-format webhooks checked against the /api/v2 documents of the same running Vigil: a receiver written for
// Statuspage gets the page id, incidents, maintenances, updates and components that /api/v2 serves for the same
// objects (so it can match the two), component updates with the status before and after, nothing when nothing
// changed, and the incident's automatic move to monitoring.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink, type SinkRequest } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (sink: string) => `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database, group: Infrastructure, monitors: [orders-db-check] }
  - { id: cache, name: Cache, group: Infrastructure }
  - { id: api, name: Production API, depends_on: [orders-db] }
monitors:
  - { id: orders-db-check, type: http, url: "${sink}/health", interval: 1s, timeout: 500ms, recheck: 200ms }
incidents: { monitor_after: 0s, resolve_after: 1h }
notifications:
  grouping: { group_interval: 1ms }
  channels:
    - { id: sp, type: webhook, format: statuspage, url: "${sink}/sp" }
    - { id: own, type: webhook, url: "${sink}/own" }
`;

type Json = any;

/** The fields Statuspage's webhook incident has beyond its /api/v2 incident. */
const webhookOnly = ["backfilled", "scheduled_remind_prior", "scheduled_reminded_at", "impact_override", "scheduled_auto_in_progress", "scheduled_auto_completed"];
const withoutWebhookOnly = (incident: Json, maintenance = false): Json =>
  Object.fromEntries(Object.entries(incident).filter(([k]) => !webhookOnly.includes(k) && (maintenance || (k !== "scheduled_for" && k !== "scheduled_until"))));

describe("Statuspage-format webhooks against /api/v2", () => {
  let sink: HttpSink;
  let test: TestVigil;
  let healthy = true;
  const sp = (): Json[] => sink.requests.filter((r: SinkRequest) => r.path === "/sp").map((r) => r.body);
  const own = (): Json[] => sink.requests.filter((r: SinkRequest) => r.path === "/own").map((r) => r.body);
  const v2 = async (path: string): Promise<Json> => (await (await fetch(`${test.vigil.url}/api/v2/${path}`)).json()) as Json;
  const incidentOf = (status: string) => sp().find((b) => b.incident?.status === status && b.incident.impact !== "maintenance");

  beforeAll(async () => {
    sink = await startHttpSink();
    sink.reply((request) => (request.path === "/health" ? { status: healthy ? 200 : 500, body: healthy ? "ok" : "down" } : { status: 200, body: "ok" }));
    test = await startTestVigil(config(sink.url));
  }, 120_000);

  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
  });

  it("sends an outage as /api/v2 serves it: the page id, the incident with its updates, the components, and the component's change", async () => {
    await expect.poll(async () => (await test.get("/api/v1/monitors/orders-db-check")).json.state?.status, { timeout: 20_000, interval: 100 }).toBe("up");
    healthy = false;
    await expect.poll(() => incidentOf("investigating"), { timeout: 20_000, interval: 100 }).toBeDefined();
    const pageId = (await v2("status.json")).page.id;
    expect(pageId).toMatch(/^[0-9a-f]{12}$/);
    for (const body of sp()) expect(body.page.id).toBe(pageId);

    // The incident, its updates (ids, times) and its components are those of /api/v2 for the same incident.
    const sent = incidentOf("investigating").incident;
    await expect.poll(async () => (await v2("incidents.json")).incidents.find((i: Json) => i.id === sent.id), { timeout: 10_000, interval: 100 }).toEqual(withoutWebhookOnly(sent));
    expect(sent).toMatchObject({ backfilled: false, scheduled_for: null, scheduled_until: null, page_id: pageId });
    const rows = (await v2("components.json")).components;
    for (const c of sent.components) expect(c).toEqual(rows.find((r: Json) => r.id === c.id));

    // The component update says what the status was before the change.
    await expect.poll(() => sp().find((b) => b.component_update?.component_id === "orders-db"), { timeout: 10_000, interval: 100 }).toBeDefined();
    const update = sp().find((b) => b.component_update?.component_id === "orders-db");
    expect(update.component_update).toMatchObject({ old_status: "operational", new_status: "major_outage" });
    expect(update.component).toEqual(rows.find((r: Json) => r.id === "orders-db"));
    // Vigil's own format says it too.
    const down = own().find((b) => b.event === "monitor.down");
    expect(down.components).toEqual([{ id: "orders-db", name: "Orders database", group: "Infrastructure", status: "major_outage", previous_status: "operational" }]);
  });

  it("sends the incident's automatic move to monitoring, and the components' recovery with their status before", async () => {
    healthy = true;
    await expect.poll(() => incidentOf("monitoring"), { timeout: 20_000, interval: 100 }).toBeDefined();
    const sent = incidentOf("monitoring").incident;
    await expect.poll(async () => (await v2("incidents.json")).incidents.find((i: Json) => i.id === sent.id), { timeout: 10_000, interval: 100 }).toEqual(withoutWebhookOnly(sent));
    expect(own().some((b) => b.event === "incident.updated" && b.incident.status === "monitoring")).toBe(true);
    await expect.poll(() => sp().find((b) => b.component_update?.component_id === "orders-db" && b.component_update.new_status === "operational"), { timeout: 10_000, interval: 100 }).toMatchObject({
      component_update: { old_status: "major_outage", new_status: "operational" },
    });
  });

  it("sends a maintenance as Statuspage does, an incident with scheduled_for and scheduled_until, and no component update", async () => {
    const before = sink.requests.length;
    const start = new Date(Date.now() + 3_600_000);
    const created = await test.send("POST", "/api/v1/maintenances", {
      name: "Cache upgrade",
      body: "Upgrading the cache.",
      components: ["cache"],
      scheduled_for: start.toISOString(),
      scheduled_until: new Date(start.getTime() + 3_600_000).toISOString(),
    });
    expect(created.status).toBe(201);
    await expect.poll(() => sp().find((b) => b.incident?.id === created.json.id), { timeout: 10_000, interval: 100 }).toBeDefined();
    const sent = sp().find((b) => b.incident?.id === created.json.id).incident;
    expect(sent).toMatchObject({ impact: "maintenance", status: "scheduled", scheduled_for: start.toISOString() });
    await expect
      .poll(async () => (await v2("scheduled-maintenances.json")).scheduled_maintenances.find((m: Json) => m.id === created.json.id), { timeout: 10_000, interval: 100 })
      .toEqual(withoutWebhookOnly(sent, true));
    // Vigil's own webhook got the maintenance too: by then every channel had been sent what it would be.
    await expect.poll(() => own().some((b) => b.event === "maintenance.scheduled"), { timeout: 10_000, interval: 100 }).toBe(true);
    expect(sink.requests.slice(before).filter((r) => r.path === "/sp" && (r.body as Json).component_update !== undefined)).toEqual([]);
  });
});
