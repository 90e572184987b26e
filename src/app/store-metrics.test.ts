import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { registerStoreGauges } from "./store-metrics.ts";

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-store-metrics-"));
  store = await openStore({ dataDir: path.join(dir, "data") });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A gauge's value per table in one scrape. */
async function perTable(registry: Registry, name: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const line of (await registry.metrics()).split("\n")) {
    const m = new RegExp(`^${name}\\{table="([a-z_]+)"\\} (\\S+)$`).exec(line);
    if (m) found.set(m[1]!, Number(m[2]));
  }
  return found;
}

describe("the store's table gauges", () => {
  it("give every table's size on disk and estimated rows, which follow what is written", async () => {
    const registry = new Registry();
    registerStoreGauges(registry, () => store.stats.tables());
    const bytes = await perTable(registry, "vigil_store_table_bytes");
    expect([...bytes.keys()]).toEqual(expect.arrayContaining(["events", "deliveries", "notification_messages", "check_results", "check_rollups", "audit_log", "action_runs"]));
    expect(bytes.get("events")).toBeGreaterThanOrEqual(8192);
    const before = bytes.get("check_results")!;
    await store.results.insertMany(Array.from({ length: 5_000 }, (_, i) => ({ monitorId: "m", region: "local", at: new Date(1_700_000_000_000 + i * 1000), status: "up" as const, latencyMs: 1, facts: { body: "x".repeat(100) } })));
    // A scrape reuses a read younger than two seconds: the next ones see the rows.
    await expect.poll(async () => (await perTable(registry, "vigil_store_table_rows")).get("check_results"), { timeout: 10_000, interval: 500 }).toBe(5_000);
    expect((await perTable(registry, "vigil_store_table_bytes")).get("check_results")).toBeGreaterThan(before + 500_000);
  });
});
