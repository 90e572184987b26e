import { describe, expect, it } from "vitest";
import { uptimeOf, windowRollups } from "./uptime.ts";

describe("uptimeOf", () => {
  it.each([
    [[], { checks: 0, failures: 0, degraded: 0, uptimePercent: null }],
    [[{ checks: 10, failures: 0, degraded: 3 }], { checks: 10, failures: 0, degraded: 3, uptimePercent: 100 }],
    [[{ checks: 2880, failures: 1, degraded: 0 }, { checks: 120, failures: 2, degraded: 1 }], { checks: 3000, failures: 3, degraded: 1, uptimePercent: 99.9 }],
    [[{ checks: 3, failures: 1, degraded: 0 }], { checks: 3, failures: 1, degraded: 0, uptimePercent: 66.667 }],
  ])("sums %j", (rollups, expected) => {
    expect(uptimeOf(rollups)).toEqual(expected);
  });
});

describe("the rollups of a window", () => {
  const minute = 60_000;
  const hour = 3_600_000;
  const t0 = Date.parse("2026-12-01T00:00:00Z");
  /** Rows by bucket, as the store lists them: `start` in [from, to), oldest first. */
  const lister = (rows: Record<string, { start: number; checks: number }[]>) => async (bucket: string, from: Date, to: Date) =>
    (rows[bucket] ?? []).filter((r) => r.start >= from.getTime() && r.start < to.getTime()).map((r) => ({ start: new Date(r.start), checks: r.checks, failures: 0, degraded: 0 }));
  const total = (rows: readonly { checks: number }[]) => rows.reduce((sum, r) => sum + r.checks, 0);

  it("counts a monitor added a moment ago by the minute, before any hour is rolled up", async () => {
    const list = lister({ minute: [{ start: t0 + 10 * minute, checks: 6 }, { start: t0 + 11 * minute, checks: 6 }] });
    const rows = await windowRollups(list, "hour", new Date(t0 - 30 * 24 * hour), new Date(t0 + 12 * minute));
    expect(total(rows)).toBe(12);
    expect(uptimeOf(rows).uptimePercent).toBe(100);
  });

  it("counts settled hours once and the hour after them by the minute, leaving out an hour rolled up before it ended", async () => {
    const now = t0 + 2 * hour + 30 * minute;
    const list = lister({
      hour: [
        { start: t0, checks: 100 },
        { start: t0 + hour, checks: 100 },
        // Written at 02:05, before the hour ended: its minutes count instead.
        { start: t0 + 2 * hour, checks: 10 },
      ],
      minute: [
        { start: t0 + 59 * minute, checks: 7 }, // inside a settled hour: not counted twice
        ...Array.from({ length: 30 }, (_, i) => ({ start: t0 + 2 * hour + i * minute, checks: 1 })),
      ],
    });
    expect(total(await windowRollups(list, "hour", new Date(t0), new Date(now)))).toBe(230);
  });

  it("leaves out an hour that ended less than its recomputation's lag ago, counting its minutes", async () => {
    const now = t0 + hour + 3 * minute;
    const list = lister({ hour: [{ start: t0, checks: 50 }], minute: Array.from({ length: 63 }, (_, i) => ({ start: t0 + i * minute, checks: 1 })) });
    expect(total(await windowRollups(list, "hour", new Date(t0), new Date(now)))).toBe(63);
  });

  it("fills a window of days with hours, then minutes", async () => {
    const day = 24 * hour;
    const now = t0 + day + 3 * hour;
    const list = lister({ day: [{ start: t0, checks: 1000 }], hour: [{ start: t0 + day, checks: 20 }, { start: t0 + day + hour, checks: 20 }], minute: Array.from({ length: 60 }, (_, i) => ({ start: t0 + day + 2 * hour + i * minute, checks: 1 })) });
    expect(total(await windowRollups(list, "day", new Date(t0), new Date(now)))).toBe(1100);
  });
});
