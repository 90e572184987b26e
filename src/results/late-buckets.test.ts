import { describe, expect, it } from "vitest";
import { staleRollups } from "./late-buckets.ts";

const at = (iso: string) => new Date(iso);
const show = (ranges: ReturnType<typeof staleRollups>) => ranges.map((r) => `${r.unit} ${r.from.toISOString().slice(0, 16)}..${r.to.toISOString().slice(0, 16)} ${r.monitorIds.join(",")}`);

describe("staleRollups", () => {
  it("is nothing for no late results", () => {
    expect(staleRollups([])).toEqual([]);
  });

  it("makes one range per unit of adjacent buckets of the same monitors", () => {
    const buckets = ["10:58", "10:59", "11:00", "11:01"].flatMap((t) => ["a", "b"].map((monitorId) => ({ monitorId, minute: at(`2026-11-25T${t}:00Z`) })));
    expect(show(staleRollups(buckets))).toEqual(["minute 2026-11-25T10:58..2026-11-25T11:02 a,b", "hour 2026-11-25T10:00..2026-11-25T12:00 a,b", "day 2026-11-25T00:00..2026-11-26T00:00 a,b"]);
  });

  it("splits at a gap and where the monitors differ", () => {
    const buckets = [
      { monitorId: "a", minute: at("2026-11-25T10:00:00Z") },
      { monitorId: "a", minute: at("2026-11-25T10:01:00Z") },
      { monitorId: "b", minute: at("2026-11-25T10:01:00Z") },
      { monitorId: "a", minute: at("2026-11-25T10:05:00Z") },
      { monitorId: "a", minute: at("2026-11-24T23:59:00Z") },
    ];
    expect(show(staleRollups(buckets))).toEqual([
      "minute 2026-11-24T23:59..2026-11-25T00:00 a",
      "minute 2026-11-25T10:00..2026-11-25T10:01 a",
      "minute 2026-11-25T10:01..2026-11-25T10:02 a,b",
      "minute 2026-11-25T10:05..2026-11-25T10:06 a",
      "hour 2026-11-24T23:00..2026-11-25T00:00 a",
      "hour 2026-11-25T10:00..2026-11-25T11:00 a,b",
      "day 2026-11-24T00:00..2026-11-25T00:00 a",
      "day 2026-11-25T00:00..2026-11-26T00:00 a,b",
    ]);
  });
});
