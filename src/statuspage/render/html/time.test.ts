import { describe, expect, it } from "vitest";
import { addDays, dayKey, formatDateTime, formatDay, formatMonth, isoUtc, monthNumber, zoneOf } from "./time.ts";

const november = new Date("2026-11-27T13:20:06Z");
const july = new Date("2026-07-01T10:05:00Z");

describe("times in the page's zone", () => {
  it("writes Europe/Paris in November as CET, one hour ahead of UTC", () => {
    const paris = zoneOf("Europe/Paris");
    expect(formatDateTime(november, paris)).toBe("27 Nov 2026, 14:20 CET");
    expect(paris.offset(november)).toBe("UTC+01:00");
  });

  it("writes Europe/Paris in July as CEST, two hours ahead", () => {
    const paris = zoneOf("Europe/Paris");
    expect(formatDateTime(july, paris)).toBe("1 Jul 2026, 12:05 CEST");
    expect(paris.offset(july)).toBe("UTC+02:00");
  });

  it("names American zones by their abbreviation and others by their offset", () => {
    expect(formatDateTime(november, zoneOf("America/New_York"))).toBe("27 Nov 2026, 08:20 EST");
    expect(formatDateTime(november, zoneOf("Asia/Tokyo"))).toBe("27 Nov 2026, 22:20 UTC+09:00");
    expect(formatDateTime(november, zoneOf("Asia/Kolkata"))).toBe("27 Nov 2026, 18:50 UTC+05:30");
    expect(formatDateTime(november, zoneOf("UTC"))).toBe("27 Nov 2026, 13:20 UTC");
  });

  it("falls back to UTC for a zone Intl does not know", () => {
    const zone = zoneOf("Mars/Olympus_Mons");
    expect(zone.id).toBe("UTC");
    expect(formatDateTime(november, zone)).toBe("27 Nov 2026, 13:20 UTC");
  });

  it("writes midnight as 00, not 24", () => {
    expect(formatDateTime(new Date("2026-11-27T23:00:00Z"), zoneOf("Europe/Paris"))).toBe("28 Nov 2026, 00:00 CET");
  });

  it("keeps the UTC instant to the second for datetime attributes", () => {
    expect(isoUtc(new Date("2026-11-27T13:20:06.789Z"))).toBe("2026-11-27T13:20:06Z");
    expect(isoUtc(new Date(Number.NaN))).toBe("");
    expect(formatDateTime(new Date(Number.NaN), zoneOf("UTC"))).toBe("unknown time");
  });

  it("finds the day and month in the zone", () => {
    const paris = zoneOf("Europe/Paris");
    const late = new Date("2026-11-30T23:30:00Z");
    expect(dayKey(late, paris)).toBe("2026-12-01");
    expect(dayKey(late, zoneOf("UTC"))).toBe("2026-11-30");
    expect(formatMonth(monthNumber(late, paris))).toBe("December 2026");
  });
});

describe("days", () => {
  it("formats and steps YYYY-MM-DD days", () => {
    expect(formatDay("2026-11-27")).toBe("27 Nov 2026");
    expect(formatDay("2026-01-05")).toBe("5 Jan 2026");
    expect(formatDay("not a day")).toBe("not a day");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });
});
