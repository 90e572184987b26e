import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { registerEventLoopDelay } from "./event-loop.ts";

/** The summary's samples in one scrape, by quantile label, `sum` and `count`. */
async function scrape(registry: Registry): Promise<Record<string, number>> {
  const text = await registry.metrics();
  const found: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^vigil_event_loop_delay_seconds(?:\{quantile="([\d.]+)"\}|_(sum|count)) (\S+)$/.exec(line);
    if (m) found[m[1] ?? m[2]!] = Number(m[3]);
  }
  return found;
}

/** Keeps the event loop busy for `ms`, as a long synchronous task does. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe("vigil_event_loop_delay_seconds", () => {
  it("is a summary of the delays since the previous scrape, with the maximum as quantile 1, and running sum and count", async () => {
    const registry = new Registry();
    registerEventLoopDelay(registry);
    expect(await registry.metrics()).toContain("# TYPE vigil_event_loop_delay_seconds summary");
    await scrape(registry);
    block(150);
    // The delay is sampled by a timer once the loop is free again: read scrapes until one has it.
    let worst = 0;
    let first: Record<string, number> = {};
    await expect
      .poll(async () => {
        const s = await scrape(registry);
        if ((s["1"] ?? 0) > worst) [worst, first] = [s["1"]!, s];
        return worst;
      })
      .toBeGreaterThan(0.13);
    expect(first["0.99"]).toBeLessThanOrEqual(first["1"]!);
    expect(first["sum"]).toBeGreaterThan(0.13);
    // Each scrape starts a new window: the blocked moment is no longer in the quantiles, but stays in the sum and count.
    await expect.poll(async () => (await scrape(registry))["1"], { timeout: 5_000 }).toBeLessThan(0.13);
    const later = await scrape(registry);
    expect(later["count"]).toBeGreaterThanOrEqual(first["count"]!);
    expect(later["sum"]).toBeGreaterThanOrEqual(first["sum"]!);
  });
});
