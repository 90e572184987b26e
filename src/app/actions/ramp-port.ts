import type { GateMonitor, GateResult } from "../../actions/ramp-gate.ts";
import type { RampChildRun, RampPort } from "../../actions/types.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { ActionRunRow, StoredCheckResult, Store } from "../../store/types.ts";
import { requestRun, subjectOf } from "./request.ts";

/** What a ramp's port reads and asks through. */
export interface RampPortDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  config(): VigilConfig;
  /** Each component's status as detection confirmed it. */
  statuses(): Record<string, string>;
  /** Tells the runner a run was asked for (it starts it at once). */
  kick(): void;
}

/** The most results of one monitor a gate reads (newest first): an hour of a check every 10 s from five regions. */
const resultsRead = 2_000;

const numberOr = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** A stored result as a gate reads it. */
export function gateResultOf(row: StoredCheckResult): GateResult {
  return {
    at: row.at.getTime(),
    region: row.region,
    status: row.status,
    uptimeS: numberOr(row.facts["uptimeS"]),
    connections: numberOr(row.facts["connections"]),
    maxConnections: numberOr(row.facts["maxConnections"]),
  };
}

/** The idempotency key of a ramp's step's run (`number` null: its `on_abort` run). */
function stepKey(rampRun: string, number: number | null): string {
  return `ramp:${rampRun}:${number === null ? "abort" : `step:${number}`}`;
}

/** The port a ramp run works through: its events on its timeline, its steps' runs, and health from the store. */
export function rampPort(deps: RampPortDeps, run: ActionRunRow): RampPort {
  const { store, clock } = deps;
  const subject = subjectOf(run);
  const child = (row: ActionRunRow): RampChildRun => ({ id: row.id, status: row.status, finishedAt: row.finishedAt, lastError: row.lastError });
  return {
    now: () => clock.now().getTime(),
    async events() {
      const events = await store.events.list({ subject, kinds: ["action.ramp_step_started", "action.ramp_gate_passed", "action.ramp_aborted"], limit: 10_000 });
      return events.filter((e) => e.data["run"] === run.id).map((e) => ({ kind: e.kind, at: e.at, data: e.data }));
    },
    async requestStep(number, of, step) {
      const row = await requestRun(deps, {
        actionId: step.run,
        incidentId: run.incidentId,
        actor: "system",
        idempotencyKey: stepKey(run.id, number),
        reason: { ramp: run.actionId, ramp_run: run.id, step: number },
        params: { step: { ramp_run: run.id, ramp: run.actionId, number, of, with: step.with } },
      });
      deps.kick();
      return child(row);
    },
    async run(id) {
      const row = await store.actionRuns.get(id);
      return row === undefined ? undefined : child(row);
    },
    async abortRun() {
      const row = await store.actionRuns.byKey(stepKey(run.id, null));
      return row === undefined ? undefined : child(row);
    },
    async health(components, from) {
      const config = deps.config();
      const wanted = new Set(components);
      const owned = config.components.filter((c) => wanted.has(c.id)).flatMap((c) => c.monitors.map((m) => ({ monitor: m, component: c.id })));
      const monitors: GateMonitor[] = [];
      for (const { monitor, component } of owned) {
        const m = config.monitors.find((x) => x.id === monitor);
        if (m === undefined) continue;
        const rows = await store.results.list(monitor, { from: new Date(from), limit: resultsRead });
        monitors.push({ id: monitor, component, intervalMs: m.interval, timeoutMs: m.timeout, results: rows.reverse().map(gateResultOf) });
      }
      const all = deps.statuses();
      return { monitors, statuses: Object.fromEntries(components.map((c) => [c, all[c] ?? "unknown"])) };
    },
    async record(kind, data) {
      await store.events.append({ at: clock.now(), kind, subject, actor: "system", data: { run: run.id, action: run.actionId, type: run.actionType, ...data } });
    },
    async note(text) {
      await store.actionRuns.update(run.id, { output: text, updatedAt: clock.now() }, "running");
    },
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason as Error);
        const done = () => {
          signal.removeEventListener("abort", stop);
          resolve();
        };
        const timer = deps.timers.setTimeout(done, ms);
        const stop = () => {
          deps.timers.clearTimeout(timer);
          reject(signal.reason as Error);
        };
        signal.addEventListener("abort", stop, { once: true });
      }),
  };
}
