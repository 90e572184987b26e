import { describe, expect, it } from "vitest";
import type { ComponentStatus } from "./component-status.ts";
import { impactOf, type Impact, type ImpactComponent } from "./impact.ts";

// A site of four services; `statuses` lists the affected ones (the rest are operational and not in the incident).
const four: ImpactComponent[] = [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }];
const of = (statuses: Record<string, ComponentStatus>, site: ImpactComponent[] = four): Impact => impactOf(statuses, Object.keys(statuses), site);

describe("impactOf", () => {
  it.each<[string, Record<string, ComponentStatus>, Impact]>([
    ["nothing affected", {}, "none"],
    ["affected but operational again", { a: "operational" }, "none"],
    ["under maintenance", { a: "under_maintenance", b: "under_maintenance", c: "under_maintenance" }, "none"],
    ["one degraded", { a: "degraded_performance" }, "minor"],
    ["one partial outage", { a: "partial_outage" }, "minor"],
    ["all four partial outage", { a: "partial_outage", b: "partial_outage", c: "partial_outage", d: "partial_outage" }, "minor"],
    ["one of four down", { a: "major_outage" }, "major"],
    ["two of four down: half is not most", { a: "major_outage", b: "major_outage" }, "major"],
    ["three of four down", { a: "major_outage", b: "major_outage", c: "major_outage" }, "critical"],
    ["all four down", { a: "major_outage", b: "major_outage", c: "major_outage", d: "major_outage" }, "critical"],
    ["maintenance adds nothing to an outage", { a: "major_outage", b: "under_maintenance", c: "under_maintenance" }, "major"],
  ])("%s → %s", (_what, statuses, expected) => {
    expect(of(statuses)).toBe(expected);
  });

  it("rates a site of one component down critical: all of it is down", () => {
    expect(of({ a: "major_outage" }, [{ id: "a" }])).toBe("critical");
  });

  it("counts only the site's visible components in the share", () => {
    const site: ImpactComponent[] = [{ id: "a" }, { id: "b" }, { id: "internal-1", hidden: true }, { id: "internal-2", hidden: true }];
    expect(of({ a: "major_outage", "internal-1": "major_outage" }, site)).toBe("major");
    expect(of({ a: "major_outage", b: "major_outage" }, site)).toBe("critical");
  });

  it("counts a component down only when the incident holds it", () => {
    expect(impactOf({ a: "major_outage", b: "major_outage", c: "major_outage" }, ["a"], four)).toBe("major");
  });

  it("takes a component's own impact for its major outage, whatever the share", () => {
    const site: ImpactComponent[] = [{ id: "checkout", impact: "critical" }, { id: "b" }, { id: "c" }, { id: "d" }, { id: "wiki", impact: "minor" }];
    expect(of({ checkout: "major_outage" }, site)).toBe("critical");
    expect(of({ checkout: "partial_outage" }, site)).toBe("minor");
    expect(of({ wiki: "major_outage" }, site)).toBe("minor");
    // Components with an impact of their own are out of the share: two of the other three down is most of them.
    expect(of({ wiki: "major_outage", b: "major_outage", c: "major_outage" }, site)).toBe("critical");
    expect(of({ internal: "major_outage" }, [{ id: "internal", impact: "none" }, { id: "b" }])).toBe("none");
    expect(of({ internal: "degraded_performance" }, [{ id: "internal", impact: "none" }, { id: "b" }])).toBe("none");
  });
});
