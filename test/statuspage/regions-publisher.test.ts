// The publisher follows the regions' statuses (statuspage.show_regions) though no event announces their changes: it
// compares them with what the page shows every 5 s, in memory, and renders only when they differ. Time is manual.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { gatherViewInput } from "../../src/app/statuspage/gather.ts";
import { StatusPagePublisher, regionsCheckMs } from "../../src/app/statuspage/publisher.ts";
import type { RegionStatusOf } from "../../src/app/statuspage/regions.ts";
import { catalogFromConfig } from "../../src/catalog/from-config.ts";
import { formatConfigIssues, parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { buildPageView } from "../../src/statuspage/view/build.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { freshTarget, type StoreTarget } from "../helpers/stores.ts";

const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const config: VigilConfig = (() => {
  const parsed = parseConfigText(
    `
site: { name: Acme Status, url: "https://status.example.com" }
statuspage: { show_regions: true, render_thread: never }
regions: [{ id: eu-west, name: Europe West }]
components: [{ id: api, name: Production API, monitors: [api-health] }]
monitors: [{ id: api-health, type: http, url: "https://api.example.com/health" }]
`,
    "vigil.yaml",
    {},
  );
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
  return parsed.config;
})();

let target: StoreTarget;
let store: Store;

beforeAll(async () => {
  target = await freshTarget("pglite");
  store = await openStore({ url: target.url, dataDir: target.dataDir });
  await store.catalog.sync(catalogFromConfig(config), new Date("2026-11-27T12:00:00Z"), "system");
}, 60_000);

afterAll(async () => {
  await store?.close();
  await target?.dispose();
});

describe("the status page publisher with regions", () => {
  it("renders when a region's status changes, and reads nothing from the store while none does", async () => {
    const timers = new ManualTimers(new ManualClock(new Date("2026-11-27T12:00:30Z")));
    const seen: Record<string, { status: "up" | "down" | "degraded" | "unknown"; stale: boolean }> = { local: { status: "up", stale: false }, "eu-west": { status: "up", stale: false } };
    const regionStatus: RegionStatusOf = (id) => (id === "api-health" ? { regions: { ...seen } } : undefined);
    const publisher = new StatusPagePublisher({ store, clock: timers.clock, timers, logger, config: () => config, publicUrl: () => "https://status.example.com", statuses: () => ({}), regionStatus });
    const page = () => publisher.snapshot?.files.get("/")?.body.toString("utf8").replace(/<[^>]+>/g, "") ?? "";
    try {
      await publisher.start();
      expect(page()).toContain("local: OperationalEurope West: Operational");

      // Nothing changed: the check looks in memory only.
      const reads = vi.spyOn(store.events, "list");
      await timers.advance(regionsCheckMs * 2);
      expect(reads).not.toHaveBeenCalled();

      // Europe West sees it down, with no event to say so: the page follows within a check and the debounce.
      seen["eu-west"] = { status: "down", stale: false };
      await timers.advance(regionsCheckMs + 1_000);
      expect(page()).toContain("local: OperationalEurope West: Down");
      // The region goes silent: no data.
      seen["eu-west"] = { status: "down", stale: true };
      await timers.advance(regionsCheckMs + 1_000);
      expect(page()).toContain("local: OperationalEurope West: No data");
      reads.mockRestore();
    } finally {
      await publisher.stop();
    }
  });

  it("gives an export (from the store, no checks running) no regions", async () => {
    const view = buildPageView(await gatherViewInput(store, config, { now: new Date("2026-11-27T12:01:00Z"), publicUrl: "https://status.example.com", fromConfig: true }));
    expect(view.components.map((c) => c.id)).toEqual(["api"]);
    expect(view.components.some((c) => c.regions !== undefined)).toBe(false);
  });
});
