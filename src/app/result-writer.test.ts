import { describe, expect, it } from "vitest";
import { ManualTimers } from "../../test/helpers/manual-timers.ts";
import type { MonitorStateRow, NewCheckResult, Store } from "../store/types.ts";
import { ResultWriter } from "./result-writer.ts";

const result = (monitorId: string, s: number): NewCheckResult => ({ monitorId, region: "local", at: new Date(s * 1000), status: "up", latencyMs: 1, facts: {} });
const state = (monitorId: string, status: string): MonitorStateRow => ({ monitorId, status, state: { status }, updatedAt: new Date(0) });

/** A store stand-in that records batches and can be told to fail, as an unreachable database does. */
function recordingStore() {
  const batches: { results: NewCheckResult[]; states: MonitorStateRow[] }[] = [];
  let failures = 0;
  let attempts = 0;
  const tx = { results: { insertMany: async (rows: NewCheckResult[]) => void batches.at(-1)!.results.push(...rows) }, monitorStates: { save: async (rows: MonitorStateRow[]) => void batches.at(-1)!.states.push(...rows) } };
  const store = {
    transaction: async (fn: (t: typeof tx) => Promise<void>) => {
      attempts++;
      if (failures > 0) {
        failures--;
        throw new Error("store unavailable");
      }
      batches.push({ results: [], states: [] });
      await fn(tx);
    },
  } as unknown as Pick<Store, "results" | "monitorStates" | "transaction">;
  return { store, batches, failNext: (n: number) => (failures = n), attempts: () => attempts };
}

describe("ResultWriter", () => {
  it("writes results in one batch per interval, or as soon as the batch is full", async () => {
    const timers = new ManualTimers();
    const { store, batches } = recordingStore();
    const writer = new ResultWriter({ store, timers, flushEveryMs: 1000, maxBatch: 3, onError: () => undefined });
    writer.add(result("a", 1));
    writer.add(result("b", 1));
    await timers.advance(999);
    expect(batches).toHaveLength(0);
    await timers.advance(1);
    expect(batches.map((b) => b.results.length)).toEqual([2]);
    writer.add(result("a", 2));
    writer.add(result("b", 2));
    writer.add(result("c", 2));
    await timers.advance(0);
    expect(batches.map((b) => b.results.length)).toEqual([2, 3]);
  });

  it("keeps a failed batch for the next flush, with the newest state of each monitor", async () => {
    const timers = new ManualTimers();
    const { store, batches, failNext } = recordingStore();
    const errors: unknown[] = [];
    const writer = new ResultWriter({ store, timers, flushEveryMs: 1000, maxBatch: 100, onError: (e) => errors.push(e) });
    failNext(1);
    writer.add(result("a", 1), state("a", "down"));
    await timers.advance(1000);
    expect(errors).toHaveLength(1);
    expect(writer.pending).toBe(1);
    writer.add(result("a", 2), state("a", "up"));
    await timers.advance(1000);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.results.map((r) => r.at.getTime())).toEqual([1000, 2000]);
    expect(batches[0]!.states).toEqual([state("a", "up")]);
    expect(writer.pending).toBe(0);
  });

  it("does not retry on every new result while the store is failing: the timer retries", async () => {
    const timers = new ManualTimers();
    const { store, batches, failNext, attempts } = recordingStore();
    const writer = new ResultWriter({ store, timers, flushEveryMs: 1000, maxBatch: 3, onError: () => undefined });
    failNext(1);
    for (let i = 0; i < 3; i++) writer.add(result("a", i));
    await timers.advance(0);
    expect(attempts()).toBe(1);
    for (let i = 3; i < 30; i++) writer.add(result("a", i));
    await timers.advance(0);
    expect(attempts()).toBe(1);
    await timers.advance(1000);
    expect(attempts()).toBe(2);
    expect(batches.map((b) => b.results.length)).toEqual([30]);
  });

  it("bounds what it keeps while the store is down, dropping the oldest and counting them", async () => {
    const timers = new ManualTimers();
    const { store, batches, failNext } = recordingStore();
    const dropped: number[] = [];
    const writer = new ResultWriter({ store, timers, flushEveryMs: 1000, maxBatch: 1000, maxBuffered: 5, onError: () => undefined, onDropped: (n) => dropped.push(n) });
    failNext(2);
    for (let i = 0; i < 4; i++) writer.add(result("a", i));
    await timers.advance(1000);
    expect(dropped).toEqual([]);
    for (let i = 4; i < 8; i++) writer.add(result("a", i));
    await timers.advance(1000);
    expect(dropped).toEqual([3]);
    expect(writer.pending).toBe(5);
    await timers.advance(1000);
    expect(batches.map((b) => b.results.map((r) => r.at.getTime() / 1000))).toEqual([[3, 4, 5, 6, 7]]);
  });
});
