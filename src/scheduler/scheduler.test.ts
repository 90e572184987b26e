import { describe, expect, it } from "vitest";
import { ManualTimers } from "../../test/helpers/manual-timers.ts";
import { Scheduler, type ScheduledMonitor } from "./scheduler.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const monitor = (id: string, intervalMs = 10_000, extra: Partial<ScheduledMonitor> = {}): ScheduledMonitor => ({ id, intervalMs, timeoutMs: 2_000, recheckMs: 1_000, ...extra });

/** A scheduler over manual timers that records when each check starts (ms since t0). */
function harness(options: { concurrency?: number; random?: () => number; run?: (m: ScheduledMonitor, signal: AbortSignal) => Promise<{ recheck: boolean }> } = {}) {
  const timers = new ManualTimers();
  const starts: [string, number][] = [];
  const lags: number[] = [];
  const scheduler = new Scheduler({
    clock: timers.clock,
    timers,
    concurrency: options.concurrency ?? 10,
    random: options.random ?? (() => 0),
    onLag: (ms) => lags.push(ms),
    run: async (m, signal) => {
      starts.push([m.id, timers.clock.now().getTime() - t0]);
      return options.run ? options.run(m, signal) : { recheck: false };
    },
  });
  return { timers, scheduler, starts, lags };
}

/** A check that stays running until released. */
function blocker() {
  const releases: (() => void)[] = [];
  const run = () => new Promise<{ recheck: boolean }>((resolve) => releases.push(() => resolve({ recheck: false })));
  return { run, release: () => releases.splice(0).forEach((r) => r()) };
}

describe("Scheduler", () => {
  it("runs each monitor every interval, first checks spread by jitter", async () => {
    const randoms = [0, 0.5, 0.25];
    const { timers, scheduler, starts } = harness({ random: () => randoms.shift() ?? 0 });
    scheduler.set([monitor("a"), monitor("b"), monitor("c")]);
    await timers.advance(25_000);
    expect(starts).toEqual([["a", 0], ["c", 2_500], ["b", 5_000], ["a", 10_000], ["c", 12_500], ["b", 15_000], ["a", 20_000], ["c", 22_500], ["b", 25_000]]);
    await scheduler.stop();
  });

  it("re-checks quickly when the runner asks, then returns to the interval", async () => {
    let calls = 0;
    const { timers, scheduler, starts } = harness({ run: async () => ({ recheck: ++calls === 2 }) });
    scheduler.set([monitor("a")]);
    await timers.advance(25_000);
    expect(starts.map(([, at]) => at)).toEqual([0, 10_000, 11_000, 21_000]);
    await scheduler.stop();
  });

  it("never runs two checks of one monitor at once, and resumes on its grid after a slow check", async () => {
    const slow = blocker();
    const { timers, scheduler, starts } = harness({ run: slow.run });
    scheduler.set([monitor("a", 1_000, { timeoutMs: 60_000 })]);
    await timers.advance(5_500);
    expect(starts).toEqual([["a", 0]]);
    slow.release();
    await timers.advance(499);
    expect(starts).toEqual([["a", 0]]);
    await timers.advance(1);
    expect(starts).toEqual([["a", 0], ["a", 6_000]]);
    slow.release();
    await timers.advance(1_000);
    expect(starts.map(([, at]) => at)).toEqual([0, 6_000, 7_000]);
    slow.release();
    await scheduler.stop();
  });

  it("holds at most `concurrency` checks at once; the rest wait in due order and their lag is measured", async () => {
    const slow = blocker();
    const randoms = [0, 0.1, 0.2, 0.3];
    const { timers, scheduler, starts, lags } = harness({ concurrency: 2, run: slow.run, random: () => randoms.shift() ?? 0 });
    scheduler.set(["a", "b", "c", "d"].map((id) => monitor(id, 10_000, { timeoutMs: 60_000 })));
    await timers.advance(5_000);
    expect(scheduler.running).toBe(2);
    expect(starts.map(([id]) => id)).toEqual(["a", "b"]);
    slow.release();
    await timers.advance(0);
    expect(starts.map(([id, at]) => `${id}@${at}`)).toEqual(["a@0", "b@1000", "c@5000", "d@5000"]);
    expect(lags).toEqual([0, 0, 3_000, 2_000]);
    slow.release();
    await scheduler.stop();
  });

  it("aborts a check at its timeout", async () => {
    let reason: unknown;
    const { timers, scheduler } = harness({
      run: (_m, signal) =>
        new Promise((resolve) =>
          signal.addEventListener("abort", () => {
            reason = signal.reason;
            resolve({ recheck: false });
          }),
        ),
    });
    scheduler.set([monitor("a", 10_000, { timeoutMs: 2_000 })]);
    await timers.advance(1_999);
    expect(reason).toBeUndefined();
    await timers.advance(1);
    expect(String(reason)).toContain("timeout after 2000 ms");
    await scheduler.stop();
  });

  it("follows changes: removed monitors stop, new ones start, a changed interval takes effect", async () => {
    const { timers, scheduler, starts } = harness();
    scheduler.set([monitor("a"), monitor("b")]);
    await timers.advance(5_000);
    scheduler.set([monitor("a", 2_000), monitor("c")]);
    await timers.advance(5_000);
    expect(starts.map(([id, at]) => `${id}@${at}`)).toEqual(["a@0", "b@0", "a@5000", "c@5000", "a@7000", "a@9000"]);
    await scheduler.stop();
  });

  it("stop() aborts checks in flight and waits for them", async () => {
    let aborted = false;
    const { timers, scheduler } = harness({
      run: (_m, signal) => new Promise((resolve) => signal.addEventListener("abort", () => ((aborted = true), resolve({ recheck: false })))),
    });
    scheduler.set([monitor("a", 10_000, { timeoutMs: 60_000 })]);
    await timers.advance(1);
    await scheduler.stop();
    expect(aborted).toBe(true);
    expect(scheduler.running).toBe(0);
    expect(timers.pending).toBe(0);
  });
});
