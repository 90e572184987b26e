import { describe, expect, it } from "vitest";
import { regionChange, regionsToAsk } from "./cross-region.ts";
import { detect } from "./detect.ts";
import { resolvePolicy } from "./policy.ts";
import type { CheckStatus, MonitorState } from "./types.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const regions = ["local", "eu", "us"];

/**
 * Feeds "12 eu down" lines through detection and says, after each, which regions the rule asks to check at once
 * ("eu failure → local us", or "-" when none).
 */
function asks(lines: readonly string[], ignored: ReadonlySet<string> = new Set()): string[] {
  const policy = resolvePolicy(20_000, {});
  let state: MonitorState | undefined;
  return lines.map((line) => {
    const [s = "", region = "", status = ""] = line.split(" ");
    const at = new Date(t0 + Number(s) * 1000);
    const previous = state?.regions[region];
    state = detect(state, { monitorId: "api", region, at, status: status as CheckStatus, latencyMs: 3, facts: {} }, policy, at).state;
    const change = regionChange(previous, state.regions[region]!);
    if (change === undefined) return "-";
    return `${region} ${change} → ${regionsToAsk(state, region, change, regions, ignored).join(" ") || "none"}`;
  });
}

describe("cross-region confirmation", () => {
  it.each<{ name: string; lines: string[]; ignored?: string[]; want: string[] }>([
    {
      name: "a first failure asks the other regions once; its own re-check asks nothing more",
      lines: ["0 local up", "7 eu up", "14 us up", "20 local down", "21 local down"],
      want: ["-", "-", "-", "local failure → eu us", "-"],
    },
    {
      name: "a region that has already seen the failure is not asked",
      lines: ["0 local up", "7 eu up", "14 us up", "20 local down", "20.1 eu down", "20.2 us up"],
      want: ["-", "-", "-", "local failure → eu us", "eu failure → us", "-"],
    },
    {
      name: "a recovery asks the regions still failing, and those not heard from yet",
      lines: ["0 local down", "1 local down", "7 eu down", "8 eu down", "20 local up"],
      want: ["-", "-", "-", "-", "local recovery → eu us"],
    },
    {
      name: "a recovery does not ask a region already seeing it up",
      lines: ["0 local down", "1 local down", "7 eu down", "8 eu down", "9 us up", "20 local up"],
      want: ["-", "-", "-", "-", "-", "local recovery → eu"],
    },
    {
      name: "a region's first result ever is a start, not a change, whatever it says",
      lines: ["0 local down", "0 eu down"],
      want: ["-", "-"],
    },
    {
      name: "an isolated region is never asked",
      lines: ["0 local up", "7 eu up", "14 us up", "20 local down"],
      ignored: ["us"],
      want: ["-", "-", "-", "local failure → eu"],
    },
    {
      name: "flapping asks at most once per turn of the region's results: no storm",
      lines: ["0 local up", "7 eu up", "14 us up", "20 local down", "21 local up", "22 local down", "23 local up", "40 local up"],
      want: ["-", "-", "-", "local failure → eu us", "local recovery → none", "local failure → eu us", "local recovery → none", "-"],
    },
  ])("$name", ({ lines, ignored, want }) => {
    expect(asks(lines, new Set(ignored))).toEqual(want);
  });
});
