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

  it("brings checks forward on request, once each, within the concurrency limit, leaving running and unknown ones", async () => {
    const slow = blocker();
    const randoms = [0, 0.5, 0.6, 0.7];
    const { timers, scheduler, starts } = harness({ concurrency: 2, random: () => randoms.shift() ?? 0, run: (m) => (m.id === "a" ? slow.run() : Promise.resolve({ recheck: false })) });
    scheduler.set([monitor("a"), monitor("b"), monitor("c"), monitor("d")]);
    await timers.advance(1_000);
    expect(starts).toEqual([["a", 0]]);
    // a is running; b, c and d are due at 5, 6 and 7 s: brought to now, two at a time (a holds one slot).
    expect(scheduler.checkSoon(["a", "b", "b", "c", "d", "nope"])).toEqual(["b", "c", "d"]);
    await timers.advance(0);
    expect(starts).toEqual([["a", 0], ["b", 1_000], ["c", 1_000], ["d", 1_000]]);
    // Each then follows its interval from the early check; the old due times are gone.
    await timers.advance(9_999);
    expect(starts.filter(([id]) => id !== "a").map(([id, at]) => `${id}@${at}`)).toEqual(["b@1000", "c@1000", "d@1000"]);
    await timers.advance(1);
    expect(starts.filter(([id]) => id !== "a").map(([id, at]) => `${id}@${at}`)).toEqual(["b@1000", "c@1000", "d@1000", "b@11000", "c@11000", "d@11000"]);
    slow.release();
    await scheduler.stop();
    expect(scheduler.checkSoon(["b"])).toEqual([]);
  });

  it("with a phase, checks on its grid of wall-clock time, and returns to it after a quick re-check or an early check", async () => {
    let calls = 0;
    // t0 is a multiple of 10 s; the phase puts the checks 3.5 s after each multiple.
    const { timers, scheduler, starts } = harness({ random: () => 0.9, run: async () => ({ recheck: ++calls === 2 }) });
    scheduler.set([monitor("a", 10_000, { phaseMs: 3_500 })]);
    await timers.advance(26_000);
    // The quick re-check after the second check (at 13.5 s) comes at 14.5 s; the next check is on the grid again.
    expect(starts.map(([, at]) => at)).toEqual([3_500, 13_500, 14_500, 23_500]);
    // An early check (another region saw a change) at 26 s: the next one is the grid's, at 33.5 s.
    expect(scheduler.checkSoon(["a"])).toEqual(["a"]);
    await timers.advance(8_000);
    expect(starts.map(([, at]) => at)).toEqual([3_500, 13_500, 14_500, 23_500, 26_000, 33_500]);
    await scheduler.stop();
  });

  it("a changed phase reschedules the monitor onto its new grid", async () => {
    const { timers, scheduler, starts } = harness();
    scheduler.set([monitor("a", 10_000, { phaseMs: 1_000 })]);
    await timers.advance(2_000);
    scheduler.set([monitor("a", 10_000, { phaseMs: 6_000 })]);
    await timers.advance(15_000);
    expect(starts.map(([, at]) => at)).toEqual([1_000, 6_000, 16_000]);
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

describe("Scheduler: a confirming check beside a running one", () => {
  /** Checks that run until released (each with how it ends), recorded as id@ms, `+` for a confirming check. */
  function beside(concurrency = 10) {
    const timers = new ManualTimers();
    const starts: string[] = [];
    const open: { id: string; alongside: boolean; end: (recheck: boolean) => void }[] = [];
    const scheduler = new Scheduler({
      clock: timers.clock,
      timers,
      concurrency,
      random: () => 0,
      run: (m, signal, _lag, alongside) => {
        starts.push(`${m.id}@${timers.clock.now().getTime() - t0}${alongside ? "+" : ""}`);
        return new Promise((resolve) => {
          const item = { id: m.id, alongside, end: (recheck: boolean) => (open.splice(open.indexOf(item), 1), resolve({ recheck })) };
          open.push(item);
          signal.addEventListener("abort", () => item.end(false));
        });
      },
    });
    const end = (id: string, alongside: boolean, recheck = false) => open.find((o) => o.id === id && o.alongside === alongside)!.end(recheck);
    return { timers, scheduler, starts, open, end };
  }

  it("starts one at once beside the running check, leaving the monitor's schedule as it was", async () => {
    const { timers, scheduler, starts, end } = beside();
    scheduler.set([monitor("a", 10_000, { timeoutMs: 8_000 }), monitor("b", 10_000, { timeoutMs: 8_000 })]);
    await timers.advance(1_000);
    expect(starts).toEqual(["a@0", "b@0"]);
    end("b", false);
    await timers.advance(0);
    // a's check is suspected: a second one starts beside it; one at a time; none for a monitor not running or unknown.
    expect(scheduler.checkAlongside("a")).toBe(true);
    expect(scheduler.checkAlongside("a")).toBe(false);
    expect(scheduler.checkAlongside("b")).toBe(false);
    expect(scheduler.checkAlongside("nope")).toBe(false);
    await timers.advance(0);
    expect(starts).toEqual(["a@0", "b@0", "a@1000+"]);
    expect(scheduler.running).toBe(2);
    end("a", true);
    end("a", false);
    // Both returned: a's next check is on its grid (10 s), as if nothing had run beside it; a new one may start then.
    await timers.advance(9_000);
    expect(starts).toEqual(["a@0", "b@0", "a@1000+", "b@10000", "a@10000"]);
    expect(scheduler.checkAlongside("a")).toBe(true);
    await timers.advance(0);
    expect(starts.at(-1)).toBe("a@10000+");
    await scheduler.stop();
    expect(scheduler.running).toBe(0);
  });

  it("makes the re-check a confirming check asks for once the monitor's own check has returned, not while it runs", async () => {
    const { timers, scheduler, starts, end } = beside();
    scheduler.set([monitor("a", 10_000, { timeoutMs: 8_000 })]);
    await timers.advance(1_000);
    scheduler.checkAlongside("a");
    await timers.advance(0);
    // While a's own check runs, its return decides what follows.
    end("a", true, true);
    await timers.advance(1_000);
    expect(starts).toEqual(["a@0", "a@1000+"]);
    end("a", false);
    await timers.advance(0);
    // Again, the own check first: then the confirming one's re-check comes 1 s after it.
    await timers.advance(10_000 - 2_000);
    expect(starts).toEqual(["a@0", "a@1000+", "a@10000"]);
    scheduler.checkAlongside("a");
    await timers.advance(500);
    end("a", false);
    end("a", true, true);
    await timers.advance(1_000);
    expect(starts).toEqual(["a@0", "a@1000+", "a@10000", "a@10000+", "a@11500"]);
    await scheduler.stop();
  });

  it("waits for a slot within the concurrency limit, and is dropped if its monitor is removed meanwhile", async () => {
    const { timers, scheduler, starts, end } = beside(1);
    scheduler.set([monitor("a", 10_000, { timeoutMs: 8_000 })]);
    await timers.advance(1_000);
    expect(scheduler.checkAlongside("a")).toBe(true);
    await timers.advance(1_000);
    expect(starts).toEqual(["a@0"]);
    end("a", false);
    await timers.advance(0);
    expect(starts).toEqual(["a@0", "a@2000+"]);
    end("a", true);
    await timers.advance(8_000);
    expect(starts).toEqual(["a@0", "a@2000+", "a@10000"]);
    expect(scheduler.checkAlongside("a")).toBe(true);
    scheduler.set([]);
    end("a", false);
    await timers.advance(10_000);
    expect(starts).toEqual(["a@0", "a@2000+", "a@10000"]);
    // Re-added: the place for a confirming check is free again.
    scheduler.set([monitor("a", 10_000, { timeoutMs: 8_000 })]);
    await timers.advance(0);
    expect(scheduler.checkAlongside("a")).toBe(true);
    await scheduler.stop();
    expect(scheduler.running).toBe(0);
  });
});

/** A monitor as the tests give it: `probe` stands for its probe settings, which the scheduler passes through to the runner. */
type TestMonitor = ScheduledMonitor & { probe?: string };
const probed = (id: string, probe: string, intervalMs = 10_000, extra: Partial<ScheduledMonitor> = {}): TestMonitor => ({ ...monitor(id, intervalMs, { timeoutMs: 60_000, ...extra }), probe });

/**
 * A scheduler over manual timers whose runner checks the invariants as it goes: never two checks of one
 * monitor at once, never more than `concurrency`, never a check of a monitor that is not configured.
 * Checks of a held monitor run until released (or aborted); the others return at once.
 */
function tracked(options: { concurrency: number; random?: () => number; hold?: readonly string[] }) {
  const timers = new ManualTimers();
  const at = () => timers.clock.now().getTime() - t0;
  const held = new Set(options.hold ?? []);
  const open = new Map<string, { probe: string; resolve: (recheck: boolean) => void }>();
  const configured = new Set<string>();
  const starts: string[] = [];
  const ends: string[] = [];
  const violations: string[] = [];
  let inFlight = 0;
  const scheduler = new Scheduler({
    clock: timers.clock,
    timers,
    concurrency: options.concurrency,
    random: options.random ?? (() => 0),
    run: (m, signal, lagMs) => {
      const probe = (m as TestMonitor).probe ?? "v1";
      const label = `${m.id}@${at()}:${probe}`;
      starts.push(lagMs > 0 ? `${label} late ${lagMs}` : label);
      if (open.has(m.id)) violations.push(`two checks of ${m.id} at ${at()}`);
      if (++inFlight > options.concurrency) violations.push(`${inFlight} checks at ${at()}`);
      if (!configured.has(m.id)) violations.push(`check of removed ${m.id} at ${at()}`);
      if (!held.has(m.id)) return Promise.resolve({ recheck: false }).finally(() => inFlight--);
      return new Promise<{ recheck: boolean }>((resolve) => {
        const done = (recheck: boolean) => {
          if (open.get(m.id)?.resolve !== done) return;
          open.delete(m.id);
          inFlight--;
          // A held check's end is where its result is delivered: it must not have been cut short by a reload.
          ends.push(`${m.id}@${at()}:${probe}${signal.aborted ? " aborted" : ""}`);
          resolve({ recheck });
        };
        open.set(m.id, { probe, resolve: done });
        signal.addEventListener("abort", () => done(false));
      });
    },
  });
  return {
    timers,
    scheduler,
    starts,
    ends,
    violations,
    /** Milliseconds since t0. */
    at,
    set(monitors: readonly ScheduledMonitor[]) {
      configured.clear();
      for (const m of monitors) configured.add(m.id);
      scheduler.set(monitors);
    },
    /** Ends a held monitor's running check and stops holding it. */
    release(id: string, recheck = false) {
      held.delete(id);
      open.get(id)?.resolve(recheck);
    },
    hold(id: string) {
      held.add(id);
    },
    get held() {
      return [...held];
    },
    get openIds() {
      return [...open.keys()];
    },
  };
}

type Step = { at: number; set: readonly TestMonitor[] } | { at: number; release: string; recheck?: boolean };

interface ReloadCase {
  name: string;
  concurrency: number;
  random?: number;
  /** Monitors whose checks stay running until a release step. */
  hold: string[];
  steps: Step[];
  until: number;
  starts: string[];
  ends: string[];
}

// `x` is a blocker that holds the only slot when concurrency is 1, so that `a` waits for a slot. Jitter is 0
// unless said otherwise, so a (re)scheduled monitor is due at once. A start reads `id@ms:probe`, with how
// late it started against its due time.
const x = probed("x", "v1");
const reloadCases: ReloadCase[] = [
  {
    name: "replace while waiting for a slot: the stale wait is dropped, the new settings run from their own due time",
    concurrency: 1,
    hold: ["x"],
    steps: [
      { at: 0, set: [x, probed("a", "v1")] },
      { at: 1_000, set: [x, probed("a", "v2", 4_000)] },
      { at: 3_000, release: "x" },
    ],
    until: 9_999,
    starts: ["x@0:v1", "a@3000:v2 late 2000", "a@5000:v2", "a@9000:v2"],
    ends: ["x@3000:v1"],
  },
  {
    name: "replace while running: the running check ends undisturbed, then the new settings run",
    concurrency: 10,
    hold: ["a"],
    steps: [
      { at: 0, set: [probed("a", "v1")] },
      { at: 1_000, set: [probed("a", "v2", 4_000)] },
      { at: 2_500, release: "a" },
    ],
    until: 9_999,
    starts: ["a@0:v1", "a@2500:v2 late 1500", "a@5000:v2", "a@9000:v2"],
    ends: ["a@2500:v1"],
  },
  {
    name: "replace while running, the old check asking for a quick re-check: dropped, the new schedule stands",
    concurrency: 10,
    hold: ["a"],
    steps: [
      { at: 0, set: [probed("a", "v1")] },
      { at: 1_000, set: [probed("a", "v2", 4_000)] },
      { at: 2_500, release: "a", recheck: true },
    ],
    until: 9_999,
    starts: ["a@0:v1", "a@2500:v2 late 1500", "a@5000:v2", "a@9000:v2"],
    ends: ["a@2500:v1"],
  },
  {
    name: "probe settings changed while running, schedule unchanged: the grid is kept, the next check gets the new settings",
    concurrency: 10,
    hold: ["a"],
    steps: [
      { at: 0, set: [probed("a", "v1")] },
      { at: 1_000, set: [probed("a", "v2")] },
      { at: 2_000, release: "a" },
    ],
    until: 20_000,
    starts: ["a@0:v1", "a@10000:v2", "a@20000:v2"],
    ends: ["a@2000:v1"],
  },
  {
    name: "remove while waiting for a slot: it never runs",
    concurrency: 1,
    hold: ["x"],
    steps: [
      { at: 0, set: [x, probed("a", "v1")] },
      { at: 1_000, set: [x] },
      { at: 3_000, release: "x" },
    ],
    until: 25_000,
    starts: ["x@0:v1", "x@10000:v1", "x@20000:v1"],
    ends: ["x@3000:v1"],
  },
  {
    name: "remove while running: the running check ends undisturbed, and no other follows",
    concurrency: 10,
    hold: ["a"],
    steps: [
      { at: 0, set: [probed("a", "v1")] },
      { at: 1_000, set: [] },
      { at: 2_000, release: "a" },
    ],
    until: 25_000,
    starts: ["a@0:v1"],
    ends: ["a@2000:v1"],
  },
  {
    name: "remove and re-add while running: the re-added monitor waits for the old check, then runs on one schedule",
    concurrency: 10,
    hold: ["a"],
    steps: [
      { at: 0, set: [probed("a", "v1")] },
      { at: 1_000, set: [] },
      { at: 2_000, set: [probed("a", "v2")] },
      { at: 5_000, release: "a" },
    ],
    until: 25_000,
    starts: ["a@0:v1", "a@5000:v2 late 3000", "a@12000:v2", "a@22000:v2"],
    ends: ["a@5000:v1"],
  },
  {
    name: "remove and re-add while waiting for a slot: one schedule, from the re-add",
    concurrency: 1,
    hold: ["x"],
    steps: [
      { at: 0, set: [x, probed("a", "v1")] },
      { at: 1_000, set: [x] },
      { at: 1_500, set: [x, probed("a", "v2")] },
      { at: 3_000, release: "x" },
    ],
    until: 25_000,
    starts: ["x@0:v1", "a@3000:v2 late 1500", "x@10000:v1", "a@11500:v2", "x@20000:v1", "a@21500:v2"],
    ends: ["x@3000:v1"],
  },
  {
    name: "remove and re-add before it is due: the first schedule is forgotten",
    concurrency: 10,
    random: 0.5,
    hold: [],
    steps: [
      { at: 0, set: [probed("a", "v1")] },
      { at: 1_000, set: [] },
      { at: 1_000, set: [probed("a", "v2")] },
    ],
    until: 25_000,
    starts: ["a@6000:v2", "a@16000:v2"],
    ends: [],
  },
  {
    name: "replace twice quickly while running: only the last settings run, once the old check ends",
    concurrency: 10,
    hold: ["a"],
    steps: [
      { at: 0, set: [probed("a", "v1")] },
      { at: 1_000, set: [probed("a", "v2", 4_000)] },
      { at: 1_100, set: [probed("a", "v3", 3_000)] },
      { at: 2_000, release: "a" },
    ],
    until: 9_999,
    starts: ["a@0:v1", "a@2000:v3 late 900", "a@4100:v3", "a@7100:v3"],
    ends: ["a@2000:v1"],
  },
  {
    name: "replace twice quickly while waiting for a slot: only the last settings run",
    concurrency: 1,
    hold: ["x"],
    steps: [
      { at: 0, set: [x, probed("a", "v1")] },
      { at: 1_000, set: [x, probed("a", "v2", 4_000)] },
      { at: 1_000, set: [x, probed("a", "v3", 3_000)] },
      { at: 3_000, release: "x" },
    ],
    until: 9_999,
    starts: ["x@0:v1", "a@3000:v3 late 2000", "a@4000:v3", "a@7000:v3"],
    ends: ["x@3000:v1"],
  },
  {
    name: "replace twice quickly before it is due: only the last schedule runs",
    concurrency: 10,
    random: 0.5,
    hold: [],
    steps: [
      { at: 0, set: [probed("a", "v1")] },
      { at: 1_000, set: [probed("a", "v2", 4_000)] },
      { at: 1_000, set: [probed("a", "v3", 6_000)] },
    ],
    until: 20_000,
    starts: ["a@4000:v3", "a@10000:v3", "a@16000:v3"],
    ends: [],
  },
];

/** Long enough for every interval the tests use to fit a whole number of times. */
const window = 120_000;

/** After everything is released: each configured monitor runs exactly once per interval, so it has exactly one schedule. */
async function expectOneSchedulePerMonitor(h: ReturnType<typeof tracked>, monitors: readonly ScheduledMonitor[]): Promise<void> {
  for (const id of h.held) h.release(id);
  for (const id of h.openIds) h.release(id);
  await h.timers.advance(window);
  const from = h.starts.length;
  const start = h.at();
  await h.timers.advance(window);
  const counts = new Map<string, number>();
  for (const s of h.starts.slice(from)) counts.set(s.split("@")[0]!, (counts.get(s.split("@")[0]!) ?? 0) + 1);
  const expected = new Map(monitors.map((m) => [m.id, window / m.intervalMs]));
  expect(Object.fromEntries(counts), `checks per monitor in (${start}, ${start + window}]`).toEqual(Object.fromEntries(expected));
  expect(h.scheduler.running).toBe(0);
}

describe("Scheduler across configuration reloads", () => {
  it.each(reloadCases)("$name", async (c) => {
    const h = tracked({ concurrency: c.concurrency, random: () => c.random ?? 0, hold: c.hold });
    let last: readonly TestMonitor[] = [];
    for (const step of c.steps) {
      await h.timers.advance(step.at - h.at());
      if ("set" in step) {
        h.set(step.set);
        last = step.set;
      } else h.release(step.release, step.recheck);
    }
    await h.timers.advance(c.until - h.at());
    expect(h.starts).toEqual(c.starts);
    expect(h.ends).toEqual(c.ends);
    await expectOneSchedulePerMonitor(h, last);
    expect(h.violations).toEqual([]);
    await h.scheduler.stop();
    expect(h.timers.pending).toBe(0);
  });

  it("after a replace, the next check gets the new timeout", async () => {
    const reasons: string[] = [];
    const { timers, scheduler } = harness({
      run: (_m, signal) => new Promise((resolve) => signal.addEventListener("abort", () => (reasons.push(String(signal.reason)), resolve({ recheck: false })))),
    });
    scheduler.set([monitor("a", 10_000, { timeoutMs: 5_000 })]);
    await timers.advance(1_000);
    scheduler.set([monitor("a", 10_000, { timeoutMs: 3_000 })]);
    await timers.advance(10_000);
    expect(reasons).toEqual(["Error: timeout after 5000 ms", "Error: timeout after 3000 ms"]);
    await scheduler.stop();
  });

  it("keeps every invariant through random reloads, holds and releases", async () => {
    // A small deterministic PRNG, so that a failure replays.
    let seed = 0x2f6e2b1;
    const rand = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const ids = ["a", "b", "c", "d", "e"];
    const intervals = [2_000, 3_000, 4_000, 5_000, 6_000];
    const h = tracked({ concurrency: 2, random: rand });
    let last: TestMonitor[] = [];
    for (let i = 0; i < 400; i++) {
      const op = rand();
      if (op < 0.3) {
        last = ids.filter(() => rand() < 0.7).map((id) => probed(id, pick(["v1", "v2"]), pick(intervals), { timeoutMs: pick([1_000, 60_000]) }));
        h.set(last);
      } else if (op < 0.45) h.hold(pick(ids));
      else if (op < 0.6) h.release(pick(ids), rand() < 0.3);
      else await h.timers.advance(Math.floor(rand() * 3_000));
    }
    expect(h.starts.length).toBeGreaterThan(100);
    await expectOneSchedulePerMonitor(h, last);
    expect(h.violations).toEqual([]);
    await h.scheduler.stop();
    expect(h.timers.pending).toBe(0);
  });
});
