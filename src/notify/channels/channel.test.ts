import { describe, expect, it } from "vitest";
import { capitalized, componentLine, facts, toneOf, truncate, truncateBytes, truncateEscaped } from "./channel.ts";
import { incidentOpened, incidentResolved, maintenanceStarted, monitorDown } from "./fixtures.test-helper.ts";

describe("channel helpers", () => {
  it("cut text by characters without splitting an emoji, marking the cut", () => {
    expect(truncate("abcdef", 6)).toBe("abcdef");
    expect(truncate("abcdefg", 6)).toBe("abcde…");
    expect(truncate("🔴🔴🔴🔴", 3)).toBe("🔴🔴…");
  });

  it("cut text by UTF-8 bytes without splitting a character", () => {
    expect(truncateBytes("ééé", 6)).toBe("ééé");
    const cut = truncateBytes("éééé", 7);
    expect(cut).toBe("éé…");
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(7);
  });

  it("cut before escaping, so no entity is cut in half, and fit after escaping", () => {
    const escape = (s: string) => s.replaceAll("&", "&amp;");
    const out = truncateEscaped("&&&&&&&&&&", 12, escape);
    expect(out.length).toBeLessThanOrEqual(12);
    expect(out).toBe("&amp;&amp;…");
  });

  it("word statuses and components the same way in every channel", () => {
    expect(capitalized("major_outage")).toBe("Major outage");
    expect(componentLine({ id: "a", name: "API", group: null, status: "operational", previousStatus: "operational" })).toBe("API: operational");
    expect(facts(incidentResolved()).map(([label]) => label)).toEqual(["Severity", "Status", "Affected", "Started", "Resolved"]);
    expect(facts(monitorDown())).toEqual([
      ["Severity", "Major"],
      ["Status", "Monitor down"],
      ["Affected", "Search: partial outage (was operational)"],
    ]);
  });

  it("tells a resolution and maintenance apart from severity", () => {
    expect([toneOf(incidentOpened()), toneOf(incidentResolved()), toneOf(maintenanceStarted()), toneOf(monitorDown())]).toEqual(["critical", "resolved", "maintenance", "major"]);
  });
});
