import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../test/helpers/page-view.ts";
import { v2Summary } from "../../statuspage/render/v2.ts";
import { statuspageFormat } from "./statuspage.ts";
import { VigilConfig, vigilFormat } from "./vigil.ts";

const view = samplePageView();
const config = VigilConfig.parse({ url: "https://status.example.com" });
const ctx = { now: new Date("2026-11-27T13:30:00Z"), url: vigilFormat.url(config) };
/** What another Vigil serves at /api/v2/summary.json, byte for byte as its API would send it. */
const body = JSON.stringify(v2Summary(view));
const snapshot = vigilFormat.parse(body, config, ctx);

describe("vigil: another Vigil's summary.json, round trip through Vigil's own v2 renderer", () => {
  it("fetches the page's summary.json as JSON", () => {
    expect(ctx.url).toBe("https://status.example.com/api/v2/summary.json");
    expect(vigilFormat.accept).toBe("application/json");
  });

  it("reads every component with its group and status, the group row itself left out", () => {
    expect(snapshot.components).toEqual([
      { id: "orders-db", name: "Orders database", group: "Infrastructure", status: "major_outage" },
      { id: "cache", name: "Cache", group: "Infrastructure", status: "operational" },
      { id: "api", name: "Production API", group: null, status: "major_outage" },
      { id: "checkout", name: "Checkout <beta>", group: null, status: "degraded_performance" },
    ]);
  });

  it("reads the unresolved incident, its newest update as plain text (the script dropped)", () => {
    expect(snapshot.incidents).toEqual([
      {
        id: "inc_00000000000000a1",
        title: "Orders database outage",
        status: "identified",
        impact: "critical",
        url: "https://status.example.com/incidents/inc_00000000000000a1",
        startedAt: new Date("2026-11-27T13:20:05Z"),
        updatedAt: new Date("2026-11-27T13:25:00Z"),
        resolvedAt: null,
        text: "The primary ran out of disk; failing over.",
        components: ["Orders database", "Production API"],
      },
    ]);
  });

  it("reads the active and the upcoming maintenance", () => {
    expect(snapshot.maintenances).toEqual([
      {
        id: "mnt_00000000000000c2",
        title: "Network work",
        status: "scheduled",
        url: "https://status.example.com/maintenances/mnt_00000000000000c2",
        scheduledFor: new Date("2026-12-02T01:00:00Z"),
        scheduledUntil: new Date("2026-12-02T03:00:00Z"),
        components: ["Production API"],
      },
      {
        id: "mnt_00000000000000c1",
        title: "Cache upgrade",
        status: "in_progress",
        url: "https://status.example.com/maintenances/mnt_00000000000000c1",
        scheduledFor: new Date("2026-11-27T13:00:00Z"),
        scheduledUntil: new Date("2026-11-27T15:00:00Z"),
        components: ["Cache"],
      },
    ]);
  });

  it("matches the statuspage reader field for field", () => {
    expect(statuspageFormat.parse(body, config, ctx)).toEqual(snapshot);
  });
});
