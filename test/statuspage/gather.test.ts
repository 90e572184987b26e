// What a status page render reads: the bars' 91 days of status changes and each component's change in force at their
// start, never the whole history. A component whose outage began long ago, behind a flapping neighbour's thousands
// of older changes, still shows its outage.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatherViewInput } from "../../src/app/statuspage/gather.ts";
import { catalogFromConfig } from "../../src/catalog/from-config.ts";
import { formatConfigIssues, parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { openStore } from "../../src/store/open.ts";
import type { NewEvent, Store } from "../../src/store/types.ts";
import { buildPageView } from "../../src/statuspage/view/build.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

const config: VigilConfig = (() => {
  const parsed = parseConfigText(
    `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: api, name: Production API, monitors: [api-health] }
  - { id: db, name: Database, monitors: [db-health] }
  - { id: web, name: Website, monitors: [web-health] }
monitors:
  - { id: api-health, type: http, url: "https://api.example.com/health" }
  - { id: db-health, type: http, url: "https://db.example.com/health" }
  - { id: web-health, type: http, url: "https://www.example.com/health" }
`,
    "vigil.yaml",
    {},
  );
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
  return parsed.config;
})();

const now = new Date("2026-11-27T12:00:00Z");
const daysAgo = (days: number, plusMs = 0) => new Date(now.getTime() - days * 86_400_000 + plusMs);
const change = (component: string, at: Date, from: string, to: string): NewEvent => ({ at, kind: "component.status_changed", subject: component, actor: "system", data: { component, from, to } });

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the status page's reads on ${backend.name}`, () => {
    let target: StoreTarget;
    let store: Store;

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      store = await openStore({ url: target.url, dataDir: target.dataDir });
      await store.catalog.sync(catalogFromConfig(config), daysAgo(400), "system");
      const flaps: NewEvent[] = [];
      // The database flapped 12,000 times between 200 and 100 days ago, after the API's outage began.
      for (let i = 0; i < 12_000; i++) flaps.push(change("db", daysAgo(200, i * 60_000), i % 2 ? "major_outage" : "operational", i % 2 ? "operational" : "major_outage"));
      await store.events.appendMany([change("api", daysAgo(300), "operational", "major_outage"), ...flaps, change("db", daysAgo(10), "operational", "degraded_performance"), change("db", daysAgo(9), "degraded_performance", "operational")]);
    }, 120_000);

    afterAll(async () => {
      await store?.close();
      await target?.dispose();
    });

    it("reads the bars' days and each component's change in force, and shows an outage older than the bars", async () => {
      const input = await gatherViewInput(store, config, { now, publicUrl: "https://status.example.com" });
      expect(input.changes.map((c) => `${c.componentId}:${c.to}`)).toEqual(["api:major_outage", "db:operational", "db:degraded_performance", "db:operational"]);
      // Without the engine's live statuses (an export), each component's last recorded one.
      expect(input.statuses).toEqual({ api: "major_outage", db: "operational" });
      expect(input.statusChangedAt?.["api"]).toEqual(daysAgo(300));
      expect(input.statusChangedAt?.["db"]).toEqual(daysAgo(9));
      expect(input.statusChangedAt?.["web"]).toBeUndefined();

      const view = buildPageView(input);
      const api = view.components.find((c) => c.id === "api");
      expect(api?.status).toBe("major_outage");
      expect(api?.days).toHaveLength(90);
      expect(api?.days.every((d) => d.status === "major_outage")).toBe(true);
      expect(api?.uptimePercent).toBe(0);
    });
  });
}
