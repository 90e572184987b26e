// Responder control, publication, maintenance, overrides, windows and postmortems, through the HTTP
// API of a running Vigil whose monitors check a local HTTP target; on PGlite and on PostgreSQL.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectComponentStatuses, projectIncidents } from "../../src/incidents/projection.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (port: number) => `
site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    monitors: [db-check]
  - id: api
    name: Production API
    depends_on: [orders-db]
    monitors: [api-check]
  - id: checkout
    name: Checkout
    depends_on: [api]
  - id: search
    name: Search
    monitors: [search-check]
    publish: 1s
  - id: billing
    name: Billing
    monitors: [billing-check]
    publish: manual
monitors:
${["db", "api", "search", "billing"].map((t) => `  - { id: ${t}-check, type: http, url: "http://127.0.0.1:${port}/${t}", interval: 1s, timeout: 500ms, recheck: 200ms }`).join("\n")}
incidents:
  resolve_after: 1s
  update_due_after: 2s
  window_margin: 1s
  templates:
    investigating: "Acme is looking into {impact} affecting {components}."
`;

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`incidents through the API on ${backend.name}${backend.reason ? ` (skipped: ${backend.reason})` : ""}`, () => {
    const healthy: Record<string, boolean> = { db: true, api: true, search: true, billing: true };
    let target: Server;
    let store: StoreTarget;
    let test: TestVigil;
    const api = async (url: string) => (await test.get(url)).json;
    const monitorStatus = async (id: string) => (await api(`/api/v1/monitors/${id}`)).state.status;
    const openIncidents = async () => (await api("/api/v1/incidents?open=true")).incidents as any[];
    const openOn = async (component: string) => (await openIncidents()).find((i) => i.root_components.includes(component));
    const componentStatus = async (id: string) => ((await api("/api/v1/components")).components as any[]).find((c) => c.id === id)?.status;
    const allUp = async () => {
      for (const m of ["db-check", "api-check", "search-check", "billing-check"]) await expect.poll(() => monitorStatus(m), { timeout: 15_000, interval: 100 }).toBe("up");
    };

    it("starts with every monitor up", allUp, 30_000);

    beforeAll(async () => {
      target = createServer((req, res) => {
        res.writeHead(healthy[req.url?.slice(1) ?? ""] ? 200 : 503);
        res.end();
      });
      await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
      store = await freshTarget(backend.name);
      test = await startTestVigil(config((target.address() as { port: number }).port), store.url ? { databaseUrl: store.url } : {});
    }, 90_000);

    afterAll(async () => {
      await test?.dispose();
      await store?.dispose();
      target?.close();
    });

    it("publishes with the configured template at once, records windows, drafts the postmortem, and rebuilds from the timeline", async () => {
      healthy.db = false;
      healthy.api = false;
      await expect.poll(async () => (await openOn("orders-db"))?.impacted_components, { timeout: 20_000, interval: 100 }).toEqual(["api", "checkout"]);
      await expect.poll(() => monitorStatus("api-check"), { timeout: 15_000, interval: 100 }).toBe("down");
      const incident = await openOn("orders-db");
      expect(incident.published_at).not.toBeNull();
      expect(incident.time_to_publish_ms).toBeGreaterThanOrEqual(0);
      const first = (await api(`/api/v1/incidents/${incident.id}`)).updates[0];
      // Whichever monitor confirmed first named the incident's first update: the database (with the API and checkout,
      // three of the five services: critical), or the API before the database joined as its root (two of five: major).
      expect(first.body).toMatch(/^Acme is looking into (a major outage affecting Orders database|a partial outage affecting Production API)\b/);
      expect(await componentStatus("checkout")).toBe("major_outage");

      // While it is public and unresolved with no update for update_due_after, a reminder is due.
      await expect.poll(async () => { await test.vigil.incidents.step(); return (await api(`/api/v1/timeline?incident=${incident.id}`)).events.map((e: any) => e.kind); }, { timeout: 10_000, interval: 300 }).toContain("incident.update_due");

      healthy.db = true;
      healthy.api = true;
      await expect.poll(async () => { await test.vigil.incidents.step(); return (await api(`/api/v1/incidents/${incident.id}`)).status; }, { timeout: 30_000, interval: 300 }).toBe("resolved");

      const { windows } = await api(`/api/v1/incidents/${incident.id}/windows`);
      expect(windows.map((w: any) => w.component).sort()).toEqual(["api", "checkout", "orders-db"]);
      for (const w of windows) {
        expect(w.incidents).toContain(incident.id);
        expect(w.end).not.toBeNull();
        expect(w.worst_status).toBe("major_outage");
        expect(Date.parse(w.margin_from)).toBe(Date.parse(w.earliest_possible_start ?? w.start) - 1000);
        expect(Date.parse(w.margin_to)).toBe(Date.parse(w.end) + 1000);
        expect(Date.parse(w.start)).toBeLessThanOrEqual(Date.parse(w.confirmed_start));
      }
      const checkout = windows.find((w: any) => w.component === "checkout");
      const byComponent = (await api(`/api/v1/windows?component=checkout&from=1h`)).windows;
      expect(byComponent).toEqual([checkout]);
      expect((await api(`/api/v1/windows?component=checkout&from=${encodeURIComponent(checkout.end)}`)).windows).toEqual([]);

      const postmortem = await api(`/api/v1/incidents/${incident.id}/postmortem`);
      expect(postmortem.published_at).toBeNull();
      for (const section of ["# Postmortem: Orders database outage", "## Impact", "## Metrics", "## Timeline", "## Root cause", "## Action items"]) expect(postmortem.body).toContain(section);
      expect(postmortem.body_html).toContain("<table>");

      // The incident row and the component statuses are projections of the timeline: a rebuild agrees.
      const events = await test.vigil.store.events.list({ limit: 10_000 });
      const rebuilt = projectIncidents(events).get(incident.id);
      const row = await test.vigil.store.incidents.get(incident.id);
      expect(rebuilt).toEqual({
        id: row!.id, name: row!.name, status: row!.status, impact: row!.impact, impactOverride: row!.impactOverride, rootIds: row!.rootIds, impactedIds: row!.impactedIds,
        startedAt: row!.startedAt, earliestPossibleStart: row!.earliestPossibleStart, monitoringAt: row!.monitoringAt, resolvedAt: row!.resolvedAt, publishedAt: row!.publishedAt,
        postmortemPublishedAt: row!.postmortemPublishedAt, manual: row!.manual, hold: row!.hold, createdAt: row!.createdAt,
      });
      const projected = projectComponentStatuses(events);
      const live = test.vigil.incidents.componentStatuses().statuses;
      for (const id of Object.keys(live)) expect(projected[id] ?? "operational").toBe(live[id]);

      const edited = await test.send("PUT", `/api/v1/incidents/${incident.id}/postmortem`, { body: "# Postmortem\n\nThe primary ran out of disk." });
      expect(edited.json.body).toContain("ran out of disk");
      // A postmortem still showing internal details is refused, each named by its line; nothing is published.
      await test.send("PUT", `/api/v1/incidents/${incident.id}/postmortem`, { body: "# Postmortem\n\nThe primary at 10.0.4.12:3306 ran out of disk.\nSee /var/log/mysql/error.log." });
      const leaky = await test.send("POST", `/api/v1/incidents/${incident.id}/postmortem/publish`);
      expect(leaky.status).toBe(409);
      expect(leaky.json.error.message).toContain("still shows what the public should not read (2 findings): edit it, or publish with force");
      expect(leaky.json.error.details).toEqual([
        { path: "postmortem:3", message: 'internal detail "10.0.4.12:3306"' },
        { path: "postmortem:4", message: 'internal detail "/var/log/mysql/error.log"' },
      ]);
      expect((await api(`/api/v1/incidents/${incident.id}/postmortem`)).published_at).toBeNull();
      // A person who has read it may publish it as it is.
      const published = await test.send("POST", `/api/v1/incidents/${incident.id}/postmortem/publish`, { force: true });
      expect(published.json).toMatchObject({ status: "postmortem", postmortem_published_at: expect.any(String) });
    }, 120_000);

    it("delays publication per component policy, keeps a manual one as a draft until published", async () => {
      healthy.search = false;
      healthy.billing = false;
      await expect.poll(async () => Boolean((await openOn("search")) && (await openOn("billing"))), { timeout: 20_000, interval: 100 }).toBe(true);
      const search = await openOn("search");
      const billing = await openOn("billing");
      expect(search.published_at).toBeNull();
      expect(search.publish_at).not.toBeNull();
      expect(billing.published_at).toBeNull();
      expect(billing.publish_at).toBeNull();
      await expect.poll(async () => { await test.vigil.incidents.step(); return (await api(`/api/v1/incidents/${search.id}`)).published_at; }, { timeout: 10_000, interval: 200 }).not.toBeNull();
      const late = await api(`/api/v1/incidents/${search.id}`);
      expect(Date.parse(late.published_at)).toBeGreaterThanOrEqual(Date.parse(late.publish_at ?? search.publish_at));
      await test.vigil.incidents.step();
      expect((await api(`/api/v1/incidents/${billing.id}`)).published_at).toBeNull();

      const refused = await test.send("POST", `/api/v1/incidents/${search.id}/publish`);
      expect(refused.status).toBe(409);
      const publish = await test.send("POST", `/api/v1/incidents/${billing.id}/publish`);
      expect(publish.json.published_at).not.toBeNull();
      const impact = await test.send("PATCH", `/api/v1/incidents/${billing.id}`, { impact: "minor", name: "Billing delays" });
      expect(impact.json).toMatchObject({ impact: "minor", impact_override: "minor", name: "Billing delays" });
      const note = await test.send("POST", `/api/v1/incidents/${billing.id}/notes`, { body: "Queue depth 40k; paging the billing team." });
      expect(note.status).toBe(201);
      expect(note.json).toMatchObject({ kind: "incident.note", actor: expect.stringMatching(/^token:/), data: { body: "Queue depth 40k; paging the billing team." } });
      const resolved = await test.send("POST", `/api/v1/incidents/${billing.id}/resolve`, { body: "Fixed the **queue**." });
      expect(resolved.json.status).toBe("resolved");
      const updates = (await api(`/api/v1/incidents/${billing.id}`)).updates;
      expect(updates.at(-1).body_html).toBe("<p>Fixed the <strong>queue</strong>.</p>\n");
      healthy.search = true;
      healthy.billing = true;
      await test.send("POST", `/api/v1/incidents/${search.id}/resolve`);
    }, 90_000);

    it("opens an incident by hand with component statuses that last until it resolves", async () => {
      await expect.poll(() => monitorStatus("search-check"), { timeout: 15_000, interval: 100 }).toBe("up");
      const created = await test.send("POST", "/api/v1/incidents", { name: "Slow searches", body: "We see slow searches.", components: { search: "degraded_performance" } });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ manual: true, hold: true, root_components: ["search"], impact: "minor", published_at: expect.any(String) });
      expect(await componentStatus("search")).toBe("degraded_performance");
      // Automation leaves a hand-opened incident alone even though every monitor is up.
      await test.vigil.incidents.step();
      expect((await api(`/api/v1/incidents/${created.json.id}`)).status).toBe("investigating");
      const bad = await test.send("POST", "/api/v1/incidents", { name: "x", body: "y", components: { nope: "major_outage" } });
      expect(bad.status).toBe(404);
      expect(bad.json.error.message).toContain('"nope"');
      await test.send("POST", `/api/v1/incidents/${created.json.id}/resolve`, { body: "Back to normal." });
      expect(await componentStatus("search")).toBe("operational");
    }, 60_000);

    it("overrides a component's status by hand and hands it back", async () => {
      const set = await test.send("PUT", "/api/v1/components/api/status", { status: "partial_outage" });
      expect(set.json).toEqual({ id: "api", status: "partial_outage", overridden: true });
      expect(await componentStatus("checkout")).toBe("partial_outage");
      const cleared = await test.send("PUT", "/api/v1/components/api/status", { status: null });
      expect(cleared.json).toEqual({ id: "api", status: "operational", overridden: false });
      expect((await test.send("PUT", "/api/v1/components/nope/status", { status: null })).status).toBe(404);
    });

    it("runs maintenance: under maintenance while in progress, failures suppressed, then verifying and completed", async () => {
      const now = Date.now();
      const created = await test.send("POST", "/api/v1/maintenances", {
        name: "Database upgrade",
        body: "Upgrading to **11.8**.",
        components: ["orders-db"],
        scheduled_for: new Date(now - 1000).toISOString(),
        scheduled_until: new Date(now + 4000).toISOString(),
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ status: "in_progress", body_html: "<p>Upgrading to <strong>11.8</strong>.</p>\n" });
      expect(await componentStatus("orders-db")).toBe("under_maintenance");
      const before = (await api("/api/v1/incidents?limit=500")).incidents.length;
      healthy.db = false;
      await expect.poll(() => monitorStatus("db-check"), { timeout: 15_000, interval: 100 }).toBe("down");
      await expect.poll(async () => (await test.vigil.store.events.list({ kind: "maintenance.signal_suppressed" })).length, { timeout: 10_000, interval: 100 }).toBeGreaterThan(0);
      expect((await api("/api/v1/incidents?limit=500")).incidents.length).toBe(before);
      healthy.db = true;
      await expect.poll(() => monitorStatus("db-check"), { timeout: 15_000, interval: 100 }).toBe("up");
      await expect.poll(async () => { await test.vigil.incidents.step(); return (await api(`/api/v1/maintenances/${created.json.id}`)).status; }, { timeout: 15_000, interval: 200 }).toBe("completed");
      const kinds = (await test.vigil.store.events.list({ subject: created.json.id })).map((e) => e.kind);
      expect(kinds).toEqual(["maintenance.scheduled", "maintenance.in_progress", "maintenance.verifying", "maintenance.completed"]);
      expect(await componentStatus("orders-db")).toBe("operational");

      const bad = await test.send("POST", "/api/v1/maintenances", { name: "x", components: ["api"], scheduled_for: "2030-01-01T02:00:00Z", scheduled_until: "2030-01-01T01:00:00Z" });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message).toContain("scheduled_until");
      const later = await test.send("POST", "/api/v1/maintenances", { name: "Later", components: ["api"], scheduled_for: "2030-01-01T01:00:00Z", scheduled_until: "2030-01-01T02:00:00Z" });
      expect(later.json.status).toBe("scheduled");
      expect((await test.send("POST", `/api/v1/maintenances/${later.json.id}/status`, { status: "verifying" })).status).toBe(409);
      expect((await test.send("POST", `/api/v1/maintenances/${later.json.id}/cancel`)).json.status).toBe("cancelled");
    }, 90_000);
  });
}
