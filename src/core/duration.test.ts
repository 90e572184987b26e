import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["0s", 0],
    ["5s", 5_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1d", 86_400_000],
    ["1m30s", 90_000],
    ["1h30m", 5_400_000],
    ["1d2h3m4s5ms", 93_784_005],
    ["1s500ms", 1_500],
    ["90s", 90_000],
    ["007s", 7_000],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [""],
    ["5"],
    ["-5s"],
    ["+5s"],
    ["5 s"],
    [" 5s"],
    ["5s "],
    ["1.5s"],
    ["5S"],
    ["5sec"],
    ["5w"],
    ["fast"],
    ["s"],
    ["30s1m"],
    ["1m1m"],
    ["1m 30s"],
    ["5ms5s"],
    ["99999999999999999d"],
  ])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [1, "1ms"],
    [500, "500ms"],
    [1_000, "1s"],
    [1_500, "1s500ms"],
    [60_000, "1m"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [86_400_000, "1d"],
    [93_784_005, "1d2h3m4s5ms"],
  ])("formats %i as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([[-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY]])("refuses %d", (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });
});
